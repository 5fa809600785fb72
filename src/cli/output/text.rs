//! `--output text`: `awscli/text.py` (`format_text`), the same in v1 and v2.
//!
//! A dict prints its scalars on one tab-separated line, sorted by key, after the uppercased key it sits
//! under; its lists and dicts follow as their own lines, sorted by key. A list of dicts prints one line per
//! dict with the union of their scalar keys (sorted; a missing key prints empty). A list of scalars prints on
//! one line, or one `KEY\tvalue` line each under a key. Values print as Python's `str()` does.

use super::{Py, python_str};

/// Writes `doc` to `out` as `format_text` does. On a list mixing dicts with other values the AWS CLI raises
/// (`AttributeError`) after writing what came before: the message is returned, `out` keeps those lines.
pub(super) fn format_text(doc: &Py, out: &mut String) -> Result<(), String> {
    item(doc, out, None, None)
}

fn item(
    v: &Py,
    out: &mut String,
    identifier: Option<&str>,
    scalar_keys: Option<&[&str]>,
) -> Result<(), String> {
    match v {
        Py::Dict(members) => dict(members, out, identifier, scalar_keys),
        Py::List(items) => list(items, out, identifier),
        scalar => {
            out.push_str(&python_str(scalar));
            out.push('\n');
            Ok(())
        }
    }
}

fn list(items: &[Py], out: &mut String, identifier: Option<&str>) -> Result<(), String> {
    if items.iter().any(|el| matches!(el, Py::Dict(_))) {
        let keys = all_scalar_keys(items)?;
        for el in items {
            item(el, out, identifier, Some(&keys))?;
        }
    } else if items.iter().any(|el| matches!(el, Py::List(_))) {
        // Scalars first on their own line(s), then each nested list.
        let (scalars, nested): (Vec<&Py>, Vec<&Py>) = items.iter().partition(|el| !el.is_container());
        if !scalars.is_empty() {
            scalar_list(&scalars, out, identifier);
        }
        for el in nested {
            item(el, out, identifier, None)?;
        }
    } else if !items.is_empty() {
        scalar_list(&items.iter().collect::<Vec<_>>(), out, identifier);
    }
    Ok(())
}

fn scalar_list(items: &[&Py], out: &mut String, identifier: Option<&str>) {
    match identifier {
        Some(id) => {
            let id = id.to_uppercase();
            for el in items {
                out.push_str(&id);
                out.push('\t');
                out.push_str(&python_str(el));
                out.push('\n');
            }
        }
        None => {
            let line: Vec<String> = items.iter().map(|el| python_str(el)).collect();
            out.push_str(&line.join("\t"));
            out.push('\n');
        }
    }
}

fn dict(
    members: &[(String, Py)],
    out: &mut String,
    identifier: Option<&str>,
    scalar_keys: Option<&[&str]>,
) -> Result<(), String> {
    let mut scalars: Vec<String> = Vec::new();
    let mut nested: Vec<(&str, &Py)> = Vec::new();
    match scalar_keys {
        None => {
            let mut sorted: Vec<&(String, Py)> = members.iter().collect();
            // Python sorts str by code point, which is UTF-8 byte order.
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            for (k, v) in sorted {
                if v.is_container() {
                    nested.push((k, v));
                } else {
                    scalars.push(python_str(v));
                }
            }
        }
        Some(keys) => {
            // Every key that is a scalar in some dict of the list, in this dict or not; a value that is a
            // container here prints as its repr, as `str()` would.
            for key in keys {
                let v = members.iter().find(|(k, _)| k == key).map(|(_, v)| v);
                scalars.push(v.map(python_str).unwrap_or_default());
            }
            let mut rest: Vec<&(String, Py)> = members
                .iter()
                .filter(|(k, _)| !keys.contains(&k.as_str()))
                .collect();
            rest.sort_by(|a, b| a.0.cmp(&b.0));
            nested.extend(rest.into_iter().map(|(k, v)| (k.as_str(), v)));
        }
    }
    if !scalars.is_empty() {
        if let Some(id) = identifier {
            scalars.insert(0, id.to_uppercase());
        }
        out.push_str(&scalars.join("\t"));
        out.push('\n');
    }
    for (k, v) in nested {
        item(v, out, Some(k), None)?;
    }
    Ok(())
}

/// The keys with a scalar value in any of the dicts, sorted. Every element must be a dict: Python calls
/// `.items()` on each and fails on anything else.
fn all_scalar_keys(items: &[Py]) -> Result<Vec<&str>, String> {
    let mut keys: Vec<&str> = Vec::new();
    for el in items {
        let Py::Dict(members) = el else {
            return Err(format!("'{}' object has no attribute 'items'", el.type_name()));
        };
        keys.extend(
            members
                .iter()
                .filter(|(_, v)| !v.is_container())
                .map(|(k, _)| k.as_str()),
        );
    }
    keys.sort_unstable();
    keys.dedup();
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::json;

    fn text(doc: &str) -> Result<String, (String, String)> {
        let v = Py::from_json(&json::parse(doc).expect("test document"));
        let mut out = String::new();
        format_text(&v, &mut out)
            .map(|()| out.clone())
            .map_err(|e| (out, e))
    }

    #[test]
    fn an_object_prints_its_scalars_sorted_on_one_line() {
        let doc =
            r#"{"UserId": "AIDA", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/alice"}"#;
        assert_eq!(
            text(doc).ok().as_deref(),
            Some("123456789012\tarn:aws:iam::123456789012:user/alice\tAIDA\n")
        );
    }

    #[test]
    fn nested_objects_and_lists_follow_under_their_uppercased_key() {
        let doc = r#"{"Credentials": {"SessionToken": "t", "AccessKeyId": "ASIA", "Expiration": "2026"},
                      "AssumedRoleUser": {"Arn": "arn", "AssumedRoleId": "AROA:s"}, "PackedPolicySize": 6}"#;
        assert_eq!(
            text(doc).ok().as_deref(),
            Some("6\nASSUMEDROLEUSER\tarn\tAROA:s\nCREDENTIALS\tASIA\t2026\tt\n")
        );
    }

    #[test]
    fn a_list_of_objects_prints_the_union_of_their_scalar_keys() {
        let doc = r#"{"Buckets": [{"Name": "b", "CreationDate": "d"}, {"Name": "c", "Region": "eu"}],
                      "Owner": {"ID": "id"}}"#;
        assert_eq!(
            text(doc).ok().as_deref(),
            Some("BUCKETS\td\tb\t\nBUCKETS\t\tc\teu\nOWNER\tid\n")
        );
    }

    #[test]
    fn lists_of_scalars_and_lists_of_lists() {
        assert_eq!(
            text(r#"["a", 1, null, true, 1.0]"#).ok().as_deref(),
            Some("a\t1\tNone\tTrue\t1.0\n")
        );
        assert_eq!(text(r#"{"K": ["x", "y"]}"#).ok().as_deref(), Some("K\tx\nK\ty\n"));
        assert_eq!(
            text(r#"[[1, 2], 3, [4, [5]]]"#).ok().as_deref(),
            Some("3\n1\t2\n4\n5\n")
        );
        assert_eq!(
            text(r#"{"k": [[1, 2], 3]}"#).ok().as_deref(),
            Some("K\t3\nK\t1\nK\t2\n")
        );
        assert_eq!(text("[]").ok().as_deref(), Some(""));
        assert_eq!(text("{}").ok().as_deref(), Some(""));
        assert_eq!(text(r#"{"a": {}, "b": []}"#).ok().as_deref(), Some(""));
    }

    #[test]
    fn scalars_print_as_python_str() {
        assert_eq!(text("null").ok().as_deref(), Some("None\n"));
        assert_eq!(text("false").ok().as_deref(), Some("False\n"));
        assert_eq!(text("1e3").ok().as_deref(), Some("1000.0\n"));
        assert_eq!(text(r#""""#).ok().as_deref(), Some("\n"));
    }

    #[test]
    fn a_key_scalar_in_one_object_and_nested_in_another_prints_the_repr() {
        let doc = r#"[{"a": 1}, {"a": {"x": [true]}}]"#;
        assert_eq!(text(doc).ok().as_deref(), Some("1\n{'x': [True]}\n"));
    }

    #[test]
    fn a_list_mixing_objects_and_scalars_fails_as_python_does() {
        let doc = r#"{"A": "first", "B": [{"a": 1}, "x"]}"#;
        assert_eq!(
            text(doc).err(),
            Some((
                "first\n".to_owned(),
                "'str' object has no attribute 'items'".to_owned()
            ))
        );
    }
}
