//! Transfers of whole files and objects: when uploads go multipart and in what parts ([`config`]), hashing
//! ([`hash`]), content types ([`content_type`]), uploads ([`upload`]) and downloads ([`download`]).

pub mod config;
pub mod content_type;
pub mod copy;
pub mod download;
pub mod hash;
pub mod upload;
