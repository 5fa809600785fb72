//! Applying a SigV4 signature to a request about to be sent: the request's method, path, query and headers are
//! signed as they will go on the wire, and the signature's headers are added to it.

use crate::sign::sigv4::{Payload, Request as Signable, Settings, Signer};
use crate::transport::request::{Body, Request};
use std::time::SystemTime;

/// Signs `req` at `now` for `payload` (a body hashed elsewhere, say): the signature's headers are added.
pub fn sign(req: &mut Request, signer: &Signer, settings: &Settings, payload: Payload<'_>, now: SystemTime) {
    let headers: Vec<(&str, &str)> = req
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let signature = signer.sign(
        &Signable {
            method: req.method,
            path: &req.path,
            query: &req.query,
            headers: &headers,
            payload,
        },
        settings,
        now,
    );
    for (name, value) in signature.params() {
        req.headers.push(((*name).to_owned(), value.clone()));
    }
}

/// Signs `req` at `now` over its in-memory body.
pub fn sign_body(req: &mut Request, signer: &Signer, settings: &Settings, now: SystemTime) {
    let body = std::mem::replace(&mut req.body, Body::Empty);
    sign(req, signer, settings, Payload::Bytes(body.bytes()), now);
    req.body = body;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Credentials;
    use crate::transport::endpoint::Endpoint;

    #[test]
    fn the_headers_added_are_the_signatures() {
        let e = Endpoint::parse("https://sts.amazonaws.com").expect("endpoint");
        let mut req = Request::new("POST", &e, "/", "");
        req.body = Body::from_bytes(b"Action=GetCallerIdentity&Version=2011-06-15".to_vec());
        let signer = Signer::new(&Credentials::new("AKID", "secret"), "us-east-1", "sts");
        let at = crate::codec::time::from_unix_seconds(1_440_938_160);
        let expected = signer.sign(
            &Signable {
                method: "POST",
                path: "/",
                query: "",
                headers: &[("host", "sts.amazonaws.com")],
                payload: Payload::Bytes(req.body.bytes()),
            },
            &Settings::default(),
            at,
        );
        sign_body(&mut req, &signer, &Settings::default(), at);
        let added: Vec<(String, String)> = req.headers[1..].to_vec();
        let want: Vec<(String, String)> = expected
            .params()
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.clone()))
            .collect();
        assert_eq!(added, want);
        assert!(!req.body.is_empty(), "the body is kept");
    }
}
