//! Faults injected between awl and real servers (a refusing port, resets, 503s, stalls, a cut download, a
//! clock off by an hour under faketime, unwritable and unreadable files as an unprivileged user): awl retries
//! within its attempt budget and succeeds, or stops with one clear line, losing nothing.

mod common;

use common::servers::{Action, Moto, Proxy, free_port, moto, s3s_fs};
use common::{awl_in, clean_command, ok, temp_dir, text};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn home_with_keys(m: &Moto) -> PathBuf {
    let home = temp_dir("home");
    fs::create_dir_all(home.join(".aws")).expect(".aws");
    fs::write(
        home.join(".aws/credentials"),
        format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            m.key_id, m.secret
        ),
    )
    .expect("credentials");
    fs::write(home.join(".aws/config"), "[default]\nregion = ap-southeast-2\n").expect("config");
    home
}

fn awl(home: &Path, endpoint: &str, args: &[&str]) -> Output {
    awl_in(home, &[("AWS_ENDPOINT_URL", endpoint)], args, "")
}

fn bucket_with(m: &Moto, home: &Path, name: &str) -> String {
    let bucket = format!("{name}-{}", free_port());
    ok(&awl(home, &m.url, &["s3", "mb", &format!("s3://{bucket}")]));
    bucket
}

fn count(p: &Proxy, needle: &str) -> usize {
    p.requests().iter().filter(|r| r.head.contains(needle)).count()
}

#[test]
fn connection_refused_is_tried_three_times_then_one_line() {
    let m = moto();
    let home = home_with_keys(m);
    let closed = format!("http://127.0.0.1:{}", free_port());
    let out = awl(&home, &closed, &["s3", "ls"]);
    assert_eq!(out.status.code(), Some(255));
    let err = text(&out.stderr);
    assert!(
        err.starts_with(&format!("awl: error: {closed}/?max-buckets=1000: connection")),
        "{err}"
    );
    assert!(
        err.lines()
            .next()
            .is_some_and(|l| l.ends_with("(after 3 attempts)")),
        "{err}"
    );
    assert!(err.contains("hint: check the endpoint"), "{err}");
}

#[test]
fn a_reset_during_an_upload_is_retried_and_the_object_lands() {
    let m = moto();
    let home = home_with_keys(m);
    let bucket = bucket_with(m, &home, "reset");
    let dir = temp_dir("reset");
    let file = dir.join("f.bin");
    fs::write(&file, vec![7u8; 300_000]).expect("file");
    let proxy = Proxy::start(m.addr);
    proxy.rule(&format!("PUT /{bucket}/f.bin"), Action::Drop, 1);
    ok(&awl(
        &home,
        &proxy.url,
        &[
            "s3",
            "cp",
            &file.to_string_lossy(),
            &format!("s3://{bucket}/f.bin"),
        ],
    ));
    assert_eq!(count(&proxy, &format!("PUT /{bucket}/f.bin")), 2);
    let back = dir.join("back");
    ok(&awl(
        &home,
        &m.url,
        &[
            "s3",
            "cp",
            &format!("s3://{bucket}/f.bin"),
            &back.to_string_lossy(),
        ],
    ));
    assert_eq!(fs::read(&back).ok(), fs::read(&file).ok());
}

#[test]
fn a_503_twice_then_ok_succeeds_on_the_third_attempt() {
    let m = moto();
    let home = home_with_keys(m);
    let proxy = Proxy::start(m.addr);
    proxy.answer_times(
        "max-buckets=",
        503,
        "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
        "",
        2,
    );
    ok(&awl(&home, &proxy.url, &["s3", "ls"]));
    assert_eq!(count(&proxy, "max-buckets="), 3);
}

#[test]
fn a_503_forever_gives_up_after_three_attempts() {
    let m = moto();
    let home = home_with_keys(m);
    let proxy = Proxy::start(m.addr);
    proxy.answer(
        "max-buckets=",
        503,
        "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>r503</RequestId></Error>",
    );
    let out = awl(&home, &proxy.url, &["s3", "ls"]);
    assert_eq!(out.status.code(), Some(254));
    assert_eq!(
        text(&out.stderr),
        "awl: error: ListBuckets: S3 SlowDown (HTTP 503): Please reduce your request rate. (after 3 attempts) \
         [request id r503]\n"
    );
    assert_eq!(count(&proxy, "max-buckets="), 3);
}

#[test]
fn a_stalled_answer_times_out_and_is_retried() {
    let m = moto();
    let home = home_with_keys(m);
    let proxy = Proxy::start(m.addr);
    proxy.rule("max-buckets=", Action::Stall, 1);
    let start = Instant::now();
    ok(&awl(&home, &proxy.url, &["--cli-read-timeout", "1", "s3", "ls"]));
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(
        count(&proxy, "max-buckets="),
        2,
        "the stalled attempt and a good one"
    );
    proxy.rule("max-buckets=", Action::Stall, 3);
    let out = awl(&home, &proxy.url, &["--cli-read-timeout", "1", "s3", "ls"]);
    assert_eq!(out.status.code(), Some(255));
    assert!(text(&out.stderr).contains("timed out"), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("(after 3 attempts)"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_download_cut_mid_body_leaves_no_file() {
    let m = moto();
    let home = home_with_keys(m);
    let bucket = bucket_with(m, &home, "cut");
    let dir = temp_dir("cut");
    let file = dir.join("src.bin");
    fs::write(&file, vec![42u8; 2 << 20]).expect("file");
    ok(&awl(
        &home,
        &m.url,
        &[
            "s3",
            "cp",
            &file.to_string_lossy(),
            &format!("s3://{bucket}/k.bin"),
        ],
    ));
    let proxy = Proxy::start(m.addr);
    proxy.rule(&format!("GET /{bucket}/k.bin"), Action::Truncate, usize::MAX);
    let out_dir = temp_dir("cut-out");
    let dest = out_dir.join("k.bin");
    let out = awl(
        &home,
        &proxy.url,
        &[
            "s3",
            "cp",
            &format!("s3://{bucket}/k.bin"),
            &dest.to_string_lossy(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).starts_with("awl: error: download failed: "),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        fs::read_dir(&out_dir).map(Iterator::count).ok(),
        Some(0),
        "no file, partial or whole"
    );
}

/// The dynamically linked awl (the test build) under faketime, against s3s-fs, which refuses stale requests.
fn skewed(offset: &str) -> Output {
    let s = s3s_fs();
    let vars = [
        ("AWS_ENDPOINT_URL", s.url.as_str()),
        ("AWS_ACCESS_KEY_ID", s.key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", s.secret.as_str()),
    ];
    clean_command("faketime", &temp_dir("home"), &vars)
        .args(["-f", offset, env!("CARGO_BIN_EXE_awl"), "--debug", "s3", "ls"])
        .output()
        .expect("faketime runs")
}

#[test]
fn a_clock_an_hour_off_is_corrected_once_and_said_once() {
    for (offset, way) in [("+1h", "ahead of"), ("-1h", "behind")] {
        let out = skewed(offset);
        ok(&out);
        let err = text(&out.stderr);
        let notices: Vec<&str> = err.lines().filter(|l| l.starts_with("awl: warning:")).collect();
        assert_eq!(notices.len(), 1, "{offset}: {err}");
        // The server's Date has whole seconds: the offset is an hour give or take one second.
        let secs: Option<i64> = notices[0]
            .strip_prefix("awl: warning: this machine's clock is ")
            .and_then(|r| r.split(' ').next())
            .and_then(|n| n.parse().ok());
        assert!(
            secs.is_some_and(|s| (3599..=3601).contains(&s)),
            "{offset}: {}",
            notices[0]
        );
        assert!(
            notices[0].contains(&format!(" s {way} the server's")),
            "{offset}: {}",
            notices[0]
        );
        let statuses: Vec<&str> = err
            .lines()
            .filter(|l| l.starts_with("< ") && l.len() == 5)
            .collect();
        assert_eq!(
            statuses,
            ["< 403", "< 200"],
            "{offset}: one refusal, one corrected retry"
        );
    }
}

/// Runs awl as the unprivileged user 65534 (tests run as root, which no file mode stops).
fn as_nobody(home: &Path, endpoint: &str, args: &[&str]) -> Output {
    clean_command("setpriv", home, &[("AWS_ENDPOINT_URL", endpoint)])
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_awl"),
        ])
        .args(args)
        .output()
        .expect("setpriv runs")
}

fn chown_nobody(path: &Path) {
    assert!(
        Command::new("chown")
            .args(["-R", "65534:65534"])
            .arg(path)
            .status()
            .expect("chown")
            .success()
    );
}

#[test]
fn an_unwritable_cache_folder_is_a_warning_not_a_failure() {
    let m = moto();
    let home = home_with_keys(m);
    fs::write(
        home.join(".aws/config"),
        "[default]\nregion = ap-southeast-2\n[profile dev]\nrole_arn = arn:aws:iam::123:role/Developer\nsource_profile = default\n",
    )
    .expect("config");
    let cache = home.join(".aws/cli/cache");
    fs::create_dir_all(&cache).expect("cache");
    chown_nobody(&home);
    fs::set_permissions(&cache, fs::Permissions::from_mode(0o500)).expect("chmod");
    let out = as_nobody(&home, &m.url, &["--profile", "dev", "sts", "get-caller-identity"]);
    ok(&out);
    let err = text(&out.stderr);
    assert!(err.starts_with("awl: warning: "), "{err}");
    assert!(
        err.contains("cannot create a temporary file beside it")
            && err.contains("the next run will ask again"),
        "{err}"
    );
    assert_eq!(fs::read_dir(&cache).map(Iterator::count).ok(), Some(0));
}

#[test]
fn an_unreadable_config_file_names_the_file() {
    let m = moto();
    let home = home_with_keys(m);
    chown_nobody(&home);
    fs::set_permissions(home.join(".aws/config"), fs::Permissions::from_mode(0o000)).expect("chmod");
    let out = as_nobody(&home, &m.url, &["s3", "ls"]);
    assert_eq!(out.status.code(), Some(253));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("awl: error: ~/.aws/config: cannot read: Permission denied"),
        "{err}"
    );
    assert!(err.contains("hint: check the file's owner and mode"), "{err}");
}

/// A transport that a library user hands to a session: it fails the first request as a lost connection, then
/// passes everything to awl's own transport, counting what it saw.
#[derive(Debug)]
struct DropFirst {
    inner: std::sync::Arc<dyn awl::transport::Transport>,
    seen: std::sync::atomic::AtomicUsize,
}

impl awl::transport::Transport for DropFirst {
    fn send(&self, req: &awl::transport::request::Request) -> awl::Result<awl::transport::request::Response> {
        if self.seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            return Err(awl::Error::new(awl::ErrorKind::Network, "dropped by the test"));
        }
        self.inner.send(req)
    }

    fn download(
        &self,
        req: &awl::transport::request::Request,
        sink: &mut dyn awl::transport::Sink,
    ) -> awl::Result<awl::transport::request::Response> {
        self.inner.download(req, sink)
    }
}

#[test]
fn a_library_user_gives_the_session_a_transport_of_its_own() {
    use awl::config::env::Env;
    use awl::config::resolve::Flags;
    use awl::session::{Session, SessionOptions, Transports};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let m = moto();
    let home = home_with_keys(m);
    let bucket = bucket_with(m, &home, "injected");
    let env = Env::from_pairs([
        ("HOME", home.to_string_lossy().into_owned()),
        ("AWS_ENDPOINT_URL", m.url.clone()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ]);
    let injected: Arc<DropFirst> = Arc::new(DropFirst {
        inner: Arc::new(awl::transport::ureq::UreqTransport::new(&Default::default()).expect("ureq")),
        seen: AtomicUsize::new(0),
    });
    let given = injected.clone();
    let mut session = Session::open(env, &Flags::default(), &SessionOptions::default(), &move |cfg| {
        Ok(Transports {
            network: given.clone(),
            metadata: Transports::ureq(cfg)?.metadata,
        })
    })
    .expect("session");
    let creds = common::static_credentials(&mut session);
    let s3 = session.s3(creds).expect("s3");
    let buckets = s3
        .pages(awl::s3::ops::list_buckets::ListBuckets)
        .collect::<awl::Result<Vec<_>>>()
        .expect("the retry covers the drop")
        .concat();
    assert!(buckets.iter().any(|b| b.name == bucket), "{buckets:?}");
    // The dropped attempt, then the one that got through: every request went through the given transport.
    assert_eq!(injected.seen.load(Ordering::SeqCst), 2);
    // An empty key is refused before anything is sent: `DELETE /bucket/` would delete the bucket.
    let err = awl::s3::sync::run::Runner {
        s3: &s3,
        opts: &Default::default(),
        cfg: &Default::default(),
        dryrun: false,
        spill: None,
        report: &|_| {},
    }
    .one(
        &awl::s3::sync::run::Job {
            op: awl::s3::sync::run::Op::Delete,
            src: awl::s3::sync::run::Place::S3(awl::s3::object::ObjectRef::new(bucket.clone(), "")),
            dst: awl::s3::sync::run::Place::S3(awl::s3::object::ObjectRef::new(bucket.clone(), "")),
            size: None,
        },
        &|_| {},
    )
    .expect_err("refused");
    assert_eq!(err.kind(), awl::ErrorKind::Usage, "{err}");
    assert_eq!(injected.seen.load(Ordering::SeqCst), 2, "nothing sent");
}
