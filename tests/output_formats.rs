//! The oracle of awl's output formats: `tests/support/aws_format.py` (which the differential test in
//! `src/cli/output/differential.rs` compares awl's formats with) must print exactly what the AWS CLI prints.
//! Each command runs on moto through the AWS CLI in `--output json`, and again in `text` and `table`; the
//! JSON document through the script must give the CLI's own text and table, titled by the operation name.
//!
//! Only commands whose answer does not change between calls are used (assume-role's fresh keys would), and
//! the s3api listings with `--no-paginate`: for a paginated operation the text formatter prints page by page
//! (`text_of_a_paginated_listing_is_per_page` shows how).

mod common;

use common::servers::{Moto, moto, venv};
use common::{clean_command, ok, temp_dir, text};
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

/// The AWS CLI with moto's keys, in `format`.
fn aws(m: &Moto, args: &[&str], format: &str) -> Output {
    let keys = [
        ("AWS_ACCESS_KEY_ID", m.key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", m.secret.as_str()),
    ];
    clean_command(venv().join("bin/aws"), &temp_dir("aws-home"), &keys)
        .args([
            "--endpoint-url",
            &m.url,
            "--region",
            "eu-west-1",
            "--output",
            format,
        ])
        .args(args)
        .output()
        .expect("aws runs")
}

/// The document `json_text` through `aws_format.py` in `format`, titled `operation`, 80 columns wide.
fn script(json_text: &str, operation: &str, format: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/aws_format.py");
    let input = awl::codec::json::Value::Array(vec![awl::codec::json::Value::string(json_text)]);
    let mut child = clean_command(venv().join("bin/python"), &temp_dir("py-home"), &[])
        .arg(path)
        .args([operation, "80", format])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    if let Some(mut stdin) = child.stdin.take() {
        let text = awl::codec::json::to_string(&input, awl::codec::json::Style::Pretty);
        stdin.write_all(text.as_bytes()).expect("stdin");
    }
    let out = child.wait_with_output().expect("python runs");
    ok(&out);
    let results = awl::codec::json::parse(&text(&out.stdout)).expect("JSON from aws_format.py");
    let result = results
        .as_array()
        .and_then(|r| r.first())
        .and_then(|r| r.get(format));
    let result = result.expect("one result");
    assert!(
        result.get("error").is_some_and(|e| e.as_str().is_none()),
        "{result:?}"
    );
    result
        .get("out")
        .and_then(|o| o.as_str())
        .unwrap_or_default()
        .to_owned()
}

/// Sets up two buckets with objects, once per test process.
fn buckets(m: &Moto) -> &'static (String, String) {
    static NAMES: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let id = std::process::id();
        let (full, empty) = (format!("formats-full-{id}"), format!("formats-empty-{id}"));
        let body = temp_dir("body").join("body.txt");
        std::fs::write(&body, "hello").expect("body");
        let body = body.to_string_lossy().into_owned();
        for b in [&full, &empty] {
            let config = "LocationConstraint=eu-west-1";
            ok(&aws(
                m,
                &[
                    "s3api",
                    "create-bucket",
                    "--bucket",
                    b,
                    "--create-bucket-configuration",
                    config,
                ],
                "json",
            ));
        }
        for key in [
            "book.txt",
            "dir/日本語 file.txt",
            "dir/deeper/a-much-longer-key-name-that-widens-the-table.tar.gz",
        ] {
            ok(&aws(
                m,
                &[
                    "s3api",
                    "put-object",
                    "--bucket",
                    &full,
                    "--key",
                    key,
                    "--body",
                    &body,
                ],
                "json",
            ));
        }
        (full, empty)
    })
}

/// `args` through the AWS CLI in text and table must equal its JSON answer through the script.
fn same_as_the_cli(m: &Moto, operation: &str, args: &[&str]) {
    let json = aws(m, args, "json");
    ok(&json);
    let doc = text(&json.stdout);
    for format in ["text", "table"] {
        let cli = aws(m, args, format);
        ok(&cli);
        assert_eq!(
            script(&doc, operation, format),
            text(&cli.stdout),
            "{format} of {args:?}"
        );
    }
}

#[test]
fn the_script_prints_sts_answers_as_the_aws_cli_does() {
    let m = moto();
    let op = "GetCallerIdentity";
    same_as_the_cli(m, op, &["sts", "get-caller-identity"]);
    same_as_the_cli(m, op, &["sts", "get-caller-identity", "--query", "Account"]);
    same_as_the_cli(
        m,
        op,
        &["sts", "get-caller-identity", "--query", "[Account, Arn]"],
    );
    same_as_the_cli(
        m,
        op,
        &["sts", "get-caller-identity", "--query", "{Id: UserId, Who: Arn}"],
    );
}

#[test]
fn the_script_prints_s3api_answers_as_the_aws_cli_does() {
    let m = moto();
    let (full, empty) = buckets(m);
    same_as_the_cli(m, "ListBuckets", &["s3api", "list-buckets", "--no-paginate"]);
    same_as_the_cli(
        m,
        "ListObjectsV2",
        &["s3api", "list-objects-v2", "--bucket", full, "--no-paginate"],
    );
    same_as_the_cli(
        m,
        "ListObjectsV2",
        &["s3api", "list-objects-v2", "--bucket", empty, "--no-paginate"],
    );
    same_as_the_cli(
        m,
        "ListObjectsV2",
        &[
            "s3api",
            "list-objects-v2",
            "--bucket",
            full,
            "--no-paginate",
            "--query",
            "Contents[].[Key, Size]",
        ],
    );
    same_as_the_cli(
        m,
        "GetBucketLocation",
        &["s3api", "get-bucket-location", "--bucket", full],
    );
    same_as_the_cli(
        m,
        "HeadObject",
        &["s3api", "head-object", "--bucket", full, "--key", "book.txt"],
    );
}

/// What the lead wiring `--output` must know: for an operation the AWS CLI paginates, its text formatter
/// prints each page on its own (`TextFormatter.__call__`), not the merged document that JSON and table print:
/// the page's other members with every result key set, a missing one as `None`. One page of ListObjectsV2
/// thus prints as the document with `CommonPrefixes: null` added.
#[test]
fn text_of_a_paginated_listing_is_per_page() {
    use awl::codec::json::{self, Value};
    let m = moto();
    let (full, _) = buckets(m);
    let args = ["s3api", "list-objects-v2", "--bucket", full.as_str()];
    let json_out = aws(m, &args, "json");
    ok(&json_out);
    let doc = text(&json_out.stdout);
    let table = aws(m, &args, "table");
    ok(&table);
    assert_eq!(script(&doc, "ListObjectsV2", "table"), text(&table.stdout));

    let Ok(Value::Object(mut members)) = json::parse(&doc) else {
        panic!("an object: {doc}");
    };
    assert!(members.iter().all(|(k, _)| k != "CommonPrefixes"), "{doc}");
    members.push(("CommonPrefixes".to_owned(), Value::Null));
    let page = json::to_string(&Value::Object(members), json::Style::Pretty);
    let cli_text = aws(m, &args, "text");
    ok(&cli_text);
    assert_eq!(script(&page, "ListObjectsV2", "text"), text(&cli_text.stdout));
    assert_ne!(script(&doc, "ListObjectsV2", "text"), text(&cli_text.stdout));
}
