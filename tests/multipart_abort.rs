//! The one multipart lifecycle keeps the abort it registers with the interruption fresh: a copy in parts
//! (UploadPartCopy) signs its abort again as each part finishes, as uploads do, so that a signal long into a
//! large S3 to S3 copy sends an abort S3 still accepts (a signature is good for 15 minutes). moto does not
//! check a request's age, so the clock is the library's, injected: it moves 20 minutes on with each part,
//! and the abort that the undoing sends must carry the time after the last part, not the upload's start.

mod common;
#[path = "support/day.rs"]
mod day;

use awl::config::resolve::AddressingStyle;
use awl::interrupt::Interrupt;
use awl::s3::client::S3;
use awl::s3::object::ObjectRef;
use awl::transport::endpoint::Endpoint;
use awl::transport::request::{Request, Response};
use awl::transport::{Sink, Transport};
use common::servers::{home_with_moto_keys, moto};
use common::{data_file, temp_dir};
use day::{awl_at, done, new_bucket, uploads_in_progress};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

/// Passes every request to awl's own transport, keeping its method, query and `X-Amz-Date`; when the
/// CompleteMultipartUpload comes (every part is done), it first undoes the run as a signal would.
#[derive(Debug)]
struct Recorder {
    inner: Arc<dyn Transport>,
    seen: Mutex<Vec<(String, String, String)>>,
    parts: AtomicU64,
    interrupt: OnceLock<Arc<Interrupt>>,
}

impl Transport for Recorder {
    fn send(&self, req: &Request) -> awl::Result<Response> {
        let date = req
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-amz-date"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        self.seen
            .lock()
            .expect("lock")
            .push((req.method.to_owned(), req.query.clone(), date));
        if req.method == "POST"
            && req.query.starts_with("uploadId=")
            && let Some(i) = self.interrupt.get()
        {
            i.undo();
        }
        let resp = self.inner.send(req);
        if req.method == "PUT" && req.query.starts_with("partNumber=") {
            self.parts.fetch_add(1, Ordering::SeqCst);
        }
        resp
    }

    fn download(&self, req: &Request, sink: &mut dyn Sink) -> awl::Result<Response> {
        self.inner.download(req, sink)
    }
}

#[test]
fn a_copy_in_parts_signs_its_abort_again_as_parts_finish() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let bucket = new_bucket(&home, m, "abort-resign");
    let dir = temp_dir("abort-resign");
    // 12 MiB: three parts of 5 MiB, 5 MiB and 2 MiB at a 5 MiB part size.
    let file = data_file(&dir, "big.bin", 12 << 20);
    done(
        "upload",
        &awl_at(
            &home,
            &m.url,
            &dir,
            &[
                "s3",
                "cp",
                &file.to_string_lossy(),
                &format!("s3://{bucket}/big.bin"),
            ],
        ),
    );

    let recorder = Arc::new(Recorder {
        inner: common::ureq_transport(),
        seen: Mutex::new(Vec::new()),
        parts: AtomicU64::new(0),
        interrupt: OnceLock::new(),
    });
    let mut session = common::session_through(&home, None, recorder.clone());
    let creds = common::static_credentials(&mut session);

    // The clock moves 20 minutes on with each part done: the third part is signed 40 minutes after the
    // upload began, and the abort signed after it 60 minutes after.
    let start = SystemTime::now();
    let seen_parts = recorder.clone();
    let clock = move || start + Duration::from_secs(20 * 60 * seen_parts.parts.load(Ordering::SeqCst));
    let mut sender = session.sender();
    sender.clock = &clock;
    let interrupt = Interrupt::new();
    recorder.interrupt.set(interrupt.clone()).expect("once");
    let s3 = S3::new(
        sender,
        creds,
        "ap-southeast-2",
        Some(Endpoint::parse(&m.url).expect("endpoint")),
        AddressingStyle::Path,
    )
    .with_interrupt(interrupt.clone(), recorder.clone());
    let cfg = awl::s3::transfer::config::TransferConfig {
        multipart_threshold: 5 << 20,
        part_size: 5 << 20,
        max_concurrency: 1,
        max_requests: 1,
        resumable: false,
    };
    let copied = s3.copy(
        &ObjectRef::new(bucket.clone(), "big.bin"),
        &ObjectRef::new(bucket.clone(), "copy.bin"),
        &Default::default(),
        &cfg,
        None,
    );
    assert!(
        copied.is_err(),
        "the undoing aborted the upload before it completed"
    );

    let seen = recorder.seen.lock().expect("lock").clone();
    let dates = |method: &str, query: &str| -> Vec<String> {
        seen.iter()
            .filter(|(m, q, _)| m == method && q.starts_with(query))
            .map(|(_, _, d)| d.clone())
            .collect()
    };
    let parts = dates("PUT", "partNumber=");
    assert_eq!(parts.len(), 3, "{seen:?}");
    let aborts = dates("DELETE", "uploadId=");
    let last_part = parts.iter().max().cloned().unwrap_or_default();
    let first_abort = aborts.first().cloned().unwrap_or_default();
    // X-Amz-Date (YYYYMMDDTHHMMSSZ) orders as text.
    assert!(
        !first_abort.is_empty() && first_abort > last_part,
        "the abort the undoing sent ({first_abort}) was signed after the last part ({last_part}): {seen:?}"
    );
    assert_eq!(uploads_in_progress(&home, m, &bucket), 0, "nothing left billed");
}
