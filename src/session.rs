//! One command's world: the environment, the two files, the resolved profile, the transports it was given, the
//! run's clock skew, and the credentials at the end of the profile's chain. The wiring between the pure
//! modules and the I/O ones; the library's entry point for a program that wants what the CLI does.

use crate::config::chain::Base;
use crate::config::env::{self, Env, LoadedFile, Platform};
use crate::config::profiles::{Profiles, Setting, Source};
use crate::config::resolve::{Flags, Resolved, valid_region};
use crate::error::Result;
use crate::identity::Credentials;
use crate::interrupt::Interrupt;
use crate::providers::cache;
use crate::providers::chain::{ChainContext, refreshable, resolve_chain};
use crate::providers::imds::{self, Imds};
use crate::s3::client::S3;
use crate::secret::Secret;
use crate::sso::{SsoClient, SsoEndpoints};
use crate::sts::{self, StsClient};
use crate::transport::Transport;
use crate::transport::endpoint::Endpoint;
use crate::transport::retry::{Jitter, RetryPolicy, Sender};
use crate::transport::skew::ClockSkew;
use crate::transport::trace::TraceSink;
use crate::transport::ureq::{CaBundle, HttpConfig, UreqTransport};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How a session talks to the network, beyond what the profile and the environment say.
#[derive(Clone, Default)]
pub struct SessionOptions {
    /// Where requests and responses are traced, secrets redacted (`--debug`).
    pub trace: Option<TraceSink>,
    /// What a signal undoes: transfers in progress stop, temporary files are removed, uploads aborted.
    pub interrupt: Option<Arc<Interrupt>>,
    /// Time to connect (`--cli-connect-timeout`; default 60 s).
    pub connect_timeout: Option<Duration>,
    /// Time to wait for data (`--cli-read-timeout`; default 60 s).
    pub read_timeout: Option<Duration>,
    /// Requests the command keeps in flight (`--max-concurrency`): as many idle connections are kept.
    pub concurrency: Option<usize>,
}

impl std::fmt::Debug for SessionOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionOptions")
            .field("trace", &self.trace.is_some())
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

/// The transports a session sends through.
#[derive(Clone)]
pub struct Transports {
    /// For STS and S3: the profile's proxy, CA bundle and timeouts.
    pub network: Arc<dyn Transport>,
    /// For instance metadata and container endpoints: no proxy, short timeouts.
    pub metadata: Arc<dyn Transport>,
}

impl std::fmt::Debug for Transports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Transports")
    }
}

impl Transports {
    /// awl's own transports over ureq, from the settings a profile gives.
    pub fn ureq(cfg: &HttpConfig) -> Result<Self> {
        Ok(Transports {
            network: Arc::new(UreqTransport::new(cfg)?),
            metadata: Arc::new(UreqTransport::new(&imds::http_config(cfg))?),
        })
    }
}

fn clock() -> SystemTime {
    SystemTime::now()
}

/// A resolved profile with its transports.
pub struct Session {
    /// The environment snapshot.
    pub env: Env,
    /// The config file as read.
    pub config: LoadedFile,
    /// The credentials file as read.
    pub credentials_file: LoadedFile,
    /// Both files merged.
    pub profiles: Profiles,
    /// The selected profile, resolved.
    pub resolved: Resolved,
    /// Warnings for the user: how the files would be read by the AWS CLI, a cache that cannot be written.
    pub warnings: Vec<String>,
    transports: Transports,
    interrupt: Option<Arc<Interrupt>>,
    skew: ClockSkew,
    jitter: Jitter,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("profile", &self.resolved.profile.value)
            .finish_non_exhaustive()
    }
}

/// The HTTP settings of a resolved profile, an environment and the session's options; the CA bundle is read.
pub fn http_config(env: &Env, resolved: &Resolved, options: &SessionOptions) -> Result<HttpConfig> {
    let home = env::home_dir(env, Platform::current());
    let either = |a: &str, b: &str| env.get(a).or_else(|| env.get(b)).map(str::to_owned);
    let ca_bundle = match &resolved.ca_bundle {
        Some(s) => {
            let path = env::expand_tilde(&s.value, home.as_deref(), Platform::current())?;
            let pem = env::read_ca_bundle(&path)?;
            Some(CaBundle { path, pem })
        }
        None => None,
    };
    Ok(HttpConfig {
        ca_bundle,
        https_proxy: either("HTTPS_PROXY", "https_proxy"),
        http_proxy: either("HTTP_PROXY", "http_proxy"),
        no_proxy: either("NO_PROXY", "no_proxy"),
        connect_timeout: options.connect_timeout,
        read_timeout: options.read_timeout,
        total_timeout: None,
        trace: options.trace.clone(),
        stop: options.interrupt.as_ref().map(|i| i.stop_flag()),
        concurrency: options.concurrency,
    })
}

/// The SSO portal and SSO-OIDC of `sso_region`: the profile's overrides (`AWS_ENDPOINT_URL_SSO`,
/// `AWS_ENDPOINT_URL_SSO_OIDC`, `AWS_ENDPOINT_URL`, `[services]` `sso =` / `sso_oidc =`, `endpoint_url`) where
/// set, else AWS's endpoints of the region. The region becomes part of a host name: checked here.
pub fn sso_endpoints(resolved: &Resolved, sso_region: &str) -> Result<SsoEndpoints> {
    if !valid_region(sso_region) {
        return Err(crate::error::Error::config(format!(
            "sso_region {:?} is not a region name",
            crate::codec::redact::sanitize(sso_region, 80)
        ))
        .with_hint("a region is letters, digits and '-', such as eu-west-1"));
    }
    let mut e = SsoEndpoints::for_region(sso_region);
    for (url, over) in [
        (&mut e.portal, &resolved.sso_endpoint),
        (&mut e.oidc, &resolved.sso_oidc_endpoint),
    ] {
        if let Some(s) = over {
            Endpoint::parse(&s.value).map_err(|err| err.context(format_args!("{}", s.source)))?;
            url.clone_from(&s.value);
        }
    }
    Ok(e)
}

/// The SSO endpoints a chain needs: those of its `sso_region` when its base is an SSO login.
fn chain_sso_endpoints(
    resolved: &Resolved,
    chain: &crate::config::chain::Chain,
) -> Result<Option<SsoEndpoints>> {
    match &chain.base {
        Base::Sso { region, .. } => sso_endpoints(resolved, &region.value).map(Some),
        _ => Ok(None),
    }
}

impl Session {
    /// Reads the files named by `env`, resolves the profile the flags and `env` select, and takes the
    /// transports that `transports` makes from the resolved HTTP settings ([`Transports::ureq`] for awl's own;
    /// a library user may give any [`Transport`]).
    pub fn open(
        env: Env,
        flags: &Flags<'_>,
        options: &SessionOptions,
        transports: &dyn Fn(&HttpConfig) -> Result<Transports>,
    ) -> Result<Self> {
        let (config, credentials_file) = env::load_files(&env)?;
        let warnings = env::file_warnings(&config, &credentials_file);
        let profiles = Profiles::from_files(&config, &credentials_file);
        let resolved = profiles.resolve(flags, &env)?;
        let transports = transports(&http_config(&env, &resolved, options)?)?;
        Ok(Session {
            env,
            config,
            credentials_file,
            profiles,
            resolved,
            warnings,
            transports,
            interrupt: options.interrupt.clone(),
            skew: ClockSkew::default(),
            jitter: Jitter::default(),
        })
    }

    /// The profile named `profile` (or, with `None`, the one `AWS_PROFILE` / `AWS_DEFAULT_PROFILE` select, else
    /// `default`), read from the files the process environment names, with awl's own transports and default
    /// network settings.
    pub fn for_profile(profile: Option<&str>) -> Result<Self> {
        let flags = Flags {
            profile,
            ..Flags::default()
        };
        Self::open(
            Env::from_process(),
            &flags,
            &SessionOptions::default(),
            &Transports::ureq,
        )
    }

    /// The run's clock skew, as learned from the servers' answers so far.
    pub fn skew(&self) -> &ClockSkew {
        &self.skew
    }

    /// S3 for this profile: its region (us-east-1 when none is set), its endpoint and addressing style, signing
    /// with `creds`.
    pub fn s3(&self, creds: Credentials) -> Result<S3<'_>> {
        let r = &self.resolved;
        let region = r.region.as_ref().map_or("us-east-1", |s| s.value.as_str());
        let endpoint = match &r.s3_endpoint {
            Some(s) => Some(Endpoint::parse(&s.value)?),
            None => None,
        };
        let mut s3 = S3::new(self.sender(), creds, region, endpoint, r.addressing_style.value)
            .with_checksums(r.request_checksums.value, r.response_checksums.value);
        if let Some(i) = &self.interrupt {
            s3 = s3.with_interrupt(i.clone(), self.transports.network.clone());
        }
        if let Some(dir) = self.upload_records_dir() {
            s3 = s3.with_upload_records(dir);
        }
        Ok(match self.refresher() {
            Some(f) => s3.with_refresh(f),
            None => s3,
        })
    }

    /// A way to fetch the profile's credentials again, for transfers that outlast them: the whole chain walked
    /// anew (token files read again, roles assumed again, fresh cache entries used), never asking for an MFA
    /// code: a hop that needs one is renewed only from awl's MFA session or a fresh cache entry. `None` for
    /// keys that never expire.
    pub fn refresher(&self) -> Option<crate::identity::Refresh> {
        let r = &self.resolved;
        let chain = r.chain.as_ref().ok().filter(|c| refreshable(c))?.clone();
        let (sts_endpoint, sts_region) = sts::endpoint(
            r.region.as_ref().map(|s| s.value.as_str()),
            r.sts_endpoints.value,
            r.sts_endpoint.as_ref().map(|s| s.value.as_str()),
        )
        .ok()?;
        let env = self.env.clone();
        let transports = self.transports.clone();
        let imds_endpoint = r.imds_endpoint.as_ref().map(|s| s.value.clone());
        let policy = RetryPolicy {
            max_attempts: r.max_attempts.value,
            ..RetryPolicy::default()
        };
        let profile = r.profile.value.clone();
        let cache_dir = self.cache_dir();
        let sso_token_dir = self.sso_token_dir();
        let sso_endpoints = chain_sso_endpoints(r, &chain).ok()?;
        Some(Box::new(move || {
            let (skew, jitter) = (ClockSkew::default(), Jitter::default());
            let sender = Sender {
                transport: transports.network.as_ref(),
                policy,
                skew: &skew,
                jitter: &jitter,
                clock: &clock,
                sleep: &std::thread::sleep,
            };
            let sts = StsClient::new(sender, sts_endpoint.clone(), sts_region.clone());
            let sso = sso_endpoints.clone().map(|e| SsoClient::new(sender, e));
            let mut no_code = |serial: &str| -> Result<Secret> {
                Err(crate::error::Error::config(format!(
                    "the credentials of profile '{profile}' expire within 5 minutes, and renewing them needs an \
                     MFA code for {serial}"
                ))
                .with_hint(format!(
                    "run the command again to type a code (sync and cp --recursive go on where they stopped), or \
                     set 'mfa_session = true' in [profile {profile}] so that one code lasts {} hours",
                    crate::providers::chain::MFA_SESSION_SECONDS / 3600
                )))
            };
            let mut ctx = ChainContext {
                sts: &sts,
                env: &env,
                local_http: transports.metadata.as_ref(),
                imds_endpoint: imds_endpoint.clone(),
                cache_dir: cache_dir.clone(),
                sso: sso.as_ref(),
                sso_token_dir: sso_token_dir.clone(),
                now: clock(),
                mfa_code: &mut no_code,
                warnings: Vec::new(),
            };
            resolve_chain(&chain, &mut ctx)
        }))
    }

    /// Sending with the profile's retry policy and the run's clock-skew correction.
    pub fn sender(&self) -> Sender<'_> {
        Sender {
            transport: self.transports.network.as_ref(),
            policy: RetryPolicy {
                max_attempts: self.resolved.max_attempts.value,
                ..RetryPolicy::default()
            },
            skew: &self.skew,
            jitter: &self.jitter,
            clock: &clock,
            sleep: &std::thread::sleep,
        }
    }

    /// The SSO portal and SSO-OIDC of `sso_region`, at the profile's endpoint overrides where set.
    pub fn sso(&self, sso_region: &str) -> Result<SsoClient<'_>> {
        Ok(SsoClient::new(
            self.sender(),
            sso_endpoints(&self.resolved, sso_region)?,
        ))
    }

    /// The SSO token cache shared with the AWS CLI v2, `~/.aws/sso/cache`, if there is a home folder.
    pub fn sso_token_dir(&self) -> Option<PathBuf> {
        env::home_dir(&self.env, Platform::current()).map(|h| crate::providers::sso::token_dir_in(&h))
    }

    /// awl's resume records of unfinished uploads, `~/.aws/awl/uploads`, if there is a home folder.
    pub fn upload_records_dir(&self) -> Option<PathBuf> {
        env::home_dir(&self.env, Platform::current()).map(|h| crate::s3::transfer::resume::dir_in(&h))
    }

    /// The AWS CLI's credential cache, `~/.aws/cli/cache`, if there is a home folder.
    pub fn cache_dir(&self) -> Option<PathBuf> {
        env::home_dir(&self.env, Platform::current()).map(|h| cache::dir_in(&h))
    }

    /// STS for this profile's region, at `endpoint_url` if given, else at the profile's STS endpoint.
    pub fn sts(&self, endpoint_url: Option<&str>) -> Result<StsClient<'_>> {
        let r = &self.resolved;
        let url = endpoint_url.or(r.sts_endpoint.as_ref().map(|s| s.value.as_str()));
        let (endpoint, region) = sts::endpoint(
            r.region.as_ref().map(|s| s.value.as_str()),
            r.sts_endpoints.value,
            url,
        )?;
        Ok(StsClient::new(self.sender(), endpoint, region))
    }

    /// The credentials of the profile: its chain walked, roles from the AWS CLI's cache where fresh, MFA codes
    /// from `mfa_code`.
    pub fn credentials(
        &mut self,
        mfa_code: &mut dyn FnMut(&str) -> Result<Secret>,
        now: SystemTime,
    ) -> Result<Credentials> {
        let chain = self.resolved.chain.clone()?;
        let imds_endpoint = self.resolved.imds_endpoint.as_ref().map(|s| s.value.clone());
        let local_http = self.transports.metadata.clone();
        // On EC2 with nothing else to say the region, the instance says it (as the AWS SDKs do).
        if chain.base.is_instance_metadata()
            && self.resolved.region.is_none()
            && !self.env.is_true("AWS_EC2_METADATA_DISABLED")
        {
            // Credentials first, so a machine that is not on EC2 fails within one short wait; then the region,
            // best effort.
            let imds = Imds::new(local_http.as_ref(), imds_endpoint.as_deref())?;
            let creds = imds.credentials()?;
            if let Ok(region) = imds.region()
                && valid_region(&region)
            {
                self.resolved.region = Some(Setting {
                    value: region,
                    source: Source::InstanceMetadata,
                });
            }
            if chain.hops.is_empty() {
                return Ok(creds);
            }
        }
        let sts = self.sts(None)?;
        let sso = chain_sso_endpoints(&self.resolved, &chain)?.map(|e| SsoClient::new(self.sender(), e));
        let mut ctx = ChainContext {
            sts: &sts,
            env: &self.env,
            local_http: local_http.as_ref(),
            imds_endpoint,
            cache_dir: self.cache_dir(),
            sso: sso.as_ref(),
            sso_token_dir: self.sso_token_dir(),
            now,
            mfa_code,
            warnings: Vec::new(),
        };
        let result = resolve_chain(&chain, &mut ctx);
        let warnings = ctx.warnings;
        drop((sts, sso));
        self.warnings.extend(warnings);
        result
    }
}
