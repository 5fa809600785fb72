//! HeadBucket: whether a bucket is there and yours to use, and the region it is in.

use crate::error::Result;
use crate::s3::operation::Operation;
use crate::s3::request::S3Request;
use crate::transport::request::Response;

/// HeadBucket of a bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadBucket<'a>(pub &'a str);

/// What HeadBucket says of a bucket.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BucketHead {
    /// `x-amz-bucket-region`, when the server names it.
    pub region: Option<String>,
}

impl Operation for HeadBucket<'_> {
    type Output = BucketHead;

    fn request(&self) -> S3Request {
        S3Request::new("HEAD", Some(self.0), "")
    }

    fn what(&self) -> String {
        format!("HeadBucket {}", self.0)
    }

    fn parse(&self, resp: Response) -> Result<BucketHead> {
        Ok(BucketHead {
            region: resp.header("x-amz-bucket-region").map(str::to_owned),
        })
    }
}
