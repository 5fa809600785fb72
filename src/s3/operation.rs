//! An S3 operation as a value: the request it sends and how its answer is read. The client's `S3::run`
//! addresses, signs, sends, retries, follows a region redirect and parses every one of them the same way, so
//! adding an operation is one file under `s3::ops` that implements [`Operation`], and one line naming it.

use crate::error::{Error, Result};
use crate::s3::request::S3Request;
use crate::transport::request::Response;

/// One S3 operation.
pub trait Operation {
    /// What a successful call gives.
    type Output;

    /// The request, before it is addressed and signed.
    fn request(&self) -> S3Request;

    /// The call as errors name it: `HeadObject s3://bucket/key`.
    fn what(&self) -> String;

    /// Reads a 2xx answer (one whose body is not an S3 error: those are refused before).
    fn parse(&self, resp: Response) -> Result<Self::Output>;

    /// What a refusal (a non-2xx answer, or a 200 carrying an error) becomes; the service's error by default.
    /// An operation may add a hint from the error code, or turn a refusal into a value.
    fn refused(&self, err: Error) -> Result<Self::Output> {
        Err(err)
    }
}
