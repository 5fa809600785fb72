//! PutObject of a body hashed beforehand (a file's byte range, or a buffer read from a stream): the SHA-256
//! signs the payload, and the checksum (SHA-256 unless another is asked for; none with
//! `request_checksum_calculation = when_required`) goes as `x-amz-checksum-*` so that S3 checks the bytes end
//! to end.

use crate::error::Result;
use crate::s3::checksum::Digests;
use crate::s3::object::ObjectRef;
use crate::s3::operation::Operation;
use crate::s3::ops::options::ObjectOptions;
use crate::s3::request::S3Request;
use crate::transport::request::{Body, Response};

/// PutObject of `body` (hashed as `digests`) as `target`, with `opts`.
#[derive(Debug)]
pub struct PutObject<'a> {
    /// Where.
    pub target: &'a ObjectRef,
    /// The bytes.
    pub body: Body,
    /// Their digests.
    pub digests: &'a Digests,
    /// What the object gets.
    pub opts: &'a ObjectOptions,
}

impl Operation for PutObject<'_> {
    type Output = ();

    fn request(&self) -> S3Request {
        let mut r = S3Request::object("PUT", &self.target.bucket, &self.target.key);
        for (n, v) in self.opts.headers() {
            r = r.header(n, v);
        }
        for (n, v) in self.digests.headers() {
            r = r.header(n, v);
        }
        let mut r = r.body(self.body.clone());
        r.payload_hash = Some(hex::encode(self.digests.sha256));
        r
    }

    fn what(&self) -> String {
        format!("PutObject {}", self.target)
    }

    fn parse(&self, _: Response) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_signs_the_payload_and_is_sent_for_checking() {
        let opts = ObjectOptions {
            content_type: Some("text/plain".into()),
            ..ObjectOptions::default()
        };
        let target = ObjectRef::new("b", "k");
        let digests = Digests::of(b"", Some(crate::s3::checksum::Algorithm::Crc32c));
        let put = |digests| {
            PutObject {
                target: &target,
                body: Body::Empty,
                digests,
                opts: &opts,
            }
            .request()
        };
        let r = put(&digests);
        assert_eq!(
            r.payload_hash.as_deref(),
            Some(hex::encode(digests.sha256).as_str())
        );
        assert_eq!(
            r.headers,
            vec![
                ("content-type".to_owned(), "text/plain".to_owned()),
                ("x-amz-sdk-checksum-algorithm".to_owned(), "CRC32C".to_owned()),
                ("x-amz-checksum-crc32c".to_owned(), "AAAAAA==".to_owned()),
            ]
        );
        let none = Digests::of(b"", None);
        assert_eq!(put(&none).headers.len(), 1, "when_required");
    }
}
