//! ListObjectsV2: the objects (and common prefixes) under a prefix, a page at a time.

use crate::codec::xml;
use crate::error::Result;
use crate::s3::request::S3Request;

/// An object of a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectInfo {
    /// The key.
    pub key: String,
    /// The size in bytes.
    pub size: u64,
    /// `LastModified` as S3 wrote it.
    pub last_modified: String,
}

/// One page of ListObjectsV2.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectPage {
    /// The objects.
    pub objects: Vec<ObjectInfo>,
    /// The common prefixes (folders), when a delimiter was given.
    pub prefixes: Vec<String>,
    /// The token of the next page, if the listing is truncated.
    pub next: Option<String>,
}

/// The request for one page under `prefix`, grouped by `delimiter` if given, after `token`.
pub fn request(bucket: &str, prefix: &str, delimiter: Option<&str>, token: Option<&str>) -> S3Request {
    let mut pairs = vec![("list-type", "2")];
    if let Some(t) = token {
        pairs.push(("continuation-token", t));
    }
    if let Some(d) = delimiter {
        pairs.push(("delimiter", d));
    }
    if !prefix.is_empty() {
        pairs.push(("prefix", prefix));
    }
    S3Request::new("GET", Some(bucket), "").query(&pairs)
}

/// Reads one page of ListObjectsV2.
pub fn parse(body: &[u8]) -> Result<ObjectPage> {
    let doc = xml::parse(&String::from_utf8_lossy(body))?;
    let objects = doc
        .children_named("Contents")
        .map(|c| ObjectInfo {
            key: c.text_at(&["Key"]).unwrap_or_default().to_owned(),
            size: c
                .text_at(&["Size"])
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0),
            last_modified: c.text_at(&["LastModified"]).unwrap_or_default().to_owned(),
        })
        .collect();
    let prefixes = doc
        .children_named("CommonPrefixes")
        .filter_map(|p| p.text_at(&["Prefix"]).map(str::to_owned))
        .collect();
    let truncated = doc.text_at(&["IsTruncated"]) == Some("true");
    let next = doc
        .text_at(&["NextContinuationToken"])
        .map(str::to_owned)
        .filter(|t| truncated && !t.is_empty());
    Ok(ObjectPage {
        objects,
        prefixes,
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_truncated_page_has_its_next_token() {
        let p = parse(
            br#"<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>n</NextContinuationToken>
            <Contents><Key>a &amp; b</Key><Size>12</Size><LastModified>2026-01-01T00:00:00Z</LastModified></Contents>
            <CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes></ListBucketResult>"#,
        )
        .expect("parses");
        assert_eq!(
            (
                p.objects[0].key.as_str(),
                p.objects[0].size,
                p.prefixes.as_slice(),
                p.next.as_deref()
            ),
            ("a & b", 12, &["dir/".to_owned()][..], Some("n"))
        );
        assert_eq!(
            request("b", "p/", Some("/"), Some("t")).query,
            "list-type=2&continuation-token=t&delimiter=%2F&prefix=p%2F"
        );
    }
}
