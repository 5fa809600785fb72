//! The only place awl reads the process environment, the two AWS files, and the files they name (a CA bundle,
//! a token file).
//!
//! Everything else gets an [`Env`] snapshot: [`Env::from_process`] in the binary, [`Env::from_pairs`] in tests
//! (no test changes the real environment). File locations follow the AWS SDKs' rules
//! (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/{config,credentials}`), with the platform
//! as an input so that the Windows rules are testable here too.

use crate::codec::ini::{self, FileKind, IniFile};
use crate::error::{Error, Result};
use crate::fs::{self, Links, ReadProblem};
use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// A snapshot of environment variables.
#[derive(Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names only: AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN may be among them.
        f.debug_set().entries(self.vars.keys()).finish()
    }
}

impl Env {
    /// The environment of this process (variables that are not UTF-8 are left out).
    pub fn from_process() -> Self {
        Env {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        }
    }

    /// An environment made of the given pairs, for tests and for child processes.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Self {
        Env {
            vars: pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
        }
    }

    /// The value of `name`; an empty value counts as unset, as the AWS tools treat it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// Whether `name` is set to `true` (any case).
    pub fn is_true(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
}

/// The folder for scratch files (the deletes a big sync holds back): `TMPDIR`, else `/tmp`, as std reads
/// them on Unix; here, since this module is the one reader of the environment.
pub fn temp_dir() -> std::path::PathBuf {
    std::env::temp_dir()
}

/// The operating system whose path rules apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    /// Linux, macOS and the other Unixes.
    Unix,
    /// Windows.
    Windows,
}

impl Platform {
    /// The platform awl was built for.
    pub fn current() -> Self {
        if cfg!(windows) {
            Platform::Windows
        } else {
            Platform::Unix
        }
    }

    fn separator(self) -> char {
        match self {
            Platform::Unix => '/',
            Platform::Windows => '\\',
        }
    }
}

/// The user's home folder: `HOME`; on Windows then `USERPROFILE`, then `HOMEDRIVE` + `HOMEPATH`.
pub fn home_dir(env: &Env, platform: Platform) -> Option<String> {
    if let Some(h) = env.get("HOME") {
        return Some(h.to_owned());
    }
    if platform == Platform::Windows {
        if let Some(p) = env.get("USERPROFILE") {
            return Some(p.to_owned());
        }
        if let (Some(d), Some(p)) = (env.get("HOMEDRIVE"), env.get("HOMEPATH")) {
            return Some(format!("{d}{p}"));
        }
    }
    None
}

/// Replaces a leading `~` (alone or before a separator) with the home folder.
pub fn expand_tilde(path: &str, home: Option<&str>, platform: Platform) -> Result<String> {
    let rest = match path.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with(['/', platform.separator()]) => rest,
        _ => return Ok(path.to_owned()),
    };
    let home = home.ok_or_else(|| {
        Error::config(format!("cannot expand {path:?}: no home folder"))
            .with_hint("set HOME, or give the file's full path")
    })?;
    Ok(format!("{home}{rest}"))
}

/// Where the config and credentials files are, as the AWS tools look for them.
pub fn file_locations(env: &Env, platform: Platform) -> Result<(String, String)> {
    let home = home_dir(env, platform);
    let sep = platform.separator();
    let default = |name: &str| -> Result<String> {
        let home = home.as_deref().ok_or_else(|| {
            Error::config(format!("cannot find ~/.aws/{name}: HOME is not set"))
                .with_hint("set HOME, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE")
        })?;
        Ok(format!("{home}{sep}.aws{sep}{name}"))
    };
    let config = match env.get("AWS_CONFIG_FILE") {
        Some(p) => expand_tilde(p, home.as_deref(), platform)?,
        None => default("config")?,
    };
    let credentials = match env.get("AWS_SHARED_CREDENTIALS_FILE") {
        Some(p) => expand_tilde(p, home.as_deref(), platform)?,
        None => default("credentials")?,
    };
    Ok((config, credentials))
}

/// A path as the user knows it: `~/.aws/config` when it is under the home folder.
pub fn display_path(path: &str, home: Option<&str>) -> String {
    match home.and_then(|h| path.strip_prefix(h.trim_end_matches('/'))) {
        Some(rest) if rest.starts_with('/') => format!("~{rest}"),
        _ => path.to_owned(),
    }
}

/// The largest config file, credentials file or CA bundle read (far beyond any real one).
pub const MAX_FILE: u64 = 16 << 20;
/// The largest token file read (tokens are a few KB).
pub const MAX_TOKEN: u64 = 1 << 20;

/// A file that awl needs, read: a regular file of at most `cap` bytes. `what` names it in errors (`the token
/// file /run/t`); `hint` says what it must be.
fn read_needed(path: &str, cap: u64, what: &str, hint: &str) -> Result<Vec<u8>> {
    fs::read_regular(Path::new(path), cap, Links::Follow).map_err(|p| {
        let e = Error::config(format!("cannot read {what}: {p}")).with_hint(hint);
        match p {
            ReadProblem::Io(io) => e.with_source(io),
            _ => e,
        }
    })
}

/// Reads a token file (`AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`): its text, trimmed.
pub fn read_token_file(path: &str) -> Result<String> {
    let bytes = read_needed(
        path,
        MAX_TOKEN,
        &format!("the token file {path}"),
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE must name a readable file",
    )?;
    Ok(String::from_utf8_lossy(&bytes).trim().to_owned())
}

/// Reads a web identity token file (read again for every call: Kubernetes rotates it), as it is (the AWS
/// CLI keys its cache by the exact contents; send it trimmed). Missing, unreadable or empty: one error naming
/// the file and the setting that named it.
pub fn read_web_identity_token(path: &str, named_by: &str) -> Result<crate::secret::Secret> {
    let what = format!("the web identity token file {path} ({named_by})");
    let bytes = read_needed(
        path,
        MAX_TOKEN,
        &what,
        "it must be a readable file holding the OIDC token",
    )?;
    let token = String::from_utf8_lossy(&bytes).into_owned();
    if token.trim().is_empty() {
        return Err(Error::config(format!("{what} is empty")).with_hint(
            "the token is written there by Kubernetes or the CI system; check that it is mounted",
        ));
    }
    Ok(crate::secret::Secret::new(token))
}

/// One of the two files, read and parsed.
#[derive(Clone)]
pub struct LoadedFile {
    /// The path it was read from.
    pub path: PathBuf,
    /// The path as shown to the user (`~/.aws/config`).
    pub display: String,
    /// Whether the file exists (a missing file reads as empty).
    pub exists: bool,
    /// The text as read (empty when missing), for edits that keep every line.
    pub text: String,
    /// The parsed contents.
    pub ini: IniFile,
}

impl fmt::Debug for LoadedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not the text: the credentials file holds secret keys (the parsed properties redact them).
        f.debug_struct("LoadedFile")
            .field("path", &self.path)
            .field("exists", &self.exists)
            .field("ini", &self.ini)
            .finish_non_exhaustive()
    }
}

/// Reads and parses one file; a missing file is empty, an unreadable or malformed one an error naming it.
pub fn load_file(path: &str, display: String, kind: FileKind) -> Result<LoadedFile> {
    let text = match fs::read_regular(Path::new(path), MAX_FILE, Links::Follow) {
        Ok(bytes) => Some(String::from_utf8(bytes).map_err(|e| {
            Error::config(format!(
                "{display}: not UTF-8 text (byte {})",
                e.utf8_error().valid_up_to()
            ))
            .with_hint("the AWS files are UTF-8 text; save it as UTF-8")
        })?),
        Err(ReadProblem::Missing) => None,
        // `AWS_CONFIG_FILE=/dev/null`, the usual way to cut a job off from the files: empty, as the AWS CLI
        // reads it. Any other special file is still refused.
        Err(ReadProblem::NullDevice) => Some(String::new()),
        Err(ReadProblem::Io(e)) => {
            let hint = if e.kind() == io::ErrorKind::PermissionDenied {
                "check the file's owner and mode (ls -l); it should be readable by you"
            } else {
                "check that the path names a readable file"
            };
            return Err(Error::config(format!("{display}: cannot read: {e}"))
                .with_hint(hint)
                .with_source(e));
        }
        Err(p) => {
            return Err(Error::config(format!("{display}: cannot read: {p}"))
                .with_hint("AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE must name regular files"));
        }
    };
    let exists = text.is_some();
    let text = text.unwrap_or_default();
    let ini = ini::parse(&text, kind).map_err(|e| e.in_file(display.clone()))?;
    Ok(LoadedFile {
        path: PathBuf::from(path),
        display,
        exists,
        text,
        ini,
    })
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

/// Reads a CA bundle (`AWS_CA_BUNDLE`, `ca_bundle`): its bytes, for the transport to parse.
pub fn read_ca_bundle(path: &str) -> Result<Vec<u8>> {
    read_needed(
        path,
        MAX_FILE,
        &format!("the CA bundle {path}"),
        "AWS_CA_BUNDLE / ca_bundle must name a readable PEM file",
    )
}

/// Both files, from where the environment says they are.
pub fn load_files(env: &Env) -> Result<(LoadedFile, LoadedFile)> {
    let platform = Platform::current();
    let (config, credentials) = file_locations(env, platform)?;
    let home = home_dir(env, platform);
    let config = load_file(&config, display_path(&config, home.as_deref()), FileKind::Config)?;
    let credentials = load_file(
        &credentials,
        display_path(&credentials, home.as_deref()),
        FileKind::Credentials,
    )?;
    Ok((config, credentials))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_count_as_unset() {
        let env = Env::from_pairs([("AWS_PROFILE", ""), ("AWS_REGION", "eu-west-1"), ("X", "TRUE")]);
        assert_eq!(env.get("AWS_PROFILE"), None);
        assert_eq!(env.get("AWS_REGION"), Some("eu-west-1"));
        assert!(env.is_true("X") && !env.is_true("AWS_REGION"));
    }

    #[test]
    fn debug_shows_names_not_values() {
        let env = Env::from_pairs([("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI")]);
        assert_eq!(format!("{env:?}"), "{\"AWS_SECRET_ACCESS_KEY\"}");
    }

    #[test]
    fn tilde_and_display_paths() {
        assert_eq!(
            expand_tilde("~/x", Some("/home/u"), Platform::Unix).ok(),
            Some("/home/u/x".into())
        );
        assert_eq!(
            expand_tilde("~", Some("/home/u"), Platform::Unix).ok(),
            Some("/home/u".into())
        );
        assert_eq!(
            expand_tilde("~user/x", Some("/home/u"), Platform::Unix).ok(),
            Some("~user/x".into())
        );
        assert!(expand_tilde("~/x", None, Platform::Unix).is_err());
        assert_eq!(
            display_path("/home/u/.aws/config", Some("/home/u")),
            "~/.aws/config"
        );
        assert_eq!(
            display_path("/home/u2/.aws/config", Some("/home/u")),
            "/home/u2/.aws/config"
        );
        assert_eq!(display_path("/etc/aws", None), "/etc/aws");
    }
}
