//! `awl configure list` and `awl configure` on the terminal.

use crate::cli::args::{Args, Globals, Output};
use crate::cli::context::{Ctx, flags, load};
use crate::cli::terminal::{print_out, prompt_secret};
use crate::codec::ini::FileKind;
use crate::config::configure;
use crate::config::env::MAX_FILE;
use crate::config::resolve::select_profile;
use crate::error::{Error, ErrorKind, ProfileProblem, Result};
use crate::fs;
use crate::interrupt::Interrupt;
use std::io::{self, BufRead, IsTerminal};
use std::sync::Arc;

/// An `awl configure` command.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ConfigureCommand {
    /// `awl configure`: the questions of `aws configure`.
    Interactive,
    /// `awl configure list`: every setting and its source.
    List,
}

impl ConfigureCommand {
    /// `awl configure`.
    pub(crate) fn interactive(args: &Args) -> Result<Self> {
        args.no_positionals()?;
        Ok(ConfigureCommand::Interactive)
    }

    /// `awl configure list`.
    pub(crate) fn list(args: &Args) -> Result<Self> {
        args.no_positionals()?;
        Ok(ConfigureCommand::List)
    }
}

/// Runs an `awl configure` command.
pub(crate) fn run(ctx: &Ctx<'_>, command: &ConfigureCommand) -> Result<()> {
    match command {
        ConfigureCommand::Interactive => interactive(ctx),
        ConfigureCommand::List => list(ctx.globals),
    }
}

fn list(globals: &Globals) -> Result<()> {
    let l = load()?;
    let resolved = l.profiles.resolve(&flags(globals), &l.env)?;
    let rows = configure::list_rows(&resolved, &l.config, &l.credentials);
    match globals.output {
        Output::Json => print_out(&configure::render_json(&rows))?,
        Output::Default | Output::Text => print_out(&configure::render_text(&rows))?,
    }
    match resolved.chain {
        // No credentials at all is "not set", as the AWS CLI shows it; a broken chain is an error.
        Err(e)
            if !matches!(
                e.profile_problem(),
                Some(ProfileProblem::NotFound | ProfileProblem::NoCredentials)
            ) =>
        {
            Err(e)
        }
        _ => Ok(()),
    }
}

/// The end of input before every question was answered: nothing is written.
fn ended(q: &configure::Question) -> Error {
    Error::usage(format!(
        "the input ended before '{}' was answered; nothing was written",
        q.label
    ))
    .with_hint("answer every question (an empty line keeps the current value)")
}

/// Asks one question of `awl configure` on the terminal: the answer is read from stdin, a secret without echo
/// when stdin is a terminal.
fn ask(q: &configure::Question, interrupt: &Arc<Interrupt>) -> Result<String> {
    let prompt = format!("{} [{}]: ", q.label, q.shown);
    let stdin = io::stdin();
    if q.secret && stdin.is_terminal() {
        return prompt_secret(&prompt, interrupt)?.ok_or_else(|| ended(q));
    }
    print_out(&prompt)?;
    let mut line = String::new();
    let n = stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::new(ErrorKind::Other, "cannot read standard input").with_source(e))?;
    if n == 0 {
        print_out("\n")?;
        return Err(ended(q));
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn interactive(ctx: &Ctx<'_>) -> Result<()> {
    let l = load()?;
    let profile = select_profile(ctx.globals.profile.as_deref(), &l.env).value;
    let changes = configure::interactive(&profile, &l.config, &l.credentials, &mut |q| {
        ask(q, ctx.interrupt)
    })?;
    // Each file read again under its lock and given only these answers: what other writers did while the
    // questions were asked stays. One lock at a time, so two runs never wait on each other in a cycle.
    for (kind, file) in [
        (FileKind::Credentials, &l.credentials),
        (FileKind::Config, &l.config),
    ] {
        if changes.touches(kind) {
            fs::edit_locked(&file.path, &file.display, MAX_FILE, |text| {
                changes.apply(kind, text, &file.display)
            })?;
        }
    }
    Ok(())
}
