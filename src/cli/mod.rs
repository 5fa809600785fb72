//! The command line, in the AWS CLI's shape (`awl [options] <command> <subcommand> [parameters]`): the table
//! of commands and options (`spec`), reading the arguments (`args`) into a typed command (`command`), the
//! help pages (`help`), the terminal (`terminal`), what commands need from the world (`context`), and one
//! file per command group. Only this module talks to the terminal.

//!
//! Its internals are the binary's own (`pub(crate)`): a library user runs S3 and STS through
//! [`s3`](crate::s3), [`sts`](crate::sts) and [`session`](crate::session), and only [`run`] and [`parse`]
//! are public here.

pub(crate) mod args;
pub(crate) mod command;
pub(crate) mod completion;
pub(crate) mod configure;
mod context;
pub(crate) mod document;
pub(crate) mod export;
pub(crate) mod help;
pub(crate) mod output;
pub(crate) mod s3;
pub(crate) mod s3api;
pub(crate) mod spec;
pub(crate) mod sso;
pub(crate) mod sts;
mod terminal;

use crate::cli::command::{Command, Invocation};
use crate::cli::context::Ctx;
use crate::cli::terminal::print_out;
use crate::error::Result;
use crate::interrupt::Interrupt;
use std::ffi::OsString;
use std::sync::Arc;

/// Runs the command line `args` (without the program name), with `interrupt` for what a signal must undo;
/// returns the exit code.
pub fn run(args: Vec<OsString>, interrupt: &Arc<Interrupt>) -> Result<u8> {
    let done = |r: Result<()>| r.map(|()| 0);
    match command::parse(args)? {
        Invocation::Version => done(print_out(&format!("awl {}\n", env!("CARGO_PKG_VERSION")))),
        Invocation::Help(words) => done(print_out(&help::help_text(&words))),
        Invocation::Command { globals, command } => {
            let ctx = Ctx {
                globals: &globals,
                interrupt,
            };
            match &command {
                Command::S3(c) => s3::run(&ctx, c),
                Command::S3api(c) => s3api::run(&ctx, c),
                Command::Sts(c) => done(sts::run(&ctx, c)),
                Command::Sso(c) => done(sso::run(&ctx, c)),
                Command::Configure(c) => configure::run(&ctx, c),
                Command::Export(c) => export::run(&ctx, c),
                Command::Completion(shell) => done(completion::run(*shell)),
            }
        }
    }
}

/// A command line as awl reads it, before anything runs (for the fuzzers and the tests of the parser). Its
/// `Debug` form hides secrets, as the parsed command's does.
pub struct Parsed(Invocation);

impl std::fmt::Debug for Parsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Parsed {
    /// The help page the arguments ask for, if they ask for one.
    pub fn help_page(&self) -> Option<String> {
        match &self.0 {
            Invocation::Help(words) => Some(help::help_text(words)),
            _ => None,
        }
    }

    /// Whether the arguments name a command to run (not `--version` or help).
    pub fn is_command(&self) -> bool {
        matches!(self.0, Invocation::Command { .. })
    }
}

/// Reads the command line `args` (without the program name) as [`run`] would, running nothing.
pub fn parse(args: Vec<OsString>) -> Result<Parsed> {
    command::parse(args).map(Parsed)
}
