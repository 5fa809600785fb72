//! Just enough DER to read what a certificate check needs and rustls does not expose: a certificate's issuer,
//! subject and validity period. Pure; never panics on any input (fuzzed).

use crate::codec::time::UtcDateTime;

/// One DER element: its tag, its contents, and what follows it.
fn element(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = data.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |a, b| (a << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

const SEQUENCE: u8 = 0x30;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;

/// What a certificate check reads of a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertFacts<'a> {
    /// The issuer's name, as encoded (compared byte for byte).
    pub issuer: &'a [u8],
    /// The subject's name, as encoded.
    pub subject: &'a [u8],
    /// The start of validity, in Unix seconds.
    pub not_before: i64,
    /// The end of validity, in Unix seconds.
    pub not_after: i64,
}

impl CertFacts<'_> {
    /// Whether it names itself as its issuer.
    pub fn self_issued(&self) -> bool {
        self.issuer == self.subject
    }

    /// Whether `now` (Unix seconds) lies within its validity.
    pub fn valid_at(&self, now: i64) -> bool {
        (self.not_before..=self.not_after).contains(&now)
    }
}

fn digits(s: &[u8]) -> Option<u32> {
    s.iter().try_fold(0u32, |a, &d| {
        d.is_ascii_digit().then(|| a * 10 + u32::from(d - b'0'))
    })
}

/// A UTCTime (`YYMMDDHHMMSSZ`, years 1950 to 2049) or GeneralizedTime (`YYYYMMDDHHMMSSZ`), in Unix seconds.
fn time(tag: u8, v: &[u8]) -> Option<i64> {
    let (year, rest) = match (tag, v.len()) {
        (UTC_TIME, 13) => {
            let yy = digits(&v[..2])?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &v[2..])
        }
        (GENERALIZED_TIME, 15) => (digits(&v[..4])?, &v[4..]),
        _ => return None,
    };
    if rest[10] != b'Z' {
        return None;
    }
    let field = |i: usize| digits(&rest[i..i + 2]);
    let t = UtcDateTime {
        year: i64::from(year),
        month: field(0)?,
        day: field(2)?,
        hour: field(4)?,
        minute: field(6)?,
        second: field(8)?,
    };
    let valid = (1..=12).contains(&t.month)
        && (1..=31).contains(&t.day)
        && t.hour < 24
        && t.minute < 60
        && t.second < 61;
    valid.then(|| t.to_unix())
}

/// The issuer, subject and validity of a DER certificate; `None` if it is not one.
pub fn certificate(der: &[u8]) -> Option<CertFacts<'_>> {
    let (SEQUENCE, cert, _) = element(der)? else {
        return None;
    };
    let (SEQUENCE, tbs, _) = element(cert)? else {
        return None;
    };
    // [0] version, when present; then serial number and signature algorithm.
    let mut rest = tbs;
    if rest.first() == Some(&0xa0) {
        rest = element(rest)?.2;
    }
    let (_, _, rest) = element(rest)?;
    let (_, _, rest) = element(rest)?;
    let (SEQUENCE, issuer, rest) = element(rest)? else {
        return None;
    };
    let (SEQUENCE, validity, rest) = element(rest)? else {
        return None;
    };
    let (SEQUENCE, subject, _) = element(rest)? else {
        return None;
    };
    let (t1, v1, after) = element(validity)?;
    let (t2, v2, _) = element(after)?;
    Some(CertFacts {
        issuer,
        subject,
        not_before: time(t1, v1)?,
        not_after: time(t2, v2)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_and_times_and_refuses_garbage() {
        assert!(certificate(b"").is_none());
        assert!(certificate(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_none());
        assert!(certificate(&[0x30, 0x03, 0x30, 0x01]).is_none());
        assert_eq!(time(UTC_TIME, b"261202000000Z"), Some(1_796_169_600));
        assert_eq!(time(GENERALIZED_TIME, b"20261202000000Z"), Some(1_796_169_600));
        assert_eq!(
            time(UTC_TIME, b"491231235959Z").map(|t| t > 2_500_000_000),
            Some(true)
        );
        assert!(time(UTC_TIME, b"261302000000Z").is_none() && time(UTC_TIME, b"26120200000Z").is_none());
        // A real one (testdata/tls/README.md says how it was made).
        let der = include_bytes!("../../testdata/tls/self-signed.der");
        let c = certificate(der).expect("a certificate");
        assert!(c.self_issued());
        assert_eq!((c.not_before, c.not_after), (1_796_172_908, 2_111_532_908));
        assert!(c.valid_at(1_796_200_000) && !c.valid_at(1_796_172_907) && !c.valid_at(2_111_532_909));
        // Every truncation of it is refused, never read past its end.
        for n in 0..der.len() {
            assert!(certificate(&der[..n]).is_none(), "{n}");
        }
    }
}
