//! The rules by name: where a secret stands in a text, as byte ranges. An XML element, a JSON member, a
//! `name=value` or `name: value` pair and a `Bearer` token whose name is secret ([`is_secret_name`]); any case,
//! any namespace prefix or attributes; a secret whose end is missing runs to the end of the text. Each
//! scanner goes once over the text (linear time), with bounded look-ahead.

use super::is_secret_name;
use std::collections::HashMap;
use std::ops::Range;

/// Where `text` holds a secret by name: XML element contents, JSON member values, `name=value` and
/// `name: value` pairs, `Bearer` tokens. Each rule runs over the whole text on its own (a quote or tag left
/// open by one format cannot hide a secret from another), and a value whose end is not there runs to the end.
pub(super) fn named(b: &[u8], out: &mut Vec<Range<usize>>) {
    xml_regions(b, out);
    json_regions(b, out);
    word_regions(b, out);
}

fn find_byte(b: &[u8], from: usize, byte: u8) -> Option<usize> {
    b.get(from..)?.iter().position(|&c| c == byte).map(|i| from + i)
}

fn skip_blanks(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|c| matches!(c, b' ' | b'\t')) {
        i += 1;
    }
    i
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// Longest element name looked at; secret names are far shorter.
const MAX_NAME: usize = 128;
/// Longest open tag read past its name (attributes); an open tag longer than this is treated as unfinished
/// and everything after its name is masked.
const MAX_TAG: usize = 4096;

/// How an open tag ends.
enum TagEnd {
    /// `>`: the content starts here.
    Open(usize),
    /// `/>`: no content.
    Empty,
    /// Not within reach: the text ends first, or the tag is too long.
    Unfinished,
}

/// The end of an open tag whose name ends at `from`, quotes in attribute values respected.
fn tag_end(b: &[u8], from: usize) -> TagEnd {
    let limit = b.len().min(from.saturating_add(MAX_TAG));
    let mut k = from;
    while k < limit {
        match b[k] {
            q @ (b'"' | b'\'') => match find_byte(&b[..limit], k + 1, q) {
                Some(e) => k = e + 1,
                None => return TagEnd::Unfinished,
            },
            b'>' if k > from && b[k - 1] == b'/' => return TagEnd::Empty,
            b'>' => return TagEnd::Open(k + 1),
            _ => k += 1,
        }
    }
    TagEnd::Unfinished
}

fn is_xml_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':')
}

/// The contents of elements with secret local names (`<SessionToken>`, `<ns:Token-0 a="b">`), up to the
/// first close tag of exactly the same name, or to the end.
fn xml_regions(b: &[u8], out: &mut Vec<Range<usize>>) {
    // Per name: (searched from, first close tag at or after it); the searches go forward only.
    let mut closes: HashMap<&[u8], (usize, usize)> = HashMap::new();
    let mut i = 0;
    while let Some(lt) = find_byte(b, i, b'<') {
        i = lt + 1;
        let mut name_end = lt + 1;
        while name_end < b.len() && name_end - lt <= MAX_NAME && is_xml_name_byte(b[name_end]) {
            name_end += 1;
        }
        let name = &b[lt + 1..name_end];
        let local = name.rsplit(|&c| c == b':').next().unwrap_or(name);
        let named_secret = std::str::from_utf8(local).is_ok_and(|l| !l.is_empty() && is_secret_name(l));
        let name_ends = b
            .get(name_end)
            .is_none_or(|c| c.is_ascii_whitespace() || matches!(c, b'>' | b'/'));
        if !named_secret || !name_ends {
            continue;
        }
        match tag_end(b, name_end) {
            TagEnd::Empty => {}
            TagEnd::Unfinished => {
                out.push(name_end..b.len());
                return;
            }
            TagEnd::Open(content) => {
                let end = match closes.get(name) {
                    Some(&(from, at)) if from <= content && content <= at => at,
                    _ => {
                        let at = close_tag(b, name, content);
                        closes.insert(name, (content, at));
                        at
                    }
                };
                out.push(content..end);
                if end == b.len() {
                    return;
                }
            }
        }
    }
}

/// Where the first `</name>` (blanks allowed before `>`) at or after `from` starts, or the end of `b`.
fn close_tag(b: &[u8], name: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(lt) = find_byte(b, i, b'<') {
        i = lt + 1;
        let n = lt + 2;
        if b.get(lt + 1) == Some(&b'/')
            && b.get(n..n + name.len()) == Some(name)
            && b.get(skip_ws(b, n + name.len())) == Some(&b'>')
        {
            return lt;
        }
    }
    b.len()
}

/// Longest JSON member name decoded; secret names are far shorter.
const MAX_KEY: usize = 64;

/// The JSON string starting after the quote at `from`, decoded, if it ends within [`MAX_KEY`] characters:
/// the name and the index past its closing quote.
fn json_key(b: &[u8], from: usize) -> Option<(String, usize)> {
    let mut key = Vec::new();
    let mut k = from;
    while key.len() <= MAX_KEY {
        match *b.get(k)? {
            b'"' => return String::from_utf8(key).ok().map(|s| (s, k + 1)),
            b'\\' => {
                let (c, used) = match *b.get(k + 1)? {
                    b'u' => {
                        let hex = std::str::from_utf8(b.get(k + 2..k + 6)?).ok()?;
                        (char::from_u32(u32::from_str_radix(hex, 16).ok()?)?, 6)
                    }
                    e @ (b'"' | b'\\' | b'/') => (char::from(e), 2),
                    b'b' => ('\u{8}', 2),
                    b'f' => ('\u{c}', 2),
                    b'n' => ('\n', 2),
                    b'r' => ('\r', 2),
                    b't' => ('\t', 2),
                    _ => return None,
                };
                let mut buf = [0u8; 4];
                key.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                k += used;
            }
            c => {
                key.push(c);
                k += 1;
            }
        }
    }
    None
}

/// Where the JSON string whose content starts at `from` ends (its closing quote), or the end of `b`.
fn json_string_end(b: &[u8], from: usize) -> usize {
    let mut k = from;
    while k < b.len() {
        match b[k] {
            b'"' => return k,
            b'\\' => k += 2,
            _ => k += 1,
        }
    }
    b.len()
}

/// The values of JSON members with secret names (`"SessionToken": "..."`, `"accessToken"`, a number for a
/// code), and of the member named `code` exactly (an OAuth authorization code). Every quote is tried as the
/// start of a name, so an unbalanced quote before one cannot hide it.
fn json_regions(b: &[u8], out: &mut Vec<Range<usize>>) {
    let mut i = 0;
    while let Some(q) = find_byte(b, i, b'"') {
        i = q + 1;
        let Some((key, after)) = json_key(b, q + 1) else {
            continue;
        };
        // `code` exactly: SSO-OIDC's authorization code (CreateToken); `Code` elsewhere names an error.
        if !is_secret_name(&key) && key != "code" {
            continue;
        }
        let colon = skip_ws(b, after);
        if b.get(colon) != Some(&b':') {
            continue;
        }
        let v = skip_ws(b, colon + 1);
        match b.get(v) {
            // Cut after the colon, or an object or array: its members are looked at by name themselves.
            None | Some(b'{' | b'[') => {}
            Some(b'"') => {
                let end = json_string_end(b, v + 1);
                out.push(v + 1..end);
                if end == b.len() {
                    return;
                }
            }
            Some(_) => {
                let end = (v..b.len())
                    .find(|&k| b[k].is_ascii_whitespace() || matches!(b[k], b',' | b'}' | b']'))
                    .unwrap_or(b.len());
                out.push(v..end);
            }
        }
    }
}

/// What ends a value found by the word rules.
#[derive(Clone, Copy)]
enum Stop {
    /// `name=value` unquoted: a query, a form, an `Authorization` parameter.
    Param,
    /// `name: value`: a header line (S3 echoes its canonical request).
    Line,
    /// `Bearer token`.
    Bearer,
    /// A value in double quotes.
    Double,
    /// A value in single quotes.
    Single,
}

impl Stop {
    fn stops(self, c: u8) -> bool {
        match self {
            Stop::Param => {
                c.is_ascii_whitespace() || matches!(c, b'&' | b'"' | b'\'' | b'<' | b'>' | b',' | b';' | b'#')
            }
            Stop::Line => matches!(c, b'\r' | b'\n' | b'<'),
            Stop::Bearer => {
                c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b'<' | b'>' | b',' | b';' | b'&')
            }
            Stop::Double => c == b'"',
            Stop::Single => c == b'\'',
        }
    }
}

/// The first stop of each kind found so far: a later value starting before it ends there too, so a run of
/// `token=token=token=...` is read once, not once per name.
#[derive(Default)]
struct Stops([Option<(usize, usize)>; 5]);

impl Stops {
    fn end(&mut self, b: &[u8], from: usize, stop: Stop) -> usize {
        let slot = &mut self.0[stop as usize];
        if let Some((start, at)) = *slot
            && start <= from
            && from <= at
        {
            return at;
        }
        let at = (from..b.len()).find(|&k| stop.stops(b[k])).unwrap_or(b.len());
        *slot = Some((from, at));
        at
    }
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_')
}

/// Longest word looked at; secret names are far shorter.
const MAX_WORD: usize = 64;

/// `name=value` and `name: value` for secret names (`X-Amz-Security-Token=`, `TokenCode=`,
/// `x-amz-security-token:`), quoted values included, and the token after `Bearer`.
fn word_regions(b: &[u8], out: &mut Vec<Range<usize>>) {
    let mut stops = Stops::default();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphanumeric() || (i > 0 && is_word_byte(b[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && is_word_byte(b[i]) {
            i += 1;
        }
        if i - start > MAX_WORD {
            continue;
        }
        let word = std::str::from_utf8(&b[start..i]).unwrap_or_default();
        let (v, stop) = if word.eq_ignore_ascii_case("bearer") {
            let v = skip_blanks(b, i);
            if v == i {
                continue;
            }
            (v, Stop::Bearer)
        } else if is_secret_name(word) {
            let k = skip_blanks(b, i);
            match b.get(k) {
                Some(b'=') => (k + 1, Stop::Param),
                Some(b':') => (skip_blanks(b, k + 1), Stop::Line),
                _ => continue,
            }
        } else {
            continue;
        };
        let (v, stop) = match b.get(v) {
            Some(b'"') => (v + 1, Stop::Double),
            Some(b'\'') => (v + 1, Stop::Single),
            _ => (v, stop),
        };
        let end = stops.end(b, v, stop);
        out.push(v..end);
    }
}
