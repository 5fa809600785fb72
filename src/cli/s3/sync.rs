//! `awl s3 sync SRC DST`: the two roots listed as they stream, joined by key, each key decided by the AWS
//! CLI's rules ([`plan`](crate::s3::sync::plan)), the copies run on one pool, and with `--delete` what the
//! source lacks deleted, but only once both listings completed and every transfer succeeded.

use crate::cli::args::Args;
use crate::cli::context::Ctx;
use crate::cli::s3::flags::{self, Say};
use crate::cli::s3::many::{self, Root, entries};
use crate::cli::s3::report::Reporter;
use crate::cli::s3::with_s3;
use crate::error::Result;
use crate::s3::ops::options::ObjectOptions;
use crate::s3::sync::filter::Filters;
use crate::s3::sync::plan::{Direction, Rules, Step, decide, join};
use crate::s3::sync::run::{Job, Op, Runner};
use crate::s3::transfer::config::TransferConfig;
use std::sync::atomic::{AtomicBool, Ordering};

/// `awl s3 sync`.
#[derive(Debug, PartialEq, Eq)]
pub struct SyncCommand {
    /// The source root, as given.
    pub src: String,
    /// The destination root, as given.
    pub dst: String,
    /// `--delete`, `--size-only`, `--exact-timestamps`.
    pub rules: Rules,
    /// What uploads and copies set on objects.
    pub opts: ObjectOptions,
    /// Multipart threshold, part size and concurrency.
    pub transfer: TransferConfig,
    /// `--exclude` / `--include`.
    pub filters: Filters,
    /// `--dryrun`.
    pub dryrun: bool,
    /// Links followed in local folders.
    pub follow: bool,
    /// How much is printed.
    pub say: Say,
}

impl SyncCommand {
    /// `awl s3 sync`.
    pub fn from_args(args: &Args) -> Result<Self> {
        let [src, dst] = args.positionals.as_slice() else {
            return Err(args.usage("'awl s3 sync' takes a source and a destination"));
        };
        if !src.starts_with("s3://") && !dst.starts_with("s3://") {
            return Err(args.usage("one of the two must be an s3:// URL"));
        }
        Ok(SyncCommand {
            src: src.clone(),
            dst: dst.clone(),
            rules: Rules {
                size_only: args.flag("--size-only"),
                exact_timestamps: args.flag("--exact-timestamps"),
                delete: args.flag("--delete"),
            },
            opts: flags::object_options(args)?,
            transfer: flags::transfer(args, TransferConfig::default().max_concurrency)?,
            filters: flags::filters(args),
            dryrun: args.flag("--dryrun"),
            follow: !args.flag("--no-follow-symlinks"),
            say: Say::from_args(args),
        })
    }
}

/// Runs `sync`; the exit code.
pub(crate) fn run(ctx: &Ctx<'_>, cmd: &SyncCommand) -> Result<u8> {
    let (src, dst) = (Root::parse(&cmd.src)?, Root::parse(&cmd.dst)?);
    let direction = match (src.is_s3(), dst.is_s3()) {
        (false, true) => Direction::Upload,
        (true, false) => Direction::Download,
        (true, true) => Direction::Copy,
        (false, false) => return Err(many::both_local("sync")),
    };
    many::apart(&src, &dst)?;
    let op = match direction {
        Direction::Upload => Op::Upload,
        Direction::Download => Op::Download,
        Direction::Copy => Op::Copy,
    };
    if let many::Root::Local(dir) = &src
        && !dir.is_dir()
    {
        return Err(
            crate::error::Error::usage(format!("{} is not a folder", dir.display()))
                .with_hint("sync takes a folder or an s3:// prefix on each side"),
        );
    }
    let reporter = Reporter::new(cmd.say, cmd.dryrun);
    let failed = with_s3(ctx, Some(cmd.transfer.max_concurrency), |s3| {
        let listing_failed = AtomicBool::new(false);
        let mut first_error = None;
        let pairs = join(
            entries(&src, s3, &cmd.filters, cmd.follow, &reporter),
            entries(&dst, s3, &cmd.filters, cmd.follow, &reporter),
        );
        // The plan stops at the first listing error: what comes after it cannot be compared.
        let pairs = pairs.map_while(|pair| {
            pair.map_err(|e| {
                listing_failed.store(true, Ordering::Relaxed);
                first_error.get_or_insert(e);
            })
            .ok()
        });
        let jobs = pairs.filter_map(|(s, d)| {
            // A zero-byte folder marker is not a file to download, as the AWS CLI skips it.
            let marker = |e: &Option<crate::s3::sync::plan::Entry>| {
                e.as_ref().is_some_and(|e| e.key.ends_with('/') && e.size == 0)
            };
            if direction == Direction::Download && marker(&s) {
                return None;
            }
            let step = decide(direction, &cmd.rules, s.as_ref(), d.as_ref())?;
            let (key, job_op, size) = match &step {
                Step::Copy(e) => (&e.key, op, Some(e.size)),
                Step::Delete(e) => (&e.key, Op::Delete, None),
            };
            let places = match step {
                Step::Copy(_) => src.place(key).and_then(|a| Ok((a, dst.place(key)?))),
                Step::Delete(_) => dst.place(key).map(|p| (p.clone(), p)),
            };
            match places {
                Ok((a, b)) => Some(Job {
                    op: job_op,
                    src: a,
                    dst: b,
                    size,
                }),
                Err(why) => {
                    reporter.skip(&format!("{}{key}", cmd.src.trim_end_matches('/')), &why);
                    None
                }
            }
        });
        let runner = Runner {
            s3,
            opts: &cmd.opts,
            cfg: &cmd.transfer,
            dryrun: cmd.dryrun,
            report: &|e| reporter.event(e),
        };
        // Deletes wait for both listings to be complete, and for a source read whole: a folder that could
        // not be read would otherwise look empty, and its copies at the destination would go.
        let complete = || !listing_failed.load(Ordering::Relaxed) && reporter.skipped() == 0;
        let outcome = runner.run(jobs, &complete);
        if outcome.withheld > 0 {
            let why = if reporter.skipped() > 0 {
                "something was skipped, so the source may be incomplete"
            } else {
                "a listing or a transfer failed"
            };
            reporter.withheld(outcome.withheld, why);
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(outcome.failed),
        }
    })?;
    Ok(reporter.exit_code(failed))
}
