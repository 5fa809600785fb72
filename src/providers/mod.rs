//! Executing a credential chain ([`chain`]): the AWS CLI's credential cache ([`cache`]), EC2 instance metadata
//! ([`imds`]), container endpoints ([`container`]) `credential_process` programs ([`process`]) and IAM Identity Center
//! ([`sso`]).

pub mod cache;
pub mod chain;
pub mod container;
pub mod imds;
pub mod process;
pub mod sso;
