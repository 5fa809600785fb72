//! An s3api command line's options as the operation's input document, typed by the model, as the AWS CLI
//! reads them: a scalar as written (a number, a timestamp), a structure, list or map as JSON (when it starts
//! with `{` or `[`) or in the shorthand syntax, `file://` and `fileb://` values read from the file; then the
//! document checked against the model (unknown or missing members, wrong types: usage errors, exit 252).

use crate::cli::s3api::customize;
use crate::cli::s3api::model::{Member, Operation, REQUIRED, Shape, shape};
use crate::cli::s3api::shorthand;
use crate::codec::json::{self, Value};
use crate::codec::time::parse_cli_timestamp as timestamp;
use crate::config::env::{Platform, expand_tilde};
use crate::error::{Error, Result};

/// An option as given: the member it sets and its values (several for a list given item by item; a
/// boolean's `true` or `false`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Given {
    /// The member.
    pub(crate) member: &'static str,
    /// Its values, as written.
    pub(crate) values: Vec<String>,
}

/// The input document of `op` from the options `given` (`file://` values read now, `~` in their paths
/// expanded with `home`).
pub(crate) fn input(op: &Operation, given: &[Given], home: Option<&str>) -> Result<Value> {
    let mut doc: Vec<(String, Value)> = Vec::new();
    for g in given {
        let Some(m) = op.inputs().iter().find(|m| m.name() == g.member) else {
            continue;
        };
        let mut values = Vec::with_capacity(g.values.len());
        for v in &g.values {
            let bytes = file_value(op, m, v, home)?;
            // An SSE-C key is bytes (`fileb://key.bin`): sent base64-encoded, with its MD5 unless given.
            if let Some([key, md5]) = customize::sse_key(m.name(), &bytes) {
                doc.push((key.0.to_owned(), Value::String(key.1)));
                if !given.iter().any(|g| g.member == md5.0) {
                    doc.push((md5.0.to_owned(), Value::String(md5.1)));
                }
                continue;
            }
            values.push(String::from_utf8(bytes).map_err(|_| {
                Error::usage(format!("--{}: the value is not UTF-8 text", m.cli()))
                    .with_hint("file:// reads text; fileb:// is for keys")
            })?);
        }
        if values.is_empty() {
            continue;
        }
        let v = member_value(m, &values).map_err(|e| bad(m, e))?;
        doc.push((m.name().to_owned(), v));
    }
    let doc = Value::Object(doc);
    if let Some(root) = op.input {
        check(shape(root), &doc, "").map_err(|e| {
            Error::usage(format!("Parameter validation failed: {e}"))
                .with_hint(format!("see 'awl s3api {} help'", op.cli()))
        })?;
    }
    Ok(doc)
}

fn bad(m: &Member, e: String) -> Error {
    let hint = match m.shape() {
        Shape::Structure { .. } | Shape::List { .. } | Shape::Map { .. } => {
            "give JSON, or the AWS CLI's shorthand (Key=value,...)".to_owned()
        }
        s => format!("--{} takes a {}", m.cli(), s.type_name()),
    };
    Error::usage(format!("bad value for --{}: {e}", m.cli())).with_hint(hint)
}

/// A value as bytes, or the contents of the file a `file://` or `fileb://` value names (`~` expanded), as
/// the AWS CLI reads them; not for the members the AWS CLI takes as written (a redirect location is a URL).
fn file_value(op: &Operation, m: &Member, v: &str, home: Option<&str>) -> Result<Vec<u8>> {
    let literal = m.name() == "WebsiteRedirectLocation";
    let path = match v.strip_prefix("file://").or_else(|| v.strip_prefix("fileb://")) {
        Some(path) if !literal => path,
        _ => return Ok(v.as_bytes().to_vec()),
    };
    let path = expand_tilde(path, home, Platform::current())?;
    std::fs::read(&path).map_err(|e| {
        Error::usage(format!("--{} of {}: cannot read {path}: {e}", m.cli(), op.cli()))
            .with_hint("file:// names a file to read the value from")
    })
}

/// The value of member `m` from what was written.
fn member_value(m: &Member, values: &[String]) -> std::result::Result<Value, String> {
    let first = values.first().map(String::as_str).unwrap_or_default();
    match m.shape() {
        Shape::List { item, .. } if !first.trim_start().starts_with('[') => {
            let item = shape(*item);
            let items = values
                .iter()
                .map(|v| text_value(item, v))
                .collect::<std::result::Result<_, _>>()?;
            Ok(Value::Array(items))
        }
        s => text_value(s, first),
    }
}

/// Text as a value of `s`: JSON or shorthand for a structure, list or map; the scalar otherwise.
fn text_value(s: &Shape, text: &str) -> std::result::Result<Value, String> {
    match s {
        Shape::Structure { .. } | Shape::Map { .. } | Shape::List { .. } => {
            let t = text.trim_start();
            let raw = if t.starts_with('{') || t.starts_with('[') {
                json::parse(text).map_err(|e| e.message().to_owned())?
            } else {
                shorthand::parse(text).map_err(|e| e.message().to_owned())?
            };
            coerce(s, raw)
        }
        _ => coerce(s, Value::string(text)),
    }
}

/// `v` converted to `s` where the shorthand leaves text (numbers, booleans) or one item for a list.
fn coerce(s: &Shape, v: Value) -> std::result::Result<Value, String> {
    Ok(match (s, v) {
        (s @ Shape::Structure { .. }, Value::Object(fields)) => {
            let members = s.members();
            let mut out = Vec::new();
            for (k, fv) in fields {
                let m = members.iter().find(|m| m.name() == k).ok_or_else(|| {
                    let names: Vec<&str> = members.iter().map(|m| m.name()).collect();
                    format!("unknown member \"{k}\", must be one of: {}", names.join(", "))
                })?;
                out.push((k, coerce(m.shape(), fv)?));
            }
            Value::Object(out)
        }
        (Shape::List { item, .. }, Value::Array(items)) => Value::Array(
            items
                .into_iter()
                .map(|i| coerce(shape(*item), i))
                .collect::<std::result::Result<_, _>>()?,
        ),
        (Shape::List { item, .. }, one) => Value::Array(vec![coerce(shape(*item), one)?]),
        (Shape::Map { value }, Value::Object(fields)) => Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| Ok((k, coerce(shape(*value), v)?)))
                .collect::<std::result::Result<_, String>>()?,
        ),
        (Shape::Int, Value::String(t)) => Value::Number(
            t.trim()
                .parse::<i64>()
                .map_err(|_| format!("{t:?} is not an integer"))?
                .to_string(),
        ),
        (Shape::Bool, Value::String(t)) => match t.to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(format!("{t:?} is not true or false")),
        },
        (Shape::Time(_), Value::String(t)) => {
            timestamp(&t)
                .ok_or_else(|| format!("{t:?} is not a timestamp (2030-01-31T12:00:00Z, or seconds)"))?;
            Value::String(t)
        }
        (_, v) => v,
    })
}

/// Checks `v` against `s` as botocore's validator does: required members there, types right.
fn check(s: &Shape, v: &Value, at: &str) -> std::result::Result<(), String> {
    let wrong = |want: &str| {
        format!(
            "Invalid type for parameter {}, value: {}, valid types: {want}",
            at.trim_start_matches('.'),
            json::to_string(v, json::Style::Compact)
        )
    };
    match (s, v) {
        (s @ Shape::Structure { .. }, Value::Object(fields)) => {
            let members = s.members();
            for m in members.iter() {
                match fields.iter().find(|(k, _)| k == m.name()) {
                    Some((_, fv)) => check(m.shape(), fv, &format!("{at}.{}", m.name()))?,
                    None if m.is(REQUIRED) => {
                        let place = if at.is_empty() {
                            "input"
                        } else {
                            at.trim_start_matches('.')
                        };
                        return Err(format!("Missing required parameter in {place}: \"{}\"", m.name()));
                    }
                    None => {}
                }
            }
            Ok(())
        }
        (Shape::Structure { .. }, _) => Err(wrong("dict")),
        (Shape::List { item, .. }, Value::Array(items)) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, x)| check(shape(*item), x, &format!("{at}[{i}]"))),
        (Shape::List { .. }, _) => Err(wrong("list, tuple")),
        (Shape::Map { value }, Value::Object(fields)) => fields
            .iter()
            .try_for_each(|(k, x)| check(shape(*value), x, &format!("{at}.{k}"))),
        (Shape::Map { .. }, _) => Err(wrong("dict")),
        (Shape::Int, Value::Number(n)) if n.parse::<i64>().is_ok() => Ok(()),
        (Shape::Int, _) => Err(wrong("int")),
        (Shape::Bool, Value::Bool(_)) => Ok(()),
        (Shape::Bool, _) => Err(wrong("bool")),
        (Shape::Time(_), Value::String(t)) if timestamp(t).is_some() => Ok(()),
        (Shape::Time(_), _) => Err(wrong("datetime.datetime, str")),
        (Shape::Str | Shape::Blob, Value::String(_)) => Ok(()),
        (Shape::Str, _) => Err(wrong("str")),
        (Shape::Blob, _) => Err(wrong("bytes, bytearray, file-like object")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::s3api::model::operation;
    use crate::codec::json::{Style, to_string};

    fn doc(op: &str, given: &[(&'static str, &[&str])]) -> Result<String> {
        let op = operation(op).expect("op");
        let given: Vec<Given> = given
            .iter()
            .map(|(m, v)| Given {
                member: m,
                values: v.iter().map(|s| s.to_string()).collect(),
            })
            .collect();
        input(op, &given, None).map(|v| to_string(&v, Style::Compact))
    }

    #[test]
    fn shorthand_and_json_give_the_same_typed_document() {
        let short = doc(
            "delete-objects",
            &[
                ("Bucket", &["b"]),
                ("Delete", &["Objects=[{Key=a},{Key=b}],Quiet=true"]),
            ],
        )
        .expect("ok");
        let json = doc(
            "delete-objects",
            &[
                ("Bucket", &["b"]),
                (
                    "Delete",
                    &[r#"{"Objects":[{"Key":"a"},{"Key":"b"}],"Quiet":true}"#],
                ),
            ],
        )
        .expect("ok");
        assert_eq!(short, json);
        assert_eq!(
            short,
            r#"{"Bucket":"b","Delete":{"Objects":[{"Key":"a"},{"Key":"b"}],"Quiet":true}}"#
        );
        assert_eq!(
            doc(
                "list-objects-v2",
                &[
                    ("Bucket", &["b"]),
                    ("MaxKeys", &["7"]),
                    ("OptionalObjectAttributes", &["RestoreStatus"])
                ]
            )
            .expect("ok"),
            r#"{"Bucket":"b","MaxKeys":7,"OptionalObjectAttributes":["RestoreStatus"]}"#
        );
        assert_eq!(
            doc(
                "create-bucket",
                &[
                    ("Bucket", &["b"]),
                    ("CreateBucketConfiguration", &["LocationConstraint=eu-west-1"])
                ]
            )
            .expect("ok"),
            r#"{"Bucket":"b","CreateBucketConfiguration":{"LocationConstraint":"eu-west-1"}}"#
        );
    }

    #[test]
    fn bad_documents_are_usage_errors_naming_the_member() {
        for (op, given, needle) in [
            (
                "delete-objects",
                vec![("Bucket", vec!["b"]), ("Delete", vec!["Objects=[{Kee=a}]"])],
                "unknown member \"Kee\"",
            ),
            (
                "delete-objects",
                vec![("Bucket", vec!["b"]), ("Delete", vec!["Quiet=true"])],
                "Missing required parameter in Delete: \"Objects\"",
            ),
            (
                "list-objects-v2",
                vec![("Bucket", vec!["b"]), ("MaxKeys", vec!["x"])],
                "--max-keys",
            ),
            (
                "put-object-retention",
                vec![
                    ("Bucket", vec!["b"]),
                    ("Key", vec!["k"]),
                    ("Retention", vec!["RetainUntilDate=soon"]),
                ],
                "timestamp",
            ),
            (
                "head-object",
                vec![("Bucket", vec!["b"])],
                "Missing required parameter in input: \"Key\"",
            ),
        ] {
            let given: Vec<(&'static str, &[&str])> = given.iter().map(|(m, v)| (*m, v.as_slice())).collect();
            let e = doc(op, &given).expect_err(needle);
            assert_eq!(e.exit_code(), 252);
            assert!(e.message().contains(needle), "{}", e.message());
        }
    }
}
