//! Downloading an object: streamed into a sink and checked (the byte count, and the SHA-256 S3 returns for a
//! whole single-part object), or into a file under a temporary name beside the destination, given the
//! object's `Last-Modified` as its time (so that the next sync copies nothing), and renamed into place only
//! when complete and checked (a device or FIFO destination is written in place).

use crate::codec::time::parse_http_date;
use crate::error::{ErrorKind, Result};
use crate::fs::Download;
use crate::s3::client::{S3, check};
use crate::s3::ops::get_object;
use crate::s3::transfer::hash::HashingWriter;
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
    /// Downloads an object into `sink`, checking its SHA-256 when S3 returns one for the whole object;
    /// `progress` gets the bytes written so far.
    pub fn get_object(
        &self,
        bucket: &str,
        key: &str,
        sink: &mut dyn Write,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Got> {
        let what = format!("GetObject s3://{bucket}/{key}");
        let mut hw = HashingWriter::new(sink, progress);
        let resp = check(self.send_into(&get_object::request(bucket, key), &mut hw)?, &what)?;
        let written = hw.written();
        get_object::verify(&resp, &what, &hw.digest(), written)?;
        Ok(Got {
            bytes: written,
            last_modified: resp.header("last-modified").and_then(|d| parse_http_date(d).ok()),
        })
    }
}

/// Downloads an object to `dest`: into a temporary file beside it, given the object's time, renamed only
/// when complete and checked; a device or FIFO is written in place.
pub fn download_to_file(
    s3: &S3<'_>,
    bucket: &str,
    key: &str,
    dest: &Path,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64> {
    let display = dest.display().to_string();
    let mut out = Download::open(dest, &display, s3.interrupt())?;
    let got = s3.get_object(bucket, key, out.file(), progress)?;
    if let (Download::Replace(p), Some(t)) = (&mut out, got.last_modified) {
        p.file().set_modified(t).map_err(|e| {
            crate::error::Error::io(
                ErrorKind::Transfer,
                format_args!("{display}: cannot set its time"),
                e,
            )
        })?;
    }
    out.commit()?;
    Ok(got.bytes)
}
