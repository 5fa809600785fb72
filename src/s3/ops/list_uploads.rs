//! ListMultipartUploads: the uploads in progress in a bucket, a page at a time (`rb --force` aborts them).

use crate::codec::xml;
use crate::error::Result;
use crate::s3::request::S3Request;

/// An upload in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InProgress {
    /// Its key.
    pub key: String,
    /// Its id.
    pub upload_id: String,
}

/// The request for the page after the markers (the first page without them).
pub fn request(bucket: &str, after: Option<(&str, &str)>) -> S3Request {
    let mut pairs = vec![("uploads", "")];
    if let Some((key, id)) = after {
        pairs.push(("key-marker", key));
        pairs.push(("upload-id-marker", id));
    }
    S3Request::new("GET", Some(bucket), "").query(&pairs)
}

/// Where the next page starts: the key marker and the upload id marker.
pub type Markers = (String, String);

/// One page: the uploads, and the markers of the next page if the listing is truncated.
pub fn parse(body: &[u8]) -> Result<(Vec<InProgress>, Option<Markers>)> {
    let doc = xml::parse(&String::from_utf8_lossy(body))?;
    let uploads = doc
        .children_named("Upload")
        .map(|u| InProgress {
            key: u.child_text("Key").unwrap_or_default().to_owned(),
            upload_id: u.child_text("UploadId").unwrap_or_default().to_owned(),
        })
        .collect();
    let next = (doc.child_text("IsTruncated") == Some("true"))
        .then(|| {
            Some((
                doc.child_text("NextKeyMarker")?.to_owned(),
                doc.child_text("NextUploadIdMarker")?.to_owned(),
            ))
        })
        .flatten();
    Ok((uploads, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_and_their_markers() {
        let (u, next) = parse(
            b"<ListMultipartUploadsResult><IsTruncated>true</IsTruncated><NextKeyMarker>k</NextKeyMarker>\
              <NextUploadIdMarker>i</NextUploadIdMarker><Upload><Key>k</Key><UploadId>i</UploadId></Upload>\
              </ListMultipartUploadsResult>",
        )
        .expect("parses");
        assert_eq!(u.len(), 1);
        assert_eq!(next, Some(("k".into(), "i".into())));
        assert_eq!(
            request("b", Some(("k", "i"))).query,
            "uploads=&key-marker=k&upload-id-marker=i"
        );
    }
}
