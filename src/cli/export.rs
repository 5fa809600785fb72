//! The profile's credentials for other programs: `awl env` and `awl configure export-credentials` (the AWS CLI
//! v2's formats: shell lines for bash, fish, PowerShell and cmd, or credential_process JSON), `awl exec -- CMD`
//! (CMD run with them in its environment, its exit code and signals passed through), and
//! `awl credential-process` (Version 1 JSON, for another tool's `credential_process`). One MFA prompt and the
//! shared cache serve them all.

use crate::cli::args::Args;
use crate::cli::context::{Ctx, Service, session_credentials, with_session};
use crate::cli::terminal::{json_out, print_out};
use crate::codec::json::Value;
use crate::codec::time::UtcDateTime;
use crate::error::{Error, ErrorKind, Result};
use crate::identity::Credentials;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// How credentials are written for another program (`--format`, the AWS CLI v2's names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// credential_process JSON (Version 1).
    Process,
    /// `export NAME='value'` lines for sh, bash and zsh.
    Env,
    /// `NAME='value'` lines.
    EnvNoExport,
    /// `$Env:NAME='value'` lines.
    Powershell,
    /// `set NAME=value` lines.
    WindowsCmd,
    /// `set -gx NAME 'value'` lines.
    Fish,
}

impl Format {
    fn parse(args: &Args, default: Format) -> Result<Self> {
        Ok(match args.value("--format") {
            None => default,
            Some("process") => Format::Process,
            Some("env") => Format::Env,
            Some("env-no-export") => Format::EnvNoExport,
            Some("powershell") => Format::Powershell,
            Some("windows-cmd") => Format::WindowsCmd,
            Some("fish") => Format::Fish,
            Some(other) => {
                return Err(Error::usage(format!(
                    "--format '{}' is not a format",
                    crate::codec::redact::sanitize(other, 40)
                ))
                .with_hint("use process, env, env-no-export, powershell, windows-cmd or fish"));
            }
        })
    }
}

/// A command that hands the profile's credentials to another program.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ExportCommand {
    /// `awl env`: export lines (or JSON with `--output json`), or `--format`.
    Env(Format),
    /// `awl configure export-credentials`: credentials only (no region), in `--format` (process by default).
    ExportCredentials(Format),
    /// `awl exec -- PROGRAM ARGS`.
    Exec {
        /// The program to run.
        program: String,
        /// Its arguments.
        args: Vec<String>,
    },
    /// `awl credential-process`: Version 1 JSON.
    CredentialProcess,
}

impl ExportCommand {
    /// `awl env`.
    pub(crate) fn env(args: &Args) -> Result<Self> {
        args.no_positionals()?;
        Ok(ExportCommand::Env(Format::parse(args, Format::Env)?))
    }

    /// `awl configure export-credentials`.
    pub(crate) fn export_credentials(args: &Args) -> Result<Self> {
        args.no_positionals()?;
        Ok(ExportCommand::ExportCredentials(Format::parse(
            args,
            Format::Process,
        )?))
    }

    /// `awl exec`: everything after the command word is the command to run.
    pub(crate) fn exec(args: &Args) -> Result<Self> {
        let (program, rest) = args.positionals.split_first().ok_or_else(|| {
            Error::usage("'awl exec' needs a command to run")
                .with_hint("awl exec --profile P -- COMMAND [ARGS...]")
        })?;
        Ok(ExportCommand::Exec {
            program: program.clone(),
            args: rest.to_vec(),
        })
    }

    /// `awl credential-process`.
    pub(crate) fn credential_process(args: &Args) -> Result<Self> {
        args.no_positionals()?;
        Ok(ExportCommand::CredentialProcess)
    }
}

/// Runs an export command; returns the exit code (the program's, for `exec`).
pub(crate) fn run(ctx: &Ctx<'_>, command: &ExportCommand) -> Result<u8> {
    match command {
        ExportCommand::Env(format) => env(ctx, *format),
        ExportCommand::ExportCredentials(format) => export_credentials(ctx, *format),
        ExportCommand::Exec { program, args } => exec(ctx, program, args),
        ExportCommand::CredentialProcess => credential_process(ctx),
    }
}

/// The credentials and region of the selected profile.
fn resolve(ctx: &Ctx<'_>) -> Result<(Credentials, Option<String>)> {
    with_session(ctx, Service::Sts, |session| {
        let creds = session_credentials(session, ctx)?;
        Ok((creds, session.resolved.region.as_ref().map(|r| r.value.clone())))
    })
}

/// The variables a program needs to use the credentials: name and value.
fn variables(c: &Credentials, region: Option<&str>) -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("AWS_ACCESS_KEY_ID", c.access_key_id.clone()),
        ("AWS_SECRET_ACCESS_KEY", c.secret_access_key.expose().to_owned()),
    ];
    if let Some(t) = &c.session_token {
        v.push(("AWS_SESSION_TOKEN", t.expose().to_owned()));
    }
    if let Some(e) = c.expiration {
        v.push((
            "AWS_CREDENTIAL_EXPIRATION",
            UtcDateTime::from_system_time(e).rfc3339(),
        ));
    }
    if let Some(r) = region {
        v.push(("AWS_REGION", r.to_owned()));
        v.push(("AWS_DEFAULT_REGION", r.to_owned()));
    }
    v
}

/// Variables a program would take credentials or a profile from: where the credentials do not set them, `exec`
/// removes them and `env` unsets them, so stale ones (an earlier role's session token, say) never mix in.
const STALE: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
];

/// The `STALE` variables that `set` does not set.
fn stale<'a>(set: &'a [(&'static str, String)]) -> impl Iterator<Item = &'static str> + 'a {
    STALE.iter().copied().filter(|n| !set.iter().any(|(s, _)| s == n))
}

/// A value quoted for sh: inside single quotes, with `'` written as `'\''`.
pub(crate) fn sh_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// The credentials as JSON members, in the AWS tools' names (the token and expiry only when there are).
fn credential_members(c: &Credentials) -> Vec<(&'static str, Value)> {
    let mut members = vec![
        ("AccessKeyId", Value::string(c.access_key_id.clone())),
        ("SecretAccessKey", Value::string(c.secret_access_key.expose())),
    ];
    if let Some(t) = &c.session_token {
        members.push(("SessionToken", Value::string(t.expose())));
    }
    if let Some(e) = c.expiration {
        members.push((
            "Expiration",
            Value::string(UtcDateTime::from_system_time(e).rfc3339()),
        ));
    }
    members
}

/// A value quoted for fish: inside single quotes, with `\` and `'` escaped.
fn fish_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

/// A value quoted for PowerShell: inside single quotes, with `'` doubled.
fn powershell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The lines that set `vars` and clear the stale variables, in a shell's syntax.
fn shell_lines(format: Format, vars: &[(&'static str, String)]) -> Result<String> {
    let mut out = String::new();
    for n in stale(vars) {
        out.push_str(&match format {
            Format::Env | Format::EnvNoExport => format!("unset {n}\n"),
            Format::Fish => format!("set -e {n}\n"),
            Format::Powershell => format!("Remove-Item Env:{n} -ErrorAction SilentlyContinue\n"),
            Format::WindowsCmd => format!("set {n}=\n"),
            Format::Process => String::new(),
        });
    }
    for (n, v) in vars {
        out.push_str(&match format {
            Format::Env => format!("export {n}={}\n", sh_quote(v)),
            Format::EnvNoExport => format!("{n}={}\n", sh_quote(v)),
            Format::Fish => format!("set -gx {n} {}\n", fish_quote(v)),
            Format::Powershell => format!("$Env:{n}={}\n", powershell_quote(v)),
            Format::WindowsCmd => {
                // cmd has no quoting that survives every character: refuse the ones it would act on.
                if v.chars().any(|c| "\"&|<>^%!\r\n".contains(c)) {
                    return Err(Error::new(
                        ErrorKind::Other,
                        format!("{n} holds a character that windows-cmd cannot set safely"),
                    )
                    .with_hint("use --format powershell"));
                }
                format!("set {n}={v}\n")
            }
            Format::Process => String::new(),
        });
    }
    Ok(out)
}

fn export_credentials(ctx: &Ctx<'_>, format: Format) -> Result<u8> {
    let (c, _) = resolve(ctx)?;
    if format == Format::Process {
        return process_json(&c);
    }
    print_out(&shell_lines(format, &variables(&c, None))?)?;
    Ok(0)
}

fn process_json(c: &Credentials) -> Result<u8> {
    let mut members = vec![("Version", Value::Number("1".into()))];
    members.extend(credential_members(c));
    json_out(&Value::object(members))?;
    Ok(0)
}

fn env(ctx: &Ctx<'_>, format: Format) -> Result<u8> {
    let (c, region) = resolve(ctx)?;
    if format == Format::Process {
        return process_json(&c);
    }
    match ctx.globals.output {
        Some(crate::cli::output::Format::Json) if format == Format::Env => {
            let mut members = credential_members(&c);
            if let Some(r) = region {
                members.push(("Region", Value::string(r)));
            }
            json_out(&Value::object(members))?;
        }
        _ => print_out(&shell_lines(format, &variables(&c, region.as_deref()))?)?,
    }
    Ok(0)
}

fn credential_process(ctx: &Ctx<'_>) -> Result<u8> {
    if ctx.globals.profile.is_none() {
        return Err(Error::usage("'awl credential-process' needs --profile")
            .with_hint("credential_process = awl credential-process --profile NAME"));
    }
    let (c, _) = resolve(ctx)?;
    process_json(&c)
}

/// Why the program could not be started, with the exit code a shell gives: 127 when there is no such program,
/// 126 when it cannot be run.
fn spawn_error(program: &str, e: std::io::Error) -> Error {
    let kind = match e.kind() {
        std::io::ErrorKind::NotFound => ErrorKind::CommandNotFound,
        std::io::ErrorKind::PermissionDenied => ErrorKind::CommandNotExecutable,
        _ => ErrorKind::Other,
    };
    Error::new(kind, format!("cannot run {program:?}: {e}"))
        .with_hint("check the command's name and PATH")
        .with_source(e)
}

fn exec(ctx: &Ctx<'_>, program: &str, cmd_args: &[String]) -> Result<u8> {
    let (c, region) = resolve(ctx)?;
    let mut command = Command::new(program);
    command.args(cmd_args);
    let vars = variables(&c, region.as_deref());
    for name in stale(&vars) {
        command.env_remove(name);
    }
    for (n, v) in vars {
        command.env(n, v);
    }
    // awl becomes the program (execve, as aws-vault does on Unix): signals, the exit status and the terminal
    // are the program's own, with nothing to forward and no program from PATH needed to do it. Only a
    // failure to start it comes back here.
    let e = command.exec();
    Err(spawn_error(program, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sh_quoting_survives_any_text() {
        assert_eq!(sh_quote("abc"), "'abc'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
        assert_eq!(sh_quote("a/b+c=="), "'a/b+c=='");
    }
}
