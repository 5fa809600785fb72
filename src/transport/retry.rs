//! Sending with retries, AWS "standard" mode: up to 3 attempts (`AWS_MAX_ATTEMPTS`, `max_attempts`), full
//! jitter backoff capped at 20 s, on failures to get an answer ([`ErrorKind::Network`]), HTTP 500/502/503/504
//! and the throttling and transient error codes; and the clock-skew correction of
//! [`skew`](super::skew). Every attempt is signed anew, at its own (corrected) time, by the caller's
//! closure.

use crate::error::{ErrorKind, Result};
use crate::transport::request::{Request, Response};
use crate::transport::service_error;
use crate::transport::skew::ClockSkew;
use crate::transport::{Sink, Transport};
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

/// Numbers in [0, 1) for backoff jitter: xorshift over a state seeded from the clock and the process id (no
/// dependency; good enough to spread retries). Owned by the session; shared by its threads.
#[derive(Debug)]
pub struct Jitter(AtomicU64);

impl Default for Jitter {
    fn default() -> Self {
        let seed = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9e37_79b9);
        Jitter(AtomicU64::new(seed ^ u64::from(std::process::id())))
    }
}

impl Jitter {
    /// The next number in [0, 1).
    pub fn next(&self) -> f64 {
        let mut x = self.0.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

impl RetryPolicy {
    /// The backoff before attempt `next` (2, 3, ...): the fraction `random` (in [0, 1)) of
    /// `min(base * 2^(next-2), cap)`.
    pub fn backoff(&self, next: u32, random: f64) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1u32 << (next.saturating_sub(2)).min(16))
            .min(self.cap);
        ceiling.mul_f64(random.clamp(0.0, 1.0))
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
    RETRY_CODES.contains(&service_error::code(resp).as_str())
}

/// Sends `req` once more if the first attempt got no answer: for instance metadata and container endpoints,
/// whose short timeouts make a second try cheap.
pub fn try_twice(transport: &dyn Transport, req: &Request) -> Result<Response> {
    match transport.send(req) {
        Err(e) if e.kind() == ErrorKind::Network => transport.send(req),
        other => other,
    }
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
    /// The backoff's random numbers.
    pub jitter: &'a Jitter,
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
                    if self.skew.is_skew_error(&service_error::code(&resp), learned) {
                        // Corrected at once: the next attempt is signed with the server's time.
                        self.skew.note_correction();
                    } else if retryable_response(&resp) {
                        (self.sleep)(self.policy.backoff(n + 1, self.jitter.next()));
                    } else {
                        return Ok(resp);
                    }
                }
                // No answer (connection failures, timeouts); not a transfer cut short (data already written
                // somewhere) or an interruption.
                Err(e) if e.kind() == ErrorKind::Network && n < max => {
                    (self.sleep)(self.policy.backoff(n + 1, self.jitter.next()));
                }
                Err(e) if e.kind() == ErrorKind::Network && n > 1 => return Err(e.with_attempts(n)),
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
    pub fn download(&self, build: &dyn Fn(SystemTime) -> Request, sink: &mut dyn Sink) -> Result<Response> {
        self.run(&mut |t| self.transport.download(&build(t), sink))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_jittered_below_a_doubling_ceiling() {
        let p = RetryPolicy::default();
        let j = Jitter::default();
        for _ in 0..200 {
            assert!(p.backoff(2, j.next()) < Duration::from_secs(1));
            assert!(p.backoff(3, j.next()) < Duration::from_secs(2));
            assert!(p.backoff(40, j.next()) <= Duration::from_secs(20));
        }
        let spread: std::collections::BTreeSet<u128> =
            (0..50).map(|_| p.backoff(2, j.next()).as_millis()).collect();
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
