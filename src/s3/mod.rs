//! Amazon S3 (and S3-compatible stores): where a bucket is reached ([`address`]), what names an object
//! ([`object`]), each operation as a value ([`operation`], one file each under [`ops`], over [`request`]),
//! the client that runs them ([`client`]) and the one paginator of every listing ([`paginate`]), a recursive
//! listing folder by folder at once ([`tree`]), presigned URLs ([`presign`]), the checksums S3 stores
//! ([`checksum`]), transfers of files and objects ([`transfer`]), and many at once ([`sync`]).

pub mod address;
pub mod checksum;
pub mod client;
pub mod object;
pub mod operation;
pub mod ops;
pub mod paginate;
pub mod presign;
pub mod request;
pub mod slots;
pub mod sync;
pub mod transfer;
pub mod tree;
