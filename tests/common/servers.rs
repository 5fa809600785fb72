//! Real servers for the tests: moto (STS, S3, IAM) on 127.0.0.1, started once per test binary from the
//! virtualenv that `make test` installs under target/tools/venv, with its signature checking turned on; and
//! a recording TCP proxy to put between awl and it.
//!
//! A server that cannot start fails the test that needs it: nothing is skipped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The virtualenv with moto and the AWS CLI (made by `make test-deps`).
pub(crate) fn venv() -> PathBuf {
    let v = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tools/venv");
    assert!(
        v.join("bin/moto_server").exists() && v.join("bin/aws").exists(),
        "moto and the AWS CLI are not installed in {}: run `make test` (or `make test-deps`) first",
        v.display()
    );
    v
}

/// A free port on 127.0.0.1.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A running moto server and the IAM user the tests sign with.
pub(crate) struct Moto {
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    /// Its address.
    pub(crate) addr: SocketAddr,
    /// alice's access key id (account 123456789012, allowed everything).
    pub(crate) key_id: String,
    /// alice's secret key.
    pub(crate) secret: String,
    // Held open: when the test process exits, the watchdog shell sees EOF and stops moto.
    _watchdog: Mutex<Child>,
}

fn http_get_status(addr: SocketAddr, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).ok()?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The moto server of this test process, started on first use, with signature checking on.
pub(crate) fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| start_moto(true))
}

/// A second moto server with signature checking off, for the calls moto cannot check: the unsigned
/// AssumeRoleWithWebIdentity (a 500 with checking on) and GetSessionToken (whose fixed key its own check
/// refuses).
pub(crate) fn moto_unchecked() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| start_moto(false))
}

fn start_moto(check_signatures: bool) -> Moto {
    {
        let venv = venv();
        let port = free_port();
        let log = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("moto-{port}.log"));
        // The shell starts moto, then waits on its stdin, which this process holds: when the test process
        // ends, however it ends, the pipe closes and the shell stops moto.
        let watchdog = Command::new("sh")
            .arg("-c")
            .arg("\"$0\" -H 127.0.0.1 -p \"$1\" >\"$2\" 2>&1 & pid=$!; cat >/dev/null; kill $pid")
            .arg(venv.join("bin/moto_server"))
            .arg(port.to_string())
            .arg(&log)
            .stdin(Stdio::piped())
            .spawn()
            .expect("moto starts");
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let start = Instant::now();
        while http_get_status(addr, "/moto-api/") != Some(200) {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "moto did not answer on {addr} within 60 s; see {}",
                log.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let url = format!("http://{addr}");
        let out = Command::new(venv.join("bin/python"))
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/moto_bootstrap.py"))
            .arg(&url)
            .arg(if check_signatures { "check" } else { "no-check" })
            .output()
            .expect("bootstrap runs");
        assert!(
            out.status.success(),
            "moto bootstrap failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = awl::codec::json::parse(String::from_utf8_lossy(&out.stdout).trim()).expect("bootstrap JSON");
        let field = |k: &str| v.get(k).and_then(|x| x.as_str()).expect("key field").to_owned();
        Moto {
            url,
            addr,
            key_id: field("access_key_id"),
            secret: field("secret_access_key"),
            _watchdog: Mutex::new(watchdog),
        }
    }
}

/// A request as the proxy saw it on the wire.
#[derive(Clone, Debug)]
pub(crate) struct Recorded {
    /// The request line and headers.
    pub(crate) head: String,
    /// The body.
    pub(crate) body: Vec<u8>,
}

impl Recorded {
    /// The body as text.
    pub(crate) fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// What the proxy does with a request that matches a rule.
#[derive(Clone, Debug)]
pub(crate) enum Action {
    /// Answer itself: status, body, extra header lines (`"Name: value\r\n"` each).
    Answer(u16, String, String),
    /// Hold the request this long, then forward it (a slow link).
    Slow(Duration),
    /// Close the connection without an answer (a reset).
    Drop,
    /// Keep the connection open and never answer (a stall).
    Stall,
    /// Forward, but pass on only the first half of the answer's bytes, then close (cut mid-body).
    Truncate,
    /// Forward, passing the answer on at this many bytes a second (a slow link, for a transfer in progress).
    Throttle(usize),
    /// Forward, with the last byte of the answer (of its body) flipped: corruption on the way.
    Flip,
}

/// What the proxy does with requests whose head or body contains `needle`.
struct Rule {
    needle: String,
    action: Action,
    /// How many more requests the rule applies to.
    remaining: usize,
    /// How many matching requests pass untouched first.
    skip: usize,
}

/// A recording TCP proxy: logs each request as sent, answers chosen ones itself, forwards the rest. It also
/// serves as an HTTP proxy (`CONNECT` tunnels to the upstream server).
pub(crate) struct Proxy {
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    log: Arc<Mutex<Vec<Recorded>>>,
    rules: Arc<Mutex<Vec<Rule>>>,
    /// Requests being forwarded now, and the most at once.
    in_flight: Arc<Mutex<(usize, usize)>>,
}

fn read_request(stream: &mut BufReader<TcpStream>) -> Option<Recorded> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).ok()? == 0 {
            return None;
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let len = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().to_owned())
        })
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    stream.read_exact(&mut body).ok()?;
    Some(Recorded { head, body })
}

impl Proxy {
    /// A proxy to `upstream` on a free port.
    pub(crate) fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy binds");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let log: Arc<Mutex<Vec<Recorded>>> = Arc::default();
        let rules: Arc<Mutex<Vec<Rule>>> = Arc::default();
        let in_flight: Arc<Mutex<(usize, usize)>> = Arc::default();
        let (log2, rules2, flight2) = (log.clone(), rules.clone(), in_flight.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (log, rules, flight) = (log2.clone(), rules2.clone(), flight2.clone());
                std::thread::spawn(move || {
                    let _ = Self::serve(conn, upstream, &log, &rules, &flight);
                });
            }
        });
        Proxy {
            url,
            log,
            rules,
            in_flight,
        }
    }

    /// One request per connection: recorded, then answered by a rule or by the upstream server.
    fn serve(
        conn: TcpStream,
        upstream: SocketAddr,
        log: &Mutex<Vec<Recorded>>,
        rules: &Mutex<Vec<Rule>>,
        in_flight: &Mutex<(usize, usize)>,
    ) -> std::io::Result<()> {
        let mut client = conn.try_clone()?;
        let mut reader = BufReader::new(conn);
        let Some(mut req) = read_request(&mut reader) else {
            return Ok(());
        };
        if req.head.starts_with("CONNECT ") {
            // A tunnel (ureq tunnels through HTTP proxies): record it, open it, and read the request inside.
            log.lock().expect("log").push(req);
            client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
            let Some(inner) = read_request(&mut reader) else {
                return Ok(());
            };
            req = inner;
        }
        log.lock().expect("log").push(req.clone());
        let text = format!("{}{}", req.head, req.body_text());
        let action = {
            let mut rules = rules.lock().expect("rules");
            match rules
                .iter_mut()
                .find(|r| r.remaining > 0 && text.contains(&r.needle))
            {
                Some(r) if r.skip > 0 => {
                    r.skip -= 1;
                    None
                }
                Some(r) => {
                    r.remaining -= 1;
                    Some(r.action.clone())
                }
                None => None,
            }
        };
        let mut delay = Duration::ZERO;
        let mut truncate = false;
        let mut rate = None;
        let mut flip = false;
        match action {
            Some(Action::Answer(status, body, headers)) => {
                write!(
                    client,
                    "HTTP/1.1 {status} X\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nx-amzn-RequestId: \
                     proxy-{status}\r\n{headers}Connection: close\r\n\r\n{body}",
                    body.len()
                )?;
                return client.shutdown(Shutdown::Both);
            }
            Some(Action::Drop) => return client.shutdown(Shutdown::Both),
            Some(Action::Stall) => {
                std::thread::sleep(Duration::from_secs(30));
                return Ok(());
            }
            Some(Action::Slow(d)) => delay = d,
            Some(Action::Truncate) => truncate = true,
            Some(Action::Throttle(r)) => rate = Some(r),
            Some(Action::Flip) => flip = true,
            None => {}
        }
        {
            let mut f = in_flight.lock().expect("in flight");
            f.0 += 1;
            f.1 = f.1.max(f.0);
        }
        let result = Self::forward(&req, upstream, &mut client, (delay, truncate, rate, flip));
        in_flight.lock().expect("in flight").0 -= 1;
        result
    }

    fn forward(
        req: &Recorded,
        upstream: SocketAddr,
        client: &mut TcpStream,
        (delay, truncate, rate, flip): (Duration, bool, Option<usize>, bool),
    ) -> std::io::Result<()> {
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        let mut up = TcpStream::connect(upstream)?;
        // One request per upstream connection, so its answer ends when the upstream closes.
        let head: String = req
            .head
            .lines()
            .filter(|l| !l.to_ascii_lowercase().starts_with("connection:") && !l.is_empty())
            .map(|l| format!("{l}\r\n"))
            .collect();
        write!(up, "{head}Connection: close\r\n\r\n")?;
        up.write_all(&req.body)?;
        let mut answer = Vec::new();
        up.read_to_end(&mut answer)?;
        if truncate {
            answer.truncate(answer.len() / 2);
        }
        if flip && let Some(last) = answer.last_mut() {
            *last ^= 0x01;
        }
        match rate {
            // A tenth of the rate every 100 ms.
            Some(r) => {
                for chunk in answer.chunks((r / 10).max(1)) {
                    client.write_all(chunk)?;
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
            None => client.write_all(&answer)?,
        }
        client.shutdown(Shutdown::Both)
    }

    /// Answers requests containing `needle` with `status` and `body` from now on.
    pub(crate) fn answer(&self, needle: &str, status: u16, body: &str) {
        self.answer_times(needle, status, body, "", usize::MAX);
    }

    /// Answers the next `times` requests containing `needle` with `status`, `body` and extra header lines
    /// (`"Name: value\r\n"` each).
    pub(crate) fn answer_times(&self, needle: &str, status: u16, body: &str, headers: &str, times: usize) {
        self.rule(
            needle,
            Action::Answer(status, body.to_owned(), headers.to_owned()),
            times,
        );
    }

    /// Holds each request containing `needle` for `delay` before forwarding it, as a slow link would.
    pub(crate) fn slow(&self, needle: &str, delay: Duration) {
        self.rule(needle, Action::Slow(delay), usize::MAX);
    }

    /// Does `action` to the next `times` requests containing `needle`.
    pub(crate) fn rule(&self, needle: &str, action: Action, times: usize) {
        self.rules.lock().expect("rules").push(Rule {
            needle: needle.to_owned(),
            action,
            remaining: times,
            skip: 0,
        });
    }

    /// Lets the first `skip` requests containing `needle` pass, then does `action` to the next `times`.
    pub(crate) fn rule_after(&self, needle: &str, action: Action, skip: usize, times: usize) {
        self.rules.lock().expect("rules").push(Rule {
            needle: needle.to_owned(),
            action,
            remaining: times,
            skip,
        });
    }

    /// The most requests that were being forwarded at the same time.
    pub(crate) fn max_in_flight(&self) -> usize {
        self.in_flight.lock().expect("in flight").1
    }

    /// The requests seen so far.
    pub(crate) fn requests(&self) -> Vec<Recorded> {
        self.log.lock().expect("log").clone()
    }
}

/// A running s3s-fs server (S3 on a folder): strict about signatures, payload hashes and request age.
pub(crate) struct S3sFs {
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    /// Its address.
    pub(crate) addr: SocketAddr,
    /// The one access key it accepts.
    pub(crate) key_id: String,
    /// Its secret.
    pub(crate) secret: String,
    /// The folder it serves (one subfolder per bucket).
    pub(crate) root: PathBuf,
    _watchdog: Mutex<Child>,
}

/// The s3s-fs server of this test process, started on first use (installed by `make test-deps`).
pub(crate) fn s3s_fs() -> &'static S3sFs {
    static S3S: OnceLock<S3sFs> = OnceLock::new();
    S3S.get_or_init(|| {
        let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tools/bin/s3s-fs");
        assert!(bin.exists(), "s3s-fs is not installed at {}: run `make test` first", bin.display());
        let port = free_port();
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("s3s-fs-{port}"));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("s3s-fs root");
        let (key_id, secret) = ("AKIAS3SFSTESTKEY0001".to_owned(), "s3s-fs/test/secret+key".to_owned());
        let log = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("s3s-fs-{port}.log"));
        let watchdog = Command::new("sh")
            .arg("-c")
            .arg(
                "\"$0\" --host 127.0.0.1 --port \"$1\" --access-key \"$2\" --secret-key \"$3\" \"$4\" >\"$5\" 2>&1 & \
                 pid=$!; cat >/dev/null; kill $pid",
            )
            .arg(&bin)
            .arg(port.to_string())
            .arg(&key_id)
            .arg(&secret)
            .arg(&root)
            .arg(&log)
            .stdin(Stdio::piped())
            .spawn()
            .expect("s3s-fs starts");
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let start = Instant::now();
        while http_get_status(addr, "/").is_none() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "s3s-fs did not answer on {addr} within 30 s; see {}",
                log.display()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        S3sFs {
            url: format!("http://{addr}"),
            addr,
            key_id,
            secret,
            root,
            _watchdog: Mutex::new(watchdog),
        }
    })
}

/// The canonical scenario's files in a fresh HOME, with moto's key as `default`'s.
pub(crate) fn home_with_moto_keys(m: &Moto) -> PathBuf {
    let home = super::scenario_home();
    std::fs::write(
        home.join(".aws/credentials"),
        format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            m.key_id, m.secret
        ),
    )
    .expect("credentials");
    home
}

/// The fake IAM Identity Center (SSO portal and SSO-OIDC on one port, tests/support/sso_server.py), one per
/// test: stopped when dropped (its stdin closes, or the test process is gone).
pub(crate) struct SsoServer {
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    child: Child,
}

impl Drop for SsoServer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SsoServer {
    /// Starts one and waits for its URL line.
    pub(crate) fn start() -> SsoServer {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/sso_server.py");
        let mut child = Command::new(venv().join("bin/python"))
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python runs tests/support/sso_server.py");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the server's URL line");
        let v = awl::codec::json::parse(line.trim()).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        let url = v.get("url").and_then(|u| u.as_str()).expect("url").to_owned();
        SsoServer { url, child }
    }

    /// A call to its control API (`/_control/...`), which must answer 200; the JSON answer (null if none).
    pub(crate) fn control(&self, method: &str, path: &str, body: &str) -> awl::codec::json::Value {
        let addr = self.url.trim_start_matches("http://");
        let mut s = TcpStream::connect(addr).expect("connect");
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("send");
        let mut answer = String::new();
        s.read_to_string(&mut answer).expect("answer");
        let (head, body) = answer.split_once("\r\n\r\n").expect("head");
        assert!(head.starts_with("HTTP/1.1 200"), "{method} {path}: {answer}");
        if body.trim().is_empty() {
            return awl::codec::json::Value::Null;
        }
        awl::codec::json::parse(body).unwrap_or_else(|e| panic!("{e}: {body}"))
    }

    /// Every service request so far (not the control API's).
    pub(crate) fn log(&self) -> Vec<awl::codec::json::Value> {
        self.control("GET", "/_control/log", "")
            .as_array()
            .expect("log")
            .to_vec()
    }

    /// The logged requests to `path`.
    pub(crate) fn calls(&self, path: &str) -> Vec<awl::codec::json::Value> {
        self.log()
            .into_iter()
            .filter(|e| e.get("path").and_then(|p| p.as_str()) == Some(path))
            .collect()
    }
}
