//! ListBuckets: every bucket of the account, a page at a time, through the one paginator. No order is
//! checked: AWS lists by name, moto in creation order, and nothing joins this listing.

use crate::codec::{time::parse_rfc3339, xml};
use crate::error::{Error, Result};
use crate::s3::paginate::{Cursor, Listing, Page};
use crate::s3::request::S3Request;
use std::time::SystemTime;

/// A bucket of a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketInfo {
    /// The name.
    pub name: String,
    /// `CreationDate`.
    pub created: SystemTime,
}

/// ListBuckets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListBuckets;

impl Listing for ListBuckets {
    type Items = Vec<BucketInfo>;
    type Order = ();

    fn what(&self) -> String {
        "ListBuckets".to_owned()
    }

    fn request(&self, cursor: Option<&Cursor>) -> S3Request {
        Cursor::apply(cursor, S3Request::new("GET", None, "")).query(&[("max-buckets", "1000")])
    }

    fn parse(&self, body: &[u8]) -> Result<Page<Vec<BucketInfo>>> {
        let doc = xml::parse(&String::from_utf8_lossy(body))?;
        let buckets = match doc.child("Buckets") {
            None => Vec::new(),
            Some(b) => b
                .children_named("Bucket")
                .map(|e| {
                    let name = e
                        .child_text("Name")
                        .filter(|n| !n.is_empty())
                        .ok_or_else(|| Error::data("a bucket has no Name"))?;
                    let date = e.child_text("CreationDate").unwrap_or_default();
                    let created = parse_rfc3339(date.trim()).map_err(|_| {
                        Error::data(format!(
                            "the CreationDate of bucket {:?} is not a date",
                            crate::codec::redact::sanitize(name, 80)
                        ))
                    })?;
                    Ok(BucketInfo {
                        name: name.to_owned(),
                        created,
                    })
                })
                .collect::<Result<Vec<_>>>()?,
        };
        let next = doc
            .child_text("ContinuationToken")
            .filter(|t| !t.is_empty())
            .map(|t| Cursor::one("continuation-token", t));
        // ListBuckets has no IsTruncated: a token is what says more pages follow.
        Ok(Page {
            items: buckets,
            truncated: next.is_some(),
            next,
        })
    }

    fn check_order(&self, _: &Vec<BucketInfo>, _: &mut ()) -> std::result::Result<(), String> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_parse_with_their_token() {
        let p = ListBuckets
            .parse(
                br#"<ListAllMyBucketsResult><Buckets><Bucket><Name>a</Name><CreationDate>2026-11-26T18:10:14.000Z</CreationDate>
            </Bucket><Bucket><Name>b</Name><CreationDate>2026-11-26T18:10:15Z</CreationDate></Bucket></Buckets>
            <ContinuationToken>tok</ContinuationToken></ListAllMyBucketsResult>"#,
            )
            .expect("parses");
        assert_eq!(
            (p.items.len(), p.truncated, p.next),
            (2, true, Some(Cursor::one("continuation-token", "tok")))
        );
        assert_eq!(
            crate::codec::time::unix_seconds(p.items[0].created),
            1_795_716_614
        );
        assert_eq!(
            ListBuckets
                .request(Some(&Cursor::one("continuation-token", "tok")))
                .query,
            "continuation-token=tok&max-buckets=1000"
        );
        assert!(
            ListBuckets
                .parse(b"<ListAllMyBucketsResult><Buckets><Bucket><Name>a</Name><CreationDate>x</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>")
                .is_err()
        );
    }
}
