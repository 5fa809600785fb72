//! AWS Signature Version 4, pure: the time is an argument and nothing here does I/O.
//!
//! The stages follow the specification and are each visible, so a test can say which one diverged:
//! [`canonical_request`](Signature::canonical_request) → [`string_to_sign`](Signature::string_to_sign) →
//! signing key (derived once per day, region and service, then reused) → [`signature`](Signature::signature).
//! The output is what the caller adds to its request: headers ([`Signer::sign`]) or query parameters
//! ([`Signer::presign`]); the request itself is never touched.
//!
//! What is signed, and by which rules, is in the signable module; the canonical request is built by the
//! canonical module. Two sets of rules, chosen by [`Settings`]: most services double-encode and normalise the path; S3 uses the
//! path exactly as sent and signs `x-amz-content-sha256` ([`Settings::s3`]).

use crate::codec::percent;
use crate::codec::time::UtcDateTime;
use crate::identity::Credentials;
use crate::secret::Secret;
use crate::sign::canonical::{canonical_capacity, canonical_headers, canonical_request, signable_headers};
pub use crate::sign::signable::{Payload, Request, SessionToken, Settings, UNSIGNED_PAYLOAD};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

type HmacSha256 = Hmac<Sha256>;

/// The algorithm name that opens a string to sign and an `Authorization` header.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The result of signing: the intermediate texts and what to add to the request.
pub struct Signature {
    canonical_request: String,
    string_to_sign: String,
    signature: String,
    params: Vec<(&'static str, String)>,
}

impl Signature {
    /// The canonical request (stage 1). It may contain the session token.
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }

    /// The string to sign (stage 2).
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }

    /// The hex signature (stage 3).
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// What to add to the request, in order: headers after [`Signer::sign`] (`X-Amz-Security-Token`,
    /// `X-Amz-Date`, `x-amz-content-sha256`, `Authorization`), or query parameters after [`Signer::presign`]
    /// (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-SignedHeaders`, `X-Amz-Expires`,
    /// `X-Amz-Security-Token`, `X-Amz-Signature`), values not yet percent-encoded.
    pub fn params(&self) -> &[(&'static str, String)] {
        &self.params
    }

    /// The query parameters of a presigned request, percent-encoded and joined with `&`, in the order of
    /// [`params`](Self::params), to be appended to the request's own query.
    pub fn query_string(&self) -> String {
        let mut out = String::with_capacity(512);
        for (i, (name, value)) in self.params.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.push_str(name);
            out.push('=');
            percent::encode_into(&mut out, value.as_bytes(), false);
        }
        out
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names only: the values carry the signature and possibly the session token.
        let names: Vec<&str> = self.params.iter().map(|(n, _)| *n).collect();
        f.debug_struct("Signature")
            .field("params", &names)
            .finish_non_exhaustive()
    }
}

/// The opening of a signature, the same in both modes.
struct Start<'s> {
    amz_date: String,
    payload_hash: Cow<'s, str>,
    token: Option<&'s str>,
    sign_token: bool,
}

/// The derived signing key of one day, kept with the HMAC state it keys.
struct DayKey {
    day: String,
    mac: HmacSha256,
}

/// Signs requests for one set of credentials, one region and one service.
///
/// The signing key is derived once per UTC day and reused; a `Signer` can be shared between threads.
pub struct Signer {
    access_key_id: String,
    secret: Secret,
    session_token: Option<Secret>,
    region: String,
    service: String,
    key: Mutex<Option<DayKey>>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("access_key_id", &self.access_key_id)
            .field("secret", &self.secret)
            .field("session_token", &self.session_token)
            .field("region", &self.region)
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The SigV4 signing key for a day (`YYYYMMDD`), region and service.
pub fn signing_key(secret: &Secret, day: &str, region: &str, service: &str) -> [u8; 32] {
    let mut k = Vec::with_capacity(4 + secret.expose().len());
    k.extend_from_slice(b"AWS4");
    k.extend_from_slice(secret.expose().as_bytes());
    let k = hmac(&k, day.as_bytes());
    let k = hmac(&k, region.as_bytes());
    let k = hmac(&k, service.as_bytes());
    hmac(&k, b"aws4_request")
}

/// Appends a 32-byte digest in lower-case hex.
fn push_hex(out: &mut String, digest: &[u8]) {
    let mut buf = [0u8; 64];
    // A 32-byte digest always fills the 64-byte buffer exactly; hex digits are ASCII.
    if hex::encode_to_slice(digest, &mut buf).is_ok() {
        out.push_str(std::str::from_utf8(&buf).unwrap_or_default());
    }
}

/// Hex SHA-256 of bytes, as SigV4 writes payload and canonical-request hashes.
pub fn sha256_hex(data: &[u8]) -> String {
    let mut out = String::with_capacity(64);
    push_hex(&mut out, &Sha256::digest(data));
    out
}

impl Signer {
    /// A signer for `credentials` in `region` for `service` (`s3`, `sts`, ...).
    pub fn new(credentials: &Credentials, region: &str, service: &str) -> Self {
        Signer {
            access_key_id: credentials.access_key_id.clone(),
            secret: credentials.secret_access_key.clone(),
            session_token: credentials.session_token.clone(),
            region: region.to_owned(),
            service: service.to_owned(),
            key: Mutex::new(None),
        }
    }

    /// The region this signer signs for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Whether this signer signs with exactly these credentials.
    pub fn signs_with(&self, c: &Credentials) -> bool {
        self.access_key_id == c.access_key_id
            && self.secret == c.secret_access_key
            && self.session_token == c.session_token
    }

    /// Appends `YYYYMMDD/region/service/aws4_request`.
    fn push_scope(&self, out: &mut String, day: &str) {
        out.push_str(day);
        out.push('/');
        out.push_str(&self.region);
        out.push('/');
        out.push_str(&self.service);
        out.push_str("/aws4_request");
    }

    /// HMAC of the string to sign with the day's signing key, derived on first use each day.
    fn sign_string(&self, day: &str, string_to_sign: &str) -> String {
        let mut mac = {
            let mut slot = self.key.lock().unwrap_or_else(|p| p.into_inner());
            match slot.as_ref() {
                Some(k) if k.day == day => k.mac.clone(),
                _ => {
                    let key = signing_key(&self.secret, day, &self.region, &self.service);
                    let mac = HmacSha256::new_from_slice(&key).expect("HMAC takes keys of any length");
                    *slot = Some(DayKey {
                        day: day.to_owned(),
                        mac: mac.clone(),
                    });
                    mac
                }
            }
        };
        mac.update(string_to_sign.as_bytes());
        let mut out = String::with_capacity(64);
        push_hex(&mut out, &mac.finalize().into_bytes());
        out
    }

    fn payload_hash<'p>(payload: &Payload<'p>) -> Cow<'p, str> {
        match payload {
            Payload::Bytes(b) => Cow::Owned(sha256_hex(b)),
            Payload::Sha256Hex(h) => Cow::Borrowed(h),
            Payload::Unsigned => Cow::Borrowed(UNSIGNED_PAYLOAD),
        }
    }

    /// The string to sign, and where the credential scope sits in it.
    fn string_to_sign(&self, amz_date: &str, canonical_request: &str) -> (String, std::ops::Range<usize>) {
        let mut s = String::with_capacity(160);
        s.push_str(ALGORITHM);
        s.push('\n');
        s.push_str(amz_date);
        s.push('\n');
        let start = s.len();
        self.push_scope(&mut s, &amz_date[..8]);
        let scope = start..s.len();
        s.push('\n');
        push_hex(&mut s, &Sha256::digest(canonical_request.as_bytes()));
        (s, scope)
    }

    /// What both signing modes start from: the request's time, its payload hash, and the session token.
    fn start<'s>(&'s self, req: &Request<'s>, settings: &Settings, now: SystemTime) -> Start<'s> {
        Start {
            amz_date: UtcDateTime::from_system_time(now).amz_date(),
            payload_hash: Self::payload_hash(&req.payload),
            token: self.session_token.as_ref().map(Secret::expose),
            sign_token: settings.session_token == SessionToken::Signed,
        }
    }

    /// Signs `req` for the `Authorization` header, at instant `now`.
    pub fn sign(&self, req: &Request<'_>, settings: &Settings, now: SystemTime) -> Signature {
        let Start {
            amz_date,
            payload_hash,
            token,
            sign_token,
        } = self.start(req, settings, now);
        let day = &amz_date[..8];

        let mut headers = signable_headers(req, settings);
        headers.push((Cow::Borrowed("x-amz-date"), &amz_date));
        if settings.content_sha256_header {
            headers.push((Cow::Borrowed("x-amz-content-sha256"), &payload_hash));
        }
        if let (Some(token), true) = (token, sign_token) {
            headers.push((Cow::Borrowed("x-amz-security-token"), token));
        }
        headers.sort_by(|a, b| a.0.cmp(&b.0));

        let mut header_block = String::with_capacity(canonical_capacity(req, &headers));
        let signed_headers = canonical_headers(&mut header_block, &headers);
        let creq = canonical_request(req, settings, &[], &header_block, &signed_headers, &payload_hash);

        let (sts, scope) = self.string_to_sign(&amz_date, &creq);
        let signature = self.sign_string(day, &sts);

        let mut params = Vec::with_capacity(4);
        if let Some(token) = token {
            params.push(("X-Amz-Security-Token", token.to_owned()));
        }
        let mut authorization = String::with_capacity(200 + signed_headers.len());
        authorization.push_str(ALGORITHM);
        authorization.push_str(" Credential=");
        authorization.push_str(&self.access_key_id);
        authorization.push('/');
        authorization.push_str(&sts[scope]);
        authorization.push_str(", SignedHeaders=");
        authorization.push_str(&signed_headers);
        authorization.push_str(", Signature=");
        authorization.push_str(&signature);
        params.push(("X-Amz-Date", amz_date));
        if settings.content_sha256_header {
            params.push(("x-amz-content-sha256", payload_hash.into_owned()));
        }
        params.push(("Authorization", authorization));
        Signature {
            canonical_request: creq,
            string_to_sign: sts,
            signature,
            params,
        }
    }

    /// Signs `req` into query parameters (a presigned URL) valid for `expires_in` from `now`.
    ///
    /// `x-amz-content-sha256` is never added; pass [`Payload::Unsigned`] for S3 URLs.
    pub fn presign(
        &self,
        req: &Request<'_>,
        settings: &Settings,
        now: SystemTime,
        expires_in: Duration,
    ) -> Signature {
        let Start {
            amz_date,
            payload_hash,
            token,
            sign_token,
        } = self.start(req, settings, now);
        let day = &amz_date[..8];

        let mut headers = signable_headers(
            req,
            &Settings {
                content_sha256_header: false,
                ..*settings
            },
        );
        headers.sort_by(|a, b| a.0.cmp(&b.0));
        // The signed-header list goes into the query, so the header block is built first.
        let mut header_block = String::with_capacity(canonical_capacity(req, &headers));
        let signed_headers = canonical_headers(&mut header_block, &headers);
        let mut credential = String::with_capacity(80);
        credential.push_str(&self.access_key_id);
        credential.push('/');
        self.push_scope(&mut credential, day);
        let expires = expires_in.as_secs().to_string();

        let mut params: Vec<(&'static str, String)> = vec![
            ("X-Amz-Algorithm", ALGORITHM.to_owned()),
            ("X-Amz-Credential", credential),
            ("X-Amz-Date", amz_date.clone()),
            ("X-Amz-SignedHeaders", signed_headers.clone()),
            ("X-Amz-Expires", expires),
        ];
        if let Some(token) = token {
            params.push(("X-Amz-Security-Token", token.to_owned()));
        }
        let signed_params: Vec<(&str, &str)> = params
            .iter()
            .filter(|(n, _)| sign_token || *n != "X-Amz-Security-Token")
            .map(|(n, v)| (*n, v.as_str()))
            .collect();

        let creq = canonical_request(
            req,
            settings,
            &signed_params,
            &header_block,
            &signed_headers,
            &payload_hash,
        );

        let (sts, _) = self.string_to_sign(&amz_date, &creq);
        let signature = self.sign_string(day, &sts);
        params.push(("X-Amz-Signature", signature.clone()));
        Signature {
            canonical_request: creq,
            string_to_sign: sts,
            signature,
            params,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_key_is_the_documented_one() {
        // AWS General Reference, "Examples of how to derive a signing key for Signature Version 4".
        let key = signing_key(
            &Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            "20120215",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex::encode(key),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    #[test]
    fn the_day_key_is_derived_again_when_the_day_changes() {
        let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        let signer = Signer::new(&creds, "us-east-1", "service");
        let req = Request {
            method: "GET",
            path: "/",
            query: "",
            headers: &[("Host", "example.amazonaws.com")],
            payload: Payload::Bytes(b""),
        };
        let day1 = UtcDateTime::from_unix(1_440_938_160).to_system_time();
        let day2 = UtcDateTime::from_unix(1_440_938_160 + 86_400).to_system_time();
        let a = signer.sign(&req, &Settings::default(), day1);
        let b = signer.sign(&req, &Settings::default(), day2);
        let c = signer.sign(&req, &Settings::default(), day1);
        // A fresh signer for day 2 agrees with the reused one: the cache never serves a stale key.
        let fresh = Signer::new(&creds, "us-east-1", "service").sign(&req, &Settings::default(), day2);
        assert_eq!(b.signature(), fresh.signature());
        assert_eq!(a.signature(), c.signature());
        assert_ne!(a.signature(), b.signature());
        assert_eq!(
            a.signature(),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }
}
