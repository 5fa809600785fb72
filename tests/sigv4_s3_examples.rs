//! The signing examples of the Amazon S3 API Reference ("Signature Calculations for the Authorization Header"
//! and "Authenticating Requests: Using Query Parameters"): bucket `examplebucket` in us-east-1, key
//! AKIAIOSFODNN7EXAMPLE, 2013-05-24T00:00:00Z. Each checks the published hashes and signature, signed with
//! S3's rules (single path encoding, no normalisation, `x-amz-content-sha256`).

use awl::codec::time::UtcDateTime;
use awl::identity::Credentials;
use awl::sign::sigv4::{Payload, Request, Settings, Signer, sha256_hex};
use std::time::{Duration, SystemTime};

const HOST: &str = "examplebucket.s3.amazonaws.com";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn signer() -> Signer {
    let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    Signer::new(&creds, "us-east-1", "s3")
}

fn may_24_2013() -> SystemTime {
    UtcDateTime {
        year: 2013,
        month: 5,
        day: 24,
        hour: 0,
        minute: 0,
        second: 0,
    }
    .to_system_time()
}

fn param<'a>(sig: &'a awl::sign::sigv4::Signature, name: &str) -> &'a str {
    sig.params()
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name}"))
}

/// The last line of a string to sign is the hex SHA-256 of the canonical request.
fn creq_hash(sig: &awl::sign::sigv4::Signature) -> &str {
    sig.string_to_sign().rsplit('\n').next().unwrap_or_default()
}

#[test]
fn get_object() {
    let sig = signer().sign(
        &Request {
            method: "GET",
            path: "/test.txt",
            query: "",
            headers: &[("Host", HOST), ("Range", "bytes=0-9")],
            payload: Payload::Sha256Hex(EMPTY_SHA256),
        },
        &Settings::s3(),
        may_24_2013(),
    );
    assert_eq!(
        sig.canonical_request(),
        "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n\
         x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
         x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n\
         e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        creq_hash(&sig),
        "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
    );
    assert_eq!(
        param(&sig, "Authorization"),
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
         SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
         Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    );
    assert_eq!(param(&sig, "X-Amz-Date"), "20130524T000000Z");
    assert_eq!(param(&sig, "x-amz-content-sha256"), EMPTY_SHA256);
}

#[test]
fn put_object_with_a_key_that_needs_encoding() {
    let body = b"Welcome to Amazon S3.";
    assert_eq!(
        sha256_hex(body),
        "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
    );
    // The key `test$file.text` is encoded once for the wire; S3 signs the path as sent.
    let path = format!("/{}", awl::codec::percent::encode_path("test$file.text"));
    assert_eq!(path, "/test%24file.text");
    let sig = signer().sign(
        &Request {
            method: "PUT",
            path: &path,
            query: "",
            headers: &[
                ("Host", HOST),
                ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ],
            payload: Payload::Bytes(body),
        },
        &Settings::s3(),
        may_24_2013(),
    );
    assert_eq!(
        creq_hash(&sig),
        "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d"
    );
    assert_eq!(
        sig.signature(),
        "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
    );
    assert!(
        param(&sig, "Authorization")
            .contains("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,")
    );
}

#[test]
fn get_bucket_lifecycle_a_query_name_without_value() {
    let sig = signer().sign(
        &Request {
            method: "GET",
            path: "/",
            query: "lifecycle",
            headers: &[("Host", HOST)],
            payload: Payload::Bytes(b""),
        },
        &Settings::s3(),
        may_24_2013(),
    );
    assert!(sig.canonical_request().starts_with("GET\n/\nlifecycle=\nhost:"));
    assert_eq!(
        creq_hash(&sig),
        "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca"
    );
    assert_eq!(
        sig.signature(),
        "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"
    );
}

#[test]
fn list_objects_query_sorted_whatever_the_order_sent() {
    for query in [
        "max-keys=2&prefix=J",
        "prefix=J&max-keys=2",
        "prefix=%4A&max-keys=2",
    ] {
        let sig = signer().sign(
            &Request {
                method: "GET",
                path: "/",
                query,
                headers: &[("Host", HOST)],
                payload: Payload::Sha256Hex(EMPTY_SHA256),
            },
            &Settings::s3(),
            may_24_2013(),
        );
        assert!(
            sig.canonical_request()
                .starts_with("GET\n/\nmax-keys=2&prefix=J\n"),
            "{query}"
        );
        assert_eq!(
            sig.signature(),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
            "{query}"
        );
    }
}

#[test]
fn presigned_get_object_url() {
    let sig = signer().presign(
        &Request {
            method: "GET",
            path: "/test.txt",
            query: "",
            headers: &[("Host", HOST)],
            payload: Payload::Unsigned,
        },
        &Settings::s3(),
        may_24_2013(),
        Duration::from_secs(86_400),
    );
    assert_eq!(
        sig.canonical_request(),
        "GET\n/test.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F\
         us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\n\
         host:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD"
    );
    assert_eq!(
        creq_hash(&sig),
        "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04"
    );
    assert_eq!(
        sig.signature(),
        "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    );
    assert_eq!(
        format!("https://{HOST}/test.txt?{}", sig.query_string()),
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=\
         AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&\
         X-Amz-SignedHeaders=host&X-Amz-Expires=86400&\
         X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    );
}

#[test]
fn s3_keeps_dot_segments_and_double_slashes_in_keys() {
    // A key `a/../b//c` is an object name on S3, not a path to normalise.
    let sig = signer().sign(
        &Request {
            method: "GET",
            path: "/a/../b//c%20d",
            query: "",
            headers: &[("Host", HOST)],
            payload: Payload::Sha256Hex(EMPTY_SHA256),
        },
        &Settings::s3(),
        may_24_2013(),
    );
    assert!(sig.canonical_request().starts_with("GET\n/a/../b//c%20d\n"));
}

#[test]
fn headers_that_proxies_change_are_not_signed() {
    let sig = signer().sign(
        &Request {
            method: "PUT",
            path: "/k",
            query: "",
            headers: &[
                ("Host", HOST),
                ("User-Agent", "awl/0.1"),
                ("Expect", "100-continue"),
                ("Content-Length", "3"),
            ],
            payload: Payload::Bytes(b"abc"),
        },
        &Settings::s3(),
        may_24_2013(),
    );
    assert!(
        param(&sig, "Authorization")
            .contains("SignedHeaders=content-length;host;x-amz-content-sha256;x-amz-date,")
    );
}
