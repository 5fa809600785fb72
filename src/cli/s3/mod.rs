//! `awl s3 ...`, shaped like `aws s3`: one file per command (`ls`, `mb`/`rb`, `cp`/`mv`, `sync`, `rm`,
//! `presign`), the options they share ([`flags`]), and the lines they print ([`report`]); what
//! commands over many files do is the library's [`s3::sync`](crate::s3::sync).

pub(crate) mod bucket;
pub(crate) mod cp;
pub(crate) mod flags;
pub(crate) mod ls;
pub(crate) mod presign;
pub(crate) mod progress;
pub(crate) mod report;
pub(crate) mod rm;
pub(crate) mod sync;

use crate::cli::args::Args;
use crate::cli::context::{Ctx, Service, session_credentials, with_session_sized};
use crate::error::Result;
use crate::s3::client::S3;

/// An `awl s3` command.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum S3Command {
    /// `ls`.
    Ls(ls::LsCommand),
    /// `mb`.
    Mb(bucket::BucketCommand),
    /// `rb`.
    Rb(bucket::BucketCommand),
    /// `cp`, or `mv` (which deletes the sources).
    Cp(cp::CpCommand),
    /// `sync`.
    Sync(sync::SyncCommand),
    /// `rm`.
    Rm(rm::RmCommand),
    /// `presign`.
    Presign(presign::PresignCommand),
}

impl S3Command {
    /// `awl s3 ls`.
    pub(crate) fn ls(args: &Args) -> Result<Self> {
        ls::LsCommand::from_args(args).map(S3Command::Ls)
    }

    /// `awl s3 mb`.
    pub(crate) fn mb(args: &Args) -> Result<Self> {
        bucket::BucketCommand::mb(args).map(S3Command::Mb)
    }

    /// `awl s3 rb`.
    pub(crate) fn rb(args: &Args) -> Result<Self> {
        bucket::BucketCommand::rb(args).map(S3Command::Rb)
    }

    /// `awl s3 cp`.
    pub(crate) fn cp(args: &Args) -> Result<Self> {
        cp::CpCommand::from_args(args, false).map(S3Command::Cp)
    }

    /// `awl s3 mv`.
    pub(crate) fn mv(args: &Args) -> Result<Self> {
        cp::CpCommand::from_args(args, true).map(S3Command::Cp)
    }

    /// `awl s3 sync`.
    pub(crate) fn sync(args: &Args) -> Result<Self> {
        sync::SyncCommand::from_args(args).map(S3Command::Sync)
    }

    /// `awl s3 rm`.
    pub(crate) fn rm(args: &Args) -> Result<Self> {
        rm::RmCommand::from_args(args).map(S3Command::Rm)
    }

    /// `awl s3 presign`.
    pub(crate) fn presign(args: &Args) -> Result<Self> {
        presign::PresignCommand::from_args(args).map(S3Command::Presign)
    }
}

/// Runs `f` with S3 for the session's profile; with `slots`, at most that many requests in flight.
pub(crate) fn with_s3<T>(
    ctx: &Ctx<'_>,
    slots: Option<usize>,
    f: impl FnOnce(&S3<'_>) -> Result<T>,
) -> Result<T> {
    with_session_sized(ctx, Service::S3, slots, |session| {
        let creds = session_credentials(session, ctx)?;
        let s3 = session.s3(creds)?;
        f(&match slots {
            Some(n) => s3.with_slots(n),
            None => s3,
        })
    })
}

/// Runs an `awl s3` command; the exit code.
pub(crate) fn run(ctx: &Ctx<'_>, command: &S3Command) -> Result<u8> {
    match command {
        S3Command::Ls(c) => ls::run(ctx, c),
        S3Command::Mb(c) => bucket::make(ctx, c),
        S3Command::Rb(c) => bucket::remove(ctx, c),
        S3Command::Cp(c) => cp::run(ctx, c),
        S3Command::Sync(c) => sync::run(ctx, c),
        S3Command::Rm(c) => rm::run(ctx, c),
        S3Command::Presign(c) => presign::run(ctx, c),
    }
}
