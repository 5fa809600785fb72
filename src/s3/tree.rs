//! A recursive listing of a prefix, folder by folder at once, given out in key order. ListObjectsV2 is one
//! page after another: 10,000 keys wait for ten round trips in a row, and a store that walks everything
//! under the prefix for each page (s3s-fs, and stores on plain files like it) pays for the whole prefix ten
//! times. So the prefix is first listed at `/` (its own keys and its folders), and each folder is then listed
//! whole, [`FOLDERS_AT_ONCE`] at a time, each through the one paginator. A prefix that holds only one folder
//! (`data/`) is split one level down instead, at most [`DEEPEST`] levels. A folder's keys all sort right
//! where its name sorts among the keys and folders beside it, so the pages come out in key order; that order
//! is checked again over everything given out, so a server that answers folders and keys inconsistently
//! (a key twice, out of order) ends the listing with an error, never a silently wrong one.
//!
//! Splitting trusts the folder names a server gives, so it is given up wherever they cannot be trusted, and
//! the rest is listed plainly from the last key given out (`start-after`; keys up to it dropped, for a store
//! that ignores it): a name that is not one folder right below the prefix, a folder that lists nothing (a
//! name the server spelled otherwise than its keys: stores that leave CommonPrefixes unencoded under
//! `encoding-type=url`, or a folder gone since), a folder listing a key outside it, a split or folder listing
//! refused (AccessDenied from a policy on `s3:delimiter`, 400, 501) or broken (a delimiter listing that
//! repeats a folder across pages), a listing thread that could not start or ended without saying so, and a
//! name that URL-decoding moved later in the order (`caf%C3%A9/` to `café/`: had the store sent it
//! unencoded, its keys would sort where it was sent, before keys already given out). Only the plain
//! listing's own failures, and any other error (5xx after retries, the network, a signal), end the run.
//!
//! A bucket with no folders costs what the plain listing costs (the split listing is it); one with folders
//! costs one round trip more than a plain listing when it would fit on one page. (Asking the plain first page
//! beside the split, to give a one-page listing in one round trip, was tried and dropped: a store on plain
//! files walks the whole tree for a plain page, 0.5-0.8 s at 10,000 objects on s3s-fs, where the split and
//! its folders took 0.3 s in all.) Small folders are where splitting loses: a request per folder where one
//! page would hold many of them (100,000 folders of a key each would take 100,000 requests instead of 100).
//! So once the last [`FOLDERS_AT_ONCE`] folders listed held fewer keys together than one page, the rest is
//! listed plainly too: at most that many requests more than a plain listing, never a request per small
//! folder. Memory: one page of the split listing (read ahead of the folders being listed, never ahead of its
//! own keys), and at most two pages of each folder being listed, whatever the number of keys.

use crate::error::{Error, ErrorKind, Result};
use crate::s3::client::S3;
use crate::s3::ops::list_objects::{ListObjectsV2, ObjectInfo, ObjectPage};
use crate::s3::paginate::{Listing, Pages, Rule, Sequence, breach};
use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, sync_channel};
use std::thread::{Builder, Scope};

/// Folders listed at once: the AWS CLI's 10 requests in flight.
pub const FOLDERS_AT_ONCE: usize = 10;

/// Levels gone down at most while a prefix holds a single folder and nothing else.
pub const DEEPEST: usize = 8;

/// Keys a page holds unless asked otherwise: folders that together hold fewer are listed plainly.
const PAGE: usize = 1000;

/// What a listing's thread sends: a page, or that it ended complete (a channel closed without it: the thread
/// failed).
#[derive(Debug)]
enum Msg {
    Page(Vec<ObjectInfo>),
    End,
}

/// A folder's pages, as its listing's thread sends them.
type Feed = Receiver<Result<Msg>>;

/// What comes next in key order: keys listed beside the folders, a folder (its listing, once started), or
/// the point from which the rest is listed plainly.
enum Slot {
    Objects(Vec<ObjectInfo>),
    Folder(String, Option<Feed>),
    Plain,
}

/// Whether a split or folder listing's error says only that this store is not to be listed folder by folder
/// (the plain listing then decides): a broken answer, or a refusal of the request's shape.
fn unusable(e: &Error) -> bool {
    e.kind() == ErrorKind::Data || matches!(e.status(), Some(400 | 403 | 501))
}

/// Whether `name` (a CommonPrefix) names one folder right below `prefix`: it starts with it and ends at its
/// first `/` after it.
fn folder_below(prefix: &str, name: &str) -> bool {
    name.strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix('/'))
        .is_some_and(|mid| !mid.contains('/'))
}

/// A page of the split listing of `prefix` in key order: its keys and folders merged (a folder's keys all
/// sort where its name does), consecutive keys kept together. A folder's name is as decoded, but a store may
/// have sent it unencoded, and then its keys sort where the name as sent does: where that is earlier (`%`
/// before a letter, a digit or a byte of UTF-8: `caf%C3%A9/` read as `café/`), which spelling is the name
/// cannot be told without asking, so the plain listing takes over there, before anything past it is given
/// out. So does a name that is no folder right below `prefix`, at the earlier of its two spellings. (A name
/// that decoding moved earlier, `a+b/` read as `a b/`, is listed where it was decoded: were the store's name
/// the other one, that folder lists nothing, which hands over too, before anything past it.)
fn slots(page: ObjectPage, prefix: &str) -> Vec<Slot> {
    let mut placed: Vec<(String, Slot)> = Vec::new();
    for (i, name) in page.prefixes.into_iter().enumerate() {
        let sent = page.spelled.get(i).cloned().unwrap_or_else(|| name.clone());
        if !folder_below(prefix, &name) || sent < name {
            placed.push((sent.min(name), Slot::Plain));
        } else {
            placed.push((name.clone(), Slot::Folder(name, None)));
        }
    }
    for o in page.objects {
        placed.push((o.key.clone(), Slot::Objects(vec![o])));
    }
    // Byte order, as S3 sorts (and as `String` compares).
    placed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<Slot> = Vec::new();
    for (_, slot) in placed {
        match (out.last_mut(), slot) {
            (Some(Slot::Objects(run)), Slot::Objects(more)) => run.extend(more),
            (_, slot) => out.push(slot),
        }
    }
    out
}

/// How a folder's listing went.
enum Drained {
    /// Given out whole: this many keys.
    Keys(usize),
    /// The caller said stop.
    Stop,
    /// Not to be trusted: the rest is listed plainly.
    Unsure,
}

/// Where the pages go: each checked in order after all given before, then passed on.
struct Out<'o> {
    what: &'o str,
    each: &'o mut dyn FnMut(Vec<ObjectInfo>) -> Result<bool>,
    order: Sequence,
    given: usize,
    /// The last key given out.
    last: Option<String>,
}

impl Out<'_> {
    /// Gives out a page; whether to go on.
    fn give(&mut self, objects: Vec<ObjectInfo>) -> Result<bool> {
        self.given += 1;
        for o in &objects {
            self.order
                .admit(Rule::Increasing, o.key.as_bytes())
                .map_err(|why| breach(self.what, self.given, why))?;
        }
        if let Some(o) = objects.last() {
            self.last = Some(o.key.clone());
        }
        (self.each)(objects)
    }

    /// Gives out the pages of `folder`'s listing as its thread sends them.
    fn drain(&mut self, folder: &str, feed: Feed) -> Result<Drained> {
        let mut keys = 0;
        for msg in feed {
            match msg {
                Ok(Msg::Page(page)) => {
                    if page.iter().any(|o| !o.key.starts_with(folder)) {
                        return Ok(Drained::Unsure);
                    }
                    keys += page.len();
                    if !self.give(page)? {
                        return Ok(Drained::Stop);
                    }
                }
                Ok(Msg::End) if keys > 0 => return Ok(Drained::Keys(keys)),
                Ok(Msg::End) => return Ok(Drained::Unsure),
                Err(e) if unusable(&e) => return Ok(Drained::Unsure),
                Err(e) => return Err(e),
            }
        }
        Ok(Drained::Unsure)
    }

    /// The rest of `flat` in plain pages, after the last key given out.
    fn rest(&mut self, s3: &S3<'_>, flat: &ListObjectsV2) -> Result<()> {
        let rest = ListObjectsV2 {
            start_after: self.last.clone().or_else(|| flat.start_after.clone()),
            ..flat.clone()
        };
        for page in s3.pages(rest) {
            let mut objects = page?.objects;
            // A store that ignores start-after lists from the start: what was given out is not given again.
            if let Some(last) = &self.last {
                objects.retain(|o| o.key.as_str() > last.as_str());
            }
            if !objects.is_empty() && !self.give(objects)? {
                break;
            }
        }
        Ok(())
    }
}

/// `listing`'s pages one after another to `each`, until it says stop.
fn plainly(
    s3: &S3<'_>,
    listing: ListObjectsV2,
    each: &mut dyn FnMut(Vec<ObjectInfo>) -> Result<bool>,
) -> Result<()> {
    for page in s3.pages(listing) {
        if !each(page?.objects)? {
            break;
        }
    }
    Ok(())
}

/// The first page of a split listing; `None` when the store is not to be listed so (see [`unusable`]).
fn first_page(pages: &mut Pages<'_, '_, ListObjectsV2>) -> Result<Option<Option<ObjectPage>>> {
    match pages.next().transpose() {
        Ok(first) => Ok(Some(first)),
        Err(e) if unusable(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The listing at `/` to split at, from `flat`'s prefix down while a prefix holds one folder and nothing
/// else: its prefix, first page and the pages after it; `None` to list plainly.
fn split_level<'c, 'a>(s3: &'c S3<'a>, flat: &ListObjectsV2) -> Result<Split<'c, 'a>> {
    let mut split = ListObjectsV2 {
        delimiter: Some("/".to_owned()),
        ..flat.clone()
    };
    let mut pages = s3.pages(split.clone());
    let Some(mut first) = first_page(&mut pages)? else {
        return Ok(None);
    };
    for _ in 0..DEEPEST {
        match &first {
            Some(p) if pages.ended() && p.objects.is_empty() && p.prefixes.len() == 1 => {
                let below = p.prefixes[0].clone();
                if !folder_below(&split.prefix, &below) {
                    return Ok(None);
                }
                split.prefix = below;
                pages = s3.pages(split.clone());
                first = match first_page(&mut pages)? {
                    // A level that lists nothing: the name was not the one its keys have.
                    Some(Some(p)) if !(p.objects.is_empty() && p.prefixes.is_empty()) => Some(p),
                    _ => return Ok(None),
                };
            }
            _ => break,
        }
    }
    Ok(Some((split.prefix, first, pages)))
}

/// What [`split_level`] finds: the prefix to split, its first page and the pages after it; `None` to list
/// plainly.
type Split<'c, 'a> = Option<(String, Option<ObjectPage>, Pages<'c, 'a, ListObjectsV2>)>;

/// Starts listing `folder` whole (as `flat` lists, under that prefix) on a thread of `scope`; a thread that
/// cannot start leaves the feed closed without its end.
fn start<'scope, 'env>(
    scope: &'scope Scope<'scope, 'env>,
    s3: &'env S3<'env>,
    flat: &ListObjectsV2,
    folder: &str,
) -> Feed {
    // One page waits in the channel and one is being read: two pages a folder at most.
    let (tx, rx) = sync_channel(1);
    let sub = ListObjectsV2 {
        prefix: folder.to_owned(),
        ..flat.clone()
    };
    let _ = Builder::new().spawn_scoped(scope, move || {
        for page in s3.pages(sub) {
            let failed = page.is_err();
            // A closed channel: the listing ended early (an error elsewhere, or nobody reads on).
            if tx.send(page.map(|p| Msg::Page(p.objects))).is_err() || failed {
                return;
            }
        }
        let _ = tx.send(Ok(Msg::End));
    });
    rx
}

/// Every object under `listing`'s prefix (its delimiter not used), a page at a time in key order, to `each`,
/// which says whether to go on. Directory buckets, which list in no order, are listed plainly.
pub fn list_tree(
    s3: &S3<'_>,
    listing: &ListObjectsV2,
    each: &mut dyn FnMut(Vec<ObjectInfo>) -> Result<bool>,
) -> Result<()> {
    let flat = ListObjectsV2 {
        delimiter: None,
        ..listing.clone()
    };
    if !flat.ordered() {
        return plainly(s3, flat, each);
    }
    let what = format!("{} (folder by folder)", flat.what());
    let mut out = Out {
        what: &what,
        each,
        order: Sequence::default(),
        given: 0,
        last: None,
    };
    let Some((prefix, first, pages)) = split_level(s3, &flat)? else {
        return out.rest(s3, &flat);
    };
    let mut split_pages = first.into_iter().map(Ok).chain(pages);
    // The keys of the folders listed last, FOLDERS_AT_ONCE of them at most.
    let mut recent = VecDeque::new();
    let page = listing.max_keys.map_or(PAGE, |n| n as usize);
    std::thread::scope(|scope| {
        let (mut queue, mut listing, mut split_done) = (VecDeque::new(), 0usize, false);
        loop {
            // The split listing read on when nothing waits, and ahead while only a few folders do (so that
            // more can start); never ahead of keys waiting to be given out, so a listing without folders
            // holds one page, as a plain one does.
            while !split_done
                && queue.len() < FOLDERS_AT_ONCE
                && queue.iter().all(|s| matches!(s, Slot::Folder(..)))
            {
                match split_pages.next() {
                    None => split_done = true,
                    Some(Ok(page)) => queue.extend(slots(page, &prefix)),
                    Some(Err(e)) if unusable(&e) => {
                        queue.push_back(Slot::Plain);
                        split_done = true;
                    }
                    Some(Err(e)) => return Err(e),
                }
            }
            // The folders nearest the front started, up to FOLDERS_AT_ONCE listing at once.
            for slot in queue.iter_mut() {
                if listing >= FOLDERS_AT_ONCE {
                    break;
                }
                if let Slot::Folder(name, feed @ None) = slot {
                    *feed = Some(start(scope, s3, &flat, name));
                    listing += 1;
                }
            }
            let keys = match queue.pop_front() {
                None => return Ok(()),
                Some(Slot::Plain) => None,
                Some(Slot::Objects(objects)) => match out.give(objects)? {
                    true => continue,
                    false => return Ok(()),
                },
                Some(Slot::Folder(name, feed)) => {
                    let feed = feed.unwrap_or_else(|| {
                        listing += 1;
                        start(scope, s3, &flat, &name)
                    });
                    listing -= 1;
                    match out.drain(&name, feed)? {
                        Drained::Keys(keys) => Some(keys),
                        Drained::Stop => return Ok(()),
                        Drained::Unsure => None,
                    }
                }
            };
            if let Some(keys) = keys {
                if recent.len() == FOLDERS_AT_ONCE {
                    recent.pop_front();
                }
                recent.push_back(keys);
            }
            // Small folders, or a split not to be trusted: the rest in plain pages (the folders started are
            // let go).
            let small = recent.len() == FOLDERS_AT_ONCE && recent.iter().sum::<usize>() < page;
            if keys.is_none() || small {
                drop(queue);
                return out.rest(s3, &flat);
            }
        }
    })
}

/// [`list_tree`] on a thread of `scope` ([`tree_pages`]), its pages as they come.
#[derive(Debug)]
pub struct TreePages {
    pages: Receiver<Result<Msg>>,
    ended: bool,
}

impl Iterator for TreePages {
    type Item = Result<Vec<ObjectInfo>>;

    fn next(&mut self) -> Option<Result<Vec<ObjectInfo>>> {
        if self.ended {
            return None;
        }
        let item = match self.pages.recv() {
            Ok(Ok(Msg::Page(page))) => return Some(Ok(page)),
            Ok(Ok(Msg::End)) => None,
            Ok(Err(e)) => Some(Err(e)),
            // Never taken for the end: a listing cut short would look complete, and a sync would delete.
            Err(_) => Some(Err(Error::new(
                ErrorKind::Other,
                "the listing stopped before its end: its thread could not start or failed",
            ))),
        };
        self.ended = true;
        item
    }
}

/// [`list_tree`] on a thread of `scope`, its pages given out in key order as they come (one waits at most):
/// for a caller that pulls pages, as the sync engine's join does. Dropping the iterator ends the listing (its
/// requests in flight are let finish); an error is the last item, and so is a thread that ended without
/// saying the listing was complete.
pub fn tree_pages<'scope, 'env>(
    scope: &'scope Scope<'scope, 'env>,
    s3: &'env S3<'env>,
    listing: ListObjectsV2,
) -> TreePages {
    let (tx, rx) = sync_channel(1);
    let _ = Builder::new().spawn_scoped(scope, move || {
        let listed = list_tree(s3, &listing, &mut |objects| {
            Ok(tx.send(Ok(Msg::Page(objects))).is_ok())
        });
        let _ = tx.send(listed.map(|()| Msg::End));
    });
    TreePages {
        pages: rx,
        ended: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    fn page(keys: &[&str], folders: &[&str]) -> ObjectPage {
        ObjectPage {
            objects: keys
                .iter()
                .map(|k| ObjectInfo {
                    key: (*k).to_owned(),
                    size: 0,
                    last_modified: SystemTime::UNIX_EPOCH,
                    etag: None,
                    checksum_algorithm: None,
                })
                .collect(),
            prefixes: folders.iter().map(|f| (*f).to_owned()).collect(),
            spelled: Vec::new(),
        }
    }

    #[test]
    fn a_name_whose_decoding_moved_it_later_hands_over_where_it_was_sent() {
        // `d/caf%C3%A9/` (sent) sorts before `d/cafe.txt`, `d/café/` (decoded) after it: a store that sent the
        // name unencoded has its keys before `d/cafe.txt`, so the plain listing takes over before it.
        let p = |keys: &[&str], names: &[(&str, &str)]| ObjectPage {
            spelled: names.iter().map(|(sent, _)| (*sent).to_owned()).collect(),
            ..page(keys, &names.iter().map(|(_, name)| *name).collect::<Vec<_>>())
        };
        let s = slots(p(&["d/cafe.txt"], &[("d/caf%C3%A9/", "d/café/")]), "d/");
        assert_eq!(shape(&s), ["plain", "d/cafe.txt"]);
        // Decoding `+` to a space moves it earlier: the folder itself comes first.
        let s = slots(p(&["d/a0"], &[("d/a+b/", "d/a b/")]), "d/");
        assert_eq!(shape(&s), ["[d/a b/]", "d/a0"]);
        // `d/x%2Fy/` decodes to two levels down: plainly, from where it was sent (before `d/x.txt`).
        let s = slots(p(&["d/x.txt"], &[("d/x%2Fy/", "d/x/y/")]), "d/");
        assert_eq!(shape(&s), ["plain", "d/x.txt"]);
    }

    fn shape(slots: &[Slot]) -> Vec<String> {
        slots
            .iter()
            .map(|s| match s {
                Slot::Objects(o) => o.iter().map(|o| o.key.as_str()).collect::<Vec<_>>().join(","),
                Slot::Folder(f, _) => format!("[{f}]"),
                Slot::Plain => "plain".to_owned(),
            })
            .collect()
    }

    #[test]
    fn keys_and_folders_merge_where_their_names_sort() {
        // "a.txt" < "a/" ('.' before '/'), "a/" < "a0"; "z" after every folder.
        let s = slots(page(&["a.txt", "a0", "b", "z"], &["a/", "c/", "d/"]), "");
        assert_eq!(shape(&s), ["a.txt", "[a/]", "a0,b", "[c/]", "[d/]", "z"]);
        assert_eq!(shape(&slots(page(&[], &["x/"]), "")), ["[x/]"]);
        assert_eq!(shape(&slots(page(&["k"], &[]), "")), ["k"]);
        assert!(slots(page(&[], &[]), "").is_empty());
    }

    #[test]
    fn a_name_that_is_no_folder_right_below_hands_over_to_the_plain_listing() {
        // Under `d/`: `d/a/` and `d//` are folders; `e/` (outside), `d/a/b/` (two down), `d/x` are not.
        let s = slots(page(&["d/k"], &["d//", "d/a/", "d/a/b/", "d/x", "e/"]), "d/");
        assert_eq!(shape(&s), ["[d//]", "[d/a/]", "plain", "d/k", "plain", "plain"]);
    }

    #[test]
    fn a_feed_closed_without_its_end_is_not_a_complete_folder() {
        let mut each = |_: Vec<ObjectInfo>| Ok(true);
        let mut out = Out {
            what: "ListObjectsV2 s3://b/",
            each: &mut each,
            order: Sequence::default(),
            given: 0,
            last: None,
        };
        let (tx, rx) = sync_channel(2);
        tx.send(Ok(Msg::Page(page(&["a/1"], &[]).objects))).expect("sent");
        drop(tx);
        assert!(matches!(out.drain("a/", rx), Ok(Drained::Unsure)));
        let (tx, rx) = sync_channel(2);
        tx.send(Ok(Msg::Page(page(&["b/1"], &[]).objects))).expect("sent");
        tx.send(Ok(Msg::End)).expect("sent");
        assert!(matches!(out.drain("b/", rx), Ok(Drained::Keys(1))));
        // A key outside the folder, or a folder that lists nothing: not trusted.
        let (tx, rx) = sync_channel(2);
        tx.send(Ok(Msg::Page(page(&["c0"], &[]).objects))).expect("sent");
        assert!(matches!(out.drain("c/", rx), Ok(Drained::Unsure)));
        let (tx, rx) = sync_channel(2);
        tx.send(Ok(Msg::End)).expect("sent");
        assert!(matches!(out.drain("d/", rx), Ok(Drained::Unsure)));
        let pages = TreePages {
            pages: {
                let (tx, rx) = sync_channel(1);
                drop(tx);
                rx
            },
            ended: false,
        };
        let items: Vec<_> = pages.collect();
        assert!(
            items.len() == 1 && items[0].is_err(),
            "a thread gone without its end is an error"
        );
    }
}
