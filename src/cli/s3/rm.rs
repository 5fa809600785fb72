//! `awl s3 rm`: one object, or with `--recursive` every object under a prefix that passes the filters,
//! deleted 1,000 keys a call (DeleteObjects), each key's failure reported.

use crate::cli::args::Args;
use crate::cli::context::Ctx;
use crate::cli::s3::flags::{self, Say};
use crate::cli::s3::many::{Root, entries};
use crate::cli::s3::report::Reporter;
use crate::cli::s3::with_s3;
use crate::error::{Error, Result};
use crate::s3::address::parse_s3_url;
use crate::s3::client::S3;
use crate::s3::ops::delete::MAX_KEYS;
use crate::s3::ops::options::ObjectOptions;
use crate::s3::sync::filter::Filters;
use crate::s3::sync::run::{Event, Job, Op, Place, Runner};
use crate::s3::transfer::config::TransferConfig;

/// `awl s3 rm`.
#[derive(Debug, PartialEq, Eq)]
pub struct RmCommand {
    /// What, as given.
    pub target: String,
    /// `--recursive`.
    pub recursive: bool,
    /// `--exclude` / `--include`.
    pub filters: Filters,
    /// `--dryrun`.
    pub dryrun: bool,
    /// How much is printed.
    pub say: Say,
}

impl RmCommand {
    /// `awl s3 rm`.
    pub fn from_args(args: &Args) -> Result<Self> {
        let [target] = args.positionals.as_slice() else {
            return Err(args.usage("'awl s3 rm' takes one s3:// URL"));
        };
        let (_, key) = parse_s3_url(target)?;
        let recursive = args.flag("--recursive");
        if key.is_empty() && !recursive {
            return Err(Error::usage(format!("{target} names no object"))
                .with_hint("write s3://bucket/key, or give --recursive to delete everything under it"));
        }
        Ok(RmCommand {
            target: target.clone(),
            recursive,
            filters: flags::filters(args),
            dryrun: args.flag("--dryrun"),
            say: Say::from_args(args),
        })
    }
}

/// Runs `rm`; the exit code.
pub(crate) fn run(ctx: &Ctx<'_>, rm: &RmCommand) -> Result<u8> {
    let reporter = Reporter::new(rm.say, rm.dryrun);
    let failed = with_s3(ctx, None, |s3| {
        if !rm.recursive {
            let (bucket, key) = parse_s3_url(&rm.target)?;
            if !rm.dryrun {
                s3.delete_key(&bucket, &key)?;
            }
            let place = Place::S3 { bucket, key };
            let job = Job {
                op: Op::Delete,
                src: place.clone(),
                dst: place,
                size: None,
            };
            reporter.event(Event::Done(&job));
            return Ok(0);
        }
        delete_under(s3, &Root::parse(&rm.target)?, &rm.filters, &reporter, rm.dryrun)
    })?;
    Ok(reporter.exit_code(failed))
}

/// Deletes every object under `root` that passes `filters`, a batch at a time as the listing goes (as the
/// AWS CLI deletes while it lists), so memory holds one batch however many keys there are; the number of
/// keys that could not be deleted. `rb --force` empties a bucket with it.
pub(crate) fn delete_under(
    s3: &S3<'_>,
    root: &Root,
    filters: &Filters,
    reporter: &Reporter,
    dryrun: bool,
) -> Result<usize> {
    let runner = Runner {
        s3,
        opts: &ObjectOptions::default(),
        cfg: &TransferConfig::default(),
        dryrun,
        report: &|e| reporter.event(e),
    };
    let mut failed = 0;
    let mut batch = Vec::with_capacity(MAX_KEYS);
    for entry in entries(root, s3, filters, false, reporter) {
        let Ok(place) = root.place(&entry?.key) else {
            continue;
        };
        batch.push(Job {
            op: Op::Delete,
            src: place.clone(),
            dst: place,
            size: None,
        });
        if batch.len() == MAX_KEYS {
            failed += runner.delete_now(std::mem::take(&mut batch)).failed;
        }
    }
    Ok(failed + runner.delete_now(batch).failed)
}
