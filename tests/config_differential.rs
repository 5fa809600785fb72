//! Config files read by botocore (the AWS CLI's reader) and by awl, differentially: 400 generated pairs of
//! config and credentials files (indentation, CRLF, tabs, key case, comments, spaced headers, duplicates,
//! role chains), each profile's region, role_arn, source_profile and mfa_serial compared. Wherever the two
//! differ, awl must have printed a warning for that file: zero silent differences.

mod common;

use awl::codec::ini::FileKind;
use awl::config::env::{LoadedFile, load_file};
use awl::config::profiles::Profiles;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

const CASES: usize = 400;
const KEYS: [&str; 4] = ["region", "role_arn", "source_profile", "mfa_serial"];

/// A small seeded generator, so a failing case can be made again.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

/// How a file indents its lines.
#[derive(Clone, Copy, PartialEq)]
enum Indent {
    None,
    /// Every line of a section, header included, indented alike.
    Uniform,
    /// The properties indented under an unindented header.
    Properties,
}

fn key_name(rng: &mut Rng, key: &str) -> String {
    match rng.next() % 10 {
        0 => key.to_ascii_uppercase(),
        1 => {
            let mut c = key.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        }
        _ => key.to_owned(),
    }
}

fn property(rng: &mut Rng, key: &str, value: &str) -> String {
    let eq = rng.pick(&[" = ", "=", "\t=\t", " =", "= "]);
    let comment = if rng.chance(4) { " # note" } else { "" };
    format!("{}{eq}{value}{comment}", key_name(rng, key))
}

fn header(rng: &mut Rng, name: &str, config: bool) -> String {
    let inner = match (config, name) {
        (true, "default") => "default".to_owned(),
        (true, n) => format!("profile{}{n}", rng.pick(&[" ", " ", " ", "  ", "\t"])),
        (false, n) => n.to_owned(),
    };
    match rng.next() % 25 {
        0 => format!("[ {inner} ]"),
        1 if config => format!("[Profile {name}]"),
        2 => format!("[{inner}] ; section"),
        _ => format!("[{inner}]"),
    }
}

/// The lines of one section: its header, then its properties, indented as `indent` says.
fn section(rng: &mut Rng, head: String, props: &[(String, String)], indent: Indent) -> Vec<String> {
    let pad = rng.pick(&["  ", "    ", "\t", " "]);
    let mut lines = Vec::new();
    lines.push(match indent {
        Indent::Uniform => format!("{pad}{head}"),
        _ => head,
    });
    for (k, v) in props {
        if rng.chance(8) {
            lines.push(
                rng.pick(&["# a comment", "; another", "  # indented comment", ""])
                    .to_owned(),
            );
        }
        let line = property(rng, k, v);
        lines.push(match indent {
            Indent::None => line,
            _ => format!("{pad}{line}"),
        });
        if rng.chance(5) {
            // A continuation: deeper than the property's own line.
            lines.push(format!("{pad}{pad}continued"));
        }
    }
    if rng.chance(3) {
        // A duplicate key: botocore refuses the whole file.
        lines.push(property(rng, "output", "text"));
        lines.push(property(rng, "output", "json"));
    }
    lines
}

/// One case: the text of a config file and of a credentials file.
fn generate(rng: &mut Rng) -> (String, String) {
    let names = ["default", "dev", "ops", "prod", "ci"];
    let count = 2 + (rng.next() % 4) as usize;
    let indent = match rng.next() % 10 {
        0 | 1 => Indent::Uniform,
        2 => Indent::Properties,
        _ => Indent::None,
    };
    let mut config = Vec::new();
    let mut credentials = Vec::new();
    for (i, name) in names.iter().take(count).enumerate() {
        let mut props = Vec::new();
        if rng.chance(70) {
            let r = rng.pick(&["us-east-1", "eu-west-1", "ap-southeast-2"]);
            props.push(("region".to_owned(), r.to_owned()));
        }
        if i > 0 && rng.chance(60) {
            props.push((
                "role_arn".into(),
                format!("arn:aws:iam::123456789012:role/{name}"),
            ));
            props.push((
                "source_profile".into(),
                names[(rng.next() % i as u64) as usize].into(),
            ));
            if rng.chance(40) {
                props.push(("mfa_serial".into(), "arn:aws:iam::123456789012:mfa/alice".into()));
            }
        }
        if rng.chance(30) {
            props.push(("output".into(), "json".into()));
        }
        let head = header(rng, name, true);
        let this_indent = if rng.chance(50) { indent } else { Indent::None };
        config.extend(section(rng, head, &props, this_indent));
        if rng.chance(10) {
            // An indented header under a property: it continues that property's value.
            config.push(format!("  [profile x{i}]"));
        }
        if rng.chance(10) {
            config.push(String::new());
        }
        if i == 0 || rng.chance(30) {
            let mut keys = vec![
                ("aws_access_key_id".to_owned(), "AKIAEXAMPLE".to_owned()),
                ("aws_secret_access_key".to_owned(), "secret".to_owned()),
            ];
            if rng.chance(15) {
                keys.push(("region".into(), "sa-east-1".into()));
            }
            let head = header(rng, name, false);
            credentials.extend(section(rng, head, &keys, Indent::None));
        }
    }
    let eol = if rng.chance(20) { "\r\n" } else { "\n" };
    (config.join(eol) + eol, credentials.join(eol) + eol)
}

/// Each profile's four keys, as one reader saw them.
type View = BTreeMap<String, BTreeMap<String, String>>;

/// awl's view of a case and whether it warned. A file awl refuses counts as no profiles and no warning: a file
/// the AWS CLI reads must be read.
fn awl_view(dir: &Path) -> (View, bool) {
    let load = |name: &str, kind| -> Result<LoadedFile, awl::Error> {
        let p = dir.join(name);
        load_file(&p.to_string_lossy(), name.to_owned(), kind)
    };
    let (config, credentials) = match (
        load("config", FileKind::Config),
        load("credentials", FileKind::Credentials),
    ) {
        (Ok(c), Ok(k)) => (c, k),
        _ => return (View::new(), false),
    };
    let warned = !awl::config::env::file_warnings(&config, &credentials).is_empty();
    let profiles = Profiles::from_files(&config, &credentials);
    let view = profiles
        .names()
        .into_iter()
        .map(|n| {
            let keys = KEYS
                .iter()
                .filter_map(|k| profiles.get(n, k).map(|s| ((*k).to_owned(), s.value.clone())))
                .collect();
            (n.to_owned(), keys)
        })
        .collect();
    (view, warned)
}

fn botocore_views(root: &Path) -> Vec<View> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/botocore_profiles.py");
    let out = Command::new(common::servers::venv().join("bin/python"))
        .arg(script)
        .arg(root)
        .arg(CASES.to_string())
        .env_clear()
        .env("HOME", root)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("python runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let views: Vec<View> = text
        .lines()
        .map(|line| {
            let v = awl::codec::json::parse(line).expect("JSON line");
            let Some(profiles) = v.get("profiles").and_then(|p| p.as_object()) else {
                return View::new(); // botocore refused the files: the AWS CLI sees no profile
            };
            profiles
                .iter()
                .map(|(name, keys)| {
                    let keys = keys
                        .as_object()
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                        .collect();
                    (name.clone(), keys)
                })
                .collect()
        })
        .collect();
    assert_eq!(views.len(), CASES, "botocore answered for every case");
    views
}

#[test]
fn botocore_and_awl_agree_or_awl_warns() {
    let root = common::temp_dir("config-diff");
    let mut rng = Rng(0x0c0f_1600_2026_1202);
    for i in 0..CASES {
        let (config, credentials) = generate(&mut rng);
        let dir = root.join(format!("case-{i}"));
        std::fs::create_dir_all(&dir).expect("case folder");
        std::fs::write(dir.join("config"), config).expect("config");
        std::fs::write(dir.join("credentials"), credentials).expect("credentials");
    }
    let botocore = botocore_views(&root);
    let (mut agree, mut warned_differ, mut silent) = (0, 0, Vec::new());
    for (i, theirs) in botocore.iter().enumerate() {
        let (ours, warned) = awl_view(&root.join(format!("case-{i}")));
        let names: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
        let empty = BTreeMap::new();
        let differs: Vec<String> = names
            .into_iter()
            .filter(|n| ours.get(*n).unwrap_or(&empty) != theirs.get(*n).unwrap_or(&empty))
            .map(|n| format!("{n}: awl {:?} botocore {:?}", ours.get(n), theirs.get(n)))
            .collect();
        match (differs.is_empty(), warned) {
            (true, _) => agree += 1,
            (false, true) => warned_differ += 1,
            (false, false) => silent.push(format!("case-{i}: {}", differs.join("; "))),
        }
    }
    eprintln!(
        "{CASES} cases: {agree} agree, {warned_differ} differ with a warning, {} silently",
        silent.len()
    );
    assert!(
        silent.is_empty(),
        "silent differences (files in {}):\n{}",
        root.display(),
        silent.join("\n")
    );
    // The generator must reach both outcomes, or the test proves nothing.
    assert!(
        agree > CASES / 2 && warned_differ > 10,
        "agree {agree}, warned {warned_differ}"
    );
}
