//! GetObject: of a whole object (asking for the checksums S3 stores), or of one piece of it (a part by number,
//! or a byte range); and the check of the byte count against `Content-Length`.

use crate::error::{Error, Result};
use crate::s3::object::ObjectRef;
use crate::s3::operation::Operation;
use crate::s3::request::S3Request;
use crate::transport::request::Response;

/// Which bytes of the object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bytes {
    /// All of it.
    Whole,
    /// Part `N` (S3 then sends the part's own checksum, when asked).
    Part(u64),
    /// A byte range, `bytes=FIRST-LAST`; S3 sends no checksum for a range, so none is asked.
    Range(String),
}

/// GetObject: its body goes into a sink ([`S3::run_into`](crate::s3::client::S3::run_into)); the answer's
/// headers are the output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetObject<'a> {
    /// The object.
    pub object: &'a ObjectRef,
    /// Which bytes.
    pub bytes: Bytes,
    /// Whether the stored checksums are asked for (`response_checksum_validation = when_supported`).
    pub checksums: bool,
    /// Answered only while the object's ETag is still this (`If-Match`): the pieces of one download all
    /// come from one version of the object, or S3 answers 412.
    pub if_match: Option<&'a str>,
}

impl Operation for GetObject<'_> {
    type Output = Response;

    fn request(&self) -> S3Request {
        let mut r = S3Request::for_object("GET", self.object);
        if self.checksums && !matches!(self.bytes, Bytes::Range(_)) {
            r = r.header("x-amz-checksum-mode", "ENABLED");
        }
        r = match &self.bytes {
            Bytes::Whole => r,
            Bytes::Part(n) => r.query(&[("partNumber", &n.to_string())]),
            Bytes::Range(range) => r.header("range", range.clone()),
        };
        match self.if_match {
            Some(e) => r.header("if-match", e),
            None => r,
        }
    }

    fn what(&self) -> String {
        format!("GetObject {}", self.object)
    }

    fn parse(&self, resp: Response) -> Result<Response> {
        Ok(resp)
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

    #[test]
    fn short_bodies_are_refused() {
        assert!(check_length(&Response::of(200, &[("content-length", "5")], b""), "g", 5).is_ok());
        let e = check_length(&Response::of(200, &[("content-length", "6")], b""), "g", 5).expect_err("short");
        assert_eq!(
            (e.exit_code(), e.to_string().as_str()),
            (1, "g: got 5 of 6 bytes")
        );
    }

    #[test]
    fn parts_by_number_or_ranges() {
        let o = ObjectRef::new("b", "k");
        let get = |bytes, checksums| GetObject {
            object: &o,
            bytes,
            checksums,
            if_match: None,
        };
        let r = get(Bytes::Part(3), true).request();
        assert_eq!(r.query, "partNumber=3");
        assert!(
            r.headers
                .contains(&("x-amz-checksum-mode".into(), "ENABLED".into()))
        );
        let r = get(Bytes::Range("bytes=16-23".into()), true).request();
        assert_eq!(r.query, "");
        assert_eq!(r.headers, vec![("range".to_owned(), "bytes=16-23".to_owned())]);
        assert!(
            get(Bytes::Whole, false).request().headers.is_empty(),
            "when_required asks for nothing"
        );
        let v = ObjectRef::new("b", "k").at_version("7");
        let r = GetObject {
            object: &v,
            bytes: Bytes::Part(2),
            checksums: false,
            if_match: Some("\"e\""),
        }
        .request();
        assert_eq!(r.query, "versionId=7&partNumber=2");
        assert!(r.headers.contains(&("if-match".into(), "\"e\"".into())));
    }
}
