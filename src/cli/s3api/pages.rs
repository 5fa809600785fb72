//! Pagination of the paginated `s3api` operations, as the AWS CLI v2 does it: botocore's `PageIterator`
//! (requests carry the previous page's output tokens as input tokens until there are no more, `--max-items`
//! cuts the primary result key inside a page and the resume token says where, `--starting-token` resumes
//! from one, a token received twice is an error), its `build_full_result` (what json, table and yaml print)
//! and the text formatter's page-by-page documents. yaml-stream (v2) prints the pages themselves, one by one
//! (each through `--query`, without `ResponseMetadata`), and no `NextToken`.
//!
//! Tokens are botocore's: base64 of `json.dumps` of the input tokens (plus `boto_truncate_amount` when a
//! page was cut), byte for byte; the older `TOKEN___TOKEN___INDEX` form is read too.
//!
//! Kept from botocore that may surprise: a starting token always empties the first page's secondary result
//! keys (`CommonPrefixes`), cut or not; a truncated page without a token ends the listing quietly; an output
//! token that is empty counts as none. Result and non-aggregate keys are plain member names (all of S3's are),
//! and only lists and strings aggregate (S3 has no numeric result key).

use crate::cli::s3api::model::PaginatorSpec;
use crate::codec::base64;
use crate::codec::jmespath::{self, Expression};
use crate::codec::json::{self, Value};
use crate::codec::redact::sanitize;
use crate::error::{Error, ErrorKind, Result};

/// The member of a token that says how many items of its page were already given.
const TRUNCATE: &str = "boto_truncate_amount";
/// Base64's alphabet, for reading tokens as leniently as Python does.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `--max-items`, `--page-size`, `--starting-token`.
#[derive(Debug, Default)]
pub(crate) struct PageConfig {
    /// `--max-items`: how many items of the first result key to give in all.
    pub(crate) max_items: Option<u64>,
    /// `--page-size`: the limit key's value on every request.
    pub(crate) page_size: Option<u64>,
    /// `--starting-token`: a `NextToken` printed before.
    pub(crate) starting_token: Option<String>,
}

/// The pages as botocore's `PageIterator` gives them (already cut where `--max-items` cut), and the resume token.
#[derive(Debug)]
pub(crate) struct Paged {
    /// Every page, whole but for the slice and the cut: what yaml-stream prints.
    pub(crate) pages: Vec<Value>,
    /// The non-aggregate keys as the first page had them (null when absent), in the spec's order.
    pub(crate) non_aggregate: Value,
    /// The `NextToken` to print, when `--max-items` stopped the listing before its end.
    pub(crate) resume_token: Option<String>,
}

/// Runs the listing: `input` is the operation's parameters (an Object keyed by model member names); `fetch`
/// sends one request with the given parameters and returns the parsed page (an Object). Input tokens and the
/// limit key are set on the input as botocore does.
pub(crate) fn paginate(
    spec: &PaginatorSpec,
    input: &Value,
    config: &PageConfig,
    fetch: &mut dyn FnMut(&Value) -> Result<Value>,
) -> Result<Paged> {
    // The AWS CLI only warns about a non-positive --max-items ("undefined behavior"); awl refuses it.
    for (name, n) in [
        ("--max-items", config.max_items),
        ("--page-size", config.page_size),
    ] {
        if n == Some(0) {
            return Err(Error::usage(format!("{name} must be 1 or more")));
        }
    }
    let outputs = spec
        .output_token
        .iter()
        .map(|e| compile(e))
        .collect::<Result<Vec<_>>>()?;
    let more = spec.more_results.map(compile).transpose()?;
    let primary = spec.result_keys.first().copied().unwrap_or_default();
    let mut kwargs = input.clone();
    // The token the next request goes out with: a cut page's resume token is built from it.
    let (mut next, skip) = match &config.starting_token {
        Some(text) => parse_token(spec, text)?,
        None => (
            Value::object(spec.input_token.iter().map(|k| (*k, Value::Null))),
            0,
        ),
    };
    inject(&mut kwargs, &next);
    if let Some(n) = config.page_size {
        let key = spec
            .limit_key
            .ok_or_else(|| Error::usage("--page-size is not supported for this operation"))?;
        set(&mut kwargs, key, Value::Number(n.to_string()));
    }
    let (mut pages, mut resume_token, mut total, mut previous) = (Vec::new(), None, 0u64, None);
    loop {
        let mut page = fetch(&kwargs)?;
        // Only the first page is sliced by the starting token (even by 0 items).
        let skipped = if pages.is_empty() { skip } else { 0 };
        if pages.is_empty() && config.starting_token.is_some() {
            first_page(spec, &mut page, skip);
        }
        let count = page
            .get(primary)
            .and_then(Value::as_array)
            .map_or(0, <[Value]>::len) as u64;
        if let Some(max) = config.max_items
            && total + count > max
        {
            let keep = (max - total) as usize;
            if let Some(Value::Array(items)) = get_mut(&mut page, primary) {
                items.truncate(keep);
            }
            // The resume token re-requests this page and skips what was given, counting the starting slice.
            set(&mut next, TRUNCATE, Value::Number((keep + skipped).to_string()));
            resume_token = Some(encode_token(spec, &next)?);
            pages.push(page);
            break;
        }
        total += count;
        let token = next_token(spec, &outputs, more.as_ref(), &page)?;
        pages.push(page);
        let members = token.as_object().unwrap_or_default();
        if members.iter().all(|(_, v)| *v == Value::Null) {
            break;
        }
        if config.max_items == Some(total) {
            resume_token = Some(encode_token(spec, &token)?);
            break;
        }
        if previous.as_ref() == Some(&token) {
            return Err(Error::data(format!(
                "Error during pagination: The same next token was received twice: {}",
                dumps(&token)
            )));
        }
        inject(&mut kwargs, &token);
        previous = Some(token.clone());
        next = token;
    }
    // botocore records them from the first page; neither slicing nor cutting touches them.
    let nothing = Value::Null;
    let first = pages.first().unwrap_or(&nothing);
    let value = |k: &&str| first.get(k).cloned().unwrap_or(Value::Null);
    let non_aggregate = Value::object(spec.non_aggregate_keys.iter().map(|k| (*k, value(k))));
    Ok(Paged {
        pages,
        non_aggregate,
        resume_token,
    })
}

/// `build_full_result`: result keys concatenated in the order they first appear, then the non-aggregate part,
/// then `NextToken`.
pub(crate) fn full_result(spec: &PaginatorSpec, paged: &Paged) -> Value {
    let mut out = Value::Object(Vec::new());
    for page in &paged.pages {
        for key in spec.result_keys {
            let Some(value) = page.get(key).filter(|v| **v != Value::Null) else {
                continue;
            };
            match (get_mut(&mut out, key), value) {
                (None, _) => set(&mut out, key, value.clone()),
                (Some(Value::Array(all)), Value::Array(more)) => all.extend(more.iter().cloned()),
                (Some(Value::String(all)), Value::String(more)) => all.push_str(more),
                // Python sums numbers and fails on mixed types; S3's result keys are all lists.
                (Some(_), _) => {}
            }
        }
    }
    for (key, value) in paged.non_aggregate.as_object().unwrap_or_default() {
        set(&mut out, key, value.clone());
    }
    if let Some(token) = &paged.resume_token {
        set(&mut out, "NextToken", Value::string(token));
    }
    out
}

/// The documents the text formatter prints, in order (before `--query` is applied to each): the first page's
/// non-aggregate part and result keys, each later page's result keys (null when absent), then
/// `{"NextToken": {"NextToken": TOKEN}}` when there is a resume token.
pub(crate) fn text_documents(spec: &PaginatorSpec, paged: &Paged) -> Vec<Value> {
    let mut docs: Vec<Value> = (paged.pages.iter().enumerate())
        .map(|(i, page)| {
            let mut doc = if i == 0 {
                paged.non_aggregate.clone()
            } else {
                Value::Object(Vec::new())
            };
            for key in spec.result_keys {
                set(&mut doc, key, page.get(key).cloned().unwrap_or(Value::Null));
            }
            doc
        })
        .collect();
    if let Some(token) = paged.resume_token.as_ref().filter(|t| !t.is_empty()) {
        let inner = Value::object([("NextToken", Value::string(token))]);
        docs.push(Value::object([("NextToken", inner)]));
    }
    docs
}

/// A paginator expression; they are the model's, so a failure is awl's bug.
fn compile(expr: &str) -> Result<Expression> {
    let bug = |e: jmespath::JmesError| format!("paginator expression {expr}: {}", e.message());
    jmespath::compile(expr).map_err(|e| Error::new(ErrorKind::Other, bug(e)))
}

/// Python's truthiness of a search result, which decides `more_results` and which tokens count.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.parse::<f64>() != Ok(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
}

/// `_get_next_token`: an empty object when `more_results` says no, else each input token from its output
/// expression (null when empty).
fn next_token(
    spec: &PaginatorSpec,
    outputs: &[Expression],
    more: Option<&Expression>,
    page: &Value,
) -> Result<Value> {
    let search = |e: &Expression| {
        e.search(page)
            .map_err(|err| Error::data(format!("paginator expression {}: {}", e.as_str(), err.message())))
    };
    if let Some(more) = more
        && !truthy(&search(more)?)
    {
        return Ok(Value::Object(Vec::new()));
    }
    let mut token = Vec::new();
    for (e, key) in outputs.iter().zip(spec.input_token) {
        let v = search(e)?;
        token.push((key.to_string(), if truthy(&v) { v } else { Value::Null }));
    }
    Ok(Value::Object(token))
}

/// `_handle_first_request`: the starting token's first page loses the `skip` items already given of the
/// primary key, and its secondary keys are emptied (they were given whole with the cut page).
fn first_page(spec: &PaginatorSpec, page: &mut Value, skip: usize) {
    for (i, key) in spec.result_keys.iter().enumerate() {
        let v = match (i, page.get(key)) {
            (0, Some(Value::Array(a))) => Value::Array(a.get(skip..).unwrap_or_default().to_vec()),
            (0, Some(Value::String(s))) => Value::String(s.chars().skip(skip).collect()),
            (0, _) => Value::Null,
            (_, Some(Value::Array(_))) => Value::Array(Vec::new()),
            (_, Some(Value::String(_))) => Value::String(String::new()),
            (_, Some(n @ (Value::Number(_) | Value::Bool(_)))) => n.clone(),
            _ => Value::Null,
        };
        set(page, key, v);
    }
}

/// `_inject_token_into_kwargs`: a token sets its members on the request, and a null (or `"None"`) one removes it.
fn inject(kwargs: &mut Value, token: &Value) {
    for (key, v) in token.as_object().unwrap_or_default() {
        match (v, &mut *kwargs) {
            (Value::Null, Value::Object(m)) => m.retain(|(k, _)| k != key),
            (Value::String(s), Value::Object(m)) if s == "None" => m.retain(|(k, _)| k != key),
            _ => set(kwargs, key, v.clone()),
        }
    }
}

/// The resume token for `token`, as botocore's `resume_token` setter checks and `TokenEncoder` writes it.
fn encode_token(spec: &PaginatorSpec, token: &Value) -> Result<String> {
    // Its members are unique (they are set), so the same count of known names is the same set.
    let members = token.as_object().unwrap_or_default();
    let known = |k: &String| k == TRUNCATE || spec.input_token.contains(&k.as_str());
    let want = spec.input_token.len() + usize::from(token.get(TRUNCATE).is_some());
    if members.len() != want || !members.iter().all(|(k, _)| known(k)) {
        // Only a starting token that lacked some input tokens gets here.
        return Err(Error::usage(format!(
            "Bad starting token: {}",
            sanitize(&dumps(token), 300)
        )));
    }
    Ok(base64::encode(dumps(token).as_bytes()))
}

/// `_parse_starting_token`: the token's members (input tokens only) and how many items of its first page to
/// skip; what does not decode as botocore's form is read in the older `___` form.
fn parse_token(spec: &PaginatorSpec, text: &str) -> Result<(Value, usize)> {
    let bad = || Error::usage(format!("Bad starting token: {}", sanitize(text, 300)));
    let decoded = b64decode(text)
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| json::parse(&s).ok());
    // botocore falls back on whatever fails to decode as a dict (a JSON list included).
    let Some(Value::Object(members)) = decoded else {
        return legacy_token(spec, text).ok_or_else(bad);
    };
    let (mut token, mut skip) = (Value::Object(Vec::new()), 0);
    for (key, v) in &members {
        if key == TRUNCATE {
            skip = v.as_i64().and_then(|n| usize::try_from(n).ok()).ok_or_else(bad)?;
        } else if spec.input_token.contains(&key.as_str())
            && matches!(v, Value::Null | Value::String(_) | Value::Number(_))
        {
            // Set, not pushed: a repeated member keeps its first place and last value, as in a Python dict.
            set(&mut token, key, v.clone());
        } else {
            // botocore would send any member as a parameter, which then fails validation.
            return Err(bad());
        }
    }
    Ok((token, skip))
}

/// `_parse_starting_token_deprecated`: `T1___T2___INDEX`, `None` for a missing token; the index only when all
/// tokens are there; fewer tokens are padded with none, more are refused.
fn legacy_token(spec: &PaginatorSpec, text: &str) -> Option<(Value, usize)> {
    let mut parts: Vec<&str> = text.split("___").collect();
    let mut skip = 0;
    if parts.len() == spec.input_token.len() + 1 {
        match parts.last().and_then(|p| p.trim().parse::<usize>().ok()) {
            Some(n) => {
                skip = n;
                parts.pop();
            }
            None => parts = vec![text],
        }
    }
    if parts.len() > spec.input_token.len() {
        return None;
    }
    let value = |i: usize| match parts.get(i) {
        Some(&p) if p != "None" => Value::string(p),
        _ => Value::Null,
    };
    let token = spec.input_token.iter().enumerate().map(|(i, k)| (*k, value(i)));
    Some((Value::object(token), skip))
}

/// Python's `base64.b64decode` without validation: characters outside the alphabet are skipped and the
/// first complete padding ends the input; `None` where Python raises.
fn b64decode(text: &str) -> Option<Vec<u8>> {
    if !text.is_ascii() {
        return None;
    }
    let (mut out, mut acc, mut quad, mut pads) = (Vec::new(), 0u32, 0u32, 0u32);
    for c in text.bytes() {
        if c == b'=' {
            if quad >= 2 {
                pads += 1;
                if quad + pads >= 4 {
                    return Some(out);
                }
            }
            continue;
        }
        let Some(v) = ALPHABET.iter().position(|&a| a == c) else {
            continue;
        };
        pads = 0;
        acc = acc << 6 | v as u32;
        quad = (quad + 1) % 4;
        // Each character after the first of a quad completes a byte.
        let bits = [0, 0, 4, 2][quad as usize];
        if quad != 1 {
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (quad == 0).then_some(out)
}

/// Python's `json.dumps` of a token (a flat object): members in order, `", "` and `": "`, non-ASCII as
/// `\uXXXX`.
fn dumps(token: &Value) -> String {
    let members = token.as_object().unwrap_or_default().iter().map(|(k, v)| {
        let mut key = String::new();
        json::write_string(&mut key, k, true);
        format!("{key}: {}", json::to_string(v, json::Style::Python))
    });
    format!("{{{}}}", members.collect::<Vec<_>>().join(", "))
}

/// The member `key` of an object, to change.
fn get_mut<'a>(v: &'a mut Value, key: &str) -> Option<&'a mut Value> {
    match v {
        Value::Object(m) => m.iter_mut().rev().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

/// Sets `key` as a Python dict does: in its place if there, else last.
fn set(obj: &mut Value, key: &str, v: Value) {
    match get_mut(obj, key) {
        Some(slot) => *slot = v,
        None => {
            if let Value::Object(m) = obj {
                m.push((key.to_owned(), v));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The fake servers are those of a Python harness that ran botocore 1.44.18's `PageIterator` over the
    //! same pages; the expected strings are its `json.dumps` and `TokenEncoder` output.
    use super::*;

    /// Python's `json.dumps` of any value, members in order.
    fn py(v: &Value) -> String {
        match v {
            Value::Array(items) => format!("[{}]", items.iter().map(py).collect::<Vec<_>>().join(", ")),
            Value::Object(members) => {
                let one = |(k, v): &(String, Value)| format!("{}: {}", py(&Value::string(k)), py(v));
                format!("{{{}}}", members.iter().map(one).collect::<Vec<_>>().join(", "))
            }
            scalar => json::to_string(scalar, json::Style::Python),
        }
    }

    const V2: PaginatorSpec = PaginatorSpec {
        input_token: &["ContinuationToken"],
        output_token: &["NextContinuationToken"],
        more_results: Some("IsTruncated"),
        limit_key: Some("MaxKeys"),
        result_keys: &["Contents", "CommonPrefixes"],
        non_aggregate_keys: &["RequestCharged", "Prefix"],
    };
    const V1: PaginatorSpec = PaginatorSpec {
        input_token: &["Marker"],
        output_token: &["NextMarker || Contents[-1].Key"],
        ..V2
    };
    const VERSIONS: PaginatorSpec = PaginatorSpec {
        input_token: &["KeyMarker", "VersionIdMarker"],
        output_token: &["NextKeyMarker", "NextVersionIdMarker"],
        result_keys: &["Versions", "DeleteMarkers", "CommonPrefixes"],
        ..V2
    };

    /// A bucket's listing: keys, and prefixes (ending in `/`) where a delimiter groups keys.
    const ENTRIES: [&str; 10] = ["a0", "a1", "a2", "b/", "c0", "c1", "d/", "e0", "e1", "e2"];
    /// Versions: key, version id, `v` (a version), `d` (a delete marker) or `p` (a common prefix).
    const VERSION_ENTRIES: [(&str, &str, char); 7] = [
        ("a", "3", 'v'),
        ("a", "2", 'd'),
        ("a", "1", 'v'),
        ("b", "1", 'v'),
        ("c/", "", 'p'),
        ("d", "2", 'd'),
        ("d", "1", 'v'),
    ];

    fn num(n: usize) -> Value {
        Value::Number(n.to_string())
    }

    fn text(kw: &Value, key: &str) -> Option<String> {
        kw.get(key).and_then(Value::as_str).map(str::to_owned)
    }

    fn page_size(kw: &Value, default: usize) -> usize {
        kw.get("MaxKeys")
            .and_then(Value::as_i64)
            .map_or(default, |n| n as usize)
    }

    /// `Contents` and `CommonPrefixes` of `chunk`, each only when not empty (as botocore parses S3's XML).
    fn listed(page: &mut Vec<(&str, Value)>, chunk: &[&str], key: &str) {
        let (prefixes, keys): (Vec<&str>, Vec<&str>) = chunk.iter().partition(|e| e.ends_with('/'));
        let list = |v: Vec<&str>, k: &str| {
            Value::Array(
                v.into_iter()
                    .map(|e| Value::object([(k, Value::string(e))]))
                    .collect(),
            )
        };
        if key == "Contents" && !keys.is_empty() {
            page.push(("Contents", list(keys, "Key")));
        }
        if key == "CommonPrefixes" && !prefixes.is_empty() {
            page.push(("CommonPrefixes", list(prefixes, "Prefix")));
        }
    }

    /// ListObjectsV2: the continuation token is `t<offset>`.
    fn v2_server(kw: &Value) -> Value {
        let token = text(kw, "ContinuationToken");
        let start: usize = token
            .as_deref()
            .map_or(0, |t| t[1..].parse().expect("a token this server gave"));
        let n = page_size(kw, 4);
        let chunk = &ENTRIES[start..(start + n).min(ENTRIES.len())];
        let more = start + n < ENTRIES.len();
        let mut page = vec![("IsTruncated", Value::Bool(more))];
        listed(&mut page, chunk, "Contents");
        page.push(("Name", Value::string("bkt")));
        page.push(("Prefix", kw.get("Prefix").cloned().unwrap_or(Value::string(""))));
        page.push(("MaxKeys", num(n)));
        listed(&mut page, chunk, "CommonPrefixes");
        page.push(("KeyCount", num(chunk.len())));
        if let Some(t) = token {
            page.push(("ContinuationToken", Value::string(t)));
        }
        if more {
            page.push(("NextContinuationToken", Value::string(format!("t{}", start + n))));
        }
        Value::object(page)
    }

    /// ListObjects: without a delimiter only keys are listed and no `NextMarker` is given.
    fn v1_server(kw: &Value) -> Value {
        let delimiter = kw.get("Delimiter").is_some();
        let entries: Vec<&str> = ENTRIES
            .into_iter()
            .filter(|e| delimiter || !e.ends_with('/'))
            .collect();
        let marker = text(kw, "Marker");
        let start = entries
            .iter()
            .position(|e| marker.as_deref().is_none_or(|m| *e > m))
            .unwrap_or(entries.len());
        let n = page_size(kw, 4);
        let chunk = &entries[start..(start + n).min(entries.len())];
        let more = start + n < entries.len();
        let mut page = vec![("IsTruncated", Value::Bool(more))];
        page.push(("Marker", Value::string(marker.unwrap_or_default())));
        if more && delimiter {
            page.push(("NextMarker", Value::string(chunk[chunk.len() - 1])));
        }
        listed(&mut page, chunk, "Contents");
        page.push(("Name", Value::string("bkt")));
        page.push(("Prefix", Value::string("")));
        if let Some(d) = kw.get("Delimiter") {
            page.push(("Delimiter", d.clone()));
        }
        page.push(("MaxKeys", num(n)));
        listed(&mut page, chunk, "CommonPrefixes");
        Value::object(page)
    }

    /// ListObjectVersions: the markers are the last entry's key and version id.
    fn versions_server(kw: &Value) -> Value {
        let (km, vm) = (text(kw, "KeyMarker"), text(kw, "VersionIdMarker"));
        let e = &VERSION_ENTRIES;
        let start = match (&km, &vm) {
            (None, _) => 0,
            (Some(k), None) => e.iter().position(|x| x.0 > k.as_str()).unwrap_or(e.len()),
            (Some(k), Some(v)) => {
                e.iter()
                    .position(|x| (x.0, x.1) == (k, v))
                    .expect("a marker this server gave")
                    + 1
            }
        };
        let n = page_size(kw, 3);
        let chunk = &e[start..(start + n).min(e.len())];
        let more = start + n < e.len();
        let mut page = vec![("IsTruncated", Value::Bool(more))];
        page.push(("KeyMarker", Value::string(km.unwrap_or_default())));
        if let Some(v) = vm {
            page.push(("VersionIdMarker", Value::string(v)));
        }
        if let Some(last) = chunk.last().filter(|_| more) {
            page.push(("NextKeyMarker", Value::string(last.0)));
            if !last.1.is_empty() {
                page.push(("NextVersionIdMarker", Value::string(last.1)));
            }
        }
        for (key, kind) in [("Versions", 'v'), ("DeleteMarkers", 'd')] {
            let items: Vec<Value> = (chunk.iter().filter(|x| x.2 == kind))
                .map(|x| Value::object([("Key", Value::string(x.0)), ("VersionId", Value::string(x.1))]))
                .collect();
            if !items.is_empty() {
                page.push((key, Value::Array(items)));
            }
        }
        page.push(("Name", Value::string("bkt")));
        page.push(("Prefix", Value::string("")));
        page.push(("MaxKeys", num(n)));
        let prefixes: Vec<Value> = (chunk.iter().filter(|x| x.2 == 'p'))
            .map(|x| Value::object([("Prefix", Value::string(x.0))]))
            .collect();
        if !prefixes.is_empty() {
            page.push(("CommonPrefixes", Value::Array(prefixes)));
        }
        Value::object(page)
    }

    fn config(max_items: Option<u64>, page_size: Option<u64>, starting_token: Option<&str>) -> PageConfig {
        PageConfig {
            max_items,
            page_size,
            starting_token: starting_token.map(str::to_owned),
        }
    }

    /// Runs a listing against `server`; gives the requests sent (as JSON) and the result.
    fn run(
        spec: &PaginatorSpec,
        server: fn(&Value) -> Value,
        input: &str,
        cfg: &PageConfig,
    ) -> (String, Result<Paged>) {
        let mut calls = Vec::new();
        let input = json::parse(input).expect("input");
        let paged = paginate(spec, &input, cfg, &mut |kw| {
            calls.push(kw.clone());
            Ok(server(kw))
        });
        (py(&Value::Array(calls)), paged)
    }

    fn ok(
        spec: &PaginatorSpec,
        server: fn(&Value) -> Value,
        input: &str,
        cfg: &PageConfig,
    ) -> (String, Paged) {
        let (calls, paged) = run(spec, server, input, cfg);
        (calls, paged.expect("listing"))
    }

    fn docs(spec: &PaginatorSpec, paged: &Paged) -> String {
        py(&Value::Array(text_documents(spec, paged)))
    }

    /// Resumes with each printed token until there is none; the tokens and the result keys over all runs.
    fn chain(
        spec: &PaginatorSpec,
        server: fn(&Value) -> Value,
        input: &str,
        max: u64,
    ) -> (Vec<String>, String) {
        let (mut tokens, mut all) = (Vec::new(), Value::Object(Vec::new()));
        let mut token: Option<String> = None;
        loop {
            let (_, paged) = ok(spec, server, input, &config(Some(max), None, token.as_deref()));
            let full = full_result(spec, &paged);
            for key in spec.result_keys {
                let more = full
                    .get(key)
                    .and_then(Value::as_array)
                    .unwrap_or_default()
                    .to_vec();
                match get_mut(&mut all, key) {
                    Some(Value::Array(a)) => a.extend(more),
                    _ => set(&mut all, key, Value::Array(more)),
                }
            }
            token = paged.resume_token;
            match &token {
                Some(t) => tokens.push(t.clone()),
                None => return (tokens, py(&all)),
            }
        }
    }

    const ALL_KEYS: &str = r#"[{"Key": "a0"}, {"Key": "a1"}, {"Key": "a2"}, {"Key": "c0"}, {"Key": "c1"}, {"Key": "e0"}, {"Key": "e1"}, {"Key": "e2"}]"#;

    #[test]
    fn a_whole_listing_follows_the_tokens_and_aggregates() {
        let (calls, paged) = ok(&V2, v2_server, r#"{"Bucket": "bkt"}"#, &PageConfig::default());
        assert_eq!(
            calls,
            r#"[{"Bucket": "bkt"}, {"Bucket": "bkt", "ContinuationToken": "t4"}, {"Bucket": "bkt", "ContinuationToken": "t8"}]"#
        );
        assert_eq!(paged.pages.len(), 3);
        assert_eq!(paged.resume_token, None);
        assert_eq!(
            py(&full_result(&V2, &paged)),
            format!(
                r#"{{"Contents": {ALL_KEYS}, "CommonPrefixes": [{{"Prefix": "b/"}}, {{"Prefix": "d/"}}], "RequestCharged": null, "Prefix": ""}}"#
            )
        );
        // The text formatter: the first page with the non-aggregate part first, later pages' result keys only
        // (null when a page lacks one).
        assert_eq!(
            docs(&V2, &paged),
            r#"[{"RequestCharged": null, "Prefix": "", "Contents": [{"Key": "a0"}, {"Key": "a1"}, {"Key": "a2"}], "CommonPrefixes": [{"Prefix": "b/"}]}, {"Contents": [{"Key": "c0"}, {"Key": "c1"}, {"Key": "e0"}], "CommonPrefixes": [{"Prefix": "d/"}]}, {"Contents": [{"Key": "e1"}, {"Key": "e2"}], "CommonPrefixes": null}]"#
        );
    }

    #[test]
    fn max_items_cuts_inside_a_page() {
        let (calls, paged) = ok(
            &V2,
            v2_server,
            r#"{"Bucket": "bkt"}"#,
            &config(Some(2), None, None),
        );
        assert_eq!(calls, r#"[{"Bucket": "bkt"}]"#);
        let token = "eyJDb250aW51YXRpb25Ub2tlbiI6IG51bGwsICJib3RvX3RydW5jYXRlX2Ftb3VudCI6IDJ9";
        assert_eq!(paged.resume_token.as_deref(), Some(token));
        // The AWS CLI's key order: result keys, the non-aggregate part (RequestCharged null), NextToken.
        assert_eq!(
            py(&full_result(&V2, &paged)),
            format!(
                r#"{{"Contents": [{{"Key": "a0"}}, {{"Key": "a1"}}], "CommonPrefixes": [{{"Prefix": "b/"}}], "RequestCharged": null, "Prefix": "", "NextToken": "{token}"}}"#
            )
        );
        assert_eq!(
            docs(&V2, &paged),
            format!(
                r#"[{{"RequestCharged": null, "Prefix": "", "Contents": [{{"Key": "a0"}}, {{"Key": "a1"}}], "CommonPrefixes": [{{"Prefix": "b/"}}]}}, {{"NextToken": {{"NextToken": "{token}"}}}}]"#
            )
        );
    }

    #[test]
    fn max_items_at_a_page_end_resumes_from_the_next_token() {
        let (calls, paged) = ok(
            &V2,
            v2_server,
            r#"{"Bucket": "bkt"}"#,
            &config(Some(3), None, None),
        );
        assert_eq!(calls, r#"[{"Bucket": "bkt"}]"#);
        assert_eq!(
            paged.resume_token.as_deref(),
            Some("eyJDb250aW51YXRpb25Ub2tlbiI6ICJ0NCJ9")
        );
        assert_eq!(
            py(&full_result(&V2, &paged)),
            r#"{"Contents": [{"Key": "a0"}, {"Key": "a1"}, {"Key": "a2"}], "CommonPrefixes": [{"Prefix": "b/"}], "RequestCharged": null, "Prefix": "", "NextToken": "eyJDb250aW51YXRpb25Ub2tlbiI6ICJ0NCJ9"}"#
        );
    }

    #[test]
    fn resuming_with_the_printed_tokens_gives_every_key_once() {
        let (tokens, all) = chain(&V2, v2_server, r#"{"Bucket": "bkt"}"#, 2);
        assert_eq!(
            tokens,
            [
                "eyJDb250aW51YXRpb25Ub2tlbiI6IG51bGwsICJib3RvX3RydW5jYXRlX2Ftb3VudCI6IDJ9",
                "eyJDb250aW51YXRpb25Ub2tlbiI6ICJ0NCIsICJib3RvX3RydW5jYXRlX2Ftb3VudCI6IDF9",
                "eyJDb250aW51YXRpb25Ub2tlbiI6ICJ0OCJ9",
            ]
        );
        assert_eq!(
            all,
            format!(
                r#"{{"Contents": {ALL_KEYS}, "CommonPrefixes": [{{"Prefix": "b/"}}, {{"Prefix": "d/"}}]}}"#
            )
        );
        // At page ends the keys are all there too; botocore empties a resumed page's CommonPrefixes, so d/ is lost.
        let (tokens, all) = chain(&V2, v2_server, r#"{"Bucket": "bkt"}"#, 3);
        assert_eq!(
            tokens,
            [
                "eyJDb250aW51YXRpb25Ub2tlbiI6ICJ0NCJ9",
                "eyJDb250aW51YXRpb25Ub2tlbiI6ICJ0OCJ9"
            ]
        );
        assert_eq!(
            all,
            format!(r#"{{"Contents": {ALL_KEYS}, "CommonPrefixes": [{{"Prefix": "b/"}}]}}"#)
        );
    }

    #[test]
    fn page_size_sets_the_limit_key_on_every_request() {
        let (calls, paged) = ok(
            &V2,
            v2_server,
            r#"{"Bucket": "bkt"}"#,
            &config(None, Some(3), None),
        );
        assert_eq!(
            calls,
            r#"[{"Bucket": "bkt", "MaxKeys": 3}, {"Bucket": "bkt", "MaxKeys": 3, "ContinuationToken": "t3"}, {"Bucket": "bkt", "MaxKeys": 3, "ContinuationToken": "t6"}, {"Bucket": "bkt", "MaxKeys": 3, "ContinuationToken": "t9"}]"#
        );
        assert_eq!(
            py(&full_result(&V2, &paged)),
            format!(
                r#"{{"Contents": {ALL_KEYS}, "CommonPrefixes": [{{"Prefix": "b/"}}, {{"Prefix": "d/"}}], "RequestCharged": null, "Prefix": ""}}"#
            )
        );
    }

    #[test]
    fn a_starting_token_skips_what_was_given_and_counts_it_in_the_next_token() {
        let start = "eyJDb250aW51YXRpb25Ub2tlbiI6ICJ0NCIsICJib3RvX3RydW5jYXRlX2Ftb3VudCI6IDF9";
        let (calls, paged) = ok(&V2, v2_server, "{}", &config(Some(1), None, Some(start)));
        assert_eq!(calls, r#"[{"ContinuationToken": "t4"}]"#);
        assert_eq!(
            py(&Value::Array(paged.pages.clone())),
            r#"[{"IsTruncated": true, "Contents": [{"Key": "c1"}], "Name": "bkt", "Prefix": "", "MaxKeys": 4, "CommonPrefixes": [], "KeyCount": 4, "ContinuationToken": "t4", "NextContinuationToken": "t8"}]"#
        );
        let next = "eyJDb250aW51YXRpb25Ub2tlbiI6ICJ0NCIsICJib3RvX3RydW5jYXRlX2Ftb3VudCI6IDJ9";
        assert_eq!(paged.resume_token.as_deref(), Some(next));
        // The older `TOKEN___INDEX` form means the same.
        let (calls, old) = ok(&V2, v2_server, "{}", &config(Some(1), None, Some("t4___1")));
        assert_eq!(calls, r#"[{"ContinuationToken": "t4"}]"#);
        assert_eq!((old.pages, old.resume_token), (paged.pages, paged.resume_token));
    }

    #[test]
    fn starting_tokens_decode_as_python_does() {
        // Python's b64decode skips what is not base64 and stops at complete padding.
        let token = "eyJNYXJrZXIiOiAiYi8ifQ==";
        for t in [
            token,
            "eyJNY\n XJrZXIiOiAiYi8ifQ==",
            "eyJNYXJrZXIiOiAiYi8ifQ==c2VjcmV0",
            "-_eyJNYXJrZXIiOiAiYi8ifQ==",
        ] {
            let (calls, paged) = ok(
                &V1,
                v1_server,
                r#"{"Delimiter": "/"}"#,
                &config(Some(1), None, Some(t)),
            );
            assert_eq!(calls, r#"[{"Delimiter": "/", "Marker": "b/"}]"#, "{t:?}");
            assert_eq!(
                paged.resume_token.as_deref(),
                Some("eyJNYXJrZXIiOiAiYi8iLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ==")
            );
        }
        // What is not botocore's form (an S3 token, a JSON list, nothing) goes to the service as it is.
        for t in ["a___b", "garbage", "WzFd", ""] {
            let (calls, _) = run(
                &V2,
                |_| Value::object([("IsTruncated", Value::Bool(false))]),
                "{}",
                &config(None, None, Some(t)),
            );
            assert_eq!(calls, format!(r#"[{{"ContinuationToken": "{t}"}}]"#));
        }
        // "None" stands for no token.
        let (calls, _) = ok(
            &VERSIONS,
            versions_server,
            "{}",
            &config(None, None, Some("a___None")),
        );
        assert!(calls.starts_with(r#"[{"KeyMarker": "a"}, "#), "{calls}");
    }

    #[test]
    fn tokens_are_written_as_botocore_writes_them() {
        let token = Value::object([("Marker", Value::string("k\u{e9}\u{1F600}\u{7f}\"/"))]);
        assert_eq!(
            encode_token(&V1, &token).expect("encodes"),
            "eyJNYXJrZXIiOiAia1x1MDBlOVx1ZDgzZFx1ZGUwMFx1MDA3ZlwiLyJ9"
        );
        let (decoded, skip) =
            parse_token(&V1, "eyJNYXJrZXIiOiAia1x1MDBlOVx1ZDgzZFx1ZGUwMFx1MDA3ZlwiLyJ9").expect("decodes");
        assert_eq!((decoded, skip), (token, 0));
    }

    #[test]
    fn list_objects_falls_back_on_the_last_key_without_next_marker() {
        let (tokens, all) = chain(&V1, v1_server, "{}", 3);
        assert_eq!(
            tokens,
            [
                "eyJNYXJrZXIiOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAzfQ==",
                "eyJNYXJrZXIiOiAiYzAiLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAyfQ==",
            ]
        );
        assert_eq!(
            all,
            format!(r#"{{"Contents": {ALL_KEYS}, "CommonPrefixes": []}}"#)
        );
        let (calls, paged) = ok(
            &V1,
            v1_server,
            r#"{"Bucket": "bkt", "Delimiter": "/"}"#,
            &PageConfig::default(),
        );
        assert_eq!(
            calls,
            r#"[{"Bucket": "bkt", "Delimiter": "/"}, {"Bucket": "bkt", "Delimiter": "/", "Marker": "b/"}, {"Bucket": "bkt", "Delimiter": "/", "Marker": "e0"}]"#
        );
        assert_eq!(
            py(&full_result(&V1, &paged)),
            format!(
                r#"{{"Contents": {ALL_KEYS}, "CommonPrefixes": [{{"Prefix": "b/"}}, {{"Prefix": "d/"}}], "RequestCharged": null, "Prefix": ""}}"#
            )
        );
        let (tokens, _) = chain(&V1, v1_server, r#"{"Bucket": "bkt", "Delimiter": "/"}"#, 3);
        assert_eq!(tokens, ["eyJNYXJrZXIiOiAiYi8ifQ==", "eyJNYXJrZXIiOiAiZTAifQ=="]);
    }

    #[test]
    fn list_object_versions_carries_two_tokens() {
        let (calls, paged) = ok(
            &VERSIONS,
            versions_server,
            r#"{"Bucket": "bkt"}"#,
            &config(Some(2), None, None),
        );
        assert_eq!(calls, r#"[{"Bucket": "bkt"}]"#);
        let token = "eyJLZXlNYXJrZXIiOiAiYSIsICJWZXJzaW9uSWRNYXJrZXIiOiAiMSJ9";
        assert_eq!(
            py(&full_result(&VERSIONS, &paged)),
            format!(
                r#"{{"Versions": [{{"Key": "a", "VersionId": "3"}}, {{"Key": "a", "VersionId": "1"}}], "DeleteMarkers": [{{"Key": "a", "VersionId": "2"}}], "RequestCharged": null, "Prefix": "", "NextToken": "{token}"}}"#
            )
        );
        assert_eq!(
            docs(&VERSIONS, &paged),
            format!(
                r#"[{{"RequestCharged": null, "Prefix": "", "Versions": [{{"Key": "a", "VersionId": "3"}}, {{"Key": "a", "VersionId": "1"}}], "DeleteMarkers": [{{"Key": "a", "VersionId": "2"}}], "CommonPrefixes": null}}, {{"NextToken": {{"NextToken": "{token}"}}}}]"#
            )
        );
        let (tokens, all) = chain(&VERSIONS, versions_server, r#"{"Bucket": "bkt"}"#, 1);
        assert_eq!(
            tokens,
            [
                "eyJLZXlNYXJrZXIiOiBudWxsLCAiVmVyc2lvbklkTWFya2VyIjogbnVsbCwgImJvdG9fdHJ1bmNhdGVfYW1vdW50IjogMX0=",
                "eyJLZXlNYXJrZXIiOiAiYSIsICJWZXJzaW9uSWRNYXJrZXIiOiAiMSJ9",
                "eyJLZXlNYXJrZXIiOiAiZCIsICJWZXJzaW9uSWRNYXJrZXIiOiAiMiJ9",
            ]
        );
        assert_eq!(
            all,
            r#"{"Versions": [{"Key": "a", "VersionId": "3"}, {"Key": "a", "VersionId": "1"}, {"Key": "b", "VersionId": "1"}, {"Key": "d", "VersionId": "1"}], "DeleteMarkers": [{"Key": "a", "VersionId": "2"}], "CommonPrefixes": []}"#
        );
    }

    #[test]
    fn the_same_token_twice_is_an_error() {
        let (calls, e) = run(
            &V2,
            |_| {
                json::parse(
                    r#"{"IsTruncated": true, "Contents": [{"Key": "x"}], "NextContinuationToken": "same"}"#,
                )
                .expect("page")
            },
            "{}",
            &PageConfig::default(),
        );
        assert_eq!(calls, r#"[{}, {"ContinuationToken": "same"}]"#);
        let e = e.expect_err("loops");
        assert_eq!(e.kind(), ErrorKind::Data);
        assert_eq!(
            e.message(),
            r#"Error during pagination: The same next token was received twice: {"ContinuationToken": "same"}"#
        );
    }

    #[test]
    fn a_truncated_page_without_a_token_ends_the_listing() {
        let (calls, paged) = ok(
            &V2,
            |_| {
                json::parse(
                    r#"{"IsTruncated": true, "Contents": [{"Key": "x"}], "NextContinuationToken": ""}"#,
                )
                .expect("page")
            },
            "{}",
            &PageConfig::default(),
        );
        assert_eq!(calls, "[{}]");
        assert_eq!(paged.resume_token, None);
        assert_eq!(
            py(&full_result(&V2, &paged)),
            r#"{"Contents": [{"Key": "x"}], "RequestCharged": null, "Prefix": null}"#
        );
    }

    #[test]
    fn bad_settings_and_tokens_are_usage_errors() {
        let usage = |cfg: PageConfig| {
            let (calls, r) = run(&VERSIONS, versions_server, "{}", &cfg);
            (calls, r.expect_err("refused").kind())
        };
        assert_eq!(
            usage(config(Some(0), None, None)),
            ("[]".into(), ErrorKind::Usage)
        );
        assert_eq!(
            usage(config(None, Some(0), None)),
            ("[]".into(), ErrorKind::Usage)
        );
        // More parts than tokens; a member that is no input token; a bad skip count.
        for t in [
            "a___b___c___d",
            "eyJNYXJrZXIiOiAieCJ9",
            "eyJLZXlNYXJrZXIiOiAiYSIsICJib3RvX3RydW5jYXRlX2Ftb3VudCI6ICIxIn0=",
        ] {
            assert_eq!(
                usage(config(None, None, Some(t))),
                ("[]".into(), ErrorKind::Usage),
                "{t}"
            );
        }
        // A token lacking an input token can be sent, but not cut again (botocore: "Bad starting token").
        let partial = usage(config(Some(1), None, Some("eyJLZXlNYXJrZXIiOiAiMCJ9")));
        assert_eq!(partial, (r#"[{"KeyMarker": "0"}]"#.into(), ErrorKind::Usage));
    }
}
