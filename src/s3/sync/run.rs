//! Running planned transfers: jobs (upload, download, copy, move, delete) done by a pool of workers as the
//! plan streams in, each reported as it ends; deletes are held back (past 1,000, in a nameless scratch file:
//! [`Runner::spill`]) and done at the end (objects 1,000 a call), once every transfer succeeded and the
//! listings completed. With a dry run, each job is only reported. A job planned with a comparison first
//! (`--checksum`) is compared on the pool, in the same budget, and done only if the pair differs.
//!
//! The pool's workers, and the parts of the large files they send, share the client's places for requests
//! in flight, so `--max-concurrency` bounds the run as a whole. Many workers suit many small objects (each
//! one round trip); of them, at most `max_concurrency` (10) move objects in parts at once, so big objects
//! keep the threads and buffers of one file's parts times ten, however many workers there are.

use crate::error::{Error, Result};
use crate::s3::client::S3;
use crate::s3::object::ObjectRef;
use crate::s3::ops::delete::{DeleteObject, DeleteObjects, Failure, MAX_KEYS};
use crate::s3::ops::options::ObjectOptions;
use crate::s3::slots::Slots;
use crate::s3::sync::compare::{Verdict, compare};
use crate::s3::sync::pending::Pending;
use crate::s3::transfer::config::{MAX_CONCURRENCY, TransferConfig};
use crate::s3::transfer::content_type;
use crate::s3::transfer::download::download_to_file;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

pub use crate::s3::sync::job::{Compare, Job, Op, Place, Task};

/// What a run says as it goes. More kinds may come: match with a `_` arm.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'e> {
    /// A job was planned: one more file (and its size, when known) for the totals of the run.
    Queued(&'e Job),
    /// Planning ended: no more [`Event::Queued`] follow, so the totals are final.
    Planned,
    /// `n` more bytes of the planned jobs are done. A job that ends, done or failed, makes up the rest of its
    /// size, so the bytes reported reach the bytes planned (as the AWS CLI counts a failed file's bytes).
    Bytes(u64),
    /// A job was done (or, in a dry run, would be).
    Done(&'e Job),
    /// A job failed.
    Failed(&'e Job, &'e Error),
    /// A file or key was passed over (`what`), and why: it cannot be read, or would land outside the
    /// destination folder.
    Skipped(&'e str, &'e str),
    /// `count` deletions were not done, and why: the destination keeps what it had.
    Withheld(usize, &'e str),
    /// A job queued to be done only if its pair differs (`--checksum`) was compared: what was found.
    Compared(&'e Job, Comparison),
    /// A job queued to be done only if its pair differs (`--checksum`) failed before anything was sent: its
    /// pair could not be compared. Counted as failed.
    NotCompared(&'e Job, &'e Error),
}

/// What the comparison of a pair found (`--checksum`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Comparison {
    /// Whether the job is done (a [`Event::Done`] or [`Event::Failed`] follows) or not (it is no longer
    /// counted as to come).
    pub copy: bool,
    /// Whether the content decided; if not, nothing comparable was stored, and the size and time did.
    pub by_content: bool,
}

/// How a run ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Jobs done.
    pub done: usize,
    /// Jobs that failed.
    pub failed: usize,
    /// Deletes not done because a transfer failed or `allow_deletes` said no.
    pub withheld: usize,
    /// Files and keys passed over.
    pub skipped: usize,
}

/// Jobs done and failed so far.
#[derive(Debug, Default)]
struct Tally {
    done: AtomicUsize,
    failed: AtomicUsize,
}

impl Tally {
    fn outcome(&self) -> Outcome {
        Outcome {
            done: self.done.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            withheld: 0,
            skipped: 0,
        }
    }
}

/// What a run needs: the client, how objects are written, how transfers go, and who hears of each job.
pub struct Runner<'r, 'a> {
    /// The client.
    pub s3: &'r S3<'a>,
    /// What uploads and copies set on objects (a missing content type is guessed per file).
    pub opts: &'r ObjectOptions,
    /// Thresholds, part sizes, workers.
    pub cfg: &'r TransferConfig,
    /// Only report.
    pub dryrun: bool,
    /// The folder for the scratch file of the deletes held back past the first 1,000 (the file has no name
    /// and goes when the run ends); `None` holds them all in memory, about 0.3 KiB each.
    pub spill: Option<&'r Path>,
    /// Hears of each job as it ends.
    pub report: &'r (dyn Fn(Event<'_>) + Sync),
}

impl std::fmt::Debug for Runner<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("dryrun", &self.dryrun)
            .finish_non_exhaustive()
    }
}

/// Refuses a job that cannot be done safely, before anything is sent (a dry run says so too): a move onto
/// itself would copy, then delete the only copy.
pub fn check(job: &Job) -> Result<()> {
    if job.op == Op::Move && job.src == job.dst {
        return Err(Error::usage(format!(
            "{} is both the source and the destination",
            job.src
        )));
    }
    Ok(())
}

impl Runner<'_, '_> {
    fn transfer(&self, job: &Job, progress: &(dyn Fn(u64) + Sync)) -> Result<()> {
        match (&job.src, &job.dst) {
            (Place::Local(path), Place::S3(target)) => {
                let mut opts = self.opts.clone();
                if opts.content_type.is_none() {
                    opts.content_type = content_type::guess(path);
                }
                self.s3.upload(path, target, &opts, self.cfg, progress)
            }
            (Place::S3(object), Place::Local(path)) => {
                download_to_file(self.s3, object, path, job.size, self.cfg, progress).map(|_| ())
            }
            (Place::S3(src), Place::S3(dst)) => self.s3.copy(src, dst, self.opts, self.cfg, job.size),
            (Place::Local(_), Place::Local(_)) => Err(Error::usage("one of the two must be an s3:// URL")),
        }
    }

    fn remove(&self, place: &Place) -> Result<()> {
        match place {
            Place::Local(path) => std::fs::remove_file(path).map_err(|e| {
                Error::io(
                    crate::error::ErrorKind::Transfer,
                    format_args!("cannot delete {}", path.display()),
                    e,
                )
            }),
            Place::S3(object) => self.s3.run(&DeleteObject(object)),
        }
    }

    /// Does `job` now, whatever it is, `progress` hearing the bytes of a file done; what `cp` of one
    /// file or object runs.
    pub fn one(&self, job: &Job, progress: &(dyn Fn(u64) + Sync)) -> Result<()> {
        check(job)?;
        match job.op {
            Op::Move => {
                self.transfer(job, progress)?;
                // The source goes only once its copy is there.
                self.remove(&job.src)
            }
            Op::Delete => self.remove(&job.src),
            _ => self.transfer(job, progress),
        }
    }

    /// Does `job`, reporting its bytes as [`Event::Bytes`]: what it has done so far (parts may report out
    /// of order, hence the maximum), then the rest of its size once it ends, done or not.
    fn one_counted(&self, job: &Job) -> Result<()> {
        let reported = AtomicU64::new(0);
        let add = |upto: u64| {
            let before = reported.fetch_max(upto, Ordering::Relaxed);
            if upto > before {
                (self.report)(Event::Bytes(upto - before));
            }
        };
        let r = self.one(job, &add);
        add(job.size.unwrap_or(0));
        r
    }

    /// Counts a job's result and reports it.
    fn finish(&self, tally: &Tally, job: &Job, r: Result<()>) {
        match r {
            Ok(()) => {
                tally.done.fetch_add(1, Ordering::Relaxed);
                (self.report)(Event::Done(job));
            }
            Err(e) => {
                tally.failed.fetch_add(1, Ordering::Relaxed);
                (self.report)(Event::Failed(job, &e));
            }
        }
    }

    /// Compares a pair (reading the file and sending HEADs on this worker, in the run's budget), reports what
    /// it found, and says whether to copy; a comparison that fails fails the job.
    fn compared(&self, tally: &Tally, c: &Compare) -> bool {
        let places = (&c.job.src, &c.job.dst);
        let verdict = match compare(self.s3, self.cfg, places, (&c.src, &c.dst)) {
            Ok(v) => v,
            Err(e) => {
                tally.failed.fetch_add(1, Ordering::Relaxed);
                (self.report)(Event::NotCompared(&c.job, &e));
                return false;
            }
        };
        let found = Comparison {
            copy: match verdict {
                Verdict::Same => false,
                Verdict::Differs => true,
                Verdict::Unknown => c.otherwise,
            },
            by_content: verdict != Verdict::Unknown,
        };
        (self.report)(Event::Compared(&c.job, found));
        found.copy
    }

    /// Runs `jobs` as they come, each reported as [`Event::Queued`] when taken and [`Event::Planned`] after
    /// the last; a [`Task::Compare`] is done only if its comparison (on the pool, in a dry run too) says so.
    /// Deletes are done at the end (objects 1,000 a call), and not at all if a transfer failed or
    /// `allow_deletes` then says no (a listing failed). Memory holds at most 1,000 of the deletes waiting
    /// when [`spill`](Self::spill) names a folder; a delete that cannot be set aside there fails, and the
    /// others are then withheld.
    pub fn run<T: Into<Task>>(
        &self,
        jobs: impl Iterator<Item = T>,
        allow_deletes: &dyn Fn() -> bool,
    ) -> Outcome {
        let tally = Tally::default();
        let mut deletes = Pending::new(self.spill, self.s3.interrupt());
        let (tx, rx) = std::sync::mpsc::sync_channel::<Task>(self.cfg.max_requests);
        let rx = Mutex::new(rx);
        let big = Slots::new(self.cfg.max_concurrency);
        std::thread::scope(|scope| {
            for _ in 0..self.cfg.max_requests.clamp(1, MAX_CONCURRENCY) {
                scope.spawn(|| {
                    loop {
                        let next = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        let Ok(task) = next else { return };
                        if self.s3.stopped() {
                            continue;
                        }
                        let job = task.job();
                        // Each object in parts runs up to `max_concurrency` part threads, each hashing
                        // through its own buffer: their number is what bounds memory, not the requests.
                        let _big = job
                            .size
                            .is_some_and(|s| s >= self.cfg.multipart_threshold)
                            .then(|| big.take());
                        if let Task::Compare(c) = &task
                            && !self.compared(&tally, c)
                        {
                            continue;
                        }
                        let r = if self.dryrun {
                            check(job)
                        } else {
                            self.one_counted(job)
                        };
                        self.finish(&tally, job, r);
                    }
                });
            }
            let (mut jobs, mut planned) = (jobs.peekable(), false);
            while let Some(task) = jobs.next() {
                let task: Task = task.into();
                if self.s3.stopped() {
                    break;
                }
                let job = task.job();
                (self.report)(Event::Queued(job));
                // Planning is known to end before the last job is handed on, so the totals are final while
                // the last jobs run.
                if jobs.peek().is_none() {
                    planned = true;
                    (self.report)(Event::Planned);
                }
                if self.dryrun && matches!(task, Task::Do(_)) {
                    self.finish(&tally, job, check(job));
                } else if job.op == Op::Delete {
                    // Deletes wait until everything else is done, and the listings are complete.
                    if let Err(e) = deletes.push(job) {
                        self.finish(&tally, job, Err(e));
                    }
                } else if tx.send(task).is_err() {
                    break;
                }
            }
            if !planned {
                (self.report)(Event::Planned);
            }
            drop(tx);
        });
        if self.s3.stopped() || deletes.is_empty() {
            return tally.outcome();
        }
        if tally.failed.load(Ordering::Relaxed) > 0 || !allow_deletes() {
            return Outcome {
                withheld: deletes.len(),
                ..tally.outcome()
            };
        }
        self.delete_pending(&tally, deletes);
        tally.outcome()
    }

    /// Does the deletes that waited, a batch at a time as they are read back. Those that cannot be read back
    /// count as failed, and are reported withheld with why.
    fn delete_pending(&self, tally: &Tally, deletes: Pending<'_>) {
        let total = deletes.len();
        let mut taken = 0;
        let unread = match deletes.batches() {
            Err(e) => e,
            Ok(mut batches) => loop {
                match batches.next() {
                    None => return,
                    Some(Ok(batch)) => {
                        taken += batch.len();
                        // An interruption ends the deletes between calls; what is not deleted stays.
                        if self.s3.stopped() {
                            return;
                        }
                        self.delete_all(tally, batch);
                    }
                    Some(Err(e)) => break e,
                }
            },
        };
        let rest = total - taken;
        tally.failed.fetch_add(rest, Ordering::Relaxed);
        (self.report)(Event::Withheld(rest, &unread.to_string()));
    }

    /// Deletes `jobs` now, objects 1,000 a call: for `rm`, which need not wait for a complete listing, and so
    /// holds one batch at a time however many keys there are. A dry run only reports them.
    pub fn delete_now(&self, jobs: Vec<Job>) -> Outcome {
        let tally = Tally::default();
        if self.dryrun {
            jobs.iter().for_each(|j| self.finish(&tally, j, Ok(())));
        } else if !self.s3.stopped() {
            self.delete_all(&tally, jobs);
        }
        tally.outcome()
    }

    fn delete_all(&self, tally: &Tally, jobs: Vec<Job>) {
        let (objects, files): (Vec<Job>, Vec<Job>) =
            jobs.into_iter().partition(|j| matches!(j.src, Place::S3(_)));
        for job in &files {
            self.finish(tally, job, self.remove(&job.src));
        }
        self.delete_batched(&objects, &|job, r| self.finish(tally, job, r));
    }

    /// Deletes objects 1,000 a call per bucket, reporting each key (each version, when one is meant).
    fn delete_batched(&self, jobs: &[Job], finish: &dyn Fn(&Job, Result<()>)) {
        let mut by_bucket: Vec<(&str, Vec<&Job>)> = Vec::new();
        for job in jobs {
            if let Place::S3(o) = &job.src {
                match by_bucket.iter_mut().find(|(b, _)| *b == o.bucket) {
                    Some((_, list)) => list.push(job),
                    None => by_bucket.push((&o.bucket, vec![job])),
                }
            }
        }
        for (bucket, list) in by_bucket {
            let objects: Vec<ObjectRef> = list
                .iter()
                .filter_map(|j| match &j.src {
                    Place::S3(o) => Some(o.clone()),
                    Place::Local(_) => None,
                })
                .collect();
            match delete_objects(self.s3, bucket, &objects) {
                Ok(failures) => {
                    for (job, object) in list.iter().zip(&objects) {
                        match failures.iter().find(|f| f.is_about(object)) {
                            None => finish(job, Ok(())),
                            Some(f) => finish(
                                job,
                                Err(Error::transfer(format!(
                                    "DeleteObjects: {} ({})",
                                    f.message, f.code
                                ))),
                            ),
                        }
                    }
                }
                Err(e) => list.iter().for_each(|job| finish(job, Err(e.clone()))),
            }
        }
    }
}

/// Deletes `objects` of `bucket` (each at its version, when one is meant), 1,000 a call; those S3 could not
/// delete, with why.
fn delete_objects(s3: &S3<'_>, bucket: &str, objects: &[ObjectRef]) -> Result<Vec<Failure>> {
    let mut failed = Vec::new();
    for batch in objects.chunks(MAX_KEYS) {
        failed.extend(s3.run(&DeleteObjects {
            bucket,
            objects: batch,
        })?);
    }
    Ok(failed)
}
