//! Expression text to tokens, by jmespath.py 1.0.1's lexer rules: the whole text is lexed before parsing, so
//! a bad character anywhere is a syntax error even after an earlier parse error. Positions count characters
//! (Python's string indices), for the column in messages.

use super::JmesError;
use super::value::{Val, python_str};
use crate::codec::json::{self, Value};

/// A token's kind and its payload.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    Dot,
    Star,
    RBracket,
    Comma,
    Colon,
    Current,
    LParen,
    RParen,
    LBrace,
    RBrace,
    /// `[`
    LBracket,
    /// `[]`
    Flatten,
    /// `[?`
    Filter,
    Unquoted(String),
    Quoted(String),
    /// A backtick JSON literal or a raw string literal.
    Literal(Value),
    /// An integer; saturated at the i64 range, which indexes and slices treat as Python treats larger ones.
    Number(i64),
    Pipe,
    Or,
    And,
    Expref,
    Lt,
    Lte,
    Gt,
    Gte,
    Eq,
    Ne,
    Not,
    Eof,
}

impl Tok {
    /// jmespath.py's name for the token type, upper-cased as its parse errors print it.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Tok::Dot => "dot",
            Tok::Star => "star",
            Tok::RBracket => "rbracket",
            Tok::Comma => "comma",
            Tok::Colon => "colon",
            Tok::Current => "current",
            Tok::LParen => "lparen",
            Tok::RParen => "rparen",
            Tok::LBrace => "lbrace",
            Tok::RBrace => "rbrace",
            Tok::LBracket => "lbracket",
            Tok::Flatten => "flatten",
            Tok::Filter => "filter",
            Tok::Unquoted(_) => "unquoted_identifier",
            Tok::Quoted(_) => "quoted_identifier",
            Tok::Literal(_) => "literal",
            Tok::Number(_) => "number",
            Tok::Pipe => "pipe",
            Tok::Or => "or",
            Tok::And => "and",
            Tok::Expref => "expref",
            Tok::Lt => "lt",
            Tok::Lte => "lte",
            Tok::Gt => "gt",
            Tok::Gte => "gte",
            Tok::Eq => "eq",
            Tok::Ne => "ne",
            Tok::Not => "not",
            Tok::Eof => "eof",
        }
    }
}

/// A token, where it starts (in characters) and its text as written, for messages.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) start: usize,
    pub(crate) text: String,
}

/// All the tokens of `expr`, ending with `Eof`.
pub(crate) fn tokenize(expr: &str) -> Result<Vec<Token>, JmesError> {
    if expr.is_empty() {
        return Err(JmesError::empty());
    }
    let mut lx = Lexer {
        chars: expr.chars().collect(),
        pos: 0,
        expr,
    };
    let mut out = Vec::new();
    while let Some(c) = lx.peek() {
        let start = lx.pos;
        let simple = match c {
            '.' => Some(Tok::Dot),
            '*' => Some(Tok::Star),
            ']' => Some(Tok::RBracket),
            ',' => Some(Tok::Comma),
            ':' => Some(Tok::Colon),
            '@' => Some(Tok::Current),
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '{' => Some(Tok::LBrace),
            '}' => Some(Tok::RBrace),
            _ => None,
        };
        let tok = if let Some(tok) = simple {
            lx.pos += 1;
            tok
        } else if c.is_ascii_alphabetic() || c == '_' {
            let name = lx.take_while(|c| c.is_ascii_alphanumeric() || c == '_');
            Tok::Unquoted(name)
        } else if matches!(c, ' ' | '\t' | '\n' | '\r') {
            lx.pos += 1;
            continue;
        } else if c == '[' {
            lx.pos += 1;
            match lx.peek() {
                Some(']') => {
                    lx.pos += 1;
                    Tok::Flatten
                }
                Some('?') => {
                    lx.pos += 1;
                    Tok::Filter
                }
                _ => Tok::LBracket,
            }
        } else if c == '\'' {
            // Raw string: only `\'` is unescaped; every other backslash stays as written.
            Tok::Literal(Value::String(lx.until('\'')?.replace("\\'", "'")))
        } else if c == '`' {
            lx.literal()?
        } else if c == '"' {
            lx.quoted_identifier()?
        } else if c.is_ascii_digit() || c == '-' {
            lx.pos += 1;
            let rest = lx.take_while(|c| c.is_ascii_digit());
            if c == '-' && rest.is_empty() {
                return Err(lx.error(start, "Unknown token '-'"));
            }
            let digits = if c == '-' { rest } else { format!("{c}{rest}") };
            Tok::Number(saturating_int(c == '-', &digits))
        } else {
            lx.pos += 1;
            let next = lx.peek();
            let (two, one) = match c {
                '|' => (Tok::Or, Some(Tok::Pipe)),
                '&' => (Tok::And, Some(Tok::Expref)),
                '<' => (Tok::Lte, Some(Tok::Lt)),
                '>' => (Tok::Gte, Some(Tok::Gt)),
                '!' => (Tok::Ne, Some(Tok::Not)),
                '=' => (Tok::Eq, None),
                _ => {
                    return Err(lx.error(start, &format!("Unknown token {c}")));
                }
            };
            let second = if c == '|' || c == '&' { c } else { '=' };
            if next == Some(second) {
                lx.pos += 1;
                two
            } else if let Some(one) = one {
                one
            } else {
                return Err(lx.error(start, "Unknown token '='"));
            }
        };
        // The token's value as jmespath.py's messages print it: a literal's or a name's value, else the text.
        let text = match &tok {
            Tok::Literal(v) => python_str(&Val::Json(v)),
            Tok::Quoted(name) => name.clone(),
            _ => lx.chars[start..lx.pos].iter().collect(),
        };
        out.push(Token { tok, start, text });
    }
    out.push(Token {
        tok: Tok::Eof,
        start: lx.chars.len(),
        text: String::new(),
    });
    Ok(out)
}

/// The value of a number token's digits, saturated at the i64 range.
fn saturating_int(negative: bool, digits: &str) -> i64 {
    digits.bytes().fold(0i64, |n, d| {
        let d = i64::from(d - b'0');
        if negative {
            n.saturating_mul(10).saturating_sub(d)
        } else {
            n.saturating_mul(10).saturating_add(d)
        }
    })
}

struct Lexer<'e> {
    chars: Vec<char>,
    pos: usize,
    expr: &'e str,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn take_while(&mut self, ok: impl Fn(char) -> bool) -> String {
        let start = self.pos;
        while self.peek().is_some_and(&ok) {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn error(&self, at: usize, message: &str) -> JmesError {
        JmesError::lexer(self.expr, at, message)
    }

    /// The text up to the closing `delim`, past the opening one; a backslash keeps itself and the character
    /// after it (so an escaped delimiter does not close), as jmespath.py's `_consume_until`.
    fn until(&mut self, delim: char) -> Result<String, JmesError> {
        let start = self.pos;
        self.pos += 1;
        let mut buf = String::new();
        loop {
            let Some(mut c) = self.peek() else {
                return Err(self.error(start, &format!("Unclosed {delim} delimiter")));
            };
            if c == delim {
                break;
            }
            if c == '\\' {
                buf.push('\\');
                self.pos += 1;
                match self.peek() {
                    Some(next) => c = next,
                    None => continue,
                }
            }
            buf.push(c);
            self.pos += 1;
        }
        self.pos += 1;
        Ok(buf)
    }

    /// A backtick literal: JSON, or else (JEP-12's deprecated form, still accepted by jmespath.py) the text
    /// read as the inside of a JSON string.
    fn literal(&mut self) -> Result<Tok, JmesError> {
        let start = self.pos;
        let lexeme = self.until('`')?.replace("\\`", "`");
        if let Ok(v) = json::parse(&lexeme) {
            return Ok(Tok::Literal(v));
        }
        // Python's json.loads reads these three names as floats.
        let bare = lexeme.trim_matches([' ', '\t', '\n', '\r']);
        if matches!(bare, "NaN" | "Infinity" | "-Infinity") {
            return Ok(Tok::Literal(Value::Number(bare.into())));
        }
        let bad = || self.error(start, &format!("Bad token {lexeme}"));
        // Valid JSON nested deeper than the JSON reader allows must not turn into a string silently.
        if too_deep(&lexeme) {
            return Err(bad());
        }
        // Python's str.lstrip(): Unicode whitespace, and the four separators Python counts as space.
        let trimmed =
            lexeme.trim_start_matches(|c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c));
        match json::parse(&format!("\"{trimmed}\"")) {
            Ok(v) => Ok(Tok::Literal(v)),
            Err(_) => Err(bad()),
        }
    }

    fn quoted_identifier(&mut self) -> Result<Tok, JmesError> {
        let start = self.pos;
        let lexeme = format!("\"{}\"", self.until('"')?);
        match json::parse(&lexeme) {
            Ok(Value::String(s)) => Ok(Tok::Quoted(s)),
            _ => Err(self.error(start, json_string_problem(&lexeme))),
        }
    }
}

/// The first reason Python's JSON reader gives for refusing a quoted identifier.
fn json_string_problem(lexeme: &str) -> &'static str {
    let mut chars = lexeme.chars().skip(1);
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('u') => {
                    let hex: String = chars.clone().take(4).collect();
                    if hex.len() < 4 || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                        return "Invalid \\uXXXX escape";
                    }
                }
                Some('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't') => {}
                _ => return "Invalid \\escape",
            },
            c if (c as u32) < 0x20 => return "Invalid control character at",
            _ => {}
        }
    }
    // Python takes lone surrogates, which a Rust string cannot hold.
    "Invalid \\uXXXX escape"
}

/// Whether brackets outside strings nest deeper than the JSON reader's limit.
fn too_deep(text: &str) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for c in text.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                if depth > 64 {
                    return true;
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}
