//! The multipart upload calls: CreateMultipartUpload, UploadPart (a file's byte range, hashed beforehand),
//! CompleteMultipartUpload and AbortMultipartUpload.

use crate::codec::{base64, percent, xml};
use crate::error::{Error, Result};
use crate::s3::request::S3Request;
use crate::transport::request::Body;
use std::path::Path;

/// A part uploaded: its number, ETag and base64 SHA-256.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartDone {
    /// 1-based.
    pub number: u64,
    /// The ETag S3 returned.
    pub etag: String,
    /// The part's SHA-256, base64.
    pub checksum: String,
}

/// CreateMultipartUpload, asking S3 to keep each part's SHA-256.
pub fn create(bucket: &str, key: &str, content_type: &str) -> S3Request {
    S3Request::new("POST", Some(bucket), key)
        .query(&[("uploads", "")])
        .header("content-type", content_type)
        .header("x-amz-checksum-algorithm", "SHA256")
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

/// The part's coordinates in its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartRange {
    /// 1-based part number.
    pub number: u64,
    /// Where the part starts in the file.
    pub offset: u64,
    /// Its length.
    pub len: u64,
}

/// UploadPart of the byte range `part` of `path`, whose SHA-256 is `digest`.
pub fn upload_part(up: &Upload<'_>, path: &Path, part: PartRange, digest: &[u8; 32]) -> S3Request {
    let mut r = S3Request::new("PUT", Some(up.bucket), up.key)
        .header("x-amz-checksum-sha256", base64::encode(digest))
        .body(Body::File {
            path: path.to_owned(),
            offset: part.offset,
            len: part.len,
        });
    r.query = format!("partNumber={}&uploadId={}", part.number, percent::encode(up.id));
    r.payload_hash = Some(hex::encode(digest));
    // The upload's region is known by now.
    r.follow_region = false;
    r
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
            "<Part><PartNumber>{}</PartNumber><ETag>{}</ETag><ChecksumSHA256>{}</ChecksumSHA256></Part>",
            p.number,
            escape(&p.etag),
            p.checksum
        ));
    }
    out.push_str("</CompleteMultipartUpload>");
    out
}

/// CompleteMultipartUpload with the parts in order.
pub fn complete(up: &Upload<'_>, parts: &[PartDone]) -> S3Request {
    S3Request::new("POST", Some(up.bucket), up.key)
        .query(&[("uploadId", up.id)])
        .body(Body::Bytes(complete_body(parts).into_bytes()))
}

/// Whether a 200 answer to CompleteMultipartUpload carries an error in its body (S3 may answer so).
pub fn complete_failed(body: &[u8]) -> bool {
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
            checksum: "c1".into(),
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
        let part = PartRange {
            number: 2,
            offset: 8,
            len: 8,
        };
        let up = Upload {
            bucket: "b",
            key: "k",
            id: &id,
        };
        let r = upload_part(&up, Path::new("/f"), part, &[1u8; 32]);
        assert_eq!(r.query, "partNumber=2&uploadId=a%2Fb%2Bc");
        assert!(!r.follow_region);
        assert_eq!(abort(&up).query, "uploadId=a%2Fb%2Bc");
        assert!(complete_failed(b"<Error><Code>InternalError</Code></Error>"));
        assert!(!complete_failed(b"<CompleteMultipartUploadResult/>"));
    }
}
