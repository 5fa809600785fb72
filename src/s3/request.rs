//! One S3 request as a value, before it is addressed and signed: what an operation asks for. Each operation
//! builds one with a pure function; the client addresses, signs and sends it.

use crate::codec::percent;
use crate::s3::object::ObjectRef;
use crate::transport::request::Body;

/// What an S3 operation sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Request {
    /// `GET`, `PUT`, `POST`, `DELETE`.
    pub method: &'static str,
    /// The bucket; `None` for the service itself (ListBuckets).
    pub bucket: Option<String>,
    /// The key, not yet encoded; empty for the bucket itself.
    pub key: String,
    /// The query, percent-encoded, without `?`.
    pub query: String,
    /// Headers beyond `Host` and the signature's (names in lower case).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
    /// The hex SHA-256 of the body when it was hashed beforehand (a file); otherwise an in-memory body is
    /// hashed when signing and a file body goes `UNSIGNED-PAYLOAD`.
    pub payload_hash: Option<String>,
    /// Whether an answer that names another region is tried once more there (not for parts of an upload,
    /// whose region is already known).
    pub follow_region: bool,
    /// Whether it names an object: with an empty key it would name the bucket (`DELETE /bucket/` is
    /// DeleteBucket, `PUT /bucket/` CreateBucket), so it is refused before it is sent.
    pub names_object: bool,
}

impl S3Request {
    /// A request to `bucket` (and `key`), with no query, headers or body, following region redirects.
    pub fn new(method: &'static str, bucket: Option<&str>, key: &str) -> Self {
        S3Request {
            method,
            bucket: bucket.map(str::to_owned),
            key: key.to_owned(),
            query: String::new(),
            headers: Vec::new(),
            body: Body::Empty,
            payload_hash: None,
            follow_region: true,
            names_object: false,
        }
    }

    /// A request about the object `key` of `bucket` (refused if the key is empty).
    pub fn object(method: &'static str, bucket: &str, key: &str) -> Self {
        S3Request {
            names_object: true,
            ..S3Request::new(method, Some(bucket), key)
        }
    }

    /// A request about `object`: its bucket and key, and `versionId` when a version is meant.
    pub fn for_object(method: &'static str, object: &ObjectRef) -> Self {
        let r = S3Request::object(method, &object.bucket, &object.key);
        match object.version_query() {
            Some(pair) => r.query(&[pair]),
            None => r,
        }
    }

    /// The same request with the query `key=value` pairs added after those it has, values percent-encoded,
    /// in the order given.
    pub fn query(mut self, pairs: &[(&str, &str)]) -> Self {
        for (k, v) in pairs {
            if !self.query.is_empty() {
                self.query.push('&');
            }
            self.query.push_str(k);
            self.query.push('=');
            self.query.push_str(&percent::encode(v));
        }
        self
    }

    /// The same request, not tried again in another region (the call's region is known already, or the
    /// call has no bucket).
    pub fn in_known_region(mut self) -> Self {
        self.follow_region = false;
        self
    }

    /// The same request with a header added.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The same request with a body.
    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_encoded_in_order() {
        let r = S3Request::new("GET", Some("b"), "").query(&[
            ("list-type", "2"),
            ("continuation-token", "a/b c"),
            ("uploads", ""),
        ]);
        assert_eq!(r.query, "list-type=2&continuation-token=a%2Fb%20c&uploads=");
        let v = S3Request::for_object("GET", &ObjectRef::new("b", "k").at_version("v 1"))
            .query(&[("partNumber", "2")]);
        assert_eq!(v.query, "versionId=v%201&partNumber=2");
    }
}
