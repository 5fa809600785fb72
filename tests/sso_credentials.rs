//! IAM Identity Center (SSO) credentials against real processes: the local fake portal and SSO-OIDC
//! (tests/support/sso_server.py), moto (the role's keys are temporary keys moto issued, so STS and S3 accept
//! them), and botocore itself as the other party of the shared files (`~/.aws/sso/cache`, `~/.aws/cli/cache`):
//! it writes the token files awl reads, and reads the files awl writes, with the file cache the AWS CLI v2 gives
//! its SSO provider.

mod common;

#[path = "support/day.rs"]
mod day;

use awl::codec::json::{self, Value};
use awl::providers::sso::{role_cache_name, token_file_name};
use common::servers::{Moto, Proxy, Recorded, SsoServer, home_with_moto_keys, moto, venv};
use common::{awl_command, clean_command, data_file, temp_dir, text};

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

const START_URL: &str = "https://d-1234567890.awsapps.com/start";
const ACCOUNT: &str = "123456789012";
const ROLE: &str = "chain-b";

fn str_at<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut at = v;
    for k in path {
        at = at.get(k).unwrap_or_else(|| panic!("no {k} in {path:?}"));
    }
    at.as_str().unwrap_or_else(|| panic!("{path:?} is not a string"))
}

/// Temporary keys for `chain-b` that moto issued (AssumeRole with alice's keys): what the portal hands out.
fn moto_role_keys(m: &Moto, session: &str) -> (String, String, String) {
    let home = home_with_moto_keys(m);
    let out = awl_command(&home, &[("AWS_ENDPOINT_URL", m.url.as_str())])
        .args([
            "sts",
            "assume-role",
            "--role-arn",
            &format!("arn:aws:iam::{ACCOUNT}:role/{ROLE}"),
            "--role-session-name",
            session,
        ])
        .output()
        .expect("awl runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json::parse(&text(&out.stdout)).expect("JSON");
    let f = |k| str_at(&v, &["Credentials", k]).to_owned();
    (f("AccessKeyId"), f("SecretAccessKey"), f("SessionToken"))
}

/// Registers moto-issued keys as the portal's answers for the role, in turn (the last repeats), each lasting
/// `seconds`.
fn register_role(server: &SsoServer, keys: &[((String, String, String), u64)]) {
    let creds: Vec<String> = keys
        .iter()
        .map(|((id, secret, token), seconds)| {
            format!(
                r#"{{"accessKeyId": "{id}", "secretAccessKey": "{secret}", "sessionToken": "{token}", "expiresInSeconds": {seconds}}}"#
            )
        })
        .collect();
    server.control(
        "POST",
        "/_control/roles",
        &format!(
            r#"{{"accountId": "{ACCOUNT}", "roleName": "{ROLE}", "credentials": [{}]}}"#,
            creds.join(", ")
        ),
    );
}

/// botocore's side of the shared files, run with the test venv's python in a clean environment.
const BOTOCORE: &str = r#"
import json, os, sys
from datetime import datetime, timedelta, timezone
from botocore.session import Session
from botocore.tokens import SSOTokenProvider, _sso_json_dumps
from botocore.utils import JSONFileCache, SSOTokenLoader
cmd, arg = sys.argv[1], sys.argv[2]
if cmd == "write":  # a token saved as the AWS CLI v2 saves it; *In members become datetimes *At
    spec, now, token = json.loads(arg), datetime.now(timezone.utc), {}
    for k, v in spec["token"].items():
        if k.endswith("xpiresIn"):
            token[k[:-2] + "At"] = now + timedelta(seconds=v)
        else:
            token[k] = v
    cache = JSONFileCache(os.path.expanduser("~/.aws/sso/cache"), dumps_func=_sso_json_dumps)
    SSOTokenLoader(cache).save_token(spec["startUrl"], token, session_name=spec.get("session"))
elif cmd == "creds":  # the profile's credentials, the SSO provider with the AWS CLI v2's file cache
    s = Session(profile=arg)
    s.get_component("credential_provider").get_provider("sso").cache = JSONFileCache(
        os.path.expanduser("~/.aws/cli/cache"))
    c = s.get_credentials()
    f = c.get_frozen_credentials()
    print(json.dumps({"method": c.method, "AccessKeyId": f.access_key, "SessionToken": f.token}))
elif cmd == "token":  # the session's token as SSOTokenProvider loads (and maybe renews and writes) it
    t = SSOTokenProvider(Session(profile=arg)).load_token().get_frozen_token()
    print(json.dumps({"token": t.token}))
elif cmd == "form":  # a file's member order, and whether it is exactly json.dumps of itself
    text = open(arg).read()
    d = json.loads(text)
    print(json.dumps({"keys": list(d), "dumps": json.dumps(d) == text}))
"#;

fn botocore(home: &Path, vars: &[(&str, &str)], cmd: &str, arg: &str) -> Value {
    let out = clean_command(venv().join("bin/python"), home, vars)
        .args(["-c", BOTOCORE, cmd, arg])
        .output()
        .expect("python runs");
    assert!(out.status.success(), "botocore {cmd}: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    json::parse(stdout.trim()).unwrap_or(Value::Null)
}

const LEGACY: &str = "[profile sso-dev]\nsso_start_url = https://d-1234567890.awsapps.com/start\n\
                      sso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = chain-b\n";
const SESSION: &str = "[profile sso-dev]\nsso_session = my-sso\nsso_account_id = 123456789012\n\
                       sso_role_name = chain-b\n[sso-session my-sso]\n\
                       sso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\n\
                       sso_registration_scopes = sso:account:access\n";

/// A home with `config`, and the environment that points SSO at `server` and STS at moto.
fn sso_home(config: &str) -> PathBuf {
    let home = temp_dir("sso-home");
    std::fs::create_dir_all(home.join(".aws")).expect(".aws");
    std::fs::write(home.join(".aws/config"), config).expect("config");
    home
}

fn env<'a>(server: &'a SsoServer, m: &'a Moto) -> [(&'a str, &'a str); 3] {
    [
        ("AWS_ENDPOINT_URL_SSO", server.url.as_str()),
        ("AWS_ENDPOINT_URL_SSO_OIDC", server.url.as_str()),
        ("AWS_ENDPOINT_URL_STS", m.url.as_str()),
    ]
}

/// Writes a token of the cache through botocore; `token` is its JSON members, `expiresIn` and
/// `registrationExpiresIn` as seconds from now. The token file's path.
fn write_token(home: &Path, session: Option<&str>, token: &str) -> PathBuf {
    let session_json = session.map_or("null".to_owned(), |s| format!("\"{s}\""));
    botocore(
        home,
        &[],
        "write",
        &format!(r#"{{"startUrl": "{START_URL}", "session": {session_json}, "token": {{{token}}}}}"#),
    );
    let path = home
        .join(".aws/sso/cache")
        .join(token_file_name(session, START_URL));
    assert!(
        path.exists(),
        "botocore wrote {} (awl's name for it)",
        path.display()
    );
    path
}

fn caller_arn(out: &Output) -> String {
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json::parse(&text(&out.stdout)).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)));
    str_at(&v, &["Arn"]).to_owned()
}

fn awl(home: &Path, vars: &[(&str, &str)], args: &[&str]) -> Output {
    awl_command(home, vars).args(args).output().expect("awl runs")
}

#[test]
fn cached_tokens_of_both_forms_give_the_role_once_and_botocore_reads_what_awl_wrote() {
    let m = moto();
    let server = SsoServer::start();
    let keys = moto_role_keys(m, "sso-dev");
    register_role(&server, &[(keys.clone(), 3600)]);
    for (form, config, session) in [("legacy", LEGACY, None), ("session", SESSION, Some("my-sso"))] {
        server.control("POST", "/_control/reset", "{}");
        register_role(&server, &[(keys.clone(), 3600)]);
        let access = format!("aoa-{form}-token");
        server.control(
            "POST",
            "/_control/token",
            &format!(r#"{{"accessToken": "{access}", "expiresIn": 3600}}"#),
        );
        let home = sso_home(config);
        write_token(
            &home,
            session,
            &format!(
                r#""startUrl": "{START_URL}", "region": "us-east-1", "accessToken": "{access}", "expiresIn": 3600"#
            ),
        );
        let vars = env(&server, m);
        let first = awl(
            &home,
            &vars,
            &["--profile", "sso-dev", "sts", "get-caller-identity"],
        );
        assert_eq!(
            caller_arn(&first),
            format!("arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE}/sso-dev"),
            "{form}"
        );
        let calls = server.calls("/federation/credentials");
        assert_eq!(calls.len(), 1, "{form}: one GetRoleCredentials");
        assert_eq!(str_at(&calls[0], &["headers", "x-amz-sso_bearer_token"]), access);
        assert_eq!(
            (
                str_at(&calls[0], &["query", "role_name"]),
                str_at(&calls[0], &["query", "account_id"])
            ),
            (ROLE, ACCOUNT)
        );
        assert_eq!(server.log().len(), 1, "{form}: nothing else (no CreateToken)");
        let again = awl(
            &home,
            &vars,
            &["--profile", "sso-dev", "sts", "get-caller-identity"],
        );
        assert_eq!(caller_arn(&again), caller_arn(&first));
        assert_eq!(server.log().len(), 1, "{form}: the second run from the cache");

        let entry = home
            .join(".aws/cli/cache")
            .join(role_cache_name(ACCOUNT, ROLE, session, START_URL));
        assert_eq!(
            std::fs::metadata(&entry).expect("cached").permissions().mode() & 0o777,
            0o600
        );
        let cached = json::parse(&std::fs::read_to_string(&entry).expect("entry")).expect("JSON");
        assert_eq!(str_at(&cached, &["ProviderType"]), "sso");
        assert_eq!(str_at(&cached, &["Credentials", "AccountId"]), ACCOUNT);
        // botocore, with the AWS CLI v2's file cache, takes the role from awl's entry: no request.
        let b = botocore(&home, &vars, "creds", "sso-dev");
        assert_eq!(str_at(&b, &["method"]), "sso");
        assert_eq!(str_at(&b, &["AccessKeyId"]), keys.0, "{form}");
        assert_eq!(server.log().len(), 1, "{form}: botocore asked nothing");
    }
}

#[test]
fn an_sso_profile_is_the_source_of_a_role() {
    let m = moto();
    let server = SsoServer::start();
    register_role(&server, &[(moto_role_keys(m, "sso-source"), 3600)]);
    server.control(
        "POST",
        "/_control/token",
        r#"{"accessToken": "aoa-source", "expiresIn": 3600}"#,
    );
    let home = sso_home(&format!(
        "{SESSION}[profile deploy]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/chain-c\nsource_profile = sso-dev\n\
         role_session_name = from-sso\n"
    ));
    write_token(
        &home,
        Some("my-sso"),
        r#""accessToken": "aoa-source", "expiresIn": 3600"#,
    );
    let out = awl(
        &home,
        &env(&server, m),
        &["--profile", "deploy", "sts", "get-caller-identity"],
    );
    assert_eq!(
        caller_arn(&out),
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/chain-c/from-sso")
    );
    assert_eq!(server.calls("/federation/credentials").len(), 1);
}

/// A session token 2 minutes from expiry with a refresh token and a registration: `(home, old access token,
/// refresh token)`, the server knowing client `c1` and the token.
fn expiring_token(server: &SsoServer, tag: &str) -> (PathBuf, PathBuf, String, String) {
    let (access, refresh) = (format!("aoa-old-{tag}"), format!("aor-old-{tag}"));
    server.control("POST", "/_control/token",
        &format!(
            r#"{{"accessToken": "{access}", "refreshToken": "{refresh}", "expiresIn": 120, "clientId": "c1"}}"#
        ),
    );
    let home = sso_home(SESSION);
    let file = write_token(
        &home,
        Some("my-sso"),
        &format!(
            r#""startUrl": "{START_URL}", "region": "us-east-1", "accessToken": "{access}", "expiresIn": 120,
               "clientId": "c1", "clientSecret": "cs-client-secret-1", "registrationExpiresIn": 7776000,
               "refreshToken": "{refresh}""#
        ),
    );
    (home, file, access, refresh)
}

#[test]
fn a_token_near_expiry_is_renewed_and_written_back_as_botocore_does_with_no_secret_in_debug() {
    let m = moto();
    let server = SsoServer::start();
    let keys = moto_role_keys(m, "sso-renew");
    register_role(&server, &[(keys.clone(), 3600)]);
    server.control(
        "POST",
        "/_control/client",
        r#"{"clientId": "c1", "clientSecret": "cs-client-secret-1"}"#,
    );
    let (home, file, old_access, old_refresh) = expiring_token(&server, "awl");
    let before = std::fs::read_to_string(&file).expect("token");
    let registration = json::parse(&before).expect("JSON");
    let vars = env(&server, m);
    let out = awl(
        &home,
        &vars,
        &["--debug", "--profile", "sso-dev", "sts", "get-caller-identity"],
    );
    caller_arn(&out);
    let tokens = server.calls("/token");
    assert_eq!(tokens.len(), 1, "one CreateToken");
    assert_eq!(str_at(&tokens[0], &["body", "grantType"]), "refresh_token");
    assert_eq!(str_at(&tokens[0], &["body", "refreshToken"]), old_refresh);
    assert_eq!(str_at(&tokens[0], &["body", "clientId"]), "c1");
    let after = json::parse(&std::fs::read_to_string(&file).expect("token")).expect("JSON");
    let new_access = str_at(&after, &["accessToken"]).to_owned();
    let new_refresh = str_at(&after, &["refreshToken"]).to_owned();
    assert!(new_access != old_access && new_refresh != old_refresh);
    let roles = server.calls("/federation/credentials");
    assert_eq!(roles.len(), 1);
    assert_eq!(
        str_at(&roles[0], &["headers", "x-amz-sso_bearer_token"]),
        new_access,
        "the role with the renewed token"
    );
    assert_eq!(
        str_at(&after, &["registrationExpiresAt"]),
        str_at(&registration, &["registrationExpiresAt"])
    );
    assert_eq!(
        std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777,
        0o600
    );
    // No token, refresh token, client secret or role secret in the trace.
    let trace = text(&out.stderr);
    assert!(
        trace.contains("/token") && trace.contains("/federation/credentials"),
        "{trace}"
    );
    for secret in [
        old_access.as_str(),
        old_refresh.as_str(),
        &new_access,
        &new_refresh,
        "cs-client-secret-1",
        &keys.1,
        &keys.2,
    ] {
        assert!(!trace.contains(secret), "{secret} in the trace:\n{trace}");
    }

    // botocore renews its own copy: the same members in the same order, both files json.dumps of themselves.
    let (bhome, bfile, _, _) = expiring_token(&server, "botocore");
    let renewed = botocore(&bhome, &vars, "token", "sso-dev");
    assert_ne!(
        str_at(&renewed, &["token"]),
        "aoa-old-botocore",
        "botocore renewed it"
    );
    let ours = botocore(&home, &[], "form", &file.to_string_lossy());
    let theirs = botocore(&bhome, &[], "form", &bfile.to_string_lossy());
    assert_eq!(ours.get("keys"), theirs.get("keys"), "member order");
    assert_eq!(ours.get("dumps"), Some(&Value::Bool(true)));
    assert_eq!(theirs.get("dumps"), Some(&Value::Bool(true)));
    let stamp = |v: &str| v.len() == 20 && v.ends_with('Z') && v.as_bytes()[10] == b'T';
    let theirs_file = json::parse(&std::fs::read_to_string(&bfile).expect("token")).expect("JSON");
    assert!(stamp(str_at(&after, &["expiresAt"])) && stamp(str_at(&theirs_file, &["expiresAt"])));

    // botocore reads the token awl wrote, with no request.
    let n = server.log().len();
    let read = botocore(&home, &vars, "token", "sso-dev");
    assert_eq!(str_at(&read, &["token"]), new_access);
    assert_eq!(server.log().len(), n, "botocore asked nothing");
}

#[test]
fn a_valid_token_that_cannot_be_renewed_is_used_and_an_expired_one_says_to_log_in() {
    let m = moto();
    let server = SsoServer::start();
    register_role(&server, &[(moto_role_keys(m, "sso-plain"), 3600)]);
    server.control(
        "POST",
        "/_control/token",
        r#"{"accessToken": "aoa-short", "expiresIn": 120}"#,
    );
    let vars = env(&server, m);
    let home = sso_home(SESSION);
    write_token(
        &home,
        Some("my-sso"),
        r#""startUrl": "https://d-1234567890.awsapps.com/start", "region": "us-east-1", "accessToken": "aoa-short", "expiresIn": 120"#,
    );
    caller_arn(&awl(
        &home,
        &vars,
        &["--profile", "sso-dev", "sts", "get-caller-identity"],
    ));
    assert!(server.calls("/token").is_empty(), "nothing to renew with");
    assert_eq!(server.calls("/federation/credentials").len(), 1);

    // A renewal the OIDC refuses (a refresh token it never issued): the valid token goes on, with a warning.
    server.control(
        "POST",
        "/_control/client",
        r#"{"clientId": "c1", "clientSecret": "cs"}"#,
    );
    server.control(
        "POST",
        "/_control/token",
        r#"{"accessToken": "aoa-kept", "expiresIn": 120}"#,
    );
    let home = sso_home(SESSION);
    let file = write_token(
        &home,
        Some("my-sso"),
        r#""accessToken": "aoa-kept", "expiresIn": 120, "refreshToken": "aor-unknown", "clientId": "c1",
           "clientSecret": "cs", "registrationExpiresIn": 86400"#,
    );
    let before = std::fs::read_to_string(&file).expect("token");
    let out = awl(
        &home,
        &vars,
        &["--profile", "sso-dev", "sts", "get-caller-identity"],
    );
    caller_arn(&out);
    assert!(
        text(&out.stderr).contains("renewing the SSO token of profile 'sso-dev' failed"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(server.calls("/token").len(), 1);
    let roles = server.calls("/federation/credentials");
    assert_eq!(
        str_at(&roles[roles.len() - 1], &["headers", "x-amz-sso_bearer_token"]),
        "aoa-kept"
    );
    assert_eq!(
        std::fs::read_to_string(&file).expect("token"),
        before,
        "left as it was"
    );

    server.control("POST", "/_control/reset", "{}");
    for (config, session) in [(SESSION, Some("my-sso")), (LEGACY, None)] {
        let home = sso_home(config);
        write_token(
            &home,
            session,
            r#""accessToken": "aoa-expired", "expiresIn": -60, "refreshToken": "aor-x", "clientId": "c1",
               "clientSecret": "cs", "registrationExpiresIn": -1"#,
        );
        let out = awl(
            &home,
            &vars,
            &["--profile", "sso-dev", "sts", "get-caller-identity"],
        );
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(253), "{err}");
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.contains("expired") && first.contains("awl sso login --profile sso-dev"),
            "{err}"
        );
        // None: no token at all.
        let empty = sso_home(config);
        let out = awl(
            &empty,
            &vars,
            &["--profile", "sso-dev", "sts", "get-caller-identity"],
        );
        assert_eq!(out.status.code(), Some(253));
        assert!(text(&out.stderr).contains("awl sso login --profile sso-dev"));
    }
    assert!(
        server.log().is_empty(),
        "no request for an expired or missing token"
    );
}

#[test]
fn configure_list_shows_the_sso_settings_with_their_lines() {
    let server = SsoServer::start();
    for (config, expect) in [
        (
            SESSION,
            &[
                ("sso_session", "my-sso", "~/.aws/config:2"),
                ("sso_start_url", START_URL, "~/.aws/config:6"),
                ("sso_region", "us-east-1", "~/.aws/config:7"),
                ("sso_account_id", ACCOUNT, "~/.aws/config:3"),
                ("sso_role_name", ROLE, "~/.aws/config:4"),
                ("sso_registration_scopes", "sso:account:access", "~/.aws/config:8"),
            ][..],
        ),
        (
            LEGACY,
            &[
                ("sso_start_url", START_URL, "~/.aws/config:2"),
                ("sso_region", "us-east-1", "~/.aws/config:3"),
                ("sso_account_id", ACCOUNT, "~/.aws/config:4"),
                ("sso_role_name", ROLE, "~/.aws/config:5"),
            ][..],
        ),
    ] {
        let home = sso_home(config);
        let out = awl(
            &home,
            &[("AWS_ENDPOINT_URL_SSO", server.url.as_str())],
            &["--profile", "sso-dev", "configure", "list"],
        );
        let listing = text(&out.stdout);
        assert!(out.status.success(), "{}", text(&out.stderr));
        for (name, value, source) in expect {
            assert!(
                listing.lines().any(|l| {
                    let f: Vec<&str> = l.split_whitespace().collect();
                    f == [*name, *value, *source]
                }),
                "{name} {value} {source}:\n{listing}"
            );
        }
        assert!(
            listing
                .lines()
                .any(|l| l.starts_with("endpoint_url (sso) ") && l.ends_with("env AWS_ENDPOINT_URL_SSO")),
            "{listing}"
        );
    }
}

/// The access key id a request was signed with.
fn key_of(r: &Recorded) -> Option<String> {
    let at = r.head.find("Credential=")? + "Credential=".len();
    r.head[at..].split('/').next().map(str::to_owned)
}

#[test]
fn a_60_mib_upload_outlasting_the_role_credentials_goes_on_with_renewed_keys() {
    let m = moto();
    let server = SsoServer::start();
    let (first, second) = (moto_role_keys(m, "sso-up-1"), moto_role_keys(m, "sso-up-2"));
    // The first keys come within awl's 5 minutes of their end 3 s in; the second last.
    register_role(&server, &[(first.clone(), 303), (second.clone(), 3600)]);
    server.control(
        "POST",
        "/_control/token",
        r#"{"accessToken": "aoa-upload", "expiresIn": 3600}"#,
    );
    let home = home_with_moto_keys(m);
    let bucket = day::new_bucket(&home, m, "sso-renew");
    let mut config = std::fs::read_to_string(home.join(".aws/config")).expect("config");
    config.push('\n');
    config.push_str(SESSION);
    std::fs::write(home.join(".aws/config"), config).expect("config");
    write_token(
        &home,
        Some("my-sso"),
        r#""accessToken": "aoa-upload", "expiresIn": 3600"#,
    );
    let proxy = Proxy::start(m.addr);
    proxy.slow("partNumber=", Duration::from_millis(800));
    let file = data_file(&home, "big.bin", 60 << 20);
    let vars = [
        ("AWS_ENDPOINT_URL_SSO", server.url.as_str()),
        ("AWS_ENDPOINT_URL_SSO_OIDC", server.url.as_str()),
        ("AWS_ENDPOINT_URL_S3", proxy.url.as_str()),
    ];
    let target = format!("s3://{bucket}/big.bin");
    let out = awl(
        &home,
        &vars,
        &[
            "--profile",
            "sso-dev",
            "s3",
            "cp",
            &file.to_string_lossy(),
            &target,
            "--max-concurrency",
            "1",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        server.calls("/federation/credentials").len(),
        2,
        "the role fetched again mid-transfer"
    );
    let keys: Vec<String> = proxy.requests().iter().filter_map(key_of).collect();
    assert_eq!(keys.first(), Some(&first.0), "{keys:?}");
    assert_eq!(keys.last(), Some(&second.0), "{keys:?}");
    assert!(
        keys.iter().filter(|k| **k == second.0).count() >= 2,
        "later parts signed with the renewed keys: {keys:?}"
    );
    let ls = day::done(
        "ls",
        &day::awl_at(&home, &m.url, &home, &["s3", "ls", &format!("s3://{bucket}/")]),
    );
    assert!(ls.contains(&(60u64 << 20).to_string()), "{ls}");
}
