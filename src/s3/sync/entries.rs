//! The entries under a root as one key-ordered stream: a local walk, or a listing folder by folder
//! ([`tree`](crate::s3::tree)) through the one paginator (which refuses a listing out of order, with a key
//! twice, a token seen before or a truncated page without one), both filtered. Memory: a few pages per
//! folder being listed, or one folder's names.

use crate::error::Result;
use crate::s3::client::S3;
use crate::s3::ops::list_objects::ListObjectsV2;
use crate::s3::sync::filter::Filters;
use crate::s3::sync::plan::{Entry, Listed};
use crate::s3::sync::root::Root;
use crate::s3::sync::walk::Walk;
use crate::s3::tree::tree_pages;
use std::thread::Scope;

/// How [`entries`] reads a root.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reading {
    /// A local walk follows symbolic links.
    pub follow: bool,
    /// A listing keeps what it says of each object's content (its ETag, its checksum's algorithm), for
    /// `--checksum`.
    pub listed: bool,
}

/// The entries under `root` that pass `filters`, in key order: a local walk (following links as `how` says; a
/// missing folder is empty; each file passed over goes to `skip` with the path and why) or the listing of a
/// prefix, folder by folder on threads of `scope` (with what it says of each object's content if `how`
/// asks).
pub fn entries<'e, 'env>(
    root: &'e Root,
    s3: &'env S3<'env>,
    scope: &'e Scope<'e, 'env>,
    filters: &'e Filters,
    how: Reading,
    skip: &'e (dyn Fn(&str, &str) + Sync),
) -> Box<dyn Iterator<Item = Result<Entry>> + 'e> {
    let Reading { follow, listed } = how;
    match root {
        Root::Local(dir) if !dir.exists() => Box::new(std::iter::empty()),
        Root::Local(dir) => Box::new(
            Walk::new(dir, follow)
                .filter_map(move |item| match item {
                    Ok((entry, _)) => Some(entry),
                    Err(skipped) => {
                        skip(&skipped.path.display().to_string(), &skipped.why);
                        None
                    }
                })
                .filter(move |e| filters.admits(&e.key))
                .map(Ok),
        ),
        Root::S3 { bucket, prefix } => Box::new(
            tree_pages(scope, s3, ListObjectsV2::new(bucket.clone(), prefix.clone())).flat_map(
                move |page| -> Vec<Result<Entry>> {
                    match page {
                        Err(e) => vec![Err(e)],
                        Ok(objects) => objects
                            .into_iter()
                            .filter_map(|o| {
                                // A key outside the prefix (a server's mistake) is not under the root.
                                let key = o.key.strip_prefix(prefix.as_str())?.to_owned();
                                Some(Entry {
                                    key,
                                    size: o.size,
                                    time: o.last_modified,
                                    listed: listed.then(|| {
                                        Box::new(Listed {
                                            etag: o.etag,
                                            algorithm: o.checksum_algorithm,
                                        })
                                    }),
                                })
                            })
                            .filter(|e| filters.admits(&e.key))
                            .map(Ok)
                            .collect(),
                    }
                },
            ),
        ),
    }
}
