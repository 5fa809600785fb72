//! CopyObject: a server-side copy of an object below 5 GiB, its metadata kept or replaced.

use crate::codec::percent;
use crate::s3::ops::options::ObjectOptions;
use crate::s3::request::S3Request;

/// The `x-amz-copy-source` of `bucket`/`key`: `/bucket/key`, percent-encoded, `/` kept.
pub fn source(bucket: &str, key: &str) -> String {
    format!("/{}/{}", percent::encode_path(bucket), percent::encode_path(key))
}

/// CopyObject from `src` (bucket, key) to `dst`; with metadata options given the object's metadata is
/// replaced by them (`REPLACE`), else kept (`COPY`); encryption, storage class and ACL apply either way.
pub fn request(src: (&str, &str), dst: (&str, &str), opts: &ObjectOptions) -> S3Request {
    let mut r = S3Request::new("PUT", Some(dst.0), dst.1)
        .header("x-amz-copy-source", source(src.0, src.1))
        .header(
            "x-amz-metadata-directive",
            if opts.sets_metadata() { "REPLACE" } else { "COPY" },
        );
    for (n, v) in opts.headers() {
        r = r.header(n, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_is_encoded_and_metadata_replaced_only_when_given() {
        let r = request(("a", "x y/z"), ("b", "k"), &ObjectOptions::default());
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
        let r = request(("a", "x"), ("b", "k"), &opts);
        assert!(
            r.headers
                .contains(&("x-amz-metadata-directive".into(), "REPLACE".into()))
        );
    }
}
