//! `awl configure list` and `awl configure` on the terminal.

use crate::cli::args::{Args, Globals};
use crate::cli::context::{Ctx, flags, load};
use crate::cli::output::Format;
use crate::cli::terminal::{print_out, prompt_secret};
use crate::codec::ini::FileKind;
use crate::config::env::MAX_FILE;
use crate::config::resolve::select_profile;
use crate::config::{configure, dotted};
use crate::error::{Error, ErrorKind, ProfileProblem, Result};
use crate::fs;
use crate::interrupt::Interrupt;
use crate::secret::Secret;
use std::io::{self, BufRead, IsTerminal, Write};
use std::sync::Arc;

/// An `awl configure` command.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ConfigureCommand {
    /// `awl configure`: the questions of `aws configure`.
    Interactive,
    /// `awl configure list`: every setting and its source.
    List,
    /// `awl configure list-profiles`.
    ListProfiles,
    /// `awl configure get NAME`.
    Get(String),
    /// `awl configure set NAME VALUE` (the value may be a secret key: never shown).
    Set(String, Secret),
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

    /// `awl configure list-profiles`.
    pub(crate) fn list_profiles(args: &Args) -> Result<Self> {
        args.no_positionals()?;
        Ok(ConfigureCommand::ListProfiles)
    }

    /// `awl configure get NAME`.
    pub(crate) fn get(args: &Args) -> Result<Self> {
        match args.positionals.as_slice() {
            [name] => Ok(ConfigureCommand::Get(name.clone())),
            _ => Err(args.usage("'awl configure get' takes one setting name")),
        }
    }

    /// `awl configure set NAME VALUE`.
    pub(crate) fn set(args: &Args) -> Result<Self> {
        match args.positionals.as_slice() {
            [name, value] => Ok(ConfigureCommand::Set(name.clone(), Secret::new(value.clone()))),
            _ => Err(args.usage("'awl configure set' takes a setting name and a value")),
        }
    }
}

/// Runs an `awl configure` command; the exit code.
pub(crate) fn run(ctx: &Ctx<'_>, command: &ConfigureCommand) -> Result<u8> {
    let done = |r: Result<()>| r.map(|()| 0);
    match command {
        ConfigureCommand::Interactive => done(interactive(ctx)),
        ConfigureCommand::List => done(list(ctx.globals)),
        ConfigureCommand::ListProfiles => {
            let l = load()?;
            let names = dotted::profile_names(&l.config.ini, &l.credentials.ini);
            done(print_out(
                &names.iter().map(|n| format!("{n}\n")).collect::<String>(),
            ))
        }
        ConfigureCommand::Get(name) => get(ctx.globals, name),
        ConfigureCommand::Set(name, value) => done(set(ctx.globals, name, value.expose())),
    }
}

/// `configure get`: the value and exit 0, or nothing and exit 1, as the AWS CLI (`if aws configure get ...`).
fn get(globals: &Globals, name: &str) -> Result<u8> {
    let l = load()?;
    let selected = select_profile(globals.profile.as_deref(), &l.env);
    let profile = selected.value;
    // A profile asked for by name (--profile, AWS_PROFILE) that is in neither file is an error, as in the
    // AWS CLI (ProfileNotFound), for a name that reads the current profile.
    if !name.contains('.')
        && !l.profiles.contains(&profile)
        && selected.source != crate::config::profiles::Source::Default
    {
        return Err(Error::profile(
            ProfileProblem::NotFound,
            format!("the config profile ({profile}) could not be found"),
        ));
    }
    match dotted::get(&l.profiles, &profile, name) {
        dotted::Found::Value(v) => print_out(&format!("{v}\n")).map(|()| 0),
        dotted::Found::Missing => Ok(1),
        dotted::Found::Section => {
            let _ = writeln!(
                io::stderr(),
                "awl: error: varname ({}) must reference a value, not a section or sub-section",
                crate::codec::redact::sanitize(name, 200)
            );
            Ok(1)
        }
    }
}

/// `configure set`: one setting written under the file's lock, to the file as it is then.
fn set(globals: &Globals, name: &str, value: &str) -> Result<()> {
    let l = load()?;
    let profile = select_profile(globals.profile.as_deref(), &l.env).value;
    let target = dotted::set_target(&profile, name)?;
    let file = match target.file() {
        FileKind::Credentials => &l.credentials,
        FileKind::Config => &l.config,
    };
    fs::edit_locked(&file.path, &file.display, MAX_FILE, |text| {
        dotted::set(text, &target, value, &file.display).map(Some)
    })?;
    Ok(())
}

fn list(globals: &Globals) -> Result<()> {
    let l = load()?;
    let resolved = l.profiles.resolve(&flags(globals), &l.env)?;
    let rows = configure::list_rows(&resolved, &l.config, &l.credentials);
    match globals.output {
        Some(Format::Json) => print_out(&configure::render_json(&rows))?,
        _ => print_out(&configure::render_text(&rows))?,
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
