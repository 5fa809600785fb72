//! ListMultipartUploads: the uploads in progress in a bucket, a page at a time through the one paginator
//! (`rb --force` aborts them). Keys asked URL-encoded, as for ListObjectsV2; a key may repeat (one upload
//! each), so keys must only never go back.

use crate::codec::xml;
use crate::error::{Error, Result};
use crate::s3::paginate::{Cursor, Listing, Page, Rule, Sequence, decoded, truncated};
use crate::s3::request::S3Request;

/// An upload in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InProgress {
    /// Its key.
    pub key: String,
    /// Its id.
    pub upload_id: String,
}

/// ListMultipartUploads of a bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListMultipartUploads {
    /// The bucket.
    pub bucket: String,
}

impl Listing for ListMultipartUploads {
    type Items = Vec<InProgress>;
    type Order = Sequence;

    fn what(&self) -> String {
        format!("ListMultipartUploads s3://{}", self.bucket)
    }

    fn request(&self, cursor: Option<&Cursor>) -> S3Request {
        let r =
            S3Request::new("GET", Some(&self.bucket), "").query(&[("uploads", ""), ("encoding-type", "url")]);
        Cursor::apply(cursor, r)
    }

    fn parse(&self, body: &[u8]) -> Result<Page<Vec<InProgress>>> {
        let doc = xml::parse(&String::from_utf8_lossy(body))?;
        let encoded = doc.child_text("EncodingType") == Some("url");
        let key = |text: &str| decoded(text, encoded, "Key");
        let uploads = doc
            .children_named("Upload")
            .map(|u| {
                Ok(InProgress {
                    key: key(u
                        .text_at(&["Key"])
                        .ok_or_else(|| Error::data("an upload has no Key"))?)?,
                    upload_id: u
                        .child_text("UploadId")
                        .filter(|i| !i.is_empty())
                        .ok_or_else(|| Error::data("an upload has no UploadId"))?
                        .to_owned(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let next = match (
            doc.text_at(&["NextKeyMarker"]),
            doc.child_text("NextUploadIdMarker"),
        ) {
            (Some(k), Some(i)) if !k.is_empty() => Some(Cursor(vec![
                ("key-marker", key(k)?),
                ("upload-id-marker", i.to_owned()),
            ])),
            _ => None,
        };
        Ok(Page {
            items: uploads,
            truncated: truncated(&doc)?,
            next,
        })
    }

    fn check_order(&self, items: &Vec<InProgress>, order: &mut Sequence) -> std::result::Result<(), String> {
        items
            .iter()
            .try_for_each(|u| order.admit(Rule::NonDecreasing, u.key.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_and_their_markers() {
        let l = ListMultipartUploads { bucket: "b".into() };
        let p = l
            .parse(
                b"<ListMultipartUploadsResult><IsTruncated>true</IsTruncated><NextKeyMarker>k</NextKeyMarker>\
              <NextUploadIdMarker>i</NextUploadIdMarker><Upload><Key>k</Key><UploadId>i</UploadId></Upload>\
              </ListMultipartUploadsResult>",
            )
            .expect("parses");
        assert_eq!(p.items.len(), 1);
        let next = Cursor(vec![("key-marker", "k".into()), ("upload-id-marker", "i".into())]);
        assert_eq!(p.next.as_ref(), Some(&next));
        assert_eq!(
            l.request(Some(&next)).query,
            "uploads=&encoding-type=url&key-marker=k&upload-id-marker=i"
        );
        let two = [
            InProgress {
                key: "k".into(),
                upload_id: "1".into(),
            },
            InProgress {
                key: "k".into(),
                upload_id: "2".into(),
            },
        ];
        assert!(
            l.check_order(&two.to_vec(), &mut Sequence::default()).is_ok(),
            "a key repeats"
        );
    }
}
