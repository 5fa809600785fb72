//! botocore's S3 customisations of a request that the model does not say (`botocore/handlers.py`), applied to
//! the input document before it is serialized: the bucket name checked, `EncodingType=url` for the listings
//! it decodes, `ChecksumMode=ENABLED` where the answer's checksum can be checked, `CopySource` percent-encoded,
//! metadata kept to ASCII, and an SSE-C key sent base64-encoded with its MD5. Pure. (The customisations of
//! the answer, GetBucketLocation, decoded names and `ExpiresString`, are in `response`.)

use crate::cli::s3api::model::Operation;
use crate::codec::json::Value;
use crate::codec::{base64, percent};
use crate::error::{Error, Result};
use crate::s3::address::valid_bucket;
use md5::{Digest, Md5};

/// The listings botocore asks for url-encoded names (and decodes), unless the user names an encoding.
const ENCODED_LISTINGS: [&str; 3] = ["ListObjects", "ListObjectsV2", "ListObjectVersions"];

/// The members holding an SSE-C key, and the member of its MD5.
const SSE_KEYS: [(&str, &str); 2] = [
    ("SSECustomerKey", "SSECustomerKeyMD5"),
    ("CopySourceSSECustomerKey", "CopySourceSSECustomerKeyMD5"),
];

/// Applies the customisations to `input` for `op`; `checks` says whether answers' checksums are checked
/// (`response_checksum_validation`). Returns whether awl set `EncodingType` (so the names are decoded).
pub(crate) fn before_send(op: &Operation, input: &mut Value, checks: bool) -> Result<bool> {
    let usage = |m: String| Error::usage(m).with_hint(format!("see 'awl s3api {} help'", op.cli()));
    let Value::Object(members) = input else {
        return Ok(false);
    };
    if let Some(Value::String(b)) = find(members, "Bucket")
        && !valid_bucket(b)
    {
        return Err(usage(format!(
            "Invalid bucket name \"{}\": Bucket name must match the regex \"^[a-zA-Z0-9.\\-_]{{1,255}}$\"",
            crate::codec::redact::sanitize(b, 80)
        )));
    }
    if let Some(Value::Object(meta)) = find(members, "Metadata")
        && let Some((k, v)) = meta
            .iter()
            .find(|(k, v)| !k.is_ascii() || !v.as_str().is_some_and(str::is_ascii))
    {
        return Err(usage(format!(
            "Non ascii characters found in S3 metadata for key \"{}\", value: {}: S3 metadata can only contain ASCII characters",
            crate::codec::redact::sanitize(k, 80),
            crate::codec::redact::sanitize(v.as_str().unwrap_or_default(), 80)
        )));
    }
    if let Some(Value::String(source)) = find_mut(members, "CopySource") {
        *source = quote_copy_source(source);
    }
    let set_encoding = ENCODED_LISTINGS.contains(&op.name()) && find(members, "EncodingType").is_none();
    if set_encoding {
        members.push(("EncodingType".to_owned(), Value::string("url")));
    }
    let mode = op.checksum_mode();
    if !mode.is_empty() && checks && find(members, mode).is_none() {
        members.push((mode.to_owned(), Value::string("ENABLED")));
    }
    Ok(set_encoding)
}

/// An SSE-C key member's value as sent, and its MD5 member's (botocore's `sse_md5`): the key's bytes
/// base64-encoded, and the MD5 of those bytes. `None` if `member` holds no key.
pub(crate) fn sse_key(member: &str, key: &[u8]) -> Option<[(&'static str, String); 2]> {
    let (name, md5_name) = SSE_KEYS.iter().find(|(k, _)| *k == member)?;
    Some([
        (name, base64::encode(key)),
        (md5_name, base64::encode(&Md5::digest(key))),
    ])
}

/// `x-amz-copy-source` as botocore quotes it: percent-encoded with `/` and `-._~` kept, a trailing
/// `?versionId=...` left as it is.
fn quote_copy_source(source: &str) -> String {
    let (path, version) = match source.rfind("?versionId=") {
        Some(i) if !source[i..].contains(char::is_whitespace) => source.split_at(i),
        _ => (source, ""),
    };
    format!("{}{version}", percent::encode_path(path))
}

fn find<'a>(members: &'a [(String, Value)], name: &str) -> Option<&'a Value> {
    members.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn find_mut<'a>(members: &'a mut [(String, Value)], name: &str) -> Option<&'a mut Value> {
    members.iter_mut().find(|(k, _)| k == name).map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::s3api::model::operation;
    use crate::codec::json::{Style, parse, to_string};

    fn apply(op: &str, input: &str) -> Result<(String, bool)> {
        let mut v = parse(input).expect("json");
        let set = before_send(operation(op).expect("op"), &mut v, true)?;
        Ok((to_string(&v, Style::Compact), set))
    }

    #[test]
    fn requests_are_customised_as_botocore_does() {
        assert_eq!(
            apply("list-objects-v2", r#"{"Bucket":"b"}"#).expect("ok"),
            (r#"{"Bucket":"b","EncodingType":"url"}"#.to_owned(), true)
        );
        assert!(
            !apply("list-objects-v2", r#"{"Bucket":"b","EncodingType":"url"}"#)
                .expect("ok")
                .1
        );
        assert_eq!(
            apply("get-object", r#"{"Bucket":"b","Key":"k"}"#).expect("ok").0,
            r#"{"Bucket":"b","Key":"k","ChecksumMode":"ENABLED"}"#
        );
        assert_eq!(
            apply(
                "copy-object",
                r#"{"Bucket":"b","Key":"k","CopySource":"src/a b/ü+x?versionId=v1"}"#
            )
            .expect("ok")
            .0,
            r#"{"Bucket":"b","Key":"k","CopySource":"src/a%20b/%C3%BC%2Bx?versionId=v1"}"#
        );
        for (op, input, needle) in [
            ("head-bucket", r#"{"Bucket":"b/.."}"#, "Invalid bucket name"),
            (
                "put-object",
                r#"{"Bucket":"b","Key":"k","Metadata":{"a":"é"}}"#,
                "Non ascii",
            ),
        ] {
            let e = apply(op, input).expect_err(needle);
            assert_eq!(e.exit_code(), 252);
            assert!(e.message().contains(needle), "{}", e.message());
        }
    }

    #[test]
    fn an_sse_c_key_goes_base64_with_its_md5() {
        // The AWS CLI's values for the key 01234567890123456789012345678901.
        let [key, md5] = sse_key("SSECustomerKey", b"01234567890123456789012345678901").expect("a key");
        assert_eq!(
            key,
            (
                "SSECustomerKey",
                "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=".to_owned()
            )
        );
        assert_eq!(md5, ("SSECustomerKeyMD5", "KYvwGXoFFJ42a2u2GDWhwQ==".to_owned()));
        assert!(sse_key("Key", b"x").is_none());
    }
}
