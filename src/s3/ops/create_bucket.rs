//! CreateBucket in a region: the LocationConstraint outside us-east-1, and what its refusals mean.

use crate::error::{Error, Result};
use crate::s3::operation::Operation;
use crate::s3::request::S3Request;
use crate::transport::request::{Body, Response};

/// CreateBucket of `bucket` in `region`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateBucket<'a> {
    /// The bucket.
    pub bucket: &'a str,
    /// Its region (the client's).
    pub region: &'a str,
}

/// The CreateBucket body for a region: its LocationConstraint, or none for us-east-1.
fn body(region: &str) -> Option<String> {
    (region != "us-east-1").then(|| {
        format!(
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
             <LocationConstraint>{region}</LocationConstraint></CreateBucketConfiguration>"
        )
    })
}

/// What to do about a refusal, by its error code.
fn hint(code: &str) -> Option<&'static str> {
    match code {
        "BucketAlreadyOwnedByYou" => Some("use --exists-ok to accept a bucket you own"),
        "BucketAlreadyExists" => Some("someone else owns this name: bucket names are global; choose another"),
        "IllegalLocationConstraintException" | "InvalidLocationConstraint" => {
            Some("the region of the request and the bucket's LocationConstraint disagree; check --region")
        }
        _ => None,
    }
}

impl Operation for CreateBucket<'_> {
    type Output = ();

    fn request(&self) -> S3Request {
        let body = body(self.region).map_or(Body::Empty, |b| Body::from_bytes(b.into_bytes()));
        // The bucket is made in the region asked, not followed elsewhere.
        S3Request::new("PUT", Some(self.bucket), "")
            .body(body)
            .in_known_region()
    }

    fn what(&self) -> String {
        format!("CreateBucket {}", self.bucket)
    }

    fn parse(&self, _: Response) -> Result<()> {
        Ok(())
    }

    fn refused(&self, err: Error) -> Result<()> {
        let code = err.service_code().unwrap_or_default().to_owned();
        let err = match err.service_facts() {
            Some(facts) if code == "BucketAlreadyOwnedByYou" => {
                Error::service(format!("{}: you already own it", self.what()), facts.clone())
                    .with_attempts(err.attempts())
            }
            _ => err,
        };
        Err(err.with_hint_if(hint(&code)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_constraint_outside_us_east_1_only() {
        assert_eq!(body("us-east-1"), None);
        assert!(
            body("ap-southeast-2")
                .is_some_and(|b| b.contains("<LocationConstraint>ap-southeast-2</LocationConstraint>"))
        );
        let op = CreateBucket {
            bucket: "b",
            region: "us-east-1",
        };
        assert_eq!(op.request().body, Body::Empty);
        assert!(!op.request().follow_region);
    }
}
