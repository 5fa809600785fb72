//! `awl s3api` listings paged as the AWS CLI pages them (and the arguments botocore rewrites before it sends), against moto with signature checking on and the
//! AWS CLI as the differential peer: 2,500 keys merged into one document by default, `--max-items` cutting at
//! and inside a page, the `NextToken` of either tool resuming in the other, `--no-paginate`, and `--output
//! text` page by page. Both tools read the same HOME (`cli_timestamp_format = iso8601`, which the v1 CLI
//! needs to print timestamps as v2 and awl do).

mod common;

use common::servers::{Moto, moto, venv};
use common::{awl_command, clean_command, ok, temp_dir, text};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

const KEYS: usize = 2500;

/// A HOME with moto's keys and the timestamp format the v1 CLI needs.
fn home(m: &Moto) -> PathBuf {
    let home = temp_dir("s3api-home");
    let aws = home.join(".aws");
    std::fs::create_dir_all(&aws).expect(".aws");
    std::fs::write(
        aws.join("config"),
        "[default]\nregion = us-east-1\ncli_timestamp_format = iso8601\n",
    )
    .expect("config");
    std::fs::write(
        aws.join("credentials"),
        format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            m.key_id, m.secret
        ),
    )
    .expect("credentials");
    home
}

fn run(tool: &str, home: &Path, m: &Moto, args: &[&str]) -> Output {
    let mut cmd = if tool == "aws" {
        clean_command(venv().join("bin/aws"), home, &[])
    } else {
        awl_command(home, &[])
    };
    cmd.args(["--endpoint-url", &m.url, "s3api"])
        .args(args)
        .output()
        .expect("runs")
}

/// Both tools' stdout for the same arguments; both must succeed.
fn both(home: &Path, m: &Moto, args: &[&str]) -> (String, String) {
    let a = run("aws", home, m, args);
    let w = run("awl", home, m, args);
    ok(&a);
    ok(&w);
    (text(&a.stdout), text(&w.stdout))
}

/// The bucket of 2,500 keys (made once), with names that need url-encoding in a listing.
fn bucket(home: &Path, m: &Moto) -> &'static str {
    static MADE: OnceLock<()> = OnceLock::new();
    let name = "s3api-paging";
    MADE.get_or_init(|| {
        let src = temp_dir("s3api-keys");
        for i in 0..KEYS {
            let dir = src.join(format!("d{}", i % 3));
            std::fs::create_dir_all(&dir).expect("dir");
            let name = match i % 5 {
                0 => format!("k {i:04}+x"),
                1 => format!("k%{i:04}"),
                _ => format!("k{i:04}"),
            };
            std::fs::write(dir.join(name), i.to_string()).expect("file");
        }
        let mb = run("aws", home, m, &["create-bucket", "--bucket", name]);
        ok(&mb);
        let up = awl_command(home, &[])
            .args(["--endpoint-url", &m.url, "s3", "cp", "--recursive", "--quiet"])
            .arg(&src)
            .arg(format!("s3://{name}/"))
            .output()
            .expect("upload");
        ok(&up);
    });
    name
}

fn json(s: &str) -> awl::codec::json::Value {
    awl::codec::json::parse(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

fn keys_of(doc: &awl::codec::json::Value) -> Vec<String> {
    doc.get("Contents")
        .and_then(|c| c.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.get("Key").and_then(|k| k.as_str()).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn token(doc: &awl::codec::json::Value) -> Option<String> {
    doc.get("NextToken").and_then(|t| t.as_str()).map(str::to_owned)
}

#[test]
fn the_default_merges_every_page_as_the_aws_cli_prints_it() {
    let m = moto();
    let home = home(m);
    let b = bucket(&home, m);
    let (a, w) = both(&home, m, &["list-objects-v2", "--bucket", b]);
    assert_eq!(a, w);
    let doc = json(&w);
    assert_eq!(keys_of(&doc).len(), KEYS);
    // build_full_result: the result keys, then the non-aggregate keys of the first page, and no KeyCount.
    let names: Vec<&str> = doc
        .as_object()
        .expect("object")
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(names, ["Contents", "RequestCharged", "Prefix"]);
    assert!(keys_of(&doc).contains(&"d0/k 0000+x".to_owned()), "keys decoded");
    // Smaller pages, the same document.
    let (a, w) = both(
        &home,
        m,
        &[
            "list-objects-v2",
            "--bucket",
            b,
            "--page-size",
            "300",
            "--prefix",
            "d1/",
        ],
    );
    assert_eq!(a, w);
    assert_eq!(keys_of(&json(&w)).len(), KEYS / 3);
}

#[test]
fn max_items_tokens_resume_in_either_tool() {
    let m = moto();
    let home = home(m);
    let b = bucket(&home, m);
    for (max, page) in [("1000", None), ("700", Some("400"))] {
        let mut args = vec!["list-objects-v2", "--bucket", b, "--max-items", max];
        if let Some(p) = page {
            args.extend(["--page-size", p]);
        }
        // The first cut: the same keys and the same token from both.
        let (a, w) = both(&home, m, &args);
        assert_eq!(a, w, "--max-items {max}");
        let first = json(&w);
        let mut seen: Vec<String> = keys_of(&first);
        let mut next = token(&first).expect("a NextToken");
        // Then page through, alternating: each tool resumes from the other's token.
        let mut turn = 0;
        loop {
            let mut resumed = args.clone();
            resumed.extend(["--starting-token", next.as_str()]);
            let tool = ["awl", "aws"][turn % 2];
            let out = run(tool, &home, m, &resumed);
            ok(&out);
            let other = run(["aws", "awl"][turn % 2], &home, m, &resumed);
            assert_eq!(text(&out.stdout), text(&other.stdout), "{tool} from {next}");
            let doc = json(&text(&out.stdout));
            seen.extend(keys_of(&doc));
            turn += 1;
            match token(&doc) {
                Some(t) => next = t,
                None => break,
            }
        }
        let unique: BTreeSet<&String> = seen.iter().collect();
        assert_eq!(seen.len(), KEYS, "--max-items {max}: every key once");
        assert_eq!(unique.len(), KEYS);
    }
}

#[test]
fn no_paginate_and_text_output_match() {
    let m = moto();
    let home = home(m);
    let b = bucket(&home, m);
    let (a, w) = both(
        &home,
        m,
        &[
            "list-objects-v2",
            "--bucket",
            b,
            "--no-paginate",
            "--max-keys",
            "5",
        ],
    );
    assert_eq!(a, w);
    assert!(w.contains("\"KeyCount\": 5"), "{w}");
    let (a, w) = both(
        &home,
        m,
        &[
            "list-objects-v2",
            "--bucket",
            b,
            "--output",
            "text",
            "--page-size",
            "900",
        ],
    );
    assert_eq!(a, w);
    assert_eq!(w.lines().filter(|l| l.starts_with("CONTENTS")).count(), KEYS);
    let (a, w) = both(
        &home,
        m,
        &[
            "list-objects-v2",
            "--bucket",
            b,
            "--output",
            "text",
            "--page-size",
            "1000",
            "--query",
            "Contents[].Key",
            "--delimiter",
            "/",
        ],
    );
    assert_eq!(a, w);
    let (a, w) = both(
        &home,
        m,
        &[
            "list-objects",
            "--bucket",
            b,
            "--max-items",
            "1200",
            "--prefix",
            "d2/",
        ],
    );
    assert_eq!(a, w);
}

#[test]
fn a_bad_starting_token_is_refused_before_anything_is_listed() {
    let m = moto();
    let home = home(m);
    let out = run(
        "awl",
        &home,
        m,
        // {"Marker": "x"}: not ListObjectsV2's token.
        &[
            "list-objects-v2",
            "--bucket",
            "none",
            "--starting-token",
            "eyJNYXJrZXIiOiAieCJ9",
        ],
    );
    assert_eq!(out.status.code(), Some(252), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
}

/// A second bucket for the argument cases, made once.
fn scratch(home: &Path, m: &Moto) -> &'static str {
    static MADE: OnceLock<()> = OnceLock::new();
    let name = "s3api-args";
    MADE.get_or_init(|| ok(&run("aws", home, m, &["create-bucket", "--bucket", name])));
    name
}

#[test]
fn arguments_botocore_rewrites_go_as_the_aws_cli_sends_them() {
    let m = moto();
    let home = home(m);
    let b = scratch(&home, m);
    let dir = temp_dir("s3api-args");
    let body = dir.join("body");
    std::fs::write(&body, b"hello").expect("body");
    let body = body.to_string_lossy().into_owned();
    let key_file = dir.join("key.bin");
    // A binary SSE-C key: 32 bytes that are not UTF-8.
    std::fs::write(
        &key_file,
        (0u8..32).map(|i| i.wrapping_mul(37) | 0x80).collect::<Vec<u8>>(),
    )
    .expect("key");
    let sse = format!("fileb://{}", key_file.display());
    for (key, extra) in [
        ("sum", vec!["--checksum-algorithm", "SHA256"]),
        ("given", vec!["--checksum-crc32", "NjowIA=="]),
        ("a b/ü+x", vec![]),
        (
            "ssec",
            vec![
                "--sse-customer-algorithm",
                "AES256",
                "--sse-customer-key",
                sse.as_str(),
            ],
        ),
    ] {
        let mut args = vec!["put-object", "--bucket", b, "--key", key, "--body", body.as_str()];
        args.extend(extra.iter().copied());
        let (a, w) = both(&home, m, &args);
        assert_eq!(a, w, "{key}");
    }
    // The copy source percent-encoded as botocore does, and the SSE-C key read back with the same key.
    let (a, w) = both(
        &home,
        m,
        &[
            "copy-object",
            "--bucket",
            b,
            "--key",
            "copy",
            "--copy-source",
            &format!("{b}/a b/ü+x"),
        ],
    );
    let etag = |s: &str| {
        json(s)
            .get("CopyObjectResult")
            .and_then(|r| r.get("ETag"))
            .cloned()
    };
    assert_eq!(etag(&a), etag(&w));
    let head = [
        "head-object",
        "--bucket",
        b,
        "--key",
        "ssec",
        "--sse-customer-algorithm",
        "AES256",
    ];
    let mut args = head.to_vec();
    args.extend(["--sse-customer-key", sse.as_str()]);
    let (a, w) = both(&home, m, &args);
    assert_eq!(a, w);
}

#[test]
fn bad_arguments_are_refused_before_anything_is_sent() {
    let m = moto();
    let home = home(m);
    for args in [
        &["head-bucket", "--bucket", "b/.."][..],
        &[
            "head-object",
            "--bucket",
            "b",
            "--key",
            "k",
            "--if-modified-since",
            "1969-12-31",
        ][..],
        &[
            "head-object",
            "--bucket",
            "b",
            "--key",
            "k",
            "--if-modified-since",
            "-5",
        ][..],
        &["put-object", "--bucket", "b", "--key", "k", "--metadata", "a=é"][..],
        &[
            "put-object",
            "--bucket",
            "b",
            "--key",
            "k",
            "--checksum-algorithm",
            "MD4",
        ][..],
    ] {
        let out = run("awl", &home, m, args);
        assert_eq!(out.status.code(), Some(252), "{args:?}: {}", text(&out.stderr));
        assert_eq!(
            text(&out.stderr)
                .lines()
                .filter(|l| l.starts_with("awl: error"))
                .count(),
            1
        );
    }
}

#[test]
fn list_parts_pages_with_numeric_tokens_in_either_tool() {
    let m = moto();
    let home = home(m);
    let b = scratch(&home, m);
    let out = run(
        "aws",
        &home,
        m,
        &["create-multipart-upload", "--bucket", b, "--key", "parts"],
    );
    ok(&out);
    let upload = json(&text(&out.stdout))
        .get("UploadId")
        .and_then(|u| u.as_str())
        .map(str::to_owned)
        .expect("an upload id");
    let part = temp_dir("s3api-part").join("part");
    std::fs::write(&part, vec![7u8; 5 << 20]).expect("part");
    let part = part.to_string_lossy().into_owned();
    for n in ["1", "2", "3"] {
        let args = [
            "upload-part",
            "--bucket",
            b,
            "--key",
            "parts",
            "--upload-id",
            &upload,
            "--part-number",
            n,
            "--body",
            &part,
        ];
        ok(&run("aws", &home, m, &args));
    }
    let list = [
        "list-parts",
        "--bucket",
        b,
        "--key",
        "parts",
        "--upload-id",
        upload.as_str(),
        "--max-items",
        "2",
    ];
    let (a, w) = both(&home, m, &list);
    assert_eq!(a, w);
    let next = token(&json(&w)).expect("a NextToken");
    let mut resumed = list.to_vec();
    resumed.extend(["--starting-token", next.as_str()]);
    let (a, w) = both(&home, m, &resumed);
    assert_eq!(a, w);
    assert_eq!(
        json(&w).get("Parts").and_then(|p| p.as_array()).map(<[_]>::len),
        Some(1)
    );
    ok(&run(
        "aws",
        &home,
        m,
        &[
            "abort-multipart-upload",
            "--bucket",
            b,
            "--key",
            "parts",
            "--upload-id",
            &upload,
        ],
    ));
}
