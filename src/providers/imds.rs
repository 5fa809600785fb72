//! EC2 instance metadata (IMDSv2): the instance role's credentials and the instance's region.
//!
//! A session token first (`PUT /latest/api/token`), then the role name and its credentials under
//! `/latest/meta-data/iam/security-credentials/`. Short timeouts and one retry, so that a machine that is not
//! on EC2 fails within about 1.2 seconds with a message that says where it looked; never through a
//! proxy. Off with `AWS_EC2_METADATA_DISABLED=true`.

use crate::codec::json::{self, Value};
use crate::codec::time::parse_rfc3339;
use crate::error::{Error, Result};
use crate::identity::Credentials;
use crate::transport::Transport;
use crate::transport::endpoint::Endpoint;
use crate::transport::request::{Request, Response};
use crate::transport::retry::try_twice;
use crate::transport::ureq::HttpConfig;
use std::time::Duration;

/// Where IMDS answers unless told otherwise.
pub const DEFAULT_ENDPOINT: &str = "http://169.254.169.254";

/// The time allowed for each attempt (connect and answer).
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(600);

/// The settings of a transport for IMDS and container endpoints: no proxy, short timeouts; `base` gives the
/// trace sink and the stop flag.
pub fn http_config(base: &HttpConfig) -> HttpConfig {
    HttpConfig {
        connect_timeout: Some(ATTEMPT_TIMEOUT),
        read_timeout: Some(ATTEMPT_TIMEOUT),
        total_timeout: Some(ATTEMPT_TIMEOUT),
        trace: base.trace.clone(),
        stop: base.stop.clone(),
        ..HttpConfig::default()
    }
}

/// Reads the JSON of role credentials (IMDS and container endpoints): AccessKeyId, SecretAccessKey, Token,
/// Expiration. The error says what is wrong with the answer, for the caller to say where it came from.
pub fn parse_role_credentials(body: &[u8]) -> Result<Credentials> {
    let v = json::parse(&String::from_utf8_lossy(body)).map_err(|_| Error::data("the answer is not JSON"))?;
    if let Some(code) = v.get("Code").and_then(Value::as_str)
        && code != "Success"
    {
        return Err(Error::data(format!("the answer's Code is {code:?}")));
    }
    let field = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::data(format!("the answer has no {k}")))
    };
    let mut c = Credentials::new(field("AccessKeyId")?, field("SecretAccessKey")?);
    if let Ok(t) = field("Token") {
        c = c.with_session_token(t);
    }
    if let Ok(e) = field("Expiration") {
        c.expiration =
            Some(parse_rfc3339(e).map_err(|_| Error::data("the answer's Expiration is not a timestamp"))?);
    }
    Ok(c)
}

/// IMDS at one endpoint.
#[derive(Debug)]
pub struct Imds<'a> {
    transport: &'a dyn Transport,
    endpoint: Endpoint,
    url: String,
}

impl<'a> Imds<'a> {
    /// IMDS at `url` (default: 169.254.169.254).
    pub fn new(transport: &'a dyn Transport, url: Option<&str>) -> Result<Self> {
        let url = url.unwrap_or(DEFAULT_ENDPOINT).trim_end_matches('/').to_owned();
        Ok(Imds {
            transport,
            endpoint: Endpoint::parse(&url)?,
            url,
        })
    }

    fn fail(&self, what: &str) -> Error {
        Error::config(format!(
            "instance metadata at {}: {what}",
            crate::codec::redact::url(&self.url)
        ))
        .with_hint(
            "not on EC2? give the profile keys or a role; set AWS_EC2_METADATA_DISABLED=true to skip this",
        )
    }

    /// One request, tried twice on a connection failure or timeout.
    fn call(&self, method: &'static str, path: &str, headers: &[(&str, &str)]) -> Result<Response> {
        let mut req = Request::new(method, &self.endpoint, path, "");
        for (n, v) in headers {
            req = req.header(n, *v);
        }
        try_twice(self.transport, &req).map_err(|e| self.fail(&format!("no answer ({})", e.message())))
    }

    fn token(&self) -> Result<Option<String>> {
        let r = self.call(
            "PUT",
            "/latest/api/token",
            &[("x-aws-ec2-metadata-token-ttl-seconds", "21600")],
        )?;
        match r.status {
            200 => Ok(Some(String::from_utf8_lossy(&r.body).trim().to_owned())),
            // IMDSv1 only (or a proxy that refuses PUT): go on without a token.
            403..=405 => Ok(None),
            s => Err(self.fail(&format!("the token request got HTTP {s}"))),
        }
    }

    fn get(&self, path: &str, token: Option<&str>) -> Result<Vec<u8>> {
        let headers: Vec<(&str, &str)> = token
            .map(|t| ("x-aws-ec2-metadata-token", t))
            .into_iter()
            .collect();
        let r = self.call("GET", path, &headers)?;
        if r.status != 200 {
            return Err(self.fail(&format!("{path} got HTTP {}", r.status)));
        }
        Ok(r.body)
    }

    /// The instance role's credentials.
    pub fn credentials(&self) -> Result<Credentials> {
        let token = self.token()?;
        let base = "/latest/meta-data/iam/security-credentials/";
        let names = self.get(base, token.as_deref())?;
        let role = String::from_utf8_lossy(&names)
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        if role.is_empty() {
            return Err(self.fail("the instance has no IAM role"));
        }
        let body = self.get(&format!("{base}{role}"), token.as_deref())?;
        parse_role_credentials(&body).map_err(|e| self.fail(&format!("role {role}: {}", e.message())))
    }

    /// The instance's region.
    pub fn region(&self) -> Result<String> {
        let token = self.token()?;
        let body = self.get("/latest/meta-data/placement/region", token.as_deref())?;
        Ok(String::from_utf8_lossy(&body).trim().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_credentials_json() {
        let c = parse_role_credentials(
            br#"{"Code": "Success", "LastUpdated": "2026-11-26T18:00:00Z", "Type": "AWS-HMAC",
                "AccessKeyId": "ASIA", "SecretAccessKey": "s", "Token": "t", "Expiration": "2026-11-27T00:00:00Z"}"#,
        )
        .expect("parses");
        assert!(c.session_token.is_some() && c.expiration.is_some());
        assert!(parse_role_credentials(br#"{"Code": "AssumeRoleUnauthorizedAccess"}"#).is_err());
        assert!(parse_role_credentials(b"<html>").is_err());
    }
}
