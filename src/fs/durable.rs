//! Making a rename last: a file's bytes are flushed before it is renamed into place, but the rename itself
//! is a change of its folder, which a crash can lose until the folder is flushed too. [`sync_folder`] flushes
//! a folder for every rename made in it so far, sharing each flush among the threads that wait for one (a
//! group commit): while one `fsync` of a folder runs, the renames that come meanwhile wait for the next, which
//! covers them all. A run of 20,000 small downloads in 20 folders then costs a flush per folder per batch,
//! not one per file, and no file is reported done before its name is on disk.

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, OnceLock};

/// One folder's renames: how many asked for a flush, how many a finished flush covers, and whether one runs.
#[derive(Debug, Default)]
struct Folder {
    asked: u64,
    covered: u64,
    running: bool,
    /// Threads waiting on this folder; the entry goes when none are left, so memory stays flat.
    waiting: usize,
}

/// The folders with renames waiting for a flush.
#[derive(Debug, Default)]
struct Flushes {
    folders: Mutex<HashMap<PathBuf, Folder>>,
    done: Condvar,
}

/// The process's flushes: one group per folder, whoever renames into it.
fn flushes() -> &'static Flushes {
    static FLUSHES: OnceLock<Flushes> = OnceLock::new();
    FLUSHES.get_or_init(Flushes::default)
}

/// Flushes `dir` to disk once a rename into it is done, so that the rename survives a crash; returns when a
/// flush that began after the call has ended. Threads renaming into the same folder share flushes: one runs
/// while the others wait for it or for the next.
pub(crate) fn sync_folder(dir: &Path) -> io::Result<()> {
    sync_with(flushes(), dir, &|d| File::open(d)?.sync_all())
}

fn sync_with(f: &Flushes, dir: &Path, flush: &dyn Fn(&Path) -> io::Result<()>) -> io::Result<()> {
    let mut folders = f.folders.lock().unwrap_or_else(|p| p.into_inner());
    let ticket = {
        let entry = folders.entry(dir.to_owned()).or_default();
        entry.asked += 1;
        entry.waiting += 1;
        entry.asked
    };
    let result = loop {
        let entry = folders.entry(dir.to_owned()).or_default();
        if entry.covered >= ticket {
            break Ok(());
        }
        if entry.running {
            folders = f.done.wait(folders).unwrap_or_else(|p| p.into_inner());
            continue;
        }
        // This thread flushes for every rename asked so far, its own included.
        entry.running = true;
        let upto = entry.asked;
        drop(folders);
        let flushed = flush(dir);
        folders = f.folders.lock().unwrap_or_else(|p| p.into_inner());
        let entry = folders.entry(dir.to_owned()).or_default();
        entry.running = false;
        f.done.notify_all();
        match flushed {
            Ok(()) => entry.covered = entry.covered.max(upto),
            // The others it would have covered try again themselves, and hear their own error.
            Err(e) => break Err(e),
        }
    };
    if let Some(entry) = folders.get_mut(dir) {
        entry.waiting -= 1;
        if entry.waiting == 0 && !entry.running {
            folders.remove(dir);
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Barrier};

    #[test]
    fn threads_share_flushes_and_each_waits_for_one_begun_after_it() {
        let f = Flushes::default();
        let flushed = AtomicUsize::new(0);
        // Every thread's rename is counted before it asks; a flush records how many renames it saw begin.
        let renamed = AtomicUsize::new(0);
        let seen_by_flush = Mutex::new(Vec::new());
        let threads = 32;
        let start = Barrier::new(threads);
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    start.wait();
                    let mine = renamed.fetch_add(1, Ordering::SeqCst) + 1;
                    sync_with(&f, Path::new("/d"), &|_| {
                        let n = renamed.load(Ordering::SeqCst);
                        flushed.fetch_add(1, Ordering::SeqCst);
                        std::thread::yield_now();
                        seen_by_flush.lock().unwrap().push(n);
                        Ok(())
                    })
                    .expect("flushed");
                    // Some flush that ended before this returned saw this thread's rename.
                    assert!(seen_by_flush.lock().unwrap().iter().any(|&n| n >= mine));
                });
            }
        });
        let n = flushed.load(Ordering::SeqCst);
        assert!((1..=threads).contains(&n), "{n} flushes");
        assert!(f.folders.lock().unwrap().is_empty(), "no folder kept");
    }

    #[test]
    fn a_failed_flush_is_the_flushers_error_and_the_others_flush_again() {
        let f = Arc::new(Flushes::default());
        let calls = AtomicUsize::new(0);
        let fail_first = |_: &Path| {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                Err(io::Error::other("disk full"))
            } else {
                Ok(())
            }
        };
        assert!(sync_with(&f, Path::new("/d"), &fail_first).is_err());
        sync_with(&f, Path::new("/d"), &fail_first).expect("the next flush works");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert!(f.folders.lock().unwrap().is_empty());
    }

    #[test]
    fn a_real_folder_is_flushed() {
        let dir = std::env::temp_dir();
        sync_folder(&dir).expect("the temporary folder can be flushed");
        assert!(sync_folder(&dir.join("no-such-folder-awl")).is_err());
    }
}
