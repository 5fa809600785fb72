//! `awl s3 sync SRC DST`: its options parsed, then the library's [`sync`](crate::s3::sync::sync) run, its
//! events printed as the AWS CLI prints them.

use crate::cli::args::Args;
use crate::cli::context::Ctx;
use crate::cli::s3::flags::{self, Say};
use crate::cli::s3::report::Reporter;
use crate::cli::s3::with_s3;
use crate::error::Result;
use crate::s3::ops::options::ObjectOptions;
use crate::s3::sync::filter::Filters;
use crate::s3::sync::plan::Rules;
use crate::s3::sync::root::{Root, apart};
use crate::s3::sync::{Options, sync};
use crate::s3::transfer::config::{REQUESTS_IN_FLIGHT, TransferConfig};

/// `awl s3 sync`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SyncCommand {
    /// The source root, as given.
    pub(crate) src: String,
    /// The destination root, as given.
    pub(crate) dst: String,
    /// `--delete`, `--size-only`, `--exact-timestamps`, `--checksum`.
    pub(crate) rules: Rules,
    /// What uploads and copies set on objects.
    pub(crate) opts: ObjectOptions,
    /// Multipart threshold, part size and concurrency.
    pub(crate) transfer: TransferConfig,
    /// `--exclude` / `--include` / `--shard`.
    pub(crate) filters: Filters,
    /// `--dryrun`.
    pub(crate) dryrun: bool,
    /// Links followed in local folders.
    pub(crate) follow: bool,
    /// How much is printed.
    pub(crate) say: Say,
}

impl SyncCommand {
    /// `awl s3 sync`.
    pub(crate) fn from_args(args: &Args) -> Result<Self> {
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
                checksum: args.flag("--checksum"),
            },
            opts: flags::object_options(args)?,
            transfer: flags::transfer(
                args,
                TransferConfig::default().max_concurrency,
                REQUESTS_IN_FLIGHT,
            )?,
            filters: flags::filters(args, true)?,
            dryrun: args.flag("--dryrun"),
            follow: !args.flag("--no-follow-symlinks"),
            say: Say::from_args(args),
        })
    }
}

/// Runs `sync`; the exit code.
pub(crate) fn run(ctx: &Ctx<'_>, cmd: &SyncCommand) -> Result<u8> {
    let (src, dst) = (Root::parse(&cmd.src)?, Root::parse(&cmd.dst)?);
    if !src.is_s3() && !dst.is_s3() {
        return Err(flags::both_local("sync"));
    }
    apart(&src, &dst)?;
    if let Root::Local(dir) = &src
        && !dir.is_dir()
    {
        return Err(
            crate::error::Error::usage(format!("{} is not a folder", dir.display()))
                .with_hint("sync takes a folder or an s3:// prefix on each side"),
        );
    }
    let reporter = Reporter::new(cmd.say, cmd.dryrun, ctx.interrupt);
    let spill = crate::config::env::temp_dir();
    let options = Options {
        filters: &cmd.filters,
        follow: cmd.follow,
        opts: &cmd.opts,
        cfg: &cmd.transfer,
        dryrun: cmd.dryrun,
        spill: &spill,
    };
    let outcome = with_s3(ctx, Some(cmd.transfer.max_requests), |s3| {
        sync(s3, &src, &dst, &cmd.rules, &options, &|e| reporter.event(e))
    })?;
    reporter.summary();
    Ok(reporter.exit_code(outcome.failed))
}
