//! SHA-256 of what is sent and received: a file's byte range hashed in a first pass (memory stays flat), and a
//! writer that hashes what passes through it.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, Ordering};

/// SHA-256 of a byte range of a file, read in 1 MiB pieces (memory stays flat).
pub fn hash_range(file: &File, offset: u64, len: u64, stop: Option<&AtomicBool>) -> io::Result<[u8; 32]> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut done = 0u64;
    while done < len {
        if stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
        }
        let want = (len - done).min(buf.len() as u64) as usize;
        let n = file.read_at(&mut buf[..want], offset + done)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file shrank while being read",
            ));
        }
        h.update(&buf[..n]);
        done += n as u64;
    }
    Ok(h.finalize().into())
}

/// A writer that hashes what passes through it.
pub struct HashingWriter<'p, W> {
    inner: W,
    hash: Sha256,
    written: u64,
    progress: &'p (dyn Fn(u64) + Sync),
}

impl<W> std::fmt::Debug for HashingWriter<'_, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashingWriter")
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}

impl<'p, W> HashingWriter<'p, W> {
    /// A writer into `inner` that hashes, counts, and reports the count to `progress`.
    pub fn new(inner: W, progress: &'p (dyn Fn(u64) + Sync)) -> Self {
        HashingWriter {
            inner,
            hash: Sha256::new(),
            written: 0,
            progress,
        }
    }

    /// The bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// The SHA-256 of what was written.
    pub fn digest(self) -> [u8; 32] {
        self.hash.finalize().into()
    }
}

impl<W: Write> Write for HashingWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.written += n as u64;
        (self.progress)(self.written);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_hashes_like_its_bytes_and_the_writer_like_what_passed() {
        let path = std::env::temp_dir().join(format!("awl-hash-{}", std::process::id()));
        std::fs::write(&path, b"0123456789").expect("write");
        let file = File::open(&path).expect("open");
        let digest = hash_range(&file, 2, 5, None).expect("hash");
        assert_eq!(digest, <[u8; 32]>::from(Sha256::digest(b"23456")));
        assert!(hash_range(&file, 8, 5, None).is_err(), "past the end");
        let stop = AtomicBool::new(true);
        assert_eq!(
            hash_range(&file, 0, 5, Some(&stop)).map_err(|e| e.kind()).err(),
            Some(io::ErrorKind::Interrupted)
        );
        let mut out = Vec::new();
        let mut w = HashingWriter::new(&mut out, &|_| {});
        w.write_all(b"23456").expect("write");
        assert_eq!((w.written(), w.digest()), (5, digest));
        let _ = std::fs::remove_file(&path);
    }
}
