//! The digests of what is sent: a file's byte range hashed in a first pass (memory stays flat) with SHA-256 (the
//! payload's signature) and the checksum S3 is sent; and, to check a part an upload already holds before it
//! is reused, the range's MD5 (its ETag) beside that checksum.

use crate::s3::checksum::{Algorithm, Digests, Hasher};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, Ordering};

/// Reads a byte range of a file in 1 MiB pieces (memory stays flat), handing each to `each`.
pub fn read_range(
    file: &File,
    offset: u64,
    len: u64,
    stop: Option<&AtomicBool>,
    each: &mut dyn FnMut(&[u8]),
) -> io::Result<()> {
    let mut buf = vec![0u8; (1 << 20).min(len.max(1)) as usize];
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
        each(&buf[..n]);
        done += n as u64;
    }
    Ok(())
}

/// The digests of a byte range of a file: SHA-256, and a checksum of `algorithm` in the same pass.
pub fn hash_range(
    file: &File,
    offset: u64,
    len: u64,
    stop: Option<&AtomicBool>,
    algorithm: Option<Algorithm>,
) -> io::Result<Digests> {
    let mut other = algorithm.filter(|a| *a != Algorithm::Sha256).map(Hasher::new);
    let mut h = Sha256::new();
    read_range(file, offset, len, stop, &mut |b| {
        h.update(b);
        if let Some(o) = &mut other {
            o.update(b);
        }
    })?;
    let mut other = other.map(Hasher::finish);
    Ok(Digests::with(h.finalize().into(), algorithm, |_| {
        other.take().unwrap_or_default()
    }))
}

/// What a byte range of a file is checked against a stored part with: its MD5 (a part's ETag, when S3 makes
/// it the MD5) and its checksum of `algorithm`, read in one pass.
pub fn md5_and_checksum(
    file: &File,
    offset: u64,
    len: u64,
    stop: Option<&AtomicBool>,
    algorithm: Option<Algorithm>,
) -> io::Result<([u8; 16], Option<Vec<u8>>)> {
    let mut md5 = Hasher::md5();
    let mut other = algorithm.map(Hasher::new);
    read_range(file, offset, len, stop, &mut |b| {
        md5.update(b);
        if let Some(o) = &mut other {
            o.update(b);
        }
    })?;
    let mut out = [0u8; 16];
    out.copy_from_slice(&md5.finish());
    Ok((out, other.map(Hasher::finish)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_hashes_like_its_bytes() {
        let path = std::env::temp_dir().join(format!("awl-hash-{}", std::process::id()));
        std::fs::write(&path, b"0123456789").expect("write");
        let file = File::open(&path).expect("open");
        let digests = hash_range(&file, 2, 5, None, Some(Algorithm::Crc32c)).expect("hash");
        assert_eq!(digests, Digests::of(b"23456", Some(Algorithm::Crc32c)));
        assert_eq!(digests.sha256, <[u8; 32]>::from(Sha256::digest(b"23456")));
        let sha = hash_range(&file, 2, 5, None, Some(Algorithm::Sha256)).expect("hash");
        assert_eq!(sha.checksum, Some((Algorithm::Sha256, digests.sha256.to_vec())));
        assert_eq!(
            hash_range(&file, 2, 5, None, None).expect("hash").headers(),
            vec![]
        );
        assert!(hash_range(&file, 8, 5, None, None).is_err(), "past the end");
        let stop = AtomicBool::new(true);
        assert_eq!(
            hash_range(&file, 0, 5, Some(&stop), None)
                .map_err(|e| e.kind())
                .err(),
            Some(io::ErrorKind::Interrupted)
        );
        let (md5, crc) = md5_and_checksum(&file, 2, 5, None, Some(Algorithm::Crc32c)).expect("hash");
        // MD5("23456"), as Python's hashlib gives it.
        assert_eq!(hex::encode(md5), "adcaec3805aa912c0d0b14a81bedb6ff");
        assert_eq!(crc, Some(Algorithm::Crc32c.digest(b"23456")));
        let _ = std::fs::remove_file(&path);
    }
}
