//! `awl configure export-credentials --format F` and `awl env --format F`: the bash lines evaluated by bash
//! (variables set, stale ones cleared), the other shells' lines checked as text (fish and PowerShell are not
//! installed here), and the AWS CLI taking credentials from `credential_process = awl configure
//! export-credentials` against moto.

mod common;

use common::servers::{home_with_moto_keys, moto, venv};
use common::{awl_in, clean_command, temp_dir, text};
use std::fs;

/// A home whose default profile has a secret with characters every shell quotes differently.
fn home() -> std::path::PathBuf {
    let home = temp_dir("export");
    fs::create_dir_all(home.join(".aws")).expect("aws dir");
    fs::write(
        home.join(".aws/credentials"),
        "[default]\naws_access_key_id = AKIAEXPORT\naws_secret_access_key = s'e$c\\r`e t\n",
    )
    .expect("credentials");
    home
}

#[test]
fn bash_evaluates_the_env_lines_and_clears_stale_variables() {
    let home = home();
    for args in [
        &["configure", "export-credentials", "--format", "env"][..],
        &["env"][..],
        &["env", "--format", "env"][..],
    ] {
        let out = awl_in(&home, &[], args, "");
        assert!(out.status.success(), "{}", text(&out.stderr));
        let script = format!(
            "export AWS_SESSION_TOKEN=stale AWS_PROFILE=old\n{}\n\
             printf '%s|%s|%s|%s' \"$AWS_ACCESS_KEY_ID\" \"$AWS_SECRET_ACCESS_KEY\" \"${{AWS_SESSION_TOKEN-unset}}\" \
             \"${{AWS_PROFILE-unset}}\"",
            text(&out.stdout)
        );
        let bash = clean_command("bash", &home, &[])
            .arg("-c")
            .arg(script)
            .output()
            .expect("bash");
        assert_eq!(
            text(&bash.stdout),
            "AKIAEXPORT|s'e$c\\r`e t|unset|unset",
            "{args:?}"
        );
    }
}

#[test]
fn the_other_formats_as_text() {
    let home = home();
    let run = |f: &str| {
        let out = awl_in(
            &home,
            &[],
            &["configure", "export-credentials", "--format", f],
            "",
        );
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    let (_, fish, _) = run("fish");
    assert!(fish.contains("set -e AWS_SESSION_TOKEN\n"), "{fish}");
    assert!(
        fish.contains("set -gx AWS_SECRET_ACCESS_KEY 's\\'e$c\\\\r`e t'\n"),
        "{fish}"
    );
    let (_, ps, _) = run("powershell");
    assert!(
        ps.contains("Remove-Item Env:AWS_SESSION_TOKEN -ErrorAction SilentlyContinue\n"),
        "{ps}"
    );
    assert!(
        ps.contains("$Env:AWS_SECRET_ACCESS_KEY='s''e$c\\r`e t'\n"),
        "{ps}"
    );
    let (_, no_export, _) = run("env-no-export");
    assert!(no_export.contains("AWS_ACCESS_KEY_ID='AKIAEXPORT'\n") && !no_export.contains("export "));
    // cmd cannot quote every character: the secret here has none it acts on, so it is set as it is.
    let (_, cmd, _) = run("windows-cmd");
    assert!(
        cmd.contains("set AWS_SESSION_TOKEN=\n") && cmd.contains("set AWS_SECRET_ACCESS_KEY=s'e$c\\r`e t\n")
    );
    let (code, _, err) = run("csh");
    assert_eq!(code, Some(252), "{err}");
    let (_, process, _) = run("process");
    let v = awl::codec::json::parse(&process).expect("JSON");
    assert!(process.contains("\"Version\": 1"), "{process}");
    assert_eq!(v.get("AccessKeyId").and_then(|x| x.as_str()), Some("AKIAEXPORT"));
}

#[test]
fn windows_cmd_refuses_a_value_it_would_act_on() {
    let home = temp_dir("export-cmd");
    fs::create_dir_all(home.join(".aws")).expect("aws dir");
    fs::write(
        home.join(".aws/credentials"),
        "[default]\naws_access_key_id = AKIAEXPORT\naws_secret_access_key = a&calc%x\n",
    )
    .expect("credentials");
    let out = awl_in(
        &home,
        &[],
        &["configure", "export-credentials", "--format", "windows-cmd"],
        "",
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(255), "{err}");
    assert!(err.contains("AWS_SECRET_ACCESS_KEY holds a character"), "{err}");
    assert!(
        !err.contains("calc") && text(&out.stdout).is_empty(),
        "no secret and no half output: {err}"
    );
}

#[test]
fn the_aws_cli_takes_credentials_from_awl_export_credentials() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let config = home.join(".aws/config");
    let mut text_now = fs::read_to_string(&config).expect("config");
    text_now.push_str(&format!(
        "\n[profile viaawl]\ncredential_process = {} configure export-credentials --profile default\n",
        env!("CARGO_BIN_EXE_awl")
    ));
    fs::write(&config, text_now).expect("config");
    let out = clean_command(venv().join("bin/aws"), &home, &[])
        .args([
            "--profile",
            "viaawl",
            "--endpoint-url",
            &m.url,
            "--region",
            "us-east-1",
        ])
        .args(["sts", "get-caller-identity", "--output", "json"])
        .output()
        .expect("aws runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("arn:aws:iam::123456789012:user/alice"),
        "{}",
        text(&out.stdout)
    );
}
