//! `credential_process`: a profile names a program that prints credentials as JSON (Version 1). awl runs it
//! without a shell, its command line split as the AWS CLI splits it (POSIX shell words), passes its stderr
//! through, and reads its stdout. Never cached, as in the AWS CLI.

use crate::codec::json::{self, Value};
use crate::codec::time::parse_rfc3339;
use crate::error::{Error, Result};
use crate::identity::Credentials;
use std::process::{Command, Stdio};

/// Splits a command line into words as a POSIX shell would (quotes and backslashes), without expansions.
pub fn split(line: &str) -> Result<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => word.push(ch),
                        None => return Err(Error::config("credential_process has an unclosed ' quote")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch @ ('"' | '\\' | '$' | '`')) => word.push(ch),
                            Some('\n') => {}
                            Some(ch) => {
                                word.push('\\');
                                word.push(ch);
                            }
                            None => return Err(Error::config("credential_process ends inside a \" quote")),
                        },
                        Some(ch) => word.push(ch),
                        None => return Err(Error::config("credential_process has an unclosed \" quote")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some('\n') | None => {}
                    Some(ch) => word.push(ch),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Reads the Version 1 JSON a credential process prints. The error says what is wrong with the output, for
/// the caller to say which profile's process printed it.
pub fn parse_output(text: &str) -> Result<Credentials> {
    let bad = |what: String| Error::data(what);
    let v = json::parse(text.trim()).map_err(|e| bad(format!("its output is not JSON ({e})")))?;
    match v.get("Version").and_then(Value::as_i64) {
        Some(1) => {}
        Some(n) => return Err(bad(format!("its output has Version {n}; awl reads Version 1"))),
        None => return Err(bad("its output has no \"Version\": 1".into())),
    }
    let field = |k: &str| v.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let id = field("AccessKeyId").ok_or_else(|| bad("its output has no AccessKeyId".into()))?;
    let secret = field("SecretAccessKey").ok_or_else(|| bad("its output has no SecretAccessKey".into()))?;
    let mut creds = Credentials::new(id, secret);
    if let Some(t) = field("SessionToken") {
        creds = creds.with_session_token(t);
    }
    if let Some(e) = field("Expiration") {
        creds.expiration =
            Some(parse_rfc3339(e).map_err(|_| bad(format!("its Expiration {e:?} is not a timestamp")))?);
    }
    Ok(creds)
}

/// Runs the `credential_process` of `profile` and returns its credentials; `where_` is where it was set.
pub fn run(profile: &str, command: &str, where_: &str) -> Result<Credentials> {
    let fail = |what: String| {
        Error::config(format!(
            "profile '{profile}': credential_process ({where_}) {what}"
        ))
        .with_hint("run the command by hand to see what it prints; it must print Version 1 JSON")
    };
    let words = split(command)?;
    let (program, args) = words.split_first().ok_or_else(|| fail("is empty".into()))?;
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::inherit())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| fail(format!("cannot start {program:?}: {e}")))?;
    if !out.status.success() {
        let how = match out.status.code() {
            Some(c) => format!("exit code {c}"),
            None => "a signal".into(),
        };
        return Err(fail(format!("failed with {how}")));
    }
    let text =
        String::from_utf8(out.stdout).map_err(|_| fail("printed something that is not UTF-8".into()))?;
    parse_output(&text).map_err(|e| fail(e.message().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_a_posix_shell() {
        let w = |s: &str| split(s).expect("splits");
        assert_eq!(
            w("/bin/vault creds --profile 'my prod'"),
            ["/bin/vault", "creds", "--profile", "my prod"]
        );
        assert_eq!(w(r#"a "b \"c\" $d" e\ f ''"#), ["a", r#"b "c" $d"#, "e f", ""]);
        assert_eq!(w("  x\t y  "), ["x", "y"]);
        assert!(split("a 'b").is_err() && split("a \"b").is_err());
    }

    #[test]
    fn reads_version_1_only() {
        let c = parse_output(
            r#"{"Version": 1, "AccessKeyId": "ASIA", "SecretAccessKey": "s", "SessionToken": "t",
                "Expiration": "2026-11-26T19:00:00Z"}"#,
        )
        .expect("valid");
        assert!(c.session_token.is_some() && c.expiration.is_some());
        assert!(parse_output(r#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s"}"#).is_ok());
        assert_eq!(
            parse_output(r#"{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "s"}"#)
                .err()
                .map(|e| e.message().to_owned())
                .as_deref(),
            Some("its output has Version 2; awl reads Version 1")
        );
        assert!(parse_output("oops").is_err());
        assert!(parse_output(r#"{"Version": 1, "AccessKeyId": "A"}"#).is_err());
    }
}
