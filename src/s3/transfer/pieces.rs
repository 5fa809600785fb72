//! How a download is cut into pieces fetched in parallel, pure: the object's own parts where it has them (so
//! each part's stored checksum applies), otherwise ranges of a fixed size; and the reading of `Content-Range`.

/// A piece of an object: fetched by one GET, written at its offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    /// The part number, when the piece is one of the object's parts.
    pub part: Option<u64>,
    /// Where it starts in the object.
    pub offset: u64,
    /// Its length.
    pub len: u64,
}

impl Piece {
    /// The `Range` header's value for it.
    pub fn range(&self) -> String {
        format!("bytes={}-{}", self.offset, self.offset + self.len.max(1) - 1)
    }

    /// How messages name it (`part 3 (bytes 16777216-25165823)`).
    pub fn name(&self) -> String {
        let bytes = format!("bytes {}-{}", self.offset, self.offset + self.len.max(1) - 1);
        match self.part {
            Some(n) => format!("part {n} ({bytes})"),
            None => bytes,
        }
    }
}

/// Ranges of `piece` bytes over an object of `size` (at least one piece, if empty).
pub fn ranges(size: u64, piece: u64) -> Vec<Piece> {
    let piece = piece.max(1);
    (0..size.div_ceil(piece).max(1))
        .map(|i| Piece {
            part: None,
            offset: i * piece,
            len: piece.min(size - (i * piece).min(size)),
        })
        .collect()
}

/// The object's parts from their sizes, in order; `None` unless they add up to `size`.
pub fn parts(size: u64, sizes: &[u64]) -> Option<Vec<Piece>> {
    let mut offset = 0u64;
    let mut out = Vec::with_capacity(sizes.len());
    for (i, len) in sizes.iter().enumerate() {
        out.push(Piece {
            part: Some(i as u64 + 1),
            offset,
            len: *len,
        });
        offset = offset.checked_add(*len)?;
    }
    (offset == size && !out.is_empty()).then_some(out)
}

/// The part sizes of an object of `size` in `count` parts whose first is `first` bytes, if every part but the
/// last has that size (as every uploader makes them): `None` when the numbers cannot be so (the sizes must
/// then be asked part by part).
pub fn uniform_sizes(size: u64, count: u64, first: u64) -> Option<Vec<u64>> {
    let before_last = first.checked_mul(count.checked_sub(1)?)?;
    let last = size.checked_sub(before_last)?;
    (count >= 1 && first > 0 && last > 0 && last <= first && count <= 10_000).then(|| {
        let mut v = vec![first; count as usize - 1];
        v.push(last);
        v
    })
}

/// `Content-Range: bytes FIRST-LAST/TOTAL` as (first, last, total); the total may be `*`.
pub fn content_range(value: &str) -> Option<(u64, u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (span, total) = rest.split_once('/')?;
    let (first, last) = span.split_once('-')?;
    let (first, last) = (first.trim().parse().ok()?, last.trim().parse().ok()?);
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    (first <= last).then_some((first, last, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_the_object_once() {
        let r = ranges(20, 8);
        assert_eq!(
            r.iter().map(|p| (p.offset, p.len)).collect::<Vec<_>>(),
            vec![(0, 8), (8, 8), (16, 4)]
        );
        assert_eq!(r[2].range(), "bytes=16-19");
        assert_eq!(ranges(16, 8).len(), 2);
        assert_eq!(
            ranges(0, 8),
            vec![Piece {
                part: None,
                offset: 0,
                len: 0
            }]
        );
    }

    #[test]
    fn parts_from_sizes_and_the_uniform_guess() {
        assert_eq!(uniform_sizes(20, 3, 8), Some(vec![8, 8, 4]));
        assert_eq!(uniform_sizes(24, 3, 8), Some(vec![8, 8, 8]));
        assert_eq!(uniform_sizes(25, 3, 8), None, "a last part larger than the first");
        assert_eq!(uniform_sizes(16, 3, 8), None, "an empty last part");
        assert_eq!(uniform_sizes(5, 1, 5), Some(vec![5]));
        assert_eq!(uniform_sizes(5, 0, 5), None);
        let p = parts(20, &[8, 8, 4]).expect("adds up");
        assert_eq!((p[2].part, p[2].offset, p[2].len), (Some(3), 16, 4));
        assert_eq!(p[1].name(), "part 2 (bytes 8-15)");
        assert_eq!(parts(21, &[8, 8, 4]), None);
        assert_eq!(parts(0, &[]), None);
    }

    #[test]
    fn content_ranges() {
        assert_eq!(content_range("bytes 0-9/20"), Some((0, 9, Some(20))));
        assert_eq!(content_range("bytes 10-19/*"), Some((10, 19, None)));
        assert_eq!(content_range("bytes 9-0/20"), None);
        assert_eq!(content_range("items 0-9/20"), None);
        assert_eq!(content_range("bytes 0-x/20"), None);
    }
}
