//! `--output yaml` and `yaml-stream` (AWS CLI v2 only): v2's `YAMLDumper` (`awscli/formatter.py`, branch v2).
//!
//! v2 dumps with `ruamel.yaml`'s `YAML(typ='safe')`, block style (`default_flow_style = False`), and a
//! scalar document as JSON instead. Its installers pin ruamel.yaml 0.19.1 with ruamel.yaml.clib 0.2.15, so
//! the text comes from libyaml's emitter (clib's `emitter.c`) fed by ruamel's `SafeRepresenter` and its
//! YAML 1.2 resolver. What that means, and what this module reproduces:
//! - mapping keys sorted; empty lists and dicts as `[]` and `{}`; lists under a key not indented;
//! - `null`, `true`/`false`, integers as `str()`, floats as `repr()` (`.inf`, `-.inf`, `.nan`);
//! - a string is plain unless the YAML 1.2 resolver would read its plain form as something else (`'123'`,
//!   `'true'`, `'null'`, `''`, `'2026-05-01T10:00:00+00:00'`) or libyaml's analysis forbids it (indicators,
//!   leading or trailing spaces, line breaks), then single-quoted; double-quoted with escapes when it holds
//!   characters libyaml does not print (tabs, controls, anything above U+FFFF such as emoji) or a space next
//!   to a line break;
//! - long plain and quoted strings are folded at spaces once past column 80 (libyaml's `best_width`);
//! - a key that spans lines or is over 128 bytes is written as a complex key (`? key` then `: value`).

use super::resolver::resolves_to_other_type;
use super::{Py, float_repr};

/// libyaml's `best_width` and `best_indent` (ruamel passes no width or indent).
const BEST_WIDTH: usize = 80;
const BEST_INDENT: i64 = 2;

/// `doc` as v2's `YAMLDumper.dump` writes it.
pub(super) fn dump(doc: &Py) -> String {
    if !doc.is_container() {
        // v2 avoids YAML's `...` document end marker after a bare scalar by writing JSON.
        let mut out = super::json_scalar(doc);
        out.push('\n');
        return out;
    }
    let mut e = Emitter {
        out: String::new(),
        column: 0,
        indent: -1,
        indents: Vec::new(),
        whitespace: true,
        indention: true,
    };
    e.node(doc, Ctx::default());
    // Document end: finish the last line.
    e.write_indent();
    e.out
}

/// Where a node stands (libyaml's `*_context` flags).
#[derive(Clone, Copy, Default)]
struct Ctx {
    mapping: bool,
    simple_key: bool,
}

/// The emitter's state that shapes the text: libyaml's `column`, `indent` (and its stack), `whitespace`
/// (the last character written was a space or indentation) and `indention` (nothing but indentation on the
/// line yet).
struct Emitter {
    out: String,
    column: usize,
    indent: i64,
    indents: Vec<i64>,
    whitespace: bool,
    indention: bool,
}

/// What libyaml's `yaml_emitter_analyze_scalar` finds in a scalar.
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Plain,
    Single,
    Double,
}

impl Emitter {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_indent(&mut self) {
        let indent = usize::try_from(self.indent).unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        indicator.chars().for_each(|c| self.put(c));
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    /// `yaml_emitter_increase_indent`.
    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn node(&mut self, v: &Py, ctx: Ctx) {
        match v {
            Py::List(items) if items.is_empty() => self.empty_flow("[", "]"),
            Py::Dict(members) if members.is_empty() => self.empty_flow("{", "}"),
            Py::List(items) => self.block_sequence(items, ctx),
            Py::Dict(members) => self.block_mapping(members),
            Py::Str(s) => self.scalar(s, !resolves_to_other_type(s), ctx),
            scalar => self.scalar(&scalar_text(scalar), true, ctx),
        }
    }

    fn empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.write_indicator(close, false, false, false);
    }

    fn block_sequence(&mut self, items: &[Py], ctx: Ctx) {
        // A list right after `key:` stays at the key's column.
        self.increase_indent(false, ctx.mapping && !self.indention);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, Ctx::default());
        }
        self.pop_indent();
    }

    fn block_mapping(&mut self, members: &[(String, Py)]) {
        self.increase_indent(false, false);
        let mut sorted: Vec<&(String, Py)> = members.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let value_ctx = Ctx {
            mapping: true,
            simple_key: false,
        };
        for (key, value) in sorted {
            self.write_indent();
            // `yaml_emitter_check_simple_key`: one line, at most 128 bytes.
            if !analyze(key).multiline && key.len() <= 128 {
                let key_ctx = Ctx {
                    mapping: true,
                    simple_key: true,
                };
                self.scalar(key, !resolves_to_other_type(key), key_ctx);
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.scalar(key, !resolves_to_other_type(key), value_ctx);
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(value, value_ctx);
        }
        self.pop_indent();
    }

    /// A scalar, in the style `yaml_emitter_select_scalar_style` picks (never inside a flow collection:
    /// only empty ones are flow). `plain_implicit`: its plain form reads back as its own type.
    fn scalar(&mut self, text: &str, plain_implicit: bool, ctx: Ctx) {
        let a = analyze(text);
        let mut style = Style::Plain;
        if ctx.simple_key && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain
            && (!a.block_plain_allowed || (text.is_empty() && ctx.simple_key) || !plain_implicit)
        {
            style = Style::Single;
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        self.increase_indent(true, false);
        let allow_breaks = !ctx.simple_key;
        match style {
            Style::Plain => self.write_plain(text, allow_breaks),
            Style::Single => self.write_single_quoted(text, allow_breaks),
            Style::Double => self.write_double_quoted(text, allow_breaks),
        }
        self.pop_indent();
    }

    fn write_plain(&mut self, text: &str, allow_breaks: bool) {
        let chars: Vec<char> = text.chars().collect();
        if !self.whitespace {
            self.put(' ');
        }
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks && !spaces && self.column > BEST_WIDTH && !next_space {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                // Line breaks never reach a plain scalar.
                self.put(c);
                self.indention = false;
                spaces = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single_quoted(&mut self, text: &str, allow_breaks: bool) {
        let chars: Vec<char> = text.chars().collect();
        self.write_indicator("'", true, false, false);
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let inner = i != 0 && i + 1 != chars.len();
                let next_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks && !spaces && self.column > BEST_WIDTH && inner && !next_space {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                // A line break is written twice: a single one would fold into a space.
                if !breaks && c == '\n' {
                    self.put_break();
                }
                if c == '\n' {
                    self.put_break();
                } else {
                    self.out.push(c);
                    self.column = 0;
                }
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        if breaks {
            self.write_indent();
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, text: &str, allow_breaks: bool) {
        let chars: Vec<char> = text.chars().collect();
        self.write_indicator("\"", true, false, false);
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                for e in escape(c).chars() {
                    self.put(e);
                }
                spaces = false;
            } else if c == ' ' {
                let inner = i != 0 && i + 1 != chars.len();
                if allow_breaks && !spaces && self.column > BEST_WIDTH && inner {
                    self.write_indent();
                    // A second space would be lost at the start of the next line.
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }
}

/// libyaml's escape of a character in a double-quoted scalar.
fn escape(c: char) -> String {
    let short = match c {
        '\0' => "0",
        '\u{7}' => "a",
        '\u{8}' => "b",
        '\t' => "t",
        '\n' => "n",
        '\u{b}' => "v",
        '\u{c}' => "f",
        '\r' => "r",
        '\u{1b}' => "e",
        '"' => "\"",
        '\\' => "\\",
        '\u{85}' => "N",
        '\u{a0}' => "_",
        '\u{2028}' => "L",
        '\u{2029}' => "P",
        _ => "",
    };
    let cp = u32::from(c);
    match (short, cp) {
        ("", 0..=0xff) => format!("\\x{cp:02X}"),
        ("", 0x100..=0xffff) => format!("\\u{cp:04X}"),
        ("", _) => format!("\\U{cp:08X}"),
        (s, _) => format!("\\{s}"),
    }
}

/// libyaml's `IS_PRINTABLE`: newline, printable ASCII, and the BMP from U+00A0 bar surrogates, U+FEFF and
/// U+FFFE/U+FFFF. Nothing above U+FFFF.
fn printable(c: char) -> bool {
    matches!(u32::from(c), 0x0a | 0x20..=0x7e | 0xa0..=0xd7ff | 0xe000..=0xfffd) && c != '\u{feff}'
}

/// libyaml's `IS_BREAK`.
fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// `IS_BLANKZ` of the character at `i` (past the end counts: the text is NUL-terminated).
fn blankz(chars: &[char], i: usize) -> bool {
    chars
        .get(i)
        .is_none_or(|&c| c == ' ' || c == '\t' || c == '\0' || is_break(c))
}

/// `yaml_emitter_analyze_scalar`, for the block context (the flow flags are never needed here).
fn analyze(text: &str) -> Analysis {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
        };
    }
    let mut block_indicators = text.starts_with("---") || text.starts_with("...");
    let (mut special, mut line_breaks) = (false, false);
    let (mut leading, mut trailing) = (false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_whitespace = true;
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_whitespace = blankz(&chars, i + 1);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@'
                | '`' => {
                    block_indicators = true;
                }
                '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else if (c == ':' && followed_by_whitespace) || (c == '#' && preceded_by_whitespace) {
            block_indicators = true;
        }
        special |= !printable(c);
        let last = i + 1 == chars.len();
        if c == ' ' {
            leading |= i == 0;
            trailing |= last;
            break_space |= previous_break;
            (previous_space, previous_break) = (true, false);
        } else if is_break(c) {
            line_breaks = true;
            leading |= i == 0;
            trailing |= last;
            space_break |= previous_space;
            (previous_space, previous_break) = (false, true);
        } else {
            (previous_space, previous_break) = (false, false);
        }
        preceded_by_whitespace = blankz(&chars, i);
    }
    let plain_forbidden = leading || trailing || break_space || space_break || special || line_breaks;
    Analysis {
        multiline: line_breaks,
        block_plain_allowed: !plain_forbidden && !block_indicators,
        single_quoted_allowed: !(break_space || space_break || special),
    }
}

/// The text of a scalar that is not a string, as `SafeRepresenter` writes it.
fn scalar_text(v: &Py) -> String {
    match v {
        Py::None => "null".to_owned(),
        Py::Bool(b) => if *b { "true" } else { "false" }.to_owned(),
        Py::Int(n) => n.clone(),
        Py::Float(f) if f.is_nan() => ".nan".to_owned(),
        Py::Float(f) if f.is_infinite() => if *f > 0.0 { ".inf" } else { "-.inf" }.to_owned(),
        Py::Float(f) => float_repr(*f),
        Py::Str(s) => s.clone(),
        Py::List(_) | Py::Dict(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Format, render};
    use crate::codec::json;

    /// The expected texts are what ruamel.yaml 0.19.1 with ruamel.yaml.clib 0.2.15 printed through v2's
    /// `YAMLDumper` settings for the same documents.
    fn yaml(doc: &str) -> String {
        let v = json::parse(doc).expect("test document");
        render(&v, Format::Yaml, "Op", 80).expect("yaml never fails")
    }

    #[test]
    fn keys_are_sorted_and_lists_sit_under_their_key() {
        assert_eq!(
            yaml(
                r#"{"UserId": "AIDA", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/alice"}"#
            ),
            "Account: '123456789012'\nArn: arn:aws:iam::123456789012:user/alice\nUserId: AIDA\n"
        );
        assert_eq!(
            yaml(
                r#"{"Buckets": [{"Name": "b1", "CreationDate": "2026-04-30T08:00:00+00:00"}], "Owner": {"ID": "abc"},
                    "Empty": [], "E2": {}}"#
            ),
            "Buckets:\n- CreationDate: '2026-04-30T08:00:00+00:00'\n  Name: b1\nE2: {}\nEmpty: []\nOwner:\n  ID: abc\n"
        );
    }

    #[test]
    fn strings_are_quoted_only_when_yaml_1_2_or_libyaml_needs_it() {
        let doc = r##"{"s": ["yes", "true", "null", "", "1e3", "0x1F", "a: b", "- x", "#x", "it's", " x", "tab\tx",
                             "😀", "é", "a\nb", "a \nb"]}"##;
        assert_eq!(
            yaml(doc),
            "s:\n- yes\n- 'true'\n- 'null'\n- ''\n- '1e3'\n- '0x1F'\n- 'a: b'\n- '- x'\n- '#x'\n- it's\n- ' x'\n\
             - \"tab\\tx\"\n- \"\\U0001F600\"\n- é\n- 'a\n\n  b'\n- \"a \\nb\"\n"
        );
    }

    #[test]
    fn scalars_print_as_the_safe_representer_writes_them() {
        assert_eq!(
            yaml(r#"{"n": [null, true, 1, 1.0, 1e-05, 1e16, 1e999, -0.0]}"#),
            "n:\n- null\n- true\n- 1\n- 1.0\n- 1e-05\n- 1e+16\n- .inf\n- -0.0\n"
        );
    }

    #[test]
    fn long_strings_fold_past_column_80_and_odd_keys_are_complex() {
        let long = format!(r#"{{"long": "{}end"}}"#, "word ".repeat(20));
        assert_eq!(
            yaml(&long),
            "long: word word word word word word word word word word word word word word word word\n  \
             word word word word end\n"
        );
        let doc = format!(r#"{{"{}": 1, "multi\nkey": [[1, 2], []]}}"#, "k".repeat(130));
        let want = format!(
            "? {}\n: 1\n? 'multi\n\n  key'\n: - - 1\n    - 2\n  - []\n",
            "k".repeat(130)
        );
        assert_eq!(yaml(&doc), want);
    }

    #[test]
    fn a_bare_scalar_is_json_and_the_stream_is_a_one_item_list() {
        assert_eq!(yaml(r#""123456789012""#), "\"123456789012\"\n");
        assert_eq!(yaml("null"), "null\n");
        assert_eq!(yaml("[]"), "[]\n");
        let v = json::parse(r#"{"Account": "1"}"#).expect("test document");
        assert_eq!(
            render(&v, Format::YamlStream, "Op", 80).as_deref(),
            Ok("- Account: '1'\n")
        );
        let v = json::parse(r#""x""#).expect("test document");
        assert_eq!(render(&v, Format::YamlStream, "Op", 80).as_deref(), Ok("- x\n"));
    }
}
