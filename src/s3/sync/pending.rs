//! The deletes a run holds back until its copies end and its listings are known complete. A batch (1,000)
//! is held in memory; past that, the batches are set aside in a nameless scratch file ([`crate::fs::scratch`])
//! and read back a batch at a time, so that memory stays flat however many deletes wait (held as jobs they
//! took about 0.3 KiB each: 3 GiB for 10 million keys). On disk a delete takes its names and 10 bytes.
//!
//! The file holds one record per delete, the place deleted: `0`, the path (a local file), or `1`, the
//! bucket, the key, then `0` or `1` and the version id (an object); each string as its length (4 bytes,
//! little-endian) and its bytes. Only this module writes and reads it, within one run.

use crate::error::{Error, ErrorKind, Result};
use crate::interrupt::Interrupt;
use crate::s3::object::ObjectRef;
use crate::s3::ops::delete::MAX_KEYS;
use crate::s3::sync::job::{Job, Op, Place};
use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The longest string a record holds: a key is at most 1,024 bytes and a path at most 4,096, so a longer
/// length read back means a damaged file, not a reason to allocate.
const MAX_FIELD: usize = 64 << 10;

/// Deletes waiting for the end of a run.
#[derive(Debug)]
pub(crate) struct Pending<'p> {
    /// Where the scratch file goes; `None` holds every delete in memory.
    dir: Option<&'p Path>,
    interrupt: Option<&'p Arc<Interrupt>>,
    held: Vec<Job>,
    spill: Option<BufWriter<File>>,
    /// Deletes waiting (those in the file and those held).
    count: usize,
    /// Setting a batch aside failed: the deletes are only counted from then on, never done.
    broken: bool,
}

impl<'p> Pending<'p> {
    /// None waiting yet; past a batch they go to a scratch file in `dir` (registered with `interrupt` while
    /// it has a name).
    pub(crate) fn new(dir: Option<&'p Path>, interrupt: Option<&'p Arc<Interrupt>>) -> Self {
        Pending {
            dir,
            interrupt,
            held: Vec::new(),
            spill: None,
            count: 0,
            broken: false,
        }
    }

    /// How many wait.
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// Whether none waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Whether some are in a scratch file (for tests of the file's use).
    #[cfg(test)]
    fn spilled(&self) -> bool {
        self.spill.is_some()
    }

    /// Adds `job` to those waiting. An error when a full batch cannot be set aside (no scratch file in the
    /// folder, a full disk): `job` is then not counted, and what waits must not be done, since some of it
    /// is lost; later jobs are only counted.
    pub(crate) fn push(&mut self, job: &Job) -> Result<()> {
        if self.broken {
            self.count += 1;
            return Ok(());
        }
        self.held.push(job.clone());
        if let Some(dir) = self.dir
            && self.held.len() >= MAX_KEYS
            && let Err(e) = self.set_aside(dir)
        {
            self.broken = true;
            self.held = Vec::new();
            self.spill = None;
            return Err(e);
        }
        self.count += 1;
        Ok(())
    }

    /// Writes the held batch to the scratch file (made on first use), and empties it.
    fn set_aside(&mut self, dir: &Path) -> Result<()> {
        let shown = dir.display().to_string();
        let w = match &mut self.spill {
            Some(w) => w,
            None => self
                .spill
                .insert(BufWriter::new(crate::fs::scratch(dir, &shown, self.interrupt)?)),
        };
        for job in self.held.drain(..) {
            write_place(w, &job.src).map_err(|e| lost(&shown, "write the pending deletes", e))?;
        }
        Ok(())
    }

    /// What waits, a batch of at most 1,000 at a time, in the order added.
    pub(crate) fn batches(self) -> Result<Batches> {
        let file = match self.spill {
            None => None,
            Some(w) => {
                let mut f = w
                    .into_inner()
                    .map_err(|e| lost("the scratch file", "write the pending deletes", e.into_error()))?;
                f.seek(SeekFrom::Start(0))
                    .map_err(|e| lost("the scratch file", "read the pending deletes back", e))?;
                Some(BufReader::new(f))
            }
        };
        Ok(Batches {
            left: self.count - self.held.len(),
            file,
            held: Some(self.held),
        })
    }
}

/// The deletes that waited, read back a batch at a time.
#[derive(Debug)]
pub(crate) struct Batches {
    /// Records still in the file.
    left: usize,
    file: Option<BufReader<File>>,
    held: Option<Vec<Job>>,
}

impl Iterator for Batches {
    type Item = Result<Vec<Job>>;

    fn next(&mut self) -> Option<Result<Vec<Job>>> {
        if let Some(r) = self.file.as_mut().filter(|_| self.left > 0) {
            let n = self.left.min(MAX_KEYS);
            let batch = (0..n)
                .map(|_| read_place(r).map(delete))
                .collect::<io::Result<Vec<Job>>>();
            self.left -= n;
            if batch.is_err() {
                // What follows a damaged record cannot be trusted either.
                self.left = 0;
                self.held = None;
            }
            return Some(batch.map_err(|e| lost("the scratch file", "read the pending deletes back", e)));
        }
        self.held.take().filter(|h| !h.is_empty()).map(Ok)
    }
}

/// The delete of `place`.
fn delete(place: Place) -> Job {
    Job {
        op: Op::Delete,
        src: place.clone(),
        dst: place,
        size: None,
    }
}

fn lost(what: &str, doing: &str, e: io::Error) -> Error {
    Error::io(ErrorKind::Transfer, format_args!("{what}: cannot {doing}"), e)
}

fn write_bytes(w: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    let len = u32::try_from(bytes.len())
        .ok()
        .filter(|&l| l as usize <= MAX_FIELD)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "a name too long to set aside"))?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(bytes)
}

fn write_place(w: &mut impl Write, place: &Place) -> io::Result<()> {
    match place {
        Place::Local(path) => {
            w.write_all(&[0])?;
            write_bytes(w, path.as_os_str().as_bytes())
        }
        Place::S3(o) => {
            w.write_all(&[1])?;
            write_bytes(w, o.bucket.as_bytes())?;
            write_bytes(w, o.key.as_bytes())?;
            match &o.version_id {
                None => w.write_all(&[0]),
                Some(v) => {
                    w.write_all(&[1])?;
                    write_bytes(w, v.as_bytes())
                }
            }
        }
    }
}

fn damaged(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("damaged: {what}"))
}

fn read_byte(r: &mut impl Read) -> io::Result<u8> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b)?;
    Ok(b[0])
}

fn read_bytes(r: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_FIELD {
        return Err(damaged("a length past the longest name"));
    }
    let mut bytes = vec![0u8; len];
    r.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn read_text(r: &mut impl Read) -> io::Result<String> {
    String::from_utf8(read_bytes(r)?).map_err(|_| damaged("a name that is not UTF-8"))
}

fn read_place(r: &mut impl Read) -> io::Result<Place> {
    match read_byte(r)? {
        0 => Ok(Place::Local(PathBuf::from(OsString::from_vec(read_bytes(r)?)))),
        1 => {
            let object = ObjectRef::new(read_text(r)?, read_text(r)?);
            match read_byte(r)? {
                0 => Ok(Place::S3(object)),
                1 => Ok(Place::S3(object.at_version(read_text(r)?))),
                _ => Err(damaged("an unknown version mark")),
            }
        }
        _ => Err(damaged("an unknown kind of place")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(i: usize) -> Job {
        let place = match i % 3 {
            0 => Place::Local(PathBuf::from(format!("/d/f\n{i}"))),
            1 => Place::S3(ObjectRef::new("b", format!("k/{i} é"))),
            _ => Place::S3(ObjectRef::new("b", format!("k/{i}")).at_version(format!("v{i}"))),
        };
        delete(place)
    }

    fn all(p: Pending<'_>) -> Vec<Job> {
        let mut out = Vec::new();
        for batch in p.batches().expect("batches") {
            let batch = batch.expect("a batch");
            assert!(!batch.is_empty() && batch.len() <= MAX_KEYS, "{}", batch.len());
            out.extend(batch);
        }
        out
    }

    #[test]
    fn few_deletes_stay_in_memory_and_many_go_through_a_file_in_order() {
        let dir = std::env::temp_dir().join(format!("awl-pending-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("folder");
        for n in [0, 1, MAX_KEYS, MAX_KEYS + 1, 3 * MAX_KEYS + 17] {
            let mut p = Pending::new(Some(&dir), None);
            let jobs: Vec<Job> = (0..n).map(job).collect();
            jobs.iter().for_each(|j| p.push(j).expect("held"));
            assert_eq!(p.len(), n);
            assert_eq!(p.spilled(), n >= MAX_KEYS, "{n}");
            assert_eq!(all(p), jobs, "{n}");
        }
        assert_eq!(std::fs::read_dir(&dir).expect("list").count(), 0, "no file left");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_folder_that_takes_no_file_is_an_error_and_later_deletes_are_only_counted() {
        let missing = std::env::temp_dir().join(format!("awl-pending-missing-{}", std::process::id()));
        let mut p = Pending::new(Some(&missing), None);
        let results: Vec<bool> = (0..MAX_KEYS + 5).map(|i| p.push(&job(i)).is_ok()).collect();
        assert_eq!(
            results.iter().filter(|ok| !**ok).count(),
            1,
            "one error, at the first batch"
        );
        assert_eq!(p.len(), MAX_KEYS + 4, "the rest counted");
    }

    #[test]
    fn a_damaged_record_is_an_error_not_a_panic() {
        for bytes in [
            &[7u8][..],
            &[1, 255, 255, 255, 255],
            &[1, 1, 0, 0, 0, 0xff],
            &[0, 3, 0],
        ] {
            assert!(read_place(&mut &bytes[..]).is_err(), "{bytes:?}");
        }
    }
}
