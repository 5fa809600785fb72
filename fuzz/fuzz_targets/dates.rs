//! The date readers (RFC 3339 from STS and caches, HTTP dates from servers) must never panic.
#![no_main]

use awl::codec::time::{UtcDateTime, parse_http_date, parse_rfc3339, unix_seconds};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(t) = parse_rfc3339(text) {
        // What it reads, it writes back to the same instant (an offset may push it out of years 0..=9999).
        let d = UtcDateTime::from_system_time(t);
        if (0..=9999).contains(&d.year) {
            let again = parse_rfc3339(&d.rfc3339()).expect("own output reads");
            assert_eq!(unix_seconds(again), unix_seconds(t));
        }
    }
    let _ = parse_http_date(text);
    let _ = awl::providers::cache::parse_entry(text);
    let _ = awl::providers::process::parse_output(text);
    let _ = awl::providers::imds::parse_role_credentials(data);
});
