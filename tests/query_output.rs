//! `--query` and the output formats beside the AWS CLI: the same STS calls on the same moto, printed by both
//! tools through the same expressions and formats, compared byte for byte (stdout) with the exit code.
//! AssumeRole's fresh keys differ between the two calls: they are masked the same way in both outputs first.
//! The venv's AWS CLI is v1; these pairs print alike in v1 and v2 (a bad `--query` is v2's 252, checked in
//! `tests/cli.rs`; a failing function is 255 in both).

mod common;

use common::servers::{home_with_moto_keys, moto, venv};
use common::{awl_in, clean_command, text};
use std::path::Path;

/// stdout (with each of `secrets` masked) and the exit code of `program args` on moto.
fn run(aws: bool, home: &Path, url: &str, vars: &[(&str, &str)], args: &[&str]) -> (String, Option<i32>) {
    let mut all = vec!["--endpoint-url", url];
    all.extend(args);
    let out = if aws {
        clean_command(venv().join("bin/aws"), home, vars)
            .args(&all)
            .output()
            .expect("aws runs")
    } else {
        awl_in(home, vars, &all, "")
    };
    (text(&out.stdout), out.status.code())
}

/// AssumeRole's values that differ from call to call, replaced by their kind.
fn masked(out: &str) -> String {
    out.split_inclusive(['\t', '\n', ' ', '"', '|'])
        .map(|w| {
            let core = w.trim_end_matches(['\t', '\n', ' ', '"', '|']);
            let end = &w[core.len()..];
            let kind = if core.starts_with("ASIA") {
                "KEYID"
            } else if core.len() >= 30 && !core.contains(':') {
                "SECRET"
            } else if core.starts_with("20") && core.contains('T') && core.ends_with("+00:00") {
                "TIME"
            } else if core.starts_with("AROA") {
                "ROLEID"
            } else {
                return w.to_owned();
            };
            format!("{kind}{end}")
        })
        .collect()
}

/// moto's keys in a fresh HOME, with the AWS CLI v1 told to print timestamps as v2 does by default.
fn home() -> std::path::PathBuf {
    let home = home_with_moto_keys(moto());
    let config = home.join(".aws/config");
    let mut text = std::fs::read_to_string(&config).expect("config");
    text = text.replace("[profile default]", "[default]\ncli_timestamp_format = iso8601");
    std::fs::write(&config, text).expect("config");
    home
}

#[test]
fn get_caller_identity_prints_as_the_aws_cli_prints_it() {
    let m = moto();
    let home = home();
    let who: &[&[&str]] = &[
        &[],
        &["--output", "json"],
        &["--output", "text"],
        &["--output", "table"],
        &["--query", "Account", "--output", "text"],
        &["--query", "Account"],
        &["--query", "[Account, Arn]", "--output", "text"],
        &["--query", "[Account, Arn]"],
        &["--query", "{a: Account, b: UserId}", "--output", "table"],
        &["--query", "{a: Account, b: UserId}", "--output", "text"],
        &["--query", "length(Arn)"],
        &["--query", "starts_with(Arn, 'arn:aws:iam')", "--output", "text"],
        &["--query", "contains(Arn, 'alice') && Account", "--output", "text"],
        &["--query", "keys(@)", "--output", "text"],
        &["--query", "sort(values(@))"],
        &["--query", "to_number(Account)"],
        &["--query", "Missing"],
        &["--query", "Missing", "--output", "text"],
        &["--query", "@.Arn | split_not_a_function(@)"],
        &["--query", "sum(Account)"],
        &[
            "--query",
            "[@][?Account == '123456789012'].Arn | [0]",
            "--output",
            "text",
        ],
        &["--query", "join('/', [Account, UserId])"],
    ];
    let mut pairs = 0;
    for args in who {
        let mut full = vec!["sts", "get-caller-identity"];
        full.extend(*args);
        let theirs = run(true, &home, &m.url, &[], &full);
        let mine = run(false, &home, &m.url, &[], &full);
        assert_eq!(mine, theirs, "{full:?}");
        pairs += 1;
    }
    // The precedence: --output, then AWS_DEFAULT_OUTPUT, then the profile's output.
    std::fs::write(
        home.join(".aws/config"),
        "[default]\nregion = ap-southeast-2\noutput = text\ncli_timestamp_format = iso8601\n",
    )
    .expect("config");
    for (vars, args) in [
        (&[][..], &["sts", "get-caller-identity"][..]),
        (
            &[("AWS_DEFAULT_OUTPUT", "table")][..],
            &["sts", "get-caller-identity"][..],
        ),
        (
            &[("AWS_DEFAULT_OUTPUT", "table")][..],
            &["sts", "get-caller-identity", "--output", "json"][..],
        ),
    ] {
        let theirs = run(true, &home, &m.url, vars, args);
        let mine = run(false, &home, &m.url, vars, args);
        assert_eq!(mine, theirs, "{vars:?} {args:?}");
        pairs += 1;
    }
    assert_eq!(pairs, who.len() + 3);
}

#[test]
fn assume_role_prints_as_the_aws_cli_prints_it() {
    let m = moto();
    let home = home();
    let mut pairs = 0;
    let role = [
        "sts",
        "assume-role",
        "--role-arn",
        "arn:aws:iam::123456789012:role/Developer",
        "--role-session-name",
        "diff",
    ];
    let roles: &[&[&str]] = &[
        &[],
        &["--output", "text"],
        &["--output", "table"],
        &[
            "--query",
            "Credentials.[AccessKeyId, SecretAccessKey, SessionToken]",
            "--output",
            "text",
        ],
        &["--query", "Credentials.Expiration", "--output", "text"],
        &["--query", "AssumedRoleUser.Arn"],
        &["--query", "{user: AssumedRoleUser.Arn, keys: keys(Credentials)}"],
        &[
            "--query",
            "{user: AssumedRoleUser.Arn, keys: keys(Credentials)}",
            "--output",
            "table",
        ],
        &["--query", "*.Arn", "--output", "text"],
        &["--query", "values(AssumedRoleUser) | sort(@)", "--output", "text"],
    ];
    for args in roles {
        let mut full = role.to_vec();
        full.extend(*args);
        let theirs = run(true, &home, &m.url, &[], &full);
        let mine = run(false, &home, &m.url, &[], &full);
        assert_eq!(
            (masked(&mine.0), mine.1),
            (masked(&theirs.0), theirs.1),
            "{full:?}"
        );
        pairs += 1;
    }
    assert_eq!(pairs, roles.len());
}
