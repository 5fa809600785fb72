//! Where a recursive command starts or ends: a local folder, or a bucket and prefix; and a key under a root
//! turned into a place. A key that would land outside a destination folder (`../x`, `/etc/x`, `a/../../b`)
//! is never written there: the caller skips it.

use crate::error::{Error, Result};
use crate::s3::address::parse_s3_url;
use crate::s3::object::ObjectRef;
use crate::s3::sync::run::Place;
use std::path::{Component, Path, PathBuf};

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
            Root::S3 { bucket, prefix } => Ok(Place::S3(ObjectRef::new(
                bucket.clone(),
                format!("{prefix}{key}"),
            ))),
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

    /// What `key` under this root is called in a warning: `s3://bucket/prefix/key`, or the path (joined with
    /// a separator, never glued to the root's name).
    pub fn show(&self, key: &str) -> String {
        match self {
            Root::S3 { bucket, prefix } => format!("s3://{bucket}/{prefix}{key}"),
            Root::Local(dir) => format!("{}/{key}", dir.display().to_string().trim_end_matches('/')),
        }
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

    #[test]
    fn warnings_name_the_real_key() {
        assert_eq!(
            r#root("s3://mb1/y").show("../../escape1"),
            "s3://mb1/y/../../escape1"
        );
        assert_eq!(r#root("s3://mb1/w").show("dir/"), "s3://mb1/w/dir/");
        assert_eq!(r#root("s3://mb1").show("k"), "s3://mb1/k");
        assert_eq!(r#root("local/").show("a"), "local/a");
    }

    fn r#root(s: &str) -> Root {
        Root::parse(s).expect("root")
    }
}
