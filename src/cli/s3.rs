//! `awl s3 ls | mb | cp | presign`, shaped like `aws s3`: the typed commands read from their arguments, and
//! their runs: text output, a progress line on a terminal, exit 1 when a transfer fails and 130 when
//! interrupted (a multipart upload is then aborted).

use crate::cli::args::{Args, Output};
use crate::cli::context::{Ctx, Service, session_credentials, with_session};
use crate::cli::terminal::{Progress, json_out, print_out};
use crate::codec::json::Value;
use crate::codec::time::{UtcDateTime, parse_rfc3339};
use crate::error::{Error, ErrorKind, Result};
use crate::s3::address::parse_s3_url;
use crate::s3::client::S3;
use crate::s3::transfer::config::TransferConfig;
use crate::s3::transfer::content_type;
use crate::s3::transfer::download::download_to_file;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// An `awl s3` command.
#[derive(Debug, PartialEq, Eq)]
pub enum S3Command {
    /// `ls [s3://bucket[/prefix]] [--recursive]`: buckets, or (bucket, prefix).
    Ls {
        /// The bucket and prefix, or none for the buckets.
        target: Option<(String, String)>,
        /// Every object under the prefix, not grouped by folder.
        recursive: bool,
    },
    /// `mb s3://bucket [--exists-ok]`.
    Mb {
        /// The bucket.
        bucket: String,
        /// Whether a bucket the user already owns is fine.
        exists_ok: bool,
    },
    /// `cp SRC DST`.
    Cp(CpCommand),
    /// `presign s3://bucket/key [--expires-in S]`.
    Presign {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// How long the URL works.
        expires: Duration,
    },
}

/// `awl s3 cp`: a file to S3 or an object to a file (or `-`).
#[derive(Debug, PartialEq, Eq)]
pub struct CpCommand {
    /// The source, as given.
    pub src: String,
    /// The destination, as given.
    pub dst: String,
    /// `--content-type`.
    pub content_type: Option<String>,
    /// Multipart threshold, part size and concurrency.
    pub transfer: TransferConfig,
    /// `--quiet`.
    pub quiet: bool,
}

/// A size option's value: bytes, or with KiB/MiB/GiB (KB/MB/GB taken as the same).
fn byte_size(name: &str, value: Option<&str>, default: u64) -> Result<u64> {
    let Some(v) = value else {
        return Ok(default);
    };
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

/// A value that goes into a request header: no control characters (a line break would add headers of its
/// own), refused before any request.
fn header_value(option: &str, value: &str) -> Result<()> {
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(Error::usage(format!(
            "{option} {:?} holds a control character, which cannot go into a header",
            crate::codec::redact::sanitize(value, 80)
        ))
        .with_hint(format!("write {option} as plain text, such as text/plain")));
    }
    Ok(())
}

/// The one `s3://` target of `ls`/`mb`: at most one, and nothing else.
fn one_target(args: &Args) -> Result<Option<&str>> {
    let mut target = None;
    for a in &args.positionals {
        match a.as_str() {
            s if s.starts_with("s3://") && target.is_none() => target = Some(s),
            other => return Err(args.usage(format!("'{}' does not take '{other}'", args.command()))),
        }
    }
    Ok(target)
}

impl S3Command {
    /// `awl s3 ls`.
    pub fn ls(args: &Args) -> Result<Self> {
        Ok(S3Command::Ls {
            target: one_target(args)?.map(parse_s3_url).transpose()?,
            recursive: args.flag("--recursive"),
        })
    }

    /// `awl s3 mb`.
    pub fn mb(args: &Args) -> Result<Self> {
        let url = one_target(args)?.ok_or_else(|| args.usage("'awl s3 mb' needs s3://bucket"))?;
        let (bucket, key) = parse_s3_url(url)?;
        if !key.is_empty() {
            return Err(
                Error::usage(format!("{url} names a key; 'awl s3 mb' takes s3://bucket"))
                    .with_hint(format!("write s3://{bucket}")),
            );
        }
        Ok(S3Command::Mb {
            bucket,
            exists_ok: args.flag("--exists-ok"),
        })
    }

    /// `awl s3 cp`.
    pub fn cp(args: &Args) -> Result<Self> {
        CpCommand::from_args(args).map(S3Command::Cp)
    }

    /// `awl s3 presign`.
    pub fn presign(args: &Args) -> Result<Self> {
        let [url] = args.positionals.as_slice() else {
            return Err(args.usage("'awl s3 presign' takes one s3://bucket/key"));
        };
        let expires = match args.value("--expires-in") {
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
        let (bucket, key) = parse_s3_url(url)?;
        // A URL without a key would let whoever holds it list the whole bucket.
        if key.is_empty() {
            return Err(Error::usage(format!(
                "{url} names no object; 'awl s3 presign' signs one object"
            ))
            .with_hint("write it as s3://bucket/key"));
        }
        Ok(S3Command::Presign {
            bucket,
            key,
            expires: Duration::from_secs(expires),
        })
    }
}

impl CpCommand {
    fn from_args(args: &Args) -> Result<Self> {
        let defaults = TransferConfig::default();
        let transfer = TransferConfig {
            multipart_threshold: byte_size(
                "--multipart-threshold",
                args.value("--multipart-threshold"),
                defaults.multipart_threshold,
            )?,
            part_size: byte_size(
                "--multipart-chunksize",
                args.value("--multipart-chunksize"),
                defaults.part_size,
            )?,
            max_concurrency: match args.value("--max-concurrency") {
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
        let [src, dst] = args.positionals.as_slice() else {
            return Err(args.usage("'awl s3 cp' takes a source and a destination"));
        };
        match (src.starts_with("s3://"), dst.starts_with("s3://")) {
            (true, true) => {
                return Err(Error::usage("copying from S3 to S3 is not supported yet")
                    .with_hint("download to a file, then upload it"));
            }
            (false, false) => return Err(args.usage("one of the two must be an s3:// URL")),
            _ => {}
        }
        if src == "-" {
            return Err(args.usage("'awl s3 cp' cannot read from standard input ('-') yet; give a file"));
        }
        let content_type = args.value("--content-type").map(str::to_owned);
        if let Some(v) = &content_type {
            header_value("--content-type", v)?;
        }
        Ok(CpCommand {
            src: src.clone(),
            dst: dst.clone(),
            content_type,
            transfer,
            quiet: args.flag("--quiet"),
        })
    }
}

/// Runs `f` with S3 for the session's profile.
fn with_s3<T>(ctx: &Ctx<'_>, f: impl FnOnce(&S3<'_>) -> Result<T>) -> Result<T> {
    with_session(ctx, Service::S3, |session| {
        let creds = session_credentials(session, ctx)?;
        f(&session.s3(creds)?)
    })
}

/// Runs an `awl s3` command.
pub(crate) fn run(ctx: &Ctx<'_>, command: &S3Command) -> Result<()> {
    match command {
        S3Command::Ls {
            target: None,
            recursive: _,
        } => with_s3(ctx, |s3| list_buckets(ctx, s3)),
        S3Command::Ls {
            target: Some((bucket, prefix)),
            recursive,
        } => with_s3(ctx, |s3| list_objects(ctx, s3, bucket, prefix, *recursive)),
        S3Command::Mb { bucket, exists_ok } => with_s3(ctx, |s3| match s3.create_bucket(bucket) {
            Ok(()) => print_out(&format!("make_bucket: {bucket}\n")),
            Err(e) if *exists_ok && e.service_code() == Some("BucketAlreadyOwnedByYou") => {
                print_out(&format!("make_bucket: {bucket} (you already own it)\n"))
            }
            Err(e) => Err(e),
        }),
        S3Command::Cp(cp) => copy(ctx, cp),
        S3Command::Presign { bucket, key, expires } => with_s3(ctx, |s3| {
            print_out(&format!("{}\n", s3.presign_get(bucket, key, *expires)?))
        }),
    }
}

/// The `LastModified`/`CreationDate` of a listing as `aws s3 ls` prints it (`2026-11-26 18:10:14`, in UTC).
pub fn listing_date(text: &str) -> String {
    parse_rfc3339(text)
        .map(|t| {
            let d = UtcDateTime::from_system_time(t);
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                d.year, d.month, d.day, d.hour, d.minute, d.second
            )
        })
        .unwrap_or_else(|_| text.to_owned())
}

fn list_buckets(ctx: &Ctx<'_>, s3: &S3<'_>) -> Result<()> {
    let buckets = s3.list_buckets()?;
    match ctx.globals.output {
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
                .map(|b| format!("{} {}\n", listing_date(&b.created), b.name))
                .collect::<String>(),
        ),
    }
}

fn list_objects(ctx: &Ctx<'_>, s3: &S3<'_>, bucket: &str, prefix: &str, recursive: bool) -> Result<()> {
    let page = s3.list_objects(bucket, prefix, (!recursive).then_some("/"))?;
    if ctx.globals.output == Output::Json {
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
            listing_date(&o.last_modified),
            o.size
        ));
    }
    print_out(&out)
}

fn copy(ctx: &Ctx<'_>, cp: &CpCommand) -> Result<()> {
    if cp.dst.starts_with("s3://") {
        upload(ctx, cp)
    } else {
        download(ctx, &cp.src, &cp.dst, cp.quiet)
    }
}

/// A failed transfer exits 1 (the AWS CLI's code), an interrupted one 130.
fn transfer_error(what: String, e: Error) -> Error {
    let kind = match e.kind() {
        ErrorKind::Interrupted => ErrorKind::Interrupted,
        ErrorKind::Usage => ErrorKind::Usage,
        _ => ErrorKind::Transfer,
    };
    e.context(what).with_kind(kind)
}

fn upload(ctx: &Ctx<'_>, cp: &CpCommand) -> Result<()> {
    let src = Path::new(&cp.src);
    let (bucket, mut key) = parse_s3_url(&cp.dst)?;
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
        let hint = if meta.is_dir() {
            "awl s3 cp copies one file; for a folder, run it per file"
        } else {
            "awl s3 cp uploads regular files (not a FIFO, device or socket); copy the data to a file first"
        };
        return Err(Error::usage(format!("{} is not a file", src.display())).with_hint(hint));
    }
    let content_type = cp
        .content_type
        .as_deref()
        .unwrap_or_else(|| content_type::guess(src))
        .to_owned();
    let progress = Progress::new(Some(meta.len()), cp.quiet);
    let shown = format!("{} to s3://{bucket}/{key}", src.display());
    let result = with_s3(ctx, |s3| {
        s3.upload(src, &bucket, &key, &content_type, &cp.transfer, &|done| {
            progress.update(done)
        })
    });
    progress.finish();
    result.map_err(|e| transfer_error(format!("upload failed: {shown}"), e))?;
    if !cp.quiet {
        print_out(&format!("upload: {shown}\n"))?;
    }
    Ok(())
}

fn download(ctx: &Ctx<'_>, src: &str, dst: &str, quiet: bool) -> Result<()> {
    let (bucket, key) = parse_s3_url(src)?;
    if key.is_empty() || key.ends_with('/') {
        return Err(Error::usage(format!("{src} names no object")).with_hint("write it as s3://bucket/key"));
    }
    if dst == "-" {
        return with_s3(ctx, |s3| {
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
    let result = with_s3(ctx, |s3| {
        download_to_file(s3, &bucket, &key, &dest, &|done| progress.update(done))
    });
    progress.finish();
    result.map_err(|e| transfer_error(format!("download failed: {shown}"), e))?;
    if !quiet {
        print_out(&format!("download: {shown}\n"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_dates_as_aws_s3_ls_prints_them() {
        assert_eq!(listing_date("2026-11-26T18:10:14.000Z"), "2026-11-26 18:10:14");
        assert_eq!(listing_date("x"), "x");
    }

    #[test]
    fn sizes_with_units() {
        assert_eq!(byte_size("--s", Some("16MiB"), 0).ok(), Some(16 << 20));
        assert_eq!(byte_size("--s", Some("1gb"), 0).ok(), Some(1 << 30));
        assert_eq!(byte_size("--s", Some("512"), 0).ok(), Some(512));
        assert_eq!(byte_size("--s", None, 7).ok(), Some(7));
        assert!(byte_size("--s", Some("lots"), 0).is_err());
    }
}
