//! ListObjectsV2: the objects (and common prefixes) under a prefix, a page at a time, through the one
//! paginator. Keys are asked URL-encoded (`encoding-type=url`, as botocore asks) and decoded when the answer
//! says it encoded them, so that no key is changed by the XML round trip. Every entry is read strictly: a
//! missing Key, a Size that is not a number or a LastModified that is not a date is an error naming the
//! field, never a default. Order: each of the two lists (Contents, CommonPrefixes) strictly increasing in
//! UTF-8 byte order across pages, except in directory buckets (`--x-s3`), which list unordered.

use crate::codec::{time::parse_rfc3339, xml};
use crate::error::{Error, Result};
use crate::s3::checksum::Algorithm;
use crate::s3::paginate::{Cursor, Listing, Page, Rule, Sequence, decoded, truncated};
use crate::s3::request::S3Request;
use std::time::SystemTime;

/// An object of a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectInfo {
    /// The key.
    pub key: String,
    /// The size in bytes.
    pub size: u64,
    /// `LastModified`.
    pub last_modified: SystemTime,
    /// The ETag, as sent (quoted), when the server gave one.
    pub etag: Option<String>,
    /// The algorithm of the checksum S3 stores with it (`ChecksumAlgorithm`, listed by AWS and moto): the
    /// value itself takes a HEAD.
    pub checksum_algorithm: Option<Algorithm>,
}

/// What one page of ListObjectsV2 lists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectPage {
    /// The objects.
    pub objects: Vec<ObjectInfo>,
    /// The common prefixes (folders), when a delimiter was given.
    pub prefixes: Vec<String>,
    /// Each common prefix as the answer spelled it, before URL-decoding: some stores encode the keys but not
    /// the prefixes, so which of the two spellings is the folder's name is not known for sure.
    pub spelled: Vec<String>,
}

/// ListObjectsV2 of a bucket under a prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListObjectsV2 {
    /// The bucket.
    pub bucket: String,
    /// The prefix (may be empty).
    pub prefix: String,
    /// Groups keys into common prefixes at this delimiter.
    pub delimiter: Option<String>,
    /// At most this many keys a page (`--page-size`); the server's default (1,000) otherwise.
    pub max_keys: Option<u32>,
    /// Only keys after this one (`start-after`), for a listing that takes over where another left off.
    pub start_after: Option<String>,
}

impl ListObjectsV2 {
    /// Every object under `prefix`, not grouped.
    pub fn new(bucket: impl Into<String>, prefix: impl Into<String>) -> Self {
        ListObjectsV2 {
            bucket: bucket.into(),
            prefix: prefix.into(),
            delimiter: None,
            max_keys: None,
            start_after: None,
        }
    }

    /// The same listing, grouped at `delimiter` when given.
    pub fn grouped(mut self, delimiter: Option<&str>) -> Self {
        self.delimiter = delimiter.map(str::to_owned);
        self
    }

    /// Whether the bucket lists its keys in order (all but directory buckets).
    pub fn ordered(&self) -> bool {
        self.rule() == Rule::Increasing
    }

    fn rule(&self) -> Rule {
        // Directory buckets (S3 Express One Zone) list keys in no particular order.
        if self.bucket.ends_with("--x-s3") {
            Rule::Any
        } else {
            Rule::Increasing
        }
    }
}

/// Reads one listed object.
fn object(c: &xml::Element, encoded: bool) -> Result<ObjectInfo> {
    // Keys are taken as they are, never trimmed: a key may end in a space.
    let key = c
        .text_at(&["Key"])
        .ok_or_else(|| Error::data("an entry has no Key"))?;
    let key = decoded(key, encoded, "Key")?;
    let named = |what: String| {
        Error::data(format!(
            "{what} (key {:?})",
            crate::codec::redact::sanitize(&key, 200)
        ))
    };
    let size = c
        .child_text("Size")
        .ok_or_else(|| named("an entry has no Size".into()))?;
    let size = size.trim().parse().map_err(|_| {
        named(format!(
            "the Size {:?} is not a number",
            crate::codec::redact::sanitize(size, 40)
        ))
    })?;
    let time = c
        .child_text("LastModified")
        .ok_or_else(|| named("an entry has no LastModified".into()))?;
    let last_modified = parse_rfc3339(time.trim()).map_err(|_| {
        named(format!(
            "the LastModified {:?} is not a date",
            crate::codec::redact::sanitize(time, 40)
        ))
    })?;
    Ok(ObjectInfo {
        key,
        size,
        last_modified,
        etag: c.child_text("ETag").map(str::to_owned),
        checksum_algorithm: c
            .child_text("ChecksumAlgorithm")
            .and_then(|a| Algorithm::parse(a.trim())),
    })
}

impl Listing for ListObjectsV2 {
    type Items = ObjectPage;
    type Order = (Sequence, Sequence);

    fn what(&self) -> String {
        format!("ListObjectsV2 s3://{}/{}", self.bucket, self.prefix)
    }

    fn request(&self, cursor: Option<&Cursor>) -> S3Request {
        let max_keys = self.max_keys.map(|n| n.to_string());
        let mut pairs = vec![("list-type", "2")];
        if let Some(d) = &self.delimiter {
            pairs.push(("delimiter", d));
        }
        pairs.push(("encoding-type", "url"));
        if let Some(n) = &max_keys {
            pairs.push(("max-keys", n));
        }
        if !self.prefix.is_empty() {
            pairs.push(("prefix", &self.prefix));
        }
        if let Some(after) = &self.start_after {
            pairs.push(("start-after", after));
        }
        Cursor::apply(
            cursor,
            S3Request::new("GET", Some(&self.bucket), "").query(&pairs),
        )
    }

    fn parse(&self, body: &[u8]) -> Result<Page<ObjectPage>> {
        let doc = xml::parse(&String::from_utf8_lossy(body))?;
        let encoded = doc.child_text("EncodingType") == Some("url");
        let objects = doc
            .children_named("Contents")
            .map(|c| object(c, encoded))
            .collect::<Result<Vec<_>>>()?;
        let (prefixes, spelled) = doc
            .children_named("CommonPrefixes")
            .map(|p| {
                let text = p
                    .text_at(&["Prefix"])
                    .ok_or_else(|| Error::data("a common prefix has no Prefix"))?;
                Ok((decoded(text, encoded, "Prefix")?, text.to_owned()))
            })
            .collect::<Result<(Vec<_>, Vec<_>)>>()?;
        Ok(Page {
            items: ObjectPage {
                objects,
                prefixes,
                spelled,
            },
            truncated: truncated(&doc)?,
            next: doc
                .child_text("NextContinuationToken")
                .filter(|t| !t.is_empty())
                .map(|t| Cursor::one("continuation-token", t)),
        })
    }

    fn check_order(&self, items: &ObjectPage, order: &mut Self::Order) -> std::result::Result<(), String> {
        let rule = self.rule();
        for o in &items.objects {
            order.0.admit(rule, o.key.as_bytes())?;
        }
        for p in &items.prefixes {
            order.1.admit(rule, p.as_bytes())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_truncated_page_has_its_next_token() {
        let l = ListObjectsV2::new("b", "p/").grouped(Some("/"));
        let p = l
            .parse(
                br#"<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>n</NextContinuationToken>
            <Contents><Key>a &amp; b</Key><Size>12</Size><LastModified>2026-01-01T00:00:00Z</LastModified>
            <ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm></Contents>
            <CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes></ListBucketResult>"#,
            )
            .expect("parses");
        assert_eq!(
            (
                p.items.objects[0].key.as_str(),
                p.items.objects[0].size,
                p.items.prefixes.as_slice(),
                p.truncated,
                p.next,
            ),
            (
                "a & b",
                12,
                &["dir/".to_owned()][..],
                true,
                Some(Cursor::one("continuation-token", "n"))
            )
        );
        assert_eq!(p.items.objects[0].checksum_algorithm, Some(Algorithm::Crc64Nvme));
        assert_eq!(
            l.request(Some(&Cursor::one("continuation-token", "t"))).query,
            "list-type=2&delimiter=%2F&encoding-type=url&prefix=p%2F&continuation-token=t"
        );
    }

    #[test]
    fn encoded_keys_are_decoded_only_when_the_answer_says_so() {
        let l = ListObjectsV2::new("b", "");
        let body = |enc: &str| {
            format!(
                "<ListBucketResult>{enc}<Contents><Key>a+b%2Bc%0D</Key><Size>1</Size>\
                 <LastModified>2026-01-01T00:00:00.000Z</LastModified></Contents></ListBucketResult>"
            )
        };
        let p = l
            .parse(body("<EncodingType>url</EncodingType>").as_bytes())
            .expect("parses");
        assert_eq!(p.items.objects[0].key, "a b+c\r");
        let p = l.parse(body("").as_bytes()).expect("parses");
        assert_eq!(p.items.objects[0].key, "a+b%2Bc%0D");
    }

    #[test]
    fn every_field_is_read_strictly() {
        let l = ListObjectsV2::new("b", "");
        let one = |inner: &str| {
            l.parse(format!("<ListBucketResult><Contents>{inner}</Contents></ListBucketResult>").as_bytes())
                .map(|p| p.items.objects.len())
                .map_err(|e| e.message().to_owned())
        };
        let date = "<LastModified>2026-01-01T00:00:00Z</LastModified>";
        assert_eq!(one(&format!("<Key>k</Key><Size>1</Size>{date}")), Ok(1));
        assert!(one(&format!("<Size>1</Size>{date}")).is_err_and(|e| e.contains("no Key")));
        assert!(one(&format!("<Key>k</Key><Size>x</Size>{date}")).is_err_and(|e| e.contains("Size")));
        assert!(one(&format!("<Key>k</Key>{date}")).is_err_and(|e| e.contains("no Size")));
        assert!(
            one("<Key>k</Key><Size>1</Size><LastModified>soon</LastModified>")
                .is_err_and(|e| e.contains("LastModified"))
        );
        assert!(
            l.parse(b"<ListBucketResult><IsTruncated>yes</IsTruncated></ListBucketResult>")
                .is_err()
        );
    }

    #[test]
    fn contents_and_prefixes_each_in_order() {
        let l = ListObjectsV2::new("b", "").grouped(Some("/"));
        let page = |keys: &[&str], prefixes: &[&str]| ObjectPage {
            objects: keys
                .iter()
                .map(|k| ObjectInfo {
                    key: (*k).into(),
                    size: 0,
                    last_modified: SystemTime::UNIX_EPOCH,
                    etag: None,
                    checksum_algorithm: None,
                })
                .collect(),
            prefixes: prefixes.iter().map(|p| (*p).to_owned()).collect(),
            spelled: Vec::new(),
        };
        let mut order = Default::default();
        // Two sorted lists: a prefix between two keys is fine; each list goes on increasing across pages.
        assert!(l.check_order(&page(&["a", "c"], &["b/"]), &mut order).is_ok());
        assert!(l.check_order(&page(&["d"], &["c/"]), &mut order).is_ok());
        assert!(l.check_order(&page(&["e"], &["a/"]), &mut order).is_err());
        let mut order = Default::default();
        assert!(l.check_order(&page(&["a", "b"], &[]), &mut order).is_ok());
        assert!(
            l.check_order(&page(&["b"], &[]), &mut order).is_err(),
            "a repeated boundary key"
        );
        let dir = ListObjectsV2::new("b--usw2-az1--x-s3", "");
        assert!(
            dir.check_order(&page(&["b", "a"], &[]), &mut Default::default())
                .is_ok()
        );
    }
}
