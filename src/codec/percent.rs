//! Percent-encoding as SigV4 and S3 define it (RFC 3986): every byte except the unreserved set
//! `A-Z a-z 0-9 - . _ ~` becomes `%XX` with upper-case hex; `/` is kept in paths.

use std::borrow::Cow;

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Whether a byte is in RFC 3986's unreserved set.
#[inline]
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Appends `input` to `out`, percent-encoding every byte outside the unreserved set (and outside `/` when
/// `keep_slash`).
pub fn encode_into(out: &mut String, input: &[u8], keep_slash: bool) {
    let mut start = 0;
    for (i, &b) in input.iter().enumerate() {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            continue;
        }
        // The run before `i` is unreserved ASCII, so it is valid UTF-8 on its own.
        out.push_str(std::str::from_utf8(&input[start..i]).unwrap_or_default());
        out.push('%');
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
        start = i + 1;
    }
    out.push_str(std::str::from_utf8(&input[start..]).unwrap_or_default());
}

/// Percent-encodes a query key or value (`/` encoded too).
pub fn encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    encode_into(&mut out, input.as_bytes(), false);
    out
}

/// Percent-encodes a URI path or S3 key, keeping `/`.
pub fn encode_path(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    encode_into(&mut out, input.as_bytes(), true);
    out
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes a form-encoded value as Python's `unquote_plus` does (`+` is a space, then `%XX`): the keys of
/// a listing asked with `encoding-type=url`. `None` if the bytes are not UTF-8.
pub fn decode_plus(input: &str) -> Option<String> {
    let spaced = input.replace('+', " ");
    String::from_utf8(decode(&spaced).into_owned()).ok()
}

/// Decodes `%XX` sequences; a `%` not followed by two hex digits is kept as it is, and `+` stays `+`.
pub fn decode(input: &str) -> Cow<'_, [u8]> {
    let bytes = input.as_bytes();
    if !bytes.contains(&b'%') {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex_value),
                bytes.get(i + 2).copied().and_then(hex_value),
            )
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding_as_unquote_plus() {
        assert_eq!(decode_plus("a+b%2Bc%20d%25").as_deref(), Some("a b+c d%"));
        assert_eq!(decode_plus("%F0%9F%98%80").as_deref(), Some("\u{1F600}"));
        assert_eq!(decode_plus("%FF"), None);
    }

    #[test]
    fn unreserved_bytes_pass_and_everything_else_is_encoded() {
        let all: Vec<u8> = (0u8..=255).collect();
        let mut out = String::new();
        encode_into(&mut out, &all, false);
        // 66 unreserved bytes stay one character, the other 190 become three.
        assert_eq!(out.len(), 66 + 190 * 3);
        assert!(out.contains("%2C-.%2F0123456789%3A") && out.contains("%FF"));
        assert_eq!(encode("a b+c/d=e&f~"), "a%20b%2Bc%2Fd%3De%26f~");
        assert_eq!(encode_path("a b/c+d.txt"), "a%20b/c%2Bd.txt");
        assert_eq!(encode_path("ሴ"), "%E1%88%B4");
    }

    #[test]
    fn decoding_keeps_stray_percents_and_plus() {
        assert_eq!(&*decode("%E1%88%B4"), "ሴ".as_bytes());
        assert_eq!(&*decode("100%"), b"100%");
        assert_eq!(&*decode("%zz%4"), b"%zz%4");
        assert_eq!(&*decode("a+b%2b"), b"a+b+");
    }

    #[test]
    fn encode_then_decode_is_the_identity() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..2000 {
            let bytes: Vec<u8> = (0..(state % 40))
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            let mut enc = String::new();
            encode_into(&mut enc, &bytes, false);
            assert_eq!(&*decode(&enc), &bytes[..]);
        }
    }
}
