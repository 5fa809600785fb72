//! awl's calendar against the system's `date` (GNU coreutils) for many random instants from year 1 to 9999.

use awl::codec::time::{UtcDateTime, parse_rfc3339, unix_seconds};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::SystemTime;

const INSTANTS: usize = 5000;

/// xorshift64*: no dependency, and the seed printed on failure reproduces the run.
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

#[test]
fn calendar_agrees_with_gnu_date() {
    let seed = (unix_seconds(SystemTime::now()) as u64) | 1;
    let mut state = seed;
    // 0001-01-01 to 9999-12-31, and a dense band around today where the tool lives.
    let (lo, hi) = (-62_135_596_800_i64, 253_402_300_799_i64);
    let now = unix_seconds(SystemTime::now());
    let instants: Vec<i64> = (0..INSTANTS)
        .map(|i| {
            let r = next(&mut state);
            if i % 2 == 0 {
                lo + (r % (hi - lo) as u64) as i64
            } else {
                now - 20 * 365 * 86_400 + (r % (40 * 365 * 86_400)) as i64
            }
        })
        .collect();
    let input: String = instants.iter().map(|s| format!("@{s}\n")).collect();

    let mut child = Command::new("date")
        .env_clear()
        .env("TZ", "UTC")
        .args(["-u", "-f", "-", "+%Y%m%dT%H%M%SZ %Y-%m-%dT%H:%M:%SZ"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("GNU date runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write instants");
    let out = child.wait_with_output().expect("date output");
    assert!(out.status.success(), "date failed");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), INSTANTS, "one line per instant");

    for (secs, line) in instants.iter().zip(&lines) {
        let (amz, rfc) = line.split_once(' ').expect("two fields");
        // GNU date pads years below 1000 to 4 digits with %Y only on some versions: compare numerically.
        let t = UtcDateTime::from_unix(*secs);
        let ours = format!("{} {}", t.amz_date(), t.rfc3339());
        let theirs = format!("{amz:0>16} {rfc:0>20}");
        assert_eq!(ours, theirs, "instant {secs} (seed {seed})");
        let parsed = parse_rfc3339(&t.rfc3339()).expect("our own output parses");
        assert_eq!(unix_seconds(parsed), *secs, "round trip of {secs} (seed {seed})");
    }
    println!("{INSTANTS} instants agree with date(1), seed {seed}");
}
