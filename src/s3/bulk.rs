//! Operations on many keys: deletes in batches of 1,000 (per-key failures reported), and the uploads in
//! progress of a bucket (listed, aborted), for `rm --recursive`, `sync --delete` and `rb --force`.

use crate::error::Result;
use crate::s3::client::S3;
use crate::s3::ops::delete::{self, Failure, MAX_KEYS};
use crate::s3::ops::list_uploads::{self, InProgress};
use crate::s3::ops::multipart::{self, Upload};

impl S3<'_> {
    /// Deletes `keys` of `bucket`, 1,000 a call; the keys S3 could not delete, with why.
    pub fn delete_keys(&self, bucket: &str, keys: &[String]) -> Result<Vec<Failure>> {
        let mut failed = Vec::new();
        for batch in keys.chunks(MAX_KEYS) {
            let resp = self.call(
                &delete::objects(bucket, batch),
                &format!("DeleteObjects s3://{bucket}"),
            )?;
            failed.extend(delete::parse_objects(&resp.body)?);
        }
        Ok(failed)
    }

    /// Deletes one object. An empty key is refused: `DELETE /bucket/` is DeleteBucket.
    pub fn delete_key(&self, bucket: &str, key: &str) -> Result<()> {
        if key.is_empty() {
            return Err(crate::error::Error::usage(format!(
                "s3://{bucket}/ names no object to delete"
            )));
        }
        self.call(
            &delete::object(bucket, key),
            &format!("DeleteObject s3://{bucket}/{key}"),
        )
        .map(|_| ())
    }

    /// Deletes a bucket (which must be empty).
    pub fn delete_bucket(&self, bucket: &str) -> Result<()> {
        self.call(&delete::bucket(bucket), &format!("DeleteBucket {bucket}"))
            .map(|_| ())
    }

    /// Every multipart upload in progress in `bucket`.
    pub fn uploads_in_progress(&self, bucket: &str) -> Result<Vec<InProgress>> {
        let mut all = Vec::new();
        let mut after: Option<(String, String)> = None;
        loop {
            let req = list_uploads::request(bucket, after.as_ref().map(|(k, i)| (k.as_str(), i.as_str())));
            let resp = self.call(&req, &format!("ListMultipartUploads s3://{bucket}"))?;
            let (page, next) = list_uploads::parse(&resp.body)?;
            all.extend(page);
            match next {
                Some(n) if Some(&n) != after.as_ref() => after = Some(n),
                _ => return Ok(all),
            }
        }
    }

    /// Aborts an upload in progress.
    pub fn abort_upload(&self, bucket: &str, u: &InProgress) -> Result<()> {
        let up = Upload {
            bucket,
            key: &u.key,
            id: &u.upload_id,
        };
        self.call(
            &multipart::abort(&up),
            &format!("AbortMultipartUpload s3://{bucket}/{}", u.key),
        )
        .map(|_| ())
    }
}
