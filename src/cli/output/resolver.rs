//! ruamel.yaml's implicit resolver for YAML 1.2 (`ruamel/yaml/resolver.py`, 0.19.1), as its dumper uses it:
//! a string whose plain form would read back as another type (the resolvers are picked by its first
//! character and must match all of it) cannot be written plain, and is quoted.

/// Whether ruamel's YAML 1.2 resolver reads the plain scalar `s` as something other than a string: a bool,
/// float, int, null, timestamp, or the merge, value and yaml tags (the resolvers chosen by the first
/// character, each a full match).
pub(super) fn resolves_to_other_type(s: &str) -> bool {
    let b = s.as_bytes();
    let unsigned = b.strip_prefix(b"-").or_else(|| b.strip_prefix(b"+")).unwrap_or(b);
    let all = |t: &[u8], f: fn(u8) -> bool| !t.is_empty() && t.iter().all(|&c| f(c));
    let digit_ = |c: u8| c.is_ascii_digit() || c == b'_';
    let exp = |t: &[u8], sign_required: bool| match t {
        [b'e' | b'E', b'+' | b'-', rest @ ..] => all(rest, |c| c.is_ascii_digit()),
        [b'e' | b'E', rest @ ..] => !sign_required && all(rest, |c| c.is_ascii_digit()),
        _ => false,
    };
    let float = || {
        if let Some(rest) = unsigned.strip_prefix(b".") {
            if matches!(rest, b"inf" | b"Inf" | b"INF") {
                return true;
            }
            let n = rest.iter().take_while(|&&c| digit_(c)).count();
            return n > 0 && (n == rest.len() || exp(&rest[n..], true));
        }
        if !unsigned.first().is_some_and(u8::is_ascii_digit) {
            return false;
        }
        let n = unsigned.iter().take_while(|&&c| digit_(c)).count();
        match &unsigned[n..] {
            [b'.', frac @ ..] => {
                let m = frac.iter().take_while(|&&c| digit_(c)).count();
                m == frac.len() || exp(&frac[m..], false)
            }
            rest => exp(rest, false),
        }
    };
    let int = || {
        all(unsigned, digit_)
            || unsigned
                .strip_prefix(b"0b")
                .is_some_and(|t| all(t, |c| matches!(c, b'0' | b'1' | b'_')))
            || unsigned
                .strip_prefix(b"0o")
                .is_some_and(|t| all(t, |c| matches!(c, b'0'..=b'7' | b'_')))
            || unsigned
                .strip_prefix(b"0x")
                .is_some_and(|t| all(t, |c| c.is_ascii_hexdigit() || c == b'_'))
    };
    matches!(s, "true" | "True" | "TRUE" | "false" | "False" | "FALSE")
        || matches!(
            s,
            ".nan" | ".NaN" | ".NAN" | "<<" | "=" | "!" | "&" | "*" | "~" | "null" | "Null" | "NULL" | ""
        )
        || (matches!(b.first(), Some(b'-' | b'+' | b'.' | b'0'..=b'9')) && (float() || int()))
        || timestamp(b)
}

/// The timestamp resolver: `YYYY-MM-DD`, or `YYYY-M-D` then `T`/`t`/blanks, `H:MM:SS`, an optional
/// fraction and an optional zone (`Z` or `±H[:MM]`, after optional blanks).
fn timestamp(b: &[u8]) -> bool {
    let digits = |t: &[u8], min: usize, max: usize| -> usize {
        let n = t.iter().take_while(|c| c.is_ascii_digit()).count();
        if n >= min { n.min(max) } else { usize::MAX }
    };
    let blank = |c: &u8| *c == b' ' || *c == b'\t';
    let date_only = |b: &[u8]| -> bool {
        matches!(b, [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1]
            if [y0, y1, y2, y3, m0, m1, d0, d1].iter().all(|c| c.is_ascii_digit()))
    };
    if date_only(b) {
        return true;
    }
    // Walks the long form; each step fails by returning None.
    let long = || -> Option<()> {
        let mut t = b;
        let take = |t: &mut &[u8], min: usize, max: usize| -> Option<()> {
            let n = digits(t, min, max);
            (n != usize::MAX).then(|| *t = &t[n..])
        };
        let lit = |t: &mut &[u8], c: u8| -> Option<()> { (t.first() == Some(&c)).then(|| *t = &t[1..]) };
        take(&mut t, 4, 4)?;
        lit(&mut t, b'-')?;
        take(&mut t, 1, 2)?;
        lit(&mut t, b'-')?;
        take(&mut t, 1, 2)?;
        match t.first() {
            Some(b'T' | b't') => t = &t[1..],
            Some(c) if blank(c) => t = &t[t.iter().take_while(|c| blank(c)).count()..],
            _ => return None,
        }
        take(&mut t, 1, 2)?;
        lit(&mut t, b':')?;
        take(&mut t, 2, 2)?;
        lit(&mut t, b':')?;
        take(&mut t, 2, 2)?;
        if t.first() == Some(&b'.') {
            t = &t[1..];
            t = &t[t.iter().take_while(|c| c.is_ascii_digit()).count()..];
        }
        t = &t[t.iter().take_while(|c| blank(c)).count()..];
        match t {
            [] if b.last().is_some_and(|c| !blank(c)) => Some(()),
            [b'Z'] => Some(()),
            [b'+' | b'-', rest @ ..] => {
                let mut r = rest;
                take(&mut r, 1, 2)?;
                if !r.is_empty() {
                    lit(&mut r, b':')?;
                    take(&mut r, 2, 2)?;
                }
                r.is_empty().then_some(())
            }
            _ => None,
        }
    };
    long().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_forms_that_read_back_as_other_types() {
        for s in [
            "true",
            "FALSE",
            "null",
            "~",
            "",
            "123",
            "-1",
            "+1",
            "1_000",
            "0x1F",
            "0o17",
            "0b101",
            "1.5",
            ".5",
            "1e3",
            "-.inf",
            ".NaN",
            "<<",
            "=",
            "!",
            "2026-05-01",
            "2026-05-01T10:00:00Z",
            "2026-5-1 1:00:00.5 +02:00",
        ] {
            assert!(resolves_to_other_type(s), "{s:?}");
        }
        for s in [
            "yes",
            "on",
            "1e",
            "1.2.3",
            "-.nan",
            "0x",
            "1:20",
            "2026-05-01T10:00",
            "2026-05-01T10:00:00+0530",
            "2026-05-01T10:00:00 ",
            "20260501x",
            "a",
            "TRUE ",
        ] {
            assert!(!resolves_to_other_type(s), "{s:?}");
        }
    }
}
