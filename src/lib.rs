//! awl: AWS credentials, profiles, STS and S3 in one small static binary, and the library inside it.
//!
//! The folders are the architecture; dependencies point one way, from the bottom of this list to the top:
//!
//! | module | job |
//! |---|---|
//! | [`cli`] | the command line: a typed command from the arguments, help, the terminal, one file per group |
//! | [`session`] | one command's world: the resolved profile, the transports it was given, its clock skew |
//! | [`providers`] | executing a credential chain: the AWS CLI's cache, instance metadata, containers, processes |
//! | [`s3`], [`sts`], [`sso`] | the services: each operation a request value and a parser; the clients; transfers |
//! | [`transport`] | the network: request/response values, the [`Transport`](transport::Transport) seam, ureq, retries, clock skew |
//! | [`sign`] | SigV4, pure, and applying it to a request |
//! | [`config`] | the environment and `~/.aws` files read, merged with provenance, chains planned, settings resolved |
//! | [`fs`] | every file awl writes: temporary names, renamed into place; files read safely |
//! | [`interrupt`] | what a signal must undo (temporary files, uploads, the terminal), and the thread that does it |
//! | [`codec`] | pure readers and writers: INI, XML, JSON, dates, percent, base64, redaction |
//! | [`bounded`] | outside input read into memory within a cap, never an abort on a failed allocation |
//! | [`identity`], [`secret`], [`error`] | the credentials value, strings that never print, the one error type |
//!
//! Everything that decides (parsing, resolution, signing, request building, response parsing) is a pure
//! function of its inputs, the clock included. This API is internal to the `awl` binary for now and carries
//! no semver promise.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bounded;
pub mod cli;
pub mod codec;
pub mod config;
pub mod error;
pub mod fs;
pub mod identity;
pub mod interrupt;
pub mod providers;
pub mod s3;
pub mod secret;
pub mod session;
pub mod sign;
pub mod sso;
pub mod sts;
pub mod transport;

pub use error::{Error, ErrorKind, Result};
