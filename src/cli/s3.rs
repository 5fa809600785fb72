//! `awl s3 ls | mb | cp | presign`, shaped like `aws s3`: text output, a progress line on a terminal, exit 1
//! when a transfer fails and 130 when interrupted (a multipart upload is then aborted).

use super::{Globals, Output, json_out, open_session_with_stop, options, print_out, session_credentials};
use crate::error::{Error, ErrorKind, Result};
use crate::json::Value;
use crate::s3::{self, S3, TransferConfig};
use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// Runs `f` with S3 for the session's profile.
fn with_s3<T>(
    globals: &Globals,
    stop: Option<Arc<AtomicBool>>,
    f: impl FnOnce(&S3<'_>) -> Result<T>,
) -> Result<T> {
    let mut session = open_session_with_stop(globals, "s3", stop.clone())?;
    let creds = session_credentials(&mut session, globals)?;
    let mut s3 = session.s3(creds)?;
    if let Some(stop) = stop {
        s3 = s3.with_stop(stop);
    }
    f(&s3)
}

/// SIGINT and SIGTERM set a flag instead of killing awl, so that a transfer can clean up.
fn stop_on_signals() -> Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, flag.clone())
            .map_err(|e| Error::new(ErrorKind::Other, "cannot handle signals").with_source(e))?;
    }
    Ok(flag)
}

pub(super) fn ls(globals: &Globals, args: &[String]) -> Result<()> {
    let mut recursive = false;
    let mut target: Option<&str> = None;
    for a in args {
        match a.as_str() {
            "--recursive" => recursive = true,
            s if s.starts_with("s3://") && target.is_none() => target = Some(s),
            other => {
                return Err(Error::usage(format!("'awl s3 ls' does not take '{other}'"))
                    .with_hint("see 'awl help s3 ls'"));
            }
        }
    }
    match target {
        None => with_s3(globals, None, |s3| {
            let buckets = s3.list_buckets()?;
            match globals.output {
                Output::Json => json_out(&Value::Array(
                    buckets
                        .into_iter()
                        .map(|b| {
                            Value::object([
                                ("Name", Value::string(b.name)),
                                ("CreationDate", Value::string(b.created)),
                            ])
                        })
                        .collect(),
                )),
                _ => print_out(
                    &buckets
                        .iter()
                        .map(|b| format!("{} {}\n", s3::listing_date(&b.created), b.name))
                        .collect::<String>(),
                ),
            }
        }),
        Some(url) => {
            let (bucket, prefix) = s3::parse_s3_url(url)?;
            with_s3(globals, None, |s3| {
                let page = s3.list_objects(&bucket, &prefix, (!recursive).then_some("/"))?;
                if globals.output == Output::Json {
                    return json_out(&Value::object([
                        (
                            "Contents",
                            Value::Array(
                                page.objects
                                    .iter()
                                    .map(|o| {
                                        Value::object([
                                            ("Key", Value::string(o.key.clone())),
                                            ("Size", Value::Number(o.size.to_string())),
                                            ("LastModified", Value::string(o.last_modified.clone())),
                                        ])
                                    })
                                    .collect(),
                            ),
                        ),
                        (
                            "CommonPrefixes",
                            Value::Array(page.prefixes.iter().map(|p| Value::string(p.clone())).collect()),
                        ),
                    ]));
                }
                // As `aws s3 ls`: names relative to the prefix's last '/', unless recursive.
                let cut = if recursive {
                    0
                } else {
                    prefix.rfind('/').map_or(0, |i| i + 1)
                };
                let mut out = String::new();
                for p in &page.prefixes {
                    out.push_str(&format!("{:>30} {}\n", "PRE", &p[cut.min(p.len())..]));
                }
                for o in &page.objects {
                    let name = &o.key[cut.min(o.key.len())..];
                    out.push_str(&format!(
                        "{} {:>10} {name}\n",
                        s3::listing_date(&o.last_modified),
                        o.size
                    ));
                }
                print_out(&out)
            })
        }
    }
}

pub(super) fn mb(globals: &Globals, args: &[String]) -> Result<()> {
    let mut exists_ok = false;
    let mut target: Option<&str> = None;
    for a in args {
        match a.as_str() {
            "--exists-ok" => exists_ok = true,
            s if s.starts_with("s3://") && target.is_none() => target = Some(s),
            other => {
                return Err(Error::usage(format!("'awl s3 mb' does not take '{other}'"))
                    .with_hint("see 'awl help s3 mb'"));
            }
        }
    }
    let url = target
        .ok_or_else(|| Error::usage("'awl s3 mb' needs s3://bucket").with_hint("see 'awl help s3 mb'"))?;
    let (bucket, key) = s3::parse_s3_url(url)?;
    if !key.is_empty() {
        return Err(
            Error::usage(format!("{url} names a key; 'awl s3 mb' takes s3://bucket"))
                .with_hint(format!("write s3://{bucket}")),
        );
    }
    with_s3(globals, None, |s3| match s3.create_bucket(&bucket) {
        Ok(()) => print_out(&format!("make_bucket: {bucket}\n")),
        Err(e) if exists_ok && e.message().contains("(BucketAlreadyOwnedByYou)") => {
            print_out(&format!("make_bucket: {bucket} (you already own it)\n"))
        }
        Err(e) => Err(e),
    })
}

/// Progress on stderr, when it is a terminal and not `--quiet`: done/total, rate, time left.
struct Progress {
    enabled: bool,
    /// The size, when known (uploads; a download learns it only from the answer).
    total: Option<u64>,
    start: Instant,
    last: Mutex<Option<Instant>>,
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

impl Progress {
    fn new(total: Option<u64>, quiet: bool) -> Self {
        Progress {
            enabled: !quiet && io::stderr().is_terminal(),
            total,
            start: Instant::now(),
            last: Mutex::new(None),
        }
    }

    fn update(&self, done: u64) {
        if !self.enabled {
            return;
        }
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let finished = self.total.is_some_and(|t| done >= t);
        if last.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) && !finished {
            return;
        }
        *last = Some(Instant::now());
        let secs = self.start.elapsed().as_secs_f64().max(0.001);
        let rate = done as f64 / secs;
        let line = match self.total {
            Some(total) => {
                let eta = if rate > 0.0 {
                    total.saturating_sub(done) as f64 / rate
                } else {
                    0.0
                };
                format!(
                    "Completed {} of {} ({}/s), {eta:.0} s left",
                    mib(done),
                    mib(total),
                    mib(rate as u64)
                )
            }
            None => format!("Completed {} ({}/s)", mib(done), mib(rate as u64)),
        };
        let _ = write!(io::stderr(), "\r{line}   ");
    }

    fn finish(&self) {
        if self.enabled {
            let _ = write!(io::stderr(), "\r{:70}\r", "");
        }
    }
}

fn byte_option(o: &mut BTreeMap<String, String>, name: &str, default: u64) -> Result<u64> {
    match o.remove(name) {
        None => Ok(default),
        Some(v) => {
            let (num, mult) = match v.to_ascii_uppercase() {
                s if s.ends_with("GIB") || s.ends_with("GB") => {
                    (s.trim_end_matches(['G', 'I', 'B']).to_owned(), 1u64 << 30)
                }
                s if s.ends_with("MIB") || s.ends_with("MB") => {
                    (s.trim_end_matches(['M', 'I', 'B']).to_owned(), 1 << 20)
                }
                s if s.ends_with("KIB") || s.ends_with("KB") => {
                    (s.trim_end_matches(['K', 'I', 'B']).to_owned(), 1 << 10)
                }
                s => (s, 1),
            };
            num.trim()
                .parse::<u64>()
                .ok()
                .and_then(|n| n.checked_mul(mult))
                .ok_or_else(|| {
                    Error::usage(format!("{name} {v:?} is not a size (bytes, or with KiB/MiB/GiB)"))
                        .with_hint(format!("write '{name} 16MiB'"))
                })
        }
    }
}

pub(super) fn cp(globals: &Globals, args: &[String]) -> Result<()> {
    let words = ["s3", "cp"];
    let mut quiet = false;
    let mut positional: Vec<String> = Vec::new();
    let mut opts: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quiet" => quiet = true,
            "-" => positional.push(a.clone()),
            s if s.starts_with("--") => {
                opts.push(a.clone());
                if !s.contains('=')
                    && let Some(v) = it.next()
                {
                    opts.push(v.clone());
                }
            }
            _ => positional.push(a.clone()),
        }
    }
    let mut o = options(
        &words,
        &opts,
        &[
            "--content-type",
            "--max-concurrency",
            "--multipart-threshold",
            "--multipart-chunksize",
        ],
    )?;
    let [src, dst] = positional.as_slice() else {
        return Err(
            Error::usage("'awl s3 cp' takes a source and a destination").with_hint("see 'awl help s3 cp'")
        );
    };
    let defaults = TransferConfig::default();
    let cfg = TransferConfig {
        multipart_threshold: byte_option(&mut o, "--multipart-threshold", defaults.multipart_threshold)?,
        part_size: byte_option(&mut o, "--multipart-chunksize", defaults.part_size)?,
        max_concurrency: match o.remove("--max-concurrency") {
            None => defaults.max_concurrency,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=64).contains(n))
                .ok_or_else(|| {
                    Error::usage(format!("--max-concurrency {v:?} is not a number from 1 to 64"))
                        .with_hint("write '--max-concurrency 10' (the default)")
                })?,
        },
    };
    let content_type = o.remove("--content-type");
    match (src.starts_with("s3://"), dst.starts_with("s3://")) {
        (false, true) => upload(globals, Path::new(src), dst, content_type.as_deref(), &cfg, quiet),
        (true, false) => download(globals, src, dst, quiet),
        (true, true) => Err(Error::usage("copying from S3 to S3 is not supported yet")
            .with_hint("download to a file, then upload it")),
        (false, false) => {
            Err(Error::usage("one of the two must be an s3:// URL").with_hint("see 'awl help s3 cp'"))
        }
    }
}

/// A failed transfer exits 1 (the AWS CLI's code), an interrupted one 130.
fn transfer_error(what: String, e: Error) -> Error {
    let kind = match e.kind() {
        ErrorKind::Interrupted => ErrorKind::Interrupted,
        ErrorKind::Usage => ErrorKind::Usage,
        _ => ErrorKind::Transfer,
    };
    let err = Error::new(kind, format!("{what}: {}", e.message()));
    match e.hint() {
        Some(h) => err.with_hint(h.to_owned()),
        None => err,
    }
}

fn upload(
    globals: &Globals,
    src: &Path,
    dst: &str,
    content_type: Option<&str>,
    cfg: &TransferConfig,
    quiet: bool,
) -> Result<()> {
    let (bucket, mut key) = s3::parse_s3_url(dst)?;
    let name = src
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if key.is_empty() || key.ends_with('/') {
        key.push_str(&name);
    }
    let meta = std::fs::metadata(src)
        .map_err(|e| Error::new(ErrorKind::Usage, format!("cannot read {}: {e}", src.display())))?;
    if !meta.is_file() {
        return Err(Error::usage(format!("{} is not a file", src.display()))
            .with_hint("awl s3 cp copies one file; for a folder, run it per file"));
    }
    let content_type = content_type.unwrap_or_else(|| s3::content_type(src)).to_owned();
    let stop = stop_on_signals()?;
    let progress = Progress::new(Some(meta.len()), quiet);
    let shown = format!("{} to s3://{bucket}/{key}", src.display());
    let result = with_s3(globals, Some(stop), |s3| {
        s3.upload(src, &bucket, &key, &content_type, cfg, &|done| {
            progress.update(done)
        })
    });
    progress.finish();
    result.map_err(|e| transfer_error(format!("upload failed: {shown}"), e))?;
    if !quiet {
        print_out(&format!("upload: {shown}\n"))?;
    }
    Ok(())
}

fn download(globals: &Globals, src: &str, dst: &str, quiet: bool) -> Result<()> {
    let (bucket, key) = s3::parse_s3_url(src)?;
    if key.is_empty() || key.ends_with('/') {
        return Err(Error::usage(format!("{src} names no object")).with_hint("write it as s3://bucket/key"));
    }
    let stop = stop_on_signals()?;
    if dst == "-" {
        return with_s3(globals, Some(stop), |s3| {
            let mut out = io::stdout().lock();
            s3.get_object(&bucket, &key, &mut out, &|_| {})?;
            out.flush().map_err(|e| {
                Error::new(ErrorKind::Transfer, "cannot write to standard output").with_source(e)
            })
        })
        .map_err(|e| transfer_error(format!("download failed: {src} to -"), e));
    }
    let mut dest = PathBuf::from(dst);
    if dest.is_dir() || dst.ends_with('/') {
        dest.push(key.rsplit('/').next().unwrap_or(&key));
    }
    let shown = format!("{src} to {}", dest.display());
    // The size is not known before the answer: the line shows what has come so far and the rate.
    let progress = Progress::new(None, quiet);
    let result = with_s3(globals, Some(stop), |s3| {
        s3::download_to_file(s3, &bucket, &key, &dest, &|done| progress.update(done))
    });
    progress.finish();
    result.map_err(|e| transfer_error(format!("download failed: {shown}"), e))?;
    if !quiet {
        print_out(&format!("download: {shown}\n"))?;
    }
    Ok(())
}

pub(super) fn presign(globals: &Globals, args: &[String]) -> Result<()> {
    let (urls, opts): (Vec<&String>, Vec<&String>) = {
        let mut urls = Vec::new();
        let mut opts = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if a.starts_with("--") {
                opts.push(a);
                if !a.contains('=')
                    && let Some(v) = it.next()
                {
                    opts.push(v);
                }
            } else {
                urls.push(a);
            }
        }
        (urls, opts)
    };
    let opts: Vec<String> = opts.into_iter().cloned().collect();
    let mut o = options(&["s3", "presign"], &opts, &["--expires-in"])?;
    let [url] = urls.as_slice() else {
        return Err(
            Error::usage("'awl s3 presign' takes one s3://bucket/key").with_hint("see 'awl help s3 presign'")
        );
    };
    let expires = match o.remove("--expires-in") {
        None => 3600,
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=604_800).contains(n))
            .ok_or_else(|| {
                Error::usage(format!("--expires-in {v:?} must be 1 to 604800 seconds (7 days)"))
                    .with_hint("write '--expires-in 3600' (the default, one hour)")
            })?,
    };
    let (bucket, key) = s3::parse_s3_url(url)?;
    with_s3(globals, None, |s3| {
        print_out(&format!(
            "{}\n",
            s3.presign_get(&bucket, &key, Duration::from_secs(expires))?
        ))
    })
}
