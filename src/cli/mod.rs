//! The command line: a hand-written parser in the AWS CLI's shape (`awl [options] <command> <subcommand>
//! [parameters]`), the help pages, and the dispatch to each command.
//!
//! Parsing is a pure function of the arguments ([`parse`]); [`run`] dispatches to the commands, one file
//! each beside this one. Only this module talks to the terminal.

mod completion;
mod configure;
mod export;
mod s3;
mod sts;

use crate::credentials::Credentials;
use crate::env::{Env, LoadedFile};
use crate::error::{Error, ErrorKind, Result};
use crate::json::{self, Value};
use crate::profile::{Flags, Profiles};
use crate::secret::Secret;
use crate::session::{self, Session, SessionOptions};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, SystemTime};

/// The output format asked for with `--output`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Output {
    /// The command's default: JSON for `sts`, text for `s3`.
    #[default]
    Default,
    /// JSON.
    Json,
    /// Tab-separated text, as the AWS CLI's `text`.
    Text,
}

/// The options that every command takes, before or after the command words.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Globals {
    /// `--profile`.
    pub profile: Option<String>,
    /// `--region`.
    pub region: Option<String>,
    /// `--endpoint-url`.
    pub endpoint_url: Option<String>,
    /// `--mfa-code`: the MFA token code for scripts, instead of the prompt.
    pub mfa_code: Option<Secret>,
    /// `--output`.
    pub output: Output,
    /// `--debug`: trace requests on stderr, secrets redacted.
    pub debug: bool,
    /// `--cli-connect-timeout` in seconds (0: wait as long as it takes).
    pub connect_timeout: Option<u64>,
    /// `--cli-read-timeout` in seconds (0: wait as long as it takes).
    pub read_timeout: Option<u64>,
}

/// What the command line asks for. `Debug` hides the value after a secret option (`--token-code`).
#[derive(PartialEq, Eq)]
pub enum Invocation {
    /// `--version`.
    Version,
    /// `--help`, `help ...` or `... help`: the help page of the named command words (none: the overview).
    Help(Vec<&'static str>),
    /// A command: its words (`["s3", "cp"]`), the global options, and its own arguments in order.
    Command {
        /// The command words, as named in the command table.
        words: Vec<&'static str>,
        /// The global options.
        globals: Globals,
        /// The command's own arguments, global options removed.
        args: Vec<String>,
    },
}

impl std::fmt::Debug for Invocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invocation::Version => f.write_str("Version"),
            Invocation::Help(words) => f.debug_tuple("Help").field(words).finish(),
            Invocation::Command { words, globals, args } => {
                let mut shown: Vec<String> = Vec::with_capacity(args.len());
                for (i, a) in args.iter().enumerate() {
                    let after_secret =
                        i > 0 && crate::redact::is_secret_name(args[i - 1].trim_start_matches('-'));
                    let inline_secret = a.split_once('=').is_some_and(|(n, _)| {
                        n.starts_with("--") && crate::redact::is_secret_name(n.trim_start_matches('-'))
                    });
                    shown.push(if after_secret || inline_secret {
                        "***".into()
                    } else {
                        a.clone()
                    });
                }
                f.debug_struct("Command")
                    .field("words", words)
                    .field("globals", globals)
                    .field("args", &shown)
                    .finish()
            }
        }
    }
}

/// One command or subcommand of the table behind parsing and help.
struct CommandSpec {
    name: &'static str,
    summary: &'static str,
    usage: &'static str,
    details: &'static str,
    subcommands: &'static [CommandSpec],
}

const fn leaf(
    name: &'static str,
    summary: &'static str,
    usage: &'static str,
    details: &'static str,
) -> CommandSpec {
    CommandSpec {
        name,
        summary,
        usage,
        details,
        subcommands: &[],
    }
}

static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "s3",
        summary: "list, create and copy to and from S3 buckets",
        usage: "awl s3 <subcommand> [parameters]",
        details: "",
        subcommands: &[
            leaf(
                "ls",
                "list your buckets, or the objects under a bucket and prefix",
                "awl s3 ls [s3://bucket[/prefix]]",
                "Examples:\n  awl s3 ls\n  awl --profile profile2 s3 ls s3://mysuperduperbucket/reports/",
            ),
            leaf(
                "mb",
                "make a bucket in the profile's region",
                "awl s3 mb s3://bucket",
                "Sends the region's LocationConstraint (none in us-east-1).\n\nExample:\n  awl --profile profile2 s3 mb s3://mysuperduperbucket",
            ),
            leaf(
                "cp",
                "copy a file to S3 or an object to a file",
                "awl s3 cp FILE s3://bucket/key\n       awl s3 cp s3://bucket/key FILE|-",
                "Files of 8 MiB and more go up as parallel multipart uploads.\n\nExample:\n  awl --profile profile2 s3 cp samplefile.txt s3://mysuperduperbucket/book.txt",
            ),
            leaf(
                "presign",
                "print a presigned GET URL for an object",
                "awl s3 presign s3://bucket/key [--expires-in SECONDS]",
                "Example:\n  awl s3 presign s3://mysuperduperbucket/book.txt --expires-in 600",
            ),
        ],
    },
    CommandSpec {
        name: "sts",
        summary: "ask STS who you are, or assume a role",
        usage: "awl sts <subcommand> [parameters]",
        details: "",
        subcommands: &[
            leaf(
                "get-caller-identity",
                "print the account, user id and ARN of the credentials in use",
                "awl sts get-caller-identity",
                "Example:\n  awl --profile profile2 sts get-caller-identity",
            ),
            leaf(
                "assume-role",
                "assume a role and print its temporary credentials",
                "awl sts assume-role --role-arn ARN --role-session-name NAME\n       [--serial-number ARN --token-code CODE] [--duration-seconds N] [--external-id ID]",
                "Calls STS directly with the profile's credentials (no cache), as `aws sts assume-role` does.\n\nExample:\n  awl sts assume-role --role-arn arn:aws:iam::456:role/Sysops --role-session-name ops \\\n      --serial-number arn:aws:iam::789:mfa/me --token-code 123456",
            ),
        ],
    },
    CommandSpec {
        name: "configure",
        summary: "set up a profile, or show where each setting comes from",
        usage: "awl configure [--profile P]\n       awl configure list [--profile P]",
        details: "Asks for the access key, secret key, region and output format, as `aws configure` does, and writes\nthem to ~/.aws/credentials and ~/.aws/config (atomically, mode 0600, every other line kept).\n\nExamples:\n  awl configure --profile dev\n  awl --profile profile2 configure list",
        subcommands: &[leaf(
            "list",
            "show every setting of a profile and where it came from",
            "awl configure list [--profile P] [--output json]",
            "Example:\n  awl --profile profile2 configure list",
        )],
    },
    leaf(
        "env",
        "print the profile's credentials as shell export lines",
        "awl env [--profile P]",
        "Example:\n  eval \"$(awl --profile profile2 env)\"",
    ),
    leaf(
        "exec",
        "run a command with the profile's credentials in its environment",
        "awl exec [--profile P] -- COMMAND [ARGS...]",
        "Example:\n  awl --profile profile2 exec -- terraform plan",
    ),
    leaf(
        "completion",
        "print a shell completion script",
        "awl completion bash|zsh",
        "Examples:\n  source <(awl completion bash)          # in ~/.bashrc\n  awl completion zsh > \"${fpath[1]}/_awl\"",
    ),
    leaf(
        "credential-process",
        "print credentials as JSON for another tool's credential_process",
        "awl credential-process --profile P",
        "In ~/.aws/config:\n  credential_process = /usr/local/bin/awl credential-process --profile profile2",
    ),
];

const TOP_USAGE: &str = "usage: awl [options] <command> <subcommand> [parameters]";

const GLOBAL_OPTIONS: &str = "\
Options (before or after the command):
  --profile P          use profile P from ~/.aws/config and ~/.aws/credentials
  --region R           use region R (overrides AWS_REGION and the profile)
  --endpoint-url URL   send requests to URL instead of the AWS endpoint
  --mfa-code CODE      the 6-digit MFA code, instead of a prompt (for scripts)
  --output json|text   the output format
  --debug              trace requests on stderr (secrets are never shown)
  --cli-connect-timeout S, --cli-read-timeout S
                       seconds to connect and to wait for data (60 each; 0: no limit)
  --version            print the version and exit
  --help               print this help and exit";

/// Renders the help page of the command named by `words` (none: the overview).
pub fn help_text(words: &[&str]) -> String {
    let mut specs = COMMANDS;
    let mut spec: Option<&CommandSpec> = None;
    for w in words {
        match specs.iter().find(|s| s.name == *w) {
            Some(s) => {
                spec = Some(s);
                specs = s.subcommands;
            }
            None => break,
        }
    }
    let mut out = String::new();
    match spec {
        None => {
            out.push_str(&format!(
                "awl {}: AWS credentials, profiles, STS and S3 in one small binary.\n\n{TOP_USAGE}\n\nCommands:\n",
                env!("CARGO_PKG_VERSION")
            ));
            for c in COMMANDS {
                out.push_str(&format!("  {:<20} {}\n", c.name, c.summary));
            }
            out.push('\n');
            out.push_str(GLOBAL_OPTIONS);
            out.push_str("\n\nRun 'awl help <command>' for the subcommands and examples of each command.\n");
        }
        Some(s) => {
            out.push_str(&format!(
                "awl {}: {}\n\nusage: {}\n",
                words.join(" "),
                s.summary,
                s.usage
            ));
            if !s.subcommands.is_empty() {
                out.push_str("\nSubcommands:\n");
                for c in s.subcommands {
                    out.push_str(&format!("  {:<20} {}\n", c.name, c.summary));
                }
            }
            if !s.details.is_empty() {
                out.push('\n');
                out.push_str(s.details);
                out.push('\n');
            }
            out.push('\n');
            out.push_str(GLOBAL_OPTIONS);
            out.push('\n');
        }
    }
    out
}

fn names(specs: &[CommandSpec]) -> String {
    specs.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
}

/// The global options that take no value.
const GLOBAL_FLAGS: &[&str] = &["--debug", "--help", "--version"];

/// The global options that take a value.
const VALUE_OPTIONS: &[&str] = &[
    "--profile",
    "--region",
    "--endpoint-url",
    "--mfa-code",
    "--output",
    "--cli-connect-timeout",
    "--cli-read-timeout",
];

/// Parses the arguments after the program name.
pub fn parse(args: Vec<OsString>) -> Result<Invocation> {
    let mut strings = Vec::with_capacity(args.len());
    for a in args {
        match a.into_string() {
            Ok(s) => strings.push(s),
            Err(bad) => {
                return Err(
                    Error::usage(format!("argument {:?} is not valid UTF-8", bad.to_string_lossy()))
                        .with_hint("awl reads names, paths and keys as UTF-8"),
                );
            }
        }
    }

    let mut globals = Globals::default();
    let mut words: Vec<&'static str> = Vec::new();
    let mut rest: Vec<String> = Vec::new();
    let mut specs = COMMANDS;
    let mut help = false;
    let mut version = false;
    let mut iter = strings.into_iter();
    while let Some(arg) = iter.next() {
        if arg == "--" {
            // Everything after `--` belongs to the command (awl exec -- CMD ARGS).
            rest.push(arg);
            rest.extend(iter.by_ref());
            break;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        if VALUE_OPTIONS.contains(&name.as_str()) {
            let value = match inline {
                Some(v) => v,
                None => iter.next().ok_or_else(|| {
                    Error::usage(format!("{name} needs a value"))
                        .with_hint(format!("write it as '{name} VALUE'; see 'awl help'"))
                })?,
            };
            set_global(&mut globals, &name, value)?;
            continue;
        }
        match (name.as_str(), inline) {
            ("--debug", None) => globals.debug = true,
            ("--help" | "-h", None) => help = true,
            ("--version", None) => version = true,
            ("help", None) if rest.is_empty() => help = true,
            (flag, Some(_)) if ["--debug", "--help", "--version"].contains(&flag) => {
                return Err(
                    Error::usage(format!("{flag} takes no value")).with_hint(format!("write '{flag}' alone"))
                );
            }
            _ if rest.is_empty() && !arg.starts_with('-') && (words.is_empty() || !specs.is_empty()) => {
                match specs.iter().find(|s| s.name == arg) {
                    Some(spec) => {
                        words.push(spec.name);
                        specs = spec.subcommands;
                    }
                    None if words.is_empty() => {
                        return Err(Error::usage(format!(
                            "unknown command '{arg}'; expected one of: {}",
                            names(COMMANDS)
                        ))
                        .with_hint("run 'awl help' to see what each command does"));
                    }
                    // `configure` alone is a command; its other words go to it.
                    None if words == ["configure"] => rest.push(arg),
                    None => {
                        return Err(Error::usage(format!(
                            "unknown subcommand '{arg}' of '{}'; expected one of: {}",
                            words.join(" "),
                            names(specs)
                        ))
                        .with_hint(format!(
                            "run 'awl help {}' to see its subcommands",
                            words.join(" ")
                        )));
                    }
                }
            }
            _ => rest.push(arg),
        }
    }

    if help {
        return Ok(Invocation::Help(words));
    }
    if version {
        return Ok(Invocation::Version);
    }
    if words.is_empty() {
        return Err(Error::usage("no command given").with_hint("run 'awl help' to see the commands"));
    }
    if !specs.is_empty() && words != ["configure"] {
        return Err(Error::usage(format!(
            "'{}' needs a subcommand; expected one of: {}",
            words.join(" "),
            names(specs)
        ))
        .with_hint(format!(
            "run 'awl help {}' to see what each does",
            words.join(" ")
        )));
    }
    Ok(Invocation::Command {
        words,
        globals,
        args: rest,
    })
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
            crate::credentials::check_mfa_code(&code)?;
            globals.mfa_code = Some(code);
        }
        "--output" => {
            globals.output = match value.as_str() {
                "json" => Output::Json,
                "text" => Output::Text,
                other => {
                    return Err(Error::usage(format!(
                        "--output '{other}' is not a format awl writes; expected json or text"
                    ))
                    .with_hint("write '--output json' or '--output text'"));
                }
            }
        }
        "--cli-connect-timeout" | "--cli-read-timeout" => {
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
        _ => unreachable!("VALUE_OPTIONS lists only the names matched here"),
    }
    Ok(())
}

/// Writes to stdout; a closed pipe (`awl ... | head`) is not an error.
pub(crate) fn print_out(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(Error::new(ErrorKind::Other, "cannot write to standard output").with_source(e))
        }
        _ => Ok(()),
    }
}

/// Runs the command line `args` (without the program name); returns the exit code.
pub fn run(args: Vec<OsString>) -> Result<u8> {
    let result = dispatch(parse(args)?);
    // Said once, whatever the outcome: awl corrected for a clock that is off.
    if let Some(notice) = crate::skew::global().take_notice() {
        warn(&[notice]);
    }
    result
}

fn dispatch(invocation: Invocation) -> Result<u8> {
    let done = |r: Result<()>| r.map(|()| 0);
    match invocation {
        Invocation::Version => done(print_out(&format!("awl {}\n", env!("CARGO_PKG_VERSION")))),
        Invocation::Help(words) => done(print_out(&help_text(&words))),
        Invocation::Command { words, globals, args } => match words.as_slice() {
            ["configure", "list"] => {
                no_args(&words, &args)?;
                done(configure::configure_list(&globals))
            }
            ["configure"] => {
                no_args(&words, &args)?;
                done(configure::configure_interactive(&globals))
            }
            ["sts", "get-caller-identity"] => {
                no_args(&words, &args)?;
                done(sts::get_caller_identity(&globals))
            }
            ["sts", "assume-role"] => done(sts::assume_role(&globals, &args)),
            ["s3", "ls"] => done(s3::ls(&globals, &args)),
            ["s3", "mb"] => done(s3::mb(&globals, &args)),
            ["s3", "cp"] => done(s3::cp(&globals, &args)),
            ["s3", "presign"] => done(s3::presign(&globals, &args)),
            ["env"] => export::env(&globals, &args),
            ["exec"] => export::exec(&globals, &args),
            ["credential-process"] => export::credential_process(&globals, &args),
            ["completion"] => completion::run(&args),
            // Every command of the table has an arm above; this is for one added to the table only.
            _ => Err(Error::new(
                ErrorKind::NotImplemented,
                format!("'awl {}' is not implemented", words.join(" ")),
            )),
        },
    }
}

pub(crate) fn no_args(words: &[&str], args: &[String]) -> Result<()> {
    match args.first() {
        None => Ok(()),
        Some(a) => Err(
            Error::usage(format!("'awl {}' takes no argument '{a}'", words.join(" ")))
                .with_hint(format!("see 'awl help {}'", words.join(" "))),
        ),
    }
}

/// The environment, the two files (their warnings printed on stderr) and the merged profiles.
pub(crate) struct Loaded {
    env: Env,
    config: LoadedFile,
    credentials: LoadedFile,
    profiles: Profiles,
}

pub(crate) fn load() -> Result<Loaded> {
    let env = Env::from_process();
    let (config, credentials) = crate::env::load_files(&env)?;
    warn(&session::file_warnings(&config, &credentials));
    let profiles = Profiles::from_files(&config, &credentials);
    Ok(Loaded {
        env,
        config,
        credentials,
        profiles,
    })
}

/// Prints warnings on stderr, one line each.
pub(crate) fn warn(warnings: &[String]) {
    let mut err = io::stderr().lock();
    for w in warnings {
        // A closed stderr is no reason to fail the command.
        let _ = writeln!(err, "awl: warning: {w}");
    }
}

pub(crate) fn flags(globals: &Globals) -> Flags<'_> {
    Flags {
        profile: globals.profile.as_deref(),
        region: globals.region.as_deref(),
        endpoint_url: globals.endpoint_url.as_deref(),
    }
}

/// Gets the MFA code for a device: `--mfa-code` once, else a prompt without echo when stdin is a terminal,
/// else an error (never a hang waiting for input that cannot come).
pub(crate) fn mfa_prompt(given: &mut Option<Secret>, serial: &str) -> Result<Secret> {
    if let Some(code) = given.take() {
        return Ok(code);
    }
    if !io::stdin().is_terminal() {
        return Err(Error::config(format!(
            "an MFA code is needed for {serial}, and there is no terminal to ask on"
        ))
        .with_hint("pass --mfa-code CODE, or run awl in a terminal"));
    }
    rpassword::prompt_password(format!("Enter MFA code for {serial}: "))
        .map(|c| Secret::new(c.trim()))
        .map_err(|e| {
            Error::new(ErrorKind::Other, "cannot read the MFA code from the terminal").with_source(e)
        })
}

/// Opens a session for a command of `service` (`sts`, `s3`): `--endpoint-url` goes to that service only.
pub(crate) fn open_session(globals: &Globals, service: &str) -> Result<Session> {
    open_session_with_stop(globals, service, None)
}

/// As [`open_session`], with a flag that interrupts transfers when a signal sets it.
pub(crate) fn open_session_with_stop(
    globals: &Globals,
    service: &str,
    stop: Option<Arc<AtomicBool>>,
) -> Result<Session> {
    let mut f = flags(globals);
    if service != "s3" {
        f.endpoint_url = None;
    }
    let seconds = |s: Option<u64>| {
        s.map(|s| {
            if s == 0 {
                Duration::from_secs(86_400 * 365)
            } else {
                Duration::from_secs(s)
            }
        })
    };
    let options = SessionOptions {
        debug: globals.debug,
        stop,
        connect_timeout: seconds(globals.connect_timeout),
        read_timeout: seconds(globals.read_timeout),
    };
    let s = Session::open(Env::from_process(), &f, &options)?;
    warn(&s.warnings);
    Ok(s)
}

/// The profile's credentials, with MFA as the command line allows.
pub(crate) fn session_credentials(session: &mut Session, globals: &Globals) -> Result<Credentials> {
    let mut given = globals.mfa_code.clone();
    let before = session.warnings.len();
    let result = session.credentials(&mut |serial| mfa_prompt(&mut given, serial), SystemTime::now());
    warn(&session.warnings[before..]);
    result
}

pub(crate) fn json_out(v: &Value) -> Result<()> {
    print_out(&format!("{}\n", json::to_string(v, json::Style::Pretty)))
}

/// Reads `--name value` / `--name=value` options of a command; each name at most once.
pub(crate) fn options(words: &[&str], args: &[String], known: &[&str]) -> Result<BTreeMap<String, String>> {
    let usage = |msg: String| Error::usage(msg).with_hint(format!("see 'awl help {}'", words.join(" ")));
    let mut out = BTreeMap::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (a.clone(), None),
        };
        if !known.contains(&name.as_str()) {
            return Err(usage(format!("'awl {}' has no option '{name}'", words.join(" "))));
        }
        let value = match inline {
            Some(v) => v,
            None => it
                .next()
                .cloned()
                .ok_or_else(|| usage(format!("{name} needs a value")))?,
        };
        if out.insert(name.clone(), value).is_some() {
            return Err(usage(format!("{name} is given twice")));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Invocation> {
        parse(args.iter().map(OsString::from).collect())
    }

    #[test]
    fn global_options_go_anywhere_in_both_forms() {
        let Ok(Invocation::Command { words, globals, args }) = p(&[
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
        assert_eq!(words, ["s3", "cp"]);
        assert_eq!(globals.profile.as_deref(), Some("profile2"));
        assert_eq!(globals.region.as_deref(), Some("ap-southeast-2"));
        assert_eq!(globals.output, Output::Json);
        assert!(globals.debug);
        assert_eq!(args, ["a.txt", "s3://b/k"]);
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
                "unknown command 'frobnicate'; expected one of: s3, sts",
            ),
            (
                &["s3"][..],
                "'s3' needs a subcommand; expected one of: ls, mb, cp, presign",
            ),
            (&["s3", "rm"][..], "unknown subcommand 'rm' of 's3'"),
            (&["--profile"][..], "--profile needs a value"),
            (
                &["--output", "yaml", "sts", "get-caller-identity"][..],
                "expected json or text",
            ),
            (&[][..], "no command given"),
            (&["--debug=1", "env"][..], "--debug takes no value"),
        ] {
            let e = p(args).expect_err(needle);
            assert_eq!(e.exit_code(), 252, "{args:?}");
            assert!(e.message().contains(needle), "{args:?}: {}", e.message());
        }
    }

    #[test]
    fn arguments_after_double_dash_are_left_alone() {
        let Ok(Invocation::Command { words, args, globals }) =
            p(&["exec", "--profile", "p", "--", "aws", "--profile", "x", "help"])
        else {
            panic!("expected a command");
        };
        assert_eq!(words, ["exec"]);
        assert_eq!(globals.profile.as_deref(), Some("p"));
        assert_eq!(args, ["--", "aws", "--profile", "x", "help"]);
    }

    #[test]
    fn configure_takes_no_subcommand_or_list() {
        let Ok(Invocation::Command { words, .. }) = p(&["configure"]) else {
            panic!("configure alone is a command");
        };
        assert_eq!(words, ["configure"]);
        let Ok(Invocation::Command { words, .. }) = p(&["configure", "list"]) else {
            panic!("configure list is a command");
        };
        assert_eq!(words, ["configure", "list"]);
    }

    #[test]
    fn every_command_has_a_help_page_naming_it() {
        for c in COMMANDS {
            assert!(help_text(&[c.name]).contains(c.usage));
            for s in c.subcommands {
                let page = help_text(&[c.name, s.name]);
                assert!(
                    page.contains(s.usage) && page.contains(s.summary),
                    "{} {}",
                    c.name,
                    s.name
                );
            }
        }
        assert!(help_text(&[]).contains("credential-process"));
    }
}
