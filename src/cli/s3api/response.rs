//! An S3 answer as the JSON document the AWS CLI prints, the way botocore's rest-xml parser reads it with the
//! model: the header members first (model order), then the payload or the XML body's members (model order),
//! each typed by its shape (numbers as numbers, booleans, timestamps as the AWS CLI v2 prints them); members
//! not in the answer left out, `Metadata` always there. Then botocore's S3 customizations: GetBucketLocation
//! read from the root's text, listings' url-encoded names decoded when awl asked for the encoding, and
//! `ExpiresString` beside `Expires`. Pure.

use crate::cli::s3api::model::{FLATTENED, Loc, Member, Operation, STREAMING, Shape, TimeFormat, shape};
use crate::codec::json::Value;
use crate::codec::percent;
use crate::codec::time::{UtcDateTime, iso8601_v2, parse_http_date};
use crate::codec::xml::{self, Element};
use crate::error::{Error, Result};
use crate::transport::request::Response;
use std::time::SystemTime;

/// The document for `resp`, an answer to `op`. `encoding_set`: awl added `EncodingType=url` to a listing
/// (the user did not ask for an encoding), so the names it gives back are decoded.
pub(crate) fn parse(op: &Operation, resp: &Response, encoding_set: bool) -> Result<Value> {
    let Some(out) = op.output.map(shape) else {
        return Ok(Value::Object(Vec::new()));
    };
    let bad = |what: &str| Error::data(format!("{}: {what}", op.name()));
    let mut doc: Vec<(String, Value)> = Vec::new();
    for m in out.members() {
        match m.loc {
            Loc::Header => {
                if let Some(v) = resp.header(&m.wire().to_ascii_lowercase()) {
                    if m.name() == "Expires" && header_time(v, None).is_none() {
                        continue; // botocore drops an Expires it cannot read; ExpiresString keeps it
                    }
                    let parsed = header_value(m.shape(), v).ok_or_else(|| {
                        bad(&format!(
                            "header {} {v:?} is not a {}",
                            m.wire(),
                            m.shape().type_name()
                        ))
                    })?;
                    doc.push((m.name().to_owned(), parsed));
                }
            }
            Loc::Headers => {
                let prefix = m.wire().to_ascii_lowercase();
                let map = resp
                    .headers
                    .iter()
                    .filter_map(|(n, v)| {
                        n.strip_prefix(&prefix)
                            .map(|k| (k.to_owned(), Value::string(v.clone())))
                    })
                    .collect();
                doc.push((m.name().to_owned(), Value::Object(map)));
            }
            Loc::Body | Loc::Uri | Loc::Query => {}
        }
    }
    if op.name() == "GetBucketLocation" {
        let root = xml::parse(&body_text(resp)?)?;
        let region = if root.text.is_empty() {
            Value::Null
        } else {
            Value::string(root.text)
        };
        doc.push(("LocationConstraint".to_owned(), region));
        return Ok(Value::Object(doc));
    }
    match out.payload() {
        Some(p) if p.is(STREAMING) => {}
        Some(p) => match p.shape() {
            Shape::Str | Shape::Blob => doc.push((p.name().to_owned(), Value::string(body_text(resp)?))),
            s => {
                let root = body_root(resp)?.unwrap_or_default();
                doc.push((p.name().to_owned(), element(s, &root, op)?));
            }
        },
        None => {
            if let Some(root) = body_root(resp)?
                && let Value::Object(members) = element(out, &root, op)?
            {
                doc.extend(members);
            }
        }
    }
    if let Some(v) = out
        .members()
        .iter()
        .find(|m| m.name() == "Expires" && m.loc == Loc::Header)
        .and_then(|m| resp.header(&m.wire().to_ascii_lowercase()))
    {
        doc.push(("ExpiresString".to_owned(), Value::string(v)));
    }
    let mut doc = Value::Object(doc);
    if encoding_set && doc.get("EncodingType").and_then(Value::as_str) == Some("url") {
        decode_names(op.name(), &mut doc);
    }
    Ok(doc)
}

fn body_text(resp: &Response) -> Result<String> {
    String::from_utf8(resp.body.clone()).map_err(|_| Error::data("the answer's body is not UTF-8"))
}

/// The body's root element; `None` for an empty body.
fn body_root(resp: &Response) -> Result<Option<Element>> {
    if resp.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    xml::parse(&body_text(resp)?).map(Some)
}

/// A header's value as `shape` types it; `None` if it is not one.
fn header_value(s: &Shape, v: &str) -> Option<Value> {
    match s {
        Shape::Time(f) => header_time(v, *f).map(Value::string),
        _ => scalar(s, v, TimeFormat::Rfc822),
    }
}

fn header_time(v: &str, f: Option<TimeFormat>) -> Option<String> {
    match f {
        // The fraction kept, as Python's isoformat prints it.
        Some(TimeFormat::Iso8601) => iso8601_v2(v),
        _ => parse_http_date(v).ok().map(v2_time).or_else(|| iso8601_v2(v)),
    }
}

/// A time as the AWS CLI v2 prints it (`2026-12-07T12:00:00+00:00`).
fn v2_time(t: SystemTime) -> String {
    iso8601_v2(&UtcDateTime::from_system_time(t).rfc3339()).unwrap_or_default()
}

/// Text as a scalar of `s`; `None` if it is not one.
fn scalar(s: &Shape, text: &str, default: TimeFormat) -> Option<Value> {
    Some(match s {
        Shape::Int => Value::Number(text.trim().parse::<i64>().ok()?.to_string()),
        Shape::Bool => Value::Bool(text == "true"),
        Shape::Time(f) => match f.unwrap_or(default) {
            TimeFormat::Rfc822 => Value::string(v2_time(parse_http_date(text).ok()?)),
            TimeFormat::Iso8601 => Value::string(iso8601_v2(text)?),
        },
        _ => Value::string(text),
    })
}

/// An element read as `s`.
fn element(s: &Shape, e: &Element, op: &Operation) -> Result<Value> {
    Ok(match s {
        Shape::Structure { .. } => {
            let members = s.members();
            let mut out = Vec::new();
            for m in members.iter().filter(|m| m.loc == Loc::Body) {
                if let Some(v) = member(m, e, op)? {
                    out.push((m.name().to_owned(), v));
                }
            }
            Value::Object(out)
        }
        Shape::List { item, .. } => {
            let item = shape(*item);
            Value::Array(
                e.children
                    .iter()
                    .map(|c| element(item, c, op))
                    .collect::<Result<_>>()?,
            )
        }
        Shape::Map { .. } => Value::Object(Vec::new()),
        _ => scalar(s, &e.text, TimeFormat::Iso8601).ok_or_else(|| {
            Error::data(format!(
                "{}: <{}> {:?} is not a {}",
                op.name(),
                e.name,
                crate::codec::redact::sanitize(&e.text, 60),
                s.type_name()
            ))
        })?,
    })
}

/// Member `m` of the structure element `e`, if it is there.
fn member(m: &Member, e: &Element, op: &Operation) -> Result<Option<Value>> {
    let name = m.wire();
    if let (Shape::List { item, .. }, true) = (m.shape(), m.is(FLATTENED)) {
        let item = shape(*item);
        let items: Vec<Value> = e
            .children_named(name)
            .map(|c| element(item, c, op))
            .collect::<Result<_>>()?;
        return Ok((!items.is_empty()).then_some(Value::Array(items)));
    }
    e.child(name).map(|c| element(m.shape(), c, op)).transpose()
}

/// botocore's decoding of the names a listing gives url-encoded (`unquote_plus`).
fn decode_names(op: &str, doc: &mut Value) {
    let (top, nested): (&[&str], &[(&str, &str)]) = match op {
        "ListObjects" => (
            &["Delimiter", "Marker", "NextMarker"],
            &[("Contents", "Key"), ("CommonPrefixes", "Prefix")],
        ),
        "ListObjectsV2" => (
            &["Delimiter", "Prefix", "StartAfter"],
            &[("Contents", "Key"), ("CommonPrefixes", "Prefix")],
        ),
        "ListObjectVersions" => (
            &["KeyMarker", "NextKeyMarker", "Prefix", "Delimiter"],
            &[
                ("Versions", "Key"),
                ("DeleteMarkers", "Key"),
                ("CommonPrefixes", "Prefix"),
            ],
        ),
        _ => return,
    };
    let Value::Object(members) = doc else { return };
    for (k, v) in members.iter_mut() {
        if top.contains(&k.as_str()) {
            decode(v);
        }
        if let (Some((_, child)), Value::Array(items)) = (nested.iter().find(|(t, _)| t == k), v) {
            for item in items {
                if let Value::Object(fields) = item {
                    fields
                        .iter_mut()
                        .filter(|(n, _)| n == child)
                        .for_each(|(_, v)| decode(v));
                }
            }
        }
    }
}

fn decode(v: &mut Value) {
    if let Value::String(s) = v
        && let Some(d) = percent::decode_plus(s)
    {
        *s = d;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::s3api::model::operation;
    use crate::codec::json::{Style, to_string};

    fn doc(op: &str, headers: &[(&str, &str)], body: &str, set: bool) -> String {
        let op = operation(op).expect("op");
        to_string(
            &parse(op, &Response::of(200, headers, body), set).expect("parses"),
            Style::Compact,
        )
    }

    #[test]
    fn headers_then_body_in_model_order_typed() {
        let d = doc(
            "head-object",
            &[
                ("content-length", "12"),
                ("last-modified", "Mon, 07 Dec 2026 12:45:00 GMT"),
                ("etag", "\"abc\""),
                ("x-amz-meta-color", "red"),
                ("accept-ranges", "bytes"),
                ("x-amz-object-lock-retain-until-date", "2030-01-02T03:04:05.120Z"),
            ],
            "",
            false,
        );
        assert_eq!(
            d,
            r#"{"AcceptRanges":"bytes","LastModified":"2026-12-07T12:45:00+00:00","ContentLength":12,"ETag":"\"abc\"","Metadata":{"color":"red"},"ObjectLockRetainUntilDate":"2030-01-02T03:04:05.120000+00:00"}"#
        );
        let d = doc(
            "list-objects-v2",
            &[],
            "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a%2Bb+c</Key><Size>3</Size><ChecksumAlgorithm>CRC32</ChecksumAlgorithm></Contents>\
             <Contents><Key>z</Key><Size>1</Size></Contents><Name>b</Name><Prefix></Prefix><KeyCount>2</KeyCount><EncodingType>url</EncodingType></ListBucketResult>",
            true,
        );
        assert_eq!(
            d,
            r#"{"IsTruncated":false,"Contents":[{"Key":"a+b c","ChecksumAlgorithm":["CRC32"],"Size":3},{"Key":"z","Size":1}],"Name":"b","Prefix":"","EncodingType":"url","KeyCount":2}"#
        );
    }

    #[test]
    fn the_special_answers() {
        assert_eq!(
            doc("get-bucket-location", &[], "<LocationConstraint/>", false),
            r#"{"LocationConstraint":null}"#
        );
        assert_eq!(
            doc(
                "get-bucket-location",
                &[],
                "<LocationConstraint>eu-west-1</LocationConstraint>",
                false
            ),
            r#"{"LocationConstraint":"eu-west-1"}"#
        );
        assert_eq!(
            doc("get-bucket-policy", &[], "{\"a\": 1}", false),
            r#"{"Policy":"{\"a\": 1}"}"#
        );
        assert_eq!(
            doc(
                "get-bucket-versioning",
                &[],
                "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
                false
            ),
            r#"{"Status":"Enabled"}"#
        );
        assert_eq!(
            doc(
                "get-object-retention",
                &[],
                "<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>",
                false
            ),
            r#"{"Retention":{"Mode":"GOVERNANCE","RetainUntilDate":"2030-01-01T00:00:00+00:00"}}"#
        );
        assert_eq!(doc("delete-bucket", &[], "", false), "{}");
    }

    #[test]
    fn a_bad_number_is_an_error_naming_it() {
        let op = operation("list-objects-v2").expect("op");
        let e = parse(
            op,
            &Response::of(
                200,
                &[],
                "<ListBucketResult><KeyCount>x</KeyCount></ListBucketResult>",
            ),
            false,
        )
        .expect_err("not a number");
        assert!(e.message().contains("KeyCount"), "{}", e.message());
    }

    /// Two answers moto 5.2 cannot give (it has no GetObjectRetention and no ObjectParts), as AWS documents
    /// them; the expected documents are what botocore 1.43.62's RestXMLParser makes of the same bytes.
    #[test]
    fn answers_moto_cannot_give_read_as_botocore_reads_them() {
        let d = doc(
            "get-object-attributes",
            &[
                ("last-modified", "Mon, 07 Dec 2026 12:45:00 GMT"),
                ("x-amz-version-id", "v1"),
            ],
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GetObjectAttributesResponse xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
             <ETag>6b4c4d6b</ETag><ObjectParts><IsTruncated>false</IsTruncated><MaxParts>1000</MaxParts>\
             <NextPartNumberMarker>2</NextPartNumberMarker><PartNumberMarker>0</PartNumberMarker><Part>\
             <ChecksumSHA256>AAAA</ChecksumSHA256><PartNumber>1</PartNumber><Size>5242880</Size></Part><Part>\
             <PartNumber>2</PartNumber><Size>1</Size></Part><PartsCount>2</PartsCount></ObjectParts>\
             <StorageClass>STANDARD</StorageClass><ObjectSize>5242881</ObjectSize></GetObjectAttributesResponse>",
            false,
        );
        assert_eq!(
            d,
            r#"{"LastModified":"2026-12-07T12:45:00+00:00","VersionId":"v1","ETag":"6b4c4d6b","ObjectParts":{"TotalPartsCount":2,"PartNumberMarker":0,"NextPartNumberMarker":2,"MaxParts":1000,"IsTruncated":false,"Parts":[{"PartNumber":1,"Size":5242880,"ChecksumSHA256":"AAAA"},{"PartNumber":2,"Size":1}]},"StorageClass":"STANDARD","ObjectSize":5242881}"#
        );
        assert_eq!(
            doc(
                "get-object-retention",
                &[],
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
                 <Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01T00:00:00.000Z</RetainUntilDate></Retention>",
                false
            ),
            r#"{"Retention":{"Mode":"GOVERNANCE","RetainUntilDate":"2030-01-01T00:00:00+00:00"}}"#
        );
        assert_eq!(
            doc(
                "get-object-lock-configuration",
                &[],
                "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>\
                 <Mode>COMPLIANCE</Mode><Days>30</Days></DefaultRetention></Rule></ObjectLockConfiguration>",
                false
            ),
            r#"{"ObjectLockConfiguration":{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Mode":"COMPLIANCE","Days":30}}}}"#
        );
    }
}
