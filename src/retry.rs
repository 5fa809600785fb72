//! Sending with retries, AWS "standard" mode: up to 3 attempts (`AWS_MAX_ATTEMPTS`, `max_attempts`), full
//! jitter backoff capped at 20 s, on connection errors and timeouts, HTTP 500/502/503/504 and the throttling and
//! transient error codes; and the clock-skew correction of [`crate::skew`]. Every attempt is signed anew, at
//! its own (corrected) time, by the caller's closure.

use crate::error::{Error, ErrorKind, Result};
use crate::http::{Request, Response, Transport};
use crate::skew::ClockSkew;
use crate::xml;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// Error codes retried as throttling or transient faults (botocore's standard mode).
const RETRY_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalError",
    "IDPCommunicationError",
];

/// How many attempts, and the backoff between them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all (1: no retry).
    pub max_attempts: u32,
    /// The first backoff's ceiling; doubled each attempt.
    pub base: Duration,
    /// The largest backoff.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base: Duration::from_secs(1),
            cap: Duration::from_secs(20),
        }
    }
}

/// A number in [0, 1) for jitter (xorshift over the clock and a counter: no dependency, good enough here).
fn jitter() -> f64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0x9e37_79b9);
    let mut x =
        STATE.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed) ^ seed ^ u64::from(std::process::id());
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

impl RetryPolicy {
    /// The backoff before attempt `next` (2, 3, ...): a random part of `min(base * 2^(next-2), cap)`.
    pub fn backoff(&self, next: u32) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1u32 << (next.saturating_sub(2)).min(16))
            .min(self.cap);
        ceiling.mul_f64(jitter())
    }
}

/// Whether an answer is worth another attempt: 500/502/503/504, or a throttling or transient code.
pub fn retryable_response(resp: &Response) -> bool {
    if matches!(resp.status, 500 | 502 | 503 | 504) {
        return true;
    }
    if resp.status < 400 {
        return false;
    }
    let code = xml::service_error("", resp.status, None, &resp.body).code;
    RETRY_CODES.contains(&code.as_str())
}

/// Sends requests with retries and clock-skew correction.
#[derive(Clone, Copy)]
pub struct Sender<'a> {
    /// The transport.
    pub transport: &'a dyn Transport,
    /// Attempts and backoff.
    pub policy: RetryPolicy,
    /// The run's clock skew.
    pub skew: &'a ClockSkew,
    /// The local clock.
    pub clock: &'a (dyn Fn() -> SystemTime + Sync),
    /// Waits between attempts.
    pub sleep: &'a (dyn Fn(Duration) + Sync),
}

impl std::fmt::Debug for Sender<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl Sender<'_> {
    /// Runs `attempt` (which builds and signs a request for the signing time it is given, and sends it) until
    /// it succeeds, fails in a way not worth retrying, or the attempts are spent. The answer keeps how many
    /// attempts it took; a final connection error says it too.
    pub fn run(&self, attempt: &mut dyn FnMut(SystemTime) -> Result<Response>) -> Result<Response> {
        let max = self.policy.max_attempts.max(1);
        let mut n = 1;
        loop {
            let sent = (self.clock)();
            let result = attempt(self.skew.signing_time(sent));
            let received = (self.clock)();
            match result {
                Ok(mut resp) => {
                    let learned = self
                        .skew
                        .observe(sent, received, resp.header("date"), resp.header("age"));
                    resp.attempts = n;
                    if resp.is_success() || n >= max {
                        return Ok(resp);
                    }
                    let code = xml::service_error("", resp.status, None, &resp.body).code;
                    if self.skew.is_skew_error(&code, learned) {
                        // Corrected at once: the next attempt is signed with the server's time.
                        self.skew.note_correction();
                    } else if retryable_response(&resp) {
                        (self.sleep)(self.policy.backoff(n + 1));
                    } else {
                        return Ok(resp);
                    }
                }
                // Connection failures and timeouts; not a transfer cut short (data already written somewhere)
                // or an interruption.
                Err(e) if e.kind() == ErrorKind::Other && n < max => (self.sleep)(self.policy.backoff(n + 1)),
                Err(e) if e.kind() == ErrorKind::Other && n > 1 => {
                    let hint = e.hint().map(str::to_owned);
                    let err = Error::new(ErrorKind::Other, format!("{} (after {n} attempts)", e.message()));
                    return Err(match hint {
                        Some(h) => err.with_hint(h),
                        None => err,
                    });
                }
                Err(e) => return Err(e),
            }
            n += 1;
        }
    }

    /// Sends a request that `build` makes and signs for the time it is given, with retries.
    pub fn send(&self, build: &dyn Fn(SystemTime) -> Request) -> Result<Response> {
        self.run(&mut |t| self.transport.send(&build(t)))
    }

    /// As [`send`](Self::send), a 2xx body going into `sink`; a body cut short is not retried.
    pub fn download(&self, build: &dyn Fn(SystemTime) -> Request, sink: &mut dyn Write) -> Result<Response> {
        self.run(&mut |t| self.transport.download(&build(t), sink))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_jittered_below_a_doubling_ceiling() {
        let p = RetryPolicy::default();
        for _ in 0..200 {
            assert!(p.backoff(2) < Duration::from_secs(1));
            assert!(p.backoff(3) < Duration::from_secs(2));
            assert!(p.backoff(40) <= Duration::from_secs(20));
        }
        let spread: std::collections::BTreeSet<u128> = (0..50).map(|_| p.backoff(2).as_millis()).collect();
        assert!(spread.len() > 10, "jitter varies: {spread:?}");
    }

    #[test]
    fn which_answers_are_retried() {
        let r = |status, body: &str| Response {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
            attempts: 1,
        };
        assert!(retryable_response(&r(503, "")));
        assert!(retryable_response(&r(
            500,
            "<Error><Code>InternalError</Code></Error>"
        )));
        assert!(retryable_response(&r(
            400,
            "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>"
        )));
        assert!(!retryable_response(&r(
            403,
            "<Error><Code>AccessDenied</Code></Error>"
        )));
        assert!(!retryable_response(&r(404, "")));
        assert!(!retryable_response(&r(200, "")));
    }
}
