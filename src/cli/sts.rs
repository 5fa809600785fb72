//! `awl sts get-caller-identity`, `assume-role` and `get-session-token`.

use crate::cli::args::Args;
use crate::cli::context::Ctx;
use crate::cli::context::{Service, session_credentials, with_session};
use crate::cli::document;
use crate::codec::json::Value;
use crate::codec::time::iso8601_v2;
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
    /// `get-session-token`: its duration, and the MFA device and code if given.
    GetSessionToken {
        /// `--duration-seconds`.
        duration_seconds: Option<u32>,
        /// `--serial-number` and `--token-code`.
        mfa: Option<(String, Secret)>,
    },
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
        let duration_seconds = duration(args)?;
        let (serial_number, token_code) = mfa(args)?.unzip();
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

impl StsCommand {
    /// `awl sts get-session-token`.
    pub(crate) fn get_session_token(args: &Args) -> Result<Self> {
        args.no_positionals()?;
        Ok(StsCommand::GetSessionToken {
            duration_seconds: duration(args)?,
            mfa: mfa(args)?,
        })
    }
}

/// `--duration-seconds`, a whole number of seconds.
fn duration(args: &Args) -> Result<Option<u32>> {
    args.value("--duration-seconds")
        .map(|d| {
            d.parse::<u32>().map_err(|_| {
                Error::usage(format!(
                    "--duration-seconds {d:?} is not a whole number of seconds"
                ))
                .with_hint("STS takes 900 to 43200 (129600 for a session token)")
            })
        })
        .transpose()
}

/// `--serial-number` and `--token-code`, both or neither; the code checked before anything is sent.
fn mfa(args: &Args) -> Result<Option<(String, Secret)>> {
    let token_code = args.value("--token-code").map(Secret::new);
    let serial_number = args.value("--serial-number").map(str::to_owned);
    match (serial_number, token_code) {
        (Some(s), Some(c)) => {
            check_mfa_code(&c)?;
            Ok(Some((s, c)))
        }
        (None, None) => Ok(None),
        _ => Err(Error::usage("--serial-number and --token-code go together")
            .with_hint("give both for MFA, or neither")),
    }
}

/// Runs an `awl sts` command: its answer printed as a document (`--query`, then the output format).
pub(crate) fn run(ctx: &Ctx<'_>, command: &StsCommand) -> Result<()> {
    let globals = ctx.globals;
    with_session(ctx, Service::Sts, |session| {
        // The format is settled before any request: a bad AWS_DEFAULT_OUTPUT stops awl first.
        let format = document::format(globals.output, session.resolved.output.as_ref())?;
        let creds = session_credentials(session, ctx)?;
        let sts = session.sts(globals.endpoint_url.as_deref())?;
        let (operation, doc) = match command {
            StsCommand::GetCallerIdentity => {
                let id = sts.get_caller_identity(&creds)?;
                let doc = Value::object([
                    ("UserId", Value::string(id.user_id)),
                    ("Account", Value::string(id.account)),
                    ("Arn", Value::string(id.arn)),
                ]);
                ("GetCallerIdentity", doc)
            }
            StsCommand::AssumeRole(params) => {
                let a = sts.assume_role(&creds, params)?;
                let mut doc = credentials_document(&a);
                if let Value::Object(members) = &mut doc {
                    // The answer's members in the service model's order, as the AWS CLI prints them.
                    members.push((
                        "AssumedRoleUser".to_owned(),
                        Value::object([
                            ("AssumedRoleId", Value::string(a.assumed_role_id.clone())),
                            ("Arn", Value::string(a.arn.clone())),
                        ]),
                    ));
                    if let Some(n) = &a.packed_policy_size {
                        members.push(("PackedPolicySize".to_owned(), Value::Number(n.clone())));
                    }
                    if let Some(s) = &a.source_identity {
                        members.push(("SourceIdentity".to_owned(), Value::string(s.clone())));
                    }
                }
                ("AssumeRole", doc)
            }
            StsCommand::GetSessionToken {
                duration_seconds,
                mfa,
            } => {
                let got = sts.get_session_token(
                    &creds,
                    *duration_seconds,
                    mfa.as_ref().map(|(s, c)| (s.as_str(), c)),
                )?;
                ("GetSessionToken", credentials_document(&got))
            }
        };
        document::print(globals.query.as_ref(), format, operation, &doc)
    })
}

/// The `Credentials` member of an STS answer, as the AWS CLI prints it.
fn credentials_document(a: &AssumedRole) -> Value {
    let c = &a.credentials;
    Value::object([(
        "Credentials",
        Value::object([
            ("AccessKeyId", Value::string(c.access_key_id.clone())),
            (
                "SecretAccessKey",
                Value::string(c.secret_access_key.expose().to_owned()),
            ),
            (
                "SessionToken",
                Value::string(
                    c.session_token
                        .as_ref()
                        .map(|t| t.expose().to_owned())
                        .unwrap_or_default(),
                ),
            ),
            // As the AWS CLI v2 prints a timestamp (ISO 8601, `+00:00`); as sent if it cannot be read.
            (
                "Expiration",
                Value::string(iso8601_v2(&a.expiration).unwrap_or_else(|| a.expiration.clone())),
            ),
        ]),
    )])
}
