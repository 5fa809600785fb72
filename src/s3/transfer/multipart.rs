//! The one multipart lifecycle, shared by file uploads, stream uploads and server-side copies: the upload
//! created, its parts sent (or copied) on the caller's threads, then completed, or aborted on any failure so
//! that no parts stay billed. From its creation to its end the abort is registered with the run's
//! interruption, and signed again as each part finishes, so that a signal an hour into a large transfer
//! still sends an abort within S3's 15-minute window.

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
use crate::transport::request::Body;

/// A multipart upload in progress: created, then completed or aborted; a signal meanwhile aborts it.
#[derive(Debug)]
pub struct Multipart<'j, 's> {
    s3: &'j S3<'s>,
    upload: Upload,
    on_interrupt: Option<Registration>,
    checksum: Option<Algorithm>,
}

impl<'j, 's> Multipart<'j, 's> {
    /// Creates the upload of `target` with `opts`; `checksum` is the algorithm each part is sent with (none
    /// for parts copied on the server).
    pub fn start(
        s3: &'j S3<'s>,
        target: &ObjectRef,
        opts: &ObjectOptions,
        checksum: Option<Algorithm>,
    ) -> Result<Self> {
        let id = s3.run(&CreateMultipartUpload {
            target,
            opts,
            checksum,
        })?;
        let upload = Upload {
            target: target.clone(),
            id,
        };
        // If a signal ends the run, its thread aborts the upload with this request, signed again as parts
        // complete so that it stays within S3's 15 minutes. Should registering fail, the upload is aborted now.
        let on_interrupt = match s3.send_on_interrupt(&AbortMultipartUpload(&upload).request()) {
            Ok(r) => r,
            Err(e) => {
                let _ = s3.run(&AbortMultipartUpload(&upload));
                return Err(e);
            }
        };
        Ok(Multipart {
            s3,
            upload,
            on_interrupt,
            checksum,
        })
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
        if let Some(r) = &self.on_interrupt {
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
    /// interrupted, with the usual retries); the first error is what is returned.
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
            let _ = self.s3.run(&AbortMultipartUpload(&self.upload));
        }
        result
    }
}
