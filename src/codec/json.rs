//! A small JSON reader and writer for exactly what awl exchanges: the AWS CLI's credential cache,
//! `credential_process` output, `--output json`, and the conformance data of the tests.
//!
//! The reader takes RFC 8259 JSON with limits on nesting and size and never panics; object members keep their
//! order. The writer can also reproduce Python's `json.dumps(sort_keys=True)` byte for byte, which the AWS CLI's
//! cache file names are the SHA-1 of.

use crate::error::{Error, Result};
use std::fmt::Write as _;

/// Deepest nesting the reader accepts.
const MAX_DEPTH: usize = 64;
/// Largest text the reader accepts (cache files and process output are a few KB).
pub const MAX_LEN: usize = 4 << 20;

/// A JSON value. Numbers keep their text, so that integers round-trip exactly. `Debug` hides the values of
/// members with secret names (`SecretAccessKey`, `SessionToken`, ...).
#[derive(Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object, members in the order read or built.
    Object(Vec<(String, Value)>),
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Null => f.write_str("Null"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Number(n) => write!(f, "Number({n:?})"),
            Value::String(s) => write!(f, "String({s:?})"),
            Value::Array(items) => f.debug_tuple("Array").field(items).finish(),
            Value::Object(members) => {
                let mut m = f.debug_map();
                for (k, v) in members {
                    if crate::codec::redact::is_secret_name(k) {
                        m.entry(k, &"***");
                    } else {
                        m.entry(k, v);
                    }
                }
                m.finish()
            }
        }
    }
}

impl Value {
    /// The member `key` of an object (the last one, if repeated).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string inside, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer inside, if this is a number without fraction or exponent that fits an i64.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[(String, Value)]> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// A string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// An object from `(key, value)` pairs, in the order given.
    pub fn object<K: Into<String>>(members: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(members.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

/// Reads one JSON value; trailing text other than whitespace is an error.
pub fn parse(text: &str) -> Result<Value> {
    if text.len() > MAX_LEN {
        return Err(Error::data(format!(
            "JSON text of {} bytes is over the {MAX_LEN}-byte limit",
            text.len()
        )));
    }
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return Err(p.err("unexpected text after the JSON value"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, what: &str) -> Error {
        Error::data(format!("invalid JSON at byte {}: {what}", self.i))
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &[u8]) -> bool {
        if self.s[self.i..].starts_with(lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        match self.s.get(self.i) {
            None => Err(self.err("unexpected end")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') if self.eat(b"true") => Ok(Value::Bool(true)),
            Some(b'f') if self.eat(b"false") => Ok(Value::Bool(false)),
            Some(b'n') if self.eat(b"null") => Ok(Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.err("expected a value")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value> {
        self.i += 1;
        let mut members = Vec::new();
        self.ws();
        if self.eat(b"}") {
            return Ok(Value::Object(members));
        }
        loop {
            self.ws();
            if self.s.get(self.i) != Some(&b'"') {
                return Err(self.err("expected a string key"));
            }
            let k = self.string()?;
            self.ws();
            if !self.eat(b":") {
                return Err(self.err("expected ':'"));
            }
            self.ws();
            let v = self.value(depth + 1)?;
            members.push((k, v));
            self.ws();
            if self.eat(b",") {
                continue;
            }
            if self.eat(b"}") {
                return Ok(Value::Object(members));
            }
            return Err(self.err("expected ',' or '}'"));
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.eat(b"]") {
            return Ok(Value::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth + 1)?);
            self.ws();
            if self.eat(b",") {
                continue;
            }
            if self.eat(b"]") {
                return Ok(Value::Array(items));
            }
            return Err(self.err("expected ',' or ']'"));
        }
    }

    fn number(&mut self) -> Result<Value> {
        let start = self.i;
        self.eat(b"-");
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.s.get(p.i).is_some_and(u8::is_ascii_digit) {
                p.i += 1;
            }
            p.i - s
        };
        match self.s.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(self.err("expected a digit")),
        }
        if self.eat(b".") && digits(self) == 0 {
            return Err(self.err("expected a digit after '.'"));
        }
        if let Some(b'e' | b'E') = self.s.get(self.i) {
            self.i += 1;
            if let Some(b'+' | b'-') = self.s.get(self.i) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.err("expected a digit in the exponent"));
            }
        }
        // Only ASCII digits and signs were consumed.
        Ok(Value::Number(
            String::from_utf8_lossy(&self.s[start..self.i]).into_owned(),
        ))
    }

    fn hex4(&mut self) -> Result<u32> {
        let h = self
            .s
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.err("short \\u escape"))?;
        let mut v = 0u32;
        for &c in h {
            let d = (c as char)
                .to_digit(16)
                .ok_or_else(|| self.err("bad \\u escape"))?;
            v = v * 16 + d;
        }
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String> {
        self.i += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&c) = self.s.get(self.i) else {
                return Err(self.err("unterminated string"));
            };
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.s.get(self.i) else {
                        return Err(self.err("unterminated escape"));
                    };
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.eat(b"\\u") {
                                    return Err(self.err("lone surrogate"));
                                }
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("bad low surrogate"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(code).ok_or_else(|| self.err("lone surrogate"))?
                        }
                        _ => return Err(self.err("unknown escape")),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1f => return Err(self.err("control character in string")),
                _ => out.push(c),
            }
        }
        // The input was a &str and escapes produce whole chars, so this is valid UTF-8.
        String::from_utf8(out).map_err(|_| self.err("invalid UTF-8"))
    }
}

/// How to write JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Indented by 4 spaces, as the AWS CLI prints (non-ASCII kept).
    Pretty,
    /// Python's `json.dumps(v, sort_keys=True)`: `", "` and `": "` separators, keys sorted by code point,
    /// non-ASCII escaped as `\uXXXX` (surrogate pairs above the BMP).
    Python,
    /// One line without spaces, order kept (for messages and tests).
    Compact,
    /// Python's `json.dumps(v)` without `sort_keys`: as [`Style::Python`], members in their order (what botocore
    /// sends as a rest-json body and writes into the SSO caches).
    PythonInOrder,
}

/// Writes `value` as JSON in `style`.
pub fn to_string(value: &Value, style: Style) -> String {
    let mut out = String::new();
    write_value(&mut out, value, style, 0);
    out
}

/// Writes `s` as a JSON string; `ascii_only` escapes everything past `~` as `\uXXXX`, as Python's
/// `json.dumps` does by default.
pub(crate) fn write_string(out: &mut String, s: &str, ascii_only: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (ascii_only && (c as u32) > 0x7e) => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_value(out: &mut String, v: &Value, style: Style, depth: usize) {
    let pretty = style == Style::Pretty;
    let python = matches!(style, Style::Python | Style::PythonInOrder);
    let newline = |out: &mut String, d: usize| {
        out.push('\n');
        for _ in 0..d {
            out.push_str("    ");
        }
    };
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(n),
        Value::String(s) => write_string(out, s, python),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(if python { ", " } else { "," });
                }
                if pretty {
                    newline(out, depth + 1);
                }
                write_value(out, item, style, depth + 1);
            }
            if pretty {
                newline(out, depth);
            }
            out.push(']');
        }
        Value::Object(members) => {
            if members.is_empty() {
                out.push_str("{}");
                return;
            }
            let mut order: Vec<&(String, Value)> = members.iter().collect();
            if style == Style::Python {
                // Python sorts str keys by code point; UTF-8 byte order is the same order.
                order.sort_by(|a, b| a.0.cmp(&b.0));
            }
            out.push('{');
            for (i, (k, val)) in order.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(if python { ", " } else { "," });
                }
                if pretty {
                    newline(out, depth + 1);
                }
                write_string(out, k, python);
                out.push_str(if style == Style::Compact { ":" } else { ": " });
                write_value(out, val, style, depth + 1);
            }
            if pretty {
                newline(out, depth);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_aws_tools_write() {
        let v = parse(
            r#"{"Credentials": {"AccessKeyId": "ASIA", "Expiration": "2026-11-26T18:10:14Z", "n": -1.5e3},
                "list": [1, true, null, "\u00e9\ud83d\ude00\n"], "empty": {}}"#,
        )
        .expect("parses");
        assert_eq!(
            v.get("Credentials")
                .and_then(|c| c.get("AccessKeyId"))
                .and_then(Value::as_str),
            Some("ASIA")
        );
        assert_eq!(
            v.get("list").and_then(Value::as_array).map(<[Value]>::len),
            Some(4)
        );
        assert_eq!(
            v.get("list").and_then(|l| l.as_array()?[3].as_str()),
            Some("é😀\n")
        );
        assert_eq!(v.get("list").and_then(|l| l.as_array()?[0].as_i64()), Some(1));
    }

    #[test]
    fn rejects_malformed_text_without_panicking() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "\"abc",
            "01",
            "1.",
            "-",
            "tru",
            "[1] 2",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\u{1}\"",
            "{1: 2}",
            "[",
            "\"\\u12\"",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn python_dumps_sort_keys_byte_for_byte() {
        // json.dumps({"RoleArn": "arn:aws:iam::456:role/Sysops", "SerialNumber": "arn:aws:iam::789:mfa/é",
        //             "DurationSeconds": 3600}, sort_keys=True)
        let v = Value::object([
            ("SerialNumber", Value::string("arn:aws:iam::789:mfa/é😀")),
            ("RoleArn", Value::string("arn:aws:iam::456:role/Sysops")),
            ("DurationSeconds", Value::Number("3600".into())),
        ]);
        assert_eq!(
            to_string(&v, Style::Python),
            r#"{"DurationSeconds": 3600, "RoleArn": "arn:aws:iam::456:role/Sysops", "SerialNumber": "arn:aws:iam::789:mfa/\u00e9\ud83d\ude00"}"#
        );
    }

    #[test]
    fn python_style_sorts_nested_keys_and_reads_back_to_itself() {
        // Found by fuzzing (a harness that expected key order to survive the sort).
        let v = parse("[{}\r,{\"[\":\r0\r\r\r\n},{\"b\":{}, \"a\": 1}]").expect("parses");
        let out = to_string(&v, Style::Python);
        assert_eq!(out, r#"[{}, {"[": 0}, {"a": 1, "b": {}}]"#);
        assert_eq!(parse(&out).map(|v| to_string(&v, Style::Python)).ok(), Some(out));
    }

    #[test]
    fn pretty_output_round_trips() {
        let v = Value::object([
            ("a", Value::Array(vec![Value::Bool(true), Value::Null])),
            ("b", Value::string("x\"y\\z\u{1}")),
            ("c", Value::object::<String>([])),
        ]);
        let text = to_string(&v, Style::Pretty);
        assert_eq!(parse(&text).ok(), Some(v));
        assert!(text.starts_with("{\n    \"a\": [\n        true,"));
    }
}
