//! The progress line of the recursive commands (`sync`, `cp`/`mv`/`rm --recursive`, `rb --force`): files and
//! bytes done of those known, the rate and, once the listing has ended, the time left, in the AWS CLI's words
//! (`awscli/customizations/s3/results.py`): `Completed 1.2 GiB/~3.4 GiB (45.5 MiB/s) with ~1204 file(s)
//! remaining (calculating...)`, then `Completed 2.0 GiB/3.4 GiB (51.2 MiB/s) with 604 file(s) remaining,
//! 28s left`. Drawn in place on stderr when it is a terminal; the AWS CLI writes it into stdout, piped or not,
//! and awl keeps stdout and logs to the lines of the objects.

use crate::cli::s3::ls::human_size;
use crate::interrupt::{Interrupt, Registration};
use crate::s3::sync::run::Event;
use std::io::{self, IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a run has done of what it knows of so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    /// Files (and keys) done or failed.
    pub(crate) files_done: u64,
    /// Files planned.
    pub(crate) files_known: u64,
    /// Bytes done (a failed file's counted whole, as the AWS CLI counts them).
    pub(crate) bytes_done: u64,
    /// Bytes planned.
    pub(crate) bytes_known: u64,
    /// Planning ended: the totals known are all there are.
    pub(crate) planned: bool,
}

impl Totals {
    /// Whether work is left, or may come: the AWS CLI shows its line until neither.
    fn remaining(&self) -> bool {
        !self.planned || self.files_done < self.files_known
    }

    /// The line, `elapsed` after the first file was planned: the AWS CLI's, with `~` on the totals and
    /// `(calculating...)` while the listing goes on, only files when no bytes are planned (`rm`), and awl's
    /// time left once the totals are final (from the bytes, else from the files, at the rate so far).
    pub(crate) fn line(&self, elapsed: Duration) -> String {
        let about = if self.planned { "" } else { "~" };
        let files_left = self.files_known.saturating_sub(self.files_done);
        let secs = elapsed.as_secs_f64();
        let per_sec = |n: u64| if secs > 0.0 { n as f64 / secs } else { 0.0 };
        let (mut line, left, rate) = if self.bytes_known > 0 {
            let rate = per_sec(self.bytes_done);
            let line = format!(
                "Completed {}/{about}{} ({}/s) with {about}{files_left} file(s) remaining",
                human_size(self.bytes_done),
                human_size(self.bytes_known),
                human_size(rate as u64),
            );
            (line, self.bytes_known.saturating_sub(self.bytes_done), rate)
        } else {
            let line = format!(
                "Completed {} file(s) with {about}{files_left} file(s) remaining",
                self.files_done
            );
            (line, files_left, per_sec(self.files_done))
        };
        if !self.planned {
            line.push_str(" (calculating...)");
        } else if rate > 0.0 {
            line.push_str(&format!(
                ", {} left",
                time_left((left as f64 / rate).ceil() as u64)
            ));
        }
        line
    }
}

/// Seconds as `42s`, `3m05s`, `2h07m`.
fn time_left(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m{s:02}s"),
        _ => format!("{h}h{m:02}m"),
    }
}

/// The line's state: the totals, when the run started, and what is on the screen.
#[derive(Debug, Default)]
struct Screen {
    totals: Totals,
    /// When the first file was planned; nothing is drawn before (a single `rm` plans none).
    start: Option<Instant>,
    /// The length of the line on the screen (0: none), to blank it.
    drawn: usize,
    last_drawn: Option<Instant>,
    /// A signal came: the line is blanked for good, so that the error line says what happened alone.
    ended: bool,
}

impl Screen {
    fn count(&mut self, e: &Event<'_>) {
        let t = &mut self.totals;
        match e {
            Event::Queued(job) => {
                t.files_known += 1;
                t.bytes_known = t.bytes_known.saturating_add(job.size.unwrap_or(0));
                self.start.get_or_insert_with(Instant::now);
            }
            Event::Planned => t.planned = true,
            Event::Bytes(n) => t.bytes_done = t.bytes_done.saturating_add(*n),
            Event::Done(_) | Event::Failed(..) | Event::NotCompared(..) => t.files_done += 1,
            // Deletions not done will not be: no longer counted as to come.
            Event::Withheld(n, _) => t.files_known = t.files_known.saturating_sub(*n as u64),
            // A file found unchanged will not be copied: no longer counted as to come.
            Event::Compared(job, found) if !found.copy => {
                t.files_known = t.files_known.saturating_sub(1);
                t.bytes_known = t.bytes_known.saturating_sub(job.size.unwrap_or(0));
            }
            Event::Compared(..) => {}
            Event::Skipped(..) => {}
        }
    }

    /// Blanks the line; the cursor is left at its start (where `\r` left it).
    fn clear(&mut self, err: &mut impl Write) {
        if self.drawn > 0 {
            let _ = write!(err, "{:1$}\r", "", self.drawn);
            self.drawn = 0;
        }
    }

    /// Draws the line over the one on the screen, or blanks it once nothing is left.
    fn draw(&mut self, err: &mut impl Write, now: Instant) {
        let Some(start) = self.start else { return };
        if self.ended || !self.totals.remaining() {
            return self.clear(err);
        }
        let line = self.totals.line(now.saturating_duration_since(start));
        // Padded over a longer line before it; `\r` so that the next write starts over it.
        let _ = write!(err, "{line:<0$}\r", self.drawn);
        self.drawn = line.len();
        self.last_drawn = Some(now);
    }
}

/// The progress line on stderr, shared by the workers that report.
#[derive(Debug)]
pub(crate) struct ProgressLine {
    on: bool,
    screen: Arc<Mutex<Screen>>,
    /// Blanks the line when a signal ends the run, before its error line.
    _on_signal: Option<Registration>,
}

/// How often the line is redrawn at most as bytes and files are counted (lines printed redraw it too).
const REDRAW: Duration = Duration::from_millis(100);

impl ProgressLine {
    /// A line shown when `wanted` and stderr is a terminal, blanked for good if `interrupt` ends the run.
    pub(crate) fn new(wanted: bool, interrupt: &Arc<Interrupt>) -> Self {
        let on = wanted && io::stderr().is_terminal();
        let screen = Arc::new(Mutex::new(Screen::default()));
        let blank = screen.clone();
        let _on_signal = on
            .then(|| {
                interrupt.register_action(Box::new(move || {
                    let mut screen = blank.lock().unwrap_or_else(|p| p.into_inner());
                    screen.ended = true;
                    screen.clear(&mut io::stderr().lock());
                }))
            })
            .flatten();
        ProgressLine {
            on,
            screen,
            _on_signal,
        }
    }

    /// Counts what `e` says and redraws the line if it was not drawn in the last 100 ms (or the totals just
    /// became final); with `print` (which prints one line for `e`, on stdout or stderr), blanks the line
    /// first and draws it again below, so the two never mix.
    pub(crate) fn show(&self, e: &Event<'_>, print: Option<&dyn Fn()>) {
        if !self.on {
            if let Some(print) = print {
                print();
            }
            return;
        }
        let mut screen = self.screen.lock().unwrap_or_else(|p| p.into_inner());
        screen.count(e);
        let now = Instant::now();
        // (The totals turning final are shown at once.)
        if print.is_none()
            && !matches!(e, Event::Planned)
            && screen.last_drawn.is_some_and(|t| now.duration_since(t) < REDRAW)
        {
            return;
        }
        let mut err = io::stderr().lock();
        if let Some(print) = print {
            screen.clear(&mut err);
            print();
        }
        screen.draw(&mut err, now);
    }
}

impl Drop for ProgressLine {
    /// Leaves no line behind for what follows (an error, the prompt).
    fn drop(&mut self) {
        let mut screen = self.screen.lock().unwrap_or_else(|p| p.into_inner());
        screen.clear(&mut io::stderr().lock());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1 << 30;

    fn totals(files: (u64, u64), bytes: (u64, u64), planned: bool) -> Totals {
        Totals {
            files_done: files.0,
            files_known: files.1,
            bytes_done: bytes.0,
            bytes_known: bytes.1,
            planned,
        }
    }

    #[test]
    fn while_listing_totals_are_estimates_without_time_left() {
        let t = totals((10, 1214), (GIB * 12 / 10, GIB * 34 / 10), false);
        assert_eq!(
            t.line(Duration::from_secs(27)),
            "Completed 1.2 GiB/~3.4 GiB (45.5 MiB/s) with ~1204 file(s) remaining (calculating...)"
        );
    }

    #[test]
    fn once_planned_totals_are_final_with_time_left() {
        let t = totals((610, 1214), (GIB * 2, GIB * 34 / 10), true);
        // 2 GiB in 40 s: 51.2 MiB/s; 1.4 GiB left: 28 s.
        assert_eq!(
            t.line(Duration::from_secs(40)),
            "Completed 2.0 GiB/3.4 GiB (51.2 MiB/s) with 604 file(s) remaining, 28s left"
        );
        let t = totals((0, 1), (100 << 20, 1100 << 20), true);
        assert_eq!(
            t.line(Duration::from_secs(10)),
            "Completed 100.0 MiB/1.1 GiB (10.0 MiB/s) with 1 file(s) remaining, 1m40s left"
        );
    }

    #[test]
    fn small_sizes_and_no_rate_yet() {
        let t = totals((0, 2), (0, 1), true);
        assert_eq!(
            t.line(Duration::ZERO),
            "Completed 0 Bytes/1 Byte (0 Bytes/s) with 2 file(s) remaining"
        );
        let t = totals((1, 2), (1, 1000), true);
        assert_eq!(
            t.line(Duration::from_secs(1)),
            "Completed 1 Byte/1000 Bytes (1 Byte/s) with 1 file(s) remaining, 16m39s left"
        );
    }

    #[test]
    fn only_files_when_no_bytes_are_planned() {
        let t = totals((1000, 2500), (0, 0), false);
        assert_eq!(
            t.line(Duration::from_secs(1)),
            "Completed 1000 file(s) with ~1500 file(s) remaining (calculating...)"
        );
        let t = totals((1000, 2500), (0, 0), true);
        assert_eq!(
            t.line(Duration::from_secs(2)),
            "Completed 1000 file(s) with 1500 file(s) remaining, 3s left"
        );
    }

    #[test]
    fn times_left() {
        assert_eq!(time_left(0), "0s");
        assert_eq!(time_left(59), "59s");
        assert_eq!(time_left(60), "1m00s");
        assert_eq!(time_left(3599), "59m59s");
        assert_eq!(time_left(3600 * 26 + 7 * 60 + 59), "26h07m");
    }

    #[test]
    fn the_line_goes_once_nothing_is_left() {
        let mut s = Screen::default();
        let mut out = Vec::new();
        let job = crate::s3::sync::run::Job {
            op: crate::s3::sync::run::Op::Delete,
            src: crate::s3::sync::run::Place::Local("a".into()),
            dst: crate::s3::sync::run::Place::Local("a".into()),
            size: None,
        };
        let now = Instant::now();
        s.draw(&mut out, now);
        assert!(out.is_empty(), "nothing before a file is planned");
        for e in [Event::Queued(&job), Event::Queued(&job), Event::Planned] {
            s.count(&e);
        }
        s.draw(&mut out, now);
        s.count(&Event::Done(&job));
        s.draw(&mut out, now);
        s.count(&Event::Withheld(1, "x"));
        s.draw(&mut out, now);
        let first = "Completed 0 file(s) with 2 file(s) remaining";
        let second = "Completed 1 file(s) with 1 file(s) remaining";
        assert_eq!(
            String::from_utf8_lossy(&out),
            format!("{first}\r{second}\r{:1$}\r", "", second.len())
        );
    }

    #[test]
    fn a_file_found_unchanged_leaves_the_totals() {
        use crate::s3::sync::run::{Comparison, Job, Op, Place};
        let mut s = Screen::default();
        let job = Job {
            op: Op::Upload,
            src: Place::Local("a".into()),
            dst: Place::Local("a".into()),
            size: Some(100),
        };
        s.count(&Event::Queued(&job));
        s.count(&Event::Queued(&job));
        let found = |copy| Comparison {
            copy,
            by_content: true,
        };
        s.count(&Event::Compared(&job, found(false)));
        s.count(&Event::Compared(&job, found(true)));
        assert_eq!((s.totals.files_known, s.totals.bytes_known), (1, 100));
    }
}
