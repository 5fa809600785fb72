//! `awl sso login` and `awl sso logout` against the local fake IAM Identity Center (tests/support/sso_server.py):
//! the device flow through `authorization_pending` and `slow_down` at the server's interval, the
//! authorization-code flow with PKCE with this test as the browser, a redirect whose `state` does not match,
//! logout, the errors; the token and registration files read back by botocore (the venv's) and no secret in
//! any `--debug` output.

mod common;

use awl::codec::json::{self, Value};
use common::servers::{SsoServer, venv};
use common::{awl_command, temp_dir, text};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const LEGACY_URL: &str = "https://legacy-portal.awsapps.com/start";
const SESSION_URL: &str = "https://d-9067e8bdb0.awsapps.com/start";

fn http(method: &str, url: &str, body: &str) -> (u16, String, String) {
    http_with(method, url, "", body)
}

/// [`http`] with extra header lines (`name: value\r\n` each).
fn http_with(method: &str, url: &str, headers: &str, body: &str) -> (u16, String, String) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let target = if target.is_empty() { "/" } else { target };
    let mut s = TcpStream::connect(authority).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        s,
        "{method} {target} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Type: application/json\r\n\
         {headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("sends");
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status: {raw:?}"));
    (status, head.to_owned(), body.to_owned())
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// A HOME with a legacy profile and a session profile; the variables that point awl at `sso`.
fn home() -> PathBuf {
    let home = temp_dir("sso-home");
    std::fs::create_dir_all(home.join(".aws")).expect(".aws");
    std::fs::write(
        home.join(".aws/config"),
        format!(
            "[profile legacy]\nsso_start_url = {LEGACY_URL}\nsso_region = us-east-1\nsso_account_id = 111122223333\n\
             sso_role_name = Dev\n\n[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n\n\
             [sso-session corp]\nsso_start_url = {SESSION_URL}\nsso_region = eu-west-1\n\
             sso_registration_scopes = sso:account:access\n\n[profile plain]\nregion = eu-west-1\n"
        ),
    )
    .expect("config");
    home
}

fn vars(sso: &SsoServer) -> [(&str, &str); 2] {
    [
        ("AWS_ENDPOINT_URL_SSO", sso.url.as_str()),
        ("AWS_ENDPOINT_URL_SSO_OIDC", sso.url.as_str()),
    ]
}

fn run(home: &Path, sso: &SsoServer, args: &[&str]) -> Output {
    awl_command(home, &vars(sso))
        .args(args)
        .output()
        .expect("awl runs")
}

/// Runs Python in the venv with `args`; its stdout.
fn python(code: &str, args: &[&str]) -> String {
    let out = Command::new(venv().join("bin/python"))
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .expect("python runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// The token botocore's `SSOTokenLoader` reads from `home`'s cache for `start_url` (and `session`), with its
/// `expiresAt` as `dateutil` reads it (as `SSOTokenProvider` does).
fn botocore_token(home: &Path, start_url: &str, session: Option<&str>) -> Value {
    let code = "import json, sys\n\
        from awscli.botocore.credentials import JSONFileCache\n\
        from awscli.botocore.utils import SSOTokenLoader\n\
        from dateutil.parser import parse\n\
        t = SSOTokenLoader(cache=JSONFileCache(sys.argv[1]))(sys.argv[2], session_name=sys.argv[3] or None)\n\
        t['parsedExpiresAt'] = parse(t['expiresAt']).isoformat()\n\
        print(json.dumps(t))";
    let dir = home.join(".aws/sso/cache");
    let out = python(code, &[&dir.to_string_lossy(), start_url, session.unwrap_or("")]);
    json::parse(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// The registration file name as the AWS CLI v2 computes it (`_registration_cache_key`).
fn v2_registration_name(
    start_url: &str,
    region: &str,
    scopes: Option<&str>,
    session: Option<&str>,
) -> String {
    let code = "import hashlib, json, sys\n\
        a = dict(tool='botocore', startUrl=sys.argv[1], region=sys.argv[2], scopes=json.loads(sys.argv[3]), \
        session_name=json.loads(sys.argv[4]))\n\
        print(hashlib.sha1(json.dumps(a, sort_keys=True).encode('utf-8')).hexdigest() + '.json')";
    let quoted = |s: Option<&str>| s.map_or("null".to_owned(), |s| format!("{s:?}"));
    python(
        code,
        &[
            start_url,
            region,
            &scopes.map_or("null".to_owned(), |s| format!("[{s:?}]")),
            &quoted(session),
        ],
    )
    .trim()
    .to_owned()
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no {path:?} in {v:?}"))
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

fn assert_no_secret(output: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!s.is_empty());
        assert!(
            !output.contains(s),
            "a secret ({} chars) is shown: {output}",
            s.len()
        );
    }
}

/// The legacy profile's token as botocore reads it (0600; the one the server issued: the portal takes it),
/// and its registration, named as the AWS CLI v2 names it; the token.
fn legacy_token_and_registration(sso: &SsoServer, home: &Path) -> Value {
    // The token, as botocore reads it; the registration, named as the AWS CLI v2 names it.
    let dir = home.join(".aws/sso/cache");
    let token = botocore_token(home, LEGACY_URL, None);
    assert_eq!(
        (str_at(&token, &["startUrl"]), str_at(&token, &["region"])),
        (LEGACY_URL, "us-east-1")
    );
    let token_file = dir.join(format!("{}.json", sha1_hex(LEGACY_URL)));
    assert_eq!(mode(&token_file), 0o600);
    let reg_name = v2_registration_name(LEGACY_URL, "us-east-1", None, None);
    let reg_text = std::fs::read_to_string(dir.join(&reg_name)).expect("the registration file");
    let reg = json::parse(&reg_text).expect("registration JSON");
    assert_eq!(str_at(&reg, &["clientId"]), str_at(&token, &["clientId"]));
    assert_eq!(
        str_at(&reg, &["expiresAt"]),
        str_at(&token, &["registrationExpiresAt"])
    );
    assert!(
        reg.get("grantTypes").is_none() && reg.get("scopes").is_none(),
        "{reg_text}"
    );
    let access = str_at(&token, &["accessToken"]);
    // The token is the one the server issued: the portal takes it.
    sso.control(
        "POST",
        "/_control/roles",
        r#"{"accountId": "111122223333", "roleName": "Dev", "accessKeyId": "ASIAX", "secretAccessKey": "s", "sessionToken": "t"}"#,
    );
    let creds = format!(
        "{}/federation/credentials?role_name=Dev&account_id=111122223333",
        sso.url
    );
    let (status, _, answer) = http_with(
        "GET",
        &creds,
        &format!("x-amz-sso_bearer_token: {access}\r\n"),
        "",
    );
    assert_eq!(status, 200, "{answer}");

    token
}

#[test]
fn device_flow_polls_at_the_interval_through_pending_and_slow_down() {
    let sso = SsoServer::start();
    let home = home();
    sso.control(
        "POST",
        "/_control/device",
        r#"{"pending": 2, "slowDown": 1, "interval": 1}"#,
    );
    let out = run(&home, &sso, &["--debug", "--profile", "legacy", "sso", "login"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{stdout}");

    // What the AWS CLI v2 prints with no browser to open (PrintOnlyHandler), then its success line.
    let auth = sso.calls("/device_authorization");
    assert_eq!(auth.len(), 1);
    let polls = sso.control("GET", "/_control/polls", "");
    let list = polls.get("polls").and_then(Value::as_array).expect("polls");
    let user_code = str_at(&list[0], &["userCode"]);
    let uri = format!("{}/device", sso.url);
    assert_eq!(
        stdout,
        format!(
            "Browser will not be automatically opened.\nPlease visit the following URL:\n\n{uri}\n\n\
             Then enter the code:\n\n{user_code}\n\nAlternatively, you may visit the following URL which will \
             autofill the code upon loading:\n{uri}?user_code={user_code}\nSuccessfully logged into Start URL: \
             {LEGACY_URL}\n"
        )
    );

    // The polls: two pending and a slow_down, each after the interval (1 s; 6 s after the slow_down).
    let answers: Vec<&str> = list.iter().map(|p| str_at(p, &["answer"])).collect();
    assert_eq!(
        answers,
        [
            "authorization_pending",
            "authorization_pending",
            "slow_down",
            "token"
        ]
    );
    assert_eq!(
        polls
            .get("violations")
            .and_then(Value::as_array)
            .map(<[Value]>::len),
        Some(0),
        "{polls:?}"
    );
    let gaps: Vec<f64> = list
        .iter()
        .skip(1)
        .map(|p| match p.get("gap") {
            Some(Value::Number(n)) => n.parse().expect("a number"),
            other => panic!("no gap: {other:?}"),
        })
        .collect();
    assert!(gaps[0] >= 0.95 && gaps[1] >= 0.95 && gaps[2] >= 5.95, "{gaps:?}");
    assert!(gaps[2] < 9.0, "no longer than needed: {gaps:?}");

    let token = legacy_token_and_registration(&sso, &home);
    let access = str_at(&token, &["accessToken"]).to_owned();

    // No secret in the trace: tokens, the client secret, the device code.
    let device_code = str_at(&sso.calls("/token")[0], &["body", "deviceCode"]).to_owned();
    assert_no_secret(
        &format!("{stderr}{stdout}"),
        &[
            &access,
            str_at(&token, &["refreshToken"]),
            str_at(&token, &["clientSecret"]),
            &device_code,
        ],
    );
    assert!(
        stderr.contains("POST") && stderr.contains("/token"),
        "traced: {stderr}"
    );

    // Again: the registration is reused, and a client authorized at once gets its token without a prompt.
    let before = sso.log().len();
    let again = run(
        &home,
        &sso,
        &["--profile", "legacy", "sso", "login", "--no-browser"],
    );
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert_eq!(
        text(&again.stdout),
        format!("Successfully logged into Start URL: {LEGACY_URL}\n")
    );
    let paths: Vec<String> = sso.log()[before..]
        .iter()
        .map(|e| str_at(e, &["path"]).to_owned())
        .collect();
    assert_eq!(paths, ["/device_authorization", "/token"]);
}

fn sha1_hex(s: &str) -> String {
    python(
        "import hashlib, sys; print(hashlib.sha1(sys.argv[1].encode()).hexdigest())",
        &[s],
    )
    .trim()
    .to_owned()
}

/// `awl sso login` for the session profile with the test as the browser: the printed URL followed to the redirect, then each of
/// `visits(location)` sent to awl's listener in turn; awl's output, and each visit's status and page.
fn pkce_login(sso: &SsoServer, home: &Path, visits: &dyn Fn(&str) -> Vec<String>) -> (Output, Vec<String>) {
    let mut child = awl_command(home, &vars(sso))
        .args(["--debug", "--profile", "dev", "sso", "login"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("awl runs");
    let mut stderr = child.stderr.take().expect("stderr");
    let drain = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut printed = String::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let url = loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).expect("reads") > 0 && Instant::now() < deadline,
            "no URL printed: {printed}"
        );
        printed.push_str(&line);
        if line.starts_with("http") && line.contains("/authorize?") {
            break line.trim().to_owned();
        }
    };
    let (status, head, body) = http("GET", &url, "");
    assert_eq!(status, 302, "{head}\n{body}");
    let location = header(&head, "location").expect("Location").to_owned();
    let pages: Vec<String> = visits(&location)
        .iter()
        .map(|v| {
            let (status, _, page) = http("GET", v, "");
            format!("{status} {page}")
        })
        .collect();
    let mut rest = String::new();
    let _ = stdout.read_to_string(&mut rest);
    let status = child.wait().expect("awl exits");
    let out = Output {
        status,
        stdout: format!("{printed}{rest}").into_bytes(),
        stderr: drain.join().expect("stderr").into_bytes(),
    };
    (out, pages)
}

#[test]
fn pkce_flow_with_the_test_as_the_browser() {
    let sso = SsoServer::start();
    let home = home();
    let (out, pages) = pkce_login(&sso, &home, &|l| vec![l.to_owned()]);
    let page = &pages[0];
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{stdout}");
    assert!(
        page.starts_with("200 ") && page.contains("close this window"),
        "{page}"
    );

    // Printed as the AWS CLI v2's PrintOnlyHandler (no browser on this machine), with its cross-device line.
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "Browser will not be automatically opened.",
            "Please visit the following URL:",
            ""
        ]
    );
    let url = lines[3];
    assert!(
        url.starts_with(&format!("{}/authorize?response_type=code&client_id=", sso.url)),
        "{url}"
    );
    assert!(url.contains("&code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess&code_challenge="));
    assert_eq!(
        lines[4..],
        [
            "",
            "If you are unable to open the URL on this device, run this command again with the '--use-device-code' option.",
            &format!("Successfully logged into Start URL: {SESSION_URL}"),
        ]
    );

    // Registered as the AWS CLI v2 registers an authorization-code client; CreateToken with the verifier.
    let register = &sso.calls("/client/register")[0];
    let body = register.get("body").expect("body");
    assert_eq!(str_at(body, &["clientName"]), "botocore-client-corp");
    assert_eq!(str_at(body, &["issuerUrl"]), SESSION_URL);
    assert_eq!(
        json::to_string(body.get("redirectUris").expect("uris"), json::Style::Compact),
        r#"["http://127.0.0.1/oauth/callback"]"#
    );
    let create = &sso.calls("/token")[0];
    let verifier = str_at(create, &["body", "codeVerifier"]).to_owned();
    let code = str_at(create, &["body", "code"]).to_owned();
    assert_eq!(verifier.len(), 64);
    assert!(str_at(create, &["body", "redirectUri"]).starts_with("http://127.0.0.1:"));

    // The token file in the session form; the registration file with its grant types.
    let token = botocore_token(&home, SESSION_URL, Some("corp"));
    assert_eq!(str_at(&token, &["region"]), "eu-west-1");
    let dir = home.join(".aws/sso/cache");
    assert_eq!(mode(&dir.join(format!("{}.json", sha1_hex("corp")))), 0o600);
    let reg_name = v2_registration_name(SESSION_URL, "eu-west-1", Some("sso:account:access"), Some("corp"));
    let reg = json::parse(&std::fs::read_to_string(dir.join(reg_name)).expect("registration")).expect("JSON");
    assert_eq!(
        json::to_string(reg.get("grantTypes").expect("grantTypes"), json::Style::Compact),
        r#"["authorization_code","refresh_token"]"#
    );

    assert_no_secret(
        &format!("{stderr}{stdout}"),
        &[
            str_at(&token, &["accessToken"]),
            str_at(&token, &["refreshToken"]),
            str_at(&token, &["clientSecret"]),
            &verifier,
            &code,
        ],
    );
    assert!(stderr.contains("/token"), "traced: {stderr}");
}

#[test]
fn redirects_with_another_state_are_refused_and_the_login_waits_for_its_own() {
    let sso = SsoServer::start();
    let home = home();
    let with_state = |location: &str, state: &str| {
        let (before, after) = location.split_once("state=").expect("a state");
        let rest = after.find('&').map_or("", |i| &after[i..]);
        format!("{before}state={state}{rest}")
    };
    // What another page or local user could send to the listener: a code with a forged state, an error with
    // a forged state, an error with none. None of them may end or steer the login.
    let visits = |location: &str| {
        let base = location.split_once('?').map_or(location, |(b, _)| b);
        vec![
            with_state(location, "forged"),
            format!("{base}?error=access_denied&state=forged"),
            format!("{base}?error=access_denied"),
            location.to_owned(),
        ]
    };
    let (out, pages) = pkce_login(&sso, &home, &visits);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for forged in &pages[..3] {
        assert!(forged.starts_with("400 "), "{pages:?}");
    }
    assert!(pages[3].starts_with("200 "), "{pages:?}");
    assert_eq!(
        sso.calls("/token").len(),
        1,
        "one CreateToken, with the real code"
    );
    assert!(
        home.join(format!(".aws/sso/cache/{}.json", sha1_hex("corp")))
            .exists()
    );
}

#[test]
fn logout_calls_the_portal_and_removes_the_sso_files() {
    let sso = SsoServer::start();
    let home = home();
    let cache = home.join(".aws/sso/cache");
    let cli = home.join(".aws/cli/cache");
    std::fs::create_dir_all(&cache).expect("sso cache");
    std::fs::create_dir_all(&cli).expect("cli cache");
    sso.control(
        "POST",
        "/_control/token",
        r#"{"accessToken": "aoa-live", "expiresIn": 600}"#,
    );
    let files = [
        (
            cache.join("a.json"),
            r#"{"startUrl": "x", "region": "us-east-1", "accessToken": "aoa-live", "expiresAt": "2030-01-01T00:00:00Z"}"#,
        ),
        (
            cache.join("b.json"),
            r#"{"accessToken": "aoa-noregion", "expiresAt": "2030-01-01T00:00:00Z"}"#,
        ),
        (
            cache.join("c.json"),
            r#"{"region": "us-east-1", "accessToken": "aoa-dead", "expiresAt": "2020-01-01T00:00:00Z"}"#,
        ),
        (
            cache.join("reg.json"),
            r#"{"clientId": "c", "clientSecret": "s", "expiresAt": "2030-01-01T00:00:00Z"}"#,
        ),
        (cache.join("junk.json"), "not json"),
        (
            cli.join("sso.json"),
            r#"{"ProviderType": "sso", "Credentials": {"AccessKeyId": "A"}}"#,
        ),
        (cli.join("role.json"), r#"{"Credentials": {"AccessKeyId": "A"}}"#),
    ];
    for (p, body) in &files {
        std::fs::write(p, body).expect("write");
    }
    let out = run(&home, &sso, &["sso", "logout"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        (text(&out.stdout), text(&out.stderr)),
        (String::new(), String::new())
    );
    let left: Vec<bool> = files.iter().map(|(p, _)| p.exists()).collect();
    assert_eq!(left, [false, false, false, true, true, false, true]);
    let logouts = sso.calls("/logout");
    let mut tokens: Vec<&str> = logouts
        .iter()
        .map(|e| str_at(e, &["headers", "x-amz-sso_bearer_token"]))
        .collect();
    tokens.sort_unstable();
    // One Logout per token with a region; the dead one's refusal is no reason to stop.
    assert_eq!(tokens, ["aoa-dead", "aoa-live"]);
    // The live token is no longer valid.
    let (status, _, _) = http_with(
        "POST",
        &format!("{}/logout", sso.url),
        "x-amz-sso_bearer_token: aoa-live\r\n",
        "",
    );
    assert_eq!(status, 401);
}

#[test]
fn errors_exit_as_the_aws_cli_v2() {
    let sso = SsoServer::start();
    let home = home();
    // No SSO settings: a configuration error before any request.
    let out = run(&home, &sso, &["--profile", "plain", "sso", "login"]);
    assert_eq!(out.status.code(), Some(253), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("profile 'plain' lacks the SSO settings sso_start_url and sso_region")
    );
    let out = run(
        &home,
        &sso,
        &["--profile", "dev", "sso", "login", "--sso-session", "nope"],
    );
    assert_eq!(out.status.code(), Some(253));
    assert!(text(&out.stderr).contains("sso-session 'nope' does not exist"));
    assert!(sso.log().is_empty());
    // Usage.
    let out = run(&home, &sso, &["sso", "login", "extra"]);
    assert_eq!(out.status.code(), Some(252));
    // A device code that expires before it is confirmed: the service's error, and what to do.
    sso.control("POST", "/_control/config", r#"{"deviceExpiresIn": 0}"#);
    let out = run(
        &home,
        &sso,
        &["--profile", "dev", "sso", "login", "--use-device-code"],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(254), "{stderr}");
    assert!(
        stderr.contains("expired_token") && stderr.contains("run 'awl sso login' again"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 2, "one error line and a hint: {stderr}");
}
