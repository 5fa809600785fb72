//! awl: AWS credentials, profiles, STS and S3 in one small static binary, and the library inside it.
//!
//! The modules are split by job, with the pure ones (parsing, signing, date arithmetic) apart from the few
//! that do I/O. This API is internal to the `awl` binary for now and carries no semver promise.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod atomic;
pub mod base64;
pub mod cache;
pub mod cli;
pub mod configure;
pub mod container;
pub mod credential_process;
pub mod credentials;
pub mod env;
pub mod error;
pub mod http;
pub mod imds;
pub mod ini;
pub mod json;
pub mod percent;
pub mod profile;
pub mod redact;
pub mod retry;
pub mod s3;
pub mod secret;
pub mod session;
pub mod sigv4;
pub mod skew;
pub mod sts;
pub mod time;
pub mod xml;

pub use error::{Error, ErrorKind, Result};
