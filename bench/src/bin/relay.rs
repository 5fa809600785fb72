//! A TCP relay that makes loopback look like a link to S3: every byte is held for a fixed delay in each
//! direction, and each connection's rate is capped in each direction. netem is not available in every
//! kernel (nor without root), so the benchmarks bring their own link.
//!
//! `relay --target 127.0.0.1:PORT [--listen 127.0.0.1:0] [--delay-ms 10] [--rate-mbps 90]`
//!
//! Prints the address it listens on (one line, `127.0.0.1:PORT`) and runs until killed. It listens and
//! connects on loopback addresses only: it is a measuring tool, not a proxy.
//!
//! One thread per direction of each connection, with a plain blocking accept loop: an earlier Python relay on
//! `asyncio.start_server` failed under hundreds of connections; this one holds them.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The largest piece read at once: small enough that the rate cap paces a big body smoothly.
const CHUNK: usize = 64 << 10;

/// What the flags ask for.
struct Link {
    /// Where each accepted connection is forwarded.
    target: SocketAddr,
    /// Where to listen.
    listen: SocketAddr,
    /// Added to every byte's trip, in each direction.
    delay: Duration,
    /// Bytes per second per connection and direction; `None` for no cap.
    rate: Option<f64>,
}

fn usage(why: &str) -> ! {
    eprintln!("relay: {why}");
    eprintln!("usage: relay --target 127.0.0.1:PORT [--listen 127.0.0.1:0] [--delay-ms 10] [--rate-mbps 90]");
    std::process::exit(2)
}

/// A loopback address, or the usage message.
fn loopback(flag: &str, v: &str) -> SocketAddr {
    match v.parse::<SocketAddr>() {
        Ok(a) if a.ip().is_loopback() => a,
        Ok(_) => usage(&format!(
            "{flag} {v}: only loopback addresses (this relay is for measuring)"
        )),
        Err(_) => usage(&format!("{flag} {v}: not an address such as 127.0.0.1:9000")),
    }
}

fn parse(mut args: impl Iterator<Item = String>) -> Link {
    let (mut target, mut listen) = (None, loopback("--listen", "127.0.0.1:0"));
    let (mut delay_ms, mut rate_mbps) = (10.0_f64, 90.0_f64);
    while let Some(flag) = args.next() {
        let Some(v) = args.next() else {
            usage(&format!("{flag} needs a value"))
        };
        let number = |v: &str| match v.parse::<f64>() {
            Ok(n) if n.is_finite() && n >= 0.0 => n,
            _ => usage(&format!("{flag} {v}: not a number of 0 or more")),
        };
        match flag.as_str() {
            "--target" => target = Some(loopback(&flag, &v)),
            "--listen" => listen = loopback(&flag, &v),
            "--delay-ms" => delay_ms = number(&v),
            "--rate-mbps" => rate_mbps = number(&v),
            _ => usage(&format!("unknown flag {flag}")),
        }
    }
    Link {
        target: target.unwrap_or_else(|| usage("--target is required")),
        listen,
        delay: Duration::from_secs_f64(delay_ms / 1000.0),
        // MB/s as AWS's guidance counts it (10^6 bytes); 0 means no cap.
        rate: (rate_mbps > 0.0).then_some(rate_mbps * 1e6),
    }
}

/// Copies `from` to `to`: each piece is sent `delay` after it arrived, and no sooner than the rate allows
/// after the piece before. A reader thread stamps pieces as they arrive, so the delay is a pipe's latency
/// (pieces in flight overlap) rather than a pause per read.
fn pump(mut from: TcpStream, mut to: TcpStream, delay: Duration, rate: Option<f64>) {
    let (tx, rx) = mpsc::channel::<(Instant, Vec<u8>)>();
    let reader = std::thread::spawn(move || {
        let mut buf = vec![0u8; CHUNK];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    if tx.send((Instant::now(), buf[..n].to_vec())).is_err() {
                        return;
                    }
                }
            }
        }
    });
    let mut free_at = Instant::now();
    for (arrived, piece) in rx {
        let send_at = (arrived + delay).max(free_at);
        let now = Instant::now();
        if send_at > now {
            std::thread::sleep(send_at - now);
        }
        if to.write_all(&piece).is_err() {
            break;
        }
        // The link is busy for the piece's time on the wire at the capped rate.
        free_at = send_at
            + rate.map_or(Duration::ZERO, |r| {
                Duration::from_secs_f64(piece.len() as f64 / r)
            });
    }
    // The other side sees the end only after the bytes before it, as on a real link.
    let _ = to.shutdown(Shutdown::Write);
    let _ = reader.join();
}

fn serve(client: TcpStream, link: &Link) -> std::io::Result<()> {
    let server = TcpStream::connect(link.target)?;
    // Nagle would add its own waits on top of the delay being modelled.
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    let (c2, s2) = (client.try_clone()?, server.try_clone()?);
    let (delay, rate) = (link.delay, link.rate);
    std::thread::spawn(move || pump(client, server, delay, rate));
    std::thread::spawn(move || pump(s2, c2, delay, rate));
    Ok(())
}

fn main() {
    let link = parse(std::env::args().skip(1));
    let listener = TcpListener::bind(link.listen).unwrap_or_else(|e| usage(&format!("cannot listen: {e}")));
    match listener.local_addr() {
        Ok(a) => println!("{a}"),
        Err(e) => usage(&format!("no local address: {e}")),
    }
    for conn in listener.incoming() {
        // A failed accept (EMFILE, a reset before accept) drops that connection, never the relay.
        match conn.and_then(|c| serve(c, &link)) {
            Ok(()) => {}
            Err(e) => eprintln!("relay: {e}"),
        }
    }
}
