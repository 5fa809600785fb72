//! Every file awl writes goes through here, and every file it reads as configuration, so that neither can be
//! steered by the place awl runs in.
//!
//! Writes: a [`PendingFile`] under a random temporary name beside its target (`.NAME.awl-<16 hex>.tmp`, the
//! name cut to fit 255 bytes), created exclusively and never through a link (`O_CREAT|O_EXCL|O_NOFOLLOW`),
//! registered with the run's interruption so that a signal removes it, flushed, then renamed over the target.
//! [`edit_locked`] (the AWS config files) reads the file again under a lock that every awl editing it shares,
//! applies one change to that text, and follows a target that is a link to a regular file (dotfile
//! repositories do this), replacing the file it names; [`replace_file`] (the credential cache) replaces a link
//! itself, never writing through it; a download into a device or a FIFO writes in place ([`Download`]), as
//! the AWS CLI does. A [`scratch`] file (what a big sync must set aside) has no name once open.
//!
//! Reads: [`read_regular`] opens without blocking (a FIFO cannot hang it), reads only a regular file, and
//! stops at a size cap (`/dev/zero` cannot fill memory).

use crate::error::{Error, ErrorKind, Result};
use crate::interrupt::{Interrupt, Registration};
use std::ffi::{OsStr, OsString};
use std::fs::{self, DirBuilder, File, OpenOptions, TryLockError};
use std::io::{self, Read, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod durable;
mod scratch;
pub use scratch::scratch;

/// `open(2)` flags std has no names for. Their values differ between architectures; a test opens a link and a
/// FIFO with them, so a wrong value fails the build's tests.
#[cfg(all(
    target_os = "linux",
    any(
        target_arch = "aarch64",
        target_arch = "arm",
        target_arch = "powerpc",
        target_arch = "powerpc64"
    )
))]
const O_NOFOLLOW: i32 = 0o100_000;
#[cfg(all(
    target_os = "linux",
    any(
        target_arch = "x86_64",
        target_arch = "x86",
        target_arch = "riscv64",
        target_arch = "s390x",
        target_arch = "loongarch64"
    )
))]
const O_NOFOLLOW: i32 = 0o400_000;
#[cfg(target_os = "linux")]
const O_NONBLOCK: i32 = 0o4000;
#[cfg(target_os = "macos")]
const O_NOFOLLOW: i32 = 0x100;
#[cfg(target_os = "macos")]
const O_NONBLOCK: i32 = 0x4;

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

/// The longest file name, in bytes, that Linux's and macOS's file systems take (`NAME_MAX`).
const NAME_MAX: usize = 255;

/// `.NAME.TAIL` in at most `limit` bytes: a name beside `name` that stays recognisable as awl's (`TAIL` starts
/// with `awl-`) however long `name` is. `NAME` is cut as far as needed, never inside a UTF-8 character, so
/// that a name the folder holds always has room for its temporary file.
fn sibling_name(name: &OsStr, tail: &str, limit: usize) -> OsString {
    let bytes = name.as_bytes();
    let room = limit.saturating_sub(tail.len() + 2);
    let mut end = bytes.len().min(room);
    // A byte 0b10xxxxxx continues a character: cutting before it would split that character.
    while end > 0 && end < bytes.len() && bytes[end] & 0xC0 == 0x80 {
        end -= 1;
    }
    let mut out = Vec::with_capacity(end + tail.len() + 2);
    out.push(b'.');
    out.extend_from_slice(&bytes[..end]);
    out.push(b'.');
    out.extend_from_slice(tail.as_bytes());
    OsString::from_vec(out)
}

/// How a file is written: its mode, the kind of its errors, and the interruption that removes it if a signal
/// comes first.
#[derive(Clone, Copy, Debug)]
pub struct Rules<'a> {
    /// The mode of a new file (before the umask).
    pub mode: u32,
    /// The kind of the errors (configuration for the AWS files, transfer for downloads).
    pub kind: ErrorKind,
    /// The run's interruption, if any.
    pub interrupt: Option<&'a Arc<Interrupt>>,
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
    // Dropped after the file is removed or renamed: until then a signal removes it.
    _registration: Option<Registration>,
}

impl PendingFile {
    /// A new, empty temporary file beside `target` (which is not followed if it is a link: the rename replaces
    /// the link); `display` is the target as the user knows it.
    pub fn beside(target: &Path, display: &str, rules: &Rules<'_>) -> Result<Self> {
        let dir = target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = target.file_name().unwrap_or_default();
        // First within NAME_MAX; should the folder's file system take less (eCryptfs: 143 bytes), then within
        // the length of the target's own name, which that folder is about to hold.
        let mut limit = NAME_MAX;
        loop {
            let tmp = dir.join(sibling_name(name, &format!("awl-{}.tmp", unguessable()), limit));
            // Registered before it exists, so that no moment leaves it unknown to a signal.
            let registration = match rules.interrupt {
                Some(i) => Some(i.register_file(tmp.clone()).ok_or_else(|| {
                    Error::interrupted(format!("{display}: not written: the run is being interrupted"))
                })?),
                None => None,
            };
            // Read too: a download in parts is hashed back from it in order.
            let opened = OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .custom_flags(O_NOFOLLOW)
                .mode(rules.mode)
                .open(&tmp);
            match opened {
                Ok(file) => {
                    return Ok(PendingFile {
                        file,
                        tmp,
                        target: target.to_owned(),
                        display: display.to_owned(),
                        kind: rules.kind,
                        committed: false,
                        _registration: registration,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::InvalidFilename && limit > name.len() => {
                    limit = name.len();
                }
                Err(e) => return Err(fail(rules.kind, display, "create a temporary file beside it", e)),
            }
        }
    }

    /// The open temporary file, to write to.
    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// An error of this write: `display: cannot WHAT: e`.
    pub fn error(&self, what: &str, e: io::Error) -> Error {
        fail(self.kind, &self.display, what, e)
    }

    /// Flushes the file to disk, renames it over the target, then flushes the folder (one flush shared by the
    /// renames into it meanwhile), so that once this returns a crash loses neither the bytes nor the name.
    pub fn commit(mut self) -> Result<()> {
        self.file.sync_all().map_err(|e| self.error("flush", e))?;
        fs::rename(&self.tmp, &self.target).map_err(|e| self.error("replace", e))?;
        self.committed = true;
        let dir = self
            .target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        durable::sync_folder(dir).map_err(|e| self.error("flush its folder", e))
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
    let err = Error::io(kind, format_args!("{display}: cannot {what}"), e);
    if kind == ErrorKind::Config {
        err.with_hint("check that you own the folder and can write to it")
    } else {
        err
    }
}

/// What a file type is, for messages: `a FIFO`, `a directory`, ...
fn type_name(t: fs::FileType) -> &'static str {
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

/// The file the write must replace: `path` itself, or the final target of the links it names, which must be
/// a regular file (a link to a device is not written through).
fn write_target(path: &Path, display: &str) -> Result<PathBuf> {
    let target = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(path.to_owned()),
        Err(e) => return Err(Error::config(format!("{display}: cannot inspect: {e}")).with_source(e)),
        Ok(meta) if !meta.file_type().is_symlink() => path.to_owned(),
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
        })?,
    };
    match fs::metadata(&target) {
        Ok(m) if !m.is_file() => Err(Error::config(format!(
            "{display} is {}, not a file awl will replace",
            type_name(m.file_type())
        ))
        .with_hint("point it at a regular file")),
        _ => Ok(target),
    }
}

fn create_dir(dir: &Path, mode: u32, display: &str, kind: ErrorKind) -> Result<()> {
    if dir.as_os_str().is_empty() || dir.exists() {
        return Ok(());
    }
    DirBuilder::new()
        .recursive(true)
        .mode(mode)
        .create(dir)
        .map_err(|e| fail(kind, display, "create its folder", e))
}

fn write_new(target: &Path, display: &str, contents: &[u8]) -> Result<()> {
    let rules = Rules {
        mode: 0o600,
        kind: ErrorKind::Config,
        interrupt: None,
    };
    create_dir(
        target.parent().unwrap_or(Path::new("")),
        0o700,
        display,
        rules.kind,
    )?;
    let mut pending = PendingFile::beside(target, display, &rules)?;
    pending
        .file()
        .write_all(contents)
        .map_err(|e| fail(ErrorKind::Config, display, "write", e))?;
    pending.commit()
}

/// How long [`edit_locked`] waits for another writer's lock: an edit holds it for milliseconds, so only a stuck
/// or hostile holder makes awl wait that long, and then it says so rather than hang.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// The lock that every awl editing a file holds while it reads and replaces it: an exclusive advisory lock
/// (`flock(2)`, through std's `File::lock`) on `.NAME.awl-lock` beside the file, created mode 0600 and never
/// through a link, never written to, and removed by its holder when the edit is over.
#[derive(Debug)]
struct EditLock {
    path: PathBuf,
    // Closed after the name is removed: the lock is let go only then.
    _file: File,
}

impl EditLock {
    /// Takes the lock of `target` (a regular file's path, links resolved), waiting for another holder up to
    /// `wait`; `display` is the file as the user knows it, `shown_as` the target's path in messages.
    fn acquire(target: &Path, display: &str, shown_as: &Path, wait: Duration) -> Result<Self> {
        let dir = target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = sibling_name(target.file_name().unwrap_or_default(), "awl-lock", NAME_MAX);
        let path = dir.join(&name);
        let shown = shown_as.with_file_name(&name).display().to_string();
        let deadline = Instant::now() + wait;
        let mut pause = Duration::from_millis(1);
        loop {
            // O_NONBLOCK: a FIFO planted at the name cannot hang the open (it is refused below).
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .custom_flags(O_NOFOLLOW | O_NONBLOCK)
                .mode(0o600)
                .open(&path)
                .map_err(|e| {
                    if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
                        Error::config(format!(
                            "{display}: not written: its lock file {shown} is a symbolic link, which awl never \
                             follows"
                        ))
                        .with_hint("remove the link: awl creates the lock file itself")
                    } else {
                        fail(ErrorKind::Config, display, &format!("create its lock file {shown}"), e)
                    }
                })?;
            let meta = file
                .metadata()
                .map_err(|e| fail(ErrorKind::Config, display, "inspect its lock file", e))?;
            if !meta.is_file() {
                return Err(Error::config(format!(
                    "{display}: not written: its lock file {shown} is {}",
                    type_name(meta.file_type())
                ))
                .with_hint("remove it: awl creates the lock file itself"));
            }
            loop {
                match file.try_lock() {
                    Ok(()) => break,
                    Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                        std::thread::sleep(pause);
                        pause = (pause * 2).min(Duration::from_millis(20));
                    }
                    Err(TryLockError::WouldBlock) => {
                        return Err(Error::config(format!(
                            "{display}: not written: another program has held its lock file {shown} for {} s",
                            wait.as_secs_f32()
                        ))
                        .with_hint(format!("`fuser -v {shown}` names it")));
                    }
                    Err(TryLockError::Error(e)) => {
                        return Err(fail(ErrorKind::Config, display, "lock its lock file", e));
                    }
                }
            }
            // The holder before may have removed the name while this waited on the file it named: the lock
            // counts only on the file the name names now.
            match fs::symlink_metadata(&path) {
                Ok(now) if now.dev() == meta.dev() && now.ino() == meta.ino() => {
                    return Ok(EditLock { path, _file: file });
                }
                _ => continue,
            }
        }
    }
}

impl Drop for EditLock {
    fn drop(&mut self) {
        // Removed while held, so that no other awl holds a lock on it (see `acquire`); best effort: a lock
        // file left behind is only an empty file, used and removed by the next edit.
        let _ = fs::remove_file(&self.path);
    }
}

/// Edits the file at `path` (`display`: as the user knows it) as one writer among others: under the lock
/// every awl editing it shares (`.NAME.awl-lock` beside the file), reads the file as it is now (empty when
/// missing; a regular UTF-8 file of at most `cap` bytes), gives that text to `edit`, and writes what `edit`
/// returns atomically, mode 0600, following a link to the regular file it names; creates its folder (0700)
/// if missing. `edit` returning `None` writes nothing. Whether the file was written.
pub fn edit_locked(
    path: &Path,
    display: &str,
    cap: u64,
    edit: impl FnOnce(&str) -> Result<Option<String>>,
) -> Result<bool> {
    let target = write_target(path, display)?;
    create_dir(
        target.parent().unwrap_or(Path::new("")),
        0o700,
        display,
        ErrorKind::Config,
    )?;
    // Beside the file replaced, so that two paths to one file share its lock; shown as the user's path when
    // that names the file itself.
    let shown_as = if target == path {
        Path::new(display)
    } else {
        &target
    };
    let lock = EditLock::acquire(&target, display, shown_as, LOCK_WAIT)?;
    let bytes = match read_regular(&target, cap, Links::Follow) {
        Ok(bytes) => bytes,
        Err(ReadProblem::Missing) => Vec::new(),
        Err(p) => {
            return Err(Error::config(format!(
                "{display}: cannot read: {p}; nothing was written"
            )));
        }
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        Error::config(format!(
            "{display}: not UTF-8 text (byte {}); nothing was written",
            e.utf8_error().valid_up_to()
        ))
        .with_hint("the AWS files are UTF-8 text; save it as UTF-8")
    })?;
    let Some(new) = edit(&text)? else {
        return Ok(false);
    };
    write_new(&target, display, new.as_bytes())?;
    drop(lock);
    Ok(true)
}

/// Replaces the file at `path` with `contents`, atomically, mode 0600, replacing a link itself rather than
/// writing through it; creates its folder (0700) if missing.
pub fn replace_file(path: &Path, display: &str, contents: &[u8]) -> Result<()> {
    write_new(path, display, contents)
}

/// Where a download goes.
#[derive(Debug)]
pub enum Download {
    /// A regular file (or none yet, or a link, which is replaced): a temporary file renamed into place.
    Replace(PendingFile),
    /// A device or FIFO (`/dev/null`, a pipe to another program): written in place, as the AWS CLI does.
    InPlace(File),
}

impl Download {
    /// Opens the destination of a download; its folder is created if missing (as the AWS CLI does).
    pub fn open(dest: &Path, display: &str, interrupt: Option<&Arc<Interrupt>>) -> Result<Self> {
        let kind = ErrorKind::Transfer;
        match fs::metadata(dest) {
            Ok(m)
                if m.file_type().is_char_device()
                    || m.file_type().is_block_device()
                    || m.file_type().is_fifo() =>
            {
                let file = OpenOptions::new()
                    .write(true)
                    .open(dest)
                    .map_err(|e| fail(kind, display, "open it", e))?;
                Ok(Download::InPlace(file))
            }
            Ok(m) if !m.is_file() => Err(Error::transfer(format!(
                "{display} is {}; awl writes a download into a file, a device or a FIFO",
                type_name(m.file_type())
            ))),
            _ => {
                create_dir(dest.parent().unwrap_or(Path::new("")), 0o777, display, kind)?;
                let rules = Rules {
                    mode: 0o666,
                    kind,
                    interrupt,
                };
                Ok(Download::Replace(PendingFile::beside(dest, display, &rules)?))
            }
        }
    }

    /// The file to write to.
    pub fn file(&mut self) -> &mut File {
        match self {
            Download::Replace(p) => p.file(),
            Download::InPlace(f) => f,
        }
    }

    /// Finishes the download: renamed into place, or flushed where it is.
    pub fn commit(self) -> Result<()> {
        match self {
            Download::Replace(p) => p.commit(),
            Download::InPlace(mut f) => f
                .flush()
                .map_err(|e| Error::io(ErrorKind::Transfer, "cannot write the download", e)),
        }
    }
}

/// Whether [`read_regular`] follows a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Links {
    /// Follow it (the config files may be links into a dotfile repository).
    Follow,
    /// Refuse it (a credential cache entry is a plain file).
    Refuse,
}

/// Why [`read_regular`] gave nothing.
#[derive(Debug)]
pub enum ReadProblem {
    /// There is no such file.
    Missing,
    /// The path names the null device (`/dev/null`), which some callers read as an empty file.
    NullDevice,
    /// The path names something else: `a FIFO`, `a directory`, `a symbolic link` (when refused), ...
    NotRegular(&'static str),
    /// Larger than the cap (the cap is given).
    TooLarge(u64),
    /// It could not be read.
    Io(io::Error),
}

impl std::fmt::Display for ReadProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadProblem::Missing => f.write_str("no such file"),
            ReadProblem::NullDevice => f.write_str("it is the null device, not a regular file"),
            ReadProblem::NotRegular(what) => write!(f, "it is {what}, not a regular file"),
            ReadProblem::TooLarge(cap) => write!(f, "it is larger than {} MiB", cap >> 20),
            ReadProblem::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Reads a regular file of at most `cap` bytes, without blocking at the open (on a FIFO, say).
pub fn read_regular(path: &Path, cap: u64, links: Links) -> std::result::Result<Vec<u8>, ReadProblem> {
    let flags = match links {
        Links::Follow => O_NONBLOCK,
        Links::Refuse => O_NONBLOCK | O_NOFOLLOW,
    };
    let file = match OpenOptions::new().read(true).custom_flags(flags).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(ReadProblem::Missing),
        // ELOOP: the last part is a link and links are refused.
        Err(e) if links == Links::Refuse && e.raw_os_error() == Some(40) => {
            return Err(ReadProblem::NotRegular("a symbolic link"));
        }
        Err(e) => return Err(ReadProblem::Io(e)),
    };
    let meta = file.metadata().map_err(ReadProblem::Io)?;
    // Linux's null device is character device 1:3, whatever its name (`/dev/null`, or a copy made by mknod).
    if meta.file_type().is_char_device() && meta.rdev() == (1 << 8 | 3) {
        return Err(ReadProblem::NullDevice);
    }
    if !meta.is_file() {
        return Err(ReadProblem::NotRegular(type_name(meta.file_type())));
    }
    let mut bytes = Vec::with_capacity(meta.len().min(cap) as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadProblem::Io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadProblem::TooLarge(cap));
    }
    Ok(bytes)
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

    /// The whole file replaced by `contents`, through the one writer of the AWS files.
    fn write_file(path: &Path, display: &str, contents: &[u8]) -> Result<()> {
        let contents = String::from_utf8_lossy(contents).into_owned();
        edit_locked(path, display, 1 << 20, |_| Ok(Some(contents))).map(|_| ())
    }

    #[test]
    fn temporary_names_fit_255_bytes_and_cut_no_character() {
        let hex = "0123456789abcdef";
        let tail = format!("awl-{hex}.tmp");
        for name in [
            "a".repeat(255),
            format!("{}x.txt", "é".repeat(125)),
            "日本".repeat(42) + "語", // 255 bytes of 3-byte characters
            "🦀".repeat(63) + "abc",  // 255 bytes of 4-byte characters
            "é".repeat(127) + "x",
        ] {
            assert_eq!(name.len(), 255, "{name}");
            let tmp = sibling_name(OsStr::new(&name), &tail, NAME_MAX);
            let tmp = tmp.to_str().expect("still UTF-8: no character was cut");
            assert!(tmp.len() <= 255 && tmp.len() > 250, "{} bytes", tmp.len());
            let kept = tmp
                .strip_prefix('.')
                .and_then(|t| t.strip_suffix(&format!(".{tail}")))
                .expect(".NAME.awl-HEX.tmp");
            assert!(name.starts_with(kept) && !kept.is_empty(), "{tmp}");
        }
        // A short name is kept whole; a file system of short names gets a name no longer than the target's.
        assert_eq!(
            sibling_name(OsStr::new("a.txt"), &tail, NAME_MAX),
            ".a.txt.awl-0123456789abcdef.tmp"
        );
        let name = "ü".repeat(70);
        let short = sibling_name(OsStr::new(&name), &tail, name.len());
        assert!(short.len() <= name.len() && short.to_str().is_some(), "{short:?}");
        assert_eq!(
            sibling_name(OsStr::new("x"), &tail, 3),
            "..awl-0123456789abcdef.tmp"
        );
        // Bytes that are not UTF-8 are kept as they are, not replaced (which would make them longer).
        let raw = OsStr::from_bytes(&[0xff; 254]);
        let tmp = sibling_name(raw, &tail, NAME_MAX);
        assert!(tmp.len() == 255 && tmp.as_bytes()[1] == 0xff);
    }

    #[test]
    fn a_long_name_gets_a_temporary_and_a_lock_beside_it() {
        let dir = scratch("long");
        let path = dir.join(format!("{}.txt", "é".repeat(125)) + "x");
        write_file(&path, "long", b"[default]\n").expect("writes");
        assert_eq!(fs::read(&path).ok().as_deref(), Some(&b"[default]\n"[..]));
        assert_eq!(fs::read_dir(&dir).map(Iterator::count).ok(), Some(1));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn edits_from_many_writers_at_once_all_land() {
        let dir = scratch("edits");
        let path = dir.join("config");
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    for i in 0..25 {
                        // A separate open file each time, as another process has: flock(2) excludes them.
                        edit_locked(&path, "config", 1 << 20, |text| {
                            Ok(Some(format!("{text}{t}-{i}\n")))
                        })
                        .expect("edits");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        let text = fs::read_to_string(&path).expect("written");
        assert_eq!(text.lines().count(), 200, "{text}");
        // No edit: nothing written; the lock file is gone each time.
        assert_eq!(
            edit_locked(&path, "config", 1 << 20, |_| Ok(None)).ok(),
            Some(false)
        );
        assert_eq!(fs::read_dir(&dir).map(Iterator::count).ok(), Some(1));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_lock_held_too_long_is_an_error_naming_it() {
        let dir = scratch("held");
        let held = File::create(dir.join(".config.awl-lock")).expect("lock file");
        held.lock().expect("locked");
        let target = dir.join("config");
        let wait = Duration::from_millis(100);
        let e = EditLock::acquire(&target, "config", &target, wait).expect_err("held");
        assert!(
            e.message().contains("another program has held its lock file") && e.message().contains("0.1 s"),
            "{}",
            e.message()
        );
        drop(held);
        let lock = EditLock::acquire(&target, "config", &target, wait).expect("let go");
        drop(lock);
        assert!(!dir.join(".config.awl-lock").exists());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_lock_file_is_never_opened_through_a_link_or_a_fifo() {
        let dir = scratch("lock");
        fs::write(dir.join("victim"), "keep").expect("victim");
        symlink(dir.join("victim"), dir.join(".config.awl-lock")).expect("link");
        let e = write_file(&dir.join("config"), "config", b"x").expect_err("a link");
        assert!(
            e.message().contains(".config.awl-lock is a symbolic link"),
            "{}",
            e.message()
        );
        symlink(dir.join("nowhere"), dir.join(".other.awl-lock")).expect("dangling link");
        assert!(write_file(&dir.join("other"), "other", b"x").is_err());
        assert!(!dir.join("nowhere").exists());
        assert!(
            std::process::Command::new("mkfifo")
                .arg(dir.join(".third.awl-lock"))
                .status()
                .is_ok_and(|s| s.success())
        );
        let e = write_file(&dir.join("third"), "third", b"x").expect_err("a FIFO");
        assert!(e.message().contains("is a FIFO"), "{}", e.message());
        assert_eq!(
            fs::read_to_string(dir.join("victim")).ok().as_deref(),
            Some("keep")
        );
        assert!(!dir.join("config").exists() && !dir.join("other").exists());
        let _ = fs::remove_dir_all(&dir);
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
    fn the_open_flags_refuse_links_and_never_block_on_a_fifo() {
        let dir = scratch("flags");
        fs::write(dir.join("file"), "x").expect("file");
        symlink(dir.join("file"), dir.join("link")).expect("link");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(dir.join("fifo"))
                .status()
                .is_ok_and(|s| s.success())
        );
        // O_NOFOLLOW: the link is refused, and followed only when asked.
        assert!(matches!(
            read_regular(&dir.join("link"), 10, Links::Refuse),
            Err(ReadProblem::NotRegular("a symbolic link"))
        ));
        assert_eq!(
            read_regular(&dir.join("link"), 10, Links::Follow).ok(),
            Some(b"x".to_vec())
        );
        // O_NONBLOCK: a FIFO without a writer is reported at once (a wrong value would hang here).
        assert!(matches!(
            read_regular(&dir.join("fifo"), 10, Links::Follow),
            Err(ReadProblem::NotRegular("a FIFO"))
        ));
        assert!(matches!(
            read_regular(&dir.join("file"), 0, Links::Follow),
            Err(ReadProblem::TooLarge(0))
        ));
        assert!(matches!(
            read_regular(&dir.join("none"), 10, Links::Follow),
            Err(ReadProblem::Missing)
        ));
        // O_EXCL|O_NOFOLLOW: a pending file is never created through what is already there.
        let rules = Rules {
            mode: 0o600,
            kind: ErrorKind::Config,
            interrupt: None,
        };
        let p = PendingFile::beside(&dir.join("target"), "target", &rules).expect("pending");
        assert!(p.tmp.file_name().is_some_and(|n| n.to_string_lossy().len() > 20));
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
