//! rm, rb, mv, server-side copy, standard input, the object flags and ls's summaries, against moto (and
//! s3s-fs where it judges differently), with the AWS CLI reading back what landed and a recording proxy
//! counting the calls.

mod common;
#[path = "support/day.rs"]
mod day;

use common::servers::{Moto, Proxy, Recorded, home_with_moto_keys, moto, s3s_fs};
use common::{data_file, temp_dir, text};
use day::{awl_at, awl_cmd, aws_at, done, line_set, new_bucket, objects, uploads_in_progress, with_stdin};
use std::fs;
use std::path::Path;

/// The recorded requests whose request line starts with `method /path`.
fn calls<'r>(seen: &'r [Recorded], start: &str) -> Vec<&'r Recorded> {
    seen.iter().filter(|r| r.head.starts_with(start)).collect()
}

fn head_object(home: &Path, m: &Moto, bucket: &str, key: &str) -> awl::codec::json::Value {
    let out = aws_at(
        home,
        m,
        home,
        &[
            "s3api",
            "head-object",
            "--bucket",
            bucket,
            "--key",
            key,
            "--output",
            "json",
        ],
    );
    awl::codec::json::parse(&done("head-object", &out)).expect("JSON")
}

fn field<'v>(v: &'v awl::codec::json::Value, path: &[&str]) -> Option<&'v str> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_str()
}

#[test]
fn rm_recursive_deletes_2500_keys_in_3_calls() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "rm");
    let dir = temp_dir("many");
    for i in 0..2500 {
        fs::write(dir.join(format!("k{i:04}")), "").expect("file");
    }
    fs::write(dir.join("other"), "kept").expect("file");
    let up = awl_at(
        &home,
        &m.url,
        &dir,
        &["s3", "cp", "--recursive", ".", &format!("s3://{b}/")],
    );
    assert_eq!(done("cp", &up).lines().count(), 2501);

    let proxy = Proxy::start(m.addr);
    let out = awl_at(
        &home,
        &proxy.url,
        &dir,
        &[
            "s3",
            "rm",
            "--recursive",
            &format!("s3://{b}/"),
            "--exclude",
            "other",
        ],
    );
    assert_eq!(done("rm", &out).lines().count(), 2500);
    let seen = proxy.requests();
    let deletes: Vec<_> = calls(&seen, &format!("POST /{b}"))
        .into_iter()
        .filter(|r| r.head.lines().next().is_some_and(|l| l.contains("?delete")))
        .collect();
    assert_eq!(deletes.len(), 3, "DeleteObjects calls");
    for d in &deletes {
        assert!(
            d.head.to_ascii_lowercase().contains("\r\ncontent-md5: "),
            "{}",
            d.head
        );
    }
    assert_eq!(
        objects(&home, m, &b, "").into_keys().collect::<Vec<_>>(),
        ["other"]
    );
}

#[test]
fn a_key_deletes_refuses_is_reported_and_exits_1() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "rmfail");
    let dir = temp_dir("rmfail");
    for k in ["a", "b"] {
        fs::write(dir.join(k), k).expect("file");
    }
    done(
        "cp",
        &awl_at(
            &home,
            &m.url,
            &dir,
            &["s3", "cp", "--recursive", ".", &format!("s3://{b}")],
        ),
    );
    let proxy = Proxy::start(m.addr);
    proxy.answer(
        "?delete",
        200,
        "<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b</Key><Code>AccessDenied</Code>\
         <Message>Access Denied</Message></Error></DeleteResult>",
    );
    let out = awl_at(
        &home,
        &proxy.url,
        &dir,
        &["s3", "rm", "--recursive", &format!("s3://{b}")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), format!("delete: s3://{b}/a\n"));
    assert_eq!(
        text(&out.stderr),
        format!("delete failed: s3://{b}/b: DeleteObjects: Access Denied (AccessDenied)\n")
    );
    // rb --force stops at the same refusal: the bucket stays.
    let out = awl_at(
        &home,
        &proxy.url,
        &dir,
        &["s3", "rb", "--force", &format!("s3://{b}")],
    );
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("the bucket stays"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        calls(&proxy.requests(), &format!("DELETE /{b} ")).is_empty(),
        "no DeleteBucket sent"
    );
}

#[test]
fn rb_force_removes_objects_and_unfinished_uploads_on_both_servers() {
    // moto.
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "rbf");
    let dir = temp_dir("rbf");
    fs::write(dir.join("obj"), "o").expect("file");
    done(
        "cp",
        &awl_at(
            &home,
            &m.url,
            &dir,
            &["s3", "cp", "obj", &format!("s3://{b}/obj")],
        ),
    );
    done(
        "create-multipart-upload",
        &aws_at(
            &home,
            m,
            &dir,
            &[
                "s3api",
                "create-multipart-upload",
                "--bucket",
                &b,
                "--key",
                "unfinished",
            ],
        ),
    );
    assert_eq!(uploads_in_progress(&home, m, &b), 1);
    let out = awl_at(&home, &m.url, &dir, &["s3", "rb", &format!("s3://{b}")]);
    // remove_bucket failed: exit 1, as the AWS CLI (the differential is below).
    assert_eq!(out.status.code(), Some(1), "without --force a full bucket stays");
    let theirs = aws_at(&home, m, &dir, &["s3", "rb", &format!("s3://{b}")]);
    assert_eq!(theirs.status.code(), Some(1), "{}", text(&theirs.stderr));
    let proxy = Proxy::start(m.addr);
    let out = awl_at(
        &home,
        &proxy.url,
        &dir,
        &["s3", "rb", "--force", &format!("s3://{b}")],
    );
    assert_eq!(
        done("rb --force", &out),
        format!("delete: s3://{b}/obj\nremove_bucket: {b}\n")
    );
    let seen = proxy.requests();
    assert_eq!(
        calls(&seen, &format!("DELETE /{b}/unfinished?uploadId=")).len(),
        1,
        "AbortMultipartUpload"
    );
    let head = aws_at(&home, m, &dir, &["s3api", "head-bucket", "--bucket", &b]);
    assert_ne!(head.status.code(), Some(0), "the bucket is gone");

    // s3s-fs.
    let s = s3s_fs();
    let vars = [
        ("AWS_ACCESS_KEY_ID", s.key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", s.secret.as_str()),
        ("AWS_ENDPOINT_URL", s.url.as_str()),
    ];
    let run = |args: &[&str]| common::awl_in(&temp_dir("home"), &vars, args, "");
    done("mb", &run(&["s3", "mb", "s3://rbf-s3s"]));
    let aws = common::clean_command(common::servers::venv().join("bin/aws"), &temp_dir("home"), &vars)
        .args(["--endpoint-url", &s.url, "--region", "us-east-1"])
        .args([
            "s3api",
            "create-multipart-upload",
            "--bucket",
            "rbf-s3s",
            "--key",
            "unfinished",
        ])
        .output()
        .expect("aws runs");
    done("create-multipart-upload on s3s-fs", &aws);
    let proxy = Proxy::start(s.addr);
    let vars_p = [vars[0], vars[1], ("AWS_ENDPOINT_URL", proxy.url.as_str())];
    let run_p = |args: &[&str]| common::awl_in(&temp_dir("home"), &vars_p, args, "");
    done(
        "small",
        &run(&["s3", "cp", &dir.join("obj").to_string_lossy(), "s3://rbf-s3s/obj"]),
    );
    // s3s-fs has no ListMultipartUploads: awl says so, and the bucket goes all the same.
    let out = run_p(&["s3", "rb", "--force", "s3://rbf-s3s"]);
    assert_eq!(
        done("rb --force on s3s-fs", &out),
        "delete: s3://rbf-s3s/obj\nremove_bucket: rbf-s3s\n"
    );
    assert_eq!(
        text(&out.stderr),
        "warning: the server cannot list uploads in progress (NotImplemented); none were aborted\n"
    );
    assert!(!s.root.join("rbf-s3s").exists(), "the bucket's folder is gone");
}

#[test]
fn server_side_copies_and_moves_land_byte_identical() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let (b1, b2) = (new_bucket(&home, m, "copy"), new_bucket(&home, m, "copy2"));
    let dir = temp_dir("copy");
    let big = data_file(&dir, "big", 12 << 20);
    let small = data_file(&dir, "small", 1000);
    for (f, k) in [(&big, "big"), (&small, "small")] {
        let out = awl_at(
            &home,
            &m.url,
            &dir,
            &[
                "s3",
                "cp",
                &f.to_string_lossy(),
                &format!("s3://{b1}/{k}"),
                "--metadata",
                "owner=ops",
            ],
        );
        done("upload", &out);
    }
    let proxy = Proxy::start(m.addr);
    let parts = ["--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB"];
    let mut args = vec!["s3", "cp"];
    let (from, to) = (format!("s3://{b1}/big"), format!("s3://{b2}/big copy"));
    args.extend([from.as_str(), to.as_str()]);
    args.extend(parts);
    assert_eq!(
        done("cp s3 s3", &awl_at(&home, &proxy.url, &dir, &args)),
        format!("copy: {from} to {to}\n")
    );
    let seen = proxy.requests();
    let part_copies: Vec<_> = seen
        .iter()
        .filter(|r| {
            r.head.starts_with("PUT ")
                && r.head.contains("partNumber=")
                && r.head.to_ascii_lowercase().contains("x-amz-copy-source-range:")
        })
        .collect();
    assert_eq!(
        part_copies.len(),
        3,
        "12 MiB in 5 MiB parts, copied by UploadPartCopy"
    );
    assert!(
        calls(&seen, &format!("GET /{b1}/big")).is_empty(),
        "no byte went through awl"
    );

    let small_copy = format!("s3://{b2}/moved");
    done(
        "cp small",
        &awl_at(
            &home,
            &m.url,
            &dir,
            &["s3", "cp", &format!("s3://{b1}/small"), &small_copy],
        ),
    );
    for (key, want) in [("big copy", &big), ("moved", &small)] {
        let back = dir.join("back");
        done(
            "download",
            &awl_at(
                &home,
                &m.url,
                &dir,
                &["s3", "cp", &format!("s3://{b2}/{key}"), "back"],
            ),
        );
        assert_eq!(fs::read(&back).ok(), fs::read(want).ok(), "{key} byte-identical");
        // Metadata is kept by a copy, as the AWS CLI keeps it.
        assert_eq!(
            field(&head_object(&home, m, &b2, key), &["Metadata", "owner"]),
            Some("ops"),
            "{key}"
        );
    }
    // --metadata on a copy replaces what the source had (MetadataDirective REPLACE).
    done(
        "copy replace",
        &awl_at(
            &home,
            &m.url,
            &dir,
            &[
                "s3",
                "cp",
                &format!("s3://{b2}/moved"),
                &format!("s3://{b2}/re"),
                "--metadata",
                "team=db",
            ],
        ),
    );
    let head = head_object(&home, m, &b2, "re");
    assert_eq!(field(&head, &["Metadata", "team"]), Some("db"));
    assert_eq!(field(&head, &["Metadata", "owner"]), None);
}

#[test]
fn moves_delete_each_source_only_once_its_copy_is_there() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let (b1, b2) = (new_bucket(&home, m, "mv"), new_bucket(&home, m, "mv2"));
    let dir = temp_dir("mv");
    let big = data_file(&dir, "big", 12 << 20);
    let want = fs::read(&big).expect("data");
    data_file(&dir, "small", 1000);
    let (from, to) = (format!("s3://{b1}/small"), format!("s3://{b2}/moved"));
    done(
        "upload",
        &awl_at(&home, &m.url, &dir, &["s3", "cp", "small", &from]),
    );
    // The copy is refused: the source stays.
    let proxy = Proxy::start(m.addr);
    proxy.answer(
        &format!("PUT /{b2}/moved"),
        403,
        "<Error><Code>AccessDenied</Code></Error>",
    );
    let out = awl_at(&home, &proxy.url, &dir, &["s3", "mv", &from, &to]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(calls(&proxy.requests(), "DELETE ").is_empty(), "nothing deleted");
    assert!(objects(&home, m, &b1, "").contains_key("small"));
    // Between buckets (CopyObject below the threshold): the DELETE comes after the copy answered.
    let proxy = Proxy::start(m.addr);
    let out = awl_at(&home, &proxy.url, &dir, &["s3", "mv", &from, &to]);
    assert_eq!(done("mv", &out), format!("move: {from} to {to}\n"));
    let heads: Vec<String> = proxy.requests().into_iter().map(|r| r.head).collect();
    let at = |p: &str| heads.iter().position(|h| h.starts_with(p)).unwrap_or(usize::MAX);
    assert!(
        at(&format!("PUT /{b2}/moved")) < at(&format!("DELETE /{b1}/small")),
        "{heads:?}"
    );
    assert!(!objects(&home, m, &b1, "").contains_key("small"));
    assert_eq!(objects(&home, m, &b2, "").len(), 1);
    // mv of a file up, then of the object down: each source goes once its copy is there.
    let out = awl_at(
        &home,
        &m.url,
        &dir,
        &["s3", "mv", "big", &format!("s3://{b1}/again")],
    );
    assert_eq!(done("mv up", &out), format!("move: ./big to s3://{b1}/again\n"));
    assert!(!big.exists());
    let out = awl_at(
        &home,
        &m.url,
        &dir,
        &["s3", "mv", &format!("s3://{b1}/again"), "big"],
    );
    assert_eq!(done("mv down", &out), format!("move: s3://{b1}/again to ./big\n"));
    assert!(!objects(&home, m, &b1, "").contains_key("again"));

    assert_eq!(
        fs::read(&big).ok(),
        Some(want),
        "byte-identical after the round trip"
    );
}

#[test]
fn a_move_onto_itself_or_under_its_source_is_refused_and_loses_nothing() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "self");
    let dir = temp_dir("self");
    data_file(&dir, "big", 6 << 20);
    let key = format!("s3://{b}/p/big");
    done("upload", &awl_at(&home, &m.url, &dir, &["s3", "cp", "big", &key]));
    // Above the threshold the copy onto itself would succeed (UploadPartCopy), and the delete would follow;
    // a dry run says it is refused, too.
    let low = ["--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB"];
    for args in [
        vec!["s3", "mv", key.as_str(), key.as_str()],
        vec!["s3", "mv", key.as_str(), key.as_str(), "--dryrun"],
        vec!["s3", "mv", key.as_str(), &format!("s3://{b}/p/")],
        vec![
            "s3",
            "mv",
            "--recursive",
            &format!("s3://{b}/p"),
            &format!("s3://{b}/p/"),
        ],
        vec![
            "s3",
            "mv",
            "--recursive",
            &format!("s3://{b}/p"),
            &format!("s3://{b}/p/sub/"),
        ],
        vec![
            "s3",
            "cp",
            "--recursive",
            &format!("s3://{b}"),
            &format!("s3://{b}/copy/"),
        ],
        vec!["s3", "sync", &format!("s3://{b}/p"), &format!("s3://{b}/p/sub")],
    ] {
        let args: Vec<&str> = args.iter().copied().chain(low).collect();
        let out = awl_at(&home, &m.url, &dir, &args);
        assert_eq!(out.status.code(), Some(252), "{args:?}: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(
            err.contains("is both the source and the destination") || err.contains("would be copied again"),
            "{err}"
        );
        assert!(out.stdout.is_empty());
        let there = objects(&home, m, &b, "");
        assert_eq!(there.keys().collect::<Vec<_>>(), ["p/big"], "{args:?}");
    }
}

/// Peak resident memory of a finished `/usr/bin/time -v` run, from its report.
fn peak_rss_kib(report: &str) -> u64 {
    report
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes): "))
        .and_then(|v| v.trim().parse().ok())
        .expect("a GNU time report")
}

#[test]
fn forty_mib_from_standard_input_lands_whole_in_under_64_mib() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "stdin");
    let dir = temp_dir("stdin");
    let data = fs::read(data_file(&dir, "forty", 40 << 20)).expect("data");
    let report = dir.join("time.txt");
    let mut cmd = awl_cmd(&home, &m.url, &dir);
    // GNU time runs awl with awl's clean environment and writes its report to a file.
    let mut timed = std::process::Command::new("/usr/bin/time");
    timed
        .arg("-v")
        .arg("-o")
        .arg(&report)
        .arg(cmd.get_program())
        .args(["s3", "cp", "-", &format!("s3://{b}/db.sql")])
        .env_clear()
        .envs(cmd.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .current_dir(&dir);
    let (out, data) = with_stdin(&mut timed, data);
    assert_eq!(
        done("cp -", &out),
        "",
        "a stream upload prints nothing, as the AWS CLI's"
    );
    let rss = peak_rss_kib(&fs::read_to_string(&report).expect("report"));
    assert!(rss < 64 * 1024, "peak RSS {rss} KiB");
    let back = cmd
        .args(["s3", "cp", &format!("s3://{b}/db.sql"), "-"])
        .output()
        .expect("awl runs");
    assert!(
        back.stdout == data,
        "byte-identical ({} of {} bytes back)",
        back.stdout.len(),
        data.len()
    );
    assert_eq!(uploads_in_progress(&home, m, &b), 0);
}

#[test]
fn a_stream_with_a_threshold_below_five_mib_still_makes_valid_parts() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "stdin-small");
    let dir = temp_dir("stdin-small");
    let data = fs::read(data_file(&dir, "seven", 7 << 20)).expect("data");
    let target = format!("s3://{b}/seven");
    // A first part of 1 MiB would be refused at CompleteMultipartUpload (EntityTooSmall).
    let args = [
        "s3",
        "cp",
        "-",
        &target,
        "--multipart-threshold",
        "1MiB",
        "--multipart-chunksize",
        "1MiB",
    ];
    let (out, data) = with_stdin(awl_cmd(&home, &m.url, &dir).args(args), data);
    done("cp - with small parts", &out);
    let back = awl_cmd(&home, &m.url, &dir)
        .args(["s3", "cp", &target, "-"])
        .output()
        .expect("awl runs");
    assert!(
        back.stdout == data,
        "byte-identical ({} bytes back)",
        back.stdout.len()
    );
}

#[test]
fn the_flags_audited_accounts_require_reach_the_object() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "flags");
    let dir = temp_dir("flags");
    let small = data_file(&dir, "small.csv", 100);
    let large = data_file(&dir, "large.bin", 6 << 20);
    for (file, extra) in [
        (&small, &[][..]),
        (&large, &["--multipart-threshold", "5MiB"][..]),
    ] {
        let key = file.file_name().expect("name").to_string_lossy().into_owned();
        let mut args = vec![
            "s3".to_owned(),
            "cp".into(),
            file.to_string_lossy().into_owned(),
            format!("s3://{b}/{key}"),
        ];
        for a in [
            "--sse",
            "aws:kms",
            "--storage-class",
            "STANDARD_IA",
            "--metadata",
            "a=b,team=ops",
            "--content-type",
            "text/x-audit",
            "--cache-control",
            "max-age=60",
            "--content-disposition",
            "attachment",
            "--content-encoding",
            "gzip",
            "--content-language",
            "de",
            "--acl",
            "bucket-owner-full-control",
        ]
        .iter()
        .chain(extra)
        {
            args.push((*a).to_owned());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        done(&key, &awl_at(&home, &m.url, &dir, &args));
        let head = head_object(&home, m, &b, &key);
        for (path, want) in [
            (&["ServerSideEncryption"][..], "aws:kms"),
            (&["StorageClass"][..], "STANDARD_IA"),
            (&["Metadata", "a"][..], "b"),
            (&["Metadata", "team"][..], "ops"),
            (&["ContentType"][..], "text/x-audit"),
            (&["CacheControl"][..], "max-age=60"),
            (&["ContentDisposition"][..], "attachment"),
            (&["ContentEncoding"][..], "gzip"),
            (&["ContentLanguage"][..], "de"),
        ] {
            assert_eq!(field(&head, path), Some(want), "{key}: {path:?}");
        }
    }
    // A copy in parts sets the object's headers itself: each is carried over from the source.
    let (from, to) = (format!("s3://{b}/large.bin"), format!("s3://{b}/large copy"));
    let parts = ["--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB"];
    let args: Vec<&str> = ["s3", "cp", from.as_str(), to.as_str()]
        .into_iter()
        .chain(parts)
        .collect();
    done("copy in parts", &awl_at(&home, &m.url, &dir, &args));
    let head = head_object(&home, m, &b, "large copy");
    for (path, want) in [
        (&["Metadata", "team"][..], "ops"),
        (&["ContentType"][..], "text/x-audit"),
        (&["CacheControl"][..], "max-age=60"),
        (&["ContentDisposition"][..], "attachment"),
        (&["ContentEncoding"][..], "gzip"),
        (&["ContentLanguage"][..], "de"),
    ] {
        assert_eq!(field(&head, path), Some(want), "the copy: {path:?}");
    }
}

#[test]
fn sse_aes256_and_no_overwrite() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "aes");
    let dir = temp_dir("aes");
    data_file(&dir, "small.csv", 100);
    let out = awl_at(
        &home,
        &m.url,
        &dir,
        &[
            "s3",
            "cp",
            "small.csv",
            &format!("s3://{b}/aes"),
            "--sse",
            "AES256",
        ],
    );
    done("AES256", &out);
    assert_eq!(
        field(&head_object(&home, m, &b, "aes"), &["ServerSideEncryption"]),
        Some("AES256")
    );
    // --no-overwrite leaves an object that is there alone.
    fs::write(dir.join("small.csv"), "other").expect("write");
    let out = awl_at(
        &home,
        &m.url,
        &dir,
        &[
            "s3",
            "cp",
            "small.csv",
            &format!("s3://{b}/aes"),
            "--no-overwrite",
        ],
    );
    assert_eq!(done("--no-overwrite", &out), "");
    assert_eq!(objects(&home, m, &b, "aes").get(""), Some(&100));
}

#[test]
fn ls_summaries_match_the_aws_cli() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "lsum");
    let dir = temp_dir("lsum");
    for (name, len) in [
        ("a", 0),
        ("d/b", 1023),
        ("d/c", 1536),
        ("d/e/f", 3 << 20),
        ("g h", 5_000_000),
    ] {
        let f = dir.join(name);
        fs::create_dir_all(f.parent().expect("parent")).expect("dir");
        data_file(
            f.parent().expect("parent"),
            &f.file_name().expect("name").to_string_lossy(),
            len,
        );
    }
    done(
        "up",
        &awl_at(&home, &m.url, &dir, &["s3", "sync", ".", &format!("s3://{b}")]),
    );
    let root = format!("s3://{b}");
    let sub = format!("s3://{b}/d/");
    for args in [
        &[
            "s3",
            "ls",
            root.as_str(),
            "--recursive",
            "--human-readable",
            "--summarize",
        ][..],
        &["s3", "ls", root.as_str(), "--summarize"][..],
        &["s3", "ls", sub.as_str(), "--human-readable"][..],
        &["s3", "ls", root.as_str(), "--recursive"][..],
    ] {
        let ours = done("awl ls", &awl_at(&home, &m.url, &dir, args));
        let theirs = done("aws ls", &aws_at(&home, m, &dir, args));
        assert_eq!(ours, theirs, "{args:?}");
    }
    assert_eq!(
        line_set(&done("ls", &awl_at(&home, &m.url, &dir, &["s3", "ls", &root]))).len(),
        3
    );
}

/// Content-Type guessed as the AWS CLI guesses it (Python's `mimetypes`, reading `/etc/mime.types` over its own
/// table): the same files uploaded by both tools land with the same Content-Type, names it knows and names it
/// does not (then neither sends one).
#[test]
fn content_types_are_guessed_as_the_aws_cli_guesses_them() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "ctype");
    let dir = temp_dir("ctype");
    let names = [
        "a.txt", "a.tar.gz", "a.tgz", "a.bin", "a.log", "a.json", "a.svgz", "a.PNG", "noext", ".hidden",
        "a.gz", "a.webp",
    ];
    for name in names {
        let file = dir.join(name);
        fs::write(&file, "x").expect("file");
        let f = file.to_string_lossy().into_owned();
        done(
            "awl cp",
            &awl_at(
                &home,
                &m.url,
                &dir,
                &["s3", "cp", &f, &format!("s3://{b}/awl/{name}")],
            ),
        );
        done(
            "aws cp",
            &aws_at(&home, m, &dir, &["s3", "cp", &f, &format!("s3://{b}/aws/{name}")]),
        );
        let mine = head_object(&home, m, &b, &format!("awl/{name}"));
        let theirs = head_object(&home, m, &b, &format!("aws/{name}"));
        assert_eq!(
            field(&mine, &["ContentType"]),
            field(&theirs, &["ContentType"]),
            "{name}"
        );
    }
}
