//! The two files merged into one view of profiles, with provenance: every value keeps where it came from
//! (`--region`, `env AWS_REGION`, `~/.aws/config:12`, `default`). Pure: parsed files in, profiles out; chain
//! planning and setting resolution read this view.

use crate::codec::ini::{IniFile, Section};
use crate::config::env::LoadedFile;
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
    /// A value from `source`.
    pub fn new(value: T, source: Source) -> Self {
        Setting { value, source }
    }
}

/// One profile of the merged view: property name → setting.
pub type Props = BTreeMap<String, Setting>;

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

    /// The properties of `profile`, with their sources.
    pub fn props(&self, profile: &str) -> Option<&Props> {
        self.profiles.get(profile)
    }

    /// The properties of the `[sso-session name]` section.
    pub fn sso_session_props(&self, name: &str) -> Option<&Props> {
        self.sso_sessions.get(name)
    }

    /// The properties of the `[services name]` section.
    pub fn services_props(&self, name: &str) -> Option<&Props> {
        self.services.get(name)
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
