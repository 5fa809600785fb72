//! Work in parallel on a few threads: the parts of one upload or one download.

use crate::error::{Error, Result};
use crate::s3::client::S3;
use crate::s3::transfer::config::MAX_CONCURRENCY;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Runs `work(i)` for i in `0..count` on up to `workers` threads, stopping at the first error or a signal;
/// the results, in no particular order.
pub fn in_parallel<T: Send>(
    s3: &S3<'_>,
    count: u64,
    workers: usize,
    work: &(dyn Fn(u64) -> Result<T> + Sync),
) -> Result<Vec<T>> {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let first_error: Mutex<Option<Error>> = Mutex::new(None);
    let done: Mutex<Vec<T>> = Mutex::new(Vec::with_capacity(count as usize));
    std::thread::scope(|scope| {
        for _ in 0..workers.clamp(1, MAX_CONCURRENCY).min(count.max(1) as usize) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed) as u64;
                    if i >= count || failed.load(Ordering::Relaxed) || s3.stopped() {
                        return;
                    }
                    match work(i) {
                        Ok(t) => done.lock().unwrap_or_else(|p| p.into_inner()).push(t),
                        Err(e) => {
                            failed.store(true, Ordering::Relaxed);
                            first_error
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .get_or_insert(e);
                            return;
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    if s3.stopped() {
        return Err(Error::interrupted("interrupted"));
    }
    Ok(done.into_inner().unwrap_or_else(|p| p.into_inner()))
}
