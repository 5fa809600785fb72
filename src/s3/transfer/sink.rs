//! Where downloaded bytes land, hashed on the way: a whole object written in order and checked against the
//! checksum its answer carries ([`Checked`]), or one piece written at its offset in a file and hashed for the
//! checks of the whole ([`PieceSink`]).

use crate::error::{Error, Result};
use crate::s3::checksum::verify::{Plan, etag_is_md5};
use crate::s3::checksum::{Algorithm, Hasher, Kind, Stored};
use crate::s3::transfer::pieces::{Piece, content_range};
use crate::transport::Sink;
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::FileExt;

/// A whole object written in order into `inner`, checked against the checksum the answer says S3 stores (or
/// the ETag as MD5 where nothing else is stored and it can be one).
pub struct Checked<'p, W> {
    inner: W,
    written: u64,
    progress: &'p (dyn Fn(u64) + Sync),
    check: bool,
    hasher: Option<Hasher>,
    /// What the bytes must hash to: the algorithm's name, the value, and the value as S3 wrote it.
    expected: Option<(&'static str, Vec<u8>, String)>,
}

impl<W> std::fmt::Debug for Checked<'_, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checked")
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}

impl<'p, W: Write> Checked<'p, W> {
    /// A sink into `inner`, checking what S3 stores when `check`; `progress` gets the bytes written so far.
    pub fn new(inner: W, check: bool, progress: &'p (dyn Fn(u64) + Sync)) -> Self {
        Checked {
            inner,
            written: 0,
            progress,
            check,
            hasher: None,
            expected: None,
        }
    }

    /// The bytes written.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Checks what was written against what S3 stores; `what` names the call in the error.
    pub fn verify(self, what: &str) -> Result<u64> {
        if let (Some(h), Some((name, want, shown))) = (self.hasher, self.expected)
            && h.finish() != want
        {
            return Err(Error::transfer(format!(
                "{what}: the data does not match the {name} S3 stores ({shown})"
            )));
        }
        Ok(self.written)
    }
}

impl<W: Write> Write for Checked<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        if let Some(h) = &mut self.hasher {
            h.update(&buf[..n]);
        }
        self.written += n as u64;
        (self.progress)(self.written);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> Sink for Checked<'_, W> {
    fn begin(&mut self, _: u16, headers: &[(String, String)]) -> io::Result<()> {
        self.written = 0;
        (self.hasher, self.expected) = (None, None);
        if !self.check {
            return Ok(());
        }
        let etag = headers.iter().find(|(n, _)| n == "etag").map(|(_, v)| v.as_str());
        match Plan::new(Stored::from_headers(headers), etag, etag_is_md5(headers), None) {
            Plan::CombinedCrc(s) | Plan::WholeFile(s) => {
                self.hasher = Some(Hasher::new(s.algorithm));
                self.expected = Some((s.algorithm.name(), s.value.clone(), s.display()));
            }
            Plan::Md5(v) => {
                self.hasher = Some(Hasher::md5());
                self.expected = Some(("MD5 (its ETag)", v, etag.unwrap_or_default().to_owned()));
            }
            Plan::Composite(_) | Plan::CrcEither(_) | Plan::Length => {}
        }
        Ok(())
    }
}

/// Why a piece's sink refused an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A part was asked for by number and the whole object came (the server ignores `partNumber`).
    WholeObject,
    /// The answer's `Content-Range` is not the piece's.
    Elsewhere,
    /// More bytes came than the piece holds.
    TooLong,
}

/// Where a piece's bytes go.
enum Target<'f> {
    /// At the piece's offset in the download's file.
    File(&'f File),
    /// Into memory, for a download written in order elsewhere (standard output, a FIFO).
    Memory(Vec<u8>),
}

/// One piece of an object, written at its offset into `file` (or kept in memory) and hashed with the plan's
/// algorithm.
pub struct PieceSink<'f> {
    target: Target<'f>,
    piece: Piece,
    by_part: bool,
    algorithm: Option<Algorithm>,
    hasher: Option<Hasher>,
    /// Bytes written of this attempt.
    pub written: u64,
    /// The piece's own checksum, when its answer carried one (a part asked for by number).
    pub stored: Option<Stored>,
    /// Why the answer was refused, if it was.
    pub refused: Option<Refusal>,
}

impl std::fmt::Debug for PieceSink<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PieceSink")
            .field("piece", &self.piece)
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}

fn refuse(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.to_owned())
}

impl<'f> PieceSink<'f> {
    /// A sink for `piece` of an object into `file`, asked for by part number when `by_part`, hashed with
    /// `algorithm`.
    pub fn new(file: &'f File, piece: Piece, by_part: bool, algorithm: Option<Algorithm>) -> Self {
        Self::with_target(Target::File(file), piece, by_part, algorithm)
    }

    /// The same, the bytes kept in memory, in `buf` (a buffer used before, so that its pages are not faulted in
    /// and zeroed again), handed back by [`finish`](Self::finish).
    pub fn in_memory(piece: Piece, by_part: bool, algorithm: Option<Algorithm>, buf: Vec<u8>) -> Self {
        Self::with_target(Target::Memory(buf), piece, by_part, algorithm)
    }

    fn with_target(target: Target<'f>, piece: Piece, by_part: bool, algorithm: Option<Algorithm>) -> Self {
        PieceSink {
            target,
            piece,
            by_part,
            algorithm,
            hasher: None,
            written: 0,
            stored: None,
            refused: None,
        }
    }

    /// The piece's checksum in the plan's algorithm, and its bytes if kept in memory, once all of it is
    /// written.
    pub fn finish(self) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
        let bytes = match self.target {
            Target::Memory(v) => Some(v),
            Target::File(_) => None,
        };
        (self.hasher.map(Hasher::finish), bytes)
    }
}

impl Write for PieceSink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.written + buf.len() as u64 > self.piece.len {
            self.refused = Some(Refusal::TooLong);
            return Err(refuse("the server sent more than the piece asked for"));
        }
        match &mut self.target {
            Target::File(f) => f.write_all_at(buf, self.piece.offset + self.written)?,
            Target::Memory(v) => v.extend_from_slice(buf),
        }
        if let Some(h) = &mut self.hasher {
            h.update(buf);
        }
        self.written += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Sink for PieceSink<'_> {
    fn begin(&mut self, status: u16, headers: &[(String, String)]) -> io::Result<()> {
        self.written = 0;
        self.hasher = self.algorithm.map(Hasher::new);
        if let Target::Memory(v) = &mut self.target {
            v.clear();
            // Grown once, not by doubling (each doubling copies what came so far).
            v.reserve_exact(self.piece.len as usize);
        }
        let get = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        let last = self.piece.offset + self.piece.len.max(1) - 1;
        match get("content-range").and_then(content_range) {
            Some((first, l, _)) if first == self.piece.offset && l == last => {}
            // The whole object in one answer is this piece only when the piece is the whole object.
            None if status == 200
                && self.piece.offset == 0
                && get("content-length").and_then(|v| v.trim().parse().ok()) == Some(self.piece.len) => {}
            None if status == 200 && self.by_part => {
                self.refused = Some(Refusal::WholeObject);
                return Err(refuse("the server answered a part with the whole object"));
            }
            _ => {
                self.refused = Some(Refusal::Elsewhere);
                return Err(refuse("the server sent other bytes than the piece asked for"));
            }
        }
        self.stored = if self.by_part {
            // A part's own checksum has no `-n`.
            Stored::from_headers(headers).filter(|s| !matches!(s.kind, Kind::Composite(_)))
        } else {
            None
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::base64;
    use crate::s3::checksum::test_headers as h;

    #[test]
    fn a_whole_object_is_checked_against_what_its_answer_says() {
        let crc = base64::encode(&Algorithm::Crc32c.digest(b"hello"));
        let mut out = Vec::new();
        let mut s = Checked::new(&mut out, true, &|_| {});
        s.begin(200, &h(&[("x-amz-checksum-crc32c", &crc)]))
            .expect("begins");
        s.write_all(b"hello").expect("writes");
        assert_eq!(s.verify("g").ok(), Some(5));
        let mut s = Checked::new(Vec::new(), true, &|_| {});
        s.begin(200, &h(&[("x-amz-checksum-crc32c", &crc)]))
            .expect("begins");
        s.write_all(b"hellO").expect("writes");
        let e = s.verify("g").expect_err("flipped");
        assert_eq!(e.exit_code(), 1);
        assert!(
            e.to_string().contains("does not match the CRC32C S3 stores"),
            "{e}"
        );
        // The ETag as MD5: checked unless SSE-KMS; not when checking is off.
        let etag = format!("\"{}\"", hex::encode(Hasher::md5().finish()));
        let mut s = Checked::new(Vec::new(), true, &|_| {});
        s.begin(200, &h(&[("etag", &etag)])).expect("begins");
        s.write_all(b"x").expect("writes");
        assert!(
            s.verify("g")
                .expect_err("md5")
                .to_string()
                .contains("MD5 (its ETag)")
        );
        let mut s = Checked::new(Vec::new(), false, &|_| {});
        s.begin(200, &h(&[("etag", &etag)])).expect("begins");
        s.write_all(b"x").expect("writes");
        assert!(s.verify("g").is_ok());
    }

    #[test]
    fn a_piece_lands_at_its_offset_and_refuses_other_bytes() {
        let path = std::env::temp_dir().join(format!("awl-piece-{}", std::process::id()));
        let file = File::create(&path).expect("create");
        let piece = Piece {
            part: Some(2),
            offset: 4,
            len: 3,
        };
        let mut s = PieceSink::new(&file, piece, true, Some(Algorithm::Crc32));
        let crc = base64::encode(&Algorithm::Crc32.digest(b"abc"));
        s.begin(
            206,
            &h(&[("content-range", "bytes 4-6/7"), ("x-amz-checksum-crc32", &crc)]),
        )
        .expect("its range");
        s.write_all(b"abc").expect("fits");
        assert!(s.write_all(b"d").is_err());
        assert_eq!(s.refused, Some(Refusal::TooLong));
        assert_eq!(
            s.stored.as_ref().map(|c| c.value.clone()),
            Some(Algorithm::Crc32.digest(b"abc"))
        );
        assert_eq!(s.finish(), (Some(Algorithm::Crc32.digest(b"abc")), None));
        assert_eq!(std::fs::read(&path).expect("read"), b"\0\0\0\0abc");
        let mut s = PieceSink::new(&file, piece, true, None);
        assert!(s.begin(200, &h(&[("content-length", "7")])).is_err());
        assert_eq!(s.refused, Some(Refusal::WholeObject));
        let mut s = PieceSink::new(&file, piece, false, None);
        assert!(s.begin(206, &h(&[("content-range", "bytes 0-2/7")])).is_err());
        assert_eq!(s.refused, Some(Refusal::Elsewhere));
        let whole = Piece {
            part: None,
            offset: 0,
            len: 7,
        };
        let mut s = PieceSink::new(&file, whole, false, None);
        assert!(
            s.begin(200, &h(&[("content-length", "7")])).is_ok(),
            "the whole object is the piece"
        );
        let _ = std::fs::remove_file(&path);
    }
}
