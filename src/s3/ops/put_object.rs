//! PutObject of a body hashed beforehand (a file's byte range, or a buffer read from a stream): the SHA-256
//! signs the payload, and the checksum (SHA-256 unless another is asked for; none with
//! `request_checksum_calculation = when_required`) goes as `x-amz-checksum-*` so that S3 checks the bytes end
//! to end.

use crate::s3::checksum::Digests;
use crate::s3::ops::options::ObjectOptions;
use crate::s3::request::S3Request;
use crate::transport::request::Body;

/// The request that stores `body` (hashed as `digests`) as `target` (bucket, key), with `opts`.
pub fn request(target: (&str, &str), body: Body, digests: &Digests, opts: &ObjectOptions) -> S3Request {
    let mut r = S3Request::new("PUT", Some(target.0), target.1);
    for (n, v) in opts.headers() {
        r = r.header(n, v);
    }
    for (n, v) in digests.headers() {
        r = r.header(n, v);
    }
    let mut r = r.body(body);
    r.payload_hash = Some(hex::encode(digests.sha256));
    r
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
        let digests = Digests::of(b"", Some(crate::s3::checksum::Algorithm::Crc32c));
        let r = request(("b", "k"), Body::Empty, &digests, &opts);
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
        assert_eq!(
            request(("b", "k"), Body::Empty, &none, &opts).headers.len(),
            1,
            "when_required"
        );
    }
}
