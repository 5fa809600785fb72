//! HeadObject: an object's size, time and metadata, for copies in parts (which must set the metadata
//! themselves) and for `rm`'s and `mv`'s checks.

use crate::codec::time::parse_http_date;
use crate::error::{Error, Result};
use crate::s3::request::S3Request;
use crate::transport::request::Response;
use std::time::SystemTime;

/// HeadObject of `bucket`/`key`.
pub fn request(bucket: &str, key: &str) -> S3Request {
    S3Request::new("HEAD", Some(bucket), key)
}

/// What HeadObject says of an object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Head {
    /// Its size.
    pub size: u64,
    /// `Last-Modified`.
    pub last_modified: Option<SystemTime>,
    /// `Content-Type`, `Cache-Control`, `Content-Disposition`, `Content-Encoding`, `Content-Language`.
    pub content_headers: Vec<(String, String)>,
    /// `x-amz-meta-*`, names without the prefix.
    pub metadata: Vec<(String, String)>,
}

/// Reads a HeadObject answer.
pub fn parse(resp: &Response) -> Result<Head> {
    let size = resp
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| Error::data("HeadObject answered no Content-Length"))?;
    let keep = [
        "content-type",
        "cache-control",
        "content-disposition",
        "content-encoding",
        "content-language",
    ];
    Ok(Head {
        size,
        last_modified: resp.header("last-modified").and_then(|d| parse_http_date(d).ok()),
        content_headers: resp
            .headers
            .iter()
            .filter(|(n, _)| keep.contains(&n.as_str()))
            .cloned()
            .collect(),
        metadata: resp
            .headers
            .iter()
            .filter_map(|(n, v)| n.strip_prefix("x-amz-meta-").map(|k| (k.to_owned(), v.clone())))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_metadata_and_content_headers() {
        let resp = Response {
            status: 200,
            headers: vec![
                ("content-length".into(), "42".into()),
                ("content-type".into(), "text/plain".into()),
                ("x-amz-meta-a".into(), "b".into()),
                ("etag".into(), "\"x\"".into()),
            ],
            body: Vec::new(),
            attempts: 1,
        };
        let h = parse(&resp).expect("parses");
        assert_eq!((h.size, h.metadata.clone()), (42, vec![("a".into(), "b".into())]));
        assert_eq!(
            h.content_headers,
            vec![("content-type".into(), "text/plain".into())]
        );
    }
}
