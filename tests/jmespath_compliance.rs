//! The JMESPath compliance suite (testdata/jmespath-compliance, vendored from jmespath.py 1.0.1's
//! tests/compliance) run against `awl::codec::jmespath`: every case of every file. A case with a `result` must
//! compile and evaluate to that value (JSON equality, numbers by value, object members in any order, as
//! Python's `==` on dicts); a case with an `error` must fail with that kind, either when compiled or when run.
//! Stricter than jmespath.py's own runner, which accepts any error for an error case.
//!
//! Cases that carry only a `bench` key (an expression to time, no expected value) are skipped, as jmespath.py's
//! runner (tests/test_compliance.py) skips them; the vendored files hold none, and the exact counts below
//! make sure that stays so.

use awl::codec::jmespath;
use awl::codec::json::{self, Value};
use std::path::Path;

/// Every case file, with the number of cases it holds (742 with a result, 150 with an error).
const FILES: &[(&str, usize)] = &[
    ("basic.json", 18),
    ("boolean.json", 60),
    ("current.json", 3),
    ("escape.json", 8),
    ("filters.json", 88),
    ("functions.json", 175),
    ("identifiers.json", 125),
    ("indices.json", 59),
    ("literal.json", 41),
    ("multiselect.json", 53),
    ("pipe.json", 17),
    ("slice.json", 41),
    ("syntax.json", 135),
    ("unicode.json", 4),
    ("wildcard.json", 65),
];

/// The sum of the above: the count, and what this copy holds.
const EXPECTED_CASES: usize = 892;

/// A number's value, exact for integers that fit an i128.
fn number(text: &str) -> (Option<i128>, f64) {
    (text.parse().ok(), text.parse().unwrap_or(f64::NAN))
}

/// JSON equality: numbers by value (`1 == 1.0`), objects as sets of members.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => match (number(x), number(y)) {
            ((Some(p), _), (Some(q), _)) => p == q,
            ((_, p), (_, q)) => p == q,
        },
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        _ => false,
    }
}

enum Outcome {
    Passed,
    Skipped,
    Failed(String),
}

fn run_case(given: &Value, case: &Value) -> Outcome {
    let Some(expr) = case.get("expression").and_then(Value::as_str) else {
        return Outcome::Failed("case without an expression".into());
    };
    let outcome = jmespath::compile(expr).and_then(|e| e.search(given));
    if let Some(expected) = case.get("result") {
        return match outcome {
            Ok(got) if same(&got, expected) => Outcome::Passed,
            Ok(got) => Outcome::Failed(format!(
                "{expr:?}: expected {}, got {}",
                json::to_string(expected, json::Style::Python),
                json::to_string(&got, json::Style::Python)
            )),
            Err(e) => Outcome::Failed(format!(
                "{expr:?}: expected a result, got {} error: {e}",
                e.kind().name()
            )),
        };
    }
    if let Some(kind) = case.get("error").and_then(Value::as_str) {
        return match outcome {
            Err(e) if e.kind().name() == kind => Outcome::Passed,
            Err(e) => Outcome::Failed(format!(
                "{expr:?}: expected a {kind} error, got {}: {e}",
                e.kind().name()
            )),
            Ok(got) => Outcome::Failed(format!(
                "{expr:?}: expected a {kind} error, got {}",
                json::to_string(&got, json::Style::Python)
            )),
        };
    }
    if case.get("bench").is_some() {
        return Outcome::Skipped;
    }
    Outcome::Failed(format!("{expr:?}: neither result, error nor bench"))
}

#[test]
fn every_case_of_the_compliance_suite() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/jmespath-compliance");
    let (mut total, mut passed, mut skipped) = (0, 0, 0);
    let mut failures = Vec::new();
    for &(file, expected) in FILES {
        let text = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let groups = json::parse(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut in_file = 0;
        for group in groups
            .as_array()
            .unwrap_or_else(|| panic!("{file}: not a list of groups"))
        {
            let given = group
                .get("given")
                .unwrap_or_else(|| panic!("{file}: a group without given"));
            let cases = group
                .get("cases")
                .and_then(Value::as_array)
                .unwrap_or_else(|| panic!("{file}: no cases"));
            for case in cases {
                match run_case(given, case) {
                    Outcome::Passed => passed += 1,
                    Outcome::Skipped => skipped += 1,
                    Outcome::Failed(why) => failures.push(format!("{file}: {why}")),
                }
                in_file += 1;
            }
        }
        assert_eq!(
            in_file, expected,
            "{file}: expected {expected} cases, found {in_file}"
        );
        total += in_file;
    }
    let ran = total - skipped;
    for f in &failures {
        eprintln!("FAIL {f}");
    }
    println!(
        "jmespath compliance: {passed} of {ran} cases passed ({} files, {skipped} bench cases skipped)",
        FILES.len()
    );
    assert!(failures.is_empty(), "{} of {ran} cases failed", failures.len());
    assert_eq!(skipped, 0, "bench-only cases appeared in the case files");
    assert_eq!(
        ran, EXPECTED_CASES,
        "expected {EXPECTED_CASES} cases to run, ran {ran}"
    );
    assert_eq!(passed, EXPECTED_CASES);
}
