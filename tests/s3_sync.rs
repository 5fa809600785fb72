//! sync and cp --recursive against moto (signature checking on), with the AWS CLI as the reader of what
//! landed and as the differential peer: the 300-file tree round trip, the dry-run differential on many tree
//! shapes, filters, folder markers, and deletes only after complete listings.

mod common;
#[path = "support/day.rs"]
mod day;

use common::servers::{Moto, Proxy, home_with_moto_keys, moto};
use common::{temp_dir, text};
use day::{
    age, awl_at, aws_at, diff_r, done, files, line_set, new_bucket, objects, temporaries, tree_of_300,
};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

#[test]
fn the_300_file_tree_round_trips_and_a_second_sync_copies_nothing() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "tree");
    let tree = tree_of_300("tree");
    let want = files(&tree);
    assert_eq!(want.len(), 300);
    let work = tree.parent().expect("parent").to_owned();
    let src = tree.file_name().expect("name").to_string_lossy().into_owned();
    let dst = format!("s3://{b}/backup/");
    let sync = |args: &[&str]| awl_at(&home, &m.url, &work, &[&["s3", "sync"][..], args].concat());

    let first = done("sync up", &sync(&[&src, &dst]));
    assert_eq!(first.lines().count(), 300, "{first}");
    assert!(
        first.lines().all(|l| l.starts_with(&format!("upload: {src}/"))),
        "{first}"
    );
    assert_eq!(
        objects(&home, m, &b, "backup/"),
        want,
        "the bucket holds the tree"
    );

    assert_eq!(
        done("second sync", &sync(&[&src, &dst])),
        "",
        "nothing copied twice"
    );

    // One changed file (size) is copied, alone.
    let changed = tree.join("logs/2026 11/file 8.txt");
    fs::write(&changed, "changed").expect("change");
    // Changed a while ago: a file changed in the second of its upload would look newer to the next sync.
    age(&changed, 300);
    let out = done("one changed", &sync(&[&src, &dst]));
    assert_eq!(
        out,
        format!("upload: {src}/logs/2026 11/file 8.txt to s3://{b}/backup/logs/2026 11/file 8.txt\n")
    );

    // A local delete, then --delete: one object goes.
    fs::remove_file(tree.join("données/été/ünï-9.log")).expect("rm");
    let out = done("--delete", &sync(&[&src, &dst, "--delete"]));
    assert_eq!(out, format!("delete: s3://{b}/backup/données/été/ünï-9.log\n"));
    assert_eq!(objects(&home, m, &b, "backup/"), files(&tree));

    // Down into an empty folder: equal to the tree; a second sync down, or up, copies nothing.
    let down = work.join(format!("{src}-down"));
    let down_name = down.file_name().expect("name").to_string_lossy().into_owned();
    let out = done("sync down", &sync(&[&dst, &down_name]));
    assert_eq!(out.lines().count(), 299, "{out}");
    diff_r(&tree, &down).expect("diff -r finds the folders equal");
    assert_eq!(done("second sync down", &sync(&[&dst, &down_name])), "");
    assert_eq!(done("sync up from the copy", &sync(&[&down_name, &dst])), "");
    assert!(temporaries(&down).is_empty());
}

/// One shape of the differential: what is at both sides before the dry runs, and the sync's arguments.
struct Shape {
    name: &'static str,
    /// Local files: relative path, content, mtime age in seconds (negative: in the future).
    local: &'static [(&'static str, &'static str, i64)],
    /// Objects put first (through awl, from files of this content aged 600 s).
    remote: &'static [(&'static str, &'static str)],
    /// `true`: local to S3; `false`: S3 to local.
    up: bool,
    extra: &'static [&'static str],
}

const SHAPES: &[Shape] = &[
    Shape {
        name: "new tree, nested, unicode and spaces",
        local: &[
            ("a.txt", "a", 600),
            ("sub/b c.txt", "bc", 600),
            ("sub/deeper/ünï.txt", "u", 600),
            ("x y/z", "z", 600),
        ],
        remote: &[],
        up: true,
        extra: &[],
    },
    Shape {
        name: "changed size, source newer, source older",
        local: &[
            ("size.txt", "longer now", 600),
            ("newer.txt", "same", -3600),
            ("older.txt", "same", 6000),
            ("same.txt", "same", 6000),
        ],
        remote: &[
            ("size.txt", "short"),
            ("newer.txt", "same"),
            ("older.txt", "same"),
            ("same.txt", "same"),
        ],
        up: true,
        extra: &[],
    },
    Shape {
        name: "deleted with --delete, up",
        local: &[("kept.txt", "k", 6000)],
        remote: &[("kept.txt", "k"), ("gone.txt", "g"), ("dir/gone too.txt", "g")],
        up: true,
        extra: &["--delete"],
    },
    Shape {
        name: "excluded and included again",
        local: &[
            ("a.log", "a", 600),
            ("keep.log", "k", 600),
            ("b.txt", "b", 600),
            ("logs/c.log", "c", 600),
            ("logs/keep-d.log", "d", 600),
        ],
        remote: &[("stale.log", "s"), ("stale.txt", "s")],
        up: true,
        extra: &["--exclude", "*.log", "--include", "keep*", "--delete"],
    },
    Shape {
        name: "download: missing, changed size, local newer, local older, --delete",
        local: &[
            ("size.txt", "short", 6000),
            ("local-newer.txt", "same", -3600),
            ("local-older.txt", "same", 6000),
            ("extra.txt", "x", 600),
        ],
        remote: &[
            ("size.txt", "longer now"),
            ("local-newer.txt", "same"),
            ("local-older.txt", "same"),
            ("missing/ünï c.txt", "m"),
        ],
        up: false,
        extra: &["--delete"],
    },
    Shape {
        name: "--size-only, both directions' rules",
        local: &[("newer.txt", "same", -3600), ("size.txt", "longer", 6000)],
        remote: &[("newer.txt", "same"), ("size.txt", "short")],
        up: true,
        extra: &["--size-only"],
    },
    Shape {
        name: "--exact-timestamps on download",
        local: &[("older.txt", "same", 6000), ("new.txt", "n", 600)],
        remote: &[("older.txt", "same"), ("new.txt", "n")],
        up: false,
        extra: &["--exact-timestamps"],
    },
    Shape {
        name: "download excluding a folder",
        local: &[],
        remote: &[
            ("a/1.txt", "1"),
            ("b/2.txt", "2"),
            ("b/keep/3.txt", "3"),
            ("c d/4.txt", "4"),
        ],
        up: false,
        extra: &["--exclude", "b/*", "--include", "b/keep/*"],
    },
];

fn prepare(home: &Path, m: &Moto, b: &str, shape: &Shape, work: &Path) {
    let staging = temp_dir("staging");
    for (key, body) in shape.remote {
        let f = staging.join(key);
        fs::create_dir_all(f.parent().expect("parent")).expect("dir");
        fs::write(&f, body).expect("write");
        age(&f, 600);
    }
    if !shape.remote.is_empty() {
        let out = awl_at(
            home,
            &m.url,
            home,
            &["s3", "sync", &staging.to_string_lossy(), &format!("s3://{b}/p")],
        );
        done("prepare", &out);
    }
    let local = work.join("local");
    fs::create_dir_all(&local).expect("local");
    for (path, body, secs) in shape.local {
        let f = local.join(path);
        fs::create_dir_all(f.parent().expect("parent")).expect("dir");
        fs::write(&f, body).expect("write");
        age(&f, *secs);
    }
}

#[test]
fn dry_runs_list_the_same_operations_as_the_aws_cli() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let mut ran = 0;
    for shape in SHAPES {
        let b = new_bucket(&home, m, "dry");
        let work = temp_dir("dry");
        prepare(&home, m, &b, shape, &work);
        let url = format!("s3://{b}/p");
        let (src, dst) = if shape.up {
            ("local", url.as_str())
        } else {
            (url.as_str(), "local")
        };
        let mut args = vec!["s3", "sync", src, dst, "--dryrun"];
        args.extend(shape.extra);
        let ours = line_set(&done(shape.name, &awl_at(&home, &m.url, &work, &args)));
        let theirs = line_set(&done(shape.name, &aws_at(&home, m, &work, &args)));
        assert_eq!(ours, theirs, "{}", shape.name);
        assert!(
            !ours.is_empty(),
            "{}: a shape that does nothing proves little",
            shape.name
        );
        // The dry run changed nothing: the real run then does exactly what it listed.
        args.retain(|a| *a != "--dryrun");
        let real = line_set(&done(shape.name, &awl_at(&home, &m.url, &work, &args)));
        let listed: BTreeSet<String> = ours
            .iter()
            .map(|l| l.trim_start_matches("(dryrun) ").to_owned())
            .collect();
        assert_eq!(real, listed, "{}", shape.name);
        ran += 1;
    }
    assert_eq!(ran, SHAPES.len());
    assert!(ran >= 6);
}

#[test]
fn cp_recursive_matches_the_aws_cli_both_ways_and_between_buckets() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let (b1, b2) = (new_bucket(&home, m, "cpr"), new_bucket(&home, m, "cpr2"));
    let work = temp_dir("cpr");
    for (p, body) in [("a.txt", "a"), ("s p/ünï.log", "u"), ("s p/deep/c.txt", "c")] {
        let f = work.join("src").join(p);
        fs::create_dir_all(f.parent().expect("parent")).expect("dir");
        fs::write(&f, body).expect("write");
    }
    for (from, to) in [
        ("src".to_owned(), format!("s3://{b1}/in")),
        (format!("s3://{b1}/in"), "back".to_owned()),
        (format!("s3://{b1}/in/"), format!("s3://{b2}/copied/")),
    ] {
        let args = ["s3", "cp", "--recursive", &from, &to, "--exclude", "*.log"];
        let dry: Vec<&str> = args.iter().copied().chain(["--dryrun"]).collect();
        let ours = line_set(&done("awl dry", &awl_at(&home, &m.url, &work, &dry)));
        let theirs = line_set(&done("aws dry", &aws_at(&home, m, &work, &dry)));
        assert_eq!(ours, theirs, "{from} -> {to}");
        let real = line_set(&done("awl", &awl_at(&home, &m.url, &work, &args)));
        assert_eq!(real.len(), 2, "{real:?}");
    }
    diff_r(&work.join("src/a.txt"), &work.join("back/a.txt")).expect("same file");
    assert_eq!(
        objects(&home, m, &b2, "copied/").into_keys().collect::<Vec<_>>(),
        ["a.txt", "s p/deep/c.txt"]
    );
}

#[test]
fn folder_markers_are_skipped_on_download_and_keys_that_escape_are_refused() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "keys");
    let work = temp_dir("keys");
    let empty = work.join("empty");
    fs::write(&empty, "").expect("empty");
    let body = work.join("body");
    fs::write(&body, "payload").expect("body");
    for (key, file) in [
        ("p/folder/", &empty),
        ("p/ok.txt", &body),
        ("p/../escaped.txt", &body),
        ("p/a/../../b.txt", &body),
        ("p//abs.txt", &body),
    ] {
        let out = aws_at(
            &home,
            m,
            &work,
            &[
                "s3api",
                "put-object",
                "--bucket",
                &b,
                "--key",
                key,
                "--body",
                &file.to_string_lossy(),
            ],
        );
        done(key, &out);
    }
    for args in [
        &["s3", "sync", &format!("s3://{b}/p"), "down"][..],
        &["s3", "cp", "--recursive", &format!("s3://{b}/p"), "down"][..],
    ] {
        let out = awl_at(&home, &m.url, &work, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        assert_eq!(
            text(&out.stdout),
            format!("download: s3://{b}/p/ok.txt to down/ok.txt\n")
        );
        let err = text(&out.stderr);
        assert_eq!(err.lines().count(), 3, "one warning per refused key: {err}");
        assert!(
            err.lines().all(|l| l.starts_with("warning: skipping s3://")),
            "{err}"
        );
        // Each warning names the key as it is in the bucket (the root and the rest joined by its `/`).
        let named: Vec<&str> = err
            .lines()
            .filter_map(|l| l.strip_prefix("warning: skipping ")?.split(": ").next())
            .collect();
        assert_eq!(
            named,
            [
                format!("s3://{b}/p/../escaped.txt"),
                format!("s3://{b}/p//abs.txt"),
                format!("s3://{b}/p/a/../../b.txt"),
            ],
            "{err}"
        );
        assert_eq!(
            files(&work.join("down")).into_keys().collect::<Vec<_>>(),
            ["ok.txt"]
        );
        assert!(
            !work.join("escaped.txt").exists()
                && !work.join("b.txt").exists()
                && !Path::new("/abs.txt").exists()
        );
    }
}

#[test]
fn a_failed_listing_or_transfer_deletes_nothing() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "nodelete");
    let work = temp_dir("nodelete");
    let local = work.join("local");
    fs::create_dir_all(&local).expect("dir");
    for name in ["a", "b"] {
        fs::write(local.join(name), name).expect("write");
        age(&local.join(name), 600);
    }
    done(
        "seed",
        &awl_at(
            &home,
            &m.url,
            &work,
            &["s3", "sync", "local", &format!("s3://{b}")],
        ),
    );
    fs::write(local.join("c"), "new").expect("write");
    // In the past, so that once uploaded it is never newer than its LastModified (moto keeps whole seconds).
    age(&local.join("c"), 600);
    fs::remove_file(local.join("a")).expect("rm");

    // The listing's second page is refused: nothing is deleted, though the first page named `a` as gone.
    let proxy = Proxy::start(m.addr);
    let denied = "<Error><Code>AccessDenied</Code><Message>no</Message></Error>";
    proxy.answer_times("continuation-token=next", 403, denied, "", usize::MAX);
    let page = "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>next</NextContinuationToken>\
                <Contents><Key>a</Key><Size>1</Size><LastModified>2026-01-01T00:00:00Z</LastModified></Contents>\
                <Contents><Key>b</Key><Size>1</Size><LastModified>2026-01-01T00:00:00Z</LastModified></Contents>\
                </ListBucketResult>";
    proxy.answer_times("list-type=2", 200, page, "", usize::MAX);
    let out = awl_at(
        &home,
        &proxy.url,
        &work,
        &["s3", "sync", "local", &format!("s3://{b}"), "--delete"],
    );
    assert_ne!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("delete:"), "{}", text(&out.stdout));
    let there = objects(&home, m, &b, "");
    assert!(there.contains_key("a"), "a is still there");
    assert!(
        !there.contains_key("c"),
        "nothing after the failed page was planned"
    );

    // An upload fails: nothing is deleted; the exit code is 1 and the failure has its line.
    let proxy = Proxy::start(m.addr);
    proxy.answer_times(&format!("PUT /{b}/c "), 403, denied, "", usize::MAX);
    let out = awl_at(
        &home,
        &proxy.url,
        &work,
        &["s3", "sync", "local", &format!("s3://{b}"), "--delete"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.starts_with("upload failed: local/c to s3://"), "{err}");
    assert!(
        err.ends_with("warning: 1 deletions not done: a listing or a transfer failed\n"),
        "{err}"
    );
    assert!(objects(&home, m, &b, "").contains_key("a"), "a is still there");

    // Something of the source is skipped (`b` is a FIFO now): the source may be incomplete, so nothing goes.
    fs::remove_file(local.join("b")).expect("rm");
    let st = std::process::Command::new("mkfifo")
        .arg(local.join("b"))
        .status()
        .expect("mkfifo");
    assert!(st.success());
    let out = awl_at(
        &home,
        &m.url,
        &work,
        &["s3", "sync", "local", &format!("s3://{b}"), "--delete"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        "warning: skipping local/b: it is a FIFO\n\
         warning: 2 deletions not done: something was skipped, so the source may be incomplete\n"
    );
    assert!(objects(&home, m, &b, "").contains_key("b"), "b is still there");
    assert_eq!(
        text(&out.stdout),
        format!("upload: local/c to s3://{b}/c\n"),
        "copies go on"
    );
    fs::remove_file(local.join("b")).expect("rm");
    fs::write(local.join("b"), "b").expect("write");
    age(&local.join("b"), 600);

    // With everything read and copied, the delete happens.
    let out = done(
        "clean",
        &awl_at(
            &home,
            &m.url,
            &work,
            &["s3", "sync", "local", &format!("s3://{b}"), "--delete"],
        ),
    );
    assert_eq!(line_set(&out), line_set(&format!("delete: s3://{b}/a\n")));
}

#[test]
fn keys_with_control_characters_are_printed_escaped() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "ctl");
    let work = temp_dir("ctl");
    let body = work.join("body");
    fs::write(&body, "x").expect("body");
    // A tab and U+009B (CSI, which some terminals obey) are both valid in S3's XML answers.
    let key = "p/tab\there\u{9b}31m";
    let out = aws_at(
        &home,
        m,
        &work,
        &[
            "s3api",
            "put-object",
            "--bucket",
            &b,
            "--key",
            key,
            "--body",
            "body",
        ],
    );
    done("put", &out);
    let escaped = "tab\\u{9}here\\u{9b}31m";
    for (args, want) in [
        (
            vec!["s3".to_owned(), "ls".into(), format!("s3://{b}/p/")],
            escaped.to_owned(),
        ),
        (
            vec![
                "s3".to_owned(),
                "cp".into(),
                "--recursive".into(),
                format!("s3://{b}/p/"),
                "down".into(),
            ],
            format!("download: s3://{b}/p/{escaped} to down/{escaped}"),
        ),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = done("awl", &awl_at(&home, &m.url, &work, &args));
        assert!(out.trim_end().ends_with(&want), "{args:?}: {out:?}");
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
    }
    assert_eq!(
        fs::read(work.join("down").join("tab\there\u{9b}31m")).ok(),
        Some(b"x".to_vec())
    );
}
