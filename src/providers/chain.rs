//! Walking a planned credential chain: the base's credentials (keys, the environment, instance metadata, a
//! container endpoint, a process, a web identity token, or an SSO login), then each AssumeRole hop in turn,
//! from the AWS CLI's cache when a fresh entry is there, otherwise from STS (with its MFA code, or from awl's
//! MFA session) and then cached.

use crate::config::chain::{Base, Chain, NamedSource};
use crate::config::env::{self, Env};
use crate::error::{Error, Result};
use crate::identity::Credentials;
use crate::providers::cache::{self, CacheKey};
use crate::providers::container;
use crate::providers::imds::Imds;
use crate::providers::process;
use crate::providers::sso::{SsoRole, sso_credentials};
use crate::secret::Secret;
use crate::sso::SsoClient;
use crate::sts::{
    AssumeRoleParams, AssumedRole, StsClient, WebIdentityParams, check_mfa_code, default_session_name,
};
use crate::transport::Transport;
use std::path::PathBuf;
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
    /// The SSO portal and OIDC of the chain's `sso_region`, for an SSO base.
    pub sso: Option<&'a SsoClient<'a>>,
    /// The SSO token cache shared with the AWS CLI v2 (`~/.aws/sso/cache`), for an SSO base.
    pub sso_token_dir: Option<PathBuf>,
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

/// Keeps an STS answer in the cache under `name`; a cache that cannot be written is a warning.
fn keep(ctx: &mut ChainContext<'_>, name: &str, assumed: &AssumedRole) {
    if let Some(dir) = &ctx.cache_dir
        && let Err(e) = cache::store(dir, name, assumed)
    {
        ctx.warnings.push(format!(
            "{e} (the credentials work, but the next run will ask again)"
        ));
    }
}

/// A cached entry named `name`, if the context has a cache and the entry is fresh.
fn cached(ctx: &ChainContext<'_>, name: &str) -> Option<Credentials> {
    ctx.cache_dir
        .as_deref()
        .and_then(|d| cache::load(d, name, ctx.now))
}

/// AssumeRoleWithWebIdentity, the token file read anew; cached as the AWS CLI caches it (keyed by the role,
/// a session name the user set and the token as the file holds it), so the two share the entry.
fn web_identity(
    role_arn: &crate::config::profiles::Setting,
    token_file: &crate::config::profiles::Setting,
    role_session_name: Option<&crate::config::profiles::Setting>,
    ctx: &mut ChainContext<'_>,
) -> Result<Credentials> {
    let token = env::read_web_identity_token(&token_file.value, &token_file.source.to_string())?;
    let key = CacheKey {
        role_arn: &role_arn.value,
        role_session_name: role_session_name.map(|s| s.value.as_str()),
        web_identity_token: Some(token.expose()),
        ..CacheKey::default()
    };
    let name = key.file_name();
    if let Some(c) = cached(ctx, &name) {
        return Ok(c);
    }
    let params = WebIdentityParams {
        role_arn: role_arn.value.clone(),
        role_session_name: role_session_name
            .map_or_else(|| default_session_name(ctx.now), |s| s.value.clone()),
        token: Secret::new(token.expose().trim()),
    };
    let assumed = ctx.sts.assume_role_with_web_identity(&params)?;
    keep(ctx, &name, &assumed);
    Ok(assumed.credentials)
}

fn base_credentials(base: &Base, ctx: &mut ChainContext<'_>) -> Result<Credentials> {
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
        Base::WebIdentity {
            role_arn,
            token_file,
            role_session_name,
            ..
        } => web_identity(role_arn, token_file, role_session_name.as_ref(), ctx),
        Base::Sso { .. } => {
            let (Some(role), Some(client), Some(dir)) = (SsoRole::of(base), ctx.sso, &ctx.sso_token_dir)
            else {
                return Err(
                    Error::config("no home folder for the SSO token cache (~/.aws/sso/cache)")
                        .with_hint("set HOME"),
                );
            };
            sso_credentials(
                &role,
                client,
                dir,
                ctx.cache_dir.as_deref(),
                ctx.now,
                &mut ctx.warnings,
            )
        }
    }
}

/// Whether the chain's credentials can be fetched again during a long transfer: anything but keys that never
/// expire. (A hop that needs an MFA code is renewed only while awl's MFA session or a cache entry lasts.)
pub fn refreshable(chain: &Chain) -> bool {
    !(chain.hops.is_empty() && matches!(chain.base, Base::EnvKeys { .. } | Base::StaticKeys { .. }))
}

/// STS's cap on a role assumed with session credentials (role chaining): one hour.
pub const CHAINED_ROLE_MAX_SECONDS: u32 = 3600;

/// What awl asks GetSessionToken for: STS's default for IAM users, 12 hours.
pub const MFA_SESSION_SECONDS: u32 = 43_200;

/// The credentials of awl's MFA session for `serial` with the IAM user's `keys`: from its cache file while
/// fresh, else GetSessionToken with one code, then kept (mode 0600) for the next role and the next run.
fn mfa_session(keys: &Credentials, serial: &str, ctx: &mut ChainContext<'_>) -> Result<Credentials> {
    let name = cache::mfa_session_file_name(&keys.access_key_id, serial);
    if let Some(c) = cached(ctx, &name) {
        return Ok(c);
    }
    let code = (ctx.mfa_code)(serial)?;
    check_mfa_code(&code)?;
    let session = ctx
        .sts
        .get_session_token(keys, Some(MFA_SESSION_SECONDS), Some((serial, &code)))?;
    keep(ctx, &name, &session);
    Ok(session.credentials)
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
            web_identity_token: None,
        };
        let name = key.file_name();
        if let Some(c) = cached(ctx, &name) {
            creds = c;
            continue;
        }
        let mut duration_seconds = key.duration_seconds;
        let token_code = match &hop.mfa_serial {
            Some(serial) if hop.mfa_session => {
                creds = mfa_session(&creds, &serial.value, ctx)?;
                // A role assumed with session credentials lasts at most an hour (role chaining).
                duration_seconds = duration_seconds.map(|d| d.min(CHAINED_ROLE_MAX_SECONDS));
                None
            }
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
            duration_seconds,
            external_id: key.external_id.map(str::to_owned),
            // From an MFA session the role needs no device: the session already proved it.
            serial_number: key.serial_number.filter(|_| !hop.mfa_session).map(str::to_owned),
            token_code,
        };
        let assumed = ctx
            .sts
            .assume_role(&creds, &params)
            .map_err(|e| e.context(format_args!("profile '{}'", hop.profile)))?;
        // Under the key the AWS CLI computes for this profile, so it too reuses the role.
        keep(ctx, &name, &assumed);
        creds = assumed.credentials;
    }
    Ok(creds)
}
