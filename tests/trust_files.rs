//! The files awl writes when others write beside it (trust review, third round): `awl configure` applies only
//! its own answers to the files as they are when it writes, under a lock that concurrent runs share (row 7),
//! and a download's temporary name fits beside any file name the folder accepts (row 9).

mod common;

#[path = "support/day.rs"]
mod day;

use awl::codec::ini::{self, FileKind};
use common::servers::{home_with_moto_keys, moto};
use common::{awl_command, temp_dir, text};
use day::{awl_at, done, new_bucket, temporaries};
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Child, ChildStdin, Stdio};
use std::time::{Duration, Instant};

/// The first question `awl configure` asks of a profile with no keys yet.
const FIRST_PROMPT: &str = "AWS Access Key ID [None]: ";

/// `awl configure --profile NAME` started with its stdin held open: it has read the files and asked its first
/// question when this returns, so whatever is written into the files from here on comes after its read.
fn configure_waiting(home: &Path, profile: &str) -> (Child, ChildStdin) {
    let mut child = awl_command(home, &[])
        .args(["configure", "--profile", profile])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("awl runs");
    let mut prompt = vec![0u8; FIRST_PROMPT.len()];
    child
        .stdout
        .as_mut()
        .expect("stdout")
        .read_exact(&mut prompt)
        .expect("the first question");
    assert_eq!(text(&prompt), FIRST_PROMPT);
    let stdin = child.stdin.take().expect("stdin");
    (child, stdin)
}

/// Answers the remaining questions with `answers`, closes stdin and waits for awl; fails unless it exits 0.
fn answer(child: Child, mut stdin: ChildStdin, answers: &str) {
    stdin.write_all(answers.as_bytes()).expect("answers");
    drop(stdin);
    let out = child.wait_with_output().expect("awl exits");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
}

/// `key`'s value in `profile` of the file at `path`.
fn value(path: &Path, kind: FileKind, profile: &str, key: &str) -> Option<String> {
    let body = fs::read_to_string(path).ok()?;
    let file = ini::parse(&body, kind).expect("the file parses");
    file.profile(profile)
        .and_then(|p| p.get(key))
        .map(|p| p.value.clone())
}

fn aws_dir_names(home: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(home.join(".aws"))
        .expect(".aws")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn twenty_concurrent_configure_runs_keep_all_twenty_profiles() {
    let home = temp_dir("home");
    fs::create_dir_all(home.join(".aws")).expect(".aws");
    // All 20 have read the (empty) files before any answers: each must still add its profile to what the
    // others wrote meanwhile.
    let waiting: Vec<_> = (0..20)
        .map(|n| configure_waiting(&home, &format!("p{n}")))
        .collect();
    let runs: Vec<_> = waiting
        .into_iter()
        .enumerate()
        .map(|(n, (child, stdin))| {
            std::thread::spawn(move || {
                answer(
                    child,
                    stdin,
                    &format!("AKIAP{n}\nsecret{n}\neu-west-{}\njson\n", n % 3 + 1),
                );
            })
        })
        .collect();
    for r in runs {
        r.join().expect("a run");
    }
    let (config, credentials) = (home.join(".aws/config"), home.join(".aws/credentials"));
    for n in 0..20 {
        let p = format!("p{n}");
        assert_eq!(
            value(&credentials, FileKind::Credentials, &p, "aws_access_key_id"),
            Some(format!("AKIAP{n}")),
            "{p} in credentials:\n{}",
            fs::read_to_string(&credentials).unwrap_or_default()
        );
        assert_eq!(
            value(&credentials, FileKind::Credentials, &p, "aws_secret_access_key"),
            Some(format!("secret{n}"))
        );
        assert_eq!(
            value(&config, FileKind::Config, &p, "region"),
            Some(format!("eu-west-{}", n % 3 + 1)),
            "{p} in config:\n{}",
            fs::read_to_string(&config).unwrap_or_default()
        );
        assert_eq!(
            value(&config, FileKind::Config, &p, "output"),
            Some("json".into())
        );
    }
    // No lock file and no temporary file stays behind.
    assert_eq!(aws_dir_names(&home), ["config", "credentials"]);
}

#[test]
fn what_another_writer_adds_while_configure_waits_for_answers_survives() {
    let home = temp_dir("home");
    fs::create_dir_all(home.join(".aws")).expect(".aws");
    fs::write(home.join(".aws/config"), "[default]\nregion = us-east-1\n").expect("config");
    let (child, stdin) = configure_waiting(&home, "mine");
    // Another writer (the AWS CLI, an editor) while awl waits: a new profile in both files, and a setting of
    // awl's own profile that awl is not asked to change.
    fs::write(
        home.join(".aws/config"),
        "[default]\nregion = us-east-1\n\n[profile other]\nregion = sa-east-1\n\n[profile mine]\noutput = text\n",
    )
    .expect("config");
    fs::write(
        home.join(".aws/credentials"),
        "[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = othersecret\n",
    )
    .expect("credentials");
    answer(child, stdin, "AKIAMINE\nminesecret\nap-south-1\n\n");

    let (config, credentials) = (home.join(".aws/config"), home.join(".aws/credentials"));
    let c = |p: &str, k: &str| value(&config, FileKind::Config, p, k);
    let k = |p: &str, key: &str| value(&credentials, FileKind::Credentials, p, key);
    assert_eq!(c("default", "region").as_deref(), Some("us-east-1"));
    assert_eq!(c("other", "region").as_deref(), Some("sa-east-1"));
    assert_eq!(c("mine", "region").as_deref(), Some("ap-south-1"));
    assert_eq!(
        c("mine", "output").as_deref(),
        Some("text"),
        "an empty answer keeps what is there now"
    );
    assert_eq!(k("other", "aws_access_key_id").as_deref(), Some("AKIAOTHER"));
    assert_eq!(
        k("other", "aws_secret_access_key").as_deref(),
        Some("othersecret")
    );
    assert_eq!(k("mine", "aws_access_key_id").as_deref(), Some("AKIAMINE"));
    assert_eq!(k("mine", "aws_secret_access_key").as_deref(), Some("minesecret"));
    assert_eq!(aws_dir_names(&home), ["config", "credentials"]);
}

#[test]
fn configure_waits_for_the_lock_another_writer_holds() {
    let home = temp_dir("home");
    fs::create_dir_all(home.join(".aws")).expect(".aws");
    fs::write(home.join(".aws/config"), "[default]\nregion = us-east-1\n").expect("config");
    // Another writer that follows awl's protocol holds the config file's lock.
    let lock = fs::File::create(home.join(".aws/.config.awl-lock")).expect("lock file");
    lock.lock().expect("locked");
    let (child, stdin) = configure_waiting(&home, "mine");
    let mut stdin = stdin;
    stdin
        .write_all(b"AKIAMINE\nminesecret\nap-south-1\n\n")
        .expect("answers");
    drop(stdin);
    // The credentials file has its own lock, so awl writes it and then waits for the config file's.
    let start = Instant::now();
    while fs::read_to_string(home.join(".aws/credentials")).map_or(true, |t| !t.contains("AKIAMINE")) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the credentials were not written"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut child = child;
    // awl waits with the config file's lock file open: seen in its open files, with no clock involved.
    let fds = format!("/proc/{}/fd", child.id());
    let waits = || {
        fs::read_dir(&fds).is_ok_and(|d| {
            d.flatten().any(|e| {
                fs::read_link(e.path()).is_ok_and(|l| l.to_string_lossy().ends_with(".config.awl-lock"))
            })
        })
    };
    let start = Instant::now();
    while !waits() {
        assert!(
            child.try_wait().expect("wait").is_none() && start.elapsed() < Duration::from_secs(10),
            "awl did not wait for the lock"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(child.try_wait().expect("wait").is_none(), "awl waits");
    assert_eq!(
        fs::read_to_string(home.join(".aws/config")).ok().as_deref(),
        Some("[default]\nregion = us-east-1\n")
    );
    // The holder writes its change, then lets go: awl applies its own to that text.
    fs::write(
        home.join(".aws/config"),
        "[default]\nregion = us-east-1\n\n[profile other]\nregion = sa-east-1\n",
    )
    .expect("config");
    drop(lock);
    let out = child.wait_with_output().expect("awl exits");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let config = home.join(".aws/config");
    assert_eq!(
        value(&config, FileKind::Config, "other", "region").as_deref(),
        Some("sa-east-1")
    );
    assert_eq!(
        value(&config, FileKind::Config, "mine", "region").as_deref(),
        Some("ap-south-1")
    );
    assert_eq!(aws_dir_names(&home), ["config", "credentials"]);
}

#[test]
fn a_link_planted_at_the_lock_file_name_is_never_followed() {
    let home = temp_dir("home");
    fs::create_dir_all(home.join(".aws")).expect(".aws");
    fs::write(home.join(".aws/config"), "[default]\nregion = us-east-1\n").expect("config");
    fs::write(home.join("victim"), "keep me\n").expect("victim");
    symlink(home.join("victim"), home.join(".aws/.config.awl-lock")).expect("link to a file");
    symlink(home.join("created"), home.join(".aws/.credentials.awl-lock")).expect("dangling link");
    for answers in ["\n\neu-west-1\n\n", "AKIAX\nsecret\n\n\n"] {
        let out = common::awl_in(&home, &[], &["configure"], answers);
        assert_eq!(out.status.code(), Some(253), "{}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(err.contains("awl-lock") && err.contains("symbolic link"), "{err}");
    }
    assert_eq!(
        fs::read_to_string(home.join("victim")).ok().as_deref(),
        Some("keep me\n")
    );
    assert!(
        !home.join("created").exists(),
        "a file was created through the link"
    );
    assert_eq!(
        fs::read_to_string(home.join(".aws/config")).ok().as_deref(),
        Some("[default]\nregion = us-east-1\n")
    );
    assert!(!home.join(".aws/credentials").exists());
}

#[test]
fn file_names_of_250_and_255_bytes_download_whole() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let bucket = new_bucket(&home, m, "longnames");
    let src = temp_dir("src");
    let names = [
        format!("{}.txt", "a".repeat(246)),
        format!("{}.txt", "b".repeat(251)),
        // Two-byte characters: 255 bytes, 130 characters.
        format!("{}x.txt", "é".repeat(125)),
    ];
    for (i, name) in names.iter().enumerate() {
        assert!(name.len() == 250 || name.len() == 255, "{}", name.len());
        fs::write(src.join(name), format!("content {i}\n")).expect("source file");
        done(
            "upload",
            &awl_at(
                &home,
                &m.url,
                &src,
                &["s3", "cp", name, &format!("s3://{bucket}/{name}")],
            ),
        );
    }
    // One object at a time into a folder, then all of them by prefix.
    let one = temp_dir("one");
    for (i, name) in names.iter().enumerate() {
        done(
            "download",
            &awl_at(
                &home,
                &m.url,
                &one,
                &["s3", "cp", &format!("s3://{bucket}/{name}"), "./"],
            ),
        );
        assert_eq!(
            fs::read_to_string(one.join(name)).ok(),
            Some(format!("content {i}\n")),
            "{name}"
        );
    }
    let all = temp_dir("all");
    done(
        "download all",
        &awl_at(
            &home,
            &m.url,
            &all,
            &["s3", "cp", "--recursive", &format!("s3://{bucket}/"), "."],
        ),
    );
    for (i, name) in names.iter().enumerate() {
        assert_eq!(
            fs::read_to_string(all.join(name)).ok(),
            Some(format!("content {i}\n")),
            "{name}"
        );
    }
    assert_eq!(temporaries(&one), Vec::<String>::new());
    assert_eq!(temporaries(&all), Vec::<String>::new());
}
