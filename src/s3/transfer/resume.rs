//! Resuming a file's multipart upload where it stopped. S3 keeps no metadata of an unfinished upload, so awl
//! keeps a resume record (one small JSON file per bucket, key and local path, 0600 in a 0700 folder) from
//! CreateMultipartUpload until the upload completes or is aborted. A later upload of the same file to the
//! same key finds it, lists the parts the upload holds (ListParts) and checks each against the file's bytes
//! before reusing it. Anything that does not match (the file's size, time, inode, the part size, the
//! checksum, the object's options, one part's size or digest) means nothing is stitched: the old upload is
//! aborted and a new one starts. An upload is only ever named by its record, never guessed from a listing.

use crate::codec::json::{self, Value};
use crate::codec::{base64, redact};
use crate::error::Result;
use crate::s3::checksum::Algorithm;
use crate::s3::client::S3;
use crate::s3::object::ObjectRef;
use crate::s3::ops::list_parts::{ListParts, StoredPart};
use crate::s3::ops::multipart::{AbortMultipartUpload, PartDone, Upload};
use crate::s3::ops::options::ObjectOptions;
use crate::s3::transfer::hash::md5_and_checksum;
use crate::s3::transfer::multipart::Multipart;
use crate::s3::transfer::pool::in_parallel;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// A record is a few hundred bytes; anything much larger is not one.
const MAX_RECORD: u64 = 64 << 10;

/// Where the resume records live under a home folder: `~/.aws/awl/uploads`.
pub fn dir_in(home: &str) -> PathBuf {
    Path::new(home).join(".aws").join("awl").join("uploads")
}

/// What names an unfinished upload of a file: where it goes, its id, and what the file and the parts were
/// when it began.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The bucket.
    pub bucket: String,
    /// The key.
    pub key: String,
    /// The upload id S3 gave (empty for the file as it is now, before an upload exists).
    pub upload_id: String,
    /// The file's absolute path.
    pub path: String,
    /// Its size.
    pub size: u64,
    /// Its modification time, in nanoseconds since 1970.
    pub mtime_ns: i128,
    /// Its inode.
    pub inode: u64,
    /// Its device.
    pub device: u64,
    /// The part size.
    pub part_size: u64,
    /// The checksum each part is sent with.
    pub checksum: Option<Algorithm>,
    /// SHA-256 (hex) of the object's options (type, metadata, class, encryption): the upload was created with
    /// them, so another set must not complete it.
    pub options: String,
}

impl Record {
    /// The record of uploading `file` (at `path`) to `target` in parts of `part_size`.
    pub fn of(
        file: &File,
        path: &Path,
        target: &ObjectRef,
        opts: &ObjectOptions,
        part_size: u64,
        checksum: Option<Algorithm>,
    ) -> std::io::Result<Self> {
        let m = file.metadata()?;
        let abs = std::path::absolute(path)?;
        let mut h = Sha256::new();
        for (n, v) in opts.headers() {
            h.update(format!("{n}:{v}\n"));
        }
        Ok(Record {
            bucket: target.bucket.clone(),
            key: target.key.clone(),
            upload_id: String::new(),
            path: abs.to_string_lossy().into_owned(),
            size: m.len(),
            mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
            inode: m.ino(),
            device: m.dev(),
            part_size,
            checksum,
            options: hex::encode(h.finalize()),
        })
    }

    /// The record's file name: SHA-256 (hex) of the bucket, the key and the file's path, `.json`.
    pub fn file_name(&self) -> String {
        let mut h = Sha256::new();
        for field in [self.bucket.as_bytes(), self.key.as_bytes(), self.path.as_bytes()] {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field);
        }
        format!("{}.json", hex::encode(h.finalize()))
    }

    /// Whether the upload `self` names may be continued for `now` (the same file, unchanged, in the same
    /// parts, with the same checksum and options, to the same object).
    pub fn continues(&self, now: &Record) -> bool {
        self.bucket == now.bucket
            && self.key == now.key
            && self.path == now.path
            && self.size == now.size
            && self.mtime_ns == now.mtime_ns
            && self.inode == now.inode
            && self.device == now.device
            && self.part_size == now.part_size
            && self.checksum == now.checksum
            && self.options == now.options
    }

    /// The record as JSON.
    pub fn to_json(&self) -> String {
        let n = |v: String| Value::Number(v);
        json::to_string(
            &Value::object([
                ("version", n("1".into())),
                ("bucket", Value::string(&self.bucket)),
                ("key", Value::string(&self.key)),
                ("upload_id", Value::string(&self.upload_id)),
                ("path", Value::string(&self.path)),
                ("size", n(self.size.to_string())),
                ("mtime_ns", n(self.mtime_ns.to_string())),
                ("inode", n(self.inode.to_string())),
                ("device", n(self.device.to_string())),
                ("part_size", n(self.part_size.to_string())),
                (
                    "checksum",
                    self.checksum.map_or(Value::Null, |a| Value::string(a.name())),
                ),
                ("options", Value::string(&self.options)),
            ]),
            json::Style::Pretty,
        )
    }

    /// A record read back; `None` for anything else (corrupt, another version, a field missing).
    pub fn parse(text: &str) -> Option<Self> {
        let v = json::parse(text).ok()?;
        let text_of = |k: &str| v.get(k)?.as_str().map(str::to_owned);
        let number = |k: &str| match v.get(k)? {
            Value::Number(n) => Some(n.as_str()),
            _ => None,
        };
        let u = |k: &str| number(k)?.parse::<u64>().ok();
        if u("version")? != 1 {
            return None;
        }
        Some(Record {
            bucket: text_of("bucket")?,
            key: text_of("key")?,
            upload_id: text_of("upload_id").filter(|i| !i.is_empty())?,
            path: text_of("path")?,
            size: u("size")?,
            mtime_ns: number("mtime_ns")?.parse().ok()?,
            inode: u("inode")?,
            device: u("device")?,
            part_size: u("part_size")?.max(1),
            checksum: match v.get("checksum")? {
                Value::Null => None,
                Value::String(s) => Some(Algorithm::parse(s)?),
                _ => return None,
            },
            options: text_of("options")?,
        })
    }
}

/// The bytes part `number` (1-based) of a file of `size` covers in parts of `part`: offset and length;
/// `None` past the file's parts.
pub fn part_range(number: u64, size: u64, part: u64) -> Option<(u64, u64)> {
    let offset = number.checked_sub(1)?.checked_mul(part)?;
    (number >= 1 && offset < size.max(1)).then(|| (offset, part.min(size - offset)))
}

/// Whether a stored part holds the bytes whose MD5 and checksum (of `algorithm`) are given: each value the
/// listing gives that can be compared (the checksum of `algorithm`; the ETag when it is a quoted MD5) must
/// match, and at least one must be there. The part to complete with, or why not.
pub fn verify(
    stored: &StoredPart,
    md5: &[u8; 16],
    checksum: Option<&[u8]>,
    algorithm: Option<Algorithm>,
) -> std::result::Result<PartDone, String> {
    let listed = algorithm.and_then(|a| stored.checksums.iter().find(|(x, _)| *x == a));
    let etag = stored.etag.trim_matches('"');
    let etag_md5 = (etag.len() == 32 && etag.bytes().all(|b| b.is_ascii_hexdigit())).then_some(etag);
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
    let now = s3
        .upload_records()
        .and_then(|dir| Some((dir, Record::of(file, path, target, opts, part, checksum).ok()?)));
    let Some((dir, now)) = now else {
        return Ok((Multipart::start(s3, target, opts, checksum)?, Vec::new()));
    };
    let record_path = dir.join(now.file_name());
    // A corrupt or foreign record is ignored (and replaced below), as a broken credential cache entry is.
    let old = crate::fs::read_regular(&record_path, MAX_RECORD, crate::fs::Links::Refuse)
        .ok()
        .and_then(|b| Record::parse(&String::from_utf8_lossy(&b)))
        .filter(|r| (&r.bucket, &r.key, &r.path) == (&now.bucket, &now.key, &now.path));
    if let Some(old) = old {
        let upload = Upload {
            target: target.clone(),
            id: old.upload_id.clone(),
        };
        if old.continues(&now) {
            match held(s3, file, &upload, &now, workers)? {
                Held::Matching(parts) => {
                    let mp = Multipart::adopt(s3, upload, checksum, leave)?;
                    return Ok((mp.with_record(record_path, leave), parts));
                }
                Held::Stale => {
                    let _ = s3.run(&AbortMultipartUpload(&upload));
                }
                Held::Gone => {}
            }
        } else {
            // The file or the layout changed: its parts are of no use, and awl can name the upload.
            let _ = s3.run(&AbortMultipartUpload(&upload));
        }
        let _ = std::fs::remove_file(&record_path);
    }
    let upload = Multipart::create(s3, target, opts, checksum)?;
    let record = Record {
        upload_id: upload.id.clone(),
        ..now
    };
    let display = redact::sanitize(&record_path.to_string_lossy(), 200);
    // A record that cannot be written (a read-only home) costs only the resuming, not the upload.
    let written = crate::fs::replace_file(&record_path, &display, record.to_json().as_bytes()).is_ok();
    let mp = Multipart::adopt(s3, upload, checksum, leave)?;
    Ok((
        if written {
            mp.with_record(record_path, leave)
        } else {
            mp
        },
        Vec::new(),
    ))
}

/// What a recorded upload holds, checked against the file.
enum Held {
    /// Parts that all match the file: to complete with.
    Matching(Vec<PartDone>),
    /// A part that does not: the upload is of no use.
    Stale,
    /// No such upload any more (aborted by `rb --force`, `rm --recursive`, a lifecycle rule).
    Gone,
}

/// The parts `upload` holds, each checked against the file (read in parallel). A listing that fails
/// otherwise than by a refusal (the network, a 5xx after the retries) ends the run, the record kept for the
/// next.
fn held(s3: &S3<'_>, file: &File, upload: &Upload, now: &Record, workers: usize) -> Result<Held> {
    let mut stored = Vec::new();
    for page in s3.pages(ListParts(upload)) {
        match page {
            Ok(parts) => stored.extend(parts),
            Err(e) if e.service_facts().is_some_and(|f| f.code == "NoSuchUpload") => return Ok(Held::Gone),
            // Refused (a policy without s3:ListMultipartUploadParts, say): the parts cannot be checked, so
            // they are not used, rather than failing every later run.
            Err(e) if e.service_facts().is_some_and(|f| (400..500).contains(&f.status)) => {
                return Ok(Held::Stale);
            }
            Err(e) => return Err(e),
        }
    }
    // Sizes first: a part of the wrong size is refused without reading anything.
    let mut ranges = Vec::with_capacity(stored.len());
    for p in &stored {
        match part_range(p.number, now.size, now.part_size) {
            Some((offset, len)) if len == p.size => ranges.push((offset, len)),
            _ => return Ok(Held::Stale),
        }
    }
    let checked = in_parallel(s3, stored.len() as u64, workers, &|i| {
        let (offset, len) = ranges[i as usize];
        let (md5, sum) = md5_and_checksum(file, offset, len, s3.stop_flag(), now.checksum).map_err(|e| {
            crate::error::Error::io(
                crate::error::ErrorKind::Transfer,
                format_args!("cannot read {}", now.path),
                e,
            )
        })?;
        Ok(verify(&stored[i as usize], &md5, sum.as_deref(), now.checksum).ok())
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

    fn record() -> Record {
        Record {
            bucket: "b".into(),
            key: "dir/ü.bin".into(),
            upload_id: "id+/=".into(),
            path: "/home/u/ü.bin".into(),
            size: 200 << 20,
            mtime_ns: 1_700_000_000_123_456_789,
            inode: u64::MAX,
            device: 2049,
            part_size: 8 << 20,
            checksum: Some(Algorithm::Crc32),
            options: "00".into(),
        }
    }

    #[test]
    fn a_record_round_trips_and_anything_else_is_ignored() {
        let r = record();
        assert_eq!(Record::parse(&r.to_json()), Some(r.clone()));
        let none = Record {
            checksum: None,
            ..r.clone()
        };
        assert_eq!(Record::parse(&none.to_json()), Some(none));
        for bad in [
            "",
            "{",
            "[]",
            "{\"version\": 2}",
            &r.to_json().replace("\"size\"", "\"sighs\""),
            &r.to_json().replace("\"CRC32\"", "\"MD4\""),
            &r.to_json().replace("\"id+/=\"", "\"\""),
            &r.to_json().replace("209715200", "\"209715200\""),
        ] {
            assert_eq!(Record::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_the_same_file_in_the_same_parts_continues() {
        let r = record();
        let now = Record {
            upload_id: String::new(),
            ..r.clone()
        };
        assert!(r.continues(&now));
        let changed = [
            Record {
                size: 1,
                ..now.clone()
            },
            Record {
                mtime_ns: 1,
                ..now.clone()
            },
            Record {
                inode: 1,
                ..now.clone()
            },
            Record {
                device: 1,
                ..now.clone()
            },
            Record {
                part_size: 16 << 20,
                ..now.clone()
            },
            Record {
                checksum: Some(Algorithm::Sha256),
                ..now.clone()
            },
            Record {
                options: "01".into(),
                ..now.clone()
            },
        ];
        assert!(changed.iter().all(|c| !r.continues(c)));
        // One name per bucket, key and path; the upload id is not part of it.
        assert_eq!(r.file_name(), now.file_name());
        assert_ne!(
            r.file_name(),
            Record {
                key: "dir/u.bin".into(),
                ..now
            }
            .file_name()
        );
        assert!(r.file_name().ends_with(".json") && r.file_name().len() == 69);
    }

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
    /// checksum, and by the ETag where that is the MD5.
    #[test]
    fn listed_parts_are_verified_against_local_ranges() {
        let data: Vec<u8> = (0..3 * 1024u32).map(|i| (i * 7 % 251) as u8).collect();
        let range = |n: u64| {
            let (o, l) = part_range(n, data.len() as u64, 1024).expect("in the file");
            &data[o as usize..(o + l) as usize]
        };
        let md5 = |b: &[u8]| -> [u8; 16] { md5::Md5::digest(b).into() };
        let b64 = |a: Algorithm, n| base64::encode(&a.digest(range(n)));
        let body = format!(
            "<ListPartsResult><IsTruncated>false</IsTruncated><ChecksumAlgorithm>CRC32</ChecksumAlgorithm>\
             <Part><PartNumber>1</PartNumber><ETag>\"{}\"</ETag><Size>1024</Size><ChecksumCRC32>{}</ChecksumCRC32></Part>\
             <Part><PartNumber>2</PartNumber><ETag>\"opaque-kms-etag\"</ETag><Size>1024</Size><ChecksumSHA256>{}</ChecksumSHA256></Part>\
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
        // Part 1 by its CRC32 and its MD5 ETag; the completion carries the checksum.
        let done = verify(&parts[0], &md5(range(1)), Some(&crc(1)), Some(Algorithm::Crc32)).expect("matches");
        assert_eq!(done.checksum, Some((Algorithm::Crc32, b64(Algorithm::Crc32, 1))));
        assert_eq!(done.etag, parts[0].etag);
        // Part 2 by its SHA-256 alone (the ETag is no MD5); with CRC32 sent it has nothing to check by.
        assert!(verify(&parts[1], &md5(range(2)), Some(&sha(2)), Some(Algorithm::Sha256)).is_ok());
        assert!(verify(&parts[1], &md5(range(2)), Some(&crc(2)), Some(Algorithm::Crc32)).is_err());
        // Other bytes: caught by the checksum, and by the ETag alone.
        let mut other = range(1).to_vec();
        other[500] ^= 1;
        let other_crc = Algorithm::Crc32.digest(&other);
        assert!(
            verify(
                &parts[0],
                &md5(range(1)),
                Some(&other_crc),
                Some(Algorithm::Crc32)
            )
            .is_err()
        );
        assert!(verify(&parts[0], &md5(&other), Some(&crc(1)), Some(Algorithm::Crc32)).is_err());
        assert!(verify(&parts[0], &md5(&other), None, None).is_err());
        assert!(verify(&parts[0], &md5(range(1)), None, None).is_ok());
        assert!(verify(&parts[1], &md5(&other), Some(&sha(1)), Some(Algorithm::Sha256)).is_err());
    }
}
