//! The command line as a typed value: [`parse`] turns the arguments into an [`Invocation`], with the command
//! as a [`Command`] (as ripgrep parses into its args types). The one place that maps the table's command words
//! to the constructor of each command's type; everything after dispatches on the types.

use crate::cli::args::{Args, Globals, leaf_args, split, utf8};
use crate::cli::completion;
use crate::cli::configure;
use crate::cli::export;
use crate::cli::s3;
use crate::cli::s3api;
use crate::cli::spec;
use crate::cli::sso;
use crate::cli::sts;
use crate::error::{Error, ErrorKind, Result};
use std::ffi::OsString;

/// A command, typed. `Debug` never shows a secret: [`Secret`](crate::secret::Secret)s print as `Secret(***)`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Command {
    /// `awl s3 ...`.
    S3(Box<s3::S3Command>),
    /// `awl s3api OPERATION ...`.
    S3api(Box<s3api::S3apiCommand>),
    /// `awl sts ...`.
    Sts(sts::StsCommand),
    /// `awl sso login`, `awl sso logout`.
    Sso(sso::SsoCommand),
    /// `awl configure` and `awl configure list`.
    Configure(configure::ConfigureCommand),
    /// `awl env`, `awl exec`, `awl credential-process`.
    Export(export::ExportCommand),
    /// `awl completion bash|zsh`.
    Completion(completion::Shell),
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // one value per run, read once: boxing would buy nothing
pub(crate) enum Invocation {
    /// `--version`.
    Version,
    /// `--help`, `help ...` or `... help`: the help page of the named command words (none: the overview).
    Help(Vec<&'static str>),
    /// A command with the global options.
    Command {
        /// The global options.
        globals: Globals,
        /// The command.
        command: Command,
    },
}

/// The typed command that the words and arguments name (`globals` for the s3api commands' paging).
fn command(args: &Args, globals: &Globals) -> Result<Command> {
    use configure::ConfigureCommand;
    use export::ExportCommand;
    use s3::S3Command;
    use sts::StsCommand;
    Ok(match args.words() {
        ["s3", "ls"] => Command::S3(Box::new(S3Command::ls(args)?)),
        ["s3", "mb"] => Command::S3(Box::new(S3Command::mb(args)?)),
        ["s3", "rb"] => Command::S3(Box::new(S3Command::rb(args)?)),
        ["s3", "cp"] => Command::S3(Box::new(S3Command::cp(args)?)),
        ["s3", "mv"] => Command::S3(Box::new(S3Command::mv(args)?)),
        ["s3", "sync"] => Command::S3(Box::new(S3Command::sync(args)?)),
        ["s3", "rm"] => Command::S3(Box::new(S3Command::rm(args)?)),
        ["s3", "presign"] => Command::S3(Box::new(S3Command::presign(args)?)),
        ["s3api"] => Command::S3api(Box::new(s3api::S3apiCommand::from_args(
            args,
            globals.no_paginate,
        )?)),
        ["sts", "get-caller-identity"] => Command::Sts(StsCommand::get_caller_identity(args)?),
        ["sts", "assume-role"] => Command::Sts(StsCommand::assume_role(args)?),
        ["sts", "get-session-token"] => Command::Sts(StsCommand::get_session_token(args)?),
        ["sso", "login"] => Command::Sso(sso::SsoCommand::login(args)?),
        ["sso", "logout"] => Command::Sso(sso::SsoCommand::logout(args)?),
        ["configure"] => Command::Configure(ConfigureCommand::interactive(args)?),
        ["configure", "list"] => Command::Configure(ConfigureCommand::list(args)?),
        ["configure", "list-profiles"] => Command::Configure(ConfigureCommand::list_profiles(args)?),
        ["configure", "get"] => Command::Configure(ConfigureCommand::get(args)?),
        ["configure", "set"] => Command::Configure(ConfigureCommand::set(args)?),
        ["env"] => Command::Export(ExportCommand::env(args)?),
        ["configure", "export-credentials"] => Command::Export(ExportCommand::export_credentials(args)?),
        ["exec"] => Command::Export(ExportCommand::exec(args)?),
        ["credential-process"] => Command::Export(ExportCommand::credential_process(args)?),
        ["completion"] => Command::Completion(completion::Shell::from_args(args)?),
        // The test below checks that every leaf of the table has its arm.
        words => {
            return Err(Error::new(
                ErrorKind::Other,
                format!("'awl {}' has no parser", words.join(" ")),
            ));
        }
    })
}

/// Parses the arguments after the program name.
pub(crate) fn parse(args: Vec<OsString>) -> Result<Invocation> {
    let s = split(utf8(args)?)?;
    if s.words == ["s3api"] {
        // The s3api operations are words of its own table: `awl s3api head-object help`.
        if let Some(words) = s3api::help_words(s.help, &s.rest) {
            return Ok(Invocation::Help(words));
        }
    }
    if s.help {
        return Ok(Invocation::Help(s.words));
    }
    if s.version {
        return Ok(Invocation::Version);
    }
    let Some(spec) = spec::find(&s.words) else {
        return Err(Error::usage("no command given").with_hint("run 'awl help' to see the commands"));
    };
    if !spec.subcommands.is_empty() && s.words != ["configure"] {
        return Err(Error::usage(format!(
            "'{}' needs a subcommand; expected one of: {}",
            s.words.join(" "),
            spec::names(spec.subcommands)
        ))
        .with_hint(format!(
            "run 'awl help {}' to see what each does",
            s.words.join(" ")
        )));
    }
    let command = command(&leaf_args(s.words, spec, s.rest)?, &s.globals)?;
    Ok(Invocation::Command {
        globals: s.globals,
        command,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::output::Format;
    use crate::cli::spec::COMMANDS;

    fn p(args: &[&str]) -> Result<Invocation> {
        parse(args.iter().map(OsString::from).collect())
    }

    #[test]
    fn global_options_go_anywhere_in_both_forms() {
        let Ok(Invocation::Command { globals, command }) = p(&[
            "--profile",
            "profile2",
            "s3",
            "cp",
            "--region=ap-southeast-2",
            "a.txt",
            "s3://b/k",
            "--debug",
            "--output",
            "json",
        ]) else {
            panic!("expected a command");
        };
        assert!(
            matches!(command, Command::S3(ref c) if matches!(**c, s3::S3Command::Cp(ref cp) if cp.src == "a.txt" && cp.dst == "s3://b/k"))
        );
        assert_eq!(globals.profile.as_deref(), Some("profile2"));
        assert_eq!(globals.region.as_deref(), Some("ap-southeast-2"));
        assert_eq!(globals.output, Some(Format::Json));
        assert!(globals.debug);
    }

    #[test]
    fn help_in_every_position() {
        assert_eq!(p(&["--help"]).ok(), Some(Invocation::Help(vec![])));
        assert_eq!(p(&["help"]).ok(), Some(Invocation::Help(vec![])));
        assert_eq!(
            p(&["help", "s3", "cp"]).ok(),
            Some(Invocation::Help(vec!["s3", "cp"]))
        );
        assert_eq!(
            p(&["s3", "cp", "help"]).ok(),
            Some(Invocation::Help(vec!["s3", "cp"]))
        );
        assert_eq!(p(&["sts", "--help"]).ok(), Some(Invocation::Help(vec!["sts"])));
        assert_eq!(p(&["--version"]).ok(), Some(Invocation::Version));
    }

    #[test]
    fn usage_errors_say_what_is_expected() {
        for (args, needle) in [
            (
                &["frobnicate"][..],
                "unknown command 'frobnicate'; expected one of: s3, s3api, sts",
            ),
            (
                &["s3"][..],
                "'s3' needs a subcommand; expected one of: ls, mb, rb, cp, mv, sync, rm, presign",
            ),
            (&["s3", "website"][..], "unknown subcommand 'website' of 's3'"),
            (&["--profile"][..], "--profile needs a value"),
            (
                &["--output", "yml", "sts", "get-caller-identity"][..],
                "expected json, text, table, yaml, yaml-stream or off",
            ),
            (&[][..], "no command given"),
            (&["--debug=1", "env"][..], "--debug takes no value"),
            (&["s3", "ls", "--recursive=1"][..], "--recursive takes no value"),
            (
                &["s3", "presign", "s3://b/k", "--expires-in"][..],
                "--expires-in needs a value",
            ),
            (
                &["s3", "presign", "s3://b/k", "--expires-in", "1", "--expires-in=2"][..],
                "--expires-in is given twice",
            ),
            (&["env", "x"][..], "'awl env' takes no argument 'x'"),
        ] {
            let e = p(args).expect_err(needle);
            assert_eq!(e.exit_code(), 252, "{args:?}");
            assert!(e.message().contains(needle), "{args:?}: {}", e.message());
            assert!(e.hint().is_some(), "{args:?}");
        }
    }

    #[test]
    fn arguments_after_double_dash_are_left_alone() {
        let Ok(Invocation::Command { command, globals }) =
            p(&["exec", "--profile", "p", "--", "aws", "--profile", "x", "help"])
        else {
            panic!("expected a command");
        };
        assert_eq!(globals.profile.as_deref(), Some("p"));
        assert_eq!(
            command,
            Command::Export(export::ExportCommand::Exec {
                program: "aws".into(),
                args: vec!["--profile".into(), "x".into(), "help".into()],
            })
        );
    }

    #[test]
    fn configure_takes_no_subcommand_or_list() {
        assert!(matches!(
            p(&["configure"]),
            Ok(Invocation::Command {
                command: Command::Configure(configure::ConfigureCommand::Interactive),
                ..
            })
        ));
        assert!(matches!(
            p(&["configure", "list"]),
            Ok(Invocation::Command {
                command: Command::Configure(configure::ConfigureCommand::List),
                ..
            })
        ));
        let e = p(&["configure", "foo"]).expect_err("not a word of configure");
        assert!(e.message().contains("'awl configure' takes no argument 'foo'"));
    }

    #[test]
    fn a_secret_option_never_shows_in_debug() {
        let inv = p(&[
            "--mfa-code",
            "123456",
            "sts",
            "assume-role",
            "--role-arn",
            "a",
            "--role-session-name",
            "s",
            "--serial-number",
            "m",
            "--token-code=654321",
        ])
        .expect("parses");
        let shown = format!("{inv:?}");
        assert!(!shown.contains("123456") && !shown.contains("654321"), "{shown}");
    }

    #[test]
    fn every_leaf_of_the_table_has_a_constructor() {
        for c in COMMANDS {
            let leaves: Vec<Vec<&str>> = if c.subcommands.is_empty() {
                vec![vec![c.name]]
            } else {
                c.subcommands.iter().map(|s| vec![c.name, s.name]).collect()
            };
            for words in leaves
                .into_iter()
                .chain((c.name == "configure").then(|| vec!["configure"]))
            {
                let mut args: Vec<OsString> = words.iter().map(OsString::from).collect();
                args.push("--profile=p".into());
                if let Err(e) = parse(args) {
                    assert_eq!(e.kind(), ErrorKind::Usage, "{words:?}: {e}");
                }
            }
        }
    }
}
