//! The profile's credentials for other programs: `awl env` (shell export lines or JSON), `awl exec -- CMD`
//! (CMD run with them in its environment, its exit code and signals passed through), and
//! `awl credential-process` (Version 1 JSON, for another tool's `credential_process`). One MFA prompt and the
//! shared cache serve them all.

use crate::cli::args::{Args, Globals, Output};
use crate::cli::context::{Service, session_credentials, with_session};
use crate::cli::terminal::{json_out, print_out};
use crate::codec::json::Value;
use crate::codec::time::UtcDateTime;
use crate::error::{Error, ErrorKind, Result};
use crate::identity::Credentials;
use std::os::unix::process::ExitStatusExt;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

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
pub(crate) fn run(globals: &Globals, command: &ExportCommand) -> Result<u8> {
    match command {
        ExportCommand::Env => env(globals),
        ExportCommand::Exec { program, args } => exec(globals, program, args),
        ExportCommand::CredentialProcess => credential_process(globals),
    }
}

/// The credentials and region of the selected profile.
fn resolve(globals: &Globals) -> Result<(Credentials, Option<String>)> {
    with_session(globals, Service::Sts, None, |session| {
        let creds = session_credentials(session, globals)?;
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

fn env(globals: &Globals) -> Result<u8> {
    let (c, region) = resolve(globals)?;
    match globals.output {
        Output::Json => {
            let mut members = credential_members(&c);
            if let Some(r) = region {
                members.push(("Region", Value::string(r)));
            }
            json_out(&Value::object(members))?;
        }
        _ => {
            let lines: String = variables(&c, region.as_deref())
                .iter()
                .map(|(n, v)| format!("export {n}={}\n", sh_quote(v)))
                .collect();
            print_out(&lines)?;
        }
    }
    Ok(0)
}

fn credential_process(globals: &Globals) -> Result<u8> {
    if globals.profile.is_none() {
        return Err(Error::usage("'awl credential-process' needs --profile")
            .with_hint("credential_process = awl credential-process --profile NAME"));
    }
    let (c, _) = resolve(globals)?;
    let mut members = vec![("Version", Value::Number("1".into()))];
    members.extend(credential_members(&c));
    json_out(&Value::object(members))?;
    Ok(0)
}

/// The signals awl passes on to the program it runs.
const FORWARDED: &[(i32, &str)] = &[
    (signal_hook::consts::SIGTERM, "TERM"),
    (signal_hook::consts::SIGHUP, "HUP"),
    (signal_hook::consts::SIGQUIT, "QUIT"),
    (signal_hook::consts::SIGINT, "INT"),
];

/// Sends a signal to a process by name, with the system's `kill` (no unsafe code of ours).
fn send_signal(pid: u32, name: &str) -> bool {
    Command::new("kill")
        .args(["-s", name, &pid.to_string()])
        .status()
        .is_ok_and(|s| s.success())
}

fn exec(globals: &Globals, program: &str, cmd_args: &[String]) -> Result<u8> {
    let (c, region) = resolve(globals)?;
    let mut command = Command::new(program);
    command.args(cmd_args);
    for name in [
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
    ] {
        command.env_remove(name);
    }
    for (n, v) in variables(&c, region.as_deref()) {
        command.env(n, v);
    }
    // While the program runs, signals to awl are passed on to it instead of ending awl.
    let flags: Vec<(Arc<AtomicBool>, &str, i32)> = FORWARDED
        .iter()
        .map(|&(sig, name)| {
            let flag = Arc::new(AtomicBool::new(false));
            signal_hook::flag::register(sig, flag.clone())
                .map_err(|e| Error::new(ErrorKind::Other, "cannot handle signals").with_source(e))?;
            Ok((flag, name, sig))
        })
        .collect::<Result<_>>()?;
    let mut child = command.spawn().map_err(|e| {
        Error::new(ErrorKind::Other, format!("cannot run {program:?}: {e}"))
            .with_hint("check the command's name and PATH")
            .with_source(e)
    })?;
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stdin());
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| {
            Error::new(ErrorKind::Other, format!("waiting for {program:?}: {e}")).with_source(e)
        })? {
            break status;
        }
        for (flag, name, sig) in &flags {
            if flag.swap(false, Ordering::Relaxed) {
                // On a terminal, Ctrl-C already reached the program (same process group).
                if *sig == signal_hook::consts::SIGINT && interactive {
                    continue;
                }
                if !send_signal(child.id(), name) && *sig != signal_hook::consts::SIGINT {
                    let _ = child.kill();
                }
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    };
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
