//! The XML reader and the service-error reader must never panic, whatever the bytes.
#![no_main]

use awl::xml::{parse, service_error};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = service_error("S3", 400, Some("id"), data);
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(doc) = parse(text)
    {
        let _ = doc.find("Code");
        let _ = awl::s3::parse_list_objects(data);
        let _ = awl::s3::parse_list_buckets(data);
        let _ = awl::sts::parse_assume_role(data);
        let _ = awl::sts::parse_caller_identity(data);
    }
});
