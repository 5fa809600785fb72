//! The authorization-code flow's redirect target: a listener on 127.0.0.1 (a port the system picks) that
//! waits for the browser's `GET /oauth/callback?code=..&state=..`, answers it with a short page, and hands the
//! code back. As the AWS CLI v2's `AuthCodeFetcher`: 10 minutes in all, 10 seconds a request; but bound to the
//! loopback address only, and only a callback that carries the state awl sent counts: anything else (another
//! path, a forged state, an error without the state) is answered 400 and the wait goes on, so no other local
//! program or web page can end or steer a sign-in.

use crate::codec::percent;
use crate::codec::redact;
use crate::error::{Error, ErrorKind, Result};
use crate::interrupt::Interrupt;
use crate::secret::Secret;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// How long the browser has in all (the AWS CLI v2's `_OVERALL_TIMEOUT`).
pub(crate) const OVERALL: Duration = Duration::from_secs(600);
/// How long one connection may take to send its request.
const PER_REQUEST: Duration = Duration::from_secs(10);

/// What the redirect brought.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Callback {
    /// The authorization code.
    Code(Secret),
    /// `error=...`: the sign-in was refused or failed (the error's value, sanitised).
    Refused(String),
}

/// What a request line (`GET /oauth/callback?... HTTP/1.1`) brings, if it is the callback and carries
/// `state`: a code, or an error.
pub(crate) fn parse_request_line(line: &str, state: &str) -> Option<Callback> {
    let mut words = line.split(' ');
    let (method, target) = (words.next()?, words.next()?);
    let (path, query) = target.split_once('?')?;
    if method != "GET" || path != "/oauth/callback" {
        return None;
    }
    let value = |name: &str| {
        query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| *k == name)
            .and_then(|(_, v)| percent::decode_plus(v))
    };
    if !same(value("state")?.as_bytes(), state.as_bytes()) {
        return None;
    }
    if let Some(e) = value("error") {
        return Some(Callback::Refused(redact::sanitize(&e, 100)));
    }
    Some(Callback::Code(Secret::new(value("code")?)))
}

/// Whether two byte strings are equal, in a time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The page the browser shows after the redirect.
const PAGE: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>awl</title></head><body>\
    <p>awl has the authorization. You can close this window and return to the terminal.</p></body></html>";

/// The listener.
#[derive(Debug)]
pub(crate) struct Listener {
    listener: TcpListener,
    port: u16,
}

impl Listener {
    /// Listens on 127.0.0.1 at a free port.
    pub(crate) fn bind() -> Result<Self> {
        let fail = |e: io::Error| {
            Error::io(
                ErrorKind::Other,
                "cannot listen on 127.0.0.1 for the login's redirect",
                e,
            )
            .with_hint("run 'awl sso login --use-device-code' to sign in without a redirect")
        };
        let listener = TcpListener::bind("127.0.0.1:0").map_err(fail)?;
        let port = listener.local_addr().map_err(fail)?.port();
        listener.set_nonblocking(true).map_err(fail)?;
        Ok(Listener { listener, port })
    }

    /// `http://127.0.0.1:PORT/oauth/callback`: where the sign-in page sends the browser.
    pub(crate) fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}/oauth/callback", self.port)
    }

    /// Waits until `deadline` for the callback that carries `state` (a signal ends the wait).
    pub(crate) fn wait(&self, state: &str, deadline: Instant, interrupt: &Interrupt) -> Result<Callback> {
        loop {
            if interrupt.stopped() {
                return Err(Error::interrupted(
                    "interrupted while waiting for the login's redirect",
                ));
            }
            if Instant::now() >= deadline {
                return Err(Error::new(
                    ErrorKind::Other,
                    "the sign-in page did not redirect back to awl within 10 minutes",
                )
                .with_hint(
                    "run 'awl sso login' again, or with --use-device-code on a machine without a browser",
                ));
            }
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if let Some(found) = answer(stream, state, deadline) {
                        return Ok(found);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                // A connection that went away before it was taken, or a signal: keep listening.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted
                    ) => {}
                Err(e) => return Err(Error::io(ErrorKind::Other, "waiting for the login's redirect", e)),
            }
        }
    }
}

/// Reads one request's head (at most 8 KiB, within 10 seconds in all, and never past `deadline`), answers
/// it, and says what it brought: the page for the callback with `state`, 400 for anything else.
fn answer(mut stream: TcpStream, state: &str, deadline: Instant) -> Option<Callback> {
    let until = deadline.min(Instant::now() + PER_REQUEST);
    stream.set_nonblocking(false).ok()?;
    stream.set_write_timeout(Some(PER_REQUEST)).ok()?;
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 8192 {
        // The time left for the whole request, not for each read: a trickle of bytes cannot hold the listener.
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head);
    let found = parse_request_line(text.lines().next().unwrap_or_default(), state);
    let (status, body) = match found {
        Some(_) => ("200 OK", PAGE),
        None => ("400 Bad Request", ""),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_callback_with_the_state_sent_counts() {
        assert_eq!(
            parse_request_line("GET /oauth/callback?code=c%2B1&state=s+1 HTTP/1.1", "s 1"),
            Some(Callback::Code(Secret::new("c+1")))
        );
        assert_eq!(
            parse_request_line("GET /oauth/callback?error=access_denied&state=s HTTP/1.1", "s"),
            Some(Callback::Refused("access_denied".into()))
        );
        for other in [
            "GET /favicon.ico HTTP/1.1",
            "GET /oauth/callback?state=s HTTP/1.1",
            "GET /oauth/callback?code=c&state=forged HTTP/1.1",
            "GET /oauth/callback?code=c&state=ss HTTP/1.1",
            "GET /oauth/callback?error=access_denied HTTP/1.1",
            "GET /oauth/callback?error=access_denied&state=forged HTTP/1.1",
            "POST /oauth/callback?code=c&state=s HTTP/1.1",
            "GET /other?code=c&state=s HTTP/1.1",
            "",
        ] {
            assert_eq!(parse_request_line(other, "s"), None, "{other}");
        }
    }

    #[test]
    fn others_are_refused_and_a_trickle_cannot_hold_the_listener() {
        let l = Listener::bind().expect("binds");
        let uri = l.redirect_uri();
        let port: u16 = uri
            .trim_start_matches("http://127.0.0.1:")
            .trim_end_matches("/oauth/callback")
            .parse()
            .expect("port");
        let browser = std::thread::spawn(move || {
            let ask = |req: &[u8]| {
                let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connects");
                s.write_all(req).expect("sends");
                let mut answer = String::new();
                let _ = s.read_to_string(&mut answer);
                answer
            };
            let first = ask(b"GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n");
            let forged = ask(b"GET /oauth/callback?code=evil&state=forged HTTP/1.1\r\nHost: x\r\n\r\n");
            let page = ask(b"GET /oauth/callback?code=abc&state=xyz HTTP/1.1\r\nHost: x\r\n\r\n");
            (first, forged, page)
        });
        let got = l
            .wait("xyz", Instant::now() + Duration::from_secs(20), &Interrupt::new())
            .expect("callback");
        assert_eq!(got, Callback::Code(Secret::new("abc")));
        let (first, forged, page) = browser.join().expect("browser");
        assert!(first.starts_with("HTTP/1.1 400"), "{first}");
        assert!(forged.starts_with("HTTP/1.1 400"), "{forged}");
        assert!(
            page.starts_with("HTTP/1.1 200 OK") && page.contains("close this window"),
            "{page}"
        );
        // A connection that never finishes its request is dropped at the overall deadline, not held.
        let idle = TcpStream::connect(("127.0.0.1", port)).expect("connects");
        let start = Instant::now();
        let e = l
            .wait(
                "xyz",
                Instant::now() + Duration::from_millis(300),
                &Interrupt::new(),
            )
            .expect_err("nothing came");
        assert!(e.message().contains("did not redirect"), "{}", e.message());
        assert!(start.elapsed() < Duration::from_secs(5));
        drop(idle);
    }
}
