//! Every file awl writes goes through here, so that no reader ever sees one half-written: a [`PendingFile`]
//! under a temporary name beside its target (a random name, created exclusively, never an existing file),
//! flushed to disk, then renamed over the target; removed if the write does not complete.
//!
//! [`write_file`] (config files, the credential cache) writes mode 0600 and follows a target that is a
//! symbolic link (dotfile repositories do this), replacing the link's final target; a dangling link or a
//! loop is an error.

use crate::error::{Error, ErrorKind, Result};
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The file the write must replace: `path` itself, or the final target of the links it names.
fn write_target(path: &Path, display: &str) -> Result<PathBuf> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(path.to_owned()),
        Err(e) => Err(Error::config(format!("{display}: cannot inspect: {e}")).with_source(e)),
        Ok(meta) if !meta.file_type().is_symlink() => Ok(path.to_owned()),
        Ok(_) => fs::canonicalize(path).map_err(|e| {
            let to = fs::read_link(path)
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            let what = if e.raw_os_error() == Some(40) {
                "links in a loop".to_owned()
            } else {
                format!("which does not exist ({e})")
            };
            Error::config(format!("{display} is a symbolic link to {to}, {what}"))
                .with_hint("fix or remove the link, then run the command again")
                .with_source(e)
        }),
    }
}

/// 16 hex digits that another user cannot guess: from the kernel's random source, or, where that cannot be
/// read (a bare chroot), a hash of the clock, the process id and a stack address.
fn unguessable() -> String {
    let mut bytes = [0u8; 8];
    let read = File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if read.is_err() {
        use sha2::{Digest, Sha256};
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let local = 0u8;
        let seed = format!("{now}:{}:{:p}", std::process::id(), &raw const local);
        bytes.copy_from_slice(&Sha256::digest(seed.as_bytes())[..8]);
    }
    hex::encode(bytes)
}

/// A file being written under a temporary name in its target's folder. [`commit`](Self::commit) flushes it and
/// renames it over the target; dropped uncommitted, it is removed.
#[derive(Debug)]
pub struct PendingFile {
    file: File,
    tmp: PathBuf,
    target: PathBuf,
    display: String,
    kind: ErrorKind,
    committed: bool,
}

impl PendingFile {
    /// A new, empty temporary file with `mode` beside `target` (a file, not a link to follow); `display` is
    /// the target as the user knows it, and errors are of `kind`.
    pub fn beside(target: &Path, display: &str, mode: u32, kind: ErrorKind) -> Result<Self> {
        let dir = target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.awl-{}.tmp", unguessable()));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&tmp)
            .map_err(|e| fail(kind, display, "create a temporary file beside it", e))?;
        Ok(PendingFile {
            file,
            tmp,
            target: target.to_owned(),
            display: display.to_owned(),
            kind,
            committed: false,
        })
    }

    /// The open temporary file, to write to.
    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// An error of this write: `display: cannot WHAT: e`.
    pub fn error(&self, what: &str, e: io::Error) -> Error {
        fail(self.kind, &self.display, what, e)
    }

    /// Flushes the file to disk and renames it over the target.
    pub fn commit(mut self) -> Result<()> {
        self.file.sync_all().map_err(|e| self.error("flush", e))?;
        fs::rename(&self.tmp, &self.target).map_err(|e| self.error("replace", e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: the write already failed, and that is what is reported.
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

fn fail(kind: ErrorKind, display: &str, what: &str, e: io::Error) -> Error {
    let err = Error::new(kind, format!("{display}: cannot {what}: {e}")).with_source(e);
    if kind == ErrorKind::Config {
        err.with_hint("check that you own the folder and can write to it")
    } else {
        err
    }
}

/// Replaces the file at `path` with `contents`, atomically, mode 0600; creates its folder (0700) if missing.
/// `display` is the path as the user knows it, for messages.
pub fn write_file(path: &Path, display: &str, contents: &[u8]) -> Result<()> {
    let target = write_target(path, display)?;
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.exists() {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| fail(ErrorKind::Config, display, "create its folder", e))?;
    }
    let mut pending = PendingFile::beside(&target, display, 0o600, ErrorKind::Config)?;
    pending
        .file()
        .write_all(contents)
        .map_err(|e| fail(ErrorKind::Config, display, "write", e))?;
    pending.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("awl-atomic-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).expect("metadata").permissions().mode() & 0o777
    }

    #[test]
    fn writes_0600_and_creates_the_folder_0700() {
        let dir = scratch("new");
        let path = dir.join(".aws/credentials");
        write_file(&path, "~/.aws/credentials", b"[default]\n").expect("writes");
        assert_eq!(fs::read(&path).ok().as_deref(), Some(&b"[default]\n"[..]));
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.join(".aws")), 0o700);
        // An existing, wider file is narrowed to 0600 and nothing else is left in the folder.
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
        write_file(&path, "~/.aws/credentials", b"x").expect("rewrites");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(fs::read_dir(dir.join(".aws")).map(Iterator::count).ok(), Some(1));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn follows_a_symlink_and_replaces_its_target() {
        let dir = scratch("link");
        fs::create_dir_all(dir.join("dotfiles")).expect("dir");
        fs::write(dir.join("dotfiles/config"), "old").expect("target");
        symlink(dir.join("dotfiles/config"), dir.join("config")).expect("link");
        write_file(&dir.join("config"), "config", b"new").expect("writes");
        assert!(
            fs::symlink_metadata(dir.join("config"))
                .expect("meta")
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            fs::read_to_string(dir.join("dotfiles/config")).ok().as_deref(),
            Some("new")
        );
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_dangling_link_or_a_loop_is_an_error() {
        let dir = scratch("bad");
        symlink(dir.join("nowhere"), dir.join("dangling")).expect("link");
        let e = write_file(&dir.join("dangling"), "dangling", b"x").expect_err("dangling");
        assert!(e.message().contains("which does not exist"), "{}", e.message());
        symlink(dir.join("b"), dir.join("a")).expect("a");
        symlink(dir.join("a"), dir.join("b")).expect("b");
        let e = write_file(&dir.join("a"), "a", b"x").expect_err("loop");
        assert!(e.message().contains("links in a loop"), "{}", e.message());
        assert!(!dir.join("nowhere").exists());
        let _ = fs::remove_dir_all(&dir);
    }
}
