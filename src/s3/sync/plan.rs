//! Planning a sync, pure: the source's and the destination's entries, each in key order, in; what to copy and
//! what to delete out, one decision per key, by the AWS CLI's rules (awscli/customizations/s3/syncstrategy):
//!
//! - only at the source: copied;
//! - at both: copied when the sizes differ, or when the times say so: for an upload or an S3 copy when the
//!   source is newer than the destination, for a download when the local file is newer than the object
//!   (downloads give files the object's time, so equal means done); `--size-only` looks at sizes alone,
//!   `--exact-timestamps` makes a download of a same-sized object copy whenever the times differ;
//! - only at the destination: deleted with `--delete`;
//! - with `--checksum`, a pair of the same size is compared by content instead (a [`Step::Compare`] that the
//!   runner does from what the object stores; the times then decide only where nothing comparable is
//!   stored), and two empty ones are equal.
//!
//! Memory: one entry of each side at a time; the listings themselves stream.

use crate::error::{Error, Result};
use crate::s3::checksum::Algorithm;
use std::cmp::Ordering;
use std::iter::Peekable;
use std::time::SystemTime;

/// A file or an object: its key under the root (`/`-separated), size and time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The path under the root, `/`-separated (the part of the key after the prefix).
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time (a file's) or `LastModified` (an object's).
    pub time: SystemTime,
    /// What its listing says it stores, kept for `--checksum` only (none for a file).
    pub listed: Option<Box<Listed>>,
}

/// What a listing says of an object's content: kept on an [`Entry`] for `--checksum` only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// The ETag, as listed (quoted).
    pub etag: Option<String>,
    /// The algorithm of the checksum it stores (the value takes a HEAD).
    pub algorithm: Option<Algorithm>,
}

/// Which way a sync goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Local to S3.
    Upload,
    /// S3 to local.
    Download,
    /// S3 to S3.
    Copy,
}

/// The rules of a sync.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rules {
    /// `--size-only`.
    pub size_only: bool,
    /// `--exact-timestamps` (downloads).
    pub exact_timestamps: bool,
    /// `--delete`.
    pub delete: bool,
    /// `--checksum`: a same-sized pair compared by content.
    pub checksum: bool,
}

/// What to do about one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Copy the source entry to the destination.
    Copy(Entry),
    /// Delete the destination entry.
    Delete(Entry),
    /// Compare the source entry with the destination entry (the same size) by content, and copy it if they
    /// differ; `otherwise`: copy it if nothing comparable is stored (the size and time rule's answer).
    Compare {
        /// The source entry.
        src: Entry,
        /// The destination entry.
        dst: Entry,
        /// What the size and time rule says.
        otherwise: bool,
    },
}

/// Whether the entry at both sides is to be copied.
fn differs(direction: Direction, rules: &Rules, src: &Entry, dst: &Entry) -> bool {
    if src.size != dst.size {
        return true;
    }
    if rules.size_only {
        return false;
    }
    match direction {
        Direction::Upload | Direction::Copy => dst.time < src.time,
        Direction::Download if rules.exact_timestamps => dst.time != src.time,
        Direction::Download => dst.time > src.time,
    }
}

/// The decision for one key, present at the source, the destination, or both.
pub fn decide(direction: Direction, rules: &Rules, src: Option<&Entry>, dst: Option<&Entry>) -> Option<Step> {
    match (src, dst) {
        (Some(s), None) => Some(Step::Copy(s.clone())),
        (Some(s), Some(d)) if rules.checksum && s.size == d.size => (s.size > 0).then(|| Step::Compare {
            src: s.clone(),
            dst: d.clone(),
            otherwise: differs(direction, rules, s, d),
        }),
        (Some(s), Some(d)) => differs(direction, rules, s, d).then(|| Step::Copy(s.clone())),
        (None, Some(d)) if rules.delete => Some(Step::Delete(d.clone())),
        _ => None,
    }
}

/// Two key-ordered streams joined by key: each key once, with the entry of each side that has it. A stream
/// that goes out of order (or gives a key twice) ends the join with an error, in every build: the join would
/// otherwise miss keys, and a sync would delete what it missed.
pub struct Join<A: Iterator, B: Iterator> {
    src: Peekable<A>,
    dst: Peekable<B>,
    last: (Option<String>, Option<String>),
    failed: bool,
}

impl<A: Iterator, B: Iterator> std::fmt::Debug for Join<A, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Join")
            .field("last", &self.last)
            .finish_non_exhaustive()
    }
}

/// Joins `src` and `dst`, each of `Result<Entry>` in key order.
pub fn join<A, B>(src: A, dst: B) -> Join<A, B>
where
    A: Iterator<Item = Result<Entry>>,
    B: Iterator<Item = Result<Entry>>,
{
    Join {
        src: src.peekable(),
        dst: dst.peekable(),
        last: (None, None),
        failed: false,
    }
}

/// A side of the join whose next item may be an error, taken then.
trait ErrorFirst {
    fn error(&mut self) -> Option<Error>;
}

impl<I: Iterator<Item = Result<Entry>>> ErrorFirst for Peekable<I> {
    fn error(&mut self) -> Option<Error> {
        match self.peek() {
            Some(Err(_)) => self.next().and_then(Result::err),
            _ => None,
        }
    }
}

/// A pair of the join: the entries of one key.
pub type Pair = (Option<Entry>, Option<Entry>);

/// Takes `entry` as the next of one side, whose last key was `last`; an error if it does not come after.
fn in_order(side: &str, last: &mut Option<String>, entry: &Option<Entry>) -> Result<()> {
    let Some(e) = entry else { return Ok(()) };
    if let Some(l) = last
        && e.key.as_bytes() <= l.as_bytes()
    {
        return Err(Error::data(format!(
            "the {side}'s entries are out of order ({:?} after {:?}); nothing more is compared",
            crate::codec::redact::sanitize(&e.key, 200),
            crate::codec::redact::sanitize(l, 200)
        )));
    }
    *last = Some(e.key.clone());
    Ok(())
}

impl<A, B> Iterator for Join<A, B>
where
    A: Iterator<Item = Result<Entry>>,
    B: Iterator<Item = Result<Entry>>,
{
    type Item = Result<Pair>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        // An error ends the join: what either side gives after it cannot be compared (a listing that broke
        // off would make every later key look missing, and a sync would delete it).
        for side in [&mut self.src as &mut dyn ErrorFirst, &mut self.dst] {
            if let Some(e) = side.error() {
                self.failed = true;
                return Some(Err(e));
            }
        }
        let order = match (self.src.peek(), self.dst.peek()) {
            (None, None) => return None,
            (Some(Ok(_)), None) => Ordering::Less,
            (None, Some(Ok(_))) => Ordering::Greater,
            (Some(Ok(s)), Some(Ok(d))) => s.key.as_bytes().cmp(d.key.as_bytes()),
            // Errors were taken above.
            _ => return None,
        };
        let pair = match order {
            Ordering::Less => (self.src.next().and_then(Result::ok), None),
            Ordering::Greater => (None, self.dst.next().and_then(Result::ok)),
            Ordering::Equal => (
                self.src.next().and_then(Result::ok),
                self.dst.next().and_then(Result::ok),
            ),
        };
        let checked = in_order("source", &mut self.last.0, &pair.0)
            .and_then(|()| in_order("destination", &mut self.last.1, &pair.1));
        if let Err(e) = checked {
            self.failed = true;
            return Some(Err(e));
        }
        Some(Ok(pair))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn e(key: &str, size: u64, secs: u64) -> Entry {
        Entry {
            key: key.into(),
            size,
            time: SystemTime::UNIX_EPOCH + Duration::from_secs(secs),
            listed: None,
        }
    }

    #[test]
    fn the_aws_cli_rules() {
        let r = Rules::default();
        let up = Direction::Upload;
        let down = Direction::Download;
        let copy = |s: Option<Step>| matches!(s, Some(Step::Copy(_)));
        assert!(copy(decide(up, &r, Some(&e("a", 1, 10)), None)));
        assert!(copy(decide(up, &r, Some(&e("a", 1, 10)), Some(&e("a", 2, 10)))));
        assert!(
            copy(decide(up, &r, Some(&e("a", 1, 11)), Some(&e("a", 1, 10)))),
            "source newer"
        );
        assert_eq!(
            decide(up, &r, Some(&e("a", 1, 10)), Some(&e("a", 1, 11))),
            None,
            "source older"
        );
        assert_eq!(decide(up, &r, Some(&e("a", 1, 10)), Some(&e("a", 1, 10))), None);
        assert_eq!(
            decide(down, &r, Some(&e("a", 1, 11)), Some(&e("a", 1, 10))),
            None,
            "object newer"
        );
        assert!(
            copy(decide(down, &r, Some(&e("a", 1, 10)), Some(&e("a", 1, 11)))),
            "local newer"
        );
        let exact = Rules {
            exact_timestamps: true,
            ..r
        };
        assert!(copy(decide(
            down,
            &exact,
            Some(&e("a", 1, 11)),
            Some(&e("a", 1, 10))
        )));
        let size_only = Rules { size_only: true, ..r };
        assert_eq!(
            decide(up, &size_only, Some(&e("a", 1, 99)), Some(&e("a", 1, 10))),
            None
        );
        assert_eq!(decide(up, &r, None, Some(&e("a", 1, 10))), None);
        let delete = Rules { delete: true, ..r };
        assert!(matches!(
            decide(up, &delete, None, Some(&e("a", 1, 10))),
            Some(Step::Delete(_))
        ));
        // --checksum: the same size is compared, whatever the times; another size is copied; empty is equal.
        let sum = Rules { checksum: true, ..r };
        assert!(matches!(
            decide(up, &sum, Some(&e("a", 1, 10)), Some(&e("a", 1, 11))),
            Some(Step::Compare { otherwise: false, .. })
        ));
        assert!(matches!(
            decide(up, &sum, Some(&e("a", 1, 11)), Some(&e("a", 1, 10))),
            Some(Step::Compare { otherwise: true, .. })
        ));
        assert!(copy(decide(up, &sum, Some(&e("a", 1, 10)), Some(&e("a", 2, 10)))));
        assert_eq!(decide(up, &sum, Some(&e("a", 0, 99)), Some(&e("a", 0, 10))), None);
    }

    #[test]
    fn the_join_pairs_keys_in_byte_order() {
        let src: Vec<Result<Entry>> = vec![Ok(e("a", 1, 1)), Ok(e("a-b", 1, 1)), Ok(e("a/c", 1, 1))];
        let dst: Vec<Result<Entry>> = vec![Ok(e("a-b", 2, 1)), Ok(e("z", 1, 1))];
        let keys: Vec<(Option<String>, Option<String>)> = join(src.into_iter(), dst.into_iter())
            .map(|p| p.expect("no error"))
            .map(|(s, d)| (s.map(|e| e.key), d.map(|e| e.key)))
            .collect();
        assert_eq!(
            keys,
            vec![
                (Some("a".into()), None),
                (Some("a-b".into()), Some("a-b".into())),
                (Some("a/c".into()), None),
                (None, Some("z".into())),
            ]
        );
        let bad: Vec<Result<Entry>> = vec![Err(Error::data("listing failed"))];
        let mut j = join(bad.into_iter(), std::iter::empty());
        assert!(j.next().is_some_and(|r| r.is_err()));
        // Nothing after an error: a destination key after the source's failure is no "only at the destination".
        let src: Vec<Result<Entry>> = vec![Ok(e("a", 1, 1)), Err(Error::data("page 2 failed"))];
        let dst: Vec<Result<Entry>> = vec![Ok(e("a", 1, 1)), Ok(e("b", 1, 1))];
        let got: Vec<Result<Pair>> = join(src.into_iter(), dst.into_iter()).collect();
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[1].is_err());
    }

    #[test]
    fn the_join_refuses_a_side_out_of_order_in_every_build() {
        // UTF-16 order (as some gateways sort): the emoji before the fullwidth mark; UTF-8 order is the reverse.
        let src: Vec<Result<Entry>> = vec![Ok(e("d/\u{1F600}", 1, 1)), Ok(e("d/\u{FF01}", 1, 1))];
        let dst: Vec<Result<Entry>> = vec![Ok(e("d/\u{FF01}", 1, 1)), Ok(e("d/\u{1F600}", 1, 1))];
        let got: Vec<Result<Pair>> = join(src.into_iter(), dst.into_iter()).collect();
        assert!(got.last().is_some_and(|r| r.is_err()), "{got:?}");
        assert!(
            got.iter().filter(|r| r.is_err()).count() == 1,
            "the join ends at the breach"
        );
        let twice: Vec<Result<Entry>> = vec![Ok(e("a", 1, 1)), Ok(e("a", 1, 1))];
        let got: Vec<Result<Pair>> = join(std::iter::empty(), twice.into_iter()).collect();
        assert!(got.last().is_some_and(|r| r.is_err()), "a key twice");
    }
}
