//! CopyObject: a server-side copy of an object below 5 GiB, its metadata kept or replaced.

use crate::codec::percent;
use crate::error::Result;
use crate::s3::object::ObjectRef;
use crate::s3::operation::Operation;
use crate::s3::ops::options::ObjectOptions;
use crate::s3::request::S3Request;
use crate::transport::request::Response;

/// The `x-amz-copy-source` of an object: `/bucket/key`, percent-encoded, `/` kept; `?versionId=` when a
/// version is meant.
pub fn source(object: &ObjectRef) -> String {
    let mut s = format!(
        "/{}/{}",
        percent::encode_path(&object.bucket),
        percent::encode_path(&object.key)
    );
    if let Some(v) = &object.version_id {
        s.push_str("?versionId=");
        s.push_str(&percent::encode(v));
    }
    s
}

/// CopyObject from `src` to `dst`; with metadata options given the object's metadata is replaced by them
/// (`REPLACE`), else kept (`COPY`); encryption, storage class and ACL apply either way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyObject<'a> {
    /// The source.
    pub src: &'a ObjectRef,
    /// The destination.
    pub dst: &'a ObjectRef,
    /// What the copy gets.
    pub opts: &'a ObjectOptions,
}

impl Operation for CopyObject<'_> {
    type Output = ();

    fn request(&self) -> S3Request {
        let mut r = S3Request::object("PUT", &self.dst.bucket, &self.dst.key)
            .header("x-amz-copy-source", source(self.src))
            .header(
                "x-amz-metadata-directive",
                if self.opts.sets_metadata() {
                    "REPLACE"
                } else {
                    "COPY"
                },
            );
        for (n, v) in self.opts.headers() {
            r = r.header(n, v);
        }
        r
    }

    fn what(&self) -> String {
        format!("CopyObject {} to {}", self.src, self.dst)
    }

    fn parse(&self, _: Response) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_is_encoded_and_metadata_replaced_only_when_given() {
        let (src, dst) = (ObjectRef::new("a", "x y/z"), ObjectRef::new("b", "k"));
        let copy = |opts| CopyObject {
            src: &src,
            dst: &dst,
            opts,
        };
        let none = ObjectOptions::default();
        let r = copy(&none).request();
        assert!(
            r.headers
                .contains(&("x-amz-copy-source".into(), "/a/x%20y/z".into()))
        );
        assert!(
            r.headers
                .contains(&("x-amz-metadata-directive".into(), "COPY".into()))
        );
        let opts = ObjectOptions {
            metadata: vec![("a".into(), "b".into())],
            ..ObjectOptions::default()
        };
        assert!(
            copy(&opts)
                .request()
                .headers
                .contains(&("x-amz-metadata-directive".into(), "REPLACE".into()))
        );
        assert_eq!(
            source(&ObjectRef::new("a", "k").at_version("v/1")),
            "/a/k?versionId=v%2F1"
        );
    }
}
