//! The checks of downloaded bytes against what S3 stores, pure: a whole object fetched in pieces is checked
//! from the pieces' checksums (CRCs combined in order, or the checksum of the parts' checksums), a piece
//! against its own, and a single-part object's ETag as the MD5 of its bytes.

use crate::s3::checksum::{Algorithm, Kind, Stored};

/// How a download's bytes are checked, decided from what HEAD (or the GET) said is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// Each piece hashed with this CRC as it arrives, the CRCs combined in order and compared with the whole
    /// object's (FULL_OBJECT).
    CombinedCrc(Stored),
    /// Each piece is one part, hashed as it arrives; the checksum of the parts' checksums compared with the
    /// stored one (COMPOSITE), and each part with its own where S3 sent it.
    Composite(Stored),
    /// A CRC of an object in parts whose type the server did not say: either of the two above must match.
    CrcEither(Stored),
    /// The whole file hashed in order once complete (a SHA of a single-part object fetched in ranges).
    WholeFile(Stored),
    /// The whole file's MD5 against the ETag (a single-part object without SSE-KMS or SSE-C, nothing else
    /// stored).
    Md5(Vec<u8>),
    /// Nothing the server stores can prove the bytes: only their count is checked.
    Length,
}

impl Plan {
    /// The plan for an object with `stored` checksum (if any) and `etag` (`...-n` for an object in parts),
    /// whether the ETag can be an MD5 (no SSE-KMS or SSE-C), and the number of pieces the object is fetched
    /// in if they are its parts (`None` for ranges, or a whole object in one piece).
    pub fn new(stored: Option<Stored>, etag: Option<&str>, md5_etag: bool, parts: Option<u64>) -> Self {
        let etag = etag.map(|e| e.trim_matches('"'));
        let in_parts = etag.is_some_and(|e| e.contains('-'));
        let crc = |s: &Stored| s.algorithm.crc().is_some();
        match stored {
            Some(s) => match (s.kind, parts) {
                (Kind::Full, _) if crc(&s) => Plan::CombinedCrc(s),
                (Kind::Untyped, _) if !in_parts && crc(&s) => Plan::CombinedCrc(s),
                (Kind::Full, _) => Plan::WholeFile(s),
                (Kind::Untyped, _) if !in_parts => Plan::WholeFile(s),
                (Kind::Composite(n), Some(p)) if n == p || n == 0 => Plan::Composite(s),
                (Kind::Untyped, Some(_)) if crc(&s) => Plan::CrcEither(s),
                (Kind::Untyped, Some(_)) => Plan::Composite(s),
                // A checksum of parts, and the pieces are not the parts: nothing to compare with.
                _ => Plan::Length,
            },
            None => match etag {
                Some(e) if md5_etag && e.len() == 32 => hex::decode(e).map_or(Plan::Length, Plan::Md5),
                _ => Plan::Length,
            },
        }
    }

    /// The algorithm each piece is hashed with as it arrives.
    pub fn piece_algorithm(&self) -> Option<Algorithm> {
        match self {
            Plan::CombinedCrc(s) | Plan::Composite(s) | Plan::CrcEither(s) => Some(s.algorithm),
            _ => None,
        }
    }
}

/// Whether an object's ETag can be the MD5 of its bytes, from its headers: not with SSE-KMS (`aws:kms`,
/// `aws:kms:dsse`) or SSE-C, whose ETags are not (S3's documentation of the ETag).
pub fn etag_is_md5(headers: &[(String, String)]) -> bool {
    !headers.iter().any(|(n, v)| {
        (n == "x-amz-server-side-encryption" && v.trim().starts_with("aws:kms"))
            || n == "x-amz-server-side-encryption-customer-algorithm"
    })
}

/// The CRC (raw, big-endian) of pieces in order, from each piece's raw CRC and length.
pub fn combined_crc(algorithm: Algorithm, pieces: &[(Vec<u8>, u64)]) -> Option<Vec<u8>> {
    let crc = algorithm.crc()?;
    let mut total: Option<u64> = None;
    for (raw, len) in pieces {
        let mut b = [0u8; 8];
        b[8 - raw.len()..].copy_from_slice(raw);
        let v = u64::from_be_bytes(b);
        total = Some(match total {
            None => v,
            Some(t) => crc.combine(t, v, *len),
        });
    }
    Some(crc.bytes(total.unwrap_or_else(|| crc.checksum(b""))))
}

/// The checksum of the parts' checksums, as S3 computes a COMPOSITE one.
pub fn composite(algorithm: Algorithm, parts: &[Vec<u8>]) -> Vec<u8> {
    algorithm.digest(&parts.concat())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::base64;

    fn stored(algorithm: Algorithm, value: Vec<u8>, kind: Kind) -> Stored {
        Stored {
            algorithm,
            value,
            kind,
        }
    }

    #[test]
    fn plans_follow_what_is_stored() {
        let multi = Some("\"3fde6bf89bd529e59d7622a72f36a711-3\"");
        let full_crc = stored(Algorithm::Crc64Nvme, vec![0; 8], Kind::Full);
        assert_eq!(
            Plan::new(Some(full_crc.clone()), multi, true, None),
            Plan::CombinedCrc(full_crc)
        );
        let comp = stored(Algorithm::Sha256, vec![0; 32], Kind::Composite(3));
        assert_eq!(
            Plan::new(Some(comp.clone()), multi, true, Some(3)),
            Plan::Composite(comp.clone())
        );
        assert_eq!(Plan::new(Some(comp), multi, true, None), Plan::Length);
        let sha = stored(Algorithm::Sha1, vec![0; 20], Kind::Full);
        assert_eq!(
            Plan::new(Some(sha.clone()), None, true, None),
            Plan::WholeFile(sha)
        );
        // Untyped (moto's HEAD): of the bytes in one part; of parts, a SHA is COMPOSITE, a CRC either.
        let sha = stored(Algorithm::Sha256, vec![0; 32], Kind::Untyped);
        assert_eq!(
            Plan::new(Some(sha.clone()), None, true, None),
            Plan::WholeFile(sha.clone())
        );
        assert_eq!(
            Plan::new(Some(sha.clone()), multi, true, Some(3)),
            Plan::Composite(sha.clone())
        );
        assert_eq!(Plan::new(Some(sha), multi, true, None), Plan::Length);
        let crc = stored(Algorithm::Crc32, vec![0; 4], Kind::Untyped);
        assert_eq!(
            Plan::new(Some(crc.clone()), multi, true, Some(3)),
            Plan::CrcEither(crc.clone())
        );
        assert_eq!(
            Plan::new(Some(crc.clone()), None, true, None),
            Plan::CombinedCrc(crc.clone())
        );
        assert_eq!(Plan::new(Some(crc), multi, true, None), Plan::Length);
        let etag = "\"32b0430077c5b4dfc694dcbb90f39e5c\"";
        assert!(matches!(Plan::new(None, Some(etag), true, None), Plan::Md5(v) if v.len() == 16));
        assert_eq!(Plan::new(None, Some(etag), false, None), Plan::Length, "SSE-KMS");
        assert_eq!(
            Plan::new(None, Some("\"3fde6bf89bd529e59d7622a72f36a711-3\""), true, None),
            Plan::Length
        );
    }

    #[test]
    fn etags_of_encrypted_objects_are_not_md5s() {
        let h = |n: &str, v: &str| vec![(n.to_owned(), v.to_owned())];
        assert!(etag_is_md5(&h("x-amz-server-side-encryption", "AES256")));
        assert!(!etag_is_md5(&h("x-amz-server-side-encryption", "aws:kms")));
        assert!(!etag_is_md5(&h("x-amz-server-side-encryption", "aws:kms:dsse")));
        assert!(!etag_is_md5(&h(
            "x-amz-server-side-encryption-customer-algorithm",
            "AES256"
        )));
    }

    #[test]
    fn pieces_check_like_the_whole() {
        let data: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
        let pieces: Vec<&[u8]> = data.chunks(1024).collect();
        for a in [Algorithm::Crc32, Algorithm::Crc32c, Algorithm::Crc64Nvme] {
            let raw: Vec<(Vec<u8>, u64)> = pieces.iter().map(|p| (a.digest(p), p.len() as u64)).collect();
            assert_eq!(combined_crc(a, &raw), Some(a.digest(&data)));
        }
        assert_eq!(combined_crc(Algorithm::Sha256, &[]), None);
        // A COMPOSITE SHA-256 as moto and S3 compute it for parts of 1 KiB.
        let parts: Vec<Vec<u8>> = pieces.iter().map(|p| Algorithm::Sha256.digest(p)).collect();
        let want = {
            use sha2::Digest;
            let mut h = sha2::Sha256::new();
            for p in &pieces {
                h.update(sha2::Sha256::digest(p));
            }
            base64::encode(&h.finalize())
        };
        assert_eq!(base64::encode(&composite(Algorithm::Sha256, &parts)), want);
    }
}
