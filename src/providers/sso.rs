//! IAM Identity Center (SSO) credentials, shared with the AWS CLI v2 in both directions: the token cache
//! (`~/.aws/sso/cache/<sha1>.json`, named, read and written as botocore's `SSOTokenLoader` and
//! `SSOTokenProvider` do), its renewal by botocore's rules, and the role credentials of the portal, cached
//! where and as the AWS CLI v2 caches them (`~/.aws/cli/cache`, botocore's `SSOCredentialFetcher`).
//!
//! Names, file contents and the renewal decision are pure functions; [`read_token`], [`write_token`] and
//! [`sso_credentials`] do the I/O.

use crate::codec::json::{self, Value, write_string};
use crate::codec::time::{UtcDateTime, parse_rfc3339};
use crate::config::chain::Base;
use crate::error::{Error, ErrorKind, Result};
use crate::fs;
use crate::identity::Credentials;
use crate::providers::cache;
use crate::secret::Secret;
use crate::sso::{Grant, SsoClient, TokenAnswer};
use sha1::{Digest, Sha1};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A token with less than this left is renewed when it can be (botocore's `_REFRESH_WINDOW`).
pub const REFRESH_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The token cache folder under a home folder: `~/.aws/sso/cache`.
pub fn token_dir_in(home: &str) -> PathBuf {
    Path::new(home).join(".aws").join("sso").join("cache")
}

pub(crate) fn sha1_name(text: &str) -> String {
    format!("{}.json", hex::encode(Sha1::digest(text.as_bytes())))
}

/// The token file's name: the hex SHA-1 of the session name (session form) or of the start URL (legacy form),
/// then `.json` (botocore's `SSOTokenLoader._generate_cache_key`).
pub fn token_file_name(session_name: Option<&str>, start_url: &str) -> String {
    sha1_name(session_name.unwrap_or(start_url))
}

/// A token of the cache. `Debug` is derived: the secret parts are [`Secret`]s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoToken {
    /// `accessToken`: the bearer token for the portal.
    pub access_token: Secret,
    /// `expiresAt`.
    pub expires_at: SystemTime,
    /// `refreshToken`, for renewal with CreateToken.
    pub refresh_token: Option<Secret>,
    /// `clientId` of the client registration.
    pub client_id: Option<String>,
    /// `clientSecret` of the client registration.
    pub client_secret: Option<Secret>,
    /// `registrationExpiresAt`: when the registration (and so renewal) ends.
    pub registration_expires_at: Option<SystemTime>,
    /// `region` of the SSO session.
    pub region: Option<String>,
    /// `startUrl` of the SSO session.
    pub start_url: Option<String>,
}

/// A timestamp as botocore writes token and role credential times: `strftime('%Y-%m-%dT%H:%M:%SZ')`.
pub(crate) fn stamp(t: SystemTime) -> String {
    UtcDateTime::from_system_time(t).rfc3339()
}

/// Python's `json.dumps(obj)` without `sort_keys`: members in order, `", "` and `": "`, non-ASCII escaped.
fn dumps(v: &Value) -> String {
    json::to_string(v, json::Style::PythonInOrder)
}

/// The token file's text, as botocore's `_sso_json_dumps` writes the token `SSOTokenProvider` renews: its
/// members in that order, times as `%Y-%m-%dT%H:%M:%SZ`.
pub fn token_json(t: &SsoToken) -> String {
    let s = |v: &str| Value::string(v);
    let mut m: Vec<(&str, Value)> = Vec::with_capacity(8);
    if let Some(u) = &t.start_url {
        m.push(("startUrl", s(u)));
    }
    if let Some(r) = &t.region {
        m.push(("region", s(r)));
    }
    m.push(("accessToken", s(t.access_token.expose())));
    m.push(("expiresAt", s(&stamp(t.expires_at))));
    if let Some(c) = &t.client_id {
        m.push(("clientId", s(c)));
    }
    if let Some(c) = &t.client_secret {
        m.push(("clientSecret", s(c.expose())));
    }
    if let Some(r) = t.registration_expires_at {
        m.push(("registrationExpiresAt", s(&stamp(r))));
    }
    if let Some(r) = &t.refresh_token {
        m.push(("refreshToken", s(r.expose())));
    }
    dumps(&Value::object(m))
}

/// A token file's text read; `None` unless it has `accessToken` and a readable `expiresAt` (what botocore
/// requires). Times in any form botocore writes (`Z`, `+00:00`, `UTC`).
pub fn parse_token(text: &str) -> Option<SsoToken> {
    let v = json::parse(text).ok()?;
    let field = |k: &str| v.get(k).and_then(Value::as_str);
    let time = |k: &str| field(k).and_then(|t| parse_rfc3339(t).ok());
    Some(SsoToken {
        access_token: Secret::new(field("accessToken")?),
        expires_at: time("expiresAt")?,
        refresh_token: field("refreshToken").map(Secret::new),
        client_id: field("clientId").map(str::to_owned),
        client_secret: field("clientSecret").map(Secret::new),
        registration_expires_at: time("registrationExpiresAt"),
        region: field("region").map(str::to_owned),
        start_url: field("startUrl").map(str::to_owned),
    })
}

/// The token file `name` in `dir`: `None` when there is none or it is not a token (botocore: "Token ... does
/// not exist" / "is invalid"); an error when it cannot be read.
pub fn read_token(dir: &Path, name: &str) -> Result<Option<SsoToken>> {
    let path = dir.join(name);
    match fs::read_regular(&path, 1 << 20, fs::Links::Refuse) {
        Ok(bytes) => Ok(String::from_utf8(bytes).ok().and_then(|t| parse_token(&t))),
        Err(fs::ReadProblem::Missing) => Ok(None),
        Err(p) => Err(Error::config(format!(
            "the SSO token file {} cannot be read: {p}",
            path.display()
        ))),
    }
}

/// Writes the token file `name` in `dir` as botocore writes it: atomically, mode 0600, the folder made 0700.
pub fn write_token(dir: &Path, name: &str, token: &SsoToken) -> Result<()> {
    let path = dir.join(name);
    fs::replace_file(&path, &path.display().to_string(), token_json(token).as_bytes())
}

/// Whether `token` is due for renewal at `now` and can be renewed: session form (botocore renews only those),
/// less than [`REFRESH_WINDOW`] left, and a refresh token with an unexpired client registration. The grant's
/// parts when so: client id, client secret, refresh token.
pub fn renewal(token: &SsoToken, session_form: bool, now: SystemTime) -> Option<(&str, &Secret, &Secret)> {
    if !session_form
        || token.expires_at >= now + REFRESH_WINDOW
        || token.registration_expires_at.is_none_or(|r| r <= now)
    {
        return None;
    }
    Some((
        token.client_id.as_deref()?,
        token.client_secret.as_ref()?,
        token.refresh_token.as_ref()?,
    ))
}

/// The token botocore's `_attempt_create_token` makes of a CreateToken answer: the session's start URL and
/// region, the new access token expiring `expiresIn` from `now`, the registration kept, and the refresh token
/// only if the answer has one.
pub fn renewed(
    old: &SsoToken,
    answer: TokenAnswer,
    start_url: &str,
    region: &str,
    now: SystemTime,
) -> SsoToken {
    SsoToken {
        access_token: answer.access_token,
        // An expiry past what the clock holds is taken as already passed.
        expires_at: now
            .checked_add(Duration::from_secs(answer.expires_in))
            .unwrap_or(now),
        refresh_token: answer.refresh_token,
        client_id: old.client_id.clone(),
        client_secret: old.client_secret.clone(),
        registration_expires_at: old.registration_expires_at,
        region: Some(region.to_owned()),
        start_url: Some(start_url.to_owned()),
    }
}

/// The role credential cache file's name: the hex SHA-1 of `json.dumps({"accountId", "roleName",
/// "sessionName" or "startUrl"}, sort_keys=True, separators=(',', ':'))`, then `.json`
/// (`SSOCredentialFetcher._create_cache_key`).
pub fn role_cache_name(
    account_id: &str,
    role_name: &str,
    session_name: Option<&str>,
    start_url: &str,
) -> String {
    let last = match session_name {
        Some(s) => ("sessionName", s),
        None => ("startUrl", start_url),
    };
    let mut key = String::from("{");
    for (i, (k, v)) in [("accountId", account_id), ("roleName", role_name), last]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            key.push(',');
        }
        write_string(&mut key, k, true);
        key.push(':');
        write_string(&mut key, v, true);
    }
    key.push('}');
    sha1_name(&key)
}

/// The role credential cache file's text, as the AWS CLI v2 writes it (`JSONFileCache` of the fetcher's
/// answer): `{"ProviderType": "sso", "Credentials": {..., "Expiration": "%Y-%m-%dT%H:%M:%SZ", "AccountId"}}`.
pub fn role_entry_json(c: &Credentials, account_id: &str) -> String {
    let s = |v: &str| Value::string(v);
    let creds = Value::object([
        ("AccessKeyId", s(&c.access_key_id)),
        ("SecretAccessKey", s(c.secret_access_key.expose())),
        (
            "SessionToken",
            s(c.session_token.as_ref().map_or("", Secret::expose)),
        ),
        ("Expiration", s(&c.expiration.map(stamp).unwrap_or_default())),
        ("AccountId", s(account_id)),
    ]);
    dumps(&Value::object([
        ("ProviderType", s("sso")),
        ("Credentials", creds),
    ]))
}

/// The settings of an SSO base ([`Base::Sso`]) that fetching its credentials needs.
#[derive(Clone, Copy, Debug)]
pub struct SsoRole<'a> {
    /// The profile with the SSO settings (named in `awl sso login --profile`).
    pub profile: &'a str,
    /// `sso_session`, for the session form.
    pub session: Option<&'a str>,
    /// `sso_start_url`.
    pub start_url: &'a str,
    /// `sso_region`.
    pub region: &'a str,
    /// `sso_account_id`.
    pub account_id: &'a str,
    /// `sso_role_name`.
    pub role_name: &'a str,
}

impl<'a> SsoRole<'a> {
    /// The settings of `base`, if it is an SSO base.
    pub fn of(base: &'a Base) -> Option<Self> {
        match base {
            Base::Sso {
                profile,
                session,
                start_url,
                region,
                account_id,
                role_name,
                ..
            } => Some(SsoRole {
                profile,
                session: session.as_ref().map(|s| s.value.as_str()),
                start_url: &start_url.value,
                region: &region.value,
                account_id: &account_id.value,
                role_name: &role_name.value,
            }),
            _ => None,
        }
    }

    /// The error that ends in what to run: `awl sso login --profile P`.
    fn login_needed(&self, why: String) -> Error {
        let login = format!("run 'awl sso login --profile {}'", self.profile);
        Error::config(format!("{why}: {login}"))
            .with_hint("the AWS CLI v2's 'aws sso login' writes the same token cache")
    }
}

/// The access token of `role`'s login from the token cache in `token_dir`, renewed first (and written back)
/// when botocore would renew it; a renewal that fails leaves a still-valid token in use (with a warning). An
/// expired or missing token is an error that says to log in (an expired one whose renewal got no answer: that
/// error).
pub fn access_token(
    role: &SsoRole<'_>,
    client: &SsoClient<'_>,
    token_dir: &Path,
    now: SystemTime,
    warnings: &mut Vec<String>,
) -> Result<Secret> {
    let name = token_file_name(role.session, role.start_url);
    let Some(mut token) = read_token(token_dir, &name)? else {
        let of = role.session.map_or_else(
            || format!("start URL {}", role.start_url),
            |s| format!("sso_session '{s}'"),
        );
        return Err(role.login_needed(format!(
            "profile '{}' has no SSO token in the cache ({of})",
            role.profile
        )));
    };
    if let Some((id, secret, refresh)) = renewal(&token, role.session.is_some(), now) {
        match client.create_token(id, secret, Grant::Refresh(refresh), &[]) {
            Ok(answer) => {
                token = renewed(&token, answer, role.start_url, role.region, now);
                if let Err(e) = write_token(token_dir, &name, &token) {
                    warnings.push(format!("{e} (the renewed SSO token works for this run only)"));
                }
            }
            Err(e) if token.expires_at > now => warnings.push(format!(
                "renewing the SSO token of profile '{}' failed ({e}); it is used until it expires at {}",
                role.profile,
                stamp(token.expires_at)
            )),
            // No answer: that, not a login, is what needs seeing to.
            Err(e) if e.kind() == ErrorKind::Network => return Err(e),
            Err(_) => {}
        }
    }
    if token.expires_at <= now {
        return Err(role.login_needed(format!(
            "the SSO token of profile '{}' expired at {}",
            role.profile,
            stamp(token.expires_at)
        )));
    }
    Ok(token.access_token)
}

/// The role credentials of `role`: from the AWS CLI v2's cache in `cache_dir` while more than 15 minutes
/// remain, otherwise from the portal's GetRoleCredentials with the (renewed) access token, then cached
/// there. A token the portal refuses is an error that says to log in again.
pub fn sso_credentials(
    role: &SsoRole<'_>,
    client: &SsoClient<'_>,
    token_dir: &Path,
    cache_dir: Option<&Path>,
    now: SystemTime,
    warnings: &mut Vec<String>,
) -> Result<Credentials> {
    let name = role_cache_name(role.account_id, role.role_name, role.session, role.start_url);
    if let Some(c) = cache_dir.and_then(|d| cache::load(d, &name, now)) {
        return Ok(c);
    }
    let token = access_token(role, client, token_dir, now, warnings)?;
    let creds = match client.get_role_credentials(&token, role.account_id, role.role_name) {
        Ok(r) => r.credentials,
        Err(e) if e.service_code() == Some("UnauthorizedException") => {
            return Err(role.login_needed(format!(
                "the SSO portal refused the token of profile '{}' (expired or logged out)",
                role.profile
            )));
        }
        Err(e) => return Err(e.context(format_args!("profile '{}'", role.profile))),
    };
    if let Some(dir) = cache_dir {
        let path = dir.join(&name);
        let text = role_entry_json(&creds, role.account_id);
        if let Err(e) = fs::replace_file(&path, &path.display().to_string(), text.as_bytes()) {
            warnings.push(format!(
                "{e} (the credentials work, but the next run will ask again)"
            ));
        }
    }
    Ok(creds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: &str) -> SystemTime {
        parse_rfc3339(t).expect("time")
    }

    #[test]
    fn names_are_botocores() {
        // hashlib.sha1(b"my-sso").hexdigest(), and of the start URL for the legacy form.
        assert_eq!(
            token_file_name(Some("my-sso"), "https://x"),
            format!("{}.json", hex::encode(Sha1::digest(b"my-sso")))
        );
        assert_eq!(
            token_file_name(None, "https://d-abc123.awsapps.com/start"),
            format!(
                "{}.json",
                hex::encode(Sha1::digest(b"https://d-abc123.awsapps.com/start"))
            )
        );
        // json.dumps({"accountId": "123456789012", "roleName": "Dev", "sessionName": "my-sso"},
        //            sort_keys=True, separators=(',', ':'))
        assert_eq!(
            role_cache_name("123456789012", "Dev", Some("my-sso"), "https://x"),
            sha1_name(r#"{"accountId":"123456789012","roleName":"Dev","sessionName":"my-sso"}"#)
        );
        assert_eq!(
            role_cache_name("1", "R\u{e9}", None, "https://x"),
            sha1_name(r#"{"accountId":"1","roleName":"R\u00e9","startUrl":"https://x"}"#)
        );
    }

    fn full_token() -> SsoToken {
        SsoToken {
            access_token: Secret::new("aoa"),
            expires_at: at("2026-11-26T18:00:00Z"),
            refresh_token: Some(Secret::new("rt")),
            client_id: Some("cid".into()),
            client_secret: Some(Secret::new("cs")),
            registration_expires_at: Some(at("2027-02-24T18:00:00Z")),
            region: Some("us-east-1".into()),
            start_url: Some("https://d-1.awsapps.com/start".into()),
        }
    }

    #[test]
    fn tokens_are_written_as_botocore_writes_them_and_read_back() {
        let t = full_token();
        let text = token_json(&t);
        assert_eq!(
            text,
            r#"{"startUrl": "https://d-1.awsapps.com/start", "region": "us-east-1", "accessToken": "aoa", "expiresAt": "2026-11-26T18:00:00Z", "clientId": "cid", "clientSecret": "cs", "registrationExpiresAt": "2027-02-24T18:00:00Z", "refreshToken": "rt"}"#
        );
        assert_eq!(parse_token(&text), Some(t.clone()));
        assert!(!format!("{t:?}").contains("aoa") && !format!("{t:?}").contains("\"cs\""));
        // As the AWS CLI v2 writes a legacy token, a `UTC` suffix, and what botocore refuses.
        let legacy = parse_token(
            r#"{"startUrl": "u", "region": "r", "accessToken": "a", "expiresAt": "2026-11-26T18:00:00UTC"}"#,
        )
        .expect("legacy");
        assert_eq!(
            (legacy.expires_at, legacy.refresh_token),
            (at("2026-11-26T18:00:00Z"), None)
        );
        for bad in [
            "{}",
            r#"{"accessToken": "a"}"#,
            r#"{"expiresAt": "2026-11-26T18:00:00Z"}"#,
            "x",
        ] {
            assert!(parse_token(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn renewal_follows_botocores_rules() {
        let t = full_token();
        let now = at("2026-11-26T17:58:00Z");
        assert!(renewal(&t, true, now).is_some(), "2 minutes left");
        assert!(renewal(&t, false, now).is_none(), "legacy tokens are not renewed");
        assert!(
            renewal(&t, true, at("2026-11-26T17:44:00Z")).is_none(),
            "16 minutes left"
        );
        assert!(
            renewal(&t, true, at("2026-11-26T18:30:00Z")).is_some(),
            "expired: renewed"
        );
        let mut no_rt = t.clone();
        no_rt.refresh_token = None;
        assert!(renewal(&no_rt, true, now).is_none());
        let mut old_reg = t.clone();
        old_reg.registration_expires_at = Some(at("2026-11-26T17:00:00Z"));
        assert!(renewal(&old_reg, true, now).is_none(), "registration expired");
        let answer = TokenAnswer {
            access_token: Secret::new("new"),
            expires_in: 3600,
            refresh_token: None,
        };
        let n = renewed(&t, answer, "https://s", "eu-west-1", now);
        assert_eq!(
            token_json(&n),
            r#"{"startUrl": "https://s", "region": "eu-west-1", "accessToken": "new", "expiresAt": "2026-11-26T18:58:00Z", "clientId": "cid", "clientSecret": "cs", "registrationExpiresAt": "2027-02-24T18:00:00Z"}"#
        );
    }

    #[test]
    fn role_entries_are_the_aws_clis_and_the_cache_reads_them() {
        let mut c = Credentials::new("ASIA1", Secret::new("s")).with_session_token("t");
        c.expiration = Some(at("2026-11-26T19:00:00Z") + Duration::from_millis(500));
        let text = role_entry_json(&c, "123456789012");
        assert_eq!(
            text,
            r#"{"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIA1", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2026-11-26T19:00:00Z", "AccountId": "123456789012"}}"#
        );
        c.expiration = Some(at("2026-11-26T19:00:00Z"));
        assert_eq!(cache::parse_entry(&text), Some(c));
    }
}
