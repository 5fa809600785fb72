//! Copying an object on the server (S3 to S3): CopyObject below the multipart threshold, otherwise
//! UploadPartCopy in parallel parts, as s3transfer does. The object's metadata is kept (read with
//! HeadObject for a copy in parts, which must set it itself), or replaced by the options that set it.

use crate::error::Result;
use crate::s3::client::S3;
use crate::s3::ops::copy_object;
use crate::s3::ops::head_object::{self, Head};
use crate::s3::ops::multipart::{self, PartDone, Upload};
use crate::s3::ops::options::ObjectOptions;
use crate::s3::transfer::config::{MAX_PUT, TransferConfig, part_size};
use crate::s3::transfer::pool::in_parallel;
use crate::transport::service_error;

/// The options of a copy in parts: `opts`, with the source's metadata where `opts` sets none.
fn with_source_metadata(opts: &ObjectOptions, head: &Head) -> ObjectOptions {
    if opts.sets_metadata() {
        return opts.clone();
    }
    let header = |n: &str| {
        head.content_headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
    };
    ObjectOptions {
        content_type: header("content-type"),
        cache_control: header("cache-control"),
        content_disposition: header("content-disposition"),
        content_encoding: header("content-encoding"),
        content_language: header("content-language"),
        metadata: head.metadata.clone(),
        ..opts.clone()
    }
}

impl S3<'_> {
    /// The HeadObject of `bucket`/`key`.
    pub fn head(&self, bucket: &str, key: &str) -> Result<Head> {
        let resp = self.call(
            &head_object::request(bucket, key),
            &format!("HeadObject s3://{bucket}/{key}"),
        )?;
        head_object::parse(&resp)
    }

    /// Copies `src` (bucket, key) to `dst` on the server; `size` is the source's, when a listing gave it.
    pub fn copy(
        &self,
        src: (&str, &str),
        dst: (&str, &str),
        opts: &ObjectOptions,
        cfg: &TransferConfig,
        size: Option<u64>,
    ) -> Result<()> {
        let what = format!("CopyObject s3://{}/{} to s3://{}/{}", src.0, src.1, dst.0, dst.1);
        let head = match size {
            Some(s) if s < cfg.multipart_threshold.min(MAX_PUT) => None,
            _ => Some(self.head(src.0, src.1)?),
        };
        let Some(head) = head.filter(|h| h.size >= cfg.multipart_threshold.min(MAX_PUT)) else {
            let resp = self.call(&copy_object::request(src, dst, opts), &what)?;
            if multipart::answered_error(&resp.body) {
                return Err(service_error::error("S3", &what, &resp));
            }
            return Ok(());
        };
        let size = head.size;
        let resp = self.call(
            &multipart::create(dst.0, dst.1, &with_source_metadata(opts, &head), None),
            &format!("CreateMultipartUpload s3://{}/{}", dst.0, dst.1),
        )?;
        let id = multipart::parse_create(&resp.body)?;
        let up = Upload {
            bucket: dst.0,
            key: dst.1,
            id: &id,
        };
        let abort = multipart::abort(&up);
        let on_interrupt = self.send_on_interrupt(&abort)?;
        let part = part_size(size, cfg.part_size);
        let parts = in_parallel(self, size.div_ceil(part), cfg.max_concurrency, &|i| {
            let (first, last) = (i * part, (size.min((i + 1) * part)) - 1);
            let n = i + 1;
            let resp = self.call(
                &multipart::upload_part_copy(&up, src, n, first, last),
                &format!("UploadPartCopy {n} of {what}"),
            )?;
            Ok(PartDone {
                number: n,
                etag: multipart::parse_part_copy(&resp.body)?,
                checksum: None,
            })
        });
        let result = parts.and_then(|mut parts| {
            parts.sort_by_key(|p| p.number);
            let done = format!("CompleteMultipartUpload s3://{}/{}", dst.0, dst.1);
            let resp = self.call(&multipart::complete(&up, &parts), &done)?;
            if multipart::answered_error(&resp.body) {
                return Err(service_error::error("S3", &done, &resp));
            }
            Ok(())
        });
        if result.is_err() {
            let _ = self.send(&abort);
        }
        drop(on_interrupt);
        result
    }
}
