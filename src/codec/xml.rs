//! A small XML reader for exactly the responses awl parses (STS and S3): elements, text, the five entities and
//! character references, CDATA; namespace prefixes and attributes are ignored; no DTD is read (so no entity
//! expansion). Limits on size and depth; never panics.

use crate::codec::redact;
use crate::error::{Error, Result};

/// Largest document read.
const MAX_LEN: usize = 32 << 20;
/// Deepest nesting read.
const MAX_DEPTH: usize = 32;
/// Most elements read. An element costs about a hundred bytes however short its text (`<a/>` is four), so
/// without a cap a document of empty elements takes some 25 times its size; real answers stay far below
/// it (a ListObjectsV2 or ListObjectVersions page of 1,000 entries holds about 15,000 elements).
const MAX_ELEMENTS: usize = 200_000;

/// An element: its local name (prefix dropped), its text (all direct text joined) and its children. `Debug`
/// hides the text of elements with secret names (`SecretAccessKey`, `SessionToken`).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// The name without namespace prefix.
    pub name: String,
    /// The element's own text, entities decoded.
    pub text: String,
    /// Child elements in order.
    pub children: Vec<Element>,
}

impl std::fmt::Debug for Element {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text: &dyn std::fmt::Debug = if redact::is_secret_name(&self.name) {
            &"***"
        } else {
            &self.text
        };
        f.debug_struct("Element")
            .field("name", &self.name)
            .field("text", text)
            .field("children", &self.children)
            .finish()
    }
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The element at a path of child names.
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |e, n| e.child(n))
    }

    /// The text of the element at a path of child names.
    pub fn text_at(&self, names: &[&str]) -> Option<&str> {
        self.path(names).map(|e| e.text.as_str())
    }

    /// The text of the first child named `name`, trimmed.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|e| e.text.trim())
    }

    /// The first element named `name` at any depth (this one included), in document order.
    pub fn find(&self, name: &str) -> Option<&Element> {
        if self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(name))
    }
}

fn err(what: &str, at: usize) -> Error {
    Error::data(format!("malformed XML at byte {at}: {what}"))
}

/// `text` as XML element content that any reader gives back unchanged: the five entities, and CR, LF and
/// tab as character references, since a reader normalises a literal CR (and CRLF) to LF (S3's "XML related
/// object key constraints": a key `a\r` written as is would name `a\n`).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

/// Reads a document and returns its root element.
pub fn parse(text: &str) -> Result<Element> {
    if text.len() > MAX_LEN {
        return Err(Error::data(format!(
            "XML document of {} bytes is over the limit",
            text.len()
        )));
    }
    let mut p = Parser {
        s: text,
        i: 0,
        elements: 0,
    };
    p.skip_misc()?;
    let root = p.element(0)?;
    p.skip_misc()?;
    if p.i != p.s.len() {
        return Err(err("text after the root element", p.i));
    }
    Ok(root)
}

struct Parser<'a> {
    s: &'a str,
    i: usize,
    /// Elements read so far, against [`MAX_ELEMENTS`].
    elements: usize,
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.i..]
    }

    /// Skips whitespace, the XML declaration, processing instructions, comments and a DOCTYPE (not read).
    fn skip_misc(&mut self) -> Result<()> {
        loop {
            let trimmed = self.rest().trim_start();
            self.i = self.s.len() - trimmed.len();
            if trimmed.starts_with("<?") {
                self.skip_past("?>")?;
            } else if trimmed.starts_with("<!--") {
                self.skip_past("-->")?;
            } else if trimmed.starts_with("<!DOCTYPE") {
                self.skip_past(">")?;
            } else {
                return Ok(());
            }
        }
    }

    fn skip_past(&mut self, end: &str) -> Result<()> {
        match self.rest().find(end) {
            Some(j) => {
                self.i += j + end.len();
                Ok(())
            }
            None => Err(err(&format!("no closing {end}"), self.i)),
        }
    }

    fn name(&mut self) -> Result<&'a str> {
        let start = self.i;
        let len = self
            .rest()
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/' || c == '=')
            .unwrap_or(self.rest().len());
        if len == 0 {
            return Err(err("expected a name", start));
        }
        self.i += len;
        Ok(&self.s[start..start + len])
    }

    fn element(&mut self, depth: usize) -> Result<Element> {
        self.elements += 1;
        if self.elements > MAX_ELEMENTS {
            return Err(err("more elements than any answer holds", self.i));
        }
        if depth > MAX_DEPTH {
            return Err(err("nested too deeply", self.i));
        }
        if !self.rest().starts_with('<') {
            return Err(err("expected '<'", self.i));
        }
        self.i += 1;
        let raw_name = self.name()?.to_owned();
        let mut el = Element {
            name: local(&raw_name).to_owned(),
            ..Element::default()
        };
        // Attributes: skipped, quoted values honoured so a '>' inside one does not end the tag.
        loop {
            let trimmed = self.rest().trim_start();
            self.i = self.s.len() - trimmed.len();
            if let Some(r) = trimmed.strip_prefix("/>") {
                self.i = self.s.len() - r.len();
                return Ok(el);
            }
            if trimmed.starts_with('>') {
                self.i += 1;
                break;
            }
            if trimmed.is_empty() {
                return Err(err("unterminated start tag", self.i));
            }
            self.name()?;
            if !self.rest().starts_with('=') {
                return Err(err("expected '=' in an attribute", self.i));
            }
            self.i += 1;
            let q = self
                .rest()
                .chars()
                .next()
                .ok_or_else(|| err("unterminated attribute", self.i))?;
            if q != '"' && q != '\'' {
                return Err(err("expected a quoted attribute value", self.i));
            }
            self.i += 1;
            self.skip_past(&q.to_string())?;
        }
        // Content.
        loop {
            let rest = self.rest();
            if rest.is_empty() {
                return Err(err(&format!("<{raw_name}> is not closed"), self.i));
            }
            if let Some(r) = rest.strip_prefix("</") {
                let end = r.find('>').ok_or_else(|| err("unterminated end tag", self.i))?;
                let closing = r[..end].trim();
                if closing != raw_name {
                    return Err(err(&format!("</{closing}> closes <{raw_name}>"), self.i));
                }
                self.i += 2 + end + 1;
                return Ok(el);
            }
            if rest.starts_with("<![CDATA[") {
                let end = rest
                    .find("]]>")
                    .ok_or_else(|| err("unterminated CDATA", self.i))?;
                el.text.push_str(&rest[9..end]);
                self.i += end + 3;
            } else if rest.starts_with("<!--") {
                self.skip_past("-->")?;
            } else if rest.starts_with("<?") {
                self.skip_past("?>")?;
            } else if rest.starts_with('<') {
                let child = self.element(depth + 1)?;
                el.children.push(child);
            } else {
                let end = rest.find('<').unwrap_or(rest.len());
                let start = self.i;
                decode_into(&mut el.text, &rest[..end], start)?;
                self.i += end;
            }
        }
    }
}

/// Appends text with entity and character references decoded.
fn decode_into(out: &mut String, text: &str, at: usize) -> Result<()> {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after
            .find(';')
            .filter(|&n| n <= 10)
            .ok_or_else(|| err("bad entity", at))?;
        let entity = &after[..semi];
        let c = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x").or_else(|| entity.strip_prefix("#X"))
                {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .ok_or_else(|| err(&format!("unknown entity &{entity};"), at))?
            }
        };
        out.push(c);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_text_reads_back_unchanged() {
        for text in [
            "a\r",
            "a\n",
            "a\r\nb",
            "<&>\"'",
            "tab\there",
            "\u{1F600} \u{FF01}",
        ] {
            let doc = parse(&format!("<Key>{}</Key>", escape(text))).expect("parses");
            assert_eq!(doc.text, text, "{text:?}");
        }
        assert_eq!(escape("a\rb"), "a&#13;b");
    }

    #[test]
    fn reads_an_sts_answer_with_namespaces_and_entities() {
        let doc = parse(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <sts:Credentials xmlns:sts="x"><AccessKeyId>ASIA&amp;1</AccessKeyId><Note><![CDATA[a<b]]>&#x41;&#66;</Note></sts:Credentials>
    <Empty/>
  </AssumeRoleResult>
  <!-- comment -->
</AssumeRoleResponse>"#,
        )
        .expect("parses");
        assert_eq!(doc.name, "AssumeRoleResponse");
        assert_eq!(
            doc.text_at(&["AssumeRoleResult", "Credentials", "AccessKeyId"]),
            Some("ASIA&1")
        );
        assert_eq!(
            doc.text_at(&["AssumeRoleResult", "Credentials", "Note"]),
            Some("a<bAB")
        );
        assert_eq!(doc.find("Empty").map(|e| e.children.len()), Some(0));
    }

    #[test]
    fn malformed_documents_are_errors() {
        for bad in [
            "",
            "<a>",
            "<a></b>",
            "<a><b></a>",
            "<a>&bogus;</a>",
            "<a x=1></a>",
            "<a>&#xD800;</a>",
            "<a></a><b/>",
            "<a x='1></a>",
            "<",
            "<a><![CDATA[x</a>",
            "text",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let many = format!("<r>{}</r>", "<a/>".repeat(MAX_ELEMENTS));
        assert!(parse(&many).is_err(), "more than the cap");
        let most = format!("<r>{}</r>", "<a/>".repeat(MAX_ELEMENTS - 1));
        assert!(parse(&most).is_ok_and(|r| r.children.len() == MAX_ELEMENTS - 1));
        let deep = "<a>".repeat(MAX_DEPTH + 2) + &"</a>".repeat(MAX_DEPTH + 2);
        assert!(parse(&deep).is_err());
    }
}
