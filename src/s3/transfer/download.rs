//! Downloading an object: streamed in order into a sink (standard output, a FIFO, a device, or a file below
//! the multipart threshold) and checked against the checksum its answer carries, or fetched in parallel
//! pieces ([`parallel`]). A file is written under a temporary name beside the
//! destination, given the object's `Last-Modified` as its time (so that the next sync copies nothing), and
//! renamed into place only when complete and checked.

use crate::codec::time::parse_http_date;
use crate::error::{Error, ErrorKind, Result};
use crate::fs::Download;
use crate::s3::client::{S3, check};
use crate::s3::ops::{get_object, head_object};
use crate::s3::transfer::config::TransferConfig;
use crate::s3::transfer::parallel;
use crate::s3::transfer::sink::Checked;
use std::io::Write;
use std::path::Path;
use std::time::SystemTime;

/// What a download got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Got {
    /// The bytes written.
    pub bytes: u64,
    /// The object's `Last-Modified`.
    pub last_modified: Option<SystemTime>,
}

impl S3<'_> {
    /// Downloads an object in order into `sink`, checking it against the checksum S3 sends for the whole
    /// object (or its ETag as MD5 where that is all there is); `progress` gets the bytes written so far.
    pub fn get_object(
        &self,
        bucket: &str,
        key: &str,
        sink: &mut dyn Write,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Got> {
        let what = format!("GetObject s3://{bucket}/{key}");
        let checks = self.checks_checksums();
        let mut out = Checked::new(sink, checks, progress);
        let resp = check(
            self.send_into(&get_object::request(bucket, key, checks), &mut out)?,
            &what,
        )?;
        get_object::check_length(&resp, &what, out.written())?;
        Ok(Got {
            bytes: out.verify(&what)?,
            last_modified: resp.header("last-modified").and_then(|d| parse_http_date(d).ok()),
        })
    }
}

/// Downloads an object to `dest`: into a temporary file beside it, given the object's time, renamed only
/// when complete and checked; a device or FIFO is written in place, in order. At or above the multipart
/// threshold (`size`, from a listing, or asked with HEAD) a file is fetched in parallel pieces.
pub fn download_to_file(
    s3: &S3<'_>,
    target: (&str, &str),
    dest: &Path,
    size: Option<u64>,
    cfg: &TransferConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64> {
    let (bucket, key) = target;
    let display = dest.display().to_string();
    let mut out = Download::open(dest, &display, s3.interrupt())?;
    let big = |s: u64| s >= cfg.multipart_threshold && s > parallel::RANGE;
    let head = match &out {
        Download::Replace(_) if size.is_none_or(big) => {
            let r = s3.send(&head_object::for_download(
                bucket,
                key,
                None,
                s3.checks_checksums(),
            ))?;
            // Not there, or not allowed: the GET below says why, with the service's code.
            r.is_success().then(|| head_object::parse(&r)).transpose()?
        }
        _ => None,
    };
    let (bytes, time) = match (&mut out, head) {
        (Download::Replace(p), Some(h)) if big(h.size) => {
            parallel::download(s3, target, &h, p.file(), cfg, progress)?;
            (h.size, h.last_modified)
        }
        _ => {
            let got = s3.get_object(bucket, key, out.file(), progress)?;
            (got.bytes, got.last_modified)
        }
    };
    if let (Download::Replace(p), Some(t)) = (&mut out, time) {
        p.file().set_modified(t).map_err(|e| {
            Error::io(
                ErrorKind::Transfer,
                format_args!("{display}: cannot set its time"),
                e,
            )
        })?;
    }
    out.commit()?;
    Ok(bytes)
}
