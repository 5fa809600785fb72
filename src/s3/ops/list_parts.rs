//! ListParts: the parts an unfinished multipart upload holds, a page (up to 1,000 parts) at a time through
//! the one paginator. What a resumed upload checks against the file before it reuses a part.

use crate::codec::{base64, xml};
use crate::error::{Error, Result};
use crate::s3::checksum::Algorithm;
use crate::s3::ops::multipart::Upload;
use crate::s3::paginate::{Cursor, Listing, Page, truncated};
use crate::s3::request::S3Request;

/// A part an upload holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPart {
    /// 1-based.
    pub number: u64,
    /// Its ETag, as S3 gives it (quoted).
    pub etag: String,
    /// Its size in bytes.
    pub size: u64,
    /// The checksums S3 keeps of it (raw), those of the upload's algorithm.
    pub checksums: Vec<(Algorithm, Vec<u8>)>,
}

/// ListParts of one upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListParts<'a>(pub &'a Upload);

impl Listing for ListParts<'_> {
    type Items = Vec<StoredPart>;
    /// The last part number seen: numbers only go up.
    type Order = u64;

    fn what(&self) -> String {
        format!("ListParts {}", self.0.target)
    }

    fn request(&self, cursor: Option<&Cursor>) -> S3Request {
        let r = S3Request::object("GET", &self.0.target.bucket, &self.0.target.key)
            .query(&[("uploadId", &self.0.id)])
            .in_known_region();
        Cursor::apply(cursor, r)
    }

    fn parse(&self, body: &[u8]) -> Result<Page<Vec<StoredPart>>> {
        let doc = xml::parse(&String::from_utf8_lossy(body))?;
        let parts = doc
            .children_named("Part")
            .map(|p| {
                let number = |name: &str| {
                    p.child_text(name)
                        .and_then(|n| n.trim().parse::<u64>().ok())
                        .ok_or_else(|| Error::data(format!("a listed part has no {name}")))
                };
                Ok(StoredPart {
                    number: number("PartNumber")?,
                    size: number("Size")?,
                    etag: p
                        .child_text("ETag")
                        .map(|e| e.trim().to_owned())
                        .filter(|e| !e.is_empty())
                        .ok_or_else(|| Error::data("a listed part has no ETag"))?,
                    checksums: Algorithm::ALL
                        .into_iter()
                        .filter_map(|a| Some((a, base64::decode(p.child_text(a.xml_element())?.trim())?)))
                        .collect(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let next = doc
            .child_text("NextPartNumberMarker")
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(|m| Cursor::one("part-number-marker", m));
        Ok(Page {
            items: parts,
            truncated: truncated(&doc)?,
            next,
        })
    }

    fn check_order(&self, items: &Vec<StoredPart>, last: &mut u64) -> std::result::Result<(), String> {
        for p in items {
            if p.number <= *last {
                return Err(format!("part {} follows part {}", p.number, *last));
            }
            *last = p.number;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s3::object::ObjectRef;

    /// The example answer of the S3 API reference (ListParts), with a checksum per part and a second page.
    const AWS_EXAMPLE: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>example-bucket</Bucket>
  <Key>example-object</Key>
  <UploadId>XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA</UploadId>
  <PartNumberMarker>1</PartNumberMarker>
  <NextPartNumberMarker>3</NextPartNumberMarker>
  <MaxParts>2</MaxParts>
  <IsTruncated>true</IsTruncated>
  <ChecksumAlgorithm>CRC32</ChecksumAlgorithm>
  <Part>
    <PartNumber>2</PartNumber>
    <LastModified>2010-11-10T20:48:34.000Z</LastModified>
    <ETag>"7778aef83f66abc1fa1e8477f296d394"</ETag>
    <Size>10485760</Size>
    <ChecksumCRC32>lxDQ0g==</ChecksumCRC32>
  </Part>
  <Part>
    <PartNumber>3</PartNumber>
    <LastModified>2010-11-10T20:48:33.000Z</LastModified>
    <ETag>"aaaa18db4cc2f85cedef654fccc4a4x8"</ETag>
    <Size>10485760</Size>
    <ChecksumSHA256>n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=</ChecksumSHA256>
  </Part>
</ListPartsResult>"#;

    #[test]
    fn parts_their_checksums_and_the_next_page() {
        let up = Upload {
            target: ObjectRef::new("example-bucket", "example-object"),
            id: "a/b".into(),
        };
        let l = ListParts(&up);
        let p = l.parse(AWS_EXAMPLE).expect("parses");
        assert!(p.truncated);
        let next = Cursor::one("part-number-marker", "3");
        assert_eq!(p.next.as_ref(), Some(&next));
        assert_eq!(
            l.request(Some(&next)).query,
            "uploadId=a%2Fb&part-number-marker=3"
        );
        assert_eq!(p.items.len(), 2);
        assert_eq!(
            (p.items[0].number, p.items[0].size, p.items[0].etag.as_str()),
            (2, 10485760, "\"7778aef83f66abc1fa1e8477f296d394\"")
        );
        assert_eq!(
            p.items[0].checksums,
            vec![(Algorithm::Crc32, vec![0x97, 0x10, 0xd0, 0xd2])]
        );
        assert_eq!(p.items[1].checksums[0].0, Algorithm::Sha256);
        assert_eq!(p.items[1].checksums[0].1.len(), 32);
        let mut last = 0;
        assert!(l.check_order(&p.items, &mut last).is_ok() && last == 3);
        assert!(
            l.check_order(&p.items, &mut last).is_err(),
            "a page that goes back"
        );
        assert!(
            l.parse(b"<ListPartsResult><Part><PartNumber>1</PartNumber><ETag>\"e\"</ETag></Part></ListPartsResult>")
                .is_err(),
            "no size"
        );
    }
}
