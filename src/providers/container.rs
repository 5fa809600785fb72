//! Container credentials (ECS task roles, EKS Pod Identity): `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on
//! 169.254.170.2) or `AWS_CONTAINER_CREDENTIALS_FULL_URI` (HTTPS anywhere, or HTTP only to a loopback or the
//! container agents' own addresses), with `AWS_CONTAINER_AUTHORIZATION_TOKEN` or `_TOKEN_FILE`.

use crate::config::env::Env;
use crate::error::{Error, Result};
use crate::identity::Credentials;
use crate::providers::imds::parse_role_credentials;
use crate::transport::Transport;
use crate::transport::endpoint::Endpoint;
use crate::transport::request::Request;
use crate::transport::retry::try_twice;

/// The ECS agent's address: the one host a relative URI reaches.
const ECS_HOST: &str = "169.254.170.2";

/// Hosts a plain-HTTP full URI may name: loopback, and the ECS and EKS agents.
fn allowed_http_host(host: &str) -> bool {
    host == "localhost"
        || host == "[::1]"
        || host.starts_with("127.")
        || host == "169.254.170.2"
        || host == "169.254.170.23"
        || host == "[fd00:ec2::23]"
}

/// The URL a relative URI names: `http://169.254.170.2` followed by it. It must be a path (`/...`): text
/// such as `.evil.example:8080/creds` or `@host/creds` would otherwise move the request, and the
/// authorization token with it, to another host over plain HTTP. The composed URL is then checked as botocore
/// checks it (`_validate_allowed_url`): its host must be exactly 169.254.170.2, on the default port.
pub fn relative_url(relative: &str) -> Result<String> {
    let refuse = |why: &str| {
        Error::config(format!(
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI '{}' {why}",
            crate::codec::redact::sanitize(relative, 200)
        ))
        .with_hint(format!(
            "it is a path on http://{ECS_HOST} (/v2/credentials/...); for another host use \
             AWS_CONTAINER_CREDENTIALS_FULL_URI"
        ))
    };
    if !relative.starts_with('/') {
        return Err(refuse("does not start with /"));
    }
    // It becomes the request line's path: nothing that could end or split that line.
    if relative.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(refuse("has spaces or control characters"));
    }
    let url = format!("http://{ECS_HOST}{relative}");
    let authority_end = url["http://".len()..]
        .find(['/', '?', '#', '\\'])
        .map_or(url.len(), |i| "http://".len() + i);
    match Endpoint::parse(&url[..authority_end]) {
        Ok(e) if !e.https && e.host == ECS_HOST && e.port.is_none() => Ok(url),
        _ => Err(refuse(&format!("does not lead to {ECS_HOST}"))),
    }
}

/// The URL to ask, from the environment: the relative URI when it is set (as botocore prefers it), else the
/// full URI.
pub fn url(env: &Env) -> Result<String> {
    if let Some(rel) = env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
        return relative_url(rel);
    }
    let full = env
        .get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .ok_or_else(|| Error::config("no container credentials endpoint is set"))?;
    let e = Endpoint::parse(full)?;
    if !e.https && !allowed_http_host(&e.host) {
        return Err(Error::config(format!(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI {} is plain HTTP to a host that is not local",
            crate::codec::redact::url(full)
        ))
        .with_hint("use https://, or http:// to a loopback address"));
    }
    Ok(full.to_owned())
}

/// The container role's credentials; `token` is the authorization token (read by the caller from
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN` or the file `_TOKEN_FILE` names).
pub fn credentials(transport: &dyn Transport, url: &str, token: Option<&str>) -> Result<Credentials> {
    let fail = |what: String| {
        Error::config(format!(
            "container credentials at {}: {what}",
            crate::codec::redact::url(url)
        ))
        .with_hint("check AWS_CONTAINER_CREDENTIALS_* and the task's or pod's role")
    };
    let after_scheme = url
        .find("://")
        .map(|i| i + 3)
        .ok_or_else(|| fail("not a URL".into()))?;
    let path_start = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |j| after_scheme + j);
    let endpoint = Endpoint::parse(&url[..path_start])?;
    let rest = &url[path_start..];
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = if path.is_empty() { "/" } else { path };
    let mut req = Request::new("GET", &endpoint, path, query);
    if let Some(t) = token {
        req = req.header("authorization", t.trim());
    }
    let resp = try_twice(transport, &req).map_err(|e| fail(format!("no answer ({})", e.message())))?;
    if resp.status != 200 {
        return Err(fail(format!("HTTP {}", resp.status)));
    }
    parse_role_credentials(&resp.body).map_err(|e| fail(e.message().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_from_the_environment() {
        let env = Env::from_pairs([("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc")]);
        assert_eq!(
            url(&env).ok().as_deref(),
            Some("http://169.254.170.2/v2/credentials/abc")
        );
        for ok in [
            "http://127.0.0.1:9000/creds",
            "https://creds.example.com/x",
            "http://localhost/c",
            "http://169.254.170.23/v1/credentials",
        ] {
            let env = Env::from_pairs([("AWS_CONTAINER_CREDENTIALS_FULL_URI", ok)]);
            assert_eq!(url(&env).ok().as_deref(), Some(ok));
        }
        let env = Env::from_pairs([("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.0.0.5/creds")]);
        assert!(url(&env).is_err());
    }

    #[test]
    fn a_relative_uri_is_a_path_on_the_ecs_agent_only() {
        for (ok, want) in [
            ("/v2/credentials/abc", "http://169.254.170.2/v2/credentials/abc"),
            ("/creds?id=123", "http://169.254.170.2/creds?id=123"),
            ("//evil.example/creds", "http://169.254.170.2//evil.example/creds"),
        ] {
            assert_eq!(relative_url(ok).ok().as_deref(), Some(want), "{ok}");
        }
        for bad in [
            ".evil.example:8080/creds",
            ".evil.example/creds",
            "@127.0.0.1:8080/creds",
            ":8080/creds",
            "3/creds",
            "\\evil.example/creds",
            "evil",
            "/creds HTTP/1.1\r\nHost: evil.example",
            "/a b",
            "/a\tb",
        ] {
            let e = relative_url(bad).err();
            assert_eq!(
                e.as_ref().map(Error::kind),
                Some(crate::error::ErrorKind::Config),
                "{bad:?}"
            );
            let message = e.map(|e| e.message().to_owned()).unwrap_or_default();
            assert!(
                message.starts_with("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI '"),
                "{message}"
            );
            assert!(!message.contains(['\r', '\n', '\t']), "{message:?}");
        }
        // The relative URI wins over the full one, as in botocore: a bad one is refused, not skipped.
        let env = Env::from_pairs([
            ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", ".evil.example/creds"),
            (
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://127.0.0.1:9000/creds",
            ),
        ]);
        assert!(url(&env).is_err());
    }
}
