//! Nothing awl writes, reads or connects to can be steered by the place it runs in, and the first signal ends
//! it cleanly: one test per finding of the trust review (rows 1 to 15), run as a hostile user and a careless
//! one would, against real servers (moto; a recording proxy in front where a server must misbehave). Hostile
//! files are made with mknod, mkfifo and ln under a temporary folder, never the real /dev nodes.

mod common;

use common::servers::{Action, Moto, Proxy, home_with_moto_keys, moto, venv};
use common::{awl_command, awl_in, clean_command, data_file, ok, temp_dir, text};
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn awl(home: &Path, endpoint: &str, args: &[&str]) -> Output {
    awl_in(home, &[("AWS_ENDPOINT_URL", endpoint)], args, "")
}

fn spawn(home: &Path, endpoint: &str, args: &[&str]) -> Child {
    awl_command(home, &[("AWS_ENDPOINT_URL", endpoint)])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("awl runs")
}

fn bucket(m: &Moto, home: &Path, name: &str) -> String {
    let b = format!("{name}-{}", common::servers::free_port());
    ok(&awl(home, &m.url, &["s3", "mb", &format!("s3://{b}")]));
    b
}

fn mknod(path: &Path, kind: &str, major: u32, minor: u32) {
    let st = Command::new("mknod")
        .arg(path)
        .args([kind, &major.to_string(), &minor.to_string()])
        .status()
        .expect("mknod runs");
    assert!(st.success(), "mknod {}", path.display());
}

fn mkfifo(path: &Path) {
    assert!(
        Command::new("mkfifo")
            .arg(path)
            .status()
            .expect("mkfifo runs")
            .success()
    );
}

fn kill(sig: &str, pid: u32) {
    let st = Command::new("kill")
        .args(["-s", sig, &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(st.success(), "kill -s {sig} {pid}");
}

/// Waits, at most `limit`, until `ready` holds (an event, not a guess at how long it takes).
fn wait_for(limit: Duration, what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < limit, "{what} did not happen within {limit:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Waits for `child` to end, at most `limit`; how long it took and its output.
fn ends_within(mut child: Child, limit: Duration) -> (Duration, Output) {
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return (start.elapsed(), child.wait_with_output().expect("output"));
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("awl was still running {limit:?} after the signal");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The names in `dir` that look like awl's temporary files.
fn temporaries(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(".awl-"))
                .collect()
        })
        .unwrap_or_default()
}

fn uploads_in_progress(m: &Moto, bucket: &str) -> String {
    let out = clean_command(
        venv().join("bin/aws"),
        &temp_dir("aws"),
        &[
            ("AWS_ACCESS_KEY_ID", m.key_id.as_str()),
            ("AWS_SECRET_ACCESS_KEY", m.secret.as_str()),
        ],
    )
    .args(["--endpoint-url", &m.url, "--region", "ap-southeast-2"])
    .args(["s3api", "list-multipart-uploads", "--bucket", bucket])
    .output()
    .expect("aws runs");
    ok(&out);
    text(&out.stdout)
}

#[test]
fn row_1_a_device_or_fifo_destination_is_written_in_place() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = bucket(m, &home, "dev");
    let dir = temp_dir("dev");
    let src = data_file(&dir, "src", 3000);
    ok(&awl(
        &home,
        &m.url,
        &["s3", "cp", &src.to_string_lossy(), &format!("s3://{b}/k")],
    ));
    // A copy of /dev/null, made here: still a character device afterwards.
    let null = dir.join("null");
    mknod(&null, "c", 1, 3);
    ok(&awl(
        &home,
        &m.url,
        &["s3", "cp", &format!("s3://{b}/k"), &null.to_string_lossy()],
    ));
    assert!(fs::metadata(&null).expect("null").file_type().is_char_device());
    // A FIFO with a reader: the reader gets the object, the FIFO stays.
    let fifo = dir.join("fifo");
    mkfifo(&fifo);
    let f = fifo.clone();
    let reader = std::thread::spawn(move || fs::read(&f).expect("read the fifo"));
    ok(&awl(
        &home,
        &m.url,
        &["s3", "cp", &format!("s3://{b}/k"), &fifo.to_string_lossy()],
    ));
    assert_eq!(reader.join().expect("reader"), fs::read(&src).expect("src"));
    assert!(fs::metadata(&fifo).expect("fifo").file_type().is_fifo());
    assert!(temporaries(&dir).is_empty(), "{:?}", temporaries(&dir));
}

/// A 200 MiB object on moto, read back through a proxy at 20 MiB/s.
fn big_object(m: &Moto, home: &Path) -> (String, Proxy) {
    let b = bucket(m, home, "big");
    let dir = temp_dir("big");
    let src = data_file(&dir, "src", 200 << 20);
    ok(&awl(
        home,
        &m.url,
        &["s3", "cp", &src.to_string_lossy(), &format!("s3://{b}/k")],
    ));
    let _ = fs::remove_file(&src);
    let proxy = Proxy::start(m.addr);
    proxy.rule("GET /", Action::Throttle(20 << 20), usize::MAX);
    (b, proxy)
}

#[test]
fn row_2_a_signal_during_a_download_ends_awl_at_once_and_leaves_nothing() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let (b, proxy) = big_object(m, &home);
    for (sig, code) in [("INT", 130), ("TERM", 143)] {
        let dir = temp_dir("sig-download");
        let dest = dir.join("out");
        let child = spawn(
            &home,
            &proxy.url,
            &["s3", "cp", &format!("s3://{b}/k"), &dest.to_string_lossy()],
        );
        // Under way: the temporary file exists and has data in it.
        wait_for(Duration::from_secs(60), "the download", || {
            temporaries(&dir)
                .first()
                .and_then(|t| fs::metadata(dir.join(t)).ok())
                .is_some_and(|m| m.len() > 0)
        });
        kill(sig, child.id());
        let (took, out) = ends_within(child, Duration::from_secs(5));
        assert!(took < Duration::from_secs(1), "SIG{sig}: {took:?}");
        assert_eq!(out.status.code(), Some(code), "{}", text(&out.stderr));
        assert_eq!(
            text(&out.stderr),
            format!("awl: error: interrupted by SIG{sig}\n")
        );
        assert!(
            temporaries(&dir).is_empty() && !dest.exists(),
            "{:?}",
            temporaries(&dir)
        );
    }
}

#[test]
fn row_2_a_signal_during_an_upload_aborts_it() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = bucket(m, &home, "sig-up");
    let dir = temp_dir("sig-upload");
    let src = data_file(&dir, "src", 200 << 20);
    let proxy = Proxy::start(m.addr);
    // Each part's answer comes slowly, so that parts are still under way when the signal comes.
    proxy.slow("partNumber=", Duration::from_secs(3));
    let child = spawn(
        &home,
        &proxy.url,
        &["s3", "cp", &src.to_string_lossy(), &format!("s3://{b}/k")],
    );
    wait_for(Duration::from_secs(60), "an UploadPart", || {
        proxy.requests().iter().any(|r| r.head.contains("partNumber="))
    });
    kill("INT", child.id());
    let (took, out) = ends_within(child, Duration::from_secs(5));
    assert!(took < Duration::from_secs(1), "{took:?}");
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    assert!(
        proxy
            .requests()
            .iter()
            .any(|r| r.head.starts_with("DELETE ") && r.head.contains("uploadId=")),
        "AbortMultipartUpload sent"
    );
    assert!(
        !uploads_in_progress(m, &b).contains("UploadId"),
        "{}",
        uploads_in_progress(m, &b)
    );
}

#[test]
fn row_3_a_cache_entry_that_is_a_link_is_replaced_not_written_through() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let cache = home.join(".aws/cli/cache");
    fs::create_dir_all(&cache).expect("cache");
    let victim = home.join("victim");
    fs::write(&victim, "precious\n").expect("victim");
    // profile1's entry (no MFA), as the AWS CLI names it.
    let entry = cache.join("182f36d3a4020609755ceaed091f53cf2b98e57f.json");
    symlink(&victim, &entry).expect("link");
    ok(&awl(
        &home,
        &m.url,
        &["--profile", "profile1", "sts", "get-caller-identity"],
    ));
    assert_eq!(fs::read_to_string(&victim).ok().as_deref(), Some("precious\n"));
    let meta = fs::symlink_metadata(&entry).expect("entry");
    assert!(meta.is_file() && meta.permissions().mode() & 0o777 == 0o600);
}

#[test]
fn row_4_no_planted_link_at_a_temporary_name_is_followed() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = bucket(m, &home, "plant");
    let dir = temp_dir("plant");
    let src = data_file(&dir, "src", 1000);
    ok(&awl(
        &home,
        &m.url,
        &["s3", "cp", &src.to_string_lossy(), &format!("s3://{b}/k")],
    ));
    // The temporary names awl used to use were `.NAME.awl-download-PID`: plant links at the next PIDs.
    let victim = dir.join("victim");
    fs::write(&victim, "precious\n").expect("victim");
    let last: u32 = fs::read_to_string("/proc/sys/kernel/ns_last_pid")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1000);
    for pid in last + 1..last + 200 {
        let _ = symlink(&victim, dir.join(format!(".out.awl-download-{pid}")));
    }
    let dest = dir.join("out");
    ok(&awl(
        &home,
        &m.url,
        &["s3", "cp", &format!("s3://{b}/k"), &dest.to_string_lossy()],
    ));
    assert_eq!(fs::read_to_string(&victim).ok().as_deref(), Some("precious\n"));
    let meta = fs::symlink_metadata(&dest).expect("dest");
    assert!(meta.is_file(), "the destination is a file, not a link");
    assert_eq!(fs::read(&dest).ok(), fs::read(&src).ok());
}

#[test]
fn row_5_a_region_never_becomes_a_host() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let proxy = Proxy::start(m.addr);
    for region in ["evil.example.net#", "a/b", "x?y"] {
        let out = awl(&home, &proxy.url, &["--region", region, "s3", "ls"]);
        assert_eq!(out.status.code(), Some(252), "{region}: {}", text(&out.stderr));
    }
    let out = awl_in(
        &home,
        &[
            ("AWS_ENDPOINT_URL", &proxy.url),
            ("AWS_REGION", "evil.example.net#"),
        ],
        &["s3", "ls"],
        "",
    );
    assert_eq!(out.status.code(), Some(253), "{}", text(&out.stderr));
    assert!(proxy.requests().is_empty(), "no request was made");
    // A region from a server's answer is not followed either.
    let b = bucket(m, &home, "redirect");
    proxy.rule(
        &format!("GET /{b}/"),
        Action::Answer(
            301,
            "<Error><Code>PermanentRedirect</Code><Region>evil.example.net#</Region></Error>".into(),
            "x-amz-bucket-region: evil.example.net#\r\n".into(),
        ),
        usize::MAX,
    );
    let out = awl(&home, &proxy.url, &["s3", "ls", &format!("s3://{b}")]);
    assert_eq!(out.status.code(), Some(254), "{}", text(&out.stderr));
    assert_eq!(
        proxy
            .requests()
            .iter()
            .filter(|r| r.head.starts_with(&format!("GET /{b}/")))
            .count(),
        1,
        "asked once, not again elsewhere"
    );
}

#[test]
fn row_6_configure_writes_only_names_that_read_back() {
    let home = temp_dir("home");
    for name in ["test ;x", "a\n[default]\nregion = evil", "a b"] {
        // Refused before any question is asked.
        let out = awl_in(&home, &[], &["configure", "--profile", name], "");
        assert_eq!(out.status.code(), Some(252), "{name:?}: {}", text(&out.stderr));
        assert!(!home.join(".aws").exists(), "nothing written for {name:?}");
    }
}

/// Runs `script` around `command` (a pseudo-terminal), collecting what it shows.
fn on_a_terminal(home: &Path, endpoint: &str, command: &str) -> (Child, Screen) {
    let mut child = clean_command("script", home, &[("AWS_ENDPOINT_URL", endpoint)])
        .args(["-qec", command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script runs");
    let text = Arc::new(Mutex::new(String::new()));
    let mut out = child.stdout.take().expect("stdout");
    let s = text.clone();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 {
                break;
            }
            s.lock()
                .expect("screen")
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    (child, Screen { text, reader })
}

/// What a terminal shows, read as it comes by a thread of its own.
struct Screen {
    text: Arc<Mutex<String>>,
    reader: std::thread::JoinHandle<()>,
}

impl Screen {
    /// Whether it shows `what` yet.
    fn contains(&self, what: &str) -> bool {
        self.text.lock().expect("screen").contains(what)
    }

    /// All it showed, once the program has ended (its output read to the end, however busy the machine).
    fn settled(self) -> String {
        let _ = self.reader.join();
        self.text.lock().expect("screen").clone()
    }
}

#[test]
fn row_7_a_signal_while_a_server_is_silent_ends_awl_at_once() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let proxy = Proxy::start(m.addr);
    proxy.rule("GET /", Action::Stall, usize::MAX);
    let child = spawn(&home, &proxy.url, &["s3", "ls"]);
    wait_for(Duration::from_secs(10), "the request", || {
        !proxy.requests().is_empty()
    });
    kill("INT", child.id());
    let (took, out) = ends_within(child, Duration::from_secs(5));
    assert!(took < Duration::from_secs(1), "{took:?}");
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
}

#[test]
fn row_8_ctrl_c_or_a_signal_at_the_mfa_prompt_restores_the_terminal() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let awl = env!("CARGO_BIN_EXE_awl");
    let prompt = "Enter MFA code for";
    // Typed Ctrl-C.
    let (mut child, screen) = on_a_terminal(
        &home,
        &m.url,
        &format!("bash -c '{awl} --profile profile2 sts get-caller-identity; echo EXIT=$?; stty -a'"),
    );
    wait_for(Duration::from_secs(10), "the prompt", || screen.contains(prompt));
    let mut tty = child.stdin.take().expect("stdin");
    tty.write_all(b"\x03").expect("Ctrl-C");
    let (took, out) = ends_within(child, Duration::from_secs(5));
    let shown = screen.settled();
    assert!(took < Duration::from_secs(1), "{took:?}");
    assert!(out.status.success() && shown.contains("EXIT=130"), "{shown}");
    assert!(
        shown.contains(" echo ") && !shown.contains("-echo "),
        "echo is back on: {shown}"
    );
    drop(tty);
    // kill -INT from elsewhere.
    let (child, screen) = on_a_terminal(
        &home,
        &m.url,
        &format!(
            "bash -c '{awl} --profile profile2 sts get-caller-identity </dev/tty & echo PID=$!; wait $!; \
             echo EXIT=$?; stty -a'"
        ),
    );
    wait_for(Duration::from_secs(10), "the prompt", || screen.contains(prompt));
    let pid: u32 = {
        let s = screen.text.lock().expect("screen");
        let at = s.find("PID=").expect("pid") + 4;
        s[at..]
            .split_whitespace()
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a pid")
    };
    kill("INT", pid);
    let (took, _) = ends_within(child, Duration::from_secs(5));
    let shown = screen.settled();
    assert!(took < Duration::from_secs(1), "{took:?}");
    assert!(shown.contains("EXIT=130"), "{shown}");
    assert!(
        shown.contains(" echo ") && !shown.contains("-echo "),
        "echo is back on: {shown}"
    );
    // Ctrl-D: a clear error, not 255.
    let (mut child, screen) = on_a_terminal(
        &home,
        &m.url,
        &format!("bash -c '{awl} --profile profile2 sts get-caller-identity; echo EXIT=$?'"),
    );
    wait_for(Duration::from_secs(10), "the prompt", || screen.contains(prompt));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"\x04")
        .expect("Ctrl-D");
    let _ = ends_within(child, Duration::from_secs(5));
    let shown = screen.settled();
    assert!(
        shown.contains("EXIT=253") && shown.contains("none was typed"),
        "{shown}"
    );
}

#[test]
fn row_9_env_unsets_what_the_credentials_do_not_set() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let awl = env!("CARGO_BIN_EXE_awl");
    let out = clean_command("bash", &home, &[("AWS_ENDPOINT_URL", &m.url)])
        .arg("-c")
        .arg(format!(
            "eval \"$({awl} --profile profile1 env)\" && [ -n \"$AWS_SESSION_TOKEN\" ] && \
             eval \"$({awl} --profile default env)\" && echo \"token=${{AWS_SESSION_TOKEN-unset}}\" \
             \"expiry=${{AWS_CREDENTIAL_EXPIRATION-unset}}\""
        ))
        .output()
        .expect("bash runs");
    ok(&out);
    assert_eq!(text(&out.stdout), "token=unset expiry=unset\n");
}

#[test]
fn row_10_files_read_are_regular_files_of_a_sane_size() {
    let home = temp_dir("home");
    let dir = temp_dir("hostile");
    let fifo = dir.join("fifo");
    mkfifo(&fifo);
    let zero = dir.join("zero");
    mknod(&zero, "c", 1, 5);
    let huge = dir.join("huge");
    fs::File::create(&huge)
        .and_then(|f| f.set_len(17 << 20))
        .expect("sparse file");
    for (var, path, what) in [
        ("AWS_CONFIG_FILE", &fifo, "a FIFO"),
        ("AWS_CONFIG_FILE", &zero, "a character device"),
        ("AWS_SHARED_CREDENTIALS_FILE", &dir, "a directory"),
        ("AWS_CONFIG_FILE", &huge, "larger than 16 MiB"),
        ("AWS_CA_BUNDLE", &zero, "a character device"),
        ("AWS_CA_BUNDLE", &fifo, "a FIFO"),
    ] {
        let child = awl_command(
            &home,
            &[
                (var, &*path.to_string_lossy()),
                ("AWS_ACCESS_KEY_ID", "a"),
                ("AWS_SECRET_ACCESS_KEY", "b"),
            ],
        )
        .args(["sts", "get-caller-identity"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("awl runs");
        // A hang or a memory-filling read fails here instead of holding the test.
        let (_, out) = ends_within(child, Duration::from_secs(5));
        assert_eq!(out.status.code(), Some(253), "{var}: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(err.contains(what) && err.lines().count() == 2, "{var}: {err}");
    }
}

#[test]
fn row_11_presign_needs_an_object() {
    let out = common::awl(&["s3", "presign", "s3://bucket"]);
    assert_eq!(out.status.code(), Some(252));
    assert!(out.stdout.is_empty(), "no URL printed");
}

#[test]
fn row_13_a_repeated_continuation_token_is_an_error() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = bucket(m, &home, "pages");
    let proxy = Proxy::start(m.addr);
    let page = "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>same</NextContinuationToken>\
                <Contents><Key>k</Key><Size>1</Size><LastModified>2026-01-01T00:00:00Z</LastModified></Contents>\
                </ListBucketResult>";
    proxy.answer_times("list-type=2", 200, page, "", usize::MAX);
    let out = awl(&home, &proxy.url, &["s3", "ls", &format!("s3://{b}")]);
    assert_eq!(out.status.code(), Some(255), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("same continuation token twice"),
        "{}",
        text(&out.stderr)
    );
    // Pages are printed as they come, as the AWS CLI does: the first one once, and nothing after the repeat.
    assert_eq!(text(&out.stdout).lines().count(), 1, "{}", text(&out.stdout));
}

#[test]
fn row_14_configure_writes_nothing_unless_every_answer_came() {
    let home = temp_dir("home");
    let out = awl_in(&home, &[], &["configure"], "AKIAIOSFODNN7EXAMPLE\n");
    assert_eq!(out.status.code(), Some(252), "{}", text(&out.stderr));
    assert!(!home.join(".aws").exists(), "half a key pair is not written");
    let out = awl_in(
        &home,
        &[],
        &["configure"],
        "AKIAIOSFODNN7EXAMPLE\nsecret\neu-west-1\njson\n",
    );
    ok(&out);
    assert!(fs::read_to_string(home.join(".aws/credentials")).is_ok_and(|c| c.contains("secret")));
}

#[test]
fn row_15_the_small_things() {
    let home = temp_dir("home");
    // A password in an endpoint URL is never printed.
    let out = awl_in(
        &home,
        &[("AWS_ACCESS_KEY_ID", "a"), ("AWS_SECRET_ACCESS_KEY", "b")],
        &["--endpoint-url", "http://user:s3cr3tpass@127.0.0.1:1", "s3", "ls"],
        "",
    );
    assert_eq!(out.status.code(), Some(253));
    assert!(!text(&out.stderr).contains("s3cr3tpass"), "{}", text(&out.stderr));
    // A 5 MB section name is not echoed whole.
    let aws = home.join(".aws");
    fs::create_dir_all(&aws).expect(".aws");
    fs::write(aws.join("config"), format!("[{}]\n", "x".repeat(5 << 20))).expect("config");
    let out = awl_in(&home, &[], &["configure", "list"], "");
    assert!(out.stderr.len() < 1000, "{} bytes of warnings", out.stderr.len());
    fs::remove_file(aws.join("config")).expect("rm");
    // exec: 127 for no such program, 126 for one that cannot run, as shells say.
    let keys = [("AWS_ACCESS_KEY_ID", "a"), ("AWS_SECRET_ACCESS_KEY", "b")];
    let out = awl_in(&home, &keys, &["exec", "--", "/nonexistent"], "");
    assert_eq!(out.status.code(), Some(127), "{}", text(&out.stderr));
    let plain = home.join("plain");
    fs::write(&plain, "not a program").expect("plain");
    let out = awl_in(&home, &keys, &["exec", "--", &plain.to_string_lossy()], "");
    assert_eq!(out.status.code(), Some(126), "{}", text(&out.stderr));
    // A header value with a line break is a usage error before any request.
    let out = awl_in(
        &home,
        &keys,
        &[
            "s3",
            "cp",
            "/etc/hostname",
            "s3://b/k",
            "--content-type",
            "a\r\nX: 1",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(252), "{}", text(&out.stderr));
    // Standard input is named as such.
    let out = awl_in(&home, &keys, &["s3", "cp", "-", "s3://b/k", "--recursive"], "");
    assert_eq!(out.status.code(), Some(252));
    assert!(
        text(&out.stderr).contains("standard input"),
        "{}",
        text(&out.stderr)
    );
    // A FIFO source gets a hint about what it is, not about folders.
    let fifo = home.join("fifo");
    mkfifo(&fifo);
    let out = awl_in(
        &home,
        &keys,
        &["s3", "cp", &fifo.to_string_lossy(), "s3://b/k"],
        "",
    );
    assert_eq!(out.status.code(), Some(252));
    assert!(!text(&out.stderr).contains("folder"), "{}", text(&out.stderr));
    // Help lists every option of a subcommand.
    let help = text(&common::awl(&["help", "s3", "cp"]).stdout);
    for o in [
        "--content-type",
        "--quiet",
        "--max-concurrency",
        "--multipart-threshold",
        "--multipart-chunksize",
    ] {
        assert!(help.contains(o), "{o}: {help}");
    }
    assert!(text(&common::awl(&["help", "s3", "ls"]).stdout).contains("--recursive"));
    assert!(text(&common::awl(&["help", "s3", "mb"]).stdout).contains("--exists-ok"));
    // [ default ] gets a warning: the AWS CLI cannot read it.
    fs::write(aws.join("config"), "[ default ] ; comment\nregion = eu-west-1\n").expect("config");
    let out = awl_in(&home, &[], &["configure", "list"], "");
    assert!(
        text(&out.stderr).contains("awl: warning: ~/.aws/config:1:"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn row_15_a_download_into_a_missing_folder_creates_it() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = bucket(m, &home, "folder");
    let dir = temp_dir("folder");
    let src = data_file(&dir, "src", 100);
    ok(&awl(
        &home,
        &m.url,
        &["s3", "cp", &src.to_string_lossy(), &format!("s3://{b}/k")],
    ));
    let dest: PathBuf = dir.join("a/b/out");
    ok(&awl(
        &home,
        &m.url,
        &["s3", "cp", &format!("s3://{b}/k"), &dest.to_string_lossy()],
    ));
    assert_eq!(fs::read(&dest).ok(), fs::read(&src).ok());
}

/// Issue 22, row 8: `awl exec` in a container whose PATH holds only the program (no `kill`, no coreutils):
/// SIGTERM sent to awl reaches the program within a second, and awl exits with the program's status. awl
/// becomes the program (execve), so there is nothing to forward; before, awl forwarded signals by running
/// `kill` from PATH, and here SIGTERM never arrived.
#[test]
fn exec_passes_sigterm_with_no_other_program_on_path() {
    let home = temp_dir("exec-bare");
    let bin = home.join("bin");
    fs::create_dir_all(&bin).expect("bin");
    // The shell by its absolute path (a shebang needs no PATH); only builtins inside: `read` waits on the
    // open stdin until the signal interrupts it.
    let prog = bin.join("prog");
    fs::write(
        &prog,
        "#!/bin/sh\ntrap 'exit 42' TERM\necho ready\nread x\nexit 1\n",
    )
    .expect("prog");
    fs::set_permissions(&prog, fs::Permissions::from_mode(0o755)).expect("chmod");
    let mut child = clean_command(env!("CARGO_BIN_EXE_awl"), &home, &[])
        .env("PATH", &bin)
        .env("AWS_ACCESS_KEY_ID", "a")
        .env("AWS_SECRET_ACCESS_KEY", "b")
        .args(["exec", "--", "prog"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("awl runs");
    let mut line = [0u8; 6];
    child
        .stdout
        .as_mut()
        .expect("stdout")
        .read_exact(&mut line)
        .expect("the program started");
    assert_eq!(&line, b"ready\n");
    let sent = Instant::now();
    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill")
            .success()
    );
    // The program's status, within a second; a hang (the old forwarding without `kill`) fails here.
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert_eq!(status.code(), Some(42));
            break;
        }
        if sent.elapsed() > Duration::from_secs(1) {
            let _ = child.kill();
            panic!("SIGTERM did not reach the program within a second");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    drop(child.stdin.take());
}

/// `AWS_CONFIG_FILE=/dev/null` (the usual way to cut a job off from the files) reads as an empty file, as the
/// AWS CLI reads it; the null device, tested as a copy made here with mknod (1:3), is accepted only as one of
/// the AWS files: as a CA bundle it is still refused, as every other special file is.
#[test]
fn the_null_device_reads_as_empty_aws_files() {
    let home = temp_dir("null-files");
    let null = home.join("null");
    mknod(&null, "c", 1, 3);
    let path = null.to_string_lossy().into_owned();
    let keys = [
        ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "b"),
    ];
    let vars = [
        ("AWS_CONFIG_FILE", path.as_str()),
        ("AWS_SHARED_CREDENTIALS_FILE", path.as_str()),
        keys[0],
        keys[1],
    ];
    let out = awl_in(&home, &vars, &["configure", "list"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("env"),
        "the keys come from the environment"
    );
    let out = awl_in(&home, &vars, &["configure", "get", "region"], "");
    assert_eq!(out.status.code(), Some(1), "nothing set: {}", text(&out.stderr));
    let out = awl_in(
        &home,
        &[("AWS_CA_BUNDLE", path.as_str()), keys[0], keys[1]],
        &["--endpoint-url", "https://127.0.0.1:1", "s3", "ls"],
        "",
    );
    assert_eq!(out.status.code(), Some(253), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("null device"), "{}", text(&out.stderr));
}
