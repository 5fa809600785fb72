//! Resuming a file's multipart upload where it stopped. S3 keeps no metadata of an unfinished upload, so awl
//! keeps a resume record (one small JSON file per endpoint, bucket, key and local path: `record`) from
//! CreateMultipartUpload until the upload completes or is aborted. A later upload of the same file to the
//! same key finds it, lists the parts the upload holds (ListParts) and checks each against the file's bytes
//! before reusing it. Anything that does not match (the file's size, time, inode, the part size, the
//! checksum, the object's options, one part's size or digest) means nothing is stitched: the old upload is
//! aborted and a new one starts. An upload is only ever named by its record, never guessed from a listing.

pub mod record;

use crate::codec::{base64, redact};
use crate::error::{Error, ErrorKind, Result};
use crate::interrupt::Registration;
use crate::s3::checksum::Algorithm;
use crate::s3::client::S3;
use crate::s3::object::ObjectRef;
use crate::s3::operation::Operation;
use crate::s3::ops::list_parts::{ListParts, StoredPart};
use crate::s3::ops::multipart::{AbortMultipartUpload, PartDone, Upload};
use crate::s3::ops::options::ObjectOptions;
use crate::s3::transfer::hash::md5_and_checksum;
use crate::s3::transfer::multipart::Multipart;
use crate::s3::transfer::pool::in_parallel;
pub use record::{Record, dir_in};
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// The bytes part `number` (1-based) of a file of `size` covers in parts of `part`: offset and length;
/// `None` past the file's parts.
pub fn part_range(number: u64, size: u64, part: u64) -> Option<(u64, u64)> {
    let offset = number.checked_sub(1)?.checked_mul(part)?;
    (number >= 1 && offset < size.max(1)).then(|| (offset, part.min(size - offset)))
}

/// Whether a stored part holds the bytes whose MD5 and checksum (of `algorithm`) are given: each value the
/// listing gives that can be compared (the checksum of `algorithm`; the ETag when the upload's ETags are
/// MD5s, `md5_etags`, and it looks like one) must match, and at least one must be there. The part to
/// complete with, or why not.
pub fn verify(
    stored: &StoredPart,
    md5: &[u8; 16],
    checksum: Option<&[u8]>,
    algorithm: Option<Algorithm>,
    md5_etags: bool,
) -> std::result::Result<PartDone, String> {
    let listed = algorithm.and_then(|a| stored.checksums.iter().find(|(x, _)| *x == a));
    let etag = stored.etag.trim_matches('"');
    // An SSE-KMS or SSE-C ETag is 32 hex digits too, but not the MD5: only the upload's answer tells.
    let etag_md5 =
        (md5_etags && etag.len() == 32 && etag.bytes().all(|b| b.is_ascii_hexdigit())).then_some(etag);
    if listed.is_none() && etag_md5.is_none() {
        return Err(format!("part {} has nothing to check it by", stored.number));
    }
    if let (Some((a, v)), Some(c)) = (listed, checksum)
        && v.as_slice() != c
    {
        return Err(format!("part {}'s {} differs", stored.number, a.name()));
    }
    if let Some(e) = etag_md5
        && !e.eq_ignore_ascii_case(&hex::encode(md5))
    {
        return Err(format!("part {}'s ETag differs", stored.number));
    }
    Ok(PartDone {
        number: stored.number,
        etag: stored.etag.clone(),
        checksum: algorithm.zip(checksum).map(|(a, c)| (a, base64::encode(c))),
    })
}

/// A multipart upload of a file, resumed or new: the lifecycle, and the parts it already holds that match
/// the file (to complete with, not to send again).
pub type Begun<'j, 's> = (Multipart<'j, 's>, Vec<PartDone>);

/// Begins the multipart upload of `file` to `target`: the upload its record names, if the file is unchanged
/// and every part it holds matches the file (read with up to `workers` threads); otherwise a new one, its
/// record written before any part is sent. `leave`: a signal leaves the upload and its record for a later
/// run instead of aborting it. Without a records folder (no home), a new upload without a record.
#[allow(clippy::too_many_arguments)]
pub fn begin<'j, 's>(
    s3: &'j S3<'s>,
    file: &File,
    path: &Path,
    target: &ObjectRef,
    opts: &ObjectOptions,
    part: u64,
    checksum: Option<Algorithm>,
    workers: usize,
    leave: bool,
) -> Result<Begun<'j, 's>> {
    // Records of different endpoints are distinct: the same bucket name elsewhere is another bucket.
    let endpoint = s3
        .endpoint()
        .map_or(String::new(), |e| format!("{}{}", e.origin(), e.base_path));
    let now = s3.upload_records().and_then(|dir| {
        let now = Record::of(file, path, &endpoint, target, opts, part, checksum).ok()?;
        Some((dir, now))
    });
    let Some((dir, now)) = now else {
        return Ok((Multipart::start(s3, target, opts, checksum)?, Vec::new()));
    };
    let record_path = dir.join(now.file_name());
    let display = redact::sanitize(&record_path.to_string_lossy(), 200);
    // Whether the old record stays (its upload could not be aborted): the new upload then has none.
    let mut kept = false;
    if let Some(old) = record::read(&record_path).filter(|r| r.same_target(&now)) {
        let upload = Upload {
            target: target.clone(),
            id: old.upload_id.clone(),
        };
        let gone = if old.continues(&now) {
            // Without `leave`, a signal during the check aborts the upload as it would later: nothing billed.
            let guard = if leave {
                None
            } else {
                Some(abort_on_interrupt(s3, &upload, &record_path))
            };
            match held(s3, file, &upload, &old, workers, &display)? {
                Held::Matching(parts) => {
                    let mp = Multipart::adopt(s3, upload, checksum, leave)?.with_record(record_path, leave);
                    drop(guard);
                    return Ok((mp, parts));
                }
                Held::Stale => Multipart::abort(s3, &upload),
                Held::Gone => true,
            }
        } else {
            // The file or the layout changed: its parts are of no use, and awl can name the upload.
            Multipart::abort(s3, &upload)
        };
        if gone {
            record::remove_if_names(&record_path, &old.upload_id);
        } else {
            // The record is all that names the old upload: kept, for the next run to abort.
            kept = true;
            let _ = writeln!(
                std::io::stderr(),
                "awl: the earlier upload of {target} could not be aborted (its parts stay billed): its record \
                 {display} is kept, and the same command run again aborts it"
            );
        }
    }
    let (upload, md5_etags) = Multipart::create(s3, target, opts, checksum)?;
    let record = Record {
        upload_id: upload.id.clone(),
        md5_etags,
        ..now
    };
    // A record that cannot be written (a read-only home) costs only the resuming, not the upload.
    let written =
        !kept && crate::fs::replace_file(&record_path, &display, record.to_json().as_bytes()).is_ok();
    // Nothing could find an upload left without its record: a signal aborts it then, as without `leave`.
    let mp = Multipart::adopt(s3, upload, checksum, leave && written)?;
    Ok((
        if written {
            mp.with_record(record_path, leave)
        } else {
            mp
        },
        Vec::new(),
    ))
}

/// Registers the abort of `upload` and the removal of its record at `path` with the run's interruption,
/// while its parts are checked; dropping them takes them off.
fn abort_on_interrupt(s3: &S3<'_>, upload: &Upload, path: &Path) -> Vec<Registration> {
    // Best effort: should the abort not register, a signal during the check leaves the upload and its
    // record, which the next run finds.
    let abort = s3
        .send_on_interrupt(&AbortMultipartUpload(upload).request())
        .ok()
        .flatten();
    let file = abort
        .is_some()
        .then(|| s3.interrupt().and_then(|i| i.register_file(path.to_owned())))
        .flatten();
    abort.into_iter().chain(file).collect()
}

/// What a recorded upload holds, checked against the file.
enum Held {
    /// Parts that all match the file: to complete with.
    Matching(Vec<PartDone>),
    /// A part that does not, or parts that cannot be checked: the upload is of no use.
    Stale,
    /// No such upload any more (aborted by `rb --force`, `rm --recursive`, a lifecycle rule).
    Gone,
}

/// Whether a failed ListParts will fail the same way every time, so that keeping the record would fail every
/// later run: refused (a policy without s3:ListMultipartUploadParts), not implemented by the store, or an
/// answer that cannot be read (a broken listing).
fn lasting(e: &Error) -> bool {
    match e.service_facts() {
        Some(f) => f.code == "AccessDenied" || f.status == 501,
        None => e.kind() == ErrorKind::Data,
    }
}

/// The parts `upload` holds (its record `old`), each checked against the file (read in parallel, until one
/// differs). A listing that fails for a while (the network, a 5xx after the retries, expired credentials)
/// ends the run, the record (`display`) kept for the next.
fn held(
    s3: &S3<'_>,
    file: &File,
    upload: &Upload,
    old: &Record,
    workers: usize,
    display: &str,
) -> Result<Held> {
    let mut stored = Vec::new();
    for page in s3.pages(ListParts(upload)) {
        match page {
            Ok(parts) => stored.extend(parts),
            Err(e) if e.service_code() == Some("NoSuchUpload") => return Ok(Held::Gone),
            Err(e) if lasting(&e) => return Ok(Held::Stale),
            Err(e) => {
                let hint = format!(
                    "the resume record {display} is kept: the same command run again resumes the upload; \
                     remove the record to start afresh"
                );
                return Err(match e.hint() {
                    Some(_) => e,
                    None => e.with_hint(hint),
                });
            }
        }
    }
    // Sizes first: a part of the wrong size is refused without reading anything.
    let mut ranges = Vec::with_capacity(stored.len());
    for p in &stored {
        match part_range(p.number, old.size, old.part_size) {
            Some((offset, len)) if len == p.size => ranges.push((offset, len)),
            _ => return Ok(Held::Stale),
        }
    }
    // One part that differs settles it: the parts not yet read are not read.
    let differs = AtomicBool::new(false);
    let checked = in_parallel(s3, stored.len() as u64, workers, &|i| {
        if differs.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let (offset, len) = ranges[i as usize];
        let (md5, sum) = md5_and_checksum(file, offset, len, s3.stop_flag(), old.checksum)
            .map_err(|e| Error::io(ErrorKind::Transfer, format_args!("cannot read {}", old.path), e))?;
        let done = verify(
            &stored[i as usize],
            &md5,
            sum.as_deref(),
            old.checksum,
            old.md5_etags,
        )
        .ok();
        if done.is_none() {
            differs.store(true, Ordering::Relaxed);
        }
        Ok(done)
    })?;
    Ok(checked
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .map_or(Held::Stale, Held::Matching))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s3::ops::list_parts::ListParts;
    use crate::s3::paginate::Listing;
    use sha2::Digest;

    #[test]
    fn part_ranges_cover_the_file() {
        let m = 1 << 20;
        assert_eq!(part_range(1, 20 * m, 8 * m), Some((0, 8 * m)));
        assert_eq!(part_range(3, 20 * m, 8 * m), Some((16 * m, 4 * m)));
        assert_eq!(part_range(4, 20 * m, 8 * m), None);
        assert_eq!(part_range(0, 20 * m, 8 * m), None);
        assert_eq!(part_range(u64::MAX, 20 * m, 8 * m), None);
    }

    /// A ListParts answer as the S3 API reference shows it, with a checksum per part, checked against local
    /// ranges: the parts whose bytes match are reused with their checksum; one changed byte is caught by the
    /// checksum, and by the ETag where that is the MD5 (not under SSE-KMS, whose ETags look the same).
    #[test]
    fn listed_parts_are_verified_against_local_ranges() {
        let data: Vec<u8> = (0..3 * 1024u32).map(|i| (i * 7 % 251) as u8).collect();
        let range = |n: u64| {
            let (o, l) = part_range(n, data.len() as u64, 1024).expect("in the file");
            &data[o as usize..(o + l) as usize]
        };
        let md5 = |b: &[u8]| -> [u8; 16] { md5::Md5::digest(b).into() };
        let b64 = |a: Algorithm, n| base64::encode(&a.digest(range(n)));
        // An SSE-KMS part's ETag: 32 hex digits, not the MD5 of anything here.
        let kms_etag = "a7d414b9133d6483d9a1c4e04e856e3b";
        let body = format!(
            "<ListPartsResult><IsTruncated>false</IsTruncated><ChecksumAlgorithm>CRC32</ChecksumAlgorithm>\
             <Part><PartNumber>1</PartNumber><ETag>\"{}\"</ETag><Size>1024</Size><ChecksumCRC32>{}</ChecksumCRC32></Part>\
             <Part><PartNumber>2</PartNumber><ETag>\"{kms_etag}\"</ETag><Size>1024</Size><ChecksumSHA256>{}</ChecksumSHA256></Part>\
             <Part><PartNumber>3</PartNumber><ETag>\"{kms_etag}\"</ETag><Size>1024</Size></Part>\
             </ListPartsResult>",
            hex::encode(md5(range(1))),
            b64(Algorithm::Crc32, 1),
            b64(Algorithm::Sha256, 2)
        );
        let up = Upload {
            target: ObjectRef::new("b", "k"),
            id: "i".into(),
        };
        let parts = ListParts(&up).parse(body.as_bytes()).expect("parses").items;
        let crc = |n| Algorithm::Crc32.digest(range(n));
        let sha = |n| Algorithm::Sha256.digest(range(n));
        let crc32 = Some(Algorithm::Crc32);
        // Part 1 by its CRC32 and its MD5 ETag; the completion carries the checksum.
        let done = verify(&parts[0], &md5(range(1)), Some(&crc(1)), crc32, true).expect("matches");
        assert_eq!(done.checksum, Some((Algorithm::Crc32, b64(Algorithm::Crc32, 1))));
        assert_eq!(done.etag, parts[0].etag);
        // Part 2 under SSE-KMS by its SHA-256 alone; read as an MD5, its ETag would refuse the right bytes.
        let sha256 = Some(Algorithm::Sha256);
        assert!(verify(&parts[1], &md5(range(2)), Some(&sha(2)), sha256, false).is_ok());
        assert!(verify(&parts[1], &md5(range(2)), Some(&sha(2)), sha256, true).is_err());
        assert!(verify(&parts[1], &md5(range(2)), Some(&crc(2)), crc32, false).is_err());
        // Part 3 under SSE-KMS without a checksum: nothing to check it by.
        assert!(verify(&parts[2], &md5(range(3)), None, None, false).is_err());
        // Other bytes: caught by the checksum, and by the ETag alone.
        let mut other = range(1).to_vec();
        other[500] ^= 1;
        let other_crc = Algorithm::Crc32.digest(&other);
        assert!(verify(&parts[0], &md5(range(1)), Some(&other_crc), crc32, true).is_err());
        assert!(verify(&parts[0], &md5(&other), Some(&crc(1)), crc32, true).is_err());
        assert!(verify(&parts[0], &md5(&other), None, None, true).is_err());
        assert!(verify(&parts[0], &md5(range(1)), None, None, true).is_ok());
        assert!(verify(&parts[1], &md5(&other), Some(&sha(1)), sha256, false).is_err());
    }

    #[test]
    fn only_lasting_listparts_failures_make_the_upload_stale() {
        let service = |status, code: &str| {
            let facts = crate::error::ServiceFacts {
                service: "S3",
                status,
                code: code.into(),
                message: String::new(),
                request_id: None,
                region: None,
            };
            Error::service("ListParts", facts)
        };
        assert!(lasting(&service(403, "AccessDenied")));
        assert!(lasting(&service(501, "NotImplemented")));
        assert!(lasting(&Error::data(
            "a page is truncated but names no next page"
        )));
        for passing in ["ExpiredToken", "InvalidAccessKeyId", "SignatureDoesNotMatch"] {
            assert!(!lasting(&service(403, passing)), "{passing}");
        }
        assert!(!lasting(&service(503, "SlowDown")));
    }
}
