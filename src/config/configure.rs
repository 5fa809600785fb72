//! `awl configure list` (every setting of a profile and where it came from) and `awl configure` (set keys,
//! region and output, as `aws configure` does). Pure: the listing is rendered from a resolved profile; the
//! interactive command gets its answers through a prompt function and returns the new file texts.

use crate::codec::ini::{self, FileKind};
use crate::codec::json::{self, Value};
use crate::config::chain::{Base, Chain, NamedSource, RoleHop};
use crate::config::env::LoadedFile;
use crate::config::profiles::{Setting, Source};
use crate::config::resolve::{AddressingStyle, Resolved, StsEndpoints};
use crate::error::{Error, ProfileProblem, Result};
use crate::secret::Secret;

/// One line of the listing: a name (indented for the parts of the chain), a value and its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Nesting: 0 for settings, 1 and 2 for the chain's parts.
    pub depth: usize,
    /// What it is.
    pub name: String,
    /// The value (secrets masked).
    pub value: String,
    /// Where it came from (empty for a heading).
    pub source: String,
}

/// An access key id with all but its last 4 characters hidden, as the AWS CLI shows it.
pub fn mask(key_id: &str) -> String {
    let tail: String = key_id
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("****************{tail}")
}

fn row(depth: usize, name: &str, value: impl Into<String>, source: impl ToString) -> Row {
    Row {
        depth,
        name: name.to_owned(),
        value: value.into(),
        source: source.to_string(),
    }
}

/// A row of a URL setting: its user information (a password) never shown.
fn url_row(depth: usize, name: &str, s: Option<&Setting>, unset: &str) -> Row {
    match s {
        Some(s) => row(depth, name, crate::codec::redact::url(&s.value), &s.source),
        None => row(depth, name, unset, Source::Default),
    }
}

fn opt_row(depth: usize, name: &str, s: Option<&Setting>, unset: &str) -> Row {
    match s {
        Some(s) => row(depth, name, s.value.clone(), &s.source),
        None => row(depth, name, unset, Source::Default),
    }
}

/// The rows of a key pair: the id masked, the secret and token only as "set", each with its source.
fn key_rows(rows: &mut Vec<Row>, id: &Setting, secret: &Setting<Secret>, token: Option<&Setting<Secret>>) {
    rows.push(row(1, "access_key", mask(&id.value), &id.source));
    rows.push(row(1, "secret_key", "set", &secret.source));
    if let Some(t) = token {
        rows.push(row(1, "session_token", "set", &t.source));
    }
}

/// The rows of `awl configure list` for a resolved profile.
pub fn list_rows(r: &Resolved, config: &LoadedFile, credentials: &LoadedFile) -> Vec<Row> {
    let mut rows = vec![row(0, "profile", r.profile.value.clone(), &r.profile.source)];
    if !r.profile_exists {
        rows[0].value.push_str(" (not in the files)");
    }
    match &r.chain {
        Err(e) => rows.push(row(
            0,
            "credentials",
            match e.profile_problem() {
                Some(ProfileProblem::NotFound) => "<not set>".to_owned(),
                Some(ProfileProblem::NoCredentials) => format!("<not set>: {}", e.message()),
                _ => format!("ERROR: {}", e.message()),
            },
            "",
        )),
        Ok(chain) => chain_rows(&mut rows, chain),
    }
    setting_rows(&mut rows, r);
    for f in [config, credentials] {
        let state = if f.exists {
            "read"
        } else {
            "missing (read as empty)"
        };
        rows.push(row(0, "file", format!("{} ({state})", f.display), ""));
    }
    rows
}

/// The chain's rows: what it is, its base, then each role.
fn chain_rows(rows: &mut Vec<Row>, chain: &Chain) {
    let what = match chain.hops.len() {
        0 if matches!(chain.base, Base::Sso { .. }) => "an IAM Identity Center (SSO) role".to_owned(),
        0 => "keys".to_owned(),
        1 => "a role, assumed with the keys below".to_owned(),
        n => format!("{n} roles, assumed in turn with the keys below"),
    };
    rows.push(row(0, "credentials", what, ""));
    base_rows(rows, &chain.base);
    for (i, hop) in chain.hops.iter().enumerate() {
        hop_rows(rows, i + 1, hop);
    }
}

fn base_rows(rows: &mut Vec<Row>, base: &Base) {
    match base {
        Base::EnvKeys {
            access_key_id,
            secret_access_key,
            session_token,
        } => key_rows(rows, access_key_id, secret_access_key, session_token.as_ref()),
        Base::StaticKeys {
            profile,
            access_key_id,
            secret_access_key,
            session_token,
        } => {
            rows.push(row(1, "keys of profile", profile.clone(), ""));
            key_rows(rows, access_key_id, secret_access_key, session_token.as_ref());
        }
        Base::Named { source, setting, .. } => {
            let what = match source {
                NamedSource::Environment => "the environment's keys",
                NamedSource::Ec2InstanceMetadata => "the EC2 instance's role (instance metadata)",
                NamedSource::EcsContainer => "the container's role",
            };
            rows.push(row(1, "credential_source", what, &setting.source));
        }
        Base::Fallback { source } => {
            let what = match source {
                NamedSource::EcsContainer => "the container's role (AWS_CONTAINER_CREDENTIALS_*)",
                _ => "the EC2 instance's role (instance metadata)",
            };
            rows.push(row(1, "from", what, Source::Default));
        }
        Base::WebIdentity {
            role_arn, token_file, ..
        } => {
            rows.push(row(
                1,
                "web identity role",
                role_arn.value.clone(),
                &role_arn.source,
            ));
            rows.push(row(1, "token file", token_file.value.clone(), &token_file.source));
        }
        Base::Sso {
            profile,
            session,
            start_url,
            region,
            account_id,
            role_name,
            scopes,
        } => {
            rows.push(row(1, "SSO role of profile", profile.clone(), ""));
            for (name, s) in [
                ("sso_session", session.as_ref()),
                ("sso_start_url", Some(start_url)),
                ("sso_region", Some(region)),
                ("sso_account_id", Some(account_id)),
                ("sso_role_name", Some(role_name)),
                ("sso_registration_scopes", scopes.as_ref()),
            ] {
                if let Some(s) = s {
                    rows.push(row(2, name, s.value.clone(), &s.source));
                }
            }
        }
        Base::Process { command, .. } => {
            rows.push(row(
                1,
                "credential_process",
                command.value.clone(),
                &command.source,
            ));
        }
    }
}

fn hop_rows(rows: &mut Vec<Row>, n: usize, hop: &RoleHop) {
    rows.push(row(
        1,
        &format!("role {n}"),
        hop.role_arn.value.clone(),
        &hop.role_arn.source,
    ));
    rows.push(row(2, "of profile", hop.profile.clone(), ""));
    if let Some(sp) = &hop.source_profile {
        rows.push(row(2, "assumed from", sp.value.clone(), &sp.source));
    }
    rows.push(opt_row(
        2,
        "mfa_serial",
        hop.mfa_serial.as_ref(),
        "<none: no MFA code asked>",
    ));
    rows.push(opt_row(
        2,
        "role_session_name",
        hop.role_session_name.as_ref(),
        "awl-session-<unix time>",
    ));
    match &hop.duration_seconds {
        Some(d) => rows.push(row(2, "duration_seconds", d.value.to_string(), &d.source)),
        None => rows.push(row(2, "duration_seconds", "3600 (STS default)", Source::Default)),
    }
    if let Some(x) = &hop.external_id {
        rows.push(row(2, "external_id", x.value.clone(), &x.source));
    }
}

/// The settings' rows: region, endpoints, CA bundle, addressing, STS endpoints, output.
fn setting_rows(rows: &mut Vec<Row>, r: &Resolved) {
    rows.push(opt_row(0, "region", r.region.as_ref(), "<not set>"));
    rows.push(url_row(
        0,
        "endpoint_url (s3)",
        r.s3_endpoint.as_ref(),
        "<AWS endpoint for the region>",
    ));
    rows.push(url_row(
        0,
        "endpoint_url (sts)",
        r.sts_endpoint.as_ref(),
        "<AWS endpoint for the region>",
    ));
    // The SSO endpoints where the chain logs in with SSO or they are set.
    let sso = matches!(&r.chain, Ok(c) if matches!(c.base, Base::Sso { .. }));
    for (name, s) in [
        ("endpoint_url (sso)", &r.sso_endpoint),
        ("endpoint_url (sso_oidc)", &r.sso_oidc_endpoint),
    ] {
        if sso || s.is_some() {
            rows.push(url_row(0, name, s.as_ref(), "<AWS endpoint for the sso_region>"));
        }
    }
    rows.push(opt_row(0, "ca_bundle", r.ca_bundle.as_ref(), "<built-in roots>"));
    let style = match r.addressing_style.value {
        AddressingStyle::Auto => "auto",
        AddressingStyle::Virtual => "virtual",
        AddressingStyle::Path => "path",
    };
    rows.push(row(0, "s3 addressing_style", style, &r.addressing_style.source));
    let sts = match r.sts_endpoints.value {
        StsEndpoints::Regional => "regional",
        StsEndpoints::Legacy => "legacy",
    };
    rows.push(row(0, "sts_regional_endpoints", sts, &r.sts_endpoints.source));
    rows.push(opt_row(0, "output", r.output.as_ref(), "<not set>"));
}

/// The listing as aligned text columns: NAME, VALUE, SOURCE.
pub fn render_text(rows: &[Row]) -> String {
    let name_of = |r: &Row| format!("{}{}", "  ".repeat(r.depth), r.name);
    let w_name = rows
        .iter()
        .map(|r| name_of(r).chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let w_value = rows
        .iter()
        .map(|r| r.value.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let mut out = format!("{:<w_name$}  {:<w_value$}  SOURCE\n", "NAME", "VALUE");
    for r in rows {
        let line = format!("{:<w_name$}  {:<w_value$}  {}", name_of(r), r.value, r.source);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The listing as JSON: a list of `{"name", "value", "source"}` with `depth` for the chain's parts.
pub fn render_json(rows: &[Row]) -> String {
    let list = rows
        .iter()
        .map(|r| {
            Value::object([
                ("name", Value::string(r.name.clone())),
                ("depth", Value::Number(r.depth.to_string())),
                ("value", Value::string(r.value.clone())),
                ("source", Value::string(r.source.clone())),
            ])
        })
        .collect();
    let mut out = json::to_string(&Value::Array(list), json::Style::Pretty);
    out.push('\n');
    out
}

/// What `awl configure` asks, in order: label, current value shown masked or as is, whether it is secret.
#[derive(Debug)]
pub struct Question {
    /// The prompt text, e.g. `AWS Access Key ID`.
    pub label: &'static str,
    /// The current value as shown in brackets.
    pub shown: String,
    /// Whether the answer must not be echoed.
    pub secret: bool,
}

/// The answers of `awl configure` for one profile: the settings to write in each file, in the order asked.
/// They are applied to each file as it is when awl writes it ([`apply`](Self::apply)), not as it was when the
/// questions began, so that what other writers did meanwhile stays.
pub struct Changes {
    profile: String,
    config: Vec<(&'static str, String)>,
    credentials: Vec<(&'static str, String)>,
}

impl std::fmt::Debug for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The credentials file's values are secret keys: the names only.
        let names = |v: &[(&'static str, String)]| v.iter().map(|(k, _)| *k).collect::<Vec<_>>();
        f.debug_struct("Changes")
            .field("profile", &self.profile)
            .field("config", &names(&self.config))
            .field("credentials", &names(&self.credentials))
            .finish()
    }
}

impl Changes {
    fn settings(&self, kind: FileKind) -> &[(&'static str, String)] {
        match kind {
            FileKind::Config => &self.config,
            FileKind::Credentials => &self.credentials,
        }
    }

    /// Whether anything is to be set in the file of `kind`.
    pub fn touches(&self, kind: FileKind) -> bool {
        !self.settings(kind).is_empty()
    }

    /// The file of `kind` (`display`: its name in errors) with these settings applied to `text`, the file as
    /// it is now; `None` when nothing is to be set in it.
    pub fn apply(&self, kind: FileKind, text: &str, display: &str) -> Result<Option<String>> {
        let settings = self.settings(kind);
        if settings.is_empty() {
            return Ok(None);
        }
        let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
        set_settings(text, kind, &self.profile, &pairs, display).map(Some)
    }
}

/// `text` (the file `display` of `kind`, as it is now) with `settings` set in `profile`, every other line
/// kept: the one edit that every writer of the AWS files makes, on the text read under the file's lock
/// ([`crate::fs::edit_locked`]). A file that no longer parses is refused, naming its line, and so is a value
/// that would not read back as given.
pub fn set_settings(
    text: &str,
    kind: FileKind,
    profile: &str,
    settings: &[(&str, &str)],
    display: &str,
) -> Result<String> {
    // Changed since it was read at start, by hand or by another program: written back only if it still reads.
    ini::parse(text, kind).map_err(|e| e.in_file(display.to_owned()))?;
    let mut text = text.to_owned();
    for (key, value) in settings {
        text = ini::set_property(&text, kind, profile, key, value);
        reads_back(&text, kind, profile, key, value, key)?;
    }
    Ok(text)
}

/// Runs the questions of `aws configure` for `profile` and returns its answers; `config` and `credentials`
/// (the files as read at start) give the current values shown. An empty answer keeps the current value.
/// `ask` gets each question and returns the answer.
pub fn interactive(
    profile: &str,
    config: &LoadedFile,
    credentials: &LoadedFile,
    ask: &mut dyn FnMut(&Question) -> Result<String>,
) -> Result<Changes> {
    // A name the files cannot hold would be written under a header no reader parses back.
    if !ini::valid_identifier(profile) {
        return Err(Error::usage(format!(
            "profile name {:?} cannot be written: a profile name has only letters, digits and _-/.%@:+",
            crate::codec::redact::sanitize(profile, 60)
        ))
        .with_hint("choose a name such as dev or prod-eu"));
    }
    let current = |f: &LoadedFile, key: &str| -> Option<String> {
        f.ini
            .profile(profile)
            .and_then(|p| p.get(key))
            .map(|p| p.value.clone())
    };
    let shown_secret = |v: Option<String>| v.map_or("None".to_owned(), |v| mask(&v));
    let questions = [
        (
            "AWS Access Key ID",
            shown_secret(current(credentials, "aws_access_key_id")),
            false,
            FileKind::Credentials,
            "aws_access_key_id",
        ),
        (
            "AWS Secret Access Key",
            shown_secret(current(credentials, "aws_secret_access_key")),
            true,
            FileKind::Credentials,
            "aws_secret_access_key",
        ),
        (
            "Default region name",
            current(config, "region").unwrap_or_else(|| "None".into()),
            false,
            FileKind::Config,
            "region",
        ),
        (
            "Default output format",
            current(config, "output").unwrap_or_else(|| "None".into()),
            false,
            FileKind::Config,
            "output",
        ),
    ];
    let mut changes = Changes {
        profile: profile.to_owned(),
        config: Vec::new(),
        credentials: Vec::new(),
    };
    for (label, shown, secret, kind, key) in questions {
        let answer = ask(&Question { label, shown, secret })?;
        let answer = answer.trim();
        if answer.is_empty() {
            continue;
        }
        // Checked now, on the text read at start, so that a value that cannot be written stops the questions
        // at once; checked again on the file as it is at the time of writing.
        let start_text = match kind {
            FileKind::Config => &config.text,
            FileKind::Credentials => &credentials.text,
        };
        let text = ini::set_property(start_text, kind, profile, key, answer);
        reads_back(&text, kind, profile, key, answer, label)?;
        let slot = match kind {
            FileKind::Config => &mut changes.config,
            FileKind::Credentials => &mut changes.credentials,
        };
        slot.push((key, answer.to_owned()));
    }
    Ok(changes)
}

/// Checks that `text` gives `key = answer` in `profile` when read (a value with ` #` or ` ;` would lose its
/// end to a comment).
fn reads_back(text: &str, kind: FileKind, profile: &str, key: &str, answer: &str, label: &str) -> Result<()> {
    let read = ini::parse(text, kind).ok().and_then(|f| {
        f.profile(profile)
            .and_then(|p| p.get(key))
            .map(|p| p.value.clone())
    });
    if read.as_deref() == Some(answer) {
        return Ok(());
    }
    Err(Error::usage(format!(
        "the answer to '{label}' cannot be written so that it reads back the same; nothing was written"
    ))
    .with_hint("a value cannot hold ' #' or ' ;' (they start a comment)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> LoadedFile {
        LoadedFile {
            path: "/nowhere".into(),
            display: "~/.aws/x".into(),
            exists: false,
            text: String::new(),
            ini: ini::IniFile::default(),
        }
    }

    #[test]
    fn only_what_reads_back_is_written() {
        let (c, k) = (empty(), empty());
        for bad in ["test ;x", "a\n[default]", "a b", ""] {
            let e = interactive(bad, &c, &k, &mut |_| Ok("x".into())).expect_err(bad);
            assert_eq!(e.exit_code(), 252, "{bad:?}");
        }
        let e = interactive("dev", &c, &k, &mut |q| {
            Ok(if q.label == "Default region name" {
                "eu-west-1 #x".into()
            } else {
                String::new()
            })
        })
        .expect_err("a comment in a value");
        assert!(e.message().contains("reads back"), "{e}");
        let ok = interactive("dev", &c, &k, &mut |q| {
            Ok(if q.label == "Default region name" {
                "eu-west-1".into()
            } else {
                String::new()
            })
        })
        .expect("writes");
        assert!(!ok.touches(FileKind::Credentials));
        assert_eq!(
            ok.apply(FileKind::Config, "", "config").ok().flatten().as_deref(),
            Some("[profile dev]\nregion = eu-west-1\n")
        );
        assert_eq!(
            ok.apply(FileKind::Credentials, "[x]\n", "credentials").ok(),
            Some(None)
        );
    }

    #[test]
    fn answers_apply_to_the_file_as_it_is_at_write_time() {
        let (c, k) = (empty(), empty());
        let answers = interactive("dev", &c, &k, &mut |q| {
            Ok(match q.label {
                "AWS Access Key ID" => "AKIADEV".into(),
                "Default region name" => "eu-west-1".into(),
                _ => String::new(),
            })
        })
        .expect("answers");
        assert!(!format!("{answers:?}").contains("AKIADEV"), "{answers:?}");
        // Written meanwhile by someone else: another profile, and a setting of dev that was not asked about.
        let now = "[profile other]\nregion = sa-east-1\n\n[profile dev]\noutput = text\n";
        assert_eq!(
            answers
                .apply(FileKind::Config, now, "config")
                .ok()
                .flatten()
                .as_deref(),
            Some("[profile other]\nregion = sa-east-1\n\n[profile dev]\noutput = text\nregion = eu-west-1\n")
        );
        assert_eq!(
            answers
                .apply(FileKind::Credentials, "[a]\nx = 1\n", "credentials")
                .ok()
                .flatten()
                .as_deref(),
            Some("[a]\nx = 1\n\n[dev]\naws_access_key_id = AKIADEV\n")
        );
        // A file broken meanwhile is not written over: its line is named.
        let e = answers
            .apply(FileKind::Config, "[profile x\n", "~/.aws/config")
            .expect_err("broken");
        assert!(e.to_string().contains("~/.aws/config:1"), "{e}");
    }

    #[test]
    fn masks_all_but_the_last_four() {
        assert_eq!(mask("AKIAIOSFODNN7EXAMPLE"), "****************MPLE");
        assert_eq!(mask("ab"), "****************ab");
    }

    #[test]
    fn text_columns_line_up() {
        let rows = vec![
            row(0, "profile", "p2", "--profile"),
            row(1, "access_key", "****x", ""),
        ];
        assert_eq!(
            render_text(&rows),
            "NAME          VALUE  SOURCE\nprofile       p2     --profile\n  access_key  ****x\n"
        );
    }
}
