//! `awl s3 presign`: a presigned GET URL for one object (never for a whole bucket).

use crate::cli::args::Args;
use crate::cli::context::Ctx;
use crate::cli::s3::with_s3;
use crate::cli::terminal::print_out;
use crate::error::{Error, Result};
use crate::s3::address::parse_s3_url;
use crate::s3::object::ObjectRef;
use std::time::Duration;

/// `awl s3 presign`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PresignCommand {
    /// The bucket.
    pub(crate) bucket: String,
    /// The key.
    pub(crate) key: String,
    /// How long the URL works.
    pub(crate) expires: Duration,
}

impl PresignCommand {
    /// `awl s3 presign`.
    pub(crate) fn from_args(args: &Args) -> Result<Self> {
        let [url] = args.positionals.as_slice() else {
            return Err(args.usage("'awl s3 presign' takes one s3://bucket/key"));
        };
        let expires = match args.value("--expires-in") {
            None => 3600,
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=604_800).contains(n))
                .ok_or_else(|| {
                    Error::usage(format!("--expires-in {v:?} must be 1 to 604800 seconds (7 days)"))
                        .with_hint("write '--expires-in 3600' (the default, one hour)")
                })?,
        };
        let (bucket, key) = parse_s3_url(url)?;
        // A URL without a key would let whoever holds it list the whole bucket.
        if key.is_empty() {
            return Err(Error::usage(format!(
                "{url} names no object; 'awl s3 presign' signs one object"
            ))
            .with_hint("write it as s3://bucket/key"));
        }
        Ok(PresignCommand {
            bucket,
            key,
            expires: Duration::from_secs(expires),
        })
    }
}

/// Runs `presign`.
pub(crate) fn run(ctx: &Ctx<'_>, p: &PresignCommand) -> Result<u8> {
    with_s3(ctx, None, |s3| {
        print_out(&format!(
            "{}\n",
            s3.presign_get(&ObjectRef::new(p.bucket.clone(), p.key.clone()), p.expires)?
        ))
    })?;
    Ok(0)
}
