//! The seed's script, in Rust with awl as the library: open `profile2` (an assumed role that needs an MFA code,
//! asked once; the AWS CLI's credential cache serves later runs, of this program and of the AWS CLI alike),
//! list the account's buckets, create `mysuperduperbucket` if it is not among them, and upload
//! `samplefile.txt` as `book.txt`.
//!
//! Run: `cargo run --example seed [-- path/to/samplefile.txt]`. The code is asked on the terminal, or taken
//! from `SEED_MFA_CODE` for scripts. Profiles, region and endpoints come from `~/.aws` and the environment,
//! exactly as for the `awl` command.

use awl::s3::object::ObjectRef;
use awl::s3::ops::create_bucket::CreateBucket;
use awl::s3::ops::list_buckets::ListBuckets;
use awl::s3::ops::options::ObjectOptions;
use awl::s3::transfer::config::TransferConfig;
use awl::s3::transfer::content_type;
use awl::secret::Secret;
use awl::session::Session;
use std::path::PathBuf;
use std::time::SystemTime;

const BUCKET: &str = "mysuperduperbucket";

fn main() -> Result<(), awl::Error> {
    let file = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "samplefile.txt".into()));

    let mut session = Session::for_profile(Some("profile2"))?;
    let creds = session.credentials(
        &mut |serial| match std::env::var("SEED_MFA_CODE") {
            Ok(code) => Ok(Secret::new(code)),
            Err(_) => rpassword::prompt_password(format!("Enter MFA code for {serial}: "))
                .map(Secret::new)
                .map_err(|e| awl::Error::config("cannot read the MFA code").with_source(e)),
        },
        SystemTime::now(),
    )?;
    let s3 = session.s3(creds)?;

    // Every page of the listing, each checked by the one paginator.
    let buckets = s3.pages(ListBuckets).collect::<Result<Vec<_>, _>>()?.concat();
    println!(
        "{} bucket(s): {}",
        buckets.len(),
        buckets
            .iter()
            .map(|b| b.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if buckets.iter().any(|b| b.name == BUCKET) {
        println!("{BUCKET} is there already");
    } else {
        // The region's LocationConstraint is sent (none in us-east-1), which boto3's create_bucket leaves out.
        s3.run(&CreateBucket {
            bucket: BUCKET,
            region: s3.region(),
        })?;
        println!("created {BUCKET}");
    }

    let opts = ObjectOptions {
        content_type: content_type::guess(&file),
        ..ObjectOptions::default()
    };
    s3.upload(
        &file,
        &ObjectRef::new(BUCKET, "book.txt"),
        &opts,
        &TransferConfig::default(),
        &|_| {},
    )?;
    println!("uploaded {} as s3://{BUCKET}/book.txt", file.display());
    Ok(())
}
