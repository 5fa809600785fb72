//! Walking a local tree for `cp --recursive` and `sync`: every regular file under a folder, as a key under
//! the root, in the byte order S3 lists keys in (each folder's entries sorted, a subfolder as its name and
//! `/`), so that the walk joins a listing without holding either in memory. Links are followed, as the AWS
//! CLI does (skipped with `--no-follow-symlinks`), a loop of them detected; anything that is not a regular
//! file or a folder (a FIFO, a device, a socket, a dangling link) and anything unreadable is skipped with a
//! warning, as are names that are not UTF-8.

use crate::s3::sync::plan::Entry;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Something the walk passed over, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The path.
    pub path: PathBuf,
    /// Why, as a clause (`it is a FIFO`).
    pub why: String,
}

/// One folder of the walk: its entries still to visit (names and whether each is a folder), sorted.
struct Level {
    dir: PathBuf,
    key: String,
    /// The folder's (device, inode): a link back to it is a loop.
    id: (u64, u64),
    entries: std::vec::IntoIter<(String, bool)>,
}

/// The walk: an iterator of files (as entries, with their paths) and skips.
pub struct Walk {
    levels: Vec<Level>,
    follow: bool,
    /// Skips found while reading a folder, reported before its files.
    pending: Vec<Skipped>,
}

impl std::fmt::Debug for Walk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Walk")
            .field("depth", &self.levels.len())
            .finish_non_exhaustive()
    }
}

fn kind(m: &fs::Metadata) -> &'static str {
    let t = m.file_type();
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

/// The entries of `dir`, sorted by name with a `/` after folders (S3's key order); the ones that cannot be
/// read as names or kinds are reported in `skipped`.
fn entries(dir: &Path, follow: bool, skipped: &mut Vec<Skipped>) -> std::io::Result<Vec<(String, bool)>> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir)? {
        let e = e?;
        let path = e.path();
        let Ok(name) = e.file_name().into_string() else {
            skipped.push(Skipped {
                path,
                why: "its name is not UTF-8".into(),
            });
            continue;
        };
        let is_link = e.file_type().is_ok_and(|t| t.is_symlink());
        if is_link && !follow {
            continue;
        }
        let is_dir = fs::metadata(&path).is_ok_and(|m| m.is_dir());
        out.push((name, is_dir));
    }
    out.sort_by(|a, b| {
        let key = |(n, d): &(String, bool)| if *d { format!("{n}/") } else { n.clone() };
        key(a).as_bytes().cmp(key(b).as_bytes())
    });
    Ok(out)
}

impl Walk {
    /// A walk of the tree under `root`; `follow` follows links.
    pub fn new(root: &Path, follow: bool) -> Self {
        let mut walk = Walk {
            levels: Vec::new(),
            follow,
            pending: Vec::new(),
        };
        let mut skipped = Vec::new();
        match fs::metadata(root).and_then(|m| Ok((m, entries(root, follow, &mut skipped)?))) {
            Ok((m, list)) => walk.levels.push(Level {
                dir: root.to_owned(),
                key: String::new(),
                id: (m.dev(), m.ino()),
                entries: list.into_iter(),
            }),
            Err(e) => skipped.push(Skipped {
                path: root.to_owned(),
                why: format!("it cannot be read ({e})"),
            }),
        }
        walk.pending = skipped;
        walk
    }
}

impl Iterator for Walk {
    /// A file with its path, or something skipped.
    type Item = Result<(Entry, PathBuf), Skipped>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(s) = self.pending.pop() {
                return Some(Err(s));
            }
            let level = self.levels.last_mut()?;
            let Some((name, is_dir)) = level.entries.next() else {
                self.levels.pop();
                continue;
            };
            let path = level.dir.join(&name);
            let key = format!("{}{name}", level.key);
            let skip = |why: String| {
                Some(Err(Skipped {
                    path: path.clone(),
                    why,
                }))
            };
            let meta = match fs::metadata(&path) {
                Ok(m) => m,
                Err(e) => return skip(format!("it cannot be read ({e})")),
            };
            if is_dir {
                let id = (meta.dev(), meta.ino());
                if self.levels.iter().any(|l| l.id == id) {
                    return skip("it links back to a folder above it (a loop)".into());
                }
                match entries(&path, self.follow, &mut self.pending) {
                    Ok(list) => self.levels.push(Level {
                        dir: path.clone(),
                        key: format!("{key}/"),
                        id,
                        entries: list.into_iter(),
                    }),
                    Err(e) => return skip(format!("it cannot be read ({e})")),
                }
                continue;
            }
            if !meta.is_file() {
                return skip(format!("it is {}", kind(&meta)));
            }
            let time = meta.modified().unwrap_or(std::time::UNIX_EPOCH);
            return Some(Ok((
                Entry {
                    key,
                    size: meta.len(),
                    time,
                    listed: None,
                },
                path,
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn files_in_key_order_links_followed_loops_and_fifos_skipped() {
        let root = std::env::temp_dir().join(format!("awl-walk-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("a/sub")).expect("dirs");
        for f in ["a-b", "a/x", "a/sub/y", "z"] {
            fs::write(root.join(f), f).expect("file");
        }
        symlink(&root, root.join("a/loop")).expect("loop");
        symlink(root.join("z"), root.join("link")).expect("link");
        let fifo = root.join("fifo");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .is_ok_and(|s| s.success())
        );
        let (mut keys, mut skips) = (Vec::new(), Vec::new());
        for item in Walk::new(&root, true) {
            match item {
                Ok((e, _)) => keys.push(e.key),
                Err(s) => skips.push(s.why),
            }
        }
        assert_eq!(keys, ["a-b", "a/sub/y", "a/x", "link", "z"]);
        assert!(
            skips.iter().any(|w| w.contains("loop")) && skips.iter().any(|w| w.contains("FIFO")),
            "{skips:?}"
        );
        let keys: Vec<String> = Walk::new(&root, false).flatten().map(|(e, _)| e.key).collect();
        assert_eq!(keys, ["a-b", "a/sub/y", "a/x", "z"], "links skipped");
        let _ = fs::remove_dir_all(&root);
    }
}
