//! Downloading an object: below the multipart threshold one GET, streamed in order into a sink and checked
//! against the checksum its answer carries; from the threshold up in parallel pieces ([`parallel`]), written
//! at their offsets into a file, or fetched ahead and written in order to standard output, a FIFO or a
//! device. A file is written under a temporary name beside the destination, given the object's
//! `Last-Modified` as its time (so that the next sync copies nothing), and renamed into place only when
//! complete and checked.

use crate::codec::time::parse_http_date;
use crate::error::{Error, ErrorKind, Result};
use crate::fs::Download;
use crate::s3::client::S3;
use crate::s3::object::ObjectRef;
use crate::s3::operation::Operation;
use crate::s3::ops::get_object::{self, Bytes, GetObject};
use crate::s3::ops::head_object::{Head, HeadObject};
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
        object: &ObjectRef,
        sink: &mut dyn Write,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Got> {
        let checks = self.checks_checksums();
        let get = GetObject {
            object,
            bytes: Bytes::Whole,
            checksums: checks,
            if_match: None,
        };
        let what = get.what();
        let mut out = Checked::new(sink, checks, progress);
        let resp = self.run_into(&get, &mut out)?;
        get_object::check_length(&resp, &what, out.written())?;
        Ok(Got {
            bytes: out.verify(&what)?,
            last_modified: resp.header("last-modified").and_then(|d| parse_http_date(d).ok()),
        })
    }
}

/// HEAD of the object, when its size is not known or calls for pieces; `None` when it cannot be had (the GET
/// then says why, with the service's code).
fn head_if(s3: &S3<'_>, target: &ObjectRef, wanted: bool) -> Result<Option<Head>> {
    if !wanted {
        return Ok(None);
    }
    match s3.run(&HeadObject {
        checksums: s3.checks_checksums(),
        ..HeadObject::of(target)
    }) {
        Ok(h) => Ok(Some(h)),
        Err(e) if e.status().is_some() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether an object of `size` comes in pieces: at the multipart threshold and above, and more than one piece.
fn in_pieces(size: u64, cfg: &TransferConfig) -> bool {
    size >= cfg.multipart_threshold && size > parallel::RANGE
}

/// Downloads an object in order into `out` (standard output, a FIFO, a device): in pieces fetched ahead of
/// the writer at the multipart threshold and above (`size`, or asked with HEAD), else one GET.
pub fn download_to(
    s3: &S3<'_>,
    target: &ObjectRef,
    out: &mut dyn Write,
    size: Option<u64>,
    cfg: &TransferConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Got> {
    match head_if(s3, target, size.is_none_or(|s| in_pieces(s, cfg)))? {
        Some(h) if in_pieces(h.size, cfg) => {
            parallel::stream(s3, target, &h, out, cfg, progress)?;
            Ok(Got {
                bytes: h.size,
                last_modified: h.last_modified,
            })
        }
        _ => s3.get_object(target, out, progress),
    }
}

/// Downloads an object to `dest`: into a temporary file beside it, given the object's time, renamed only
/// when complete and checked; a device or FIFO is written in place, in order. At or above the multipart
/// threshold (`size`, from a listing, or asked with HEAD) it comes in parallel pieces.
pub fn download_to_file(
    s3: &S3<'_>,
    target: &ObjectRef,
    dest: &Path,
    size: Option<u64>,
    cfg: &TransferConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64> {
    let display = dest.display().to_string();
    let mut out = Download::open(dest, &display, s3.interrupt())?;
    let (bytes, time) = match &mut out {
        Download::Replace(p) => match head_if(s3, target, size.is_none_or(|s| in_pieces(s, cfg)))? {
            Some(h) if in_pieces(h.size, cfg) => {
                parallel::download(s3, target, &h, p.file(), cfg, progress)?;
                (h.size, h.last_modified)
            }
            _ => {
                let got = s3.get_object(target, p.file(), progress)?;
                (got.bytes, got.last_modified)
            }
        },
        Download::InPlace(f) => {
            let got = download_to(s3, target, f, size, cfg, progress)?;
            (got.bytes, None)
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
