//! The line-preserving edit that `awl configure` makes: one property set, every other line, comment and
//! section kept, lines classified as the parser classifies them. Pure.

use super::lines::strip_comment;
use super::{FileKind, Header, WHITESPACE, classify, trim};

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
    use crate::codec::ini::parse;

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
