//! `sync --checksum` (and `cp --recursive --checksum`): pairs of the same size compared by content, from what
//! the object stores, never downloaded; against moto (checksums: SHA-256 of a single PUT, COMPOSITE SHA-256 at
//! two part sizes, CRC64NVME, and under SSE-KMS, where moto's HEAD says the ETag is no MD5 and the checksum
//! decides) and s3s-fs (MD5 ETags: a multipart upload by the AWS CLI, a single PUT without checksum, and a
//! server that ignores `?partNumber=`). Requests counted through the recording proxy, file reads with strace.

mod common;
#[path = "support/day.rs"]
mod day;

use common::servers::{Moto, Proxy, S3sFs, home_with_moto_keys, moto, s3s_fs, venv};
use common::{clean_command, data_file, temp_dir, text};
use day::{age, awl_at, aws_at, done, line_set, new_bucket};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

const MIB: usize = 1 << 20;

/// Changes one byte in the middle of `path` (its size stays) and sets its mtime a day back: older than any
/// object, so the size and time rule would not copy it.
fn flip(path: &Path) {
    let mut b = fs::read(path).expect("read");
    let i = b.len() / 2;
    b[i] ^= 0x5a;
    fs::write(path, b).expect("write");
    age(path, 86_400);
}

/// The stdout lines of a run that exited 0, as a set; stderr must not carry the fallback note.
fn copied(what: &str, out: &Output) -> BTreeSet<String> {
    let stdout = done(what, out);
    assert!(
        !text(&out.stderr).contains("compared by size and time"),
        "{what}: {}",
        text(&out.stderr)
    );
    line_set(&stdout)
}

fn set(lines: &[String]) -> BTreeSet<String> {
    lines.iter().cloned().collect()
}

/// A folder `tag` in a fresh work folder; the work folder and the folder's name.
fn work(tag: &str) -> (PathBuf, PathBuf) {
    let work = temp_dir(tag);
    let dir = work.join("d");
    fs::create_dir_all(&dir).expect("dir");
    (work, dir)
}

#[test]
fn content_decides_not_the_time() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "sum-time");
    let (work, dir) = work("sum-time");
    data_file(&dir, "changed.txt", 3000);
    data_file(&dir, "touched.txt", 3001);
    let dst = format!("s3://{b}/t/");
    let awl = |args: &[&str]| awl_at(&home, &m.url, &work, args);
    done("first", &awl(&["s3", "sync", "d", &dst]));

    // Changed, same size, older: neither the AWS CLI nor plain sync copy it; --checksum does.
    flip(&dir.join("changed.txt"));
    // Identical, newer: plain sync (and the AWS CLI) copy it; --checksum does not.
    age(&dir.join("touched.txt"), -3600);
    let up = |name: &str| format!("upload: d/{name} to {dst}{name}");
    let dry = |name: &str| format!("(dryrun) {}", up(name));
    assert_eq!(
        line_set(&done("plain", &awl(&["s3", "sync", "d", &dst, "--dryrun"]))),
        set(&[dry("touched.txt")])
    );
    let aws = aws_at(&home, m, &work, &["s3", "sync", "d", &dst, "--dryrun"]);
    assert_eq!(
        line_set(&done("aws", &aws)),
        set(&[dry("touched.txt")]),
        "the AWS CLI agrees"
    );
    assert_eq!(
        copied(
            "dry --checksum",
            &awl(&["s3", "sync", "d", &dst, "--checksum", "--dryrun"])
        ),
        set(&[dry("changed.txt")])
    );
    assert_eq!(
        copied("--checksum", &awl(&["s3", "sync", "d", &dst, "--checksum"])),
        set(&[up("changed.txt")])
    );
    assert_eq!(
        copied("again", &awl(&["s3", "sync", "d", &dst, "--checksum"])),
        BTreeSet::new()
    );
    // cp --recursive --checksum replaces only what differs.
    flip(&dir.join("touched.txt"));
    assert_eq!(
        copied("cp", &awl(&["s3", "cp", "--recursive", "d", &dst, "--checksum"])),
        set(&[up("touched.txt")])
    );
    let usage = awl(&["s3", "cp", "d/touched.txt", &dst, "--checksum"]);
    assert_eq!(usage.status.code(), Some(252), "{}", text(&usage.stderr));
}

/// `--no-overwrite` replaces nothing, `--checksum` what differs: together, refused rather than one ignored.
#[test]
fn cp_checksum_with_no_overwrite_is_refused() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "sum-noover");
    let (work, dir) = work("sum-noover");
    data_file(&dir, "a.txt", 100);
    let dst = format!("s3://{b}/x/");
    let out = awl_at(
        &home,
        &m.url,
        &work,
        &[
            "s3",
            "cp",
            "--recursive",
            "d",
            &dst,
            "--checksum",
            "--no-overwrite",
        ],
    );
    assert_eq!(out.status.code(), Some(252), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--no-overwrite"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "", "nothing copied");
}

/// Each object's way up, and so what it stores and how it is compared: without SSE-KMS, moto's ETags are MD5s
/// (of the bytes, or of the parts' MD5s), which decide; under SSE-KMS moto's HEAD says the ETag is no MD5, so
/// the stored checksum decides: SHA-256 and CRC64NVME of the bytes, COMPOSITE SHA-256 of 5 and 8 MiB parts,
/// and an untyped CRC64NVME of parts (either kind may match).
#[test]
fn each_kind_of_stored_checksum_finds_the_one_changed_file() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "sum-kinds");
    let (work, dir) = work("sum-kinds");
    let dst = format!("s3://{b}/k/");
    let awl = |args: &[&str]| awl_at(&home, &m.url, &work, args);
    let parts = |n: &'static str| -> Vec<&'static str> {
        vec!["--multipart-threshold", n, "--multipart-chunksize", n]
    };
    // Each file's own way up: what the object then stores.
    let kinds: Vec<(&str, usize, Vec<&str>)> = vec![
        ("sha256-put.bin", 3000, vec![]),
        (
            "sha256-composite-5.bin",
            12 * MIB + 123,
            [vec!["--checksum-algorithm", "SHA256"], parts("5MiB")].concat(),
        ),
        (
            "sha256-composite-8.bin",
            20 * MIB + 7,
            vec!["--checksum-algorithm", "SHA256"],
        ),
        (
            "crc64nvme-parts.bin",
            9 * MIB,
            vec!["--checksum-algorithm", "CRC64NVME"],
        ),
        (
            "crc64nvme-put.bin",
            3002,
            vec!["--checksum-algorithm", "CRC64NVME"],
        ),
        (
            "kms-crc64nvme-put.bin",
            3003,
            vec!["--checksum-algorithm", "CRC64NVME", "--sse", "aws:kms"],
        ),
        (
            "kms-sha256-composite-5.bin",
            11 * MIB,
            [
                vec!["--checksum-algorithm", "SHA256", "--sse", "aws:kms"],
                parts("5MiB"),
            ]
            .concat(),
        ),
        (
            "kms-sha256-composite-8.bin",
            17 * MIB,
            vec!["--checksum-algorithm", "SHA256", "--sse", "aws:kms"],
        ),
        (
            "kms-crc64nvme-parts.bin",
            9 * MIB + 1,
            vec!["--checksum-algorithm", "CRC64NVME", "--sse", "aws:kms"],
        ),
    ];
    for (name, len, extra) in &kinds {
        data_file(&dir, name, *len);
        let (from, to) = (format!("d/{name}"), format!("{dst}{name}"));
        let args = [vec!["s3", "cp", &from, &to], extra.clone()].concat();
        done(name, &awl(&args));
    }
    let sync = || awl(&["s3", "sync", "d", &dst, "--checksum"]);
    assert_eq!(copied("unchanged", &sync()), BTreeSet::new());
    for (name, _, _) in &kinds {
        flip(&dir.join(name));
        assert_eq!(
            copied(name, &sync()),
            set(&[format!("upload: d/{name} to {dst}{name}")]),
            "{name}"
        );
    }
    assert_eq!(copied("all done", &sync()), BTreeSet::new());
}

#[test]
fn nothing_comparable_falls_back_to_size_and_time_and_says_so() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "sum-none");
    let (work, dir) = work("sum-none");
    let dst = format!("s3://{b}/n/");
    // SSE-KMS (its ETag is no MD5) and no checksum stored.
    data_file(&dir, "kms.bin", 2000);
    let vars = [
        ("AWS_ENDPOINT_URL", m.url.as_str()),
        ("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required"),
    ];
    let up = clean_command(env!("CARGO_BIN_EXE_awl"), &home, &vars)
        .current_dir(&work)
        .args([
            "s3",
            "cp",
            "d/kms.bin",
            &format!("{dst}kms.bin"),
            "--sse",
            "aws:kms",
        ])
        .output()
        .expect("awl runs");
    done("up", &up);
    flip(&dir.join("kms.bin"));
    let out = awl_at(&home, &m.url, &work, &["s3", "sync", "d", &dst, "--checksum"]);
    assert_eq!(done("older", &out), "", "by time: the file is older");
    assert!(
        text(&out.stderr).contains("note: 1 file(s) compared by size and time"),
        "{}",
        text(&out.stderr)
    );
    age(&dir.join("kms.bin"), -3600);
    let out = awl_at(&home, &m.url, &work, &["s3", "sync", "d", &dst, "--checksum"]);
    assert_eq!(
        done("newer", &out),
        format!("upload: d/kms.bin to {dst}kms.bin\n")
    );
}

/// awl against s3s-fs, with `vars` too.
fn awl_s3s(s: &S3sFs, url: &str, cwd: &Path, vars: &[(&str, &str)], args: &[&str]) -> Output {
    let env = [
        ("AWS_ENDPOINT_URL", url),
        ("AWS_ACCESS_KEY_ID", s.key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", s.secret.as_str()),
        ("AWS_REGION", "us-east-1"),
    ];
    common::awl_command(&temp_dir("home"), &[&env[..], vars].concat())
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("awl runs")
}

/// The requests the proxy saw: (HEADs, GETs of objects, listings).
fn counts(proxy: &Proxy, bucket: &str) -> (usize, usize, usize) {
    let heads: Vec<String> = proxy.requests().into_iter().map(|r| r.head).collect();
    let n = |f: &dyn Fn(&str) -> bool| heads.iter().filter(|h| f(h)).count();
    (
        n(&|h| h.starts_with("HEAD ")),
        n(&|h| h.starts_with(&format!("GET /{bucket}/")) && !h.contains("list-type")),
        n(&|h| h.starts_with("GET ") && h.contains("list-type=2")),
    )
}

#[test]
fn md5_etags_single_and_multipart_where_the_server_ignores_part_numbers() {
    let s = s3s_fs();
    let (work, dir) = work("sum-md5");
    let awl = |url: &str, vars: &[(&str, &str)], args: &[&str]| awl_s3s(s, url, &work, vars, args);
    done("mb", &awl(&s.url, &[], &["s3", "mb", "s3://summd5"]));
    let dst = "s3://summd5/m/";
    // A single PUT with no checksum (its ETag is its MD5), and a multipart upload by the AWS CLI in its
    // default 8 MiB parts, with no checksum either (`when_required`; else it stores CRC32).
    let plain = [("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")];
    data_file(&dir, "put.bin", 5000);
    done(
        "put",
        &awl(
            &s.url,
            &plain,
            &["s3", "cp", "d/put.bin", &format!("{dst}put.bin")],
        ),
    );
    data_file(&dir, "cli-parts.bin", 20 * MIB + 5);
    let home = temp_dir("aws-home");
    let aws = clean_command(
        venv().join("bin/aws"),
        &home,
        &[
            ("AWS_ACCESS_KEY_ID", s.key_id.as_str()),
            ("AWS_SECRET_ACCESS_KEY", s.secret.as_str()),
            ("AWS_DEFAULT_REGION", "us-east-1"),
            ("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required"),
        ],
    )
    .current_dir(&work)
    .args([
        "--endpoint-url",
        &s.url,
        "s3",
        "cp",
        "d/cli-parts.bin",
        &format!("{dst}cli-parts.bin"),
    ])
    .output()
    .expect("aws runs");
    done("aws cp", &aws);
    let stored = fs::read_dir(&s.root)
        .expect("s3s-fs root")
        .flatten()
        .filter_map(|e| fs::read_to_string(e.path()).ok())
        .collect::<String>();
    assert!(
        stored.contains("-3\""),
        "the AWS CLI's upload has a multipart ETag of 3 parts: {stored}"
    );

    let proxy = Proxy::start(s.addr);
    let sync = || awl(&proxy.url, &[], &["s3", "sync", "d", dst, "--checksum"]);
    assert_eq!(copied("unchanged", &sync()), BTreeSet::new());
    // s3s-fs lists no ETags: a HEAD for each, and one more for the object in parts (`?partNumber=1`, which
    // s3s-fs answers with the whole object: the part size is inferred from the count); no GET; the listing's
    // one page (no folders: the listing at '/' is the listing).
    assert_eq!(counts(&proxy, "summd5"), (3, 0, 1));
    for name in ["cli-parts.bin", "put.bin"] {
        flip(&dir.join(name));
        assert_eq!(
            copied(name, &sync()),
            set(&[format!("upload: d/{name} to {dst}{name}")])
        );
    }
}

/// The files strace saw opened under `dir`, each with how many times.
fn opened(log: &Path, dir: &Path) -> std::collections::BTreeMap<String, usize> {
    let mut out = std::collections::BTreeMap::new();
    let prefix = format!("\"{}/", dir.file_name().expect("name").to_string_lossy());
    for line in fs::read_to_string(log).expect("strace log").lines() {
        if let Some(i) = line.find(&prefix) {
            let rest = &line[i + prefix.len()..];
            if let Some(end) = rest.find('"') {
                *out.entry(rest[..end].to_owned()).or_insert(0) += 1;
            }
        }
    }
    out
}

#[test]
fn a_thousand_unchanged_files_cost_no_get_one_head_per_object_in_parts_and_one_read_each() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "sum-many");
    let (work, dir) = work("sum-many");
    // Written a while ago: a file written in the second of its upload would look newer than its object.
    for i in 0..1000 {
        age(&data_file(&dir, &format!("f{i:04}.txt"), 100 + i), 300);
    }
    for i in 0..3 {
        age(&data_file(&dir, &format!("parts{i}.bin"), 11 * MIB + i), 300);
    }
    let dst = format!("s3://{b}/many/");
    let up = awl_at(
        &home,
        &m.url,
        &work,
        &["s3", "sync", "d", &dst, "--multipart-chunksize", "5MiB"],
    );
    assert_eq!(done("up", &up).lines().count(), 1003);
    let bytes: usize = (0..1000).map(|i| 100 + i).sum::<usize>() + 3 * 11 * MIB + 3;

    let proxy = Proxy::start(m.addr);
    let plain = awl_at(&home, &proxy.url, &work, &["s3", "sync", "d", &dst]);
    assert_eq!(copied("plain", &plain), BTreeSet::new());
    let without = counts(&proxy, &b);
    assert_eq!(
        without,
        (0, 0, 2),
        "1,003 keys: two pages (no folders: the listing at '/' is the listing), nothing else"
    );

    let log = work.join("strace.log");
    let strace = clean_command(
        "strace",
        &home,
        &[("AWS_ENDPOINT_URL", &proxy.url), ("LC_ALL", "C.UTF-8")],
    )
    .args(["-f", "-qq", "-e", "trace=openat", "-o"])
    .arg(&log)
    .arg(env!("CARGO_BIN_EXE_awl"))
    .args(["s3", "sync", "d", &dst, "--checksum"])
    .current_dir(&work)
    .output()
    .expect("strace runs");
    assert_eq!(copied("--checksum", &strace), BTreeSet::new());
    let (heads, gets, lists) = counts(&proxy, &b);
    assert_eq!(
        (heads, gets, lists - without.2),
        (3, 0, 2),
        "one HEAD ?partNumber=1 per object in parts, none for the 1,000 single-part ones; the same listings"
    );
    let reads = opened(&log, &dir);
    assert_eq!(reads.len(), 1003, "every file read");
    assert!(reads.values().all(|n| *n == 1), "each once: {reads:?}");
    eprintln!(
        "1,003 unchanged files ({bytes} bytes): without --checksum {} requests, no file read; with it {} requests \
         ({heads} HEAD), each file opened once",
        without.2,
        lists - without.2 + heads
    );
}

#[test]
fn downloads_compare_by_content() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "sum-down");
    let (work, dir) = work("sum-down");
    data_file(&dir, "changed.bin", 4000);
    data_file(&dir, "touched.bin", 4001);
    data_file(&dir, "parts.bin", 12 * MIB + 1);
    let src = format!("s3://{b}/d/");
    let awl = |args: &[&str]| awl_at(&home, &m.url, &work, args);
    done(
        "up",
        &awl(&["s3", "sync", "d", &src, "--multipart-chunksize", "5MiB"]),
    );
    let down = "down";
    done("down", &awl(&["s3", "sync", &src, down]));
    let local = work.join(down);
    // The local copy changed with an older time (plain sync keeps it), and one untouched but newer (plain
    // sync downloads it again): by content, only the changed one comes down.
    flip(&local.join("changed.bin"));
    flip(&local.join("parts.bin"));
    age(&local.join("touched.bin"), -3600);
    let get = |name: &str| format!("download: {src}{name} to {down}/{name}");
    assert_eq!(
        line_set(&done("plain", &awl(&["s3", "sync", &src, down, "--dryrun"]))),
        set(&[format!("(dryrun) {}", get("touched.bin"))])
    );
    assert_eq!(
        copied("--checksum", &awl(&["s3", "sync", &src, down, "--checksum"])),
        set(&[get("changed.bin"), get("parts.bin")])
    );
    assert_eq!(
        fs::read(local.join("parts.bin")).ok(),
        fs::read(dir.join("parts.bin")).ok()
    );
    assert_eq!(
        copied("again", &awl(&["s3", "sync", &src, down, "--checksum"])),
        BTreeSet::new()
    );
}

#[test]
fn s3_to_s3_compares_the_stored_etags_and_checksums() {
    let m: &Moto = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "sum-copy");
    let (work, dir) = work("sum-copy");
    data_file(&dir, "same.bin", 2000);
    data_file(&dir, "changed.bin", 2001);
    let (a, c) = (format!("s3://{b}/a/"), format!("s3://{b}/c/"));
    let awl = |args: &[&str]| awl_at(&home, &m.url, &work, args);
    done("up", &awl(&["s3", "sync", "d", &a]));
    done("copy", &awl(&["s3", "sync", &a, &c]));
    // Both sources written again (newer than their copies, or in the same second): one identical, one
    // changed (same size).
    flip(&dir.join("changed.bin"));
    done("again", &awl(&["s3", "cp", "--recursive", "d", &a]));
    let copy = |name: &str| format!("copy: {a}{name} to {c}{name}");
    assert_eq!(
        copied(
            "cp --checksum",
            &awl(&["s3", "cp", "--recursive", &a, &c, "--checksum"])
        ),
        set(&[copy("changed.bin")])
    );
    assert_eq!(
        copied("sync --checksum", &awl(&["s3", "sync", &a, &c, "--checksum"])),
        BTreeSet::new()
    );
}

/// Puts `file` as `key` in parts of `sizes` with the AWS CLI's s3api (parts no uploader makes).
fn put_in_parts(home: &Path, m: &Moto, work: &Path, (b, key): (&str, &str), file: &Path, sizes: &[usize]) {
    let bytes = fs::read(file).expect("read");
    let aws = |args: &[&str]| done("s3api", &aws_at(home, m, work, &[&["s3api"][..], args].concat()));
    let field = |json: &str, name: &str| -> String {
        let after = json.split(&format!("\"{name}\": \"")).nth(1).expect(name);
        after
            .split("\",")
            .next()
            .and_then(|v| v.split("\"\n").next())
            .expect(name)
            .to_owned()
    };
    let id = field(
        &aws(&["create-multipart-upload", "--bucket", b, "--key", key]),
        "UploadId",
    );
    let mut parts = Vec::new();
    let mut offset = 0;
    for (i, len) in sizes.iter().enumerate() {
        let part = work.join(format!("part{i}"));
        fs::write(&part, &bytes[offset..offset + len]).expect("part");
        offset += len;
        let n = (i + 1).to_string();
        let path = part.to_str().expect("path");
        let up = [
            "upload-part",
            "--bucket",
            b,
            "--key",
            key,
            "--upload-id",
            &id,
            "--part-number",
            &n,
            "--body",
            path,
        ];
        let etag = field(&aws(&up), "ETag");
        parts.push(format!("{{\"PartNumber\": {n}, \"ETag\": \"{etag}\"}}"));
    }
    let doc = work.join("parts.json");
    fs::write(&doc, format!("{{\"Parts\": [{}]}}", parts.join(", "))).expect("parts.json");
    let doc = format!("file://{}", doc.display());
    aws(&[
        "complete-multipart-upload",
        "--bucket",
        b,
        "--key",
        key,
        "--upload-id",
        &id,
        "--multipart-upload",
        &doc,
    ]);
}

#[test]
fn parts_of_different_sizes_cost_a_head_each() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "sum-uneven");
    let (work, dir) = work("sum-uneven");
    // 5, 6 and 6 MiB: not uniform by the first part's size, so each part is asked (1 + 3 HEADs). 6, 5 and
    // 1 MiB + 3 look uniform (6, 6 and 3 bytes add up too): the layout tried first does not match, a HEAD of
    // the last part shows why, each part is asked and the file read again (1 + 1 + 3 HEADs, two reads).
    let objects: [(&str, Vec<usize>); 2] = [
        ("uneven.bin", vec![5 * MIB, 6 * MIB, 6 * MIB]),
        ("ambiguous.bin", vec![6 * MIB, 5 * MIB, MIB + 3]),
    ];
    for (name, sizes) in &objects {
        let file = data_file(&dir, name, sizes.iter().sum());
        age(&file, 300);
        put_in_parts(&home, m, &work, (&b, &format!("u/{name}")), &file, sizes);
    }
    let proxy = Proxy::start(m.addr);
    let dst = format!("s3://{b}/u/");
    let sync = || awl_at(&home, &proxy.url, &work, &["s3", "sync", "d", &dst, "--checksum"]);
    assert_eq!(copied("unchanged", &sync()), BTreeSet::new());
    assert_eq!(counts(&proxy, &b).0, (1 + 3) + (1 + 1 + 3));
    for (name, _) in &objects {
        flip(&dir.join(name));
        assert_eq!(
            copied(name, &sync()),
            set(&[format!("upload: d/{name} to {dst}{name}")])
        );
    }
}

/// A file of exactly the multipart threshold (8 MiB) goes up in one part (`hex-1`); HEAD `?partNumber=1` then
/// says one part, of the whole object: still compared by content, by its ETag, and under SSE-KMS by its
/// COMPOSITE checksum of one part.
#[test]
fn an_object_in_one_part_is_compared_by_content() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "sum-one");
    let (work, dir) = work("sum-one");
    let dst = format!("s3://{b}/o/");
    let awl = |args: &[&str]| awl_at(&home, &m.url, &work, args);
    let kinds: [(&str, Vec<&str>); 2] = [
        ("one-part.bin", vec![]),
        (
            "kms-one-part.bin",
            vec!["--checksum-algorithm", "SHA256", "--sse", "aws:kms"],
        ),
    ];
    for (name, extra) in &kinds {
        data_file(&dir, name, 8 * MIB);
        let (from, to) = (format!("d/{name}"), format!("{dst}{name}"));
        done(
            name,
            &awl(&[vec!["s3", "cp", &from, &to], extra.clone()].concat()),
        );
    }
    let head = aws_at(
        &home,
        m,
        &work,
        &["s3api", "head-object", "--bucket", &b, "--key", "o/one-part.bin"],
    );
    assert!(done("head", &head).contains("-1\\\""), "uploaded in one part");
    let sync = || awl(&["s3", "sync", "d", &dst, "--checksum"]);
    assert_eq!(copied("unchanged", &sync()), BTreeSet::new());
    for (name, _) in &kinds {
        flip(&dir.join(name));
        assert_eq!(
            copied(name, &sync()),
            set(&[format!("upload: d/{name} to {dst}{name}")]),
            "{name}"
        );
    }
}

/// A HEAD of a part that fails is an error of the pair, said as a comparison that failed, with nothing sent;
/// never "nothing comparable", which would let the time rule skip a changed file.
#[test]
fn a_part_size_head_that_fails_fails_the_pair() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "sum-headfail");
    let (work, dir) = work("sum-headfail");
    let sizes = vec![5 * MIB, 6 * MIB, 6 * MIB];
    let file = data_file(&dir, "uneven.bin", sizes.iter().sum());
    put_in_parts(&home, m, &work, (&b, "h/uneven.bin"), &file, &sizes);
    flip(&file);
    let proxy = Proxy::start(m.addr);
    proxy.answer("partNumber=2", 403, "");
    let dst = format!("s3://{b}/h/");
    let out = awl_at(&home, &proxy.url, &work, &["s3", "sync", "d", &dst, "--checksum"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("cannot compare d/uneven.bin to {dst}uneven.bin: ")),
        "{err}"
    );
    assert!(!err.contains("upload failed"), "{err}");
    assert!(!err.contains("compared by size and time"), "{err}");
    let puts = proxy
        .requests()
        .into_iter()
        .filter(|r| r.head.starts_with("PUT ") || r.head.starts_with("POST "))
        .count();
    assert_eq!(puts, 0, "nothing sent");
}

/// Where a HEAD after an MD5 mismatch is refused (403) or finds the object gone (404), the pair is copied:
/// the object cannot be shown to hold the file's bytes.
#[test]
fn a_mismatch_whose_head_is_refused_is_copied() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "sum-refused");
    let (work, dir) = work("sum-refused");
    let dst = format!("s3://{b}/r/");
    data_file(&dir, "a.bin", 3000);
    data_file(&dir, "b.bin", 3001);
    done("up", &awl_at(&home, &m.url, &work, &["s3", "sync", "d", &dst]));
    flip(&dir.join("a.bin"));
    flip(&dir.join("b.bin"));
    let proxy = Proxy::start(m.addr);
    proxy.answer(&format!("HEAD /{b}/r/a.bin"), 403, "");
    proxy.answer(&format!("HEAD /{b}/r/b.bin"), 404, "");
    let out = awl_at(&home, &proxy.url, &work, &["s3", "sync", "d", &dst, "--checksum"]);
    assert_eq!(
        copied("refused", &out),
        set(&[
            format!("upload: d/a.bin to {dst}a.bin"),
            format!("upload: d/b.bin to {dst}b.bin")
        ])
    );
}

/// A server that refuses `?partNumber=` (400): the part layout is inferred as where it is ignored, this
/// run's `--multipart-chunksize` first (6 MiB, which no AWS tool uses: else 5 MiB would also give 3 parts,
/// and the object would be copied for nothing).
#[test]
fn a_server_refusing_part_numbers_is_compared_by_likely_layouts() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "sum-nopart");
    let (work, dir) = work("sum-nopart");
    let dst = format!("s3://{b}/p/");
    let awl = |url: &str, args: &[&str]| awl_at(&home, url, &work, args);
    for (name, len, chunk) in [
        ("default.bin", 20 * MIB + 5, "8MiB"),
        ("six.bin", 13 * MIB, "6MiB"),
    ] {
        age(&data_file(&dir, name, len), 300);
        let (from, to) = (format!("d/{name}"), format!("{dst}{name}"));
        done(
            name,
            &awl(&m.url, &["s3", "cp", &from, &to, "--multipart-chunksize", chunk]),
        );
    }
    let proxy = Proxy::start(m.addr);
    for name in ["default.bin", "six.bin"] {
        // HEADs only: the uploads' parts go through.
        proxy.answer(&format!("HEAD /{b}/p/{name}?partNumber="), 400, "");
    }
    let sync = || {
        awl(
            &proxy.url,
            &[
                "s3",
                "sync",
                "d",
                &dst,
                "--checksum",
                "--multipart-chunksize",
                "6MiB",
            ],
        )
    };
    assert_eq!(copied("unchanged", &sync()), BTreeSet::new());
    let refused = proxy
        .requests()
        .iter()
        .filter(|r| r.head.starts_with("HEAD ") && r.head.contains("?partNumber="))
        .count();
    assert_eq!(refused, 2, "each object's HEAD ?partNumber=1 refused");
    for name in ["default.bin", "six.bin"] {
        flip(&dir.join(name));
        assert_eq!(
            copied(name, &sync()),
            set(&[format!("upload: d/{name} to {dst}{name}")])
        );
    }
}

/// Between two buckets on a server that lists no ETags (s3s-fs): the HEADs' MD5 ETags decide.
#[test]
fn s3_to_s3_uses_the_heads_etags_where_none_are_listed() {
    let s = s3s_fs();
    let (work, dir) = work("sum-s3s-copy");
    let plain = [("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")];
    let awl = |args: &[&str]| awl_s3s(s, &s.url, &work, &plain, args);
    done("mb", &awl(&["s3", "mb", "s3://sums3scopy"]));
    let (a, c) = ("s3://sums3scopy/a/", "s3://sums3scopy/c/");
    data_file(&dir, "same.bin", 2000);
    data_file(&dir, "changed.bin", 2001);
    done("a", &awl(&["s3", "sync", "d", a]));
    // The destination written after the source: by time, nothing would be copied.
    flip(&dir.join("changed.bin"));
    done("c", &awl(&["s3", "sync", "d", c]));
    assert_eq!(done("by time", &awl(&["s3", "sync", a, c])), "");
    assert_eq!(
        copied("--checksum", &awl(&["s3", "sync", a, c, "--checksum"])),
        set(&[format!("copy: {a}changed.bin to {c}changed.bin")])
    );
}
