//! `awl sts get-caller-identity` and `awl sts assume-role`.

use super::{Globals, Output, json_out, open_session, options, print_out, session_credentials};
use crate::error::{Error, Result};
use crate::json::Value;
use crate::secret::Secret;
use crate::sts::AssumeRoleParams;
use std::collections::BTreeMap;

pub(super) fn get_caller_identity(globals: &Globals) -> Result<()> {
    let mut session = open_session(globals, "sts")?;
    let creds = session_credentials(&mut session, globals)?;
    let id = session
        .sts(globals.endpoint_url.as_deref())?
        .get_caller_identity(&creds)?;
    match globals.output {
        Output::Text => print_out(&format!("{}\t{}\t{}\n", id.account, id.arn, id.user_id)),
        Output::Default | Output::Json => json_out(&Value::object([
            ("UserId", Value::string(id.user_id)),
            ("Account", Value::string(id.account)),
            ("Arn", Value::string(id.arn)),
        ])),
    }
}

pub(super) fn assume_role(globals: &Globals, args: &[String]) -> Result<()> {
    let words = ["sts", "assume-role"];
    let mut o = options(
        &words,
        args,
        &[
            "--role-arn",
            "--role-session-name",
            "--serial-number",
            "--token-code",
            "--duration-seconds",
            "--external-id",
        ],
    )?;
    let required = |o: &mut BTreeMap<String, String>, n: &str| {
        o.remove(n).ok_or_else(|| {
            Error::usage(format!("'awl sts assume-role' needs {n}"))
                .with_hint("see 'awl help sts assume-role'")
        })
    };
    let role_arn = required(&mut o, "--role-arn")?;
    let role_session_name = required(&mut o, "--role-session-name")?;
    let duration_seconds = match o.remove("--duration-seconds") {
        None => None,
        Some(d) => Some(d.parse::<u32>().map_err(|_| {
            Error::usage(format!(
                "--duration-seconds {d:?} is not a whole number of seconds"
            ))
            .with_hint("STS takes 900 to 43200")
        })?),
    };
    let token_code = o.remove("--token-code").map(Secret::new);
    let serial_number = o.remove("--serial-number");
    if token_code.is_some() != serial_number.is_some() {
        return Err(Error::usage("--serial-number and --token-code go together")
            .with_hint("give both for a role that needs MFA, or neither"));
    }
    if let Some(code) = &token_code {
        crate::credentials::check_mfa_code(code)?;
    }
    let params = AssumeRoleParams {
        role_arn,
        role_session_name,
        duration_seconds,
        external_id: o.remove("--external-id"),
        serial_number,
        token_code,
    };
    let mut session = open_session(globals, "sts")?;
    let creds = session_credentials(&mut session, globals)?;
    let a = session
        .sts(globals.endpoint_url.as_deref())?
        .assume_role(&creds, &params)?;
    let c = &a.credentials;
    let secret = c.secret_access_key.expose().to_owned();
    let token = c
        .session_token
        .as_ref()
        .map(|t| t.expose().to_owned())
        .unwrap_or_default();
    match globals.output {
        Output::Text => print_out(&format!(
            "ASSUMEDROLEUSER\t{}\t{}\nCREDENTIALS\t{}\t{}\t{secret}\t{token}\n",
            a.arn, a.assumed_role_id, c.access_key_id, a.expiration
        )),
        Output::Default | Output::Json => json_out(&Value::object([
            (
                "Credentials",
                Value::object([
                    ("AccessKeyId", Value::string(c.access_key_id.clone())),
                    ("SecretAccessKey", Value::string(secret)),
                    ("SessionToken", Value::string(token)),
                    ("Expiration", Value::string(a.expiration.clone())),
                ]),
            ),
            (
                "AssumedRoleUser",
                Value::object([
                    ("AssumedRoleId", Value::string(a.assumed_role_id.clone())),
                    ("Arn", Value::string(a.arn.clone())),
                ]),
            ),
        ])),
    }
}
