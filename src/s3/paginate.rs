//! One paginator for every S3 listing. Each page's answer is checked before it is given out: a token (or
//! marker) seen on any earlier page is a loop, a truncated page without one would silently end the listing
//! early, and each listing's own order rule must hold (a merge join over a listing that breaks it would miss
//! keys, and a sync would then delete what it missed). Any breach is an error naming the bucket and the page,
//! and the listing ends there.
//!
//! Memory: the current page, and a 64-bit hash of each token seen (not the tokens).

use crate::error::{Error, ErrorKind, Result};
use crate::s3::client::S3;
use crate::s3::operation::Operation;
use crate::s3::request::S3Request;
use crate::transport::request::Response;
use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

/// Where the next page starts: the query parameters that carry it (`continuation-token`, or `key-marker`
/// and `upload-id-marker`, ...), in the order they are sent.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cursor(pub Vec<(&'static str, String)>);

impl Cursor {
    /// A cursor of one parameter.
    pub fn one(name: &'static str, value: impl Into<String>) -> Self {
        Cursor(vec![(name, value.into())])
    }

    /// The request with the cursor's parameters added.
    pub fn apply(cursor: Option<&Cursor>, req: S3Request) -> S3Request {
        match cursor {
            None => req,
            Some(c) => {
                let pairs: Vec<(&str, &str)> = c.0.iter().map(|(n, v)| (*n, v.as_str())).collect();
                req.query(&pairs)
            }
        }
    }
}

/// One page as a listing reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// What the page lists.
    pub items: T,
    /// Whether the server says more pages follow (`IsTruncated`, or a token where there is no such flag).
    pub truncated: bool,
    /// Where the next page starts, as the server gave it.
    pub next: Option<Cursor>,
}

/// How the entries of a listing are ordered, across its pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Strictly increasing in UTF-8 byte order: no key twice (ListObjectsV2, which joins consume).
    Increasing,
    /// Never decreasing: a key may repeat (ListMultipartUploads, ListObjectVersions).
    NonDecreasing,
    /// No order promised (ListBuckets, which moto answers in creation order; directory buckets).
    Any,
}

/// The entries seen so far of one ordered sequence of a listing.
#[derive(Clone, Debug, Default)]
pub struct Sequence {
    last: Option<Vec<u8>>,
}

impl Sequence {
    /// Takes the next entry `key` under `rule`; why not, if it breaks the rule.
    pub fn admit(&mut self, rule: Rule, key: &[u8]) -> std::result::Result<(), String> {
        let ok = match (&self.last, rule) {
            (_, Rule::Any) | (None, _) => true,
            (Some(last), Rule::Increasing) => key > last.as_slice(),
            (Some(last), Rule::NonDecreasing) => key >= last.as_slice(),
        };
        if !ok {
            let last = String::from_utf8_lossy(self.last.as_deref().unwrap_or_default()).into_owned();
            let how = if self.last.as_deref() == Some(key) {
                "repeats"
            } else {
                "is out of order after"
            };
            return Err(format!(
                "the key {:?} {how} {:?}",
                crate::codec::redact::sanitize(&String::from_utf8_lossy(key), 200),
                crate::codec::redact::sanitize(&last, 200)
            ));
        }
        if rule != Rule::Any {
            self.last = Some(key.to_vec());
        }
        Ok(())
    }
}

/// A listed name, decoded when the answer says it is URL-encoded (`EncodingType=url`, asked by every listing
/// as botocore asks it); `field` names it in the error.
pub fn decoded(text: &str, encoded: bool, field: &str) -> Result<String> {
    if !encoded {
        return Ok(text.to_owned());
    }
    crate::codec::percent::decode_plus(text)
        .ok_or_else(|| Error::data(format!("a listed {field} is not URL-encoded UTF-8")))
}

/// `IsTruncated`: `true` or `false` (absent: `false`); anything else is an error, not a guess.
pub fn truncated(doc: &crate::codec::xml::Element) -> Result<bool> {
    match doc.child_text("IsTruncated").map(str::trim) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(Error::data(format!(
            "IsTruncated is {:?}, not true or false",
            crate::codec::redact::sanitize(other, 40)
        ))),
    }
}

/// A listing: how its pages are asked for and read, and the order its entries keep.
pub trait Listing {
    /// What one page lists.
    type Items;
    /// The listing's order state across pages.
    type Order: Default;

    /// The listing as errors name it: `ListObjectsV2 s3://bucket/prefix`.
    fn what(&self) -> String;

    /// The request for the page that starts at `cursor` (the first page: none).
    fn request(&self, cursor: Option<&Cursor>) -> S3Request;

    /// Reads one page.
    fn parse(&self, body: &[u8]) -> Result<Page<Self::Items>>;

    /// Checks the page's entries against the listing's order rule, after those of the pages before.
    fn check_order(&self, items: &Self::Items, order: &mut Self::Order) -> std::result::Result<(), String>;
}

/// One page of a listing, as an operation.
struct PageOf<'l, L> {
    listing: &'l L,
    cursor: Option<&'l Cursor>,
}

impl<L: Listing> Operation for PageOf<'_, L> {
    type Output = Page<L::Items>;

    fn request(&self) -> S3Request {
        self.listing.request(self.cursor)
    }

    fn what(&self) -> String {
        self.listing.what()
    }

    fn parse(&self, resp: Response) -> Result<Page<L::Items>> {
        self.listing.parse(&resp.body)
    }
}

/// The pages of a listing, one at a time, each checked; the first breach is the last item.
pub struct Pages<'c, 'a, L: Listing> {
    s3: &'c S3<'a>,
    listing: L,
    cursor: Option<Cursor>,
    seen: HashSet<u64>,
    order: L::Order,
    page: usize,
    done: bool,
}

impl<L: Listing> std::fmt::Debug for Pages<'_, '_, L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("what", &self.listing.what())
            .field("page", &self.page)
            .finish_non_exhaustive()
    }
}

impl<'a> S3<'a> {
    /// The pages of `listing`, one at a time, each checked before it is given out.
    pub fn pages<L: Listing>(&self, listing: L) -> Pages<'_, 'a, L> {
        Pages {
            s3: self,
            listing,
            cursor: None,
            seen: HashSet::new(),
            order: L::Order::default(),
            page: 0,
            done: false,
        }
    }
}

/// A listing that broke its rules (`what` as [`Listing::what`] names it, at `page`): a data error with the hint
/// every such breach gives.
pub fn breach(what: &str, page: usize, why: impl std::fmt::Display) -> Error {
    Error::data(format!("{what}: page {page}: {why}; the listing is incomplete"))
        .with_hint("the server's listing is broken; report it to the store's operator")
}

impl<L: Listing> Pages<'_, '_, L> {
    /// Whether the listing has ended: its last page was given out, or an error was.
    pub fn ended(&self) -> bool {
        self.done
    }

    fn breach(&self, why: impl std::fmt::Display) -> Error {
        breach(&self.listing.what(), self.page, why)
    }

    fn next_page(&mut self) -> Result<L::Items> {
        self.page += 1;
        let page = self
            .s3
            .run(&PageOf {
                listing: &self.listing,
                cursor: self.cursor.as_ref(),
            })
            .map_err(|e| match e.service_facts() {
                // An answer that cannot be read is the listing's breach too, named by its page.
                None if e.kind() == ErrorKind::Data => self.breach(e.message()),
                _ => e,
            })?;
        // Where the next page starts is checked first: a page sent again is a loop before it is a repeat.
        let next = match (page.truncated, page.next) {
            (false, _) => None,
            (true, None) => return Err(self.breach("the page is truncated but names no next page")),
            (true, Some(next)) => {
                let mut h = DefaultHasher::new();
                next.hash(&mut h);
                if !self.seen.insert(h.finish()) {
                    return Err(self.breach("the server sent the same continuation token twice"));
                }
                Some(next)
            }
        };
        self.listing
            .check_order(&page.items, &mut self.order)
            .map_err(|why| self.breach(why))?;
        self.done = next.is_none();
        self.cursor = next;
        Ok(page.items)
    }
}

impl<L: Listing> Iterator for Pages<'_, '_, L> {
    type Item = Result<L::Items>;

    fn next(&mut self) -> Option<Result<L::Items>> {
        if self.done {
            return None;
        }
        let r = self.next_page();
        if r.is_err() {
            self.done = true;
        }
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_by_its_own_order() {
        let mut s = Sequence::default();
        assert!(s.admit(Rule::Increasing, "d/！".as_bytes()).is_ok());
        // UTF-16 order puts the emoji first; UTF-8 byte order puts it after.
        assert!(s.admit(Rule::Increasing, "d/😀".as_bytes()).is_ok());
        let mut s = Sequence::default();
        assert!(s.admit(Rule::Increasing, "d/😀".as_bytes()).is_ok());
        assert!(s.admit(Rule::Increasing, "d/！".as_bytes()).is_err());
        let mut s = Sequence::default();
        assert!(s.admit(Rule::Increasing, b"a").is_ok());
        let e = s.admit(Rule::Increasing, b"a").expect_err("repeat");
        assert!(e.contains("repeats"), "{e}");
        let mut s = Sequence::default();
        assert!(s.admit(Rule::NonDecreasing, b"a").is_ok());
        assert!(s.admit(Rule::NonDecreasing, b"a").is_ok());
        assert!(s.admit(Rule::NonDecreasing, b"0").is_err());
        let mut s = Sequence::default();
        assert!(s.admit(Rule::Any, b"b").is_ok() && s.admit(Rule::Any, b"a").is_ok());
    }
}
