//! What commands over many files or keys share: the two roots (a folder, or a bucket and prefix), their
//! entries as key-ordered streams (a local walk, or a listing a page at a time, both filtered), and a key
//! turned into a place under a root. A key that would land outside a destination folder (`../x`, `/etc/x`,
//! `a/../../b`) is never written there: it is skipped, and the run exits 2.

use crate::cli::s3::report::Reporter;
use crate::codec::time::parse_rfc3339;
use crate::error::{Error, Result};
use crate::s3::address::parse_s3_url;
use crate::s3::client::S3;
use crate::s3::sync::filter::Filters;
use crate::s3::sync::plan::Entry;
use crate::s3::sync::run::Place;
use crate::s3::sync::walk::Walk;
use std::path::{Component, Path, PathBuf};
use std::time::UNIX_EPOCH;

/// Where a recursive command starts or ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Root {
    /// A local folder.
    Local(PathBuf),
    /// A bucket and a prefix (empty, or ending with `/`).
    S3 {
        /// The bucket.
        bucket: String,
        /// The prefix.
        prefix: String,
    },
}

impl Root {
    /// A root from the command line: `s3://bucket[/prefix]` (a `/` is added to a prefix without one, as the
    /// AWS CLI does for folders) or a local path.
    pub fn parse(arg: &str) -> Result<Self> {
        if !arg.starts_with("s3://") {
            return Ok(Root::Local(PathBuf::from(arg)));
        }
        let (bucket, mut prefix) = parse_s3_url(arg)?;
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        Ok(Root::S3 { bucket, prefix })
    }

    /// Whether it is in S3.
    pub fn is_s3(&self) -> bool {
        matches!(self, Root::S3 { .. })
    }

    /// The place of `key` under this root; for a folder, `Err` with why it cannot be (it would land outside
    /// the folder, or it names a folder rather than a file).
    pub fn place(&self, key: &str) -> std::result::Result<Place, String> {
        match self {
            Root::S3 { bucket, prefix } => Ok(Place::S3 {
                bucket: bucket.clone(),
                key: format!("{prefix}{key}"),
            }),
            Root::Local(dir) => {
                if key.ends_with('/') {
                    return Err("it is a folder marker, not a file".into());
                }
                let rel = Path::new(key);
                let inside = rel
                    .components()
                    .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
                if !inside || key.is_empty() {
                    return Err("its key would land outside the destination folder".into());
                }
                Ok(Place::Local(dir.join(rel)))
            }
        }
    }
}

/// The entries under `root` that pass `filters`, in key order: a local walk (skips reported to `reporter`;
/// `follow` follows links; a missing folder is empty) or the listing of a prefix.
pub fn entries<'e>(
    root: &'e Root,
    s3: &'e S3<'e>,
    filters: &'e Filters,
    follow: bool,
    reporter: &'e Reporter,
) -> Box<dyn Iterator<Item = Result<Entry>> + 'e> {
    match root {
        Root::Local(dir) if !dir.exists() => Box::new(std::iter::empty()),
        Root::Local(dir) => Box::new(
            Walk::new(dir, follow)
                .filter_map(move |item| match item {
                    Ok((entry, _)) => Some(entry),
                    Err(skip) => {
                        reporter.skip(&skip.path.display().to_string(), &skip.why);
                        None
                    }
                })
                .filter(move |e| filters.admits(&e.key))
                .map(Ok),
        ),
        Root::S3 { bucket, prefix } => Box::new(s3.pages(bucket, prefix, None).flat_map(
            move |page| -> Vec<Result<Entry>> {
                match page {
                    Err(e) => vec![Err(e)],
                    Ok(page) => page
                        .objects
                        .into_iter()
                        .filter_map(|o| {
                            let key = o.key.strip_prefix(prefix.as_str())?.to_owned();
                            Some(Entry {
                                key,
                                size: o.size,
                                time: parse_rfc3339(&o.last_modified).unwrap_or(UNIX_EPOCH),
                            })
                        })
                        .filter(|e| filters.admits(&e.key))
                        .map(Ok)
                        .collect(),
                }
            },
        )),
    }
}

/// Refuses a destination prefix at or under the source prefix in the same bucket: a move there would delete
/// what it just copied, and copies made under the source would be listed and copied again.
pub fn apart(src: &Root, dst: &Root) -> Result<()> {
    let (
        Root::S3 {
            bucket: b1,
            prefix: p1,
        },
        Root::S3 {
            bucket: b2,
            prefix: p2,
        },
    ) = (src, dst)
    else {
        return Ok(());
    };
    if b1 != b2 || !p2.starts_with(p1.as_str()) {
        return Ok(());
    }
    let why = if p1 == p2 {
        format!("s3://{b1}/{p1} is both the source and the destination")
    } else {
        format!("s3://{b2}/{p2} is inside s3://{b1}/{p1}: what is copied there would be copied again")
    };
    Err(Error::usage(why).with_hint("copy to a prefix outside the source"))
}

/// The usage error for two local roots.
pub fn both_local(command: &str) -> Error {
    Error::usage("one of the two must be an s3:// URL").with_hint(format!("see 'awl help s3 {command}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_never_leave_the_destination_folder() {
        let root = Root::Local(PathBuf::from("/dst"));
        assert_eq!(
            root.place("a/b.txt"),
            Ok(Place::Local(PathBuf::from("/dst/a/b.txt")))
        );
        for bad in ["../x", "/etc/passwd", "a/../../b", "a/..", "", "dir/"] {
            assert!(root.place(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Root::parse("s3://b/p").ok(),
            Some(Root::S3 {
                bucket: "b".into(),
                prefix: "p/".into()
            })
        );
        let r = |u: &str| Root::parse(u).expect("root");
        assert!(apart(&r("s3://b/p"), &r("s3://b/p/")).is_err(), "the same");
        assert!(apart(&r("s3://b/p"), &r("s3://b/p/sub")).is_err(), "inside");
        assert!(apart(&r("s3://b"), &r("s3://b/x")).is_err(), "the whole bucket");
        assert!(apart(&r("s3://b/p"), &r("s3://b/p2")).is_ok(), "p2/ is beside p/");
        assert!(apart(&r("s3://b/p/sub"), &r("s3://b/p")).is_ok(), "above");
        assert!(apart(&r("s3://b/p"), &r("s3://c/p")).is_ok(), "another bucket");
        assert!(apart(&r("s3://b/p"), &r("local")).is_ok());
        assert_eq!(
            Root::parse("s3://b").ok(),
            Some(Root::S3 {
                bucket: "b".into(),
                prefix: String::new()
            })
        );
    }
}
