//! The `--debug` trace never shows a secret: the fuzzer's bytes build a request and its answer, and the
//! harness plants secrets in them at positions and in wrappings the fuzzer chooses (XML elements with
//! prefixes, attributes, CDATA, any case or no close tag; JSON members, escaped names; query and form
//! parameters, quoted or not; header lines; bearer tokens; secret headers; S3's `<Token-0>`; and echoes of the
//! request's own session token, signature or bearer token, raw, percent-encoded or JSON-escaped), with
//! padding that pushes them past the part of a body that is read. The trace is made as `--debug` makes it:
//! `trace::request`, then `trace::response` of the answer to that request.
//!
//! No run of 8 characters of a secret may appear in the trace unless the same run is in the input without
//! any secret (the same input with every secret replaced by dots, and its trace).
#![no_main]

use awl::codec::percent;
use awl::transport::endpoint::Endpoint;
use awl::transport::request::{Body, Request, Response};
use awl::transport::trace;
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;

/// What session tokens, keys and signatures are made of (base64), and nothing that ends a value.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
/// The length of the runs looked for.
const RUN: usize = 8;

const XML_NAMES: &[&str] = &[
    "SessionToken",
    "SecretAccessKey",
    "Token",
    "TokenCode",
    "WebIdentityToken",
    "Token-0",
    "Token-1",
    "accessToken",
    "SignatureProvided",
    "CanonicalRequestBytes",
];
const JSON_NAMES: &[&str] = &[
    "SessionToken",
    "SecretAccessKey",
    "Token",
    "accessToken",
    "refreshToken",
    "clientSecret",
    "idToken",
    "deviceCode",
    "TokenCode",
    "WebIdentityToken",
];
const PARAM_NAMES: &[&str] = &[
    "X-Amz-Security-Token",
    "X-Amz-Signature",
    "TokenCode",
    "WebIdentityToken",
    "Signature",
    "SessionToken",
];
const LINE_NAMES: &[&str] = &[
    "x-amz-security-token",
    "Authorization",
    "Token",
    "x-amz-sso_bearer_token",
];
const SECRET_HEADERS: &[&str] = &[
    "x-amz-security-token",
    "Authorization",
    "X-Aws-Ec2-Metadata-Token",
    "x-amz-sso_bearer_token",
    "Proxy-Authorization",
];
const PLAIN_HEADERS: &[&str] = &[
    "x-amz-request-id",
    "location",
    "x-amz-error-detail",
    "content-type",
];

/// The fuzzer's bytes, read from the front; zeros once used up.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn pick<'b>(&mut self, from: &[&'b str]) -> &'b str {
        from[usize::from(self.byte()) % from.len()]
    }

    fn bytes(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }
}

/// A secret of 16 to 79 characters of [`ALPHABET`].
fn secret(input: &mut Input<'_>) -> String {
    let len = 16 + usize::from(input.byte() % 64);
    (0..len)
        .map(|_| char::from(ALPHABET[usize::from(input.byte()) % ALPHABET.len()]))
        .collect()
}

/// A name with the case of some letters flipped.
fn vary(name: &str, bits: u8) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            if bits & (1 << (i % 8)) != 0 {
                if c.is_ascii_uppercase() {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                }
            } else {
                c
            }
        })
        .collect()
}

/// Text built twice: as sent, and with every secret replaced by dots (same length, same structure).
#[derive(Default, Clone)]
struct Text {
    real: Vec<u8>,
    blank: Vec<u8>,
}

impl Text {
    fn plain(&mut self, s: &[u8]) {
        self.real.extend_from_slice(s);
        self.blank.extend_from_slice(s);
    }

    fn secret(&mut self, s: &str) {
        self.real.extend_from_slice(s.as_bytes());
        self.blank.extend(std::iter::repeat_n(b'.', s.len()));
    }

    fn append(&mut self, other: &Text) {
        self.real.extend_from_slice(&other.real);
        self.blank.extend_from_slice(&other.blank);
    }

    fn real(&self) -> String {
        String::from_utf8_lossy(&self.real).into_owned()
    }

    fn blank(&self) -> String {
        String::from_utf8_lossy(&self.blank).into_owned()
    }
}

/// The secrets of one case and the spellings in which they were planted.
struct Secrets {
    /// The request's session token (its `x-amz-security-token`).
    token: String,
    /// Its signature or bearer token (its `Authorization`).
    auth: String,
    /// Its MFA code (in its form, when it has one).
    code: String,
    /// A secret only the answer holds.
    other: String,
    /// Every spelling planted, for the check.
    planted: Vec<String>,
}

impl Secrets {
    /// `s` as a server may echo it: raw, or escaped once, in any of the ways servers and encoders do (all of
    /// `+/=` percent-encoded in either case of hex, `/` kept as Python's `quote` keeps it, JSON's `\/` and
    /// `\u002B`, XML character references).
    fn spelled(&mut self, s: &str, how: u8) -> String {
        let spelled = match how % 8 {
            0 => s.to_owned(),
            1 => percent::encode(s),
            2 => lower_hex(&percent::encode(s)),
            3 => s.replace('/', "\\/"),
            4 => percent::encode_path(s),
            5 => s.replace('+', "\\u002B").replace('/', "\\u002f"),
            6 => s.replace('=', "&#61;").replace('/', "&#x2F;"),
            _ => s.replace('+', "%2B"),
        };
        self.planted.push(spelled.clone());
        spelled
    }
}

/// `%2F` as `%2f`, the secret's own letters unchanged.
fn lower_hex(encoded: &str) -> String {
    let mut out = String::new();
    let mut left = 0;
    for c in encoded.chars() {
        if left > 0 {
            out.push(c.to_ascii_lowercase());
            left -= 1;
        } else {
            left = if c == '%' { 2 } else { 0 };
            out.push(c);
        }
    }
    out
}

/// One secret planted in a wrapping the fuzzer chooses.
fn plant(input: &mut Input<'_>, text: &mut Text, s: &str) {
    match input.byte() % 6 {
        0 => {
            let name = input.pick(XML_NAMES);
            let open = vary(name, input.byte());
            let prefix = input.pick(&["", "ns:", "a:b:"]);
            let attr = input.pick(&["", " xmlns=\"urn:x\"", " a='>'", " b=\"/>\"", " c = \"x\"\n"]);
            let cdata = input.byte().is_multiple_of(2);
            text.plain(format!("<{prefix}{open}{attr}>").as_bytes());
            if cdata {
                text.plain(b"<![CDATA[");
            }
            text.secret(s);
            if cdata {
                text.plain(b"]]>");
            }
            match input.byte() % 4 {
                0 => text.plain(format!("</{prefix}{open}>").as_bytes()),
                1 => text.plain(format!("</{prefix}{}>", vary(name, input.byte())).as_bytes()),
                2 => text.plain(format!("</{prefix}{open} >").as_bytes()),
                _ => {}
            }
        }
        1 => {
            let name = vary(input.pick(JSON_NAMES), input.byte());
            let key = if input.byte().is_multiple_of(4) {
                let mut chars = name.chars();
                let first = chars.next().map(u32::from).unwrap_or(0);
                format!("\\u{first:04X}{}", chars.as_str())
            } else {
                name
            };
            let (ws1, ws2) = (
                input.pick(&["", " ", "\n  ", "\t"]),
                input.pick(&["", " ", "\n    "]),
            );
            text.plain(format!("\"{key}\"{ws1}:{ws2}\"").as_bytes());
            text.secret(s);
            if !input.byte().is_multiple_of(4) {
                text.plain(b"\"");
            }
        }
        2 => {
            let sep = input.pick(&["?", "&", " ", "\n", ";"]);
            let name = vary(input.pick(PARAM_NAMES), input.byte());
            let quote = input.pick(&["", "", "\"", "'"]);
            text.plain(format!("{sep}{name}={quote}").as_bytes());
            text.secret(s);
            text.plain(quote.as_bytes());
        }
        3 => {
            let name = vary(input.pick(LINE_NAMES), input.byte());
            let sp = input.pick(&["", " ", "\t"]);
            text.plain(format!("\n{name}:{sp}").as_bytes());
            text.secret(s);
            text.plain(input.pick(&["\n", "\r\n", "", "<"]).as_bytes());
        }
        4 => {
            // A document escaped inside another: XML in an XML message, JSON in a JSON string, a presigned
            // URL in a query.
            let name = vary(input.pick(JSON_NAMES), input.byte());
            let (open, close) = match input.byte() % 3 {
                0 => (format!("&lt;{name}&gt;"), format!("&lt;/{name}&gt;")),
                1 => (format!("{{\\\"{name}\\\": \\\""), "\\\"}".to_owned()),
                _ => (format!("%3F{name}%3D"), "%26x%3D1".to_owned()),
            };
            text.plain(open.as_bytes());
            text.secret(s);
            text.plain(close.as_bytes());
        }
        _ => {
            let sep = input.pick(&[" ", "\n", "\"", "("]);
            let word = input.pick(&["Bearer", "bearer", "BEARER"]);
            let sp = input.pick(&[" ", "\t", "  "]);
            text.plain(format!("{sep}{word}{sp}").as_bytes());
            text.secret(s);
        }
    }
}

/// A text of fuzzer bytes with planted secrets (and echoes of the request's own when `echoes`).
/// Padding (`pad`) goes only into bodies, where it pushes what follows past the part that is read.
fn text(input: &mut Input<'_>, secrets: &mut Secrets, echoes: &[String], pad: bool) -> Text {
    let mut t = Text::default();
    let parts = input.byte() % 8;
    for _ in 0..parts {
        match input.byte() % 8 {
            0..=2 => {
                let n = usize::from(input.byte() % 64);
                let filler = input.bytes(n).to_vec();
                t.plain(&filler);
            }
            3 => {
                let s = secrets.other.clone();
                secrets.planted.push(s.clone());
                plant(input, &mut t, &s);
            }
            4 if !echoes.is_empty() => {
                let s = echoes[usize::from(input.byte()) % echoes.len()].clone();
                let spelled = secrets.spelled(&s, input.byte());
                if input.byte().is_multiple_of(2) {
                    plant(input, &mut t, &spelled);
                } else {
                    t.secret(&spelled);
                }
            }
            5 if pad => {
                // Padding that pushes what follows past the part of a body that is read (64 KiB).
                let n = usize::from(input.byte()) << 9;
                let unit = input.bytes(4).to_vec();
                let unit = if unit.is_empty() { b"x".to_vec() } else { unit };
                for _ in 0..n / unit.len() {
                    t.plain(&unit);
                }
            }
            6 => {
                let s = secrets.token.clone();
                secrets.planted.push(s.clone());
                t.plain(b"<Error><Code>ExpiredToken</Code><Token-0>");
                t.secret(&s);
                t.plain(b"</Token-0>");
            }
            _ => {
                let filler = input.bytes(8).to_vec();
                t.plain(&filler);
            }
        }
    }
    t
}

/// A header name: a secret one, a plain one, or fuzzer bytes.
fn header_name(input: &mut Input<'_>) -> String {
    match input.byte() % 3 {
        0 => input.pick(SECRET_HEADERS).to_owned(),
        1 => input.pick(PLAIN_HEADERS).to_owned(),
        _ => {
            let n = usize::from(input.byte() % 16);
            String::from_utf8_lossy(input.bytes(n)).into_owned()
        }
    }
}

/// 8-byte runs of `text`.
fn runs(text: &[u8]) -> HashSet<&[u8]> {
    text.windows(RUN).collect()
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let mut secrets = Secrets {
        token: secret(&mut input),
        auth: secret(&mut input),
        code: secret(&mut input),
        other: secret(&mut input),
        planted: Vec::new(),
    };
    for s in [&secrets.token, &secrets.auth, &secrets.code, &secrets.other] {
        secrets.planted.push(s.clone());
    }
    let Ok(endpoint) = Endpoint::parse("http://127.0.0.1:9000") else {
        return;
    };
    let method = input.pick(&["GET", "PUT", "POST", "DELETE", "HEAD"]);

    // The request: its own token and signature or bearer token, then the fuzzer's query, headers and body.
    let mut auth = Text::default();
    match input.byte() % 3 {
        0 => {
            auth.plain(b"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/s3/aws4_request, ");
            auth.plain(b"SignedHeaders=host;x-amz-date, Signature=");
        }
        1 => auth.plain(b"Bearer "),
        _ => {}
    }
    let own = secrets.auth.clone();
    auth.secret(&own);
    let mut token = Text::default();
    let own = secrets.token.clone();
    token.secret(&own);
    let mut query = text(&mut input, &mut secrets, &[], false);
    if input.byte().is_multiple_of(2) {
        query.plain(b"&X-Amz-Security-Token=");
        let own = percent::encode(&secrets.token);
        query.secret(&own);
    }
    let mut headers = vec![
        ("authorization".to_owned(), auth),
        ("x-amz-security-token".to_owned(), token),
    ];
    for _ in 0..input.byte() % 4 {
        let name = header_name(&mut input);
        headers.push((name, text(&mut input, &mut secrets, &[], false)));
    }
    let mut form = text(&mut input, &mut secrets, &[], true);
    form.plain(b"&TokenCode=");
    let code = secrets.code.clone();
    form.secret(&code);
    form.plain(b"&");
    form.append(&text(&mut input, &mut secrets, &[], true));

    // The answer may echo what the request sent: its token, its signature or bearer token, and its code when
    // the trace shows the form it came in (object data, `PUT`, is not read).
    let mut echoes = vec![secrets.token.clone(), secrets.auth.clone()];
    if method != "PUT" {
        echoes.push(secrets.code.clone());
    }
    let status = 200 + u16::from(input.byte() % 4) * 100;
    let mut answer_headers = Vec::new();
    for _ in 0..input.byte() % 4 {
        let name = header_name(&mut input);
        answer_headers.push((name, text(&mut input, &mut secrets, &echoes, false)));
    }
    let answer = text(&mut input, &mut secrets, &echoes, true);
    let build = |real: bool| {
        let pick = |t: &Text| if real { t.real() } else { t.blank() };
        let mut req = Request::new(method, &endpoint, "/b/k", pick(&query));
        for (n, v) in &headers {
            req = req.header(n, pick(v));
        }
        let body = if real {
            form.real.clone()
        } else {
            form.blank.clone()
        };
        req.body = Body::from_bytes(body);
        let resp = Response {
            status,
            headers: answer_headers.iter().map(|(n, v)| (n.clone(), pick(v))).collect(),
            body: if real {
                answer.real.clone()
            } else {
                answer.blank.clone()
            },
            attempts: 1,
        };
        (req, resp)
    };
    let (blank_req, blank_resp) = build(false);
    let (req, resp) = build(true);

    // What the input shows without its secrets: the blank input and its trace.
    let mut without = Vec::new();
    without.extend_from_slice(trace::request(&blank_req).as_bytes());
    without.extend_from_slice(trace::response(&blank_resp, &blank_req).as_bytes());
    without.extend_from_slice(query.blank.as_slice());
    without.extend_from_slice(form.blank.as_slice());
    without.extend_from_slice(answer.blank.as_slice());
    for (n, v) in headers.iter().chain(&answer_headers) {
        without.extend_from_slice(n.as_bytes());
        without.extend_from_slice(&v.blank);
    }

    let shown = trace::request(&req) + &trace::response(&resp, &req);
    assert!(!shown.contains('\u{1b}'), "a terminal escape in the trace");
    let seen = runs(shown.as_bytes());
    for s in &secrets.planted {
        for run in s.as_bytes().windows(RUN) {
            assert!(
                !seen.contains(run) || without.windows(RUN).any(|w| w == run),
                "part of a secret ({}) is in the trace:\n{shown}",
                String::from_utf8_lossy(run)
            );
        }
    }
});
