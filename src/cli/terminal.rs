//! The terminal: standard output (a closed pipe is not an error), warnings on stderr, the MFA prompt, and the
//! progress line of transfers. Only the command line talks to the terminal.

use crate::codec::json::{self, Value};
use crate::error::{Error, ErrorKind, Result};
use crate::interrupt::Interrupt;
use crate::secret::Secret;
use std::fs::{File, OpenOptions};
use std::io::{self, IsTerminal, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Set once standard output turned out closed: whoever reads it has stopped.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes to stdout; a closed pipe (`awl ... | head`) is not an error, but is remembered
/// ([`stdout_closed`]) so that a listing stops asking for pages nobody will read.
pub(crate) fn print_out(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(Error::new(ErrorKind::Other, "cannot write to standard output").with_source(e)),
        Ok(()) => Ok(()),
    }
}

/// Whether a write found standard output closed.
pub(crate) fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Writes a JSON document to stdout, pretty, with a final newline.
pub(crate) fn json_out(v: &Value) -> Result<()> {
    print_out(&format!("{}\n", json::to_string(v, json::Style::Pretty)))
}

/// Prints warnings on stderr, one line each.
pub(crate) fn warn(warnings: &[String]) {
    let mut err = io::stderr().lock();
    for w in warnings {
        // A closed stderr is no reason to fail the command.
        let _ = writeln!(err, "awl: warning: {w}");
    }
}

/// The terminal's settings as `stty -g` prints them, to put back after a prompt that a signal cut short.
fn terminal_state() -> Option<String> {
    let tty = File::open("/dev/tty").ok()?;
    let out = Command::new("stty")
        .arg("-g")
        .stdin(tty)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let state = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !state.is_empty()).then_some(state)
}

/// Puts the terminal's settings back (echo on) and ends the prompt's line.
fn restore_terminal(state: &str) {
    if let Ok(tty) = File::open("/dev/tty") {
        let _ = Command::new("stty")
            .arg(state)
            .stdin(tty)
            .stderr(Stdio::null())
            .status();
    }
    if let Ok(mut tty) = OpenOptions::new().write(true).open("/dev/tty") {
        let _ = tty.write_all(b"\n");
    }
}

/// Reads a secret on the terminal without echo. Should a signal come meanwhile, its thread restores the
/// terminal: rpassword does so only when it returns, which a signal prevents. `None` at the end of input
/// (Ctrl-D).
pub(crate) fn prompt_secret(prompt: &str, interrupt: &Arc<Interrupt>) -> Result<Option<String>> {
    interrupt.arm()?;
    let _restore = terminal_state()
        .and_then(|state| interrupt.register_action(Box::new(move || restore_terminal(&state))));
    match rpassword::prompt_password(prompt) {
        Ok(answer) => Ok(Some(answer)),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            // The line Ctrl-D left open.
            let _ = writeln!(io::stderr());
            Ok(None)
        }
        // Ctrl-C: rpassword has sent awl SIGINT, whose thread restores the terminal and ends the run.
        Err(e) if e.kind() == io::ErrorKind::Interrupted => {
            Err(Error::interrupted("the prompt was interrupted").with_source(e))
        }
        Err(e) => Err(Error::new(ErrorKind::Other, "cannot read from the terminal").with_source(e)),
    }
}

/// Gets the MFA code for a device: `--mfa-code` once, else a prompt without echo when stdin is a terminal,
/// else an error (never a hang waiting for input that cannot come).
pub(crate) fn mfa_prompt(
    given: &mut Option<Secret>,
    serial: &str,
    interrupt: &Arc<Interrupt>,
) -> Result<Secret> {
    if let Some(code) = given.take() {
        return Ok(code);
    }
    let needed = |why: &str| {
        Error::config(format!("an MFA code is needed for {serial}, and {why}"))
            .with_hint("pass --mfa-code CODE, or run awl in a terminal")
    };
    if !io::stdin().is_terminal() {
        return Err(needed("there is no terminal to ask on"));
    }
    match prompt_secret(&format!("Enter MFA code for {serial}: "), interrupt)? {
        Some(code) => Ok(Secret::new(code.trim())),
        None => Err(needed("none was typed (end of input)")),
    }
}

/// Progress on stderr, when it is a terminal and not `--quiet`: done/total, rate, time left.
pub(crate) struct Progress {
    enabled: bool,
    /// The size, when known (uploads; a download learns it only from the answer).
    total: Option<u64>,
    start: Instant,
    last: Mutex<Option<Instant>>,
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

impl Progress {
    /// A progress line for `total` bytes (when known), off when `quiet` or stderr is not a terminal.
    pub(crate) fn new(total: Option<u64>, quiet: bool) -> Self {
        Progress {
            enabled: !quiet && io::stderr().is_terminal(),
            total,
            start: Instant::now(),
            last: Mutex::new(None),
        }
    }

    /// Shows `done` bytes, at most every 100 ms.
    pub(crate) fn update(&self, done: u64) {
        if !self.enabled {
            return;
        }
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let finished = self.total.is_some_and(|t| done >= t);
        if last.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) && !finished {
            return;
        }
        *last = Some(Instant::now());
        let secs = self.start.elapsed().as_secs_f64().max(0.001);
        let rate = done as f64 / secs;
        let line = match self.total {
            Some(total) => {
                let eta = if rate > 0.0 {
                    total.saturating_sub(done) as f64 / rate
                } else {
                    0.0
                };
                format!(
                    "Completed {} of {} ({}/s), {eta:.0} s left",
                    mib(done),
                    mib(total),
                    mib(rate as u64)
                )
            }
            None => format!("Completed {} ({}/s)", mib(done), mib(rate as u64)),
        };
        let _ = write!(io::stderr(), "\r{line}   ");
    }

    /// Clears the line.
    pub(crate) fn finish(&self) {
        if self.enabled {
            let _ = write!(io::stderr(), "\r{:70}\r", "");
        }
    }
}
