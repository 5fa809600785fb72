//! `awl s3 mb` and `awl s3 rb`: make a bucket in the profile's region; remove one, with `--force` after
//! deleting its objects, then every version and delete marker a versioned bucket keeps (the AWS CLI stops
//! there with BucketNotEmpty), and aborting its unfinished multipart uploads (so that none is left billed).

use crate::cli::args::Args;
use crate::cli::context::Ctx;
use crate::cli::s3::flags::Say;
use crate::cli::s3::report::Reporter;
use crate::cli::s3::{rm, with_s3};
use crate::cli::terminal::print_out;
use crate::error::{Error, Result};
use crate::s3::address::parse_s3_url;
use crate::s3::client::S3;
use crate::s3::object::ObjectRef;
use crate::s3::ops::create_bucket::CreateBucket;
use crate::s3::ops::delete::DeleteBucket;
use crate::s3::ops::list_uploads::ListMultipartUploads;
use crate::s3::ops::list_versions::ListObjectVersions;
use crate::s3::ops::multipart::{AbortMultipartUpload, Upload};
use crate::s3::ops::options::ObjectOptions;
use crate::s3::sync::filter::Filters;
use crate::s3::sync::root::Root;
use crate::s3::sync::{Options, remove_versions};
use crate::s3::transfer::config::TransferConfig;
use std::io::Write;

/// A bucket from `s3://bucket` and nothing more.
fn bucket_only(args: &Args) -> Result<String> {
    let mut target = None;
    for a in &args.positionals {
        match a.as_str() {
            s if s.starts_with("s3://") && target.is_none() => target = Some(s),
            other => return Err(args.usage(format!("'{}' does not take '{other}'", args.command()))),
        }
    }
    let url = target.ok_or_else(|| args.usage(format!("'{}' needs s3://bucket", args.command())))?;
    let (bucket, key) = parse_s3_url(url)?;
    if !key.is_empty() {
        return Err(Error::usage(format!(
            "{url} names a key; '{}' takes s3://bucket",
            args.command()
        ))
        .with_hint(format!("write s3://{bucket}")));
    }
    Ok(bucket)
}

/// `mb` or `rb` of a bucket.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BucketCommand {
    /// The bucket.
    pub(crate) bucket: String,
    /// `mb --exists-ok`, or `rb --force`.
    pub(crate) forced: bool,
}

impl BucketCommand {
    /// `awl s3 mb`.
    pub(crate) fn mb(args: &Args) -> Result<Self> {
        Ok(BucketCommand {
            bucket: bucket_only(args)?,
            forced: args.flag("--exists-ok"),
        })
    }

    /// `awl s3 rb`.
    pub(crate) fn rb(args: &Args) -> Result<Self> {
        Ok(BucketCommand {
            bucket: bucket_only(args)?,
            forced: args.flag("--force"),
        })
    }
}

/// Runs `mb`.
pub(crate) fn make(ctx: &Ctx<'_>, b: &BucketCommand) -> Result<u8> {
    let bucket = &b.bucket;
    with_s3(ctx, None, |s3| {
        match s3.run(&CreateBucket {
            bucket,
            region: s3.region(),
        }) {
            Ok(()) => print_out(&format!("make_bucket: {bucket}\n")),
            Err(e) if b.forced && e.service_code() == Some("BucketAlreadyOwnedByYou") => {
                print_out(&format!("make_bucket: {bucket} (you already own it)\n"))
            }
            Err(e) => Err(refused(e)),
        }
    })?;
    Ok(0)
}

/// The service's refusal of `mb` or `rb` (a bucket you own already, one that is not empty) exits 1, as the
/// AWS CLI's `make_bucket failed` and `remove_bucket failed` do; other errors keep their codes.
fn refused(e: Error) -> Error {
    if e.service_facts().is_some() {
        e.with_kind(crate::error::ErrorKind::Transfer)
    } else {
        e
    }
}

/// Runs `rb`.
pub(crate) fn remove(ctx: &Ctx<'_>, b: &BucketCommand) -> Result<u8> {
    let bucket = &b.bucket;
    with_s3(ctx, None, |s3| {
        if b.forced {
            // Emptied as `rm --recursive` would, then the uploads in progress aborted: S3 refuses to delete
            // a bucket that still has either.
            let root = Root::S3 {
                bucket: bucket.clone(),
                prefix: String::new(),
            };
            let reporter = Reporter::new(Say::All, false, ctx.interrupt);
            let failed = rm::remove_all(s3, &root, &Filters::default(), &reporter, false)?;
            if failed > 0 {
                return Err(Error::transfer(format!(
                    "{failed} objects of {bucket} could not be deleted; the bucket stays"
                )));
            }
            let failed = remove_every_version(s3, bucket, &reporter)?;
            if failed > 0 {
                return Err(Error::transfer(format!(
                    "{failed} versions or delete markers of {bucket} could not be deleted; the bucket stays"
                )));
            }
            let listing = ListMultipartUploads {
                bucket: bucket.clone(),
            };
            match s3.pages(listing).collect::<Result<Vec<_>>>() {
                Ok(pages) => {
                    for u in pages.into_iter().flatten() {
                        let upload = Upload {
                            target: ObjectRef::new(bucket.clone(), u.key),
                            id: u.upload_id,
                        };
                        s3.run(&AbortMultipartUpload(&upload))?;
                    }
                }
                // A store without ListMultipartUploads (s3s-fs) cannot say what is in progress; S3 itself
                // always can. The bucket is then deleted as far as the store allows, with a word about it.
                Err(e) if e.service_code() == Some("NotImplemented") => {
                    let _ = writeln!(
                        std::io::stderr(),
                        "warning: the server cannot list uploads in progress (NotImplemented); none were aborted"
                    );
                }
                Err(e) => return Err(e),
            }
        }
        s3.run(&DeleteBucket(bucket)).map_err(refused)?;
        print_out(&format!("remove_bucket: {bucket}\n"))
    })?;
    Ok(0)
}

/// Deletes every version and delete marker of `bucket`, each reported as `delete: s3://bucket/key (version
/// ID)`; the number that could not be deleted. `rm` only hides the objects of a versioned bucket behind
/// delete markers, and S3 refuses to delete a bucket that keeps any version or marker.
fn remove_every_version(s3: &S3<'_>, bucket: &str, reporter: &Reporter) -> Result<usize> {
    let spill = crate::config::env::temp_dir();
    let options = Options {
        filters: &Filters::default(),
        follow: false,
        opts: &ObjectOptions::default(),
        cfg: &TransferConfig::default(),
        dryrun: false,
        spill: &spill,
    };
    match remove_versions(s3, &ListObjectVersions::new(bucket, ""), &options, &|e| {
        reporter.event(e)
    }) {
        Ok(outcome) => Ok(outcome.failed),
        // A store without ListObjectVersions (s3s-fs keeps none), or a policy without s3:ListBucketVersions
        // (what the AWS CLI's rb --force needs is enough for an unversioned bucket): whatever versions are
        // kept, DeleteBucket refuses to delete the bucket, so nothing is hidden by going on.
        Err(e) if e.service_code() == Some("NotImplemented") => Ok(0),
        Err(e) if e.service_code().is_some() => {
            let _ = writeln!(
                std::io::stderr(),
                "warning: ListObjectVersions was refused ({}); no versions were deleted",
                e.service_code().unwrap_or_default()
            );
            Ok(0)
        }
        Err(e) => Err(e),
    }
}
