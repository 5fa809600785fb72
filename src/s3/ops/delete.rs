//! DeleteObject, DeleteObjects (up to 1,000 keys a call, with the `Content-MD5` that S3 and S3-compatible
//! stores demand, keys escaped so that every key survives the XML round trip, each with its version when one
//! is meant), and DeleteBucket.

use crate::codec::{base64, xml};
use crate::error::{Error, Result};
use crate::s3::object::ObjectRef;
use crate::s3::operation::Operation;
use crate::s3::request::S3Request;
use crate::transport::request::{Body, Response};
use md5::{Digest, Md5};

/// S3's limit on the keys of one DeleteObjects call.
pub const MAX_KEYS: usize = 1000;

/// DeleteObject of one object (of its version, when one is meant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteObject<'a>(pub &'a ObjectRef);

impl Operation for DeleteObject<'_> {
    type Output = ();

    fn request(&self) -> S3Request {
        S3Request::for_object("DELETE", self.0)
    }

    fn what(&self) -> String {
        format!("DeleteObject {}", self.0)
    }

    fn parse(&self, _: Response) -> Result<()> {
        Ok(())
    }
}

/// DeleteBucket (which must be empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteBucket<'a>(pub &'a str);

impl Operation for DeleteBucket<'_> {
    type Output = ();

    fn request(&self) -> S3Request {
        S3Request::new("DELETE", Some(self.0), "")
    }

    fn what(&self) -> String {
        format!("DeleteBucket {}", self.0)
    }

    fn parse(&self, _: Response) -> Result<()> {
        Ok(())
    }
}

/// A key that DeleteObjects could not delete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The key.
    pub key: String,
    /// The version, when the answer names one (S3 does for a version asked for; moto never does).
    pub version_id: Option<String>,
    /// S3's error code.
    pub code: String,
    /// Its message.
    pub message: String,
}

impl Failure {
    /// Whether this failure is about `object`: its key, and its version unless one side names none (a
    /// failure that names no version counts against every version of its key, never for none).
    pub fn is_about(&self, object: &ObjectRef) -> bool {
        self.key == object.key
            && match (&self.version_id, &object.version_id) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

/// DeleteObjects of at most [`MAX_KEYS`] objects of one bucket, quiet (only failures are answered). An
/// object with a `version_id` is that version deleted for good (a version or a delete marker); one without
/// is the current object (in a versioned bucket: a delete marker added).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteObjects<'a> {
    /// The bucket.
    pub bucket: &'a str,
    /// The objects, all of `bucket` (their own `bucket` is not sent: the call names one bucket).
    pub objects: &'a [ObjectRef],
}

impl DeleteObjects<'_> {
    /// The request body.
    fn body(&self) -> String {
        let mut out =
            String::from("<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>");
        for o in self.objects {
            out.push_str("<Object><Key>");
            out.push_str(&xml::escape(&o.key));
            out.push_str("</Key>");
            if let Some(v) = &o.version_id {
                out.push_str("<VersionId>");
                out.push_str(&xml::escape(v));
                out.push_str("</VersionId>");
            }
            out.push_str("</Object>");
        }
        out.push_str("</Delete>");
        out
    }
}

impl Operation for DeleteObjects<'_> {
    type Output = Vec<Failure>;

    fn request(&self) -> S3Request {
        let body = self.body();
        let md5 = base64::encode(&Md5::digest(body.as_bytes()));
        S3Request::new("POST", Some(self.bucket), "")
            .query(&[("delete", "")])
            .header("content-md5", md5)
            .header("content-type", "application/xml")
            .body(Body::from_bytes(body.into_bytes()))
    }

    fn what(&self) -> String {
        format!("DeleteObjects s3://{}", self.bucket)
    }

    /// The failures the answer lists.
    fn parse(&self, resp: Response) -> Result<Vec<Failure>> {
        let doc = xml::parse(&String::from_utf8_lossy(&resp.body))?;
        let text = |e: &xml::Element, n: &str| {
            crate::codec::redact::sanitize(e.child_text(n).unwrap_or_default(), 300)
        };
        doc.children_named("Error")
            .map(|e| {
                Ok(Failure {
                    key: e
                        .text_at(&["Key"])
                        .ok_or_else(|| Error::data("DeleteObjects answered an error without its Key"))?
                        .to_owned(),
                    version_id: e
                        .child_text("VersionId")
                        .filter(|v| !v.is_empty())
                        .map(str::to_owned),
                    code: text(e, "Code"),
                    message: text(e, "Message"),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_carries_its_md5_and_failures_are_read() {
        let keys = vec!["a & b".to_owned(), "c<d".to_owned(), "e\r".to_owned()];
        let objects: Vec<ObjectRef> = keys.iter().map(|k| ObjectRef::new("b", k.as_str())).collect();
        let op = DeleteObjects {
            bucket: "b",
            objects: &objects,
        };
        let r = op.request();
        assert_eq!(r.query, "delete=");
        let body = String::from_utf8(r.body.bytes().to_vec()).expect("utf8");
        assert!(body.contains("<Key>a &amp; b</Key>") && body.contains("<Key>c&lt;d</Key>"));
        assert!(body.contains("<Key>e&#13;</Key>"), "a CR is kept as CR: {body}");
        let read: Vec<String> = xml::parse(&body)
            .expect("parses")
            .children_named("Object")
            .filter_map(|o| o.text_at(&["Key"]).map(str::to_owned))
            .collect();
        assert_eq!(read, keys, "every key reads back as written");
        let md5 = r
            .headers
            .iter()
            .find(|(n, _)| n == "content-md5")
            .map(|(_, v)| v.clone());
        assert_eq!(md5, Some(base64::encode(&Md5::digest(body.as_bytes()))));
        let f = op
            .parse(Response::of(
                200,
                &[],
                b"<DeleteResult><Deleted><Key>x</Key></Deleted><Error><Key>y</Key><Code>AccessDenied</Code>\
                  <Message>no</Message></Error></DeleteResult>",
            ))
            .expect("parses");
        assert_eq!(
            f,
            vec![Failure {
                key: "y".into(),
                version_id: None,
                code: "AccessDenied".into(),
                message: "no".into()
            }]
        );
        let v = ObjectRef::new("b", "k").at_version("3");
        assert_eq!(DeleteObject(&v).request().query, "versionId=3");
        assert!(!body.contains("VersionId"), "no version meant, none sent: {body}");
    }

    #[test]
    fn versions_are_sent_and_failures_matched_by_them() {
        let objects = [
            ObjectRef::new("b", "k").at_version("v<1"),
            ObjectRef::new("b", "k").at_version("null"),
            ObjectRef::new("b", "plain"),
        ];
        let op = DeleteObjects {
            bucket: "b",
            objects: &objects,
        };
        let body = String::from_utf8(op.request().body.bytes().to_vec()).expect("utf8");
        let doc = xml::parse(&body).expect("parses");
        let read: Vec<_> = doc
            .children_named("Object")
            .map(|o| (o.child_text("Key"), o.child_text("VersionId")))
            .collect();
        assert_eq!(
            read,
            [
                (Some("k"), Some("v<1")),
                (Some("k"), Some("null")),
                (Some("plain"), None)
            ]
        );
        let f = op
            .parse(Response::of(
                200,
                &[],
                b"<DeleteResult><Error><Key>k</Key><VersionId>null</VersionId><Code>AccessDenied</Code>\
                  <Message>locked</Message></Error><Error><Key>plain</Key><Code>X</Code></Error></DeleteResult>",
            ))
            .expect("parses");
        assert_eq!(f[0].version_id.as_deref(), Some("null"));
        let about: Vec<Vec<bool>> = f
            .iter()
            .map(|f| objects.iter().map(|o| f.is_about(o)).collect())
            .collect();
        assert_eq!(about, [[false, true, false], [false, false, true]]);
        // A failure without its version counts against every version of its key.
        let bare = Failure {
            version_id: None,
            ..f[0].clone()
        };
        assert!(bare.is_about(&objects[0]) && bare.is_about(&objects[1]));
    }
}
