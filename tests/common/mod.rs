//! Helpers for tests that run the built `awl` binary: a fresh HOME per test and a clean environment; real
//! servers in `servers`.

#![allow(dead_code)] // each test crate uses a different part of this module

pub(crate) mod servers;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh, empty folder under the target folder (no tempfile crate: a counter and the process id).
pub(crate) fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The canonical scenario's files (../shared/scenario), as the tests' own copy in testdata/scenario.
pub(crate) fn scenario_home() -> PathBuf {
    let home = temp_dir("home");
    let aws = home.join(".aws");
    std::fs::create_dir_all(&aws).expect(".aws");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/scenario");
    for f in ["config", "credentials"] {
        std::fs::copy(src.join(f), aws.join(f)).expect("copy scenario file");
    }
    home
}

/// Runs awl with only HOME, PATH, AWS_EC2_METADATA_DISABLED and `vars` set, stdin from `stdin`.
pub(crate) fn awl_in(home: &Path, vars: &[(&str, &str)], args: &[&str], stdin: &str) -> Output {
    let mut child = awl_command(home, vars)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("awl runs");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.as_bytes()).expect("write stdin");
    drop(input);
    child.wait_with_output().expect("awl exits")
}

/// Runs awl in a fresh, empty HOME.
pub(crate) fn awl(args: &[&str]) -> Output {
    awl_in(&temp_dir("home"), &[], args, "")
}

/// Lossy UTF-8 of captured output.
pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Fails the test with awl's stderr and stdout unless it exited 0.
pub(crate) fn ok(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}\nstdout: {}",
        text(&out.stderr),
        text(&out.stdout)
    );
}

/// `program` as a `Command` with a clean environment: HOME, PATH, AWS_EC2_METADATA_DISABLED and `vars` only;
/// stdin empty. Nothing from the developer's or CI's environment (AWS_CA_BUNDLE, AWS_PROFILE, ...) leaks in.
pub(crate) fn clean_command(
    program: impl AsRef<std::ffi::OsStr>,
    home: &Path,
    vars: &[(&str, &str)],
) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(vars.iter().copied())
        .stdin(Stdio::null());
    cmd
}

/// awl as a `Command` with a clean environment (see [`clean_command`]).
pub(crate) fn awl_command(home: &Path, vars: &[(&str, &str)]) -> Command {
    clean_command(env!("CARGO_BIN_EXE_awl"), home, vars)
}

/// A file of `len` pseudo-random bytes in `dir`.
pub(crate) fn data_file(dir: &Path, name: &str, len: usize) -> PathBuf {
    let mut state = 0x2545_f491_4f6c_dd1d_u64 ^ len as u64;
    let mut bytes = Vec::with_capacity(len + 8);
    while bytes.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(len);
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("data file");
    path
}

/// awl's own HTTP transport, for a test's transport to wrap.
pub(crate) fn ureq_transport() -> std::sync::Arc<dyn awl::transport::Transport> {
    std::sync::Arc::new(awl::transport::ureq::UreqTransport::new(&Default::default()).expect("ureq"))
}

/// A library session with the files of `home` (and `AWS_ENDPOINT_URL` when given), sending STS and S3
/// requests through `network`; instance metadata through awl's own transport (disabled here anyway).
pub(crate) fn session_through(
    home: &Path,
    endpoint: Option<&str>,
    network: std::sync::Arc<dyn awl::transport::Transport>,
) -> awl::session::Session {
    use awl::session::{Session, SessionOptions, Transports};
    let mut pairs = vec![
        ("HOME", home.to_string_lossy().into_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ];
    if let Some(e) = endpoint {
        pairs.push(("AWS_ENDPOINT_URL", e.to_owned()));
    }
    let env = awl::config::env::Env::from_pairs(pairs);
    Session::open(
        env,
        &Default::default(),
        &SessionOptions::default(),
        &move |cfg| {
            Ok(Transports {
                network: network.clone(),
                metadata: Transports::ureq(cfg)?.metadata,
            })
        },
    )
    .expect("session")
}

/// The credentials of a session whose profile has static keys (no MFA prompt can come).
pub(crate) fn static_credentials(s: &mut awl::session::Session) -> awl::identity::Credentials {
    s.credentials(&mut |_| panic!("no MFA here"), std::time::SystemTime::now())
        .expect("static keys")
}
