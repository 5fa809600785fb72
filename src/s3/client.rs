//! The S3 client: one set of credentials (fetched again before they expire, where they can be), a signer per
//! region made once and reused, and each [`S3Request`] addressed, signed and sent with retries, with a
//! wrong-region answer tried once more in the bucket's region. The simple operations (ListBuckets,
//! CreateBucket, ListObjectsV2, presigned URLs) are here; transfers of files are beside it.

use crate::config::resolve::{AddressingStyle, ChecksumWhen, valid_region};
use crate::error::{Error, Result};
use crate::identity::{Credentials, Refresh};
use crate::interrupt::{Interrupt, Registration};
use crate::s3::address::{aws_endpoint, locate};
use crate::s3::ops::create_bucket;
use crate::s3::ops::list_buckets::{self, BucketInfo};
use crate::s3::ops::list_objects::{self, ObjectPage};
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
    region: String,
    endpoint: Option<Endpoint>,
    style: AddressingStyle,
    stop: Option<Arc<AtomicBool>>,
    /// What a signal undoes, and the transport its abort requests go through.
    interrupt: Option<(Arc<Interrupt>, Arc<dyn Transport>)>,
    /// The places for requests in flight, shared by every transfer of the client (files and parts alike).
    slots: Option<Arc<Slots>>,
    /// When uploads send checksums, and when downloads ask for and check them.
    checksums: (ChecksumWhen, ChecksumWhen),
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
    /// clock skew); `stop`, set by a signal handler, interrupts transfers.
    pub fn new(
        sender: Sender<'a>,
        creds: Credentials,
        region: &str,
        endpoint: Option<Endpoint>,
        style: AddressingStyle,
        stop: Option<Arc<AtomicBool>>,
    ) -> Self {
        S3 {
            sender,
            creds: Mutex::new((creds, None)),
            refresh: None,
            renew_failed: Mutex::new(None),
            signers: Mutex::new(Vec::new()),
            region: region.to_owned(),
            endpoint,
            style,
            stop,
            interrupt: None,
            slots: None,
            checksums: (ChecksumWhen::Supported, ChecksumWhen::Supported),
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
            .prepare(&self.region, req)?
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

    /// The same client, with transfers interrupted when `stop` is set (by a signal handler, say).
    pub fn with_stop(mut self, stop: Arc<AtomicBool>) -> Self {
        self.stop = Some(stop);
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

    /// The region a wrong-region answer names (`x-amz-bucket-region`, or a redirect's error body), if it is
    /// not the one asked.
    fn other_region(&self, resp: &Response, asked: &str) -> Option<String> {
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

    /// Sends a request, whatever the answer's status; on a wrong-region answer (301, PermanentRedirect,
    /// AuthorizationHeaderMalformed with a region) tries once more in the bucket's region, if the request
    /// allows it.
    pub fn send(&self, req: &S3Request) -> Result<Response> {
        let resp = self.send_in(&self.region, req, None)?;
        if req.follow_region
            && req.bucket.is_some()
            && let Some(region) = self.other_region(&resp, &self.region)
        {
            return self.send_in(&region, req, None);
        }
        Ok(resp)
    }

    /// Sends a request whose 2xx body goes into `sink`; a wrong-region answer (`x-amz-bucket-region` with 301
    /// or 400) is tried once more there (nothing was written for the refused attempt).
    pub fn send_into(&self, req: &S3Request, sink: &mut dyn Sink) -> Result<Response> {
        let resp = self.send_in(&self.region, req, Some(&mut *sink))?;
        match resp.header("x-amz-bucket-region").map(str::to_owned) {
            Some(region)
                if matches!(resp.status, 301 | 400) && region != self.region && valid_region(&region) =>
            {
                self.send_in(&region, req, Some(sink))
            }
            _ => Ok(resp),
        }
    }

    /// Sends a request and requires a 2xx answer; `what` names the call in the error (`PutObject s3://b/k`).
    pub fn call(&self, req: &S3Request, what: &str) -> Result<Response> {
        check(self.send(req)?, what)
    }

    /// Every bucket of the account (all pages).
    pub fn list_buckets(&self) -> Result<Vec<BucketInfo>> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let resp = self.call(&list_buckets::request(token.as_deref()), "ListBuckets")?;
            let (page, next) = list_buckets::parse(&resp.body)?;
            all.extend(page);
            match next {
                None => return Ok(all),
                Some(t) => token = Some(next_token(token.as_deref(), t, "ListBuckets")?),
            }
        }
    }

    /// Creates a bucket in this client's region (LocationConstraint sent outside us-east-1).
    pub fn create_bucket(&self, bucket: &str) -> Result<()> {
        let what = format!("CreateBucket {bucket}");
        let resp = self.send(&create_bucket::request(bucket, &self.region))?;
        if resp.is_success() {
            return Ok(());
        }
        let code = service_error::code(&resp);
        let what = match code.as_str() {
            "BucketAlreadyOwnedByYou" => format!("{what}: you already own it"),
            _ => what,
        };
        Err(service_error::error("S3", &what, &resp).with_hint_if(create_bucket::hint(&code)))
    }

    /// One page of ListObjectsV2 under `prefix`, grouped by `delimiter` if given.
    pub fn list_objects_page(
        &self,
        bucket: &str,
        prefix: &str,
        delimiter: Option<&str>,
        token: Option<&str>,
    ) -> Result<ObjectPage> {
        let req = list_objects::request(bucket, prefix, delimiter, token);
        let resp = self.call(&req, &format!("ListObjectsV2 s3://{bucket}/{prefix}"))?;
        list_objects::parse(&resp.body)
    }

    /// Every object (and common prefix) under `prefix`, all pages.
    pub fn list_objects(&self, bucket: &str, prefix: &str, delimiter: Option<&str>) -> Result<ObjectPage> {
        let mut all = ObjectPage::default();
        for page in self.pages(bucket, prefix, delimiter) {
            let page = page?;
            all.objects.extend(page.objects);
            all.prefixes.extend(page.prefixes);
        }
        Ok(all)
    }

    /// The pages of ListObjectsV2 under `prefix`, one at a time: memory holds one page, not the listing. A
    /// repeated continuation token ends it with an error.
    pub fn pages<'c>(
        &'c self,
        bucket: &'c str,
        prefix: &'c str,
        delimiter: Option<&'c str>,
    ) -> Pages<'c, 'a> {
        Pages {
            s3: self,
            bucket,
            prefix,
            delimiter,
            token: None,
            done: false,
        }
    }

    /// A presigned GET URL for an object, valid for `expires_in` from now.
    pub fn presign_get(&self, bucket: &str, key: &str, expires_in: Duration) -> Result<String> {
        let (endpoint, path) = locate(bucket, key, &self.region, self.endpoint.as_ref(), self.style);
        let signer = self.signer(&self.region, false)?;
        let at = self.sender.skew.signing_time((self.sender.clock)());
        Ok(presign::get_url(&signer, &endpoint, &path, at, expires_in))
    }
}

/// The pages of a listing, as [`S3::pages`] gives them.
#[derive(Debug)]
pub struct Pages<'c, 'a> {
    s3: &'c S3<'a>,
    bucket: &'c str,
    prefix: &'c str,
    delimiter: Option<&'c str>,
    token: Option<String>,
    done: bool,
}

impl Iterator for Pages<'_, '_> {
    type Item = Result<ObjectPage>;

    fn next(&mut self) -> Option<Result<ObjectPage>> {
        if self.done {
            return None;
        }
        let page = self
            .s3
            .list_objects_page(self.bucket, self.prefix, self.delimiter, self.token.as_deref());
        let page = match page {
            Ok(p) => p,
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        match page.next.clone() {
            None => self.done = true,
            Some(t) => {
                let what = format!("ListObjectsV2 s3://{}/{}", self.bucket, self.prefix);
                match next_token(self.token.as_deref(), t, &what) {
                    Ok(t) => self.token = Some(t),
                    Err(e) => {
                        self.done = true;
                        return Some(Err(e));
                    }
                }
            }
        }
        Some(Ok(page))
    }
}

/// The token of the next page, unless the server sent the one just used again: following it would loop or
/// list the same page twice, so the listing stops with an error (as the AWS CLI does).
fn next_token(previous: Option<&str>, next: String, what: &str) -> Result<String> {
    if previous == Some(next.as_str()) {
        return Err(Error::data(format!(
            "{what}: the server sent the same continuation token twice; the listing is incomplete"
        ))
        .with_hint("the server's pagination is broken; report it to its operator"));
    }
    Ok(next)
}

/// A 2xx answer, or the service's error with `what` in front. A 301 names the bucket's region.
pub fn check(resp: Response, what: &str) -> Result<Response> {
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
