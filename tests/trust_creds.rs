//! Issue 22, rows 1 and 5: where credentials come from cannot be steered to another host, and a
//! credential_process cannot exhaust awl's memory or hold it forever. Nothing here goes to a link-local
//! address: the container URIs tried are refused before any connection (or, on the code before the fix, led
//! to 127.0.0.1 by a private /etc/hosts).

mod common;

use common::{awl_command, clean_command, temp_dir, text};
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An executable shell script in `dir`.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("script");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

/// A home whose config has one profile `name` running `command` as its credential_process.
fn home_with_process(name: &str, command: &str) -> PathBuf {
    let home = temp_dir("home");
    fs::create_dir_all(home.join(".aws")).expect(".aws");
    fs::write(
        home.join(".aws/config"),
        format!("[profile {name}]\ncredential_process = {command}\n"),
    )
    .expect("config");
    home
}

/// The lines awl printed as errors.
fn error_lines(out: &Output) -> Vec<String> {
    text(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("awl: error:"))
        .map(str::to_owned)
        .collect()
}

/// A credentials server on 127.0.0.1 that records each request head before it answers.
fn credentials_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut head = String::new();
            let mut reader = BufReader::new(conn.try_clone().expect("clone"));
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                head.push_str(&line);
                line.clear();
            }
            record.lock().expect("lock").push(head);
            let body = "{\"AccessKeyId\": \"ASIASTOLEN\", \"SecretAccessKey\": \"stolen-secret\", \
                        \"Token\": \"stolen-token\", \"Expiration\": \"2099-01-01T00:00:00Z\"}";
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, seen)
}

/// Whether `unshare` can give a process its own user and mount namespace here.
fn namespaces_work() -> bool {
    clean_command("unshare", &temp_dir("home"), &[])
        .args(["--user", "--map-root-user", "--mount", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `awl env` where `/etc/hosts` maps `name` to 127.0.0.1 (in a namespace of its own, so the machine's
/// file stays as it is), or plainly where namespaces are not available (the name then resolves nowhere).
fn awl_env_with_host(name: &str, vars: &[(&str, &str)]) -> Output {
    let home = temp_dir("home");
    let command = if namespaces_work() {
        let hosts = temp_dir("hosts").join("hosts");
        fs::write(&hosts, format!("127.0.0.1 localhost\n127.0.0.1 {name}\n")).expect("hosts");
        let mut c = clean_command("unshare", &home, vars);
        c.args(["--user", "--map-root-user", "--mount", "sh", "-c"])
            .arg("mount --bind \"$0\" /etc/hosts && exec \"$@\"")
            .arg(&hosts)
            .arg(env!("CARGO_BIN_EXE_awl"));
        c
    } else {
        eprintln!("no user namespaces here: {name} is not led to 127.0.0.1");
        awl_command(&home, vars)
    };
    let mut command = command;
    command
        .args(["env", "--output", "json"])
        .output()
        .expect("awl runs")
}

#[test]
fn a_relative_container_uri_that_changes_the_host_is_refused_before_any_request() {
    let (port, seen) = credentials_server();
    let token = "Bearer rel-uri-token-7f3a9c";
    for relative in [
        format!(".evil.example:{port}/creds"),
        format!("@127.0.0.1:{port}/creds"),
    ] {
        let out = awl_env_with_host(
            "169.254.170.2.evil.example",
            &[
                ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", &relative),
                ("AWS_CONTAINER_AUTHORIZATION_TOKEN", token),
            ],
        );
        let err = text(&out.stderr);
        assert!(
            seen.lock().expect("lock").is_empty(),
            "{relative}: the server got {:?}\n{err}",
            seen.lock().expect("lock")
        );
        assert_eq!(out.status.code(), Some(253), "{relative}: {err}");
        let errors = error_lines(&out);
        assert_eq!(errors.len(), 1, "{relative}: {err}");
        assert!(
            errors[0].contains("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
            "{relative}: {err}"
        );
        assert!(out.stdout.is_empty(), "{relative}");
        for output in [text(&out.stdout), err] {
            assert!(!output.contains("rel-uri-token"), "{relative}: {output}");
        }
    }
}

#[test]
fn a_credential_process_printing_more_than_1_mib_is_stopped_with_one_line() {
    let dir = temp_dir("proc");
    // Valid credentials padded past the cap, and 2 MiB of NUL bytes.
    for body in [
        "printf '{\"Version\": 1, \"AccessKeyId\": \"AKIDBIG\", \"SecretAccessKey\": \"big-secret\"}'\n\
         head -c 2097152 /dev/zero | tr '\\0' ' '",
        "head -c 2097152 /dev/zero",
    ] {
        let s = script(&dir, "big", body);
        let home = home_with_process("big", &s.display().to_string());
        let out = awl_command(&home, &[])
            .args(["--profile", "big", "env"])
            .output()
            .expect("awl runs");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(253), "{err}");
        let errors = error_lines(&out);
        assert_eq!(errors.len(), 1, "{err}");
        assert!(
            errors[0].starts_with("awl: error: profile 'big': credential_process (~/.aws/config:2) ")
                && errors[0].contains("printed more than 1 MiB"),
            "{err}"
        );
        assert!(out.stdout.is_empty());
        assert!(!err.contains("big-secret"), "{err}");
    }
}

#[test]
fn an_endless_credential_process_under_a_memory_limit_is_one_line_not_an_abort() {
    let dir = temp_dir("proc");
    let pid_file = dir.join("pid");
    let s = script(
        &dir,
        "endless",
        &format!("echo $$ > '{}'\nexec yes", pid_file.display()),
    );
    let home = home_with_process("endless", &s.display().to_string());
    let out = clean_command("prlimit", &home, &[])
        .arg("--as=400000000")
        .arg(env!("CARGO_BIN_EXE_awl"))
        .args(["--profile", "endless", "env"])
        .output()
        .expect("prlimit runs");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(253), "{err}");
    let errors = error_lines(&out);
    assert_eq!(errors.len(), 1, "{err}");
    assert!(errors[0].contains("printed more than 1 MiB"), "{err}");
    assert!(!err.contains("memory allocation"), "{err}");
    // awl stopped the program and waited for it: no `yes` is left running.
    let pid = fs::read_to_string(&pid_file).expect("pid file");
    assert!(
        !Path::new(&format!("/proc/{}", pid.trim())).exists(),
        "the credential process {} still runs",
        pid.trim()
    );
}

#[test]
fn a_hanging_credential_process_ends_at_the_timeout_and_is_stopped() {
    let dir = temp_dir("proc");
    let pid_file = dir.join("pid");
    let s = script(
        &dir,
        "hang",
        &format!("echo $$ > '{}'\nexec sleep 1000", pid_file.display()),
    );
    let start = Instant::now();
    let result = awl::providers::process::run_with(
        "hang",
        &s.display().to_string(),
        "~/.aws/config:2",
        Some(Duration::from_millis(300)),
    );
    let took = start.elapsed();
    let err = result.expect_err("a process that never ends is an error");
    assert_eq!(err.kind(), awl::ErrorKind::Config);
    assert!(
        err.message()
            .starts_with("profile 'hang': credential_process (~/.aws/config:2) did not finish within"),
        "{}",
        err.message()
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
    let pid = fs::read_to_string(&pid_file).expect("pid file");
    assert!(
        !Path::new(&format!("/proc/{}", pid.trim())).exists(),
        "the credential process {} still runs",
        pid.trim()
    );
}
