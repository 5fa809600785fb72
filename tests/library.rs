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
    let creds = s
        .credentials(&mut |_| panic!("no MFA here"), SystemTime::now())
        .expect("static keys");
    let s3 = s.s3(creds).expect("s3");
    let missing = temp_dir("lib-missing").join("no-such-folder");
    let rules = Rules {
        delete: true,
        ..Rules::default()
    };
    let options = Options {
        filters: &Default::default(),
        follow: true,
        opts: &Default::default(),
        cfg: &Default::default(),
        dryrun: false,
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
    let creds = s
        .credentials(&mut |_| panic!("no MFA here"), SystemTime::now())
        .expect("static keys");
    let s3 = s.s3(creds).expect("s3");
    assert!(s3.run(&HeadBucket(&bucket)).is_ok());
    let err = s3
        .run(&HeadBucket(&format!("{bucket}-missing")))
        .expect_err("no such bucket");
    assert_eq!(err.status(), Some(404), "{err}");
    assert_eq!(err.exit_code(), 254);
}
