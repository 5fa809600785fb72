//! Amazon S3 (and S3-compatible stores): where a bucket is reached, the request bodies and response parsing
//! (pure), and the calls: ListBuckets, CreateBucket, PutObject and parallel multipart uploads from a file,
//! GetObject to a file, ListObjectsV2, presigned GET URLs, and the one retry in the right region.
//!
//! Uploads never hold a file in memory: each part (or the whole file) is hashed with SHA-256 in a first pass,
//! then sent from the file, with the digest as `x-amz-content-sha256` and, in base64, `x-amz-checksum-sha256`
//! so the server checks the bytes end to end.

use crate::base64;
use crate::credentials::{Credentials, Refresh};
use crate::error::{Error, ErrorKind, Result};
use crate::http::{Body, Endpoint, Request, Response};
use crate::percent;
use crate::profile::AddressingStyle;
use crate::retry::Sender;
use crate::sigv4::{Payload, Settings, Signer, UNSIGNED_PAYLOAD};
use crate::time::parse_rfc3339;
use crate::xml::{self, Element};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// The largest object a single PUT may send (S3's limit).
pub const MAX_PUT: u64 = 5 << 30;
/// S3's limit on the number of parts of a multipart upload.
pub const MAX_PARTS: u64 = 10_000;
/// S3's smallest part (all but the last).
pub const MIN_PART: u64 = 5 << 20;

/// When and how uploads go multipart, like boto3's `TransferConfig`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferConfig {
    /// Files of this size and more go up in parts (8 MiB).
    pub multipart_threshold: u64,
    /// The part size, grown so that no upload needs more than 10,000 parts (8 MiB).
    pub part_size: u64,
    /// Parts in flight at once (10).
    pub max_concurrency: usize,
}

impl Default for TransferConfig {
    fn default() -> Self {
        TransferConfig {
            multipart_threshold: 8 << 20,
            part_size: 8 << 20,
            max_concurrency: 10,
        }
    }
}

/// The part size for a file: at least the configured size (and S3's 5 MiB), grown in whole MiB so that
/// the file fits in 10,000 parts.
pub fn part_size(file_size: u64, configured: u64) -> u64 {
    let needed = file_size.div_ceil(MAX_PARTS);
    let size = configured.max(MIN_PART).max(needed);
    size.div_ceil(1 << 20) * (1 << 20)
}

/// `s3://bucket/key` → (bucket, key); the key may be empty.
pub fn parse_s3_url(url: &str) -> Result<(String, String)> {
    let rest = url.strip_prefix("s3://").ok_or_else(|| {
        Error::usage(format!("{url:?} is not an S3 URL")).with_hint("write it as s3://bucket/key")
    })?;
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(Error::usage(format!("{url:?} names no bucket")).with_hint("write it as s3://bucket/key"));
    }
    Ok((bucket.to_owned(), key.to_owned()))
}

/// Whether a bucket name can be a DNS label of a virtual-hosted URL (lower case, digits, `-`; 3 to 63; no
/// dots, which TLS wildcard certificates do not cover).
pub fn dns_compatible(bucket: &str) -> bool {
    let b = bucket.as_bytes();
    (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
}

/// The S3 endpoint of a region on AWS: `s3.amazonaws.com` for us-east-1, as the AWS CLI uses it.
pub fn aws_endpoint(region: &str) -> Endpoint {
    let host = match region {
        "us-east-1" => "s3.amazonaws.com".to_owned(),
        r if r.starts_with("cn-") => format!("s3.{r}.amazonaws.com.cn"),
        r => format!("s3.{r}.amazonaws.com"),
    };
    Endpoint {
        https: true,
        host,
        port: None,
        base_path: String::new(),
    }
}

/// Where a bucket (and key) is reached: the endpoint and the path to send (encoded once, `/` kept).
/// Virtual-hosted on AWS for DNS-compatible names; path-style for other names, for custom endpoints, and when
/// the profile asks for it.
pub fn locate(
    bucket: &str,
    key: &str,
    region: &str,
    endpoint: Option<&Endpoint>,
    style: AddressingStyle,
) -> (Endpoint, String) {
    let base = endpoint.cloned().unwrap_or_else(|| aws_endpoint(region));
    let virtual_host = match style {
        AddressingStyle::Virtual => true,
        AddressingStyle::Path => false,
        AddressingStyle::Auto => endpoint.is_none() && dns_compatible(bucket),
    };
    let key = percent::encode_path(key);
    if virtual_host {
        let mut e = base;
        e.host = format!("{bucket}.{}", e.host);
        (e, format!("/{key}"))
    } else {
        (base, format!("/{}/{key}", percent::encode_path(bucket)))
    }
}

/// The CreateBucket body for a region: its LocationConstraint, or none for us-east-1.
pub fn create_bucket_body(region: &str) -> Option<String> {
    (region != "us-east-1").then(|| {
        format!(
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
             <LocationConstraint>{region}</LocationConstraint></CreateBucketConfiguration>"
        )
    })
}

/// A bucket of a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketInfo {
    /// The name.
    pub name: String,
    /// `CreationDate` as S3 wrote it.
    pub created: String,
}

/// One page of ListBuckets: the buckets and the token of the next page.
pub fn parse_list_buckets(body: &[u8]) -> Result<(Vec<BucketInfo>, Option<String>)> {
    let doc = xml::parse(&String::from_utf8_lossy(body))?;
    let buckets = doc
        .child("Buckets")
        .map(|b| {
            b.children_named("Bucket")
                .map(|e| BucketInfo {
                    name: e.text_at(&["Name"]).unwrap_or_default().to_owned(),
                    created: e.text_at(&["CreationDate"]).unwrap_or_default().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    let token = doc
        .text_at(&["ContinuationToken"])
        .map(str::to_owned)
        .filter(|t| !t.is_empty());
    Ok((buckets, token))
}

/// An object of a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectInfo {
    /// The key.
    pub key: String,
    /// The size in bytes.
    pub size: u64,
    /// `LastModified` as S3 wrote it.
    pub last_modified: String,
}

/// One page of ListObjectsV2.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectPage {
    /// The objects.
    pub objects: Vec<ObjectInfo>,
    /// The common prefixes (folders), when a delimiter was given.
    pub prefixes: Vec<String>,
    /// The token of the next page, if the listing is truncated.
    pub next: Option<String>,
}

/// Reads one page of ListObjectsV2.
pub fn parse_list_objects(body: &[u8]) -> Result<ObjectPage> {
    let doc = xml::parse(&String::from_utf8_lossy(body))?;
    let objects = doc
        .children_named("Contents")
        .map(|c| ObjectInfo {
            key: c.text_at(&["Key"]).unwrap_or_default().to_owned(),
            size: c
                .text_at(&["Size"])
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0),
            last_modified: c.text_at(&["LastModified"]).unwrap_or_default().to_owned(),
        })
        .collect();
    let prefixes = doc
        .children_named("CommonPrefixes")
        .filter_map(|p| p.text_at(&["Prefix"]).map(str::to_owned))
        .collect();
    let truncated = doc.text_at(&["IsTruncated"]) == Some("true");
    let next = doc
        .text_at(&["NextContinuationToken"])
        .map(str::to_owned)
        .filter(|t| truncated && !t.is_empty());
    Ok(ObjectPage {
        objects,
        prefixes,
        next,
    })
}

/// A part uploaded: its number, ETag and base64 SHA-256.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartDone {
    /// 1-based.
    pub number: u64,
    /// The ETag S3 returned.
    pub etag: String,
    /// The part's SHA-256, base64.
    pub checksum: String,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The CompleteMultipartUpload body.
pub fn complete_body(parts: &[PartDone]) -> String {
    let mut out = String::from("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
    for p in parts {
        out.push_str(&format!(
            "<Part><PartNumber>{}</PartNumber><ETag>{}</ETag><ChecksumSHA256>{}</ChecksumSHA256></Part>",
            p.number,
            escape(&p.etag),
            p.checksum
        ));
    }
    out.push_str("</CompleteMultipartUpload>");
    out
}

/// The Content-Type of a file, guessed from its extension as `aws s3 cp` does (a small table).
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "txt" | "text" | "log" | "conf" | "ini" => "text/plain",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "csv" => "text/csv",
        "md" => "text/markdown",
        "js" | "mjs" => "text/javascript",
        "json" => "application/json",
        "xml" => "application/xml",
        "yaml" | "yml" => "application/yaml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" | "tgz" => "application/gzip",
        "tar" => "application/x-tar",
        "bz2" => "application/x-bzip2",
        "xz" => "application/x-xz",
        "7z" => "application/x-7z-compressed",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "ico" => "image/vnd.microsoft.icon",
        "mp3" => "audio/mpeg",
        "wav" => "audio/x-wav",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "wasm" => "application/wasm",
        "sh" => "application/x-sh",
        _ => "binary/octet-stream",
    }
}

/// SHA-256 of a byte range of a file, read in 1 MiB pieces (memory stays flat).
pub fn hash_range(file: &File, offset: u64, len: u64, stop: Option<&AtomicBool>) -> io::Result<[u8; 32]> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut done = 0u64;
    while done < len {
        if stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
        }
        let want = (len - done).min(buf.len() as u64) as usize;
        let n = file.read_at(&mut buf[..want], offset + done)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file shrank while being read",
            ));
        }
        h.update(&buf[..n]);
        done += n as u64;
    }
    Ok(h.finalize().into())
}

/// A writer that hashes what passes through it.
struct HashingWriter<'p, W> {
    inner: W,
    hash: Sha256,
    written: u64,
    progress: &'p (dyn Fn(u64) + Sync),
}

impl<W: Write> Write for HashingWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.written += n as u64;
        (self.progress)(self.written);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Credentials this close to expiry are fetched again before the next request, when they can be.
pub const REFRESH_BEFORE: Duration = Duration::from_secs(300);

/// S3 with one set of credentials.
pub struct S3<'a> {
    sender: Sender<'a>,
    creds: Mutex<(Credentials, Option<SystemTime>)>,
    refresh: Option<Refresh>,
    /// Signers in use, one per region (and credentials): each derives its signing key once a day.
    signers: Mutex<Vec<Arc<Signer>>>,
    region: String,
    endpoint: Option<Endpoint>,
    style: AddressingStyle,
    stop: Option<Arc<AtomicBool>>,
}

impl std::fmt::Debug for S3<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

fn io_err(what: String, e: io::Error) -> Error {
    let kind = if e.kind() == io::ErrorKind::Interrupted {
        ErrorKind::Interrupted
    } else {
        ErrorKind::Transfer
    };
    Error::new(kind, format!("{what}: {e}")).with_source(e)
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
            signers: Mutex::new(Vec::new()),
            region: region.to_owned(),
            endpoint,
            style,
            stop,
        }
    }

    /// The same client, fetching its credentials again with `refresh` when they come within 5 minutes of
    /// their expiry (a long upload with an instance role's credentials, say).
    pub fn with_refresh(mut self, refresh: Refresh) -> Self {
        self.refresh = Some(refresh);
        self
    }

    /// The credentials to sign with now: refreshed first if they are about to expire and can be (at most once a
    /// minute, in case the source hands out the same soon-expiring ones again).
    fn credentials(&self) -> Result<Credentials> {
        let mut slot = self.creds.lock().unwrap_or_else(|p| p.into_inner());
        let now = (self.sender.clock)();
        let (creds, refreshed_at) = &mut *slot;
        if let (Some(refresh), Some(expiry)) = (&self.refresh, creds.expiration)
            && expiry < now + REFRESH_BEFORE
            && refreshed_at.is_none_or(|t| now > t + Duration::from_secs(60))
        {
            *creds = refresh()?;
            *refreshed_at = Some(now);
        }
        Ok(creds.clone())
    }

    /// The signer for `region` and the current credentials, made once and reused.
    fn signer(&self, region: &str) -> Result<Arc<Signer>> {
        let creds = self.credentials()?;
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

    /// The same client, with transfers interrupted when `stop` is set (by a signal handler, say).
    pub fn with_stop(mut self, stop: Arc<AtomicBool>) -> Self {
        self.stop = Some(stop);
        self
    }

    fn stopped(&self) -> bool {
        self.stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed))
    }

    /// Builds, signs (for `region`) and sends one request.
    #[allow(clippy::too_many_arguments)] // the parts of one S3 request; a struct would only rename them
    fn send_in(
        &self,
        region: &str,
        method: &'static str,
        bucket: Option<&str>,
        key: &str,
        query: &str,
        headers: &[(&str, String)],
        body: Body,
        payload_hash: Option<&str>,
        sink: Option<&mut dyn Write>,
    ) -> Result<Response> {
        let (endpoint, path) = match bucket {
            Some(b) => locate(b, key, region, self.endpoint.as_ref(), self.style),
            None => (
                self.endpoint.clone().unwrap_or_else(|| aws_endpoint(region)),
                "/".to_owned(),
            ),
        };
        let hash = match (&body, payload_hash) {
            (_, Some(h)) => h.to_owned(),
            (Body::File { .. }, None) => UNSIGNED_PAYLOAD.to_owned(),
            (b, None) => crate::sigv4::sha256_hex(b.bytes()),
        };
        let signer = self.signer(region)?;
        // Each attempt is built and signed anew, at its own (skew-corrected) time.
        let build = |at: SystemTime| {
            let mut req = Request::new(method, &endpoint, path.clone(), query);
            for (n, v) in headers {
                req = req.header(n, v.clone());
            }
            if !body.is_empty() || method == "PUT" || method == "POST" {
                req = req.header("content-length", body.len().to_string());
            }
            req.body = body.clone();
            req.sign_with(&signer, &Settings::s3(), Payload::Sha256Hex(&hash), at);
            req
        };
        match sink {
            Some(s) => self.sender.download(&build, s),
            None => self.sender.send(&build),
        }
    }

    /// Sends a request; on a wrong-region answer (301, PermanentRedirect, AuthorizationHeaderMalformed with a
    /// region) takes the bucket's region from `x-amz-bucket-region` or the error body and tries once more there.
    #[allow(clippy::too_many_arguments)] // as send_in
    fn send(
        &self,
        method: &'static str,
        bucket: Option<&str>,
        key: &str,
        query: &str,
        headers: &[(&str, String)],
        body: Body,
        payload_hash: Option<&str>,
        redirect: bool,
    ) -> Result<Response> {
        let resp = self.send_in(
            &self.region,
            method,
            bucket,
            key,
            query,
            headers,
            body.clone(),
            payload_hash,
            None,
        )?;
        if redirect && bucket.is_some() && matches!(resp.status, 301 | 307 | 400) {
            let region = resp.header("x-amz-bucket-region").map(str::to_owned).or_else(|| {
                let e = xml::service_error("S3", resp.status, None, &resp.body);
                matches!(
                    e.code.as_str(),
                    "PermanentRedirect" | "AuthorizationHeaderMalformed" | "HTTP301"
                )
                .then_some(e.region)
                .flatten()
            });
            if let Some(region) = region.filter(|r| *r != self.region) {
                return self.send_in(
                    &region,
                    method,
                    bucket,
                    key,
                    query,
                    headers,
                    body,
                    payload_hash,
                    None,
                );
            }
        }
        Ok(resp)
    }

    fn check(resp: Response, what: &str) -> Result<Response> {
        if resp.is_success() {
            return Ok(resp);
        }
        let mut err = xml::service_error("S3", resp.status, resp.header("x-amz-request-id"), &resp.body);
        if resp.attempts > 1 {
            err.message = format!("{} (after {} attempts)", err.message, resp.attempts)
                .trim_start()
                .to_owned();
        }
        if resp.status == 301
            && let Some(r) = resp.header("x-amz-bucket-region")
        {
            err.message = format!("the bucket is in {r}; {}", err.message);
        }
        Err(err.into_error(what))
    }

    /// Every bucket of the account (all pages).
    pub fn list_buckets(&self) -> Result<Vec<BucketInfo>> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut query = "max-buckets=1000".to_owned();
            if let Some(t) = &token {
                query = format!("continuation-token={}&{query}", percent::encode(t));
            }
            let resp = Self::check(
                self.send("GET", None, "", &query, &[], Body::Empty, None, false)?,
                "ListBuckets",
            )?;
            let (page, next) = parse_list_buckets(&resp.body)?;
            all.extend(page);
            match next {
                Some(t) if Some(&t) != token.as_ref() => token = Some(t),
                _ => return Ok(all),
            }
        }
    }

    /// Creates a bucket in this client's region (LocationConstraint sent outside us-east-1).
    pub fn create_bucket(&self, bucket: &str) -> Result<()> {
        let body = create_bucket_body(&self.region).map_or(Body::Empty, |b| Body::Bytes(b.into_bytes()));
        let resp = self.send("PUT", Some(bucket), "", "", &[], body, None, false)?;
        let what = format!("CreateBucket {bucket}");
        if resp.is_success() {
            return Ok(());
        }
        let e = xml::service_error("S3", resp.status, resp.header("x-amz-request-id"), &resp.body);
        let hint = match e.code.as_str() {
            "BucketAlreadyOwnedByYou" => Some("you already own it (use --exists-ok to accept that)"),
            "BucketAlreadyExists" => {
                Some("someone else owns this name: bucket names are global; choose another")
            }
            "IllegalLocationConstraintException" | "InvalidLocationConstraint" => {
                Some("the region of the request and the bucket's LocationConstraint disagree; check --region")
            }
            _ => None,
        };
        let code = e.code.clone();
        let mut err = e.into_error(&what);
        if let Some(h) = hint {
            err = err.with_hint(h);
        }
        if code == "BucketAlreadyOwnedByYou" {
            return Err(
                Error::new(ErrorKind::Service, format!("{what}: you already own it ({code})"))
                    .with_hint("use --exists-ok to accept a bucket you own"),
            );
        }
        Err(err)
    }

    /// One page of ListObjectsV2 under `prefix`, grouped by `delimiter` if given.
    pub fn list_objects_page(
        &self,
        bucket: &str,
        prefix: &str,
        delimiter: Option<&str>,
        token: Option<&str>,
    ) -> Result<ObjectPage> {
        let mut params: Vec<(String, String)> = vec![("list-type".into(), "2".into())];
        if let Some(t) = token {
            params.push(("continuation-token".into(), t.into()));
        }
        if let Some(d) = delimiter {
            params.push(("delimiter".into(), d.into()));
        }
        if !prefix.is_empty() {
            params.push(("prefix".into(), prefix.into()));
        }
        let query = params
            .iter()
            .map(|(k, v)| format!("{k}={}", percent::encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let resp = self.send("GET", Some(bucket), "", &query, &[], Body::Empty, None, true)?;
        let resp = Self::check(resp, &format!("ListObjectsV2 s3://{bucket}/{prefix}"))?;
        parse_list_objects(&resp.body)
    }

    /// Every object (and common prefix) under `prefix`, all pages.
    pub fn list_objects(&self, bucket: &str, prefix: &str, delimiter: Option<&str>) -> Result<ObjectPage> {
        let mut all = ObjectPage::default();
        let mut token: Option<String> = None;
        loop {
            let page = self.list_objects_page(bucket, prefix, delimiter, token.as_deref())?;
            all.objects.extend(page.objects);
            all.prefixes.extend(page.prefixes);
            match page.next {
                Some(t) if Some(&t) != token.as_ref() => token = Some(t),
                _ => return Ok(all),
            }
        }
    }

    /// Uploads a file: one PutObject below the multipart threshold, otherwise a parallel multipart upload
    /// (aborted on any failure or interruption, so no parts are left). `progress` gets the bytes done so far.
    pub fn upload(
        &self,
        path: &Path,
        bucket: &str,
        key: &str,
        content_type: &str,
        cfg: &TransferConfig,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<()> {
        let file = File::open(path).map_err(|e| io_err(format!("cannot read {}", path.display()), e))?;
        let size = file
            .metadata()
            .map_err(|e| io_err(format!("cannot read {}", path.display()), e))?
            .len();
        if size >= cfg.multipart_threshold {
            return self.multipart(&file, path, size, bucket, key, content_type, cfg, progress);
        }
        if size > MAX_PUT {
            return Err(Error::usage(format!(
                "{} is over 5 GiB, the limit of a single PUT",
                path.display()
            ))
            .with_hint("leave --multipart-threshold at or below 5GiB, so big files go up in parts"));
        }
        let digest = hash_range(&file, 0, size, self.stop.as_deref())
            .map_err(|e| io_err(format!("cannot read {}", path.display()), e))?;
        let headers = [
            ("content-type", content_type.to_owned()),
            ("x-amz-checksum-sha256", base64::encode(&digest)),
        ];
        let body = Body::File {
            path: path.to_owned(),
            offset: 0,
            len: size,
        };
        let resp = self.send(
            "PUT",
            Some(bucket),
            key,
            "",
            &headers,
            body,
            Some(&hex::encode(digest)),
            true,
        )?;
        Self::check(resp, &format!("PutObject s3://{bucket}/{key}"))?;
        progress(size);
        Ok(())
    }

    #[allow(clippy::too_many_arguments)] // the upload's file, target and settings
    fn multipart(
        &self,
        file: &File,
        path: &Path,
        size: u64,
        bucket: &str,
        key: &str,
        content_type: &str,
        cfg: &TransferConfig,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<()> {
        let where_ = format!("s3://{bucket}/{key}");
        let headers = [
            ("content-type", content_type.to_owned()),
            ("x-amz-checksum-algorithm", "SHA256".to_owned()),
        ];
        let resp = self.send(
            "POST",
            Some(bucket),
            key,
            "uploads=",
            &headers,
            Body::Empty,
            None,
            true,
        )?;
        let resp = Self::check(resp, &format!("CreateMultipartUpload {where_}"))?;
        let doc = xml::parse(&String::from_utf8_lossy(&resp.body))?;
        let upload_id = doc
            .find("UploadId")
            .map(|e| e.text.trim().to_owned())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::data("CreateMultipartUpload answered no UploadId"))?;
        let result = self.upload_parts(file, path, size, bucket, key, &upload_id, cfg, progress);
        let result = result.and_then(|parts| {
            let body = complete_body(&parts);
            let query = format!("uploadId={}", percent::encode(&upload_id));
            let resp = self.send(
                "POST",
                Some(bucket),
                key,
                &query,
                &[],
                Body::Bytes(body.into_bytes()),
                None,
                true,
            )?;
            // A 200 answer may still carry an error in its body.
            let resp = Self::check(resp, &format!("CompleteMultipartUpload {where_}"))?;
            match xml::parse(&String::from_utf8_lossy(&resp.body)) {
                Ok(doc) if doc.name == "Error" => {
                    Err(
                        xml::service_error("S3", 200, resp.header("x-amz-request-id"), &resp.body)
                            .into_error(&format!("CompleteMultipartUpload {where_}")),
                    )
                }
                _ => Ok(()),
            }
        });
        if result.is_err() {
            // Abort even when interrupted, so no parts stay billed; the first error is what is reported.
            let query = format!("uploadId={}", percent::encode(&upload_id));
            // With the usual retries: a part left behind is billed.
            let _ = self.send("DELETE", Some(bucket), key, &query, &[], Body::Empty, None, true);
        }
        result
    }

    #[allow(clippy::too_many_arguments)] // as multipart
    fn upload_parts(
        &self,
        file: &File,
        path: &Path,
        size: u64,
        bucket: &str,
        key: &str,
        upload_id: &str,
        cfg: &TransferConfig,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Vec<PartDone>> {
        let part = part_size(size, cfg.part_size);
        let count = size.div_ceil(part).max(1);
        let next = AtomicUsize::new(0);
        let done_bytes = AtomicU64::new(0);
        let failed = AtomicBool::new(false);
        let first_error: Mutex<Option<Error>> = Mutex::new(None);
        let parts: Mutex<Vec<PartDone>> = Mutex::new(Vec::with_capacity(count as usize));
        let workers = cfg.max_concurrency.clamp(1, 64).min(count as usize);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed) as u64;
                        if i >= count || failed.load(Ordering::Relaxed) {
                            return;
                        }
                        let offset = i * part;
                        let len = part.min(size - offset);
                        match self.upload_part(file, path, bucket, key, upload_id, i + 1, offset, len) {
                            Ok(p) => {
                                parts.lock().unwrap_or_else(|p| p.into_inner()).push(p);
                                progress(done_bytes.fetch_add(len, Ordering::Relaxed) + len);
                            }
                            Err(e) => {
                                failed.store(true, Ordering::Relaxed);
                                first_error
                                    .lock()
                                    .unwrap_or_else(|p| p.into_inner())
                                    .get_or_insert(e);
                                return;
                            }
                        }
                    }
                });
            }
        });
        if self.stopped() {
            return Err(Error::new(
                ErrorKind::Interrupted,
                format!("upload of s3://{bucket}/{key} interrupted"),
            ));
        }
        if let Some(e) = first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
            return Err(e);
        }
        let mut parts = parts.into_inner().unwrap_or_else(|p| p.into_inner());
        parts.sort_by_key(|p| p.number);
        Ok(parts)
    }

    #[allow(clippy::too_many_arguments)] // one part's coordinates
    fn upload_part(
        &self,
        file: &File,
        path: &Path,
        bucket: &str,
        key: &str,
        upload_id: &str,
        number: u64,
        offset: u64,
        len: u64,
    ) -> Result<PartDone> {
        if self.stopped() {
            return Err(Error::new(
                ErrorKind::Interrupted,
                format!("upload of s3://{bucket}/{key} interrupted"),
            ));
        }
        let digest = hash_range(file, offset, len, self.stop.as_deref())
            .map_err(|e| io_err(format!("cannot read {}", path.display()), e))?;
        let checksum = base64::encode(&digest);
        let query = format!("partNumber={number}&uploadId={}", percent::encode(upload_id));
        let body = Body::File {
            path: path.to_owned(),
            offset,
            len,
        };
        let headers = [("x-amz-checksum-sha256", checksum.clone())];
        let resp = self.send(
            "PUT",
            Some(bucket),
            key,
            &query,
            &headers,
            body,
            Some(&hex::encode(digest)),
            false,
        )?;
        let resp = Self::check(resp, &format!("UploadPart {number} of s3://{bucket}/{key}"))?;
        let etag = resp
            .header("etag")
            .map(str::to_owned)
            .ok_or_else(|| Error::data(format!("UploadPart {number} answered no ETag")))?;
        Ok(PartDone {
            number,
            etag,
            checksum,
        })
    }

    /// Downloads an object into `sink`, checking its SHA-256 when S3 returns one for the whole object;
    /// `progress` gets the bytes written so far; returns the bytes written.
    pub fn get_object(
        &self,
        bucket: &str,
        key: &str,
        sink: &mut dyn Write,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<u64> {
        let headers = [("x-amz-checksum-mode", "ENABLED".to_owned())];
        let mut hw = HashingWriter {
            inner: sink,
            hash: Sha256::new(),
            written: 0,
            progress,
        };
        let what = format!("GetObject s3://{bucket}/{key}");
        let get = |region: &str, sink: &mut dyn Write| {
            self.send_in(
                region,
                "GET",
                Some(bucket),
                key,
                "",
                &headers,
                Body::Empty,
                None,
                Some(sink),
            )
        };
        let mut resp = get(&self.region, &mut hw)?;
        // The wrong region: the bucket's own, once (nothing was written for the refused attempt).
        if let Some(region) = resp.header("x-amz-bucket-region").map(str::to_owned)
            && matches!(resp.status, 301 | 400)
            && region != self.region
        {
            resp = get(&region, &mut hw)?;
        }
        Self::check(resp.clone(), &what)?;
        let digest: [u8; 32] = hw.hash.finalize().into();
        // A multipart object's checksum is of its parts' checksums ("...-N"): nothing to compare here.
        if let Some(expected) = resp.header("x-amz-checksum-sha256").filter(|c| !c.contains('-'))
            && base64::encode(&digest) != expected
        {
            return Err(Error::new(
                ErrorKind::Transfer,
                format!("{what}: the data does not match the SHA-256 S3 sent ({expected})"),
            ));
        }
        if let Some(len) = resp.header("content-length").and_then(|l| l.parse::<u64>().ok())
            && len != hw.written
        {
            return Err(Error::new(
                ErrorKind::Transfer,
                format!("{what}: got {} of {len} bytes", hw.written),
            ));
        }
        Ok(hw.written)
    }

    /// A presigned GET URL for an object, valid for `expires_in` from now.
    pub fn presign_get(&self, bucket: &str, key: &str, expires_in: Duration) -> Result<String> {
        let (endpoint, path) = locate(bucket, key, &self.region, self.endpoint.as_ref(), self.style);
        let host = endpoint.authority();
        let signer = self.signer(&self.region)?;
        let sig = signer.presign(
            &crate::sigv4::Request {
                method: "GET",
                path: &path,
                query: "",
                headers: &[("host", &host)],
                payload: Payload::Unsigned,
            },
            &Settings::s3(),
            self.sender.skew.signing_time((self.sender.clock)()),
            expires_in,
        );
        Ok(format!("{}{path}?{}", endpoint.origin(), sig.query_string()))
    }
}

/// Downloads an object to `dest`: into a temporary file beside it, renamed only when complete and checked.
pub fn download_to_file(
    s3: &S3<'_>,
    bucket: &str,
    key: &str,
    dest: &Path,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64> {
    let dir = dest
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp: PathBuf = dir.join(format!(".{name}.awl-download-{}", std::process::id()));
    let result = (|| {
        let mut f = File::create(&tmp).map_err(|e| io_err(format!("cannot write {}", tmp.display()), e))?;
        let n = s3.get_object(bucket, key, &mut f, progress)?;
        f.sync_all()
            .map_err(|e| io_err(format!("cannot write {}", tmp.display()), e))?;
        std::fs::rename(&tmp, dest).map_err(|e| io_err(format!("cannot write {}", dest.display()), e))?;
        Ok(n)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The `LastModified`/`CreationDate` of a listing as `aws s3 ls` prints it (`2026-11-26 18:10:14`, in UTC).
pub fn listing_date(text: &str) -> String {
    parse_rfc3339(text)
        .map(|t| {
            let d = crate::time::UtcDateTime::from_system_time(t);
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                d.year, d.month, d.day, d.hour, d.minute, d.second
            )
        })
        .unwrap_or_else(|_| text.to_owned())
}

impl Element {
    /// The text of the first child named `name`, trimmed.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|e| e.text.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addressing_like_the_aws_cli() {
        let (e, p) = locate(
            "my-bucket",
            "a b/c+d.txt",
            "ap-southeast-2",
            None,
            AddressingStyle::Auto,
        );
        assert_eq!(
            (e.host.as_str(), p.as_str()),
            ("my-bucket.s3.ap-southeast-2.amazonaws.com", "/a%20b/c%2Bd.txt")
        );
        let (e, p) = locate(
            "my.dotted.bucket",
            "k",
            "ap-southeast-2",
            None,
            AddressingStyle::Auto,
        );
        assert_eq!(
            (e.host.as_str(), p.as_str()),
            ("s3.ap-southeast-2.amazonaws.com", "/my.dotted.bucket/k")
        );
        let (e, p) = locate("My_Bucket", "k", "us-east-1", None, AddressingStyle::Auto);
        assert_eq!(
            (e.host.as_str(), p.as_str()),
            ("s3.amazonaws.com", "/My_Bucket/k")
        );
        let local = Endpoint::parse("http://127.0.0.1:9000").expect("endpoint");
        let (e, p) = locate("b", "x/../y", "us-east-1", Some(&local), AddressingStyle::Auto);
        assert_eq!(
            (e.authority(), p.as_str()),
            ("127.0.0.1:9000".into(), "/b/x/../y")
        );
        let (e, _) = locate("bucket", "k", "eu-west-1", None, AddressingStyle::Path);
        assert_eq!(e.host, "s3.eu-west-1.amazonaws.com");
    }

    #[test]
    fn location_constraint_outside_us_east_1_only() {
        assert_eq!(create_bucket_body("us-east-1"), None);
        assert!(
            create_bucket_body("ap-southeast-2")
                .is_some_and(|b| b.contains("<LocationConstraint>ap-southeast-2</LocationConstraint>"))
        );
    }

    #[test]
    fn part_sizes_stay_within_ten_thousand_parts() {
        assert_eq!(part_size(200 << 20, 8 << 20), 8 << 20);
        assert_eq!(part_size(1 << 20, 1 << 20), 5 << 20);
        let huge = 100u64 << 30; // 100 GiB: 8 MiB parts would be 12,800
        let p = part_size(huge, 8 << 20);
        assert!(huge.div_ceil(p) <= MAX_PARTS && p.is_multiple_of(1 << 20), "{p}");
    }

    #[test]
    fn s3_urls() {
        assert_eq!(parse_s3_url("s3://b/k/l").ok(), Some(("b".into(), "k/l".into())));
        assert_eq!(parse_s3_url("s3://b").ok(), Some(("b".into(), String::new())));
        assert!(parse_s3_url("b/k").is_err() && parse_s3_url("s3:///k").is_err());
    }

    #[test]
    fn listings_parse_with_pages() {
        let (b, t) = parse_list_buckets(
            br#"<ListAllMyBucketsResult><Buckets><Bucket><Name>a</Name><CreationDate>2026-11-26T18:10:14.000Z</CreationDate>
            </Bucket><Bucket><Name>b</Name><CreationDate>x</CreationDate></Bucket></Buckets>
            <ContinuationToken>tok</ContinuationToken></ListAllMyBucketsResult>"#,
        )
        .expect("parses");
        assert_eq!((b.len(), t.as_deref()), (2, Some("tok")));
        assert_eq!(listing_date(&b[0].created), "2026-11-26 18:10:14");
        let p = parse_list_objects(
            br#"<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>n</NextContinuationToken>
            <Contents><Key>a &amp; b</Key><Size>12</Size><LastModified>2026-01-01T00:00:00Z</LastModified></Contents>
            <CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes></ListBucketResult>"#,
        )
        .expect("parses");
        assert_eq!(
            (
                p.objects[0].key.as_str(),
                p.objects[0].size,
                p.prefixes.as_slice(),
                p.next.as_deref()
            ),
            ("a & b", 12, &["dir/".to_owned()][..], Some("n"))
        );
    }

    #[test]
    fn complete_body_lists_parts_in_order() {
        let b = complete_body(&[PartDone {
            number: 1,
            etag: "\"e1\"".into(),
            checksum: "c1".into(),
        }]);
        assert!(b.contains("<Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag><ChecksumSHA256>c1</ChecksumSHA256></Part>"));
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type(Path::new("samplefile.txt")), "text/plain");
        assert_eq!(content_type(Path::new("a.JSON")), "application/json");
        assert_eq!(content_type(Path::new("noext")), "binary/octet-stream");
    }
}
