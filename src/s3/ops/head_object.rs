//! HeadObject: an object's size, time and metadata, for copies in parts (which must set the metadata
//! themselves) and for `rm`'s and `mv`'s checks; and, for downloads in parts, its parts and the checksums it
//! stores (`?partNumber=N` for one part's size and checksum).

use crate::codec::time::parse_http_date;
use crate::error::{Error, Result};
use crate::s3::checksum::{Stored, verify::etag_is_md5};
use crate::s3::object::ObjectRef;
use crate::s3::operation::Operation;
use crate::s3::request::S3Request;
use crate::transport::request::Response;
use std::time::SystemTime;

/// HeadObject of an object, or of one of its parts (`?partNumber=N`: the part's size and checksum), asking
/// for the stored checksums (`x-amz-checksum-mode: ENABLED`) when `checksums`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadObject<'a> {
    /// The object.
    pub object: &'a ObjectRef,
    /// One of its parts.
    pub part: Option<u64>,
    /// Whether the stored checksums are asked for.
    pub checksums: bool,
}

impl<'a> HeadObject<'a> {
    /// HeadObject of the whole object, no checksums asked.
    pub fn of(object: &'a ObjectRef) -> Self {
        HeadObject {
            object,
            part: None,
            checksums: false,
        }
    }
}

impl Operation for HeadObject<'_> {
    type Output = Head;

    fn request(&self) -> S3Request {
        let r = S3Request::for_object("HEAD", self.object);
        let r = if self.checksums {
            r.header("x-amz-checksum-mode", "ENABLED")
        } else {
            r
        };
        match self.part {
            Some(n) => r.query(&[("partNumber", &n.to_string())]),
            None => r,
        }
    }

    fn what(&self) -> String {
        format!("HeadObject {}", self.object)
    }

    fn parse(&self, resp: Response) -> Result<Head> {
        parse(&resp)
    }
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
    /// The ETag, as sent (quoted).
    pub etag: Option<String>,
    /// The checksum S3 stores (when asked with `x-amz-checksum-mode`).
    pub checksum: Option<Stored>,
    /// `x-amz-mp-parts-count`: the object's parts (on a HEAD of a part).
    pub parts_count: Option<u64>,
    /// Whether the ETag can be the MD5 of the bytes (no SSE-KMS, no SSE-C).
    pub md5_etag: bool,
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
        etag: resp.header("etag").map(str::to_owned),
        checksum: Stored::from_headers(&resp.headers),
        parts_count: resp
            .header("x-amz-mp-parts-count")
            .and_then(|v| v.trim().parse().ok()),
        md5_etag: etag_is_md5(&resp.headers),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_metadata_and_content_headers() {
        let resp = Response::of(
            200,
            &[
                ("content-length", "42"),
                ("content-type", "text/plain"),
                ("x-amz-meta-a", "b"),
                ("etag", "\"x\""),
            ],
            b"",
        );
        let h = parse(&resp).expect("parses");
        assert_eq!((h.size, h.metadata.clone()), (42, vec![("a".into(), "b".into())]));
        assert_eq!(
            h.content_headers,
            vec![("content-type".into(), "text/plain".into())]
        );
        assert_eq!(
            (h.etag.as_deref(), h.parts_count, h.md5_etag),
            (Some("\"x\""), None, true)
        );
        let o = ObjectRef::new("b", "k");
        let part = HeadObject {
            part: Some(3),
            checksums: true,
            ..HeadObject::of(&o)
        };
        assert_eq!(part.request().query, "partNumber=3");
        assert!(HeadObject::of(&o).request().headers.is_empty());
    }
}
