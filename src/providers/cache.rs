//! The AWS CLI's credential cache, shared in both directions: `~/.aws/cli/cache/<sha1>.json`, where the SHA-1
//! is over Python's `json.dumps(args, sort_keys=True)` of the AssumeRole arguments, and the file holds the
//! AssumeRole answer as the CLI writes it. One MFA prompt then serves awl and the AWS CLI alike.
//!
//! The key and the file contents are pure functions; [`load`] and [`store`] do the file I/O. Entries are
//! reused while more than 15 minutes remain (the CLI's window). A corrupt or foreign file is ignored and
//! replaced; files are written atomically, mode 0600, in a folder created 0700.

use crate::codec::json::{self, Value};
use crate::codec::time::{UtcDateTime, parse_rfc3339};
use crate::error::Result;
use crate::fs;
use crate::identity::Credentials;
use crate::sts::AssumedRole;
use sha1::{Digest, Sha1};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// An entry is used only while more than this remains (botocore's `DEFAULT_EXPIRY_WINDOW_SECONDS`).
pub const EXPIRY_WINDOW: Duration = Duration::from_secs(900);

/// The AssumeRole arguments that name a cache entry, as the AWS CLI keys them.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CacheKey<'a> {
    /// `RoleArn`.
    pub role_arn: &'a str,
    /// `DurationSeconds`, when set in the profile.
    pub duration_seconds: Option<u32>,
    /// `ExternalId`.
    pub external_id: Option<&'a str>,
    /// `RoleSessionName`, only when the user set it (a generated name is left out).
    pub role_session_name: Option<&'a str>,
    /// `SerialNumber` (the MFA device).
    pub serial_number: Option<&'a str>,
    /// `WebIdentityToken`: the token file's contents as read (the AWS CLI 1.46.3, through the botocore it
    /// bundles, keys web identity entries by the token too, so a rotated token starts a new entry). A bearer
    /// secret: `Debug` hides it.
    pub web_identity_token: Option<&'a str>,
}

impl std::fmt::Debug for CacheKey<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheKey")
            .field("role_arn", &self.role_arn)
            .field("duration_seconds", &self.duration_seconds)
            .field("external_id", &self.external_id)
            .field("role_session_name", &self.role_session_name)
            .field("serial_number", &self.serial_number)
            .field("web_identity_token", &self.web_identity_token.map(|_| "***"))
            .finish()
    }
}

impl CacheKey<'_> {
    /// Python's `json.dumps(args, sort_keys=True)` of the arguments.
    pub fn python_json(&self) -> String {
        let mut members = vec![("RoleArn", Value::string(self.role_arn))];
        if let Some(d) = self.duration_seconds {
            members.push(("DurationSeconds", Value::Number(d.to_string())));
        }
        if let Some(x) = self.external_id {
            members.push(("ExternalId", Value::string(x)));
        }
        if let Some(n) = self.role_session_name {
            members.push(("RoleSessionName", Value::string(n)));
        }
        if let Some(s) = self.serial_number {
            members.push(("SerialNumber", Value::string(s)));
        }
        if let Some(t) = self.web_identity_token {
            members.push(("WebIdentityToken", Value::string(t)));
        }
        json::to_string(&Value::object(members), json::Style::Python)
    }

    /// The cache file's name: the hex SHA-1 of [`python_json`](Self::python_json), then `.json`.
    pub fn file_name(&self) -> String {
        format!(
            "{}.json",
            hex::encode(Sha1::digest(self.python_json().as_bytes()))
        )
    }
}

/// The cache folder under a home folder: `~/.aws/cli/cache`.
pub fn dir_in(home: &str) -> PathBuf {
    Path::new(home).join(".aws").join("cli").join("cache")
}

/// The JSON the AWS CLI writes for an AssumeRole answer.
pub fn entry_json(a: &AssumedRole) -> String {
    let c = &a.credentials;
    let expiration = c
        .expiration
        .map(|t| UtcDateTime::from_system_time(t).rfc3339())
        .unwrap_or_else(|| a.expiration.clone());
    let mut creds = vec![
        ("AccessKeyId", Value::string(c.access_key_id.clone())),
        ("SecretAccessKey", Value::string(c.secret_access_key.expose())),
        (
            "SessionToken",
            Value::string(c.session_token.as_ref().map(|t| t.expose()).unwrap_or_default()),
        ),
        ("Expiration", Value::string(expiration)),
    ];
    if let Some(account) = a.account_id() {
        creds.push(("AccountId", Value::string(account)));
    }
    let mut meta = vec![
        ("HTTPStatusCode", Value::Number("200".into())),
        ("RetryAttempts", Value::Number("0".into())),
    ];
    if let Some(id) = &a.request_id {
        meta.push(("RequestId", Value::string(id.clone())));
    }
    let mut members = vec![("Credentials", Value::object(creds))];
    // A GetSessionToken answer names no role.
    if !a.arn.is_empty() {
        members.push((
            "AssumedRoleUser",
            Value::object([
                ("AssumedRoleId", Value::string(a.assumed_role_id.clone())),
                ("Arn", Value::string(a.arn.clone())),
            ]),
        ));
    }
    members.push(("ResponseMetadata", Value::object(meta)));
    let v = Value::object(members);
    json::to_string(&v, json::Style::Python)
}

/// The credentials of a cache file's text, if it is a well-formed entry.
pub fn parse_entry(text: &str) -> Option<Credentials> {
    let v = json::parse(text).ok()?;
    let c = v.get("Credentials")?;
    let field = |k: &str| c.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let mut creds = Credentials::new(field("AccessKeyId")?, field("SecretAccessKey")?);
    if let Some(t) = field("SessionToken") {
        creds = creds.with_session_token(t);
    }
    creds.expiration = Some(parse_rfc3339(field("Expiration")?).ok()?);
    Some(creds)
}

/// Whether credentials have more than the expiry window left at `now`.
pub fn is_fresh(c: &Credentials, now: SystemTime) -> bool {
    c.expiration.is_some_and(|exp| exp > now + EXPIRY_WINDOW)
}

/// The name of awl's MFA session file for an IAM user's key and MFA device: `awl-mfa-session-<sha1>.json`,
/// the SHA-1 over `{"AccessKeyId": ..., "SerialNumber": ...}` as Python's `json.dumps` writes it. The code is
/// never part of it; the AWS CLI never reads it.
pub fn mfa_session_file_name(access_key_id: &str, serial_number: &str) -> String {
    let key = Value::object([
        ("AccessKeyId", Value::string(access_key_id)),
        ("SerialNumber", Value::string(serial_number)),
    ]);
    let json = json::to_string(&key, json::Style::Python);
    format!(
        "awl-mfa-session-{}.json",
        hex::encode(Sha1::digest(json.as_bytes()))
    )
}

/// The credentials of the cache file `name` in `dir` ([`CacheKey::file_name`] or
/// [`mfa_session_file_name`]), if present, well-formed and fresh at `now`.
pub fn load(dir: &Path, name: &str, now: SystemTime) -> Option<Credentials> {
    // A link, a FIFO or anything over 1 MiB is not a cache entry of ours: ignored (and replaced).
    let bytes = fs::read_regular(&dir.join(name), 1 << 20, fs::Links::Refuse).ok()?;
    parse_entry(&String::from_utf8(bytes).ok()?).filter(|c| is_fresh(c, now))
}

/// Writes the cache file `name` in `dir`, atomically and mode 0600.
pub fn store(dir: &Path, name: &str, assumed: &AssumedRole) -> Result<()> {
    let path = dir.join(name);
    // A link in the cache folder is replaced, never written through (it could name any file of the user's).
    fs::replace_file(&path, &path.display().to_string(), entry_json(assumed).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    #[test]
    fn file_names_are_the_aws_clis() {
        let profile2 = CacheKey {
            role_arn: "arn:aws:iam::456:role/Sysops",
            serial_number: Some("arn:aws:iam::789:mfa/user@domain.blabla"),
            ..CacheKey::default()
        };
        assert_eq!(
            profile2.file_name(),
            "f7cd9dfa46df1e7a80e0e0baacc1b2cdcc3b1df7.json"
        );
        let profile1 = CacheKey {
            role_arn: "arn:aws:iam::123:role/Developer",
            ..CacheKey::default()
        };
        assert_eq!(
            profile1.file_name(),
            "182f36d3a4020609755ceaed091f53cf2b98e57f.json"
        );
        // The example of the reference notes, observed with the CLI itself.
        // A web identity entry as the AWS CLI 1.46.3 itself named it (the token file ends in a newline).
        let web = CacheKey {
            role_arn: "arn:aws:iam::123456789012:role/chain-b",
            role_session_name: Some("pod-1"),
            web_identity_token: Some("eyJhbGciOiJSUzI1NiJ9.first.sig\n"),
            ..CacheKey::default()
        };
        assert_eq!(web.file_name(), "37ea6a73436fd271671282ba4abab8ccae827294.json");
        assert!(
            !format!("{web:?}").contains("first.sig"),
            "the token never prints"
        );
        let observed = CacheKey {
            role_arn: "arn:aws:iam::456:role/Sysops",
            serial_number: Some("arn:aws:iam::789:mfa/user@domain"),
            ..CacheKey::default()
        };
        assert_eq!(
            observed.file_name(),
            "9d29a61ba0ecbd0d527793b40ea742bdc9438eb2.json"
        );
        let all = CacheKey {
            role_arn: "arn:r",
            duration_seconds: Some(3600),
            external_id: Some("é"),
            role_session_name: Some("s"),
            serial_number: Some("m"),
            web_identity_token: None,
        };
        assert_eq!(
            all.python_json(),
            r#"{"DurationSeconds": 3600, "ExternalId": "\u00e9", "RoleArn": "arn:r", "RoleSessionName": "s", "SerialNumber": "m"}"#
        );
    }

    #[test]
    fn reads_every_expiry_form_and_keeps_the_window() {
        let now = parse_rfc3339("2026-11-26T18:00:00Z").expect("time");
        for exp in [
            "2026-11-26T19:00:00Z",
            "2026-11-26T19:00:00+00:00",
            "2026-11-26T19:00:00UTC",
        ] {
            let text = format!(
                r#"{{"Credentials": {{"AccessKeyId": "ASIA", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "{exp}"}}}}"#
            );
            let c = parse_entry(&text).expect("parses");
            assert!(is_fresh(&c, now), "{exp}");
            assert!(
                !is_fresh(&c, now + Duration::from_secs(45 * 60)),
                "15 minutes before expiry it is stale"
            );
            assert!(is_fresh(&c, now + Duration::from_secs(44 * 60)));
        }
        for bad in ["", "{}", "not json", r#"{"Credentials": {"AccessKeyId": "A"}}"#] {
            assert!(parse_entry(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn an_entry_round_trips() {
        let mut credentials = Credentials::new("ASIA", Secret::new("s")).with_session_token("t");
        credentials.expiration = parse_rfc3339("2026-11-26T19:00:00.5Z").ok();
        let a = AssumedRole {
            credentials: credentials.clone(),
            expiration: "2026-11-26T19:00:00.5Z".into(),
            arn: "arn:aws:sts::456:assumed-role/Sysops/awl".into(),
            assumed_role_id: "AROA:awl".into(),
            packed_policy_size: None,
            source_identity: None,
            request_id: Some("r".into()),
        };
        let text = entry_json(&a);
        assert!(
            text.contains(r#""Expiration": "2026-11-26T19:00:00Z""#)
                && text.contains(r#""AccountId": "456""#)
        );
        assert_eq!(parse_entry(&text), Some(credentials));
    }
}
