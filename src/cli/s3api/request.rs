//! An s3api call's parameters (a JSON document keyed by the model's member names, typed by the model) as an
//! S3 request, the way botocore's rest-xml serializer writes it: the URI template's bucket and key, its fixed
//! query, then each member where the model puts it (query, header, `x-amz-meta-*` headers, the XML body or the
//! raw payload). Pure: a streamed body (PutObject's `Body`) is given by the caller, already hashed.

use crate::cli::s3api::model::{
    ATTRIBUTE, FLATTENED, Loc, Member, Operation, STREAMING, Shape, TimeFormat, XMLNS,
};
use crate::codec::json::Value;
use crate::codec::time::{UtcDateTime, parse_cli_timestamp as timestamp};
use crate::codec::{base64, xml};
use crate::error::{Error, Result};
use crate::s3::checksum::{Algorithm, Digests};
use crate::s3::request::S3Request;
use crate::transport::request::Body;
use md5::{Digest, Md5};
use std::time::SystemTime;

/// S3's namespace, on the root element of every XML body (as botocore writes it).
const S3_NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// A streamed body: its bytes and their digests (SHA-256 signs it, the checksum is sent).
#[derive(Debug)]
pub(crate) struct Stream {
    /// The bytes.
    pub(crate) body: Body,
    /// Their SHA-256, and the checksum when one is sent.
    pub(crate) digests: Digests,
}

/// The request `op` sends for `input`. `stream` is the streamed payload, if the operation has one and it was
/// given; `checksums` says whether a checksum goes with a body when the operation does not require one
/// (`request_checksum_calculation`).
pub(crate) fn build(
    op: &Operation,
    input: &Value,
    stream: Option<Stream>,
    checksums: bool,
) -> Result<S3Request> {
    let text = |name: &str| input.get(name).and_then(scalar_text);
    let (path, fixed_query) = op.uri().split_once('?').unwrap_or((op.uri(), ""));
    let bucket = text("Bucket");
    let mut r = if path.contains("{Key+}") {
        let (Some(b), Some(k)) = (bucket.as_deref(), text("Key")) else {
            return Err(missing(op, "Bucket and Key"));
        };
        S3Request::object(op.method(), b, &k)
    } else {
        S3Request::new(op.method(), bucket.as_deref(), "")
    };
    if path.contains("{Bucket}") && bucket.is_none() {
        return Err(missing(op, "Bucket"));
    }
    let mut query: Vec<(String, String)> = fixed_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect();
    let mut body = Body::Empty;
    let mut xml_body = false;
    for m in op.inputs() {
        let Some(v) = input.get(m.name()) else { continue };
        match m.loc {
            Loc::Uri => {}
            Loc::Query => match v {
                Value::Array(items) => {
                    for i in items {
                        query.push((m.wire().to_owned(), value_text(m.shape(), i, TimeFormat::Iso8601)));
                    }
                }
                _ => query.push((m.wire().to_owned(), value_text(m.shape(), v, TimeFormat::Iso8601))),
            },
            Loc::Header => {
                let t = match v {
                    Value::Array(items) => {
                        let parts: Vec<String> = items
                            .iter()
                            .map(|i| value_text(m.shape(), i, TimeFormat::Rfc822))
                            .collect();
                        parts.join(",")
                    }
                    _ => value_text(m.shape(), v, TimeFormat::Rfc822),
                };
                r = r.header(m.wire().to_ascii_lowercase(), t);
            }
            Loc::Headers => {
                for (k, val) in v.as_object().unwrap_or_default() {
                    let t = scalar_text(val).unwrap_or_default();
                    r = r.header(
                        format!("{}{}", m.wire().to_ascii_lowercase(), k.to_ascii_lowercase()),
                        t,
                    );
                }
            }
            Loc::Body if m.is(STREAMING) => {}
            Loc::Body => match m.shape() {
                Shape::Structure { .. } => {
                    let mut out = String::new();
                    write_xml(&mut out, m, v, true);
                    body = Body::from_bytes(out.into_bytes());
                    xml_body = true;
                }
                Shape::Blob | Shape::Str => {
                    body = Body::from_bytes(scalar_text(v).unwrap_or_default().into_bytes());
                }
                _ => {}
            },
        }
    }
    let pairs: Vec<(&str, &str)> = query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    r = r.query(&pairs);
    attach_body(r, op, input, stream, body, xml_body, checksums)
}

/// The request with its body (the streamed one, or the one serialized), signed by its SHA-256, and the
/// checksum headers botocore sends with it.
fn attach_body(
    mut r: S3Request,
    op: &Operation,
    input: &Value,
    stream: Option<Stream>,
    body: Body,
    xml_body: bool,
    checksums: bool,
) -> Result<S3Request> {
    // The transport sends the body's own length; a Content-Length given that disagrees would break HTTP.
    r.headers.retain(|(n, _)| n != "content-length");
    let given_algorithm = r.headers.iter().any(|(n, _)| n == "x-amz-sdk-checksum-algorithm");
    // Checked even without a body: botocore refuses an algorithm it does not know before anything is sent,
    // and sends the checksum of an empty body (put-object without --body).
    let algorithm = checksum_algorithm(op, input, checksums)?;
    let digests = match stream {
        Some(s) => {
            r = r.body(s.body);
            Some(s.digests)
        }
        None if !body.is_empty() || xml_body || algorithm.is_some() => {
            let d = Digests::of(body.bytes(), algorithm);
            if op.checksum_required && !r.headers.iter().any(|(n, _)| n == "content-md5") {
                // S3-compatible stores demand Content-MD5 where S3 requires a checksum (DeleteObjects, ...);
                // botocore now sends CRC32 alone, which S3 accepts either way.
                r = r.header("content-md5", base64::encode(&Md5::digest(body.bytes())));
            }
            r = r.body(body);
            Some(d)
        }
        None => None,
    };
    if let Some(d) = digests {
        r.payload_hash = Some(hex::encode(d.sha256));
        for (n, v) in d.headers() {
            // The algorithm's own header once: the member already wrote it when the user named one.
            if !(given_algorithm && n == "x-amz-sdk-checksum-algorithm") {
                r = r.header(n, v);
            }
        }
    }
    Ok(r)
}

/// The checksum sent with `op`'s body, as botocore chooses it: none when the user gave a checksum value
/// (`--checksum-crc32 ...`), the algorithm the user named (`--checksum-algorithm`), else CRC32 where the
/// operation requires a checksum, or takes one and `checksums` (`request_checksum_calculation =
/// when_supported`) says to send it.
pub(crate) fn checksum_algorithm(
    op: &Operation,
    input: &Value,
    checksums: bool,
) -> Result<Option<Algorithm>> {
    let given_value = input.as_object().unwrap_or_default().iter().any(|(k, _)| {
        k.starts_with("Checksum") && k != "ChecksumAlgorithm" && k != "ChecksumMode" && k != "ChecksumType"
    });
    if given_value || (op.checksum_member().is_empty() && !op.checksum_required) {
        return Ok(None);
    }
    match input.get(op.checksum_member()).and_then(Value::as_str) {
        Some(name) => Algorithm::parse(name).map(Some).ok_or_else(|| {
            Error::usage(format!("Unsupported checksum algorithm: {name}"))
                .with_hint("awl sends CRC32, CRC32C, CRC64NVME, SHA1 or SHA256")
        }),
        None => Ok((checksums || op.checksum_required).then_some(Algorithm::Crc32)),
    }
}

fn missing(op: &Operation, what: &str) -> Error {
    Error::usage(format!("{} needs {what}", op.cli())).with_hint(format!("see 'awl s3api {} help'", op.cli()))
}

/// A scalar as text: strings as they are, numbers as written, booleans as `true`/`false`.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.clone()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A scalar value of `shape` as a query, header or element text; a timestamp in the model's format, else
/// `default`.
fn value_text(shape: &Shape, v: &Value, default: TimeFormat) -> String {
    match shape {
        Shape::Time(f) => scalar_text(v)
            .and_then(|t| timestamp(&t))
            .map(|t| format_time(t, f.unwrap_or(default)))
            .unwrap_or_else(|| scalar_text(v).unwrap_or_default()),
        Shape::Blob => base64::encode(scalar_text(v).unwrap_or_default().as_bytes()),
        _ => scalar_text(v).unwrap_or_default(),
    }
}

fn format_time(t: SystemTime, f: TimeFormat) -> String {
    let d = UtcDateTime::from_system_time(t);
    match f {
        TimeFormat::Iso8601 => d.rfc3339(),
        TimeFormat::Rfc822 => httpdate::fmt_http_date(t),
    }
}

/// Writes member `m` (value `v`) as XML: its element (or, for a flattened list, one element per item).
fn write_xml(out: &mut String, m: &Member, v: &Value, root: bool) {
    let name = m.wire();
    match (m.shape(), v) {
        (
            Shape::List {
                item,
                name: item_name,
            },
            Value::Array(items),
        ) => {
            let item_shape = crate::cli::s3api::model::shape(*item);
            if m.is(FLATTENED) {
                for i in items {
                    write_value(out, name, item_shape, i, "");
                }
            } else {
                out.push_str(&format!("<{name}>"));
                for i in items {
                    write_value(out, item_name.get(), item_shape, i, "");
                }
                out.push_str(&format!("</{name}>"));
            }
        }
        (shape, _) => {
            let ns = if root && m.is(XMLNS) {
                format!(" xmlns=\"{S3_NS}\"")
            } else {
                String::new()
            };
            write_value(out, name, shape, v, &ns);
        }
    }
}

/// Writes `<name attrs>value</name>` for a value of `shape`.
fn write_value(out: &mut String, name: &str, shape: &Shape, v: &Value, attrs: &str) {
    let mut attrs = attrs.to_owned();
    let inner = match shape {
        Shape::Structure { .. } => {
            let members = shape.members();
            let mut inner = String::new();
            for m in members.iter() {
                let Some(mv) = v.get(m.name()) else { continue };
                if m.is(ATTRIBUTE) {
                    // `xsi:type` of a grantee: its namespace declared beside it, as botocore writes it.
                    if let Some((prefix, _)) = m.wire().split_once(':') {
                        attrs.push_str(&format!(
                            " xmlns:{prefix}=\"http://www.w3.org/2001/XMLSchema-instance\""
                        ));
                    }
                    attrs.push_str(&format!(
                        " {}=\"{}\"",
                        m.wire(),
                        xml::escape(&scalar_text(mv).unwrap_or_default())
                    ));
                } else {
                    write_xml(&mut inner, m, mv, false);
                }
            }
            inner
        }
        Shape::List { .. } | Shape::Map { .. } => String::new(),
        _ => xml::escape(&value_text(shape, v, TimeFormat::Iso8601)),
    };
    out.push_str(&format!("<{name}{attrs}>{inner}</{name}>"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::s3api::model::operation;
    use crate::codec::json::parse;

    fn req(op: &str, input: &str) -> S3Request {
        let op = operation(op).expect("in the table");
        build(op, &parse(input).expect("json"), None, true).expect("builds")
    }

    #[test]
    fn members_go_where_the_model_puts_them() {
        let r = req(
            "list-objects-v2",
            r#"{"Bucket": "b", "Prefix": "a b/", "MaxKeys": 5, "FetchOwner": true, "EncodingType": "url"}"#,
        );
        assert_eq!(
            (r.method, r.bucket.as_deref(), r.key.as_str()),
            ("GET", Some("b"), "")
        );
        assert_eq!(
            r.query,
            "list-type=2&encoding-type=url&max-keys=5&prefix=a%20b%2F&fetch-owner=true"
        );
        let r = req(
            "put-object",
            r#"{"Bucket": "b", "Key": "d/k", "Metadata": {"Color": "red"}, "ContentType": "text/plain",
                "ObjectLockRetainUntilDate": "2030-01-02T03:04:05Z", "Expires": "2030-01-02"}"#,
        );
        assert_eq!(r.key, "d/k");
        assert!(r.names_object);
        for h in [
            ("content-type", "text/plain"),
            ("x-amz-meta-color", "red"),
            ("x-amz-object-lock-retain-until-date", "2030-01-02T03:04:05Z"),
            ("expires", "Wed, 02 Jan 2030 00:00:00 GMT"),
        ] {
            assert!(
                r.headers.contains(&(h.0.to_owned(), h.1.to_owned())),
                "{h:?} in {:?}",
                r.headers
            );
        }
    }

    #[test]
    fn bodies_are_xml_in_the_model_order_with_a_checksum() {
        let r = req(
            "delete-objects",
            r#"{"Bucket": "b", "Delete": {"Quiet": true, "Objects": [{"Key": "a&b"}, {"Key": "c", "VersionId": "1"}]}}"#,
        );
        assert_eq!(r.query, "delete=");
        assert_eq!(
            String::from_utf8_lossy(r.body.bytes()),
            format!(
                "<Delete xmlns=\"{S3_NS}\"><Object><Key>a&amp;b</Key></Object><Object><Key>c</Key><VersionId>1</VersionId></Object><Quiet>true</Quiet></Delete>"
            )
        );
        assert!(
            r.headers.iter().any(|(n, _)| n == "x-amz-checksum-crc32"),
            "{:?}",
            r.headers
        );
        let r = req(
            "put-bucket-tagging",
            r#"{"Bucket": "b", "Tagging": {"TagSet": [{"Key": "k", "Value": "v"}]}}"#,
        );
        assert_eq!(
            String::from_utf8_lossy(r.body.bytes()),
            format!(
                "<Tagging xmlns=\"{S3_NS}\"><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"
            )
        );
        let r = req(
            "put-bucket-lifecycle-configuration",
            r#"{"Bucket": "b", "LifecycleConfiguration": {"Rules": [{"ID": "x", "Status": "Enabled", "Filter": {"Prefix": ""},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]}}"#,
        );
        let text = String::from_utf8_lossy(r.body.bytes()).into_owned();
        assert!(
            text.starts_with(&format!(
                "<LifecycleConfiguration xmlns=\"{S3_NS}\"><Rule><ID>x</ID>"
            )),
            "{text}"
        );
        assert!(
            text.contains("<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation>"),
            "{text}"
        );
        let r = req(
            "put-bucket-policy",
            r#"{"Bucket": "b", "Policy": "{\"Version\": 1}"}"#,
        );
        assert_eq!(r.body.bytes(), b"{\"Version\": 1}");
    }

    #[test]
    fn a_missing_bucket_or_key_is_refused() {
        let op = operation("head-object").expect("op");
        assert!(build(op, &parse(r#"{"Bucket": "b"}"#).expect("json"), None, true).is_err());
        let op = operation("list-buckets").expect("op");
        let r = build(op, &parse("{}").expect("json"), None, true).expect("no bucket needed");
        assert_eq!(r.bucket, None);
    }
}
