//! `awl s3 rm`: one object, or with `--recursive` every object under a prefix that passes the filters,
//! deleted 1,000 keys a call (DeleteObjects), each key's failure reported.

use crate::cli::args::Args;
use crate::cli::context::Ctx;
use crate::cli::s3::flags::{self, Say};
use crate::cli::s3::report::Reporter;
use crate::cli::s3::with_s3;
use crate::error::{Error, Result};
use crate::s3::address::parse_s3_url;
use crate::s3::client::S3;
use crate::s3::object::ObjectRef;
use crate::s3::ops::delete::DeleteObject;
use crate::s3::ops::options::ObjectOptions;
use crate::s3::sync::filter::Filters;
use crate::s3::sync::root::Root;
use crate::s3::sync::run::{Event, Job, Op, Place};
use crate::s3::sync::{Options, remove_tree};
use crate::s3::transfer::config::TransferConfig;

/// `awl s3 rm`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct RmCommand {
    /// What, as given.
    pub(crate) target: String,
    /// `--recursive`.
    pub(crate) recursive: bool,
    /// `--exclude` / `--include` / `--shard`.
    pub(crate) filters: Filters,
    /// `--dryrun`.
    pub(crate) dryrun: bool,
    /// How much is printed.
    pub(crate) say: Say,
}

impl RmCommand {
    /// `awl s3 rm`.
    pub(crate) fn from_args(args: &Args) -> Result<Self> {
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
            filters: flags::filters(args, recursive)?,
            dryrun: args.flag("--dryrun"),
            say: Say::from_args(args),
        })
    }
}

/// Runs `rm`; the exit code.
pub(crate) fn run(ctx: &Ctx<'_>, rm: &RmCommand) -> Result<u8> {
    let reporter = Reporter::new(rm.say, rm.dryrun, ctx.interrupt);
    let failed = with_s3(ctx, None, |s3| {
        if !rm.recursive {
            let (bucket, key) = parse_s3_url(&rm.target)?;
            let object = ObjectRef::new(bucket, key);
            if !rm.dryrun {
                s3.run(&DeleteObject(&object))?;
            }
            let place = Place::S3(object);
            let job = Job {
                op: Op::Delete,
                src: place.clone(),
                dst: place,
                size: None,
            };
            reporter.event(Event::Done(&job));
            return Ok(0);
        }
        remove_all(s3, &Root::parse(&rm.target)?, &rm.filters, &reporter, rm.dryrun)
    })?;
    Ok(reporter.exit_code(failed))
}

/// Deletes every object under `root` that passes `filters` (see [`remove_tree`]); the number of keys that
/// could not be deleted. `rb --force` empties a bucket with it.
pub(crate) fn remove_all(
    s3: &S3<'_>,
    root: &Root,
    filters: &Filters,
    reporter: &Reporter,
    dryrun: bool,
) -> Result<usize> {
    let spill = crate::config::env::temp_dir();
    let options = Options {
        filters,
        follow: false,
        opts: &ObjectOptions::default(),
        cfg: &TransferConfig::default(),
        dryrun,
        spill: &spill,
    };
    Ok(remove_tree(s3, root, &options, &|e| reporter.event(e))?.failed)
}
