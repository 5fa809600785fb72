//! What a command needs from the outside world, set up from the global options: the files and profiles, a
//! session (with awl's own transports, `--debug` tracing to stderr, timeouts and the stop flag of signals),
//! and the profile's credentials with the MFA prompt.

use crate::cli::args::Globals;
use crate::cli::terminal::{mfa_prompt, warn};
use crate::config::env::{self, Env, LoadedFile};
use crate::config::profiles::Profiles;
use crate::config::resolve::Flags;
use crate::error::Result;
use crate::identity::Credentials;
use crate::interrupt::Interrupt;
use crate::session::{Session, SessionOptions, Transports};
use crate::transport::trace::TraceSink;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// What every command runs with: the global options and the run's interruption.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub(crate) globals: &'a Globals,
    pub(crate) interrupt: &'a Arc<Interrupt>,
}

/// The service a command talks to: `--endpoint-url` goes to that service only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Service {
    S3,
    Sts,
}

/// The environment, the two files (their warnings printed on stderr) and the merged profiles.
pub(crate) struct Loaded {
    pub(crate) env: Env,
    pub(crate) config: LoadedFile,
    pub(crate) credentials: LoadedFile,
    pub(crate) profiles: Profiles,
}

pub(crate) fn load() -> Result<Loaded> {
    let env = Env::from_process();
    let (config, credentials) = env::load_files(&env)?;
    warn(&env::file_warnings(&config, &credentials));
    let profiles = Profiles::from_files(&config, &credentials);
    Ok(Loaded {
        env,
        config,
        credentials,
        profiles,
    })
}

pub(crate) fn flags(globals: &Globals) -> Flags<'_> {
    Flags {
        profile: globals.profile.as_deref(),
        region: globals.region.as_deref(),
        endpoint_url: globals.endpoint_url.as_deref(),
    }
}

/// `--debug` lines on stderr, a whole block at a time.
fn stderr_trace() -> TraceSink {
    Arc::new(|text: &str| {
        // A closed stderr is no reason to fail the command.
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    })
}

/// Opens a session for a command of `service` (signals armed: from here on the first one ends awl cleanly),
/// runs `f` with it, and then says once, whatever the outcome, if awl corrected for a clock that is off.
pub(crate) fn with_session<T>(
    ctx: &Ctx<'_>,
    service: Service,
    f: impl FnOnce(&mut Session) -> Result<T>,
) -> Result<T> {
    with_session_sized(ctx, service, None, f)
}

/// [`with_session`] for a command that keeps `concurrency` requests in flight: its connections are kept
/// for reuse between requests.
pub(crate) fn with_session_sized<T>(
    ctx: &Ctx<'_>,
    service: Service,
    concurrency: Option<usize>,
    f: impl FnOnce(&mut Session) -> Result<T>,
) -> Result<T> {
    let globals = ctx.globals;
    ctx.interrupt.arm()?;
    let mut fl = flags(globals);
    if service != Service::S3 {
        fl.endpoint_url = None;
    }
    let seconds = |s: Option<u64>| {
        s.map(|s| {
            if s == 0 {
                Duration::from_secs(86_400 * 365)
            } else {
                Duration::from_secs(s)
            }
        })
    };
    let options = SessionOptions {
        trace: globals.debug.then(stderr_trace),
        interrupt: Some(ctx.interrupt.clone()),
        connect_timeout: seconds(globals.connect_timeout),
        read_timeout: seconds(globals.read_timeout),
        concurrency,
    };
    let mut session = Session::open(Env::from_process(), &fl, &options, &Transports::ureq)?;
    warn(&session.warnings);
    let result = f(&mut session);
    if let Some(notice) = session.skew().take_notice() {
        warn(&[notice]);
    }
    result
}

/// The profile's credentials, with MFA as the command line allows.
pub(crate) fn session_credentials(session: &mut Session, ctx: &Ctx<'_>) -> Result<Credentials> {
    let mut given = ctx.globals.mfa_code.clone();
    let before = session.warnings.len();
    let result = session.credentials(
        &mut |serial| mfa_prompt(&mut given, serial, ctx.interrupt),
        SystemTime::now(),
    );
    warn(&session.warnings[before..]);
    result
}
