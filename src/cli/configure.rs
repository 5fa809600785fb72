//! `awl configure list` and `awl configure` on the terminal.

use crate::cli::args::{Args, Globals, Output};
use crate::cli::context::{flags, load};
use crate::cli::terminal::print_out;
use crate::config::configure;
use crate::config::resolve::select_profile;
use crate::error::{Error, ErrorKind, ProfileProblem, Result};
use crate::fs;
use std::io::{self, BufRead, IsTerminal};

/// An `awl configure` command.
#[derive(Debug, PartialEq, Eq)]
pub enum ConfigureCommand {
    /// `awl configure`: the questions of `aws configure`.
    Interactive,
    /// `awl configure list`: every setting and its source.
    List,
}

impl ConfigureCommand {
    /// `awl configure`.
    pub fn interactive(args: &Args) -> Result<Self> {
        args.no_positionals()?;
        Ok(ConfigureCommand::Interactive)
    }

    /// `awl configure list`.
    pub fn list(args: &Args) -> Result<Self> {
        args.no_positionals()?;
        Ok(ConfigureCommand::List)
    }
}

/// Runs an `awl configure` command.
pub(crate) fn run(globals: &Globals, command: &ConfigureCommand) -> Result<()> {
    match command {
        ConfigureCommand::Interactive => interactive(globals),
        ConfigureCommand::List => list(globals),
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
fn ask(q: &configure::Question) -> Result<String> {
    let prompt = format!("{} [{}]: ", q.label, q.shown);
    let stdin = io::stdin();
    if q.secret && stdin.is_terminal() {
        return rpassword::prompt_password(&prompt)
            .map_err(|e| Error::new(ErrorKind::Other, "cannot read from the terminal").with_source(e));
    }
    print_out(&prompt)?;
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::new(ErrorKind::Other, "cannot read standard input").with_source(e))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn interactive(globals: &Globals) -> Result<()> {
    let l = load()?;
    let profile = select_profile(globals.profile.as_deref(), &l.env).value;
    let changes = configure::interactive(
        &profile,
        &l.config,
        &l.credentials,
        &l.config.text,
        &l.credentials.text,
        &mut |q| ask(q),
    )?;
    if let Some(text) = changes.credentials {
        fs::write_file(&l.credentials.path, &l.credentials.display, text.as_bytes())?;
    }
    if let Some(text) = changes.config {
        fs::write_file(&l.config.path, &l.config.display, text.as_bytes())?;
    }
    Ok(())
}
