//! UTC calendar arithmetic and the date formats awl reads and writes: SigV4's `20150830T123600Z` and
//! `20150830`, RFC 3339 (STS and the credential cache), and HTTP dates (the `Date` response header).
//!
//! Pure: every function takes the instant it works on; nothing here reads the clock.

use crate::error::{Error, Result};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A UTC calendar date and time of day, to the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct UtcDateTime {
    /// Proleptic Gregorian year.
    pub year: i64,
    /// 1 to 12.
    pub month: u32,
    /// 1 to 31.
    pub day: u32,
    /// 0 to 23.
    pub hour: u32,
    /// 0 to 59.
    pub minute: u32,
    /// 0 to 59 (leap seconds are not represented, as in Unix time).
    pub second: u32,
}

/// Days from 1970-01-01 to the given civil date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // [0, 399]
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count from 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Whether `year` is a Gregorian leap year.
pub fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The number of days in `month` of `year`.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl UtcDateTime {
    /// The calendar date and time of `secs` seconds after 1970-01-01T00:00:00Z (negative: before).
    pub fn from_unix(secs: i64) -> Self {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        UtcDateTime {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem / 60 % 60,
            second: rem % 60,
        }
    }

    /// The calendar date and time of a `SystemTime`, truncated to the second.
    pub fn from_system_time(t: SystemTime) -> Self {
        Self::from_unix(unix_seconds(t))
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn to_unix(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// This instant as a `SystemTime`.
    pub fn to_system_time(&self) -> SystemTime {
        from_unix_seconds(self.to_unix())
    }

    /// SigV4's timestamp, `YYYYMMDDTHHMMSSZ` (ISO 8601 basic format), for years 0 to 9999.
    pub fn amz_date(&self) -> String {
        // Written digit by digit: this runs once per signature, and `format!` costs more than the rest.
        let mut b = *b"00000000T000000Z";
        let year = self.year.clamp(0, 9999) as u32;
        for (i, v) in [
            (0, year / 100),
            (2, year % 100),
            (4, self.month),
            (6, self.day),
            (9, self.hour),
            (11, self.minute),
            (13, self.second),
        ] {
            b[i] = b'0' + (v / 10 % 10) as u8;
            b[i + 1] = b'0' + (v % 10) as u8;
        }
        b.iter().map(|&c| char::from(c)).collect()
    }

    /// ISO 8601 in UTC with milliseconds, as S3 writes `LastModified`: `2026-11-26T18:10:14.000Z` (times
    /// are kept to the second).
    pub fn iso8601_millis(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// RFC 3339 in UTC with a `Z`, as STS and the AWS CLI v1 cache write it: `2026-11-26T18:10:14Z`.
    pub fn rfc3339(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// Seconds since the Unix epoch of a `SystemTime` (negative before it).
pub fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => {
            let d = e.duration();
            // Round towards negative infinity so that 0.5 s before the epoch is second -1.
            let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            if d.subsec_nanos() > 0 { -whole - 1 } else { -whole }
        }
    }
}

/// The `SystemTime` that is `secs` seconds after the Unix epoch.
pub fn from_unix_seconds(secs: i64) -> SystemTime {
    if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs as u64)
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    }
}

/// A timestamp as the AWS CLI v2 prints it (`cli_timestamp_format = iso8601`, its default): Python's
/// `datetime.isoformat()` of the UTC time, `2026-12-07T12:53:11+00:00`, with microseconds when the text had a
/// fraction that is not zero (`.152568`, `.123` as `.123000`). `None` if `text` is not RFC 3339.
pub fn iso8601_v2(text: &str) -> Option<String> {
    let t = parse_rfc3339(text).ok()?;
    let d = UtcDateTime::from_system_time(t);
    // The fraction as written (parse_rfc3339 keeps whole seconds): digits after the seconds' dot.
    let fraction: String = text
        .get(19..)
        .and_then(|rest| rest.strip_prefix('.'))
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect())
        .unwrap_or_default();
    let micros: String = format!("{fraction:0<6}").chars().take(6).collect();
    let micros = if micros.chars().all(|c| c == '0') {
        String::new()
    } else {
        format!(".{micros}")
    };
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{micros}+00:00",
        d.year, d.month, d.day, d.hour, d.minute, d.second
    ))
}

/// A timestamp as the AWS CLI reads one in an argument: ISO 8601 / RFC 3339 (`Z` assumed when no offset is
/// written; a date alone is midnight UTC) or seconds since 1970. `None` for anything else, and for a time
/// before 1970 or after 9999 (which HTTP dates cannot carry).
pub fn parse_cli_timestamp(text: &str) -> Option<SystemTime> {
    let t = text.trim();
    let time = match t.parse::<i64>() {
        Ok(secs) => from_unix_seconds(secs),
        Err(_) if t.len() == 10 => parse_rfc3339(&format!("{t}T00:00:00Z")).ok()?,
        Err(_) => parse_rfc3339(t)
            .or_else(|_| parse_rfc3339(&format!("{t}Z")))
            .ok()?,
    };
    // 1970-01-01 to 9999-12-31 23:59:59.
    (0..=253_402_300_799)
        .contains(&unix_seconds(time))
        .then_some(time)
}

/// Reads an RFC 3339 / ISO 8601 timestamp as AWS services and caches write it.
///
/// Accepted: `2026-11-26T18:10:14Z`, with 0 to 9 fractional digits, a `+hh:mm`/`-hh:mm` offset, or the `UTC`
/// suffix that boto3's cache writes; `T` or a space between date and time; `t`/`z` in lower case.
/// Fractions of a second are dropped (expiry times are compared to the second).
pub fn parse_rfc3339(text: &str) -> Result<SystemTime> {
    let bad = || {
        Error::data(format!(
            "not an RFC 3339 timestamp: {:?}",
            truncate_for_message(text)
        ))
    };
    let b = text.trim().as_bytes();
    if b.len() < 19 {
        return Err(bad());
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let s = b.get(range)?;
        if s.iter().all(u8::is_ascii_digit) {
            Some(s.iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
        } else {
            None
        }
    };
    let punct_ok =
        b[4] == b'-' && b[7] == b'-' && matches!(b[10], b'T' | b't' | b' ') && b[13] == b':' && b[16] == b':';
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
    ) else {
        return Err(bad());
    };
    if !punct_ok
        || !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(i64::from(year), month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return Err(bad());
    }
    let mut rest = &b[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let digits = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return Err(bad());
        }
        rest = &frac[digits..];
    }
    let offset_secs: i64 = match rest {
        b"Z" | b"z" | b"UTC" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digits = [*h1, *h2, *m1, *m2];
            if !digits.iter().all(u8::is_ascii_digit) {
                return Err(bad());
            }
            let h = i64::from((h1 - b'0') * 10 + (h2 - b'0'));
            let m = i64::from((m1 - b'0') * 10 + (m2 - b'0'));
            if h > 23 || m > 59 {
                return Err(bad());
            }
            let s = (h * 60 + m) * 60;
            if *sign == b'+' { s } else { -s }
        }
        _ => return Err(bad()),
    };
    let dt = UtcDateTime {
        year: i64::from(year),
        month,
        day,
        hour,
        minute,
        // A leap second (:60) is read as the first second of the next minute, as Unix time does.
        second: second.min(59),
    };
    let extra = i64::from(second == 60);
    Ok(from_unix_seconds(dt.to_unix() + extra - offset_secs))
}

/// Reads an HTTP date (RFC 9110: IMF-fixdate, and the obsolete RFC 850 and asctime forms), as in `Date`.
pub fn parse_http_date(text: &str) -> Result<SystemTime> {
    httpdate::parse_http_date(text.trim()).map_err(|e| {
        Error::data(format!("not an HTTP date: {:?}", truncate_for_message(text))).with_source(e)
    })
}

/// Keeps outside text in an error message short.
fn truncate_for_message(text: &str) -> &str {
    match text.char_indices().nth(64) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_as_the_aws_cli_v2_prints_them() {
        assert_eq!(
            iso8601_v2("2026-12-07T12:53:11.152568Z").as_deref(),
            Some("2026-12-07T12:53:11.152568+00:00")
        );
        assert_eq!(
            iso8601_v2("2026-12-07T12:53:11Z").as_deref(),
            Some("2026-12-07T12:53:11+00:00")
        );
        assert_eq!(
            iso8601_v2("2026-12-07T12:53:11.000Z").as_deref(),
            Some("2026-12-07T12:53:11+00:00")
        );
        assert_eq!(
            iso8601_v2("2026-12-07T12:53:11.123Z").as_deref(),
            Some("2026-12-07T12:53:11.123000+00:00")
        );
        assert_eq!(iso8601_v2("soon"), None);
    }

    fn at(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> UtcDateTime {
        UtcDateTime {
            year: y,
            month: mo,
            day: d,
            hour: h,
            minute: mi,
            second: s,
        }
    }

    #[test]
    fn sigv4_formats_of_the_test_suite_instant() {
        let t = UtcDateTime::from_unix(1_440_938_160);
        assert_eq!(t, at(2015, 8, 30, 12, 36, 0));
        assert_eq!(t.amz_date(), "20150830T123600Z");
        assert_eq!(t.rfc3339(), "2015-08-30T12:36:00Z");
    }

    #[test]
    fn epoch_and_before() {
        assert_eq!(UtcDateTime::from_unix(0), at(1970, 1, 1, 0, 0, 0));
        assert_eq!(UtcDateTime::from_unix(-1), at(1969, 12, 31, 23, 59, 59));
        assert_eq!(at(1969, 12, 31, 23, 59, 59).to_unix(), -1);
        let before = UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(unix_seconds(before), -1);
    }

    #[test]
    fn leap_years_and_month_ends() {
        assert!(is_leap_year(2000) && is_leap_year(2024) && is_leap_year(1600));
        assert!(!is_leap_year(1900) && !is_leap_year(2100) && !is_leap_year(2023));
        // The last second of Feb 28 of a leap year is followed by Feb 29, of a common year by Mar 1.
        let feb28 = at(2024, 2, 28, 23, 59, 59).to_unix();
        assert_eq!(UtcDateTime::from_unix(feb28 + 1), at(2024, 2, 29, 0, 0, 0));
        let feb28 = at(2023, 2, 28, 23, 59, 59).to_unix();
        assert_eq!(UtcDateTime::from_unix(feb28 + 1), at(2023, 3, 1, 0, 0, 0));
        let feb28 = at(1900, 2, 28, 23, 59, 59).to_unix();
        assert_eq!(UtcDateTime::from_unix(feb28 + 1), at(1900, 3, 1, 0, 0, 0));
        let feb28 = at(2000, 2, 28, 12, 0, 0).to_unix();
        assert_eq!(UtcDateTime::from_unix(feb28 + 86_400), at(2000, 2, 29, 12, 0, 0));
        // Year end.
        let nye = at(2015, 12, 31, 23, 59, 59).to_unix();
        assert_eq!(UtcDateTime::from_unix(nye + 1), at(2016, 1, 1, 0, 0, 0));
        // Every month end of a leap and a common year rolls over to the 1st of the next month.
        for year in [2023, 2024] {
            for month in 1..=12 {
                let last = days_in_month(year, month);
                let t = at(year, month, last, 23, 59, 59).to_unix() + 1;
                let (ny, nm) = if month == 12 {
                    (year + 1, 1)
                } else {
                    (year, month + 1)
                };
                assert_eq!(UtcDateTime::from_unix(t), at(ny, nm, 1, 0, 0, 0));
            }
        }
    }

    #[test]
    fn round_trips_over_every_day_of_four_centuries() {
        // 146097 days is one full Gregorian cycle; walking it day by day checks every date once.
        let start = at(1900, 1, 1, 0, 0, 0).to_unix() / 86_400;
        let mut expect = (1900i64, 1u32, 1u32);
        for days in start..start + 146_097 {
            let t = UtcDateTime::from_unix(days * 86_400 + 3661);
            assert_eq!((t.year, t.month, t.day), expect, "day {days}");
            assert_eq!((t.hour, t.minute, t.second), (1, 1, 1));
            assert_eq!(t.to_unix(), days * 86_400 + 3661);
            expect = if expect.2 < days_in_month(expect.0, expect.1) {
                (expect.0, expect.1, expect.2 + 1)
            } else if expect.1 < 12 {
                (expect.0, expect.1 + 1, 1)
            } else {
                (expect.0 + 1, 1, 1)
            };
        }
    }

    #[test]
    fn rfc3339_forms_that_aws_writers_produce() {
        let want = from_unix_seconds(at(2026, 11, 26, 18, 10, 14).to_unix());
        for s in [
            "2026-11-26T18:10:14Z",
            "2026-11-26T18:10:14+00:00",
            "2026-11-26T18:10:14UTC",
            "2026-11-26T18:10:14.123Z",
            "2026-11-26T18:10:14.123456Z",
            "2026-11-26T18:10:14.123456789Z",
            "2026-11-26 18:10:14Z",
            "2026-11-26t18:10:14z",
            "2026-11-26T20:10:14+02:00",
            "2026-11-26T16:40:14-01:30",
            " 2026-11-26T18:10:14Z\n",
        ] {
            assert_eq!(parse_rfc3339(s).ok(), Some(want), "{s}");
        }
    }

    #[test]
    fn rfc3339_rejects_what_is_not_a_timestamp() {
        for s in [
            "",
            "2026-11-26",
            "2026-11-26T18:10:14",
            "2026-13-26T18:10:14Z",
            "2026-02-29T18:10:14Z",
            "2026-11-31T18:10:14Z",
            "2026-11-26T24:10:14Z",
            "2026-11-26T18:10:14.Z",
            "2026-11-26T18:10:14.1234567890Z",
            "2026-11-26T18:10:14+0000",
            "2026-11-26T18:10:14+25:00",
            "2026/11/26T18:10:14Z",
            "２０２６-11-26T18:10:14Z",
            "2026-11-26T18:10:14ZZ",
        ] {
            assert!(parse_rfc3339(s).is_err(), "{s}");
        }
        assert!(parse_rfc3339("2024-02-29T00:00:00Z").is_ok());
    }

    #[test]
    fn http_dates() {
        let want = at(2015, 8, 30, 12, 36, 0).to_system_time();
        assert_eq!(parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT").ok(), Some(want));
        assert_eq!(parse_http_date("Sunday, 30-Aug-15 12:36:00 GMT").ok(), Some(want));
        assert_eq!(parse_http_date("Sun Aug 30 12:36:00 2015").ok(), Some(want));
        assert!(parse_http_date("yesterday").is_err());
    }

    #[test]
    fn cli_timestamps_as_the_aws_cli_reads_them() {
        let at = |t: &str| parse_cli_timestamp(t).map(unix_seconds);
        assert_eq!(at("2030-01-02"), Some(1_893_542_400));
        assert_eq!(at("2030-01-02T00:00:00"), Some(1_893_542_400));
        assert_eq!(at("2030-01-02T01:00:00+01:00"), Some(1_893_542_400));
        assert_eq!(at("1893542400"), Some(1_893_542_400));
        for bad in ["-5", "1969-12-31", "9999999999999", "soon", ""] {
            assert_eq!(at(bad), None, "{bad}");
        }
    }
}
