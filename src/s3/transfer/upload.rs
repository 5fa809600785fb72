//! Uploading a file or a stream: one PutObject below the multipart threshold, otherwise a multipart upload
//! with several parts in flight, aborted on any failure or interruption so that no parts stay billed.
//!
//! A file is never held in memory: each part (or the whole file) is hashed with SHA-256 in a first pass, then
//! sent from the file, with the digest as `x-amz-content-sha256` and a checksum for S3 to check (the same
//! SHA-256 unless another algorithm is asked for; none with `request_checksum_calculation = when_required`). A
//! file that changes meanwhile (size or modification time) is refused, not stored. A file's upload in parts
//! continues one that stopped, from its resume record, when the file and the parts it holds still match. A
//! stream (stdin) is read part by part into memory, the part size growing as it goes so that 10,000 parts
//! reach 5 TiB with no size given in advance; memory is the parts in flight.

use crate::error::{Error, ErrorKind, Result};
use crate::s3::checksum::{Algorithm, Digests};
use crate::s3::client::S3;
use crate::s3::object::ObjectRef;
use crate::s3::ops::delete::DeleteObject;
use crate::s3::ops::multipart::PartDone;
use crate::s3::ops::options::ObjectOptions;
use crate::s3::ops::put_object::PutObject;
use crate::s3::transfer::config::{MAX_CONCURRENCY, MAX_PARTS, MAX_PUT, MIN_PART, TransferConfig, part_size};
use crate::s3::transfer::hash::hash_range;
use crate::s3::transfer::multipart::Multipart;
use crate::s3::transfer::pool::in_parallel;
use crate::s3::transfer::resume;
use crate::transport::request::Body;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// S3's largest part.
const MAX_PART: u64 = 5 << 30;

/// A file's size and modification time, to tell whether it changed while it was read.
fn identity(file: &File) -> std::io::Result<(u64, Option<SystemTime>)> {
    let m = file.metadata()?;
    Ok((m.len(), m.modified().ok()))
}

impl<'s> S3<'s> {
    /// The checksum an upload with `opts` is sent with: the one asked for, else SHA-256 (computed anyway to sign
    /// the payload) unless `request_checksum_calculation = when_required`.
    pub fn upload_checksum(&self, opts: &ObjectOptions) -> Option<Algorithm> {
        opts.checksum_algorithm
            .or(self.sends_checksums().then_some(Algorithm::Sha256))
    }

    /// Uploads a file: one PutObject below the multipart threshold, otherwise a parallel multipart upload
    /// (aborted on any failure or interruption, so no parts are left). `progress` gets the bytes done so far.
    /// A file that changes while it is uploaded is refused (and the object it made, if any, removed).
    pub fn upload(
        &self,
        path: &Path,
        target: &ObjectRef,
        opts: &ObjectOptions,
        cfg: &TransferConfig,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<()> {
        let read_err = |e| {
            Error::io(
                ErrorKind::Transfer,
                format_args!("cannot read {}", path.display()),
                e,
            )
        };
        let file = File::open(path).map_err(read_err)?;
        let before = identity(&file).map_err(read_err)?;
        let size = before.0;
        let unchanged = || match identity(&file) {
            Ok(now) if now == before => Ok(()),
            _ => Err(Error::transfer(format!(
                "{} changed while it was uploaded; nothing was stored",
                path.display()
            ))
            .with_hint("upload it again once it no longer changes")),
        };
        let algorithm = self.upload_checksum(opts);
        let hash = |offset, len| {
            hash_range(&file, offset, len, self.stop_flag(), algorithm).map_err(|e| {
                Error::io(
                    ErrorKind::Transfer,
                    format_args!("cannot read {}", path.display()),
                    e,
                )
            })
        };
        let range = |offset, len| Body::File {
            path: path.to_owned(),
            offset,
            len,
        };
        if size >= cfg.multipart_threshold {
            let part = part_size(size, cfg.part_size);
            let count = size.div_ceil(part).max(1);
            let (mp, stored) = resume::begin(
                self,
                &file,
                path,
                target,
                opts,
                part,
                algorithm,
                cfg.max_concurrency,
                cfg.resumable,
            )?;
            // The parts a resumed upload holds (checked against the file) are not sent again.
            let held: std::collections::HashSet<u64> = stored.iter().map(|p| p.number).collect();
            let todo: Vec<u64> = (1..=count).filter(|n| !held.contains(n)).collect();
            let done_bytes =
                AtomicU64::new(size - todo.iter().map(|n| part.min(size - (n - 1) * part)).sum::<u64>());
            if !stored.is_empty() {
                progress(done_bytes.load(Ordering::Relaxed));
            }
            let parts = in_parallel(self, todo.len() as u64, cfg.max_concurrency, &|j| {
                let i = todo[j as usize] - 1;
                let (offset, len) = (i * part, part.min(size - i * part));
                let p = mp.send_part(i + 1, range(offset, len), &hash(offset, len)?)?;
                progress(done_bytes.fetch_add(len, Ordering::Relaxed) + len);
                Ok(p)
            });
            return mp.finish(
                parts.map(|mut p| {
                    p.extend(stored);
                    p
                }),
                unchanged,
            );
        }
        if size > MAX_PUT {
            return Err(Error::usage(format!(
                "{} is over 5 GiB, the limit of a single PUT",
                path.display()
            ))
            .with_hint("leave --multipart-threshold at or below 5GiB, so big files go up in parts"));
        }
        let digests = hash(0, size)?;
        self.run(&PutObject {
            target,
            body: range(0, size),
            digests: &digests,
            opts,
        })?;
        if let Err(e) = unchanged() {
            // What S3 now holds is not the file: removed rather than left looking good.
            let _ = self.run(&DeleteObject(target));
            return Err(e);
        }
        progress(size);
        Ok(())
    }

    /// Uploads what `reader` gives until its end (stdin): one PutObject if it ends below the multipart
    /// threshold, otherwise a multipart upload of parts read into memory, `cfg.max_concurrency` in flight while
    /// `room_for` them.
    /// Returns the bytes stored.
    pub fn upload_stream(
        &self,
        reader: &mut dyn Read,
        target: &ObjectRef,
        opts: &ObjectOptions,
        cfg: &TransferConfig,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<u64> {
        // The first read decides between one PUT and parts, so it must make a valid part either way: at
        // least S3's 5 MiB minimum (only a last part may be smaller), at most its 5 GiB maximum.
        let first_size = cfg.multipart_threshold.clamp(MIN_PART, MAX_PART);
        let first = read_part(reader, first_size)?;
        if (first.len() as u64) < first_size {
            let digests = Digests::of(&first, self.upload_checksum(opts));
            let n = first.len() as u64;
            self.run(&PutObject {
                target,
                body: Body::from_bytes(first),
                digests: &digests,
                opts,
            })?;
            progress(n);
            return Ok(n);
        }
        let mp = Multipart::start(self, target, opts, self.upload_checksum(opts))?;
        let parts = stream_parts(&mp, &|| self.stopped(), reader, first, cfg, progress);
        let total = parts.as_ref().map(|(_, n)| *n).unwrap_or(0);
        mp.finish(parts.map(|(p, _)| p), || Ok(()))?;
        Ok(total)
    }
}

/// The size of stream part `number` (1-based): the configured size (at least 5 MiB), doubled every 1,000
/// parts, at most 5 GiB: 10,000 parts of 8 MiB then reach about 8 TiB, past S3's 5 TiB.
pub fn stream_part_size(number: u64, configured: u64) -> u64 {
    let base = configured.max(MIN_PART);
    let doublings = ((number.saturating_sub(1)) / 1000).min(20) as u32;
    base.saturating_mul(1 << doublings).min(MAX_PART)
}

/// Reads up to `size` bytes (fewer only at the end of the stream).
fn read_part(reader: &mut dyn Read, size: u64) -> Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(size as usize);
    reader
        .take(size)
        .read_to_end(&mut buf)
        .map_err(|e| Error::io(ErrorKind::Transfer, "cannot read standard input", e))?;
    Ok(buf)
}

/// Whether a stream part of `next` bytes may be read while `held` bytes of parts are read or in flight:
/// always when none are, otherwise while the total stays within `budget` (the parts in flight at the
/// configured size) or two parts of this size. So memory stays at the budget while parts are small, and at
/// two parts (one read while one is sent) once the parts have grown past half of it.
fn room_for(held: u64, next: u64, budget: u64) -> bool {
    held == 0 || held + next <= budget.max(2 * next)
}

/// Sends the stream's parts: one thread reads them in turn, `cfg.max_concurrency` send them; a part is read
/// only when a sender is free and `room_for` it, so memory is the parts in flight and the one being read.
fn stream_parts(
    mp: &Multipart<'_, '_>,
    stopped: &dyn Fn() -> bool,
    reader: &mut dyn Read,
    first: Vec<u8>,
    cfg: &TransferConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(Vec<PartDone>, u64)> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<(u64, Arc<Vec<u8>>, u64)>(0);
    let rx = Mutex::new(rx);
    let senders = cfg.max_concurrency.clamp(1, MAX_CONCURRENCY);
    // The bytes of parts being read or sent, against the budget of `senders + 1` parts of the first size.
    let budget = (senders as u64 + 1) * (first.len() as u64).max(stream_part_size(1, cfg.part_size));
    let held = Mutex::new(first.len() as u64);
    let released = std::sync::Condvar::new();
    let release = |n: u64| {
        let mut h = held.lock().unwrap_or_else(|p| p.into_inner());
        *h = h.saturating_sub(n);
        released.notify_all();
    };
    let failed: Mutex<Option<Error>> = Mutex::new(None);
    let parts: Mutex<Vec<PartDone>> = Mutex::new(Vec::new());
    let done_bytes = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let fail = |e: Error| {
        stop.store(true, Ordering::Relaxed);
        failed.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(e);
    };
    std::thread::scope(|scope| {
        for _ in 0..senders {
            scope.spawn(|| {
                loop {
                    let next = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    let Ok((number, data, reserved)) = next else {
                        return;
                    };
                    if !stop.load(Ordering::Relaxed) {
                        let digests = Digests::of(data.as_slice(), mp.checksum());
                        let len = data.len() as u64;
                        match mp.send_part(number, Body::Bytes(data), &digests) {
                            Ok(p) => {
                                parts.lock().unwrap_or_else(|p| p.into_inner()).push(p);
                                progress(done_bytes.fetch_add(len, Ordering::Relaxed) + len);
                            }
                            Err(e) => fail(e),
                        }
                    }
                    release(reserved);
                }
            });
        }
        // The reader: this thread, the parts in order.
        let mut reserved = first.len() as u64;
        let mut part: Vec<u8> = first;
        let mut number = 1;
        let mut total = 0u64;
        loop {
            total += part.len() as u64;
            if stop.load(Ordering::Relaxed)
                || stopped()
                || tx.send((number, Arc::new(part), reserved)).is_err()
            {
                break;
            }
            if number == MAX_PARTS {
                // A stream past 10,000 parts is refused rather than cut short.
                let mut probe = [0u8; 1];
                if reader.read(&mut probe).map(|n| n > 0).unwrap_or(false) {
                    fail(Error::transfer(
                        "the stream is larger than S3's 10,000 parts allow; nothing was stored",
                    ));
                }
                break;
            }
            number += 1;
            reserved = stream_part_size(number, cfg.part_size);
            let mut h = held.lock().unwrap_or_else(|p| p.into_inner());
            // Senders release what they hold whether they sent, failed or were stopped, so this wait ends.
            while !room_for(*h, reserved, budget) {
                h = released.wait(h).unwrap_or_else(|p| p.into_inner());
            }
            *h += reserved;
            drop(h);
            if stop.load(Ordering::Relaxed) || stopped() {
                break;
            }
            match read_part(reader, reserved) {
                Ok(p) if p.is_empty() => break,
                Ok(p) => part = p,
                Err(e) => {
                    fail(e);
                    break;
                }
            }
        }
        drop(tx);
        done_bytes.store(total, Ordering::Relaxed);
    });
    if let Some(e) = failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    if stopped() {
        return Err(mp.interrupted());
    }
    Ok((
        parts.into_inner().unwrap_or_else(|p| p.into_inner()),
        done_bytes.into_inner(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_memory_stays_at_the_budget_then_at_two_parts() {
        const M: u64 = 1 << 20;
        let budget = 5 * 8 * M;
        // 8 MiB parts: five at once (four sent, one read), as many as the senders allow.
        assert!(room_for(4 * 8 * M, 8 * M, budget));
        assert!(!room_for(5 * 8 * M, 8 * M, budget));
        // 16 MiB parts: two at once; 32 MiB and more: one sent while the next is read.
        assert!(room_for(16 * M, 16 * M, budget) && !room_for(32 * M, 16 * M, budget));
        assert!(room_for(64 * M, 64 * M, budget) && !room_for(128 * M, 64 * M, budget));
        // A part larger than the budget is read once nothing else is held.
        assert!(room_for(0, 4096 * M, budget));
        assert!(!room_for(4096 * M + 1, 4096 * M, budget));
    }

    #[test]
    fn stream_parts_grow_so_that_ten_thousand_reach_five_tebibytes() {
        assert_eq!(stream_part_size(1, 8 << 20), 8 << 20);
        assert_eq!(stream_part_size(1000, 8 << 20), 8 << 20);
        assert_eq!(stream_part_size(1001, 8 << 20), 16 << 20);
        assert_eq!(stream_part_size(1, 1), MIN_PART);
        let total: u64 = (1..=MAX_PARTS).map(|n| stream_part_size(n, 8 << 20)).sum();
        assert!(total >= 5 << 40, "{total}");
        assert!((1..=MAX_PARTS).all(|n| stream_part_size(n, 8 << 20) <= MAX_PART));
    }
}
