//! What an upload or a copy sets on the object it makes: content headers, server-side encryption, storage
//! class, a canned ACL and user metadata, as the headers that PutObject, CreateMultipartUpload and CopyObject
//! take.

/// Server-side encryption (`--sse`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sse {
    /// `AES256`: keys managed by S3.
    Aes256,
    /// `aws:kms`: a KMS key (the bucket's default unless one is named).
    Kms,
}

/// The options of an object written by awl.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectOptions {
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `Cache-Control`.
    pub cache_control: Option<String>,
    /// `Content-Disposition`.
    pub content_disposition: Option<String>,
    /// `Content-Encoding` (kept from the source by a copy in parts).
    pub content_encoding: Option<String>,
    /// `Content-Language` (kept from the source by a copy in parts).
    pub content_language: Option<String>,
    /// `x-amz-server-side-encryption`.
    pub sse: Option<Sse>,
    /// `x-amz-server-side-encryption-aws-kms-key-id`.
    pub sse_kms_key_id: Option<String>,
    /// `x-amz-storage-class` (`STANDARD_IA`, `GLACIER`, ...).
    pub storage_class: Option<String>,
    /// `x-amz-acl`, a canned ACL (`bucket-owner-full-control`, ...).
    pub acl: Option<String>,
    /// User metadata, `x-amz-meta-NAME` each.
    pub metadata: Vec<(String, String)>,
    /// The checksum S3 is to check and store (`--checksum-algorithm`); sent with each body, so not among
    /// [`headers`](Self::headers).
    pub checksum_algorithm: Option<crate::s3::checksum::Algorithm>,
}

impl ObjectOptions {
    /// Whether anything of the object's metadata is given (a copy then replaces it instead of keeping it).
    pub fn sets_metadata(&self) -> bool {
        self.content_type.is_some()
            || self.cache_control.is_some()
            || self.content_disposition.is_some()
            || self.content_encoding.is_some()
            || self.content_language.is_some()
            || !self.metadata.is_empty()
    }

    /// The headers, in a fixed order.
    pub fn headers(&self) -> Vec<(String, String)> {
        let mut h = Vec::new();
        let mut put = |name: &str, v: &Option<String>| {
            if let Some(v) = v {
                h.push((name.to_owned(), v.clone()));
            }
        };
        put("content-type", &self.content_type);
        put("cache-control", &self.cache_control);
        put("content-disposition", &self.content_disposition);
        put("content-encoding", &self.content_encoding);
        put("content-language", &self.content_language);
        put(
            "x-amz-server-side-encryption",
            &self.sse.map(|s| match s {
                Sse::Aes256 => "AES256".to_owned(),
                Sse::Kms => "aws:kms".to_owned(),
            }),
        );
        put(
            "x-amz-server-side-encryption-aws-kms-key-id",
            &self.sse_kms_key_id,
        );
        put("x-amz-storage-class", &self.storage_class);
        put("x-amz-acl", &self.acl);
        for (k, v) in &self.metadata {
            h.push((format!("x-amz-meta-{}", k.to_ascii_lowercase()), v.clone()));
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_is_a_header() {
        let o = ObjectOptions {
            content_type: Some("text/plain".into()),
            sse: Some(Sse::Kms),
            sse_kms_key_id: Some("alias/k".into()),
            storage_class: Some("STANDARD_IA".into()),
            acl: Some("bucket-owner-full-control".into()),
            metadata: vec![("A".into(), "b".into())],
            ..ObjectOptions::default()
        };
        let h = o.headers();
        assert!(h.contains(&("x-amz-server-side-encryption".into(), "aws:kms".into())));
        assert!(h.contains(&("x-amz-meta-a".into(), "b".into())));
        assert_eq!(h.len(), 6);
        assert!(o.sets_metadata() && !ObjectOptions::default().sets_metadata());
    }
}
