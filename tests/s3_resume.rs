//! Uploads that resume where they stopped, against moto through a recording proxy (moto's ListParts gives
//! ETags only, so parts are checked by their MD5): a 200 MiB upload killed after 12 of its 25 parts and run
//! again sends only the 13 missing parts; a file changed between the runs (its time changed, or set back over
//! changed bytes) gets a new upload and the old one is aborted; SIGINT aborts by default and, with
//! `--resumable`, leaves the upload for the next run; an upload aborted elsewhere or a refused ListParts start
//! a new one; `sync` resumes what a killed `cp` left; the resume record's modes, removal and a corrupt one.

mod common;
#[path = "support/day.rs"]
mod day;

use common::servers::{Action, Moto, Proxy, Recorded, home_with_moto_keys, moto};
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

/// The part numbers of the UploadParts in `log`.
fn part_numbers(log: &[Recorded]) -> Vec<u64> {
    log.iter()
        .filter_map(|r| {
            let line = r.head.lines().next()?;
            let n = line.split_once("partNumber=")?.1;
            n.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
        })
        .collect()
}

/// How many requests in `log` have a request line that starts with `method` and contains `needle`.
fn count(log: &[Recorded], method: &str, needle: &str) -> usize {
    log.iter()
        .filter_map(|r| r.head.lines().next().map(str::to_owned))
        .filter(|l| l.starts_with(method) && l.contains(needle))
        .count()
}

/// The requests the proxy saw from the `from`th on.
fn since(proxy: &Proxy, from: usize) -> Vec<Recorded> {
    proxy.requests().split_off(from)
}

/// Waits until the proxy has seen `n` requests (from the `from`th on) with `method` and `needle` (an event,
/// not a delay); panics if awl ended first.
fn wait_for(proxy: &Proxy, from: usize, child: &mut Child, method: &str, needle: &str, n: usize) {
    let start = Instant::now();
    while count(&since(proxy, from), method, needle) < n {
        assert!(
            child.try_wait().expect("wait").is_none(),
            "awl ended before {n} of {method} {needle}"
        );
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the proxy never saw {n} of {method} {needle}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Sends `signal` (`KILL`, `INT`) to awl; its output.
fn signal(child: Child, signal: &str) -> Output {
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

/// A file of parts of 8 MiB in a fresh folder, a bucket, the cp arguments one part at a time, and the one
/// recording proxy every run goes through (the endpoint is part of what names a resume record).
struct Setup {
    m: &'static Moto,
    home: PathBuf,
    work: PathBuf,
    bucket: String,
    url: String,
    proxy: Proxy,
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
        proxy: Proxy::start(m.addr),
    }
}

impl Setup {
    fn cp<'a>(&'a self, extra: &[&'a str]) -> Vec<&'a str> {
        let mut a = vec!["s3", "cp", "big.bin", self.url.as_str(), "--max-concurrency", "1"];
        a.extend_from_slice(extra);
        a
    }

    /// Runs `args` through the proxy: awl's output and the requests it sent.
    fn run(&self, args: &[&str]) -> (Output, Vec<Recorded>) {
        let from = self.proxy.requests().len();
        let out = awl_at(&self.home, &self.proxy.url, &self.work, args);
        (out, since(&self.proxy, from))
    }

    /// Runs the cp again; the requests it sent.
    fn rerun(&self) -> Vec<Recorded> {
        let (out, log) = self.run(&["s3", "cp", "big.bin", self.url.as_str()]);
        done("rerun", &out);
        log
    }

    /// Runs `args` with the part after the first `stored` held forever, and ends awl with `signal` (`KILL`,
    /// `INT`) once it is held: exactly `stored` parts are then stored (one part at a time). awl's output.
    fn cut_after(&self, args: &[&str], stored: usize, sig: &str) -> Output {
        let from = self.proxy.requests().len();
        self.proxy.rule_after("partNumber=", Action::Stall, stored, 1);
        let mut child = spawn(&self.home, &self.proxy.url, &self.work, args);
        wait_for(&self.proxy, from, &mut child, "PUT", "partNumber=", stored + 1);
        signal(child, sig)
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
    let out = s.cut_after(&s.cp(&[]), 12, "KILL");
    assert_eq!(out.status.code(), None, "killed");
    // The record: 0600 in a 0700 folder, naming the upload that holds the 12 parts.
    let mode = |p: &Path| fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode(&records_dir(&s.home)), 0o700);
    let id = recorded_upload(&s.home);
    assert_eq!(mode(&records(&s.home)[0]), 0o600);
    assert_eq!(parts_held(&s.home, s.m, &s.bucket, "big.bin", &id), 12);

    let log = s.rerun();
    assert_eq!(count(&log, "GET", "uploadId="), 1, "one ListParts");
    assert_eq!(count(&log, "POST", "?uploads"), 0, "no new upload");
    assert_eq!(count(&log, "DELETE", "uploadId="), 0, "nothing aborted");
    let sent: BTreeSet<u64> = part_numbers(&log).into_iter().collect();
    assert_eq!(sent, (13..=25).collect(), "only the missing parts");
    assert_eq!(part_numbers(&log).len(), 13, "each once");
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
    let out = s.cut_after(&s.cp(&[]), 12, "KILL");
    assert_eq!(out.status.code(), None);
    let old = recorded_upload(&s.home);
    change(4 * 8 * MIB as u64 + 100);
    s.set_mtime(std::time::SystemTime::now() + Duration::from_secs(5));
    let log = s.rerun();
    assert_eq!(count(&log, "GET", "uploadId="), 0, "no ListParts");
    assert_eq!(count(&log, "DELETE", &format!("uploadId={old}")), 1, "aborted");
    assert_eq!(count(&log, "POST", "?uploads"), 1, "a new upload");
    assert_eq!(part_numbers(&log).len(), 25, "every part sent");
    same_object(&s.home, s.m, &s.work, &s.url, &s.file());
    assert_eq!(uploads_in_progress(&s.home, s.m, &s.bucket), 0);

    // 2. Stored part 3's bytes changed with the time set back (`touch -d` the old time): only its ETag
    // tells, so the parts are listed, part 3 fails its MD5, nothing is stitched.
    let out = s.cut_after(&s.cp(&[]), 12, "KILL");
    assert_eq!(out.status.code(), None);
    let old = recorded_upload(&s.home);
    let mtime = fs::metadata(s.file()).and_then(|m| m.modified()).expect("mtime");
    change(2 * 8 * MIB as u64 + 7);
    s.set_mtime(mtime);
    let log = s.rerun();
    assert_eq!(count(&log, "GET", &format!("uploadId={old}")), 1, "ListParts");
    assert_eq!(count(&log, "DELETE", &format!("uploadId={old}")), 1, "aborted");
    assert_eq!(count(&log, "POST", "?uploads"), 1, "a new upload");
    assert_eq!(part_numbers(&log).len(), 25, "no stored part reused");
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
    let out = s.cut_after(&s.cp(&[]), 2, "INT");
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    assert_eq!(uploads_in_progress(&s.home, s.m, &s.bucket), 0);
    assert!(records(&s.home).is_empty(), "{:?}", records(&s.home));

    // With it: the upload and its record stay, and stderr says how to go on.
    let out = s.cut_after(&s.cp(&["--resumable"]), 2, "INT");
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
    let log = s.rerun();
    let sent: BTreeSet<u64> = part_numbers(&log).into_iter().collect();
    assert_eq!(sent, (3..=5).collect(), "only the missing parts");
    same_object(&s.home, s.m, &s.work, &s.url, &s.file());
    assert_eq!(uploads_in_progress(&s.home, s.m, &s.bucket), 0);
    assert!(records(&s.home).is_empty());
}

#[test]
fn a_corrupt_record_is_ignored_and_replaced() {
    let s = setup("corrupt", 24 * MIB);
    let out = s.cut_after(&s.cp(&[]), 1, "KILL");
    assert_eq!(out.status.code(), None);
    let record = records(&s.home).pop().expect("a record");
    fs::write(&record, "{\"version\": 1, \"bucket\": ").expect("corrupt it");
    let log = s.rerun();
    assert_eq!(count(&log, "GET", "uploadId="), 0, "nothing to list");
    assert_eq!(count(&log, "POST", "?uploads"), 1, "a new upload");
    assert_eq!(part_numbers(&log).len(), 3);
    same_object(&s.home, s.m, &s.work, &s.url, &s.file());
    assert!(records(&s.home).is_empty());
    // The upload the corrupt record named cannot be named any more: it stays, for rb --force or a lifecycle
    // rule, as any upload a lost record leaves.
    assert_eq!(uploads_in_progress(&s.home, s.m, &s.bucket), 1);
}

#[test]
fn an_upload_aborted_elsewhere_is_started_again_after_one_listparts() {
    let s = setup("gone", 24 * MIB);
    let out = s.cut_after(&s.cp(&[]), 1, "KILL");
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
    let log = s.rerun();
    assert_eq!(
        count(&log, "GET", &format!("uploadId={id}")),
        1,
        "ListParts: NoSuchUpload"
    );
    assert_eq!(count(&log, "DELETE", "uploadId="), 0, "nothing to abort");
    assert_eq!(count(&log, "POST", "?uploads"), 1, "a new upload");
    assert_eq!(part_numbers(&log).len(), 3);
    same_object(&s.home, s.m, &s.work, &s.url, &s.file());
    assert!(records(&s.home).is_empty());
    assert_eq!(uploads_in_progress(&s.home, s.m, &s.bucket), 0);
}

#[test]
fn a_refused_listparts_starts_a_new_upload_rather_than_failing_every_run() {
    let s = setup("refused", 24 * MIB);
    let out = s.cut_after(&s.cp(&[]), 1, "KILL");
    assert_eq!(out.status.code(), None);
    let id = recorded_upload(&s.home);
    // A policy without s3:ListMultipartUploadParts.
    s.proxy.answer(
        &format!("GET /{}/big.bin?uploadId=", s.bucket),
        403,
        "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
    );
    let log = s.rerun();
    assert_eq!(count(&log, "GET", &format!("uploadId={id}")), 1);
    assert_eq!(count(&log, "DELETE", &format!("uploadId={id}")), 1, "aborted");
    assert_eq!(part_numbers(&log).len(), 3, "every part sent");
    same_object(&s.home, s.m, &s.work, &s.url, &s.file());
    assert_eq!(uploads_in_progress(&s.home, s.m, &s.bucket), 0);
}

#[test]
fn sync_resumes_the_upload_a_killed_cp_left() {
    let s = setup("sync", 24 * MIB);
    let out = s.cut_after(&s.cp(&[]), 1, "KILL");
    assert_eq!(out.status.code(), None);
    let dst = format!("s3://{}/", s.bucket);
    let (out, log) = s.run(&["s3", "sync", ".", dst.as_str(), "--resumable"]);
    let printed = done("sync", &out);
    assert_eq!(printed.trim_end(), format!("upload: ./big.bin to {}", s.url));
    assert_eq!(count(&log, "GET", "uploadId="), 1, "ListParts");
    let sent: BTreeSet<u64> = part_numbers(&log).into_iter().collect();
    assert_eq!(sent, (2..=3).collect(), "only the missing parts");
    same_object(&s.home, s.m, &s.work, &s.url, &s.file());
    assert!(records(&s.home).is_empty());
}

/// The ListParts request of the upload of big.bin, as the proxy sees it.
fn list_parts(s: &Setup) -> String {
    format!("GET /{}/big.bin?uploadId=", s.bucket)
}

/// The AbortMultipartUpload request of the upload of big.bin.
fn abort_of(s: &Setup) -> String {
    format!("DELETE /{}/big.bin?uploadId=", s.bucket)
}

const SLOW_DOWN: &str =
    "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";

#[test]
fn an_abort_that_fails_keeps_the_record_that_names_the_upload() {
    let s = setup("abortfail", 24 * MIB);
    // Every abort answered 503 (after the retries too).
    s.proxy.answer(&abort_of(&s), 503, SLOW_DOWN);
    // 1. A part refused: the upload is aborted, which fails; its record stays, and stderr says so.
    s.proxy.answer_times(
        "partNumber=2",
        400,
        "<Error><Code>InvalidArgument</Code><Message>no</Message></Error>",
        "",
        1,
    );
    let (out, log) = s.run(&s.cp(&[]));
    assert_ne!(out.status.code(), Some(0));
    assert!(count(&log, "DELETE", "uploadId=") >= 1, "an abort was tried");
    let err = text(&out.stderr);
    assert!(
        err.contains("could not be aborted") && err.contains("is kept"),
        "{err}"
    );
    let id = recorded_upload(&s.home);
    assert_eq!(uploads_in_progress(&s.home, s.m, &s.bucket), 1);

    // 2. The file changed: the old upload's abort fails again, so its record stays as it was; the file is
    // uploaded anew (with no record: the one place for it names the old upload).
    s.set_mtime(std::time::SystemTime::now() + Duration::from_secs(5));
    let (out, log) = s.run(&s.cp(&[]));
    done("upload anew", &out);
    assert!(count(&log, "DELETE", &format!("uploadId={id}")) >= 1);
    assert!(
        text(&out.stderr).contains("could not be aborted"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        recorded_upload(&s.home),
        id,
        "the record still names the old upload"
    );
    same_object(&s.home, s.m, &s.work, &s.url, &s.file());
    assert_eq!(
        uploads_in_progress(&s.home, s.m, &s.bucket),
        1,
        "only the old one"
    );
}

#[test]
fn resumable_without_a_record_aborts_on_a_signal() {
    let s = setup("norecord", 24 * MIB);
    // The records folder cannot be made (a file in its place; permissions do not stop root).
    fs::create_dir_all(s.home.join(".aws/awl")).expect("mkdir");
    fs::write(records_dir(&s.home), "not a folder").expect("file");
    let out = s.cut_after(&s.cp(&["--resumable"]), 1, "INT");
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(!err.contains("left for a later run"), "{err}");
    assert_eq!(
        uploads_in_progress(&s.home, s.m, &s.bucket),
        0,
        "nothing could find it: aborted"
    );
}

#[test]
fn a_signal_while_the_parts_are_checked_aborts_without_resumable() {
    let s = setup("checksig", 24 * MIB);
    let out = s.cut_after(&s.cp(&[]), 1, "KILL");
    assert_eq!(out.status.code(), None);
    recorded_upload(&s.home);
    // ListParts held: the signal comes while the stored parts are being checked.
    let from = s.proxy.requests().len();
    s.proxy.rule(&list_parts(&s), Action::Stall, 1);
    let mut child = spawn(&s.home, &s.proxy.url, &s.work, &s.cp(&[]));
    wait_for(&s.proxy, from, &mut child, "GET", "uploadId=", 1);
    let out = signal(child, "INT");
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    assert_eq!(
        uploads_in_progress(&s.home, s.m, &s.bucket),
        0,
        "aborted: nothing billed"
    );
    assert!(records(&s.home).is_empty(), "{:?}", records(&s.home));
}

#[test]
fn a_listparts_that_fails_for_a_while_keeps_the_record_and_names_it() {
    let s = setup("listfail", 24 * MIB);
    let out = s.cut_after(&s.cp(&[]), 1, "KILL");
    assert_eq!(out.status.code(), None);
    let id = recorded_upload(&s.home);
    s.proxy.answer(&list_parts(&s), 503, SLOW_DOWN);
    let (out, log) = s.run(&s.cp(&[]));
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(count(&log, "DELETE", "uploadId="), 0, "not aborted");
    let err = text(&out.stderr);
    let record = records(&s.home).pop().expect("kept");
    let name = record.file_name().and_then(|n| n.to_str()).expect("name");
    assert!(err.contains(name), "the hint names the record: {err}");
    assert_eq!(recorded_upload(&s.home), id);
}

#[test]
fn an_upload_made_at_another_endpoint_is_not_resumed_there() {
    let s = setup("endpoint", 24 * MIB);
    let out = s.cut_after(&s.cp(&[]), 1, "KILL");
    assert_eq!(out.status.code(), None);
    let id = recorded_upload(&s.home);
    // The same bucket name at another endpoint (another proxy, here to the same store): its own upload.
    let other = Proxy::start(s.m.addr);
    done(
        "other endpoint",
        &awl_at(&s.home, &other.url, &s.work, &s.cp(&[])),
    );
    let log = other.requests();
    assert_eq!(count(&log, "GET", "uploadId="), 0, "no ListParts there");
    assert_eq!(count(&log, "DELETE", "uploadId="), 0, "nothing aborted there");
    assert_eq!(part_numbers(&log).len(), 3);
    assert_eq!(recorded_upload(&s.home), id, "the first endpoint's record stays");
    // Back at the first endpoint, the upload resumes.
    let log = s.rerun();
    assert_eq!(count(&log, "GET", &format!("uploadId={id}")), 1);
    let sent: BTreeSet<u64> = part_numbers(&log).into_iter().collect();
    assert_eq!(sent, (2..=3).collect());
    assert!(records(&s.home).is_empty());
    assert_eq!(uploads_in_progress(&s.home, s.m, &s.bucket), 0);
}
