//! What awl reads of HTTP responses beyond their bodies must never panic, whatever the headers: the clock skew
//! (`Date`, `Age`), the download checks (`Content-Length`, the `x-amz-checksum-*` and `x-amz-checksum-type` a
//! whole object or a piece is checked against, `Content-Range`, HEAD's parts count and ETag), error facts and
//! retry decisions, the trace (redacted), and certificates (DER) a server or a CA bundle presents.
#![no_main]

use awl::codec::der;
use awl::s3::checksum::Stored;
use awl::s3::ops::{get_object, head_object};
use awl::s3::transfer::pieces::{self, Piece};
use awl::s3::transfer::sink::{Checked, PieceSink};
use awl::transport::Sink;
use awl::transport::request::Response;
use awl::transport::{retry, service_error, skew, trace};
use libfuzzer_sys::fuzz_target;
use std::time::{Duration, SystemTime};

fuzz_target!(|data: &[u8]| {
    let _ = der::certificate(data);
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let status = lines
        .next()
        .and_then(|s| s.trim().parse::<u16>().ok())
        .unwrap_or(200);
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
    let _ = get_object::check_length(&resp, "fuzz", data.len() as u64);
    let _ = Stored::from_headers(&resp.headers).map(|s| s.display());
    let _ = resp.header("content-range").map(pieces::content_range);
    let _ = head_object::parse(&resp);
    let mut whole = Checked::new(std::io::sink(), true, &|_| {});
    if whole.begin(status, &resp.headers).is_ok() {
        let _ = std::io::Write::write_all(&mut whole, data);
        let _ = whole.verify("fuzz");
    }
    // A piece's sink checks the answer's place before it writes; no file is needed for that.
    if let Ok(file) = std::fs::File::open("/dev/null") {
        let piece = Piece {
            part: Some(2),
            offset: 8,
            len: 8,
        };
        let _ = PieceSink::new(&file, piece, true, None).begin(status, &resp.headers);
    }
    let _ = service_error::of_response("S3", &resp);
    let _ = retry::retryable_response(&resp);
    let endpoint = awl::transport::endpoint::Endpoint::parse("http://127.0.0.1").expect("endpoint");
    let shown = trace::response(
        &resp,
        &awl::transport::request::Request::new("GET", &endpoint, "/", ""),
    );
    assert!(
        !shown.contains("\u{1b}"),
        "no terminal escape in a trace of the body"
    );
});
