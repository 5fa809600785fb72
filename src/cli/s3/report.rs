//! The lines of transfers as the AWS CLI prints them (`upload: ./a.txt to s3://b/a.txt`, `(dryrun) delete:
//! s3://b/x`, `download failed: ...`), local paths relative to the current folder as `aws s3` shows them,
//! and the exit code: 1 when a transfer failed, 2 when something was skipped.

use crate::cli::s3::flags::Say;
use crate::cli::s3::progress::ProgressLine;
use crate::cli::terminal::print_out;
use crate::codec::redact::sanitize;
use crate::interrupt::Interrupt;
use crate::s3::sync::run::{Event, Job, Op, Place};
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `path` made absolute against `cwd`, `.` and `..` resolved as text (as Python's `os.path.abspath`).
fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_owned()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::from("/");
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => out.push(n),
            _ => {}
        }
    }
    out
}

/// A local path as `aws s3` prints it: its folder relative to `cwd`, then its name (`./a.txt`, `dir/a.txt`,
/// `../x/a.txt`).
pub(crate) fn relative_path(path: &Path, cwd: &Path) -> String {
    let abs = absolute(path, cwd);
    let cwd = absolute(cwd, Path::new("/"));
    let (dir, name) = (abs.parent().unwrap_or(Path::new("/")), abs.file_name());
    let d: Vec<_> = dir.components().collect();
    let c: Vec<_> = cwd.components().collect();
    let common = d.iter().zip(&c).take_while(|(a, b)| a == b).count();
    let mut rel: Vec<String> = std::iter::repeat_n("..".to_owned(), c.len() - common).collect();
    rel.extend(
        d[common..]
            .iter()
            .map(|p| p.as_os_str().to_string_lossy().into_owned()),
    );
    let dir = if rel.is_empty() {
        ".".to_owned()
    } else {
        rel.join("/")
    };
    match name {
        Some(n) => format!("{dir}/{}", n.to_string_lossy()),
        None => dir,
    }
}

/// Prints what a run does, with its progress line, and counts what it skipped.
#[derive(Debug)]
pub(crate) struct Reporter {
    say: Say,
    dryrun: bool,
    cwd: PathBuf,
    skipped: AtomicUsize,
    /// Pairs that `--checksum` found nothing comparable for (compared by size and time instead).
    by_time: AtomicUsize,
    progress: ProgressLine,
}

impl Reporter {
    /// A reporter printing as `say` says, for a dry run or not (which transfers nothing, so shows no
    /// progress); a signal from `interrupt` blanks its progress line.
    pub(crate) fn new(say: Say, dryrun: bool, interrupt: &Arc<Interrupt>) -> Self {
        Reporter {
            say,
            dryrun,
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
            skipped: AtomicUsize::new(0),
            by_time: AtomicUsize::new(0),
            progress: ProgressLine::new(say == Say::All && !dryrun, interrupt),
        }
    }

    /// A place as printed (an object with its version when one is meant), control characters escaped (a key
    /// or a file name cannot drive the terminal or forge a line).
    pub(crate) fn place(&self, p: &Place) -> String {
        let text = match p {
            Place::Local(path) => relative_path(path, &self.cwd),
            Place::S3(o) => o.described(),
        };
        sanitize(&text, usize::MAX)
    }

    fn what(&self, job: &Job) -> String {
        match job.op {
            Op::Delete => self.place(&job.src),
            _ => format!("{} to {}", self.place(&job.src), self.place(&job.dst)),
        }
    }

    /// Prints one event of a run, under the progress line.
    pub(crate) fn event(&self, e: Event<'_>) {
        let show = |print: &dyn Fn()| self.progress.show(&e, Some(print));
        match e {
            Event::Done(job) if self.say.lines() => show(&|| {
                let dry = if self.dryrun { "(dryrun) " } else { "" };
                let _ = print_out(&format!("{dry}{}: {}\n", job.op.word(), self.what(job)));
            }),
            Event::Failed(job, err) => show(&|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "{} failed: {}: {err}",
                    job.op.word(),
                    self.what(job)
                );
            }),
            // Nothing was sent: not "upload failed".
            Event::NotCompared(job, err) => show(&|| {
                let _ = writeln!(std::io::stderr(), "cannot compare {}: {err}", self.what(job));
            }),
            Event::Skipped(what, why) => show(&|| self.skip(what, why)),
            Event::Withheld(n, why) => show(&|| self.withheld(n, why)),
            Event::Compared(_, found) => {
                if !found.by_content {
                    self.by_time.fetch_add(1, Ordering::Relaxed);
                }
                self.progress.show(&e, None)
            }
            _ => self.progress.show(&e, None),
        }
    }

    /// Says that `what` was skipped, and why; the run then exits 2.
    fn skip(&self, what: &str, why: &str) {
        self.skipped.fetch_add(1, Ordering::Relaxed);
        if self.say.warnings() {
            let what = sanitize(what, usize::MAX);
            let _ = writeln!(std::io::stderr(), "warning: skipping {what}: {why}");
        }
    }

    /// Says that `n` deletions were not done, and why (always shown: the destination keeps what it had).
    fn withheld(&self, n: usize, why: &str) {
        let _ = writeln!(std::io::stderr(), "warning: {n} deletions not done: {why}");
    }

    /// Says, once the run ended, how many pairs `--checksum` could not compare by content (one line on
    /// stderr, unless `--quiet`).
    pub(crate) fn summary(&self) {
        let n = self.by_time.load(Ordering::Relaxed);
        if n > 0 && self.say.warnings() {
            let _ = writeln!(
                std::io::stderr(),
                "note: {n} file(s) compared by size and time: nothing comparable stored, or the part layout unknown"
            );
        }
    }

    /// The exit code of the run: 1 if anything failed, else 2 if anything was skipped, else 0.
    pub(crate) fn exit_code(&self, failed: usize) -> u8 {
        if failed > 0 {
            1
        } else if self.skipped.load(Ordering::Relaxed) > 0 {
            2
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_as_aws_s3_prints_them() {
        let cwd = Path::new("/home/u/work");
        assert_eq!(relative_path(Path::new("a.txt"), cwd), "./a.txt");
        assert_eq!(relative_path(Path::new("./d/a.txt"), cwd), "d/a.txt");
        assert_eq!(relative_path(Path::new("/home/u/x/a"), cwd), "../x/a");
        assert_eq!(relative_path(Path::new("d/../b"), cwd), "./b");
        assert_eq!(relative_path(Path::new("/a"), Path::new("/")), "./a");
    }
}
