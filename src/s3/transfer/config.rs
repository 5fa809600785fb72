//! When and how uploads go multipart, like boto3's `TransferConfig`, and S3's limits on parts.

/// The largest object a single PUT may send (S3's limit).
pub const MAX_PUT: u64 = 5 << 30;
/// S3's limit on the number of parts of a multipart upload.
pub const MAX_PARTS: u64 = 10_000;
/// S3's smallest part (all but the last).
pub const MIN_PART: u64 = 5 << 20;
/// The most requests in flight `--max-concurrency` allows: s5cmd runs 256 workers, and many small objects
/// over a link of 10-20 ms are bound by latency times requests in flight, not by bytes.
pub const MAX_CONCURRENCY: usize = 256;
/// Requests in flight for a recursive copy or a sync when `--max-concurrency` is not given. A small object
/// costs one round trip whatever its size, so many of them go as fast as requests are in flight; chosen
/// from 1,000 x 4 KiB through a 10 ms (each way), 90 MB/s link (bench/README.md): see the README.
pub const REQUESTS_IN_FLIGHT: usize = 128;

/// When and how uploads go multipart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferConfig {
    /// Files of this size and more go up in parts (8 MiB).
    pub multipart_threshold: u64,
    /// The part size, grown so that no upload needs more than 10,000 parts (8 MiB).
    pub part_size: u64,
    /// Parts of one object in flight at once (10), as boto3's `max_concurrency`.
    pub max_concurrency: usize,
    /// Requests in flight at once for a whole recursive copy or sync, objects and their parts together
    /// ([`REQUESTS_IN_FLIGHT`]): the run's workers and the client's places. Each request holds at most one
    /// body buffer (a file's parts are sent from the file), so this also bounds the bytes in memory.
    pub max_requests: usize,
    /// A signal leaves a file's upload in parts (and its resume record) for a later run, instead of aborting
    /// it (`--resumable`; off).
    pub resumable: bool,
}

impl Default for TransferConfig {
    fn default() -> Self {
        TransferConfig {
            multipart_threshold: 8 << 20,
            part_size: 8 << 20,
            max_concurrency: 10,
            max_requests: REQUESTS_IN_FLIGHT,
            resumable: false,
        }
    }
}

/// The part size for a file: at least the configured size (and S3's 5 MiB), grown in whole MiB so that
/// the file fits in 10,000 parts.
pub fn part_size(file_size: u64, configured: u64) -> u64 {
    let needed = file_size.div_ceil(MAX_PARTS);
    let size = configured.max(MIN_PART).max(needed);
    size.div_ceil(1 << 20) * (1 << 20)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_sizes_stay_within_ten_thousand_parts() {
        assert_eq!(part_size(200 << 20, 8 << 20), 8 << 20);
        assert_eq!(part_size(1 << 20, 1 << 20), 5 << 20);
        let huge = 100u64 << 30; // 100 GiB: 8 MiB parts would be 12,800
        let p = part_size(huge, 8 << 20);
        assert!(huge.div_ceil(p) <= MAX_PARTS && p.is_multiple_of(1 << 20), "{p}");
    }
}
