//! ListBuckets: every bucket of the account, a page at a time.

use crate::codec::xml;
use crate::error::Result;
use crate::s3::request::S3Request;

/// A bucket of a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketInfo {
    /// The name.
    pub name: String,
    /// `CreationDate` as S3 wrote it.
    pub created: String,
}

/// The request for the page after `token` (the first page without one).
pub fn request(token: Option<&str>) -> S3Request {
    let mut pairs = Vec::new();
    if let Some(t) = token {
        pairs.push(("continuation-token", t));
    }
    pairs.push(("max-buckets", "1000"));
    let mut r = S3Request::new("GET", None, "").query(&pairs);
    r.follow_region = false;
    r
}

/// One page of ListBuckets: the buckets and the token of the next page.
pub fn parse(body: &[u8]) -> Result<(Vec<BucketInfo>, Option<String>)> {
    let doc = xml::parse(&String::from_utf8_lossy(body))?;
    let buckets = doc
        .child("Buckets")
        .map(|b| {
            b.children_named("Bucket")
                .map(|e| BucketInfo {
                    name: e.text_at(&["Name"]).unwrap_or_default().to_owned(),
                    created: e.text_at(&["CreationDate"]).unwrap_or_default().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    let token = doc
        .text_at(&["ContinuationToken"])
        .map(str::to_owned)
        .filter(|t| !t.is_empty());
    Ok((buckets, token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_parse_with_their_token() {
        let (b, t) = parse(
            br#"<ListAllMyBucketsResult><Buckets><Bucket><Name>a</Name><CreationDate>2026-11-26T18:10:14.000Z</CreationDate>
            </Bucket><Bucket><Name>b</Name><CreationDate>x</CreationDate></Bucket></Buckets>
            <ContinuationToken>tok</ContinuationToken></ListAllMyBucketsResult>"#,
        )
        .expect("parses");
        assert_eq!((b.len(), t.as_deref()), (2, Some("tok")));
        assert_eq!(b[0].created, "2026-11-26T18:10:14.000Z");
        assert_eq!(
            request(Some("tok")).query,
            "continuation-token=tok&max-buckets=1000"
        );
    }
}
