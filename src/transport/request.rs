//! The HTTP exchange as values: a [`Request`] (method, endpoint, path and query as sent, headers, a body that may
//! be a byte range of a file) and a [`Response`] (status, headers, body, attempts). `Debug` of either never
//! shows a secret: header values are redacted, bodies shown by size.

use crate::codec::redact;
use crate::transport::endpoint::Endpoint;
use std::path::PathBuf;
use std::sync::Arc;

/// A request body.
#[derive(Clone, PartialEq, Eq)]
pub enum Body {
    /// No body.
    Empty,
    /// A body in memory, shared (an attempt sent again, or a part in flight, is not copied; a `Vec` so that
    /// making one from a part just read moves it instead of copying it).
    Bytes(Arc<Vec<u8>>),
    /// A byte range of a file, read while sending (never held in memory whole).
    File {
        /// The file.
        path: PathBuf,
        /// Where the range starts.
        offset: u64,
        /// How many bytes.
        len: u64,
    },
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A form body may hold an MFA code: its size only.
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Body::File { path, offset, len } => write!(f, "File({}, {offset}+{len})", path.display()),
        }
    }
}

impl Body {
    /// A body of these bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Body::Bytes(Arc::new(bytes))
    }

    /// The bytes of an in-memory body (empty for a file range).
    pub fn bytes(&self) -> &[u8] {
        match self {
            Body::Empty | Body::File { .. } => &[],
            Body::Bytes(b) => b,
        }
    }

    /// The body's length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Bytes(b) => b.len() as u64,
            Body::File { len, .. } => *len,
        }
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An HTTP request, ready to sign and send.
#[derive(Clone)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: &'static str,
    /// Where it goes.
    pub endpoint: Endpoint,
    /// The path (the endpoint's base path included), percent-encoded for the wire, starting with `/`.
    pub path: String,
    /// The query, percent-encoded for the wire, without `?` (empty for none).
    pub query: String,
    /// Headers, `Host` included.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, String)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), redact::header(n, v)))
            .collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &redact::params(&self.url()))
            .field("headers", &headers)
            .field("body", &self.body)
            .finish()
    }
}

impl Request {
    /// A request to `endpoint` with the `Host` header set.
    pub fn new(
        method: &'static str,
        endpoint: &Endpoint,
        path: impl Into<String>,
        query: impl Into<String>,
    ) -> Self {
        Request {
            method,
            endpoint: endpoint.clone(),
            // The endpoint's base path is part of what is signed.
            path: format!("{}{}", endpoint.base_path, path.into()),
            query: query.into(),
            headers: vec![("host".into(), endpoint.authority())],
            body: Body::Empty,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The full URL.
    pub fn url(&self) -> String {
        let mut url = format!("{}{}", self.endpoint.origin(), self.path);
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&self.query);
        }
        url
    }
}

/// An HTTP response: status, headers (names in lower case) and body.
#[derive(Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// How many attempts it took (see `retry`).
    pub attempts: u32,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The body may hold credentials (an AssumeRole answer): its size only.
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &format_args!("{} bytes", self.body.len()))
            .finish()
    }
}

impl Response {
    /// The first header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// An answer of `status` with `headers` and `body`, as the parsers' tests need one.
    #[cfg(test)]
    pub(crate) fn of(status: u16, headers: &[(&str, &str)], body: impl AsRef<[u8]>) -> Response {
        Response {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.as_ref().to_vec(),
            attempts: 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_join_base_path_and_query() {
        let e = Endpoint::parse("http://h:9000/base").expect("parses");
        let r = Request::new("GET", &e, "/b/k", "x=1");
        assert_eq!(r.url(), "http://h:9000/base/b/k?x=1");
        assert_eq!(r.headers, vec![("host".to_owned(), "h:9000".to_owned())]);
    }
}
