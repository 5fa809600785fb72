//! GetObject, and the checks of what arrived: the byte count against `Content-Length`, and the SHA-256 that S3
//! returns for a whole single-part object.

use crate::codec::base64;
use crate::error::{Error, Result};
use crate::s3::request::S3Request;
use crate::transport::request::Response;

/// The request for `bucket`/`key`, asking S3 for the checksums it stores.
pub fn request(bucket: &str, key: &str) -> S3Request {
    S3Request::new("GET", Some(bucket), key).header("x-amz-checksum-mode", "ENABLED")
}

/// Checks a complete answer against what was written: `written` bytes whose SHA-256 is `digest`. A multipart
/// object's checksum is of its parts' checksums (`...-N`): nothing to compare it with here.
pub fn verify(resp: &Response, what: &str, digest: &[u8; 32], written: u64) -> Result<()> {
    if let Some(expected) = resp.header("x-amz-checksum-sha256").filter(|c| !c.contains('-'))
        && base64::encode(digest) != expected
    {
        return Err(Error::transfer(format!(
            "{what}: the data does not match the SHA-256 S3 sent ({expected})"
        )));
    }
    if let Some(len) = resp.header("content-length").and_then(|l| l.parse::<u64>().ok())
        && len != written
    {
        return Err(Error::transfer(format!("{what}: got {written} of {len} bytes")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(headers: &[(&str, &str)]) -> Response {
        Response {
            status: 200,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: Vec::new(),
            attempts: 1,
        }
    }

    #[test]
    fn short_bodies_and_wrong_digests_are_refused() {
        let d = [7u8; 32];
        let good = base64::encode(&d);
        assert!(
            verify(
                &answer(&[("x-amz-checksum-sha256", &good), ("content-length", "5")]),
                "g",
                &d,
                5
            )
            .is_ok()
        );
        let e = verify(&answer(&[("content-length", "6")]), "g", &d, 5).expect_err("short");
        assert_eq!(
            (e.exit_code(), e.to_string().as_str()),
            (1, "g: got 5 of 6 bytes")
        );
        assert!(verify(&answer(&[("x-amz-checksum-sha256", "AAAA")]), "g", &d, 5).is_err());
        // A composite checksum of parts is not compared.
        assert!(verify(&answer(&[("x-amz-checksum-sha256", "AAAA-3")]), "g", &d, 5).is_ok());
    }
}
