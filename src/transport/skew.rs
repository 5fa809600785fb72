//! Clock skew: how far this machine's clock is from the servers', learned from their `Date` headers, by the
//! rules of the cross-SDK clock-skew cases (aws-runtime 1.10.2): the offset is the server's `Date` minus the
//! midpoint of send and receive; it is learned from every answer that is not cached (`Age`) and did not take
//! too long to trust; requests are signed at `now + offset`. A definite skew error (`RequestTimeTooSkewed`, ...)
//! with a `Date` is retried at once, corrected; a possible one (`SignatureDoesNotMatch`, ...) only when the
//! offset is at least 4 minutes.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

/// An answer that took longer than this says little about the server's clock: it is not learned from.
pub const TRUST_ROUND_TRIP: Duration = Duration::from_secs(300);
/// A "possible" skew error is treated as skew only from this offset up.
pub const DETECTION_THRESHOLD_SECS: i64 = 240;

/// Error codes that can only mean the request's time is off.
const DEFINITE: &[&str] = &["RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture"];
/// Error codes that a wrong time can cause, among other things.
const POSSIBLE: &[&str] = &[
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
];

/// The offset between the servers' clock and this machine's, in seconds, shared by every request of the run.
#[derive(Debug, Default)]
pub struct ClockSkew {
    offset: AtomicI64,
    corrected: AtomicBool,
    noticed: AtomicBool,
}

fn secs_since_epoch(t: SystemTime) -> f64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

impl ClockSkew {
    /// A skew of `offset` seconds.
    pub fn new(offset: i64) -> Self {
        let s = ClockSkew::default();
        s.offset.store(offset, Ordering::Relaxed);
        s
    }

    /// The current offset in seconds (server minus local).
    pub fn offset(&self) -> i64 {
        self.offset.load(Ordering::Relaxed)
    }

    /// The time to sign a request sent at `local`: corrected by the offset.
    pub fn signing_time(&self, local: SystemTime) -> SystemTime {
        let o = self.offset();
        if o >= 0 {
            local + Duration::from_secs(o.unsigned_abs())
        } else {
            local - Duration::from_secs(o.unsigned_abs())
        }
    }

    /// Learns from an answer sent at `sent` and received at `received`, with its `Date` and `Age` headers.
    /// Returns whether the offset is now known from this answer.
    pub fn observe(
        &self,
        sent: SystemTime,
        received: SystemTime,
        date: Option<&str>,
        age: Option<&str>,
    ) -> bool {
        if age.is_some() {
            return false;
        }
        let Some(server) = date.and_then(|d| crate::codec::time::parse_http_date(d).ok()) else {
            return false;
        };
        let rtt = received.duration_since(sent).unwrap_or(Duration::ZERO);
        if rtt > TRUST_ROUND_TRIP {
            return false;
        }
        let midpoint = (secs_since_epoch(sent) + secs_since_epoch(received)) / 2.0;
        let offset = (secs_since_epoch(server) - midpoint).round() as i64;
        self.offset.store(offset, Ordering::Relaxed);
        true
    }

    /// Whether an error answer with `code` should be retried as clock skew, given whether `observe` learned
    /// the offset from it.
    pub fn is_skew_error(&self, code: &str, learned: bool) -> bool {
        if !learned {
            return false;
        }
        if DEFINITE.contains(&code) {
            return true;
        }
        POSSIBLE.contains(&code) && self.offset().abs() >= DETECTION_THRESHOLD_SECS
    }

    /// Records that a request was retried because of the skew.
    pub fn note_correction(&self) {
        self.corrected.store(true, Ordering::Relaxed);
    }

    /// Once per run, after a correction: what to tell the user.
    pub fn take_notice(&self) -> Option<String> {
        if !self.corrected.load(Ordering::Relaxed) || self.noticed.swap(true, Ordering::Relaxed) {
            return None;
        }
        let o = self.offset();
        let way = if o > 0 { "behind" } else { "ahead of" };
        Some(format!(
            "this machine's clock is {} s {way} the server's; awl signed its requests with the server's time \
             (set the clock right: timedatectl, chrony or ntpd)",
            o.abs()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> SystemTime {
        crate::codec::time::parse_rfc3339(s).expect("time")
    }

    #[test]
    fn the_offset_is_the_date_minus_the_midpoint() {
        let s = ClockSkew::default();
        assert!(s.observe(
            at("2026-01-01T00:00:00Z"),
            at("2026-01-01T00:00:02Z"),
            Some("Thu, 01 Jan 2026 00:05:01 GMT"),
            None
        ));
        assert_eq!(s.offset(), 300);
        assert_eq!(
            s.signing_time(at("2026-01-01T00:00:02Z")),
            at("2026-01-01T00:05:02Z")
        );
        assert!(s.is_skew_error("RequestTimeTooSkewed", true));
        assert!(s.is_skew_error("SignatureDoesNotMatch", true));
        assert!(!s.is_skew_error("RequestTimeTooSkewed", false));
        assert!(!s.observe(
            at("2026-01-01T00:00:00Z"),
            at("2026-01-01T00:00:02Z"),
            Some("x"),
            None
        ));
        assert!(!s.observe(
            at("2026-01-01T00:00:00Z"),
            at("2026-01-01T00:00:02Z"),
            Some("Thu, 01 Jan 2026 00:00:01 GMT"),
            Some("5")
        ));
        assert_eq!(s.offset(), 300);
        assert_eq!(s.take_notice(), None, "no notice without a correction");
        s.note_correction();
        assert!(s.take_notice().is_some_and(|n| n.contains("300 s behind")));
        assert_eq!(s.take_notice(), None, "said once");
    }
}
