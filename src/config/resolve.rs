//! Resolving the selected profile's settings, pure: the merged profiles, the command line's flags and an
//! environment snapshot in, a [`Resolved`] profile out, every value with its source.
//!
//! Decides: which profile (`--profile` > `AWS_PROFILE` > `AWS_DEFAULT_PROFILE` > `default`), the region
//! (`--region` > `AWS_REGION` > `AWS_DEFAULT_REGION` > the profile), the credential chain (planned by
//! [`chain`](crate::config::chain)), endpoints, the CA bundle, S3 addressing, STS endpoint style and retry
//! attempts. Nothing here talks to the network or reads a file.

use crate::codec::ini;
use crate::config::chain::{Chain, env_keys, fallback};
use crate::config::env::Env;
use crate::config::profiles::{Profiles, Props, Setting, Source};
use crate::error::{Error, ProfileProblem, Result};

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

/// When checksums are sent and checked (`request_checksum_calculation`, `response_checksum_validation`), as
/// the AWS tools have had since January 2025.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChecksumWhen {
    /// Whenever the operation supports one (the default).
    Supported,
    /// Only where the operation requires one (for S3-compatible stores that refuse the headers).
    Required,
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
    pub chain: Result<Chain>,
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
    /// Endpoint override for the SSO portal (`AWS_ENDPOINT_URL_SSO`, `[services]` `sso =`).
    pub sso_endpoint: Option<Setting>,
    /// Endpoint override for SSO-OIDC (`AWS_ENDPOINT_URL_SSO_OIDC`, `[services]` `sso_oidc =`).
    pub sso_oidc_endpoint: Option<Setting>,
    /// `output` of the profile.
    pub output: Option<Setting>,
    /// Where instance metadata answers (`AWS_EC2_METADATA_SERVICE_ENDPOINT`, `ec2_metadata_service_endpoint`).
    pub imds_endpoint: Option<Setting>,
    /// Attempts per request (`AWS_MAX_ATTEMPTS`, `max_attempts`; 3 by default).
    pub max_attempts: Setting<u32>,
    /// `AWS_REQUEST_CHECKSUM_CALCULATION`, `request_checksum_calculation`: checksums sent with uploads.
    pub request_checksums: Setting<ChecksumWhen>,
    /// `AWS_RESPONSE_CHECKSUM_VALIDATION`, `response_checksum_validation`: checksums asked for and checked on
    /// downloads.
    pub response_checksums: Setting<ChecksumWhen>,
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

/// Whether `region` can be a region name, as botocore checks it before it becomes part of a host name:
/// letters, digits and `-`, at most 63, not all digits, not starting or ending with `-`
/// (`^(?![0-9]+$)(?!-)[a-zA-Z0-9-]{,63}(?<!-)$`), and not empty.
pub fn valid_region(region: &str) -> bool {
    let b = region.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && !b.iter().all(u8::is_ascii_digit)
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

fn env_setting(env: &Env, name: &'static str) -> Option<Setting> {
    env.get(name)
        .map(|v| Setting::new(v.to_owned(), Source::Env(name)))
}

fn invalid(message: String, hint: Option<&str>) -> Error {
    Error::profile(ProfileProblem::InvalidSetting, message).with_hint_if(hint)
}

/// `s3 = addressing_style = ...` of a profile.
fn addressing_style(name: &str, props: &Props) -> Result<Setting<AddressingStyle>> {
    let Some(s3) = props.get("s3") else {
        return Ok(Setting::new(AddressingStyle::Auto, Source::Default));
    };
    let Some((_, v)) = ini::sub_properties(&s3.value)
        .into_iter()
        .find(|(k, _)| k == "addressing_style")
    else {
        return Ok(Setting::new(AddressingStyle::Auto, Source::Default));
    };
    let style = match v.as_str() {
        "auto" => AddressingStyle::Auto,
        "virtual" => AddressingStyle::Virtual,
        "path" => AddressingStyle::Path,
        other => {
            return Err(invalid(
                format!(
                    "profile '{name}': s3 addressing_style {other:?} ({}) is not a style",
                    s3.source
                ),
                Some("use auto, virtual or path"),
            ));
        }
    };
    Ok(Setting::new(style, s3.source.clone()))
}

/// `AWS_STS_REGIONAL_ENDPOINTS`, else `sts_regional_endpoints`.
fn sts_endpoints(env: &Env, props: &Props) -> Result<Setting<StsEndpoints>> {
    let setting = env_setting(env, "AWS_STS_REGIONAL_ENDPOINTS")
        .or_else(|| props.get("sts_regional_endpoints").cloned());
    match setting {
        None => Ok(Setting::new(StsEndpoints::Regional, Source::Default)),
        Some(s) => match s.value.as_str() {
            "regional" => Ok(Setting::new(StsEndpoints::Regional, s.source)),
            "legacy" => Ok(Setting::new(StsEndpoints::Legacy, s.source)),
            other => Err(invalid(
                format!(
                    "sts_regional_endpoints {other:?} ({}) is neither regional nor legacy",
                    s.source
                ),
                None,
            )),
        },
    }
}

/// `AWS_MAX_ATTEMPTS`, else `max_attempts`: 1 to 20, 3 by default.
fn max_attempts(env: &Env, props: &Props) -> Result<Setting<u32>> {
    match env_setting(env, "AWS_MAX_ATTEMPTS").or_else(|| props.get("max_attempts").cloned()) {
        None => Ok(Setting::new(3, Source::Default)),
        Some(s) => match s.value.parse::<u32>() {
            Ok(n) if (1..=20).contains(&n) => Ok(Setting::new(n, s.source)),
            _ => Err(invalid(
                format!(
                    "max_attempts {:?} ({}) is not a number from 1 to 20",
                    s.value, s.source
                ),
                None,
            )),
        },
    }
}

/// The environment variable, else the profile's key: `when_supported` (the default) or `when_required`, in
/// any case, as botocore reads them.
fn checksum_when(env: &Env, props: &Props, var: &'static str, key: &str) -> Result<Setting<ChecksumWhen>> {
    match env_setting(env, var).or_else(|| props.get(key).cloned()) {
        None => Ok(Setting::new(ChecksumWhen::Supported, Source::Default)),
        Some(s) => match s.value.to_ascii_lowercase().as_str() {
            "when_supported" => Ok(Setting::new(ChecksumWhen::Supported, s.source)),
            "when_required" => Ok(Setting::new(ChecksumWhen::Required, s.source)),
            _ => Err(invalid(
                format!(
                    "{key} {:?} ({}) is neither when_supported nor when_required",
                    crate::codec::redact::sanitize(&s.value, 80),
                    s.source
                ),
                None,
            )),
        },
    }
}

impl Profiles {
    /// Resolves the profile the command line and environment select.
    ///
    /// Errors: a profile named by `--profile`, `AWS_PROFILE` or `AWS_DEFAULT_PROFILE` that does not exist;
    /// an invalid setting. A chain that cannot give credentials is not an error here (see [`Resolved::chain`]):
    /// many commands do not need credentials.
    pub fn resolve(&self, flags: &Flags<'_>, env: &Env) -> Result<Resolved> {
        let profile = select_profile(flags.profile, env);
        let name = profile.value.clone();
        let exists = self.contains(&name);
        if !exists && profile.source != Source::Default {
            return Err(self.not_found_selected(&name, Some(&profile.source)));
        }
        let empty = Props::new();
        let props = self.props(&name).unwrap_or(&empty);
        let region = flags
            .region
            .map(|r| Setting::new(r.to_owned(), Source::Flag("--region")))
            .or_else(|| env_setting(env, "AWS_REGION"))
            .or_else(|| env_setting(env, "AWS_DEFAULT_REGION"))
            .or_else(|| props.get("region").cloned());
        // A region becomes part of host names: checked where it enters.
        if let Some(r) = region.as_ref().filter(|r| !valid_region(&r.value)) {
            let e = invalid(
                format!(
                    "region {:?} ({}) is not a region name",
                    crate::codec::redact::sanitize(&r.value, 80),
                    r.source
                ),
                Some("a region is letters, digits and '-', such as eu-west-1"),
            );
            return Err(match r.source {
                Source::Flag(_) => e.with_kind(crate::error::ErrorKind::Usage),
                _ => e,
            });
        }
        Ok(Resolved {
            chain: self.chain_for(&name, props, flags, env),
            ca_bundle: env_setting(env, "AWS_CA_BUNDLE").or_else(|| props.get("ca_bundle").cloned()),
            addressing_style: addressing_style(&name, props)?,
            sts_endpoints: sts_endpoints(env, props)?,
            s3_endpoint: self.endpoint(&name, props, "s3", flags.endpoint_url, env)?,
            // --endpoint-url is for the command's service (S3 commands); STS calls of the chain use their own.
            sts_endpoint: self.endpoint(&name, props, "sts", None, env)?,
            sso_endpoint: self.endpoint(&name, props, "sso", None, env)?,
            sso_oidc_endpoint: self.endpoint(&name, props, "sso_oidc", None, env)?,
            // The format of printed documents: AWS_DEFAULT_OUTPUT over the profile's, as the AWS CLI reads it.
            output: env_setting(env, "AWS_DEFAULT_OUTPUT").or_else(|| props.get("output").cloned()),
            imds_endpoint: env_setting(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT")
                .or_else(|| props.get("ec2_metadata_service_endpoint").cloned()),
            max_attempts: max_attempts(env, props)?,
            request_checksums: checksum_when(
                env,
                props,
                "AWS_REQUEST_CHECKSUM_CALCULATION",
                "request_checksum_calculation",
            )?,
            response_checksums: checksum_when(
                env,
                props,
                "AWS_RESPONSE_CHECKSUM_VALIDATION",
                "response_checksum_validation",
            )?,
            profile,
            profile_exists: exists,
            region,
        })
    }

    /// The chain of the selected profile. Explicit `--profile` uses that profile's chain; otherwise keys in the
    /// environment come first. A profile that is absent or has nothing to give ends, as in the AWS tools, at
    /// the container or the instance.
    fn chain_for(&self, name: &str, props: &Props, flags: &Flags<'_>, env: &Env) -> Result<Chain> {
        match (flags.profile, env_keys(env)) {
            (None, Some(keys)) => keys.map(|base| Chain {
                base,
                hops: Vec::new(),
            }),
            _ => match self.chain(name) {
                Err(e)
                    if e.profile_problem() == Some(ProfileProblem::NotFound)
                        || (e.profile_problem() == Some(ProfileProblem::NoCredentials)
                            && !props.contains_key("role_arn")) =>
                {
                    fallback(env, e)
                }
                other => other,
            },
        }
    }

    /// The endpoint override for `service` (`s3`, `sts`, `sso`, `sso_oidc`): the flag,
    /// `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the profile's `[services x]` section, the profile's
    /// `endpoint_url` (botocore's order); none when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or
    /// `ignore_configured_endpoint_urls` is true.
    fn endpoint(
        &self,
        name: &str,
        props: &Props,
        service: &str,
        flag: Option<&str>,
        env: &Env,
    ) -> Result<Option<Setting>> {
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
            "sso" => "AWS_ENDPOINT_URL_SSO",
            "sso_oidc" => "AWS_ENDPOINT_URL_SSO_OIDC",
            _ => "AWS_ENDPOINT_URL_STS",
        };
        if let Some(s) = env_setting(env, var).or_else(|| env_setting(env, "AWS_ENDPOINT_URL")) {
            return Ok(Some(s));
        }
        if let Some(services) = props.get("services") {
            let Some(section) = self.services_props(&services.value) else {
                return Err(invalid(
                    format!(
                        "profile '{name}' names services '{}' ({}), but there is no [services {}] section",
                        services.value, services.source, services.value
                    ),
                    None,
                ));
            };
            if let Some(block) = section.get(service)
                && let Some((_, url)) = ini::sub_properties(&block.value)
                    .into_iter()
                    .find(|(k, _)| k == "endpoint_url")
            {
                return Ok(Some(Setting::new(url, block.source.clone())));
            }
        }
        Ok(props.get("endpoint_url").cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::ini::{FileKind, parse};
    use crate::config::chain::Base;

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
        assert_eq!(
            r.chain.map_err(|e| e.profile_problem()),
            Err(Some(ProfileProblem::PartialKeys))
        );
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
        assert_eq!(e.profile_problem(), Some(ProfileProblem::NotFound));
        assert_eq!(e.hint(), Some("profiles that exist: default, profile1, profile2"));
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
    fn sso_endpoints_by_botocore_order() {
        let p = profiles(
            "[default]\nservices = local\n[services local]\nsso =\n  endpoint_url = http://portal\n\
             sso_oidc =\n  endpoint_url = http://oidc\n",
            "",
        );
        let r = p.resolve(&Flags::default(), &Env::default()).expect("resolves");
        assert_eq!(
            (
                r.sso_endpoint.map(|s| s.value),
                r.sso_oidc_endpoint.map(|s| s.value)
            ),
            (Some("http://portal".into()), Some("http://oidc".into()))
        );
        let env = Env::from_pairs([
            ("AWS_ENDPOINT_URL", "http://all"),
            ("AWS_ENDPOINT_URL_SSO_OIDC", "http://env-oidc"),
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
            r.sso_endpoint.map(|s| (s.value, s.source)),
            Some(("http://all".into(), Source::Env("AWS_ENDPOINT_URL"))),
            "--endpoint-url is the command's service's"
        );
        assert_eq!(
            r.sso_oidc_endpoint.map(|s| s.source),
            Some(Source::Env("AWS_ENDPOINT_URL_SSO_OIDC"))
        );
    }

    #[test]
    fn regions_are_checked_as_botocore_checks_them() {
        for ok in ["us-east-1", "ap-southeast-2", "local", "a", "US-EAST-1"] {
            assert!(valid_region(ok), "{ok}");
        }
        for bad in [
            "",
            "evil.example.net#",
            "a/b",
            "a?b",
            "-x",
            "x-",
            "123",
            "a b",
            &"x".repeat(64),
        ] {
            assert!(!valid_region(bad), "{bad}");
        }
        let p = profiles("[default]\nregion = evil.example.net#\n", "");
        let e = p
            .resolve(&Flags::default(), &Env::default())
            .expect_err("bad region");
        assert_eq!(
            (e.exit_code(), e.profile_problem()),
            (253, Some(ProfileProblem::InvalidSetting))
        );
        let flags = Flags {
            region: Some("x/y"),
            ..Flags::default()
        };
        assert_eq!(
            p.resolve(&flags, &Env::default())
                .map(|_| ())
                .map_err(|e| e.exit_code()),
            Err(252)
        );
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
                .map_err(|e| e.profile_problem()),
            Err(Some(ProfileProblem::InvalidSetting))
        );
    }

    #[test]
    fn checksum_switches_from_the_environment_before_the_profile() {
        let p = profiles(
            "[default]\nrequest_checksum_calculation = WHEN_REQUIRED\nresponse_checksum_validation = when_required\n",
            "",
        );
        let r = p.resolve(&Flags::default(), &Env::default()).expect("resolves");
        assert_eq!(r.request_checksums.value, ChecksumWhen::Required);
        assert_eq!(r.response_checksums.value, ChecksumWhen::Required);
        let env = Env::from_pairs([("AWS_REQUEST_CHECKSUM_CALCULATION", "when_supported")]);
        let r = p.resolve(&Flags::default(), &env).expect("resolves");
        assert_eq!(
            (r.request_checksums.value, r.request_checksums.source),
            (
                ChecksumWhen::Supported,
                Source::Env("AWS_REQUEST_CHECKSUM_CALCULATION")
            )
        );
        let r = profiles("", "")
            .resolve(&Flags::default(), &Env::default())
            .expect("resolves");
        assert_eq!(r.response_checksums.value, ChecksumWhen::Supported);
        let env = Env::from_pairs([("AWS_RESPONSE_CHECKSUM_VALIDATION", "never")]);
        let e = p
            .resolve(&Flags::default(), &env)
            .map(|_| ())
            .expect_err("refused");
        assert_eq!(e.profile_problem(), Some(ProfileProblem::InvalidSetting));
        assert!(
            e.to_string().contains("response_checksum_validation \"never\""),
            "{e}"
        );
    }
}
