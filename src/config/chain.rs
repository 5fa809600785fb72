//! Planning a profile's credential chain, pure: the merged profiles in, a [`Chain`] out: a base of keys, a
//! named source or a process, then the AssumeRole hops in the order they are made. The rules are the AWS SDKs'
//! (the cross-SDK assume-role cases), and botocore's for the common cases. Executing the chain is
//! the providers' job.

use crate::config::env::Env;
use crate::config::profiles::{Profiles, Props, Setting, Source};
use crate::error::{Error, ProfileProblem, Result};
use crate::secret::Secret;

mod sso;

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
    /// AssumeRoleWithWebIdentity with an OIDC token from a file (EKS IRSA, CI systems): a profile's
    /// `role_arn` + `web_identity_token_file`, or `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE`.
    WebIdentity {
        /// The profile that sets it; `None` for the environment's variables.
        profile: Option<String>,
        /// The role.
        role_arn: Setting,
        /// The token file, read again for every call.
        token_file: Setting,
        /// `role_session_name` / `AWS_ROLE_SESSION_NAME`, when set.
        role_session_name: Option<Setting>,
    },
    /// IAM Identity Center (SSO): a role's credentials from the SSO portal with the token of an SSO login
    /// (the session form, `sso_session` + `[sso-session NAME]`, or the legacy form on the profile).
    Sso {
        /// The profile with `sso_account_id` and `sso_role_name`.
        profile: String,
        /// `sso_session` (the session form); `None` for the legacy form.
        session: Option<Setting>,
        /// `sso_start_url` (of the `[sso-session]` section in the session form).
        start_url: Setting,
        /// `sso_region`.
        region: Setting,
        /// `sso_account_id`.
        account_id: Setting,
        /// `sso_role_name`.
        role_name: Setting,
        /// `sso_registration_scopes` of the `[sso-session]` section.
        scopes: Option<Setting>,
    },
    /// `credential_process` of a profile.
    Process {
        /// The profile.
        profile: String,
        /// The command line.
        command: Setting,
    },
}

impl Base {
    /// Whether the credentials come from instance metadata (named or as the default chain's end).
    pub fn is_instance_metadata(&self) -> bool {
        matches!(
            self,
            Base::Fallback {
                source: NamedSource::Ec2InstanceMetadata
            } | Base::Named {
                source: NamedSource::Ec2InstanceMetadata,
                ..
            }
        )
    }
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
    /// `mfa_session = true` (on this profile or on the profile whose keys start the chain): the code goes
    /// to one GetSessionToken session, and the role is assumed from it without a code while it lasts.
    pub mfa_session: bool,
}

/// The credential chain: a base, then the roles assumed from it, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    /// The first credentials.
    pub base: Base,
    /// The AssumeRole calls, first to last; the last gives the profile's credentials.
    pub hops: Vec<RoleHop>,
}

/// Whether the environment names a container credentials endpoint (`AWS_CONTAINER_CREDENTIALS_*_URI`).
pub fn container_configured(env: &Env) -> bool {
    env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").is_some()
        || env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI").is_some()
}

fn problem(p: ProfileProblem, message: impl Into<String>, hint: Option<String>) -> Error {
    Error::profile(p, message).with_hint_if(hint)
}

fn secret_setting(s: Setting) -> Setting<Secret> {
    Setting::new(Secret::new(s.value), s.source)
}

/// The profile's static keys: both, neither, or an error naming the missing one.
fn static_keys(name: &str, props: &Props) -> Result<Option<Base>> {
    let partial = |has: &str, set: &Setting, missing: &str| {
        problem(
            ProfileProblem::PartialKeys,
            format!(
                "profile '{name}' is missing {missing} ({} sets {has})",
                set.source
            ),
            Some(format!("add {missing} to [{name}] in the credentials file")),
        )
    };
    match (props.get("aws_access_key_id"), props.get("aws_secret_access_key")) {
        (Some(id), Some(secret)) => Ok(Some(Base::StaticKeys {
            profile: name.to_owned(),
            access_key_id: id.clone(),
            secret_access_key: secret_setting(secret.clone()),
            session_token: props.get("aws_session_token").cloned().map(secret_setting),
        })),
        (None, None) => Ok(None),
        (Some(id), None) => Err(partial("aws_access_key_id", id, "aws_secret_access_key")),
        (None, Some(s)) => Err(partial("aws_secret_access_key", s, "aws_access_key_id")),
    }
}

/// A true/false setting (any case), false when absent.
fn flag(name: &str, props: &Props, key: &str) -> Result<bool> {
    match props.get(key) {
        None => Ok(false),
        Some(s) if s.value.eq_ignore_ascii_case("true") => Ok(true),
        Some(s) if s.value.eq_ignore_ascii_case("false") => Ok(false),
        Some(s) => Err(problem(
            ProfileProblem::InvalidSetting,
            format!(
                "profile '{name}': {key} '{}' ({}) is not true or false",
                crate::codec::redact::sanitize(&s.value, 40),
                s.source
            ),
            None,
        )),
    }
}

fn role_hop(name: &str, props: &Props) -> Result<RoleHop> {
    let duration_seconds = match props.get("duration_seconds") {
        None => None,
        Some(s) => match s.value.parse::<u32>() {
            Ok(v) => Some(Setting::new(v, s.source.clone())),
            Err(_) => {
                return Err(problem(
                    ProfileProblem::InvalidSetting,
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
        mfa_session: flag(name, props, "mfa_session")?,
        profile: name.to_owned(),
        role_arn: props.get("role_arn").cloned().ok_or_else(|| {
            problem(
                ProfileProblem::InvalidSetting,
                format!("profile '{name}' has no role_arn"),
                None,
            )
        })?,
        source_profile: props.get("source_profile").cloned(),
        role_session_name: props.get("role_session_name").cloned(),
        duration_seconds,
        external_id: props.get("external_id").cloned(),
        mfa_serial: props.get("mfa_serial").cloned(),
    })
}

/// A `login_session` profile (written by `aws login` of the AWS CLI v2): recognised, and reported with what to
/// run, since its tokens live in the AWS CLI's own login cache.
fn login(name: &str, props: &Props) -> Option<Error> {
    let session = props.get("login_session")?;
    Some(problem(
        ProfileProblem::Unsupported,
        format!(
            "profile '{name}' uses an 'aws login' session (login_session, {}), which awl does not read",
            session.source
        ),
        Some(format!(
            "run 'aws login --profile {name}', then give awl a profile with \
             'credential_process = aws configure export-credentials --profile {name}'"
        )),
    ))
}

/// Where one profile of the chain leads: to the chain's base, or on to its source profile.
enum Link {
    Base(Box<Base>),
    Source(String),
}

impl Profiles {
    /// The credential chain of `selected`, walking `source_profile` references.
    ///
    /// Rules (the AWS SDKs', and botocore's for the common cases): a role profile assumes its role from
    /// `source_profile` or `credential_source` (exactly one); a source profile with static keys ends the chain
    /// (its own `role_arn` is then ignored); a profile may name itself as source only if it has keys.
    pub fn chain(&self, selected: &str) -> Result<Chain> {
        let mut visited: Vec<String> = Vec::new();
        let mut hops: Vec<RoleHop> = Vec::new();
        let mut name = selected.to_owned();
        let base = loop {
            let Some(props) = self.props(&name) else {
                return Err(match visited.last() {
                    None => self.not_found(selected),
                    Some(from) => self.missing_source(from, &name),
                });
            };
            if visited.contains(&name) {
                let mut path = visited.clone();
                path.push(name.clone());
                return Err(problem(
                    ProfileProblem::Cycle,
                    format!("source_profile forms a loop: {}", path.join(" -> ")),
                    Some("one profile of the loop needs its own keys or a credential_source".into()),
                ));
            }
            let (hop, link) = self.step(&name, props, visited.last().map(String::as_str))?;
            visited.push(name.clone());
            hops.extend(hop);
            match link {
                Link::Base(base) => break *base,
                Link::Source(next) => name = next,
            }
        };
        hops.reverse();
        self.mfa_session_rules(&base, &mut hops)?;
        Ok(Chain { base, hops })
    }

    /// One profile of the chain: the role it assumes, if any, and where its credentials come from.
    /// `source_of` is the profile that named this one as its source.
    fn step(&self, name: &str, props: &Props, source_of: Option<&str>) -> Result<(Option<RoleHop>, Link)> {
        if let Some(token_file) = props.get("web_identity_token_file") {
            let Some(role_arn) = props.get("role_arn") else {
                return Err(problem(
                    ProfileProblem::InvalidSetting,
                    format!(
                        "profile '{name}' sets web_identity_token_file ({}) but no role_arn",
                        token_file.source
                    ),
                    None,
                ));
            };
            let base = Base::WebIdentity {
                profile: Some(name.to_owned()),
                role_arn: role_arn.clone(),
                token_file: token_file.clone(),
                role_session_name: props.get("role_session_name").cloned(),
            };
            return Ok((None, Link::Base(Box::new(base))));
        }
        if props.contains_key("role_arn") {
            return role_step(name, props, source_of.is_some());
        }
        if let Some(base) = sso::base(name, props, self)? {
            return Ok((None, Link::Base(Box::new(base))));
        }
        if let Some(e) = login(name, props) {
            return Err(e);
        }
        if let Some(cmd) = props.get("credential_process") {
            let base = Base::Process {
                profile: name.to_owned(),
                command: cmd.clone(),
            };
            return Ok((None, Link::Base(Box::new(base))));
        }
        match static_keys(name, props)? {
            Some(keys) => Ok((None, Link::Base(Box::new(keys)))),
            None => Err(problem(
                ProfileProblem::NoCredentials,
                match source_of {
                    None => format!("profile '{name}' has no credentials"),
                    Some(of) => format!("profile '{name}' (the source of '{of}') has no credentials"),
                },
                Some(
                    if props.contains_key("sso_session") || props.contains_key("sso_start_url") {
                        format!(
                            "to use its SSO login, add sso_account_id and sso_role_name to [profile {name}]"
                        )
                    } else {
                        format!(
                            "give [{name}] aws_access_key_id and aws_secret_access_key in the credentials file \
                         (awl configure --profile {name}), or a role_arn with a source"
                        )
                    },
                ),
            )),
        }
    }

    /// `mfa_session` on the profile whose keys start the chain applies to the first role; only the first role
    /// can use a session (GetSessionToken takes an IAM user's keys, not a role's).
    fn mfa_session_rules(&self, base: &Base, hops: &mut [RoleHop]) -> Result<()> {
        if let (Base::StaticKeys { profile, .. }, Some(first)) = (base, hops.first_mut())
            && let Some(props) = self.props(profile)
        {
            first.mfa_session |= flag(profile, props, "mfa_session")?;
        }
        for (i, hop) in hops.iter().enumerate() {
            let first_from_keys = i == 0 && matches!(base, Base::StaticKeys { .. } | Base::EnvKeys { .. });
            if hop.mfa_session && hop.mfa_serial.is_some() && !first_from_keys {
                return Err(problem(
                    ProfileProblem::InvalidSetting,
                    format!(
                        "profile '{}': mfa_session works only for a role assumed straight from an IAM user's keys",
                        hop.profile
                    ),
                    Some(
                        "GetSessionToken takes long-term keys; set mfa_session on the first role of the chain"
                            .into(),
                    ),
                ));
            }
        }
        Ok(())
    }

    fn missing_source(&self, from: &str, name: &str) -> Error {
        problem(
            ProfileProblem::MissingSourceProfile,
            format!(
                "profile '{from}' names source_profile '{name}' ({}), which does not exist",
                self.get(from, "source_profile")
                    .map_or(Source::Default, |s| s.source.clone())
            ),
            Some(format!("profiles that exist: {}", self.names().join(", "))),
        )
    }

    /// The error for a profile that is not in the files, listing those that are.
    pub fn not_found(&self, name: &str) -> Error {
        self.not_found_selected(name, None)
    }

    /// As [`not_found`](Self::not_found), saying what selected the profile (`--profile`, `env AWS_PROFILE`).
    pub fn not_found_selected(&self, name: &str, selected_by: Option<&Source>) -> Error {
        let names = self.names();
        let by = selected_by.map_or(String::new(), |s| format!(" (selected by {s})"));
        problem(
            ProfileProblem::NotFound,
            format!("profile '{name}' not found in the config or credentials file{by}"),
            Some(if names.is_empty() {
                "no profiles are defined; run 'awl configure' to create one".into()
            } else {
                format!("profiles that exist: {}", names.join(", "))
            }),
        )
    }
}

/// A role profile's step: its hop, then its `source_profile` or `credential_source`. A source profile with
/// its own keys ends the chain there instead (its role is then ignored).
fn role_step(name: &str, props: &Props, is_source: bool) -> Result<(Option<RoleHop>, Link)> {
    if is_source && let Some(keys) = static_keys(name, props)? {
        return Ok((None, Link::Base(Box::new(keys))));
    }
    let hop = role_hop(name, props)?;
    let link = match (props.get("source_profile"), props.get("credential_source")) {
        (Some(sp), Some(cs)) => {
            return Err(problem(
                ProfileProblem::BothSources,
                format!(
                    "profile '{name}' has both source_profile ({}) and credential_source ({})",
                    sp.source, cs.source
                ),
                Some("keep one of the two".into()),
            ));
        }
        (None, None) => {
            return Err(problem(
                ProfileProblem::NoSource,
                format!("profile '{name}' has role_arn but neither source_profile nor credential_source"),
                Some(format!(
                    "add 'source_profile = NAME' (a profile with keys) to [profile {name}]"
                )),
            ));
        }
        (None, Some(cs)) => {
            let source = NamedSource::parse(&cs.value).ok_or_else(|| {
                problem(
                    ProfileProblem::InvalidSetting,
                    format!(
                        "profile '{name}': credential_source {:?} ({}) is not a credential source",
                        cs.value, cs.source
                    ),
                    Some("use Environment, Ec2InstanceMetadata or EcsContainer".into()),
                )
            })?;
            Link::Base(Box::new(Base::Named {
                profile: name.to_owned(),
                source,
                setting: cs.clone(),
            }))
        }
        // Self-reference: this profile's keys, then its role.
        (Some(sp), None) if sp.value == name => match static_keys(name, props)? {
            Some(keys) => Link::Base(Box::new(keys)),
            None => {
                return Err(problem(
                    ProfileProblem::Cycle,
                    format!(
                        "profile '{name}' names itself as source_profile ({}) but has no keys",
                        sp.source
                    ),
                    Some("a profile may be its own source only if it has keys".into()),
                ));
            }
        },
        (Some(sp), None) => Link::Source(sp.value.clone()),
    };
    Ok((Some(hop), link))
}

/// The end of the default chain: the container's role when its endpoint is set, else the instance's unless
/// instance metadata is disabled; else the profile's own error `e`, saying where awl looked.
pub fn fallback(env: &Env, e: Error) -> Result<Chain> {
    if let Some(base) = env_web_identity(env) {
        return base.map(|base| Chain {
            base,
            hops: Vec::new(),
        });
    }
    let source = if container_configured(env) {
        NamedSource::EcsContainer
    } else if !env.is_true("AWS_EC2_METADATA_DISABLED") {
        NamedSource::Ec2InstanceMetadata
    } else {
        let hint = format!(
            "{} (awl looked at AWS_ACCESS_KEY_ID, the profile, AWS_WEB_IDENTITY_TOKEN_FILE, container credentials \
             (not set) and instance metadata (AWS_EC2_METADATA_DISABLED))",
            e.hint().unwrap_or("configure credentials")
        );
        return Err(e.with_hint(hint));
    };
    Ok(Chain {
        base: Base::Fallback { source },
        hops: Vec::new(),
    })
}

/// `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE` (+ `AWS_ROLE_SESSION_NAME`), as Kubernetes (EKS IRSA) and CI
/// systems set them; in the AWS SDKs' default chain after the profile and before the container. A token file
/// without a role is an error; a role without a token file is not web identity.
pub fn env_web_identity(env: &Env) -> Option<Result<Base>> {
    let file = env.get("AWS_WEB_IDENTITY_TOKEN_FILE")?;
    let Some(role) = env.get("AWS_ROLE_ARN") else {
        return Some(Err(problem(
            ProfileProblem::InvalidSetting,
            "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not",
            Some("set AWS_ROLE_ARN to the role the token is for".into()),
        )));
    };
    let setting = |v: &str, name| Setting::new(v.to_owned(), Source::Env(name));
    Some(Ok(Base::WebIdentity {
        profile: None,
        role_arn: setting(role, "AWS_ROLE_ARN"),
        token_file: setting(file, "AWS_WEB_IDENTITY_TOKEN_FILE"),
        role_session_name: env
            .get("AWS_ROLE_SESSION_NAME")
            .map(|n| setting(n, "AWS_ROLE_SESSION_NAME")),
    }))
}

/// The environment's static keys: both, neither, or an error for one without the other.
pub fn env_keys(env: &Env) -> Option<Result<Base>> {
    match (env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")) {
        (None, None) => None,
        (Some(id), Some(secret)) => Some(Ok(Base::EnvKeys {
            access_key_id: Setting::new(id.to_owned(), Source::Env("AWS_ACCESS_KEY_ID")),
            secret_access_key: Setting::new(Secret::new(secret), Source::Env("AWS_SECRET_ACCESS_KEY")),
            session_token: env
                .get("AWS_SESSION_TOKEN")
                .map(|t| Setting::new(Secret::new(t), Source::Env("AWS_SESSION_TOKEN"))),
        })),
        (Some(_), None) => Some(Err(problem(
            ProfileProblem::PartialKeys,
            "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
            Some("set both, or unset AWS_ACCESS_KEY_ID to use a profile".into()),
        ))),
        (None, Some(_)) => Some(Err(problem(
            ProfileProblem::PartialKeys,
            "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not",
            Some("set both, or unset AWS_SECRET_ACCESS_KEY to use a profile".into()),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::ini::{FileKind, parse};

    pub(super) fn profiles(config: &str, credentials: &str) -> Profiles {
        let c = parse(config, FileKind::Config).expect("config");
        let k = parse(credentials, FileKind::Credentials).expect("credentials");
        Profiles::merge((&c, "~/.aws/config"), (&k, "~/.aws/credentials"))
    }

    #[test]
    fn login_profiles_are_recognised_with_what_to_run() {
        let p = profiles("[profile l]\nlogin_session = arn:aws:iam::1:user/u\n", "");
        let e = p.chain("l").expect_err("login");
        assert_eq!(e.profile_problem(), Some(ProfileProblem::Unsupported));
        assert!(e.message().contains("'aws login'"), "{}", e.message());
        assert!(
            e.hint()
                .is_some_and(|h| h.contains("export-credentials --profile l"))
        );
    }

    #[test]
    fn mfa_session_comes_from_the_keys_profile_or_the_role_and_is_true_or_false() {
        let p = profiles(
            "[profile r]\nrole_arn = arn:r\nsource_profile = k\nmfa_serial = arn:m\n\
             [profile bad]\nrole_arn = arn:r\nsource_profile = k\nmfa_serial = arn:m\nmfa_session = yes\n",
            "[k]\naws_access_key_id = a\naws_secret_access_key = b\nmfa_session = TRUE\n",
        );
        assert!(p.chain("r").expect("chain").hops[0].mfa_session);
        let e = p.chain("bad").expect_err("not a bool");
        assert_eq!(e.profile_problem(), Some(ProfileProblem::InvalidSetting));
        assert!(e.message().contains("mfa_session 'yes'"), "{}", e.message());
    }

    #[test]
    fn a_cycle_names_every_profile_in_it() {
        let p = profiles(
            "[profile a]\nrole_arn = arn:a\nsource_profile = b\n[profile b]\nrole_arn = arn:b\nsource_profile = c\n\
             [profile c]\nrole_arn = arn:c\nsource_profile = a\n",
            "",
        );
        let e = p.chain("a").expect_err("loop");
        assert_eq!(e.profile_problem(), Some(ProfileProblem::Cycle));
        assert!(e.message().ends_with("a -> b -> c -> a"), "{}", e.message());
    }
}
