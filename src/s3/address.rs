//! Where a bucket and key are reached, pure: `s3://` URLs, the AWS endpoint of a region, and virtual-hosted or
//! path-style addressing as the AWS CLI picks it.

use crate::codec::percent;
use crate::config::resolve::AddressingStyle;
use crate::error::{Error, Result};
use crate::transport::endpoint::Endpoint;

/// `s3://bucket/key` → (bucket, key); the key may be empty.
pub fn parse_s3_url(url: &str) -> Result<(String, String)> {
    let rest = url.strip_prefix("s3://").ok_or_else(|| {
        Error::usage(format!("{url:?} is not an S3 URL")).with_hint("write it as s3://bucket/key")
    })?;
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(Error::usage(format!("{url:?} names no bucket")).with_hint("write it as s3://bucket/key"));
    }
    if !valid_bucket(bucket) {
        return Err(Error::usage(format!(
            "{:?} is not a bucket name",
            crate::codec::redact::sanitize(bucket, 80)
        ))
        .with_hint("a bucket name is letters, digits, '.', '-' and '_', at most 255"));
    }
    Ok((bucket.to_owned(), key.to_owned()))
}

/// Whether a bucket name is one S3 or an S3-compatible store can have, as botocore checks it
/// (`^[a-zA-Z0-9.\-_]{1,255}$`): nothing that could change a host, path or query.
pub fn valid_bucket(bucket: &str) -> bool {
    (1..=255).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
}

/// Whether a bucket name can be a DNS label of a virtual-hosted URL (lower case, digits, `-`; 3 to 63; no
/// dots, which TLS wildcard certificates do not cover).
pub fn dns_compatible(bucket: &str) -> bool {
    let b = bucket.as_bytes();
    (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
}

/// The S3 endpoint of a region on AWS: `s3.amazonaws.com` for us-east-1, as the AWS CLI uses it.
pub fn aws_endpoint(region: &str) -> Endpoint {
    let host = match region {
        "us-east-1" => "s3.amazonaws.com".to_owned(),
        r if r.starts_with("cn-") => format!("s3.{r}.amazonaws.com.cn"),
        r => format!("s3.{r}.amazonaws.com"),
    };
    Endpoint {
        https: true,
        host,
        port: None,
        base_path: String::new(),
    }
}

/// Where a bucket (and key) is reached: the endpoint and the path to send (encoded once, `/` kept).
/// Virtual-hosted on AWS for DNS-compatible names; path-style for other names, for custom endpoints, and when
/// the profile asks for it.
pub fn locate(
    bucket: &str,
    key: &str,
    region: &str,
    endpoint: Option<&Endpoint>,
    style: AddressingStyle,
) -> (Endpoint, String) {
    let base = endpoint.cloned().unwrap_or_else(|| aws_endpoint(region));
    let virtual_host = match style {
        // Forced, but only for a name that can be part of a host name (else path-style, as botocore does).
        AddressingStyle::Virtual => {
            !bucket.is_empty()
                && bucket
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'-'))
        }
        AddressingStyle::Path => false,
        AddressingStyle::Auto => endpoint.is_none() && dns_compatible(bucket),
    };
    let key = percent::encode_path(key);
    if virtual_host {
        let mut e = base;
        e.host = format!("{bucket}.{}", e.host);
        (e, format!("/{key}"))
    } else {
        (base, format!("/{}/{key}", percent::encode_path(bucket)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addressing_like_the_aws_cli() {
        let (e, p) = locate(
            "my-bucket",
            "a b/c+d.txt",
            "ap-southeast-2",
            None,
            AddressingStyle::Auto,
        );
        assert_eq!(
            (e.host.as_str(), p.as_str()),
            ("my-bucket.s3.ap-southeast-2.amazonaws.com", "/a%20b/c%2Bd.txt")
        );
        let (e, p) = locate(
            "my.dotted.bucket",
            "k",
            "ap-southeast-2",
            None,
            AddressingStyle::Auto,
        );
        assert_eq!(
            (e.host.as_str(), p.as_str()),
            ("s3.ap-southeast-2.amazonaws.com", "/my.dotted.bucket/k")
        );
        let (e, p) = locate("My_Bucket", "k", "us-east-1", None, AddressingStyle::Auto);
        assert_eq!(
            (e.host.as_str(), p.as_str()),
            ("s3.amazonaws.com", "/My_Bucket/k")
        );
        let local = Endpoint::parse("http://127.0.0.1:9000").expect("endpoint");
        let (e, p) = locate("b", "x/../y", "us-east-1", Some(&local), AddressingStyle::Auto);
        assert_eq!(
            (e.authority(), p.as_str()),
            ("127.0.0.1:9000".into(), "/b/x/../y")
        );
        let (e, _) = locate("bucket", "k", "eu-west-1", None, AddressingStyle::Path);
        assert_eq!(e.host, "s3.eu-west-1.amazonaws.com");
    }

    #[test]
    fn s3_urls() {
        assert_eq!(parse_s3_url("s3://b/k/l").ok(), Some(("b".into(), "k/l".into())));
        assert_eq!(parse_s3_url("s3://b").ok(), Some(("b".into(), String::new())));
        assert!(parse_s3_url("b/k").is_err() && parse_s3_url("s3:///k").is_err());
        for bad in [
            "s3://a@evil.com/k",
            "s3://a#b/k",
            "s3://a?b",
            "s3://a b",
            "s3://a:1/k",
        ] {
            assert_eq!(parse_s3_url(bad).map_err(|e| e.exit_code()), Err(252), "{bad}");
        }
        assert!(parse_s3_url("s3://Legacy_Bucket.1/k").is_ok());
        let (e, p) = locate("Up_per", "k", "us-east-1", None, AddressingStyle::Virtual);
        assert_eq!((e.host.as_str(), p.as_str()), ("s3.amazonaws.com", "/Up_per/k"));
    }
}
