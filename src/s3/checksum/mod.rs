//! The checksums S3 stores with an object (SHA-256, SHA-1, CRC32, CRC32C, CRC64NVME): their names in headers
//! and XML, a hasher for each, what an upload's body is sent with ([`Digests`]), what an answer says is stored ([`Stored`]: of the whole object, of its parts'
//! checksums, or of one part), the checks of downloaded bytes against it ([`verify`]), and a local file's
//! digests as an object in parts would store them ([`layout`]).

pub mod crc;
pub mod layout;
pub mod verify;

use crate::codec::base64;
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// An algorithm S3 stores checksums in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// SHA-256.
    Sha256,
    /// SHA-1.
    Sha1,
    /// CRC-32.
    Crc32,
    /// CRC-32C.
    Crc32c,
    /// CRC-64/NVME.
    Crc64Nvme,
}

impl Algorithm {
    /// Every algorithm, in the order the answers are searched.
    pub const ALL: [Algorithm; 5] = [
        Algorithm::Sha256,
        Algorithm::Sha1,
        Algorithm::Crc32,
        Algorithm::Crc32c,
        Algorithm::Crc64Nvme,
    ];

    /// The name S3 and `--checksum-algorithm` use (`CRC32C`).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha1 => "SHA1",
            Algorithm::Crc32 => "CRC32",
            Algorithm::Crc32c => "CRC32C",
            Algorithm::Crc64Nvme => "CRC64NVME",
        }
    }

    /// The algorithm of a name, in any case.
    pub fn parse(name: &str) -> Option<Self> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(name))
    }

    /// The header that carries it (`x-amz-checksum-crc32c`).
    pub fn header(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "x-amz-checksum-sha256",
            Algorithm::Sha1 => "x-amz-checksum-sha1",
            Algorithm::Crc32 => "x-amz-checksum-crc32",
            Algorithm::Crc32c => "x-amz-checksum-crc32c",
            Algorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
        }
    }

    /// The element of CompleteMultipartUpload that carries a part's (`ChecksumCRC32C`).
    pub fn xml_element(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "ChecksumSHA256",
            Algorithm::Sha1 => "ChecksumSHA1",
            Algorithm::Crc32 => "ChecksumCRC32",
            Algorithm::Crc32c => "ChecksumCRC32C",
            Algorithm::Crc64Nvme => "ChecksumCRC64NVME",
        }
    }

    /// The CRC engine, for the CRCs.
    pub fn crc(self) -> Option<&'static crc::Crc> {
        match self {
            Algorithm::Crc32 => Some(&crc::CRC32),
            Algorithm::Crc32c => Some(&crc::CRC32C),
            Algorithm::Crc64Nvme => Some(&crc::CRC64NVME),
            Algorithm::Sha256 | Algorithm::Sha1 => None,
        }
    }

    /// The checksum of `data`, raw.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut h = Hasher::new(self);
        h.update(data);
        h.finish()
    }
}

/// A running checksum of one algorithm.
#[derive(Clone, Debug)]
pub enum Hasher {
    /// SHA-256.
    Sha256(Sha256),
    /// SHA-1.
    Sha1(Sha1),
    /// A CRC and its state.
    Crc(&'static crc::Crc, u64),
    /// MD5, for ETags (not a checksum S3 stores).
    Md5(md5::Md5),
}

impl Hasher {
    /// A hasher of `algorithm`.
    pub fn new(algorithm: Algorithm) -> Self {
        match (algorithm, algorithm.crc()) {
            (_, Some(c)) => Hasher::Crc(c, c.start()),
            (Algorithm::Sha1, None) => Hasher::Sha1(Sha1::new()),
            _ => Hasher::Sha256(Sha256::new()),
        }
    }

    /// An MD5 hasher (an ETag check).
    pub fn md5() -> Self {
        Hasher::Md5(md5::Md5::new())
    }

    /// Adds bytes.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha1(h) => h.update(data),
            Hasher::Crc(c, s) => *s = c.update(*s, data),
            Hasher::Md5(h) => h.update(data),
        }
    }

    /// The checksum, raw (a CRC big-endian, as S3 encodes it).
    pub fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha1(h) => h.finalize().to_vec(),
            Hasher::Crc(c, s) => c.bytes(c.finish(s)),
            Hasher::Md5(h) => h.finalize().to_vec(),
        }
    }
}

/// What a body is sent with: its SHA-256 (which signs the payload) and the checksum S3 is asked to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digests {
    /// The SHA-256.
    pub sha256: [u8; 32],
    /// The checksum sent as `x-amz-checksum-*` (none with `request_checksum_calculation = when_required`
    /// and no algorithm asked for), raw.
    pub checksum: Option<(Algorithm, Vec<u8>)>,
}

impl Digests {
    /// The digests of `data`, with a checksum of `algorithm` (SHA-256's is the one computed anyway).
    pub fn of(data: &[u8], algorithm: Option<Algorithm>) -> Self {
        let sha256: [u8; 32] = Sha256::digest(data).into();
        Digests::with(sha256, algorithm, |a| a.digest(data))
    }

    /// The digests from a SHA-256 and, for another algorithm, `other`'s checksum.
    pub(crate) fn with(
        sha256: [u8; 32],
        algorithm: Option<Algorithm>,
        other: impl FnOnce(Algorithm) -> Vec<u8>,
    ) -> Self {
        let checksum = algorithm.map(|a| match a {
            Algorithm::Sha256 => (a, sha256.to_vec()),
            _ => (a, other(a)),
        });
        Digests { sha256, checksum }
    }

    /// The checksum headers, if one is sent: `x-amz-checksum-*` and, as botocore sends beside it,
    /// `x-amz-sdk-checksum-algorithm` (moto stores the checksum only with it).
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        match &self.checksum {
            Some((a, v)) => vec![
                ("x-amz-sdk-checksum-algorithm", a.name().to_owned()),
                (a.header(), base64::encode(v)),
            ],
            None => Vec::new(),
        }
    }
}

/// What kind of checksum S3 says it stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Of the bytes it came with (the whole object, or the part asked for): `x-amz-checksum-type: FULL_OBJECT`.
    Full,
    /// Of the concatenated checksums of the object's `n` parts (`...-n`; 0 when the type says COMPOSITE and
    /// the value has no count).
    Composite(u64),
    /// Neither said (no type, no `-n`): of the bytes for an object in one part; for one in parts, either
    /// (moto's HEAD drops both from a COMPOSITE checksum).
    Untyped,
}

/// A checksum an answer carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The value, raw.
    pub value: Vec<u8>,
    /// Of what.
    pub kind: Kind,
}

impl Stored {
    /// The checksum among `headers` (the first algorithm found), if any is well formed.
    pub fn from_headers(headers: &[(String, String)]) -> Option<Self> {
        let get = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim());
        let said = get("x-amz-checksum-type").map(str::to_ascii_uppercase);
        Algorithm::ALL.into_iter().find_map(|algorithm| {
            let v = get(algorithm.header())?;
            let (b64, kind) = match (v.rsplit_once('-'), said.as_deref()) {
                (Some((b, n)), _) => (b, Kind::Composite(n.parse().ok()?)),
                (None, Some("COMPOSITE")) => (v, Kind::Composite(0)),
                (None, Some("FULL_OBJECT")) => (v, Kind::Full),
                (None, _) => (v, Kind::Untyped),
            };
            Some(Stored {
                algorithm,
                value: base64::decode(b64)?,
                kind,
            })
        })
    }

    /// As S3 writes it (`base64` or `base64-n`).
    pub fn display(&self) -> String {
        match self.kind {
            Kind::Full | Kind::Untyped | Kind::Composite(0) => base64::encode(&self.value),
            Kind::Composite(n) => format!("{}-{n}", base64::encode(&self.value)),
        }
    }
}

/// Header pairs as an answer carries them, for the tests of what reads them.
#[cfg(test)]
pub(crate) fn test_headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::test_headers as h;
    use super::*;

    #[test]
    fn names_and_digests() {
        assert_eq!(Algorithm::parse("crc32c"), Some(Algorithm::Crc32c));
        assert_eq!(Algorithm::parse("MD5"), None);
        assert_eq!(
            base64::encode(&Algorithm::Sha256.digest(b"")),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        assert_eq!(
            hex::encode(Algorithm::Sha1.digest(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(hex::encode(Algorithm::Crc32c.digest(b"123456789")), "e3069283");
    }

    #[test]
    fn stored_checksums_are_read_from_headers() {
        let s = Stored::from_headers(&h(&[("x-amz-checksum-crc32", "AAAAAA==")])).expect("crc32");
        assert_eq!(
            (s.algorithm, s.kind, s.value.len()),
            (Algorithm::Crc32, Kind::Untyped, 4)
        );
        let s = Stored::from_headers(&h(&[
            ("x-amz-checksum-crc64nvme", "AAAAAAAAAAA="),
            ("x-amz-checksum-type", "FULL_OBJECT"),
        ]))
        .expect("crc64nvme");
        assert_eq!((s.kind, s.value.len()), (Kind::Full, 8));
        let s = Stored::from_headers(&h(&[("x-amz-checksum-sha256", "AAAA-3")])).expect("composite");
        assert_eq!((s.kind, s.display()), (Kind::Composite(3), "AAAA-3".to_owned()));
        let s = Stored::from_headers(&h(&[
            ("x-amz-checksum-sha256", "AAAA"),
            ("x-amz-checksum-type", "COMPOSITE"),
        ]))
        .expect("moto's composite");
        assert_eq!(s.kind, Kind::Composite(0));
        assert_eq!(
            Stored::from_headers(&h(&[("x-amz-checksum-sha1", "not base64!")])),
            None
        );
        assert_eq!(
            Stored::from_headers(&h(&[("x-amz-checksum-sha1", "AAAA-x")])),
            None
        );
        assert_eq!(Stored::from_headers(&h(&[("etag", "\"x\"")])), None);
    }
}
