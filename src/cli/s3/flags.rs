//! The options the `s3` commands share, read from their arguments: sizes, concurrency, what uploads and
//! copies set on objects, filters, and how much is printed. Every value that becomes a header is checked for
//! control characters here, before any request.

use crate::cli::args::Args;
use crate::error::{Error, Result};
use crate::s3::checksum::Algorithm;
use crate::s3::ops::options::{ObjectOptions, Sse};
use crate::s3::sync::filter::{Filters, Shard};
use crate::s3::transfer::config::{MAX_CONCURRENCY, TransferConfig};

/// How much a command prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Say {
    /// A line per object, and the progress line on a terminal.
    #[default]
    All,
    /// Lines but no progress (`--no-progress`).
    NoProgress,
    /// Errors and warnings only (`--only-show-errors`).
    Errors,
    /// Nothing but errors (`--quiet`).
    Nothing,
}

impl Say {
    /// From `--quiet`, `--only-show-errors`, `--no-progress`.
    pub(crate) fn from_args(args: &Args) -> Self {
        if args.flag("--quiet") {
            Say::Nothing
        } else if args.flag("--only-show-errors") {
            Say::Errors
        } else if args.flag("--no-progress") {
            Say::NoProgress
        } else {
            Say::All
        }
    }

    /// Whether a line per object is printed.
    pub(crate) fn lines(self) -> bool {
        matches!(self, Say::All | Say::NoProgress)
    }

    /// Whether warnings are printed.
    pub(crate) fn warnings(self) -> bool {
        self != Say::Nothing
    }
}

/// A size option's value: bytes, or with KiB/MiB/GiB (KB/MB/GB taken as the same).
pub(crate) fn byte_size(name: &str, value: Option<&str>, default: u64) -> Result<u64> {
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

/// A value that goes into a header: no control characters (a line break would add headers of its own).
pub(crate) fn header_value(option: &str, value: &str) -> Result<String> {
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(Error::usage(format!(
            "{option} '{}' holds a control character, which cannot go into a header",
            crate::codec::redact::sanitize(value, 80)
        ))
        .with_hint(format!("write {option} as plain text, such as text/plain")));
    }
    Ok(value.to_owned())
}

/// Multipart threshold, part size, concurrency and `--resumable`. Without `--max-concurrency`, `parts` of one object and
/// `requests` of the whole command are in flight; with it, its value bounds both.
pub(crate) fn transfer(args: &Args, parts: usize, requests: usize) -> Result<TransferConfig> {
    let defaults = TransferConfig::default();
    let given = match args.value("--max-concurrency") {
        None => None,
        Some(v) => Some(
            v.parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_CONCURRENCY).contains(n))
                .ok_or_else(|| {
                    Error::usage(format!(
                        "--max-concurrency {v:?} is not a number from 1 to {MAX_CONCURRENCY}"
                    ))
                    .with_hint("write '--max-concurrency 10' (the default for one file)")
                })?,
        ),
    };
    Ok(TransferConfig {
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
        max_concurrency: given.unwrap_or(parts),
        max_requests: given.unwrap_or(requests),
        resumable: args.flag("--resumable"),
    })
}

/// `--metadata k=v,k2=v2`: names are letters, digits, `-` and `_`.
fn metadata(value: &str) -> Result<Vec<(String, String)>> {
    let bad = || {
        Error::usage(format!(
            "--metadata '{}' is not NAME=VALUE,...",
            crate::codec::redact::sanitize(value, 80)
        ))
        .with_hint("write '--metadata owner=ops,build=42'")
    };
    value
        .split(',')
        .map(|pair| {
            let (k, v) = pair.split_once('=').ok_or_else(bad)?;
            // Only spaces are trimmed: a line break around a value must be refused, not quietly dropped.
            let k = k.trim_matches(' ');
            if k.is_empty()
                || !k
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
            {
                return Err(bad());
            }
            Ok((k.to_owned(), header_value("--metadata", v.trim_matches(' '))?))
        })
        .collect()
}

/// What uploads and copies set on objects.
pub(crate) fn object_options(args: &Args) -> Result<ObjectOptions> {
    let text = |name: &str| args.value(name).map(|v| header_value(name, v)).transpose();
    Ok(ObjectOptions {
        content_type: text("--content-type")?,
        cache_control: text("--cache-control")?,
        content_disposition: text("--content-disposition")?,
        content_encoding: text("--content-encoding")?,
        content_language: text("--content-language")?,
        sse: match args.value("--sse") {
            None => None,
            Some("AES256") => Some(Sse::Aes256),
            Some("aws:kms") => Some(Sse::Kms),
            Some(other) => {
                return Err(
                    Error::usage(format!("--sse {other:?} is neither AES256 nor aws:kms"))
                        .with_hint("write '--sse AES256' or '--sse aws:kms'"),
                );
            }
        },
        sse_kms_key_id: text("--sse-kms-key-id")?,
        storage_class: text("--storage-class")?,
        acl: text("--acl")?,
        metadata: args
            .value("--metadata")
            .map(metadata)
            .transpose()?
            .unwrap_or_default(),
        checksum_algorithm: match args.value("--checksum-algorithm") {
            None => None,
            Some(v) => Some(Algorithm::parse(v).ok_or_else(|| {
                Error::usage(format!(
                    "--checksum-algorithm {:?} is not one of SHA256, SHA1, CRC32, CRC32C, CRC64NVME",
                    crate::codec::redact::sanitize(v, 40)
                ))
                .with_hint("write '--checksum-algorithm CRC32C', or leave it out for SHA256")
            })?),
        },
    })
}

/// `--exclude` and `--include`, in the order given, and `--shard K/N`, which only a command over many keys
/// takes (`recursive`).
pub(crate) fn filters(args: &Args, recursive: bool) -> Result<Filters> {
    let mut f = Filters::default();
    for (name, value) in args.given() {
        match (name, value) {
            ("--exclude", Some(p)) => f.push(false, p),
            ("--include", Some(p)) => f.push(true, p),
            _ => {}
        }
    }
    if let Some(v) = args.value("--shard") {
        // Checked first, so the hint below only repeats a valid value.
        f.shard(shard(v)?);
        if !recursive {
            return Err(Error::usage("--shard splits many keys; it needs --recursive")
                .with_hint(format!("write '{} --recursive ... --shard {v}'", args.command())));
        }
    }
    Ok(f)
}

/// `--shard K/N`.
fn shard(value: &str) -> Result<Shard> {
    Shard::parse(value).ok_or_else(|| {
        Error::usage(format!(
            "--shard {:?} is not K/N with 0 <= K < N <= {}",
            crate::codec::redact::sanitize(value, 40),
            Shard::MAX
        ))
        .with_hint("write '--shard 0/4' on the first of 4 machines, up to '--shard 3/4' on the last")
    })
}

/// The usage error for two local roots.
pub(crate) fn both_local(command: &str) -> Error {
    Error::usage("one of the two must be an s3:// URL").with_hint(format!("see 'awl help s3 {command}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_units() {
        assert_eq!(byte_size("--s", Some("16MiB"), 0).ok(), Some(16 << 20));
        assert_eq!(byte_size("--s", Some("1gb"), 0).ok(), Some(1 << 30));
        assert_eq!(byte_size("--s", Some("512"), 0).ok(), Some(512));
        assert_eq!(byte_size("--s", None, 7).ok(), Some(7));
        assert!(byte_size("--s", Some("lots"), 0).is_err());
    }

    #[test]
    fn shard_values() {
        assert_eq!(shard("2/4").ok(), Shard::new(2, 4));
        for bad in ["4/4", "1/0", "x", "1/70000"] {
            let e = shard(bad).err().map(|e| (e.exit_code(), e.to_string()));
            assert!(
                e.as_ref().is_some_and(|(c, m)| *c == 252 && m.contains("K/N")),
                "{bad}: {e:?}"
            );
        }
    }

    #[test]
    fn metadata_pairs() {
        assert_eq!(
            metadata("a=b, c-d = e").ok(),
            Some(vec![("a".into(), "b".into()), ("c-d".into(), "e".into())])
        );
        for bad in ["a", "=b", "a b=c", "a=\r\nx"] {
            assert!(metadata(bad).is_err(), "{bad}");
        }
    }
}
