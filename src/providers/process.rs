//! `credential_process`: a profile names a program that prints credentials as JSON (Version 1). awl runs it
//! without a shell, its command line split as the AWS CLI splits it (POSIX shell words), passes its stdin and
//! stderr through (it may prompt for an MFA code), and reads its stdout: at most [`MAX_OUTPUT`] bytes, and,
//! when no person can answer a prompt, for at most [`NON_INTERACTIVE_TIMEOUT`]. Never cached, as in the AWS
//! CLI.

use crate::bounded;
use crate::codec::json::{self, Value};
use crate::codec::time::parse_rfc3339;
use crate::error::{Error, Result};
use crate::identity::Credentials;
use std::io::{self, IsTerminal};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

/// The most a credential process may print. Real output is three keys and a date, well under 4 KiB; the cap
/// keeps a runaway program (`yes`) from taking awl's memory.
pub const MAX_OUTPUT: usize = 1024 * 1024;

/// How long a credential process may run when stdin is not a terminal. No person can answer a prompt then,
/// but a program may still wait for one elsewhere: a push approval on a phone or a login in a browser, which
/// take a minute or two. Five minutes covers those and still ends a hung CI job. (botocore waits forever.)
pub const NON_INTERACTIVE_TIMEOUT: Duration = Duration::from_secs(300);

/// The time limit for a credential process: none when stdin is a terminal (the program may ask for an MFA
/// code, and the person may take their time), else [`NON_INTERACTIVE_TIMEOUT`].
pub fn timeout_for(stdin_is_terminal: bool) -> Option<Duration> {
    (!stdin_is_terminal).then_some(NON_INTERACTIVE_TIMEOUT)
}

/// Splits a command line into words as a POSIX shell would (quotes and backslashes), without expansions.
pub fn split(line: &str) -> Result<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => word.push(ch),
                        None => return Err(Error::config("credential_process has an unclosed ' quote")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch @ ('"' | '\\' | '$' | '`')) => word.push(ch),
                            Some('\n') => {}
                            Some(ch) => {
                                word.push('\\');
                                word.push(ch);
                            }
                            None => return Err(Error::config("credential_process ends inside a \" quote")),
                        },
                        Some(ch) => word.push(ch),
                        None => return Err(Error::config("credential_process has an unclosed \" quote")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some('\n') | None => {}
                    Some(ch) => word.push(ch),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Reads the Version 1 JSON a credential process prints. The error says what is wrong with the output, for
/// the caller to say which profile's process printed it.
pub fn parse_output(text: &str) -> Result<Credentials> {
    let bad = |what: String| Error::data(what);
    let v = json::parse(text.trim()).map_err(|e| bad(format!("its output is not JSON ({e})")))?;
    match v.get("Version").and_then(Value::as_i64) {
        Some(1) => {}
        Some(n) => return Err(bad(format!("its output has Version {n}; awl reads Version 1"))),
        None => return Err(bad("its output has no \"Version\": 1".into())),
    }
    let field = |k: &str| v.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let id = field("AccessKeyId").ok_or_else(|| bad("its output has no AccessKeyId".into()))?;
    let secret = field("SecretAccessKey").ok_or_else(|| bad("its output has no SecretAccessKey".into()))?;
    let mut creds = Credentials::new(id, secret);
    if let Some(t) = field("SessionToken") {
        creds = creds.with_session_token(t);
    }
    if let Some(e) = field("Expiration") {
        creds.expiration =
            Some(parse_rfc3339(e).map_err(|_| bad(format!("its Expiration {e:?} is not a timestamp")))?);
    }
    Ok(creds)
}

/// Why reading a process's output stopped before its end.
#[derive(Debug)]
enum Stop {
    /// Reading stopped (too large, no memory, the pipe failed).
    Read(bounded::Stop),
    /// The time limit passed.
    TimedOut(Duration),
    /// The reading thread could not start or went away.
    NoReader,
}

/// Waits for `child` to end, until `deadline` if there is one; `None` when the deadline passed first.
fn wait_until(child: &mut Child, deadline: Option<Instant>) -> io::Result<Option<ExitStatus>> {
    let Some(deadline) = deadline else {
        return child.wait().map(Some);
    };
    // std has no wait with a timeout: poll, briefly at first since the program usually ends with its output.
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(None);
        }
        std::thread::sleep(pause.min(left));
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// The child's stdout (at most [`MAX_OUTPUT`] bytes) and its exit status, within `timeout` if there is one.
/// The output is read on a thread of its own so that the wait can end at the deadline.
fn collect(child: &mut Child, timeout: Option<Duration>) -> std::result::Result<(Vec<u8>, ExitStatus), Stop> {
    let deadline = timeout.map(|t| Instant::now() + t);
    let mut stdout = child.stdout.take().ok_or(Stop::NoReader)?;
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("awl-credential-process".into())
        .spawn(move || {
            // The receiver may be gone (timed out): nothing to tell then.
            let _ = tx.send(bounded::read_capped(&mut stdout, MAX_OUTPUT).map_err(Stop::Read));
        })
        .map_err(|_| Stop::NoReader)?;
    let received = match deadline {
        Some(d) => rx.recv_timeout(d.saturating_duration_since(Instant::now())),
        None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
    };
    let output = match received {
        Ok(read) => read?,
        Err(RecvTimeoutError::Timeout) => return Err(Stop::TimedOut(timeout.unwrap_or_default())),
        Err(RecvTimeoutError::Disconnected) => return Err(Stop::NoReader),
    };
    match wait_until(child, deadline) {
        Ok(Some(status)) => Ok((output, status)),
        Ok(None) => Err(Stop::TimedOut(timeout.unwrap_or_default())),
        Err(e) => Err(Stop::Read(bounded::Stop::Io(e))),
    }
}

/// What to do about a credential process that outlived its time limit.
const TIMEOUT_HINT: &str = "stdin is not a terminal, so no one can answer a prompt: run awl from a terminal, \
                            or check that the program ends on its own";

/// A duration as people read it: `5 minutes`, `30 s`, `300 ms`.
fn shown(d: Duration) -> String {
    match (d.as_secs(), d.subsec_millis()) {
        (60, 0) => "1 minute".into(),
        (s, 0) if s >= 60 && s % 60 == 0 => format!("{} minutes", s / 60),
        (s, 0) => format!("{s} s"),
        _ => format!("{} ms", d.as_millis()),
    }
}

/// Runs the `credential_process` of `profile` and returns its credentials; `where_` is where it was set. The
/// time limit is [`timeout_for`] whether stdin is a terminal.
pub fn run(profile: &str, command: &str, where_: &str) -> Result<Credentials> {
    run_with(profile, command, where_, timeout_for(io::stdin().is_terminal()))
}

/// [`run`] with the time limit given: `None` waits as long as the program runs. A program that prints more
/// than [`MAX_OUTPUT`] bytes or outlives the limit is killed, and the error (a config error, exit 253, as for
/// any failing credential process) says which.
pub fn run_with(
    profile: &str,
    command: &str,
    where_: &str,
    timeout: Option<Duration>,
) -> Result<Credentials> {
    let fail = |what: String| {
        Error::config(format!(
            "profile '{profile}': credential_process ({where_}) {what}"
        ))
        .with_hint("run the command by hand to see what it prints; it must print Version 1 JSON")
    };
    let words = split(command)?;
    let (program, args) = words.split_first().ok_or_else(|| fail("is empty".into()))?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| fail(format!("cannot start {program:?}: {e}")))?;
    let (stdout, status) = match collect(&mut child, timeout) {
        Ok(done) => done,
        Err(stop) => {
            // A program that is no longer listened to must not run on: kill it and reap it.
            let _ = child.kill();
            let _ = child.wait();
            return Err(match stop {
                Stop::Read(bounded::Stop::TooLarge) => fail(format!(
                    "printed more than {} MiB; awl stopped it",
                    MAX_OUTPUT / (1024 * 1024)
                )),
                Stop::Read(bounded::Stop::OutOfMemory) => {
                    fail("printed more than awl has memory for; awl stopped it".into())
                }
                Stop::Read(bounded::Stop::Io(e)) => fail(format!("cannot be read ({e}); awl stopped it")),
                Stop::NoReader => fail("cannot be read (no thread to read it); awl stopped it".into()),
                Stop::TimedOut(limit) => {
                    fail(format!("did not finish within {}; awl stopped it", shown(limit)))
                        .with_hint(TIMEOUT_HINT)
                }
            });
        }
    };
    if !status.success() {
        let how = match status.code() {
            Some(c) => format!("exit code {c}"),
            None => "a signal".into(),
        };
        return Err(fail(format!("failed with {how}")));
    }
    let text = String::from_utf8(stdout).map_err(|_| fail("printed something that is not UTF-8".into()))?;
    parse_output(&text).map_err(|e| fail(e.message().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_a_posix_shell() {
        let w = |s: &str| split(s).expect("splits");
        assert_eq!(
            w("/bin/vault creds --profile 'my prod'"),
            ["/bin/vault", "creds", "--profile", "my prod"]
        );
        assert_eq!(w(r#"a "b \"c\" $d" e\ f ''"#), ["a", r#"b "c" $d"#, "e f", ""]);
        assert_eq!(w("  x\t y  "), ["x", "y"]);
        assert!(split("a 'b").is_err() && split("a \"b").is_err());
    }

    #[test]
    fn reads_version_1_only() {
        let c = parse_output(
            r#"{"Version": 1, "AccessKeyId": "ASIA", "SecretAccessKey": "s", "SessionToken": "t",
                "Expiration": "2026-11-26T19:00:00Z"}"#,
        )
        .expect("valid");
        assert!(c.session_token.is_some() && c.expiration.is_some());
        assert!(parse_output(r#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s"}"#).is_ok());
        assert_eq!(
            parse_output(r#"{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "s"}"#)
                .err()
                .map(|e| e.message().to_owned())
                .as_deref(),
            Some("its output has Version 2; awl reads Version 1")
        );
        assert!(parse_output("oops").is_err());
        assert!(parse_output(r#"{"Version": 1, "AccessKeyId": "A"}"#).is_err());
    }

    #[test]
    fn a_timeout_only_where_no_one_can_answer() {
        assert_eq!(timeout_for(true), None);
        assert_eq!(timeout_for(false), Some(NON_INTERACTIVE_TIMEOUT));
        assert_eq!(shown(NON_INTERACTIVE_TIMEOUT), "5 minutes");
        assert_eq!(shown(Duration::from_secs(60)), "1 minute");
        assert_eq!(shown(Duration::from_secs(30)), "30 s");
        assert_eq!(shown(Duration::from_millis(250)), "250 ms");
    }

    #[test]
    fn a_process_outliving_its_limit_is_stopped() {
        let start = Instant::now();
        let e = run_with("p", "sleep 1000", "here", Some(Duration::from_millis(200)))
            .err()
            .map(|e| e.message().to_owned());
        assert_eq!(
            e.as_deref(),
            Some("profile 'p': credential_process (here) did not finish within 200 ms; awl stopped it")
        );
        assert!(start.elapsed() < Duration::from_secs(10));
        // Without a limit, a program that ends is waited for as before.
        let e = run_with("p", "sh -c 'exit 3'", "here", None)
            .err()
            .map(|e| e.message().to_owned());
        assert_eq!(
            e.as_deref(),
            Some("profile 'p': credential_process (here) failed with exit code 3")
        );
    }
}
