//! The three CRCs that S3 stores (CRC32, CRC32C, CRC64NVME), as reflected CRCs of one engine: tables built on
//! first use (no bytes in the binary), eight bytes a step (slicing-by-8), and the combination of two CRCs of
//! adjacent pieces into the CRC of both (for FULL_OBJECT checksums of objects fetched in parts).

use std::sync::OnceLock;

/// A reflected CRC of width 32 or 64, initial value and final XOR all ones (the three S3 uses).
#[derive(Debug)]
pub struct Crc {
    /// The reflected polynomial.
    poly: u64,
    /// The width in bits.
    width: u32,
    tables: OnceLock<Box<[[u64; 256]; 8]>>,
}

/// CRC-32 (ISO-HDLC, zlib's).
pub static CRC32: Crc = Crc::new(0xEDB8_8320, 32);
/// CRC-32C (Castagnoli, iSCSI).
pub static CRC32C: Crc = Crc::new(0x82F6_3B78, 32);
/// CRC-64/NVME.
pub static CRC64NVME: Crc = Crc::new(0x9A6C_9329_AC4B_C9B5, 64);

impl Crc {
    const fn new(poly: u64, width: u32) -> Self {
        Crc {
            poly,
            width,
            tables: OnceLock::new(),
        }
    }

    fn mask(&self) -> u64 {
        if self.width == 64 {
            u64::MAX
        } else {
            (1 << self.width) - 1
        }
    }

    /// Table k holds the CRC of a byte followed by k zero bytes.
    fn tables(&self) -> &[[u64; 256]; 8] {
        self.tables.get_or_init(|| {
            let mut t = Box::new([[0u64; 256]; 8]);
            for b in 0..256 {
                let mut c = b as u64;
                for _ in 0..8 {
                    c = if c & 1 == 1 { (c >> 1) ^ self.poly } else { c >> 1 };
                }
                t[0][b] = c;
            }
            for k in 1..8 {
                for b in 0..256 {
                    let prev = t[k - 1][b];
                    t[k][b] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
                }
            }
            t
        })
    }

    /// The state before any byte.
    pub fn start(&self) -> u64 {
        self.mask()
    }

    /// The state after `data`.
    pub fn update(&self, mut state: u64, data: &[u8]) -> u64 {
        let t = self.tables();
        let mut chunks = data.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            let x = state ^ u64::from_le_bytes(b);
            state = t[7][(x & 0xff) as usize]
                ^ t[6][((x >> 8) & 0xff) as usize]
                ^ t[5][((x >> 16) & 0xff) as usize]
                ^ t[4][((x >> 24) & 0xff) as usize]
                ^ t[3][((x >> 32) & 0xff) as usize]
                ^ t[2][((x >> 40) & 0xff) as usize]
                ^ t[1][((x >> 48) & 0xff) as usize]
                ^ t[0][(x >> 56) as usize];
        }
        for &byte in chunks.remainder() {
            state = (state >> 8) ^ t[0][((state ^ u64::from(byte)) & 0xff) as usize];
        }
        state
    }

    /// The CRC of a state.
    pub fn finish(&self, state: u64) -> u64 {
        state ^ self.mask()
    }

    /// The CRC as S3 writes it before base64: big-endian, 4 or 8 bytes.
    pub fn bytes(&self, crc: u64) -> Vec<u8> {
        crc.to_be_bytes()[(64 - self.width as usize) / 8..].to_vec()
    }

    /// The CRC of `data`.
    pub fn checksum(&self, data: &[u8]) -> u64 {
        self.finish(self.update(self.start(), data))
    }

    /// `a * b` modulo the polynomial, both reflected (bit `width - 1` is x^0).
    fn mult(&self, a: u64, mut b: u64) -> u64 {
        let top = 1u64 << (self.width - 1);
        let mut m = top;
        let mut p = 0;
        while m != 0 {
            if a & m != 0 {
                p ^= b;
            }
            m >>= 1;
            b = if b & 1 == 1 { (b >> 1) ^ self.poly } else { b >> 1 };
        }
        p
    }

    /// x^(8 * bytes) modulo the polynomial, by squaring.
    fn shift(&self, mut bytes: u64) -> u64 {
        let top = 1u64 << (self.width - 1);
        let mut result = top; // x^0
        let mut square = top >> 8; // x^8: one byte
        while bytes != 0 {
            if bytes & 1 == 1 {
                result = self.mult(square, result);
            }
            square = self.mult(square, square);
            bytes >>= 1;
        }
        result
    }

    /// The CRC of A then B, from the CRC of A, the CRC of B and B's length (zlib's `crc32_combine`, for any
    /// width: the initial values and final XORs cancel out).
    pub fn combine(&self, crc_a: u64, crc_b: u64, len_b: u64) -> u64 {
        self.mult(self.shift(len_b), crc_a) ^ crc_b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_check_values() {
        // The catalogue's check value: the CRC of "123456789".
        assert_eq!(CRC32.checksum(b"123456789"), 0xCBF4_3926);
        assert_eq!(CRC32C.checksum(b"123456789"), 0xE306_9283);
        assert_eq!(CRC64NVME.checksum(b"123456789"), 0xAE8B_1486_0A79_9888);
        assert_eq!(CRC32.checksum(b""), 0);
        // RFC 3720 B.4: 32 bytes of zeros.
        assert_eq!(CRC32C.checksum(&[0u8; 32]), 0x8A91_36AA);
        assert_eq!(CRC32.bytes(0xCBF4_3926), vec![0xCB, 0xF4, 0x39, 0x26]);
        assert_eq!(CRC64NVME.bytes(1).len(), 8);
    }

    #[test]
    fn pieces_combine_into_the_whole_and_updates_split_anywhere() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        for crc in [&CRC32, &CRC32C, &CRC64NVME] {
            let whole = crc.checksum(&data);
            for cut in [0, 1, 7, 8, 9, 100, 4999, 5000] {
                let (a, b) = data.split_at(cut);
                assert_eq!(
                    crc.combine(crc.checksum(a), crc.checksum(b), b.len() as u64),
                    whole
                );
                let s = crc.update(crc.update(crc.start(), a), b);
                assert_eq!(crc.finish(s), whole);
            }
        }
    }
}
