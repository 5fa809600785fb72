//! The canonical request of SigV4, pure: the path (normalised and encoded again where the service's rules
//! say), the query sorted and encoded once, the headers that are signed (trimmed, folded, lower-cased and
//! sorted), and the payload hash, each as the specification writes it.

use crate::codec::percent;
use crate::sign::signable::{Request, Settings};
use std::borrow::Cow;

/// Headers that are never signed: proxies and clients change them (`user-agent`, `expect`, ...), and a server
/// that re-signs the request as botocore does would disagree with us (moto does exactly that).
const UNSIGNED_HEADERS: &[&str] = &[
    "authorization",
    "connection",
    "expect",
    "transfer-encoding",
    "user-agent",
    "x-amzn-trace-id",
];

/// The canonical form of a path: normalised when asked, then encoded once more when asked.
fn canonical_path(out: &mut String, path: &str, settings: &Settings) {
    let normalized: Cow<'_, str> = if settings.normalize_path {
        Cow::Owned(normalize_path(path))
    } else {
        Cow::Borrowed(path)
    };
    let path = if normalized.is_empty() { "/" } else { &normalized };
    if settings.double_uri_encode {
        percent::encode_into(out, path.as_bytes(), true);
    } else {
        out.push_str(path);
    }
}

/// RFC 3986 section 5.2.4 dot-segment removal, with runs of `/` merged, as SigV4 normalises paths.
fn normalize_path(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    let mut trailing_slash = false;
    for seg in path.split('/') {
        trailing_slash = false;
        match seg {
            "" | "." => trailing_slash = true,
            ".." => {
                segments.pop();
                trailing_slash = true;
            }
            s => segments.push(s),
        }
    }
    let mut out = String::with_capacity(path.len());
    for s in &segments {
        out.push('/');
        out.push_str(s);
    }
    if trailing_slash || segments.is_empty() {
        out.push('/');
    }
    out
}

/// The canonical query: every `key=value` decoded and re-encoded once, sorted by key then value.
fn canonical_query(out: &mut String, query: &str, extra: &[(&str, &str)]) {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        pairs.push((reencode(k), reencode(v)));
    }
    for (k, v) in extra {
        pairs.push((percent::encode(k), percent::encode(v)));
    }
    pairs.sort_unstable();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
}

fn reencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    percent::encode_into(&mut out, &percent::decode(s), false);
    out
}

/// Trims a header value and folds each run of spaces and tabs into one space.
fn push_trimmed_value(out: &mut String, value: &str) {
    let b = value.as_bytes();
    let last = b.len().saturating_sub(1);
    let clean = !b
        .iter()
        .enumerate()
        .any(|(i, &c)| c == b'\t' || (c == b' ' && (i == 0 || i == last || b[i + 1] == b' ')));
    if clean {
        // The usual case: nothing to trim or fold.
        out.push_str(value);
        return;
    }
    let mut pending_space = false;
    for word in value.split([' ', '\t']).filter(|w| !w.is_empty()) {
        if pending_space {
            out.push(' ');
        }
        out.push_str(word);
        pending_space = true;
    }
}

/// A header name in lower case, borrowed when it already is.
fn lower(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// The canonical request: method, path, query (with `extra` parameters), headers, signed headers, payload hash.
pub fn canonical_request(
    req: &Request<'_>,
    settings: &Settings,
    extra: &[(&str, &str)],
    header_block: &str,
    signed_headers: &str,
    payload_hash: &str,
) -> String {
    let mut creq = String::with_capacity(
        req.method.len()
            + (req.path.len() + req.query.len()) * 3
            + header_block.len()
            + signed_headers.len()
            + 600,
    );
    creq.push_str(req.method);
    creq.push('\n');
    canonical_path(&mut creq, req.path, settings);
    creq.push('\n');
    canonical_query(&mut creq, req.query, extra);
    creq.push('\n');
    creq.push_str(header_block);
    creq.push('\n');
    creq.push_str(signed_headers);
    creq.push('\n');
    creq.push_str(payload_hash);
    creq
}

/// The canonical headers block and the signed-headers list.
pub fn canonical_headers(out: &mut String, headers: &[(Cow<'_, str>, &str)]) -> String {
    let mut signed = String::with_capacity(128);
    let mut i = 0;
    while i < headers.len() {
        let name = &headers[i].0;
        if !signed.is_empty() {
            signed.push(';');
        }
        signed.push_str(name);
        out.push_str(name);
        out.push(':');
        // Repeated headers: values joined with ',' in the order given (the sort below is stable).
        let mut first = true;
        while i < headers.len() && headers[i].0 == *name {
            if !first {
                out.push(',');
            }
            push_trimmed_value(out, headers[i].1);
            first = false;
            i += 1;
        }
        out.push('\n');
    }
    signed
}

/// The headers of `req` that are signed, lower-cased and sorted by name (stable, so repeated headers keep
/// their order), without the ones the signer owns or never signs.
pub fn signable_headers<'r>(req: &Request<'r>, settings: &Settings) -> Vec<(Cow<'r, str>, &'r str)> {
    // Room for the three headers the signer adds.
    let mut headers: Vec<(Cow<'r, str>, &'r str)> = Vec::with_capacity(req.headers.len() + 3);
    headers.extend(req.headers.iter().map(|(n, v)| (lower(n), *v)).filter(|(n, _)| {
        !UNSIGNED_HEADERS.contains(&n.as_ref())
            && n != "x-amz-date"
            && n != "x-amz-security-token"
            && !(settings.content_sha256_header && n == "x-amz-content-sha256")
    }));
    headers
}

/// Room for a canonical request, so that building it never reallocates (session tokens run to 1 KB).
pub fn canonical_capacity(req: &Request<'_>, headers: &[(Cow<'_, str>, &str)]) -> usize {
    let headers: usize = headers.iter().map(|(n, v)| 2 * n.len() + v.len() + 2).sum();
    // Path and query may grow by a third when encoded; 64 for the hash, the rest for separators.
    req.method.len() + (req.path.len() + req.query.len()) * 3 + headers + 80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_removes_dot_segments_and_empty_ones() {
        for (input, want) in [
            ("/", "/"),
            ("", "/"),
            ("//", "/"),
            ("/example/..", "/"),
            ("/example1/example2/../..", "/"),
            ("/./", "/"),
            ("/./example", "/example"),
            ("//example//", "/example/"),
            ("/a/b/../c/./d", "/a/c/d"),
            ("/a/b/..", "/a/"),
            ("/a/b", "/a/b"),
            ("/a/b/", "/a/b/"),
            ("/..", "/"),
            ("/a/.../b", "/a/.../b"),
        ] {
            assert_eq!(normalize_path(input), want, "{input:?}");
        }
    }

    #[test]
    fn header_values_are_trimmed_and_folded() {
        let mut s = String::new();
        push_trimmed_value(&mut s, "  a \t  b   \"c   d\"  ");
        assert_eq!(s, "a b \"c d\"");
    }
}
