//! Uploading a file: one PutObject below the multipart threshold, otherwise a multipart upload with several
//! parts in flight, aborted on any failure or interruption so that no parts stay billed.
//!
//! A file is never held in memory: each part (or the whole file) is hashed with SHA-256 in a first pass, then
//! sent from the file, with the digest as `x-amz-content-sha256` and, in base64, `x-amz-checksum-sha256`.

use crate::codec::base64;
use crate::error::{Error, ErrorKind, Result};
use crate::s3::client::S3;
use crate::s3::ops::multipart::{self, PartDone, PartRange, Upload};
use crate::s3::ops::put_object;
use crate::s3::transfer::config::{MAX_PUT, TransferConfig, part_size};
use crate::s3::transfer::hash::hash_range;
use std::fs::File;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// One file on its way to one key.
struct FileUpload<'j, 's> {
    s3: &'j S3<'s>,
    file: File,
    path: &'j Path,
    size: u64,
    bucket: &'j str,
    key: &'j str,
    progress: &'j (dyn Fn(u64) + Sync),
}

impl<'s> S3<'s> {
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
        let read_err = |e| {
            Error::io(
                ErrorKind::Transfer,
                format_args!("cannot read {}", path.display()),
                e,
            )
        };
        let file = File::open(path).map_err(read_err)?;
        let size = file.metadata().map_err(read_err)?.len();
        let job = FileUpload {
            s3: self,
            file,
            path,
            size,
            bucket,
            key,
            progress,
        };
        if size >= cfg.multipart_threshold {
            return job.multipart(content_type, cfg);
        }
        if size > MAX_PUT {
            return Err(Error::usage(format!(
                "{} is over 5 GiB, the limit of a single PUT",
                path.display()
            ))
            .with_hint("leave --multipart-threshold at or below 5GiB, so big files go up in parts"));
        }
        job.single(content_type)
    }
}

impl FileUpload<'_, '_> {
    fn hash(&self, offset: u64, len: u64) -> Result<[u8; 32]> {
        hash_range(&self.file, offset, len, self.s3.stop_flag()).map_err(|e| {
            Error::io(
                ErrorKind::Transfer,
                format_args!("cannot read {}", self.path.display()),
                e,
            )
        })
    }

    fn interrupted(&self) -> Error {
        Error::interrupted(format!("upload of s3://{}/{} interrupted", self.bucket, self.key))
    }

    fn single(&self, content_type: &str) -> Result<()> {
        let digest = self.hash(0, self.size)?;
        let req = put_object::request(self.bucket, self.key, self.path, self.size, &digest, content_type);
        self.s3
            .call(&req, &format!("PutObject s3://{}/{}", self.bucket, self.key))?;
        (self.progress)(self.size);
        Ok(())
    }

    fn multipart(&self, content_type: &str, cfg: &TransferConfig) -> Result<()> {
        let where_ = format!("s3://{}/{}", self.bucket, self.key);
        let resp = self.s3.call(
            &multipart::create(self.bucket, self.key, content_type),
            &format!("CreateMultipartUpload {where_}"),
        )?;
        let id = multipart::parse_create(&resp.body)?;
        let up = Upload {
            bucket: self.bucket,
            key: self.key,
            id: &id,
        };
        // If a signal ends the run, its thread aborts the upload with this request, signed again as parts
        // complete so that it stays within S3's 15 minutes.
        let abort = multipart::abort(&up);
        let on_interrupt = self.s3.send_on_interrupt(&abort)?;
        let renew = || {
            if let Some(r) = &on_interrupt {
                let _ = self.s3.renew_on_interrupt(r, &abort);
            }
        };
        let result = self.parts(&up, cfg, &renew).and_then(|parts| {
            let what = format!("CompleteMultipartUpload {where_}");
            let resp = self.s3.call(&multipart::complete(&up, &parts), &what)?;
            // A 200 answer may still carry an error in its body.
            if multipart::complete_failed(&resp.body) {
                return Err(crate::transport::service_error::error("S3", &what, &resp));
            }
            Ok(())
        });
        if result.is_err() {
            // Abort even when interrupted, so no parts stay billed (with the usual retries); the first error is
            // what is reported.
            let _ = self.s3.send(&abort);
        }
        drop(on_interrupt);
        result
    }

    /// Uploads every part, `cfg.max_concurrency` at a time, calling `part_done` after each; the parts done,
    /// in order.
    fn parts(
        &self,
        up: &Upload<'_>,
        cfg: &TransferConfig,
        part_done: &(dyn Fn() + Sync),
    ) -> Result<Vec<PartDone>> {
        let part = part_size(self.size, cfg.part_size);
        let count = self.size.div_ceil(part).max(1);
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
                        let range = PartRange {
                            number: i + 1,
                            offset,
                            len: part.min(self.size - offset),
                        };
                        match self.part(up, range) {
                            Ok(p) => {
                                parts.lock().unwrap_or_else(|p| p.into_inner()).push(p);
                                let done = done_bytes.fetch_add(range.len, Ordering::Relaxed) + range.len;
                                (self.progress)(done);
                                part_done();
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
        if self.s3.stopped() {
            return Err(self.interrupted());
        }
        if let Some(e) = first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
            return Err(e);
        }
        let mut parts = parts.into_inner().unwrap_or_else(|p| p.into_inner());
        parts.sort_by_key(|p| p.number);
        Ok(parts)
    }

    fn part(&self, up: &Upload<'_>, range: PartRange) -> Result<PartDone> {
        if self.s3.stopped() {
            return Err(self.interrupted());
        }
        let digest = self.hash(range.offset, range.len)?;
        let req = multipart::upload_part(up, self.path, range, &digest);
        let what = format!("UploadPart {} of s3://{}/{}", range.number, self.bucket, self.key);
        let resp = self.s3.call(&req, &what)?;
        let etag = resp
            .header("etag")
            .map(str::to_owned)
            .ok_or_else(|| Error::data(format!("UploadPart {} answered no ETag", range.number)))?;
        Ok(PartDone {
            number: range.number,
            etag,
            checksum: base64::encode(&digest),
        })
    }
}
