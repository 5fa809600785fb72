//! Where a service is reached: scheme, host, port and base path, read from an endpoint URL as the AWS tools
//! take them (`--endpoint-url`, `AWS_ENDPOINT_URL*`, `endpoint_url`).

use crate::codec::redact;
use crate::error::{Error, Result};

/// Whether `host` is a host name or IPv4 address (letters, digits, `-`, `.`, `_`) or a bracketed IPv6 address:
/// nothing else may reach the `Host` header or the URL.
fn valid_host(host: &str) -> bool {
    match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => {
            !v6.is_empty()
                && v6
                    .bytes()
                    .all(|c| c.is_ascii_hexdigit() || c == b':' || c == b'.')
        }
        None => {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_'))
        }
    }
}

/// `http` or `https`, a host, an optional port, and a base path: where a service is reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// `https` unless the URL said `http`.
    pub https: bool,
    /// Host name or IP address (IPv6 in brackets).
    pub host: String,
    /// The port, when not the scheme's default.
    pub port: Option<u16>,
    /// A path prefix, without a trailing `/` (usually empty).
    pub base_path: String,
}

impl Endpoint {
    /// Reads an endpoint URL such as `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:9000`.
    pub fn parse(url: &str) -> Result<Self> {
        let bad = |why: &str| {
            Error::config(format!("endpoint URL {:?} {why}", redact::url(url)))
                .with_hint("write it as http://HOST[:PORT] or https://HOST[:PORT]")
        };
        let (https, rest) = if let Some(r) = url.strip_prefix("https://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("http://") {
            (false, r)
        } else {
            return Err(bad("has no http:// or https://"));
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
            None => (rest, ""),
        };
        if authority.contains('@') || path.contains(['?', '#']) {
            return Err(bad("has user information, a query or a fragment"));
        }
        let (host, port) = match authority.rfind(':') {
            Some(i) if !authority[i..].contains(']') => {
                let port = authority[i + 1..]
                    .parse::<u16>()
                    .map_err(|_| bad("has a bad port"))?;
                (&authority[..i], Some(port))
            }
            _ => (authority, None),
        };
        if !valid_host(host) {
            return Err(bad("has no valid host"));
        }
        let default_port = if https { 443 } else { 80 };
        Ok(Endpoint {
            https,
            host: host.to_ascii_lowercase(),
            port: port.filter(|p| *p != default_port),
            base_path: path.to_owned(),
        })
    }

    /// The `Host` header value: the host, with the port when it is not the default.
    pub fn authority(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host),
            None => self.host.clone(),
        }
    }

    /// `scheme://authority`.
    pub fn origin(&self) -> String {
        format!(
            "{}://{}",
            if self.https { "https" } else { "http" },
            self.authority()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse_like_the_aws_cli_takes_them() {
        let e = Endpoint::parse("http://127.0.0.1:5000").expect("parses");
        assert_eq!(
            (e.https, e.host.as_str(), e.port, e.authority()),
            (false, "127.0.0.1", Some(5000), "127.0.0.1:5000".into())
        );
        let e = Endpoint::parse("https://S3.eu-west-1.amazonaws.com:443/").expect("parses");
        assert_eq!(
            (e.authority(), e.origin()),
            (
                "s3.eu-west-1.amazonaws.com".into(),
                "https://s3.eu-west-1.amazonaws.com".into()
            )
        );
        let e = Endpoint::parse("https://[::1]:8443/base/").expect("ipv6");
        assert_eq!(
            (e.host.as_str(), e.port, e.base_path.as_str()),
            ("[::1]", Some(8443), "/base")
        );
        for bad in [
            "127.0.0.1:5000",
            "ftp://x",
            "http://",
            "http://a:b",
            "http://u:p@h",
            "http://h/?q",
            "http://:05:80",
            "http://a:b:80",
            "http://[::1",
            "http://h%2f:80",
            "http://[zz]:1",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
    }
}
