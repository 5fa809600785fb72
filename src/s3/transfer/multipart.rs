//! The one multipart lifecycle, shared by file uploads, stream uploads and server-side copies: the upload
//! created, its parts sent (or copied) on the caller's threads, then completed, or aborted on any failure so
//! that no parts stay billed. From its creation to its end the abort is registered with the run's
//! interruption, and signed again as each part finishes, so that a signal an hour into a large transfer
//! still sends an abort within S3's 15-minute window. A file's upload may carry a resume record (see
//! `resume`), removed when the upload completes or is aborted; asked to, a signal leaves such an upload and
//! its record for a later run instead of aborting it.

use crate::codec::redact;
use crate::error::{Error, Result};
use crate::interrupt::Registration;
use crate::s3::checksum::{Algorithm, Digests};
use crate::s3::client::S3;
use crate::s3::object::ObjectRef;
use crate::s3::operation::Operation;
use crate::s3::ops::multipart::{
    AbortMultipartUpload, CompleteMultipartUpload, CreateMultipartUpload, PartDone, Upload, UploadPart,
    UploadPartCopy,
};
use crate::s3::ops::options::ObjectOptions;
use crate::s3::transfer::resume::record;
use crate::transport::request::Body;
use std::io::Write;
use std::path::PathBuf;

/// A multipart upload in progress: created, then completed or aborted; a signal meanwhile aborts it.
#[derive(Debug)]
pub struct Multipart<'j, 's> {
    s3: &'j S3<'s>,
    upload: Upload,
    on_interrupt: Option<Registration>,
    checksum: Option<Algorithm>,
    /// A signal leaves the upload (and its record) rather than aborting it.
    leave: bool,
    /// The resume record, and its registration for removal by a signal (when the upload is aborted then).
    record: Option<(PathBuf, Option<Registration>)>,
}

impl<'j, 's> Multipart<'j, 's> {
    /// Creates the upload of `target` with `opts`; `checksum` is the algorithm each part is sent with (none
    /// for parts copied on the server). A signal aborts it.
    pub fn start(
        s3: &'j S3<'s>,
        target: &ObjectRef,
        opts: &ObjectOptions,
        checksum: Option<Algorithm>,
    ) -> Result<Self> {
        Self::adopt(s3, Self::create(s3, target, opts, checksum)?.0, checksum, false)
    }

    /// Creates the upload of `target` (CreateMultipartUpload), not yet registered with the interruption;
    /// with whether its parts' ETags are their MD5s.
    pub fn create(
        s3: &S3<'_>,
        target: &ObjectRef,
        opts: &ObjectOptions,
        checksum: Option<Algorithm>,
    ) -> Result<(Upload, bool)> {
        let created = s3.run(&CreateMultipartUpload {
            target,
            opts,
            checksum,
        })?;
        Ok((
            Upload {
                target: target.clone(),
                id: created.id,
            },
            created.md5_etags,
        ))
    }

    /// Aborts `upload`: whether it is gone (aborted now, or already: NoSuchUpload), so that nothing names
    /// it any more.
    pub fn abort(s3: &S3<'_>, upload: &Upload) -> bool {
        match s3.run(&AbortMultipartUpload(upload)) {
            Ok(()) => true,
            Err(e) => e.service_code() == Some("NoSuchUpload"),
        }
    }

    /// Takes `upload` (new, or resumed from its record) to its end. If a signal ends the run, its thread aborts
    /// the upload, or with `leave` says on stderr that it is left for a later run.
    pub fn adopt(s3: &'j S3<'s>, upload: Upload, checksum: Option<Algorithm>, leave: bool) -> Result<Self> {
        let on_interrupt = if leave {
            let line = format!(
                "awl: the upload of {} is left for a later run (its parts stay billed until then): run the same \
                 command again to resume it\n",
                upload.target
            );
            s3.interrupt().and_then(|i| {
                i.register_action(Box::new(move || {
                    let _ = std::io::stderr().write_all(line.as_bytes());
                }))
            })
        } else {
            // Signed again as parts complete so that it stays within S3's 15 minutes. Should registering fail,
            // the upload is aborted now.
            match s3.send_on_interrupt(&AbortMultipartUpload(&upload).request()) {
                Ok(r) => r,
                Err(e) => {
                    let _ = s3.run(&AbortMultipartUpload(&upload));
                    return Err(e);
                }
            }
        };
        Ok(Multipart {
            s3,
            upload,
            on_interrupt,
            checksum,
            leave,
            record: None,
        })
    }

    /// The same upload, with its resume record at `path`: removed when the upload ends, and by a signal
    /// unless the upload is left.
    pub fn with_record(mut self, path: PathBuf, leave: bool) -> Self {
        let registration = match (leave, self.s3.interrupt()) {
            (false, Some(i)) => i.register_file(path.clone()),
            _ => None,
        };
        self.record = Some((path, registration));
        self
    }

    /// The checksum each part is sent with.
    pub fn checksum(&self) -> Option<Algorithm> {
        self.checksum
    }

    /// The error of an upload cut short by a signal.
    pub fn interrupted(&self) -> Error {
        Error::interrupted(format!("upload of {} interrupted", self.upload.target))
    }

    /// Runs one part's call, then signs the registered abort again.
    fn part(&self, op: &dyn Operation<Output = PartDone>) -> Result<PartDone> {
        if self.s3.stopped() {
            return Err(self.interrupted());
        }
        let done = self.s3.run(op)?;
        if let Some(r) = self.on_interrupt.as_ref().filter(|_| !self.leave) {
            // Best effort: the abort signed at the last renewal is still registered if this fails.
            let _ = self
                .s3
                .renew_on_interrupt(r, &AbortMultipartUpload(&self.upload).request());
        }
        Ok(done)
    }

    /// Sends part `number` from `body` (hashed as `digests`).
    pub fn send_part(&self, number: u64, body: Body, digests: &Digests) -> Result<PartDone> {
        self.part(&UploadPart {
            upload: &self.upload,
            number,
            body,
            digests,
        })
    }

    /// Copies the bytes `first..=last` of `src` as part `number`, on the server.
    pub fn copy_part(&self, src: &ObjectRef, number: u64, first: u64, last: u64) -> Result<PartDone> {
        self.part(&UploadPartCopy {
            upload: &self.upload,
            src,
            number,
            first,
            last,
        })
    }

    /// Completes the upload with `parts`, or aborts it if they failed or `check` refuses (even when
    /// interrupted, with the usual retries, unless the upload is to be left then); the first error is what
    /// is returned. The resume record goes with the upload (kept if the abort fails: it alone names it).
    pub fn finish(self, parts: Result<Vec<PartDone>>, check: impl FnOnce() -> Result<()>) -> Result<()> {
        let result = parts.and_then(|mut parts| {
            check()?;
            parts.sort_by_key(|p| p.number);
            self.s3.run(&CompleteMultipartUpload {
                upload: &self.upload,
                parts: &parts,
            })
        });
        if result.is_err() {
            if self.leave && self.s3.stopped() {
                // Left for a later run, with its record: the signal's thread says so and ends the process.
                return result;
            }
            if !Self::abort(self.s3, &self.upload) {
                // Its record is all that can name the upload: kept, the next run aborts or resumes it.
                if let Some((path, _)) = &self.record {
                    let _ = writeln!(
                        std::io::stderr(),
                        "awl: the upload of {} could not be aborted (its parts stay billed): its record {} is \
                         kept, and the same command run again aborts or resumes it",
                        self.upload.target,
                        redact::sanitize(&path.to_string_lossy(), 200)
                    );
                }
                return result;
            }
        }
        if let Some((path, _)) = &self.record {
            // Another run may have replaced the record with its own upload's meanwhile.
            record::remove_if_names(path, &self.upload.id);
        }
        result
    }
}
