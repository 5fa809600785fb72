//! HTTP for awl: request and response values, endpoints, and the one [`Transport`] over a ureq agent. The only
//! file that names ureq.
//!
//! Status codes come back as data, never as errors, so that a service's error body is always read. TLS is
//! always verified: Mozilla's roots built in, or the PEM bundle of `AWS_CA_BUNDLE` / `ca_bundle` instead (as
//! the AWS CLI does). `HTTPS_PROXY`/`HTTP_PROXY` and `NO_PROXY` are honoured. With `--debug` every request
//! and response is traced on stderr, secrets redacted.

use crate::error::{Error, ErrorKind, Result};
use crate::redact;
use crate::sigv4::{Payload, Request as SignRequest, Settings, Signer};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

/// `http` or `https`, a host, an optional port, and a base path: where a service is reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// `https` unless the URL said `http`.
    pub https: bool,
    /// Host name or IP address (IPv6 in brackets).
    pub host: String,
    /// The port, when not the scheme's default.
    pub port: Option<u16>,
    /// A path prefix, without a trailing `/` (usually empty).
    pub base_path: String,
}

impl Endpoint {
    /// Reads an endpoint URL such as `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:9000`.
    pub fn parse(url: &str) -> Result<Self> {
        let bad = |why: &str| {
            Error::config(format!("endpoint URL {url:?} {why}"))
                .with_hint("write it as http://HOST[:PORT] or https://HOST[:PORT]")
        };
        let (https, rest) = if let Some(r) = url.strip_prefix("https://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("http://") {
            (false, r)
        } else {
            return Err(bad("has no http:// or https://"));
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
            None => (rest, ""),
        };
        if authority.contains('@') || path.contains(['?', '#']) {
            return Err(bad("has user information, a query or a fragment"));
        }
        let (host, port) = match authority.rfind(':') {
            Some(i) if !authority[i..].contains(']') => {
                let port = authority[i + 1..]
                    .parse::<u16>()
                    .map_err(|_| bad("has a bad port"))?;
                (&authority[..i], Some(port))
            }
            _ => (authority, None),
        };
        if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c.is_control()) {
            return Err(bad("has no valid host"));
        }
        let default_port = if https { 443 } else { 80 };
        Ok(Endpoint {
            https,
            host: host.to_ascii_lowercase(),
            port: port.filter(|p| *p != default_port),
            base_path: path.to_owned(),
        })
    }

    /// The `Host` header value: the host, with the port when it is not the default.
    pub fn authority(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host),
            None => self.host.clone(),
        }
    }

    /// `scheme://authority`.
    pub fn origin(&self) -> String {
        format!(
            "{}://{}",
            if self.https { "https" } else { "http" },
            self.authority()
        )
    }
}

/// A request body.
#[derive(Clone, PartialEq, Eq)]
pub enum Body {
    /// No body.
    Empty,
    /// A body in memory.
    Bytes(Vec<u8>),
    /// A byte range of a file, read while sending (never held in memory whole).
    File {
        /// The file.
        path: PathBuf,
        /// Where the range starts.
        offset: u64,
        /// How many bytes.
        len: u64,
    },
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A form body may hold an MFA code: its size only.
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Body::File { path, offset, len } => write!(f, "File({}, {offset}+{len})", path.display()),
        }
    }
}

impl Body {
    /// The bytes of an in-memory body (empty for a file range).
    pub fn bytes(&self) -> &[u8] {
        match self {
            Body::Empty | Body::File { .. } => &[],
            Body::Bytes(b) => b,
        }
    }

    /// The body's length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Bytes(b) => b.len() as u64,
            Body::File { len, .. } => *len,
        }
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A reader that fails as soon as `stop` is set: a transfer interrupted by a signal ends promptly.
struct Interruptible<R> {
    inner: R,
    stop: Option<Arc<AtomicBool>>,
}

impl<R: Read> Read for Interruptible<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed)) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "interrupted",
            ));
        }
        self.inner.read(buf)
    }
}

/// An HTTP request, ready to sign and send.
#[derive(Clone)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: &'static str,
    /// Where it goes.
    pub endpoint: Endpoint,
    /// The path (the endpoint's base path included), percent-encoded for the wire, starting with `/`.
    pub path: String,
    /// The query, percent-encoded for the wire, without `?` (empty for none).
    pub query: String,
    /// Headers, `Host` included.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, String)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), redact::header(n, v)))
            .collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &redact::params(&self.url()))
            .field("headers", &headers)
            .field("body", &self.body)
            .finish()
    }
}

impl Request {
    /// A request to `endpoint` with the `Host` header set.
    pub fn new(
        method: &'static str,
        endpoint: &Endpoint,
        path: impl Into<String>,
        query: impl Into<String>,
    ) -> Self {
        Request {
            method,
            endpoint: endpoint.clone(),
            // The endpoint's base path is part of what is signed.
            path: format!("{}{}", endpoint.base_path, path.into()),
            query: query.into(),
            headers: vec![("host".into(), endpoint.authority())],
            body: Body::Empty,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// Signs the request with SigV4 at `now`, over its in-memory body: the signature's headers are added.
    pub fn sign(&mut self, signer: &Signer, settings: &Settings, now: SystemTime) {
        let body = std::mem::replace(&mut self.body, Body::Empty);
        self.sign_with(signer, settings, Payload::Bytes(body.bytes()), now);
        self.body = body;
    }

    /// Signs the request with SigV4 at `now` for the given payload: the signature's headers are added.
    pub fn sign_with(&mut self, signer: &Signer, settings: &Settings, payload: Payload<'_>, now: SystemTime) {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let signature = signer.sign(
            &SignRequest {
                method: self.method,
                path: &self.path,
                query: &self.query,
                headers: &headers,
                payload,
            },
            settings,
            now,
        );
        for (name, value) in signature.params() {
            self.headers.push(((*name).to_owned(), value.clone()));
        }
    }

    /// The full URL.
    pub fn url(&self) -> String {
        let mut url = format!("{}{}", self.endpoint.origin(), self.path);
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&self.query);
        }
        url
    }
}

/// An HTTP response: status, headers (names in lower case) and body.
#[derive(Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// How many attempts it took (see `retry`).
    pub attempts: u32,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The body may hold credentials (an AssumeRole answer): its size only.
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &format_args!("{} bytes", self.body.len()))
            .finish()
    }
}

impl Response {
    /// The first header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Sends requests. The seam between awl's logic and the network; shared by the threads of an upload.
pub trait Transport: Sync {
    /// Sends `req` and returns the response, whatever its status; errors are connection failures only.
    fn send(&self, req: &Request) -> Result<Response>;

    /// Sends `req`; a 2xx body is copied into `sink` (the returned body is then empty), any other body is
    /// returned as usual.
    fn download(&self, req: &Request, sink: &mut dyn Write) -> Result<Response>;
}

/// How to reach the network.
#[derive(Clone, Debug, Default)]
pub struct HttpConfig {
    /// A PEM file whose certificates replace the built-in roots.
    pub ca_bundle: Option<String>,
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
    /// Trace requests and responses on stderr, secrets redacted.
    pub debug: bool,
    /// Set by a signal handler: transfers in progress stop with an error.
    pub stop: Option<Arc<AtomicBool>>,
}

/// Largest response body read into memory (S3 and STS answers are small; objects are streamed elsewhere).
const MAX_BODY: u64 = 64 << 20;

/// The ureq-backed transport.
pub struct UreqTransport {
    direct: ureq::Agent,
    https_proxied: Option<ureq::Agent>,
    http_proxied: Option<ureq::Agent>,
    no_proxy: Vec<String>,
    debug: bool,
    stop: Option<Arc<AtomicBool>>,
}

impl std::fmt::Debug for UreqTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UreqTransport")
            .field("debug", &self.debug)
            .finish_non_exhaustive()
    }
}

fn net_error(e: ureq::Error, url: &str) -> Error {
    // rustls reports a certificate it cannot verify as an I/O error of kind InvalidData.
    let tls = matches!(&e, ureq::Error::Tls(_))
        || matches!(&e, ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::InvalidData
            && io.to_string().contains("certificate"));
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
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::Interrupted => ErrorKind::Interrupted,
        _ => ErrorKind::Other,
    };
    let err = Error::new(kind, format!("{url}: {what}: {e}")).with_source(e);
    match hint {
        Some(h) => err.with_hint(h),
        None => err,
    }
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

impl UreqTransport {
    /// A transport with the given settings.
    pub fn new(cfg: &HttpConfig) -> Result<Self> {
        let roots = match &cfg.ca_bundle {
            None => ureq::tls::RootCerts::WebPki,
            Some(path) => {
                let pem = std::fs::read(path).map_err(|e| {
                    Error::config(format!("cannot read the CA bundle {path}: {e}"))
                        .with_hint("AWS_CA_BUNDLE / ca_bundle must name a readable PEM file")
                        .with_source(e)
                })?;
                let certs: Vec<_> = ureq::tls::parse_pem(&pem)
                    .filter_map(|item| match item {
                        Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                        _ => None,
                    })
                    .collect();
                if certs.is_empty() {
                    return Err(
                        Error::config(format!("the CA bundle {path} holds no PEM certificate"))
                            .with_hint("it must contain -----BEGIN CERTIFICATE----- blocks"),
                    );
                }
                ureq::tls::RootCerts::new_with_certs(&certs)
            }
        };
        let agent = |proxy: Option<ureq::Proxy>| {
            let config = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .user_agent(format!("awl/{}", env!("CARGO_PKG_VERSION")))
                .proxy(proxy)
                .tls_config(ureq::tls::TlsConfig::builder().root_certs(roots.clone()).build())
                .timeout_connect(Some(cfg.connect_timeout.unwrap_or(Duration::from_secs(60))))
                .timeout_per_read(Some(cfg.read_timeout.unwrap_or(Duration::from_secs(60))))
                .timeout_global(cfg.total_timeout)
                .build();
            ureq::Agent::new_with_config(config)
        };
        let proxied = |url: &Option<String>| -> Result<Option<ureq::Agent>> {
            match url {
                None => Ok(None),
                Some(u) => {
                    let proxy = ureq::Proxy::new(u).map_err(|e| {
                        Error::config(format!("proxy URL {u:?} is not valid: {e}")).with_source(e)
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
            debug: cfg.debug,
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

    fn trace_request(&self, req: &Request) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "> {} {}", req.method, redact::params(&req.url()));
        for (n, v) in &req.headers {
            let _ = writeln!(err, "> {n}: {}", redact::header(n, v));
        }
        if !req.body.bytes().is_empty() {
            let _ = writeln!(err, ">");
            let _ = writeln!(
                err,
                "> {}",
                redact::body(&String::from_utf8_lossy(req.body.bytes()))
            );
        }
    }

    fn trace_response(&self, resp: &Response, url: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "< {}", resp.status);
        for (n, v) in &resp.headers {
            let _ = writeln!(err, "< {n}: {}", redact::header(n, v));
        }
        // An instance metadata session token is the whole body of its answer.
        if url.ends_with("/latest/api/token") && !resp.body.is_empty() {
            let _ = writeln!(err, "<");
            let _ = writeln!(err, "< ***");
        } else if !resp.body.is_empty() {
            let text = String::from_utf8_lossy(&resp.body[..resp.body.len().min(4096)]);
            let _ = writeln!(err, "<");
            let _ = writeln!(err, "< {}", redact::sanitize(&redact::body(&text), 4096));
        }
    }
}

/// A response whose status and headers are read and whose body is not yet.
type Exchange = (u16, Vec<(String, String)>, ureq::http::Response<ureq::Body>);

impl UreqTransport {
    /// Sends the request and returns the status, the headers, and the body still to read.
    fn exchange(&self, req: &Request) -> Result<Exchange> {
        if self.debug {
            self.trace_request(req);
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
                let mut file = std::fs::File::open(path).map_err(|e| {
                    Error::new(
                        ErrorKind::Transfer,
                        format!("cannot read {}: {e}", path.display()),
                    )
                    .with_source(e)
                })?;
                file.seek(SeekFrom::Start(*offset)).map_err(|e| {
                    Error::new(
                        ErrorKind::Transfer,
                        format!("cannot read {}: {e}", path.display()),
                    )
                    .with_source(e)
                })?;
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
            body => agent.run(builder.body(body.bytes().to_vec()).map_err(build_err)?),
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
        url: &str,
    ) -> Result<Response> {
        let mut body = Vec::new();
        resp.body_mut()
            .as_reader()
            .take(MAX_BODY)
            .read_to_end(&mut body)
            .map_err(|e| {
                Error::new(
                    ErrorKind::Other,
                    format!("{url}: reading the response failed: {e}"),
                )
                .with_source(e)
            })?;
        let resp = Response {
            status,
            headers,
            body,
            attempts: 1,
        };
        if self.debug {
            self.trace_response(&resp, url);
        }
        Ok(resp)
    }
}

impl Transport for UreqTransport {
    fn send(&self, req: &Request) -> Result<Response> {
        let (status, headers, resp) = self.exchange(req)?;
        self.finish(status, headers, resp, &req.url())
    }

    fn download(&self, req: &Request, sink: &mut dyn Write) -> Result<Response> {
        let (status, headers, mut resp) = self.exchange(req)?;
        if !(200..300).contains(&status) {
            return self.finish(status, headers, resp, &req.url());
        }
        let mut reader = Interruptible {
            inner: resp.body_mut().as_reader(),
            stop: self.stop.clone(),
        };
        std::io::copy(&mut reader, sink).map_err(|e| {
            let kind = if e.kind() == std::io::ErrorKind::Interrupted {
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
        if self.debug {
            self.trace_response(&resp, &req.url());
        }
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse_like_the_aws_cli_takes_them() {
        let e = Endpoint::parse("http://127.0.0.1:5000").expect("parses");
        assert_eq!(
            (e.https, e.host.as_str(), e.port, e.authority()),
            (false, "127.0.0.1", Some(5000), "127.0.0.1:5000".into())
        );
        let e = Endpoint::parse("https://S3.eu-west-1.amazonaws.com:443/").expect("parses");
        assert_eq!(
            (e.authority(), e.origin()),
            (
                "s3.eu-west-1.amazonaws.com".into(),
                "https://s3.eu-west-1.amazonaws.com".into()
            )
        );
        let e = Endpoint::parse("https://[::1]:8443/base/").expect("ipv6");
        assert_eq!(
            (e.host.as_str(), e.port, e.base_path.as_str()),
            ("[::1]", Some(8443), "/base")
        );
        for bad in [
            "127.0.0.1:5000",
            "ftp://x",
            "http://",
            "http://a:b",
            "http://u:p@h",
            "http://h/?q",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
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
    fn urls_join_base_path_and_query() {
        let e = Endpoint::parse("http://h:9000/base").expect("parses");
        let r = Request::new("GET", &e, "/b/k", "x=1");
        assert_eq!(r.url(), "http://h:9000/base/b/k?x=1");
        assert_eq!(r.headers, vec![("host".to_owned(), "h:9000".to_owned())]);
    }
}
