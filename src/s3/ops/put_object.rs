//! PutObject of a file's byte range that was hashed beforehand: the SHA-256 signs the payload and, in base64,
//! goes as `x-amz-checksum-sha256` so that S3 checks the bytes end to end.

use crate::codec::base64;
use crate::s3::request::S3Request;
use crate::transport::request::Body;
use std::path::Path;

/// The request that stores the `size` bytes of `path` (whose SHA-256 is `digest`) as `bucket`/`key`.
pub fn request(
    bucket: &str,
    key: &str,
    path: &Path,
    size: u64,
    digest: &[u8; 32],
    content_type: &str,
) -> S3Request {
    let mut r = S3Request::new("PUT", Some(bucket), key)
        .header("content-type", content_type)
        .header("x-amz-checksum-sha256", base64::encode(digest))
        .body(Body::File {
            path: path.to_owned(),
            offset: 0,
            len: size,
        });
    r.payload_hash = Some(hex::encode(digest));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_signs_the_payload_and_is_sent_for_checking() {
        let r = request("b", "k", Path::new("/f"), 3, &[0u8; 32], "text/plain");
        assert_eq!(r.payload_hash.as_deref(), Some(&"00".repeat(32)[..]));
        assert_eq!(
            r.headers,
            vec![
                ("content-type", "text/plain".to_owned()),
                ("x-amz-checksum-sha256", base64::encode(&[0u8; 32])),
            ]
        );
    }
}
