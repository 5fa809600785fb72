//! A local file's digests as an object would store them, pure: in one pass over its bytes, its MD5 and one
//! whole-file checksum, and for each part layout asked for (the object's, or the part sizes it may have been
//! uploaded with) the multipart ETag (`hex(MD5 of the parts' MD5s)-N`) and the COMPOSITE checksum (the
//! checksum of the parts' checksums). What `sync --checksum` compares with what S3 stores.

use crate::s3::checksum::verify::composite;
use crate::s3::checksum::{Algorithm, Hasher};

/// The part sizes of a layout: all but the last of one size, or each given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parts {
    /// Parts of this size, the last one shorter.
    Uniform(u64),
    /// Each part's size, in order.
    Sizes(Vec<u64>),
}

impl Parts {
    /// The size of part `index` (0-based), or `None` past the last of `Sizes`.
    fn len(&self, index: usize) -> Option<u64> {
        match self {
            Parts::Uniform(n) => Some((*n).max(1)),
            Parts::Sizes(s) => s.get(index).copied(),
        }
    }
}

/// What to compute over a file in its one pass.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Want {
    /// The MD5 of the whole file (a single-part object's ETag).
    pub md5: bool,
    /// A checksum of the whole file (FULL_OBJECT, or a single PUT's).
    pub whole: Option<Algorithm>,
    /// Layouts to hash part by part.
    pub layouts: Vec<Layout>,
}

/// One layout to hash part by part, and what of each part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The part sizes.
    pub parts: Parts,
    /// Each part's MD5 (for the multipart ETag).
    pub md5: bool,
    /// Each part's checksum in this algorithm (for a COMPOSITE checksum).
    pub sum: Option<Algorithm>,
}

/// What one layout gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayoutDigest {
    /// The multipart ETag, unquoted (`hex-N`), if asked.
    pub etag: Option<String>,
    /// The COMPOSITE checksum (raw) and its part count, if asked.
    pub composite: Option<(Vec<u8>, u64)>,
}

/// What the pass gave, in the order of [`Want`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Digests {
    /// The MD5, raw.
    pub md5: Option<Vec<u8>>,
    /// The whole-file checksum, raw.
    pub whole: Option<(Algorithm, Vec<u8>)>,
    /// One per layout asked.
    pub layouts: Vec<LayoutDigest>,
}

/// One layout being hashed: where the current part ends, its hashers, the finished parts' digests.
#[derive(Debug)]
struct Running {
    parts: Parts,
    index: usize,
    left: u64,
    md5: Option<(Hasher, Vec<u8>)>,
    sum: Option<(Algorithm, Hasher, Vec<Vec<u8>>)>,
}

impl Running {
    fn close_part(&mut self) {
        if let Some((h, all)) = &mut self.md5 {
            all.extend(std::mem::replace(h, Hasher::md5()).finish());
        }
        if let Some((a, h, all)) = &mut self.sum {
            all.push(std::mem::replace(h, Hasher::new(*a)).finish());
        }
        self.index += 1;
        self.left = self.parts.len(self.index).unwrap_or(u64::MAX);
    }

    fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            if self.left == 0 {
                self.close_part();
            }
            let n = (self.left.min(data.len() as u64)) as usize;
            if let Some((h, _)) = &mut self.md5 {
                h.update(&data[..n]);
            }
            if let Some((_, h, _)) = &mut self.sum {
                h.update(&data[..n]);
            }
            self.left -= n as u64;
            data = &data[n..];
        }
    }

    fn finish(mut self) -> LayoutDigest {
        // The last part ends with the data (a part begun, or an empty file's one part).
        self.close_part();
        let count = self.index as u64;
        LayoutDigest {
            etag: self
                .md5
                .map(|(_, all)| format!("{}-{count}", hex::encode(md5(&all)))),
            composite: self.sum.map(|(a, _, all)| (composite(a, &all), count)),
        }
    }
}

/// The digests [`Want`] asks for, fed the file's bytes in order.
#[derive(Debug)]
pub struct FileHasher {
    md5: Option<Hasher>,
    whole: Option<(Algorithm, Hasher)>,
    layouts: Vec<Running>,
}

impl FileHasher {
    /// A hasher of what `want` asks.
    pub fn new(want: &Want) -> Self {
        FileHasher {
            md5: want.md5.then(Hasher::md5),
            whole: want.whole.map(|a| (a, Hasher::new(a))),
            layouts: want
                .layouts
                .iter()
                .map(|l| Running {
                    left: l.parts.len(0).unwrap_or(u64::MAX),
                    parts: l.parts.clone(),
                    index: 0,
                    md5: l.md5.then(|| (Hasher::md5(), Vec::new())),
                    sum: l.sum.map(|a| (a, Hasher::new(a), Vec::new())),
                })
                .collect(),
        }
    }

    /// Adds the next bytes.
    pub fn update(&mut self, data: &[u8]) {
        if let Some(h) = &mut self.md5 {
            h.update(data);
        }
        if let Some((_, h)) = &mut self.whole {
            h.update(data);
        }
        for l in &mut self.layouts {
            l.update(data);
        }
    }

    /// The digests.
    pub fn finish(self) -> Digests {
        Digests {
            md5: self.md5.map(Hasher::finish),
            whole: self.whole.map(|(a, h)| (a, h.finish())),
            layouts: self.layouts.into_iter().map(Running::finish).collect(),
        }
    }
}

/// The MD5 of `data` (a multipart ETag is the MD5 of its parts' MD5s).
pub fn md5(data: &[u8]) -> Vec<u8> {
    let mut h = Hasher::md5();
    h.update(data);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 % 253) as u8).collect()
    }

    #[test]
    fn layouts_hash_like_their_parts_whatever_the_reads() {
        let d = data(2500);
        let want = Want {
            md5: true,
            whole: Some(Algorithm::Crc64Nvme),
            layouts: vec![
                Layout {
                    parts: Parts::Uniform(1000),
                    md5: true,
                    sum: Some(Algorithm::Sha256),
                },
                Layout {
                    parts: Parts::Sizes(vec![500, 2000]),
                    md5: true,
                    sum: None,
                },
            ],
        };
        let expect = |parts: &[&[u8]]| {
            let md5s: Vec<u8> = parts.iter().flat_map(|p| md5(p)).collect();
            format!("{}-{}", hex::encode(md5(&md5s)), parts.len())
        };
        for step in [1, 7, 1000, 4096] {
            let mut h = FileHasher::new(&want);
            d.chunks(step).for_each(|c| h.update(c));
            let got = h.finish();
            assert_eq!(got.md5, Some(md5(&d)));
            assert_eq!(
                got.whole,
                Some((Algorithm::Crc64Nvme, Algorithm::Crc64Nvme.digest(&d)))
            );
            let thirds = [&d[..1000], &d[1000..2000], &d[2000..]];
            assert_eq!(got.layouts[0].etag, Some(expect(&thirds)));
            let sums: Vec<Vec<u8>> = thirds.iter().map(|p| Algorithm::Sha256.digest(p)).collect();
            assert_eq!(
                got.layouts[0].composite,
                Some((composite(Algorithm::Sha256, &sums), 3))
            );
            assert_eq!(got.layouts[1].etag, Some(expect(&[&d[..500], &d[500..]])));
            assert_eq!(got.layouts[1].composite, None);
        }
        // A file that ends on a part boundary has no empty part after it.
        let mut h = FileHasher::new(&Want {
            layouts: vec![Layout {
                parts: Parts::Uniform(1250),
                md5: true,
                sum: None,
            }],
            ..Want::default()
        });
        h.update(&d);
        assert_eq!(
            h.finish().layouts[0].etag,
            Some(expect(&[&d[..1250], &d[1250..]]))
        );
    }
}
