//! The multipart upload calls: CreateMultipartUpload, UploadPart (a file's byte range or a buffer, hashed
//! beforehand), UploadPartCopy (a range of another object, copied on the server), CompleteMultipartUpload
//! and AbortMultipartUpload. The lifecycle that runs them is `s3::transfer::multipart`.

use crate::codec::xml;
use crate::error::{Error, Result};
use crate::s3::checksum::verify::etag_is_md5;
use crate::s3::checksum::{Algorithm, Digests};
use crate::s3::object::ObjectRef;
use crate::s3::operation::Operation;
use crate::s3::ops::copy_object;
use crate::s3::ops::options::ObjectOptions;
use crate::s3::request::S3Request;
use crate::transport::request::{Body, Response};

/// A part uploaded: its number, ETag and checksum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartDone {
    /// 1-based.
    pub number: u64,
    /// The ETag S3 returned.
    pub etag: String,
    /// The part's checksum (base64), when the upload keeps one per part.
    pub checksum: Option<(Algorithm, String)>,
}

/// A multipart upload in progress: where it goes, and its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    /// The object it makes.
    pub target: ObjectRef,
    /// The upload id S3 gave.
    pub id: String,
}

impl Upload {
    /// A request about the upload: its object, and `uploadId` (after `pairs`).
    fn request(&self, method: &'static str, pairs: &[(&str, &str)]) -> S3Request {
        S3Request::object(method, &self.target.bucket, &self.target.key)
            .query(pairs)
            .query(&[("uploadId", &self.id)])
    }
}

/// An upload created: its id, and whether its parts' ETags are their MD5s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Created {
    /// The upload id S3 gave.
    pub id: String,
    /// False with SSE-KMS, DSSE or SSE-C (asked for, or the bucket's default as the answer says), whose
    /// ETags are not MD5s.
    pub md5_etags: bool,
}

/// CreateMultipartUpload with the object's options; `checksum` asks S3 to keep each part's checksum of that
/// algorithm (parts sent from here, and not with `request_checksum_calculation = when_required`), which parts
/// copied on the server do not carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateMultipartUpload<'a> {
    /// The object it makes.
    pub target: &'a ObjectRef,
    /// What the object gets.
    pub opts: &'a ObjectOptions,
    /// The checksum kept per part.
    pub checksum: Option<Algorithm>,
}

impl Operation for CreateMultipartUpload<'_> {
    /// The upload id, and what its ETags are.
    type Output = Created;

    fn request(&self) -> S3Request {
        let mut r =
            S3Request::object("POST", &self.target.bucket, &self.target.key).query(&[("uploads", "")]);
        for (n, v) in self.opts.headers() {
            r = r.header(n, v);
        }
        if let Some(a) = self.checksum {
            r = r.header("x-amz-checksum-algorithm", a.name());
        }
        r
    }

    fn what(&self) -> String {
        format!("CreateMultipartUpload {}", self.target)
    }

    fn parse(&self, resp: Response) -> Result<Created> {
        let doc = xml::parse(&String::from_utf8_lossy(&resp.body))?;
        let id = doc
            .find("UploadId")
            .map(|e| e.text.trim().to_owned())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::data("CreateMultipartUpload answered no UploadId"))?;
        Ok(Created {
            id,
            // The answer names the encryption the bucket applies by default; the request what was asked.
            md5_etags: etag_is_md5(&resp.headers) && etag_is_md5(&self.opts.headers()),
        })
    }
}

/// UploadPart `number` of `body` (a file's byte range, or a buffer), hashed as `digests`.
#[derive(Debug)]
pub struct UploadPart<'a> {
    /// The upload.
    pub upload: &'a Upload,
    /// 1-based.
    pub number: u64,
    /// The bytes.
    pub body: Body,
    /// Their digests.
    pub digests: &'a Digests,
}

impl Operation for UploadPart<'_> {
    type Output = PartDone;

    fn request(&self) -> S3Request {
        let mut r = self
            .upload
            .request("PUT", &[("partNumber", &self.number.to_string())])
            .body(self.body.clone())
            // The upload's region is known by now: the client sends it where a redirect found the bucket.
            .in_known_region();
        for (n, v) in self.digests.headers() {
            r = r.header(n, v);
        }
        r.payload_hash = Some(hex::encode(self.digests.sha256));
        r
    }

    fn what(&self) -> String {
        format!("UploadPart {} of {}", self.number, self.upload.target)
    }

    fn parse(&self, resp: Response) -> Result<PartDone> {
        let etag = resp
            .header("etag")
            .map(str::to_owned)
            .ok_or_else(|| Error::data(format!("{} answered no ETag", self.what())))?;
        Ok(PartDone {
            number: self.number,
            etag,
            checksum: self
                .digests
                .checksum
                .as_ref()
                .map(|(a, v)| (*a, crate::codec::base64::encode(v))),
        })
    }
}

/// UploadPartCopy of the bytes `first..=last` of `src`, copied on the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadPartCopy<'a> {
    /// The upload.
    pub upload: &'a Upload,
    /// The object copied from.
    pub src: &'a ObjectRef,
    /// 1-based.
    pub number: u64,
    /// The first byte.
    pub first: u64,
    /// The last byte.
    pub last: u64,
}

impl Operation for UploadPartCopy<'_> {
    type Output = PartDone;

    fn request(&self) -> S3Request {
        self.upload
            .request("PUT", &[("partNumber", &self.number.to_string())])
            .header("x-amz-copy-source", copy_object::source(self.src))
            .header(
                "x-amz-copy-source-range",
                format!("bytes={}-{}", self.first, self.last),
            )
            .in_known_region()
    }

    fn what(&self) -> String {
        format!(
            "UploadPartCopy {} of {} to {}",
            self.number, self.src, self.upload.target
        )
    }

    /// The ETag of the answer (`<CopyPartResult><ETag>`).
    fn parse(&self, resp: Response) -> Result<PartDone> {
        let doc = xml::parse(&String::from_utf8_lossy(&resp.body))?;
        let etag = doc
            .find("ETag")
            .map(|e| e.text.trim().to_owned())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::data("UploadPartCopy answered no ETag"))?;
        Ok(PartDone {
            number: self.number,
            etag,
            checksum: None,
        })
    }
}

/// CompleteMultipartUpload with the parts in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompleteMultipartUpload<'a> {
    /// The upload.
    pub upload: &'a Upload,
    /// Its parts, in order.
    pub parts: &'a [PartDone],
}

impl CompleteMultipartUpload<'_> {
    fn body(&self) -> String {
        let mut out =
            String::from("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
        for p in self.parts {
            out.push_str(&format!(
                "<Part><PartNumber>{}</PartNumber><ETag>{}</ETag>",
                p.number,
                xml::escape(&p.etag)
            ));
            if let Some((a, c)) = &p.checksum {
                let e = a.xml_element();
                out.push_str(&format!("<{e}>{}</{e}>", xml::escape(c)));
            }
            out.push_str("</Part>");
        }
        out.push_str("</CompleteMultipartUpload>");
        out
    }
}

impl Operation for CompleteMultipartUpload<'_> {
    type Output = ();

    fn request(&self) -> S3Request {
        self.upload
            .request("POST", &[])
            .body(Body::from_bytes(self.body().into_bytes()))
    }

    fn what(&self) -> String {
        format!("CompleteMultipartUpload {}", self.upload.target)
    }

    fn parse(&self, _: Response) -> Result<()> {
        Ok(())
    }
}

/// AbortMultipartUpload: no parts stay billed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AbortMultipartUpload<'a>(pub &'a Upload);

impl Operation for AbortMultipartUpload<'_> {
    type Output = ();

    fn request(&self) -> S3Request {
        self.0.request("DELETE", &[])
    }

    fn what(&self) -> String {
        format!("AbortMultipartUpload {}", self.0.target)
    }

    fn parse(&self, _: Response) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_body_lists_parts_in_order() {
        let up = Upload {
            target: ObjectRef::new("b", "k"),
            id: "i".into(),
        };
        let parts = [PartDone {
            number: 1,
            etag: "\"e1\"".into(),
            checksum: Some((Algorithm::Sha256, "c1".into())),
        }];
        let b = CompleteMultipartUpload {
            upload: &up,
            parts: &parts,
        }
        .body();
        assert!(b.contains("<Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag><ChecksumSHA256>c1</ChecksumSHA256></Part>"));
    }

    #[test]
    fn upload_ids_are_read_and_encoded() {
        let target = ObjectRef::new("b", "k");
        let opts = ObjectOptions::default();
        let create = CreateMultipartUpload {
            target: &target,
            opts: &opts,
            checksum: None,
        };
        let id = create
            .parse(Response::of(
                200,
                &[],
                b"<InitiateMultipartUploadResult><UploadId>a/b+c</UploadId></InitiateMultipartUploadResult>",
            ))
            .expect("id");
        assert_eq!(id.id, "a/b+c");
        assert!(id.md5_etags);
        let kms = create
            .parse(Response::of(
                200,
                &[("x-amz-server-side-encryption", "aws:kms")],
                b"<InitiateMultipartUploadResult><UploadId>i</UploadId></InitiateMultipartUploadResult>",
            ))
            .expect("id");
        assert!(!kms.md5_etags, "SSE-KMS ETags are not MD5s");
        let id = id.id;
        assert!(
            create
                .parse(Response::of(200, &[], b"<InitiateMultipartUploadResult/>"))
                .is_err()
        );
        let up = Upload { target, id };
        let digests = Digests::of(b"", None);
        let part = UploadPart {
            upload: &up,
            number: 2,
            body: Body::Empty,
            digests: &digests,
        };
        let r = part.request();
        assert_eq!(r.query, "partNumber=2&uploadId=a%2Fb%2Bc");
        assert!(!r.follow_region);
        assert!(part.parse(Response::of(200, &[], b"")).is_err(), "no ETag");
        assert_eq!(
            part.parse(Response::of(200, &[("etag", "\"e\"")], b""))
                .map(|p| p.etag)
                .ok(),
            Some("\"e\"".into())
        );
        assert_eq!(AbortMultipartUpload(&up).request().query, "uploadId=a%2Fb%2Bc");
        let src = ObjectRef::new("src", "a b");
        let copy = UploadPartCopy {
            upload: &up,
            src: &src,
            number: 3,
            first: 0,
            last: 9,
        };
        let r = copy.request();
        assert!(
            r.headers
                .contains(&("x-amz-copy-source-range".into(), "bytes=0-9".into()))
        );
        assert_eq!(r.query, "partNumber=3&uploadId=a%2Fb%2Bc");
        assert_eq!(
            copy.parse(Response::of(
                200,
                &[],
                b"<CopyPartResult><ETag>&quot;e&quot;</ETag></CopyPartResult>"
            ))
            .map(|p| p.etag)
            .ok(),
            Some("\"e\"".into())
        );
    }
}
