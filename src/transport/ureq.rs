//! The one [`Transport`] over a ureq agent: the only file that names ureq.
//!
//! Status codes come back as data, never as errors, so that a service's error body is always read. TLS is
//! always verified: Mozilla's roots built in, or the PEM bundle of `AWS_CA_BUNDLE` / `ca_bundle` instead (as
//! the AWS CLI does; the bytes are read by `config::env` and given here). `HTTPS_PROXY`/`HTTP_PROXY` and
//! `NO_PROXY` are honoured. With a trace sink, every request and response is traced, secrets redacted.

use crate::bounded::Stop;
use crate::error::{Error, ErrorKind, Result};
use crate::transport::endpoint::Endpoint;
use crate::transport::request::{Body, Request, Response};
use crate::transport::tls::BundleTls;
use crate::transport::trace::{self, TraceSink};
use crate::transport::{Sink, Transport};
use rustls::pki_types::CertificateDer;
use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::{ConnectProxyConnector, ConnectionDetails, Connector, TcpConnector};

/// A PEM bundle of CA certificates, as read from its file.
#[derive(Clone)]
pub struct CaBundle {
    /// The file it came from, as shown to the user.
    pub path: String,
    /// Its bytes.
    pub pem: Vec<u8>,
}

impl std::fmt::Debug for CaBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CaBundle({}, {} bytes)", self.path, self.pem.len())
    }
}

/// How to reach the network.
#[derive(Clone, Default)]
pub struct HttpConfig {
    /// A PEM bundle whose certificates replace the built-in roots.
    pub ca_bundle: Option<CaBundle>,
    /// `HTTPS_PROXY` (or `https_proxy`).
    pub https_proxy: Option<String>,
    /// `HTTP_PROXY` (or `http_proxy`).
    pub http_proxy: Option<String>,
    /// `NO_PROXY` (or `no_proxy`): hosts reached directly.
    pub no_proxy: Option<String>,
    /// Time to connect (default 60 s, as the AWS CLI).
    pub connect_timeout: Option<Duration>,
    /// Time to wait for each read (default 60 s, as the AWS CLI).
    pub read_timeout: Option<Duration>,
    /// Time for a whole request and its answer (default: none).
    pub total_timeout: Option<Duration>,
    /// Where requests and responses are traced, secrets redacted (`--debug`).
    pub trace: Option<TraceSink>,
    /// Set by a signal handler: transfers in progress stop with an error.
    pub stop: Option<Arc<AtomicBool>>,
    /// Requests the caller keeps in flight at once (`--max-concurrency`), if more than a few: the agent then
    /// keeps one idle connection per request (to any host) instead of ureq's 10 (3 per host), so a worker
    /// that finishes a request finds its connection still open rather than paying a new TCP (and TLS)
    /// handshake. With 64 in flight ureq's default opened about 360 connections per 1,000 requests.
    pub concurrency: Option<usize>,
}

impl std::fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpConfig")
            .field("ca_bundle", &self.ca_bundle)
            .field("https_proxy", &self.https_proxy.as_ref().map(|_| "set"))
            .field("http_proxy", &self.http_proxy.as_ref().map(|_| "set"))
            .field("no_proxy", &self.no_proxy)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("total_timeout", &self.total_timeout)
            .field("trace", &self.trace.is_some())
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

/// ureq's own pool sizes, kept when the caller has few requests in flight.
const IDLE_CONNECTIONS: usize = 10;
const IDLE_PER_HOST: usize = 3;

/// Largest response body read into memory (S3 and STS answers are small; objects are streamed elsewhere).
const MAX_BODY: usize = 64 << 20;

/// Why an [`Interruptible`] reader stopped: a signal set the stop flag.
#[derive(Debug)]
struct Stopped;

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Stopped {}

/// Whether an I/O error is an [`Interruptible`] reader's stop (decided on its type, not its text).
fn is_stopped(e: &std::io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<Stopped>())
}

/// A reader that fails as soon as `stop` is set: a transfer interrupted by a signal ends promptly. Its error
/// is not `ErrorKind::Interrupted`, which `io::copy` and ureq would retry for ever.
struct Interruptible<R> {
    inner: R,
    stop: Option<Arc<AtomicBool>>,
}

impl<R: Read> Read for Interruptible<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed)) {
            return Err(std::io::Error::other(Stopped));
        }
        self.inner.read(buf)
    }
}

/// The ureq-backed transport.
pub struct UreqTransport {
    direct: ureq::Agent,
    https_proxied: Option<ureq::Agent>,
    http_proxied: Option<ureq::Agent>,
    no_proxy: Vec<String>,
    trace: Option<TraceSink>,
    stop: Option<Arc<AtomicBool>>,
}

impl std::fmt::Debug for UreqTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UreqTransport")
            .field("trace", &self.trace.is_some())
            .finish_non_exhaustive()
    }
}

fn net_error(e: ureq::Error, url: &str) -> Error {
    // rustls reports what it refuses (a certificate it cannot verify, first of all) as its own error, or as an
    // I/O error that carries it.
    let tls = matches!(&e, ureq::Error::Tls(_) | ureq::Error::Rustls(_))
        || matches!(&e, ureq::Error::Io(io) if io.get_ref().is_some_and(|i| i.is::<rustls::Error>()));
    let what = match &e {
        _ if tls => "TLS error",
        ureq::Error::Timeout(_) => "timed out",
        ureq::Error::HostNotFound => "host not found",
        ureq::Error::ConnectionFailed => "connection failed",
        ureq::Error::Io(_) => "connection error",
        ureq::Error::BodyExceedsLimit(_) => "response too large",
        _ => "request failed",
    };
    let hint = match &e {
        _ if tls => {
            Some("for a private CA, set AWS_CA_BUNDLE or ca_bundle to its PEM file (TLS is always verified)")
        }
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed | ureq::Error::Io(_) => {
            Some("check the endpoint, the network, and HTTPS_PROXY / NO_PROXY")
        }
        _ => None,
    };
    let kind = match &e {
        // A certificate that does not verify is a matter of configuration, and no retry changes it.
        _ if tls => ErrorKind::Config,
        // Our own reader stops a transfer when a signal came: that is an interruption, not a network fault.
        ureq::Error::Io(io) if is_stopped(io) => ErrorKind::Interrupted,
        _ => ErrorKind::Network,
    };
    Error::new(kind, format!("{url}: {what}: {e}"))
        .with_source(e)
        .with_hint_if(hint)
}

/// Whether `host` matches a `NO_PROXY` list (`*`, exact names, `.suffix` or `suffix` of subdomains).
pub fn no_proxy_matches(host: &str, entries: &[String]) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    entries.iter().any(|e| {
        let e = e
            .trim()
            .trim_start_matches("*.")
            .trim_start_matches('.')
            .to_ascii_lowercase();
        !e.is_empty() && (e == "*" || host == e || host.ends_with(&format!(".{e}")))
    })
}

/// TLS with the bundle's certificates instead of the built-in roots.
fn bundle_tls(bundle: &CaBundle) -> Result<BundleTls> {
    let certs: Vec<CertificateDer<'static>> = ureq::tls::parse_pem(&bundle.pem)
        .filter_map(|item| match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => Some(CertificateDer::from(c.der().to_vec())),
            _ => None,
        })
        .collect();
    if certs.is_empty() {
        return Err(
            Error::config(format!("the CA bundle {} holds no PEM certificate", bundle.path))
                .with_hint("it must contain -----BEGIN CERTIFICATE----- blocks"),
        );
    }
    BundleTls::new(certs, &bundle.path)
}

/// The one [`BundleTls`] of a transport, shared by its agents.
#[derive(Debug)]
struct SharedTls(Arc<BundleTls>);

impl<In: ureq::unversioned::transport::Transport> Connector<In> for SharedTls {
    type Out = <BundleTls as Connector<In>>::Out;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> std::result::Result<Option<Self::Out>, ureq::Error> {
        self.0.connect(details, chained)
    }
}

impl UreqTransport {
    /// A transport with the given settings.
    pub fn new(cfg: &HttpConfig) -> Result<Self> {
        let tls = cfg.ca_bundle.as_ref().map(bundle_tls).transpose()?.map(Arc::new);
        // One idle connection per request in flight, all of them allowed to one host: a command talks to
        // one endpoint. Never below ureq's own sizes.
        let in_flight = cfg.concurrency.unwrap_or(0);
        let (idle, per_host) = (in_flight.max(IDLE_CONNECTIONS), in_flight.max(IDLE_PER_HOST));
        let agent = |proxy: Option<ureq::Proxy>| {
            let config = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .user_agent(format!("awl/{}", env!("CARGO_PKG_VERSION")))
                .proxy(proxy)
                .timeout_connect(Some(cfg.connect_timeout.unwrap_or(Duration::from_secs(60))))
                .timeout_per_read(Some(cfg.read_timeout.unwrap_or(Duration::from_secs(60))))
                .timeout_global(cfg.total_timeout)
                .max_idle_connections(idle)
                .max_idle_connections_per_host(per_host)
                .build();
            match &tls {
                // The built-in roots: ureq's own chain.
                None => ureq::Agent::new_with_config(config),
                // ureq's TCP and proxy steps, then TLS with the bundle's verifier.
                Some(tls) => ureq::Agent::with_parts(
                    config,
                    ().chain(ConnectProxyConnector::default())
                        .chain(TcpConnector::default())
                        .chain(SharedTls(tls.clone())),
                    DefaultResolver::default(),
                ),
            }
        };
        let proxied = |url: &Option<String>| -> Result<Option<ureq::Agent>> {
            match url {
                None => Ok(None),
                Some(u) => {
                    let proxy = ureq::Proxy::new(u).map_err(|e| {
                        Error::config(format!(
                            "proxy URL {:?} is not valid",
                            crate::codec::redact::url(u)
                        ))
                        .with_source(e)
                    })?;
                    Ok(Some(agent(Some(proxy))))
                }
            }
        };
        Ok(UreqTransport {
            direct: agent(None),
            https_proxied: proxied(&cfg.https_proxy)?,
            http_proxied: proxied(&cfg.http_proxy)?,
            no_proxy: cfg
                .no_proxy
                .as_deref()
                .map(|s| s.split(',').map(str::to_owned).collect())
                .unwrap_or_default(),
            trace: cfg.trace.clone(),
            stop: cfg.stop.clone(),
        })
    }

    fn agent_for(&self, endpoint: &Endpoint) -> &ureq::Agent {
        let proxied = if endpoint.https {
            &self.https_proxied
        } else {
            &self.http_proxied
        };
        match proxied {
            Some(a) if !no_proxy_matches(&endpoint.host, &self.no_proxy) => a,
            _ => &self.direct,
        }
    }

    fn trace_response(&self, resp: &Response, req: &Request) {
        if let Some(t) = &self.trace {
            t(&trace::response(resp, req));
        }
    }
}

/// A response whose status and headers are read and whose body is not yet.
type Exchange = (u16, Vec<(String, String)>, ureq::http::Response<ureq::Body>);

fn file_error(path: &std::path::Path, e: std::io::Error) -> Error {
    Error::transfer(format!("cannot read {}: {e}", path.display())).with_source(e)
}

impl UreqTransport {
    /// Sends the request and returns the status, the headers, and the body still to read.
    fn exchange(&self, req: &Request) -> Result<Exchange> {
        if let Some(t) = &self.trace {
            t(&trace::request(req));
        }
        let url = req.url();
        let mut builder = ureq::http::Request::builder().method(req.method).uri(&url);
        let is_file = matches!(req.body, Body::File { .. });
        for (n, v) in &req.headers {
            // ureq sets Host from the URL; a file body's length is set below, once.
            let skip =
                n.eq_ignore_ascii_case("host") || (is_file && n.eq_ignore_ascii_case("content-length"));
            if !skip {
                builder = builder.header(n.as_str(), v.as_str());
            }
        }
        let build_err = |e: ureq::http::Error| {
            Error::new(ErrorKind::Other, format!("cannot build a request for {url}: {e}")).with_source(e)
        };
        let agent = self.agent_for(&req.endpoint);
        let resp = match &req.body {
            Body::File { path, offset, len } => {
                let mut file = std::fs::File::open(path).map_err(|e| file_error(path, e))?;
                file.seek(SeekFrom::Start(*offset))
                    .map_err(|e| file_error(path, e))?;
                let reader = Interruptible {
                    inner: file.take(*len),
                    stop: self.stop.clone(),
                };
                let built = builder
                    .header("content-length", len.to_string())
                    .body(ureq::SendBody::from_owned_reader(reader))
                    .map_err(build_err)?;
                agent.run(built)
            }
            body => agent.run(builder.body(body.bytes()).map_err(build_err)?),
        }
        .map_err(|e| net_error(e, &url))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        Ok((status, headers, resp))
    }

    fn finish(
        &self,
        status: u16,
        headers: Vec<(String, String)>,
        mut resp: ureq::http::Response<ureq::Body>,
        req: &Request,
    ) -> Result<Response> {
        let url = req.url();
        // Within the cap, growing only as memory allows: a larger answer is refused, never cut short and read.
        let body = match crate::bounded::read_capped(&mut resp.body_mut().as_reader(), MAX_BODY) {
            Ok(body) => body,
            Err(Stop::Io(e)) => {
                return Err(Error::new(
                    ErrorKind::Network,
                    format!("{url}: reading the response failed: {e}"),
                )
                .with_source(e));
            }
            Err(Stop::TooLarge) => {
                return Err(Error::data(format!(
                    "{url}: the answer is over {} MiB, more than any answer awl reads",
                    MAX_BODY >> 20
                )));
            }
            Err(Stop::OutOfMemory) => {
                return Err(Error::data(format!("{url}: no memory for the answer")));
            }
        };
        let resp = Response {
            status,
            headers,
            body,
            attempts: 1,
        };
        self.trace_response(&resp, req);
        Ok(resp)
    }
}

/// The largest read of a body: `io::copy`'s 8 KiB would cost a write and a hash call per 8 KiB (about a third
/// of a download's CPU).
const MAX_READ: usize = 256 << 10;

thread_local! {
    /// Each thread's body buffer, kept from one download to the next. A fresh 256 KiB buffer per body cost every
    /// small object an mmap, page faults and a munmap (whose TLB shootdown stops every other thread).
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The size of buffer for a body of `length` bytes (when the answer says): the body and one byte, so that the
/// end is seen in the read after, up to [`MAX_READ`].
fn buffer_size(length: Option<u64>) -> usize {
    length.map_or(MAX_READ, |n| {
        usize::try_from(n)
            .unwrap_or(MAX_READ)
            .saturating_add(1)
            .clamp(4096, MAX_READ)
    })
}

/// The `Content-Length` of an answer, when it gives a number.
fn content_length(headers: &[(String, String)]) -> Option<u64> {
    headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
}

/// The body into the sink in reads of up to 256 KiB, through this thread's buffer, sized to the body's
/// `length` where known (kept while the bodies that follow are of about its size).
fn copy_body(reader: &mut dyn Read, sink: &mut dyn Write, length: Option<u64>) -> std::io::Result<u64> {
    let want = buffer_size(length);
    BUFFER.with_borrow_mut(|buf| {
        if buf.len() < want || buf.len() > 4 * want {
            *buf = vec![0u8; want];
        }
        let mut total = 0u64;
        loop {
            let n = match reader.read(buf) {
                Ok(0) => return Ok(total),
                Ok(n) => n,
                // A signal's EINTR; a stop is another kind of error and ends the copy.
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            sink.write_all(&buf[..n])?;
            total += n as u64;
        }
    })
}

impl Transport for UreqTransport {
    fn send(&self, req: &Request) -> Result<Response> {
        let (status, headers, resp) = self.exchange(req)?;
        self.finish(status, headers, resp, req)
    }

    fn download(&self, req: &Request, sink: &mut dyn Sink) -> Result<Response> {
        let (status, headers, mut resp) = self.exchange(req)?;
        if !(200..300).contains(&status) {
            return self.finish(status, headers, resp, req);
        }
        let mut reader = Interruptible {
            inner: resp.body_mut().as_reader(),
            stop: self.stop.clone(),
        };
        sink.begin(status, &headers)
            .and_then(|()| copy_body(&mut reader, sink, content_length(&headers)))
            .map_err(|e| {
                let kind = if is_stopped(&e) {
                    ErrorKind::Interrupted
                } else {
                    ErrorKind::Transfer
                };
                Error::new(kind, format!("{}: download failed: {e}", req.url())).with_source(e)
            })?;
        let resp = Response {
            status,
            headers,
            body: Vec::new(),
            attempts: 1,
        };
        self.trace_response(&resp, req);
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_buffer_fits_the_body_and_is_kept_for_the_next() {
        assert_eq!(buffer_size(Some(4096)), 4097);
        assert_eq!(buffer_size(Some(0)), 4096);
        assert_eq!(buffer_size(Some(10 << 30)), MAX_READ);
        assert_eq!(buffer_size(None), MAX_READ);
        let body = vec![7u8; 10_000];
        let mut out = Vec::new();
        let n = copy_body(&mut body.as_slice(), &mut out, Some(10_000)).expect("copy");
        assert_eq!((n, &out), (10_000, &body));
        let kept = BUFFER.with_borrow(|b| (b.len(), b.as_ptr() as usize));
        assert_eq!(kept.0, 10_001);
        // A body of about the same size reuses it; a bigger one grows it; one far smaller gets its own.
        copy_body(&mut [1u8; 9000].as_slice(), &mut Vec::new(), Some(9000)).expect("copy");
        assert_eq!(BUFFER.with_borrow(|b| (b.len(), b.as_ptr() as usize)), kept);
        copy_body(&mut [1u8; 100].as_slice(), &mut Vec::new(), None).expect("copy");
        assert_eq!(BUFFER.with_borrow(|b| b.len()), MAX_READ);
        copy_body(&mut [1u8; 100].as_slice(), &mut Vec::new(), Some(100)).expect("copy");
        assert_eq!(BUFFER.with_borrow(|b| b.len()), 4096);
    }

    #[test]
    fn no_proxy_rules() {
        let list: Vec<String> = ["localhost", ".internal", "*.corp.example", "10.0.0.1"]
            .map(String::from)
            .to_vec();
        assert!(no_proxy_matches("localhost", &list));
        assert!(no_proxy_matches("s3.internal", &list) && no_proxy_matches("internal", &list));
        assert!(no_proxy_matches("a.corp.example", &list));
        assert!(!no_proxy_matches("sts.amazonaws.com", &list));
        assert!(no_proxy_matches("anything", &["*".to_owned()]));
    }

    #[test]
    fn a_stopped_read_ends_a_copy_at_once() {
        let stop = Arc::new(AtomicBool::new(true));
        let mut r = Interruptible {
            inner: std::io::repeat(0),
            stop: Some(stop),
        };
        // io::copy retries ErrorKind::Interrupted for ever; this must return.
        let e = std::io::copy(&mut r, &mut std::io::sink()).expect_err("stopped");
        assert!(is_stopped(&e));
    }

    #[test]
    fn a_bundle_without_certificates_is_a_config_error() {
        let Err(e) = bundle_tls(&CaBundle {
            path: "/etc/ca.pem".into(),
            pem: b"not a certificate".to_vec(),
        }) else {
            panic!("a bundle without certificates is refused");
        };
        assert_eq!(e.exit_code(), 253);
        assert!(e.to_string().contains("/etc/ca.pem holds no PEM certificate"));
    }
}
