//! `awl sso login` and `awl sso logout`, with the AWS CLI v2's semantics (`awscli/customizations/sso`).
//!
//! Login finds the profile's `[sso-session NAME]` (or the legacy `sso_start_url` and `sso_region` on the
//! profile), registers an SSO-OIDC client (or reuses the cached registration), signs the person in, and
//! writes the token where the AWS CLI v2 keeps it. Legacy profiles, and `--use-device-code`, use the device
//! flow: a URL and a code printed for a person to confirm on any device, CreateToken polled at the server's
//! interval. Session profiles use the authorization-code flow with PKCE by default: a URL to open in a
//! browser on this machine, which redirects to a listener on 127.0.0.1. A browser is opened only where one
//! exists and `--no-browser` is not given. Messages go to stdout, word for word as the AWS CLI v2 prints them.
//!
//! Logout calls the portal's Logout for every cached token that names its region, then removes every file of
//! `~/.aws/sso/cache` that holds an `accessToken` and every file of `~/.aws/cli/cache` whose `ProviderType` is
//! `sso`; it prints nothing.

mod loopback;
mod registration;

use crate::cli::args::Args;
use crate::cli::context::{Ctx, Service, with_session};
use crate::cli::terminal::{print_out, warn};
use crate::codec::json::{self, Value};
use crate::codec::time::unix_seconds;
use crate::config::env::Env;
use crate::config::profiles::Profiles;
use crate::config::resolve::valid_region;
use crate::error::{Error, ErrorKind, ProfileProblem, Result};
use crate::fs;
use crate::interrupt::Interrupt;
use crate::providers::sso::{SsoToken, token_file_name, write_token};
use crate::secret::Secret;
use crate::session::Session;
use crate::sso::{
    DEFAULT_SCOPE, Grant, RegisterRequest, Registration, SsoClient, TokenAnswer, authorize_url, base64url,
    code_challenge,
};
use loopback::{Callback, Listener};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// An `awl sso` command.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SsoCommand {
    /// `login`.
    Login {
        /// `--sso-session`: this session instead of the profile's.
        sso_session: Option<String>,
        /// `--use-device-code`.
        use_device_code: bool,
        /// `--no-browser`.
        no_browser: bool,
    },
    /// `logout`.
    Logout,
}

impl SsoCommand {
    /// `awl sso login`.
    pub(crate) fn login(args: &Args) -> Result<Self> {
        args.no_positionals()?;
        Ok(SsoCommand::Login {
            sso_session: args.value("--sso-session").map(str::to_owned),
            use_device_code: args.flag("--use-device-code"),
            no_browser: args.flag("--no-browser"),
        })
    }

    /// `awl sso logout`.
    pub(crate) fn logout(args: &Args) -> Result<Self> {
        args.no_positionals()?;
        Ok(SsoCommand::Logout)
    }
}

/// What login signs in to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SsoConfig {
    /// `sso_start_url`.
    pub(crate) start_url: String,
    /// `sso_region`.
    pub(crate) region: String,
    /// The sso-session's name (`None`: the legacy form).
    pub(crate) session_name: Option<String>,
    /// `sso_registration_scopes`, split at commas (`None` when not set).
    pub(crate) scopes: Option<Vec<String>>,
}

/// The SSO settings login uses: the sso-session `sso_session` (given, else the profile's), or the
/// profile's own `sso_start_url` and `sso_region`. Errors (exit 253) name what is missing and where.
pub(crate) fn sso_config(profiles: &Profiles, profile: &str, sso_session: Option<&str>) -> Result<SsoConfig> {
    let bad = |m: String, hint: &str| Error::profile(ProfileProblem::InvalidSetting, m).with_hint(hint);
    let named = profiles.get(profile, "sso_session");
    let session = sso_session.or(named.map(|s| s.value.as_str()));
    let (props, what) = match session {
        Some(name) => {
            let props = profiles.sso_session_props(name).ok_or_else(|| {
                let by = named
                    .filter(|_| sso_session.is_none())
                    .map(|s| format!(", named by profile '{profile}' ({})", s.source))
                    .unwrap_or_default();
                bad(
                    format!("sso-session '{name}' does not exist{by}"),
                    &format!("add an [sso-session {name}] section with sso_start_url and sso_region to ~/.aws/config"),
                )
            })?;
            (props, format!("[sso-session {name}]"))
        }
        None => (
            profiles.props(profile).ok_or_else(|| {
                bad(
                    format!("profile '{profile}' has no SSO settings"),
                    "give a profile with sso_session (or sso_start_url and sso_region) with --profile, or an \
                     sso-session with --sso-session",
                )
            })?,
            format!("profile '{profile}'"),
        ),
    };
    let get = |k: &str| {
        props
            .get(k)
            .map(|s| s.value.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let (start_url, region) = match (get("sso_start_url"), get("sso_region")) {
        (Some(u), Some(r)) => (u, r),
        (u, r) => {
            let missing = match (u.is_none(), r.is_none()) {
                (true, true) => "sso_start_url and sso_region",
                (true, false) => "sso_start_url",
                _ => "sso_region",
            };
            return Err(bad(
                format!("{what} lacks the SSO settings {missing}"),
                "an SSO profile names an [sso-session NAME] with sso_session (or sets sso_start_url and sso_region \
                 itself); 'aws configure sso' writes them",
            ));
        }
    };
    if !valid_region(&region) {
        return Err(bad(
            format!(
                "{what}: sso_region {:?} is not a region name",
                crate::codec::redact::sanitize(&region, 80)
            ),
            "a region is letters, digits and '-', such as eu-west-1",
        ));
    }
    Ok(SsoConfig {
        start_url,
        region,
        session_name: session.map(str::to_owned),
        // Present but empty is `[]` (the AWS CLI v2's parse), which names another registration than absent.
        scopes: session.and(props.get("sso_registration_scopes")).map(|raw| {
            raw.value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        }),
    })
}

/// Runs an `awl sso` command.
pub(crate) fn run(ctx: &Ctx<'_>, command: &SsoCommand) -> Result<()> {
    // Not S3: `--endpoint-url` is not for SSO (the AWS CLI v2 does not use it there either).
    with_session(ctx, Service::Sts, |session| match command {
        SsoCommand::Login {
            sso_session,
            use_device_code,
            no_browser,
        } => {
            let cfg = sso_config(
                &session.profiles,
                &session.resolved.profile.value,
                sso_session.as_deref(),
            )?;
            login(ctx, session, &cfg, *use_device_code, *no_browser)
        }
        SsoCommand::Logout => logout(session),
    })
}

/// A folder of `~/.aws` as the session finds it (`Session::sso_token_dir`, `Session::cache_dir`), or the error
/// that there is no home folder.
fn home_folder(dir: Option<PathBuf>) -> Result<PathBuf> {
    dir.ok_or_else(|| Error::config("HOME is not set: awl cannot find ~/.aws").with_hint("set HOME"))
}

/// `awl sso login` for `cfg`: the flow signs the person in, the token is written, success is said.
fn login(ctx: &Ctx<'_>, session: &Session, cfg: &SsoConfig, device: bool, no_browser: bool) -> Result<()> {
    let dir = home_folder(session.sso_token_dir())?;
    let client = session.sso(&cfg.region)?;
    let browser = if no_browser {
        None
    } else {
        find_browser(&session.env)
    };
    let how = Prompt { browser, no_browser };
    // The authorization-code flow for sessions, unless asked otherwise; the device flow for legacy profiles.
    let listener = (cfg.session_name.is_some() && !device)
        .then(Listener::bind)
        .transpose()?;
    let redirect = listener.as_ref().map(|_| "http://127.0.0.1/oauth/callback");
    let reg = registration(&client, &dir, cfg, redirect)?;
    let answer = match &listener {
        Some(l) => auth_code_flow(ctx.interrupt, &client, l, &reg, cfg, &how)?,
        None => device_flow(ctx.interrupt, &client, &reg, cfg, &how)?,
    };
    let expires_at = SystemTime::now()
        .checked_add(Duration::from_secs(answer.expires_in))
        .ok_or_else(|| Error::data("the CreateToken answer has an expiresIn out of range"))?;
    let token = SsoToken {
        access_token: answer.access_token,
        expires_at,
        refresh_token: answer.refresh_token,
        client_id: Some(reg.client_id),
        client_secret: Some(reg.client_secret),
        registration_expires_at: Some(reg.expires_at),
        region: Some(cfg.region.clone()),
        start_url: Some(cfg.start_url.clone()),
    };
    let name = token_file_name(cfg.session_name.as_deref(), &cfg.start_url);
    write_token(&dir, &name, &token)?;
    print_out(&format!(
        "Successfully logged into Start URL: {}\n",
        cfg.start_url
    ))
}

/// The cached client registration for this start URL, region, scopes, session and flow, else a new one
/// (written to the cache). `redirect_uri`: an authorization-code client's.
fn registration(
    client: &SsoClient<'_>,
    dir: &Path,
    cfg: &SsoConfig,
    redirect_uri: Option<&str>,
) -> Result<Registration> {
    let now = SystemTime::now();
    let name = registration::file_name(
        &cfg.start_url,
        &cfg.region,
        cfg.scopes.as_deref(),
        cfg.session_name.as_deref(),
    );
    if let Some(r) = registration::load(dir, &name, redirect_uri.is_some(), now) {
        return Ok(r);
    }
    let client_name = format!(
        "botocore-client-{}",
        cfg.session_name
            .clone()
            .unwrap_or_else(|| unix_seconds(now).to_string())
    );
    let mut scopes = cfg.scopes.clone().unwrap_or_default();
    if scopes.is_empty() && redirect_uri.is_some() {
        scopes.push(DEFAULT_SCOPE.to_owned());
    }
    let reg = client.register_client(&RegisterRequest {
        client_name: &client_name,
        scopes: &scopes,
        auth_code: redirect_uri.map(|r| (r, cfg.start_url.as_str())),
    })?;
    let text = registration::contents(&reg, &scopes, redirect_uri.is_some());
    registration::store(dir, &name, &text)?;
    Ok(reg)
}

/// How the person is asked: a browser to open, or none (`--no-browser` said so, or none was found).
#[derive(Debug)]
struct Prompt {
    browser: Option<PathBuf>,
    no_browser: bool,
}

impl Prompt {
    /// Prints what the AWS CLI v2's `OpenBrowserHandler` (with a browser) or `PrintOnlyHandler` prints, and
    /// opens `complete` in the browser. The device flow has a `code`; the authorization-code flow none.
    fn show(&self, uri: &str, complete: &str, code: Option<&str>) -> Result<()> {
        let text = match (&self.browser, code) {
            (Some(_), Some(code)) => format!(
                "Attempting to open your default browser.\nIf the browser does not open or you wish to use a \
                 different device to authorize this request, open the following URL:\n\n{uri}\n\nThen enter the \
                 code:\n\n{code}\n"
            ),
            (Some(_), None) => format!(
                "Attempting to open your default browser. If the browser does not open, open the following \
                 URL.\nIf you are unable to open the URL on this device, run this command again with the \
                 '--use-device-code' option.\n\n{uri}\n\n"
            ),
            (None, code) => {
                let mut t = format!(
                    "Browser will not be automatically opened.\nPlease visit the following URL:\n\n{uri}\n"
                );
                if let Some(code) = code {
                    t.push_str(&format!(
                        "\nThen enter the code:\n\n{code}\n\nAlternatively, you may visit the following URL which \
                         will autofill the code upon loading:\n{complete}\n"
                    ));
                } else if !self.no_browser {
                    // awl found no browser here: say what the AWS CLI v2 says when it could not open one.
                    t.push_str(
                        "\nIf you are unable to open the URL on this device, run this command again with the \
                         '--use-device-code' option.\n",
                    );
                }
                t
            }
        };
        print_out(&text)?;
        if let Some(b) = &self.browser
            && openable(complete)
        {
            open_browser(b, complete);
        }
        Ok(())
    }
}

/// A program that opens a URL in the desktop's browser: `open` on macOS; elsewhere `xdg-open`, and only in a
/// graphical session (`DISPLAY` or `WAYLAND_DISPLAY`). None on a headless machine: nothing is tried there
/// (a console browser would take over the terminal).
fn find_browser(env: &Env) -> Option<PathBuf> {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else {
        let set = |v: &str| env.get(v).is_some_and(|s| !s.is_empty());
        if !set("DISPLAY") && !set("WAYLAND_DISPLAY") {
            return None;
        }
        "xdg-open"
    };
    env.get("PATH")?
        .split(':')
        .filter(|d| !d.is_empty())
        .map(|d| Path::new(d).join(program))
        .find(|p| p.is_file())
}

/// Whether a URL from the server may be handed to the desktop's opener: `https://`, or `http://` to this machine
/// (a local test server); never another scheme (`file:`, a program's handler) or something an opener would take
/// for an option.
fn openable(url: &str) -> bool {
    url.starts_with("https://")
        || [
            "http://127.0.0.1:",
            "http://127.0.0.1/",
            "http://localhost:",
            "http://localhost/",
        ]
        .iter()
        .any(|p| url.starts_with(p))
}

/// Starts the browser on `url` (a failure only means the person opens it), reaped in the background.
fn open_browser(program: &Path, url: &str) {
    use std::process::{Command, Stdio};
    if let Ok(mut child) = Command::new(program)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        std::thread::spawn(move || child.wait());
    }
}

/// `n` bytes from the kernel's random source (PKCE's verifier and the state must not be guessable).
fn random(n: usize) -> Result<Vec<u8>> {
    let mut b = vec![0u8; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .map_err(|e| {
            Error::io(
                ErrorKind::Other,
                "cannot read /dev/urandom for the sign-in's one-time values",
                e,
            )
        })?;
    Ok(b)
}

fn expired() -> Error {
    Error::new(
        ErrorKind::Other,
        "the pending authorization to retrieve an SSO token has expired",
    )
    .with_hint("the code was not confirmed in time: run 'awl sso login' again")
}

/// Sleeps `d`, in steps that a signal cuts short; an error if `deadline` comes first.
fn pause(d: Duration, deadline: Instant, interrupt: &Interrupt) -> Result<()> {
    let until = Instant::now() + d;
    if until > deadline {
        return Err(expired());
    }
    while let Some(left) = until
        .checked_duration_since(Instant::now())
        .filter(|l| !l.is_zero())
    {
        if interrupt.stopped() {
            return Err(Error::interrupted("interrupted while waiting for the sign-in"));
        }
        std::thread::sleep(left.min(Duration::from_millis(100)));
    }
    Ok(())
}

/// The device flow: StartDeviceAuthorization, one CreateToken at once (a client may be authorized already),
/// then the URL and code printed and CreateToken polled at the server's interval (`authorization_pending`:
/// again; `slow_down`: 5 seconds more between polls; `expired_token`: the end), within the code's lifetime.
fn device_flow(
    interrupt: &Interrupt,
    client: &SsoClient<'_>,
    reg: &Registration,
    cfg: &SsoConfig,
    how: &Prompt,
) -> Result<TokenAnswer> {
    let auth = client.start_device_authorization(reg, &cfg.start_url)?;
    let deadline = Instant::now() + Duration::from_secs(auth.expires_in.min(3600));
    let mut interval = Duration::from_secs(auth.interval.clamp(1, 60));
    let mut shown = false;
    loop {
        let got = client.create_token(
            &reg.client_id,
            &reg.client_secret,
            Grant::DeviceCode(&auth.device_code),
            &[],
        );
        match got {
            Ok(t) => return Ok(t),
            Err(e) => match e.service_code() {
                Some("authorization_pending" | "AuthorizationPendingException") => {}
                Some("slow_down" | "SlowDownException") => interval += Duration::from_secs(5),
                Some("expired_token" | "ExpiredTokenException") => {
                    return Err(e.with_hint("the code was not confirmed in time: run 'awl sso login' again"));
                }
                _ => return Err(e),
            },
        }
        if !shown {
            how.show(
                &auth.verification_uri,
                &auth.verification_uri_complete,
                Some(&auth.user_code),
            )?;
            shown = true;
        }
        pause(interval, deadline, interrupt)?;
    }
}

/// The authorization-code flow with PKCE: the URL printed (and opened), the redirect's code checked against
/// the state sent, and CreateToken with the verifier.
fn auth_code_flow(
    interrupt: &Interrupt,
    client: &SsoClient<'_>,
    listener: &Listener,
    reg: &Registration,
    cfg: &SsoConfig,
    how: &Prompt,
) -> Result<TokenAnswer> {
    // 64 characters of [A-Za-z0-9-_], as the AWS CLI v2's verifier.
    let verifier = Secret::new(base64url(&random(48)?));
    let state = hex::encode(random(16)?);
    let redirect_uri = listener.redirect_uri();
    let url = authorize_url(
        &client.endpoints().oidc,
        &reg.client_id,
        &redirect_uri,
        &state,
        &code_challenge(verifier.expose()),
        cfg.scopes.as_deref().unwrap_or_default(),
    )?;
    how.show(&url, &url, None)?;
    // Only a redirect with this state counts (others are refused and the wait goes on).
    let code = match listener.wait(&state, Instant::now() + loopback::OVERALL, interrupt)? {
        Callback::Refused(error) => {
            return Err(Error::new(
                ErrorKind::Other,
                format!("the sign-in page gave no authorization code: it answered error '{error}'"),
            )
            .with_hint("run 'awl sso login' again"));
        }
        Callback::Code(code) => code,
    };
    let grant = Grant::AuthorizationCode {
        code: &code,
        redirect_uri: &redirect_uri,
        code_verifier: &verifier,
    };
    client.create_token(&reg.client_id, &reg.client_secret, grant, &[])
}

/// The JSON files of `dir` (every regular file that parses), as the AWS CLI v2's sweepers read them.
fn json_files(dir: &Path) -> Vec<(PathBuf, Value)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let bytes = fs::read_regular(&p, 1 << 20, fs::Links::Refuse).ok()?;
            let doc = json::parse(std::str::from_utf8(&bytes).ok()?).ok()?;
            Some((p, doc))
        })
        .collect()
}

fn remove(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(
            ErrorKind::Other,
            format!("cannot remove {}", path.display()),
            e,
        )),
        _ => Ok(()),
    }
}

/// `awl sso logout`.
fn logout(session: &Session) -> Result<()> {
    for (path, doc) in json_files(&home_folder(session.sso_token_dir())?) {
        let Some(token) = doc.as_object().and_then(|_| doc.get("accessToken")) else {
            continue;
        };
        let region = doc
            .get("region")
            .and_then(Value::as_str)
            .filter(|r| valid_region(r));
        if let (Some(region), Some(token)) = (region, token.as_str()) {
            // A token the portal no longer knows is no reason to stop (as the AWS CLI v2); anything else, a
            // bad endpoint setting included, is said, and the sweep goes on.
            let logout = session.sso(region).and_then(|c| c.logout(&Secret::new(token)));
            match logout {
                Err(e) if e.kind() != ErrorKind::Service => {
                    warn(&[format!(
                        "the portal's Logout failed: {e}; the cached token is removed anyway"
                    )]);
                }
                _ => {}
            }
        }
        remove(&path)?;
    }
    for (path, doc) in json_files(&home_folder(session.cache_dir())?) {
        if doc.get("ProviderType").and_then(Value::as_str) == Some("sso") {
            remove(&path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::ini::{FileKind, parse};

    fn profiles(config: &str) -> Profiles {
        let c = parse(config, FileKind::Config).expect("config");
        let k = parse("", FileKind::Credentials).expect("credentials");
        Profiles::merge((&c, "~/.aws/config"), (&k, "~/.aws/credentials"))
    }

    #[test]
    fn sso_settings_from_a_session_or_the_legacy_profile() {
        let p = profiles(
            "[profile dev]\nsso_session = corp\nsso_account_id = 1\n\
             [sso-session corp]\nsso_start_url = https://d-1.awsapps.com/start\n\
             sso_region = eu-west-1\nsso_registration_scopes = sso:account:access , ,codewhisperer:x\n\
             [profile old]\nsso_start_url = https://old/start\nsso_region = us-east-1\n[profile none]\nregion = x\n\
             [profile ghost]\nsso_session = nope\n[sso-session half]\nsso_start_url = https://h\n\
             [sso-session empty]\nsso_start_url = https://e\nsso_region = eu-west-1\nsso_registration_scopes =\n",
        );
        // Set but empty: no scopes, which the AWS CLI v2 keys apart from none set.
        assert_eq!(
            sso_config(&p, "old", Some("empty")).expect("empty").scopes,
            Some(vec![])
        );
        let dev = sso_config(&p, "dev", None).expect("dev");
        assert_eq!(
            dev,
            SsoConfig {
                start_url: "https://d-1.awsapps.com/start".into(),
                region: "eu-west-1".into(),
                session_name: Some("corp".into()),
                scopes: Some(vec!["sso:account:access".into(), "codewhisperer:x".into()]),
            }
        );
        let old = sso_config(&p, "old", None).expect("old");
        assert_eq!(
            (old.session_name, old.scopes, old.region.as_str()),
            (None, None, "us-east-1")
        );
        // --sso-session wins over the profile.
        assert_eq!(
            sso_config(&p, "old", Some("corp"))
                .expect("corp")
                .session_name
                .as_deref(),
            Some("corp")
        );
        for (profile, session, needle) in [
            (
                "none",
                None,
                "profile 'none' lacks the SSO settings sso_start_url and sso_region",
            ),
            (
                "ghost",
                None,
                "sso-session 'nope' does not exist, named by profile 'ghost' (~/.aws/config:",
            ),
            ("missing", None, "profile 'missing' has no SSO settings"),
            (
                "dev",
                Some("half"),
                "[sso-session half] lacks the SSO settings sso_region",
            ),
        ] {
            let e = sso_config(&p, profile, session).expect_err(needle);
            assert_eq!(e.exit_code(), 253, "{needle}");
            assert!(e.message().contains(needle), "{}", e.message());
            assert!(e.hint().is_some());
        }
        let bad = profiles("[default]\nsso_start_url = https://s\nsso_region = evil.host#\n");
        assert!(sso_config(&bad, "default", None).is_err());
    }

    #[test]
    fn a_browser_only_in_a_graphical_session() {
        let dir = std::env::temp_dir().join(format!("awl-sso-browser-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("xdg-open"), "").expect("fake xdg-open");
        let path = dir.display().to_string();
        let headless = Env::from_pairs([("PATH", path.as_str())]);
        if !cfg!(target_os = "macos") {
            assert_eq!(find_browser(&headless), None);
            let desktop = Env::from_pairs([("PATH", path.as_str()), ("DISPLAY", ":0")]);
            assert_eq!(find_browser(&desktop), Some(dir.join("xdg-open")));
            let no_opener = Env::from_pairs([("PATH", "/nonexistent"), ("WAYLAND_DISPLAY", "w")]);
            assert_eq!(find_browser(&no_opener), None);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn only_web_urls_go_to_the_opener() {
        for ok in [
            "https://device.sso.eu-west-1.amazonaws.com/?user_code=A",
            "http://127.0.0.1:8080/authorize",
        ] {
            assert!(openable(ok), "{ok}");
        }
        for bad in [
            "file:///etc/passwd",
            "-x https://a",
            "http://evil.example/",
            "javascript:alert(1)",
            "",
        ] {
            assert!(!openable(bad), "{bad}");
        }
    }

    #[test]
    fn pauses_end_at_the_deadline_or_a_signal() {
        let i = Interrupt::new();
        let now = Instant::now();
        assert!(pause(Duration::from_millis(10), now + Duration::from_secs(5), &i).is_ok());
        let e = pause(Duration::from_secs(10), now + Duration::from_secs(1), &i).expect_err("expired");
        assert!(e.message().contains("expired"));
        i.undo();
        let e = pause(
            Duration::from_secs(1),
            Instant::now() + Duration::from_secs(5),
            &i,
        )
        .expect_err("stopped");
        assert_eq!(e.exit_code(), 130);
    }
}
