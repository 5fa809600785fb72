//! The 10 cross-SDK clock-skew cases (aws-runtime 1.10.2, testdata/aws-sdk-conformance): each drives awl's
//! retrying sender with the given clock readings and answers, and checks every signing time, the outcome,
//! the number of attempts and the offset learned.

use awl::codec::json::{self, Value};
use awl::codec::time::parse_rfc3339;
use awl::error::Result;
use awl::transport::Transport;
use awl::transport::request::{Request, Response};
use awl::transport::retry::{Jitter, RetryPolicy, Sender};
use awl::transport::skew::ClockSkew;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

#[derive(Debug)]
struct Unused;

impl Transport for Unused {
    fn send(&self, _: &Request) -> Result<Response> {
        unreachable!("the cases answer through the attempt closure")
    }
    fn download(&self, _: &Request, _: &mut dyn awl::transport::Sink) -> Result<Response> {
        unreachable!("the cases answer through the attempt closure")
    }
}

fn time(v: &Value, key: &str) -> SystemTime {
    parse_rfc3339(
        v.get(key)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{key}")),
    )
    .expect("a time")
}

fn response(r: &Value) -> Response {
    let status = r.get("statusCode").and_then(Value::as_i64).expect("statusCode") as u16;
    let headers = r
        .get("headers")
        .and_then(Value::as_object)
        .map(|h| {
            h.iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let body = match r.get("errorCode").and_then(Value::as_str) {
        Some(code) => format!("<Error><Code>{code}</Code><Message>m</Message></Error>").into_bytes(),
        None => Vec::new(),
    };
    Response {
        status,
        headers,
        body,
        attempts: 1,
    }
}

/// Runs one operation; returns a description of the first difference.
fn operation(skew: &ClockSkew, op: &Value) -> std::result::Result<(), String> {
    let attempts = op.get("attempts").and_then(Value::as_array).expect("attempts");
    let initial = op.get("initialClientSkew").and_then(Value::as_i64).unwrap_or(0);
    if skew.offset() != initial {
        return Err(format!(
            "ClientSkew at the start is {}, the case says {initial}",
            skew.offset()
        ));
    }
    // The clock reads send, receive, send, receive, ... as the case gives them.
    let readings: Vec<SystemTime> = attempts
        .iter()
        .flat_map(|a| [time(a, "clientTimeAtSend"), time(a, "clientTimeAtReceive")])
        .collect();
    let clock_at = Mutex::new(0usize);
    let clock = || {
        let mut i = clock_at.lock().expect("clock");
        let t = readings
            .get(*i)
            .copied()
            .unwrap_or_else(|| panic!("the clock was read more than the case allows"));
        *i += 1;
        t
    };
    let max = op
        .get("maxAttempts")
        .and_then(Value::as_i64)
        .map_or(3, |m| m as u32);
    let sender = Sender {
        transport: &Unused,
        policy: RetryPolicy {
            max_attempts: max,
            ..RetryPolicy::default()
        },
        skew,
        jitter: &Jitter::default(),
        clock: &clock,
        sleep: &|_: Duration| {},
    };
    let mut signed: Vec<SystemTime> = Vec::new();
    let result = sender.run(&mut |at| {
        let n = signed.len();
        signed.push(at);
        let a = attempts
            .get(n)
            .ok_or("more attempts than the case has")
            .map_err(awl::Error::data)?;
        Ok(response(a.get("response").expect("response")))
    });
    if signed.len() != attempts.len() {
        return Err(format!(
            "{} attempts made, the case has {}",
            signed.len(),
            attempts.len()
        ));
    }
    for (i, (got, a)) in signed.iter().zip(attempts).enumerate() {
        let want = time(a, "expectedSigningTime");
        if *got != want {
            return Err(format!(
                "attempt {}: signed at {got:?}, the case says {want:?}",
                i + 1
            ));
        }
    }
    let outcome = match result {
        Ok(r) if r.is_success() => "success",
        _ => "error",
    };
    let want = op
        .get("expectedOutcome")
        .and_then(Value::as_str)
        .expect("expectedOutcome");
    if outcome != want {
        return Err(format!("outcome {outcome}, the case says {want}"));
    }
    let want_skew = op
        .get("expectedClientSkew")
        .and_then(Value::as_i64)
        .expect("expectedClientSkew");
    if skew.offset() != want_skew {
        return Err(format!(
            "ClientSkew {} after the operation, the case says {want_skew}",
            skew.offset()
        ));
    }
    Ok(())
}

#[test]
fn cross_sdk_clock_skew_cases() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/aws-sdk-conformance/clock-skew-test-cases.json");
    let doc = json::parse(&std::fs::read_to_string(path).expect("case file")).expect("JSON");
    let cases = doc.get("tests").and_then(Value::as_array).expect("tests");
    let mut failures = Vec::new();
    for case in cases {
        let name = case.get("description").and_then(Value::as_str).unwrap_or("?");
        let ops = case
            .get("operations")
            .and_then(Value::as_array)
            .expect("operations");
        let first = ops
            .first()
            .and_then(|o| o.get("initialClientSkew"))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let skew = ClockSkew::new(first);
        for (i, op) in ops.iter().enumerate() {
            if let Err(e) = operation(&skew, op) {
                failures.push(format!("{name}, operation {}: {e}", i + 1));
                break;
            }
        }
    }
    println!(
        "clock skew: {} of {} cases passed",
        cases.len() - failures.len(),
        cases.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(cases.len(), 10, "the suite has 10 cases");
}
