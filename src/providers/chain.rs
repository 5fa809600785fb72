//! Walking a planned credential chain: the base's credentials (keys, the environment, instance metadata, a
//! container endpoint or a process), then each AssumeRole hop in turn, from the AWS CLI's cache when a fresh
//! entry is there, otherwise from STS (with its MFA code) and then cached.

use crate::config::chain::{Base, Chain, NamedSource};
use crate::config::env::{self, Env};
use crate::error::{Error, Result};
use crate::identity::{Credentials, Refresh};
use crate::providers::cache::{self, CacheKey};
use crate::providers::container;
use crate::providers::imds::Imds;
use crate::providers::process;
use crate::secret::Secret;
use crate::sts::{AssumeRoleParams, StsClient, check_mfa_code, default_session_name};
use crate::transport::Transport;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

/// What walking a credential chain needs from the outside: STS, the cache folder, the clock, and a way to
/// get an MFA code.
pub struct ChainContext<'a> {
    /// STS at the profile's endpoint.
    pub sts: &'a StsClient<'a>,
    /// The environment (for `credential_source = Environment` and the container variables).
    pub env: &'a Env,
    /// HTTP for instance metadata and container endpoints: no proxy, short timeouts.
    pub local_http: &'a dyn Transport,
    /// Where instance metadata answers, if not at its usual address.
    pub imds_endpoint: Option<String>,
    /// The AWS CLI's cache folder (`~/.aws/cli/cache`); `None` to neither read nor write a cache.
    pub cache_dir: Option<PathBuf>,
    /// Now.
    pub now: SystemTime,
    /// Returns the MFA code for a device serial (asked on the terminal, or `--mfa-code`).
    pub mfa_code: &'a mut dyn FnMut(&str) -> Result<Secret>,
    /// Things the user should know that are not errors (a cache that cannot be written).
    pub warnings: Vec<String>,
}

impl std::fmt::Debug for ChainContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainContext")
            .field("cache_dir", &self.cache_dir)
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

/// Credentials from instance metadata, a container endpoint or the environment's keys.
fn named_credentials(
    source: NamedSource,
    env: &Env,
    local_http: &dyn Transport,
    imds_endpoint: Option<&str>,
) -> Result<Credentials> {
    match source {
        NamedSource::EcsContainer => {
            let url = container::url(env)?;
            let token = match (
                env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
                env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
            ) {
                (Some(t), _) => Some(t.to_owned()),
                (None, Some(path)) => Some(env::read_token_file(path)?),
                (None, None) => None,
            };
            container::credentials(local_http, &url, token.as_deref())
        }
        NamedSource::Ec2InstanceMetadata => {
            if env.is_true("AWS_EC2_METADATA_DISABLED") {
                return Err(
                    Error::config("instance metadata is disabled (AWS_EC2_METADATA_DISABLED=true)")
                        .with_hint("unset it on EC2, or give the profile another source of credentials"),
                );
            }
            Imds::new(local_http, imds_endpoint)?.credentials()
        }
        NamedSource::Environment => match (env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")) {
            (Some(id), Some(secret)) => {
                let mut c = Credentials::new(id, secret);
                c.session_token = env.get("AWS_SESSION_TOKEN").map(Secret::new);
                Ok(c)
            }
            _ => Err(Error::config(
                "credential_source Environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set",
            )
            .with_hint("export both before running awl")),
        },
    }
}

fn base_credentials(base: &Base, ctx: &ChainContext<'_>) -> Result<Credentials> {
    match base {
        Base::EnvKeys {
            access_key_id,
            secret_access_key,
            session_token,
        }
        | Base::StaticKeys {
            access_key_id,
            secret_access_key,
            session_token,
            ..
        } => {
            let mut c = Credentials::new(access_key_id.value.clone(), secret_access_key.value.clone());
            c.session_token = session_token.as_ref().map(|t| t.value.clone());
            Ok(c)
        }
        Base::Named { source, .. } | Base::Fallback { source } => {
            named_credentials(*source, ctx.env, ctx.local_http, ctx.imds_endpoint.as_deref())
        }
        Base::Process { profile, command } => {
            process::run(profile, &command.value, &command.source.to_string())
        }
    }
}

/// A way to fetch the chain's credentials again when they come straight from instance metadata, a container
/// endpoint or a credential process (no role to assume, so no MFA code to ask for): long transfers refresh
/// them before they expire. `None` for other chains.
pub fn refresher(
    chain: &Chain,
    env: &Env,
    local_http: Arc<dyn Transport>,
    imds_endpoint: Option<String>,
) -> Option<Refresh> {
    if !chain.hops.is_empty() {
        return None;
    }
    let env = env.clone();
    match &chain.base {
        Base::Named { source, .. } | Base::Fallback { source } => {
            let source = *source;
            Some(Box::new(move || {
                named_credentials(source, &env, local_http.as_ref(), imds_endpoint.as_deref())
            }))
        }
        Base::Process { profile, command } => {
            let (profile, command, source) =
                (profile.clone(), command.value.clone(), command.source.to_string());
            Some(Box::new(move || process::run(&profile, &command, &source)))
        }
        Base::EnvKeys { .. } | Base::StaticKeys { .. } => None,
    }
}

/// The credentials at the end of `chain`: the base's, then each role assumed in turn, each hop from the
/// cache when a fresh entry is there, otherwise from STS (asking for an MFA code where the hop has a serial)
/// and then cached.
pub fn resolve_chain(chain: &Chain, ctx: &mut ChainContext<'_>) -> Result<Credentials> {
    let mut creds = base_credentials(&chain.base, ctx)?;
    for hop in &chain.hops {
        let key = CacheKey {
            role_arn: &hop.role_arn.value,
            duration_seconds: hop.duration_seconds.as_ref().map(|d| d.value),
            external_id: hop.external_id.as_ref().map(|s| s.value.as_str()),
            role_session_name: hop.role_session_name.as_ref().map(|s| s.value.as_str()),
            serial_number: hop.mfa_serial.as_ref().map(|s| s.value.as_str()),
        };
        if let Some(cached) = ctx
            .cache_dir
            .as_deref()
            .and_then(|d| cache::load(d, &key, ctx.now))
        {
            creds = cached;
            continue;
        }
        let token_code = match &hop.mfa_serial {
            Some(serial) => {
                let code = (ctx.mfa_code)(&serial.value)?;
                check_mfa_code(&code)?;
                Some(code)
            }
            None => None,
        };
        let params = AssumeRoleParams {
            role_arn: hop.role_arn.value.clone(),
            role_session_name: hop
                .role_session_name
                .as_ref()
                .map_or_else(|| default_session_name(ctx.now), |s| s.value.clone()),
            duration_seconds: key.duration_seconds,
            external_id: key.external_id.map(str::to_owned),
            serial_number: key.serial_number.map(str::to_owned),
            token_code,
        };
        let assumed = ctx
            .sts
            .assume_role(&creds, &params)
            .map_err(|e| e.context(format_args!("profile '{}'", hop.profile)))?;
        if let Some(dir) = &ctx.cache_dir
            && let Err(e) = cache::store(dir, &key, &assumed)
        {
            ctx.warnings.push(format!(
                "{e} (the credentials work, but the next run will ask again)"
            ));
        }
        creds = assumed.credentials;
    }
    Ok(creds)
}
