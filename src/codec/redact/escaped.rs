//! Text with one level of escaping undone (percent, JSON and XML escapes), with where each byte came from, so
//! that a secret found in the unescaped view is masked where it stands in the original; and the search for a
//! known value in either.

use std::ops::Range;

/// A text with one level of escaping undone, and where each of its bytes came from.
pub(super) struct Unescaped {
    pub(super) bytes: Vec<u8>,
    /// The source offset of each byte, and the source's length last.
    pub(super) from: Vec<usize>,
}

impl Unescaped {
    pub(super) fn of(raw: &[u8]) -> Unescaped {
        let mut u = Unescaped {
            bytes: Vec::with_capacity(raw.len()),
            from: Vec::with_capacity(raw.len() + 1),
        };
        let mut i = 0;
        while i < raw.len() {
            let (byte, used) = unescape(raw, i).unwrap_or((raw[i], 1));
            u.bytes.push(byte);
            u.from.push(i);
            i += used;
        }
        u.from.push(raw.len());
        u
    }

    /// The source bytes of a range of unescaped ones.
    pub(super) fn source(&self, r: Range<usize>) -> Range<usize> {
        let at = |i: usize| self.from.get(i).or(self.from.last()).copied().unwrap_or(0);
        at(r.start)..at(r.end)
    }
}

fn hex_digits(b: &[u8]) -> Option<u32> {
    let s = std::str::from_utf8(b).ok()?;
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// The byte an escape at `i` stands for, and its length: `%XX`; JSON's `\"`, `\\`, `\/`, `\n`, `\r`, `\t`,
/// `\u00XX`; XML's five entities and ASCII character references.
fn unescape(b: &[u8], i: usize) -> Option<(u8, usize)> {
    let ascii = |v: u32| u8::try_from(v).ok().filter(u8::is_ascii);
    match b[i] {
        b'%' => Some((u8::try_from(hex_digits(b.get(i + 1..i + 3)?)?).ok()?, 3)),
        b'\\' => match *b.get(i + 1)? {
            c @ (b'"' | b'\\' | b'/') => Some((c, 2)),
            b'n' => Some((b'\n', 2)),
            b'r' => Some((b'\r', 2)),
            b't' => Some((b'\t', 2)),
            b'u' => Some((ascii(hex_digits(b.get(i + 2..i + 6)?)?)?, 6)),
            _ => None,
        },
        b'&' => {
            let semi = i
                + 1
                + b.get(i + 1..(i + 9).min(b.len()))?
                    .iter()
                    .position(|&c| c == b';')?;
            let byte = match &b[i + 1..semi] {
                b"lt" => b'<',
                b"gt" => b'>',
                b"amp" => b'&',
                b"quot" => b'"',
                b"apos" => b'\'',
                [b'#', b'x' | b'X', hex @ ..] => ascii(hex_digits(hex)?)?,
                [b'#', dec @ ..] => ascii(std::str::from_utf8(dec).ok()?.parse().ok()?)?,
                _ => return None,
            };
            Some((byte, semi + 1 - i))
        }
        _ => None,
    }
}

/// Where `needle` starts in `hay`, overlapping occurrences included (Knuth-Morris-Pratt: linear, whatever
/// the text).
pub(super) fn occurrences<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    let mut fail = vec![0usize; needle.len()];
    let mut k = 0;
    for i in 1..needle.len() {
        while k > 0 && needle[i] != needle[k] {
            k = fail[k - 1];
        }
        if needle[i] == needle[k] {
            k += 1;
        }
        fail[i] = k;
    }
    let mut matched = 0;
    hay.iter().enumerate().filter_map(move |(i, &c)| {
        if needle.is_empty() {
            return None;
        }
        while matched > 0 && c != needle[matched] {
            matched = fail[matched - 1];
        }
        if c == needle[matched] {
            matched += 1;
        }
        if matched == needle.len() {
            matched = fail[matched - 1];
            return Some(i + 1 - needle.len());
        }
        None
    })
}
