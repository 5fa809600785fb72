//! One file per S3 operation, as rusty-s3 has an action per operation: a value that implements
//! [`Operation`](crate::s3::operation::Operation) (its request and the parser of its answer), or, for a
//! listing, [`Listing`](crate::s3::paginate::Listing).

pub mod copy_object;
pub mod create_bucket;
pub mod delete;
pub mod get_object;
pub mod head_bucket;
pub mod head_object;
pub mod list_buckets;
pub mod list_objects;
pub mod list_parts;
pub mod list_uploads;
pub mod list_versions;
pub mod multipart;
pub mod options;
pub mod put_object;
