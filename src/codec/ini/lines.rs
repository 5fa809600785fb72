//! The literal pass over a file's lines: sections and properties as written, comments cut, continuations
//! joined by botocore's indentation rule (the SDKs' where they agree), with the warnings and the errors of the
//! SDK suite. Pure.

use super::{Property, WHITESPACE, Warning, trim};
use crate::error::{Error, ParseProblem, Result};

/// A section header as written, before the file's naming rules apply.
pub(super) struct RawSection {
    /// The text between the brackets, trimmed.
    pub(super) header: String,
    /// Whether spaces stand inside the brackets (`[ default ]`).
    pub(super) spaced: bool,
    /// The header's 1-based line.
    pub(super) line: usize,
    /// The properties as written, in order.
    pub(super) properties: Vec<Property>,
}

/// Cuts a comment off a line. Section headers lose everything from the first `#` or `;`; property lines only
/// from one that follows whitespace (so `value;x` keeps its `;`). Returns the text and whether a comment was
/// cut from after some text.
pub(super) fn strip_comment(line: &str, needs_whitespace: bool) -> (&str, bool) {
    let line = trim(line);
    let mut prev_ws = false;
    for (i, c) in line.char_indices() {
        if (c == '#' || c == ';') && (prev_ws || !needs_whitespace) {
            return (trim(&line[..i]), i > 0);
        }
        prev_ws = c == ' ' || c == '\t';
    }
    (line, false)
}

/// An error of the literal pass, on line `n`, with a hint where the fix is not obvious. Messages never quote a
/// property line: in the credentials file it may hold a secret key.
fn error(problem: ParseProblem, n: usize, message: impl Into<String>, hint: Option<&str>) -> Error {
    Error::parse(problem, n, message).with_hint_if(hint)
}

const NO_SECTION_HINT: &str = "the file must start with a section header such as [default]";

/// What the literal pass knows between lines.
#[derive(Default)]
struct LineState {
    /// The indentation of the line that started the current property or section (botocore's rule: a line
    /// indented deeper than it continues the property; any other line starts something new).
    indent: usize,
    /// Whether a property is open for continuation lines (none right after a header).
    open: bool,
    /// Whether the open property is a sub-property block (`s3 =` with no value).
    in_block: bool,
    /// Whether a blank line came after the open property's last line.
    blank: bool,
    /// Whether the file has had its one warning about indentation that the AWS SDKs refuse.
    warned_indent: bool,
}

/// The literal pass: sections and properties as written, with comments and continuations handled.
///
/// Indentation is read as botocore's configparser reads it (so the AWS CLI and awl agree on every file they
/// both read): a line indented deeper than the line that started the current property continues it;
/// otherwise it starts a new property or section, indented or not. The AWS SDKs take every indented line as
/// a continuation and refuse a file whose indented line has nothing to continue; such a file gets a warning.
pub(super) fn parse_raw(text: &str, warnings: &mut Vec<Warning>) -> Result<Vec<RawSection>> {
    let mut sections: Vec<RawSection> = Vec::new();
    let mut st = LineState::default();
    for (idx, raw_line) in text.split('\n').enumerate() {
        let n = idx + 1;
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        let t = trim(line);
        if t.is_empty() {
            st.blank |= st.open;
            continue;
        }
        if t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        let indent = line.len() - line.trim_start_matches(WHITESPACE).len();
        if st.open && indent > st.indent {
            if let Some(prop) = sections.last().and_then(|s| s.properties.last()) {
                continued_warnings(prop, t, n, st.blank, warnings);
            }
            continuation(sections.last_mut(), t, n, st.in_block)?;
            st.blank = false;
            continue;
        }
        // The SDKs would read an indented line here as a continuation of nothing, or of the previous property.
        if indent > 0 && !t.starts_with('[') && !t.contains('=') {
            return Err(continuation_error(sections.is_empty(), n));
        }
        if indent > 0 && !st.warned_indent {
            st.warned_indent = true;
            warnings.push(Warning {
                line: n,
                message: "indented line read as the AWS CLI reads it (a new property or section, since it is \
                          not indented deeper than the line before); the AWS SDKs refuse this file or read it \
                          differently: remove the indentation"
                    .into(),
            });
        }
        st.indent = indent;
        st.blank = false;
        if t.starts_with('[') {
            sections.push(section_header(t, n)?);
            st.open = false;
        } else {
            let section = sections.last_mut().ok_or_else(|| {
                error(
                    ParseProblem::PropertyOutsideSection,
                    n,
                    "Expected a profile definition before this property, found none",
                    Some(NO_SECTION_HINT),
                )
            })?;
            let prop = property(t, n, warnings)?;
            st.in_block = prop.value.is_empty();
            st.open = true;
            section.properties.push(prop);
        }
    }
    Ok(sections)
}

/// Warnings for a continuation line of `prop` that the AWS CLI reads differently from the AWS SDKs.
fn continued_warnings(prop: &Property, t: &str, n: usize, after_blank: bool, warnings: &mut Vec<Warning>) {
    if t.starts_with('[') {
        warnings.push(Warning {
            line: n,
            message: format!(
                "this indented header continues the value of '{}' (in awl, the AWS CLI and the AWS SDKs alike), \
                 so it starts no section: remove the indentation",
                prop.name
            ),
        });
    } else if after_blank {
        warnings.push(Warning {
            line: n,
            message: format!(
                "a blank line inside the value of '{}': the AWS CLI keeps it in the value, awl and the AWS SDKs \
                 drop it",
                prop.name
            ),
        });
    }
}

/// The error for an indented line that continues nothing (the SDKs' wording, which their suite checks).
fn continuation_error(before_any_section: bool, n: usize) -> Error {
    if before_any_section {
        return error(
            ParseProblem::PropertyOutsideSection,
            n,
            "Expected a profile definition, found continuation",
            Some(NO_SECTION_HINT),
        );
    }
    error(
        ParseProblem::ContinuationWithoutProperty,
        n,
        "Expected a property definition, found continuation",
        Some("indented lines continue the previous value; this one has nothing to continue"),
    )
}

/// A `[header]` line.
fn section_header(line: &str, n: usize) -> Result<RawSection> {
    let (body, _) = strip_comment(line, false);
    let Some(inner) = body.strip_prefix('[').and_then(|b| b.strip_suffix(']')) else {
        return Err(error(
            ParseProblem::UnclosedSection,
            n,
            format!("Profile definition must end with ']': found {:?}", trim(line)),
            Some("a section header is written on one line as [profile name] or [name]"),
        ));
    };
    Ok(RawSection {
        header: trim(inner).to_owned(),
        spaced: trim(inner) != inner,
        line: n,
        properties: Vec::new(),
    })
}

/// An indented line: a continuation of the previous property's value (a sub-property in a block).
fn continuation(section: Option<&mut RawSection>, t: &str, n: usize, in_block: bool) -> Result<()> {
    let Some(prop) = section.and_then(|s| s.properties.last_mut()) else {
        return Err(continuation_error(true, n));
    };
    if in_block {
        let Some((k, _)) = t.split_once('=') else {
            return Err(error(
                ParseProblem::SubPropertyMissingEquals,
                n,
                format!("Expected an '=' sign defining a sub-property of '{}'", prop.name),
                None,
            ));
        };
        if trim(k).is_empty() {
            return Err(error(
                ParseProblem::SubPropertyEmptyName,
                n,
                "Sub-property did not have a name (nothing before its '=')",
                None,
            ));
        }
    }
    prop.value.push('\n');
    prop.value.push_str(t);
    Ok(())
}

/// A `name = value` line, its inline comment cut (with a warning: the AWS CLI keeps it).
fn property(line: &str, n: usize, warnings: &mut Vec<Warning>) -> Result<Property> {
    let (body, cut) = strip_comment(line, true);
    let Some((k, v)) = body.split_once('=') else {
        let hint = if body.contains(':') {
            "write 'name = value' (the AWS CLI also accepts ':' here, the AWS SDKs and awl do not)"
        } else {
            "a property is written 'name = value'"
        };
        return Err(error(
            ParseProblem::MissingEquals,
            n,
            "Expected an '=' sign defining a property",
            Some(hint),
        ));
    };
    let (name, value) = (trim(k), trim(v));
    if name.is_empty() {
        return Err(error(
            ParseProblem::EmptyName,
            n,
            "Property did not have a name (nothing before its '=')",
            None,
        ));
    }
    if cut {
        warnings.push(Warning {
            line: n,
            message: if crate::codec::redact::is_secret_name(name) {
                format!(
                    "the AWS CLI reads the comment after '{name}' as part of its value: it has no inline \
                     comments (awl and the AWS SDKs drop them)"
                )
            } else {
                format!(
                    "the AWS CLI reads '{name}' as {:?}: it has no inline comments (awl and the AWS SDKs drop \
                     them)",
                    trim(line.split_once('=').map_or("", |(_, v)| v))
                )
            },
        });
    }
    Ok(Property {
        name: name.to_owned(),
        value: value.to_owned(),
        line: n,
    })
}
