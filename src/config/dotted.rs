//! The AWS CLI's setting names for `configure get` and `configure set` (awscli `customizations/configure/get.py`
//! and `set.py`): `region` (the current profile), `profile.NAME.region`, `default.region`, `NAME.region` for a
//! profile that exists, and a sub-setting `s3.addressing_style` (of the current or a named profile); the
//! credentials file's three keys go there, everything else to the config file. Pure: the files' texts in,
//! values or new texts out.

use crate::codec::ini::{self, FileKind, IniFile, sub_properties};
use crate::config::profiles::Profiles;
use crate::error::{Error, Result};

/// The keys `configure set` writes to the credentials file, as the AWS CLI does.
const CREDENTIAL_KEYS: &[&str] = &["aws_access_key_id", "aws_secret_access_key", "aws_session_token"];

/// Sections that are not profiles, which the AWS CLI reads as `preview.NAME`; awl keeps none of them.
const PREDEFINED_SECTIONS: &[&str] = &["preview", "plugins"];

/// What a setting name names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// A value.
    Value(String),
    /// A block of sub-settings (`s3`), which `configure get` does not print.
    Section,
    /// Nothing.
    Missing,
}

/// Where a name points: a profile, a key in it, and a sub-key of that key's block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The profile.
    pub profile: String,
    /// The key (lower case, as the files are read).
    pub key: String,
    /// The sub-key, for `s3.addressing_style`.
    pub sub: Option<String>,
}

impl Target {
    /// The file `configure set` writes it to.
    pub fn file(&self) -> FileKind {
        if self.sub.is_none() && CREDENTIAL_KEYS.contains(&self.key.as_str()) {
            FileKind::Credentials
        } else {
            FileKind::Config
        }
    }
}

/// Where `varname` points for `configure get`, `current` being the selected profile.
fn get_target(profiles: &Profiles, current: &str, varname: &str) -> Option<Target> {
    let parts: Vec<&str> = varname.split('.').collect();
    let (profile, rest) = match parts.as_slice() {
        [_] => (current, &parts[..]),
        ["profile", name, rest @ ..] => (*name, rest),
        [first, rest @ ..] if *first == "default" || profiles.contains(first) => (*first, rest),
        _ => (current, &parts[..]),
    };
    match rest {
        // Names as given: the files' keys are read in lower case, so `Region` is found nowhere, as in botocore.
        [key] => Some(Target {
            profile: profile.to_owned(),
            key: (*key).to_owned(),
            sub: None,
        }),
        [key, sub] => Some(Target {
            profile: profile.to_owned(),
            key: (*key).to_owned(),
            sub: Some((*sub).to_owned()),
        }),
        _ => None,
    }
}

/// What `configure get varname` prints, from both files merged (the credentials file wins per key).
pub fn get(profiles: &Profiles, current: &str, varname: &str) -> Found {
    let Some(t) = get_target(profiles, current, varname) else {
        return Found::Missing;
    };
    let Some(value) = profiles.get(&t.profile, &t.key).map(|s| s.value.as_str()) else {
        return Found::Missing;
    };
    let subs = sub_properties(value);
    match t.sub {
        None if !subs.is_empty() || value.starts_with('\n') => Found::Section,
        None => Found::Value(value.to_owned()),
        Some(sub) => subs
            .into_iter()
            .find(|(k, _)| *k == sub)
            .map_or(Found::Missing, |(_, v)| Found::Value(v)),
    }
}

/// Where `configure set varname` writes, `current` being the selected profile (`default` when none is).
pub fn set_target(current: &str, varname: &str) -> Result<Target> {
    let parts: Vec<&str> = varname.split('.').collect();
    let bad = || {
        Error::usage(format!("'{varname}' names no setting awl can write"))
            .with_hint("write NAME, NAME.SUBNAME, profile.PROFILE.NAME or default.NAME")
    };
    let (profile, rest) = match parts.as_slice() {
        ["default", rest @ ..] if !rest.is_empty() => ("default", rest),
        ["profile", name, rest @ ..] if !rest.is_empty() => (*name, rest),
        // `profile.NAME` names a profile, not a setting in it.
        ["profile", _] => return Err(bad()),
        [first, ..] if PREDEFINED_SECTIONS.contains(first) => {
            return Err(Error::usage(format!(
                "'{varname}' is a setting of the AWS CLI's [{first}] section, which awl does not use"
            )));
        }
        _ => (current, &parts[..]),
    };
    let (key, sub) = match rest {
        [key] => (*key, None),
        [key, sub] => (*key, Some(sub.to_ascii_lowercase())),
        _ => return Err(bad()),
    };
    if !ini::valid_identifier(profile)
        || !ini::valid_identifier(key)
        || sub.as_deref().is_some_and(|s| !ini::valid_identifier(s))
    {
        return Err(bad());
    }
    Ok(Target {
        profile: profile.to_owned(),
        key: key.to_ascii_lowercase(),
        sub,
    })
}

/// `text` (the file `display` of `target.file()`, as it is now) with `value` set at `target`, every other line
/// kept; a sub-setting is merged into its block. A value that would not read back as given is refused.
pub fn set(text: &str, target: &Target, value: &str, display: &str) -> Result<String> {
    let kind = target.file();
    let parsed = ini::parse(text, kind).map_err(|e| e.in_file(display.to_owned()))?;
    let Some(sub) = &target.sub else {
        return crate::config::configure::set_settings(
            text,
            kind,
            &target.profile,
            &[(&target.key, value)],
            display,
        );
    };
    // The block as it is, with this sub-setting replaced or added.
    let mut subs = parsed
        .profile(&target.profile)
        .and_then(|p| p.get(&target.key))
        .map(|p| p.sub_properties())
        .unwrap_or_default();
    match subs.iter_mut().find(|(k, _)| k == sub) {
        Some(existing) => existing.1 = value.to_owned(),
        None => subs.push((sub.clone(), value.to_owned())),
    }
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let block: String = subs.iter().map(|(k, v)| format!("{eol}    {k} = {v}")).collect();
    let out = ini::set_property(text, kind, &target.profile, &target.key, &block);
    let read = ini::parse(&out, kind).ok().and_then(|f| {
        f.profile(&target.profile)
            .and_then(|p| p.get(&target.key))
            .map(|p| p.sub_properties())
    });
    if read.is_some_and(|r| r.iter().any(|(k, v)| k == sub && v == value)) {
        return Ok(out);
    }
    Err(Error::usage(format!(
        "{}.{sub} = {value:?} cannot be written so that it reads back the same; nothing was written",
        target.key
    )))
}

/// The profiles of both files, as `configure list-profiles` prints them: the config file's in their order,
/// then the credentials file's that the config file lacks.
pub fn profile_names(config: &IniFile, credentials: &IniFile) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for s in config.profiles.iter().chain(&credentials.profiles) {
        if !names.contains(&s.name) {
            names.push(s.name.clone());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles(config: &str, credentials: &str) -> (IniFile, IniFile, Profiles) {
        let c = ini::parse(config, FileKind::Config).expect("config");
        let k = ini::parse(credentials, FileKind::Credentials).expect("credentials");
        let p = Profiles::merge((&c, "config"), (&k, "credentials"));
        (c, k, p)
    }

    #[test]
    fn get_reads_names_as_the_aws_cli_does() {
        let (_, _, p) = profiles(
            "[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n[profile x]\nregion = eu-west-1\n",
            "[x]\naws_access_key_id = AKIDX\n",
        );
        let v = |s: &str| Found::Value(s.to_owned());
        assert_eq!(get(&p, "default", "region"), v("us-east-1"));
        assert_eq!(get(&p, "x", "region"), v("eu-west-1"));
        assert_eq!(get(&p, "default", "profile.x.region"), v("eu-west-1"));
        assert_eq!(get(&p, "x", "default.region"), v("us-east-1"));
        assert_eq!(
            get(&p, "default", "x.region"),
            v("eu-west-1"),
            "a profile that exists"
        );
        assert_eq!(
            get(&p, "x", "aws_access_key_id"),
            v("AKIDX"),
            "from the credentials file"
        );
        assert_eq!(get(&p, "default", "s3.addressing_style"), v("path"));
        assert_eq!(get(&p, "default", "s3"), Found::Section);
        assert_eq!(get(&p, "default", "output"), Found::Missing);
        assert_eq!(get(&p, "nope", "region"), Found::Missing);
        assert_eq!(get(&p, "default", "a.b.c.d"), Found::Missing);
        assert_eq!(
            get(&p, "default", "Region"),
            Found::Missing,
            "keys are lower case, as botocore reads them"
        );
    }

    #[test]
    fn set_writes_where_the_aws_cli_writes() {
        let t = |cur: &str, name: &str| set_target(cur, name).map(|t| (t.file(), t.profile, t.key, t.sub));
        assert_eq!(
            t("default", "region").ok(),
            Some((FileKind::Config, "default".into(), "region".into(), None))
        );
        assert_eq!(
            t("x", "region").ok(),
            Some((FileKind::Config, "x".into(), "region".into(), None))
        );
        assert_eq!(
            t("x", "aws_access_key_id").ok(),
            Some((
                FileKind::Credentials,
                "x".into(),
                "aws_access_key_id".into(),
                None
            ))
        );
        assert_eq!(
            t("x", "profile.y.output").ok(),
            Some((FileKind::Config, "y".into(), "output".into(), None))
        );
        assert_eq!(
            t("x", "default.region").ok(),
            Some((FileKind::Config, "default".into(), "region".into(), None))
        );
        assert_eq!(
            t("x", "s3.addressing_style").ok(),
            Some((
                FileKind::Config,
                "x".into(),
                "s3".into(),
                Some("addressing_style".into())
            ))
        );
        assert!(t("x", "preview.cloudfront").is_err());
        assert!(t("x", "a.b.c").is_err());
        assert!(t("x", "profile.bad name.region").is_err());
        assert!(t("x", "profile.x").is_err(), "a profile, not a setting");
    }

    #[test]
    fn a_sub_setting_is_merged_into_its_block() {
        let text = "[default]\nregion = us-east-1\ns3 =\n    max_concurrent_requests = 20\n";
        let t = set_target("default", "s3.addressing_style").expect("target");
        let out = set(text, &t, "path", "config").expect("set");
        assert_eq!(
            out,
            "[default]\nregion = us-east-1\ns3 = \n    max_concurrent_requests = 20\n    addressing_style = path\n"
        );
        let t = set_target("default", "s3.max_concurrent_requests").expect("target");
        let again = set(&out, &t, "5", "config").expect("set");
        assert!(
            again.contains("    max_concurrent_requests = 5\n    addressing_style = path\n"),
            "{again}"
        );
        let plain = set_target("new", "region").expect("target");
        assert_eq!(
            set("", &plain, "eu-west-1", "config").ok().as_deref(),
            Some("[profile new]\nregion = eu-west-1\n")
        );
    }

    #[test]
    fn profiles_are_listed_config_first_then_credentials() {
        let (c, k, _) = profiles("[profile b]\n[default]\n", "[a]\n[b]\n[default]\n");
        assert_eq!(profile_names(&c, &k), ["b", "default", "a"]);
    }
}
