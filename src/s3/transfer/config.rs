//! When and how uploads go multipart, like boto3's `TransferConfig`, and S3's limits on parts.

/// The largest object a single PUT may send (S3's limit).
pub const MAX_PUT: u64 = 5 << 30;
/// S3's limit on the number of parts of a multipart upload.
pub const MAX_PARTS: u64 = 10_000;
/// S3's smallest part (all but the last).
pub const MIN_PART: u64 = 5 << 20;

/// When and how uploads go multipart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferConfig {
    /// Files of this size and more go up in parts (8 MiB).
    pub multipart_threshold: u64,
    /// The part size, grown so that no upload needs more than 10,000 parts (8 MiB).
    pub part_size: u64,
    /// Parts in flight at once (10).
    pub max_concurrency: usize,
}

impl Default for TransferConfig {
    fn default() -> Self {
        TransferConfig {
            multipart_threshold: 8 << 20,
            part_size: 8 << 20,
            max_concurrency: 10,
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
