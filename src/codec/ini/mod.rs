//! The AWS shared config and credentials files: text → profiles, sso-sessions and services sections, each
//! property with its line number, by the cross-SDK rules (the AWS SDKs' "profile parser" conformance suite).
//!
//! Pure. Two passes, as the SDKs do: a literal pass over the lines (sections, properties, continuations,
//! comments), then the normalisation of one file (`[profile x]` vs `[x]`, name validation, duplicates merged
//! with the last value winning). Where the AWS CLI (botocore) would read the same text differently, a
//! [`Warning`] says so; awl follows the SDK rules, except for indentation, read as botocore reads it. The
//! literal pass is `lines`; [`set_property`], the line-preserving edit that `awl configure` makes, is `edit`.

mod edit;
mod lines;

pub use edit::set_property;
use lines::{RawSection, parse_raw};

use crate::error::Result;
use std::fmt;

/// Which of the two files a text is: the rules for section names differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `~/.aws/config`: `[default]`, `[profile x]`, `[sso-session x]`, `[services x]`.
    Config,
    /// `~/.aws/credentials`: `[x]`.
    Credentials,
}

/// Only space and tab are whitespace in these files (not every Unicode space, as `str::trim` would take).
const WHITESPACE: &[char] = &[' ', '\t'];

fn trim(s: &str) -> &str {
    s.trim_matches(WHITESPACE)
}

/// A property of a section: its name (lower case), its value, and the line that set it.
#[derive(Clone, PartialEq, Eq)]
pub struct Property {
    /// The name, in lower case (names are case-insensitive).
    pub name: String,
    /// The value, trimmed; continuation lines are joined with `\n`.
    pub value: String,
    /// The 1-based line of the definition.
    pub line: usize,
}

impl fmt::Debug for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The credentials file's values include secret keys.
        let value: &dyn fmt::Debug = if crate::codec::redact::is_secret_name(&self.name) {
            &"***"
        } else {
            &self.value
        };
        f.debug_struct("Property")
            .field("name", &self.name)
            .field("value", value)
            .field("line", &self.line)
            .finish()
    }
}

impl Property {
    /// The `name = value` pairs of a sub-property block; see [`sub_properties`].
    pub fn sub_properties(&self) -> Vec<(String, String)> {
        sub_properties(&self.value)
    }
}

/// The `name = value` pairs of a sub-property block (`s3 =` followed by indented lines, a value that starts
/// with a newline), names in lower case; empty when the value is not a block.
pub fn sub_properties(value: &str) -> Vec<(String, String)> {
    if !value.starts_with('\n') {
        return Vec::new();
    }
    value
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (trim(k).to_ascii_lowercase(), trim(v).to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

/// A profile, sso-session or services section after normalisation: duplicates merged, last value winning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// The name, without any `profile ` prefix.
    pub name: String,
    /// The 1-based line of the first header that opened it.
    pub line: usize,
    /// The properties, in the order first defined; each name once.
    pub properties: Vec<Property>,
}

impl Section {
    /// The property `name` (lower case).
    pub fn get(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    fn set(&mut self, prop: Property) {
        match self.properties.iter_mut().find(|p| p.name == prop.name) {
            Some(existing) => *existing = prop,
            None => self.properties.push(prop),
        }
    }
}

/// Something about a file that the user should know: a section or property that is ignored, or a place where
/// the AWS CLI would read the file differently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The 1-based line it is about (0: the whole file).
    pub line: usize,
    /// What and why.
    pub message: String,
}

/// One parsed file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IniFile {
    /// The profiles, in the order first seen.
    pub profiles: Vec<Section>,
    /// `[sso-session x]` sections (config file only).
    pub sso_sessions: Vec<Section>,
    /// `[services x]` sections (config file only).
    pub services: Vec<Section>,
    /// Warnings, in line order.
    pub warnings: Vec<Warning>,
}

impl IniFile {
    /// The profile `name`.
    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.profiles.iter().find(|s| s.name == name)
    }
}

/// Whether a name may be a profile or property name: letters, digits and `_ - / . % @ : +`. Only such a
/// profile name reads back as written.
pub fn valid_identifier(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}

/// A header as shown in a warning: control characters escaped, cut to 60 characters (a file may hold any
/// text, and a warning is printed on the terminal).
fn shown(header: &str) -> String {
    crate::codec::redact::sanitize(header, 60)
}

/// What a section header names, by the rules of one file.
enum Header<'a> {
    Profile(&'a str),
    SsoSession(&'a str),
    Services(&'a str),
    Ignored(String),
}

/// `prefix` followed by at least one space or tab, then the name.
fn after_prefix<'a>(header: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = header.strip_prefix(prefix)?;
    rest.starts_with(WHITESPACE).then(|| trim(rest))
}

fn classify(header: &str, kind: FileKind) -> Header<'_> {
    match kind {
        FileKind::Config => {
            if header == "default" {
                Header::Profile("default")
            } else if let Some(name) = after_prefix(header, "profile") {
                Header::Profile(name)
            } else if let Some(name) = after_prefix(header, "sso-session") {
                Header::SsoSession(name)
            } else if let Some(name) = after_prefix(header, "services") {
                Header::Services(name)
            } else {
                Header::Ignored(format!(
                    "section [{h}] ignored: in the config file a profile is written [profile {h}]",
                    h = shown(header)
                ))
            }
        }
        FileKind::Credentials => {
            if after_prefix(header, "profile").is_some() {
                Header::Ignored(format!(
                    "section [{}] ignored: in the credentials file a profile is written [name], without 'profile'",
                    shown(header)
                ))
            } else if after_prefix(header, "sso-session").is_some()
                || after_prefix(header, "services").is_some()
            {
                Header::Ignored(format!(
                    "section [{}] ignored: it belongs in the config file",
                    shown(header)
                ))
            } else {
                Header::Profile(header)
            }
        }
    }
}

fn merge_into(list: &mut Vec<Section>, name: &str, raw: &RawSection, warnings: &mut Vec<Warning>) {
    let section = match list.iter_mut().position(|s| s.name == name) {
        Some(i) => {
            warnings.push(Warning {
                line: raw.line,
                message: format!(
                    "[{}] appears again (first on line {}): awl merges the two, the AWS CLI refuses the whole file",
                    shown(&raw.header),
                    list[i].line
                ),
            });
            &mut list[i]
        }
        None => {
            list.push(Section {
                name: name.to_owned(),
                line: raw.line,
                properties: Vec::new(),
            });
            let last = list.len() - 1;
            &mut list[last]
        }
    };
    for prop in &raw.properties {
        if !valid_identifier(&prop.name) {
            warnings.push(Warning {
                line: prop.line,
                message: format!("property '{}' ignored: not a valid property name", prop.name),
            });
            continue;
        }
        let lower = prop.name.to_ascii_lowercase();
        if let Some(prev) = section.get(&lower) {
            warnings.push(Warning {
                line: prop.line,
                message: format!(
                    "'{lower}' is set again (first on line {}): awl takes the last value, the AWS CLI refuses the whole file",
                    prev.line
                ),
            });
        }
        section.set(Property {
            name: lower,
            value: prop.value.clone(),
            line: prop.line,
        });
    }
}

/// Parses one file by the cross-SDK rules.
pub fn parse(text: &str, kind: FileKind) -> Result<IniFile> {
    let mut file = IniFile::default();
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => {
            file.warnings.push(Warning {
                line: 1,
                message:
                    "the file starts with a UTF-8 byte order mark: awl skips it, but the AWS CLI rejects the \
                          file; save it without the BOM"
                        .into(),
            });
            rest
        }
        None => text,
    };
    let raw = parse_raw(text, &mut file.warnings)?;

    // In the config file `[profile default]` wins over `[default]` wholesale (the SDK rule; botocore takes
    // whichever comes last).
    let prefixed_default = kind == FileKind::Config
        && raw.iter().any(|s| {
            matches!(classify(&s.header, kind), Header::Profile("default")) && s.header != "default"
        });
    for section in &raw {
        if section.spaced {
            file.warnings.push(Warning {
                line: section.line,
                message: format!(
                    "the AWS CLI reads this header as a section named with the spaces, so it ignores it; write \
                     [{}]",
                    shown(&section.header)
                ),
            });
        }
        if section.header == "DEFAULT" {
            file.warnings.push(Warning {
                line: section.line,
                message: "the AWS CLI applies the keys of a [DEFAULT] section to every profile; awl and the AWS SDKs \
                          do not"
                    .into(),
            });
        }
        match classify(&section.header, kind) {
            Header::Profile(name) if !valid_identifier(name) => file.warnings.push(Warning {
                line: section.line,
                message: format!(
                    "profile [{}] ignored: a profile name has only letters, digits and _-/.%@:+",
                    shown(&section.header)
                ),
            }),
            Header::Profile("default") if prefixed_default && section.header == "default" => {
                file.warnings.push(Warning {
                    line: section.line,
                    message:
                        "[default] ignored because [profile default] is also present (the AWS CLI would use \
                              whichever comes last)"
                            .into(),
                })
            }
            Header::Profile(name) => merge_into(&mut file.profiles, name, section, &mut file.warnings),
            Header::SsoSession(name) => merge_into(&mut file.sso_sessions, name, section, &mut file.warnings),
            Header::Services(name) => merge_into(&mut file.services, name, section, &mut file.warnings),
            Header::Ignored(message) => file.warnings.push(Warning {
                line: section.line,
                message,
            }),
        }
    }
    file.warnings.sort_by_key(|w| w.line);
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ParseProblem;

    fn config(text: &str) -> IniFile {
        parse(text, FileKind::Config).expect("parses")
    }

    #[test]
    fn lines_are_recorded_and_keys_lowercased() {
        let f = config("# top\n[profile a]\nRegion = us-east-1\n\n[default]\nregion=eu-west-1\n");
        let a = f.profile("a").expect("a");
        assert_eq!(a.line, 2);
        assert_eq!(
            a.get("region").map(|p| (p.value.as_str(), p.line)),
            Some(("us-east-1", 3))
        );
        assert_eq!(
            f.profile("default").and_then(|d| d.get("region")).map(|p| p.line),
            Some(6)
        );
    }

    #[test]
    fn sub_properties_are_readable() {
        let f = config("[profile a]\ns3 =\n  addressing_style = path\n  Max_Concurrency = 4\n");
        let s3 = f.profile("a").and_then(|p| p.get("s3")).expect("s3");
        assert_eq!(
            s3.sub_properties(),
            [
                ("addressing_style".into(), "path".into()),
                ("max_concurrency".into(), "4".into())
            ]
        );
    }

    #[test]
    fn warns_where_the_aws_cli_reads_differently() {
        let f = config(
            "\u{feff}[profile a]\nregion = us-east-1 # home\nregion = eu-west-1\n[DEFAULT]\nx = 1\n\
             [default]\ny = 2\n[profile default]\nz = 3\n[profile a]\n",
        );
        let all: Vec<String> = f
            .warnings
            .iter()
            .map(|w| format!("{}: {}", w.line, w.message))
            .collect();
        let has = |line: usize, text: &str| {
            assert!(
                f.warnings
                    .iter()
                    .any(|w| w.line == line && w.message.contains(text)),
                "no warning on line {line} with {text:?}: {all:#?}"
            )
        };
        has(1, "byte order mark");
        has(2, "no inline comments");
        has(3, "set again (first on line 2)");
        has(4, "[DEFAULT]");
        has(6, "[default] ignored");
        has(10, "appears again");
        let spaced = config("[ default ] ; comment\nregion = x\n[profile \u{1b}[2J]\n");
        let w = &spaced.warnings;
        assert!(
            w.iter()
                .any(|w| w.line == 1 && w.message.contains("write [default]")),
            "{w:?}"
        );
        assert!(w.iter().all(|w| !w.message.contains('\u{1b}')), "{w:?}");
        let long = config(&format!("[{}]\n", "x".repeat(5 << 20)));
        assert!(
            long.warnings.iter().all(|w| w.message.len() < 300),
            "a long name is cut"
        );
        assert_eq!(
            f.profile("a")
                .and_then(|p| p.get("region"))
                .map(|p| p.value.as_str()),
            Some("eu-west-1")
        );
        assert_eq!(f.profile("default").map(|p| p.properties.len()), Some(1));
    }

    #[test]
    fn errors_name_the_line_and_what_was_expected() {
        let e = parse("[default]\nregion = x\n[profile foo\n", FileKind::Config).expect_err("unclosed");
        assert_eq!(
            (e.parse_problem(), e.location().map(|l| l.line)),
            (Some(ParseProblem::UnclosedSection), Some(3))
        );
        assert!(
            e.to_string()
                .starts_with("line 3: Profile definition must end with ']'")
        );
        let e = parse("[default]\nregion: x\n", FileKind::Config).expect_err("colon");
        assert_eq!(
            (e.parse_problem(), e.location().map(|l| l.line)),
            (Some(ParseProblem::MissingEquals), Some(2))
        );
        assert!(e.hint().is_some_and(|h| h.contains("':'")));
        let e = parse("[default]\n  -continued\n", FileKind::Config).expect_err("nothing to continue");
        assert_eq!(e.parse_problem(), Some(ParseProblem::ContinuationWithoutProperty));
    }

    #[test]
    fn indentation_is_read_as_botocore_reads_it() {
        let value =
            |f: &IniFile, p: &str, k: &str| f.profile(p).and_then(|s| s.get(k)).map(|p| p.value.clone());
        // Uniformly indented sections: every line starts something (botocore); the SDKs refuse the file.
        let f =
            config("  [profile a]\n  region = x\n  output = json\n    more\n  [profile b]\n\tregion = y\n");
        assert_eq!(value(&f, "a", "region").as_deref(), Some("x"));
        assert_eq!(value(&f, "a", "output").as_deref(), Some("json\nmore"));
        assert_eq!(value(&f, "b", "region").as_deref(), Some("y"));
        assert_eq!(f.warnings.len(), 1, "{:?}", f.warnings);
        assert!(f.warnings[0].line == 1 && f.warnings[0].message.contains("AWS SDKs refuse"));
        // A line indented deeper than the property's own line continues it, header or not.
        let f = config("[profile a]\nregion = x\n  [profile b]\n  region = y\n\n  z\n");
        assert_eq!(
            value(&f, "a", "region").as_deref(),
            Some("x\n[profile b]\nregion = y\nz")
        );
        assert!(f.profile("b").is_none());
        let lines: Vec<usize> = f.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [3, 6], "{:?}", f.warnings);
        // An indented first property after an unindented header, then one at the margin.
        let f = config("[profile a]\n   region = x\nrole_arn = r\n");
        assert_eq!(value(&f, "a", "role_arn").as_deref(), Some("r"));
        assert_eq!(value(&f, "a", "region").as_deref(), Some("x"));
        // Unindented files read as before, without a warning.
        let f = config("[profile a]\ns3 =\n  addressing_style = path\nregion = x\n");
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    }
}
