//! DeleteObject, DeleteObjects (up to 1,000 keys a call, with the `Content-MD5` that S3 and S3-compatible
//! stores demand), and DeleteBucket.

use crate::codec::{base64, xml};
use crate::error::Result;
use crate::s3::request::S3Request;
use crate::transport::request::Body;
use md5::{Digest, Md5};

/// S3's limit on the keys of one DeleteObjects call.
pub const MAX_KEYS: usize = 1000;

/// DeleteObject of one key.
pub fn object(bucket: &str, key: &str) -> S3Request {
    S3Request::new("DELETE", Some(bucket), key)
}

/// DeleteBucket.
pub fn bucket(bucket: &str) -> S3Request {
    S3Request::new("DELETE", Some(bucket), "")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The DeleteObjects body of `keys`, quiet (only failures are answered).
pub fn objects_body(keys: &[String]) -> String {
    let mut out =
        String::from("<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>");
    for k in keys {
        out.push_str("<Object><Key>");
        out.push_str(&escape(k));
        out.push_str("</Key></Object>");
    }
    out.push_str("</Delete>");
    out
}

/// DeleteObjects of at most [`MAX_KEYS`] keys.
pub fn objects(bucket: &str, keys: &[String]) -> S3Request {
    let body = objects_body(keys);
    let md5 = base64::encode(&Md5::digest(body.as_bytes()));
    S3Request::new("POST", Some(bucket), "")
        .query(&[("delete", "")])
        .header("content-md5", md5)
        .header("content-type", "application/xml")
        .body(Body::from_bytes(body.into_bytes()))
}

/// A key that DeleteObjects could not delete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The key.
    pub key: String,
    /// S3's error code.
    pub code: String,
    /// Its message.
    pub message: String,
}

/// The failures a DeleteObjects answer lists.
pub fn parse_objects(body: &[u8]) -> Result<Vec<Failure>> {
    let doc = xml::parse(&String::from_utf8_lossy(body))?;
    let text =
        |e: &xml::Element, n: &str| crate::codec::redact::sanitize(e.child_text(n).unwrap_or_default(), 300);
    Ok(doc
        .children_named("Error")
        .map(|e| Failure {
            key: e.child_text("Key").unwrap_or_default().to_owned(),
            code: text(e, "Code"),
            message: text(e, "Message"),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_carries_its_md5_and_failures_are_read() {
        let keys = vec!["a & b".to_owned(), "c<d".to_owned()];
        let r = objects("b", &keys);
        assert_eq!(r.query, "delete=");
        let body = String::from_utf8(r.body.bytes().to_vec()).expect("utf8");
        assert!(body.contains("<Key>a &amp; b</Key>") && body.contains("<Key>c&lt;d</Key>"));
        let md5 = r
            .headers
            .iter()
            .find(|(n, _)| n == "content-md5")
            .map(|(_, v)| v.clone());
        assert_eq!(md5, Some(base64::encode(&Md5::digest(body.as_bytes()))));
        let f = parse_objects(
            b"<DeleteResult><Deleted><Key>x</Key></Deleted><Error><Key>y</Key><Code>AccessDenied</Code>\
              <Message>no</Message></Error></DeleteResult>",
        )
        .expect("parses");
        assert_eq!(
            f,
            vec![Failure {
                key: "y".into(),
                code: "AccessDenied".into(),
                message: "no".into()
            }]
        );
    }
}
