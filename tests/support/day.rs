//! What the S3-day tests share: awl and the AWS CLI run from a chosen folder against moto, the 300-file tree,
//! mtimes set in the past, and what a folder or a bucket holds.

#![allow(dead_code)] // each test crate uses a different part of this module

use crate::common::servers::{Moto, venv};
use crate::common::{awl_command, clean_command, data_file, temp_dir, text};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime};

/// awl in `cwd`, with `home`'s files and the endpoint `url`.
pub(crate) fn awl_cmd(home: &Path, url: &str, cwd: &Path) -> Command {
    let mut cmd = awl_command(home, &[("AWS_ENDPOINT_URL", url), ("LC_ALL", "C.UTF-8")]);
    cmd.current_dir(cwd);
    cmd
}

/// Starts `awl args` in `cwd` against `url`, output captured.
pub(crate) fn spawn(home: &Path, url: &str, cwd: &Path, args: &[&str]) -> std::process::Child {
    awl_cmd(home, url, cwd)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("awl runs")
}

/// Runs awl in `cwd` against `url`.
pub(crate) fn awl_at(home: &Path, url: &str, cwd: &Path, args: &[&str]) -> Output {
    awl_cmd(home, url, cwd).args(args).output().expect("awl runs")
}

/// Runs the AWS CLI in `cwd` against moto with `home`'s files (the same keys awl uses).
pub(crate) fn aws_at(home: &Path, m: &Moto, cwd: &Path, args: &[&str]) -> Output {
    clean_command(venv().join("bin/aws"), home, &[("LC_ALL", "C.UTF-8")])
        .current_dir(cwd)
        .args(["--endpoint-url", &m.url])
        .args(args)
        .output()
        .expect("aws runs")
}

/// Fails with the command's output unless it exited 0; returns its stdout.
pub(crate) fn done(what: &str, out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}: stderr: {}\nstdout: {}",
        text(&out.stderr),
        text(&out.stdout)
    );
    text(&out.stdout)
}

/// stdout's lines as a set (transfers run in parallel, so their order is not fixed).
pub(crate) fn line_set(stdout: &str) -> BTreeSet<String> {
    stdout.lines().map(str::to_owned).collect()
}

/// A bucket with a fresh name.
pub(crate) fn new_bucket(home: &Path, m: &Moto, tag: &str) -> String {
    let b = format!("{tag}-{}", crate::common::servers::free_port());
    done(
        "mb",
        &awl_at(home, &m.url, home, &["s3", "mb", &format!("s3://{b}")]),
    );
    b
}

/// Sets a file's mtime `secs` seconds in the past (negative: in the future).
pub(crate) fn age(path: &Path, secs: i64) {
    let now = SystemTime::now();
    let t = if secs >= 0 {
        now - Duration::from_secs(secs.unsigned_abs())
    } else {
        now + Duration::from_secs(secs.unsigned_abs())
    };
    fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(t))
        .expect("set mtime");
}

/// Every regular file under `dir`, by `/`-separated relative path, with its size.
pub(crate) fn files(dir: &Path) -> BTreeMap<String, u64> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, u64>) {
        for e in fs::read_dir(dir).expect("read_dir").flatten() {
            let p = e.path();
            let meta = fs::symlink_metadata(&p).expect("metadata");
            if meta.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).expect("under root");
                out.insert(rel.to_string_lossy().into_owned(), meta.len());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Every object under `prefix` of `bucket` as the AWS CLI lists them, key (after the prefix) to size.
pub(crate) fn objects(home: &Path, m: &Moto, bucket: &str, prefix: &str) -> BTreeMap<String, u64> {
    let out = aws_at(
        home,
        m,
        home,
        &[
            "s3api",
            "list-objects-v2",
            "--bucket",
            bucket,
            "--prefix",
            prefix,
            "--output",
            "json",
        ],
    );
    let body = done("list-objects-v2", &out);
    if body.trim().is_empty() {
        return BTreeMap::new();
    }
    let v = awl::codec::json::parse(&body).expect("JSON listing");
    v.get("Contents")
        .and_then(|c| c.as_array())
        .unwrap_or_default()
        .iter()
        .map(|o| {
            let key = o.get("Key").and_then(|k| k.as_str()).expect("Key");
            let size = o.get("Size").and_then(|s| s.as_i64()).expect("Size");
            (key[prefix.len()..].to_owned(), u64::try_from(size).expect("size"))
        })
        .collect()
}

/// The multipart uploads in progress in `bucket`, as the AWS CLI lists them.
pub(crate) fn uploads_in_progress(home: &Path, m: &Moto, bucket: &str) -> usize {
    let out = aws_at(
        home,
        m,
        home,
        &[
            "s3api",
            "list-multipart-uploads",
            "--bucket",
            bucket,
            "--output",
            "json",
        ],
    );
    let body = done("list-multipart-uploads", &out);
    if body.trim().is_empty() {
        return 0;
    }
    awl::codec::json::parse(&body)
        .expect("JSON")
        .get("Uploads")
        .and_then(|u| u.as_array())
        .map_or(0, <[_]>::len)
}

/// The S3-day tree: 300 files in nested folders, names with spaces and unicode, one empty file, one of
/// 20 MiB; every mtime ten minutes in the past (moto keeps LastModified to the second).
pub(crate) fn tree_of_300(tag: &str) -> PathBuf {
    let root = temp_dir(tag);
    let dirs = ["", "logs", "logs/2026 11", "données/été", "a/b/c/d", "with space"];
    for d in dirs {
        fs::create_dir_all(root.join(d)).expect("dir");
    }
    for i in 0..297 {
        let dir = dirs[i % dirs.len()];
        let name = match i % 4 {
            0 => format!("file {i}.txt"),
            1 => format!("ünï-{i}.log"),
            2 => format!("plain{i}.bin"),
            _ => format!("{i}"),
        };
        let path = root.join(dir).join(name);
        fs::write(&path, format!("{i} {}\n", "x".repeat(i * 7))).expect("file");
    }
    fs::write(root.join("empty"), b"").expect("empty file");
    data_file(&root.join("a"), "twenty.bin", 20 << 20);
    data_file(&root.join("logs"), "small.bin", 4096);
    for f in files(&root).keys() {
        age(&root.join(f), 600);
    }
    root
}

/// Whether `diff -r` finds the two folders equal (its output when not).
pub(crate) fn diff_r(a: &Path, b: &Path) -> Result<(), String> {
    let out = Command::new("diff")
        .arg("-r")
        .arg(a)
        .arg(b)
        .output()
        .expect("diff runs");
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{}{}", text(&out.stdout), text(&out.stderr)))
    }
}

/// The names under `dir`, at any depth, that look like awl's temporary files.
pub(crate) fn temporaries(dir: &Path) -> Vec<String> {
    files(dir).into_keys().filter(|n| n.contains(".awl-")).collect()
}

/// Runs `cmd` with `data` written to its standard input from another thread (a large input would otherwise
/// fill the pipe while awl waits to be read); its output, and `data` back once all of it was written.
pub(crate) fn with_stdin(cmd: &mut Command, data: Vec<u8>) -> (Output, Vec<u8>) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&data).map(|()| data));
    let out = child.wait_with_output().expect("the command exits");
    (out, writer.join().expect("writer").expect("all written"))
}
