//! `awl s3 cp` and `awl s3 mv`: one file, a stream (`-`) or one object, to, from or within S3; or, with
//! `--recursive`, every file under a folder or object under a prefix, on one pool. `mv` deletes each source
//! only once its copy is there.

use crate::cli::args::Args;
use crate::cli::context::Ctx;
use crate::cli::s3::flags::{self, Say};
use crate::cli::s3::report::Reporter;
use crate::cli::s3::with_s3;
use crate::cli::terminal::{Progress, print_out};
use crate::error::{Error, ErrorKind, Result};
use crate::s3::address::parse_s3_url;
use crate::s3::client::S3;
use crate::s3::object::ObjectRef;
use crate::s3::ops::head_object::HeadObject;
use crate::s3::ops::options::ObjectOptions;
use crate::s3::sync::filter::Filters;
use crate::s3::sync::root::{Root, apart};
use crate::s3::sync::run::{Job, Op, Place, Runner, check};
use crate::s3::sync::{Existing, Options, copy_tree};
use crate::s3::transfer::config::{REQUESTS_IN_FLIGHT, TransferConfig};
use std::io::{self, Write};
use std::path::PathBuf;

/// `awl s3 cp` or `awl s3 mv`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct CpCommand {
    /// Whether the sources are deleted once copied (`mv`).
    pub(crate) moving: bool,
    /// The source, as given.
    pub(crate) src: String,
    /// The destination, as given.
    pub(crate) dst: String,
    /// `--recursive`.
    pub(crate) recursive: bool,
    /// What uploads and copies set on objects.
    pub(crate) opts: ObjectOptions,
    /// Multipart threshold, part size and concurrency.
    pub(crate) transfer: TransferConfig,
    /// `--exclude` / `--include` / `--shard`.
    pub(crate) filters: Filters,
    /// `--dryrun`.
    pub(crate) dryrun: bool,
    /// `--no-overwrite`.
    pub(crate) no_overwrite: bool,
    /// `--checksum` (with `--recursive`): what the destination has is replaced only if it differs by content.
    pub(crate) checksum: bool,
    /// Links followed in local folders.
    pub(crate) follow: bool,
    /// How much is printed.
    pub(crate) say: Say,
}

impl CpCommand {
    /// `awl s3 cp` (`moving`: `awl s3 mv`).
    pub(crate) fn from_args(args: &Args, moving: bool) -> Result<Self> {
        let [src, dst] = args.positionals.as_slice() else {
            return Err(args.usage(format!("'{}' takes a source and a destination", args.command())));
        };
        if !src.starts_with("s3://") && !dst.starts_with("s3://") {
            return Err(args.usage("one of the two must be an s3:// URL"));
        }
        let recursive = args.flag("--recursive");
        // Accepted as the AWS CLI accepts it; a stream's parts grow, so no size is needed.
        if let Some(v) = args.value("--expected-size")
            && v.parse::<u64>().is_err()
        {
            return Err(args.usage(format!("--expected-size {v:?} is not a number of bytes")));
        }
        if args.flag("--checksum") && (moving || !recursive) {
            return Err(args.usage("--checksum compares the files of 'cp --recursive' (or of a sync)"));
        }
        // --no-overwrite keeps whatever the destination has: nothing would be compared.
        if args.flag("--checksum") && args.flag("--no-overwrite") {
            return Err(args.usage(
                "--checksum replaces what differs, --no-overwrite replaces nothing: give one of them",
            ));
        }
        if src == "-" && (moving || recursive) {
            return Err(args.usage("standard input ('-') can only be copied, as one object"));
        }
        if src == "-" && !dst.starts_with("s3://") {
            return Err(args.usage("standard input ('-') goes to an s3:// URL"));
        }
        // A stream's parts are held in memory: fewer of them in flight by default.
        let concurrency = if src == "-" {
            4
        } else {
            TransferConfig::default().max_concurrency
        };
        Ok(CpCommand {
            moving,
            src: src.clone(),
            dst: dst.clone(),
            recursive,
            opts: flags::object_options(args)?,
            // Many objects go many at a time; each object's parts as for one file.
            transfer: flags::transfer(
                args,
                concurrency,
                if recursive {
                    REQUESTS_IN_FLIGHT
                } else {
                    concurrency
                },
            )?,
            filters: flags::filters(args, recursive)?,
            dryrun: args.flag("--dryrun"),
            no_overwrite: args.flag("--no-overwrite"),
            checksum: args.flag("--checksum"),
            follow: !args.flag("--no-follow-symlinks"),
            say: Say::from_args(args),
        })
    }

    fn op(&self, src: &Place, dst: &Place) -> Op {
        if self.moving {
            return Op::Move;
        }
        match (src, dst) {
            (Place::Local(_), _) => Op::Upload,
            (_, Place::Local(_)) => Op::Download,
            _ => Op::Copy,
        }
    }
}

/// Runs `cp` or `mv`; the exit code.
pub(crate) fn run(ctx: &Ctx<'_>, cp: &CpCommand) -> Result<u8> {
    if cp.recursive {
        return recursive(ctx, cp);
    }
    if cp.src == "-" {
        return stream_up(ctx, cp);
    }
    if cp.dst == "-" {
        return stream_down(ctx, cp);
    }
    one(ctx, cp)
}

/// A failed transfer exits 1 (the AWS CLI's code), an interrupted one 130.
fn transfer_error(what: String, e: Error) -> Error {
    let kind = match e.kind() {
        ErrorKind::Interrupted => ErrorKind::Interrupted,
        ErrorKind::Usage => ErrorKind::Usage,
        _ => ErrorKind::Transfer,
    };
    e.context(what).with_kind(kind)
}

/// The name a file or object goes under when the destination is a folder or a prefix ending in `/`.
fn basename(s: &str) -> &str {
    s.trim_end_matches('/').rsplit('/').next().unwrap_or(s)
}

/// The source and destination of one transfer.
fn places(cp: &CpCommand) -> Result<(Place, Place)> {
    let src = if cp.src.starts_with("s3://") {
        let (bucket, key) = parse_s3_url(&cp.src)?;
        if key.is_empty() || key.ends_with('/') {
            return Err(Error::usage(format!("{} names no object", cp.src))
                .with_hint("write it as s3://bucket/key, or give --recursive"));
        }
        Place::S3(ObjectRef::new(bucket, key))
    } else {
        let path = PathBuf::from(&cp.src);
        let meta = std::fs::metadata(&path)
            .map_err(|e| Error::usage(format!("cannot read {}: {e}", path.display())))?;
        if !meta.is_file() {
            let hint = if meta.is_dir() {
                "to copy a folder, give --recursive"
            } else {
                "awl s3 cp uploads regular files (not a FIFO, device or socket); for a stream, use '-'"
            };
            return Err(Error::usage(format!("{} is not a file", path.display())).with_hint(hint));
        }
        Place::Local(path)
    };
    let name = match &src {
        Place::S3(o) => basename(&o.key).to_owned(),
        Place::Local(p) => p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let dst = if cp.dst.starts_with("s3://") {
        let (bucket, mut key) = parse_s3_url(&cp.dst)?;
        if key.is_empty() || key.ends_with('/') {
            key.push_str(&name);
        }
        Place::S3(ObjectRef::new(bucket, key))
    } else {
        let mut path = PathBuf::from(&cp.dst);
        if path.is_dir() || cp.dst.ends_with('/') {
            path.push(&name);
        }
        Place::Local(path)
    };
    Ok((src, dst))
}

/// Whether `place` already exists (for `--no-overwrite`).
fn exists(s3: &S3<'_>, place: &Place) -> Result<bool> {
    match place {
        Place::Local(p) => Ok(p.exists()),
        Place::S3(o) => match s3.run(&HeadObject::of(o)) {
            Ok(_) => Ok(true),
            Err(e) if e.status() == Some(404) => Ok(false),
            Err(e) => Err(e),
        },
    }
}

/// One file or object.
fn one(ctx: &Ctx<'_>, cp: &CpCommand) -> Result<u8> {
    let (src, dst) = places(cp)?;
    let job = Job {
        op: cp.op(&src, &dst),
        src,
        dst,
        size: None,
    };
    check(&job)?;
    let reporter = Reporter::new(cp.say, cp.dryrun, ctx.interrupt);
    let shown = format!("{} to {}", reporter.place(&job.src), reporter.place(&job.dst));
    let word = job.op.word();
    let size = match &job.src {
        Place::Local(p) => std::fs::metadata(p).ok().map(|m| m.len()),
        Place::S3(_) => None,
    };
    let progress = Progress::new(size, !cp.say.lines() || cp.say == Say::NoProgress || cp.dryrun);
    let result = with_s3(ctx, None, |s3| {
        if cp.no_overwrite && exists(s3, &job.dst)? {
            return Ok(false);
        }
        if cp.dryrun {
            return Ok(true);
        }
        let runner = Runner {
            s3,
            opts: &cp.opts,
            cfg: &cp.transfer,
            dryrun: false,
            // One job, and not a delete held back: nothing to set aside.
            spill: None,
            report: &|_| {},
        };
        runner.one(&job, &|done| progress.update(done))?;
        Ok(true)
    });
    progress.finish();
    let done = result.map_err(|e| transfer_error(format!("{word} failed: {shown}"), e))?;
    if done && cp.say.lines() {
        let dry = if cp.dryrun { "(dryrun) " } else { "" };
        print_out(&format!("{dry}{word}: {shown}\n"))?;
    }
    Ok(0)
}

/// `cp - s3://bucket/key`: standard input, in parts.
fn stream_up(ctx: &Ctx<'_>, cp: &CpCommand) -> Result<u8> {
    let (bucket, key) = parse_s3_url(&cp.dst)?;
    if key.is_empty() || key.ends_with('/') {
        return Err(
            Error::usage(format!("{} names no object; a stream needs a key", cp.dst))
                .with_hint("write it as s3://bucket/key"),
        );
    }
    let shown = format!("- to s3://{bucket}/{key}");
    // A stream upload prints nothing when it succeeds, as the AWS CLI's does; a dry run says what it would do.
    if cp.dryrun {
        if cp.say.lines() {
            print_out(&format!("(dryrun) upload: {shown}\n"))?;
        }
        return Ok(0);
    }
    let target = ObjectRef::new(bucket, key);
    with_s3(ctx, None, |s3| {
        let mut stdin = io::stdin().lock();
        s3.upload_stream(&mut stdin, &target, &cp.opts, &cp.transfer, &|_| {})
    })
    .map_err(|e| transfer_error(format!("upload failed: {shown}"), e))?;
    Ok(0)
}

/// `cp s3://bucket/key -`: to standard output.
fn stream_down(ctx: &Ctx<'_>, cp: &CpCommand) -> Result<u8> {
    let (bucket, key) = parse_s3_url(&cp.src)?;
    if key.is_empty() || key.ends_with('/') {
        return Err(
            Error::usage(format!("{} names no object", cp.src)).with_hint("write it as s3://bucket/key")
        );
    }
    with_s3(ctx, None, |s3| {
        let mut out = io::stdout().lock();
        crate::s3::transfer::download::download_to(
            s3,
            &ObjectRef::new(bucket.clone(), key.clone()),
            &mut out,
            None,
            &cp.transfer,
            &|_| {},
        )?;
        out.flush()
            .map_err(|e| Error::new(ErrorKind::Transfer, "cannot write to standard output").with_source(e))
    })
    .map_err(|e| transfer_error(format!("download failed: {} to -", cp.src), e))?;
    Ok(0)
}

/// `--recursive`: every file or object under the source root, to the same key under the destination root
/// (the library's [`copy_tree`]).
fn recursive(ctx: &Ctx<'_>, cp: &CpCommand) -> Result<u8> {
    let (src, dst) = (Root::parse(&cp.src)?, Root::parse(&cp.dst)?);
    if !src.is_s3() && !dst.is_s3() {
        return Err(flags::both_local("cp"));
    }
    apart(&src, &dst)?;
    if let Root::Local(dir) = &src
        && !dir.is_dir()
    {
        return Err(Error::usage(format!("{} is not a folder", dir.display()))
            .with_hint("--recursive copies a folder; without it, one file"));
    }
    let reporter = Reporter::new(cp.say, cp.dryrun, ctx.interrupt);
    let spill = crate::config::env::temp_dir();
    let options = Options {
        filters: &cp.filters,
        follow: cp.follow,
        opts: &cp.opts,
        cfg: &cp.transfer,
        dryrun: cp.dryrun,
        spill: &spill,
    };
    let outcome = with_s3(ctx, Some(cp.transfer.max_requests), |s3| {
        // Both together are refused when parsed.
        let existing = if cp.no_overwrite {
            Existing::Keep
        } else if cp.checksum {
            Existing::ReplaceChanged
        } else {
            Existing::Replace
        };
        copy_tree(s3, &src, &dst, cp.moving, existing, &options, &|e| {
            reporter.event(e)
        })
    })?;
    reporter.summary();
    Ok(reporter.exit_code(outcome.failed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basenames_of_keys_and_paths() {
        assert_eq!(basename("a/b/c.txt"), "c.txt");
        assert_eq!(basename("c.txt"), "c.txt");
    }
}
