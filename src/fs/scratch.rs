//! Scratch files: room on disk for what would not fit in memory (the pending deletes of a big sync), that
//! no other process reads and nothing keeps.

use super::{O_NOFOLLOW, fail, unguessable};
use crate::error::{Error, ErrorKind, Result};
use crate::interrupt::Interrupt;
use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::Arc;

/// A new, empty file in `dir` that has no name: created under an unguessable one (`.awl-<16 hex>.scratch`,
/// `O_CREAT|O_EXCL|O_NOFOLLOW`, mode 0600, readable and writable), then unlinked at once, so that its room
/// is given back when the file is closed however the run ends (an error, a signal, even `kill -9`), and
/// no other process can open it by name. While it has a name it is registered with `interrupt`, so that a
/// signal in that instant removes it too. `display` names the folder in errors.
pub fn scratch(dir: &Path, display: &str, interrupt: Option<&Arc<Interrupt>>) -> Result<File> {
    let path = dir.join(format!(".awl-{}.scratch", unguessable()));
    let registration = match interrupt {
        Some(i) => Some(i.register_file(path.clone()).ok_or_else(|| {
            Error::interrupted(format!(
                "{display}: no scratch file made: the run is being interrupted"
            ))
        })?),
        None => None,
    };
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .custom_flags(O_NOFOLLOW)
        .mode(0o600)
        .open(&path)
        .map_err(|e| fail(ErrorKind::Transfer, display, "create a scratch file in it", e))?;
    // The open file stays usable without its name; were the unlink to fail, the file would outlive the run,
    // so that is an error, not a warning.
    fs::remove_file(&path).map_err(|e| fail(ErrorKind::Transfer, display, "unlink its scratch file", e))?;
    drop(registration);
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Seek, SeekFrom, Write};
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn a_scratch_file_is_0600_nameless_and_usable() {
        let dir = std::env::temp_dir().join(format!("awl-scratch-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("folder");
        let mut f = scratch(&dir, "the folder", None).expect("scratch");
        assert_eq!(
            fs::read_dir(&dir).expect("list").count(),
            0,
            "no name left in the folder"
        );
        let meta = f.metadata().expect("fstat");
        assert_eq!(meta.mode() & 0o777, 0o600);
        assert_eq!(meta.nlink(), 0, "unlinked");
        f.write_all(b"pending").expect("write");
        f.seek(SeekFrom::Start(0)).expect("seek");
        let mut back = String::new();
        f.read_to_string(&mut back).expect("read");
        assert_eq!(back, "pending");
        drop(f);
        let missing = scratch(&dir.join("missing"), "the missing folder", None).expect_err("no folder");
        assert!(missing.to_string().contains("the missing folder"), "{missing}");
        fs::remove_dir_all(&dir).expect("clean up");
    }
}
