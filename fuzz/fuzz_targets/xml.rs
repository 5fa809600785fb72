//! The XML reader and the service-error reader must never panic, whatever the bytes.
#![no_main]

use awl::codec::xml::parse;
use awl::transport::service_error::facts;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = facts("S3", 400, Some("id"), data);
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(doc) = parse(text)
    {
        let _ = doc.find("Code");
        let _ = awl::s3::ops::list_objects::parse(data);
        let _ = awl::s3::ops::list_buckets::parse(data);
        let _ = awl::sts::parse_assume_role(data);
        let _ = awl::sts::parse_caller_identity(data);
        let _ = awl::s3::ops::delete::parse_objects(data);
        let _ = awl::s3::ops::list_uploads::parse(data);
        let _ = awl::s3::ops::multipart::parse_create(data);
        let _ = awl::s3::ops::multipart::parse_part_copy(data);
        let _ = awl::s3::ops::multipart::answered_error(data);
    }
});
