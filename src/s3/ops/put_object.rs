//! PutObject of a body hashed beforehand (a file's byte range, or a buffer read from a stream): the SHA-256
//! signs the payload and, in base64, goes as `x-amz-checksum-sha256` so that S3 checks the bytes end to end.

use crate::codec::base64;
use crate::s3::ops::options::ObjectOptions;
use crate::s3::request::S3Request;
use crate::transport::request::Body;

/// The request that stores `body` (whose SHA-256 is `digest`) as `target` (bucket, key), with `opts`.
pub fn request(target: (&str, &str), body: Body, digest: &[u8; 32], opts: &ObjectOptions) -> S3Request {
    let mut r = S3Request::new("PUT", Some(target.0), target.1);
    for (n, v) in opts.headers() {
        r = r.header(n, v);
    }
    let mut r = r
        .header("x-amz-checksum-sha256", base64::encode(digest))
        .body(body);
    r.payload_hash = Some(hex::encode(digest));
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
        let r = request(("b", "k"), Body::Empty, &[0u8; 32], &opts);
        assert_eq!(r.payload_hash.as_deref(), Some(&"00".repeat(32)[..]));
        assert_eq!(
            r.headers,
            vec![
                ("content-type".to_owned(), "text/plain".to_owned()),
                ("x-amz-checksum-sha256".to_owned(), base64::encode(&[0u8; 32])),
            ]
        );
    }
}
