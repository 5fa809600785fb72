//! The SSO-OIDC client registration cache, shared with the AWS CLI v2: `~/.aws/sso/cache/<sha1>.json`, named
//! and written as its botocore (`BaseSSOTokenFetcher._registration_cache_key`, `JSONFileCache` with
//! `_sso_json_dumps`) does, and reused while more than 15 minutes remain, for the flow it was made for.

use crate::codec::json::{self, Value};
use crate::codec::time::parse_rfc3339;
use crate::error::Result;
use crate::fs;
use crate::secret::Secret;
use crate::sso::{Registration, python_object, strings};
use std::path::Path;
use std::time::SystemTime;

/// A registration (and a token) is used only while more than this remains (botocore's `_EXPIRY_WINDOW`).
pub(crate) use crate::providers::cache::EXPIRY_WINDOW;

/// A time as `_sso_json_dumps` writes a datetime: `%Y-%m-%dT%H:%M:%SZ`.
pub(crate) fn utc(t: SystemTime) -> Value {
    Value::string(crate::providers::sso::stamp(t))
}

/// The file name: the SHA-1 of `json.dumps({"tool": "botocore", "startUrl", "region", "scopes",
/// "session_name"}, sort_keys=True)` (scopes and session name `null` when not set), then `.json`.
pub(crate) fn file_name(
    start_url: &str,
    region: &str,
    scopes: Option<&[String]>,
    session_name: Option<&str>,
) -> String {
    // In sort_keys order.
    let text = python_object(&[
        ("region", Value::string(region)),
        ("scopes", scopes.map_or(Value::Null, strings)),
        ("session_name", session_name.map_or(Value::Null, Value::string)),
        ("startUrl", Value::string(start_url)),
        ("tool", Value::string("botocore")),
    ]);
    crate::providers::sso::sha1_name(&text)
}

/// The cached registration, if it can be read, lasts more than 15 minutes, and was made for the flow
/// asked for (`auth_code`: its `grantTypes` hold `authorization_code`). Anything else is registered anew.
pub(crate) fn load(dir: &Path, name: &str, auth_code: bool, now: SystemTime) -> Option<Registration> {
    let bytes = fs::read_regular(&dir.join(name), 1 << 20, fs::Links::Refuse).ok()?;
    let doc = json::parse(std::str::from_utf8(&bytes).ok()?).ok()?;
    let s = |k: &str| doc.get(k).and_then(Value::as_str);
    let expires_at = parse_rfc3339(s("expiresAt")?).ok()?;
    let for_auth_code = doc
        .get("grantTypes")
        .and_then(Value::as_array)
        .is_some_and(|g| g.iter().any(|t| t.as_str() == Some("authorization_code")));
    (for_auth_code == auth_code && expires_at > now + EXPIRY_WINDOW)
        .then(|| Registration {
            client_id: s("clientId").unwrap_or_default().to_owned(),
            client_secret: Secret::new(s("clientSecret").unwrap_or_default()),
            expires_at,
        })
        .filter(|r| !r.client_id.is_empty() && !r.client_secret.expose().is_empty())
}

/// The file's contents: `clientId`, `clientSecret`, `expiresAt`, then `scopes` when given, and for an
/// authorization-code client `grantTypes`.
pub(crate) fn contents(reg: &Registration, scopes: &[String], auth_code: bool) -> String {
    let mut m = vec![
        ("clientId", Value::string(reg.client_id.as_str())),
        ("clientSecret", Value::string(reg.client_secret.expose())),
        ("expiresAt", utc(reg.expires_at)),
    ];
    if !scopes.is_empty() {
        m.push(("scopes", strings(scopes)));
    }
    if auth_code {
        m.push((
            "grantTypes",
            Value::Array(vec![
                Value::string("authorization_code"),
                Value::string("refresh_token"),
            ]),
        ));
    }
    python_object(&m)
}

/// Writes the registration (atomically, 0600, the folder made 0700).
pub(crate) fn store(dir: &Path, name: &str, text: &str) -> Result<()> {
    let path = dir.join(name);
    fs::replace_file(&path, &path.display().to_string(), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::time::from_unix_seconds;

    #[test]
    fn names_as_the_aws_cli_v2_computes_them() {
        // Values from Python: hashlib.sha1(json.dumps({...}, sort_keys=True).encode()).hexdigest().
        assert_eq!(
            file_name("https://my-sso-portal.awsapps.com/start", "us-east-1", None, None),
            "0e093f10f65cee6c5c1898a8e240f5726875bf08.json"
        );
        let scopes = vec![
            "sso:account:access".to_owned(),
            "codewhisperer:completions".to_owned(),
        ];
        assert_eq!(
            file_name(
                "https://d-123.awsapps.com/start",
                "eu-west-1",
                Some(&scopes),
                Some("dev")
            ),
            "151617dc20e21fd835c821b422e18f8c9b202d77.json"
        );
        assert_eq!(
            file_name("https://d-123.awsapps.com/start", "eu-west-1", None, Some("dev")),
            "3f228f505e148df78ad5b337e2626e7895a1e30d.json"
        );
    }

    #[test]
    fn contents_as_json_file_cache_writes_them_and_reuse_by_flow_and_expiry() {
        let reg = Registration {
            client_id: "cid".into(),
            client_secret: Secret::new("cs"),
            expires_at: from_unix_seconds(1_707_776_000),
        };
        let scopes = vec!["sso:account:access".to_owned()];
        let text = contents(&reg, &scopes, true);
        assert_eq!(
            text,
            r#"{"clientId": "cid", "clientSecret": "cs", "expiresAt": "2024-02-12T22:13:20Z", "scopes": ["sso:account:access"], "grantTypes": ["authorization_code", "refresh_token"]}"#
        );
        assert_eq!(
            contents(&reg, &[], false),
            r#"{"clientId": "cid", "clientSecret": "cs", "expiresAt": "2024-02-12T22:13:20Z"}"#
        );
        let dir = std::env::temp_dir().join(format!("awl-sso-reg-{}", std::process::id()));
        store(&dir, "r.json", &text).expect("stored");
        let long_before = from_unix_seconds(1_700_000_000);
        assert_eq!(
            load(&dir, "r.json", true, long_before).map(|r| r.client_id),
            Some("cid".into())
        );
        assert!(
            load(&dir, "r.json", false, long_before).is_none(),
            "a device flow registers anew"
        );
        let near = from_unix_seconds(1_707_776_000 - 600);
        assert!(
            load(&dir, "r.json", true, near).is_none(),
            "within 15 minutes of expiry"
        );
        assert!(load(&dir, "missing.json", true, long_before).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
