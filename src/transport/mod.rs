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

    /// Sends `req`; a 2xx answer's headers go to [`Sink::begin`] and its body into `sink` (the returned body is
    /// then empty), any other body is returned as usual.
    fn download(&self, req: &Request, sink: &mut dyn Sink) -> Result<Response>;
}

/// Where a download's body goes: told the answer's status and headers before the first byte (of every
/// attempt), so that it can place the bytes (a part's `Content-Range`) and choose how to check them (the
/// checksum S3 sends).
pub trait Sink: Write {
    /// The status and headers (names in lower case) of a 2xx answer, before its body; an error ends the
    /// download.
    fn begin(&mut self, status: u16, headers: &[(String, String)]) -> std::io::Result<()>;
}

/// A plain writer as a [`Sink`] that ignores the headers.
#[derive(Debug)]
pub struct Plain<W>(pub W);

impl<W: Write> Write for Plain<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl<W: Write> Sink for Plain<W> {
    fn begin(&mut self, _: u16, _: &[(String, String)]) -> std::io::Result<()> {
        Ok(())
    }
}
