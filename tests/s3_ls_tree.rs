//! `ls --recursive` lists folder by folder, several at once (src/s3/tree.rs), and prints exactly what the AWS
//! CLI prints: the same lines in the same order, keys beside folders included ('.' sorts before '/', '/'
//! before '0', UTF-8 byte order), with pages of two keys so that every folder and the split listing take
//! several pages. Against moto through the recording proxy: which listings are sent (one at `/`, then one
//! whole listing per folder, down while a prefix holds a single folder), that they overlap, that small folders,
//! a refused split, a stray key and an ignored `start-after` hand over to the plain listing (the same lines),
//! and that pages out of order between them end the run with one error line.

mod common;

use common::servers::{Moto, Proxy, home_with_moto_keys, moto, venv};
use common::{awl_in, clean_command, ok, temp_dir, text};
use std::fs;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

fn awl(home: &Path, endpoint: &str, args: &[&str]) -> Output {
    awl_in(home, &[("AWS_ENDPOINT_URL", endpoint)], args, "")
}

/// The AWS CLI with alice's keys, the differential peer.
fn aws(m: &Moto, args: &[&str]) -> Output {
    let keys = [
        ("AWS_ACCESS_KEY_ID", m.key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", m.secret.as_str()),
    ];
    clean_command(venv().join("bin/aws"), &temp_dir("aws-home"), &keys)
        .args(["--endpoint-url", &m.url, "--region", "us-east-1"])
        .args(args)
        .output()
        .expect("aws runs")
}

/// A fresh bucket holding `keys` (each a small file named by its key), uploaded by awl.
fn bucket_with(m: &Moto, home: &Path, tag: &str, keys: &[&str]) -> String {
    let bucket = format!("{tag}-{}", std::process::id());
    ok(&awl(home, &m.url, &["s3", "mb", &format!("s3://{bucket}")]));
    let dir = temp_dir(tag);
    for k in keys {
        let path = dir.join(k);
        fs::create_dir_all(path.parent().expect("a parent")).expect("folder");
        fs::write(&path, k.as_bytes()).expect("file");
    }
    ok(&awl(
        home,
        &m.url,
        &[
            "s3",
            "cp",
            "--recursive",
            "--quiet",
            &dir.to_string_lossy(),
            &format!("s3://{bucket}/"),
        ],
    ));
    bucket
}

/// The ListObjectsV2 requests the proxy saw: (prefix, delimiter, continuation), as sent (URL-encoded).
fn listings(proxy: &Proxy) -> Vec<(String, Option<String>, bool)> {
    proxy
        .requests()
        .into_iter()
        .filter(|r| r.head.contains("list-type=2"))
        .map(|r| {
            let line = r.head.lines().next().unwrap_or_default().to_owned();
            let query = line
                .split_once('?')
                .map_or("", |(_, q)| q)
                .split(' ')
                .next()
                .unwrap_or_default();
            let param = |name: &str| {
                query
                    .split('&')
                    .find_map(|p| p.strip_prefix(&format!("{name}=")))
                    .map(str::to_owned)
            };
            (
                param("prefix").unwrap_or_default(),
                param("delimiter"),
                param("continuation-token").is_some(),
            )
        })
        .collect()
}

const KEYS: [&str; 20] = [
    "a.txt", "a/1", "a/2", "a/3", "a/b/c", "a0", "b", "c/1", "c/2", "c/3", "c/4", "c/5", "d/!", "d/😀",
    "d/！", "e f/x", "z", "a+b/x", "100%/y", "é/z",
];

#[test]
fn the_same_lines_as_the_aws_cli_in_the_same_order_folder_by_folder() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let mut keys = KEYS.to_vec();
    keys.extend(["deep/2026/01/x", "deep/2026/01/y", "deep/2026/02/z"]);
    let bucket = bucket_with(m, &home, "lstree", &keys);
    for (url, pages) in [
        (format!("s3://{bucket}/"), "2"),
        (format!("s3://{bucket}"), "1000"),
        (format!("s3://{bucket}/a"), "2"),
        (format!("s3://{bucket}/a/"), "1"),
        (format!("s3://{bucket}/d/"), "2"),
        (format!("s3://{bucket}/deep"), "2"),
        (format!("s3://{bucket}/c/3"), "2"),
        (format!("s3://{bucket}/nothing/"), "2"),
    ] {
        let args = ["s3", "ls", "--recursive", &url, "--page-size", pages];
        let mine = awl(&home, &m.url, &args);
        let theirs = aws(m, &args);
        assert_eq!(
            mine.status.code(),
            theirs.status.code(),
            "{args:?}: {}",
            text(&mine.stderr)
        );
        assert_eq!(text(&mine.stdout), text(&theirs.stdout), "{args:?}");
        assert_eq!(text(&mine.stderr), "", "{args:?}");
    }
    let all = awl(
        &home,
        &m.url,
        &["s3", "ls", "--recursive", &format!("s3://{bucket}")],
    );
    let listed: Vec<String> = text(&all.stdout)
        .lines()
        // `2026-12-07 18:10:14          5 e f/x`: the name follows the date, the time and the size.
        .map(|l| {
            let rest = l.get(19..).unwrap_or_default().trim_start();
            rest.split_once(' ').map_or("", |(_, name)| name).to_owned()
        })
        .collect();
    let mut want: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
    want.sort();
    assert_eq!(listed, want, "every key once, in UTF-8 byte order");
}

/// What `ls --recursive` asks, on the same layout: one listing at '/' (down while a prefix holds one
/// folder), then each folder whole.
#[test]
fn one_listing_at_slash_then_each_folder_whole() {
    let m = moto();
    let home = home_with_moto_keys(m);
    // Not `a+b/` nor `é/`: their names as sent (`a%2Bb/`, `%C3%A9/`) sort before the names decoded, which
    // hands the listing over to the plain one there (src/s3/tree.rs); `100%/` is sent `100%25/`, after it.
    let mut keys: Vec<&str> = KEYS
        .into_iter()
        .filter(|k| !["a+b/x", "é/z"].contains(k))
        .collect();
    keys.extend(["deep/2026/01/x", "deep/2026/01/y", "deep/2026/02/z"]);
    let bucket = bucket_with(m, &home, "lsasked", &keys);
    // What was asked: one listing at '/' of the bucket, then each folder listed whole (no delimiter), pages
    // of two keys followed by their tokens.
    let asked = |url: &str| {
        let proxy = Proxy::start(m.addr);
        ok(&awl(
            &home,
            &proxy.url,
            &["s3", "ls", "--recursive", url, "--page-size", "2"],
        ));
        listings(&proxy)
    };
    // The first page of each listing: (prefixes listed at '/', prefixes listed whole, sorted).
    let firsts = |asked: &[(String, Option<String>, bool)]| {
        let first = |grouped: bool| {
            let mut p: Vec<String> = asked
                .iter()
                .filter(|(_, d, more)| !more && d.is_some() == grouped)
                .map(|(p, _, _)| p.clone())
                .collect();
            p.sort();
            p
        };
        (first(true), first(false))
    };
    let root = asked(&format!("s3://{bucket}/"));
    assert_eq!(
        firsts(&root),
        (
            vec!["".to_owned()],
            ["100%25%2F", "a%2F", "c%2F", "d%2F", "deep%2F", "e%20f%2F"]
                .map(str::to_owned)
                .to_vec()
        ),
        "{root:?}"
    );
    // Pages of two: `a/` (4 keys) and `c/` (5) take 2 and 3 pages, `d/` 2; the root's own keys and folders
    // (100%/ a.txt a/ a0 b c/ d/ deep/ e f/ z: 10) take 5 pages.
    let pages_of = |prefix: &str, grouped: bool| {
        root.iter()
            .filter(|(p, d, _)| p == prefix && d.is_some() == grouped)
            .count()
    };
    assert_eq!(
        (
            pages_of("", true),
            pages_of("a%2F", false),
            pages_of("c%2F", false),
            pages_of("d%2F", false)
        ),
        (5, 2, 3, 2),
        "{root:?}"
    );
    // `deep` holds one folder (`deep/`), which holds one (`2026/`): the split goes down to where there are two.
    let deep = asked(&format!("s3://{bucket}/deep"));
    assert_eq!(
        firsts(&deep),
        (
            ["deep", "deep%2F", "deep%2F2026%2F"].map(str::to_owned).to_vec(),
            ["deep%2F2026%2F01%2F", "deep%2F2026%2F02%2F"]
                .map(str::to_owned)
                .to_vec()
        ),
        "{deep:?}"
    );
}

/// The folders are listed at once: with every folder's listing held 300 ms on its way (a slow link), more than
/// one is in flight; one after another, there would never be two.
#[test]
fn folders_are_listed_at_once() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let keys: Vec<String> = (0..6)
        .flat_map(|f| (0..3).map(move |k| format!("f{f}/k{k}")))
        .collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let bucket = bucket_with(m, &home, "lsatonce", &keys);
    let proxy = Proxy::start(m.addr);
    proxy.slow("prefix=f", Duration::from_millis(300));
    // Pages of two, so that the listing does not fit on one.
    let url = format!("s3://{bucket}/");
    let out = awl(
        &home,
        &proxy.url,
        &["s3", "ls", "--recursive", &url, "--page-size", "2"],
    );
    ok(&out);
    assert_eq!(text(&out.stdout).lines().count(), 18);
    let folders = listings(&proxy)
        .into_iter()
        .filter(|(p, _, more)| p.starts_with('f') && !more)
        .count();
    assert_eq!(folders, 6, "one listing per folder");
    assert!(
        proxy.max_in_flight() >= 2,
        "the folders' listings never overlapped"
    );
}

/// Small folders are not listed one by one: once ten folders in a row held fewer keys together than a page,
/// the rest comes in plain pages from the last key given out. 40 folders of one key: the first ten (and those
/// already started beside them) listed whole, then one listing `start-after` the tenth folder's key, and the
/// same lines as the AWS CLI prints.
#[test]
fn small_folders_are_listed_plainly_after_ten() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let keys: Vec<String> = (0..40).map(|f| format!("f{f:02}/only")).collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let bucket = bucket_with(m, &home, "lssmall", &keys);
    let proxy = Proxy::start(m.addr);
    let url = format!("s3://{bucket}/");
    // Pages of 20: the listing does not fit on one, and ten folders of a key are fewer keys than a page.
    let out = awl(
        &home,
        &proxy.url,
        &["s3", "ls", "--recursive", &url, "--page-size", "20"],
    );
    ok(&out);
    assert_eq!(
        text(&out.stdout),
        text(&aws(m, &["s3", "ls", "--recursive", &url]).stdout)
    );
    let heads: Vec<String> = proxy
        .requests()
        .into_iter()
        .filter(|r| r.head.contains("list-type=2"))
        .map(|r| r.head.lines().next().unwrap_or_default().to_owned())
        .collect();
    let after: Vec<&String> = heads
        .iter()
        .filter(|h| h.contains("start-after=") && !h.contains("continuation-token="))
        .collect();
    assert_eq!(after.len(), 1, "{heads:#?}");
    assert!(after[0].contains("start-after=f09%2Fonly"), "{heads:#?}");
    let folders = heads.iter().filter(|h| h.contains("prefix=f")).count();
    assert!(
        (10..=20).contains(&folders),
        "{folders} folders listed one by one: {heads:#?}"
    );
}

/// Where the split cannot be used the plain listing takes over, and the lines are the AWS CLI's all the same:
/// a delimiter listing refused (a policy's `s3:delimiter` condition: AccessDenied), a folder's listing that
/// answers a key outside the folder, and a store that ignores `start-after` (the rest answered from the
/// first key).
#[test]
fn a_refused_split_a_stray_key_or_an_ignored_start_after_lists_plainly() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let keys: Vec<String> = (0..12).map(|f| format!("f{f:02}/only")).collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let bucket = bucket_with(m, &home, "lsplain", &keys);
    let url = format!("s3://{bucket}/");
    let theirs = text(&aws(m, &["s3", "ls", "--recursive", &url]).stdout);
    let whole = text(
        &aws(
            m,
            &[
                "s3api",
                "list-objects-v2",
                "--bucket",
                &bucket,
                "--output",
                "json",
            ],
        )
        .stdout,
    );
    let listed = |keys: &[&str]| -> String {
        let entries: String = keys
            .iter()
            .map(|k| {
                format!(
                    "<Contents><Key>{k}</Key><Size>{}</Size><LastModified>{}</LastModified></Contents>",
                    k.len(),
                    modified(&whole, k)
                )
            })
            .collect();
        format!("<ListBucketResult><IsTruncated>false</IsTruncated>{entries}</ListBucketResult>")
    };
    // Pages of five, so that the listing does not fit on one; each rule answers what it names.
    let run = |rules: &[(&str, u16, &str)]| {
        let proxy = Proxy::start(m.addr);
        for (needle, status, body) in rules {
            proxy.answer(needle, *status, body);
        }
        let out = awl(
            &home,
            &proxy.url,
            &["s3", "ls", "--recursive", &url, "--page-size", "5"],
        );
        ok(&out);
        assert_eq!(text(&out.stdout), theirs, "{rules:?}");
        listings(&proxy)
    };
    let denied = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
    let asked = run(&[("delimiter=%2F", 403, denied)]);
    assert_eq!(
        asked.len(),
        4,
        "the refused split, then the plain listing's 3 pages: {asked:?}"
    );
    // `f03/`'s listing answers `f02/only` (outside it, and given out already): from there on, plainly, after
    // `f02/only`; and that listing is answered from the first key, as a store ignoring start-after would.
    let asked = run(&[
        ("prefix=f03%2F", 200, &listed(&["f02/only"])),
        ("start-after=f02%2Fonly", 200, &listed(&keys)),
    ]);
    assert!(
        asked.iter().any(|(p, d, _)| p.is_empty() && d.is_none()),
        "{asked:?}"
    );
}

/// A folder whose name as sent sorts before the name decoded (`é/` is sent `%C3%A9/`, before every letter):
/// had the store sent it unencoded, its keys would sort there, so the plain listing takes over from there, and
/// the lines are the AWS CLI's.
#[test]
fn a_name_sent_before_its_decoded_self_hands_over_to_the_plain_listing() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let bucket = bucket_with(m, &home, "lsutf", &["a/1", "a/2", "b.txt", "é/1", "é/2", "z/1"]);
    let url = format!("s3://{bucket}/");
    let proxy = Proxy::start(m.addr);
    let out = awl(
        &home,
        &proxy.url,
        &["s3", "ls", "--recursive", &url, "--page-size", "2"],
    );
    ok(&out);
    assert_eq!(
        text(&out.stdout),
        text(&aws(m, &["s3", "ls", "--recursive", &url]).stdout)
    );
    let asked = listings(&proxy);
    // `a/` (on the split's first page) is listed whole; `é/` never is; the rest comes from the plain listing.
    assert!(
        asked.iter().any(|(p, d, _)| p == "a%2F" && d.is_none()),
        "{asked:?}"
    );
    assert!(asked.iter().all(|(p, _, _)| p != "%C3%A9%2F"), "{asked:?}");
    assert!(
        asked.iter().any(|(p, d, _)| p.is_empty() && d.is_none()),
        "{asked:?}"
    );
}

/// A prefix holding one folder is split one level down, but only where that level lists something: a name
/// sent unencoded (`d/a+b/`, read as `d/a b/`) would list nothing there, and the prefix is listed plainly.
#[test]
fn a_level_gone_down_to_that_lists_nothing_is_listed_plainly() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let bucket = bucket_with(m, &home, "lsdown", &["d/a+b/x", "d/a+b/y"]);
    let url = format!("s3://{bucket}/d/");
    let proxy = Proxy::start(m.addr);
    proxy.answer(
        "delimiter=%2F&encoding-type=url&max-keys=1&prefix=d%2F HTTP",
        200,
        "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>\
         <CommonPrefixes><Prefix>d/a+b/</Prefix></CommonPrefixes></ListBucketResult>",
    );
    let out = awl(
        &home,
        &proxy.url,
        &["s3", "ls", "--recursive", &url, "--page-size", "1"],
    );
    ok(&out);
    assert_eq!(
        text(&out.stdout),
        text(&aws(m, &["s3", "ls", "--recursive", &url]).stdout)
    );
    assert_eq!(text(&out.stdout).lines().count(), 2);
}

/// The LastModified the JSON listing `doc` gives `key`.
fn modified(doc: &str, key: &str) -> String {
    let parsed = awl::codec::json::parse(doc).expect("json");
    parsed
        .get("Contents")
        .and_then(|c| c.as_array())
        .and_then(|c| {
            c.iter()
                .find(|o| o.get("Key").and_then(|k| k.as_str()) == Some(key))
        })
        .and_then(|o| o.get("LastModified"))
        .and_then(|t| t.as_str())
        .expect("listed")
        .to_owned()
}

/// Pages that each keep their own order but not the order between them (the split listing's second page
/// names a folder `c/` that sorts before the key `m` of its first page): the keys given out are checked as
/// one sequence, so the run ends with exit 255 and one error line naming the listing, the key and what it
/// follows, after the lines before it.
#[test]
fn split_pages_out_of_order_between_them_end_the_run() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let bucket = bucket_with(m, &home, "lsorder", &["c/1", "c/2", "m"]);
    let proxy = Proxy::start(m.addr);
    let date = "<LastModified>2026-01-01T00:00:00.000Z</LastModified>";
    proxy.answer(
        "continuation-token=t2",
        200,
        "<ListBucketResult><IsTruncated>false</IsTruncated><CommonPrefixes><Prefix>c/</Prefix>\
         </CommonPrefixes></ListBucketResult>",
    );
    proxy.answer(
        "delimiter=%2F",
        200,
        &format!(
            "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t2</NextContinuationToken>\
             <Contents><Key>m</Key><Size>1</Size>{date}</Contents></ListBucketResult>"
        ),
    );
    let url = format!("s3://{bucket}/");
    let out = awl(
        &home,
        &proxy.url,
        &["s3", "ls", "--recursive", &url, "--page-size", "2"],
    );
    assert_eq!(out.status.code(), Some(255), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("awl: error")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(
        errors[0].contains("folder by folder")
            && errors[0].contains("\"c/1\" is out of order after \"m\"")
            && errors[0].contains(&bucket),
        "{err}"
    );
    assert_eq!(
        text(&out.stdout).lines().count(),
        1,
        "only m: {}",
        text(&out.stdout)
    );
}
