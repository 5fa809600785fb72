//! `awl s3 ls`: the buckets, or the objects and folders under a bucket and prefix, printed page by page as
//! `aws s3 ls` prints them (dates in UTC), with `--human-readable` sizes and a `--summarize` total.

use crate::cli::args::Args;
use crate::cli::context::Ctx;
use crate::cli::output::Format;
use crate::cli::s3::with_s3;
use crate::cli::terminal::{json_out, print_out, stdout_closed};
use crate::codec::json::Value;
use crate::codec::redact::sanitize;
use crate::codec::time::UtcDateTime;
use crate::error::Result;
use crate::s3::address::parse_s3_url;
use crate::s3::client::S3;
use crate::s3::ops::list_buckets::{BucketInfo, ListBuckets};
use crate::s3::ops::list_objects::{ListObjectsV2, ObjectPage};
use crate::s3::tree::list_tree;
use std::time::SystemTime;

/// `awl s3 ls`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct LsCommand {
    /// The bucket and prefix, or none for the buckets.
    pub(crate) target: Option<(String, String)>,
    /// Every object under the prefix, not grouped by folder.
    pub(crate) recursive: bool,
    /// Sizes in KiB, MiB, ...
    pub(crate) human: bool,
    /// The total at the end.
    pub(crate) summarize: bool,
    /// `--page-size`: keys asked for a page.
    pub(crate) page_size: Option<u32>,
}

impl LsCommand {
    /// `awl s3 ls`.
    pub(crate) fn from_args(args: &Args) -> Result<Self> {
        let mut target = None;
        for a in &args.positionals {
            match a.as_str() {
                s if s.starts_with("s3://") && target.is_none() => target = Some(parse_s3_url(s)?),
                other => return Err(args.usage(format!("'{}' does not take '{other}'", args.command()))),
            }
        }
        Ok(LsCommand {
            target,
            recursive: args.flag("--recursive"),
            human: args.flag("--human-readable"),
            summarize: args.flag("--summarize"),
            page_size: args
                .value("--page-size")
                .map(|v| {
                    v.parse::<u32>()
                        .ok()
                        .filter(|n| (1..=1000).contains(n))
                        .ok_or_else(|| {
                            args.usage(format!("--page-size {v:?} is not a number from 1 to 1000"))
                        })
                })
                .transpose()?,
        })
    }
}

/// The `LastModified`/`CreationDate` of a listing as `aws s3 ls` prints it (`2026-11-26 18:10:14`, in UTC).
fn listing_date(t: SystemTime) -> String {
    let d = UtcDateTime::from_system_time(t);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        d.year, d.month, d.day, d.hour, d.minute, d.second
    )
}

/// A listing's time as S3 writes it, for the JSON output.
fn iso(t: SystemTime) -> Value {
    Value::string(UtcDateTime::from_system_time(t).iso8601_millis())
}

/// A size as the AWS CLI's `human_readable_size` writes it: `1 Byte`, `10 Bytes`, `1.0 KiB`, ...: the first
/// unit in which the value rounds to less than 1024.
pub(crate) fn human_size(bytes: u64) -> String {
    match bytes {
        1 => "1 Byte".to_owned(),
        b if b < 1024 => format!("{b} Bytes"),
        b => {
            let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
            let mut value = b as f64 / 1024.0;
            let mut i = 0;
            while value.round() >= 1024.0 && i + 1 < units.len() {
                value /= 1024.0;
                i += 1;
            }
            format!("{value:.1} {}", units[i])
        }
    }
}

/// Runs `ls`.
pub(crate) fn run(ctx: &Ctx<'_>, ls: &LsCommand) -> Result<u8> {
    let listed = with_s3(ctx, None, |s3| match &ls.target {
        None => buckets(ctx, s3).map(|()| true),
        Some((bucket, prefix)) => objects(ctx, s3, ls, bucket, prefix),
    })?;
    // As the AWS CLI: a prefix that matches nothing exits 1 (`if aws s3 ls s3://b/key; then` relies on it);
    // an empty bucket listed whole is no failure.
    Ok(if listed { 0 } else { 1 })
}

fn buckets(ctx: &Ctx<'_>, s3: &S3<'_>) -> Result<()> {
    let buckets: Vec<BucketInfo> = s3
        .pages(ListBuckets)
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    match ctx.globals.output {
        Some(Format::Json) => json_out(&Value::Array(
            buckets
                .into_iter()
                .map(|b| Value::object([("Name", Value::string(b.name)), ("CreationDate", iso(b.created))]))
                .collect(),
        )),
        _ => print_out(
            &buckets
                .iter()
                .map(|b| format!("{} {}\n", listing_date(b.created), sanitize(&b.name, usize::MAX)))
                .collect::<String>(),
        ),
    }
}

/// Lists the objects under `prefix`; whether anything was listed, or the prefix is empty (the whole bucket).
fn objects(ctx: &Ctx<'_>, s3: &S3<'_>, ls: &LsCommand, bucket: &str, prefix: &str) -> Result<bool> {
    let listing = ListObjectsV2 {
        max_keys: ls.page_size,
        ..ListObjectsV2::new(bucket, prefix).grouped((!ls.recursive).then_some("/"))
    };
    // The pages, to `each` until it says stop: recursive listings go folder by folder, several at once.
    let pages = |each: &mut dyn FnMut(ObjectPage) -> Result<bool>| -> Result<()> {
        if ls.recursive {
            return list_tree(s3, &listing, &mut |objects| {
                each(ObjectPage {
                    objects,
                    ..ObjectPage::default()
                })
            });
        }
        for p in s3.pages(listing.clone()) {
            if !each(p?)? {
                break;
            }
        }
        Ok(())
    };
    if ctx.globals.output == Some(Format::Json) {
        let mut page = ObjectPage::default();
        pages(&mut |p| {
            page.objects.extend(p.objects);
            page.prefixes.extend(p.prefixes);
            Ok(true)
        })?;
        let listed = prefix.is_empty() || !(page.objects.is_empty() && page.prefixes.is_empty());
        json_out(&Value::object([
            (
                "Contents",
                Value::Array(
                    page.objects
                        .iter()
                        .map(|o| {
                            Value::object([
                                ("Key", Value::string(o.key.clone())),
                                ("Size", Value::Number(o.size.to_string())),
                                ("LastModified", iso(o.last_modified)),
                            ])
                        })
                        .collect(),
                ),
            ),
            (
                "CommonPrefixes",
                Value::Array(page.prefixes.iter().map(|p| Value::string(p.clone())).collect()),
            ),
        ]))?;
        return Ok(listed);
    }
    // As `aws s3 ls`: names relative to the prefix's last '/', unless recursive.
    let cut = if ls.recursive {
        0
    } else {
        prefix.rfind('/').map_or(0, |i| i + 1)
    };
    let size = |n: u64| if ls.human { human_size(n) } else { n.to_string() };
    // A name as printed: below the cut (the whole name if the server sent one that does not start with the
    // prefix), control characters escaped so that a key cannot drive the terminal or forge lines.
    let shown = |name: &str| sanitize(name.get(cut..).unwrap_or(name), usize::MAX);
    let (mut count, mut total, mut folders) = (0u64, 0u64, 0usize);
    pages(&mut |page| {
        folders += page.prefixes.len();
        let mut out = String::new();
        for p in &page.prefixes {
            out.push_str(&format!("{:>30} {}\n", "PRE", shown(p)));
        }
        for o in &page.objects {
            count += 1;
            total = total.saturating_add(o.size);
            let name = shown(&o.key);
            out.push_str(&format!(
                "{} {:>10} {name}\n",
                listing_date(o.last_modified),
                size(o.size)
            ));
        }
        print_out(&out)?;
        // Nobody reads on (`ls | head`): no more pages are asked for.
        Ok(!stdout_closed())
    })?;
    if stdout_closed() {
        return Ok(true);
    }
    if ls.summarize {
        print_out(&format!(
            "\n{:>15}{count}\n{:>15}{}\n",
            "Total Objects: ",
            "Total Size: ",
            size(total)
        ))?;
    }
    Ok(prefix.is_empty() || count > 0 || folders > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_dates_as_aws_s3_ls_prints_them() {
        let t = crate::codec::time::parse_rfc3339("2026-11-26T18:10:14.000Z").expect("date");
        assert_eq!(listing_date(t), "2026-11-26 18:10:14");
    }

    #[test]
    fn human_sizes_as_the_aws_cli() {
        assert_eq!(human_size(1), "1 Byte");
        assert_eq!(human_size(10), "10 Bytes");
        assert_eq!(human_size(1024), "1.0 KiB");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(1 << 20), "1.0 MiB");
        assert_eq!(human_size((1 << 20) - 1), "1.0 MiB");
        assert_eq!(human_size(20 << 20), "20.0 MiB");
        assert_eq!(human_size(1_048_063), "1023.5 KiB");
        assert_eq!(human_size(1_048_064), "1.0 MiB");
    }
}
