//! The AWS CLI's "shorthand syntax" for structured parameters (`--tagging 'TagSet=[{Key=a,Value=b}]'`):
//! `key=value` pairs separated by `,`, where a value is a scalar, a csv list (`Key=a,b,c`), an explicit list
//! (`[a,b]`) or a hash literal (`{k=v,...}`), nested freely, with single- or double-quoted scalars.
//!
//! It follows awscli's `awscli/shorthand.py` (`ShorthandParser`, the same in v1 and v2) rule for rule,
//! including its quirks, so that a command line means what it means to the AWS CLI: which characters a key
//! and an unquoted value may hold, where whitespace is skipped or stripped, `\,` in unquoted values, the
//! lookahead that makes `a=b,c=d` two keys but `a=b,c` a list, and the errors. Every scalar stays a string, as
//! there: the caller converts by the model. Positions are counted in characters, as Python counts them.
//!
//! Not followed: `key@=file://...` (awscli reads the file) is an error here, as this module is pure; and
//! nesting is limited to [`MAX_DEPTH`] levels, where Python would raise `RecursionError` far deeper.

use crate::codec::json::Value;
use crate::error::{Error, Result};
use std::collections::HashMap;

/// Deepest nesting of `[..]` and `{..}` accepted: far more than any S3 parameter needs.
const MAX_DEPTH: usize = 32;

/// Parses shorthand `text` into an object of its keys in the order written; scalars are strings, `[..]` and
/// csv values arrays, `{..}` objects. A syntax error is a usage error saying what was expected where.
pub(crate) fn parse(text: &str) -> Result<Value> {
    let mut p = Parser {
        s: text.chars().collect(),
        i: 0,
        files: false,
    };
    p.parameter().map_err(|f| f.into_error(&p.s))
}

/// Why parsing stopped, and at which character.
enum Fail {
    /// awscli's `ShorthandParseSyntaxError`, the one failure a csv value backtracks on: (expected, at,
    /// pattern). With `pattern`, a value pattern did not match (awscli says received `<none>`); otherwise the
    /// character at `at` was not the one expected.
    Syntax(&'static str, usize, bool),
    /// Any other failure: (what went wrong, at, text to go after the input).
    Other(String, usize, &'static str),
}

impl Fail {
    fn into_error(self, s: &[char]) -> Error {
        let (head, at, tail) = match self {
            Fail::Syntax(expected, at, pattern) => {
                let got = match s.get(at) {
                    _ if pattern => "<none>".to_owned(),
                    Some(c) => c.to_string(),
                    None => "EOF".to_owned(),
                };
                (format!("Expected: '{expected}', received: '{got}'"), at, "")
            }
            Fail::Other(head, at, tail) => (head, at, tail),
        };
        // One line: control characters (newlines above all) are shown escaped, and a position replaces
        // awscli's caret line.
        let shown: String = s
            .iter()
            .map(|&c| match c {
                c if c.is_control() => c.escape_default().to_string(),
                c => c.to_string(),
            })
            .collect();
        let place = if at < s.len() {
            format!("at character {}", at + 1)
        } else {
            "at the end".to_owned()
        };
        Error::usage(format!("{head} for input: {shown} ({place}){tail}"))
    }
}

type Res<T> = std::result::Result<T, Fail>;

/// Whitespace as Python's `str.isspace` (what `\s` and `rstrip()` use): Unicode's, plus U+001C..U+001F.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Whether `c` may be in an unquoted value: awscli's character classes, which all leave out `"`, `'`, `,`,
/// ASCII controls and anything beyond U+FFFF. The first character (`follow` None) may not be an ASCII space,
/// `=`, `[` or `{`; later ones may be any `py_space` but none of `follow`.
fn word_char(c: char, follow: Option<&str>) -> bool {
    match follow {
        _ if c > ' ' => c <= '\u{ffff}' && !"\"',".contains(c) && !follow.unwrap_or("=[{").contains(c),
        Some(_) => py_space(c),
        None => false,
    }
}

struct Parser {
    s: Vec<char>,
    i: usize,
    /// The current key was written `key@=`, whose values awscli reads from `file://` paths.
    files: bool,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn at_eof(&self) -> bool {
        self.i >= self.s.len()
    }

    /// Skips whitespace as Python's `string.whitespace` (ASCII only, unlike `py_space`).
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t'..='\r')) {
            self.i += 1;
        }
    }

    /// Consumes `c` (a one-character string, for the message), with whitespace around it if `ws`.
    fn expect(&mut self, c: &'static str, ws: bool) -> Res<()> {
        if ws {
            self.skip_ws();
        }
        if self.peek() != c.chars().next() {
            return Err(Fail::Syntax(c, self.i, false));
        }
        self.i += 1;
        if ws {
            self.skip_ws();
        }
        Ok(())
    }

    /// parameter = keyval *("," keyval); a repeated key is an error here (unlike in `{..}`), as it is most
    /// likely a `,` typed for a space.
    fn parameter(&mut self) -> Res<Value> {
        let mut members = Vec::new();
        let mut seen = HashMap::new();
        let (key, value) = self.keyval()?;
        insert(&mut members, &mut seen, key, value);
        while !self.at_eof() {
            let last = self.i;
            self.expect(",", true)?;
            let (key, value) = self.keyval()?;
            if let Some((key, _)) = insert(&mut members, &mut seen, key, value) {
                return Err(Fail::Other(
                    format!("Second instance of key \"{key}\" encountered"),
                    last + 1,
                    ". This is often because there is a preceding \",\" instead of a space.",
                ));
            }
        }
        Ok(Value::Object(members))
    }

    fn keyval(&mut self) -> Res<(String, Value)> {
        let key = self.key()?;
        let value = match self.peek() {
            None => Value::string(""),
            Some('[' | '{') => self.element(0)?,
            Some(_) => self.csv_value()?,
        };
        Ok((key, value))
    }

    /// A key (possibly empty) of ASCII letters, digits and `-_.#/:`, then `=` or `@=`.
    fn key(&mut self) -> Res<String> {
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || "-_.#/:".contains(c))
        {
            self.i += 1;
        }
        let key = self.s.get(start..self.i).unwrap_or_default().iter().collect();
        self.files = self.expect("@", true).is_ok();
        self.expect("=", true)?;
        Ok(key)
    }

    /// A scalar, or a list if more follow after `,` (`a=b,c`): each candidate is taken until one is followed
    /// by `=` or is not a value, which means it began the next key, so parsing backs up to the `,` before it.
    fn csv_value(&mut self) -> Res<Value> {
        let first = self.first_value()?;
        self.skip_ws();
        if self.peek() != Some(',') {
            return Ok(Value::String(first));
        }
        self.expect(",", true)?;
        let mut list = Vec::new();
        loop {
            match self.csv_item() {
                Ok((value, end)) => {
                    list.push(Value::String(value));
                    if end {
                        break;
                    }
                }
                Err(Fail::Syntax(..)) if !self.at_eof() => {
                    // Back to the nearest ',' at or before the failure, as awscli does (even one inside the
                    // value just read, if it held `\,` or a quoted comma).
                    let upto = self.s.get(..=self.i).unwrap_or_default();
                    self.i = upto.iter().rposition(|&c| c == ',').unwrap_or(0);
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        if list.is_empty() {
            return Ok(Value::String(first)); // `a=b,c=d`: `b` alone is a scalar, not a list of one
        }
        list.insert(0, Value::String(first));
        Ok(Value::Array(list))
    }

    /// One further csv value and the `,` after it; true if it ended the input instead.
    fn csv_item(&mut self) -> Res<(String, bool)> {
        let value = match self.peek() {
            Some(q @ ('\'' | '"')) => self.quoted(q)?,
            _ => {
                let start = self.i;
                let value = self.word(Some("="));
                if self.i == start {
                    return Err(Fail::Syntax("<second>", start, true));
                }
                self.file_value(value)?
            }
        };
        self.skip_ws();
        if self.at_eof() {
            return Ok((value, true));
        }
        self.expect(",", true)?;
        Ok((value, false))
    }

    /// An element of `[..]` or a value in `{..}`: a list, a hash, or a scalar (possibly empty).
    fn element(&mut self, depth: usize) -> Res<Value> {
        let open = self.peek();
        if matches!(open, Some('[' | '{')) && depth >= MAX_DEPTH {
            return Err(Fail::Other(
                format!("Nesting deeper than {MAX_DEPTH} levels"),
                self.i,
                "",
            ));
        }
        let (close, hash) = match open {
            Some('[') => (']', false),
            Some('{') => ('}', true),
            _ => return self.first_value().map(Value::String),
        };
        self.i += 1;
        self.skip_ws();
        let mut items = Vec::new();
        let (mut members, mut seen) = (Vec::new(), HashMap::new());
        while self.peek() != Some(close) {
            let key = if hash { Some(self.key()?) } else { None };
            let value = self.element(depth + 1)?;
            self.skip_ws();
            if self.peek() != Some(close) {
                self.expect(",", false)?;
                self.skip_ws();
            }
            // In `{..}` a repeated key takes the later value in the first key's place, as a Python dict does.
            match key {
                Some(key) => _ = insert(&mut members, &mut seen, key, value),
                None => items.push(value),
            }
        }
        self.i += 1;
        Ok(if hash {
            Value::Object(members)
        } else {
            Value::Array(items)
        })
    }

    /// A quoted scalar or an unquoted one; unquoted, it may be empty (nothing consumed).
    fn first_value(&mut self) -> Res<String> {
        match self.peek() {
            Some(q @ ('\'' | '"')) => self.quoted(q),
            _ => {
                let value = self.word(Some("]}"));
                self.file_value(value)
            }
        }
    }

    /// The longest run of value characters (`follow`: see `word_char`), `\,` taken as `,`, trailing
    /// whitespace dropped.
    fn word(&mut self, follow: Option<&str>) -> String {
        let mut out = String::new();
        let mut class = None;
        loop {
            match (self.peek(), self.s.get(self.i + 1)) {
                (Some('\\'), Some(',')) => {
                    out.push(',');
                    self.i += 2;
                }
                (Some(c), _) if word_char(c, class) => {
                    out.push(c);
                    self.i += 1;
                }
                _ => break,
            }
            class = follow;
        }
        out.truncate(out.trim_end_matches(py_space).len());
        out
    }

    /// A value quoted with `q`, where `\q` stands for `q` and `\\` for `\`. It ends at the first `q` not
    /// preceded by `\`, or failing one at the last `\q` (what awscli's backtracking regex matches).
    fn quoted(&mut self, q: char) -> Res<String> {
        let open = self.i;
        let rest = self.s.get(open + 1..).unwrap_or_default();
        let unescaped = |j: usize| j == 0 || rest.get(j - 1) != Some(&'\\');
        let first = rest.iter().enumerate().position(|(j, &c)| c == q && unescaped(j));
        let Some(end) = first.or_else(|| rest.iter().rposition(|&c| c == q)) else {
            let what = if q == '"' {
                "<double quoted>"
            } else {
                "<single quoted>"
            };
            return Err(Fail::Syntax(what, open, true));
        };
        let inner: String = rest.get(..end).unwrap_or_default().iter().collect();
        self.i = open + end + 2;
        let value = inner
            .replace(&format!("\\{q}"), &q.to_string())
            .replace("\\\\", "\\");
        self.file_value(value)
    }

    /// `value`, unless after `key@=` it names a file, which awscli would read and this module cannot.
    fn file_value(&self, value: String) -> Res<String> {
        if self.files && (value.starts_with("file://") || value.starts_with("fileb://")) {
            return Err(Fail::Other(
                format!("Reading '{value}' for 'key@=' is not supported"),
                self.i,
                "",
            ));
        }
        Ok(value)
    }
}

/// Adds `key: value` to `members`, or replaces the value of an earlier `key` in its place, returning the
/// earlier member. `seen` maps keys to their index, so long inputs stay linear.
fn insert(
    members: &mut Vec<(String, Value)>,
    seen: &mut HashMap<String, usize>,
    key: String,
    value: Value,
) -> Option<(String, Value)> {
    if let Some(m) = seen.get(&key).and_then(|&at| members.get_mut(at)) {
        return Some(std::mem::replace(m, (key, value)));
    }
    seen.insert(key.clone(), members.len());
    members.push((key, value));
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::json;
    use crate::error::ErrorKind;

    /// Each input, then what awscli 1.46.3's `ShorthandParser().parse` returns for it, as JSON.
    fn check(cases: &[(&str, &str)]) {
        for (input, expected) in cases {
            let want = json::parse(expected).unwrap_or_else(|e| panic!("{expected}: {e}"));
            match parse(input) {
                Ok(got) => assert_eq!(got, want, "input {input:?}"),
                Err(e) => panic!("input {input:?}: {e}"),
            }
        }
    }

    fn message(input: &str) -> String {
        match parse(input) {
            Ok(v) => panic!("input {input:?} parsed as {v:?}"),
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Usage, "input {input:?}");
                e.message().to_owned()
            }
        }
    }

    #[test]
    fn keys_and_scalars() {
        check(&[
            ("a=b", r#"{"a": "b"}"#),
            ("a=b,c=d", r#"{"a": "b", "c": "d"}"#),
            ("a=", r#"{"a": ""}"#),
            ("a=,b=c", r#"{"a": "", "b": "c"}"#),
            ("=b", r#"{"": "b"}"#),
            ("k-_.#/:=v", r#"{"k-_.#/:": "v"}"#),
            ("a=b=c", r#"{"a": "b=c"}"#),
            ("a=file://x", r#"{"a": "file://x"}"#),
            ("a@=b", r#"{"a": "b"}"#),
            // The flag `@=` sets is reset by the key inside `{..}`, so the file is not read (awscli alike).
            ("a@=[{b=c},file://x]", r#"{"a": [{"b": "c"}, "file://x"]}"#),
        ]);
    }

    #[test]
    fn s3_parameters() {
        check(&[
            (
                "LocationConstraint=eu-west-1",
                r#"{"LocationConstraint": "eu-west-1"}"#,
            ),
            (
                "TagSet=[{Key=a,Value=b}]",
                r#"{"TagSet": [{"Key": "a", "Value": "b"}]}"#,
            ),
            ("Status=Enabled", r#"{"Status": "Enabled"}"#),
            (
                "Mode=GOVERNANCE,RetainUntilDate=2030-01-01T00:00:00Z",
                r#"{"Mode": "GOVERNANCE", "RetainUntilDate": "2030-01-01T00:00:00Z"}"#,
            ),
            (
                "Objects=[{Key=a},{Key=b}],Quiet=true",
                r#"{"Objects": [{"Key": "a"}, {"Key": "b"}], "Quiet": "true"}"#,
            ),
            (
                "a=b,c=[1,2],d={e=f}",
                r#"{"a": "b", "c": ["1", "2"], "d": {"e": "f"}}"#,
            ),
        ]);
    }

    #[test]
    fn whitespace() {
        check(&[
            ("a=b ", r#"{"a": "b"}"#),
            ("a = b", r#"{"a": "b"}"#),
            ("a=b ,c=d", r#"{"a": "b", "c": "d"}"#),
            ("a=b, c=d", r#"{"a": "b", "c": "d"}"#),
            ("a=b c", r#"{"a": "b c"}"#),
            ("a=b\t", r#"{"a": "b"}"#),
            ("a=[ 1 , 2 ]", r#"{"a": ["1", "2"]}"#),
            ("a={ b = c , d = e }", r#"{"a": {"b": "c", "d": "e"}}"#),
            ("a=[1] ,b=2", r#"{"a": ["1"], "b": "2"}"#),
            // Python's rstrip() strips U+001C..U+001F and U+00A0, but only ASCII whitespace is skipped before
            // a value.
            ("a=b\u{1c}", r#"{"a": "b"}"#),
            ("a=\u{a0}b\u{a0}", r#"{"a": "\u00a0b"}"#),
            // A newline is whitespace inside an unquoted value, and `=` a value character.
            ("a=b\nc=d", r#"{"a": "b\nc=d"}"#),
        ]);
    }

    #[test]
    fn quotes_and_escapes() {
        check(&[
            ("a='b,c'", r#"{"a": "b,c"}"#),
            ("a=\"b,c\"", r#"{"a": "b,c"}"#),
            ("a=''", r#"{"a": ""}"#),
            ("a=' b '", r#"{"a": " b "}"#),
            ("a='it\\'s'", r#"{"a": "it's"}"#),
            ("a=\"say \\\"hi\\\"\"", r#"{"a": "say \"hi\""}"#),
            ("a='a\\\\b'", r#"{"a": "a\\b"}"#),
            // No unescaped closing quote: the last escaped one closes.
            ("a='abc\\'", r#"{"a": "abc\\"}"#),
            ("a=b,\"c\",d", r#"{"a": ["b", "c", "d"]}"#),
            ("a=\"x\" ,b=y", r#"{"a": "x", "b": "y"}"#),
            ("a=b\\,c", r#"{"a": "b,c"}"#),
            ("a=b\\,c,d", r#"{"a": ["b,c", "d"]}"#),
            ("a=b\\c", r#"{"a": "b\\c"}"#),
        ]);
    }

    #[test]
    fn csv_values_and_lookahead() {
        check(&[
            ("a=b,c,d", r#"{"a": ["b", "c", "d"]}"#),
            ("a=b,c,d=e", r#"{"a": ["b", "c"], "d": "e"}"#),
            ("a=b, c", r#"{"a": ["b", "c"]}"#),
            ("a=b,c ,d", r#"{"a": ["b", "c", "d"]}"#),
            ("a=b,'c',e=f", r#"{"a": ["b", "c"], "e": "f"}"#),
            ("a=b,c,=d", r#"{"a": ["b", "c"], "": "d"}"#),
            ("a=b,,c=d", r#"{"a": "b", "c": "d"}"#),
            ("a=x,y]", r#"{"a": ["x", "y]"]}"#),
            // Backing up stops at the escaped comma inside `c\,d`: `c\` is lost, as in awscli.
            ("a=b,c\\,d=e", r#"{"a": "b", "d": "e"}"#),
        ]);
    }

    #[test]
    fn lists_and_hashes() {
        check(&[
            ("a=[1,2]", r#"{"a": ["1", "2"]}"#),
            ("a=[]", r#"{"a": []}"#),
            ("a=[ ]", r#"{"a": []}"#),
            ("a=[,]", r#"{"a": [""]}"#),
            ("a=[a,]", r#"{"a": ["a"]}"#),
            ("a=[a,,b]", r#"{"a": ["a", "", "b"]}"#),
            ("a=[a b]", r#"{"a": ["a b"]}"#),
            ("a=[a=b]", r#"{"a": ["a=b"]}"#),
            ("a=[[1,2],[3]]", r#"{"a": [["1", "2"], ["3"]]}"#),
            ("a=[1],b=2", r#"{"a": ["1"], "b": "2"}"#),
            ("a={a=b,c=d}", r#"{"a": {"a": "b", "c": "d"}}"#),
            ("a={}", r#"{"a": {}}"#),
            ("a={a=1,}", r#"{"a": {"a": "1"}}"#),
            ("a={=x}", r#"{"a": {"": "x"}}"#),
            ("a={a=x=y}", r#"{"a": {"a": "x=y"}}"#),
            // A repeated key inside `{..}` keeps its first place and takes the last value (a Python dict).
            ("a={a=1,b=2,a=3}", r#"{"a": {"a": "3", "b": "2"}}"#),
            ("a={b={c=d}}", r#"{"a": {"b": {"c": "d"}}}"#),
            ("a=[{b=[1,{c=d}]}]", r#"{"a": [{"b": ["1", {"c": "d"}]}]}"#),
        ]);
    }

    #[test]
    fn non_ascii() {
        check(&[
            ("a=é,b=ü", r#"{"a": "é", "b": "ü"}"#),
            ("a=日本語", r#"{"a": "日本語"}"#),
            ("a='x😀'", r#"{"a": "x😀"}"#),
        ]);
        // Unquoted, a character beyond U+FFFF ends the value (awscli's classes stop at U+FFFF).
        assert!(message("a=x😀").starts_with("Expected: ',', received: '😀' "));
    }

    #[test]
    fn syntax_errors() {
        // Input, then awscli's ShorthandParseSyntaxError: expected, actual, index (in characters).
        let cases = [
            ("", "=", "EOF", 0),
            ("a", "=", "EOF", 1),
            (",", "=", ",", 0),
            ("  a=b", "=", "a", 2),
            ("k!=v", "=", "!", 1),
            ("a=b,", "<second>", "<none>", 4),
            ("a=b,c,", "<second>", "<none>", 6),
            ("a=[1] ", ",", "EOF", 6),
            ("a={a=}", ",", "EOF", 6),
            ("a={a=b,c}", "=", "}", 8),
            ("a='abc", "<single quoted>", "<none>", 2),
            ("a=\"abc", "<double quoted>", "<none>", 2),
            ("a=[", ",", "EOF", 3),
            ("a=[1", ",", "EOF", 4),
            ("a={", "=", "EOF", 3),
            ("a={a=1", ",", "EOF", 6),
            ("a=b,'c", "=", "'", 4),
            ("a=b]", ",", "]", 3),
            ("a=[1]x", ",", "x", 5),
            ("a='x'y", ",", "y", 5),
            ("a='a\\\\',b='x'", ",", "x", 11),
        ];
        for (input, expected, actual, at) in cases {
            let place = if at < input.chars().count() {
                format!("at character {}", at + 1)
            } else {
                "at the end".to_owned()
            };
            let want = format!("Expected: '{expected}', received: '{actual}' for input: {input} ({place})");
            assert_eq!(message(input), want, "input {input:?}");
        }
        // One line, whatever the input holds.
        assert_eq!(
            message("a=[1]\n"),
            "Expected: ',', received: 'EOF' for input: a=[1]\\n (at the end)"
        );
    }

    #[test]
    fn duplicate_keys() {
        assert_eq!(
            message("a=b,a=c"),
            "Second instance of key \"a\" encountered for input: a=b,a=c (at character 5). This is often \
             because there is a preceding \",\" instead of a space."
        );
        assert!(message("a=1,b=[2],a=3").contains("(at character 11)"));
    }

    #[test]
    fn files_are_not_read() {
        for input in [
            "a@=file://x",
            "a@='fileb://x'",
            "a@=b,file://x",
            "a=[{b@=x},file://y]",
        ] {
            assert!(message(input).contains("is not supported"), "input {input:?}");
        }
    }

    #[test]
    fn hostile_inputs() {
        let nested = |n: usize| format!("a={}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(&nested(MAX_DEPTH)).is_ok());
        assert!(message(&nested(MAX_DEPTH + 1)).starts_with("Nesting deeper than 32 levels"));
        for open in ["[", "{", "[{a=", "{a=["] {
            assert!(parse(&format!("a={}", open.repeat(100_000))).is_err());
        }
        // Long but flat inputs stay fast (no quadratic key checks or rescans).
        let many: Vec<String> = (0..20_000).map(|i| format!("k{i}=v")).collect();
        assert!(parse(&many.join(",")).is_ok());
        let list = parse(&format!("a={}x", "x,".repeat(20_000))).expect("a list");
        assert_eq!(
            list.get("a").and_then(Value::as_array).map(<[Value]>::len),
            Some(20_001)
        );
        assert!(parse(&format!("a='{}", "\\'".repeat(20_000))).is_ok());
        // Every short string over the syntax's characters: an answer or an error, never a panic.
        let alphabet = [
            'a', '=', ',', '[', ']', '{', '}', '\'', '"', '\\', ' ', '@', 'é', '😀',
        ];
        let mut stack = vec![String::new()];
        while let Some(s) = stack.pop() {
            let _ = parse(&s);
            if s.chars().count() < 4 {
                stack.extend(alphabet.iter().map(|c| format!("{s}{c}")));
            }
        }
    }
}
