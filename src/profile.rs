//! Profile resolution, pure: the two parsed files and an environment snapshot in, the selected profile out,
//! with every value's source (`--region`, `env AWS_REGION`, `~/.aws/config:12`, `default`).
//!
//! Decides: which profile (`--profile` > `AWS_PROFILE` > `AWS_DEFAULT_PROFILE` > `default`), the region
//! (`--region` > `AWS_REGION` > `AWS_DEFAULT_REGION` > the profile), the credential chain as data (a base of
//! keys or a named source, then the AssumeRole hops in the order they are made), endpoints, the CA bundle,
//! S3 addressing and STS endpoint style. Nothing here talks to the network or reads a file.

use crate::env::{Env, LoadedFile};
use crate::error::Error;
use crate::ini::{IniFile, Section};
use crate::secret::Secret;
use std::collections::BTreeMap;
use std::fmt;

/// Where a setting came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A command-line option, e.g. `--region`.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// A line of one of the files (shown as the user knows the path).
    File {
        /// `~/.aws/config` or the full path.
        path: String,
        /// 1-based line.
        line: usize,
    },
    /// awl's default.
    Default,
    /// The EC2 instance metadata service.
    InstanceMetadata,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(name) => f.write_str(name),
            Source::Env(name) => write!(f, "env {name}"),
            Source::File { path, line } => write!(f, "{path}:{line}"),
            Source::Default => f.write_str("default"),
            Source::InstanceMetadata => f.write_str("instance metadata"),
        }
    }
}

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting<T = String> {
    /// The value.
    pub value: T,
    /// Its source.
    pub source: Source,
}

impl<T> Setting<T> {
    fn new(value: T, source: Source) -> Self {
        Setting { value, source }
    }
}

/// One profile of the merged view: property name → setting.
type Props = BTreeMap<String, Setting>;

/// The profiles of both files merged (the credentials file wins per key), with sso-sessions and services.
#[derive(Clone, Default)]
pub struct Profiles {
    profiles: BTreeMap<String, Props>,
    sso_sessions: BTreeMap<String, Props>,
    services: BTreeMap<String, Props>,
}

impl fmt::Debug for Profiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names and keys only: values include secret keys.
        let keys = |m: &BTreeMap<String, Props>| -> BTreeMap<String, Vec<String>> {
            m.iter()
                .map(|(n, p)| (n.clone(), p.keys().cloned().collect()))
                .collect()
        };
        f.debug_struct("Profiles")
            .field("profiles", &keys(&self.profiles))
            .field("sso_sessions", &keys(&self.sso_sessions))
            .field("services", &keys(&self.services))
            .finish()
    }
}

fn add_sections(into: &mut BTreeMap<String, Props>, sections: &[Section], path: &str) {
    for s in sections {
        let props = into.entry(s.name.clone()).or_default();
        for p in &s.properties {
            props.insert(
                p.name.clone(),
                Setting::new(
                    p.value.clone(),
                    Source::File {
                        path: path.to_owned(),
                        line: p.line,
                    },
                ),
            );
        }
    }
}

impl Profiles {
    /// Merges a parsed config file and credentials file (each with the path to show); for the same profile
    /// and key, the credentials file wins.
    pub fn merge(config: (&IniFile, &str), credentials: (&IniFile, &str)) -> Self {
        let mut out = Profiles::default();
        add_sections(&mut out.profiles, &config.0.profiles, config.1);
        add_sections(&mut out.sso_sessions, &config.0.sso_sessions, config.1);
        add_sections(&mut out.services, &config.0.services, config.1);
        add_sections(&mut out.profiles, &credentials.0.profiles, credentials.1);
        out
    }

    /// Merges the two loaded files.
    pub fn from_files(config: &LoadedFile, credentials: &LoadedFile) -> Self {
        Self::merge(
            (&config.ini, &config.display),
            (&credentials.ini, &credentials.display),
        )
    }

    /// The profile names, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.profiles.keys().map(String::as_str).collect()
    }

    /// Whether a profile exists.
    pub fn contains(&self, profile: &str) -> bool {
        self.profiles.contains_key(profile)
    }

    /// The setting `key` of `profile`.
    pub fn get(&self, profile: &str, key: &str) -> Option<&Setting> {
        self.profiles.get(profile)?.get(key)
    }

    /// The properties of a profile, name → value (values may be secrets: for tests and the conformance
    /// suites, not for display).
    pub fn properties(&self, profile: &str) -> Option<BTreeMap<&str, &str>> {
        Some(
            self.profiles
                .get(profile)?
                .iter()
                .map(|(k, v)| (k.as_str(), v.value.as_str()))
                .collect(),
        )
    }

    /// The properties of an sso-session, name → value.
    pub fn sso_session(&self, name: &str) -> Option<BTreeMap<&str, &str>> {
        Some(
            self.sso_sessions
                .get(name)?
                .iter()
                .map(|(k, v)| (k.as_str(), v.value.as_str()))
                .collect(),
        )
    }

    /// The names of the sso-sessions.
    pub fn sso_session_names(&self) -> Vec<&str> {
        self.sso_sessions.keys().map(String::as_str).collect()
    }
}

/// Why a profile cannot give credentials or settings; the kinds follow the cross-SDK assume-role cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileErrorKind {
    /// The selected profile does not exist.
    NotFound,
    /// `source_profile` names a profile that does not exist.
    MissingSourceProfile,
    /// The source profiles form a loop.
    Cycle,
    /// A role profile with both `source_profile` and `credential_source`.
    BothSources,
    /// A role profile with neither `source_profile` nor `credential_source`.
    NoSource,
    /// One of the two static keys without the other.
    PartialKeys,
    /// A profile with nothing that gives credentials.
    NoCredentials,
    /// A setting with a value awl cannot use (bad `credential_source`, `duration_seconds`, SSO fields, ...).
    InvalidSetting,
    /// A valid source that awl does not support (SSO, web identity).
    Unsupported,
}

/// A profile problem: its kind, a message naming the profiles involved, and a hint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileError {
    /// The kind.
    pub kind: ProfileErrorKind,
    /// One line: what, and which profiles.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl ProfileError {
    fn new(kind: ProfileErrorKind, message: impl Into<String>, hint: Option<String>) -> Self {
        ProfileError {
            kind,
            message: message.into(),
            hint,
        }
    }
}

impl From<ProfileError> for Error {
    fn from(e: ProfileError) -> Self {
        let err = Error::config(e.message);
        match e.hint {
            Some(h) => err.with_hint(h),
            None => err,
        }
    }
}

/// A named credential source of a role profile (`credential_source`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamedSource {
    /// The environment's keys.
    Environment,
    /// The EC2 instance's role, from instance metadata.
    Ec2InstanceMetadata,
    /// The container's role (ECS, EKS Pod Identity).
    EcsContainer,
}

impl NamedSource {
    fn parse(value: &str) -> Option<Self> {
        // The AWS SDKs accept any case; botocore only the exact names.
        match value.to_ascii_lowercase().as_str() {
            "environment" => Some(NamedSource::Environment),
            "ec2instancemetadata" => Some(NamedSource::Ec2InstanceMetadata),
            "ecscontainer" => Some(NamedSource::EcsContainer),
            _ => None,
        }
    }
}

/// Where the chain's first credentials come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`).
    EnvKeys {
        /// The key id.
        access_key_id: Setting,
        /// The secret key.
        secret_access_key: Setting<Secret>,
        /// The session token, if any.
        session_token: Option<Setting<Secret>>,
    },
    /// `aws_access_key_id` and `aws_secret_access_key` of a profile.
    StaticKeys {
        /// The profile that holds them.
        profile: String,
        /// The key id.
        access_key_id: Setting,
        /// The secret key.
        secret_access_key: Setting<Secret>,
        /// `aws_session_token`, if any.
        session_token: Option<Setting<Secret>>,
    },
    /// `credential_source` of a role profile.
    Named {
        /// The role profile.
        profile: String,
        /// Which source.
        source: NamedSource,
        /// Where it was set.
        setting: Setting,
    },
    /// Nothing in the environment or the profile gave credentials: the container's role (when
    /// `AWS_CONTAINER_CREDENTIALS_*` is set) or the EC2 instance's (instance metadata), as the AWS tools end
    /// their default chain.
    Fallback {
        /// Which of the two.
        source: NamedSource,
    },
    /// `credential_process` of a profile.
    Process {
        /// The profile.
        profile: String,
        /// The command line.
        command: Setting,
    },
}

/// One AssumeRole call of the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleHop {
    /// The profile that asks for the role.
    pub profile: String,
    /// `role_arn`.
    pub role_arn: Setting,
    /// `source_profile`, when the credentials come from another profile.
    pub source_profile: Option<Setting>,
    /// `role_session_name`, when set (otherwise `awl-session-<unix time>`).
    pub role_session_name: Option<Setting>,
    /// `duration_seconds`, when set (otherwise STS's default, one hour).
    pub duration_seconds: Option<Setting<u32>>,
    /// `external_id`.
    pub external_id: Option<Setting>,
    /// `mfa_serial`: this hop needs an MFA code.
    pub mfa_serial: Option<Setting>,
}

/// The credential chain: a base, then the roles assumed from it, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    /// The first credentials.
    pub base: Base,
    /// The AssumeRole calls, first to last; the last gives the profile's credentials.
    pub hops: Vec<RoleHop>,
}

fn file_setting(props: &Props, key: &str) -> Option<Setting> {
    props.get(key).cloned()
}

fn secret_setting(s: Setting) -> Setting<Secret> {
    Setting::new(Secret::new(s.value), s.source)
}

/// The profile's static keys: both, neither, or an error naming the missing one.
fn static_keys(name: &str, props: &Props) -> Result<Option<Base>, ProfileError> {
    match (props.get("aws_access_key_id"), props.get("aws_secret_access_key")) {
        (Some(id), Some(secret)) => Ok(Some(Base::StaticKeys {
            profile: name.to_owned(),
            access_key_id: id.clone(),
            secret_access_key: secret_setting(secret.clone()),
            session_token: props.get("aws_session_token").cloned().map(secret_setting),
        })),
        (None, None) => Ok(None),
        (Some(id), None) => Err(ProfileError::new(
            ProfileErrorKind::PartialKeys,
            format!(
                "profile '{name}' is missing aws_secret_access_key ({} sets aws_access_key_id)",
                id.source
            ),
            Some(format!(
                "add aws_secret_access_key to [{name}] in the credentials file"
            )),
        )),
        (None, Some(s)) => Err(ProfileError::new(
            ProfileErrorKind::PartialKeys,
            format!(
                "profile '{name}' is missing aws_access_key_id ({} sets aws_secret_access_key)",
                s.source
            ),
            Some(format!(
                "add aws_access_key_id to [{name}] in the credentials file"
            )),
        )),
    }
}

fn role_hop(name: &str, props: &Props) -> Result<RoleHop, ProfileError> {
    let duration_seconds = match props.get("duration_seconds") {
        None => None,
        Some(s) => match s.value.parse::<u32>() {
            Ok(v) => Some(Setting::new(v, s.source.clone())),
            Err(_) => {
                return Err(ProfileError::new(
                    ProfileErrorKind::InvalidSetting,
                    format!(
                        "profile '{name}': duration_seconds {:?} ({}) is not a whole number of seconds",
                        s.value, s.source
                    ),
                    Some("STS takes 900 to 43200 seconds (role chaining: at most 3600)".into()),
                ));
            }
        },
    };
    Ok(RoleHop {
        profile: name.to_owned(),
        role_arn: props.get("role_arn").cloned().ok_or_else(|| {
            ProfileError::new(
                ProfileErrorKind::InvalidSetting,
                format!("profile '{name}' has no role_arn"),
                None,
            )
        })?,
        source_profile: file_setting(props, "source_profile"),
        role_session_name: file_setting(props, "role_session_name"),
        duration_seconds,
        external_id: file_setting(props, "external_id"),
        mfa_serial: file_setting(props, "mfa_serial"),
    })
}

/// SSO settings: validated as the SDKs do, then reported as unsupported.
fn sso(name: &str, props: &Props, profiles: &Profiles) -> Option<ProfileError> {
    let has = |k: &str| props.contains_key(k);
    let invalid = |m: String| Some(ProfileError::new(ProfileErrorKind::InvalidSetting, m, None));
    if let Some(session) = props.get("sso_session") {
        let Some(sso) = profiles.sso_sessions.get(&session.value) else {
            return invalid(format!(
                "profile '{name}': sso_session '{}' ({}) has no [sso-session {}] section",
                session.value, session.source, session.value
            ));
        };
        for key in ["sso_region", "sso_start_url"] {
            if let Some(p) = props.get(key)
                && sso.get(key).map(|s| &s.value) != Some(&p.value)
            {
                return invalid(format!(
                    "profile '{name}': {key} ({}) can only be given in [sso-session {}] when sso_session is set",
                    p.source, session.value
                ));
            }
        }
    } else if has("sso_role_name") && !has("sso_account_id") {
        return invalid(format!(
            "profile '{name}': sso_role_name is set, so sso_account_id must be too"
        ));
    } else if has("sso_account_id") && !has("sso_role_name") {
        return invalid(format!(
            "profile '{name}': sso_account_id is set, so sso_role_name must be too"
        ));
    } else if !has("sso_start_url") && !has("sso_account_id") {
        return None;
    }
    Some(ProfileError::new(
        ProfileErrorKind::Unsupported,
        format!("profile '{name}' uses AWS IAM Identity Center (SSO), which awl does not support"),
        Some(
            "run 'aws sso login' and use 'aws configure export-credentials', or give the profile keys".into(),
        ),
    ))
}

impl Profiles {
    /// The credential chain of `selected`, walking `source_profile` references.
    ///
    /// Rules (the AWS SDKs', and botocore's for the common cases): a role profile assumes its role from
    /// `source_profile` or `credential_source` (exactly one); a source profile with static keys ends the chain
    /// (its own `role_arn` is then ignored); a profile may name itself as source only if it has keys.
    pub fn chain(&self, selected: &str) -> Result<Chain, ProfileError> {
        let mut visited: Vec<String> = Vec::new();
        let mut hops: Vec<RoleHop> = Vec::new();
        let mut name = selected.to_owned();
        let base = loop {
            let Some(props) = self.profiles.get(&name) else {
                return Err(match visited.last() {
                    None => self.not_found(selected),
                    Some(from) => ProfileError::new(
                        ProfileErrorKind::MissingSourceProfile,
                        format!(
                            "profile '{from}' names source_profile '{name}' ({}), which does not exist",
                            self.get(from, "source_profile")
                                .map_or(Source::Default, |s| s.source.clone())
                        ),
                        Some(format!("profiles that exist: {}", self.names().join(", "))),
                    ),
                });
            };
            if visited.contains(&name) {
                let mut path = visited.clone();
                path.push(name.clone());
                return Err(ProfileError::new(
                    ProfileErrorKind::Cycle,
                    format!("source_profile forms a loop: {}", path.join(" -> ")),
                    Some("one profile of the loop needs its own keys or a credential_source".into()),
                ));
            }
            visited.push(name.clone());

            if let Some(token_file) = props.get("web_identity_token_file") {
                return Err(match props.get("role_arn") {
                    None => ProfileError::new(
                        ProfileErrorKind::InvalidSetting,
                        format!(
                            "profile '{name}' sets web_identity_token_file ({}) but no role_arn",
                            token_file.source
                        ),
                        None,
                    ),
                    Some(_) => ProfileError::new(
                        ProfileErrorKind::Unsupported,
                        format!("profile '{name}' uses a web identity token, which awl does not support"),
                        Some("use 'aws sts assume-role-with-web-identity', or give the profile keys".into()),
                    ),
                });
            }

            if props.contains_key("role_arn") {
                // A source profile with keys ends the chain; the selected profile's own keys do not.
                if visited.len() > 1
                    && let Some(keys) = static_keys(&name, props)?
                {
                    break keys;
                }
                let hop = role_hop(&name, props)?;
                match (props.get("source_profile"), props.get("credential_source")) {
                    (Some(sp), Some(cs)) => {
                        return Err(ProfileError::new(
                            ProfileErrorKind::BothSources,
                            format!(
                                "profile '{name}' has both source_profile ({}) and credential_source ({})",
                                sp.source, cs.source
                            ),
                            Some("keep one of the two".into()),
                        ));
                    }
                    (None, None) => {
                        return Err(ProfileError::new(
                            ProfileErrorKind::NoSource,
                            format!(
                                "profile '{name}' has role_arn but neither source_profile nor credential_source"
                            ),
                            Some(format!(
                                "add 'source_profile = NAME' (a profile with keys) to [profile {name}]"
                            )),
                        ));
                    }
                    (None, Some(cs)) => {
                        let source = NamedSource::parse(&cs.value).ok_or_else(|| {
                            ProfileError::new(
                                ProfileErrorKind::InvalidSetting,
                                format!(
                                    "profile '{name}': credential_source {:?} ({}) is not a credential source",
                                    cs.value, cs.source
                                ),
                                Some("use Environment, Ec2InstanceMetadata or EcsContainer".into()),
                            )
                        })?;
                        hops.push(hop);
                        break Base::Named {
                            profile: name.clone(),
                            source,
                            setting: cs.clone(),
                        };
                    }
                    (Some(sp), None) if sp.value == name => {
                        // Self-reference: this profile's keys, then its role.
                        hops.push(hop);
                        match static_keys(&name, props)? {
                            Some(keys) => break keys,
                            None => {
                                return Err(ProfileError::new(
                                    ProfileErrorKind::Cycle,
                                    format!(
                                        "profile '{name}' names itself as source_profile ({}) but has no keys",
                                        sp.source
                                    ),
                                    Some("a profile may be its own source only if it has keys".into()),
                                ));
                            }
                        }
                    }
                    (Some(sp), None) => {
                        hops.push(hop);
                        name = sp.value.clone();
                        continue;
                    }
                }
            }

            if let Some(e) = sso(&name, props, self) {
                return Err(e);
            }
            if let Some(cmd) = props.get("credential_process") {
                break Base::Process {
                    profile: name.clone(),
                    command: cmd.clone(),
                };
            }
            match static_keys(&name, props)? {
                Some(keys) => break keys,
                None => {
                    return Err(ProfileError::new(
                        ProfileErrorKind::NoCredentials,
                        match visited.len() {
                            1 => format!("profile '{name}' has no credentials"),
                            _ => format!(
                                "profile '{name}' (the source of '{}') has no credentials",
                                visited[visited.len() - 2]
                            ),
                        },
                        Some(format!(
                            "give [{name}] aws_access_key_id and aws_secret_access_key in the credentials file \
                             (awl configure --profile {name}), or a role_arn with a source"
                        )),
                    ));
                }
            }
        };
        hops.reverse();
        Ok(Chain { base, hops })
    }

    fn not_found(&self, name: &str) -> ProfileError {
        let names = self.names();
        ProfileError::new(
            ProfileErrorKind::NotFound,
            format!("profile '{name}' not found in the config or credentials file"),
            Some(if names.is_empty() {
                "no profiles are defined; run 'awl configure' to create one".into()
            } else {
                format!("profiles that exist: {}", names.join(", "))
            }),
        )
    }
}

/// S3 addressing style (`s3 = addressing_style = ...` in a profile).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressingStyle {
    /// Virtual-hosted on AWS endpoints, path-style where that cannot work (the default).
    Auto,
    /// Always `bucket.host`.
    Virtual,
    /// Always `host/bucket`.
    Path,
}

/// How STS endpoints are chosen (`AWS_STS_REGIONAL_ENDPOINTS`, `sts_regional_endpoints`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StsEndpoints {
    /// `sts.<region>.amazonaws.com` (the default).
    Regional,
    /// `sts.amazonaws.com` for the 16 regions that used it before regional endpoints.
    Legacy,
}

/// What the command line says that profile resolution needs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Flags<'a> {
    /// `--profile`.
    pub profile: Option<&'a str>,
    /// `--region`.
    pub region: Option<&'a str>,
    /// `--endpoint-url` (for the command's own service).
    pub endpoint_url: Option<&'a str>,
}

/// A profile resolved for use: every setting awl needs, with its source.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// The profile name and how it was chosen.
    pub profile: Setting,
    /// Whether the profile exists in the files.
    pub profile_exists: bool,
    /// The region, if any is set.
    pub region: Option<Setting>,
    /// The credential chain, or why there is none.
    pub chain: Result<Chain, ProfileError>,
    /// A PEM file of extra CA certificates.
    pub ca_bundle: Option<Setting>,
    /// S3 addressing style.
    pub addressing_style: Setting<AddressingStyle>,
    /// STS endpoint style.
    pub sts_endpoints: Setting<StsEndpoints>,
    /// Endpoint override for S3.
    pub s3_endpoint: Option<Setting>,
    /// Endpoint override for STS.
    pub sts_endpoint: Option<Setting>,
    /// `output` of the profile.
    pub output: Option<Setting>,
    /// Where instance metadata answers (`AWS_EC2_METADATA_SERVICE_ENDPOINT`, `ec2_metadata_service_endpoint`).
    pub imds_endpoint: Option<Setting>,
    /// Attempts per request (`AWS_MAX_ATTEMPTS`, `max_attempts`; 3 by default).
    pub max_attempts: Setting<u32>,
}

/// The profile to use: `--profile` > `AWS_PROFILE` > `AWS_DEFAULT_PROFILE` > `default` (the AWS CLI v2's and
/// the SDKs' order; CLI v1 lets `AWS_DEFAULT_PROFILE` win).
pub fn select_profile(flag: Option<&str>, env: &Env) -> Setting {
    match (flag, env.get("AWS_PROFILE"), env.get("AWS_DEFAULT_PROFILE")) {
        (Some(p), _, _) => Setting::new(p.to_owned(), Source::Flag("--profile")),
        (None, Some(p), _) => Setting::new(p.to_owned(), Source::Env("AWS_PROFILE")),
        (None, None, Some(p)) => Setting::new(p.to_owned(), Source::Env("AWS_DEFAULT_PROFILE")),
        (None, None, None) => Setting::new("default".to_owned(), Source::Default),
    }
}

fn env_setting(env: &Env, name: &'static str) -> Option<Setting> {
    env.get(name)
        .map(|v| Setting::new(v.to_owned(), Source::Env(name)))
}

impl Profiles {
    /// Resolves the profile the command line and environment select.
    ///
    /// Errors: a profile named by `--profile`, `AWS_PROFILE` or `AWS_DEFAULT_PROFILE` that does not exist;
    /// an invalid setting. A chain that cannot give credentials is not an error here (see [`Resolved::chain`]):
    /// many commands do not need credentials.
    pub fn resolve(&self, flags: &Flags<'_>, env: &Env) -> Result<Resolved, ProfileError> {
        let profile = select_profile(flags.profile, env);
        let name = profile.value.clone();
        let exists = self.contains(&name);
        if !exists && profile.source != Source::Default {
            let mut e = self.not_found(&name);
            e.message = format!("{} (selected by {})", e.message, profile.source);
            return Err(e);
        }
        let empty = Props::new();
        let props = self.profiles.get(&name).unwrap_or(&empty);

        let region = flags
            .region
            .map(|r| Setting::new(r.to_owned(), Source::Flag("--region")))
            .or_else(|| env_setting(env, "AWS_REGION"))
            .or_else(|| env_setting(env, "AWS_DEFAULT_REGION"))
            .or_else(|| file_setting(props, "region"));

        // Explicit --profile uses that profile's chain; otherwise keys in the environment come first. A profile
        // that is absent or has nothing to give ends, as in the AWS tools, at the container or the instance.
        let chain = match (flags.profile, env_keys(env)) {
            (None, Some(keys)) => keys.map(|base| Chain {
                base,
                hops: Vec::new(),
            }),
            _ => match self.chain(&name) {
                Err(e)
                    if e.kind == ProfileErrorKind::NotFound
                        || (e.kind == ProfileErrorKind::NoCredentials && !props.contains_key("role_arn")) =>
                {
                    fallback(env, e)
                }
                other => other,
            },
        };

        let ca_bundle = env_setting(env, "AWS_CA_BUNDLE").or_else(|| file_setting(props, "ca_bundle"));

        let addressing_style = match props.get("s3") {
            Some(s3) => match crate::ini::sub_properties(&s3.value)
                .iter()
                .find(|(k, _)| k == "addressing_style")
            {
                Some((_, v)) => {
                    let style = match v.as_str() {
                        "auto" => AddressingStyle::Auto,
                        "virtual" => AddressingStyle::Virtual,
                        "path" => AddressingStyle::Path,
                        other => {
                            return Err(ProfileError::new(
                                ProfileErrorKind::InvalidSetting,
                                format!(
                                    "profile '{name}': s3 addressing_style {other:?} ({}) is not a style",
                                    s3.source
                                ),
                                Some("use auto, virtual or path".into()),
                            ));
                        }
                    };
                    Setting::new(style, s3.source.clone())
                }
                None => Setting::new(AddressingStyle::Auto, Source::Default),
            },
            None => Setting::new(AddressingStyle::Auto, Source::Default),
        };

        let sts_setting = env_setting(env, "AWS_STS_REGIONAL_ENDPOINTS")
            .or_else(|| file_setting(props, "sts_regional_endpoints"));
        let sts_endpoints = match sts_setting {
            None => Setting::new(StsEndpoints::Regional, Source::Default),
            Some(s) => match s.value.as_str() {
                "regional" => Setting::new(StsEndpoints::Regional, s.source),
                "legacy" => Setting::new(StsEndpoints::Legacy, s.source),
                other => {
                    return Err(ProfileError::new(
                        ProfileErrorKind::InvalidSetting,
                        format!(
                            "sts_regional_endpoints {other:?} ({}) is neither regional nor legacy",
                            s.source
                        ),
                        None,
                    ));
                }
            },
        };

        let s3_endpoint = self.endpoint(&name, props, "s3", flags.endpoint_url, env)?;
        // --endpoint-url is for the command's service (S3 commands); STS calls of the chain use their own.
        let sts_endpoint = self.endpoint(&name, props, "sts", None, env)?;

        Ok(Resolved {
            profile,
            profile_exists: exists,
            region,
            chain,
            ca_bundle,
            addressing_style,
            sts_endpoints,
            s3_endpoint,
            sts_endpoint,
            output: file_setting(props, "output"),
            imds_endpoint: env_setting(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT")
                .or_else(|| file_setting(props, "ec2_metadata_service_endpoint")),
            max_attempts: match env_setting(env, "AWS_MAX_ATTEMPTS")
                .or_else(|| file_setting(props, "max_attempts"))
            {
                None => Setting::new(3, Source::Default),
                Some(s) => match s.value.parse::<u32>() {
                    Ok(n) if (1..=20).contains(&n) => Setting::new(n, s.source),
                    _ => {
                        return Err(ProfileError::new(
                            ProfileErrorKind::InvalidSetting,
                            format!(
                                "max_attempts {:?} ({}) is not a number from 1 to 20",
                                s.value, s.source
                            ),
                            None,
                        ));
                    }
                },
            },
        })
    }

    /// The endpoint override for `service`: the flag, `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the
    /// profile's `[services x]` section, the profile's `endpoint_url` (botocore's order); none when
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or `ignore_configured_endpoint_urls` is true.
    fn endpoint(
        &self,
        name: &str,
        props: &Props,
        service: &str,
        flag: Option<&str>,
        env: &Env,
    ) -> Result<Option<Setting>, ProfileError> {
        if let Some(url) = flag {
            return Ok(Some(Setting::new(url.to_owned(), Source::Flag("--endpoint-url"))));
        }
        if env.is_true("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            || props
                .get("ignore_configured_endpoint_urls")
                .is_some_and(|s| s.value.eq_ignore_ascii_case("true"))
        {
            return Ok(None);
        }
        let var: &'static str = match service {
            "s3" => "AWS_ENDPOINT_URL_S3",
            _ => "AWS_ENDPOINT_URL_STS",
        };
        if let Some(s) = env_setting(env, var).or_else(|| env_setting(env, "AWS_ENDPOINT_URL")) {
            return Ok(Some(s));
        }
        if let Some(services) = props.get("services") {
            let Some(section) = self.services.get(&services.value) else {
                return Err(ProfileError::new(
                    ProfileErrorKind::InvalidSetting,
                    format!(
                        "profile '{name}' names services '{}' ({}), but there is no [services {}] section",
                        services.value, services.source, services.value
                    ),
                    None,
                ));
            };
            if let Some(block) = section.get(service)
                && let Some((_, url)) = crate::ini::sub_properties(&block.value)
                    .into_iter()
                    .find(|(k, _)| k == "endpoint_url")
            {
                return Ok(Some(Setting::new(url, block.source.clone())));
            }
        }
        Ok(file_setting(props, "endpoint_url"))
    }
}

/// The end of the default chain: the container's role when its endpoint is set, else the instance's unless
/// instance metadata is disabled; else the profile's own error, saying where awl looked.
fn fallback(env: &Env, e: ProfileError) -> Result<Chain, ProfileError> {
    let source = if crate::container::configured(env) {
        NamedSource::EcsContainer
    } else if !env.is_true("AWS_EC2_METADATA_DISABLED") {
        NamedSource::Ec2InstanceMetadata
    } else {
        let hint = format!(
            "{} (awl looked at AWS_ACCESS_KEY_ID, the profile, container credentials (not set) and instance \
             metadata (AWS_EC2_METADATA_DISABLED))",
            e.hint.as_deref().unwrap_or("configure credentials")
        );
        return Err(ProfileError {
            hint: Some(hint),
            ..e
        });
    };
    Ok(Chain {
        base: Base::Fallback { source },
        hops: Vec::new(),
    })
}

/// The environment's static keys: both, neither, or an error for one without the other.
fn env_keys(env: &Env) -> Option<Result<Base, ProfileError>> {
    match (env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")) {
        (None, None) => None,
        (Some(id), Some(secret)) => Some(Ok(Base::EnvKeys {
            access_key_id: Setting::new(id.to_owned(), Source::Env("AWS_ACCESS_KEY_ID")),
            secret_access_key: Setting::new(Secret::new(secret), Source::Env("AWS_SECRET_ACCESS_KEY")),
            session_token: env
                .get("AWS_SESSION_TOKEN")
                .map(|t| Setting::new(Secret::new(t), Source::Env("AWS_SESSION_TOKEN"))),
        })),
        (Some(_), None) => Some(Err(ProfileError::new(
            ProfileErrorKind::PartialKeys,
            "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
            Some("set both, or unset AWS_ACCESS_KEY_ID to use a profile".into()),
        ))),
        (None, Some(_)) => Some(Err(ProfileError::new(
            ProfileErrorKind::PartialKeys,
            "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not",
            Some("set both, or unset AWS_SECRET_ACCESS_KEY to use a profile".into()),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ini::{FileKind, parse};

    fn profiles(config: &str, credentials: &str) -> Profiles {
        let c = parse(config, FileKind::Config).expect("config");
        let k = parse(credentials, FileKind::Credentials).expect("credentials");
        Profiles::merge((&c, "~/.aws/config"), (&k, "~/.aws/credentials"))
    }

    const SCENARIO_CONFIG: &str = "[profile default]\nregion = ap-southeast-2\n\n[profile profile1]\n\
        region = ap-southeast-2\nsource_profile = default\nrole_arn = arn:aws:iam::123:role/Developer\n\n\
        [profile profile2]\nregion = ap-southeast-2\nsource_profile = default\nrole_arn = arn:aws:iam::456:role/Sysops\n\
        mfa_serial = arn:aws:iam::789:mfa/user@domain.blabla\n";
    const SCENARIO_CREDENTIALS: &str =
        "[default]\naws_access_key_id = YOU_KEY_ID\naws_secret_access_key = YOUR_SECRET\n";

    fn file(path: &str, line: usize) -> Source {
        Source::File {
            path: path.into(),
            line,
        }
    }

    #[test]
    fn the_scenario_profile2_assumes_sysops_from_default_with_mfa() {
        let p = profiles(SCENARIO_CONFIG, SCENARIO_CREDENTIALS);
        let r = p
            .resolve(
                &Flags {
                    profile: Some("profile2"),
                    ..Flags::default()
                },
                &Env::default(),
            )
            .expect("resolves");
        assert_eq!(r.profile.source, Source::Flag("--profile"));
        assert_eq!(
            r.region,
            Some(Setting::new("ap-southeast-2".into(), file("~/.aws/config", 10)))
        );
        let chain = r.chain.expect("chain");
        let Base::StaticKeys {
            profile,
            access_key_id,
            ..
        } = &chain.base
        else {
            panic!("static keys first");
        };
        assert_eq!(
            (profile.as_str(), access_key_id.source.clone()),
            ("default", file("~/.aws/credentials", 2))
        );
        assert_eq!(chain.hops.len(), 1);
        let hop = &chain.hops[0];
        assert_eq!(
            hop.role_arn,
            Setting::new("arn:aws:iam::456:role/Sysops".into(), file("~/.aws/config", 12))
        );
        assert_eq!(
            hop.mfa_serial.as_ref().map(|s| s.value.as_str()),
            Some("arn:aws:iam::789:mfa/user@domain.blabla")
        );
        assert_eq!(
            hop.source_profile.as_ref().map(|s| s.source.clone()),
            Some(file("~/.aws/config", 11))
        );
    }

    #[test]
    fn selection_and_region_precedence() {
        let p = profiles(SCENARIO_CONFIG, SCENARIO_CREDENTIALS);
        let env = Env::from_pairs([
            ("AWS_PROFILE", "profile1"),
            ("AWS_DEFAULT_PROFILE", "profile2"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
        ]);
        let r = p.resolve(&Flags::default(), &env).expect("resolves");
        assert_eq!(
            (r.profile.value.as_str(), r.profile.source.clone()),
            ("profile1", Source::Env("AWS_PROFILE"))
        );
        assert_eq!(
            r.region.map(|s| s.source),
            Some(Source::Env("AWS_DEFAULT_REGION"))
        );
        let env = Env::from_pairs([("AWS_REGION", "us-west-2"), ("AWS_DEFAULT_REGION", "eu-west-1")]);
        let r = p
            .resolve(
                &Flags {
                    region: Some("sa-east-1"),
                    ..Flags::default()
                },
                &env,
            )
            .expect("resolves");
        assert_eq!(r.region.map(|s| s.value), Some("sa-east-1".into()));
        let r = p.resolve(&Flags::default(), &env).expect("resolves");
        assert_eq!(r.region.map(|s| s.value), Some("us-west-2".into()));
    }

    #[test]
    fn env_keys_win_unless_a_profile_is_named() {
        let p = profiles(SCENARIO_CONFIG, SCENARIO_CREDENTIALS);
        let env = Env::from_pairs([
            ("AWS_ACCESS_KEY_ID", "AKIAENV"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
            ("AWS_PROFILE", "profile2"),
        ]);
        let r = p.resolve(&Flags::default(), &env).expect("resolves");
        assert!(matches!(r.chain, Ok(Chain { base: Base::EnvKeys { .. }, ref hops }) if hops.is_empty()));
        let r = p
            .resolve(
                &Flags {
                    profile: Some("profile2"),
                    ..Flags::default()
                },
                &env,
            )
            .expect("resolves");
        assert_eq!(r.chain.map(|c| c.hops.len()), Ok(1));
        let env = Env::from_pairs([("AWS_ACCESS_KEY_ID", "AKIAENV")]);
        let r = p.resolve(&Flags::default(), &env).expect("resolves");
        assert_eq!(r.chain.map_err(|e| e.kind), Err(ProfileErrorKind::PartialKeys));
    }

    #[test]
    fn a_named_profile_that_does_not_exist_lists_those_that_do() {
        let p = profiles(SCENARIO_CONFIG, SCENARIO_CREDENTIALS);
        let e = p
            .resolve(
                &Flags {
                    profile: Some("prod"),
                    ..Flags::default()
                },
                &Env::default(),
            )
            .expect_err("missing");
        assert_eq!(e.kind, ProfileErrorKind::NotFound);
        assert_eq!(
            e.hint.as_deref(),
            Some("profiles that exist: default, profile1, profile2")
        );
    }

    #[test]
    fn a_cycle_names_every_profile_in_it() {
        let p = profiles(
            "[profile a]\nrole_arn = arn:a\nsource_profile = b\n[profile b]\nrole_arn = arn:b\nsource_profile = c\n\
             [profile c]\nrole_arn = arn:c\nsource_profile = a\n",
            "",
        );
        let e = p.chain("a").expect_err("loop");
        assert_eq!(e.kind, ProfileErrorKind::Cycle);
        assert!(e.message.ends_with("a -> b -> c -> a"), "{}", e.message);
    }

    #[test]
    fn endpoints_by_botocore_order() {
        let p = profiles(
            "[default]\nendpoint_url = http://profile\nservices = local\n[services local]\ns3 =\n  endpoint_url = http://services-s3\n",
            "",
        );
        let r = p.resolve(&Flags::default(), &Env::default()).expect("resolves");
        assert_eq!(r.s3_endpoint.map(|s| s.value), Some("http://services-s3".into()));
        assert_eq!(r.sts_endpoint.map(|s| s.value), Some("http://profile".into()));
        let env = Env::from_pairs([
            ("AWS_ENDPOINT_URL", "http://all"),
            ("AWS_ENDPOINT_URL_STS", "http://sts"),
        ]);
        let r = p
            .resolve(
                &Flags {
                    endpoint_url: Some("http://flag"),
                    ..Flags::default()
                },
                &env,
            )
            .expect("resolves");
        assert_eq!(
            r.s3_endpoint.map(|s| (s.value, s.source)),
            Some(("http://flag".into(), Source::Flag("--endpoint-url")))
        );
        assert_eq!(r.sts_endpoint.map(|s| s.value), Some("http://sts".into()));
        let env = Env::from_pairs([
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
            ("AWS_ENDPOINT_URL", "http://all"),
        ]);
        let r = p.resolve(&Flags::default(), &env).expect("resolves");
        assert_eq!((r.s3_endpoint, r.sts_endpoint), (None, None));
    }

    #[test]
    fn s3_addressing_style_and_sts_endpoints() {
        let p = profiles(
            "[default]\ns3 =\n  addressing_style = path\nsts_regional_endpoints = legacy\n",
            "",
        );
        let r = p.resolve(&Flags::default(), &Env::default()).expect("resolves");
        assert_eq!(r.addressing_style.value, AddressingStyle::Path);
        assert_eq!(r.sts_endpoints.value, StsEndpoints::Legacy);
        let p = profiles("[default]\ns3 =\n  addressing_style = sideways\n", "");
        assert_eq!(
            p.resolve(&Flags::default(), &Env::default())
                .map(|_| ())
                .map_err(|e| e.kind),
            Err(ProfileErrorKind::InvalidSetting)
        );
    }
}
