//! The recursive commands as a library: [`sync`], [`copy_tree`] (`cp --recursive`, `mv --recursive`),
//! [`remove_tree`] (`rm --recursive`, `rb --force`) and [`remove_versions`] (`rb --force`). Each lists its
//! roots as they stream, plans one decision per key, runs the jobs on one pool, and says what happens through
//! events (done, failed, skipped, withheld; and the totals: each job queued, planning ended, bytes done)
//! that a caller prints as it likes. A listing that fails or breaks
//! its rules ends the plan there, and a sync then deletes nothing: deletes run only once both listings
//! completed, nothing was skipped and every transfer succeeded.

use crate::error::{Error, ErrorKind, Result};
use crate::s3::client::S3;
use crate::s3::object::ObjectRef;
use crate::s3::ops::delete::MAX_KEYS;
use crate::s3::ops::list_versions::ListObjectVersions;
use crate::s3::ops::options::ObjectOptions;
use crate::s3::paginate::Listing;
use crate::s3::sync::entries::{Reading, entries};
use crate::s3::sync::filter::Filters;
use crate::s3::sync::plan::{Direction, Entry, Pair, Rules, Step, decide, join};
use crate::s3::sync::root::{Root, apart};
use crate::s3::sync::run::{Compare, Event, Job, Op, Outcome, Place, Runner, Task};
use crate::s3::transfer::config::TransferConfig;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What the recursive commands share beyond their roots.
#[derive(Clone, Copy, Debug)]
pub struct Options<'o> {
    /// `--exclude` / `--include`, and `--shard` (applied to the key under the root, on both sides).
    pub filters: &'o Filters,
    /// Links in local folders followed.
    pub follow: bool,
    /// What uploads and copies set on objects (a missing content type is guessed per file).
    pub opts: &'o ObjectOptions,
    /// Thresholds, part sizes, requests in flight.
    pub cfg: &'o TransferConfig,
    /// Only say what would be done.
    pub dryrun: bool,
    /// The folder for a scratch file of the deletes a sync holds back until its copies end: past the first
    /// 1,000 they go there, so that memory stays flat however many keys go. The file has no name (it is
    /// unlinked as soon as it is made) and is gone when the run ends, however it ends.
    pub spill: &'o Path,
}

impl<'o> Options<'o> {
    /// The runner of the jobs, reporting to `on_event`.
    fn runner<'r, 'a>(&self, s3: &'r S3<'a>, on_event: &'r (dyn Fn(Event<'_>) + Sync)) -> Runner<'r, 'a>
    where
        'o: 'r,
    {
        Runner {
            s3,
            opts: self.opts,
            cfg: self.cfg,
            dryrun: self.dryrun,
            spill: Some(self.spill),
            report: on_event,
        }
    }
}

/// A run's listening: events passed on, skips counted, the first listing error kept.
struct Watch<'w> {
    on_event: &'w (dyn Fn(Event<'_>) + Sync),
    skipped: AtomicUsize,
    listing: Mutex<Option<Error>>,
}

impl<'w> Watch<'w> {
    fn new(on_event: &'w (dyn Fn(Event<'_>) + Sync)) -> Self {
        Watch {
            on_event,
            skipped: AtomicUsize::new(0),
            listing: Mutex::new(None),
        }
    }

    fn skip(&self, what: &str, why: &str) {
        self.skipped.fetch_add(1, Ordering::Relaxed);
        (self.on_event)(Event::Skipped(what, why));
    }

    fn skipped(&self) -> usize {
        self.skipped.load(Ordering::Relaxed)
    }

    /// The pairs of a join until its first error, which is kept.
    fn until_error<'p>(
        &'p self,
        pairs: impl Iterator<Item = Result<Pair>> + 'p,
    ) -> impl Iterator<Item = Pair> + 'p {
        pairs.map_while(|pair| {
            pair.map_err(|e| {
                self.listing
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get_or_insert(e);
            })
            .ok()
        })
    }

    fn listing_failed(&self) -> bool {
        self.listing.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// The outcome with the skips, or the listing error: a transfer command's failure (exit 1), as its
    /// other failures are; a refusal by the service keeps its own code.
    fn finish(self, outcome: Outcome) -> Result<Outcome> {
        let skipped = self.skipped();
        match self.listing.into_inner().unwrap_or_else(|p| p.into_inner()) {
            Some(e) => Err(listing_failed(e)),
            None => Ok(Outcome { skipped, ..outcome }),
        }
    }
}

/// A listing's error as a transfer command's failure (exit 1), as its other failures are; a refusal by the
/// service keeps its own code.
fn listing_failed(e: Error) -> Error {
    if matches!(e.kind(), ErrorKind::Data | ErrorKind::Network | ErrorKind::Other) {
        e.with_kind(ErrorKind::Transfer)
    } else {
        e
    }
}

/// The direction of a copy between two roots; a usage error for two local ones, or for a local source that
/// is not a folder (a missing one would look empty, and a sync would then delete the whole destination).
fn direction(from: &Root, to: &Root) -> Result<Direction> {
    if let Root::Local(dir) = from
        && !dir.is_dir()
    {
        return Err(Error::usage(format!("{} is not a folder", dir.display())));
    }
    match (from.is_s3(), to.is_s3()) {
        (false, true) => Ok(Direction::Upload),
        (true, false) => Ok(Direction::Download),
        (true, true) => Ok(Direction::Copy),
        (false, false) => Err(Error::usage("one of the two must be an s3:// URL")),
    }
}

/// The job that copies `entry` from `from` to `to`, or `None` when it cannot (skipped, and said so; a
/// zero-byte folder marker is passed over without a word, as the AWS CLI does).
fn copy_job(from: &Root, to: &Root, op: Op, entry: &Entry, watch: &Watch<'_>) -> Option<Job> {
    match from
        .place(&entry.key)
        .and_then(|a| Ok((a, to.place(&entry.key)?)))
    {
        Ok((src, dst)) => Some(Job {
            op,
            src,
            dst,
            size: Some(entry.size),
        }),
        Err(_) if entry.key.ends_with('/') && entry.size == 0 => None,
        Err(why) => {
            watch.skip(&from.show(&entry.key), &why);
            None
        }
    }
}

/// The task that copies `src` from `from` to `to` if it differs from `dst` (else `otherwise`), or `None`
/// when it cannot (as [`copy_job`]).
fn compare_task(
    from: &Root,
    to: &Root,
    op: Op,
    src: Entry,
    dst: Entry,
    otherwise: bool,
    watch: &Watch<'_>,
) -> Option<Task> {
    let job = copy_job(from, to, op, &src, watch)?;
    Some(Task::Compare(Box::new(Compare {
        job,
        src,
        dst,
        otherwise,
    })))
}

/// What [`copy_tree`] does with what the destination already has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Replaced (`cp --recursive`).
    Replace,
    /// Left alone (`--no-overwrite`).
    Keep,
    /// Replaced if it differs by content, as `sync --checksum` compares (`--checksum`); where nothing
    /// comparable is stored, replaced.
    ReplaceChanged,
}

/// Makes `to` like `from` by the AWS CLI's rules: what `from` has and `to` lacks or holds older (or of
/// another size) is copied (with `rules.checksum`, a pair of the same size is copied if it differs by
/// content, as [`compare`](crate::s3::sync::compare) finds); with `rules.delete`, what only `to` has is
/// deleted, once both listings completed, nothing was skipped and every copy succeeded.
pub fn sync(
    s3: &S3<'_>,
    from: &Root,
    to: &Root,
    rules: &Rules,
    o: &Options<'_>,
    on_event: &(dyn Fn(Event<'_>) + Sync),
) -> Result<Outcome> {
    let direction = direction(from, to)?;
    apart(from, to)?;
    let watch = Watch::new(on_event);
    let skip = |what: &str, why: &str| watch.skip(what, why);
    let reading = Reading {
        follow: o.follow,
        listed: rules.checksum,
    };
    let outcome = std::thread::scope(|scope| {
        let pairs = join(
            entries(from, s3, scope, o.filters, reading, &skip),
            entries(to, s3, scope, o.filters, reading, &skip),
        );
        sync_pairs(s3, (from, to), direction, pairs, rules, o, &watch)
    });
    watch.finish(outcome)
}

/// [`sync`] of the entries a caller lists itself: `src` under `from`, `dst` under `to`, each in key order
/// (UTF-8 bytes) and already filtered, keys relative to their root, as [`entries`] gives them. An error
/// in either stream ends the plan there, as a failed listing does, and nothing is deleted. For a program
/// that has its listings at hand (an inventory, say), and to measure the engine on generated listings.
pub fn sync_entries(
    s3: &S3<'_>,
    (from, to): (&Root, &Root),
    src: impl Iterator<Item = Result<Entry>>,
    dst: impl Iterator<Item = Result<Entry>>,
    rules: &Rules,
    o: &Options<'_>,
    on_event: &(dyn Fn(Event<'_>) + Sync),
) -> Result<Outcome> {
    let direction = direction(from, to)?;
    apart(from, to)?;
    let watch = Watch::new(on_event);
    let outcome = sync_pairs(s3, (from, to), direction, join(src, dst), rules, o, &watch);
    watch.finish(outcome)
}

/// Plans and runs a sync of the joined entries of both sides: the copies as they are planned, the deletes
/// once the plan ended, and only if it ended complete (see [`sync`]).
fn sync_pairs(
    s3: &S3<'_>,
    (from, to): (&Root, &Root),
    direction: Direction,
    pairs: impl Iterator<Item = Result<Pair>>,
    rules: &Rules,
    o: &Options<'_>,
    watch: &Watch<'_>,
) -> Outcome {
    let op = match direction {
        Direction::Upload => Op::Upload,
        Direction::Download => Op::Download,
        Direction::Copy => Op::Copy,
    };
    let jobs = watch.until_error(pairs).filter_map(|(s, d)| {
        // A zero-byte folder marker is not a file to download, as the AWS CLI skips it.
        let marker = |e: &Option<Entry>| e.as_ref().is_some_and(|e| e.key.ends_with('/') && e.size == 0);
        if direction == Direction::Download && marker(&s) {
            return None;
        }
        match decide(direction, rules, s.as_ref(), d.as_ref())? {
            Step::Copy(e) => copy_job(from, to, op, &e, watch).map(Task::Do),
            Step::Compare { src, dst, otherwise } => compare_task(from, to, op, src, dst, otherwise, watch),
            Step::Delete(e) => match to.place(&e.key) {
                Ok(p) => Some(Task::Do(Job {
                    op: Op::Delete,
                    src: p.clone(),
                    dst: p,
                    size: None,
                })),
                Err(why) => {
                    watch.skip(&to.show(&e.key), &why);
                    None
                }
            },
        }
    });
    let runner = o.runner(s3, watch.on_event);
    // Deletes wait for both listings to be complete, and for a source read whole: a folder that could not be
    // read would otherwise look empty, and its copies at the destination would go.
    let complete = || !watch.listing_failed() && watch.skipped() == 0;
    let outcome = runner.run(jobs, &complete);
    if outcome.withheld > 0 {
        let why = if watch.skipped() > 0 {
            "something was skipped, so the source may be incomplete"
        } else {
            "a listing or a transfer failed"
        };
        (watch.on_event)(Event::Withheld(outcome.withheld, why));
    }
    outcome
}

/// Copies every file or object under `from` to the same key under `to` (`cp --recursive`); `moving` deletes
/// each source once its copy is there (`mv --recursive`); `existing` says what becomes of what `to` has
/// (anything but [`Existing::Replace`] lists `to` too).
pub fn copy_tree(
    s3: &S3<'_>,
    from: &Root,
    to: &Root,
    moving: bool,
    existing: Existing,
    o: &Options<'_>,
    on_event: &(dyn Fn(Event<'_>) + Sync),
) -> Result<Outcome> {
    if moving && existing == Existing::ReplaceChanged {
        // A source found the same would be neither copied nor deleted: no move at all.
        return Err(Error::usage("a move does not compare by content"));
    }
    let op = match direction(from, to)? {
        _ if moving => Op::Move,
        Direction::Upload => Op::Upload,
        Direction::Download => Op::Download,
        Direction::Copy => Op::Copy,
    };
    apart(from, to)?;
    let watch = Watch::new(on_event);
    let skip = |what: &str, why: &str| watch.skip(what, why);
    let reading = Reading {
        follow: o.follow,
        listed: existing == Existing::ReplaceChanged,
    };
    let none = Filters::default();
    let outcome = std::thread::scope(|scope| {
        let src = entries(from, s3, scope, o.filters, reading, &skip);
        let pairs: Box<dyn Iterator<Item = Result<Pair>>> = if existing == Existing::Replace {
            Box::new(src.map(|r| r.map(|e| (Some(e), None))))
        } else {
            Box::new(join(src, entries(to, s3, scope, &none, reading, &skip)))
        };
        let jobs = watch.until_error(pairs).filter_map(|(s, d)| match (s?, d) {
            (s, None) => copy_job(from, to, op, &s, &watch).map(Task::Do),
            (_, Some(_)) if existing == Existing::Keep => None,
            (s, Some(d)) if s.size != d.size => copy_job(from, to, op, &s, &watch).map(Task::Do),
            // Two empty ones are equal.
            (s, Some(_)) if s.size == 0 => None,
            (s, Some(d)) => compare_task(from, to, op, s, d, true, &watch),
        });
        o.runner(s3, on_event).run(jobs, &|| true)
    });
    watch.finish(outcome)
}

/// Deletes every object under `root` (an S3 root) that passes the filters, a batch of 1,000 at a time as the
/// listing goes (as the AWS CLI deletes while it lists), so memory holds one batch however many keys there
/// are. Each key is reported as [`Event::Queued`] as it is listed, and [`Event::Planned`] when the listing
/// ends.
pub fn remove_tree(
    s3: &S3<'_>,
    root: &Root,
    o: &Options<'_>,
    on_event: &(dyn Fn(Event<'_>) + Sync),
) -> Result<Outcome> {
    let runner = o.runner(s3, on_event);
    let watch = Watch::new(on_event);
    let skip = |what: &str, why: &str| watch.skip(what, why);
    let mut outcome = Outcome::default();
    let mut add = |o: Outcome| {
        outcome.done += o.done;
        outcome.failed += o.failed;
    };
    let mut batch = Vec::with_capacity(MAX_KEYS);
    std::thread::scope(|scope| {
        let keys = entries(root, s3, scope, o.filters, Reading::default(), &skip)
            .map(|e| e.map(|e| (Some(e), None)));
        for (entry, _) in watch.until_error(keys) {
            let Some(Ok(place)) = entry.map(|e| root.place(&e.key)) else {
                continue;
            };
            let job = Job {
                op: Op::Delete,
                src: place.clone(),
                dst: place,
                size: None,
            };
            on_event(Event::Queued(&job));
            batch.push(job);
            if batch.len() == MAX_KEYS {
                add(runner.delete_now(std::mem::take(&mut batch)));
            }
        }
    });
    on_event(Event::Planned);
    // The keys of a listing that broke off are not all known to be under the root as listed: the batch in
    // hand is dropped, not deleted (full batches before the breach went, as the AWS CLI deletes as it lists).
    if !watch.listing_failed() {
        add(runner.delete_now(batch));
    }
    watch.finish(outcome)
}

/// Deletes every version and every delete marker that `listing` lists and the filters admit (keys relative to
/// its prefix), each by its version id (`null` included), 1,000 a call as the listing goes: what `rm` leaves
/// in a versioned bucket, and what S3 keeps until each is deleted so (`rb --force`). Each is reported as a
/// delete of its object at that version.
///
/// A store may end a listing early whose marker names a version just deleted (moto does; S3 goes on), so
/// the listing starts again from the beginning until one finds nothing. It stops after a pass in which a
/// deletion failed (what stays would be listed, and tried, for ever), after one pass of a dry run, and with
/// an error when a pass starts with the very entry the pass before deleted (a store that says it deleted
/// what it kept).
pub fn remove_versions(
    s3: &S3<'_>,
    listing: &ListObjectVersions,
    o: &Options<'_>,
    on_event: &(dyn Fn(Event<'_>) + Sync),
) -> Result<Outcome> {
    let runner = o.runner(s3, on_event);
    let mut outcome = Outcome::default();
    let mut add = |o: Outcome| {
        outcome.done += o.done;
        outcome.failed += o.failed;
    };
    let mut first_before: Option<ObjectRef> = None;
    loop {
        let (mut first, mut failed) = (None, 0);
        let mut batch = Vec::with_capacity(MAX_KEYS);
        let mut flush = |batch: &mut Vec<Job>| {
            let o = runner.delete_now(std::mem::take(batch));
            failed += o.failed;
            add(o);
        };
        for page in s3.pages(listing.clone()) {
            // A listing that broke off: the batch in hand is dropped, as `remove_tree` drops its own.
            for v in page.map_err(listing_failed)? {
                // An entry outside the prefix (a server's mistake) is not the listing's.
                let Some(relative) = v.key.strip_prefix(listing.prefix.as_str()) else {
                    continue;
                };
                if !o.filters.admits(relative) {
                    continue;
                }
                let object = ObjectRef::new(listing.bucket.clone(), v.key).at_version(v.version_id);
                first.get_or_insert_with(|| object.clone());
                let place = Place::S3(object);
                batch.push(Job {
                    op: Op::Delete,
                    src: place.clone(),
                    dst: place,
                    size: None,
                });
                if batch.len() == MAX_KEYS {
                    flush(&mut batch);
                }
            }
            if s3.stopped() {
                break;
            }
        }
        flush(&mut batch);
        if s3.stopped() {
            return Err(Error::interrupted(format!(
                "{}: stopped; what was not deleted stays",
                listing.what()
            )));
        }
        if first.is_none() || failed > 0 || o.dryrun {
            return Ok(outcome);
        }
        if first == first_before {
            return Err(Error::transfer(format!(
                "{}: {} is listed again after DeleteObjects reported it deleted",
                listing.what(),
                first_before.map(|f| f.described()).unwrap_or_default()
            )));
        }
        first_before = first;
    }
}
