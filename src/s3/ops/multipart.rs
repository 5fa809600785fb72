//! The multipart upload calls: CreateMultipartUpload, UploadPart (a file's byte range, hashed beforehand),
//! CompleteMultipartUpload and AbortMultipartUpload.

use crate::codec::{percent, xml};
use crate::error::{Error, Result};
use crate::s3::checksum::{Algorithm, Digests};
use crate::s3::ops::options::ObjectOptions;
use crate::s3::request::S3Request;
use crate::transport::request::Body;

/// A part uploaded: its number, ETag and checksum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartDone {
    /// 1-based.
    pub number: u64,
    /// The ETag S3 returned.
    pub etag: String,
    /// The part's checksum (base64), when the upload keeps one per part.
    pub checksum: Option<(Algorithm, String)>,
}

/// CreateMultipartUpload with the object's options; `checksum` asks S3 to keep each part's checksum of that
/// algorithm (parts sent from here, and not with `request_checksum_calculation = when_required`), which parts
/// copied on the server do not carry.
pub fn create(bucket: &str, key: &str, opts: &ObjectOptions, checksum: Option<Algorithm>) -> S3Request {
    let mut r = S3Request::new("POST", Some(bucket), key).query(&[("uploads", "")]);
    for (n, v) in opts.headers() {
        r = r.header(n, v);
    }
    if let Some(a) = checksum {
        r = r.header("x-amz-checksum-algorithm", a.name());
    }
    r
}

/// The upload id of a CreateMultipartUpload answer.
pub fn parse_create(body: &[u8]) -> Result<String> {
    let doc = xml::parse(&String::from_utf8_lossy(body))?;
    doc.find("UploadId")
        .map(|e| e.text.trim().to_owned())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Error::data("CreateMultipartUpload answered no UploadId"))
}

/// A multipart upload in progress: where it goes, and its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Upload<'a> {
    /// The bucket.
    pub bucket: &'a str,
    /// The key.
    pub key: &'a str,
    /// The upload id S3 gave.
    pub id: &'a str,
}

/// UploadPart `number` of `body` (a file's byte range, or a buffer), hashed as `digests`.
pub fn upload_part(up: &Upload<'_>, number: u64, body: Body, digests: &Digests) -> S3Request {
    let mut r = S3Request::new("PUT", Some(up.bucket), up.key);
    for (n, v) in digests.headers() {
        r = r.header(n, v);
    }
    let mut r = r.body(body);
    r.query = format!("partNumber={number}&uploadId={}", percent::encode(up.id));
    r.payload_hash = Some(hex::encode(digests.sha256));
    // The upload's region is known by now.
    r.follow_region = false;
    r
}

/// UploadPartCopy of the bytes `first..=last` of `src` (bucket, key), copied on the server.
pub fn upload_part_copy(up: &Upload<'_>, src: (&str, &str), number: u64, first: u64, last: u64) -> S3Request {
    let mut r = S3Request::new("PUT", Some(up.bucket), up.key)
        .header(
            "x-amz-copy-source",
            crate::s3::ops::copy_object::source(src.0, src.1),
        )
        .header("x-amz-copy-source-range", format!("bytes={first}-{last}"));
    r.query = format!("partNumber={number}&uploadId={}", percent::encode(up.id));
    r.follow_region = false;
    r
}

/// The ETag of an UploadPartCopy answer (`<CopyPartResult><ETag>`).
pub fn parse_part_copy(body: &[u8]) -> Result<String> {
    let doc = xml::parse(&String::from_utf8_lossy(body))?;
    doc.find("ETag")
        .map(|e| e.text.trim().to_owned())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Error::data("UploadPartCopy answered no ETag"))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The CompleteMultipartUpload body.
pub fn complete_body(parts: &[PartDone]) -> String {
    let mut out = String::from("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
    for p in parts {
        out.push_str(&format!(
            "<Part><PartNumber>{}</PartNumber><ETag>{}</ETag>",
            p.number,
            escape(&p.etag)
        ));
        if let Some((a, c)) = &p.checksum {
            let e = a.xml_element();
            out.push_str(&format!("<{e}>{c}</{e}>"));
        }
        out.push_str("</Part>");
    }
    out.push_str("</CompleteMultipartUpload>");
    out
}

/// CompleteMultipartUpload with the parts in order.
pub fn complete(up: &Upload<'_>, parts: &[PartDone]) -> S3Request {
    S3Request::new("POST", Some(up.bucket), up.key)
        .query(&[("uploadId", up.id)])
        .body(Body::from_bytes(complete_body(parts).into_bytes()))
}

/// Whether a 200 answer carries an error in its body (S3 may answer CompleteMultipartUpload and CopyObject
/// so).
pub fn answered_error(body: &[u8]) -> bool {
    matches!(xml::parse(&String::from_utf8_lossy(body)), Ok(doc) if doc.name == "Error")
}

/// AbortMultipartUpload: no parts stay billed.
pub fn abort(up: &Upload<'_>) -> S3Request {
    S3Request::new("DELETE", Some(up.bucket), up.key).query(&[("uploadId", up.id)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_body_lists_parts_in_order() {
        let b = complete_body(&[PartDone {
            number: 1,
            etag: "\"e1\"".into(),
            checksum: Some((Algorithm::Sha256, "c1".into())),
        }]);
        assert!(b.contains("<Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag><ChecksumSHA256>c1</ChecksumSHA256></Part>"));
    }

    #[test]
    fn upload_ids_are_read_and_encoded() {
        let id = parse_create(
            b"<InitiateMultipartUploadResult><UploadId>a/b+c</UploadId></InitiateMultipartUploadResult>",
        )
        .expect("id");
        assert_eq!(id, "a/b+c");
        assert!(parse_create(b"<InitiateMultipartUploadResult/>").is_err());
        let up = Upload {
            bucket: "b",
            key: "k",
            id: &id,
        };
        let r = upload_part(&up, 2, Body::Empty, &Digests::of(b"", None));
        assert_eq!(r.query, "partNumber=2&uploadId=a%2Fb%2Bc");
        assert!(!r.follow_region);
        assert_eq!(abort(&up).query, "uploadId=a%2Fb%2Bc");
        assert!(answered_error(b"<Error><Code>InternalError</Code></Error>"));
        assert!(!answered_error(b"<CompleteMultipartUploadResult/>"));
        let r = upload_part_copy(&up, ("src", "a b"), 3, 0, 9);
        assert!(
            r.headers
                .contains(&("x-amz-copy-source-range".into(), "bytes=0-9".into()))
        );
        assert_eq!(r.query, "partNumber=3&uploadId=a%2Fb%2Bc");
        assert_eq!(
            parse_part_copy(b"<CopyPartResult><ETag>&quot;e&quot;</ETag></CopyPartResult>").ok(),
            Some("\"e\"".into())
        );
    }
}
