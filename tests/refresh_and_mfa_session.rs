//! One MFA code for many roles (awl's MFA session: one GetSessionToken, then roles without a code), and
//! assumed-role credentials renewed in the middle of a transfer, against real moto servers through a recording
//! proxy. GetSessionToken runs on the moto without signature checking (its fixed key fails its own check).

mod common;

#[path = "support/day.rs"]
mod day;

use common::servers::{Action, Moto, Proxy, Recorded, home_with_moto_keys, moto, moto_unchecked};
use common::{awl_command, data_file, text};
use day::{awl_at, done, new_bucket, uploads_in_progress};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

const SERIAL: &str = "arn:aws:iam::123456789012:mfa/alice";

fn with_body(p: &Proxy, needle: &str) -> Vec<Recorded> {
    p.requests()
        .into_iter()
        .filter(|r| r.body_text().contains(needle))
        .collect()
}

/// The access key id a request was signed with.
fn key_of(r: &Recorded) -> Option<String> {
    let at = r.head.find("Credential=")? + "Credential=".len();
    r.head[at..].split('/').next().map(str::to_owned)
}

fn arn(out: &Output) -> String {
    let v =
        awl::codec::json::parse(&text(&out.stdout)).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)));
    v.get("Arn").and_then(|a| a.as_str()).expect("Arn").to_owned()
}

/// A home with moto's keys in [default] and `roles` appended to the scenario's config.
fn home_with_roles(m: &Moto, roles: &str) -> std::path::PathBuf {
    let home = home_with_moto_keys(m);
    let config = home.join(".aws/config");
    let mut text = fs::read_to_string(&config).expect("config");
    text.push_str(roles);
    fs::write(&config, text).expect("config");
    home
}

#[test]
fn two_roles_behind_one_device_take_one_code() {
    let m = moto_unchecked();
    let proxy = Proxy::start(m.addr);
    let roles = format!(
        "\n[profile r1]\nrole_arn = arn:aws:iam::123456789012:role/chain-b\nsource_profile = default\n\
         mfa_serial = {SERIAL}\n[profile r2]\nrole_arn = arn:aws:iam::123456789012:role/chain-c\n\
         source_profile = default\nmfa_serial = {SERIAL}\nmfa_session = true\n"
    );
    let home = home_with_roles(m, &roles);
    // The session flag on the profile of the keys ([default] here) covers r1; r2 also sets it itself.
    fs::write(
        home.join(".aws/credentials"),
        format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\nmfa_session = true\n",
            m.key_id, m.secret
        ),
    )
    .expect("credentials");
    let vars = [("AWS_ENDPOINT_URL", proxy.url.as_str())];
    let first = awl_command(&home, &vars)
        .args([
            "--profile",
            "r1",
            "--mfa-code",
            "864209",
            "--debug",
            "sts",
            "get-caller-identity",
        ])
        .output()
        .expect("awl runs");
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(arn(&first).contains("assumed-role/chain-b/"));
    assert!(
        !text(&first.stderr).contains("864209"),
        "the code is never logged"
    );
    // The second role: no code given, no terminal to ask on.
    let second = awl_command(&home, &vars)
        .args(["--profile", "r2", "sts", "get-caller-identity"])
        .output()
        .expect("awl runs");
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert!(arn(&second).contains("assumed-role/chain-c/"));

    let sessions = with_body(&proxy, "Action=GetSessionToken");
    let roles = with_body(&proxy, "Action=AssumeRole&");
    assert_eq!((sessions.len(), roles.len()), (1, 2), "one session, two roles");
    assert!(
        sessions[0]
            .body_text()
            .contains("SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice")
    );
    assert_eq!(
        key_of(&sessions[0]).as_deref(),
        Some(m.key_id.as_str()),
        "the session from the user's keys"
    );
    let file = home
        .join(".aws/cli/cache")
        .join(awl::providers::cache::mfa_session_file_name(&m.key_id, SERIAL));
    let saved = fs::read_to_string(&file).expect("the session is kept");
    assert_eq!(
        fs::metadata(&file).expect("meta").permissions().mode() & 0o777,
        0o600
    );
    assert!(!saved.contains("864209"));
    let session_key = awl::providers::cache::parse_entry(&saved)
        .expect("entry")
        .access_key_id;
    for r in &roles {
        assert!(
            !r.body_text().contains("TokenCode") && !r.body_text().contains("SerialNumber"),
            "{}",
            r.body_text()
        );
        assert_eq!(
            key_of(r),
            Some(session_key.clone()),
            "roles assumed with the session's key"
        );
    }
}

#[test]
fn mfa_session_on_a_later_role_of_a_chain_is_refused() {
    let m = moto_unchecked();
    let roles = format!(
        "\n[profile a]\nrole_arn = arn:aws:iam::123456789012:role/chain-b\nsource_profile = default\n\
         [profile b]\nrole_arn = arn:aws:iam::123456789012:role/chain-c\nsource_profile = a\n\
         mfa_serial = {SERIAL}\nmfa_session = true\n"
    );
    let home = home_with_roles(m, &roles);
    let out = awl_command(&home, &[("AWS_ENDPOINT_URL", m.url.as_str())])
        .args([
            "--profile",
            "b",
            "--mfa-code",
            "123456",
            "sts",
            "get-caller-identity",
        ])
        .output()
        .expect("awl runs");
    assert_eq!(out.status.code(), Some(253), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("mfa_session works only"),
        "{}",
        text(&out.stderr)
    );
}

/// Uploads 30 MiB in 6 parts, one at a time, each held 800 ms by the proxy: about 5 s, across the point where
/// credentials of a 303-second session come within awl's 5 minutes of their expiry.
fn slow_upload(home: &Path, proxy: &Proxy, profile: &str, bucket: &str, extra: &[&str]) -> Output {
    proxy.slow("partNumber=", Duration::from_millis(800));
    let file = data_file(home, "big.bin", 30 << 20);
    let mut args = vec!["--profile", profile];
    args.extend_from_slice(extra);
    let file = file.to_string_lossy().into_owned();
    let target = format!("s3://{bucket}/big.bin");
    args.extend_from_slice(&[
        "s3",
        "cp",
        &file,
        &target,
        "--multipart-threshold",
        "5MB",
        "--multipart-chunksize",
        "5MB",
        "--max-concurrency",
        "1",
    ]);
    awl_at(home, &proxy.url, home, &args)
}

/// A home whose profile `short` assumes chain-b from [default] for 303 seconds (plus `extra` lines), a new
/// bucket, and a recording proxy to moto.
fn renewal_world(m: &Moto, extra: &str, tag: &str) -> (std::path::PathBuf, String, Proxy) {
    let roles = format!(
        "\n[profile short]\nrole_arn = arn:aws:iam::123456789012:role/chain-b\nsource_profile = default\n\
         duration_seconds = 303\n{extra}"
    );
    let home = home_with_roles(m, &roles);
    let bucket = new_bucket(&home, m, tag);
    (home, bucket, Proxy::start(m.addr))
}

/// What the bucket lists (`awl s3 ls`).
fn listing(home: &Path, m: &Moto, bucket: &str) -> String {
    done(
        "ls",
        &awl_at(home, &m.url, home, &["s3", "ls", &format!("s3://{bucket}/")]),
    )
}

#[test]
fn a_transfer_outlasting_its_role_session_goes_on_with_renewed_keys() {
    let m = moto();
    let (home, bucket, proxy) = renewal_world(m, "", "refresh");
    let out = slow_upload(&home, &proxy, "short", &bucket, &[]);
    done("cp", &out);
    let assumed = with_body(&proxy, "Action=AssumeRole&");
    assert_eq!(assumed.len(), 2, "the role assumed again mid-transfer");
    let s3: Vec<Recorded> = proxy
        .requests()
        .into_iter()
        .filter(|r| !r.body_text().contains("Action="))
        .collect();
    let keys: Vec<String> = s3.iter().filter_map(key_of).collect();
    let (first, last) = (keys.first().expect("requests"), keys.last().expect("requests"));
    assert_ne!(
        first, last,
        "the upload began with one key and ended with the renewed one: {keys:?}"
    );
    assert!(keys.iter().filter(|k| *k == last).count() >= 2, "{keys:?}");
    let ls = listing(&home, m, &bucket);
    assert!(
        ls.contains(&(30u64 << 20).to_string()) && ls.contains("big.bin"),
        "{ls}"
    );
}

#[test]
fn a_role_that_needs_a_code_to_renew_stops_the_transfer_cleanly() {
    let m = moto();
    let (home, bucket, proxy) = renewal_world(m, &format!("mfa_serial = {SERIAL}\n"), "refresh-mfa");
    let out = slow_upload(&home, &proxy, "short", &bucket, &["--mfa-code", "123456"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("renewing them needs an MFA code") && err.contains("mfa_session = true"),
        "{err}"
    );
    assert_eq!(
        uploads_in_progress(&home, m, &bucket),
        0,
        "the upload was aborted"
    );
    assert!(!listing(&home, m, &bucket).contains("big.bin"), "nothing stored");
}

#[test]
fn sts_out_of_reach_at_renewal_time_does_not_stop_the_transfer() {
    let m = moto();
    let (home, bucket, proxy) = renewal_world(m, "", "refresh-drop");
    // The first AssumeRole passes; every attempt of the renewal is cut off without an answer.
    proxy.rule_after("Action=AssumeRole&", Action::Drop, 1, 10);
    let out = slow_upload(&home, &proxy, "short", &bucket, &[]);
    done("cp", &out);
    assert!(
        with_body(&proxy, "Action=AssumeRole&").len() >= 2,
        "a renewal was tried"
    );
    let ls = listing(&home, m, &bucket);
    assert!(
        ls.contains(&(30u64 << 20).to_string()),
        "the old credentials carried it: {ls}"
    );
}
