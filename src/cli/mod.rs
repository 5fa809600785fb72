//! The command line, in the AWS CLI's shape (`awl [options] <command> <subcommand> [parameters]`): the table
//! of commands and options ([`spec`]), reading the arguments ([`args`]) into a typed command ([`command`]),
//! the help pages ([`help`]), the terminal (`terminal`), what commands need from the world (`context`),
//! and one file per command group. Only this module talks to the terminal.

pub mod args;
pub mod command;
pub mod completion;
pub mod configure;
mod context;
pub mod export;
pub mod help;
pub mod s3;
pub mod spec;
pub mod sts;
mod terminal;

use crate::cli::command::{Command, Invocation, parse};
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
    match parse(args)? {
        Invocation::Version => done(print_out(&format!("awl {}\n", env!("CARGO_PKG_VERSION")))),
        Invocation::Help(words) => done(print_out(&help::help_text(&words))),
        Invocation::Command { globals, command } => {
            let ctx = Ctx {
                globals: &globals,
                interrupt,
            };
            match &command {
                Command::S3(c) => s3::run(&ctx, c),
                Command::Sts(c) => done(sts::run(&ctx, c)),
                Command::Configure(c) => done(configure::run(&ctx, c)),
                Command::Export(c) => export::run(&ctx, c),
                Command::Completion(shell) => done(completion::run(*shell)),
            }
        }
    }
}
