//! Redaction of secrets in text that awl prints: `--debug` traces of requests and responses, and text from
//! servers. Signatures, session tokens, secret keys and MFA codes become `***`.

/// Whether a field, key, header or option of this name holds a secret (any case; `-` and `_` ignored).
pub fn is_secret_name(name: &str) -> bool {
    let n: String = name
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    matches!(
        n.as_str(),
        "secretaccesskey"
            | "sessiontoken"
            | "token"
            | "tokencode"
            | "webidentitytoken"
            | "awssecretaccesskey"
            | "awssessiontoken"
            | "awssecuritytoken"
            | "xamzsecuritytoken"
            | "authorization"
            | "mfacode"
            | "xawsec2metadatatoken"
    )
}

/// Header names whose whole value is secret.
const SECRET_HEADERS: &[&str] = &[
    "x-amz-security-token",
    "x-aws-ec2-metadata-token",
    "authorization",
];

/// A header value safe to print: `Authorization` keeps its credential scope and signed headers, not its
/// signature; the session token and metadata tokens are hidden whole.
pub fn header(name: &str, value: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if lower == "authorization" {
        if let Some(i) = value.find("Signature=") {
            return format!("{}Signature=***", &value[..i]);
        }
        return "***".into();
    }
    if SECRET_HEADERS.contains(&lower.as_str()) {
        return "***".into();
    }
    value.to_owned()
}

/// Query parameters and form fields whose value is secret.
const SECRET_PARAMS: &[&str] = &[
    "X-Amz-Signature",
    "X-Amz-Security-Token",
    "TokenCode",
    "WebIdentityToken",
];

/// A query string or form body with secret parameter values replaced by `***`.
pub fn params(text: &str) -> String {
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if SECRET_PARAMS.iter().any(|s| s.eq_ignore_ascii_case(k)) => format!("{k}=***"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Element names (XML) and keys (JSON) whose content is secret.
const SECRET_FIELDS: &[&str] = &["SecretAccessKey", "SessionToken", "Token", "TokenCode"];

/// A response or request body with the contents of secret XML elements and JSON string members replaced.
pub fn body(text: &str) -> String {
    let mut out = text.to_owned();
    for field in SECRET_FIELDS {
        // XML: <Field>...</Field>
        let (open, close) = (format!("<{field}>"), format!("</{field}>"));
        let mut from = 0;
        while let Some(start) = out[from..].find(&open).map(|i| from + i + open.len()) {
            let Some(end) = out[start..].find(&close).map(|i| start + i) else {
                break;
            };
            out.replace_range(start..end, "***");
            from = start + 3 + close.len();
        }
        // JSON: "Field": "..."
        let key = format!("\"{field}\"");
        let mut from = 0;
        while let Some(k) = out[from..].find(&key).map(|i| from + i + key.len()) {
            let rest = &out[k..];
            let Some(colon) = rest.find(':') else { break };
            if !rest[..colon].trim().is_empty() {
                from = k;
                continue;
            }
            let after = k + colon + 1;
            let Some(q1) = out[after..].find('"').map(|i| after + i + 1) else {
                break;
            };
            if !out[after..q1 - 1].trim().is_empty() {
                from = k;
                continue;
            }
            let mut q2 = q1;
            let bytes = out.as_bytes();
            while q2 < bytes.len() && bytes[q2] != b'"' {
                q2 += if bytes[q2] == b'\\' { 2 } else { 1 };
            }
            let q2 = q2.min(out.len());
            out.replace_range(q1..q2, "***");
            from = q1 + 3;
        }
    }
    params(&out)
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
    fn secret_names_in_every_spelling() {
        for n in [
            "SecretAccessKey",
            "aws_secret_access_key",
            "SessionToken",
            "X-Amz-Security-Token",
            "--token-code",
            "Token",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in ["AccessKeyId", "aws_access_key_id", "region", "Expiration"] {
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
