//! ListObjectVersions: every version of every object under a prefix, and every delete marker, a page at a
//! time through the one paginator (`rb --force` deletes them all by version id, since S3 keeps them after
//! `rm`). Keys are asked URL-encoded and decoded when the answer says so, as for ListObjectsV2; each entry is
//! read strictly, a missing or malformed field an error naming it. A key repeats (one entry per version), so
//! keys must only never go back; versions and delete markers are checked as two lists, because S3 interleaves
//! them in key order while moto sends all versions of a page before its markers.

use crate::codec::{redact::sanitize, time::parse_rfc3339, xml};
use crate::error::{Error, Result};
use crate::s3::paginate::{Cursor, Listing, Page, Rule, Sequence, decoded, truncated};
use crate::s3::request::S3Request;
use std::time::SystemTime;

/// One entry of ListObjectVersions: a version of an object, or a delete marker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectVersion {
    /// The key.
    pub key: String,
    /// The version id; `null` for what was written while the bucket was not versioning.
    pub version_id: String,
    /// Whether it is the key's current version (a delete marker that is current hides the key).
    pub is_latest: bool,
    /// Whether it is a delete marker rather than a version with data.
    pub delete_marker: bool,
    /// The size in bytes (none for a delete marker, which has no data).
    pub size: Option<u64>,
    /// `LastModified`.
    pub last_modified: SystemTime,
}

/// ListObjectVersions of a bucket under a prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListObjectVersions {
    /// The bucket.
    pub bucket: String,
    /// The prefix (may be empty).
    pub prefix: String,
    /// At most this many entries a page; the server's default (1,000) otherwise.
    pub max_keys: Option<u32>,
}

impl ListObjectVersions {
    /// Every version and delete marker under `prefix`.
    pub fn new(bucket: impl Into<String>, prefix: impl Into<String>) -> Self {
        ListObjectVersions {
            bucket: bucket.into(),
            prefix: prefix.into(),
            max_keys: None,
        }
    }
}

/// `true` or `false`; anything else, or nothing, is an error naming `field`.
fn boolean(e: &xml::Element, field: &str, named: &dyn Fn(String) -> Error) -> Result<bool> {
    match e.child_text(field) {
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        None => Err(named(format!("an entry has no {field}"))),
        Some(other) => Err(named(format!(
            "the {field} {:?} is not true or false",
            sanitize(other, 40)
        ))),
    }
}

/// Reads one listed version (`Version`) or delete marker (`DeleteMarker`).
fn entry(e: &xml::Element, encoded: bool) -> Result<ObjectVersion> {
    let delete_marker = e.name == "DeleteMarker";
    // Keys are taken as they are, never trimmed: a key may end in a space.
    let key = e
        .text_at(&["Key"])
        .ok_or_else(|| Error::data(format!("a listed {} has no Key", e.name)))?;
    let key = decoded(key, encoded, "Key")?;
    let named = |what: String| Error::data(format!("{what} (key {:?})", sanitize(&key, 200)));
    // An entry without its id could only be deleted as the current object, which adds a marker instead.
    let version_id = e
        .child_text("VersionId")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| named("an entry has no VersionId".into()))?
        .to_owned();
    let is_latest = boolean(e, "IsLatest", &named)?;
    let size = match (delete_marker, e.child_text("Size")) {
        (true, _) => None,
        (false, None) => return Err(named("a version has no Size".into())),
        (false, Some(s)) => Some(
            s.parse()
                .map_err(|_| named(format!("the Size {:?} is not a number", sanitize(s, 40))))?,
        ),
    };
    let time = e
        .child_text("LastModified")
        .ok_or_else(|| named("an entry has no LastModified".into()))?;
    let last_modified = parse_rfc3339(time)
        .map_err(|_| named(format!("the LastModified {:?} is not a date", sanitize(time, 40))))?;
    Ok(ObjectVersion {
        key,
        version_id,
        is_latest,
        delete_marker,
        size,
        last_modified,
    })
}

impl Listing for ListObjectVersions {
    type Items = Vec<ObjectVersion>;
    /// Versions, then delete markers.
    type Order = (Sequence, Sequence);

    fn what(&self) -> String {
        format!("ListObjectVersions s3://{}/{}", self.bucket, self.prefix)
    }

    fn request(&self, cursor: Option<&Cursor>) -> S3Request {
        let max_keys = self.max_keys.map(|n| n.to_string());
        let mut pairs = vec![("versions", ""), ("encoding-type", "url")];
        if let Some(n) = &max_keys {
            pairs.push(("max-keys", n));
        }
        if !self.prefix.is_empty() {
            pairs.push(("prefix", &self.prefix));
        }
        Cursor::apply(
            cursor,
            S3Request::new("GET", Some(&self.bucket), "").query(&pairs),
        )
    }

    /// The page's versions and delete markers, in the order the answer gives them.
    fn parse(&self, body: &[u8]) -> Result<Page<Vec<ObjectVersion>>> {
        let doc = xml::parse(&String::from_utf8_lossy(body))?;
        if doc.name != "ListVersionsResult" {
            // Another listing's answer (a store that ignored `?versions`) would read as no versions at all.
            return Err(Error::data(format!(
                "the answer is a {:?}, not a ListVersionsResult",
                sanitize(&doc.name, 60)
            )));
        }
        let encoded = doc.child_text("EncodingType") == Some("url");
        let items = doc
            .children
            .iter()
            .filter(|c| c.name == "Version" || c.name == "DeleteMarker")
            .map(|c| entry(c, encoded))
            .collect::<Result<Vec<_>>>()?;
        let truncated = truncated(&doc)?;
        // The next page starts after a key *and* one of its versions: the key alone would skip the key's
        // remaining versions.
        let next = match (
            doc.text_at(&["NextKeyMarker"]).filter(|k| !k.is_empty()),
            doc.child_text("NextVersionIdMarker").filter(|v| !v.is_empty()),
        ) {
            (Some(k), Some(v)) => Some(Cursor(vec![
                ("key-marker", decoded(k, encoded, "NextKeyMarker")?),
                ("version-id-marker", v.to_owned()),
            ])),
            (Some(_), None) if truncated => {
                return Err(Error::data(
                    "the page is truncated and has a NextKeyMarker but no NextVersionIdMarker",
                ));
            }
            _ => None,
        };
        Ok(Page {
            items,
            truncated,
            next,
        })
    }

    fn check_order(
        &self,
        items: &Vec<ObjectVersion>,
        order: &mut Self::Order,
    ) -> std::result::Result<(), String> {
        items.iter().try_for_each(|v| {
            let list = if v.delete_marker {
                &mut order.1
            } else {
                &mut order.0
            };
            list.admit(Rule::NonDecreasing, v.key.as_bytes())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::request::Response;

    const DATE: &str = "<LastModified>2026-01-01T00:00:00.000Z</LastModified>";

    fn page(l: &ListObjectVersions, inner: &str) -> Result<Page<Vec<ObjectVersion>>> {
        let resp = Response::of(
            200,
            &[],
            format!(
                "<ListVersionsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{inner}\
                 </ListVersionsResult>"
            ),
        );
        l.parse(&resp.body)
    }

    #[test]
    fn the_request_and_its_markers() {
        let l = ListObjectVersions::new("b", "p/");
        assert_eq!(l.request(None).query, "versions=&encoding-type=url&prefix=p%2F");
        assert_eq!(l.request(None).method, "GET");
        assert_eq!(l.request(None).bucket.as_deref(), Some("b"));
        let next = Cursor(vec![
            ("key-marker", "a b".into()),
            ("version-id-marker", "v/1".into()),
        ]);
        let all = ListObjectVersions {
            max_keys: Some(7),
            ..ListObjectVersions::new("b", "")
        };
        assert_eq!(
            all.request(Some(&next)).query,
            "versions=&encoding-type=url&max-keys=7&key-marker=a%20b&version-id-marker=v%2F1"
        );
    }

    #[test]
    fn versions_and_markers_in_document_order_keys_decoded() {
        let l = ListObjectVersions::new("b", "");
        let p = page(
            &l,
            &format!(
                "<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>\
                 <NextKeyMarker>k%2B1</NextKeyMarker><NextVersionIdMarker>null</NextVersionIdMarker>\
                 <Version><Key>a+b</Key><VersionId>3</VersionId><IsLatest>false</IsLatest>{DATE}\
                 <ETag>\"e\"</ETag><Size>12</Size></Version>\
                 <DeleteMarker><Key>a+b</Key><VersionId>4</VersionId><IsLatest>true</IsLatest>{DATE}\
                 </DeleteMarker>\
                 <Version><Key>k%2B1</Key><VersionId>null</VersionId><IsLatest>true</IsLatest>{DATE}\
                 <Size>0</Size></Version>"
            ),
        )
        .expect("parses");
        let got: Vec<_> = p
            .items
            .iter()
            .map(|v| {
                (
                    v.key.as_str(),
                    v.version_id.as_str(),
                    v.is_latest,
                    v.delete_marker,
                    v.size,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("a b", "3", false, false, Some(12)),
                ("a b", "4", true, true, None),
                ("k+1", "null", true, false, Some(0)),
            ]
        );
        assert!(p.truncated);
        assert_eq!(
            p.next,
            Some(Cursor(vec![
                ("key-marker", "k+1".into()),
                ("version-id-marker", "null".into())
            ]))
        );
        // Not encoded: taken as sent.
        let p = page(
            &l,
            &format!(
                "<Version><Key>a+b</Key><VersionId>1</VersionId><IsLatest>true</IsLatest>{DATE}\
                 <Size>1</Size></Version>"
            ),
        )
        .expect("parses");
        assert_eq!(
            (p.items[0].key.as_str(), p.truncated, p.next),
            ("a+b", false, None)
        );
    }

    #[test]
    fn every_field_is_read_strictly() {
        let l = ListObjectVersions::new("b", "");
        let one = |inner: &str| {
            page(&l, &format!("<Version>{inner}</Version>"))
                .map(|p| p.items.len())
                .map_err(|e| e.message().to_owned())
        };
        let id = "<VersionId>1</VersionId>";
        let latest = "<IsLatest>true</IsLatest>";
        assert_eq!(
            one(&format!("<Key>k</Key>{id}{latest}{DATE}<Size>1</Size>")),
            Ok(1)
        );
        let cases = [
            (format!("{id}{latest}{DATE}<Size>1</Size>"), "no Key"),
            (
                format!("<Key>k</Key>{latest}{DATE}<Size>1</Size>"),
                "no VersionId",
            ),
            (
                format!("<Key>k</Key><VersionId></VersionId>{latest}{DATE}<Size>1</Size>"),
                "no VersionId",
            ),
            (format!("<Key>k</Key>{id}{DATE}<Size>1</Size>"), "no IsLatest"),
            (
                format!("<Key>k</Key>{id}<IsLatest>yes</IsLatest>{DATE}<Size>1</Size>"),
                "IsLatest \"yes\"",
            ),
            (format!("<Key>k</Key>{id}{latest}{DATE}"), "no Size"),
            (
                format!("<Key>k</Key>{id}{latest}{DATE}<Size>-1</Size>"),
                "Size \"-1\"",
            ),
            (
                format!("<Key>k</Key>{id}{latest}<Size>1</Size>"),
                "no LastModified",
            ),
            (
                format!("<Key>k</Key>{id}{latest}<LastModified>soon</LastModified><Size>1</Size>"),
                "LastModified \"soon\"",
            ),
        ];
        for (inner, why) in cases {
            let e = one(&inner).expect_err(why);
            assert!(e.contains(why), "{e} should say {why}");
        }
        // A delete marker has no Size, and needs none.
        assert!(
            page(
                &l,
                &format!("<DeleteMarker><Key>k</Key>{id}{latest}{DATE}</DeleteMarker>")
            )
            .is_ok()
        );
        let e = page(
            &l,
            "<IsTruncated>true</IsTruncated><NextKeyMarker>k</NextKeyMarker>",
        )
        .expect_err("a key marker alone");
        assert!(e.message().contains("NextVersionIdMarker"), "{}", e.message());
        assert!(page(&l, "<IsTruncated>maybe</IsTruncated>").is_err());
        let other = Response::of(200, &[], "<ListBucketResult><Contents/></ListBucketResult>");
        assert!(
            l.parse(&other.body)
                .is_err_and(|e| e.message().contains("ListVersionsResult"))
        );
    }

    #[test]
    fn versions_and_markers_each_never_go_back() {
        let l = ListObjectVersions::new("b", "");
        let v = |key: &str, marker: bool| ObjectVersion {
            key: key.into(),
            version_id: "1".into(),
            is_latest: false,
            delete_marker: marker,
            size: None,
            last_modified: SystemTime::UNIX_EPOCH,
        };
        let mut order = Default::default();
        // moto's page: every version, then every marker; a key repeats across pages.
        let first = vec![v("a", false), v("c", false), v("c", false), v("b", true)];
        assert!(l.check_order(&first, &mut order).is_ok());
        assert!(
            l.check_order(&vec![v("c", false), v("c", true)], &mut order)
                .is_ok()
        );
        assert!(l.check_order(&vec![v("b", false)], &mut order).is_err());
        let mut order = Default::default();
        assert!(
            l.check_order(&vec![v("b", true), v("a", true)], &mut order)
                .is_err()
        );
    }
}
