//! Cross-SDK conformance of the shared config files: the profile parser suite (65 cases) and the file
//! location suite (9 cases), vendored from the aws-runtime 1.10.2 package, and the 28 assume-role chain cases
//! (testdata/assume-role-chains). Each test counts its cases and fails on a shortfall; errors are compared by
//! kind, not by message text.

use awl::codec::ini::{FileKind, IniFile, parse};
use awl::codec::json::{self, Value};
use awl::config::chain::{Base, NamedSource};
use awl::config::env::{Env, Platform, file_locations};
use awl::config::profiles::Profiles;
use awl::config::resolve::select_profile;
use awl::error::{ParseProblem as ParseErrorKind, ProfileProblem as ProfileErrorKind};
use std::collections::BTreeMap;
use std::path::Path;

fn read(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn tests_of(rel: &str) -> Vec<Value> {
    let doc = json::parse(&read(rel)).expect("conformance JSON parses");
    doc.get("tests")
        .and_then(Value::as_array)
        .expect("a tests array")
        .to_vec()
}

/// The SDK error texts of the parser suite, and the kind each means.
const PARSER_ERRORS: &[(&str, ParseErrorKind)] = &[
    (
        "Profile definition must end with ']'",
        ParseErrorKind::UnclosedSection,
    ),
    (
        "Expected an '=' sign defining a sub-property",
        ParseErrorKind::SubPropertyMissingEquals,
    ),
    (
        "Sub-property did not have a name",
        ParseErrorKind::SubPropertyEmptyName,
    ),
    (
        "Expected an '=' sign defining a property",
        ParseErrorKind::MissingEquals,
    ),
    ("Property did not have a name", ParseErrorKind::EmptyName),
    (
        "Expected a property definition",
        ParseErrorKind::ContinuationWithoutProperty,
    ),
    (
        "Expected a profile definition",
        ParseErrorKind::PropertyOutsideSection,
    ),
];

type Sections = BTreeMap<String, BTreeMap<String, String>>;

fn expected_sections(v: Option<&Value>) -> Sections {
    let Some(members) = v.and_then(Value::as_object) else {
        return Sections::new();
    };
    members
        .iter()
        .map(|(name, props)| {
            let props = props
                .as_object()
                .expect("properties object")
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().expect("string value").to_owned()))
                .collect();
            (name.clone(), props)
        })
        .collect()
}

fn parser_case(case: &Value) -> Result<(), String> {
    let input = case.get("input").expect("input");
    let output = case.get("output").expect("output");
    let parsed = |key: &str, kind: FileKind| match input.get(key).and_then(Value::as_str) {
        Some(text) => parse(text, kind).map(Some),
        None => Ok(None),
    };
    let result = parsed("configFile", FileKind::Config)
        .and_then(|c| parsed("credentialsFile", FileKind::Credentials).map(|k| (c, k)));
    if let Some(want) = output.get("errorContaining").and_then(Value::as_str) {
        let kind = PARSER_ERRORS
            .iter()
            .find(|(text, _)| want.contains(text))
            .map(|(_, k)| *k)
            .unwrap_or_else(|| panic!("no kind for {want:?}"));
        return match result {
            Err(e) if e.parse_problem() == Some(kind) => Ok(()),
            Err(e) => Err(format!("expected {kind:?}, got {:?}: {e}", e.parse_problem())),
            Ok(_) => Err(format!("expected {kind:?}, got no error")),
        };
    }
    let (config, credentials) = result.map_err(|e| format!("unexpected error: {e}"))?;
    let empty = IniFile::default();
    let merged = Profiles::merge(
        (config.as_ref().unwrap_or(&empty), "config"),
        (credentials.as_ref().unwrap_or(&empty), "credentials"),
    );
    // Two shapes: {"profiles": ...} and the newer {"config": {"profiles": ..., "sso_sessions": ...}}.
    let expected = output.get("config").unwrap_or(output);
    let got: Sections = merged
        .names()
        .into_iter()
        .map(|n| {
            let props = merged.properties(n).unwrap_or_default();
            (
                n.to_owned(),
                props
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
            )
        })
        .collect();
    let want = expected_sections(expected.get("profiles"));
    if got != want {
        return Err(format!("profiles: expected {want:?}, got {got:?}"));
    }
    if let Some(sso) = expected.get("sso_sessions") {
        let got: Sections = merged
            .sso_session_names()
            .into_iter()
            .map(|n| {
                let props = merged.sso_session(n).unwrap_or_default();
                (
                    n.to_owned(),
                    props
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .collect(),
                )
            })
            .collect();
        let want = expected_sections(Some(sso));
        if got != want {
            return Err(format!("sso_sessions: expected {want:?}, got {got:?}"));
        }
    }
    Ok(())
}

#[test]
fn profile_parser_suite() {
    let cases = tests_of("testdata/aws-sdk-conformance/profile-parser-tests.json");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.get("name").and_then(Value::as_str).unwrap_or("?");
        if let Err(e) = parser_case(case) {
            failures.push(format!("{name}: {e}"));
        }
    }
    let ran = cases.len();
    println!("profile parser: {} of {ran} cases passed", ran - failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(ran, 65, "the suite has 65 cases");
}

#[test]
fn file_location_suite() {
    let cases = tests_of("testdata/aws-sdk-conformance/file-location-tests.json");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.get("name").and_then(Value::as_str).unwrap_or("?");
        let env = Env::from_pairs(
            case.get("environment")
                .and_then(Value::as_object)
                .expect("environment")
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().expect("string").to_owned())),
        );
        let platform = match case.get("platform").and_then(Value::as_str) {
            Some("windows") => Platform::Windows,
            Some("linux") => Platform::Unix,
            other => panic!("{name}: platform {other:?}"),
        };
        let got = file_locations(&env, platform).map_err(|e| e.to_string());
        let want = (
            case.get("configLocation")
                .and_then(Value::as_str)
                .expect("configLocation")
                .to_owned(),
            case.get("credentialsLocation")
                .and_then(Value::as_str)
                .expect("credentialsLocation")
                .to_owned(),
        );
        if got.as_ref() != Ok(&want) {
            failures.push(format!("{name}: expected {want:?}, got {got:?}"));
        }
        if let Some(profile) = case.get("profile").and_then(Value::as_str) {
            let selected = select_profile(None, &env).value;
            if selected != profile {
                failures.push(format!("{name}: expected profile {profile}, got {selected}"));
            }
        }
    }
    println!(
        "file locations: {} of {} cases passed",
        cases.len() - failures.len(),
        cases.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(cases.len(), 9, "the suite has 9 cases");
}

struct ChainCase {
    name: String,
    selected: String,
    expect: String,
    config: String,
}

fn chain_cases() -> Vec<ChainCase> {
    let text = read("testdata/assume-role-chains/cases.txt");
    let mut cases = Vec::new();
    for block in text.split("\n=== ").skip(1) {
        let mut lines = block.lines();
        let name = lines.next().expect("name").to_owned();
        let selected = lines
            .next()
            .and_then(|l| l.strip_prefix("selected: "))
            .expect("selected")
            .to_owned();
        let expect = lines
            .next()
            .and_then(|l| l.strip_prefix("expect: "))
            .expect("expect")
            .to_owned();
        let config = lines.collect::<Vec<_>>().join("\n");
        cases.push(ChainCase {
            name,
            selected,
            expect,
            config,
        });
    }
    cases
}

fn error_kind_name(kind: ProfileErrorKind) -> &'static str {
    match kind {
        ProfileErrorKind::NotFound => "not-found",
        ProfileErrorKind::MissingSourceProfile => "missing-source-profile",
        ProfileErrorKind::Cycle => "cycle",
        ProfileErrorKind::BothSources => "both-sources",
        ProfileErrorKind::NoSource => "no-source",
        ProfileErrorKind::PartialKeys => "partial-keys",
        ProfileErrorKind::NoCredentials => "no-credentials",
        ProfileErrorKind::InvalidSetting => "invalid",
        ProfileErrorKind::Unsupported => "unsupported",
    }
}

#[test]
fn assume_role_chain_suite() {
    let cases = chain_cases();
    let mut failures = Vec::new();
    for case in &cases {
        let config = parse(&case.config, FileKind::Config).expect("case config parses");
        let profiles = Profiles::merge((&config, "config"), (&IniFile::default(), "credentials"));
        let got = match profiles.chain(&case.selected) {
            Err(e) => match e.profile_problem() {
                Some(p) => format!("error {}", error_kind_name(p)),
                None => format!("error not a profile problem: {e}"),
            },
            Ok(chain) => {
                let mut parts = vec![match &chain.base {
                    Base::StaticKeys {
                        access_key_id,
                        secret_access_key,
                        ..
                    } => format!(
                        "keys {}/{}",
                        access_key_id.value,
                        secret_access_key.value.expose()
                    ),
                    Base::Named { source, .. } => format!(
                        "source {}",
                        match source {
                            NamedSource::Environment => "Environment",
                            NamedSource::Ec2InstanceMetadata => "Ec2InstanceMetadata",
                            NamedSource::EcsContainer => "EcsContainer",
                        }
                    ),
                    Base::WebIdentity {
                        role_arn,
                        token_file,
                        role_session_name,
                        ..
                    } => {
                        let mut s = format!("webid {} file={}", role_arn.value, token_file.value);
                        if let Some(n) = role_session_name {
                            s += &format!(" session={}", n.value);
                        }
                        s
                    }
                    Base::Sso {
                        session,
                        start_url,
                        region,
                        account_id,
                        role_name,
                        ..
                    } => {
                        let mut s = format!(
                            "sso start={} region={} account={} role={}",
                            start_url.value, region.value, account_id.value, role_name.value
                        );
                        if let Some(n) = session {
                            s += &format!(" session={}", n.value);
                        }
                        s
                    }
                    other => format!("{other:?}"),
                }];
                for hop in &chain.hops {
                    let mut s = format!("role {}", hop.role_arn.value);
                    if let Some(n) = &hop.role_session_name {
                        s += &format!(" session={}", n.value);
                    }
                    if let Some(x) = &hop.external_id {
                        s += &format!(" external_id={}", x.value);
                    }
                    parts.push(s);
                }
                parts.join(" > ")
            }
        };
        if got != case.expect {
            failures.push(format!("{}: expected `{}`, got `{got}`", case.name, case.expect));
        }
    }
    println!(
        "assume-role chains: {} of {} cases passed",
        cases.len() - failures.len(),
        cases.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(cases.len(), 28, "the suite has 28 cases");
}
