//! The AWS CLI's output formats (`--output json|text|table|yaml|yaml-stream`) for one document, as pure
//! functions of the document (after `--query`).
//!
//! The AWS CLI formats Python objects: botocore's parsed response, or what `json.loads` would make of awl's
//! JSON. So a document is first read as Python would hold it ([`Py`]): integers stay exact, other numbers
//! become floats (`1e3` is `1000.0`, `-0` is `0`), a repeated key keeps its first place and its last value.
//! Each format then follows the AWS CLI v2's source (`awscli/formatter.py`; `text.py`, `table.py`): v1 and
//! v2 are the same there, apart from v2's YAML formats.
//!
//! The AWS CLI prints nothing for an empty object (an operation without output), in every format.
//!
//! What is not reproduced, and why:
//! - colour: on a terminal (`--color auto`) or with `--color on`, v2 colours a table's cells and borders with
//!   ANSI codes; [`render`] gives the `--color off` table;
//! - paging: for an operation it paginates, the AWS CLI's text formatter prints page by page (each page's
//!   result keys set, a missing one as `None`); [`render`] formats the one document it is given;
//! - Python's exception text for the rarest failures (a list of objects that also holds a list of numbers,
//!   which Python then uses as indexes): both fail, the messages differ;
//! - `repr()` of a string with unassigned or other exotic non-printable code points (Python escapes them;
//!   [`render`] knows the usual ones), and character widths of code points newer than Unicode 14.

mod resolver;
mod table;
mod text;
mod width;
mod yaml;

#[cfg(test)]
mod differential;

use crate::codec::json::{self, Value};
use std::collections::HashMap;
use std::fmt::Write as _;

/// An output format, as `--output` (or `AWS_DEFAULT_OUTPUT`, or a profile's `output`) names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// `json`: indented by 4, non-ASCII kept, then a newline.
    Json,
    /// `text`: tab-separated lines, as `awscli/text.py` flattens a document.
    Text,
    /// `table`: boxed sections, as `awscli/table.py` draws them.
    Table,
    /// `yaml` (AWS CLI v2 only): ruamel.yaml's safe dumper, block style.
    Yaml,
    /// `yaml-stream` (AWS CLI v2 only): each page as a one-item YAML list; awl prints one page.
    YamlStream,
    /// `off` (AWS CLI v2 only): nothing on stdout.
    Off,
}

impl Format {
    /// The format named `name` as the AWS CLI v2 spells it (`json`, `text`, `table`, `yaml`, `yaml-stream`,
    /// `off`), or `None`.
    pub(crate) fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "json" => Format::Json,
            "text" => Format::Text,
            "table" => Format::Table,
            "yaml" => Format::Yaml,
            "yaml-stream" => Format::YamlStream,
            "off" => Format::Off,
            _ => return None,
        })
    }
}

/// A document the AWS CLI's formatter raises an exception on (a list mixing objects with other values, rows
/// of different lengths in a table): the AWS CLI then prints `message` on stderr and exits 255. `Debug`
/// leaves out what was printed, which may hold credentials.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    /// What the AWS CLI had written to stdout before it failed (`text` writes as it goes; the others
    /// write nothing).
    pub(crate) printed: String,
    /// Python's exception text, as the AWS CLI shows it.
    pub(crate) message: String,
}

impl std::fmt::Debug for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Failure")
            .field("message", &self.message)
            .field("printed_bytes", &self.printed.len())
            .finish()
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// `doc` in `format`, as the AWS CLI v2 prints the result of the operation `operation` (its API name, such
/// as `GetCallerIdentity`: the title of a table), with `width` the terminal's columns (80 when stdout is not
/// a terminal: the table is turned vertical when wider). The text ends with a newline unless it is empty.
pub(crate) fn render(doc: &Value, format: Format, operation: &str, width: usize) -> Result<String, Failure> {
    let doc = Py::from_json(doc);
    // The AWS CLI's "no output" check (`response != {}`) comes first for json, yaml and yaml-stream; text
    // and table print nothing for an empty object by their own rules.
    let empty = matches!(&doc, Py::Dict(members) if members.is_empty());
    match format {
        Format::Off => Ok(String::new()),
        Format::Json if empty => Ok(String::new()),
        Format::Json => Ok(json_text(&doc)),
        Format::Text => {
            let mut out = String::new();
            match text::format_text(&doc, &mut out) {
                Ok(()) => Ok(out),
                Err(message) => Err(Failure {
                    printed: out,
                    message,
                }),
            }
        }
        Format::Table => table::format_table(&doc, operation, width).map_err(|message| Failure {
            printed: String::new(),
            message,
        }),
        Format::Yaml | Format::YamlStream if empty => Ok(String::new()),
        Format::Yaml => Ok(yaml::dump(&doc)),
        Format::YamlStream => Ok(yaml::dump(&Py::List(vec![doc]))),
    }
}

/// A document as Python holds it after `json.loads`: what the AWS CLI's formatters see. No `Debug`: unlike
/// [`Value`]'s, it would show secret members.
pub(super) enum Py {
    None,
    Bool(bool),
    /// An integer, as `str(int)` prints it (or a number's text Python could not read, kept as it is).
    Int(String),
    Float(f64),
    Str(String),
    List(Vec<Py>),
    /// Members in first-insertion order, keys unique.
    Dict(Vec<(String, Py)>),
}

impl Py {
    /// `v` as `json.loads` reads its text.
    pub(super) fn from_json(v: &Value) -> Py {
        match v {
            Value::Null => Py::None,
            Value::Bool(b) => Py::Bool(*b),
            Value::Number(n) => number(n),
            Value::String(s) => Py::Str(s.clone()),
            Value::Array(items) => Py::List(items.iter().map(Py::from_json).collect()),
            Value::Object(members) => {
                // A Python dict keeps a repeated key where it first came, with the last value. Indexed, so
                // that a large object costs no more than its size.
                let mut out: Vec<(String, Py)> = Vec::with_capacity(members.len());
                let mut place: HashMap<&str, usize> = HashMap::with_capacity(members.len());
                for (k, v) in members {
                    let v = Py::from_json(v);
                    match place.get(k.as_str()).and_then(|&i| out.get_mut(i)) {
                        Some(slot) => slot.1 = v,
                        None => {
                            place.insert(k, out.len());
                            out.push((k.clone(), v));
                        }
                    }
                }
                Py::Dict(out)
            }
        }
    }

    /// Whether this is a list or a dict (`isinstance(v, (list, dict))`).
    pub(super) fn is_container(&self) -> bool {
        matches!(self, Py::List(_) | Py::Dict(_))
    }

    /// Python's truth value (`if not current:` in the table formatter).
    pub(super) fn truthy(&self) -> bool {
        match self {
            Py::None => false,
            Py::Bool(b) => *b,
            Py::Int(n) => n != "0",
            Py::Float(f) => *f != 0.0,
            Py::Str(s) => !s.is_empty(),
            Py::List(items) => !items.is_empty(),
            Py::Dict(members) => !members.is_empty(),
        }
    }

    /// Python's type name, as exception messages show it.
    pub(super) fn type_name(&self) -> &'static str {
        match self {
            Py::None => "NoneType",
            Py::Bool(_) => "bool",
            Py::Int(_) => "int",
            Py::Float(_) => "float",
            Py::Str(_) => "str",
            Py::List(_) => "list",
            Py::Dict(_) => "dict",
        }
    }
}

/// A JSON number as `json.loads` reads it: an int when it has no fraction or exponent, else a float.
fn number(text: &str) -> Py {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = digits.trim_start_matches('0');
        return Py::Int(match (trimmed.is_empty(), text.starts_with('-')) {
            (true, _) => "0".to_owned(), // -0 is the int 0
            (false, true) => format!("-{trimmed}"),
            (false, false) => trimmed.to_owned(),
        });
    }
    match text.parse::<f64>() {
        Ok(f) => Py::Float(f),
        // Not a number Python reads: awl built it, so show it as it is rather than fail.
        Err(_) => Py::Int(text.to_owned()),
    }
}

/// `repr(float)` (which `str()` and `json.dumps` also use): the shortest digits that read back to the same
/// float, positional from 1e-4 up to below 1e16 (with `.0` when whole), else `d.ddde±XX`.
pub(super) fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    // Rust's `{:e}` gives the same shortest round-trip digits; only the layout differs.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f < 0.0 { "-" } else { "" };
    let point = exp + 1; // digits.len() digits, the point after `point` of them
    let body = if !(-3..=16).contains(&point) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{first}{frac}e{esign}{:02}", exp.abs())
    } else if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else {
        let point = point.unsigned_abs() as usize;
        if point >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point - digits.len()))
        } else {
            format!("{}.{}", &digits[..point], &digits[point..])
        }
    };
    format!("{sign}{body}")
}

/// `str(v)`: a string as it is, `None`, `True`/`False`, numbers as Python prints them, and containers as
/// their `repr`.
pub(super) fn python_str(v: &Py) -> String {
    match v {
        Py::Str(s) => s.clone(),
        _ => {
            let mut out = String::new();
            write_repr(&mut out, v);
            out
        }
    }
}

fn write_repr(out: &mut String, v: &Py) {
    match v {
        Py::None => out.push_str("None"),
        Py::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
        Py::Int(n) => out.push_str(n),
        Py::Float(f) => out.push_str(&float_repr(*f)),
        Py::Str(s) => str_repr(out, s),
        Py::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(out, item);
            }
            out.push(']');
        }
        Py::Dict(members) => {
            out.push('{');
            for (i, (k, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                str_repr(out, k);
                out.push_str(": ");
                write_repr(out, item);
            }
            out.push('}');
        }
    }
}

/// `repr(str)`: single quotes unless the text has `'` and no `"`; backslash escapes for the quote, `\`, tab,
/// newline, return and characters Python does not print.
fn str_repr(out: &mut String, s: &str) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if printable(c) => out.push(c),
            c if u32::from(c) <= 0xff => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if u32::from(c) <= 0xffff => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\U{:08x}", u32::from(c));
            }
        }
    }
    out.push(quote);
}

/// `str.isprintable()` for one character: not a control, format, separator (other than the space),
/// surrogate or private-use character. Unassigned code points, which Python also escapes, are not known
/// here and print as they are.
fn printable(c: char) -> bool {
    let cp = u32::from(c);
    !matches!(cp,
        0..=0x1f | 0x7f..=0xa0 | 0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x890..=0x891 | 0x8e2
        | 0x1680 | 0x180e | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x2064 | 0x2066..=0x206f
        | 0x3000 | 0xe000..=0xf8ff | 0xfeff | 0xfff9..=0xfffb | 0x110bd | 0x110cd | 0x13430..=0x1343f
        | 0x1bca0..=0x1bca3 | 0x1d173..=0x1d17a | 0xe0001 | 0xe0020..=0xe007f | 0xf0000..)
}

/// `json.dumps(doc, indent=4, ensure_ascii=False)` and a newline. awl's pretty writer lays JSON out the same
/// way (4 spaces, `", "`-free separators, the same escapes); the numbers are Python's own (`1e3` prints
/// `1000.0`), and floats Python cannot write as JSON numbers print as it does (`Infinity`, `NaN`).
fn json_text(doc: &Py) -> String {
    let mut out = json::to_string(&to_json(doc), json::Style::Pretty);
    out.push('\n');
    out
}

/// A scalar as `json.dumps(v, ensure_ascii=False)` writes it (v2's YAML formats write bare scalars so).
fn json_scalar(doc: &Py) -> String {
    json::to_string(&to_json(doc), json::Style::Pretty)
}

/// `doc` back as awl's JSON value, numbers in Python's spelling.
fn to_json(doc: &Py) -> Value {
    match doc {
        Py::None => Value::Null,
        Py::Bool(b) => Value::Bool(*b),
        Py::Int(n) => Value::Number(n.clone()),
        Py::Float(f) if f.is_nan() => Value::Number("NaN".to_owned()),
        Py::Float(f) if f.is_infinite() => {
            Value::Number(if *f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned())
        }
        Py::Float(f) => Value::Number(float_repr(*f)),
        Py::Str(s) => Value::String(s.clone()),
        Py::List(items) => Value::Array(items.iter().map(to_json).collect()),
        Py::Dict(members) => Value::Object(members.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Value {
        json::parse(text).expect("test document")
    }

    #[test]
    fn numbers_read_as_json_loads_reads_them() {
        let cases = [
            ("0", "0"),
            ("-0", "0"),
            ("123456789012345678901234567890", "123456789012345678901234567890"),
            ("1.0", "1.0"),
            ("1e3", "1000.0"),
            ("-0.0", "-0.0"),
            ("0.0001", "0.0001"),
            ("0.00001", "1e-05"),
            ("1e16", "1e+16"),
            ("1e15", "1000000000000000.0"),
            ("123.456", "123.456"),
            ("1.5e300", "1.5e+300"),
            ("-2.5E-7", "-2.5e-07"),
            ("0.1", "0.1"),
            ("1e400", "inf"),
            ("-1e400", "-inf"),
            ("12345678901234567.0", "1.2345678901234568e+16"),
        ];
        for (json_text, python) in cases {
            assert_eq!(python_str(&number(json_text)), python, "{json_text}");
        }
    }

    #[test]
    fn containers_print_as_their_repr() {
        let v = Py::from_json(&doc(
            r#"{"a": [1, 2.0, null, true], "b": "it's", "c": "say \"hi\"\n", "d": {}}"#,
        ));
        assert_eq!(
            python_str(&v),
            r#"{'a': [1, 2.0, None, True], 'b': "it's", 'c': 'say "hi"\n', 'd': {}}"#
        );
        assert_eq!(
            python_str(&Py::Str("both ' and \"\u{1}é\u{a0}".into())),
            "both ' and \"\u{1}é\u{a0}"
        );
        let mut out = String::new();
        str_repr(&mut out, "both ' and \"\u{1}é\u{a0}\u{2028}\u{f0000}");
        assert_eq!(out, r#"'both \' and "\x01é\xa0\u2028\U000f0000'"#);
    }

    #[test]
    fn a_repeated_key_keeps_its_first_place_and_last_value() {
        let v = Py::from_json(&doc(r#"{"b": 1, "a": 2, "b": 3}"#));
        assert_eq!(python_str(&v), "{'b': 3, 'a': 2}");
    }

    #[test]
    fn json_is_python_json_dumps_indent_4() {
        let d = doc(r#"{"N": [1e3, -0, 1.50], "S": "é\u0001\"", "E": {}, "L": [], "Z": 1e999}"#);
        let want = "{\n    \"N\": [\n        1000.0,\n        0,\n        1.5\n    ],\n    \"S\": \"é\\u0001\\\"\",\n    \
                    \"E\": {},\n    \"L\": [],\n    \"Z\": Infinity\n}\n";
        assert_eq!(render(&d, Format::Json, "Op", 80).ok().as_deref(), Some(want));
        assert_eq!(
            render(&doc("null"), Format::Json, "Op", 80).ok().as_deref(),
            Some("null\n")
        );
        assert_eq!(
            render(&doc("[]"), Format::Json, "Op", 80).ok().as_deref(),
            Some("[]\n")
        );
    }

    #[test]
    fn an_empty_object_prints_nothing_in_any_format() {
        for f in [
            Format::Json,
            Format::Text,
            Format::Table,
            Format::Yaml,
            Format::YamlStream,
            Format::Off,
        ] {
            assert_eq!(render(&doc("{}"), f, "Op", 80).ok().as_deref(), Some(""), "{f:?}");
        }
    }

    #[test]
    fn formats_are_named_as_the_aws_cli_names_them() {
        assert_eq!(Format::from_name("yaml-stream"), Some(Format::YamlStream));
        assert_eq!(Format::from_name("table"), Some(Format::Table));
        assert_eq!(Format::from_name("JSON"), None);
    }
}
