//! The recursive commands as a library: [`sync`], [`copy_tree`] (`cp --recursive`, `mv --recursive`) and
//! [`remove_tree`] (`rm --recursive`, `rb --force`). Each lists its roots as they stream, plans one decision
//! per key, runs the jobs on one pool, and says what happens through events (done, failed, skipped,
//! withheld) that a caller prints as it likes. A listing that fails or breaks its rules ends the plan there,
//! and a sync then deletes nothing: deletes run only once both listings completed, nothing was skipped and
//! every transfer succeeded.

use crate::error::{Error, ErrorKind, Result};
use crate::s3::client::S3;
use crate::s3::ops::delete::MAX_KEYS;
use crate::s3::ops::options::ObjectOptions;
use crate::s3::sync::entries::entries;
use crate::s3::sync::filter::Filters;
use crate::s3::sync::plan::{Direction, Entry, Pair, Rules, Step, decide, join};
use crate::s3::sync::root::{Root, apart};
use crate::s3::sync::run::{Event, Job, Op, Outcome, Runner};
use crate::s3::transfer::config::TransferConfig;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What the recursive commands share beyond their roots.
#[derive(Clone, Copy, Debug)]
pub struct Options<'o> {
    /// `--exclude` / `--include`.
    pub filters: &'o Filters,
    /// Links in local folders followed.
    pub follow: bool,
    /// What uploads and copies set on objects (a missing content type is guessed per file).
    pub opts: &'o ObjectOptions,
    /// Thresholds, part sizes, requests in flight.
    pub cfg: &'o TransferConfig,
    /// Only say what would be done.
    pub dryrun: bool,
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
            Some(e) if matches!(e.kind(), ErrorKind::Data | ErrorKind::Network | ErrorKind::Other) => {
                Err(e.with_kind(ErrorKind::Transfer))
            }
            Some(e) => Err(e),
            None => Ok(Outcome { skipped, ..outcome }),
        }
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

/// Makes `to` like `from` by the AWS CLI's rules: what `from` has and `to` lacks or holds older (or of
/// another size) is copied; with `rules.delete`, what only `to` has is deleted, once both listings completed,
/// nothing was skipped and every copy succeeded.
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
    let op = match direction {
        Direction::Upload => Op::Upload,
        Direction::Download => Op::Download,
        Direction::Copy => Op::Copy,
    };
    let watch = Watch::new(on_event);
    let skip = |what: &str, why: &str| watch.skip(what, why);
    let pairs = join(
        entries(from, s3, o.filters, o.follow, &skip),
        entries(to, s3, o.filters, o.follow, &skip),
    );
    let jobs = watch.until_error(pairs).filter_map(|(s, d)| {
        // A zero-byte folder marker is not a file to download, as the AWS CLI skips it.
        let marker = |e: &Option<Entry>| e.as_ref().is_some_and(|e| e.key.ends_with('/') && e.size == 0);
        if direction == Direction::Download && marker(&s) {
            return None;
        }
        match decide(direction, rules, s.as_ref(), d.as_ref())? {
            Step::Copy(e) => copy_job(from, to, op, &e, &watch),
            Step::Delete(e) => match to.place(&e.key) {
                Ok(p) => Some(Job {
                    op: Op::Delete,
                    src: p.clone(),
                    dst: p,
                    size: None,
                }),
                Err(why) => {
                    watch.skip(&to.show(&e.key), &why);
                    None
                }
            },
        }
    });
    let runner = o.runner(s3, on_event);
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
        on_event(Event::Withheld(outcome.withheld, why));
    }
    watch.finish(outcome)
}

/// Copies every file or object under `from` to the same key under `to` (`cp --recursive`); `moving` deletes
/// each source once its copy is there (`mv --recursive`); `no_overwrite` lists `to` too and leaves what it
/// has alone.
pub fn copy_tree(
    s3: &S3<'_>,
    from: &Root,
    to: &Root,
    moving: bool,
    no_overwrite: bool,
    o: &Options<'_>,
    on_event: &(dyn Fn(Event<'_>) + Sync),
) -> Result<Outcome> {
    let op = match direction(from, to)? {
        _ if moving => Op::Move,
        Direction::Upload => Op::Upload,
        Direction::Download => Op::Download,
        Direction::Copy => Op::Copy,
    };
    apart(from, to)?;
    let watch = Watch::new(on_event);
    let skip = |what: &str, why: &str| watch.skip(what, why);
    let src = entries(from, s3, o.filters, o.follow, &skip);
    let none = Filters::default();
    let pairs: Box<dyn Iterator<Item = Result<Pair>>> = if no_overwrite {
        Box::new(join(src, entries(to, s3, &none, o.follow, &skip)))
    } else {
        Box::new(src.map(|r| r.map(|e| (Some(e), None))))
    };
    let jobs = watch
        .until_error(pairs)
        .filter_map(|(s, d)| copy_job(from, to, op, &s.filter(|_| d.is_none())?, &watch));
    let runner = o.runner(s3, on_event);
    let outcome = runner.run(jobs, &|| true);
    watch.finish(outcome)
}

/// Deletes every object under `root` (an S3 root) that passes the filters, a batch of 1,000 at a time as the
/// listing goes (as the AWS CLI deletes while it lists), so memory holds one batch however many keys there
/// are.
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
    let keys = entries(root, s3, o.filters, false, &skip).map(|e| e.map(|e| (Some(e), None)));
    for (entry, _) in watch.until_error(keys) {
        let Some(Ok(place)) = entry.map(|e| root.place(&e.key)) else {
            continue;
        };
        batch.push(Job {
            op: Op::Delete,
            src: place.clone(),
            dst: place,
            size: None,
        });
        if batch.len() == MAX_KEYS {
            add(runner.delete_now(std::mem::take(&mut batch)));
        }
    }
    // The keys of a listing that broke off are not all known to be under the root as listed: the batch in
    // hand is dropped, not deleted (full batches before the breach went, as the AWS CLI deletes as it lists).
    if !watch.listing_failed() {
        add(runner.delete_now(batch));
    }
    watch.finish(outcome)
}
