//! Copying an object on the server (S3 to S3): CopyObject below the multipart threshold, otherwise
//! UploadPartCopy in parallel parts, as s3transfer does. The object's metadata is kept (read with
//! HeadObject for a copy in parts, which must set it itself), or replaced by the options that set it.

use crate::error::Result;
use crate::s3::client::S3;
use crate::s3::object::ObjectRef;
use crate::s3::ops::copy_object::CopyObject;
use crate::s3::ops::head_object::{Head, HeadObject};
use crate::s3::ops::options::ObjectOptions;
use crate::s3::transfer::config::{MAX_PUT, TransferConfig, part_size};
use crate::s3::transfer::multipart::Multipart;
use crate::s3::transfer::pool::in_parallel;

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
    /// Copies `src` to `dst` on the server; `size` is the source's, when a listing gave it.
    pub fn copy(
        &self,
        src: &ObjectRef,
        dst: &ObjectRef,
        opts: &ObjectOptions,
        cfg: &TransferConfig,
        size: Option<u64>,
    ) -> Result<()> {
        let in_parts = |s: u64| s >= cfg.multipart_threshold.min(MAX_PUT);
        let head = match size {
            Some(s) if !in_parts(s) => None,
            _ => Some(self.run(&HeadObject::of(src))?),
        };
        let Some(head) = head.filter(|h| in_parts(h.size)) else {
            return self.run(&CopyObject { src, dst, opts });
        };
        let size = head.size;
        let mp = Multipart::start(self, dst, &with_source_metadata(opts, &head), None)?;
        let part = part_size(size, cfg.part_size);
        let parts = in_parallel(self, size.div_ceil(part), cfg.max_concurrency, &|i| {
            let (first, last) = (i * part, (size.min((i + 1) * part)) - 1);
            mp.copy_part(src, i + 1, first, last)
        });
        mp.finish(parts, || Ok(()))
    }
}
