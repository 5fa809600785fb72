//! Numbers as Python sees them. A JSON number is a Python `int` when its text has no fraction or exponent,
//! else a `float`; results are compared by value (an int and a float exactly, as Python does) and a computed
//! number is written as Python's `repr` (then `json.dumps`) would write it: `3`, `3.0`, `1e+16`, `Infinity`.

use std::cmp::Ordering;

/// A number's value. Integers beyond i128 are kept as the nearest float.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Num {
    Int(i128),
    Float(f64),
}

/// Whether `text` is a JSON integer: an optional minus and digits only.
pub(crate) fn is_int_text(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// An integer's text as Python prints the int: no leading zeros, no `-0`, any size.
pub(crate) fn normalize_int(text: &str) -> String {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let digits = digits.trim_start_matches('0');
    match (digits.is_empty(), negative) {
        (true, _) => "0".to_owned(),
        (false, true) => format!("-{digits}"),
        (false, false) => digits.to_owned(),
    }
}

/// A number's text as Python's `json.dumps` writes the value it parsed it to (`1.50` is `1.5`, `-0` is `0`).
pub(crate) fn python_text(text: &str) -> String {
    if is_int_text(text) {
        normalize_int(text)
    } else {
        Num::parse(text).repr()
    }
}

impl Num {
    /// The value of a number's text; text that is no number reads as NaN (only code, not JSON, can make one).
    pub(crate) fn parse(text: &str) -> Num {
        if is_int_text(text)
            && let Ok(i) = text.parse::<i128>()
        {
            return Num::Int(i);
        }
        Num::Float(text.parse::<f64>().unwrap_or(f64::NAN))
    }

    pub(crate) fn to_f64(self) -> f64 {
        match self {
            // Rounds to nearest, ties to even, as Python's int-to-float conversion.
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }

    /// Python's ordering of two numbers; `None` when either is NaN.
    pub(crate) fn partial_cmp(self, other: Num) -> Option<Ordering> {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => Some(a.cmp(&b)),
            (Num::Float(a), Num::Float(b)) => a.partial_cmp(&b),
            (Num::Int(a), Num::Float(b)) => cmp_int_float(a, b),
            (Num::Float(a), Num::Int(b)) => cmp_int_float(b, a).map(Ordering::reverse),
        }
    }

    /// A total order for sorting, NaN after everything, so that a sort never sees an inconsistent order.
    pub(crate) fn total_cmp(self, other: Num) -> Ordering {
        let nan = |n: Num| matches!(n, Num::Float(f) if f.is_nan());
        match (nan(self), nan(other)) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => self.partial_cmp(other).unwrap_or(Ordering::Equal),
        }
    }

    /// Python's `x in (0, 1)`: the numbers jmespath.py keeps from comparing equal to booleans.
    pub(crate) fn is_zero_or_one(self) -> bool {
        match self {
            Num::Int(i) => i == 0 || i == 1,
            Num::Float(f) => f == 0.0 || f == 1.0,
        }
    }

    /// The number as Python's `json.dumps` writes it.
    pub(crate) fn repr(self) -> String {
        match self {
            Num::Int(i) => i.to_string(),
            Num::Float(f) => float_repr(f),
        }
    }
}

/// An int and a float compared exactly (as Python does; converting the int to f64 could round it).
fn cmp_int_float(i: i128, f: f64) -> Option<Ordering> {
    // 2^127: every float at or above it is larger than every i128.
    const LIMIT: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;
    if f.is_nan() {
        return None;
    }
    if f >= LIMIT {
        return Some(Ordering::Less);
    }
    if f < -LIMIT {
        return Some(Ordering::Greater);
    }
    let whole = f.trunc();
    // In range and integral, so the conversion is exact.
    let w = whole as i128;
    Some(match i.cmp(&w) {
        Ordering::Equal if f > whole => Ordering::Less,
        Ordering::Equal if f < whole => Ordering::Greater,
        other => other,
    })
}

/// Python's `repr(float)` as `json.dumps` writes it: the shortest digits that read back to the same float,
/// positional between 1e-4 and 1e16 (always with a fraction: `3.0`), else `1e+16`, `1.5e-05`; and JSON's
/// `Infinity`, `-Infinity`, `NaN`.
pub(crate) fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    // `{:e}` gives the shortest round-trip digits: "1.2345e-7", "-5e0".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (-4..16).contains(&exp) {
        let point = exp + 1;
        let body = if point <= 0 {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else {
            let point = point as usize;
            if digits.len() <= point {
                format!("{digits}{}.0", "0".repeat(point - digits.len()))
            } else {
                format!("{}.{}", &digits[..point], &digits[point..])
            }
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{first}{frac}e{esign}{:02}", exp.unsigned_abs())
    }
}

/// An integral float as the exact integer Python's `math.ceil`/`math.floor` return.
pub(crate) fn integral_text(f: f64) -> String {
    const LIMIT: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;
    if f.abs() < LIMIT {
        (f as i128).to_string()
    } else {
        // Formatting with a precision prints the float's exact decimal value.
        format!("{f:.0}")
    }
}

/// Python's whitespace for `str.strip()`: Unicode white space and the four separators Python counts too.
pub(crate) fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// `to_number` on a string: Python's `int(s)`, else `float(s)`, else nothing; the result's text as
/// `json.dumps` writes it. Digits are ASCII only (Python also takes other scripts' digits).
pub(crate) fn parse_python_number(s: &str) -> Option<String> {
    let t = s.trim_matches(is_python_space);
    let (sign, body) = match t.as_bytes().first() {
        Some(b'-') => ("-", &t[1..]),
        Some(b'+') => ("", &t[1..]),
        _ => ("", t),
    };
    if body.starts_with(['+', '-']) {
        return None;
    }
    let plain = without_underscores(body)?;
    if !plain.is_empty() && plain.bytes().all(|b| b.is_ascii_digit()) {
        return Some(normalize_int(&format!("{sign}{plain}")));
    }
    let f = match plain.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => return Some(float_repr(f64::NAN)),
        _ if plain
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-')) =>
        {
            plain.parse().ok()?
        }
        _ => return None,
    };
    Some(float_repr(if sign == "-" { -f } else { f }))
}

/// The text with Python's digit-group underscores removed; `None` if one is not between two digits.
fn without_underscores(s: &str) -> Option<String> {
    let b = s.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'_' {
            let before = i > 0 && b[i - 1].is_ascii_digit();
            let after = b.get(i + 1).is_some_and(u8::is_ascii_digit);
            if !before || !after {
                return None;
            }
        }
    }
    Some(s.replace('_', ""))
}
