//! Reading the arguments, pure and generic: the global options (anywhere before `--`) and the command words
//! walked through the command table ([`split`]), then a leaf command's own arguments read against its option
//! table ([`leaf_args`]). The typed commands are made from these by the command module, above this one.

use crate::cli::document::Query;
use crate::cli::output::Format;
use crate::cli::spec::{self, COMMANDS, CommandSpec, OptionSpec};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::sts::check_mfa_code;
use std::ffi::OsString;

/// The options that every command takes, before or after the command words.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Globals {
    /// `--profile`.
    pub(crate) profile: Option<String>,
    /// `--region`.
    pub(crate) region: Option<String>,
    /// `--endpoint-url`.
    pub(crate) endpoint_url: Option<String>,
    /// `--mfa-code`: the MFA token code for scripts, instead of the prompt.
    pub(crate) mfa_code: Option<Secret>,
    /// `--output`, when given.
    pub(crate) output: Option<Format>,
    /// `--query`, compiled.
    pub(crate) query: Option<Query>,
    /// `--debug`: trace requests on stderr, secrets redacted.
    pub(crate) debug: bool,
    /// `--no-paginate`: an s3api listing makes one request and prints its one page.
    pub(crate) no_paginate: bool,
    /// `--cli-connect-timeout` in seconds (0: wait as long as it takes).
    pub(crate) connect_timeout: Option<u64>,
    /// `--cli-read-timeout` in seconds (0: wait as long as it takes).
    pub(crate) read_timeout: Option<u64>,
}

/// A leaf command's arguments, read against its option table: the options given (in order, each with its
/// value if it takes one) and the positional arguments.
#[derive(Debug, Default)]
pub(crate) struct Args {
    words: Vec<&'static str>,
    options: Vec<(&'static str, Option<String>)>,
    /// The positional arguments, in order.
    pub(crate) positionals: Vec<String>,
}

impl Args {
    /// The command words (`["s3", "cp"]`).
    pub(crate) fn words(&self) -> &[&'static str] {
        &self.words
    }

    /// `awl s3 cp`, for messages.
    pub(crate) fn command(&self) -> String {
        format!("awl {}", self.words.join(" "))
    }

    /// A usage error about this command, with a hint to its help page.
    pub(crate) fn usage(&self, message: impl Into<String>) -> Error {
        Error::usage(message).with_hint(format!("see 'awl help {}'", self.words.join(" ")))
    }

    /// Whether the option `name` (one that takes no value) was given.
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.options.iter().any(|(n, _)| *n == name)
    }

    /// The options given, in order (repeatable ones each time), for rules whose order matters.
    pub(crate) fn given(&self) -> impl Iterator<Item = (&'static str, Option<&str>)> {
        self.options.iter().map(|(n, v)| (*n, v.as_deref()))
    }

    /// The value of the option `name`, if given.
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    /// An error unless there are no positional arguments.
    pub(crate) fn no_positionals(&self) -> Result<()> {
        match self.positionals.first() {
            None => Ok(()),
            Some(a) => Err(self.usage(format!("'{}' takes no argument '{a}'", self.command()))),
        }
    }
}

/// The global options and command words, and the rest of the arguments in order.
#[derive(Debug, Default)]
pub(crate) struct Split {
    /// The global options.
    pub(crate) globals: Globals,
    /// The command words, as the table names them.
    pub(crate) words: Vec<&'static str>,
    /// The rest, in order.
    pub(crate) rest: Vec<String>,
    /// `--help`, `-h` or `help` was given.
    pub(crate) help: bool,
    /// `--version` was given.
    pub(crate) version: bool,
}

/// The arguments as UTF-8 text, or a usage error naming the first that is not.
pub(crate) fn utf8(args: Vec<OsString>) -> Result<Vec<String>> {
    args.into_iter()
        .map(|a| {
            a.into_string().map_err(|bad| {
                Error::usage(format!("argument {:?} is not valid UTF-8", bad.to_string_lossy()))
                    .with_hint("awl reads names, paths and keys as UTF-8")
            })
        })
        .collect()
}

/// `--name=value` → (`--name`, `Some(value)`); anything else as it is.
fn split_inline(arg: &str) -> (&str, Option<&str>) {
    match arg.split_once('=') {
        Some((n, v)) if n.starts_with("--") => (n, Some(v)),
        _ => (arg, None),
    }
}

/// Takes the global options out of the arguments (anywhere before `--`) and walks the command words.
pub(crate) fn split(strings: Vec<String>) -> Result<Split> {
    let mut s = Split::default();
    let mut specs = COMMANDS;
    let mut iter = strings.into_iter();
    while let Some(arg) = iter.next() {
        if arg == "--" {
            // Everything after `--` belongs to the command (awl exec -- CMD ARGS).
            s.rest.push(arg);
            s.rest.extend(iter.by_ref());
            break;
        }
        let (name, inline) = split_inline(&arg);
        match spec::global(name) {
            Some(o) if o.value.is_some() => {
                let value = match inline {
                    Some(v) => v.to_owned(),
                    None => iter.next().ok_or_else(|| {
                        Error::usage(format!("{name} needs a value"))
                            .with_hint(format!("write it as '{name} VALUE'; see 'awl help'"))
                    })?,
                };
                set_global(&mut s.globals, o.name, value)?;
                continue;
            }
            Some(o) if inline.is_some() => {
                return Err(Error::usage(format!("{} takes no value", o.name))
                    .with_hint(format!("write '{}' alone", o.name)));
            }
            Some(o) => match o.name {
                "--debug" => s.globals.debug = true,
                "--help" => s.help = true,
                "--no-paginate" => s.globals.no_paginate = true,
                // No pager: nothing to turn off.
                "--no-cli-pager" => {}
                "--no-verify-ssl" => {
                    return Err(Error::usage(
                        "--no-verify-ssl is refused: awl always verifies TLS certificates",
                    )
                    .with_hint(
                        "to trust a private CA, set AWS_CA_BUNDLE=/path/to/ca.pem or the profile's ca_bundle",
                    ));
                }
                _ => s.version = true,
            },
            None if arg == "-h" => s.help = true,
            // An option before the command is a global one, or a mistake to name as such.
            None if s.words.is_empty() && arg.starts_with('-') && arg != "-" => {
                return Err(Error::usage(format!("unknown option '{name}'"))
                    .with_hint("run 'awl help' to see the options every command takes"));
            }
            None if arg == "help" && s.rest.is_empty() => s.help = true,
            None if s.rest.is_empty()
                && !arg.starts_with('-')
                && (s.words.is_empty() || !specs.is_empty()) =>
            {
                match specs.iter().find(|c| c.name == arg) {
                    Some(c) => {
                        s.words.push(c.name);
                        specs = c.subcommands;
                    }
                    None if s.words.is_empty() => {
                        return Err(Error::usage(format!(
                            "unknown command '{arg}'; expected one of: {}",
                            spec::names(COMMANDS)
                        ))
                        .with_hint("run 'awl help' to see what each command does"));
                    }
                    // `configure` alone is a command; its other words are its arguments.
                    None if s.words == ["configure"] => s.rest.push(arg),
                    None => {
                        return Err(Error::usage(format!(
                            "unknown subcommand '{arg}' of '{}'; expected one of: {}",
                            s.words.join(" "),
                            spec::names(specs)
                        ))
                        .with_hint(format!(
                            "run 'awl help {}' to see its subcommands",
                            s.words.join(" ")
                        )));
                    }
                }
            }
            None => s.rest.push(arg),
        }
    }
    Ok(s)
}

fn set_global(globals: &mut Globals, name: &str, value: String) -> Result<()> {
    if value.is_empty() {
        return Err(Error::usage(format!("{name} needs a non-empty value"))
            .with_hint(format!("write it as '{name} VALUE'")));
    }
    match name {
        "--profile" => globals.profile = Some(value),
        "--region" => globals.region = Some(value),
        "--endpoint-url" => globals.endpoint_url = Some(value),
        "--mfa-code" => {
            let code = Secret::new(value);
            // Refused before anything is read or sent.
            check_mfa_code(&code)?;
            globals.mfa_code = Some(code);
        }
        "--color" => {
            if !matches!(value.as_str(), "on" | "off" | "auto") {
                return Err(Error::usage(format!("--color '{value}' is not on, off or auto"))
                    .with_hint("awl prints no colour; the option is accepted for the AWS CLI's scripts"));
            }
        }
        "--output" => {
            globals.output = Some(Format::from_name(&value).ok_or_else(|| {
                Error::usage(format!(
                    "--output '{value}' is not a format; expected json, text, table, yaml, yaml-stream or off"
                ))
                .with_hint("write '--output json', '--output text' or '--output table'")
            })?);
        }
        "--query" => globals.query = Some(Query::compile(&value)?),
        _ => {
            let secs = value
                .parse::<u64>()
                .ok()
                .filter(|s| *s <= 86_400)
                .ok_or_else(|| {
                    Error::usage(format!("{name} {value:?} is not a number of seconds"))
                        .with_hint(format!("write '{name} 10' (0 waits as long as it takes)"))
                })?;
            if name == "--cli-connect-timeout" {
                globals.connect_timeout = Some(secs);
            } else {
                globals.read_timeout = Some(secs);
            }
        }
    }
    Ok(())
}

/// Reads a leaf command's arguments against its option table.
pub(crate) fn leaf_args(words: Vec<&'static str>, spec: &CommandSpec, rest: Vec<String>) -> Result<Args> {
    let mut args = Args {
        words,
        ..Args::default()
    };
    if spec.raw {
        // A command line of its own: a leading `--` only separates it.
        args.positionals = match rest.split_first() {
            Some((dd, tail)) if dd == "--" => tail.to_vec(),
            _ => rest,
        };
        return Ok(args);
    }
    let mut it = rest.into_iter();
    while let Some(arg) = it.next() {
        if !arg.starts_with("--") {
            args.positionals.push(arg);
            continue;
        }
        let (name, inline) = split_inline(&arg);
        let Some(o) = spec.options.iter().find(|o| o.name == name) else {
            return Err(args.usage(format!("'{}' has no option '{name}'", args.command())));
        };
        let value = take_value(&args, o, inline, &mut it)?;
        if o.value.is_some() && !o.repeat && args.options.iter().any(|(n, _)| *n == o.name) {
            return Err(args.usage(format!("{} is given twice", o.name)));
        }
        args.options.push((o.name, value));
    }
    Ok(args)
}

/// The value of option `o`: inline (`--name=v`) or the next argument, whatever it is; none for a flag.
fn take_value(
    args: &Args,
    o: &OptionSpec,
    inline: Option<&str>,
    it: &mut impl Iterator<Item = String>,
) -> Result<Option<String>> {
    match (o.value, inline) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(args.usage(format!("{} takes no value", o.name))),
        (Some(_), Some(v)) => Ok(Some(v.to_owned())),
        (Some(_), None) => it
            .next()
            .map(Some)
            .ok_or_else(|| args.usage(format!("{} needs a value", o.name))),
    }
}
