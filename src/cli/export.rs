//! The profile's credentials for other programs: `awl env` (shell export lines or JSON), `awl exec -- CMD`
//! (CMD run with them in its environment, its exit code and signals passed through), and
//! `awl credential-process` (Version 1 JSON, for another tool's `credential_process`). One MFA prompt and the
//! shared cache serve them all.

use crate::cli::args::{Args, Output};
use crate::cli::context::{Ctx, Service, session_credentials, with_session};
use crate::cli::terminal::{json_out, print_out};
use crate::codec::json::Value;
use crate::codec::time::UtcDateTime;
use crate::error::{Error, ErrorKind, Result};
use crate::identity::Credentials;
use std::os::unix::process::ExitStatusExt;
use std::process::Command;

/// A command that hands the profile's credentials to another program.
#[derive(Debug, PartialEq, Eq)]
pub enum ExportCommand {
    /// `awl env`: export lines (or JSON with `--output json`).
    Env,
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
    pub fn env(args: &Args) -> Result<Self> {
        args.no_positionals()?;
        Ok(ExportCommand::Env)
    }

    /// `awl exec`: everything after the command word is the command to run.
    pub fn exec(args: &Args) -> Result<Self> {
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
    pub fn credential_process(args: &Args) -> Result<Self> {
        args.no_positionals()?;
        Ok(ExportCommand::CredentialProcess)
    }
}

/// Runs an export command; returns the exit code (the program's, for `exec`).
pub(crate) fn run(ctx: &Ctx<'_>, command: &ExportCommand) -> Result<u8> {
    match command {
        ExportCommand::Env => env(ctx),
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
pub fn sh_quote(value: &str) -> String {
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

fn env(ctx: &Ctx<'_>) -> Result<u8> {
    let (c, region) = resolve(ctx)?;
    match ctx.globals.output {
        Output::Json => {
            let mut members = credential_members(&c);
            if let Some(r) = region {
                members.push(("Region", Value::string(r)));
            }
            json_out(&Value::object(members))?;
        }
        _ => {
            let vars = variables(&c, region.as_deref());
            let mut lines: String = stale(&vars).map(|n| format!("unset {n}\n")).collect();
            for (n, v) in &vars {
                lines.push_str(&format!("export {n}={}\n", sh_quote(v)));
            }
            print_out(&lines)?;
        }
    }
    Ok(0)
}

fn credential_process(ctx: &Ctx<'_>) -> Result<u8> {
    if ctx.globals.profile.is_none() {
        return Err(Error::usage("'awl credential-process' needs --profile")
            .with_hint("credential_process = awl credential-process --profile NAME"));
    }
    let (c, _) = resolve(ctx)?;
    let mut members = vec![("Version", Value::Number("1".into()))];
    members.extend(credential_members(&c));
    json_out(&Value::object(members))?;
    Ok(0)
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
    let mut child = command.spawn().map_err(|e| spawn_error(program, e))?;
    // While the program runs, signals to awl are passed on to it instead of ending awl.
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stdin());
    ctx.interrupt.forward_to(Some((child.id(), interactive)));
    let status = child.wait();
    ctx.interrupt.forward_to(None);
    let status = status
        .map_err(|e| Error::new(ErrorKind::Other, format!("waiting for {program:?}: {e}")).with_source(e))?;
    // A program ended by a signal exits as a shell reports it: 128 + the signal number.
    Ok(match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code).unwrap_or(255),
        (None, Some(sig)) => u8::try_from(128 + sig).unwrap_or(255),
        (None, None) => 255,
    })
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
