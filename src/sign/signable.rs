//! What a signature covers, as values: the parts of the request that are signed ([`Request`]), its body as the
//! signer sees it ([`Payload`]), and the rules of the service ([`Settings`]): most services double-encode and
//! normalise the path; S3 uses the path exactly as sent and signs `x-amz-content-sha256`.

use std::fmt;

/// The payload hash S3 accepts for presigned URLs, whose body is not known when signing.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Where the session token goes in relation to the signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionToken {
    /// `X-Amz-Security-Token` is part of what is signed (every service today).
    Signed,
    /// The token is added after signing and is not part of the canonical request (some older services).
    AppendedAfterSigning,
}

/// How to build the canonical request; the defaults are those of every AWS service but S3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Percent-encode the path once more (`%` → `%25`): true for all services but S3.
    pub double_uri_encode: bool,
    /// Remove `.` and `..` segments and merge `//` before encoding: true for all services but S3.
    pub normalize_path: bool,
    /// Whether the session token is signed.
    pub session_token: SessionToken,
    /// Add and sign `x-amz-content-sha256` (header signing only); S3 requires it.
    pub content_sha256_header: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            double_uri_encode: true,
            normalize_path: true,
            session_token: SessionToken::Signed,
            content_sha256_header: false,
        }
    }
}

impl Settings {
    /// S3's rules: the path as sent (single encoding, no normalisation) and `x-amz-content-sha256` signed.
    pub fn s3() -> Self {
        Settings {
            double_uri_encode: false,
            normalize_path: false,
            session_token: SessionToken::Signed,
            content_sha256_header: true,
        }
    }
}

/// The request body as the signer sees it.
#[derive(Clone, Copy)]
pub enum Payload<'a> {
    /// The whole body, hashed here.
    Bytes(&'a [u8]),
    /// The hex SHA-256 of a body hashed elsewhere (a file hashed in a first pass, say).
    Sha256Hex(&'a str),
    /// `UNSIGNED-PAYLOAD`, for presigned S3 URLs.
    Unsigned,
}

impl fmt::Debug for Payload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body may be a form holding an MFA code: show its size only.
        match self {
            Payload::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Payload::Sha256Hex(h) => write!(f, "Sha256Hex({h})"),
            Payload::Unsigned => f.write_str("Unsigned"),
        }
    }
}

/// The parts of an HTTP request that are signed.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// `GET`, `PUT`, ...
    pub method: &'a str,
    /// The path exactly as on the request line (already percent-encoded for the wire).
    pub path: &'a str,
    /// The query exactly as on the request line, without the `?`; empty for none.
    pub query: &'a str,
    /// Every header to sign, `Host` included; names in any case.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body.
    pub payload: Payload<'a>,
}
