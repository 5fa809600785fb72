//! Transfers of whole files and objects: when uploads go multipart and in what parts ([`config`]), hashing
//! ([`hash`]), content types ([`content_type`]), the one multipart lifecycle ([`multipart`]) that uploads
//! ([`upload`], resumed from a record by [`resume`]) and copies ([`copy`]) share, and downloads
//! ([`download`]), in parallel pieces ([`pieces`], [`parallel`]) landing in [`sink`]s; the parts of either
//! on a [`pool`] of threads.

pub mod config;
pub mod content_type;
pub mod copy;
pub mod download;
pub mod hash;
pub mod multipart;
pub mod parallel;
pub mod pieces;
pub mod pool;
pub mod resume;
pub mod sink;
pub mod upload;
