//! Reading outside input into memory within a cap (a server's answer, a child's output): the buffer grows
//! with `try_reserve`, never past the cap, so neither a large input nor a tight memory limit (`ulimit -v`) can
//! make awl abort: Rust aborts on a failed allocation, and `read_to_end` would ask for one.

use std::io::{self, Read};

/// Why a read stopped before the input's end.
#[derive(Debug)]
pub enum Stop {
    /// The input is longer than the cap.
    TooLarge,
    /// Memory for the input could not be had.
    OutOfMemory,
    /// Reading failed.
    Io(io::Error),
}

/// Reads `reader` to its end, keeping at most `cap` bytes; more than that is [`Stop::TooLarge`].
pub fn read_capped(reader: &mut dyn Read, cap: usize) -> Result<Vec<u8>, Stop> {
    let mut out = Vec::new();
    let mut chunk = [0u8; 16 << 10];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => return Ok(out),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Stop::Io(e)),
        };
        if n > cap - out.len() {
            return Err(Stop::TooLarge);
        }
        if out.len() + n > out.capacity() {
            // Doubling, as Vec does, but bounded by the cap.
            let target = (out.capacity() * 2).max(out.len() + n).max(chunk.len()).min(cap);
            out.try_reserve_exact(target - out.len())
                .map_err(|_| Stop::OutOfMemory)?;
        }
        out.extend_from_slice(&chunk[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_read_up_to_the_cap_and_no_further() {
        let mut exact = io::repeat(b'x').take(100_000);
        let read = read_capped(&mut exact, 100_000).map_err(|e| format!("{e:?}"));
        assert_eq!(read.as_ref().map(Vec::len), Ok(100_000));
        assert!(read.is_ok_and(|r| r.capacity() <= 100_000));
        let mut over = io::repeat(b'x').take(100_001);
        assert!(matches!(read_capped(&mut over, 100_000), Err(Stop::TooLarge)));
        // An endless reader ends at the cap too.
        assert!(matches!(
            read_capped(&mut io::repeat(b'y'), 1 << 20),
            Err(Stop::TooLarge)
        ));
        assert!(read_capped(&mut io::empty(), 10).is_ok_and(|v| v.is_empty()));
    }
}
