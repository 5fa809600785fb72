//! `--checksum`: a pair of the same size compared by content, from what the object stores and never by
//! downloading it. A file against an object:
//!
//! - a single-part MD5 ETag (32 hex digits, as listed): the file's MD5; no request unless they differ, then
//!   one HEAD to learn whether the ETag is an MD5 at all (not under SSE-KMS or SSE-C, where the checksum S3
//!   stores, hashed in the same pass, decides instead);
//! - a multipart ETag (`hex-N`): HEAD `?partNumber=1` for the part layout (one HEAD for uniform parts, one
//!   more per part otherwise; after a mismatch, one for the last part, as uneven parts can pass for uniform
//!   ones), then the file's parts' MD5s; where the server does not say (s3s-fs ignores
//!   `partNumber`), the part sizes the AWS tools use that give N parts ([`likely_part_sizes`]). Under SSE-KMS
//!   or SSE-C, one more HEAD for the stored checksum, compared as below;
//! - any other ETag, or none listed (s3s-fs lists none): HEAD; its checksum decides if there is one (one of
//!   the bytes against the file's, a COMPOSITE one against the file's parts' checksums in the object's
//!   layout), else its ETag as above.
//!
//! An object against an object: equal listed ETags of an MD5's shape (single or multipart) are equal bytes
//! (no request); otherwise both HEADs, and the checksums (same algorithm and kind) or the MD5 ETags (same
//! shape) decide.
//!
//! Nothing comparable: [`Verdict::Unknown`], and the caller falls back to size and time. A mismatch under a
//! layout that was only inferred says [`Verdict::Differs`]: a needless copy, never a missed change. So does
//! a failure that only rules a match out (the object gone or forbidden after a mismatch, the file gone); any
//! other failure is an error, never [`Verdict::Unknown`], so that it cannot let a change pass by size and
//! time. Each file is read once, for every digest it needs (twice only for uneven parts that passed for
//! uniform ones).

use crate::error::{Error, ErrorKind, Result};
use crate::s3::checksum::layout::{Digests, FileHasher, Layout, Parts, Want};
use crate::s3::checksum::{Kind, Stored};
use crate::s3::client::S3;
use crate::s3::object::ObjectRef;
use crate::s3::ops::head_object::{Head, HeadObject};
use crate::s3::sync::job::Place;
use crate::s3::sync::plan::{Entry, Listed};
use crate::s3::transfer::config::{TransferConfig, part_size};
use crate::s3::transfer::hash::read_range;
use crate::s3::transfer::parallel::{each_part_size, parts_from_first};
use std::fs::File;
use std::path::Path;
use std::sync::atomic::AtomicBool;

/// What a comparison found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The same bytes.
    Same,
    /// Not the same bytes.
    Differs,
    /// Nothing comparable is stored (an SSE-KMS or SSE-C ETag and no checksum, a layout not learnt).
    Unknown,
}

/// What a listed ETag is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Shape {
    /// 32 hex digits: the MD5 of a single-part object (unless SSE-KMS or SSE-C), raw.
    Md5(Vec<u8>),
    /// `hex-N`: an object in N parts.
    Parts(u64),
    /// Anything else, or none.
    Other,
}

fn shape(etag: Option<&str>) -> Shape {
    let Some(e) = etag.map(|e| e.trim().trim_matches('"')) else {
        return Shape::Other;
    };
    match e.split_once('-') {
        None if e.len() == 32 => hex::decode(e).map_or(Shape::Other, Shape::Md5),
        Some((h, n)) if h.len() == 32 && hex::decode(h).is_ok() => n
            .parse()
            .ok()
            .filter(|n| (1..=10_000).contains(n))
            .map_or(Shape::Other, Shape::Parts),
        _ => Shape::Other,
    }
}

/// The part sizes an object of `size` in `count` parts may have been uploaded with, when the server does not
/// say (it ignores `?partNumber=`): those of the AWS tools that give that count, in this order: 8 MiB (the
/// AWS CLI's, boto3's and awl's default) grown as awl grows it (whole MiB, 10,000 parts at most) and as
/// s3transfer grows it (doubled), then 5 MiB (S3's least, rclone's), 16 MiB, 50 MiB (s5cmd's), 64 MiB and
/// 100 MiB; before them all, `configured` (this run's `--multipart-chunksize`) grown as awl grows it. At most
/// four, all hashed in the one pass.
pub fn likely_part_sizes(size: u64, count: u64, configured: u64) -> Vec<u64> {
    const MIB: u64 = 1 << 20;
    let mut doubled = 8 * MIB;
    while size.div_ceil(doubled) > 10_000 {
        doubled *= 2;
    }
    let mut out: Vec<u64> = Vec::new();
    for p in [
        part_size(size, configured),
        part_size(size, 8 * MIB),
        doubled,
        5 * MIB,
        16 * MIB,
        50 * MIB,
        64 * MIB,
        100 * MIB,
    ] {
        if size.div_ceil(p) == count && !out.contains(&p) && out.len() < 4 {
            out.push(p);
        }
    }
    out
}

/// Whether `stored` is of the bytes themselves for an object that is (`parts`) or is not in parts.
fn of_the_bytes(stored: &Stored, parts: bool) -> bool {
    match stored.kind {
        Kind::Full => true,
        Kind::Untyped => !parts || stored.algorithm.crc().is_some(),
        Kind::Composite(_) => false,
    }
}

/// What to hash for `stored` (of an object in parts or not, with these candidate layouts).
fn want_for(stored: &Stored, parts: bool, layouts: &[Parts]) -> Want {
    let mut want = Want::default();
    if of_the_bytes(stored, parts) {
        want.whole = Some(stored.algorithm);
    }
    // A COMPOSITE checksum, or an untyped one of an object in parts (moto's HEAD drops the type).
    if parts && !matches!(stored.kind, Kind::Full) {
        want.layouts = layouts
            .iter()
            .map(|l| Layout {
                parts: l.clone(),
                md5: false,
                sum: Some(stored.algorithm),
            })
            .collect();
    }
    want
}

/// Whether the file's digests match `stored`; `None` when nothing was hashed to compare with it.
fn matches_stored(stored: &Stored, d: &Digests) -> Option<bool> {
    let whole = d
        .whole
        .as_ref()
        .filter(|(a, _)| *a == stored.algorithm)
        .map(|(_, v)| *v == stored.value);
    let parts = d
        .layouts
        .iter()
        .filter_map(|l| l.composite.as_ref())
        .map(|(v, n)| *v == stored.value && !matches!(stored.kind, Kind::Composite(k) if k != 0 && k != *n));
    let all: Vec<bool> = whole.into_iter().chain(parts).collect();
    (!all.is_empty()).then(|| all.contains(&true))
}

fn verdict(same: Option<bool>) -> Verdict {
    match same {
        Some(true) => Verdict::Same,
        Some(false) => Verdict::Differs,
        None => Verdict::Unknown,
    }
}

/// Compares the source and the destination of a pair of the same size, as listed (`s` and `d`); an error
/// only where copying would not be the safe answer.
pub fn compare(
    s3: &S3<'_>,
    cfg: &TransferConfig,
    (src, dst): (&Place, &Place),
    (s, d): (&Entry, &Entry),
) -> Result<Verdict> {
    let listed = |e: &Entry| e.listed.as_deref().cloned();
    match (src, dst) {
        (Place::Local(path), Place::S3(o)) => file_vs_object(s3, cfg, path, o, d.size, listed(d)),
        (Place::S3(o), Place::Local(path)) => file_vs_object(s3, cfg, path, o, s.size, listed(s)),
        (Place::S3(a), Place::S3(b)) => object_vs_object(s3, (a, listed(s)), (b, listed(d))),
        (Place::Local(_), Place::Local(_)) => Ok(Verdict::Unknown),
    }
}

fn head(s3: &S3<'_>, object: &ObjectRef, part: Option<u64>) -> Result<Head> {
    s3.run(&HeadObject {
        object,
        part,
        checksums: true,
    })
}

/// HEAD `?partNumber=1`; `None` from a server that refuses the parameter (400, 501): its part layout is then
/// inferred, as from a server that ignores it.
fn head_first(s3: &S3<'_>, object: &ObjectRef) -> Result<Option<Head>> {
    match head(s3, object, Some(1)) {
        Ok(h) => Ok(Some(h)),
        Err(e) if matches!(e.status(), Some(400 | 501)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether an object's HEAD failed because it is gone or forbidden to this caller (404, 403): whatever it
/// holds, it cannot be shown to be the file's bytes, so copying is the safe answer.
fn gone_or_forbidden(e: &Error) -> bool {
    matches!(e.status(), Some(403 | 404))
}

/// The digests `want` asks of the first `size` bytes of the file at `path`, read once; `None` if the file is
/// gone, no longer `size` bytes long, or changed while it was read (it changed since it was listed: copied).
fn hash_file(stop: Option<&AtomicBool>, path: &Path, size: u64, want: &Want) -> Result<Option<Digests>> {
    let failed = |e| {
        Error::io(
            ErrorKind::Transfer,
            format_args!("cannot read {}", path.display()),
            e,
        )
    };
    let file = match File::open(path) {
        Ok(f) => f,
        // Gone since the listing: a download puts it back, an upload then says why it cannot.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(failed(e)),
    };
    let before = file.metadata().map_err(failed)?;
    if before.len() != size {
        return Ok(None);
    }
    let mut h = FileHasher::new(want);
    read_range(&file, 0, size, stop, &mut |b| h.update(b)).map_err(failed)?;
    // Written to (or replaced) while it was read: what was hashed may be no version of the file.
    let after = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(failed(e)),
    };
    if !unchanged(&before, &after) {
        return Ok(None);
    }
    Ok(Some(h.finish()))
}

/// Whether a file's state `after` it was read is the one `before`: its length and modification time.
fn unchanged(before: &std::fs::Metadata, after: &std::fs::Metadata) -> bool {
    before.len() == after.len() && before.modified().ok() == after.modified().ok()
}

/// Whether an object whose HEAD gave `stored` and `etag` is in parts, and how many when that is said: by its
/// checksum's type, or by its ETag (moto's HEAD drops the type).
fn in_parts_by(stored: &Stored, etag: Option<&str>) -> (bool, Option<u64>) {
    let etag_parts = match shape(etag) {
        Shape::Parts(n) => Some(n),
        _ => None,
    };
    let count = match stored.kind {
        Kind::Composite(n) if n > 0 => Some(n),
        _ => None,
    }
    .or(etag_parts);
    (
        matches!(stored.kind, Kind::Composite(_)) || etag_parts.is_some(),
        count,
    )
}

fn file_vs_object(
    s3: &S3<'_>,
    cfg: &TransferConfig,
    path: &Path,
    object: &ObjectRef,
    size: u64,
    listed: Option<Listed>,
) -> Result<Verdict> {
    let hashed = |want: &Want| hash_file(s3.stop_flag(), path, size, want);
    let mut etag = listed.as_ref().and_then(|l| l.etag.clone());
    // Without a listed ETag of a known shape (s3s-fs lists none): HEAD, whose checksum decides if there is
    // one, else its ETag as if listed.
    let mut known: Option<Head> = None;
    if shape(etag.as_deref()) == Shape::Other {
        let h = head(s3, object, None)?;
        if let Some(stored) = &h.checksum {
            let (parts, count) = in_parts_by(stored, h.etag.as_deref());
            // Only a checksum that may be of parts needs their layout (as `want_for` asks).
            let layouts = if parts && stored.kind != Kind::Full {
                let first = head_first(s3, object)?;
                let count = first.as_ref().and_then(|f| f.parts_count).or(count);
                layouts(s3, cfg, object, size, count.unwrap_or(0), first.as_ref())?
            } else {
                Vec::new()
            };
            return by_checksum(stored, parts, &layouts, &hashed);
        }
        etag.clone_from(&h.etag);
        known = Some(h);
    }
    match shape(etag.as_deref()) {
        Shape::Md5(md5) => {
            // The listed checksum's algorithm is hashed in the same pass: if the ETag proves no MD5, the
            // checksum then decides without a second read.
            let want = Want {
                md5: true,
                whole: listed.as_ref().and_then(|l| l.algorithm),
                layouts: Vec::new(),
            };
            let Some(d) = hashed(&want)? else {
                return Ok(Verdict::Differs);
            };
            if d.md5.as_ref() == Some(&md5) {
                return Ok(Verdict::Same);
            }
            let h = match known {
                Some(h) => h,
                None => match head(s3, object, None) {
                    Ok(h) => h,
                    Err(e) if gone_or_forbidden(&e) => return Ok(Verdict::Differs),
                    Err(e) => return Err(e),
                },
            };
            if h.md5_etag {
                return Ok(Verdict::Differs);
            }
            Ok(verdict(
                h.checksum
                    .filter(|c| of_the_bytes(c, false))
                    .and_then(|c| matches_stored(&c, &d)),
            ))
        }
        Shape::Parts(count) => {
            let etag = etag.unwrap_or_default();
            in_parts(
                s3,
                cfg,
                object,
                size,
                (etag.trim().trim_matches('"'), count),
                &hashed,
            )
        }
        // No checksum, and an ETag that is no MD5.
        Shape::Other => Ok(Verdict::Unknown),
    }
}

/// A file against an object in `count` parts whose ETag is `etag` (unquoted): by its parts' MD5s if the ETag
/// is an MD5 one, else by its stored checksum.
fn in_parts(
    s3: &S3<'_>,
    cfg: &TransferConfig,
    object: &ObjectRef,
    size: u64,
    (etag, count): (&str, u64),
    hashed: &dyn Fn(&Want) -> Result<Option<Digests>>,
) -> Result<Verdict> {
    let first = head_first(s3, object)?;
    let layouts = layouts(s3, cfg, object, size, count, first.as_ref())?;
    // Without the HEAD of part 1 (refused), the object's own HEAD says whether the ETag is an MD5.
    let md5_etag = match &first {
        Some(f) => f.md5_etag,
        None => head(s3, object, None)?.md5_etag,
    };
    if md5_etag {
        let want = Want {
            layouts: layouts
                .into_iter()
                .map(|parts| Layout {
                    parts,
                    md5: true,
                    sum: None,
                })
                .collect(),
            ..Want::default()
        };
        if want.layouts.is_empty() {
            return Ok(Verdict::Unknown);
        }
        let Some(d) = hashed(&want)? else {
            return Ok(Verdict::Differs);
        };
        let same = |d: &Digests| d.layouts.iter().any(|l| l.etag.as_deref() == Some(etag));
        if same(&d) {
            return Ok(Verdict::Same);
        }
        return Ok(
            match uneven(s3, cfg, object, size, first.as_ref(), &want.layouts[0].parts)? {
                Some(real) => {
                    let want = Want {
                        layouts: vec![Layout {
                            parts: real,
                            md5: true,
                            sum: None,
                        }],
                        ..Want::default()
                    };
                    verdict(hashed(&want)?.map(|d| same(&d)).or(Some(false)))
                }
                None => Verdict::Differs,
            },
        );
    }
    let Some(stored) = head(s3, object, None)?.checksum else {
        return Ok(Verdict::Unknown);
    };
    let v = by_checksum(&stored, true, &layouts, hashed)?;
    if v != Verdict::Differs || of_the_bytes(&stored, true) {
        return Ok(v);
    }
    match layouts.first() {
        Some(l) => match uneven(s3, cfg, object, size, first.as_ref(), l)? {
            Some(real) => by_checksum(&stored, true, &[real], hashed),
            None => Ok(v),
        },
        None => Ok(v),
    }
}

/// The file compared with a stored checksum, hashed as it needs.
fn by_checksum(
    stored: &Stored,
    parts: bool,
    layouts: &[Parts],
    hashed: &dyn Fn(&Want) -> Result<Option<Digests>>,
) -> Result<Verdict> {
    let want = want_for(stored, parts, layouts);
    if want == Want::default() {
        return Ok(Verdict::Unknown);
    }
    Ok(match hashed(&want)? {
        None => Verdict::Differs,
        Some(d) => verdict(matches_stored(stored, &d)),
    })
}

/// After a mismatch in the layout `tried`, taken from what HEAD `?partNumber=1` said (`first`): the object's
/// real part sizes if they are other (parts of 6, 5 and 1 MiB look like 6, 6 and a few bytes from the first
/// part's size, the count and the total). One HEAD of the last part tells; only if its size is not the one
/// tried is each part asked, and the file then read again. `None` when the layout stands, or was inferred,
/// or a HEAD failed: after a mismatch, a failure only keeps a match from being found, and the pair is then
/// copied (an interruption still ends the run).
fn uneven(
    s3: &S3<'_>,
    cfg: &TransferConfig,
    object: &ObjectRef,
    size: u64,
    first: Option<&Head>,
    tried: &Parts,
) -> Result<Option<Parts>> {
    let (Some(count), Parts::Sizes(sizes)) = (first.and_then(|f| f.parts_count), tried) else {
        return Ok(None);
    };
    if sizes.len() as u64 != count {
        return Ok(None);
    }
    let real = head(s3, object, Some(count)).and_then(|last| {
        if last.size == sizes.last().copied().unwrap_or(0) {
            return Ok(None);
        }
        each_part_size(s3, object, count, cfg).map(Some)
    });
    match real {
        Ok(Some(real)) if real != *sizes && real.iter().sum::<u64>() == size => Ok(Some(Parts::Sizes(real))),
        Ok(_) => Ok(None),
        Err(e) if e.kind() == ErrorKind::Interrupted => Err(e),
        Err(_) => Ok(None),
    }
}

/// The part layouts to hash an object of `size` in `count` parts by: the one the server gave for part 1
/// (`first`; one HEAD more per part when they are not uniform), else the likely ones. An error if a HEAD of a
/// part fails: the layout is then not known, and must not pass for not comparable.
fn layouts(
    s3: &S3<'_>,
    cfg: &TransferConfig,
    object: &ObjectRef,
    size: u64,
    count: u64,
    first: Option<&Head>,
) -> Result<Vec<Parts>> {
    if let Some(first) = first.filter(|f| f.parts_count.is_some())
        && let Some(p) = parts_from_first(s3, object, size, first, cfg)?
    {
        return Ok(vec![Parts::Sizes(p.iter().map(|p| p.len).collect())]);
    }
    // The server does not say, or what it says does not add up: the likely layouts (a mismatch under them
    // is a needless copy, never a missed change).
    Ok(likely_part_sizes(size, count, cfg.part_size)
        .into_iter()
        .map(Parts::Uniform)
        .collect())
}

/// Whether an ETag is of an MD5's shape, single-part or multipart: equal ones are then equal bytes (an MD5,
/// or one object copied from the other), where other ETags (a server's own, an SSE-C one) may not be.
fn md5_shaped(etag: Option<&str>) -> bool {
    matches!(shape(etag), Shape::Md5(_) | Shape::Parts(_))
}

fn object_vs_object(
    s3: &S3<'_>,
    (a, la): (&ObjectRef, Option<Listed>),
    (b, lb): (&ObjectRef, Option<Listed>),
) -> Result<Verdict> {
    let etag = |l: &Option<Listed>| l.as_ref().and_then(|l| l.etag.clone());
    let (ea, eb) = (etag(&la), etag(&lb));
    // Equal listed ETags of an MD5's shape: the same MD5 (or parts' MD5s), or one object copied from the other.
    if md5_shaped(ea.as_deref()) && ea == eb {
        return Ok(Verdict::Same);
    }
    let (ha, hb) = (head(s3, a, None)?, head(s3, b, None)?);
    // Where the listing gives no ETag (s3s-fs), the HEAD's.
    let (ea, eb) = (ea.or_else(|| ha.etag.clone()), eb.or_else(|| hb.etag.clone()));
    let (pa, pb) = (shape(ea.as_deref()), shape(eb.as_deref()));
    if let (Some(x), Some(y)) = (&ha.checksum, &hb.checksum)
        && x.algorithm == y.algorithm
    {
        let (xp, yp) = (matches!(pa, Shape::Parts(_)), matches!(pb, Shape::Parts(_)));
        let both_bytes = of_the_bytes(x, xp) && of_the_bytes(y, yp) && (x.kind == y.kind || !xp && !yp);
        let both_parts = !of_the_bytes(x, xp) && !of_the_bytes(y, yp) && pa == pb;
        if both_bytes || both_parts {
            return Ok(verdict(Some(x.value == y.value)));
        }
    }
    // Two MD5 ETags of the same shape (single part, or the same count of parts), neither under SSE-KMS/C.
    let same_shape = match (&pa, &pb) {
        (Shape::Md5(_), Shape::Md5(_)) => true,
        (Shape::Parts(x), Shape::Parts(y)) => x == y,
        _ => false,
    };
    if same_shape && ha.md5_etag && hb.md5_etag {
        let bare = |e: &Option<String>| {
            e.as_deref()
                .map(|e| e.trim().trim_matches('"').to_ascii_lowercase())
        };
        return Ok(verdict(Some(bare(&ea) == bare(&eb))));
    }
    Ok(Verdict::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s3::checksum::Algorithm;

    #[test]
    fn etag_shapes() {
        assert!(
            matches!(shape(Some("\"5d41402abc4b2a76b9719d911017c592\"")), Shape::Md5(v) if v.len() == 16)
        );
        assert_eq!(
            shape(Some("\"7efd87171f88bd1dfcadb7be443f5886-3\"")),
            Shape::Parts(3)
        );
        assert_eq!(
            shape(Some("\"7efd87171f88bd1dfcadb7be443f5886-0\"")),
            Shape::Other
        );
        assert_eq!(shape(Some("\"not-an-md5\"")), Shape::Other);
        assert_eq!(shape(Some("\"zzzd87171f88bd1dfcadb7be443f5886\"")), Shape::Other);
        assert_eq!(shape(None), Shape::Other);
    }

    #[test]
    fn likely_part_sizes_give_the_count() {
        const MIB: u64 = 1 << 20;
        let d = 8 * MIB;
        assert_eq!(likely_part_sizes(20 * MIB, 3, d), vec![8 * MIB]);
        assert_eq!(likely_part_sizes(20 * MIB, 4, d), vec![5 * MIB]);
        assert_eq!(likely_part_sizes(20 * MIB, 2, d), vec![16 * MIB]);
        assert_eq!(likely_part_sizes(20 * MIB, 7, d), Vec::<u64>::new());
        // 100 GiB: awl grows 8 MiB to 11 MiB (whole MiB), s3transfer doubles it to 16 MiB.
        let big = 100u64 << 30;
        assert_eq!(likely_part_sizes(big, big.div_ceil(11 * MIB), d), vec![11 * MIB]);
        assert_eq!(likely_part_sizes(big, 6400, d), vec![16 * MIB]);
        // This run's --multipart-chunksize first: 20 MiB in 4 parts of 6 MiB (or of 5).
        assert_eq!(likely_part_sizes(20 * MIB, 4, 6 * MIB), vec![6 * MIB, 5 * MIB]);
        assert_eq!(likely_part_sizes(20 * MIB, 3, 7 * MIB), vec![7 * MIB, 8 * MIB]);
    }

    #[test]
    fn a_file_gone_or_of_another_size_is_no_match_and_no_error() {
        let dir = std::env::temp_dir().join(format!("awl-compare-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("f");
        let want = Want {
            md5: true,
            ..Want::default()
        };
        std::fs::write(&path, b"hello").expect("write");
        let d = hash_file(None, &path, 5, &want).expect("read");
        assert_eq!(
            d.and_then(|d| d.md5),
            Some(crate::s3::checksum::layout::md5(b"hello"))
        );
        assert_eq!(hash_file(None, &path, 4, &want).expect("read"), None);
        std::fs::remove_file(&path).expect("remove");
        assert_eq!(hash_file(None, &path, 5, &want).expect("gone is no error"), None);
        let _ = std::fs::remove_dir(&dir);
    }

    #[test]
    fn a_file_written_while_read_is_changed() {
        let dir = std::env::temp_dir().join(format!("awl-unchanged-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("f");
        std::fs::write(&path, b"hello").expect("write");
        let before = std::fs::metadata(&path).expect("meta");
        assert!(unchanged(&before, &std::fs::metadata(&path).expect("meta")));
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"!"))
            .expect("append");
        assert!(!unchanged(&before, &std::fs::metadata(&path).expect("meta")));
        // The same length, another time.
        std::fs::write(&path, b"hellO").expect("write");
        let file = File::options().write(true).open(&path).expect("open");
        file.set_modified(std::time::SystemTime::UNIX_EPOCH)
            .expect("mtime");
        assert!(!unchanged(&before, &std::fs::metadata(&path).expect("meta")));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_multipart_etag_means_a_checksum_of_parts() {
        let untyped = Stored {
            algorithm: Algorithm::Sha256,
            value: vec![0; 32],
            kind: Kind::Untyped,
        };
        let parts = Some("\"7efd87171f88bd1dfcadb7be443f5886-3\"");
        assert_eq!(in_parts_by(&untyped, parts), (true, Some(3)));
        assert_eq!(
            in_parts_by(&untyped, Some("\"5d41402abc4b2a76b9719d911017c592\"")),
            (false, None)
        );
        let composite = Stored {
            kind: Kind::Composite(0),
            ..untyped.clone()
        };
        assert_eq!(in_parts_by(&composite, None), (true, None));
        assert_eq!(in_parts_by(&composite, parts), (true, Some(3)));
        // So a SHA-256 of parts is hashed by parts, not as one of the bytes.
        let want = want_for(&untyped, in_parts_by(&untyped, parts).0, &[Parts::Uniform(8)]);
        assert_eq!((want.whole, want.layouts.len()), (None, 1));
    }

    #[test]
    fn stored_checksums_ask_for_what_can_match() {
        let s = |kind| Stored {
            algorithm: Algorithm::Crc32,
            value: vec![1, 2, 3, 4],
            kind,
        };
        let l = [Parts::Uniform(8)];
        assert_eq!(want_for(&s(Kind::Full), true, &l).whole, Some(Algorithm::Crc32));
        assert!(want_for(&s(Kind::Full), true, &l).layouts.is_empty());
        assert_eq!(want_for(&s(Kind::Composite(3)), true, &l).whole, None);
        assert_eq!(want_for(&s(Kind::Composite(3)), true, &l).layouts.len(), 1);
        // moto's untyped CRC of an object in parts: either may match.
        let either = want_for(&s(Kind::Untyped), true, &l);
        assert_eq!((either.whole.is_some(), either.layouts.len()), (true, 1));
        let sha = Stored {
            algorithm: Algorithm::Sha256,
            value: vec![0; 32],
            kind: Kind::Untyped,
        };
        assert_eq!(
            want_for(&sha, true, &l).whole,
            None,
            "a SHA of parts is COMPOSITE"
        );
        assert_eq!(want_for(&sha, false, &l).whole, Some(Algorithm::Sha256));
        let d = Digests {
            whole: Some((Algorithm::Crc32, vec![1, 2, 3, 4])),
            ..Digests::default()
        };
        assert_eq!(matches_stored(&s(Kind::Full), &d), Some(true));
        assert_eq!(matches_stored(&sha, &d), None, "nothing of its algorithm");
    }
}
