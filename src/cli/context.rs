//! What a command needs from the outside world, set up from the global options: the files and profiles, a
//! session (with awl's own transports, `--debug` tracing to stderr, timeouts and the stop flag of signals),
//! and the profile's credentials with the MFA prompt.

use crate::cli::args::Globals;
use crate::cli::terminal::{mfa_prompt, warn};
use crate::config::env::{self, Env, LoadedFile};
use crate::config::profiles::Profiles;
use crate::config::resolve::Flags;
use crate::error::{Error, ErrorKind, Result};
use crate::identity::Credentials;
use crate::session::{Session, SessionOptions, Transports};
use crate::transport::trace::TraceSink;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, SystemTime};

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

/// SIGINT and SIGTERM set a flag instead of killing awl, so that a transfer can clean up.
pub(crate) fn stop_on_signals() -> Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, flag.clone())
            .map_err(|e| Error::new(ErrorKind::Other, "cannot handle signals").with_source(e))?;
    }
    Ok(flag)
}

/// Opens a session for a command of `service`, with transfers stopped by `stop`, runs `f` with it, and then
/// says once, whatever the outcome, if awl corrected for a clock that is off.
pub(crate) fn with_session<T>(
    globals: &Globals,
    service: Service,
    stop: Option<Arc<AtomicBool>>,
    f: impl FnOnce(&mut Session) -> Result<T>,
) -> Result<T> {
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
        stop,
        connect_timeout: seconds(globals.connect_timeout),
        read_timeout: seconds(globals.read_timeout),
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
pub(crate) fn session_credentials(session: &mut Session, globals: &Globals) -> Result<Credentials> {
    let mut given = globals.mfa_code.clone();
    let before = session.warnings.len();
    let result = session.credentials(&mut |serial| mfa_prompt(&mut given, serial), SystemTime::now());
    warn(&session.warnings[before..]);
    result
}
