//! Redaction of secrets in text that awl prints: `--debug` traces of requests and responses, and text from
//! servers. Signatures, session tokens, secret keys, OAuth tokens and MFA codes become `***`.
//!
//! Two kinds of rule, applied together: by name (an XML element, a JSON member, a `name=value` or
//! `name: value` pair, a `Bearer` token; any case, any namespace prefix) and by value ([`Known`]: a request's
//! own session token, signature or code, wherever and however its answer echoes it). Text is redacted before
//! it is cut ([`shown`]), and a secret that runs past the end of what was read is masked to that end, so
//! cutting can never reveal part of one.

mod escaped;
mod scan;

use escaped::{Unescaped, occurrences};
use scan::named;
use std::fmt;
use std::ops::Range;

/// A name as compared: lower case, `-` and `_` dropped (`X-Amz-Security-Token`, `aws_session_token`).
fn folded(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '-' && *c != '_')
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Names (folded) whose value is secret, wherever they name it: an XML element, a JSON member, a query or
/// form parameter, a header, an INI key, an option.
const SECRET_NAMES: &[&str] = &[
    "secretaccesskey",
    "sessiontoken",
    "token",
    "tokencode",
    "webidentitytoken",
    "awssecretaccesskey",
    "awssessiontoken",
    "awssecuritytoken",
    "awscontainerauthorizationtoken",
    "securitytoken",
    "xamzsecuritytoken",
    "xawsec2metadatatoken",
    "xamzssobearertoken",
    "authorization",
    "proxyauthorization",
    "mfacode",
    // SSO and OIDC (CreateToken, RegisterClient, StartDeviceAuthorization, GetRoleCredentials).
    "accesstoken",
    "refreshtoken",
    "idtoken",
    "clientsecret",
    "devicecode",
    "codeverifier",
    // Signatures: a presigned URL's, and the one S3 echoes in SignatureDoesNotMatch, whose
    // CanonicalRequestBytes spell the request's headers (its session token too) in hex.
    "signature",
    "xamzsignature",
    "signatureprovided",
    "canonicalrequestbytes",
];

/// Whether a field, key, header or option of this name holds a secret (any case; `-` and `_` ignored).
pub fn is_secret_name(name: &str) -> bool {
    let n = folded(name);
    SECRET_NAMES.contains(&n.as_str())
        // S3 echoes a refused session token as `<Token-0>` (ExpiredToken, InvalidToken).
        || n.strip_prefix("token")
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// Header names (folded) whose whole value is secret, beyond [`is_secret_name`]: S3's MFA-delete header
/// carries a code, the SSE-C headers an encryption key.
const SECRET_HEADERS: &[&str] = &[
    "xamzmfa",
    "xamzserversideencryptioncustomerkey",
    "xamzcopysourceserversideencryptioncustomerkey",
];

/// Whether a header of this name carries a secret in its whole value (`Authorization`,
/// `x-amz-security-token`, `x-aws-ec2-metadata-token`, `x-amz-sso_bearer_token`, ...).
pub fn is_secret_header(name: &str) -> bool {
    is_secret_name(name) || SECRET_HEADERS.contains(&folded(name).as_str())
}

/// A header value safe to print: a SigV4 `Authorization` keeps its credential scope and signed headers, not
/// its signature; other secret headers are hidden whole; any other value loses what [`body`] masks.
pub fn header(name: &str, value: &str) -> String {
    header_with(name, value, &Known::default())
}

/// [`header`], with `known` values masked too (in the same pass: masking by name first could change the
/// text around a known value so that it no longer matches).
pub fn header_with(name: &str, value: &str, known: &Known) -> String {
    if folded(name) == "authorization"
        && value.starts_with("AWS4-")
        && let Some(i) = value.find("Signature=")
    {
        return format!("{}Signature=***", redact(&value[..i], known));
    }
    if is_secret_header(name) {
        return "***".into();
    }
    redact(value, known)
}

/// A query string or form body with secret parameter values replaced by `***` (the rules of [`body`]).
pub fn params(text: &str) -> String {
    body(text)
}

/// Text (a body, a URL, a header value) with every secret found by name replaced by `***`: the contents
/// of secret XML elements (attributes and namespace prefixes allowed), JSON members' values, `name=value`
/// and `name: value` pairs, and `Bearer` tokens. A secret that runs to the end of the text is masked to it.
pub fn body(text: &str) -> String {
    redact(text, &Known::default())
}

/// Fewest characters a known value must have: shorter ones are no credential, and masking them everywhere
/// would blank the trace.
const MIN_KNOWN: usize = 4;
/// Most characters a known value may have (session tokens are a few KiB).
const MAX_KNOWN: usize = 16 << 10;

/// Secret values known in advance (a request's own session token, signature, bearer token, MFA code):
/// masked wherever they appear, raw or escaped once in any mix of percent-encoding, JSON and XML escapes
/// (see [`redact`]). `Debug` shows how many, never them.
#[derive(Clone, Default)]
pub struct Known {
    values: Vec<Vec<u8>>,
}

impl fmt::Debug for Known {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Known")
            .field("values", &self.values.len())
            .finish_non_exhaustive()
    }
}

impl Known {
    /// Adds a secret value (trimmed; one given escaped, as in a query, is added unescaped too).
    pub fn add(&mut self, value: &str) {
        let value = value.trim();
        if value.len() < MIN_KNOWN || value.len() > MAX_KNOWN {
            return;
        }
        for v in [value.as_bytes().to_vec(), Unescaped::of(value.as_bytes()).bytes] {
            if v.len() >= MIN_KNOWN && !self.values.contains(&v) {
                self.values.push(v);
            }
        }
    }

    /// Adds every value that the rules by name find secret in `text` (a request's query, headers, form).
    pub fn add_named(&mut self, text: &str) {
        let mut found = Vec::new();
        named(text.as_bytes(), &mut found);
        for r in found {
            if let Some(v) = text.get(r) {
                self.add(v);
            }
        }
    }

    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    fn longest(&self) -> usize {
        self.values.iter().map(Vec::len).max().unwrap_or(0)
    }
}

/// `text` with every secret found by name, and every occurrence of a known value, replaced by `***`. The
/// rules also run over the text with one level of escaping undone (`%2F`, `\/`, `\"`, `\u002B`, `&lt;`,
/// `&#43;`), so a secret echoed escaped, or named inside an escaped document (a presigned URL in a query, XML
/// in an XML message, JSON in a JSON string), is masked too.
pub fn redact(text: &str, known: &Known) -> String {
    redact_cut(text, known, false)
}

/// Bytes of a body read for a trace: enough past any head shown to hold a whole session token.
const WINDOW: usize = 64 << 10;

/// The head of a body as a trace shows it: its first 64 KiB redacted (by name, and `known`), then control
/// characters escaped and cut to `max_chars` (`…` when anything was left out). Redacting first means the cut
/// cannot fall inside a secret that was not yet masked.
pub fn shown(bytes: &[u8], max_chars: usize, known: &Known) -> String {
    let cut = bytes.len() > WINDOW;
    let text = String::from_utf8_lossy(bytes.get(..WINDOW).unwrap_or(bytes));
    let mut out = sanitize(&redact_cut(&text, known, cut), max_chars);
    if cut && !out.ends_with('…') {
        out.push('…');
    }
    out
}

/// [`redact`] of a text that may be the start of a longer one (`cut`): then a known value that may begin
/// in its last bytes and go on past them is masked too.
fn redact_cut(text: &str, known: &Known, cut: bool) -> String {
    let raw = text.as_bytes();
    let mut regions = Vec::new();
    named(raw, &mut regions);
    let view = Unescaped::of(raw);
    let mut found = Vec::new();
    if view.bytes.len() < raw.len() {
        named(&view.bytes, &mut found);
    }
    for v in &known.values {
        // As it is, and escaped once (in the view): a value that itself looks escaped is found either way.
        regions.extend(occurrences(raw, v).map(|i| i..i + v.len()));
        found.extend(occurrences(&view.bytes, v).map(|i| i..i + v.len()));
    }
    if cut && !known.is_empty() {
        let len = view.bytes.len();
        found.push(len.saturating_sub(known.longest().saturating_sub(1))..len);
    }
    regions.extend(found.into_iter().map(|r| view.source(r)));
    apply(text, regions)
}

/// `text` with each region (merged where they overlap or touch) replaced by one `***`.
fn apply(text: &str, mut regions: Vec<Range<usize>>) -> String {
    regions.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut open: Option<Range<usize>> = None;
    for r in regions {
        // Rounded outwards to whole characters: masking more is always safe.
        let r = floor_boundary(text, r.start)..ceil_boundary(text, r.end);
        match &mut open {
            Some(o) if r.start <= o.end => o.end = o.end.max(r.end),
            _ => {
                if let Some(o) = open.take() {
                    out.push_str(text.get(copied..o.start).unwrap_or_default());
                    out.push_str("***");
                    copied = o.end;
                }
                open = Some(r);
            }
        }
    }
    if let Some(o) = open {
        out.push_str(text.get(copied..o.start).unwrap_or_default());
        out.push_str("***");
        copied = o.end;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// A URL safe to print: user information (`user:password@`) becomes `***@`, and control characters are
/// escaped. Endpoint and proxy URLs can carry passwords.
pub fn url(text: &str) -> String {
    let shown = match text.find("://") {
        Some(i) => {
            let rest = &text[i + 3..];
            let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            match rest[..authority_end].rfind('@') {
                Some(at) => format!("{}://***@{}", &text[..i], &rest[at + 1..]),
                None => text.to_owned(),
            }
        }
        None => text.to_owned(),
    };
    sanitize(&shown, 300)
}

/// Server-provided text made safe for a terminal: control characters (escape sequences included) become
/// `\u{..}` escapes, and it is cut to `max` characters.
pub fn sanitize(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max));
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_keeps_its_scope_but_not_its_signature() {
        let v = "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request, SignedHeaders=host, \
                 Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
        let r = header("Authorization", v);
        assert!(r.ends_with("SignedHeaders=host, Signature=***") && r.contains("Credential=AKID/"));
        assert_eq!(header("X-Amz-Security-Token", "FQoG"), "***");
        assert_eq!(header("Host", "sts.amazonaws.com"), "sts.amazonaws.com");
        // A bearer token that happens to hold `Signature=` is hidden whole, as are SSO's and MFA-delete's.
        assert_eq!(header("authorization", "Bearer abcSignature=x"), "***");
        assert_eq!(header("x-amz-sso_bearer_token", "aoa123"), "***");
        assert_eq!(header("x-amz-mfa", "arn 123456"), "***");
        assert_eq!(
            header("Location", "https://h/k?X-Amz-Security-Token=FQoG&x=1"),
            "https://h/k?X-Amz-Security-Token=***&x=1"
        );
    }

    #[test]
    fn forms_queries_and_bodies_lose_their_secrets() {
        assert_eq!(
            params("Action=AssumeRole&SerialNumber=arn&TokenCode=123456&WebIdentityToken=eyJ"),
            "Action=AssumeRole&SerialNumber=arn&TokenCode=***&WebIdentityToken=***"
        );
        let xml = "<Credentials><AccessKeyId>ASIA</AccessKeyId><SecretAccessKey>s3cr3t</SecretAccessKey>\
                   <SessionToken>tok</SessionToken></Credentials>";
        let r = body(xml);
        assert!(!r.contains("s3cr3t") && !r.contains(">tok<") && r.contains("<AccessKeyId>ASIA<"));
        let json = r#"{"AccessKeyId": "ASIA", "SecretAccessKey": "s3\"cr3t", "Token" :"tok2"}"#;
        let r = body(json);
        assert!(
            !r.contains("cr3t") && !r.contains("tok2") && r.contains("\"ASIA\""),
            "{r}"
        );
    }

    #[test]
    fn xml_with_prefixes_attributes_case_and_no_end() {
        for (xml, shown) in [
            ("<Token-0>FQoG</Token-0>", "<Token-0>***</Token-0>"),
            (
                "<ns:SessionToken a=\"x>y\">FQoG</ns:SessionToken>",
                "<ns:SessionToken a=\"x>y\">***</ns:SessionToken>",
            ),
            (
                "<sessiontoken>FQoG</sessiontoken><Code>X</Code>",
                "<sessiontoken>***</sessiontoken><Code>X</Code>",
            ),
            ("<SessionToken>FQoG</sessiontoken>", "<SessionToken>***"),
            (
                "<SessionToken><![CDATA[FQoG]]></SessionToken>",
                "<SessionToken>***</SessionToken>",
            ),
            ("<SessionToken>FQoG", "<SessionToken>***"),
            ("<SessionToken a='FQoG", "<SessionToken***"),
            ("<SessionToken/>FQoG", "<SessionToken/>FQoG"),
            (
                "<Token>a</Token>b<Token >FQoG</Token >",
                "<Token>***</Token>b<Token >***</Token >",
            ),
            ("<TokenCount>3</TokenCount>", "<TokenCount>3</TokenCount>"),
            (
                "<NextContinuationToken>abc</NextContinuationToken>",
                "<NextContinuationToken>abc</NextContinuationToken>",
            ),
        ] {
            assert_eq!(body(xml), shown, "{xml}");
        }
    }

    #[test]
    fn json_in_every_case_escaped_names_and_unbalanced_quotes() {
        for (json, shown) in [
            (
                r#"{"accessToken":"eyJ","expiresIn":3600}"#,
                r#"{"accessToken":"***","expiresIn":3600}"#,
            ),
            (
                r#"{"refreshToken" : "r1", "clientSecret":"c1"}"#,
                r#"{"refreshToken" : "***", "clientSecret":"***"}"#,
            ),
            (
                r#"{"\u0053essionToken": "FQoG"}"#,
                r#"{"\u0053essionToken": "***"}"#,
            ),
            (
                r#"{"TokenCode": 123456, "x": 1}"#,
                r#"{"TokenCode": ***, "x": 1}"#,
            ),
            (r#"x" {"Token": "FQoG"}"#, r#"x" {"Token": "***"}"#),
            (r#"{"sessionToken": "FQo"#, r#"{"sessionToken": "***"#),
            (r#"{"NextToken": "n1"}"#, r#"{"NextToken": "n1"}"#),
            // SSO-OIDC's authorization code; an error's `Code` stays.
            (
                r#"{"grantType":"authorization_code","code":"c0de","Code":"Success"}"#,
                r#"{"grantType":"authorization_code","code":"***","Code":"Success"}"#,
            ),
        ] {
            assert_eq!(body(json), shown, "{json}");
        }
    }

    #[test]
    fn queries_header_lines_and_bearer_tokens() {
        for (text, shown) in [
            (
                "https://h/k?x-amz-security-token=FQ%2Fo&X-Amz-Signature=ab",
                "https://h/k?x-amz-security-token=***&X-Amz-Signature=***",
            ),
            (
                "GET\n/\n\nhost:h\nx-amz-security-token:FQoG\n\nhost",
                "GET\n/\n\nhost:h\nx-amz-security-token:***\n\nhost",
            ),
            ("Authorization: Bearer eyJ.abc\nx", "Authorization: ***\nx"),
            ("use bearer eyJ.abc, then", "use bearer ***, then"),
            ("<a token=\"FQoG x\" b='1'>", "<a token=\"***\" b='1'>"),
            (
                "continuation-token=abc&max-keys=1",
                "continuation-token=abc&max-keys=1",
            ),
            ("Signature=abc", "Signature=***"),
        ] {
            assert_eq!(body(text), shown, "{text}");
        }
    }

    #[test]
    fn known_values_are_masked_in_every_spelling() {
        let mut k = Known::default();
        k.add("FQoG/abc+def=");
        k.add("abc"); // too short to be a credential: ignored
        assert_eq!(format!("{k:?}"), "Known { values: 1, .. }");
        for echo in [
            "FQoG/abc+def=",
            "FQoG%2Fabc%2Bdef%3D",
            "FQoG%2fabc%2bdef%3d",
            "FQoG/abc%2Bdef%3D",
            "FQoG\\/abc+def=",
            "FQoG\\/abc\\u002Bdef=",
            "FQoG&#x2F;abc&#43;def&#61;",
        ] {
            assert_eq!(redact(&format!("a {echo} abc"), &k), "a *** abc", "{echo}");
        }
        let mut q = Known::default();
        q.add_named("https://h/?X-Amz-Security-Token=FQoG%2Fabc&x=1");
        assert_eq!(redact("echo FQoG/abc.", &q), "echo ***.");
        assert_eq!(occurrences(b"aXaXa", b"aXa").collect::<Vec<_>>(), [0, 2]);
    }

    #[test]
    fn secrets_named_inside_escaped_documents() {
        for (text, shown) in [
            (
                "u=https%3A%2F%2Fh%2Fk%3FX-Amz-Security-Token%3DFQoG%26x%3D1",
                "u=https%3A%2F%2Fh%2Fk%3FX-Amz-Security-Token%3D***%26x%3D1",
            ),
            (
                "<Message>&lt;SessionToken&gt;FQoG&lt;/SessionToken&gt;</Message>",
                "<Message>&lt;SessionToken&gt;***&lt;/SessionToken&gt;</Message>",
            ),
            (
                r#"{"m": "{\"accessToken\": \"eyJ\"}"}"#,
                r#"{"m": "{\"accessToken\": \"***\"}"}"#,
            ),
        ] {
            assert_eq!(body(text), shown, "{text}");
        }
    }

    #[test]
    fn a_cut_never_shows_part_of_a_secret() {
        let token = "T".repeat(4500);
        let xml =
            format!("<AssumeRoleResult><Credentials><SessionToken>{token}</SessionToken></Credentials>");
        let s = shown(xml.as_bytes(), 4096, &Known::default());
        assert!(
            !s.contains("TTTT") && s.ends_with("<SessionToken>***</SessionToken></Credentials>"),
            "{s}"
        );
        // A known value whose start is in the window and whose end is past it.
        let mut k = Known::default();
        k.add(&"K".repeat(100));
        let body = format!("{}{}", "x".repeat(WINDOW - 10), "K".repeat(100));
        let s = shown(body.as_bytes(), WINDOW * 2, &k);
        assert!(!s.contains('K') && s.ends_with("***…"), "{}", &s[s.len() - 20..]);
    }

    #[test]
    fn names_whose_values_run_to_the_end_are_masked_to_it() {
        // Values that all run to the same far end: each is masked (the scanners read each once; the fuzzer's
        // time limit would catch a quadratic pass, a test does not time it).
        for unit in ["token=", "<Token>", "<Token a=\"", "\"Token\":\"", "Bearer x"] {
            let text = unit.repeat(WINDOW / unit.len());
            let out = body(&text);
            assert!(out.contains("***"), "{unit}");
        }
    }

    #[test]
    fn secret_names_in_every_spelling() {
        for n in [
            "SecretAccessKey",
            "aws_secret_access_key",
            "SessionToken",
            "X-Amz-Security-Token",
            "--token-code",
            "Token",
            "Token-0",
            "accessToken",
            "refresh_token",
            "clientSecret",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "AccessKeyId",
            "aws_access_key_id",
            "region",
            "Expiration",
            "Token-x",
            "ContinuationToken",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }

    #[test]
    fn urls_lose_their_user_information() {
        assert_eq!(url("http://user:pa55@host:9000/x?y"), "http://***@host:9000/x?y");
        assert_eq!(url("https://a@b@host"), "https://***@host");
        assert_eq!(url("http://host/p@x"), "http://host/p@x");
        assert_eq!(url("not a url"), "not a url");
    }

    #[test]
    fn terminal_escapes_are_neutralised() {
        assert_eq!(sanitize("bad\u{1b}[31mred\n", 100), "bad\\u{1b}[31mred\\u{a}");
        assert_eq!(sanitize("abcdef", 3), "abc…");
    }
}
