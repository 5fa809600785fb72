//! STS against a real moto server with signature checking on: the scenario's MFA role with the AWS CLI's cache
//! shared in both directions, multi-hop chains, concurrent runs, and the error paths (no terminal, a bad code,
//! a wrong code, a corrupt cache). A recording proxy shows what went on the wire.

mod common;

use common::servers::{Proxy, home_with_moto_keys, moto, venv};
use common::{awl_command, awl_in, clean_command, text};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

const PROFILE2_CACHE: &str = "f7cd9dfa46df1e7a80e0e0baacc1b2cdcc3b1df7.json";
const PROFILE1_CACHE: &str = "182f36d3a4020609755ceaed091f53cf2b98e57f.json";
const CODE: &str = "123456";

fn run(home: &Path, endpoint: &str, args: &[&str]) -> Output {
    awl_in(home, &[("AWS_ENDPOINT_URL", endpoint)], args, "")
}

/// profile2's first run, the MFA code given on the command line.
fn with_code(home: &Path, endpoint: &str) -> Output {
    run(
        home,
        endpoint,
        &[
            "--profile",
            "profile2",
            "--mfa-code",
            CODE,
            "sts",
            "get-caller-identity",
        ],
    )
}

fn cache_dir(home: &Path) -> PathBuf {
    home.join(".aws/cli/cache")
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

fn json(out: &Output) -> awl::codec::json::Value {
    awl::codec::json::parse(&text(&out.stdout))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&out.stdout)))
}

fn arn(out: &Output) -> String {
    json(out)
        .get("Arn")
        .and_then(|v| v.as_str())
        .expect("Arn")
        .to_owned()
}

fn assume_role_count(p: &Proxy) -> usize {
    p.requests()
        .iter()
        .filter(|r| r.body_text().contains("Action=AssumeRole"))
        .count()
}

#[test]
fn profile2_asks_once_then_runs_from_the_cache() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let proxy = Proxy::start(m.addr);

    let out = run(
        &home,
        &proxy.url,
        &[
            "--profile",
            "profile2",
            "--mfa-code",
            CODE,
            "sts",
            "get-caller-identity",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        arn(&out).starts_with("arn:aws:sts::456:assumed-role/Sysops/awl-session-"),
        "{}",
        arn(&out)
    );

    // The MFA fields reached the wire, with the region's STS signing scope.
    let assume: Vec<_> = proxy
        .requests()
        .into_iter()
        .filter(|r| r.body_text().contains("Action=AssumeRole"))
        .collect();
    assert_eq!(assume.len(), 1);
    let body = assume[0].body_text();
    assert!(
        body.contains("SerialNumber=arn%3Aaws%3Aiam%3A%3A789%3Amfa%2Fuser%40domain.blabla"),
        "{body}"
    );
    assert!(body.contains(&format!("TokenCode={CODE}")), "{body}");
    assert!(
        assume[0].head.contains("/ap-southeast-2/sts/aws4_request"),
        "{}",
        assume[0].head
    );

    // The cache file has the AWS CLI's name, 0600 in a 0700 folder.
    let file = cache_dir(&home).join(PROFILE2_CACHE);
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&cache_dir(&home)), 0o700);
    let entry = awl::codec::json::parse(&fs::read_to_string(&file).expect("cache file")).expect("cache JSON");
    assert!(
        entry
            .get("Credentials")
            .and_then(|c| c.get("SessionToken"))
            .is_some()
    );

    // Again: no code, stdin not a terminal, and no AssumeRole: the cache serves.
    let again = run(
        &home,
        &proxy.url,
        &["--profile", "profile2", "sts", "get-caller-identity"],
    );
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert_eq!(arn(&again), arn(&out));
    assert_eq!(
        assume_role_count(&proxy),
        1,
        "the second run did not call AssumeRole"
    );
}

#[test]
fn without_a_code_or_a_terminal_it_says_so_at_once() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let proxy = Proxy::start(m.addr);
    let out = run(
        &home,
        &proxy.url,
        &["--profile", "profile2", "sts", "get-caller-identity"],
    );
    assert_eq!(out.status.code(), Some(253));
    assert_eq!(
        text(&out.stderr),
        "awl: error: an MFA code is needed for arn:aws:iam::789:mfa/user@domain.blabla, and there is no terminal \
         to ask on\nhint: pass --mfa-code CODE, or run awl in a terminal\n"
    );
    assert!(proxy.requests().is_empty(), "nothing was sent");
}

#[test]
fn a_code_that_is_not_six_digits_is_refused_before_any_request() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let proxy = Proxy::start(m.addr);
    for code in ["12345", "1234567", "12a456"] {
        let out = run(
            &home,
            &proxy.url,
            &[
                "--profile",
                "profile2",
                "--mfa-code",
                code,
                "sts",
                "get-caller-identity",
            ],
        );
        assert_eq!(out.status.code(), Some(252), "{code}");
        assert!(text(&out.stderr).starts_with("awl: error: the MFA code must be exactly 6 digits\n"));
    }
    assert!(proxy.requests().is_empty());
}

#[test]
fn a_wrong_code_gives_the_sts_message_and_exit_254() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let proxy = Proxy::start(m.addr);
    // moto accepts any code; real STS answers a wrong one like this.
    proxy.answer(
        "Action=AssumeRole",
        403,
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
         <Code>AccessDenied</Code><Message>MultiFactorAuthentication failed with invalid MFA one time pass code.\
         </Message></Error><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ErrorResponse>",
    );
    let out = run(
        &home,
        &proxy.url,
        &[
            "--profile",
            "profile2",
            "--mfa-code",
            "000000",
            "sts",
            "get-caller-identity",
        ],
    );
    assert_eq!(out.status.code(), Some(254));
    assert_eq!(
        text(&out.stderr),
        "awl: error: profile 'profile2': AssumeRole arn:aws:iam::456:role/Sysops: STS AccessDenied (HTTP 403): \
         MultiFactorAuthentication failed with invalid MFA one time pass code. \
         [request id 7a62c49f-347e-4fc4-9331-6e8eEXAMPLE]\n"
    );
    assert!(!cache_dir(&home).join(PROFILE2_CACHE).exists(), "nothing cached");
}

#[test]
fn debug_traces_show_the_exchange_but_no_secret() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let out = run(
        &home,
        &m.url,
        &[
            "--debug",
            "--profile",
            "profile2",
            "--mfa-code",
            CODE,
            "sts",
            "get-caller-identity",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("> POST http://127.0.0.1:") && err.contains("TokenCode=***"),
        "{err}"
    );
    assert!(err.contains("Signature=***") && err.contains("< 200"), "{err}");
    let entry = fs::read_to_string(cache_dir(&home).join(PROFILE2_CACHE)).expect("cache");
    let cached = awl::providers::cache::parse_entry(&entry).expect("entry");
    let token = cached.session_token.as_ref().expect("token").expose().to_owned();
    let all = format!("{}{err}", text(&out.stdout));
    for secret in [
        m.secret.as_str(),
        CODE,
        cached.secret_access_key.expose(),
        token.as_str(),
    ] {
        assert!(!all.contains(secret), "a secret appears in the output: {secret}");
    }
}

#[test]
fn a_three_hop_chain_caches_each_hop() {
    let m = moto();
    let home = home_with_moto_keys(m);
    fs::write(
        home.join(".aws/config"),
        "[profile a]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/chain-c\nsource_profile = b\n\
         [profile b]\nrole_arn = arn:aws:iam::123456789012:role/chain-b\nsource_profile = default\n\
         mfa_serial = arn:aws:iam::123456789012:mfa/alice\n",
    )
    .expect("config");
    let proxy = Proxy::start(m.addr);
    let out = run(
        &home,
        &proxy.url,
        &["--profile", "a", "--mfa-code", CODE, "sts", "get-caller-identity"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        arn(&out).starts_with("arn:aws:sts::123456789012:assumed-role/chain-c/"),
        "{}",
        arn(&out)
    );
    let bodies: Vec<String> = proxy
        .requests()
        .iter()
        .map(|r| r.body_text())
        .filter(|b| b.contains("AssumeRole"))
        .collect();
    assert_eq!(bodies.len(), 2);
    assert!(
        bodies[0].contains("role%2Fchain-b") && bodies[0].contains("TokenCode="),
        "{}",
        bodies[0]
    );
    assert!(
        bodies[1].contains("role%2Fchain-c") && !bodies[1].contains("TokenCode"),
        "{}",
        bodies[1]
    );
    let files: Vec<_> = fs::read_dir(cache_dir(&home))
        .expect("cache")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    // From the cache, hop by hop: no code and no AssumeRole.
    let again = run(
        &home,
        &proxy.url,
        &["--profile", "a", "sts", "get-caller-identity"],
    );
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert_eq!(assume_role_count(&proxy), 2);
}

#[test]
fn twenty_concurrent_runs_leave_one_valid_cache_file() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let children: Vec<_> = (0..20)
        .map(|_| {
            awl_command(&home, &[("AWS_ENDPOINT_URL", &m.url)])
                .args(["--profile", "profile1", "sts", "get-caller-identity"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("awl runs")
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().expect("exits");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let files: Vec<_> = fs::read_dir(cache_dir(&home))
        .expect("cache")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1, "one file and no temporary ones: {files:?}");
    assert!(files[0].ends_with(PROFILE1_CACHE));
    let entry = fs::read_to_string(&files[0]).expect("read");
    assert!(
        awl::providers::cache::parse_entry(&entry).is_some(),
        "parseable: {entry}"
    );
}

#[test]
fn a_corrupt_cache_file_is_ignored_and_replaced() {
    let m = moto();
    let home = home_with_moto_keys(m);
    fs::create_dir_all(cache_dir(&home)).expect("cache dir");
    fs::write(
        cache_dir(&home).join(PROFILE2_CACHE),
        "{\"Credentials\": {\"AccessKeyId\": tru",
    )
    .expect("corrupt");
    let out = with_code(&home, &m.url);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let entry = fs::read_to_string(cache_dir(&home).join(PROFILE2_CACHE)).expect("cache");
    assert!(awl::providers::cache::parse_entry(&entry).is_some());
}

#[test]
fn an_expiring_cache_entry_is_not_used() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let first = with_code(&home, &m.url);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    // Ten minutes left: inside the AWS CLI's 15-minute window, so a new code is needed.
    let file = cache_dir(&home).join(PROFILE2_CACHE);
    let soon = awl::codec::time::UtcDateTime::from_system_time(
        std::time::SystemTime::now() + std::time::Duration::from_secs(600),
    );
    let entry = fs::read_to_string(&file).expect("cache");
    let v = awl::codec::json::parse(&entry).expect("json");
    let old = v
        .get("Credentials")
        .and_then(|c| c.get("Expiration"))
        .and_then(|e| e.as_str())
        .expect("exp");
    fs::write(&file, entry.replace(old, &soon.rfc3339())).expect("rewrite");
    let out = run(
        &home,
        &m.url,
        &["--profile", "profile2", "sts", "get-caller-identity"],
    );
    assert_eq!(out.status.code(), Some(253), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("an MFA code is needed"));
}

/// The AWS CLI from the test virtualenv, detached from any terminal so its MFA prompt reads stdin.
fn aws(home: &Path, endpoint: &str, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = clean_command("setsid", home, &[("AWS_ENDPOINT_URL", endpoint)])
        .arg("-w")
        .arg(venv().join("bin/aws"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("aws runs");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.as_bytes()).expect("write");
    drop(input);
    child.wait_with_output().expect("aws exits")
}

#[test]
fn the_aws_cli_cache_serves_awl() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let out = aws(
        &home,
        &m.url,
        &["--profile", "profile2", "sts", "get-caller-identity"],
        &format!("{CODE}\n"),
    );
    assert_eq!(out.status.code(), Some(0), "aws: {}", text(&out.stderr));
    assert!(
        cache_dir(&home).join(PROFILE2_CACHE).exists(),
        "the CLI wrote the cache file awl expects"
    );
    let proxy = Proxy::start(m.addr);
    let awl_out = run(
        &home,
        &proxy.url,
        &["--profile", "profile2", "sts", "get-caller-identity"],
    );
    assert_eq!(awl_out.status.code(), Some(0), "{}", text(&awl_out.stderr));
    assert_eq!(arn(&awl_out), arn(&out));
    assert_eq!(assume_role_count(&proxy), 0);
}

#[test]
fn awls_cache_serves_the_aws_cli() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let out = with_code(&home, &m.url);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let cli = aws(
        &home,
        &m.url,
        &["--profile", "profile2", "sts", "get-caller-identity"],
        "",
    );
    assert_eq!(cli.status.code(), Some(0), "aws: {}", text(&cli.stderr));
    assert_eq!(arn(&cli), arn(&out));
}

#[test]
fn assume_role_command_prints_credentials_like_the_aws_cli() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let proxy = Proxy::start(m.addr);
    let out = run(
        &home,
        &proxy.url,
        &[
            "sts",
            "assume-role",
            "--role-arn",
            "arn:aws:iam::123456789012:role/chain-b",
            "--role-session-name",
            "ops",
            "--serial-number",
            "arn:aws:iam::123456789012:mfa/alice",
            "--token-code",
            CODE,
            "--duration-seconds",
            "900",
            "--external-id=x1",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v = json(&out);
    assert!(v.get("Credentials").and_then(|c| c.get("SessionToken")).is_some());
    assert_eq!(
        v.get("AssumedRoleUser")
            .and_then(|u| u.get("Arn"))
            .and_then(|a| a.as_str()),
        Some("arn:aws:sts::123456789012:assumed-role/chain-b/ops")
    );
    let body = proxy.requests().last().expect("a request").body_text();
    for part in [
        "RoleSessionName=ops",
        "DurationSeconds=900",
        "ExternalId=x1",
        "TokenCode=123456",
        "SerialNumber=",
    ] {
        assert!(body.contains(part), "{part} in {body}");
    }
    let out = run(
        &home,
        &m.url,
        &["sts", "assume-role", "--role-arn", "arn:aws:iam::1:role/x"],
    );
    assert_eq!(out.status.code(), Some(252));
    assert!(text(&out.stderr).starts_with("awl: error: 'awl sts assume-role' needs --role-session-name"));
}

#[test]
fn a_wrong_secret_is_refused_by_the_server() {
    let m = moto();
    let home = home_with_moto_keys(m);
    fs::write(
        home.join(".aws/credentials"),
        format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = wrong\n",
            m.key_id
        ),
    )
    .expect("credentials");
    let out = run(&home, &m.url, &["sts", "get-caller-identity"]);
    assert_eq!(out.status.code(), Some(254));
    assert!(
        text(&out.stderr).starts_with("awl: error: GetCallerIdentity: STS SignatureDoesNotMatch (HTTP 403)"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn on_a_terminal_the_code_is_asked_for() {
    let m = moto();
    let home = home_with_moto_keys(m);
    // `script` gives awl a pseudo-terminal; the code is typed into it.
    let mut child = clean_command("script", &home, &[("AWS_ENDPOINT_URL", &m.url)])
        .args([
            "-qec",
            &format!(
                "{} --profile profile2 sts get-caller-identity",
                env!("CARGO_BIN_EXE_awl")
            ),
            "/dev/null",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script runs");
    {
        use std::io::Write;
        let mut input = child.stdin.take().expect("stdin");
        input
            .write_all(format!("{CODE}\n").as_bytes())
            .expect("type the code");
    }
    let out = child.wait_with_output().expect("exits");
    let screen = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{screen}");
    assert!(
        screen.contains("Enter MFA code for arn:aws:iam::789:mfa/user@domain.blabla: "),
        "{screen}"
    );
    assert!(
        screen.contains("arn:aws:sts::456:assumed-role/Sysops/"),
        "{screen}"
    );
    assert!(cache_dir(&home).join(PROFILE2_CACHE).exists());
}

#[test]
fn http_proxy_and_no_proxy_are_honoured() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let proxy = Proxy::start(m.addr);
    let via = |no_proxy: &str| {
        awl_in(
            &home,
            &[
                ("AWS_ENDPOINT_URL", m.url.as_str()),
                ("HTTP_PROXY", proxy.url.as_str()),
                ("NO_PROXY", no_proxy),
            ],
            &["sts", "get-caller-identity"],
            "",
        )
    };
    let out = via("example.com");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let seen = proxy.requests();
    assert_eq!(seen.len(), 2, "a tunnel, and the request inside it");
    assert!(
        seen[0].head.starts_with(&format!("CONNECT {} ", m.addr)),
        "{}",
        seen[0].head
    );
    assert!(seen[1].body_text().contains("Action=GetCallerIdentity"));
    let out = via("localhost,127.0.0.1");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(proxy.requests().len(), 2, "NO_PROXY sent it directly");
}
