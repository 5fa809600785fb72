//! CreateBucket in a region: the LocationConstraint outside us-east-1, and what its refusals mean.

use crate::s3::request::S3Request;
use crate::transport::request::Body;

/// The CreateBucket body for a region: its LocationConstraint, or none for us-east-1.
pub fn body(region: &str) -> Option<String> {
    (region != "us-east-1").then(|| {
        format!(
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
             <LocationConstraint>{region}</LocationConstraint></CreateBucketConfiguration>"
        )
    })
}

/// The request that creates `bucket` in `region`.
pub fn request(bucket: &str, region: &str) -> S3Request {
    let body = body(region).map_or(Body::Empty, |b| Body::from_bytes(b.into_bytes()));
    let mut r = S3Request::new("PUT", Some(bucket), "").body(body);
    r.follow_region = false;
    r
}

/// What to do about a refusal, by its error code.
pub fn hint(code: &str) -> Option<&'static str> {
    match code {
        "BucketAlreadyOwnedByYou" => Some("use --exists-ok to accept a bucket you own"),
        "BucketAlreadyExists" => Some("someone else owns this name: bucket names are global; choose another"),
        "IllegalLocationConstraintException" | "InvalidLocationConstraint" => {
            Some("the region of the request and the bucket's LocationConstraint disagree; check --region")
        }
        _ => None,
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
        assert_eq!(request("b", "us-east-1").body, Body::Empty);
    }
}
