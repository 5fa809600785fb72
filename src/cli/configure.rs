//! `awl configure list` and `awl configure` on the terminal.

use crate::cli::args::{Args, Globals, Output};
use crate::cli::context::{Ctx, flags, load};
use crate::cli::terminal::{print_out, prompt_secret};
use crate::config::configure;
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

/// Asks one question of `awl configure` on the terminal: the answer is read from stdin, a secret without echo
/// when stdin is a terminal.
/// The end of input before every question was answered: nothing is written.
fn ended(q: &configure::Question) -> Error {
    Error::usage(format!(
        "the input ended before '{}' was answered; nothing was written",
        q.label
    ))
    .with_hint("answer every question (an empty line keeps the current value)")
}

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
    let changes = configure::interactive(
        &profile,
        &l.config,
        &l.credentials,
        &l.config.text,
        &l.credentials.text,
        &mut |q| ask(q, ctx.interrupt),
    )?;
    if let Some(text) = changes.credentials {
        fs::write_file(&l.credentials.path, &l.credentials.display, text.as_bytes())?;
    }
    if let Some(text) = changes.config {
        fs::write_file(&l.config.path, &l.config.display, text.as_bytes())?;
    }
    Ok(())
}
