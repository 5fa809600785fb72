//! The memory of a `sync --delete` with many pending deletes, measured by hand (not a test: a million keys
//! take a minute): the sync engine fed generated listings, the deletes sent for real.
//!
//! What it feeds the engine: an upload sync from an empty local folder (`FOLDER`, which must exist) to
//! `s3://BUCKET/PREFIX`, the destination listed as `N` keys `k/0000000000` .. in order (1 KiB, a fixed
//! time), the source as every even one of them with the same size and time, so that nothing is copied;
//! every odd key is only at the destination, so `N / 2` deletes are pending once
//! both listings end. The deletes go to the server as DeleteObjects of 1,000 keys (s3s-fs and S3 answer
//! success for keys that are not there), so the bucket need not hold the keys.
//!
//! Run (profile, region and endpoint from `~/.aws` and the environment, as `awl` takes them):
//!
//! ```text
//! cargo build --release --example flat_deletes
//! /usr/bin/time -f '%M KiB' target/release/examples/flat_deletes FOLDER BUCKET PREFIX N
//! ```

use awl::s3::sync::plan::{Entry, Rules};
use awl::s3::sync::root::Root;
use awl::s3::sync::run::Event;
use awl::s3::sync::{Options, sync_entries};
use awl::session::Session;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn main() -> Result<(), awl::Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || awl::Error::usage("usage: flat_deletes FOLDER BUCKET PREFIX N");
    let [folder, bucket, prefix, n] = args.as_slice() else {
        return Err(usage());
    };
    let n: usize = n.parse().map_err(|_| usage())?;
    let from = Root::Local(PathBuf::from(folder));
    let to = Root::parse(&format!("s3://{bucket}/{prefix}"))?;

    let mut session = Session::for_profile(None)?;
    let creds = session.credentials(
        &mut |serial| {
            Err(awl::Error::config(format!(
                "{serial} needs an MFA code; none here"
            )))
        },
        SystemTime::now(),
    )?;
    let s3 = session.s3(creds)?;

    // One time for every entry: the same size and time on both sides is "nothing to copy".
    let time = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let entry = move |i: usize| {
        Ok(Entry {
            key: format!("k/{i:010}"),
            size: 1024,
            time,
            listed: None,
        })
    };
    let src = (0..n).step_by(2).map(entry);
    let dst = (0..n).map(entry);

    let rules = Rules {
        delete: true,
        ..Rules::default()
    };
    // Where the deletes held back go past the first 1,000: a nameless file, gone when the run ends.
    let spill = std::env::temp_dir();
    let options = Options {
        filters: &Default::default(),
        follow: false,
        opts: &Default::default(),
        cfg: &Default::default(),
        dryrun: false,
        spill: &spill,
    };
    let failed = AtomicUsize::new(0);
    let outcome = sync_entries(
        &s3,
        (&from, &to),
        src,
        dst,
        &rules,
        &options,
        &|event| match event {
            // The first few only: a broken server would otherwise print half a million lines.
            Event::Failed(job, e) if failed.fetch_add(1, Ordering::Relaxed) < 5 => {
                eprintln!("failed {}: {e}", job.src)
            }
            Event::Withheld(n, why) => eprintln!("{n} deletions not done: {why}"),
            _ => {}
        },
    )?;
    println!(
        "{n} keys at the destination, {} at the source: {} done, {} failed, {} withheld",
        n.div_ceil(2),
        outcome.done,
        outcome.failed,
        outcome.withheld
    );
    Ok(())
}
