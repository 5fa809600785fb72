//! Presigned GET URLs, pure: the signer, where the object is, the signing time and the validity in, the URL
//! out (query signing with `UNSIGNED-PAYLOAD`, as S3 takes it).

use crate::sign::sigv4::{Payload, Request, Settings, Signer};
use crate::transport::endpoint::Endpoint;
use std::time::{Duration, SystemTime};

/// The presigned GET URL of the object at `path` on `endpoint`, signed at `at`, valid for `expires_in`.
pub fn get_url(
    signer: &Signer,
    endpoint: &Endpoint,
    path: &str,
    at: SystemTime,
    expires_in: Duration,
) -> String {
    let host = endpoint.authority();
    let sig = signer.presign(
        &Request {
            method: "GET",
            path,
            query: "",
            headers: &[("host", &host)],
            payload: Payload::Unsigned,
        },
        &Settings::s3(),
        at,
        expires_in,
    );
    format!("{}{path}?{}", endpoint.origin(), sig.query_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Credentials;

    #[test]
    fn the_url_carries_the_signature_and_the_expiry() {
        let signer = Signer::new(&Credentials::new("AKID", "secret"), "us-east-1", "s3");
        let e = Endpoint::parse("http://127.0.0.1:9000").expect("endpoint");
        let at = crate::codec::time::from_unix_seconds(1_440_938_160);
        let url = get_url(&signer, &e, "/b/a%20b", at, Duration::from_secs(600));
        assert!(
            url.starts_with("http://127.0.0.1:9000/b/a%20b?X-Amz-Algorithm=AWS4-HMAC-SHA256"),
            "{url}"
        );
        assert!(
            url.contains("&X-Amz-Expires=600&") && url.contains("&X-Amz-Signature="),
            "{url}"
        );
    }
}
