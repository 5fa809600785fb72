//! `awl configure get`, `set` and `list-profiles` beside the AWS CLI: the same settings written by each into
//! two copies of the scenario's files, then every name read back by both tools from both copies: the same
//! output and exit code (the venv's AWS CLI is v1, whose get.py and set.py read and write names as v2's do;
//! `list-profiles` is v2 only and is checked against v2's documented output).

mod common;

use common::servers::venv;
use common::{awl_in, clean_command, scenario_home, text};
use std::path::Path;
use std::process::Output;

fn aws(home: &Path, vars: &[(&str, &str)], args: &[&str]) -> Output {
    clean_command(venv().join("bin/aws"), home, vars)
        .args(args)
        .output()
        .expect("aws runs")
}

/// Environment variables of a run.
type Vars<'a> = &'a [(&'a str, &'a str)];

/// (stdout, exit code) of both tools.
fn both(home: &Path, vars: &[(&str, &str)], args: &[&str]) -> ((String, Option<i32>), (String, Option<i32>)) {
    let a = aws(home, vars, args);
    let w = awl_in(home, vars, args, "");
    (
        (text(&a.stdout), a.status.code()),
        (text(&w.stdout), w.status.code()),
    )
}

/// The scenario's files with `[default]` for the default profile: with `[profile default]` as well, botocore
/// reads `[default]` while the SDKs' rules (and awl) read `[profile default]` (README: where awl reads the
/// files differently), and `aws configure set` writes `[default]`.
fn home() -> std::path::PathBuf {
    let home = scenario_home();
    let config = home.join(".aws/config");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(&config, text.replace("[profile default]", "[default]")).expect("config");
    home
}

#[test]
fn get_and_set_match_the_aws_cli() {
    let (by_aws, by_awl) = (home(), home());
    let sets: &[(&[&str], Vars)] = &[
        (&["configure", "set", "region", "eu-west-1"], &[]),
        (
            &["configure", "set", "output", "text", "--profile", "profile1"],
            &[],
        ),
        (
            &["configure", "set", "region", "us-west-2"],
            &[("AWS_PROFILE", "profile2")],
        ),
        (&["configure", "set", "profile.dev.region", "ap-south-1"], &[]),
        (&["configure", "set", "default.output", "json"], &[]),
        (
            &[
                "configure",
                "set",
                "aws_access_key_id",
                "AKIADEVEXAMPLE",
                "--profile",
                "dev",
            ],
            &[],
        ),
        (&["configure", "set", "s3.addressing_style", "path"], &[]),
        (
            &["configure", "set", "profile.dev.s3.max_concurrent_requests", "20"],
            &[],
        ),
        (
            &["configure", "set", "profile.dev.s3.addressing_style", "virtual"],
            &[],
        ),
    ];
    for (args, vars) in sets {
        let a = aws(&by_aws, vars, args);
        assert_eq!(a.status.code(), Some(0), "aws {args:?}: {}", text(&a.stderr));
        let w = awl_in(&by_awl, vars, args, "");
        assert_eq!(w.status.code(), Some(0), "awl {args:?}: {}", text(&w.stderr));
        assert!(w.stdout.is_empty(), "set prints nothing");
    }
    let names = [
        "region",
        "output",
        "aws_access_key_id",
        "aws_secret_access_key",
        "s3.addressing_style",
        "s3.max_concurrent_requests",
        "profile.dev.region",
        "profile.dev.s3.addressing_style",
        "profile.dev.s3.max_concurrent_requests",
        "dev.region",
        "default.region",
        "profile1.output",
        "profile.profile2.region",
        "profile2.role_arn",
        "nothere",
        "profile.nobody.region",
    ];
    let mut compared = 0;
    for home in [&by_aws, &by_awl] {
        for profile in [None, Some("dev"), Some("profile2")] {
            for name in names {
                let mut args = vec!["configure", "get", name];
                if let Some(p) = profile {
                    args.extend(["--profile", p]);
                }
                let (a, w) = both(home, &[], &args);
                assert_eq!(w, a, "{args:?} in {}", home.display());
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 2 * 3 * names.len());
    // A block is no value: exit 1, nothing on stdout, for both.
    let (a, w) = both(&by_awl, &[], &["configure", "get", "s3"]);
    assert_eq!((w.clone(), a.1), ((String::new(), Some(1)), Some(1)), "{w:?}");
    // What each wrote, the other reads the same: the two copies agree on every name (checked above in both).
}

#[test]
fn list_profiles_prints_every_profile_once() {
    // AWS CLI v2's list-profiles: one name a line, the config file's profiles, then the credentials file's.
    let home = scenario_home();
    std::fs::write(
        home.join(".aws/credentials"),
        "[default]\naws_access_key_id = A\naws_secret_access_key = B\n\
         [only-creds]\naws_access_key_id = C\naws_secret_access_key = D\n",
    )
    .expect("credentials");
    let out = awl_in(&home, &[], &["configure", "list-profiles"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "default\nprofile1\nprofile2\nonly-creds\n");
}
