//! Writing a file so that no reader ever sees it half-written: a temporary file in the same folder, mode 0600,
//! flushed to disk, then renamed over the target. A path that is a symbolic link (dotfile repositories do
//! this) is followed and its target replaced; a dangling link or a loop is an error.

use crate::error::{Error, Result};
use std::fs::{self, DirBuilder, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// Replaces the file at `path` with `contents`, atomically, mode 0600; creates its folder (0700) if missing.
/// `display` is the path as the user knows it, for messages.
pub fn write_file(path: &Path, display: &str, contents: &[u8]) -> Result<()> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let target = write_target(path, display)?;
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fail = |what: &str, e: io::Error| {
        Error::config(format!("{display}: cannot {what}: {e}"))
            .with_hint("check that you own the folder and can write to it")
            .with_source(e)
    };
    if !dir.exists() {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| fail("create its folder", e))?;
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.awl-{}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| fail("create a temporary file beside it", e))?;
        f.write_all(contents).map_err(|e| fail("write", e))?;
        f.sync_all().map_err(|e| fail("flush", e))?;
        fs::rename(&tmp, &target).map_err(|e| fail("replace", e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
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
