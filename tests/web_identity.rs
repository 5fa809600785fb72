//! Web identity (EKS IRSA, CI OIDC) against a real moto (signature checking off: moto answers the unsigned
//! AssumeRoleWithWebIdentity with a 500 when it checks): the environment's variables and the profile form, the
//! AWS CLI's cache shared both ways, the token file read again on every refresh, and the bad token files.

mod common;

use awl::codec::json;
use awl::config::env::Env;
use awl::config::resolve::Flags;
use awl::session::{Session, SessionOptions, Transports};
use common::servers::{Proxy, moto_unchecked, venv};
use common::{awl_in, clean_command, temp_dir, text};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Output;

const ROLE: &str = "arn:aws:iam::123456789012:role/chain-b";
const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.first.sig\n";

/// The AWS CLI's cache file for `{"RoleArn": ROLE, "RoleSessionName": "pod-1", "WebIdentityToken": TOKEN}`
/// (the token as the file holds it, newline included).
fn cache_name() -> String {
    awl::providers::cache::CacheKey {
        role_arn: ROLE,
        role_session_name: Some("pod-1"),
        web_identity_token: Some(TOKEN),
        ..Default::default()
    }
    .file_name()
}

fn web_identity_calls(p: &Proxy) -> Vec<common::servers::Recorded> {
    p.requests()
        .into_iter()
        .filter(|r| r.body_text().contains("Action=AssumeRoleWithWebIdentity"))
        .collect()
}

fn arn(out: &Output) -> String {
    let v = json::parse(&text(&out.stdout)).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)));
    v.get("Arn").and_then(|a| a.as_str()).expect("Arn").to_owned()
}

#[test]
fn aws_role_arn_and_a_token_file_give_the_role_shared_with_the_aws_cli() {
    let m = moto_unchecked();
    let proxy = Proxy::start(m.addr);
    let home = temp_dir("webid-home");
    let token = home.join("token");
    fs::write(&token, TOKEN).expect("token");
    let token_path = token.to_string_lossy().into_owned();
    let vars = [
        ("AWS_ENDPOINT_URL", proxy.url.as_str()),
        ("AWS_ROLE_ARN", ROLE),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token_path.as_str()),
        ("AWS_ROLE_SESSION_NAME", "pod-1"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ];
    let out = awl_in(&home, &vars, &["--debug", "sts", "get-caller-identity"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let trace = text(&out.stderr);
    assert!(trace.contains("AssumeRoleWithWebIdentity"), "{trace}");
    assert!(!trace.contains("first.sig"), "the token is never logged: {trace}");
    assert_eq!(arn(&out), "arn:aws:sts::123456789012:assumed-role/chain-b/pod-1");
    let calls = web_identity_calls(&proxy);
    assert_eq!(calls.len(), 1);
    assert!(
        !calls[0].head.to_ascii_lowercase().contains("authorization:"),
        "unsigned: {}",
        calls[0].head
    );
    // Sent trimmed of the file's newline.
    assert!(
        calls[0]
            .body_text()
            .ends_with("WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.first.sig")
    );
    let cached = home.join(".aws/cli/cache").join(cache_name());
    assert_eq!(
        fs::metadata(&cached).expect("cached").permissions().mode() & 0o777,
        0o600
    );

    // The next run, and the AWS CLI, take the role from that cache: no second call.
    let again = awl_in(&home, &vars, &["sts", "get-caller-identity"], "");
    assert_eq!(arn(&again), arn(&out));
    let aws = clean_command(venv().join("bin/aws"), &home, &vars)
        .args(["sts", "get-caller-identity", "--output", "json"])
        .output()
        .expect("aws runs");
    assert!(aws.status.success(), "{}", text(&aws.stderr));
    assert_eq!(arn(&aws), arn(&out));
    assert_eq!(web_identity_calls(&proxy).len(), 1, "both used the cache");
}

#[test]
fn a_profile_with_a_token_file_is_the_base_of_a_role_chain() {
    let m = moto_unchecked();
    let proxy = Proxy::start(m.addr);
    let home = temp_dir("webid-profile");
    fs::create_dir_all(home.join(".aws")).expect("aws dir");
    fs::write(home.join("token"), "eyJ.profile.token").expect("token");
    fs::write(
        home.join(".aws/config"),
        format!(
            "[profile ci]\nrole_arn = {ROLE}\nweb_identity_token_file = {}\n\
             [profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/chain-c\nsource_profile = ci\n",
            home.join("token").display()
        ),
    )
    .expect("config");
    let vars = [("AWS_ENDPOINT_URL", proxy.url.as_str())];
    let out = awl_in(
        &home,
        &vars,
        &["--profile", "deploy", "sts", "get-caller-identity"],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(arn(&out).contains(":assumed-role/chain-c/"), "{}", arn(&out));
    assert_eq!(web_identity_calls(&proxy).len(), 1);
    let assume: Vec<_> = proxy
        .requests()
        .into_iter()
        .filter(|r| r.body_text().contains("Action=AssumeRole&"))
        .collect();
    assert_eq!(
        assume.len(),
        1,
        "then one AssumeRole, signed with the web identity's key"
    );
    assert!(assume[0].head.contains("Credential=ASIA"), "{}", assume[0].head);
}

#[test]
fn a_missing_or_empty_token_file_is_one_line_naming_it() {
    let home = temp_dir("webid-bad");
    let missing = home.join("nope").to_string_lossy().into_owned();
    let empty = home.join("empty");
    fs::write(&empty, "  \n").expect("empty");
    let empty = empty.to_string_lossy().into_owned();
    for (file, what) in [(missing.as_str(), "no such file"), (empty.as_str(), "is empty")] {
        let vars = [
            ("AWS_ROLE_ARN", ROLE),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", file),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ];
        let out = awl_in(&home, &vars, &["sts", "get-caller-identity"], "");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(253), "{err}");
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.contains(file) && first.contains("AWS_WEB_IDENTITY_TOKEN_FILE"),
            "{err}"
        );
        assert!(first.contains(what), "{err}");
        assert!(err.lines().count() <= 2, "one line and a hint: {err}");
    }
    let vars = [("AWS_WEB_IDENTITY_TOKEN_FILE", empty.as_str())];
    let out = awl_in(&home, &vars, &["sts", "get-caller-identity"], "");
    assert_eq!(out.status.code(), Some(253));
    assert!(
        text(&out.stderr).contains("AWS_ROLE_ARN is not"),
        "{}",
        text(&out.stderr)
    );
}

/// The refresher a long transfer uses walks the chain again: the token file is read anew each time
/// (Kubernetes rotates it). The test is the clock: it calls the refresher twice, rewriting the file between.
#[test]
fn each_refresh_reads_the_token_file_again() {
    let m = moto_unchecked();
    let proxy = Proxy::start(m.addr);
    let dir = temp_dir("webid-refresh");
    let token = dir.join("token");
    fs::write(&token, "eyJ.one").expect("token");
    let path = |n: &str| dir.join(n).to_string_lossy().into_owned();
    // No HOME: no cache, so every refresh goes to STS.
    let env = Env::from_pairs([
        ("AWS_CONFIG_FILE", path("config")),
        ("AWS_SHARED_CREDENTIALS_FILE", path("credentials")),
        ("AWS_ROLE_ARN", ROLE.to_owned()),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", path("token")),
        ("AWS_ENDPOINT_URL", proxy.url.clone()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ]);
    let session = Session::open(
        env,
        &Flags::default(),
        &SessionOptions::default(),
        &Transports::ureq,
    )
    .expect("session");
    let refresh = session.refresher().expect("web identity can be refreshed");
    let first = refresh().expect("first");
    fs::write(&token, "eyJ.two").expect("rotated");
    let second = refresh().expect("second");
    assert_ne!(first.access_key_id, second.access_key_id);
    let bodies: Vec<String> = web_identity_calls(&proxy).iter().map(|r| r.body_text()).collect();
    assert_eq!(bodies.len(), 2);
    assert!(bodies[0].ends_with("WebIdentityToken=eyJ.one"), "{}", bodies[0]);
    assert!(bodies[1].ends_with("WebIdentityToken=eyJ.two"), "{}", bodies[1]);
}
