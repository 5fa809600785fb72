//! The built `awl` binary, run as a user would: a clean environment with a temporary HOME, checking stdout,
//! stderr and the exit code.

mod common;

use common::{awl, text};
use std::process::{Command, Stdio};

#[test]
fn version_prints_the_package_version() {
    let out = awl(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), format!("awl {}\n", env!("CARGO_PKG_VERSION")));
    assert!(out.stderr.is_empty());
}

#[test]
fn help_lists_every_command_and_option() {
    let out = awl(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for word in [
        "s3",
        "sts",
        "configure",
        "env",
        "exec",
        "credential-process",
        "--profile",
        "--region",
        "--endpoint-url",
        "--mfa-code",
        "--output",
        "--debug",
    ] {
        assert!(help.contains(word), "--help lacks {word}:\n{help}");
    }
    assert_eq!(text(&awl(&["help"]).stdout), help, "'awl help' is the same page");
}

#[test]
fn help_for_a_command_shows_its_usage() {
    for args in [
        &["help", "s3", "cp"][..],
        &["s3", "cp", "help"][..],
        &["s3", "cp", "--help"][..],
    ] {
        let out = awl(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let page = text(&out.stdout);
        assert!(
            page.contains("usage: awl s3 cp FILE s3://bucket/key"),
            "{args:?}:\n{page}"
        );
    }
    let page = text(&awl(&["help", "sts"]).stdout);
    assert!(page.contains("get-caller-identity") && page.contains("assume-role"));
}

#[test]
fn usage_errors_exit_252_with_what_was_wrong_and_a_hint() {
    for (args, want) in [
        (
            &["frobnicate"][..],
            "awl: error: unknown command 'frobnicate'; expected one of: s3, sts, configure",
        ),
        (
            &["s3"][..],
            "awl: error: 's3' needs a subcommand; expected one of: ls, mb, cp, presign",
        ),
        (
            &["sts", "whoami"][..],
            "awl: error: unknown subcommand 'whoami' of 'sts'",
        ),
        (&["--region"][..], "awl: error: --region needs a value"),
        (
            &["--output", "yaml", "s3", "ls"][..],
            "awl: error: --output 'yaml' is not a format awl writes",
        ),
        (&[][..], "awl: error: no command given"),
    ] {
        let out = awl(args);
        assert_eq!(out.status.code(), Some(252), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.starts_with(want), "{args:?}: {err}");
        assert!(
            err.lines().nth(1).is_some_and(|l| l.starts_with("hint: ")),
            "{args:?}: {err}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn a_closed_stdout_pipe_is_not_an_error() {
    // The read end is closed before awl starts, so its first write fails with EPIPE, every time.
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_awl"))
        .arg("--help")
        .env_clear()
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("awl runs");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}
