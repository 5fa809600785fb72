//! What awl reads of HTTP responses beyond their bodies must never panic, whatever the headers: the clock skew
//! (`Date`, `Age`), the download checks (`Content-Length`, `x-amz-checksum-sha256`), error facts and retry
//! decisions, the trace (redacted), and certificates (DER) a server or a CA bundle presents.
#![no_main]

use awl::codec::der;
use awl::s3::ops::get_object;
use awl::transport::request::Response;
use awl::transport::{retry, service_error, skew, trace};
use libfuzzer_sys::fuzz_target;
use std::time::{Duration, SystemTime};

fuzz_target!(|data: &[u8]| {
    let _ = der::certificate(data);
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let status = lines.next().and_then(|s| s.trim().parse::<u16>().ok()).unwrap_or(200);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let resp = Response {
        status,
        headers,
        body: data.to_vec(),
        attempts: 1,
    };
    let s = skew::ClockSkew::default();
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_000_000);
    let _ = s.observe(now, now, resp.header("date"), resp.header("age"));
    let _ = s.signing_time(now);
    let _ = get_object::verify(&resp, "fuzz", &[0u8; 32], data.len() as u64);
    let _ = service_error::of_response("S3", &resp);
    let _ = retry::retryable_response(&resp);
    let shown = trace::response(&resp, "http://127.0.0.1/");
    assert!(!shown.contains("\u{1b}"), "no terminal escape in a trace of the body");
});
