//! Everything that touches the network: request and response values, the [`Transport`] seam, the ureq
//! transport (proxy, CA bundle, trace sink), retries with backoff, clock-skew correction, and the reading of a
//! service's error answer.
//!
//! A library user may hand awl a transport of its own (a test may pass one that injects faults); the session
//! owns the transports it is given and never builds one inside.

pub mod endpoint;
pub mod request;
pub mod retry;
pub mod service_error;
pub mod skew;
pub mod tls;
pub mod trace;
pub mod ureq;

use crate::error::Result;
use crate::transport::request::{Request, Response};
use std::io::Write;

/// Sends requests. The seam between awl's logic and the network; shared by the threads of a transfer.
pub trait Transport: Send + Sync + std::fmt::Debug {
    /// Sends `req` and returns the response, whatever its status; errors are failures to get an answer.
    fn send(&self, req: &Request) -> Result<Response>;

    /// Sends `req`; a 2xx body is copied into `sink` (the returned body is then empty), any other body is
    /// returned as usual.
    fn download(&self, req: &Request, sink: &mut dyn Write) -> Result<Response>;
}
