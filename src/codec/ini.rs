//! The AWS shared config and credentials files: text → profiles, sso-sessions and services sections, each
//! property with its line number, by the cross-SDK rules (the AWS SDKs' "profile parser" conformance suite).
//!
//! Pure. Two passes, as the SDKs do: a literal pass over the lines (sections, properties, continuations,
//! comments), then the normalisation of one file (`[profile x]` vs `[x]`, name validation, duplicates merged
//! with the last value winning). Where the AWS CLI (botocore) would read the same text differently, a
//! [`Warning`] says so; awl follows the SDK rules. Also here: [`set_property`], the line-preserving edit that
//! `awl configure` makes.

use crate::error::{Error, ParseProblem, Result};
use std::fmt;

/// Which of the two files a text is: the rules for section names differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `~/.aws/config`: `[default]`, `[profile x]`, `[sso-session x]`, `[services x]`.
    Config,
    /// `~/.aws/credentials`: `[x]`.
    Credentials,
}

/// Only space and tab are whitespace in these files (not every Unicode space, as `str::trim` would take).
const WHITESPACE: &[char] = &[' ', '\t'];

fn trim(s: &str) -> &str {
    s.trim_matches(WHITESPACE)
}

/// A property of a section: its name (lower case), its value, and the line that set it.
#[derive(Clone, PartialEq, Eq)]
pub struct Property {
    /// The name, in lower case (names are case-insensitive).
    pub name: String,
    /// The value, trimmed; continuation lines are joined with `\n`.
    pub value: String,
    /// The 1-based line of the definition.
    pub line: usize,
}

impl fmt::Debug for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The credentials file's values include secret keys.
        let value: &dyn fmt::Debug = if crate::codec::redact::is_secret_name(&self.name) {
            &"***"
        } else {
            &self.value
        };
        f.debug_struct("Property")
            .field("name", &self.name)
            .field("value", value)
            .field("line", &self.line)
            .finish()
    }
}

impl Property {
    /// The `name = value` pairs of a sub-property block; see [`sub_properties`].
    pub fn sub_properties(&self) -> Vec<(String, String)> {
        sub_properties(&self.value)
    }
}

/// The `name = value` pairs of a sub-property block (`s3 =` followed by indented lines, a value that starts
/// with a newline), names in lower case; empty when the value is not a block.
pub fn sub_properties(value: &str) -> Vec<(String, String)> {
    if !value.starts_with('\n') {
        return Vec::new();
    }
    value
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (trim(k).to_ascii_lowercase(), trim(v).to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

/// A profile, sso-session or services section after normalisation: duplicates merged, last value winning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// The name, without any `profile ` prefix.
    pub name: String,
    /// The 1-based line of the first header that opened it.
    pub line: usize,
    /// The properties, in the order first defined; each name once.
    pub properties: Vec<Property>,
}

impl Section {
    /// The property `name` (lower case).
    pub fn get(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    fn set(&mut self, prop: Property) {
        match self.properties.iter_mut().find(|p| p.name == prop.name) {
            Some(existing) => *existing = prop,
            None => self.properties.push(prop),
        }
    }
}

/// Something about a file that the user should know: a section or property that is ignored, or a place where
/// the AWS CLI would read the file differently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The 1-based line it is about (0: the whole file).
    pub line: usize,
    /// What and why.
    pub message: String,
}

/// One parsed file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IniFile {
    /// The profiles, in the order first seen.
    pub profiles: Vec<Section>,
    /// `[sso-session x]` sections (config file only).
    pub sso_sessions: Vec<Section>,
    /// `[services x]` sections (config file only).
    pub services: Vec<Section>,
    /// Warnings, in line order.
    pub warnings: Vec<Warning>,
}

impl IniFile {
    /// The profile `name`.
    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.profiles.iter().find(|s| s.name == name)
    }
}

/// A section header as written, before the file's naming rules apply.
struct RawSection {
    header: String,
    /// Whether spaces stand inside the brackets (`[ default ]`).
    spaced: bool,
    line: usize,
    properties: Vec<Property>,
}

/// Whether a name may be a profile or property name: letters, digits and `_ - / . % @ : +`. Only such a
/// profile name reads back as written.
pub fn valid_identifier(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}

/// Cuts a comment off a line. Section headers lose everything from the first `#` or `;`; property lines only
/// from one that follows whitespace (so `value;x` keeps its `;`). Returns the text and whether a comment was
/// cut from after some text.
fn strip_comment(line: &str, needs_whitespace: bool) -> (&str, bool) {
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
fn parse_raw(text: &str, warnings: &mut Vec<Warning>) -> Result<Vec<RawSection>> {
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

/// A header as shown in a warning: control characters escaped, cut to 60 characters (a file may hold any
/// text, and a warning is printed on the terminal).
fn shown(header: &str) -> String {
    crate::codec::redact::sanitize(header, 60)
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

/// What a section header names, by the rules of one file.
enum Header<'a> {
    Profile(&'a str),
    SsoSession(&'a str),
    Services(&'a str),
    Ignored(String),
}

/// `prefix` followed by at least one space or tab, then the name.
fn after_prefix<'a>(header: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = header.strip_prefix(prefix)?;
    rest.starts_with(WHITESPACE).then(|| trim(rest))
}

fn classify(header: &str, kind: FileKind) -> Header<'_> {
    match kind {
        FileKind::Config => {
            if header == "default" {
                Header::Profile("default")
            } else if let Some(name) = after_prefix(header, "profile") {
                Header::Profile(name)
            } else if let Some(name) = after_prefix(header, "sso-session") {
                Header::SsoSession(name)
            } else if let Some(name) = after_prefix(header, "services") {
                Header::Services(name)
            } else {
                Header::Ignored(format!(
                    "section [{h}] ignored: in the config file a profile is written [profile {h}]",
                    h = shown(header)
                ))
            }
        }
        FileKind::Credentials => {
            if after_prefix(header, "profile").is_some() {
                Header::Ignored(format!(
                    "section [{}] ignored: in the credentials file a profile is written [name], without 'profile'",
                    shown(header)
                ))
            } else if after_prefix(header, "sso-session").is_some()
                || after_prefix(header, "services").is_some()
            {
                Header::Ignored(format!(
                    "section [{}] ignored: it belongs in the config file",
                    shown(header)
                ))
            } else {
                Header::Profile(header)
            }
        }
    }
}

fn merge_into(list: &mut Vec<Section>, name: &str, raw: &RawSection, warnings: &mut Vec<Warning>) {
    let section = match list.iter_mut().position(|s| s.name == name) {
        Some(i) => {
            warnings.push(Warning {
                line: raw.line,
                message: format!(
                    "[{}] appears again (first on line {}): awl merges the two, the AWS CLI refuses the whole file",
                    shown(&raw.header),
                    list[i].line
                ),
            });
            &mut list[i]
        }
        None => {
            list.push(Section {
                name: name.to_owned(),
                line: raw.line,
                properties: Vec::new(),
            });
            let last = list.len() - 1;
            &mut list[last]
        }
    };
    for prop in &raw.properties {
        if !valid_identifier(&prop.name) {
            warnings.push(Warning {
                line: prop.line,
                message: format!("property '{}' ignored: not a valid property name", prop.name),
            });
            continue;
        }
        let lower = prop.name.to_ascii_lowercase();
        if let Some(prev) = section.get(&lower) {
            warnings.push(Warning {
                line: prop.line,
                message: format!(
                    "'{lower}' is set again (first on line {}): awl takes the last value, the AWS CLI refuses the whole file",
                    prev.line
                ),
            });
        }
        section.set(Property {
            name: lower,
            value: prop.value.clone(),
            line: prop.line,
        });
    }
}

/// Parses one file by the cross-SDK rules.
pub fn parse(text: &str, kind: FileKind) -> Result<IniFile> {
    let mut file = IniFile::default();
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => {
            file.warnings.push(Warning {
                line: 1,
                message:
                    "the file starts with a UTF-8 byte order mark: awl skips it, but the AWS CLI rejects the \
                          file; save it without the BOM"
                        .into(),
            });
            rest
        }
        None => text,
    };
    let raw = parse_raw(text, &mut file.warnings)?;

    // In the config file `[profile default]` wins over `[default]` wholesale (the SDK rule; botocore takes
    // whichever comes last).
    let prefixed_default = kind == FileKind::Config
        && raw.iter().any(|s| {
            matches!(classify(&s.header, kind), Header::Profile("default")) && s.header != "default"
        });
    for section in &raw {
        if section.spaced {
            file.warnings.push(Warning {
                line: section.line,
                message: format!(
                    "the AWS CLI reads this header as a section named with the spaces, so it ignores it; write \
                     [{}]",
                    shown(&section.header)
                ),
            });
        }
        if section.header == "DEFAULT" {
            file.warnings.push(Warning {
                line: section.line,
                message: "the AWS CLI applies the keys of a [DEFAULT] section to every profile; awl and the AWS SDKs \
                          do not"
                    .into(),
            });
        }
        match classify(&section.header, kind) {
            Header::Profile(name) if !valid_identifier(name) => file.warnings.push(Warning {
                line: section.line,
                message: format!(
                    "profile [{}] ignored: a profile name has only letters, digits and _-/.%@:+",
                    shown(&section.header)
                ),
            }),
            Header::Profile("default") if prefixed_default && section.header == "default" => {
                file.warnings.push(Warning {
                    line: section.line,
                    message:
                        "[default] ignored because [profile default] is also present (the AWS CLI would use \
                              whichever comes last)"
                            .into(),
                })
            }
            Header::Profile(name) => merge_into(&mut file.profiles, name, section, &mut file.warnings),
            Header::SsoSession(name) => merge_into(&mut file.sso_sessions, name, section, &mut file.warnings),
            Header::Services(name) => merge_into(&mut file.services, name, section, &mut file.warnings),
            Header::Ignored(message) => file.warnings.push(Warning {
                line: section.line,
                message,
            }),
        }
    }
    file.warnings.sort_by_key(|w| w.line);
    Ok(file)
}

/// The spaces and tabs a line starts with.
fn indentation(line: &str) -> &str {
    &line[..line.len() - line.trim_start_matches(WHITESPACE).len()]
}

/// Sets `name = value` in the profile `profile` of a file's text, keeping every other line as it is.
///
/// The last definition of `name` in that profile's sections is replaced (with its continuation lines); if
/// there is none, the line is added after the profile's last property; if the profile has no section, one is
/// appended (`[profile x]` in the config file, `[default]` for the default profile, `[x]` in credentials).
/// The file's line ending (LF or CRLF) is kept.
pub fn set_property(text: &str, kind: FileKind, profile: &str, name: &str, value: &str) -> String {
    let crlf = text.contains("\r\n");
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut lines: Vec<String> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_owned())
        .collect();
    if lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let new_line = format!("{name} = {value}");

    // Find the sections of this profile, the last line of a definition of `name`, and the last property line.
    // Lines are classified as `parse` classifies them: a line continues the open property only if it is
    // indented deeper than the line that started it.
    let mut in_target = false;
    let mut found: Option<(usize, usize)> = None; // first and last line of the definition
    let mut last_prop: Option<usize> = None;
    let mut current_def: Option<usize> = None;
    let (mut indent, mut open) = (0usize, false);
    for (i, line) in lines.iter().enumerate() {
        let t = trim(line);
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        let this_indent = line.len() - line.trim_start_matches(WHITESPACE).len();
        if open && this_indent > indent {
            if in_target {
                if let Some(start) = current_def {
                    found = Some((start, i));
                }
                last_prop = Some(i);
            }
            continue;
        }
        indent = this_indent;
        current_def = None;
        if t.starts_with('[') {
            let (body, _) = strip_comment(t, false);
            let header = body.strip_prefix('[').and_then(|b| b.strip_suffix(']')).map(trim);
            in_target =
                header.is_some_and(|h| matches!(classify(h, kind), Header::Profile(p) if p == profile));
            open = false;
            if in_target {
                last_prop = Some(i);
            }
            continue;
        }
        open = true;
        if !in_target {
            continue;
        }
        let key = t.split_once('=').map(|(k, _)| trim(k).to_ascii_lowercase());
        if key.as_deref() == Some(&name.to_ascii_lowercase()) {
            found = Some((i, i));
            current_def = Some(i);
        }
        last_prop = Some(i);
    }
    match (found, last_prop) {
        // The new line keeps the indentation of the line it replaces, or takes that of the line it comes
        // before: so it continues nothing and nothing after it becomes its continuation.
        (Some((start, end)), _) => {
            let line = format!("{}{new_line}", indentation(&lines[start]));
            lines.splice(start..=end, [line]);
        }
        (None, Some(after)) => {
            let next = lines[after + 1..].iter().find(|l| {
                let t = trim(l);
                !(t.is_empty() || t.starts_with('#') || t.starts_with(';'))
            });
            let line = format!("{}{new_line}", next.map_or("", |l| indentation(l)));
            lines.insert(after + 1, line);
        }
        (None, None) => {
            let header = match (kind, profile) {
                (FileKind::Config, "default") => "[default]".to_owned(),
                (FileKind::Config, p) => format!("[profile {p}]"),
                (FileKind::Credentials, p) => format!("[{p}]"),
            };
            if lines.last().is_some_and(|l| !trim(l).is_empty()) {
                lines.push(String::new());
            }
            lines.push(header);
            lines.push(new_line);
        }
    }
    let mut out = lines.join(eol);
    out.push_str(eol);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> IniFile {
        parse(text, FileKind::Config).expect("parses")
    }

    #[test]
    fn lines_are_recorded_and_keys_lowercased() {
        let f = config("# top\n[profile a]\nRegion = us-east-1\n\n[default]\nregion=eu-west-1\n");
        let a = f.profile("a").expect("a");
        assert_eq!(a.line, 2);
        assert_eq!(
            a.get("region").map(|p| (p.value.as_str(), p.line)),
            Some(("us-east-1", 3))
        );
        assert_eq!(
            f.profile("default").and_then(|d| d.get("region")).map(|p| p.line),
            Some(6)
        );
    }

    #[test]
    fn sub_properties_are_readable() {
        let f = config("[profile a]\ns3 =\n  addressing_style = path\n  Max_Concurrency = 4\n");
        let s3 = f.profile("a").and_then(|p| p.get("s3")).expect("s3");
        assert_eq!(
            s3.sub_properties(),
            [
                ("addressing_style".into(), "path".into()),
                ("max_concurrency".into(), "4".into())
            ]
        );
    }

    #[test]
    fn warns_where_the_aws_cli_reads_differently() {
        let f = config(
            "\u{feff}[profile a]\nregion = us-east-1 # home\nregion = eu-west-1\n[DEFAULT]\nx = 1\n\
             [default]\ny = 2\n[profile default]\nz = 3\n[profile a]\n",
        );
        let all: Vec<String> = f
            .warnings
            .iter()
            .map(|w| format!("{}: {}", w.line, w.message))
            .collect();
        let has = |line: usize, text: &str| {
            assert!(
                f.warnings
                    .iter()
                    .any(|w| w.line == line && w.message.contains(text)),
                "no warning on line {line} with {text:?}: {all:#?}"
            )
        };
        has(1, "byte order mark");
        has(2, "no inline comments");
        has(3, "set again (first on line 2)");
        has(4, "[DEFAULT]");
        has(6, "[default] ignored");
        has(10, "appears again");
        let spaced = config("[ default ] ; comment\nregion = x\n[profile \u{1b}[2J]\n");
        let w = &spaced.warnings;
        assert!(
            w.iter()
                .any(|w| w.line == 1 && w.message.contains("write [default]")),
            "{w:?}"
        );
        assert!(w.iter().all(|w| !w.message.contains('\u{1b}')), "{w:?}");
        let long = config(&format!("[{}]\n", "x".repeat(5 << 20)));
        assert!(
            long.warnings.iter().all(|w| w.message.len() < 300),
            "a long name is cut"
        );
        assert_eq!(
            f.profile("a")
                .and_then(|p| p.get("region"))
                .map(|p| p.value.as_str()),
            Some("eu-west-1")
        );
        assert_eq!(f.profile("default").map(|p| p.properties.len()), Some(1));
    }

    #[test]
    fn errors_name_the_line_and_what_was_expected() {
        let e = parse("[default]\nregion = x\n[profile foo\n", FileKind::Config).expect_err("unclosed");
        assert_eq!(
            (e.parse_problem(), e.location().map(|l| l.line)),
            (Some(ParseProblem::UnclosedSection), Some(3))
        );
        assert!(
            e.to_string()
                .starts_with("line 3: Profile definition must end with ']'")
        );
        let e = parse("[default]\nregion: x\n", FileKind::Config).expect_err("colon");
        assert_eq!(
            (e.parse_problem(), e.location().map(|l| l.line)),
            (Some(ParseProblem::MissingEquals), Some(2))
        );
        assert!(e.hint().is_some_and(|h| h.contains("':'")));
        let e = parse("[default]\n  -continued\n", FileKind::Config).expect_err("nothing to continue");
        assert_eq!(e.parse_problem(), Some(ParseProblem::ContinuationWithoutProperty));
    }

    #[test]
    fn indentation_is_read_as_botocore_reads_it() {
        let value =
            |f: &IniFile, p: &str, k: &str| f.profile(p).and_then(|s| s.get(k)).map(|p| p.value.clone());
        // Uniformly indented sections: every line starts something (botocore); the SDKs refuse the file.
        let f =
            config("  [profile a]\n  region = x\n  output = json\n    more\n  [profile b]\n\tregion = y\n");
        assert_eq!(value(&f, "a", "region").as_deref(), Some("x"));
        assert_eq!(value(&f, "a", "output").as_deref(), Some("json\nmore"));
        assert_eq!(value(&f, "b", "region").as_deref(), Some("y"));
        assert_eq!(f.warnings.len(), 1, "{:?}", f.warnings);
        assert!(f.warnings[0].line == 1 && f.warnings[0].message.contains("AWS SDKs refuse"));
        // A line indented deeper than the property's own line continues it, header or not.
        let f = config("[profile a]\nregion = x\n  [profile b]\n  region = y\n\n  z\n");
        assert_eq!(
            value(&f, "a", "region").as_deref(),
            Some("x\n[profile b]\nregion = y\nz")
        );
        assert!(f.profile("b").is_none());
        let lines: Vec<usize> = f.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [3, 6], "{:?}", f.warnings);
        // An indented first property after an unindented header, then one at the margin.
        let f = config("[profile a]\n   region = x\nrole_arn = r\n");
        assert_eq!(value(&f, "a", "role_arn").as_deref(), Some("r"));
        assert_eq!(value(&f, "a", "region").as_deref(), Some("x"));
        // Unindented files read as before, without a warning.
        let f = config("[profile a]\ns3 =\n  addressing_style = path\nregion = x\n");
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    }

    #[test]
    fn set_property_keeps_everything_else() {
        let text =
            "# mine\n[default]\nregion = us-east-1 ; keep?\n\n[profile b]\noutput = json\ns3 =\n  x = 1\n";
        let out = set_property(text, FileKind::Config, "default", "region", "eu-west-1");
        assert_eq!(
            out,
            "# mine\n[default]\nregion = eu-west-1\n\n[profile b]\noutput = json\ns3 =\n  x = 1\n"
        );
        let out = set_property(text, FileKind::Config, "b", "s3", "");
        assert_eq!(
            out,
            "# mine\n[default]\nregion = us-east-1 ; keep?\n\n[profile b]\noutput = json\ns3 = \n"
        );
        let out = set_property(text, FileKind::Config, "b", "region", "x");
        assert!(out.ends_with("  x = 1\nregion = x\n"), "{out}");
        let out = set_property(text, FileKind::Config, "new", "region", "x");
        assert!(out.ends_with("  x = 1\n\n[profile new]\nregion = x\n"), "{out}");
        // Indented files are edited by the reading rules: the new line neither continues nor is continued.
        let indented = "[profile b]\n  [profile a]\n  output = json\n";
        let out = set_property(indented, FileKind::Config, "b", "region", "x");
        assert_eq!(out, "[profile b]\n  region = x\n  [profile a]\n  output = json\n");
        let out = set_property(indented, FileKind::Config, "a", "output", "text");
        assert_eq!(out, "[profile b]\n  [profile a]\n  output = text\n");
        let out = set_property("[a]\r\nk = 1\r\n", FileKind::Credentials, "a", "k", "2");
        assert_eq!(out, "[a]\r\nk = 2\r\n");
        let out = set_property("", FileKind::Credentials, "default", "aws_access_key_id", "AKIA");
        assert_eq!(out, "[default]\naws_access_key_id = AKIA\n");
        // The result parses to the value set.
        let f = parse(&out, FileKind::Credentials).expect("parses");
        assert_eq!(
            f.profile("default")
                .and_then(|p| p.get("aws_access_key_id"))
                .map(|p| p.line),
            Some(2)
        );
    }
}
