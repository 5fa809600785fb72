//! The `--debug` trace: each request and response as lines of text, secrets redacted, handed to a sink that
//! the caller chooses (the command line writes them on stderr).

use crate::codec::redact;
use crate::transport::request::{Request, Response};
use std::fmt::Write as _;
use std::sync::Arc;

/// Where trace text goes: one call per request or response, a block of whole lines.
pub type TraceSink = Arc<dyn Fn(&str) + Send + Sync>;

/// The request as `> ` lines: method and URL, headers, and an in-memory body (secret parameters hidden).
pub fn request(req: &Request) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "> {} {}", req.method, redact::params(&req.url()));
    for (n, v) in &req.headers {
        let _ = writeln!(out, "> {n}: {}", redact::header(n, v));
    }
    if !req.body.bytes().is_empty() {
        let _ = writeln!(out, ">");
        let _ = writeln!(
            out,
            "> {}",
            redact::body(&String::from_utf8_lossy(req.body.bytes()))
        );
    }
    out
}

/// The response to `url` as `< ` lines: status, headers, and the first 4 KiB of the body, secrets hidden.
pub fn response(resp: &Response, url: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "< {}", resp.status);
    // A server's header names and values may hold anything, terminal escapes included.
    for (n, v) in &resp.headers {
        let _ = writeln!(
            out,
            "< {}: {}",
            redact::sanitize(n, 200),
            redact::sanitize(&redact::header(n, v), 2000)
        );
    }
    // An instance metadata session token is the whole body of its answer.
    if url.ends_with("/latest/api/token") && !resp.body.is_empty() {
        let _ = writeln!(out, "<");
        let _ = writeln!(out, "< ***");
    } else if !resp.body.is_empty() {
        let text = String::from_utf8_lossy(&resp.body[..resp.body.len().min(4096)]);
        let _ = writeln!(out, "<");
        let _ = writeln!(out, "< {}", redact::sanitize(&redact::body(&text), 4096));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::endpoint::Endpoint;
    use crate::transport::request::Body;

    #[test]
    fn traces_hide_signatures_tokens_and_codes() {
        let e = Endpoint::parse("https://sts.amazonaws.com").expect("endpoint");
        let mut req = Request::new("POST", &e, "/", "")
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKID/x, Signature=abcdef",
            )
            .header("x-amz-security-token", "TOKEN");
        req.body = Body::from_bytes(b"Action=AssumeRole&TokenCode=123456".to_vec());
        let text = request(&req);
        assert!(text.starts_with("> POST https://sts.amazonaws.com/\n"), "{text}");
        assert!(!text.contains("abcdef") && !text.contains("TOKEN") && !text.contains("123456"));
        let resp = Response {
            status: 200,
            headers: vec![],
            body: b"<SecretAccessKey>s3cr3t</SecretAccessKey>".to_vec(),
            attempts: 1,
        };
        let text = response(&resp, "https://sts.amazonaws.com/");
        assert!(text.starts_with("< 200\n") && !text.contains("s3cr3t"), "{text}");
        let token = Response {
            body: b"IMDSTOKEN".to_vec(),
            ..resp
        };
        assert!(!response(&token, "http://169.254.169.254/latest/api/token").contains("IMDSTOKEN"));
        let hostile = Response {
            status: 200,
            headers: vec![("x-evil".into(), "a\u{1b}[2Jb".into())],
            body: Vec::new(),
            attempts: 1,
        };
        assert!(!response(&hostile, "http://h/").contains('\u{1b}'));
    }
}
