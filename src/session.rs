//! One command's view of the world: the environment, the two files, the resolved profile, an HTTP transport
//! configured from them, and the credentials at the end of the profile's chain. The wiring between the pure
//! modules and the I/O ones; the library's entry point for a program that wants what the CLI does.

use crate::cache;
use crate::credentials::{ChainContext, Credentials, refresher, resolve_chain};
use crate::env::{self, Env, LoadedFile, Platform};
use crate::error::{Error, Result};
use crate::http::Endpoint;
use crate::http::{HttpConfig, UreqTransport};
use crate::imds::{self, Imds};
use crate::profile::{Base, Flags, NamedSource, Profiles, Resolved, Setting, Source};
use crate::retry::{RetryPolicy, Sender};
use crate::s3::S3;
use crate::secret::Secret;
use crate::skew;
use crate::sts::{self, StsClient};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, SystemTime};

/// How a session talks to the network.
#[derive(Clone, Debug, Default)]
pub struct SessionOptions {
    /// Trace requests and responses on stderr (`--debug`), secrets redacted.
    pub debug: bool,
    /// Set by a signal handler: transfers in progress stop.
    pub stop: Option<Arc<AtomicBool>>,
    /// Time to connect (`--cli-connect-timeout`; default 60 s).
    pub connect_timeout: Option<Duration>,
    /// Time to wait for data (`--cli-read-timeout`; default 60 s).
    pub read_timeout: Option<Duration>,
}

fn clock() -> SystemTime {
    SystemTime::now()
}

/// A resolved profile with its transport.
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
    /// HTTP, configured from the profile and the environment.
    pub transport: UreqTransport,
    /// Warnings for the user: how the files would be read by the AWS CLI, a cache that cannot be written.
    pub warnings: Vec<String>,
    /// Whether requests are traced on stderr.
    debug: bool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("profile", &self.resolved.profile.value)
            .finish_non_exhaustive()
    }
}

/// The warnings of both files, as `path:line: message`.
pub fn file_warnings(config: &LoadedFile, credentials: &LoadedFile) -> Vec<String> {
    [config, credentials]
        .iter()
        .flat_map(|f| {
            f.ini
                .warnings
                .iter()
                .map(move |w| format!("{}:{}: {}", f.display, w.line, w.message))
        })
        .collect()
}

/// The HTTP settings of a resolved profile and an environment.
pub fn http_config(env: &Env, resolved: &Resolved, debug: bool) -> Result<HttpConfig> {
    let home = env::home_dir(env, Platform::current());
    let either = |a: &str, b: &str| env.get(a).or_else(|| env.get(b)).map(str::to_owned);
    Ok(HttpConfig {
        ca_bundle: match &resolved.ca_bundle {
            Some(s) => Some(env::expand_tilde(&s.value, home.as_deref(), Platform::current())?),
            None => None,
        },
        https_proxy: either("HTTPS_PROXY", "https_proxy"),
        http_proxy: either("HTTP_PROXY", "http_proxy"),
        no_proxy: either("NO_PROXY", "no_proxy"),
        connect_timeout: None,
        read_timeout: None,
        total_timeout: None,
        debug,
        stop: None,
    })
}

impl Session {
    /// Reads the files named by `env`, resolves the profile the flags and `env` select, and sets up HTTP.
    pub fn open(env: Env, flags: &Flags<'_>, options: &SessionOptions) -> Result<Self> {
        let debug = options.debug;
        let (config, credentials_file) = env::load_files(&env)?;
        let warnings = file_warnings(&config, &credentials_file);
        let profiles = Profiles::from_files(&config, &credentials_file);
        let resolved = profiles.resolve(flags, &env)?;
        let mut http = http_config(&env, &resolved, debug)?;
        http.stop = options.stop.clone();
        http.connect_timeout = options.connect_timeout;
        http.read_timeout = options.read_timeout;
        let transport = UreqTransport::new(&http)?;
        Ok(Session {
            env,
            config,
            credentials_file,
            profiles,
            resolved,
            transport,
            warnings,
            debug,
        })
    }

    /// The profile named `profile` (or, with `None`, the one `AWS_PROFILE` / `AWS_DEFAULT_PROFILE` select, else
    /// `default`), read from the files the process environment names, with default network settings.
    pub fn for_profile(profile: Option<&str>) -> Result<Self> {
        let flags = Flags {
            profile,
            ..Flags::default()
        };
        Self::open(Env::from_process(), &flags, &SessionOptions::default())
    }

    /// S3 for this profile: its region (us-east-1 when none is set), its endpoint and addressing style, signing
    /// with `creds`.
    pub fn s3(&self, creds: Credentials) -> Result<S3<'_>> {
        let r = &self.resolved;
        let region = r
            .region
            .as_ref()
            .map_or("us-east-1", |s| s.value.as_str())
            .to_owned();
        let endpoint = match &r.s3_endpoint {
            Some(s) => Some(Endpoint::parse(&s.value)?),
            None => None,
        };
        let s3 = S3::new(
            self.sender(),
            creds,
            &region,
            endpoint,
            r.addressing_style.value,
            None,
        );
        // Instance, container and process credentials can be fetched again if a transfer outlasts them.
        let refresh = r.chain.as_ref().ok().and_then(|chain| {
            refresher(
                chain,
                &self.env,
                r.imds_endpoint.as_ref().map(|s| s.value.clone()),
                self.debug,
            )
        });
        Ok(match refresh {
            Some(f) => s3.with_refresh(f),
            None => s3,
        })
    }

    /// Sending with the profile's retry policy and the run's clock-skew correction.
    pub fn sender(&self) -> Sender<'_> {
        Sender {
            transport: &self.transport,
            policy: RetryPolicy {
                max_attempts: self.resolved.max_attempts.value,
                ..RetryPolicy::default()
            },
            skew: skew::global(),
            clock: &clock,
            sleep: &std::thread::sleep,
        }
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
        let chain = self.resolved.chain.clone().map_err(Error::from)?;
        let local_http = imds::transport(self.debug)?;
        let imds_endpoint = self.resolved.imds_endpoint.as_ref().map(|s| s.value.clone());
        // On EC2 with nothing else to say the region, the instance says it (as the AWS SDKs do).
        let on_instance = matches!(
            chain.base,
            Base::Fallback {
                source: NamedSource::Ec2InstanceMetadata
            } | Base::Named {
                source: NamedSource::Ec2InstanceMetadata,
                ..
            }
        );
        if on_instance && self.resolved.region.is_none() && !self.env.is_true("AWS_EC2_METADATA_DISABLED") {
            // Credentials first, so a machine that is not on EC2 fails within one short wait; then the region,
            // best effort.
            let imds = Imds::new(&local_http, imds_endpoint.as_deref())?;
            let creds = imds.credentials()?;
            if let Ok(region) = imds.region()
                && !region.is_empty()
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
        let cache_dir = env::home_dir(&self.env, Platform::current()).map(|h| cache::dir_in(&h));
        let sts = self.sts(None)?;
        let mut ctx = ChainContext {
            sts: &sts,
            env: &self.env,
            local_http: &local_http,
            imds_endpoint,
            cache_dir,
            now,
            mfa_code,
            warnings: Vec::new(),
        };
        let result = resolve_chain(&chain, &mut ctx);
        let warnings = ctx.warnings;
        drop(sts);
        self.warnings.extend(warnings);
        result
    }
}
