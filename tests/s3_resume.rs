//! Uploads that resume where they stopped, against moto through a recording proxy (moto's ListParts gives
//! ETags only, so parts are checked by their MD5): a 200 MiB upload killed after 12 of its 25 parts and run
//! again sends only the 13 missing parts; a file changed between the runs (its time changed, or set back over
//! changed bytes) gets a new upload and the old one is aborted; SIGINT aborts by default and, with
//! `--resumable`, leaves the upload for the next run; an upload aborted elsewhere or a refused ListParts start
//! a new one; `sync` resumes what a killed `cp` left; the resume record's modes, removal and a corrupt one.

mod common;
#[path = "support/day.rs"]
mod day;

use common::servers::{Action, Moto, Proxy, home_with_moto_keys, moto};
use common::{data_file, temp_dir, text};
use day::{awl_at, aws_at, done, new_bucket, spawn, uploads_in_progress};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::{FileExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Output};
use std::time::{Duration, Instant};

const MIB: usize = 1 << 20;

/// Where awl keeps its resume records under `home`.
fn records_dir(home: &Path) -> PathBuf {
    home.join(".aws/awl/uploads")
}

/// The resume records under `home`.
fn records(home: &Path) -> Vec<PathBuf> {
    fs::read_dir(records_dir(home))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

/// The part numbers of the UploadParts the proxy saw.
fn part_numbers(proxy: &Proxy) -> Vec<u64> {
    proxy
        .requests()
        .iter()
        .filter_map(|r| {
            let line = r.head.lines().next()?;
            let n = line.split_once("partNumber=")?.1;
            n.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
        })
        .collect()
}

/// How many requests the proxy saw whose request line starts with `method` and contains `needle`.
fn count(proxy: &Proxy, method: &str, needle: &str) -> usize {
    proxy
        .requests()
        .iter()
        .filter_map(|r| r.head.lines().next().map(str::to_owned))
        .filter(|l| l.starts_with(method) && l.contains(needle))
        .count()
}

/// Waits until the proxy has seen `n` UploadParts (an event, not a delay); panics if awl ended first.
fn wait_for_parts(proxy: &Proxy, child: &mut Child, n: usize) {
    let start = Instant::now();
    while part_numbers(proxy).len() < n {
        assert!(
            child.try_wait().expect("wait").is_none(),
            "awl ended before {n} parts"
        );
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the proxy never saw {n} parts"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Runs `cp file s3://b/key` through a proxy that holds every part after the first `stored` forever, and ends
/// awl with `signal` (`KILL`, `INT`) once the next part is held: exactly `stored` parts are then stored (one
/// part at a time). awl's output.
fn cut_after(home: &Path, m: &Moto, work: &Path, args: &[&str], stored: usize, signal: &str) -> Output {
    let proxy = Proxy::start(m.addr);
    proxy.rule_after("partNumber=", Action::Stall, stored, usize::MAX);
    let mut child = spawn(home, &proxy.url, work, args);
    wait_for_parts(&proxy, &mut child, stored + 1);
    let st = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(st.success());
    child.wait_with_output().expect("awl exits")
}

/// The upload id the one record under `home` names.
fn recorded_upload(home: &Path) -> String {
    let r = records(home);
    assert_eq!(r.len(), 1, "one record: {r:?}");
    let v = awl::codec::json::parse(&fs::read_to_string(&r[0]).expect("record")).expect("JSON");
    v.get("upload_id")
        .and_then(|u| u.as_str())
        .expect("upload_id")
        .to_owned()
}

/// How many parts the upload holds, as the AWS CLI lists them.
fn parts_held(home: &Path, m: &Moto, bucket: &str, key: &str, id: &str) -> usize {
    let out = aws_at(
        home,
        m,
        home,
        &[
            "s3api",
            "list-parts",
            "--bucket",
            bucket,
            "--key",
            key,
            "--upload-id",
            id,
            "--output",
            "json",
        ],
    );
    let v = awl::codec::json::parse(&done("list-parts", &out)).expect("JSON");
    v.get("Parts").and_then(|p| p.as_array()).map_or(0, <[_]>::len)
}

/// SHA-256 of the object, downloaded by the AWS CLI, against the file's.
fn same_object(home: &Path, m: &Moto, work: &Path, url: &str, file: &Path) {
    let got = work.join("got.bin");
    done("get", &aws_at(home, m, work, &["s3", "cp", url, "got.bin"]));
    let hash = |p: &Path| hex::encode(Sha256::digest(fs::read(p).expect("read")));
    assert_eq!(hash(&got), hash(file), "{url} is byte for byte the file");
    fs::remove_file(got).expect("rm");
}

/// A 200 MiB file (25 parts of 8 MiB) in a fresh folder, a bucket, and the cp arguments one part at a time.
struct Setup {
    m: &'static Moto,
    home: PathBuf,
    work: PathBuf,
    bucket: String,
    url: String,
}

fn setup(tag: &str, size: usize) -> Setup {
    let m = moto();
    let home = home_with_moto_keys(m);
    let bucket = new_bucket(&home, m, tag);
    let work = temp_dir(tag);
    data_file(&work, "big.bin", size);
    let url = format!("s3://{bucket}/big.bin");
    Setup {
        m,
        home,
        work,
        bucket,
        url,
    }
}

impl Setup {
    fn cp<'a>(&'a self, extra: &[&'a str]) -> Vec<&'a str> {
        let mut a = vec!["s3", "cp", "big.bin", self.url.as_str(), "--max-concurrency", "1"];
        a.extend_from_slice(extra);
        a
    }

    /// Runs the cp again through a recording proxy; the proxy.
    fn rerun(&self) -> Proxy {
        let proxy = Proxy::start(self.m.addr);
        let args = ["s3", "cp", "big.bin", self.url.as_str()];
        done("rerun", &awl_at(&self.home, &proxy.url, &self.work, &args));
        proxy
    }

    fn file(&self) -> PathBuf {
        self.work.join("big.bin")
    }

    fn set_mtime(&self, t: std::time::SystemTime) {
        fs::File::options()
            .write(true)
            .open(self.file())
            .and_then(|f| f.set_modified(t))
            .expect("set mtime");
    }
}

#[test]
fn an_upload_killed_after_12_of_25_parts_sends_only_the_13_missing() {
    let s = setup("resume", 200 * MIB);
    let out = cut_after(&s.home, s.m, &s.work, &s.cp(&[]), 12, "KILL");
    assert_eq!(out.status.code(), None, "killed");
    // The record: 0600 in a 0700 folder, naming the upload that holds the 12 parts.
    let mode = |p: &Path| fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode(&records_dir(&s.home)), 0o700);
    let id = recorded_upload(&s.home);
    assert_eq!(mode(&records(&s.home)[0]), 0o600);
    assert_eq!(parts_held(&s.home, s.m, &s.bucket, "big.bin", &id), 12);

    let proxy = s.rerun();
    assert_eq!(count(&proxy, "GET", "uploadId="), 1, "one ListParts");
    assert_eq!(count(&proxy, "POST", "?uploads"), 0, "no new upload");
    assert_eq!(count(&proxy, "DELETE", "uploadId="), 0, "nothing aborted");
    let sent: BTreeSet<u64> = part_numbers(&proxy).into_iter().collect();
    assert_eq!(sent, (13..=25).collect(), "only the missing parts");
    assert_eq!(part_numbers(&proxy).len(), 13, "each once");
    same_object(&s.home, s.m, &s.work, &s.url, &s.file());
    assert!(records(&s.home).is_empty(), "the record is removed once complete");
    assert_eq!(uploads_in_progress(&s.home, s.m, &s.bucket), 0);
}

#[test]
fn a_file_changed_between_the_runs_gets_a_new_upload_and_the_old_is_aborted() {
    let s = setup("stale", 200 * MIB);
    let change = |at: u64| {
        let f = fs::File::options().write(true).open(s.file()).expect("open");
        f.write_all_at(b"changed in the middle", at).expect("write");
    };
    // 1. The middle rewritten (a stored part, 5): size and inode kept, the time moves on. The record says
    // the file changed: the old upload is aborted without a look at its parts.
    let out = cut_after(&s.home, s.m, &s.work, &s.cp(&[]), 12, "KILL");
    assert_eq!(out.status.code(), None);
    let old = recorded_upload(&s.home);
    change(4 * 8 * MIB as u64 + 100);
    s.set_mtime(std::time::SystemTime::now() + Duration::from_secs(5));
    let proxy = s.rerun();
    assert_eq!(count(&proxy, "GET", "uploadId="), 0, "no ListParts");
    assert_eq!(count(&proxy, "DELETE", &format!("uploadId={old}")), 1, "aborted");
    assert_eq!(count(&proxy, "POST", "?uploads"), 1, "a new upload");
    assert_eq!(part_numbers(&proxy).len(), 25, "every part sent");
    same_object(&s.home, s.m, &s.work, &s.url, &s.file());
    assert_eq!(uploads_in_progress(&s.home, s.m, &s.bucket), 0);

    // 2. Stored part 3's bytes changed with the time set back (`touch -d` the old time): only its ETag
    // tells, so the parts are listed, part 3 fails its MD5, nothing is stitched.
    let out = cut_after(&s.home, s.m, &s.work, &s.cp(&[]), 12, "KILL");
    assert_eq!(out.status.code(), None);
    let old = recorded_upload(&s.home);
    let mtime = fs::metadata(s.file()).and_then(|m| m.modified()).expect("mtime");
    change(2 * 8 * MIB as u64 + 7);
    s.set_mtime(mtime);
    let proxy = s.rerun();
    assert_eq!(count(&proxy, "GET", &format!("uploadId={old}")), 1, "ListParts");
    assert_eq!(count(&proxy, "DELETE", &format!("uploadId={old}")), 1, "aborted");
    assert_eq!(count(&proxy, "POST", "?uploads"), 1, "a new upload");
    assert_eq!(part_numbers(&proxy).len(), 25, "no stored part reused");
    same_object(&s.home, s.m, &s.work, &s.url, &s.file());
    assert_eq!(
        uploads_in_progress(&s.home, s.m, &s.bucket),
        0,
        "the old upload is gone"
    );
    assert!(records(&s.home).is_empty());
}

#[test]
fn sigint_aborts_unless_resumable_which_leaves_the_upload_for_the_next_run() {
    let s = setup("sigint", 40 * MIB);
    // Without --resumable: today's promise, nothing left billed, no record.
    let out = cut_after(&s.home, s.m, &s.work, &s.cp(&[]), 2, "INT");
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    assert_eq!(uploads_in_progress(&s.home, s.m, &s.bucket), 0);
    assert!(records(&s.home).is_empty(), "{:?}", records(&s.home));

    // With it: the upload and its record stay, and stderr says how to go on.
    let out = cut_after(&s.home, s.m, &s.work, &s.cp(&["--resumable"]), 2, "INT");
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("the upload of {} is left for a later run", s.url))
            && err.contains("run the same command again to resume it"),
        "{err}"
    );
    let id = recorded_upload(&s.home);
    assert_eq!(uploads_in_progress(&s.home, s.m, &s.bucket), 1);
    assert_eq!(parts_held(&s.home, s.m, &s.bucket, "big.bin", &id), 2);
    let proxy = s.rerun();
    let sent: BTreeSet<u64> = part_numbers(&proxy).into_iter().collect();
    assert_eq!(sent, (3..=5).collect(), "only the missing parts");
    same_object(&s.home, s.m, &s.work, &s.url, &s.file());
    assert_eq!(uploads_in_progress(&s.home, s.m, &s.bucket), 0);
    assert!(records(&s.home).is_empty());
}

#[test]
fn a_corrupt_record_is_ignored_and_replaced() {
    let s = setup("corrupt", 24 * MIB);
    let out = cut_after(&s.home, s.m, &s.work, &s.cp(&[]), 1, "KILL");
    assert_eq!(out.status.code(), None);
    let record = records(&s.home).pop().expect("a record");
    fs::write(&record, "{\"version\": 1, \"bucket\": ").expect("corrupt it");
    let proxy = s.rerun();
    assert_eq!(count(&proxy, "GET", "uploadId="), 0, "nothing to list");
    assert_eq!(count(&proxy, "POST", "?uploads"), 1, "a new upload");
    assert_eq!(part_numbers(&proxy).len(), 3);
    same_object(&s.home, s.m, &s.work, &s.url, &s.file());
    assert!(records(&s.home).is_empty());
    // The upload the corrupt record named cannot be named any more: it stays, for rb --force or a lifecycle
    // rule, as any upload a lost record leaves.
    assert_eq!(uploads_in_progress(&s.home, s.m, &s.bucket), 1);
}

#[test]
fn an_upload_aborted_elsewhere_is_started_again_after_one_listparts() {
    let s = setup("gone", 24 * MIB);
    let out = cut_after(&s.home, s.m, &s.work, &s.cp(&[]), 1, "KILL");
    assert_eq!(out.status.code(), None);
    let id = recorded_upload(&s.home);
    // As `rb --force`, `rm --recursive` or a lifecycle rule would: the record stays, its upload is gone.
    done(
        "abort",
        &aws_at(
            &s.home,
            s.m,
            &s.work,
            &[
                "s3api",
                "abort-multipart-upload",
                "--bucket",
                &s.bucket,
                "--key",
                "big.bin",
                "--upload-id",
                &id,
            ],
        ),
    );
    let proxy = s.rerun();
    assert_eq!(
        count(&proxy, "GET", &format!("uploadId={id}")),
        1,
        "ListParts: NoSuchUpload"
    );
    assert_eq!(count(&proxy, "DELETE", "uploadId="), 0, "nothing to abort");
    assert_eq!(count(&proxy, "POST", "?uploads"), 1, "a new upload");
    assert_eq!(part_numbers(&proxy).len(), 3);
    same_object(&s.home, s.m, &s.work, &s.url, &s.file());
    assert!(records(&s.home).is_empty());
    assert_eq!(uploads_in_progress(&s.home, s.m, &s.bucket), 0);
}

#[test]
fn a_refused_listparts_starts_a_new_upload_rather_than_failing_every_run() {
    let s = setup("refused", 24 * MIB);
    let out = cut_after(&s.home, s.m, &s.work, &s.cp(&[]), 1, "KILL");
    assert_eq!(out.status.code(), None);
    let id = recorded_upload(&s.home);
    let proxy = Proxy::start(s.m.addr);
    // A policy without s3:ListMultipartUploadParts.
    proxy.answer(
        &format!("GET /{}/big.bin?uploadId=", s.bucket),
        403,
        "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
    );
    let args = ["s3", "cp", "big.bin", s.url.as_str()];
    done("rerun", &awl_at(&s.home, &proxy.url, &s.work, &args));
    assert_eq!(count(&proxy, "GET", &format!("uploadId={id}")), 1);
    assert_eq!(count(&proxy, "DELETE", &format!("uploadId={id}")), 1, "aborted");
    assert_eq!(part_numbers(&proxy).len(), 3, "every part sent");
    same_object(&s.home, s.m, &s.work, &s.url, &s.file());
    assert_eq!(uploads_in_progress(&s.home, s.m, &s.bucket), 0);
}

#[test]
fn sync_resumes_the_upload_a_killed_cp_left() {
    let s = setup("sync", 24 * MIB);
    let out = cut_after(&s.home, s.m, &s.work, &s.cp(&[]), 1, "KILL");
    assert_eq!(out.status.code(), None);
    let proxy = Proxy::start(s.m.addr);
    let dst = format!("s3://{}/", s.bucket);
    let args = ["s3", "sync", ".", dst.as_str(), "--resumable"];
    let printed = done("sync", &awl_at(&s.home, &proxy.url, &s.work, &args));
    assert_eq!(printed.trim_end(), format!("upload: ./big.bin to {}", s.url));
    assert_eq!(count(&proxy, "GET", "uploadId="), 1, "ListParts");
    let sent: BTreeSet<u64> = part_numbers(&proxy).into_iter().collect();
    assert_eq!(sent, (2..=3).collect(), "only the missing parts");
    same_object(&s.home, s.m, &s.work, &s.url, &s.file());
    assert!(records(&s.home).is_empty());
}
