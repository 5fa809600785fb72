//! The `--debug` trace: each request and response as lines of text, secrets redacted, handed to a sink that
//! the caller chooses (the command line writes them on stderr).
//!
//! Everything is redacted before it is cut (see [`redact`]): by name (secret headers, elements, members,
//! parameters, bearer tokens), and by value, the request's own secrets (session token, signature, bearer
//! token, MFA code) wherever its answer echoes them. Request bodies are shown as their length and a short
//! escaped head, object data (`PUT`, file ranges) as its length only: the user's data never enters a trace.

use crate::codec::redact::{self, Known};
use crate::transport::request::{Body, Request, Response};
use std::fmt::Write as _;
use std::sync::Arc;

/// Where trace text goes: one call per request or response, a block of whole lines.
pub type TraceSink = Arc<dyn Fn(&str) + Send + Sync>;

/// Characters of a request body shown.
const REQUEST_HEAD: usize = 256;
/// Characters of a response body shown.
const RESPONSE_HEAD: usize = 4096;
/// Characters of a URL shown.
const URL_SHOWN: usize = 4096;
/// Characters of a header value shown.
const HEADER_SHOWN: usize = 2000;
/// Characters of a header name shown.
const NAME_SHOWN: usize = 200;

/// The secret values a request carries: its secret headers whole, and what the rules by name find in its
/// headers, URL and (shown) body.
fn secrets_of(req: &Request) -> Known {
    let mut known = Known::default();
    for (n, v) in &req.headers {
        if redact::is_secret_header(n) {
            known.add(v);
        }
        known.add_named(v);
    }
    known.add_named(&req.url());
    if let Some(bytes) = shown_body(req) {
        known.add_named(&String::from_utf8_lossy(bytes));
    }
    known
}

/// The in-memory body whose head a trace shows: not object data (`PutObject`, `UploadPart` are `PUT`s).
fn shown_body(req: &Request) -> Option<&[u8]> {
    match &req.body {
        Body::Bytes(b) if req.method != "PUT" => Some(b.as_slice()),
        _ => None,
    }
}

/// Text redacted (by name and `known`, in one pass), then escaped and cut to `max` characters.
fn clean(text: &str, max: usize, known: &Known) -> String {
    redact::sanitize(&redact::redact(text, known), max)
}

/// A header as a trace line shows it, after `side` (`>` or `<`).
fn header_line(out: &mut String, side: char, name: &str, value: &str, known: &Known) {
    let value = redact::sanitize(&redact::header_with(name, value, known), HEADER_SHOWN);
    let _ = writeln!(out, "{side} {}: {value}", clean(name, NAME_SHOWN, known));
}

/// The request as `> ` lines: method and URL, headers, and the body's length with a head of it (none for
/// object data), secrets hidden.
pub fn request(req: &Request) -> String {
    let known = secrets_of(req);
    let mut out = String::new();
    let _ = writeln!(out, "> {} {}", req.method, clean(&req.url(), URL_SHOWN, &known));
    for (n, v) in &req.headers {
        header_line(&mut out, '>', n, v, &known);
    }
    if !req.body.is_empty() {
        let _ = writeln!(out, ">");
        let len = req.body.len();
        match (&req.body, shown_body(req)) {
            (_, Some(bytes)) => {
                let head = redact::shown(bytes, REQUEST_HEAD, &known);
                let _ = writeln!(out, "> [{len} bytes] {head}");
            }
            (Body::File { .. }, None) => {
                let _ = writeln!(out, "> [{len} bytes from a file, not shown]");
            }
            _ => {
                let _ = writeln!(out, "> [{len} bytes of object data, not shown]");
            }
        }
    }
    out
}

/// The response to `req` as `< ` lines: status, headers, and the first 4 KiB of the body, secrets hidden,
/// those of the request included wherever the answer repeats them (S3 echoes a refused token, its canonical
/// request, the signature it got).
pub fn response(resp: &Response, req: &Request) -> String {
    response_with(resp, &req.url(), &secrets_of(req))
}

fn response_with(resp: &Response, url: &str, known: &Known) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "< {}", resp.status);
    // A server's header names and values may hold anything, terminal escapes included.
    for (n, v) in &resp.headers {
        header_line(&mut out, '<', n, v, known);
    }
    // An instance metadata session token is the whole body of its answer.
    if url.ends_with("/latest/api/token") && !resp.body.is_empty() {
        let _ = writeln!(out, "<");
        let _ = writeln!(out, "< ***");
    } else if !resp.body.is_empty() {
        let _ = writeln!(out, "<");
        let _ = writeln!(out, "< {}", redact::shown(&resp.body, RESPONSE_HEAD, known));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::endpoint::Endpoint;

    fn sts() -> Endpoint {
        Endpoint::parse("https://sts.amazonaws.com").expect("endpoint")
    }

    #[test]
    fn traces_hide_signatures_tokens_and_codes() {
        let mut req = Request::new("POST", &sts(), "/", "")
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKID/x, Signature=abcdef",
            )
            .header("x-amz-security-token", "TOKEN");
        req.body = Body::from_bytes(b"Action=AssumeRole&TokenCode=123456".to_vec());
        let text = request(&req);
        assert!(text.starts_with("> POST https://sts.amazonaws.com/\n"), "{text}");
        assert!(!text.contains("abcdef") && !text.contains("TOKEN") && !text.contains("123456"));
        assert!(
            text.contains("> [34 bytes] Action=AssumeRole&TokenCode=***\n"),
            "{text}"
        );
        let resp = Response {
            status: 200,
            headers: vec![],
            body: b"<SecretAccessKey>s3cr3t</SecretAccessKey>".to_vec(),
            attempts: 1,
        };
        let text = response(&resp, &req);
        assert!(text.starts_with("< 200\n") && !text.contains("s3cr3t"), "{text}");
        let token = Response {
            body: b"IMDSTOKEN".to_vec(),
            ..resp
        };
        let none = Known::default();
        assert!(
            !response_with(&token, "http://169.254.169.254/latest/api/token", &none).contains("IMDSTOKEN")
        );
        let hostile = Response {
            status: 200,
            headers: vec![("x-evil".into(), "a\u{1b}[2Jb".into())],
            body: Vec::new(),
            attempts: 1,
        };
        assert!(!response_with(&hostile, "http://h/", &none).contains('\u{1b}'));
    }

    #[test]
    fn an_answer_never_echoes_the_requests_own_token() {
        // Row 2 of issue 22: S3's ExpiredToken names the token it refused; any other echo is masked too.
        let token = "FQoGZXIvYXdzEJr//////////wEaDOQ+example/token==";
        let req = Request::new("GET", &sts(), "/b", "list-type=2").header("x-amz-security-token", token);
        let body = format!(
            "<Error><Code>ExpiredToken</Code><Token-0>{token}</Token-0><Detail>was {token}</Detail>\
             <Q>{}</Q></Error>",
            crate::codec::percent::encode(token)
        );
        let resp = Response {
            status: 400,
            headers: vec![("x-amz-echo".into(), format!("t={token}"))],
            body: body.into_bytes(),
            attempts: 1,
        };
        let text = response(&resp, &req);
        assert!(
            !text.contains("FQoG") && text.contains("<Code>ExpiredToken</Code>"),
            "{text}"
        );
    }

    #[test]
    fn a_long_token_is_masked_before_the_answer_is_cut() {
        // Row 3: a 4,500-character session token in a 4 KiB head.
        let token = "A".repeat(4500);
        let body = format!(
            "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA</AccessKeyId>\
             <SecretAccessKey>s3cr3t</SecretAccessKey><SessionToken>{token}</SessionToken>\
             </Credentials></AssumeRoleResult></AssumeRoleResponse>"
        );
        let resp = Response::of(200, &[], body);
        let text = response_with(&resp, "https://sts.amazonaws.com/", &Known::default());
        assert!(
            !text.contains("AAAA") && text.contains("<SessionToken>***</SessionToken>"),
            "{text}"
        );
    }

    #[test]
    fn request_bodies_show_their_length_and_a_short_head() {
        // Row 4: object data is its length only; a form is a redacted, escaped head.
        let s3 = Endpoint::parse("http://127.0.0.1:9000").expect("endpoint");
        let mut put = Request::new("PUT", &s3, "/b/k", "partNumber=1&uploadId=u");
        put.body = Body::from_bytes(b"secret data\n".repeat(800_000));
        let text = request(&put);
        assert!(
            text.ends_with(">\n> [9600000 bytes of object data, not shown]\n"),
            "{text}"
        );
        let mut post = Request::new("POST", &sts(), "/", "");
        let form = format!(
            "Action=AssumeRoleWithWebIdentity&WebIdentityToken={}&x=\u{1b}[2J",
            "e".repeat(9000)
        );
        post.body = Body::from_bytes(form.into_bytes());
        let text = request(&post);
        assert!(
            text.ends_with(
                "> [9057 bytes] Action=AssumeRoleWithWebIdentity&WebIdentityToken=***&x=\\u{1b}[2J\n"
            ),
            "{text}"
        );
        let mut long = Request::new("POST", &s3, "/b", "delete");
        long.body = Body::from_bytes(
            format!("<Delete>{}</Delete>", "<Object><Key>k</Key></Object>".repeat(100)).into_bytes(),
        );
        let line = request(&long).lines().last().unwrap_or_default().to_owned();
        assert!(
            line.starts_with("> [2917 bytes] <Delete><Object>") && line.ends_with('…'),
            "{line}"
        );
        assert!(line.chars().count() < 300, "{line}");
    }
}
