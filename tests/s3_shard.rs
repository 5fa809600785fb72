//! `--shard K/N` against moto: four `sync --delete --shard K/4` processes together do exactly what one plain
//! `sync --delete` does on an identical bucket (the same objects after, the same lines, each key copied or
//! deleted once in the proxy's trace), and `cp --recursive --shard` and `rm --recursive --shard` each take
//! every key once. Which shard a key is in is computed by the README's Python (SHA-256, first 8 bytes,
//! big-endian, mod N), so the hash is the documented one, not only awl's own. A bad `--shard` is a usage
//! error (252) before any request.

mod common;
#[path = "support/day.rs"]
mod day;

use common::servers::{Moto, Proxy, Recorded, home_with_moto_keys, moto, venv};
use common::{clean_command, temp_dir};
use day::{age, awl_at, awl_cmd, done, files, line_set, new_bucket, objects};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// The shard of each key among 4, by the README's formula in Python.
fn python_shards(home: &Path, keys: &BTreeSet<String>) -> BTreeMap<String, usize> {
    let script = "import hashlib,sys\n\
                  for k in sys.stdin.read().split('\\n'):\n\
                  \x20   print(int.from_bytes(hashlib.sha256(k.encode()).digest()[:8], 'big') % 4)\n";
    let mut child = clean_command(venv().join("bin/python3"), home, &[("PYTHONIOENCODING", "utf-8")])
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    let input = keys.iter().cloned().collect::<Vec<_>>().join("\n");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), input.as_bytes()).expect("keys");
    let out = child.wait_with_output().expect("python");
    let shards: Vec<usize> = done("python", &out)
        .lines()
        .map(|l| l.parse().expect("a number"))
        .collect();
    assert_eq!(shards.len(), keys.len());
    keys.iter().cloned().zip(shards).collect()
}

/// Runs `args` with `--shard K/4` for K = 0..3 as four processes at once against `url`; each one's stdout.
fn four_shards(home: &Path, url: &str, cwd: &Path, args: &[&str]) -> Vec<String> {
    let children: Vec<_> = (0..4)
        .map(|k| {
            awl_cmd(home, url, cwd)
                .args(args)
                .args(["--shard", &format!("{k}/4")])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("awl runs")
        })
        .collect();
    children
        .into_iter()
        .enumerate()
        .map(|(k, c)| done(&format!("shard {k}/4"), &c.wait_with_output().expect("awl")))
        .collect()
}

/// `%XX` decoded (the keys in request paths).
fn unescape(path: &str) -> String {
    let (b, mut out, mut i) = (path.as_bytes(), Vec::new(), 0);
    while i < b.len() {
        match (
            b[i],
            path.get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok()),
        ) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("UTF-8 key")
}

/// How many times each key under `/{bucket}/{prefix}` was written (PUT: an upload or a copy) in `trace`.
fn puts(trace: &[Recorded], bucket: &str, prefix: &str) -> BTreeMap<String, usize> {
    let start = format!("PUT /{bucket}/{prefix}");
    let mut n = BTreeMap::new();
    for r in trace {
        let line = r.head.lines().next().unwrap_or_default();
        if let Some(rest) = line.strip_prefix(&start) {
            let path = rest.trim_end_matches(" HTTP/1.1");
            assert!(!path.contains('?'), "one PUT per object here: {line}");
            *n.entry(unescape(path)).or_default() += 1;
        }
    }
    n
}

/// How many times each key under `prefix` was deleted in `trace` (DeleteObjects bodies; no single DELETE).
fn deletes(trace: &[Recorded], prefix: &str) -> BTreeMap<String, usize> {
    let mut n = BTreeMap::new();
    for r in trace {
        assert!(!r.head.starts_with("DELETE "), "{}", r.head);
        let body = r.body_text();
        for part in body.split("<Key>").skip(1) {
            let key = part.split("</Key>").next().unwrap_or_default();
            let key = key.strip_prefix(prefix).expect("under the prefix");
            *n.entry(key.to_owned()).or_default() += 1;
        }
    }
    n
}

/// The key an output line is about, relative to its root (`upload: local/K to ...`, `delete: s3://b/p/K`,
/// `copy: s3://b/p/K to ...`), with the bucket names made one.
fn key_of(line: &str, src_root: &str, dst_root: &str) -> String {
    let line = line.strip_prefix("(dryrun) ").unwrap_or(line);
    let (_, rest) = line.split_once(": ").expect("an action");
    if let Some(k) = rest.strip_prefix(src_root) {
        return k.split(" to ").next().unwrap_or_default().to_owned();
    }
    rest.strip_prefix(dst_root)
        .unwrap_or_else(|| panic!("{line}"))
        .to_owned()
}

/// What both tests start from: 48 local files (aged, so objects stored now are newer), and a `seed` folder of
/// what a destination holds before a sync: 10 of them as they are (not copied: same size, the local copy
/// older), 6 of another size (copied), and 12 the source lacks (deleted with `--delete`).
struct World {
    m: &'static Moto,
    home: PathBuf,
    work: PathBuf,
    local: PathBuf,
    /// Every key of both sides, with its shard among 4 by the README's Python.
    shard_of: BTreeMap<String, usize>,
}

fn world() -> World {
    let m = moto();
    let home = home_with_moto_keys(m);
    let work = temp_dir("shard");
    let (local, seed_dir) = (work.join("local"), work.join("seed"));
    let write = |path: PathBuf, body: &str| {
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(&path, body).expect("write");
        path
    };
    let mut all = BTreeSet::new();
    for i in 0..48 {
        let name = match i % 4 {
            0 => format!("d{}/file {i}.txt", i % 3),
            1 => format!("données/été-{i}.log"),
            2 => format!("top-{i}"),
            _ => format!("a/b/c/deep {i}.bin"),
        };
        age(&write(local.join(&name), &format!("content {i}")), 6000);
        if i < 16 {
            let body = if i < 10 {
                format!("content {i}")
            } else {
                "x".into()
            };
            write(seed_dir.join(&name), &body);
        }
        all.insert(name);
    }
    for j in 0..12 {
        let name = format!("old/gone {j}.txt");
        write(seed_dir.join(&name), "old");
        all.insert(name);
    }
    let shard_of = python_shards(&home, &all);
    World {
        m,
        home,
        work,
        local,
        shard_of,
    }
}

impl World {
    /// A new bucket holding `folder` (under `work`) at `p/`.
    fn bucket_of(&self, tag: &str, folder: &str) -> String {
        let b = new_bucket(&self.home, self.m, tag);
        let to = format!("s3://{b}/p/");
        let out = awl_at(
            &self.home,
            &self.m.url,
            &self.work,
            &["s3", "cp", "--recursive", folder, &to],
        );
        done("fill", &out);
        b
    }

    /// `sync local s3://{bucket}/p/ --delete` and `extra` against `url`: each line by its key.
    fn sync(&self, url: &str, bucket: &str, extra: &[&str]) -> BTreeMap<String, String> {
        let dst = format!("s3://{bucket}/p/");
        let args = [&["s3", "sync", "local", &dst, "--delete"][..], extra].concat();
        line_set(&done("sync", &awl_at(&self.home, url, &self.work, &args)))
            .into_iter()
            .map(|l| (key_of(&l, "local/", &dst), l.replace(bucket, "B")))
            .collect()
    }

    /// Every local key, each once.
    fn local_keys(&self) -> BTreeMap<String, usize> {
        files(&self.local).into_keys().map(|k| (k, 1)).collect()
    }
}

/// Each of `keys` once.
fn once<'k>(keys: impl Iterator<Item = &'k String>) -> BTreeMap<String, usize> {
    keys.map(|k| (k.clone(), 1)).collect()
}

#[test]
fn four_shards_of_sync_delete_do_what_one_sync_delete_does() {
    let w = world();
    let (plain, sharded) = (w.bucket_of("plain", "seed"), w.bucket_of("sharded", "seed"));
    let want = w.sync(&w.m.url, &plain, &[]);
    assert_eq!(want.len(), 48 - 10 + 12, "{want:#?}");

    // A dry run shows the shard's work only.
    let dry: BTreeSet<String> = w
        .sync(&w.m.url, &sharded, &["--dryrun", "--shard", "1/4"])
        .into_values()
        .collect();
    let want_dry: BTreeSet<String> = want
        .iter()
        .filter(|(k, _)| w.shard_of[*k] == 1)
        .map(|(_, l)| format!("(dryrun) {l}"))
        .collect();
    assert_eq!(dry, want_dry);

    // Four shards, at once, through the recording proxy.
    let proxy = Proxy::start(w.m.addr);
    let dst = format!("s3://{sharded}/p/");
    let outs = four_shards(
        &w.home,
        &proxy.url,
        &w.work,
        &["s3", "sync", "local", &dst, "--delete"],
    );
    let mut got = BTreeMap::new();
    for (k, out) in outs.iter().enumerate() {
        assert!(!out.is_empty(), "shard {k}/4 had work");
        for line in out.lines() {
            let key = key_of(line, "local/", &dst);
            assert_eq!(w.shard_of[&key], k, "{line} in shard {k}");
            assert!(
                got.insert(key, line.replace(&sharded, "B")).is_none(),
                "{line} twice"
            );
        }
    }
    assert_eq!(got, want, "the four shards did what one sync did");
    let after = objects(&w.home, w.m, &sharded, "p/");
    assert_eq!(
        after,
        objects(&w.home, w.m, &plain, "p/"),
        "the same objects after"
    );
    assert_eq!(after, files(&w.local));
    let trace = proxy.requests();
    let of = |action: &str| once(want.iter().filter(|(_, l)| l.starts_with(action)).map(|(k, _)| k));
    assert_eq!(
        puts(&trace, &sharded, "p/"),
        of("upload:"),
        "each key uploaded once"
    );
    assert_eq!(deletes(&trace, "p/"), of("delete:"), "each key deleted once");
    assert_eq!(of("delete:").len(), 12);
}

#[test]
fn cp_and_rm_recursive_shards_take_every_key_once() {
    let w = world();
    let from = w.bucket_of("from", "local");
    let copies = new_bucket(&w.home, w.m, "copies");

    // cp --recursive S3 to S3, four shards at once: every object copied once, by the server (CopyObject).
    let proxy = Proxy::start(w.m.addr);
    let (src, dst) = (format!("s3://{from}/p/"), format!("s3://{copies}/q/"));
    let outs = four_shards(
        &w.home,
        &proxy.url,
        &w.work,
        &["s3", "cp", "--recursive", &src, &dst],
    );
    for (k, out) in outs.iter().enumerate() {
        assert!(!out.is_empty(), "shard {k}/4 had work");
        for line in out.lines() {
            assert_eq!(w.shard_of[&key_of(line, &src, "")], k, "{line}");
        }
    }
    let trace = proxy.requests();
    assert_eq!(
        puts(&trace, &copies, "q/"),
        w.local_keys(),
        "each key copied once"
    );
    let by_server = trace
        .iter()
        .filter(|r| r.head.to_ascii_lowercase().contains("\r\nx-amz-copy-source:"))
        .count();
    assert_eq!(by_server, 48, "all copies done by the server");
    assert_eq!(objects(&w.home, w.m, &copies, "q/"), files(&w.local));

    // rm --recursive, one shard after another: each takes its own keys, every key deleted once.
    let proxy = Proxy::start(w.m.addr);
    for k in 0..4 {
        let shard = format!("{k}/4");
        let out = awl_at(
            &w.home,
            &proxy.url,
            &w.work,
            &["s3", "rm", "--recursive", &dst, "--shard", &shard],
        );
        done("rm shard", &out);
        let left: BTreeSet<String> = objects(&w.home, w.m, &copies, "q/").into_keys().collect();
        let want_left: BTreeSet<String> = w
            .local_keys()
            .into_keys()
            .filter(|key| w.shard_of[key] > k)
            .collect();
        assert_eq!(left, want_left, "after rm --shard {k}/4");
    }
    assert_eq!(
        deletes(&proxy.requests(), "q/"),
        w.local_keys(),
        "each key deleted once"
    );
}

#[test]
fn a_bad_shard_is_a_usage_error_of_one_line_and_a_hint() {
    let home = common::scenario_home();
    for (args, line) in [
        (
            &["s3", "sync", "d", "s3://b/", "--shard", "4/4"][..],
            "awl: error: --shard \"4/4\" is not K/N with 0 <= K < N <= 65536",
        ),
        (
            &["s3", "rm", "s3://b/", "--recursive", "--shard", "1/0"][..],
            "awl: error: --shard \"1/0\" is not K/N with 0 <= K < N <= 65536",
        ),
        (
            &["s3", "cp", "--recursive", "s3://b/", "d", "--shard", "x"][..],
            "awl: error: --shard \"x\" is not K/N with 0 <= K < N <= 65536",
        ),
        (
            &["s3", "cp", "f", "s3://b/f", "--shard", "0/2"][..],
            "awl: error: --shard splits many keys; it needs --recursive",
        ),
        (
            &["s3", "rm", "s3://b/k", "--shard", "0/2"][..],
            "awl: error: --shard splits many keys; it needs --recursive",
        ),
    ] {
        // No server: a usage error is found before any request.
        let out = awl_at(&home, "http://127.0.0.1:9", &home, args);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(252), "{args:?}: {err}");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 2, "{err}");
        assert_eq!(lines[0], line);
        assert!(lines[1].starts_with("hint: write '"), "{err}");
    }
}
