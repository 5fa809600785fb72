//! The resume record: what names an unfinished upload of a file (one small JSON file per endpoint, bucket,
//! key and local path, 0600 in a 0700 folder), its format, its name, and reading, writing and removing it.

use crate::codec::json::{self, Value};
use crate::s3::checksum::Algorithm;
use crate::s3::object::ObjectRef;
use crate::s3::ops::options::ObjectOptions;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::os::unix::ffi::OsStrExt;
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
    /// The endpoint the upload was made at (`scheme://host[:port][/path]`; empty for AWS's own).
    pub endpoint: String,
    /// The bucket.
    pub bucket: String,
    /// The key.
    pub key: String,
    /// The upload id S3 gave (empty for the file as it is now, before an upload exists).
    pub upload_id: String,
    /// The file's canonical path (lossy where it is not UTF-8; the name is of its bytes).
    pub path: String,
    /// The path's bytes, which name the record.
    pub path_bytes: Vec<u8>,
    /// Its size.
    pub size: u64,
    /// Its modification time, in nanoseconds since 1970.
    pub mtime_ns: i128,
    /// Its inode.
    pub inode: u64,
    /// The part size.
    pub part_size: u64,
    /// The checksum each part is sent with.
    pub checksum: Option<Algorithm>,
    /// SHA-256 (hex) of the object's options (type, metadata, class, encryption): the upload was created with
    /// them, so another set must not complete it.
    pub options: String,
    /// Whether the upload's part ETags are the parts' MD5s (not with SSE-KMS, DSSE or SSE-C), as
    /// CreateMultipartUpload answered.
    pub md5_etags: bool,
}

impl Record {
    /// The record of uploading `file` (at `path`) to `target` at `endpoint` in parts of `part_size`.
    pub fn of(
        file: &File,
        path: &Path,
        endpoint: &str,
        target: &ObjectRef,
        opts: &ObjectOptions,
        part_size: u64,
        checksum: Option<Algorithm>,
    ) -> std::io::Result<Self> {
        let m = file.metadata()?;
        // One name per file however it is spelt (`..`, links); `absolute` where it cannot be resolved.
        let abs = std::fs::canonicalize(path).or_else(|_| std::path::absolute(path))?;
        let mut h = Sha256::new();
        for (n, v) in opts.headers() {
            h.update(format!("{n}:{v}\n"));
        }
        Ok(Record {
            endpoint: endpoint.to_owned(),
            bucket: target.bucket.clone(),
            key: target.key.clone(),
            upload_id: String::new(),
            path: abs.to_string_lossy().into_owned(),
            path_bytes: abs.as_os_str().as_bytes().to_vec(),
            size: m.len(),
            mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
            inode: m.ino(),
            part_size,
            checksum,
            options: hex::encode(h.finalize()),
            md5_etags: true,
        })
    }

    /// The record's file name: SHA-256 (hex) of the endpoint, the bucket, the key and the path's bytes,
    /// `.json`.
    pub fn file_name(&self) -> String {
        let mut h = Sha256::new();
        for field in [
            self.endpoint.as_bytes(),
            self.bucket.as_bytes(),
            self.key.as_bytes(),
            &self.path_bytes,
        ] {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field);
        }
        format!("{}.json", hex::encode(h.finalize()))
    }

    /// Whether `self` and `other` are about the same file to the same object at the same endpoint.
    pub fn same_target(&self, other: &Record) -> bool {
        (&self.endpoint, &self.bucket, &self.key, &self.path)
            == (&other.endpoint, &other.bucket, &other.key, &other.path)
    }

    /// Whether the upload `self` names may be continued for `now` (the same file, unchanged, in the same
    /// parts, with the same checksum and options, to the same object). The device is not compared: it may
    /// change across reboots, and each part's digest guards the bytes.
    pub fn continues(&self, now: &Record) -> bool {
        self.same_target(now)
            && self.size == now.size
            && self.mtime_ns == now.mtime_ns
            && self.inode == now.inode
            && self.part_size == now.part_size
            && self.checksum == now.checksum
            && self.options == now.options
    }

    /// The record as JSON.
    pub fn to_json(&self) -> String {
        let n = |v: String| Value::Number(v);
        json::to_string(
            &Value::object([
                ("version", n("2".into())),
                ("endpoint", Value::string(&self.endpoint)),
                ("bucket", Value::string(&self.bucket)),
                ("key", Value::string(&self.key)),
                ("upload_id", Value::string(&self.upload_id)),
                ("path", Value::string(&self.path)),
                ("path_bytes", Value::string(hex::encode(&self.path_bytes))),
                ("size", n(self.size.to_string())),
                ("mtime_ns", n(self.mtime_ns.to_string())),
                ("inode", n(self.inode.to_string())),
                ("part_size", n(self.part_size.to_string())),
                (
                    "checksum",
                    self.checksum.map_or(Value::Null, |a| Value::string(a.name())),
                ),
                ("options", Value::string(&self.options)),
                ("md5_etags", Value::Bool(self.md5_etags)),
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
        if u("version")? != 2 {
            return None;
        }
        Some(Record {
            endpoint: text_of("endpoint")?,
            bucket: text_of("bucket")?,
            key: text_of("key")?,
            upload_id: text_of("upload_id").filter(|i| !i.is_empty())?,
            path: text_of("path")?,
            path_bytes: hex::decode(text_of("path_bytes")?).ok()?,
            size: u("size")?,
            mtime_ns: number("mtime_ns")?.parse().ok()?,
            inode: u("inode")?,
            part_size: u("part_size")?.max(1),
            checksum: match v.get("checksum")? {
                Value::Null => None,
                Value::String(s) => Some(Algorithm::parse(s)?),
                _ => return None,
            },
            options: text_of("options")?,
            md5_etags: match v.get("md5_etags")? {
                Value::Bool(b) => *b,
                _ => return None,
            },
        })
    }
}

/// The record at `path`, if there is a readable one. A corrupt or foreign record reads as none (and is
/// replaced), as a broken credential cache entry is.
pub fn read(path: &Path) -> Option<Record> {
    crate::fs::read_regular(path, MAX_RECORD, crate::fs::Links::Refuse)
        .ok()
        .and_then(|b| Record::parse(&String::from_utf8_lossy(&b)))
}

/// Removes the record at `path` if it still names upload `id`: another run may have replaced it with its
/// own upload's meanwhile.
pub fn remove_if_names(path: &Path, id: &str) {
    if read(path).is_some_and(|r| r.upload_id == id) {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            endpoint: "http://127.0.0.1:9000".into(),
            bucket: "b".into(),
            key: "dir/ü.bin".into(),
            upload_id: "id+/=".into(),
            path: "/home/u/ü.bin".into(),
            path_bytes: "/home/u/ü.bin".into(),
            size: 200 << 20,
            mtime_ns: 1_700_000_000_123_456_789,
            inode: u64::MAX,
            part_size: 8 << 20,
            checksum: Some(Algorithm::Crc32),
            options: "00".into(),
            md5_etags: false,
        }
    }

    #[test]
    fn a_record_round_trips_and_anything_else_is_ignored() {
        let r = record();
        assert_eq!(Record::parse(&r.to_json()), Some(r.clone()));
        let none = Record {
            checksum: None,
            md5_etags: true,
            ..r.clone()
        };
        assert_eq!(Record::parse(&none.to_json()), Some(none));
        for bad in [
            "",
            "{",
            "[]",
            "{\"version\": 2}",
            &r.to_json().replace("\"version\": 2", "\"version\": 1"),
            &r.to_json().replace("\"size\"", "\"sighs\""),
            &r.to_json().replace("\"CRC32\"", "\"MD4\""),
            &r.to_json().replace("\"id+/=\"", "\"\""),
            &r.to_json().replace("209715200", "\"209715200\""),
            &r.to_json().replace("false", "\"false\""),
            &r.to_json().replace("\"endpoint\"", "\"endpunkt\""),
        ] {
            assert_eq!(Record::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_the_same_file_in_the_same_parts_continues() {
        let r = record();
        let now = Record {
            upload_id: String::new(),
            md5_etags: true,
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
            Record {
                endpoint: "http://127.0.0.1:9001".into(),
                ..now.clone()
            },
        ];
        assert!(changed.iter().all(|c| !r.continues(c)));
        // One name per endpoint, bucket, key and path; the upload id is not part of it.
        assert_eq!(r.file_name(), now.file_name());
        for other in [
            Record {
                key: "dir/u.bin".into(),
                ..now.clone()
            },
            Record {
                endpoint: String::new(),
                ..now.clone()
            },
            Record {
                path_bytes: b"/home/u/\xfc.bin".to_vec(),
                ..now.clone()
            },
        ] {
            assert_ne!(r.file_name(), other.file_name());
        }
        assert!(r.file_name().ends_with(".json") && r.file_name().len() == 69);
    }

    #[test]
    fn one_file_spelt_two_ways_has_one_record() {
        let dir = std::env::temp_dir().join(format!("awl-record-name-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).expect("dir");
        let path = dir.join("f.bin");
        std::fs::write(&path, b"bytes").expect("write");
        let link = dir.join("link.bin");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&path, &link).expect("symlink");
        let file = File::open(&path).expect("open");
        let target = ObjectRef::new("b", "k");
        let opts = ObjectOptions::default();
        let of = |p: &Path| Record::of(&file, p, "", &target, &opts, 8 << 20, None).expect("record");
        let plain = of(&path);
        assert_eq!(of(&dir.join("sub/../f.bin")).file_name(), plain.file_name());
        assert_eq!(of(&link).file_name(), plain.file_name());
        let elsewhere = Record::of(&file, &path, "http://127.0.0.1:1", &target, &opts, 8 << 20, None);
        assert_ne!(elsewhere.expect("record").file_name(), plain.file_name());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_record_is_removed_only_while_it_names_the_upload() {
        let dir = std::env::temp_dir().join(format!("awl-record-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join(record().file_name());
        std::fs::write(&path, record().to_json()).expect("write");
        assert_eq!(read(&path), Some(record()));
        remove_if_names(&path, "another run's upload");
        assert!(path.exists(), "another upload's record stays");
        remove_if_names(&path, "id+/=");
        assert!(!path.exists());
        let _ = std::fs::remove_dir(&dir);
    }
}
