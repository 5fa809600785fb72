//! GetObject: of a whole object (asking for the checksums S3 stores), or of one piece of it (a part by number,
//! or a byte range); and the check of the byte count against `Content-Length`.

use crate::error::{Error, Result};
use crate::s3::request::S3Request;
use crate::transport::request::Response;

/// The request for `bucket`/`key`, asking S3 for the checksums it stores when `checksums`
/// (`response_checksum_validation = when_supported`).
pub fn request(bucket: &str, key: &str, checksums: bool) -> S3Request {
    let r = S3Request::new("GET", Some(bucket), key);
    if checksums {
        r.header("x-amz-checksum-mode", "ENABLED")
    } else {
        r
    }
}

/// The request for part `number` of an object (S3 then sends the part's own checksum, when `checksums`).
pub fn part(bucket: &str, key: &str, number: u64, checksums: bool) -> S3Request {
    request(bucket, key, checksums).query(&[("partNumber", &number.to_string())])
}

/// The request for the bytes `range` (`bytes=FIRST-LAST`); S3 sends no checksum for a range, so none is
/// asked.
pub fn range(bucket: &str, key: &str, range: String) -> S3Request {
    request(bucket, key, false).header("range", range)
}

/// The same request, answered only while the object's ETag is still `etag` (`If-Match`): the pieces of one
/// download all come from one version of the object, or S3 answers 412.
pub fn if_match(req: S3Request, etag: Option<&str>) -> S3Request {
    match etag {
        Some(e) => req.header("if-match", e),
        None => req,
    }
}

/// Checks that a complete answer's `Content-Length` is what was written.
pub fn check_length(resp: &Response, what: &str, written: u64) -> Result<()> {
    match resp
        .header("content-length")
        .and_then(|l| l.trim().parse::<u64>().ok())
    {
        Some(len) if len != written => Err(Error::transfer(format!("{what}: got {written} of {len} bytes"))),
        _ => Ok(()),
    }
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
    fn short_bodies_are_refused() {
        assert!(check_length(&answer(&[("content-length", "5")]), "g", 5).is_ok());
        let e = check_length(&answer(&[("content-length", "6")]), "g", 5).expect_err("short");
        assert_eq!(
            (e.exit_code(), e.to_string().as_str()),
            (1, "g: got 5 of 6 bytes")
        );
    }

    #[test]
    fn parts_by_number_or_ranges() {
        let r = part("b", "k", 3, true);
        assert_eq!(r.query, "partNumber=3");
        assert!(
            r.headers
                .contains(&("x-amz-checksum-mode".into(), "ENABLED".into()))
        );
        let r = range("b", "k", "bytes=16-23".into());
        assert_eq!(r.query, "");
        assert_eq!(r.headers, vec![("range".to_owned(), "bytes=16-23".to_owned())]);
        assert!(
            request("b", "k", false).headers.is_empty(),
            "when_required asks for nothing"
        );
    }
}
