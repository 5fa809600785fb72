//! The formats against the AWS CLI's own formatters: every document below goes through awl's [`render`] and
//! through `tests/support/aws_format.py` (awscli 1.46.3's `JSONFormatter`, `TextFormatter` and
//! `TableFormatter` in the test venv, which `make test` installs), and both must print the same bytes and
//! fail alike. Its `text.py` and `table.py` are the same as v2's, bar string formatting; the JSON formatter
//! too. The venv missing fails the test: nothing is skipped, except the YAML comparison, which needs
//! ruamel.yaml (v2's YAML library) beside the venv's AWS CLI v1 and runs on demand:
//! `PYTHONPATH=<site-packages with ruamel.yaml> cargo test --lib output -- --include-ignored`.

use super::{Format, render};
use crate::codec::json::{self, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The operation name the table is titled with.
const OPERATION: &str = "ListObjectsV2";

/// The documents: response shapes of the commands awl prints, what `--query` makes of them, and edge cases
/// of every rule.
const DOCUMENTS: &[&str] = &[
    // STS GetCallerIdentity, and its usual queries' results.
    r#"{"UserId": "AIDAEXAMPLEUSERID", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/alice"}"#,
    r#""123456789012""#,
    // STS AssumeRole, and the Credentials.[...] idiom.
    r#"{"Credentials": {"AccessKeyId": "ASIAEXAMPLEKEYID1234", "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "SessionToken": "FwoGZXIvYXdzEJr//////////wEaDOnJ0bW9zdGx5IHJhbmRvbSBieXRlcyBmb3IgYSB0ZXN0IHNlc3Npb24gdG9rZW4gdGhhdCBpcyBsb25n",
        "Expiration": "2026-05-01T12:34:56+00:00"},
      "AssumedRoleUser": {"AssumedRoleId": "AROAEXAMPLEROLEID:awl-session-1714567890", "Arn": "arn:aws:sts::456:assumed-role/Sysops/awl-session-1714567890"},
      "PackedPolicySize": 6, "SourceIdentity": "alice"}"#,
    r#"["ASIAEXAMPLEKEYID1234", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "FwoGZXIvYXdzEJr"]"#,
    // S3 ListBuckets and ListObjectsV2, nested Owner, a list inside the list's objects.
    r#"{"Buckets": [{"Name": "mysuperduperbucket", "CreationDate": "2026-04-30T08:00:00+00:00", "BucketRegion": "eu-west-1"},
                    {"Name": "logs", "CreationDate": "2025-01-02T03:04:05+00:00"}],
        "Owner": {"DisplayName": "alice", "ID": "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"}, "Prefix": null}"#,
    r#"{"IsTruncated": false, "Contents": [
         {"Key": "book.txt", "LastModified": "2026-05-01T10:00:00.000Z", "ETag": "\"d41d8cd98f00b204e9800998ecf8427e\"",
          "ChecksumAlgorithm": ["CRC32"], "Size": 1234, "StorageClass": "STANDARD",
          "Owner": {"DisplayName": "alice", "ID": "75aa57f0"}},
         {"Key": "dir/nested/deeper/file with spaces.tar.gz", "LastModified": "2026-05-01T10:00:01.000Z",
          "ETag": "\"5d41402abc4b2a76b9719d911017c592-3\"", "Size": 25165824, "StorageClass": "STANDARD"}],
       "Name": "mysuperduperbucket", "Prefix": "", "MaxKeys": 1000, "EncodingType": "url", "KeyCount": 2}"#,
    r#"{"Contents": [], "KeyCount": 0, "Name": "empty"}"#,
    // Lists of scalars, of lists, mixed and empty.
    r#"["a", "b", "c"]"#,
    r#"[[1, 2], [3, 4]]"#,
    r#"[["a", ["b", "c"]], "d", [["e"]]]"#,
    r#"[["AKIA", "secret", "token"]]"#,
    r#"{"Tags": ["x", "y"], "Lists": [[1, 2], 3]}"#,
    "[]",
    "{}",
    r#"[{}, {}]"#,
    // Nulls, booleans, numbers, falsy members.
    r#"{"A": null, "B": [null, null], "C": {"D": null}}"#,
    r#"{"T": true, "F": false, "L": [true, false]}"#,
    r#"{"I": 1, "F": 1.0, "E": 1e3, "Z": -0, "N": -0.0, "S": 0.00001, "B": 1e16, "Big": 123456789012345678901234567890, "X": 2.5E-7}"#,
    r#"{"A": "", "B": 0, "C": [], "D": {}, "E": 0.0}"#,
    "null",
    "1.5",
    "true",
    "0",
    // Unicode: wide, ambiguous and plain characters, in keys and values.
    r#"{"Name": "日本語のバケット", "Owner": "Zoë", "Emoji": "😀", "Ж": "кириллица", "Ａ": "ｆｕｌｌ"}"#,
    r#"[{"名前": "日本", "Size": 1}, {"名前": "é±", "Size": 22}]"#,
    // Long strings: the table is turned vertical, or its columns scaled.
    r#"{"Description": "A long description that goes on and on, well past what fits on one line of an eighty-column terminal", "Id": "1"}"#,
    r#"[{"Key": "a/very/long/key/name/that/keeps/going/and/going/until/the/table/is/far/too/wide.txt", "Size": 1},
        {"Key": "short", "Size": 22222}]"#,
    r#"{"A": "x", "B": "y", "Sub": {"LongerKeyName": "v", "K": "w", "J": "a much longer value than the others here"}}"#,
    // Keys needing sorting, an empty key, a repeated key.
    r#"{"b": 1, "a": 2, "C": 3, "_x": 4, "é": 5, "aa": 6, "": 7}"#,
    r#"{"a": 1, "b": 2, "a": 3}"#,
    // Tabs and newlines in values.
    r#"{"A": "line1\nline2", "B": "tab\there"}"#,
    // Objects with different keys in one list; a key scalar in one, nested in another.
    r#"[{"a": 1}, {"b": 2, "c": {"d": 3}}]"#,
    r#"[{"a": 1}, {"a": {"x": [true, null]}}]"#,
    r#"{"Account": "1", "Nested": {"X": {"Y": [1, 2]}}}"#,
    // EC2-like depth: lists of objects in lists of objects.
    r#"{"Reservations": [{"ReservationId": "r-1", "OwnerId": "123", "Instances": [
         {"InstanceId": "i-1", "Tags": [{"Key": "Name", "Value": "web"}, {"Key": "Env", "Value": "prod"}],
          "State": {"Code": 16, "Name": "running"}},
         {"InstanceId": "i-2", "State": {"Code": 80, "Name": "stopped"}}]}]}"#,
    r#"[[{"a": 1}, {"a": 2}], [{"a": 3}]]"#,
    r#"[{"Name": "a", "Tags": ["x", "y"]}, {"Name": "b"}]"#,
    r#"{"Only": "one scalar", "List": [{"K": "v"}]}"#,
    // What the AWS CLI fails on: a list mixing objects with other values, rows of different lengths.
    r#"{"A": "first", "B": [{"a": 1}, "x"]}"#,
    r#"[{"a": 1}, []]"#,
    r#"[1, [1, 2]]"#,
    r#"[1, {"a": 1, "b": 2}]"#,
];

/// More documents for YAML's quoting and folding rules.
const YAML_DOCUMENTS: &[&str] = &[
    r#"{"s": ["yes", "no", "on", "true", "True", "null", "~", "", "123", "-1", "+1", "1_000", "0x1F", "0o17", "0b101",
              "1.5", ".5", "1e3", "1e", "1.2.3", ".inf", "-.inf", ".nan", "-.nan", "<<", "=", "!", "&", "*", "1:20"]}"#,
    r#"{"t": ["2026-05-01", "2026-05-01T10:00:00Z", "2026-05-01T10:00:00.000Z", "2026-05-01 10:00:00 +02:00",
              "2026-5-1t1:00:00", "2026-05-01T10:00:00+0530", "2026-05-01T10:00", "2026-05-01x", "20260501"]}"#,
    r##"{"i": ["a: b", "a:b", "- x", "-x", "? x", "?x", ": x", "a #b", "a#b", "#x", "&x", "*x", "!x", "|x", ">x",
              "%x", "@x", "`x", "'x", "\"x", "[x", "x]", "{x", "x,y", "---", "--- x", "...", "x: ", " x", "x ", "it's"]}"##,
    r#"{"e": ["tab\there", "nul\u0000", "bell\u0007", "esc\u001b", "del\u007f", "nel\u0085", "nbsp\u00a0x", "bom\ufeff",
              "ls\u2028x", "😀 emoji", "é日本", "back\\slash", "quote\"d", "cr\rlf", "a\nb", "a\n\nb", "a \nb", "a\n b",
              "trailing\n", "\nleading", "\u00e9\u0301"]}"#,
    r#"{"long plain": "word word word word word word word word word word word word word word word word word word word word",
        "long single": "'quoted' word word word word word word word word word word word word word word word word word word",
        "long double": "\ttab word word word word word word word word word word word word word word word word word  two  spaces",
        "no spaces": "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"}"#,
    r#"{"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk": 1,
        "multi\nline key": [1, [2, []], {"a": {}}], "": "empty key", "123": "numeric key", "a b": {"c": [{"d": null}]}}"#,
    r#"[[[]], [{}], [[1, 2], [3]], {"a": [[{"b": 1}]]}]"#,
    r#"{"f": [1.5, 1e-05, 1e300, 1e999, -1e999, -0.0, 100000000000000000000, 1e16, 0.1]}"#,
    r#"{"nested": {"deeper": {"deepest": ["a long value that goes on and on past the eighty column limit for sure yes", "x"]}}}"#,
];

/// The test venv's Python, or a failure saying how to get it.
fn venv_python() -> PathBuf {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tools/venv");
    let python = venv.join("bin/python");
    assert!(
        python.exists() && venv.join("bin/aws").exists(),
        "the AWS CLI is not installed in {}: run `make test` (or `make test-deps`) first",
        venv.display()
    );
    python
}

/// What the AWS CLI prints for each of `documents` in each of `formats`, through `aws_format.py`.
fn aws_outputs(documents: &[&str], width: usize, formats: &[&str]) -> Vec<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/aws_format.py");
    let input = Value::Array(documents.iter().map(|d| Value::string(*d)).collect());
    let mut child = Command::new(venv_python())
        .arg(script)
        .arg(OPERATION)
        .arg(width.to_string())
        .args(formats)
        .env_clear()
        .env("HOME", std::env::temp_dir())
        // Where ruamel.yaml is installed for the YAML comparison (see `yaml_prints_as_the_aws_cli_v2_prints_it`).
        .envs(std::env::var_os("PYTHONPATH").map(|p| ("PYTHONPATH", p)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(json::to_string(&input, json::Style::Pretty).as_bytes())
            .expect("stdin");
    }
    let out = child.wait_with_output().expect("python runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let results = json::parse(&text).expect("JSON from aws_format.py");
    let results = results.as_array().expect("a list").to_vec();
    assert_eq!(results.len(), documents.len());
    results
}

/// Compares every one of `documents` in `formats` at `width`; returns how many pairs were compared.
fn compare(documents: &[&str], width: usize, formats: &[(&str, Format)]) -> usize {
    let names: Vec<&str> = formats.iter().map(|(n, _)| *n).collect();
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for (doc, aws) in documents.iter().zip(aws_outputs(documents, width, &names)) {
        let value = json::parse(doc).expect("test document");
        for (name, format) in formats {
            let want = aws.get(name).expect("a result per format");
            let want_out = want.get("out").and_then(Value::as_str).unwrap_or_default();
            let want_err = want.get("error").and_then(Value::as_str);
            let (got_out, got_err) = match render(&value, *format, OPERATION, width) {
                Ok(out) => (out, None),
                Err(f) => (f.printed, Some(f.message)),
            };
            if got_out != want_out || got_err.as_deref() != want_err {
                mismatches.push(format!(
                    "{name} at width {width} of {doc}\n--- aws ({want_err:?}):\n{want_out}--- awl ({got_err:?}):\n{got_out}"
                ));
            }
            compared += 1;
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    compared
}

#[test]
fn json_text_and_table_print_as_the_aws_cli_prints_them() {
    let all = [
        ("json", Format::Json),
        ("text", Format::Text),
        ("table", Format::Table),
    ];
    let compared = compare(DOCUMENTS, 80, &all);
    assert_eq!(compared, 3 * DOCUMENTS.len());
    assert!(DOCUMENTS.len() >= 25);
}

#[test]
fn tables_scale_to_narrow_and_wide_terminals_as_the_aws_cli_does() {
    for width in [40, 132] {
        compare(DOCUMENTS, width, &[("table", Format::Table)]);
    }
}

/// The YAML formats exist only in the AWS CLI v2, which the test venv does not hold: `aws_format.py` rebuilds
/// them from v2's source over ruamel.yaml (0.19.1 with ruamel.yaml.clib 0.2.15, the versions v2's installers
/// pin), which `make test` installs in the venv.
#[test]
fn yaml_prints_as_the_aws_cli_v2_prints_it() {
    let all: Vec<&str> = DOCUMENTS.iter().chain(YAML_DOCUMENTS).copied().collect();
    let formats = [("yaml", Format::Yaml), ("yaml-stream", Format::YamlStream)];
    assert_eq!(compare(&all, 80, &formats), 2 * all.len());
}
