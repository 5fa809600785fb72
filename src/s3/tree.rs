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
//! A bucket with no folders costs what the plain listing costs (the split listing is it). Small folders are
//! where splitting loses: a request per folder where one page would hold many of them (100,000 folders of a
//! key each would take 100,000 requests instead of 100). So once the last [`FOLDERS_AT_ONCE`] folders listed
//! held fewer keys together than one page, the rest is listed plainly from the last key given out
//! (`start-after`): at most that many requests more than a plain listing, never a request per small folder.
//! Memory: one page of the split listing (read ahead of the folders being
//! listed, never ahead of its own keys), and at most two pages of each folder being listed, whatever the
//! number of keys.

use crate::error::Result;
use crate::s3::client::S3;
use crate::s3::ops::list_objects::{ListObjectsV2, ObjectInfo, ObjectPage};
use crate::s3::paginate::{Listing, Pages, Rule, Sequence, breach};
use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, sync_channel};
use std::thread::Scope;

/// Folders listed at once: the AWS CLI's 10 requests in flight.
pub const FOLDERS_AT_ONCE: usize = 10;

/// Levels gone down at most while a prefix holds a single folder and nothing else.
pub const DEEPEST: usize = 8;

/// Keys a page holds unless asked otherwise: folders that together hold fewer are listed plainly.
const PAGE: usize = 1000;

/// A folder's pages, as its listing's thread sends them.
type Feed = Receiver<Result<Vec<ObjectInfo>>>;

/// What comes next in key order: keys listed beside the folders, or a folder (its listing, once started).
enum Slot {
    Objects(Vec<ObjectInfo>),
    Folder(String, Option<Feed>),
}

/// A page of the split listing in key order: its keys and folders merged (each list is sorted; a folder sorts
/// where its name does), consecutive keys kept together.
fn slots(page: ObjectPage) -> Vec<Slot> {
    let mut out = Vec::new();
    let mut folders = page.prefixes.into_iter().peekable();
    let mut run = Vec::new();
    for o in page.objects {
        while let Some(f) = folders.next_if(|f| f.as_bytes() < o.key.as_bytes()) {
            if !run.is_empty() {
                out.push(Slot::Objects(std::mem::take(&mut run)));
            }
            out.push(Slot::Folder(f, None));
        }
        run.push(o);
    }
    if !run.is_empty() {
        out.push(Slot::Objects(run));
    }
    out.extend(folders.map(|f| Slot::Folder(f, None)));
    out
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
}

impl Out<'_> {
    /// Gives out a folder's pages as its listing sends them: the number of keys, or `None` to stop.
    fn drain(&mut self, feed: Feed) -> Result<Option<usize>> {
        let mut keys = 0;
        for page in feed {
            let page = page?;
            keys += page.len();
            if !self.give(page)? {
                return Ok(None);
            }
        }
        Ok(Some(keys))
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

/// The listing at `/` to split at, from `flat`'s prefix down while a prefix holds one folder and nothing else:
/// its first page, and the pages after it.
fn split_level<'c, 'a>(
    s3: &'c S3<'a>,
    flat: &ListObjectsV2,
) -> Result<(Option<ObjectPage>, Pages<'c, 'a, ListObjectsV2>)> {
    let mut split = ListObjectsV2 {
        delimiter: Some("/".to_owned()),
        ..flat.clone()
    };
    let mut pages = s3.pages(split.clone());
    let mut first = pages.next().transpose()?;
    for _ in 0..DEEPEST {
        match &first {
            Some(p) if pages.ended() && p.objects.is_empty() && p.prefixes.len() == 1 => {
                split.prefix = p.prefixes[0].clone();
                pages = s3.pages(split.clone());
                first = pages.next().transpose()?;
            }
            _ => break,
        }
    }
    Ok((first, pages))
}

/// Starts listing `folder` whole (as `flat` lists, under that prefix) on a thread of `scope`.
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
    scope.spawn(move || {
        for page in s3.pages(sub) {
            let failed = page.is_err();
            // A closed channel: the listing ended early (an error elsewhere, or nobody reads on).
            if tx.send(page.map(|p| p.objects)).is_err() || failed {
                break;
            }
        }
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
    let (first, pages) = split_level(s3, &flat)?;
    let what = format!("{} (folder by folder)", flat.what());
    let mut split_pages = first.into_iter().map(Ok).chain(pages);
    let mut out = Out {
        what: &what,
        each,
        order: Sequence::default(),
        given: 0,
        last: None,
    };
    // The keys of the folders listed last, FOLDERS_AT_ONCE of them at most.
    let mut recent = VecDeque::new();
    let page = listing.max_keys.map_or(PAGE, |n| n as usize);
    std::thread::scope(|scope| {
        let (mut queue, mut listing, mut split_done) = (VecDeque::new(), 0usize, false);
        loop {
            // The split listing read on when nothing waits, and ahead while only a few folders do (so that
            // more can start); never ahead of keys waiting to be given out, so a listing without folders holds
            // one page, as a plain one does.
            while !split_done
                && queue.len() < FOLDERS_AT_ONCE
                && queue.iter().all(|s| matches!(s, Slot::Folder(..)))
            {
                match split_pages.next() {
                    None => split_done = true,
                    Some(page) => queue.extend(slots(page?)),
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
                    match out.drain(feed)? {
                        Some(keys) => keys,
                        None => return Ok(()),
                    }
                }
            };
            if recent.len() == FOLDERS_AT_ONCE {
                recent.pop_front();
            }
            recent.push_back(keys);
            if recent.len() == FOLDERS_AT_ONCE && recent.iter().sum::<usize>() < page {
                // Small folders: the rest in plain pages (the folders started are let go).
                drop(queue);
                let rest = ListObjectsV2 {
                    start_after: out.last.clone(),
                    ..flat.clone()
                };
                return plainly(s3, rest, &mut |p| out.give(p));
            }
        }
    })
}

/// [`list_tree`] on a thread of `scope`, its pages given out in key order as they come (one waits at most):
/// for a caller that pulls pages, as the sync engine's join does. Dropping the iterator ends the listing (its
/// requests in flight are let finish); an error is the last item.
pub fn tree_pages<'scope, 'env>(
    scope: &'scope Scope<'scope, 'env>,
    s3: &'env S3<'env>,
    listing: ListObjectsV2,
) -> impl Iterator<Item = Result<Vec<ObjectInfo>>> + 'scope {
    let (tx, rx) = sync_channel(1);
    scope.spawn(move || {
        let listed = list_tree(s3, &listing, &mut |objects| Ok(tx.send(Ok(objects)).is_ok()));
        if let Err(e) = listed {
            let _ = tx.send(Err(e));
        }
    });
    rx.into_iter()
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
        }
    }

    fn shape(slots: &[Slot]) -> Vec<String> {
        slots
            .iter()
            .map(|s| match s {
                Slot::Objects(o) => o.iter().map(|o| o.key.as_str()).collect::<Vec<_>>().join(","),
                Slot::Folder(f, _) => format!("[{f}]"),
            })
            .collect()
    }

    #[test]
    fn keys_and_folders_merge_where_their_names_sort() {
        // "a.txt" < "a/" ('.' before '/'), "a/" < "a0"; "z" after every folder.
        let s = slots(page(&["a.txt", "a0", "b", "z"], &["a/", "c/", "d/"]));
        assert_eq!(shape(&s), ["a.txt", "[a/]", "a0,b", "[c/]", "[d/]", "z"]);
        assert_eq!(shape(&slots(page(&[], &["x/"]))), ["[x/]"]);
        assert_eq!(shape(&slots(page(&["k"], &[]))), ["k"]);
        assert!(slots(page(&[], &[])).is_empty());
    }
}
