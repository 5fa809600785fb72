//! `awl configure list` and `awl configure` run as a user would, on the canonical scenario's files and on
//! broken ones: output, exit codes, and the files left behind.

mod common;

use common::{awl_in, scenario_home, temp_dir, text};
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;

fn write(home: &Path, name: &str, body: &str) {
    fs::create_dir_all(home.join(".aws")).expect(".aws");
    fs::write(home.join(".aws").join(name), body).expect("write");
}

/// The row of a listing whose name (trimmed) is `name`: (value, source) columns split on 2+ spaces.
fn row<'a>(listing: &'a str, name: &str) -> Vec<&'a str> {
    listing
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{name}  ")))
        .unwrap_or_else(|| panic!("no row {name} in:\n{listing}"))
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

#[test]
fn profile2_shows_the_role_its_source_mfa_and_region_with_their_lines() {
    let home = scenario_home();
    let out = awl_in(&home, &[], &["--profile", "profile2", "configure", "list"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    assert_eq!(row(&listing, "profile"), ["profile", "profile2", "--profile"]);
    assert_eq!(
        row(&listing, "role 1"),
        ["role 1", "arn:aws:iam::456:role/Sysops", "~/.aws/config:12"]
    );
    assert_eq!(
        row(&listing, "assumed from"),
        ["assumed from", "default", "~/.aws/config:11"]
    );
    assert_eq!(
        row(&listing, "mfa_serial"),
        [
            "mfa_serial",
            "arn:aws:iam::789:mfa/user@domain.blabla",
            "~/.aws/config:13"
        ]
    );
    assert_eq!(
        row(&listing, "region"),
        ["region", "ap-southeast-2", "~/.aws/config:10"]
    );
    assert_eq!(
        row(&listing, "access_key"),
        ["access_key", "****************Y_ID", "~/.aws/credentials:2"]
    );
    assert_eq!(
        row(&listing, "secret_key"),
        ["secret_key", "set", "~/.aws/credentials:3"]
    );
    assert!(!listing.contains("YOUR_SECRET"), "the secret key is never shown");
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn sources_name_flags_and_environment_variables() {
    let home = scenario_home();
    let out = awl_in(
        &home,
        &[("AWS_PROFILE", "profile1"), ("AWS_REGION", "eu-west-1")],
        &["configure", "list", "--output", "json"],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json = awl::codec::json::parse(&text(&out.stdout)).expect("JSON output");
    let rows = json.as_array().expect("a list of rows");
    let find = |name: &str| {
        rows.iter()
            .find(|r| r.get("name").and_then(|n| n.as_str()) == Some(name))
            .map(|r| {
                (
                    r.get("value")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_owned(),
                    r.get("source")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
    };
    assert_eq!(
        find("profile"),
        Some(("profile1".into(), "env AWS_PROFILE".into()))
    );
    assert_eq!(
        find("region"),
        Some(("eu-west-1".into(), "env AWS_REGION".into()))
    );
    assert_eq!(
        find("role 1"),
        Some(("arn:aws:iam::123:role/Developer".into(), "~/.aws/config:7".into()))
    );
    let out = awl_in(&home, &[], &["--region", "us-west-2", "configure", "list"], "");
    assert_eq!(
        row(&text(&out.stdout), "region"),
        ["region", "us-west-2", "--region"]
    );
}

#[test]
fn a_malformed_file_names_the_file_and_line_with_exit_253() {
    let home = temp_dir("home");
    write(
        &home,
        "config",
        "[default]\nregion = us-east-1\n\n[profile foo\nregion = x\n",
    );
    let out = awl_in(&home, &[], &["configure", "list"], "");
    assert_eq!(out.status.code(), Some(253));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("awl: error: ~/.aws/config:4: Profile definition must end with ']'"),
        "{err}"
    );
    assert!(
        err.lines().nth(1).is_some_and(|l| l.starts_with("hint: ")),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn an_unknown_profile_lists_the_profiles_that_exist() {
    let home = scenario_home();
    let out = awl_in(&home, &[("AWS_PROFILE", "prod")], &["configure", "list"], "");
    assert_eq!(out.status.code(), Some(253));
    assert_eq!(
        text(&out.stderr),
        "awl: error: profile 'prod' not found in the config or credentials file (selected by env AWS_PROFILE)\n\
         hint: profiles that exist: default, profile1, profile2\n"
    );
}

#[test]
fn a_cycle_names_every_profile_in_it() {
    let home = temp_dir("home");
    write(
        &home,
        "config",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n\
         [profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n\
         [profile c]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = a\n",
    );
    let out = awl_in(&home, &[], &["--profile", "a", "configure", "list"], "");
    assert_eq!(out.status.code(), Some(253));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("awl: error: source_profile forms a loop: a -> b -> c -> a\n"),
        "{err}"
    );
}

#[test]
fn a_file_the_aws_cli_reads_differently_gives_warnings() {
    let home = temp_dir("home");
    write(
        &home,
        "config",
        "\u{feff}[default]\nregion = eu-west-1 # Ireland\n",
    );
    let out = awl_in(&home, &[], &["configure", "list"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("awl: warning: ~/.aws/config:1: the file starts with a UTF-8 byte order mark"),
        "{err}"
    );
    assert!(
        err.contains("awl: warning: ~/.aws/config:2: the AWS CLI reads 'region' as \"eu-west-1 # Ireland\"")
    );
    assert_eq!(
        row(&text(&out.stdout), "region"),
        ["region", "eu-west-1", "~/.aws/config:2"]
    );
}

#[test]
fn file_locations_from_the_environment_with_tilde() {
    let home = temp_dir("home");
    fs::create_dir_all(home.join("elsewhere")).expect("dir");
    fs::write(home.join("elsewhere/cfg"), "[profile x]\nregion = sa-east-1\n").expect("cfg");
    let out = awl_in(
        &home,
        &[("AWS_CONFIG_FILE", "~/elsewhere/cfg"), ("AWS_PROFILE", "x")],
        &["configure", "list"],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        row(&text(&out.stdout), "region"),
        ["region", "sa-east-1", "~/elsewhere/cfg:2"]
    );
}

#[test]
fn nothing_configured_is_shown_as_not_set() {
    let out = awl_in(&temp_dir("home"), &[], &["configure", "list"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    assert_eq!(row(&listing, "credentials"), ["credentials", "<not set>"]);
    assert!(listing.contains("~/.aws/config (missing (read as empty))"));
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

#[test]
fn configure_writes_keys_and_region_keeping_every_other_line() {
    let home = temp_dir("home");
    let config = "# my settings\n[default]\nregion = us-east-1\n\n[profile other] ; keep me\noutput = text\n";
    write(&home, "config", config);
    fs::set_permissions(home.join(".aws/config"), fs::Permissions::from_mode(0o644)).expect("chmod");
    let out = awl_in(
        &home,
        &[],
        &["configure", "--profile", "dev"],
        "AKIAIOSFODNN7EXAMPLE\nwJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\neu-central-1\n\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let prompts = text(&out.stdout);
    assert_eq!(
        prompts,
        "AWS Access Key ID [None]: AWS Secret Access Key [None]: Default region name [None]: \
         Default output format [None]: "
    );
    let creds = fs::read_to_string(home.join(".aws/credentials")).expect("credentials written");
    assert_eq!(
        creds,
        "[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    );
    let cfg = fs::read_to_string(home.join(".aws/config")).expect("config");
    assert_eq!(cfg, format!("{config}\n[profile dev]\nregion = eu-central-1\n"));
    assert_eq!(mode(&home.join(".aws/credentials")), 0o600);
    assert_eq!(mode(&home.join(".aws/config")), 0o600);
    assert!(!text(&out.stderr).contains("wJalrXUtn"));

    // Again, changing only the region: the key is shown masked and kept.
    let out = awl_in(
        &home,
        &[],
        &["configure", "--profile", "dev"],
        "\n\nap-south-1\n\n",
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("AWS Access Key ID [****************MPLE]: "));
    assert_eq!(
        fs::read_to_string(home.join(".aws/credentials")).ok(),
        Some(creds)
    );
    assert!(
        fs::read_to_string(home.join(".aws/config"))
            .expect("config")
            .ends_with("region = ap-south-1\n")
    );
    let leftovers: Vec<_> = fs::read_dir(home.join(".aws"))
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "no temporary files left: {leftovers:?}");
}

#[test]
fn configure_follows_a_symlinked_file_and_refuses_a_dangling_one() {
    let home = temp_dir("home");
    fs::create_dir_all(home.join("dotfiles")).expect("dotfiles");
    fs::create_dir_all(home.join(".aws")).expect(".aws");
    fs::write(home.join("dotfiles/config"), "[default]\nregion = us-east-1\n").expect("target");
    symlink(home.join("dotfiles/config"), home.join(".aws/config")).expect("link");
    let out = awl_in(&home, &[], &["configure"], "\n\neu-west-3\n\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        fs::symlink_metadata(home.join(".aws/config"))
            .expect("meta")
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        fs::read_to_string(home.join("dotfiles/config")).ok().as_deref(),
        Some("[default]\nregion = eu-west-3\n")
    );

    symlink(home.join("dotfiles/gone"), home.join(".aws/credentials")).expect("dangling link");
    let out = awl_in(&home, &[], &["configure"], "AKIAX\n\n\n\n");
    assert_eq!(out.status.code(), Some(253));
    let err = text(&out.stderr);
    assert!(
        err.contains("~/.aws/credentials is a symbolic link to") && err.contains("which does not exist"),
        "{err}"
    );
}

#[test]
fn errors_and_warnings_about_the_credentials_file_never_quote_a_secret() {
    let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    for body in [
        format!("[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key {secret}\n"),
        format!("aws_secret_access_key = {secret}\n[default]\n"),
        format!("[default]\n{secret}\n"),
    ] {
        let home = temp_dir("home");
        write(&home, "credentials", &body);
        let out = awl_in(&home, &[], &["configure", "list"], "");
        assert_eq!(out.status.code(), Some(253), "{body}");
        let err = text(&out.stderr);
        assert!(err.starts_with("awl: error: ~/.aws/credentials:"), "{err}");
        assert!(!err.contains("wJalrXUtnFEMI"), "the secret is quoted: {err}");
    }
    let home = temp_dir("home");
    write(
        &home,
        "credentials",
        &format!("[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = {secret} # mine\n"),
    );
    let out = awl_in(&home, &[], &["configure", "list"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("the AWS CLI reads the comment after 'aws_secret_access_key'"),
        "{err}"
    );
    assert!(
        !err.contains("wJalrXUtnFEMI") && !text(&out.stdout).contains("wJalrXUtnFEMI"),
        "{err}"
    );
}
