//! A sync through awl as a library: `sync FOLDER s3://BUCKET/PREFIX` (or the other way, or S3 to S3), with
//! the profile, region and endpoint taken from `~/.aws` and the environment as the `awl` command takes them.
//! The engine lists both sides as they stream, plans each key by the AWS CLI's rules, runs the copies in
//! parallel and tells what happens through events; this program prints them its own way.
//!
//! Run: `cargo run --example sync -- ./site s3://bucket/site [--delete]`.

use awl::s3::ops::head_bucket::HeadBucket;
use awl::s3::sync::plan::Rules;
use awl::s3::sync::root::Root;
use awl::s3::sync::run::Event;
use awl::s3::sync::{Options, sync};
use awl::session::Session;
use std::time::SystemTime;

fn main() -> Result<(), awl::Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(from), Some(to)) = (args.first(), args.get(1)) else {
        return Err(awl::Error::usage("usage: sync FROM TO [--delete]"));
    };
    let rules = Rules {
        delete: args.iter().any(|a| a == "--delete"),
        ..Rules::default()
    };
    let (from, to) = (Root::parse(from)?, Root::parse(to)?);

    let mut session = Session::for_profile(None)?;
    let creds = session.credentials(
        &mut |serial| {
            Err(awl::Error::config(format!(
                "{serial} needs an MFA code; this example asks for none"
            )))
        },
        SystemTime::now(),
    )?;
    let s3 = session.s3(creds)?;

    // Any one operation is a value run by the client: here, whether the buckets are there at all.
    for root in [&from, &to] {
        if let Root::S3 { bucket, .. } = root {
            s3.run(&HeadBucket(bucket))?;
        }
    }

    let spill = std::env::temp_dir();
    let options = Options {
        filters: &Default::default(),
        follow: true,
        opts: &Default::default(),
        cfg: &Default::default(),
        dryrun: false,
        spill: &spill,
    };
    let outcome = sync(&s3, &from, &to, &rules, &options, &|event| match event {
        Event::Done(job) => println!("{:>8} {} -> {}", job.op.word(), job.src, job.dst),
        Event::Failed(job, e) => eprintln!("failed {}: {e}", job.src),
        Event::Skipped(what, why) => eprintln!("skipped {what}: {why}"),
        Event::Withheld(n, why) => eprintln!("{n} deletions not done: {why}"),
        // The totals as they grow (queued, planned, bytes): for a progress line.
        _ => {}
    })?;
    println!(
        "{} done, {} failed, {} skipped, {} deletions withheld",
        outcome.done, outcome.failed, outcome.skipped, outcome.withheld
    );
    Ok(())
}
