//! When a signal cuts the run short: the stop flag that transfers watch, a registry of what to undo
//! (temporary files to remove, actions such as aborting a multipart upload or restoring the terminal), and the
//! thread that, on the first SIGINT, SIGTERM, SIGHUP or SIGQUIT, undoes them and ends the process with
//! 128 + the signal's number, wherever the rest of awl is blocked (a socket read, a prompt, a back-off).
//!
//! Owned by `main` and passed down (no static holds any of it); the thread starts on the first [`arm`], so
//! commands that never need it (`--version`, `--help`) pay nothing. `awl exec` replaces awl with its program,
//! so signals reach the program directly.
//!
//! [`arm`]: Interrupt::arm

use crate::error::{Error, ErrorKind, Result};
use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Something to do when the run is cut short (abort an upload, restore the terminal).
pub type Action = Box<dyn FnOnce() + Send>;

/// How long the undoing may take before the process ends anyway (a stalled server must not hold it).
const DEADLINE: Duration = Duration::from_millis(800);

/// The signals that end awl: name, number.
const SIGNALS: &[(&str, i32)] = &[
    ("INT", SIGINT),
    ("TERM", SIGTERM),
    ("HUP", SIGHUP),
    ("QUIT", SIGQUIT),
];

#[derive(Default)]
struct State {
    /// Set once the undoing has begun: nothing new is registered after it.
    closed: bool,
    next: u64,
    files: Vec<(u64, PathBuf)>,
    actions: Vec<(u64, Action)>,
}

/// The run's interruption: stop flag, registry, and the thread that acts on signals.
pub struct Interrupt {
    stop: Arc<AtomicBool>,
    state: Mutex<State>,
    /// The signal that cut the run short, once one has; with `done` when the undoing is over.
    signalled: Mutex<Option<i32>>,
    done: Condvar,
    armed: OnceLock<()>,
}

impl std::fmt::Debug for Interrupt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interrupt")
            .field("stopped", &self.stopped())
            .finish_non_exhaustive()
    }
}

/// A registered file or action; dropping it takes it off the registry (the write completed, the upload
/// finished).
#[derive(Debug)]
pub struct Registration {
    interrupt: Arc<Interrupt>,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut s = self.interrupt.lock();
        s.files.retain(|(id, _)| *id != self.id);
        s.actions.retain(|(id, _)| *id != self.id);
    }
}

impl Registration {
    /// Replaces the registered action (an abort request signed again, say).
    pub fn replace(&self, action: Action) {
        let mut s = self.interrupt.lock();
        if let Some(slot) = s.actions.iter_mut().find(|(id, _)| *id == self.id) {
            slot.1 = action;
        }
    }
}

impl Interrupt {
    /// A new interruption: not stopped, nothing registered, no thread yet.
    pub fn new() -> Arc<Self> {
        Arc::new(Interrupt {
            stop: Arc::new(AtomicBool::new(false)),
            state: Mutex::new(State::default()),
            signalled: Mutex::new(None),
            done: Condvar::new(),
            armed: OnceLock::new(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The flag that transfers watch: set when a signal came.
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    /// Whether a signal asked the run to stop.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Starts the thread that acts on signals, once; later calls do nothing.
    pub fn arm(self: &Arc<Self>) -> Result<()> {
        if self.armed.get().is_some() {
            return Ok(());
        }
        let numbers: Vec<i32> = SIGNALS.iter().map(|(_, n)| *n).collect();
        let mut signals = signal_hook::iterator::Signals::new(&numbers)
            .map_err(|e| Error::new(ErrorKind::Other, "cannot handle signals").with_source(e))?;
        let this = self.clone();
        std::thread::Builder::new()
            .name("awl-signals".into())
            .spawn(move || {
                // The first signal ends the process; `forever` only ends if the handle is closed.
                if let Some(sig) = signals.forever().next() {
                    this.cut_short(sig);
                    std::process::exit(128 + sig);
                }
            })
            .map_err(|e| Error::new(ErrorKind::Other, "cannot handle signals").with_source(e))?;
        let _ = self.armed.set(());
        Ok(())
    }

    fn register(self: &Arc<Self>, add: impl FnOnce(&mut State, u64)) -> Option<Registration> {
        let mut s = self.lock();
        if s.closed {
            return None;
        }
        let id = s.next;
        s.next += 1;
        add(&mut s, id);
        Some(Registration {
            interrupt: self.clone(),
            id,
        })
    }

    /// Registers a file to remove if the run is cut short; `None` when that has already begun (the caller
    /// must not create the file then).
    pub fn register_file(self: &Arc<Self>, path: PathBuf) -> Option<Registration> {
        self.register(|s, id| s.files.push((id, path)))
    }

    /// Registers an action to run if the run is cut short; `None` when that has already begun.
    pub fn register_action(self: &Arc<Self>, action: Action) -> Option<Registration> {
        self.register(|s, id| s.actions.push((id, action)))
    }

    /// The first signal: undo what is registered, and say so on stderr.
    fn cut_short(&self, sig: i32) {
        self.undo();
        let name = SIGNALS.iter().find(|(_, n)| *n == sig).map_or("TERM", |(n, _)| n);
        let _ = writeln!(std::io::stderr(), "awl: error: interrupted by SIG{name}");
        *self.signalled.lock().unwrap_or_else(|p| p.into_inner()) = Some(sig);
        self.done.notify_all();
    }

    /// Stops transfers, removes the temporary files and runs the registered actions (each in its own thread,
    /// all within the deadline); nothing is registered afterwards. What a signal does; a library user that
    /// handles signals itself calls it when one comes.
    pub fn undo(&self) {
        self.stop.store(true, Ordering::Relaxed);
        let (files, actions) = {
            let mut s = self.lock();
            s.closed = true;
            (std::mem::take(&mut s.files), std::mem::take(&mut s.actions))
        };
        for (_, path) in &files {
            let _ = std::fs::remove_file(path);
        }
        let start = Instant::now();
        let running: Vec<_> = actions
            .into_iter()
            .filter_map(|(_, a)| std::thread::Builder::new().spawn(a).ok())
            .collect();
        for t in running {
            while !t.is_finished() && start.elapsed() < DEADLINE {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }

    /// Waits until the undoing of a signal is over (the signal thread then ends the process), at most twice
    /// the deadline, and returns the exit code it ends with; `None` if no signal came meanwhile. For an
    /// interruption that the rest of awl saw first (a prompt's Ctrl-C, say) or a stop already under way.
    pub fn exit_code_after_signal(&self) -> Option<u8> {
        let mut sig = self.signalled.lock().unwrap_or_else(|p| p.into_inner());
        let start = Instant::now();
        while sig.is_none() && start.elapsed() < DEADLINE * 2 {
            sig = self
                .done
                .wait_timeout(sig, DEADLINE)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        sig.map(|s| u8::try_from(128 + s).unwrap_or(255))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrations_come_off_when_dropped_and_none_after_the_undoing() {
        let i = Interrupt::new();
        let a = i.register_file(PathBuf::from("/tmp/a")).expect("open");
        let b = i.register_action(Box::new(|| {})).expect("open");
        let counts = |i: &Interrupt| {
            let s = i.lock();
            (s.files.len(), s.actions.len())
        };
        assert_eq!(counts(&i), (1, 1));
        drop(a);
        drop(b);
        assert_eq!(counts(&i), (0, 0));
        let ran = Arc::new(AtomicBool::new(false));
        let flag = ran.clone();
        let _c = i.register_action(Box::new(move || flag.store(true, Ordering::SeqCst)));
        i.cut_short(SIGTERM);
        assert!(ran.load(Ordering::SeqCst) && i.stopped());
        assert!(i.register_file(PathBuf::from("/tmp/late")).is_none(), "closed");
        assert_eq!(i.exit_code_after_signal(), Some(143));
    }

    #[test]
    fn a_stalled_action_does_not_hold_the_exit() {
        let i = Interrupt::new();
        let _r = i.register_action(Box::new(|| std::thread::sleep(Duration::from_secs(30))));
        let start = Instant::now();
        i.cut_short(SIGINT);
        assert!(start.elapsed() < DEADLINE + Duration::from_millis(200));
    }
}
