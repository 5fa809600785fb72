//! Credentials on servers and for other programs: credential_process, instance metadata (moto's emulation on
//! loopback), container endpoints, and `awl env` / `awl exec` / `awl credential-process`, the last with the
//! AWS CLI as the consumer. Nothing here goes to a link-local address.

mod common;

use common::servers::{Proxy, home_with_moto_keys, moto, venv};
use common::{awl_command, awl_in, clean_command, ok, temp_dir, text};
use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// An executable shell script in `dir`.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("script");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

fn arn(out: &Output) -> String {
    awl::codec::json::parse(&text(&out.stdout))
        .ok()
        .and_then(|v| v.get("Arn").and_then(|a| a.as_str()).map(str::to_owned))
        .unwrap_or_else(|| panic!("no Arn in {}", text(&out.stdout)))
}

#[test]
fn credential_process_gives_keys_directly_and_as_a_roles_source() {
    let m = moto();
    let home = temp_dir("home");
    let dir = temp_dir("proc");
    let good = script(
        &dir,
        "vault",
        "echo 'vault says hello' >&2\nprintf '{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\"}' \"$1\" \"$2\"",
    );
    fs::create_dir_all(home.join(".aws")).expect(".aws");
    fs::write(
        home.join(".aws/config"),
        format!(
            "[profile proc]\ncredential_process = {} '{}' {}\n\
             [profile role]\nrole_arn = arn:aws:iam::123456789012:role/chain-b\nsource_profile = proc\n",
            good.display(),
            m.key_id,
            m.secret
        ),
    )
    .expect("config");
    let out = awl_in(
        &home,
        &[("AWS_ENDPOINT_URL", &m.url)],
        &["--profile", "proc", "sts", "get-caller-identity"],
        "",
    );
    ok(&out);
    assert_eq!(arn(&out), "arn:aws:iam::123456789012:user/alice");
    assert!(
        text(&out.stderr).contains("vault says hello"),
        "the process's stderr is passed through"
    );
    let out = awl_in(
        &home,
        &[("AWS_ENDPOINT_URL", &m.url)],
        &["--profile", "role", "sts", "get-caller-identity"],
        "",
    );
    ok(&out);
    assert!(
        arn(&out).starts_with("arn:aws:sts::123456789012:assumed-role/chain-b/"),
        "{}",
        arn(&out)
    );
}

#[test]
fn a_failing_credential_process_is_one_line_naming_the_profile() {
    let home = temp_dir("home");
    let dir = temp_dir("proc");
    let cases = [
        ("fails", "exit 1", "failed with exit code 1"),
        ("badjson", "echo '{not json'", "its output is not JSON"),
        (
            "v2",
            "echo '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"S\"}'",
            "its output has Version 2",
        ),
    ];
    let mut config = String::new();
    for (name, body, _) in cases {
        let s = script(&dir, name, body);
        config.push_str(&format!(
            "[profile {name}]\ncredential_process = {}\n",
            s.display()
        ));
    }
    fs::create_dir_all(home.join(".aws")).expect(".aws");
    fs::write(home.join(".aws/config"), &config).expect("config");
    for (i, (name, _, want)) in cases.iter().enumerate() {
        let out = awl_in(&home, &[], &["--profile", name, "env"], "");
        assert_eq!(out.status.code(), Some(253), "{name}");
        let err = text(&out.stderr);
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!(
                "awl: error: profile '{name}': credential_process (~/.aws/config:{}) ",
                2 * i + 2
            )),
            "{first}"
        );
        assert!(first.ends_with(want) || first.contains(want), "{name}: {first}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn instance_metadata_gives_the_instance_roles_keys() {
    let m = moto();
    let home = temp_dir("home");
    let out = awl_in(
        &home,
        &[
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &m.url),
            ("AWS_EC2_METADATA_DISABLED", "false"),
        ],
        &["env"],
        "",
    );
    ok(&out);
    let env = text(&out.stdout);
    assert!(env.contains("export AWS_ACCESS_KEY_ID='test-key'\n"), "{env}");
    assert!(env.contains("export AWS_SESSION_TOKEN="), "{env}");
}

#[test]
fn an_instance_metadata_endpoint_that_never_answers_fails_fast() {
    // Accepts connections, never answers.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let held = std::thread::spawn(move || {
        let conns: Vec<_> = listener.incoming().take(4).collect();
        std::thread::sleep(Duration::from_secs(5));
        drop(conns);
    });
    let start = Instant::now();
    let out = awl_in(
        &temp_dir("home"),
        &[
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &url),
            ("AWS_EC2_METADATA_DISABLED", "false"),
        ],
        &["env"],
        "",
    );
    let took = start.elapsed();
    assert_eq!(out.status.code(), Some(253), "{}", text(&out.stderr));
    assert!(took < Duration::from_secs(2), "took {took:?}");
    let err = text(&out.stderr);
    assert!(
        err.starts_with(&format!("awl: error: instance metadata at {url}: no answer")),
        "{err}"
    );
    assert!(err.contains("hint: not on EC2?"), "{err}");
    drop(held);
}

#[test]
fn with_instance_metadata_disabled_the_error_says_where_awl_looked() {
    let out = awl_in(&temp_dir("home"), &[], &["env"], "");
    assert_eq!(out.status.code(), Some(253));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("awl: error: profile 'default' not found"),
        "{err}"
    );
    assert!(
        err.contains("instance metadata (AWS_EC2_METADATA_DISABLED)"),
        "{err}"
    );
}

#[test]
fn container_credentials_with_a_token_file() {
    let m = moto();
    let proxy = Proxy::start(m.addr);
    proxy.answer(
        "GET /v1/credentials",
        200,
        "{\"AccessKeyId\": \"ASIACONTAINER\", \"SecretAccessKey\": \"c-secret\", \"Token\": \"c-token\", \
         \"Expiration\": \"2099-01-01T00:00:00Z\"}",
    );
    let dir = temp_dir("container");
    fs::write(dir.join("token"), "Bearer pod-token\n").expect("token");
    let out = awl_in(
        &temp_dir("home"),
        &[
            (
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                &format!("{}/v1/credentials", proxy.url),
            ),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                &dir.join("token").to_string_lossy(),
            ),
        ],
        &["env", "--output", "json"],
        "",
    );
    ok(&out);
    let v = awl::codec::json::parse(&text(&out.stdout)).expect("json");
    assert_eq!(
        v.get("AccessKeyId").and_then(|a| a.as_str()),
        Some("ASIACONTAINER")
    );
    assert_eq!(
        v.get("Expiration").and_then(|a| a.as_str()),
        Some("2099-01-01T00:00:00Z")
    );
    let req = &proxy.requests()[0];
    assert!(
        req.head
            .to_ascii_lowercase()
            .contains("authorization: bearer pod-token\r\n"),
        "{}",
        req.head
    );
    // Plain HTTP to a host that is not local is refused.
    let out = awl_in(
        &temp_dir("home"),
        &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.1.2.3/creds")],
        &["env"],
        "",
    );
    assert_eq!(out.status.code(), Some(253));
    assert!(text(&out.stderr).contains("plain HTTP to a host that is not local"));
}

#[test]
fn exec_runs_the_aws_cli_with_the_mfa_role_from_the_cache() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let endpoint = [("AWS_ENDPOINT_URL", m.url.as_str())];
    ok(&awl_in(
        &home,
        &endpoint,
        &[
            "--profile",
            "profile2",
            "--mfa-code",
            "123456",
            "sts",
            "get-caller-identity",
        ],
        "",
    ));
    let aws = venv().join("bin/aws");
    let out = awl_in(
        &home,
        &[("AWS_ENDPOINT_URL", m.url.as_str()), ("AWS_PROFILE", "profile2")],
        &[
            "exec",
            "--profile",
            "profile2",
            "--",
            &aws.to_string_lossy(),
            "sts",
            "get-caller-identity",
        ],
        "",
    );
    ok(&out);
    assert!(
        arn(&out).starts_with("arn:aws:sts::456:assumed-role/Sysops/"),
        "{}",
        arn(&out)
    );
    // The child sees the keys, not the profile.
    let out = awl_in(
        &home,
        &endpoint,
        &[
            "exec",
            "--profile",
            "profile2",
            "--",
            "sh",
            "-c",
            "echo ${AWS_PROFILE:-none} $AWS_REGION; test -n \"$AWS_SESSION_TOKEN\"",
        ],
        "",
    );
    ok(&out);
    assert_eq!(text(&out.stdout), "none ap-southeast-2\n");
}

#[test]
fn exec_passes_exit_codes_and_signals_through() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let endpoint = [("AWS_ENDPOINT_URL", m.url.as_str())];
    let out = awl_in(&home, &endpoint, &["exec", "--", "sh", "-c", "exit 7"], "");
    assert_eq!(out.status.code(), Some(7));
    // awl becomes the program: a program killed by a signal is seen so, as a shell sees it (143).
    let out = awl_in(&home, &endpoint, &["exec", "--", "sh", "-c", "kill -TERM $$"], "");
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&out.status),
        Some(15),
        "killed by SIGTERM"
    );
    // SIGTERM to awl reaches the program, which reports it.
    let dir = temp_dir("exec");
    let marker = dir.join("got-term");
    let child = awl_command(&home, &[("AWS_ENDPOINT_URL", &m.url)])
        .args([
            "exec",
            "--",
            "sh",
            "-c",
            &format!(
                "trap 'touch {}; exit 3' TERM; touch {}.ready; while :; do sleep 0.05; done",
                marker.display(),
                marker.display()
            ),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("awl runs");
    let ready = PathBuf::from(format!("{}.ready", marker.display()));
    let start = Instant::now();
    while !ready.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the program never started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill")
            .success()
    );
    let out = child.wait_with_output().expect("exits");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(marker.exists(), "the program got SIGTERM");
}

#[test]
fn the_aws_cli_uses_awl_as_its_credential_process() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let endpoint = [("AWS_ENDPOINT_URL", m.url.as_str())];
    ok(&awl_in(
        &home,
        &endpoint,
        &[
            "--profile",
            "profile2",
            "--mfa-code",
            "123456",
            "sts",
            "get-caller-identity",
        ],
        "",
    ));
    let out = awl_in(
        &home,
        &endpoint,
        &["--profile", "profile2", "credential-process"],
        "",
    );
    ok(&out);
    let v = awl::codec::json::parse(&text(&out.stdout)).expect("json");
    assert_eq!(v.get("Version").and_then(|x| x.as_i64()), Some(1));
    let mut config = fs::read_to_string(home.join(".aws/config")).expect("config");
    config.push_str(&format!(
        "\n[profile viaawl]\nregion = ap-southeast-2\ncredential_process = {} credential-process --profile profile2\n",
        env!("CARGO_BIN_EXE_awl")
    ));
    fs::write(home.join(".aws/config"), config).expect("config");
    let cli = clean_command(venv().join("bin/aws"), &home, &[("AWS_ENDPOINT_URL", &m.url)])
        .args(["--profile", "viaawl", "sts", "get-caller-identity"])
        .output()
        .expect("aws runs");
    ok(&cli);
    assert!(
        arn(&cli).starts_with("arn:aws:sts::456:assumed-role/Sysops/"),
        "{}",
        arn(&cli)
    );
    let out = awl_in(&home, &endpoint, &["credential-process"], "");
    assert_eq!(out.status.code(), Some(252));
}

/// Instance metadata served by the proxy's rules: a token, one role, and its credentials (s3s-fs's key)
/// expiring in `first` seconds the first time and in six hours after that.
fn imds_rules(proxy: &Proxy, key: &str, secret: &str, first: u64) {
    let creds = |secs: u64| {
        let exp = awl::codec::time::UtcDateTime::from_system_time(
            std::time::SystemTime::now() + Duration::from_secs(secs),
        );
        format!(
            "{{\"Code\": \"Success\", \"AccessKeyId\": \"{key}\", \"SecretAccessKey\": \"{secret}\", \
             \"Token\": \"\", \"Expiration\": \"{}\"}}",
            exp.rfc3339()
        )
    };
    proxy.answer("PUT /latest/api/token", 200, "imds-token");
    proxy.answer("GET /latest/meta-data/placement/region", 200, "us-east-1");
    proxy.answer(
        "GET /latest/meta-data/iam/security-credentials/ HTTP",
        200,
        "role1",
    );
    proxy.answer_times(
        "GET /latest/meta-data/iam/security-credentials/role1",
        200,
        &creds(first),
        "",
        1,
    );
    proxy.answer(
        "GET /latest/meta-data/iam/security-credentials/role1",
        200,
        &creds(6 * 3600),
    );
}

#[test]
fn instance_credentials_about_to_expire_are_fetched_again_for_a_transfer() {
    let s = common::servers::s3s_fs();
    let dir = temp_dir("refresh");
    let file = common::data_file(&dir, "f.bin", 100_000);
    for (first, fetches) in [(120u64, 2usize), (6 * 3600, 1)] {
        let imds = Proxy::start(s.addr);
        imds_rules(&imds, &s.key_id, &s.secret, first);
        let out = awl_in(
            &temp_dir("home"),
            &[
                ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url.as_str()),
                ("AWS_EC2_METADATA_DISABLED", "false"),
                ("AWS_ENDPOINT_URL", s.url.as_str()),
            ],
            &[
                "s3",
                "cp",
                &file.to_string_lossy(),
                &format!("s3://refreshed/f-{first}.bin"),
            ],
            "",
        );
        ok(&out);
        let got = imds
            .requests()
            .iter()
            .filter(|r| r.head.contains("security-credentials/role1"))
            .count();
        assert_eq!(
            got, fetches,
            "credentials expiring in {first} s were fetched {got} times"
        );
    }
}
