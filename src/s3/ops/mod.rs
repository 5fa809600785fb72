//! One file per S3 operation, as rusty-s3 has an action per operation: a pure function that builds the
//! request value and one that reads the answer.

pub mod copy_object;
pub mod create_bucket;
pub mod delete;
pub mod get_object;
pub mod head_object;
pub mod list_buckets;
pub mod list_objects;
pub mod list_uploads;
pub mod multipart;
pub mod options;
pub mod put_object;
