//! The progress line of the recursive commands: under `script` (a terminal) a recursive `cp` draws it in
//! place on stderr with totals, `~` and `(calculating...)` while listing, then a time left; the `upload:`
//! lines stay whole on the screen and the line is gone at the end. Piped, nothing of it appears.

mod common;
#[path = "support/day.rs"]
mod day;

use common::servers::{Action, Moto, Proxy, home_with_moto_keys, moto};
use common::{clean_command, data_file, temp_dir, text};
use day::{awl_at, done, new_bucket};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The lines a terminal shows after `raw`: `\r` goes back to the line's start, later text overwrites.
fn screen(raw: &str) -> Vec<String> {
    let (mut lines, mut line, mut col) = (Vec::new(), Vec::<char>::new(), 0);
    for c in raw.chars() {
        match c {
            '\r' => col = 0,
            '\n' => {
                lines.push(line.drain(..).collect::<String>().trim_end().to_owned());
                col = 0;
            }
            c => {
                if col < line.len() {
                    line[col] = c;
                } else {
                    line.push(c);
                }
                col += 1;
            }
        }
    }
    let last: String = line.into_iter().collect();
    if !last.trim().is_empty() {
        lines.push(last.trim_end().to_owned());
    }
    lines
}

/// Runs awl with `args` in `cwd` under `script`, which gives it a terminal for stdout and stderr; what the
/// terminal received, once awl exited 0.
fn on_terminal(home: &Path, m: &Moto, cwd: &Path, args: &str) -> String {
    let cmd = format!("'{}' {args}", env!("CARGO_BIN_EXE_awl"));
    let out = clean_command(
        "script",
        home,
        &[("AWS_ENDPOINT_URL", m.url.as_str()), ("LC_ALL", "C.UTF-8")],
    )
    .current_dir(cwd)
    .args(["-qfec", &cmd, "/dev/null"])
    .output()
    .expect("script runs (util-linux)");
    let raw = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args}: {raw:?} {}",
        text(&out.stderr)
    );
    raw
}

#[test]
fn recursive_cp_shows_totals_and_time_left_on_a_terminal_and_nothing_piped() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "progress");
    let dir = temp_dir("progress");
    let names: Vec<String> = (0..40).map(|i| format!("f{i:02}")).collect();
    for n in &names {
        data_file(&dir, n, 64 * 1024);
    }

    // Two in flight: the listing ends while files are still to go, so the final totals are drawn.
    let raw = on_terminal(
        &home,
        m,
        &dir,
        &format!("s3 cp --recursive . s3://{b}/tty/ --max-concurrency 2"),
    );
    // While listing: estimates. 64 KiB of ~64 KiB when the first file is planned.
    assert!(
        raw.contains("Completed 0 Bytes/~64.0 KiB (0 Bytes/s) with ~1 file(s) remaining (calculating...)"),
        "{raw:?}"
    );
    // Once listed: the totals (40 x 64 KiB), files left, a rate and a time left.
    let final_totals = raw.split(['\r', '\n']).filter(|s| {
        s.contains("/2.5 MiB (") && s.contains(" file(s) remaining, ") && s.trim_end().ends_with("s left")
    });
    assert!(
        final_totals.count() > 0,
        "no line with final totals and a time left: {raw:?}"
    );
    // On the screen at the end: each upload line whole, and no progress line left over.
    let expected: BTreeSet<String> = names
        .iter()
        .map(|n| format!("upload: ./{n} to s3://{b}/tty/{n}"))
        .collect();
    let shown: BTreeSet<String> = screen(&raw).into_iter().filter(|l| !l.is_empty()).collect();
    assert_eq!(shown, expected, "{raw:?}");

    // `rm --recursive` moves no bytes: files only, as the AWS CLI says it, the time left from them.
    let raw = on_terminal(&home, m, &dir, &format!("s3 rm --recursive s3://{b}/tty/"));
    assert!(
        raw.contains("Completed 0 file(s) with ~1 file(s) remaining (calculating...)"),
        "{raw:?}"
    );
    assert!(
        raw.contains("Completed 1 file(s) with 39 file(s) remaining, "),
        "{raw:?}"
    );
    assert_eq!(screen(&raw).len(), 40, "{raw:?}");

    // Piped: the same lines, no progress anywhere.
    let piped = awl_at(
        &home,
        &m.url,
        &dir,
        &[
            "s3",
            "cp",
            "--recursive",
            ".",
            &format!("s3://{b}/piped/"),
            "--max-concurrency",
            "2",
        ],
    );
    let stdout = done("cp piped", &piped);
    assert_eq!(text(&piped.stderr), "");
    assert!(
        !stdout.contains("Completed") && !stdout.contains('\r'),
        "{stdout:?}"
    );
    assert_eq!(stdout.lines().count(), 40);
}

#[test]
fn no_progress_quiet_and_only_show_errors_draw_nothing_on_a_terminal() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "noprogress");
    let dir = temp_dir("noprogress");
    for i in 0..5 {
        data_file(&dir, &format!("f{i}"), 4096);
    }
    for flag in ["--no-progress", "--quiet", "--only-show-errors"] {
        let raw = on_terminal(
            &home,
            m,
            &dir,
            &format!("s3 cp --recursive . s3://{b}/{flag}/ {flag}"),
        );
        assert!(!raw.contains("Completed"), "{flag}: {raw:?}");
    }
}

#[test]
fn ctrl_c_on_a_terminal_blanks_the_line_before_the_error() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "ctrlc");
    let dir = temp_dir("ctrlc");
    for i in 0..20 {
        data_file(&dir, &format!("f{i:02}"), 4096);
    }
    // The last file's PUT never gets an answer: the run is mid-way, its line drawn, when Ctrl-C comes.
    let proxy = Proxy::start(m.addr);
    proxy.rule("/ctrlc/f19", Action::Stall, 1);
    let cmd = format!(
        "'{}' s3 cp --recursive . s3://{b}/ctrlc/",
        env!("CARGO_BIN_EXE_awl")
    );
    let mut child = clean_command(
        "script",
        &home,
        &[("AWS_ENDPOINT_URL", proxy.url.as_str()), ("LC_ALL", "C.UTF-8")],
    )
    .current_dir(&dir)
    .args(["-qfec", &cmd, "/dev/null"])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("script runs (util-linux)");
    let start = Instant::now();
    while !proxy.requests().iter().any(|r| r.head.contains("/ctrlc/f19")) {
        assert!(start.elapsed() < Duration::from_secs(60), "f19 was never sent");
        std::thread::sleep(Duration::from_millis(5));
    }
    // Ctrl-C as a user types it: the terminal sends SIGINT to awl.
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"\x03").expect("^C");
    drop(stdin);
    let out = child.wait_with_output().expect("script ends");
    let raw = text(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{raw:?}");
    assert!(raw.contains("Completed "), "the line was drawn: {raw:?}");
    // The error line alone on its line (lines of transfers that ended meanwhile may come before and after),
    // and nothing of the progress line left on the screen.
    let shown = screen(&raw);
    assert!(
        shown.iter().any(|l| l == "awl: error: interrupted by SIGINT"),
        "{raw:?}"
    );
    assert!(!shown.iter().any(|l| l.contains("Completed")), "{raw:?}");
}
