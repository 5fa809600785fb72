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
            page.contains("usage: awl s3 cp FILE|- s3://bucket/key"),
            "{args:?}:\n{page}"
        );
    }
    let page = text(&awl(&["help", "sts"]).stdout);
    assert!(page.contains("get-caller-identity") && page.contains("assume-role"));
}

/// Command lines that are wrong, and the start of the error line each gets.
const USAGE_ERRORS: &[(&[&str], &str)] = &[
    (
        &["frobnicate"],
        "awl: error: unknown command 'frobnicate'; expected one of: s3, s3api, sts, configure",
    ),
    (
        &["s3"],
        "awl: error: 's3' needs a subcommand; expected one of: ls, mb, rb, cp, mv, sync, rm, presign",
    ),
    (
        &["sts", "whoami"],
        "awl: error: unknown subcommand 'whoami' of 'sts'",
    ),
    (&["--region"], "awl: error: --region needs a value"),
    (
        &["--output", "yml", "s3", "ls"],
        "awl: error: --output 'yml' is not a format",
    ),
    (&[], "awl: error: no command given"),
    (
        &["--query", "Account[", "sts", "get-caller-identity"],
        "awl: error: bad value for --query Account[: ",
    ),
    (
        &["s3", "cp", "a", "b"],
        "awl: error: one of the two must be an s3:// URL",
    ),
    (
        &["s3", "cp", "a", "s3://b/k", "--max-concurrency", "0"],
        "awl: error: --max-concurrency \"0\" is not a number from 1 to 256",
    ),
    (
        &["s3", "cp", "a", "s3://b/k", "--multipart-threshold", "lots"],
        "awl: error: --multipart-threshold \"lots\" is not a size",
    ),
    (
        &["s3", "cp", "a", "s3://b/k", "--sse", "aes"],
        "awl: error: --sse \"aes\" is neither AES256 nor aws:kms",
    ),
    (
        &[
            "s3",
            "sync",
            "a",
            "s3://b/k",
            "--content-type",
            "text/plain\r\nx-amz-acl: public-read",
        ],
        "awl: error: --content-type 'text/plain\\u{d}\\u{a}x-amz-acl: public-read' holds a control character",
    ),
    (
        &["s3", "cp", "a", "s3://b/k", "--bogus", "1"],
        "awl: error: 'awl s3 cp' has no option '--bogus'",
    ),
    (
        &["s3", "sync", "a"],
        "awl: error: 'awl s3 sync' takes a source and a destination",
    ),
    (
        &["s3", "sync", "a", "b"],
        "awl: error: one of the two must be an s3:// URL",
    ),
    (&["s3", "rm", "s3://b"], "awl: error: s3://b names no object"),
    (&["--bogus", "s3", "ls"], "awl: error: unknown option '--bogus'"),
    (
        &["-x", "sts", "get-caller-identity"],
        "awl: error: unknown option '-x'",
    ),
    (
        &["--no-verify-ssl", "s3", "ls"],
        "awl: error: --no-verify-ssl is refused: awl always verifies TLS certificates",
    ),
    (
        &["s3", "ls", "--no-verify-ssl"],
        "awl: error: --no-verify-ssl is refused: awl always verifies TLS certificates",
    ),
    (
        &["--color", "blue", "s3", "ls"],
        "awl: error: --color 'blue' is not on, off or auto",
    ),
    (
        &["s3", "ls", "s3://b", "--page-size", "0"],
        "awl: error: --page-size \"0\" is not a number from 1 to 1000",
    ),
    (
        &["s3", "cp", "-", "s3://b/k", "--expected-size", "big"],
        "awl: error: --expected-size \"big\" is not a number of bytes",
    ),
    (
        &["s3", "rb", "s3://b/k"],
        "awl: error: s3://b/k names a key; 'awl s3 rb' takes s3://bucket",
    ),
    (
        &["s3", "mv", "-", "s3://b/k"],
        "awl: error: standard input ('-') can only be copied, as one object",
    ),
    (
        &["s3", "cp", "s3://b/k", "s3://c/", "--exclude"],
        "awl: error: --exclude needs a value",
    ),
    (&["s3", "cp", "/", "s3://b/k"], "awl: error: / is not a file"),
    (&["s3", "mb"], "awl: error: 'awl s3 mb' needs s3://bucket"),
    (&["s3", "mb", "s3://b/k"], "awl: error: s3://b/k names a key"),
    (
        &["s3", "presign"],
        "awl: error: 'awl s3 presign' takes one s3://bucket/key",
    ),
    (
        &["s3", "presign", "s3://b/k", "--expires-in", "0"],
        "awl: error: --expires-in \"0\" must be 1 to 604800",
    ),
    (
        &["s3", "ls", "--bogus"],
        "awl: error: 'awl s3 ls' has no option '--bogus'",
    ),
    (
        &["--cli-read-timeout", "soon", "s3", "ls"],
        "awl: error: --cli-read-timeout \"soon\" is not a number of seconds",
    ),
    (
        &["--mfa-code", "12345", "s3", "ls"],
        "awl: error: the MFA code must be exactly 6 digits",
    ),
    (
        &["completion", "fish"],
        "awl: error: 'awl completion' takes bash or zsh",
    ),
    (&["exec"], "awl: error: 'awl exec' needs a command to run"),
    (
        &["credential-process"],
        "awl: error: 'awl credential-process' needs --profile",
    ),
    (
        &["configure", "list", "extra"],
        "awl: error: 'awl configure list' takes no argument 'extra'",
    ),
    (
        &[
            "sts",
            "assume-role",
            "--role-arn",
            "a",
            "--role-session-name",
            "s",
            "--token-code",
            "123456",
        ],
        "awl: error: --serial-number and --token-code go together",
    ),
    (
        &[
            "sts",
            "assume-role",
            "--role-arn",
            "a",
            "--role-session-name",
            "s",
            "--duration-seconds",
            "1h",
        ],
        "awl: error: --duration-seconds \"1h\" is not a whole number of seconds",
    ),
];

#[test]
fn usage_errors_exit_252_with_what_was_wrong_and_a_hint() {
    for &(args, want) in USAGE_ERRORS {
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

/// A format named in `AWS_DEFAULT_OUTPUT` or a profile's `output` that is none stops awl before any request
/// (no endpoint is reachable here), exit 253, naming where it came from.
#[test]
fn a_bad_configured_output_is_a_configuration_error() {
    let home = common::temp_dir("bad-output");
    let vars = [
        ("AWS_DEFAULT_OUTPUT", "yml"),
        ("AWS_ACCESS_KEY_ID", "a"),
        ("AWS_SECRET_ACCESS_KEY", "b"),
        ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1"),
    ];
    let out = common::awl_in(&home, &vars, &["sts", "get-caller-identity"], "");
    assert_eq!(out.status.code(), Some(253), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).starts_with("awl: error: output 'yml' (env AWS_DEFAULT_OUTPUT) is not a format"),
        "{}",
        text(&out.stderr)
    );
}
