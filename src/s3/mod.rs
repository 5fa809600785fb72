//! Amazon S3 (and S3-compatible stores): where a bucket is reached ([`address`]), each operation as a request
//! value and a response parser ([`ops`], over [`request`]), the client that signs and sends them ([`client`]),
//! presigned URLs ([`presign`]), the checksums S3 stores ([`checksum`]), and transfers of files ([`transfer`]).

pub mod address;
pub mod bulk;
pub mod checksum;
pub mod client;
pub mod ops;
pub mod presign;
pub mod request;
pub mod slots;
pub mod sync;
pub mod transfer;
