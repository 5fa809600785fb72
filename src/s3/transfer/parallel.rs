//! A download in parallel pieces: the object's parts by number where it has them (each part's stored checksum
//! then applies), else ranges; into a file, each written at its offset as it arrives (memory is a buffer per
//! piece in flight), or into memory a window ahead of a writer that takes them in order ([`stream`]); then
//! the whole checked as the plan says: the parts' checksums, the CRCs combined, or the bytes hashed in order. A server that answers a part with the whole object (moto) gets ranges of the
//! same parts instead. Every piece is asked `If-Match` the ETag HEAD gave, so none comes from a newer version.

use crate::error::{Error, ErrorKind, Result};
use crate::s3::checksum::verify::{Plan, combined_crc, composite};
use crate::s3::checksum::{Hasher, Kind};
use crate::s3::client::S3;
use crate::s3::object::ObjectRef;
use crate::s3::ops::get_object::{Bytes, GetObject};
use crate::s3::ops::head_object::{Head, HeadObject};
use crate::s3::transfer::config::{TransferConfig, part_size};
use crate::s3::transfer::hash::read_range;
use crate::s3::transfer::pieces::{self, Piece};
use crate::s3::transfer::pool::in_parallel;
use crate::s3::transfer::sink::{PieceSink, Refusal};
use std::fs::File;
use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The size of a piece of an object that has no parts (or whose parts cannot be learnt).
pub const RANGE: u64 = 8 << 20;

/// Attempts per piece: a body cut short is fetched again (it is rewritten in place).
const ATTEMPTS: u32 = 3;

/// A piece fetched: its checksum in the plan's algorithm, its own stored one if S3 sent it, and its bytes when
/// kept in memory.
struct Fetched {
    index: usize,
    digest: Option<Vec<u8>>,
    stored: Option<crate::s3::checksum::Stored>,
    bytes: Option<Vec<u8>>,
}

/// One object's download: into `file` at the pieces' offsets, or (none) into memory, piece by piece.
struct Job<'a, 's> {
    s3: &'a S3<'s>,
    object: &'a ObjectRef,
    file: Option<&'a File>,
    what: String,
    /// The ETag HEAD gave: every piece must come from that version (`If-Match`).
    etag: Option<&'a str>,
    plan: Plan,
    /// Cleared when the server answers a part with the whole object: ranges from then on.
    by_part: AtomicBool,
    /// Buffers of pieces already written out, for the next ones (a download kept in memory).
    spare: Mutex<Vec<Vec<u8>>>,
}

impl Job<'_, '_> {
    fn fetch(&self, index: usize, piece: &Piece) -> Result<Fetched> {
        let mut attempt = 1;
        loop {
            let by_part = piece.part.is_some() && self.by_part.load(Ordering::Relaxed);
            let checks = self.s3.checks_checksums();
            let get = GetObject {
                object: self.object,
                bytes: match piece.part {
                    Some(n) if by_part => Bytes::Part(n),
                    _ => Bytes::Range(piece.range()),
                },
                checksums: checks,
                if_match: self.etag,
            };
            let algorithm = self.plan.piece_algorithm();
            let mut sink = match self.file {
                Some(f) => PieceSink::new(f, *piece, by_part, algorithm),
                None => {
                    let buf = self.spare.lock().unwrap_or_else(|p| p.into_inner()).pop();
                    PieceSink::in_memory(*piece, by_part, algorithm, buf.unwrap_or_default())
                }
            };
            let result = self.s3.run_into(&get, &mut sink);
            match result {
                Ok(_) if sink.written == piece.len => {
                    let stored = sink.stored.take();
                    let (digest, bytes) = sink.finish();
                    return Ok(Fetched {
                        index,
                        digest,
                        stored,
                        bytes,
                    });
                }
                Ok(_) => {
                    return Err(Error::transfer(format!(
                        "{}: got {} of the {} bytes of {}",
                        self.what,
                        sink.written,
                        piece.len,
                        piece.name()
                    )));
                }
                Err(_) if sink.refused == Some(Refusal::WholeObject) => {
                    self.by_part.store(false, Ordering::Relaxed);
                }
                // If-Match failed: the object was replaced since HEAD.
                Err(e) if e.status() == Some(412) => {
                    return Err(Error::transfer(format!(
                        "{}: the object changed while it was downloaded; nothing was written",
                        self.what
                    ))
                    .with_hint("download it again")
                    .with_source(e));
                }
                // A body cut short: fetched again, unless the sink refused what came.
                Err(e) if e.kind() == ErrorKind::Transfer && sink.refused.is_none() && attempt < ATTEMPTS => {
                }
                Err(e) => return Err(e),
            }
            if self.s3.stopped() {
                return Err(Error::interrupted(format!("{} interrupted", self.what)));
            }
            attempt += 1;
        }
    }

    fn mismatch(&self, of: &str, algorithm: &str, shown: &str) -> Error {
        let left = match self.file {
            Some(_) => "nothing was written",
            None => "what was written is not the object",
        };
        Error::transfer(format!(
            "{}: {of} does not match the {algorithm} S3 stores ({shown}); {left}",
            self.what
        ))
    }

    /// Hashes the file's bytes in order (a SHA of a single-part object, or its ETag as MD5).
    fn hash_file(&self, mut h: Hasher, size: u64) -> Result<Vec<u8>> {
        let Some(file) = self.file else {
            return Err(Error::new(ErrorKind::Other, "no file to hash"));
        };
        read_range(file, 0, size, self.s3.stop_flag(), &mut |b| h.update(b)).map_err(|e| {
            Error::io(
                ErrorKind::Transfer,
                format_args!("{}: cannot read it back", self.what),
                e,
            )
        })?;
        Ok(h.finish())
    }

    /// After a COMPOSITE checksum failed without part checksums to name the part: the part whose MD5 is not
    /// its ETag (HEAD `?partNumber=N`), if the ETags are MD5s.
    fn find_bad_part(&self, pieces: &[Piece]) -> Option<Piece> {
        pieces.iter().copied().find(|p| {
            let Some(n) = p.part else { return false };
            let head = self.s3.run(&HeadObject {
                part: Some(n),
                ..HeadObject::of(self.object)
            });
            // Under SSE-KMS or SSE-C an ETag is no MD5: nothing to name the part by.
            let Ok(Head {
                etag: Some(etag),
                md5_etag: true,
                ..
            }) = head
            else {
                return false;
            };
            let md5 = self.hash_range(p, Hasher::md5());
            md5.is_some_and(|m| hex::encode(m) != etag.trim_matches('"'))
        })
    }

    fn hash_range(&self, p: &Piece, mut h: Hasher) -> Option<Vec<u8>> {
        read_range(self.file?, p.offset, p.len, self.s3.stop_flag(), &mut |b| {
            h.update(b)
        })
        .ok()?;
        Some(h.finish())
    }

    /// Checks the pieces (in order) as the plan says; `whole` is the whole object's hash in the plan's
    /// algorithm when it was computed on the way (a download written in order), else the file is hashed.
    fn verify(&self, pieces: &[Piece], got: &[Fetched], size: u64, whole: Option<Vec<u8>>) -> Result<()> {
        // A part's own checksum, where S3 sent one, names the part that is wrong.
        for (p, f) in pieces.iter().zip(got) {
            if let (Some(s), Some(d)) = (&f.stored, &f.digest)
                && Some(s.algorithm) == self.plan.piece_algorithm()
                && &s.value != d
            {
                return Err(self.mismatch(&p.name(), s.algorithm.name(), &s.display()));
            }
        }
        // Each piece's checksum in the plan's algorithm, with its length (what CRCs combine by).
        let crcs: Vec<(Vec<u8>, u64)> = pieces
            .iter()
            .zip(got)
            .map(|(p, f)| (f.digest.clone().unwrap_or_default(), p.len))
            .collect();
        match &self.plan {
            Plan::CombinedCrc(s) => {
                if combined_crc(s.algorithm, &crcs).as_ref() != Some(&s.value) {
                    return Err(self.mismatch("the object", s.algorithm.name(), &s.display()));
                }
            }
            Plan::Composite(s) | Plan::CrcEither(s) => {
                let either = matches!(self.plan, Plan::CrcEither(_))
                    && combined_crc(s.algorithm, &crcs).as_ref() == Some(&s.value);
                let digests: Vec<Vec<u8>> = crcs.into_iter().map(|(d, _)| d).collect();
                if !either && composite(s.algorithm, &digests) != s.value {
                    let of = self
                        .find_bad_part(pieces)
                        .map_or_else(|| "one of the object's parts".to_owned(), |p| p.name());
                    return Err(self.mismatch(&of, s.algorithm.name(), &s.display()));
                }
            }
            Plan::WholeFile(s) => {
                let h = match whole {
                    Some(h) => h,
                    None => self.hash_file(Hasher::new(s.algorithm), size)?,
                };
                if h != s.value {
                    return Err(self.mismatch("the object", s.algorithm.name(), &s.display()));
                }
            }
            Plan::Md5(v) => {
                let h = match whole {
                    Some(h) => h,
                    None => self.hash_file(Hasher::md5(), size)?,
                };
                if &h != v {
                    return Err(self.mismatch("the object", "MD5 (its ETag)", &hex::encode(v)));
                }
            }
            Plan::Length => {}
        }
        Ok(())
    }
}

/// The object's parts, if it has several and the server says how many and how large (HEAD `?partNumber`).
fn part_layout(s3: &S3<'_>, object: &ObjectRef, head: &Head, cfg: &TransferConfig) -> Option<Vec<Piece>> {
    let multipart = head
        .etag
        .as_deref()
        .is_some_and(|e| e.trim_matches('"').contains('-'))
        || head
            .checksum
            .as_ref()
            .is_some_and(|c| matches!(c.kind, Kind::Composite(_)));
    if !multipart {
        return None;
    }
    let first = s3.run(&HeadObject {
        object,
        part: Some(1),
        checksums: s3.checks_checksums(),
    });
    // A download in one part gains nothing from its layout (ranges do as well), and a layout not learnt is
    // no error here: the object then comes in ranges.
    parts_from_first(s3, object, head.size, &first.ok()?, cfg)
        .ok()
        .flatten()
        .filter(|l| l.len() >= 2)
}

/// The parts of an object of `size` bytes from what HEAD `?partNumber=1` said (`first`): uniform from the
/// first part's size and the count, else each part asked for (an error if one of those HEADs fails); `None`
/// if the server does not say, or what it says does not add up to `size`.
pub(crate) fn parts_from_first(
    s3: &S3<'_>,
    object: &ObjectRef,
    size: u64,
    first: &Head,
    cfg: &TransferConfig,
) -> Result<Option<Vec<Piece>>> {
    // S3 allows 10,000 parts: a larger count from a server is not believed (nor asked part by part).
    let Some(count) = first.parts_count.filter(|c| (1..=10_000).contains(c)) else {
        return Ok(None);
    };
    // One part (a file of exactly the multipart threshold, as awl and the AWS CLI upload it): all of it.
    let sizes = if count == 1 {
        vec![size]
    } else {
        match pieces::uniform_sizes(size, count, first.size) {
            Some(s) => s,
            // Parts of different sizes: each asked for.
            None => each_part_size(s3, object, count, cfg)?,
        }
    };
    Ok(pieces::parts(size, &sizes))
}

/// The sizes of the object's `count` parts, each asked for (HEAD `?partNumber=N`, in parallel); an error if
/// one of them fails.
pub(crate) fn each_part_size(
    s3: &S3<'_>,
    object: &ObjectRef,
    count: u64,
    cfg: &TransferConfig,
) -> Result<Vec<u64>> {
    let mut heads = in_parallel(s3, count, cfg.max_concurrency, &|i| {
        s3.run(&HeadObject {
            object,
            part: Some(i + 1),
            checksums: s3.checks_checksums(),
        })
        .map(|h| (i, h.size))
    })?;
    heads.sort_unstable();
    Ok(heads.into_iter().map(|(_, s)| s).collect())
}

/// The plan and the pieces of a download of the object `head` describes, whose pieces may be at most `max`
/// bytes (parts larger than that are fetched as ranges).
fn prepare<'a, 's>(
    s3: &'a S3<'s>,
    target: &'a ObjectRef,
    head: &'a Head,
    file: Option<&'a File>,
    cfg: &TransferConfig,
    max: u64,
) -> (Job<'a, 's>, Vec<Piece>) {
    let layout = part_layout(s3, target, head, cfg).filter(|l| l.iter().all(|p| p.len <= max));
    let plan = if s3.checks_checksums() {
        Plan::new(
            head.checksum.clone(),
            head.etag.as_deref(),
            head.md5_etag,
            layout.as_ref().map(|l| l.len() as u64),
        )
    } else {
        Plan::Length
    };
    let job = Job {
        s3,
        object: target,
        file,
        what: format!("GetObject {target}"),
        etag: head.etag.as_deref(),
        plan,
        by_part: AtomicBool::new(layout.is_some()),
        spare: Mutex::new(Vec::new()),
    };
    // Ranges of 8 MiB, grown (as parts are) so that no object needs more than 10,000: the list stays small
    // whatever size a server claims.
    let pieces = layout.unwrap_or_else(|| pieces::ranges(head.size, part_size(head.size, RANGE)));
    (job, pieces)
}

/// Downloads the object `head` describes into `file` in parallel pieces, checked as far as the server can
/// prove; `progress` gets the bytes done so far.
pub fn download(
    s3: &S3<'_>,
    target: &ObjectRef,
    head: &Head,
    file: &File,
    cfg: &TransferConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<()> {
    let (job, pieces) = prepare(s3, target, head, Some(file), cfg, u64::MAX);
    let done = AtomicU64::new(0);
    let mut got = in_parallel(s3, pieces.len() as u64, cfg.max_concurrency, &|i| {
        let piece = &pieces[i as usize];
        let f = job.fetch(i as usize, piece)?;
        progress(done.fetch_add(piece.len, Ordering::Relaxed) + piece.len);
        Ok(f)
    })?;
    got.sort_unstable_by_key(|f| f.index);
    job.verify(&pieces, &got, head.size, None)
}

/// The memory a download written in order may hold: the pieces fetched ahead of the writer.
pub const READ_AHEAD: u64 = 32 << 20;

/// Downloads the object `head` describes into `out` in order (standard output, a FIFO, a device): pieces
/// fetched in parallel a window at a time, as many as fit in [`READ_AHEAD`] (and `--max-concurrency`),
/// written in order, hashed on the way, and checked as far as the server can prove once all are written (a
/// mismatch then says that what was written is not the object).
pub fn stream(
    s3: &S3<'_>,
    target: &ObjectRef,
    head: &Head,
    out: &mut dyn Write,
    cfg: &TransferConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<()> {
    // Parts larger than a quarter of the read-ahead come as ranges.
    let (job, pieces) = prepare(s3, target, head, None, cfg, READ_AHEAD / 4);
    let largest = pieces.iter().map(|p| p.len).max().unwrap_or(1).max(1);
    let window = ((READ_AHEAD / largest) as usize).clamp(1, cfg.max_concurrency.max(1));
    let mut whole = match &job.plan {
        Plan::WholeFile(s) => Some(Hasher::new(s.algorithm)),
        Plan::Md5(_) => Some(Hasher::md5()),
        _ => None,
    };
    let mut all = Vec::with_capacity(pieces.len());
    let mut done = 0u64;
    for (w, chunk) in pieces.chunks(window).enumerate() {
        let base = w * window;
        let mut got = in_parallel(s3, chunk.len() as u64, window, &|i| {
            job.fetch(base + i as usize, &chunk[i as usize])
        })?;
        got.sort_unstable_by_key(|f| f.index);
        for f in &mut got {
            let bytes = f.bytes.take().unwrap_or_default();
            if let Some(h) = &mut whole {
                h.update(&bytes);
            }
            out.write_all(&bytes).map_err(|e| {
                Error::io(
                    ErrorKind::Transfer,
                    format_args!("{}: cannot write it", job.what),
                    e,
                )
            })?;
            done += bytes.len() as u64;
            progress(done);
            job.spare.lock().unwrap_or_else(|p| p.into_inner()).push(bytes);
        }
        all.extend(got);
    }
    job.verify(&pieces, &all, head.size, whole.map(Hasher::finish))
}
