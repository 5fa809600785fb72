//! The profile's credentials for other programs: `awl env` (shell export lines or JSON), `awl exec -- CMD`
//! (CMD run with them in its environment, its exit code and signals passed through), and
//! `awl credential-process` (Version 1 JSON, for another tool's `credential_process`). One MFA prompt and the
//! shared cache serve them all.

use super::{Globals, Output, json_out, open_session, print_out, session_credentials};
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::json::Value;
use crate::time::UtcDateTime;
use std::os::unix::process::ExitStatusExt;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The credentials and region of the selected profile.
fn resolve(globals: &Globals) -> Result<(Credentials, Option<String>)> {
    let mut session = open_session(globals, "sts")?;
    let creds = session_credentials(&mut session, globals)?;
    Ok((creds, session.resolved.region.map(|r| r.value)))
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

pub(super) fn env(globals: &Globals, args: &[String]) -> Result<u8> {
    super::no_args(&["env"], args)?;
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

pub(super) fn credential_process(globals: &Globals, args: &[String]) -> Result<u8> {
    super::no_args(&["credential-process"], args)?;
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

pub(super) fn exec(globals: &Globals, args: &[String]) -> Result<u8> {
    let cmd = match args.split_first() {
        Some((dd, rest)) if dd == "--" => rest,
        _ => args,
    };
    let (program, cmd_args) = cmd.split_first().ok_or_else(|| {
        Error::usage("'awl exec' needs a command to run")
            .with_hint("awl exec --profile P -- COMMAND [ARGS...]")
    })?;
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
