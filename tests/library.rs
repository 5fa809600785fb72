//! awl as a library: the pieces a program uses without the command line (operations run by the client, the
//! recursive commands of `s3::sync`), each checked where the command line cannot reach them.

mod common;

use awl::s3::ops::head_bucket::HeadBucket;
use awl::s3::sync::plan::Rules;
use awl::s3::sync::root::Root;
use awl::s3::sync::{Options, sync};
use awl::transport::request::{Request, Response};
use awl::transport::{Sink, Transport};
use common::servers::{free_port, home_with_moto_keys, moto};
use common::{ok, temp_dir};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

/// awl's own transport, counting what goes through it.
#[derive(Debug)]
struct Counted {
    inner: Arc<dyn Transport>,
    sent: AtomicUsize,
}

impl Transport for Counted {
    fn send(&self, req: &Request) -> awl::Result<Response> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.inner.send(req)
    }

    fn download(&self, req: &Request, sink: &mut dyn Sink) -> awl::Result<Response> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.inner.download(req, sink)
    }
}

fn counted() -> Arc<Counted> {
    Arc::new(Counted {
        inner: common::ureq_transport(),
        sent: AtomicUsize::new(0),
    })
}

/// A sync from a local folder that is not there is refused before anything is listed: the folder would look
/// empty, and with `--delete` the whole destination would go. (The command line checks too; a program calling
/// the library must get the same protection.)
#[test]
fn a_sync_from_a_missing_folder_is_refused_before_any_request() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let sent = counted();
    let mut s = common::session_through(&home, Some(&m.url), sent.clone());
    let creds = common::static_credentials(&mut s);
    let s3 = s.s3(creds).expect("s3");
    let missing = temp_dir("lib-missing").join("no-such-folder");
    let rules = Rules {
        delete: true,
        ..Rules::default()
    };
    let spill = std::env::temp_dir();
    let options = Options {
        filters: &Default::default(),
        follow: true,
        opts: &Default::default(),
        cfg: &Default::default(),
        dryrun: false,
        spill: &spill,
    };
    let err = sync(
        &s3,
        &Root::Local(missing),
        &Root::parse("s3://any-bucket/d").expect("root"),
        &rules,
        &options,
        &|e| panic!("no event: {e:?}"),
    )
    .expect_err("refused");
    assert_eq!(err.kind(), awl::ErrorKind::Usage, "{err}");
    assert_eq!(sent.sent.load(Ordering::SeqCst), 0, "nothing was sent");
}

/// HeadBucket, the operation added as one file and one line: a bucket that is there answers, one that is
/// not is the service's 404.
#[test]
fn head_bucket_runs_through_the_client() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let bucket = format!("head-{}", free_port());
    ok(&common::awl_in(
        &home,
        &[("AWS_ENDPOINT_URL", m.url.as_str())],
        &["s3", "mb", &format!("s3://{bucket}")],
        "",
    ));
    let sent = counted();
    let mut s = common::session_through(&home, Some(&m.url), sent.clone());
    let creds = common::static_credentials(&mut s);
    let s3 = s.s3(creds).expect("s3");
    assert!(s3.run(&HeadBucket(&bucket)).is_ok());
    let err = s3
        .run(&HeadBucket(&format!("{bucket}-missing")))
        .expect_err("no such bucket");
    assert_eq!(err.status(), Some(404), "{err}");
    assert_eq!(err.exit_code(), 254);
}

/// The deletes a sync holds back until its copies end go to a scratch file past the first 1,000, so that
/// memory stays flat in their number: with 20,000 of them (generated listings: 20,000 keys at the
/// destination, none at the source; moto answers success for keys it does not hold), the file is open while
/// the deletes run, has no name in its folder even then, and is closed when the sync returns; every key is
/// deleted, in key order. (The memory itself is measured by hand: `examples/flat_deletes.rs`.)
#[test]
fn many_pending_deletes_go_through_a_nameless_scratch_file() {
    use awl::s3::sync::plan::Entry;
    use awl::s3::sync::run::{Event, Op, Place};
    use awl::s3::sync::sync_entries;
    use std::sync::Mutex;

    let m = moto();
    let home = home_with_moto_keys(m);
    let bucket = format!("spill-{}", free_port());
    ok(&common::awl_in(
        &home,
        &[("AWS_ENDPOINT_URL", m.url.as_str())],
        &["s3", "mb", &format!("s3://{bucket}")],
        "",
    ));
    let mut s = common::session_through(&home, Some(&m.url), counted());
    let creds = common::static_credentials(&mut s);
    let s3 = s.s3(creds).expect("s3");

    // The scratch files this process has open in `dir` (Linux names an unlinked one `PATH (deleted)`).
    let open_in = |dir: &std::path::Path| -> Vec<String> {
        std::fs::read_dir("/proc/self/fd")
            .expect("/proc/self/fd")
            .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
            .map(|target| target.to_string_lossy().into_owned())
            .filter(|target| target.starts_with(&*dir.to_string_lossy()))
            .collect()
    };
    let spill = temp_dir("lib-spill");
    let source = temp_dir("lib-spill-src");
    let n = 20_000;
    let time = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
    let dst = (0..n).map(|i| {
        Ok(Entry {
            key: format!("k/{i:05}"),
            size: 1,
            time,
            listed: None,
        })
    });
    let options = Options {
        filters: &Default::default(),
        follow: false,
        opts: &Default::default(),
        cfg: &Default::default(),
        dryrun: false,
        spill: &spill,
    };
    let rules = Rules {
        delete: true,
        ..Rules::default()
    };
    let seen_open = Mutex::new(None::<Vec<String>>);
    let deleted = Mutex::new(Vec::new());
    let outcome = sync_entries(
        &s3,
        (
            &Root::Local(source),
            &Root::parse(&format!("s3://{bucket}/p")).expect("root"),
        ),
        std::iter::empty(),
        dst,
        &rules,
        &options,
        &|e| match e {
            Event::Done(job) => {
                assert_eq!(job.op, Op::Delete);
                let mut seen = seen_open.lock().expect("lock");
                if seen.is_none() {
                    *seen = Some(open_in(&spill));
                }
                if let Place::S3(o) = &job.src {
                    deleted.lock().expect("lock").push(o.key.clone());
                }
            }
            Event::Failed(job, e) => panic!("{} failed: {e}", job.src),
            Event::Withheld(n, why) => panic!("{n} withheld: {why}"),
            _ => {}
        },
    )
    .expect("sync");
    assert_eq!((outcome.done, outcome.failed, outcome.withheld), (n, 0, 0));
    let deleted = deleted.into_inner().expect("lock");
    let expected: Vec<String> = (0..n).map(|i| format!("p/k/{i:05}")).collect();
    assert_eq!(deleted, expected, "every key deleted once, in key order");
    let seen = seen_open.into_inner().expect("lock").expect("a delete was done");
    assert_eq!(
        seen.len(),
        1,
        "one scratch file open while the deletes ran: {seen:?}"
    );
    assert!(
        seen[0].ends_with(".scratch (deleted)"),
        "unlinked while open: {seen:?}"
    );
    assert!(open_in(&spill).is_empty(), "closed once the sync returned");
    assert_eq!(
        std::fs::read_dir(&spill).expect("list").count(),
        0,
        "nothing left in the folder"
    );
}
