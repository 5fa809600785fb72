//! `awl sts get-caller-identity` and `awl sts assume-role`.

use crate::cli::args::{Args, Globals, Output};
use crate::cli::context::Ctx;
use crate::cli::context::{Service, session_credentials, with_session};
use crate::cli::terminal::{json_out, print_out};
use crate::codec::json::Value;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::sts::{AssumeRoleParams, AssumedRole, check_mfa_code};

/// An `awl sts` command.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum StsCommand {
    /// `get-caller-identity`.
    GetCallerIdentity,
    /// `assume-role` with its parameters (the MFA code a [`Secret`]).
    AssumeRole(AssumeRoleParams),
}

impl StsCommand {
    /// `awl sts get-caller-identity`.
    pub(crate) fn get_caller_identity(args: &Args) -> Result<Self> {
        args.no_positionals()?;
        Ok(StsCommand::GetCallerIdentity)
    }

    /// `awl sts assume-role`.
    pub(crate) fn assume_role(args: &Args) -> Result<Self> {
        args.no_positionals()?;
        let required = |n: &str| {
            args.value(n).map(str::to_owned).ok_or_else(|| {
                Error::usage(format!("'awl sts assume-role' needs {n}"))
                    .with_hint("see 'awl help sts assume-role'")
            })
        };
        let role_arn = required("--role-arn")?;
        let role_session_name = required("--role-session-name")?;
        let duration_seconds = match args.value("--duration-seconds") {
            None => None,
            Some(d) => Some(d.parse::<u32>().map_err(|_| {
                Error::usage(format!(
                    "--duration-seconds {d:?} is not a whole number of seconds"
                ))
                .with_hint("STS takes 900 to 43200")
            })?),
        };
        let token_code = args.value("--token-code").map(Secret::new);
        let serial_number = args.value("--serial-number").map(str::to_owned);
        if token_code.is_some() != serial_number.is_some() {
            return Err(Error::usage("--serial-number and --token-code go together")
                .with_hint("give both for a role that needs MFA, or neither"));
        }
        if let Some(code) = &token_code {
            check_mfa_code(code)?;
        }
        Ok(StsCommand::AssumeRole(AssumeRoleParams {
            role_arn,
            role_session_name,
            duration_seconds,
            external_id: args.value("--external-id").map(str::to_owned),
            serial_number,
            token_code,
        }))
    }
}

/// Runs an `awl sts` command.
pub(crate) fn run(ctx: &Ctx<'_>, command: &StsCommand) -> Result<()> {
    let globals = ctx.globals;
    with_session(ctx, Service::Sts, |session| {
        let creds = session_credentials(session, ctx)?;
        let sts = session.sts(globals.endpoint_url.as_deref())?;
        match command {
            StsCommand::GetCallerIdentity => {
                let id = sts.get_caller_identity(&creds)?;
                match globals.output {
                    Output::Text => print_out(&format!("{}\t{}\t{}\n", id.account, id.arn, id.user_id)),
                    Output::Default | Output::Json => json_out(&Value::object([
                        ("UserId", Value::string(id.user_id)),
                        ("Account", Value::string(id.account)),
                        ("Arn", Value::string(id.arn)),
                    ])),
                }
            }
            StsCommand::AssumeRole(params) => print_assumed(globals, &sts.assume_role(&creds, params)?),
        }
    })
}

fn print_assumed(globals: &Globals, a: &AssumedRole) -> Result<()> {
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
