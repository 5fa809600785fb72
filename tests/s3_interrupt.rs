//! Faults in the middle of many transfers, against moto through a recording proxy: sync killed with SIGKILL
//! at seeded moments and run again; SIGINT and SIGTERM mid-sync both ways; a file that changes while it goes
//! up; the hostile file types and links of a local tree.

mod common;
#[path = "support/day.rs"]
mod day;

use common::servers::{Action, Proxy, home_with_moto_keys, moto};
use common::{data_file, temp_dir, text};
use day::{
    awl_at, diff_r, done, files, line_set, new_bucket, objects, spawn, temporaries, tree_of_300,
    uploads_in_progress,
};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::{Child, Output};
use std::time::{Duration, Instant};

/// Waits until the proxy has seen `n` requests that contain `needle` (an event, not a delay); false if awl
/// ended first.
fn wait_for(proxy: &Proxy, child: &mut Child, needle: &str, n: usize) -> bool {
    let start = Instant::now();
    loop {
        let seen = proxy
            .requests()
            .iter()
            .filter(|r| r.head.contains(needle))
            .count();
        if seen >= n {
            return true;
        }
        if child.try_wait().expect("wait").is_some() {
            return false;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the proxy never saw {n} x {needle:?}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn signal(child: &Child, sig: &str) {
    let st = std::process::Command::new("kill")
        .args([&format!("-{sig}"), &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(st.success());
}

/// A seeded sequence of moments (request counts) in `lo..hi`.
fn moments(seed: u64, n: usize, lo: usize, hi: usize) -> Vec<usize> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            lo + usize::try_from(x % (hi - lo) as u64).expect("small")
        })
        .collect()
}

fn ended(child: Child) -> Output {
    child.wait_with_output().expect("awl exits")
}

#[test]
fn sync_killed_at_ten_seeded_moments_converges_when_run_again() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "kill");
    let tree = tree_of_300("kill");
    let want = files(&tree);
    let work = tree.parent().expect("parent").to_owned();
    let src = tree.file_name().expect("name").to_string_lossy().into_owned();
    const SEED: u64 = 0x5eed_2026_1201;
    let mut left_by_kills = Vec::new();
    for (round, k) in moments(SEED, 10, 1, 290).into_iter().enumerate() {
        let dst = format!("s3://{b}/r{round}/");
        let proxy = Proxy::start(m.addr);
        let mut child = spawn(&home, &proxy.url, &work, &["s3", "sync", &src, &dst]);
        assert!(
            wait_for(&proxy, &mut child, "HTTP/1.1", k),
            "seed {SEED:#x} round {round}: awl ended before request {k}"
        );
        child.kill().expect("SIGKILL");
        let out = ended(child);
        assert_eq!(out.status.code(), None, "killed by the signal");
        let there = objects(&home, m, &b, &format!("r{round}/"));
        for (key, size) in &there {
            assert_eq!(
                want.get(key),
                Some(size),
                "round {round} (k={k}): {key} is whole or absent"
            );
        }
        // The next run copies what is missing, and only that.
        let again = done(
            "rerun",
            &awl_at(&home, &m.url, &work, &["s3", "sync", &src, &dst]),
        );
        let copied: BTreeSet<String> = again
            .lines()
            .map(|l| {
                l.rsplit_once(&format!(" to {dst}"))
                    .map(|(_, k)| k.to_owned())
                    .expect("an upload line")
            })
            .collect();
        let missing: BTreeSet<String> = want.keys().filter(|k| !there.contains_key(*k)).cloned().collect();
        // Only what was missing: the PUTs the killed run had already sent (up to 128 in flight) may still land
        // after the listing above, so the rerun may find fewer missing, never copy what was there.
        assert!(
            copied.is_subset(&missing),
            "round {round} (k={k}): copied again {:?}",
            copied.difference(&missing).collect::<Vec<_>>()
        );
        assert_eq!(
            objects(&home, m, &b, &format!("r{round}/")),
            want,
            "round {round} (k={k})"
        );
        left_by_kills.push(uploads_in_progress(&home, m, &b));
    }
    // SIGKILL gives no chance to abort a multipart upload; rb --force clears what is left, with the bucket.
    eprintln!("uploads in progress after each kill and rerun: {left_by_kills:?}");
    let out = done(
        "rb --force",
        &awl_at(
            &home,
            &m.url,
            &work,
            &["s3", "rb", "--force", &format!("s3://{b}")],
        ),
    );
    assert!(
        out.ends_with(&format!("remove_bucket: {b}\n")),
        "{left_by_kills:?} uploads were left: {out}"
    );
}

#[test]
fn sigint_and_sigterm_mid_sync_leave_nothing_partial_either_way() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "intr");
    let work = temp_dir("intr");
    let local = work.join("local");
    fs::create_dir_all(&local).expect("dir");
    data_file(&local, "big.bin", 12 << 20);
    for i in 0..20 {
        fs::write(local.join(format!("f{i:02}")), format!("{i}")).expect("file");
    }
    for f in files(&local).keys() {
        day::age(&local.join(f), 600);
    }
    let parts = ["--multipart-chunksize", "5MiB", "--multipart-threshold", "5MiB"];
    let url = format!("s3://{b}/p/");

    // Up: SIGINT while the big file's parts are in flight (held by the proxy): its upload is aborted.
    let proxy = Proxy::start(m.addr);
    proxy.slow("partNumber=", Duration::from_secs(30));
    let args: Vec<&str> = ["s3", "sync", "local", url.as_str()]
        .into_iter()
        .chain(parts)
        .collect();
    let mut child = spawn(&home, &proxy.url, &work, &args);
    assert!(wait_for(&proxy, &mut child, "partNumber=", 1));
    signal(&child, "INT");
    let out = ended(child);
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).ends_with("awl: error: interrupted by SIGINT\n"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        uploads_in_progress(&home, m, &b),
        0,
        "the multipart upload was aborted"
    );
    assert!(!objects(&home, m, &b, "p/").contains_key("big.bin"));
    let again = done("rerun", &awl_at(&home, &m.url, &work, &args));
    let before = line_set(&text(&out.stdout)).len();
    // No file is copied twice. (A small file whose PUT completed as the signal came may have no line in
    // the first run: the run ends within a second, not after printing, so the sum may be 20.)
    assert!(
        again.lines().count() + before <= 21,
        "each file copied at most once over the two runs: {before} + {again}"
    );
    assert_eq!(objects(&home, m, &b, "p/"), files(&local));

    // Down: SIGTERM while the big object streams in slowly: no file under its name, no temporaries.
    let proxy = Proxy::start(m.addr);
    proxy.rule(
        &format!("GET /{b}/p/big.bin"),
        Action::Throttle(1 << 20),
        usize::MAX,
    );
    let mut child = spawn(&home, &proxy.url, &work, &["s3", "sync", &url, "down"]);
    assert!(wait_for(&proxy, &mut child, &format!("GET /{b}/p/big.bin"), 1));
    signal(&child, "TERM");
    let out = ended(child);
    assert_eq!(out.status.code(), Some(143), "{}", text(&out.stderr));
    let down = work.join("down");
    assert!(!down.join("big.bin").exists(), "no partial file at the name");
    assert!(temporaries(&work).is_empty(), "{:?}", temporaries(&work));
    done(
        "rerun down",
        &awl_at(&home, &m.url, &work, &["s3", "sync", &url, "down"]),
    );
    diff_r(&local, &down).expect("complete after the rerun");
}

#[test]
fn a_file_that_changes_while_it_goes_up_is_refused() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "change");
    let dir = temp_dir("change");
    let file = data_file(&dir, "growing.log", 12 << 20);
    let proxy = Proxy::start(m.addr);
    // The second part is held back, so the upload is still going when the file changes.
    proxy.slow("partNumber=2", Duration::from_secs(2));
    let target = format!("s3://{b}/growing.log");
    let mut child = spawn(
        &home,
        &proxy.url,
        &dir,
        &[
            "s3",
            "cp",
            "growing.log",
            &target,
            "--multipart-chunksize",
            "5MiB",
        ],
    );
    assert!(wait_for(&proxy, &mut child, "partNumber=1", 1));
    fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"one more line\n"))
        .expect("append");
    let out = ended(child);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.starts_with(&format!("awl: error: upload failed: ./growing.log to {target}: ")),
        "{err}"
    );
    assert!(err.contains("changed while it was uploaded"), "{err}");
    assert!(objects(&home, m, &b, "").is_empty(), "nothing stored");
    assert_eq!(uploads_in_progress(&home, m, &b), 0, "its parts were aborted");
}

fn mkfifo(path: &Path) {
    let st = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(st.success());
}

#[test]
fn hostile_entries_in_a_tree_are_skipped_with_a_warning_and_exit_2() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "hostile");
    let work = temp_dir("hostile");
    let t = work.join("t");
    fs::create_dir_all(t.join("sub")).expect("dirs");
    fs::write(t.join("ok.txt"), "ok").expect("file");
    fs::write(work.join("outside.txt"), "linked in").expect("file");
    mkfifo(&t.join("fifo"));
    std::os::unix::fs::symlink("..", t.join("sub/loop")).expect("loop");
    std::os::unix::fs::symlink("nowhere", t.join("dangling")).expect("dangling");
    std::os::unix::fs::symlink("../outside.txt", t.join("linked.txt")).expect("link");
    let _sock = std::os::unix::net::UnixListener::bind(t.join("sock")).expect("socket");
    for (extra, keys) in [
        (&[][..], &["linked.txt", "ok.txt"][..]),
        (&["--no-follow-symlinks"][..], &["ok.txt"][..]),
    ] {
        let dst = format!("s3://{b}/{}/", extra.len());
        let mut args = vec!["s3", "sync", "t", dst.as_str()];
        args.extend(extra);
        // A FIFO that nobody writes to would hang a reader: the run must end, and quickly.
        let mut child = spawn(&home, &m.url, &work, &args);
        let start = Instant::now();
        while child.try_wait().expect("wait").is_none() {
            assert!(start.elapsed() < Duration::from_secs(30), "awl hung on the tree");
            std::thread::sleep(Duration::from_millis(5));
        }
        let out = ended(child);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(err.lines().all(|l| l.starts_with("warning: skipping ")), "{err}");
        assert!(
            err.contains("t/fifo: it is a FIFO") && err.contains("t/sock: it is a socket"),
            "{err}"
        );
        if extra.is_empty() {
            assert!(
                err.contains("t/sub/loop: it links back to a folder above it"),
                "{err}"
            );
            assert!(err.contains("t/dangling: it cannot be read"), "{err}");
        }
        let there: Vec<String> = objects(&home, m, &b, &format!("{}/", extra.len()))
            .into_keys()
            .collect();
        assert_eq!(there, keys, "{extra:?}");
    }
}
