//! The S3 client: one set of credentials (fetched again before they expire, where they can be), a signer per
//! region made once and reused, and every [`Operation`] run the same way by [`S3::run`]: addressed, signed,
//! sent with retries, tried once more in the bucket's region when the answer names another (one rule for
//! every call), its refusals made errors, its answer parsed. Listings go through `S3::pages`, the one
//! paginator (in `paginate`); transfers of files are beside it.

use crate::config::resolve::{AddressingStyle, ChecksumWhen, valid_region};
use crate::error::{Error, Result};
use crate::identity::{Credentials, Refresh};
use crate::interrupt::{Interrupt, Registration};
use crate::s3::address::{aws_endpoint, locate};
use crate::s3::object::ObjectRef;
use crate::s3::operation::Operation;
use crate::s3::presign;
use crate::s3::request::S3Request;
use crate::s3::slots::Slots;
use crate::sign::apply;
use crate::sign::sigv4::{Payload, Settings, Signer, UNSIGNED_PAYLOAD, sha256_hex};
use crate::transport::endpoint::Endpoint;
use crate::transport::request::{Body, Request, Response};
use crate::transport::retry::Sender;
use crate::transport::service_error;
use crate::transport::{Sink, Transport};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Credentials this close to expiry are fetched again before the next request, when they can be.
pub const REFRESH_BEFORE: Duration = Duration::from_secs(300);

/// S3 with one set of credentials.
pub struct S3<'a> {
    sender: Sender<'a>,
    creds: Mutex<(Credentials, Option<SystemTime>)>,
    refresh: Option<Refresh>,
    /// Why renewing the credentials failed (its message, kind and hint), once it has: every later request
    /// fails with it, except the aborts that clean up.
    renew_failed: Mutex<Option<(crate::error::ErrorKind, String, Option<String>)>>,
    /// Signers in use, one per region (and credentials): each derives its signing key once a day.
    signers: Mutex<Vec<Arc<Signer>>>,
    /// The region each bucket turned out to be in, by a redirect: later calls go there first (the parts of an
    /// upload, which are not redirected, and the abort a signal sends, included).
    regions: Mutex<Vec<(String, String)>>,
    region: String,
    endpoint: Option<Endpoint>,
    style: AddressingStyle,
    /// Set by a signal: transfers stop.
    stop: Option<Arc<AtomicBool>>,
    /// What a signal undoes, and the transport its abort requests go through.
    interrupt: Option<(Arc<Interrupt>, Arc<dyn Transport>)>,
    /// The places for requests in flight, shared by every transfer of the client (files and parts alike).
    slots: Option<Arc<Slots>>,
    /// When uploads send checksums, and when downloads ask for and check them.
    checksums: (ChecksumWhen, ChecksumWhen),
    /// Where file uploads in parts keep their resume records (none: uploads are not resumed).
    upload_records: Option<std::path::PathBuf>,
}

/// A request addressed and ready to sign: where it goes, its payload hash, and the signer of its region.
struct Prepared<'r> {
    req: &'r S3Request,
    endpoint: Endpoint,
    path: String,
    hash: String,
    signer: Arc<Signer>,
}

impl Prepared<'_> {
    /// The transport request, signed at `at`.
    fn build(&self, at: SystemTime) -> Request {
        let req = self.req;
        let mut r = Request::new(req.method, &self.endpoint, self.path.clone(), req.query.clone());
        for (n, v) in &req.headers {
            r = r.header(n, v.clone());
        }
        if !req.body.is_empty() || req.method == "PUT" || req.method == "POST" {
            r = r.header("content-length", req.body.len().to_string());
        }
        r.body = req.body.clone();
        apply::sign(
            &mut r,
            &self.signer,
            &Settings::s3(),
            Payload::Sha256Hex(&self.hash),
            at,
        );
        r
    }
}

impl std::fmt::Debug for S3<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl<'a> S3<'a> {
    /// S3 in `region` (at `endpoint` if given), signing with `creds`, sending through `sender` (retries,
    /// clock skew).
    pub fn new(
        sender: Sender<'a>,
        creds: Credentials,
        region: &str,
        endpoint: Option<Endpoint>,
        style: AddressingStyle,
    ) -> Self {
        S3 {
            sender,
            creds: Mutex::new((creds, None)),
            refresh: None,
            renew_failed: Mutex::new(None),
            signers: Mutex::new(Vec::new()),
            regions: Mutex::new(Vec::new()),
            region: region.to_owned(),
            endpoint,
            style,
            stop: None,
            interrupt: None,
            slots: None,
            checksums: (ChecksumWhen::Supported, ChecksumWhen::Supported),
            upload_records: None,
        }
    }

    /// The same client, sending checksums with uploads `request`, and asking for and checking them on
    /// downloads `response` (`request_checksum_calculation`, `response_checksum_validation`).
    pub fn with_checksums(mut self, request: ChecksumWhen, response: ChecksumWhen) -> Self {
        self.checksums = (request, response);
        self
    }

    /// Whether uploads send a checksum when none is asked for.
    pub fn sends_checksums(&self) -> bool {
        self.checksums.0 == ChecksumWhen::Supported
    }

    /// Whether downloads ask for and check the checksums S3 stores.
    pub fn checks_checksums(&self) -> bool {
        self.checksums.1 == ChecksumWhen::Supported
    }

    /// The same client, keeping the resume records of file uploads in parts in `dir` (see
    /// `s3::transfer::resume`), so that a later upload of the same file continues where one stopped.
    pub fn with_upload_records(mut self, dir: std::path::PathBuf) -> Self {
        self.upload_records = Some(dir);
        self
    }

    /// The endpoint every request goes to, when one was given (`--endpoint-url`, the profile's); `None` for
    /// AWS's own, by region.
    pub fn endpoint(&self) -> Option<&Endpoint> {
        self.endpoint.as_ref()
    }

    /// Where file uploads keep their resume records, if they do.
    pub fn upload_records(&self) -> Option<&std::path::Path> {
        self.upload_records.as_deref()
    }

    /// The same client, with at most `n` requests in flight at once, whatever the transfers that send them.
    pub fn with_slots(mut self, n: usize) -> Self {
        self.slots = Some(Arc::new(Slots::new(n)));
        self
    }

    /// The same client, registering what a signal must undo (multipart uploads to abort, through
    /// `transport`) with `interrupt`, and stopping transfers on its flag.
    pub fn with_interrupt(mut self, interrupt: Arc<Interrupt>, transport: Arc<dyn Transport>) -> Self {
        self.stop = Some(interrupt.stop_flag());
        self.interrupt = Some((interrupt, transport));
        self
    }

    /// The region requests are signed for (a bucket elsewhere is followed there).
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The run's interruption, if the client has one.
    pub fn interrupt(&self) -> Option<&Arc<Interrupt>> {
        self.interrupt.as_ref().map(|(i, _)| i)
    }

    /// Registers `req` (signed now, and valid for S3's 15 minutes) to be sent if a signal cuts the run short;
    /// `None` without an interruption or once it has begun.
    pub fn send_on_interrupt(&self, req: &S3Request) -> Result<Option<Registration>> {
        let Some((interrupt, _)) = &self.interrupt else {
            return Ok(None);
        };
        Ok(interrupt.register_action(self.interrupt_action(req)?))
    }

    /// Signs `req` again for a registration (an upload that outlasts its first signature).
    pub fn renew_on_interrupt(&self, registration: &Registration, req: &S3Request) -> Result<()> {
        registration.replace(self.interrupt_action(req)?);
        Ok(())
    }

    fn interrupt_action(&self, req: &S3Request) -> Result<crate::interrupt::Action> {
        let transport = match &self.interrupt {
            Some((_, t)) => t.clone(),
            None => {
                return Err(Error::new(
                    crate::error::ErrorKind::Other,
                    "no interruption to register with",
                ));
            }
        };
        let signed = self
            .prepare(&self.region_of(req), req)?
            .build(self.sender.skew.signing_time((self.sender.clock)()));
        Ok(Box::new(move || {
            // Best effort: the process is ending; a part left behind is what this tries to prevent.
            let _ = transport.send(&signed);
        }))
    }

    /// The same client, fetching its credentials again with `refresh` when they come within 5 minutes of
    /// their expiry (a long upload with an instance role's credentials, say).
    pub fn with_refresh(mut self, refresh: Refresh) -> Self {
        self.refresh = Some(refresh);
        self
    }

    /// The flag that interrupts transfers, if any.
    pub fn stop_flag(&self) -> Option<&AtomicBool> {
        self.stop.as_deref()
    }

    /// Whether a signal asked transfers to stop.
    pub fn stopped(&self) -> bool {
        self.stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed))
    }

    /// The credentials to sign with now: refreshed first if they are about to expire and can be (at most once a
    /// minute, in case the source hands out the same soon-expiring ones again). Once a refresh has failed for
    /// good (a role that needs an MFA code), every request fails with its error, so the transfer stops, except
    /// the `cleanup` requests (aborts of uploads), which sign with the old credentials: they have minutes left.
    fn credentials(&self, cleanup: bool) -> Result<Credentials> {
        let mut failed = self.renew_failed.lock().unwrap_or_else(|p| p.into_inner());
        let mut slot = self.creds.lock().unwrap_or_else(|p| p.into_inner());
        let (creds, refreshed_at) = &mut *slot;
        if cleanup {
            return Ok(creds.clone());
        }
        if let Some((kind, message, hint)) = &*failed {
            return Err(Error::new(*kind, message.clone()).with_hint_if(hint.clone()));
        }
        let now = (self.sender.clock)();
        if let Some(refresh) = &self.refresh
            && creds.expires_before(now + REFRESH_BEFORE)
            && refreshed_at.is_none_or(|t| now > t + Duration::from_secs(60))
        {
            *refreshed_at = Some(now);
            match refresh() {
                Ok(c) => *creds = c,
                // No answer (STS or the metadata endpoint out of reach for a moment): the old credentials,
                // which have minutes left, go on signing, and renewal is tried again in a minute (botocore's
                // advisory window). Anything else (a code is needed, the role refused) will not mend itself:
                // the transfer stops.
                Err(e) if e.kind() == crate::error::ErrorKind::Network => {
                    if creds.expires_before(now + Duration::from_secs(60)) {
                        return Err(e);
                    }
                }
                Err(e) => {
                    *failed = Some((e.kind(), e.message().to_owned(), e.hint().map(str::to_owned)));
                    return Err(e);
                }
            }
        }
        Ok(creds.clone())
    }

    /// The signer for `region` and the current credentials, made once and reused.
    fn signer(&self, region: &str, cleanup: bool) -> Result<Arc<Signer>> {
        let creds = self.credentials(cleanup)?;
        let mut signers = self.signers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = signers
            .iter()
            .find(|s| s.region() == region && s.signs_with(&creds))
        {
            return Ok(s.clone());
        }
        let s = Arc::new(Signer::new(&creds, region, "s3"));
        signers.retain(|old| old.signs_with(&creds));
        signers.push(s.clone());
        Ok(s)
    }

    /// Addresses `req` for `region`, hashes its in-memory body, and takes the region's signer.
    fn prepare<'r>(&self, region: &str, req: &'r S3Request) -> Result<Prepared<'r>> {
        if req.names_object && req.key.is_empty() {
            return Err(Error::usage(format!(
                "s3://{}/ names no object",
                req.bucket.as_deref().unwrap_or_default()
            )));
        }
        let (endpoint, path) = match &req.bucket {
            Some(b) => locate(b, &req.key, region, self.endpoint.as_ref(), self.style),
            None => (
                self.endpoint.clone().unwrap_or_else(|| aws_endpoint(region)),
                "/".to_owned(),
            ),
        };
        let hash = match (&req.body, &req.payload_hash) {
            (_, Some(h)) => h.clone(),
            (Body::File { .. }, None) => UNSIGNED_PAYLOAD.to_owned(),
            (b, None) => sha256_hex(b.bytes()),
        };
        Ok(Prepared {
            req,
            endpoint,
            path,
            hash,
            // An abort of a multipart upload cleans up; it must go out even when renewing failed.
            signer: self.signer(region, req.method == "DELETE" && req.query.contains("uploadId="))?,
        })
    }

    /// Addresses, signs (for `region`) and sends one request; a 2xx body goes into `sink` when one is given.
    fn send_in(&self, region: &str, req: &S3Request, sink: Option<&mut dyn Sink>) -> Result<Response> {
        let prepared = self.prepare(region, req)?;
        let _slot = self.slots.as_ref().map(|s| s.take());
        // Each attempt is built and signed anew, at its own (skew-corrected) time.
        let build = |at: SystemTime| prepared.build(at);
        match sink {
            Some(s) => self.sender.download(&build, s),
            None => self.sender.send(&build),
        }
    }

    /// Sends a request, whatever the answer's status (a 2xx body into `sink` when given). The one
    /// region-redirect rule: an answer of 301, 307 or 400 that names another valid region
    /// (`x-amz-bucket-region`, or the region of a PermanentRedirect or AuthorizationHeaderMalformed body) is
    /// tried once more there, if the request allows it; nothing was written into `sink` for the refused
    /// attempt.
    fn exchange(&self, req: &S3Request, sink: Option<&mut dyn Sink>) -> Result<Response> {
        let first = self.region_of(req);
        let elsewhere = |resp: &Response| {
            let region = other_region(resp, &first).filter(|_| req.follow_region)?;
            let bucket = req.bucket.as_deref()?;
            self.remember(bucket, &region);
            Some(region)
        };
        match sink {
            None => {
                let resp = self.send_in(&first, req, None)?;
                match elsewhere(&resp) {
                    Some(region) => self.send_in(&region, req, None),
                    None => Ok(resp),
                }
            }
            Some(sink) => {
                let resp = self.send_in(&first, req, Some(&mut *sink))?;
                match elsewhere(&resp) {
                    Some(region) => self.send_in(&region, req, Some(sink)),
                    None => Ok(resp),
                }
            }
        }
    }

    /// The region a request goes to first: where a redirect found its bucket, else the client's.
    fn region_of(&self, req: &S3Request) -> String {
        let regions = self.regions.lock().unwrap_or_else(|p| p.into_inner());
        req.bucket
            .as_deref()
            .and_then(|b| regions.iter().find(|(k, _)| k == b))
            .map_or_else(|| self.region.clone(), |(_, r)| r.clone())
    }

    /// Remembers that `bucket` is in `region` (a valid region: [`other_region`] checked it).
    fn remember(&self, bucket: &str, region: &str) {
        let mut regions = self.regions.lock().unwrap_or_else(|p| p.into_inner());
        regions.retain(|(k, _)| k != bucket);
        regions.push((bucket.to_owned(), region.to_owned()));
    }

    /// Runs one operation: its request sent (and tried once more in the bucket's region by the one redirect
    /// rule), a refusal made the service's error (a 200 whose body is an S3 error included, as
    /// CompleteMultipartUpload and CopyObject may answer), the answer parsed.
    pub fn run<O: Operation + ?Sized>(&self, op: &O) -> Result<O::Output> {
        let resp = self.exchange(&op.request(), None)?;
        match refusal(resp, &op.what(), true) {
            Ok(resp) => op.parse(resp),
            Err(e) => op.refused(e),
        }
    }

    /// Runs one operation whose 2xx body goes into `sink` (GetObject); its headers are parsed.
    pub fn run_into<O: Operation + ?Sized>(&self, op: &O, sink: &mut dyn Sink) -> Result<O::Output> {
        let resp = self.exchange(&op.request(), Some(sink))?;
        match refusal(resp, &op.what(), false) {
            Ok(resp) => op.parse(resp),
            Err(e) => op.refused(e),
        }
    }

    /// A presigned GET URL for `object` (of its version, when one is meant), valid for `expires_in` from now.
    pub fn presign_get(&self, object: &ObjectRef, expires_in: Duration) -> Result<String> {
        let (endpoint, path) = locate(
            &object.bucket,
            &object.key,
            &self.region,
            self.endpoint.as_ref(),
            self.style,
        );
        let signer = self.signer(&self.region, false)?;
        let at = self.sender.skew.signing_time((self.sender.clock)());
        Ok(presign::get_url(&signer, &endpoint, &path, at, expires_in))
    }
}

/// The region a wrong-region answer names (`x-amz-bucket-region`, or a redirect's error body), if it is
/// valid and not the one asked.
fn other_region(resp: &Response, asked: &str) -> Option<String> {
    if !matches!(resp.status, 301 | 307 | 400) {
        return None;
    }
    let region = resp.header("x-amz-bucket-region").map(str::to_owned).or_else(|| {
        let facts = service_error::of_response("S3", resp);
        matches!(
            facts.code.as_str(),
            "PermanentRedirect" | "AuthorizationHeaderMalformed" | "HTTP301"
        )
        .then_some(facts.region)
        .flatten()
    });
    // A region from an answer becomes part of a host name: only a valid one is followed.
    region.filter(|r| r != asked && valid_region(r))
}

/// The answer, unless it is a refusal: a non-2xx status, or (when the body was read into memory) a 200
/// whose body is an S3 `<Error>`.
fn refusal(resp: Response, what: &str, body_read: bool) -> Result<Response> {
    if resp.is_success() && !(body_read && answered_error(&resp.body)) {
        return Ok(resp);
    }
    if resp.is_success() {
        return Err(service_error::error("S3", what, &resp));
    }
    check(resp, what)
}

/// Whether a body is an S3 error document (S3 may answer CompleteMultipartUpload, UploadPartCopy and
/// CopyObject with 200 and an error, having kept the connection open meanwhile with whitespace, however much).
fn answered_error(body: &[u8]) -> bool {
    let start = body.trim_ascii_start();
    let start = match start.strip_prefix(b"<?xml") {
        Some(rest) => rest
            .windows(2)
            .position(|w| w == b"?>")
            .map_or(&[][..], |i| rest[i + 2..].trim_ascii_start()),
        None => start,
    };
    start.starts_with(b"<Error>") || start.starts_with(b"<Error ")
}

/// A 2xx answer, or the service's error with `what` in front. A 301 names the bucket's region.
fn check(resp: Response, what: &str) -> Result<Response> {
    if resp.is_success() {
        return Ok(resp);
    }
    let mut facts = service_error::of_response("S3", &resp);
    if resp.status == 301
        && let Some(r) = resp.header("x-amz-bucket-region")
    {
        facts.message = format!(
            "the bucket is in {}; {}",
            crate::codec::redact::sanitize(r, 80),
            facts.message
        )
        .trim_end_matches([' ', ';'])
        .to_owned();
    }
    Err(Error::service(what, facts).with_attempts(resp.attempts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_redirect_rule_by_header_or_body() {
        let header = [("x-amz-bucket-region", "eu-west-1")];
        for status in [301, 307, 400] {
            assert_eq!(
                other_region(&Response::of(status, &header, ""), "us-east-1").as_deref(),
                Some("eu-west-1")
            );
        }
        assert_eq!(other_region(&Response::of(403, &header, ""), "us-east-1"), None);
        assert_eq!(
            other_region(&Response::of(301, &header, ""), "eu-west-1"),
            None,
            "already there"
        );
        let bad = [("x-amz-bucket-region", "evil.example/")];
        assert_eq!(
            other_region(&Response::of(301, &bad, ""), "us-east-1"),
            None,
            "not a region"
        );
        let body = "<Error><Code>AuthorizationHeaderMalformed</Code><Message>m</Message>\
                    <Region>ap-southeast-2</Region></Error>";
        assert_eq!(
            other_region(&Response::of(400, &[], body), "us-east-1").as_deref(),
            Some("ap-southeast-2")
        );
        let other = "<Error><Code>InvalidArgument</Code><Region>ap-southeast-2</Region></Error>";
        assert_eq!(other_region(&Response::of(400, &[], other), "us-east-1"), None);
    }

    #[test]
    fn a_200_with_an_error_body_is_a_refusal() {
        let e = refusal(
            Response::of(
                200,
                &[],
                "<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code></Error>",
            ),
            "CompleteMultipartUpload s3://b/k",
            true,
        )
        .expect_err("refused");
        assert_eq!(e.service_code(), Some("InternalError"));
        assert!(
            refusal(
                Response::of(200, &[], "<CompleteMultipartUploadResult/>"),
                "c",
                true
            )
            .is_ok()
        );
        // A downloaded body is the object's bytes, whatever they say.
        assert!(refusal(Response::of(200, &[], "<Error>"), "g", false).is_ok());
        let e = refusal(Response::of(404, &[], ""), "HeadObject s3://b/k", true).expect_err("404");
        assert_eq!(e.status(), Some(404));
    }
}
