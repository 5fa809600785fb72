//! The values an evaluation passes around: borrowed parts of the document (or of a literal in the
//! expression), computed ones (shared, so that projections copy pointers, not subtrees), and expression
//! references, which exist only inside an evaluation. Also Python's equality and `str()`, which jmespath.py's
//! results and messages follow.

use super::ast::Node;
use super::number::{Num, is_int_text, python_text};
use super::{ErrorKind, JmesError};
use crate::codec::json::Value;
use std::collections::HashMap;
use std::rc::Rc;

/// A value during evaluation.
#[derive(Clone, Debug)]
pub(crate) enum Val<'a> {
    /// A part of the document or of a literal, as it is.
    Json(&'a Value),
    Null,
    Bool(bool),
    /// A computed number, already in Python's text.
    Number(String),
    String(String),
    Array(Rc<Vec<Val<'a>>>),
    /// Computed objects have no repeated keys (a Python dict).
    Object(Rc<Vec<(String, Val<'a>)>>),
    /// `&expr`.
    Expref(&'a Node),
}

impl<'a> Val<'a> {
    /// The JMESPath type name, as functions check and `type()` reports it.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Val::Json(Value::Null) | Val::Null => "null",
            Val::Json(Value::Bool(_)) | Val::Bool(_) => "boolean",
            Val::Json(Value::Number(_)) | Val::Number(_) => "number",
            Val::Json(Value::String(_)) | Val::String(_) => "string",
            Val::Json(Value::Array(_)) | Val::Array(_) => "array",
            Val::Json(Value::Object(_)) | Val::Object(_) => "object",
            Val::Expref(_) => "expref",
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Val::Null | Val::Json(Value::Null))
    }

    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self {
            Val::Bool(b) | Val::Json(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Val::String(s) | Val::Json(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    /// A number's text, as written or computed.
    pub(crate) fn number_text(&self) -> Option<&str> {
        match self {
            Val::Number(n) | Val::Json(Value::Number(n)) => Some(n),
            _ => None,
        }
    }

    pub(crate) fn num(&self) -> Option<Num> {
        self.number_text().map(Num::parse)
    }

    /// The elements, if this is an array.
    pub(crate) fn items(&self) -> Option<Vec<Val<'a>>> {
        match self {
            Val::Json(Value::Array(items)) => Some(items.iter().map(Val::Json).collect()),
            Val::Array(items) => Some(items.as_ref().clone()),
            _ => None,
        }
    }

    /// The number of elements, if this is an array.
    pub(crate) fn array_len(&self) -> Option<usize> {
        match self {
            Val::Json(Value::Array(items)) => Some(items.len()),
            Val::Array(items) => Some(items.len()),
            _ => None,
        }
    }

    /// The element at `i`, if this is an array that long.
    pub(crate) fn item(&self, i: usize) -> Option<Val<'a>> {
        match self {
            Val::Json(Value::Array(items)) => items.get(i).map(Val::Json),
            Val::Array(items) => items.get(i).cloned(),
            _ => None,
        }
    }

    /// The members, if this is an object, as the Python dict jmespath.py would hold: a repeated key once,
    /// where it first stood, with its last value.
    pub(crate) fn members(&self) -> Option<Vec<(&str, Val<'a>)>> {
        match self {
            Val::Json(Value::Object(members)) => {
                let mut out: Vec<(&str, Val<'a>)> = Vec::with_capacity(members.len());
                let mut seen: HashMap<&str, usize> = HashMap::with_capacity(members.len());
                for (k, v) in members {
                    match seen.get(k.as_str()) {
                        Some(&at) => out[at].1 = Val::Json(v),
                        None => {
                            seen.insert(k, out.len());
                            out.push((k, Val::Json(v)));
                        }
                    }
                }
                Some(out)
            }
            Val::Object(members) => Some(members.iter().map(|(k, v)| (k.as_str(), v.clone())).collect()),
            _ => None,
        }
    }

    /// The member `key` of an object (its last value, as Python's dict keeps), else null.
    pub(crate) fn field(&self, key: &str) -> Val<'a> {
        match self {
            Val::Json(v @ Value::Object(_)) => v.get(key).map_or(Val::Null, Val::Json),
            Val::Object(members) => members
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map_or(Val::Null, |(_, v)| v.clone()),
            _ => Val::Null,
        }
    }

    /// JMESPath's false: null, false, and the empty string, array and object. Numbers are always true.
    pub(crate) fn is_false(&self) -> bool {
        match self {
            Val::Json(Value::Null) | Val::Null => true,
            Val::Json(Value::Bool(b)) | Val::Bool(b) => !b,
            Val::Json(Value::String(s)) | Val::String(s) => s.is_empty(),
            Val::Json(Value::Array(a)) => a.is_empty(),
            Val::Array(a) => a.is_empty(),
            Val::Json(Value::Object(m)) => m.is_empty(),
            Val::Object(m) => m.is_empty(),
            Val::Json(Value::Number(_)) | Val::Number(_) | Val::Expref(_) => false,
        }
    }

    /// The value as JSON. An expression reference cannot be one: jmespath.py hands it back and the AWS CLI
    /// then fails to print it.
    pub(crate) fn to_value(&self) -> Result<Value, JmesError> {
        Ok(match self {
            Val::Json(v) => (*v).clone(),
            Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(*b),
            Val::Number(n) => Value::Number(n.clone()),
            Val::String(s) => Value::String(s.clone()),
            Val::Array(items) => Value::Array(items.iter().map(Val::to_value).collect::<Result<_, _>>()?),
            Val::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), v.to_value()?)))
                    .collect::<Result<_, JmesError>>()?,
            ),
            Val::Expref(_) => {
                return Err(JmesError::new(
                    ErrorKind::InvalidType,
                    "Object of type _Expression is not JSON serializable",
                ));
            }
        })
    }
}

/// jmespath.py's `==`: Python's, except that 0 and 1 never equal a boolean at the top level.
pub(crate) fn jmes_equal(a: &Val<'_>, b: &Val<'_>) -> bool {
    let special =
        |x: &Val<'_>, y: &Val<'_>| x.num().is_some_and(Num::is_zero_or_one) && y.as_bool().is_some();
    if special(a, b) || special(b, a) {
        return false;
    }
    python_equal(a, b)
}

/// Python's `==` on the values json.loads makes: numbers by value, and (Python's bool being an int) `true`
/// equal to 1 and `false` to 0 inside arrays and objects; objects regardless of member order.
pub(crate) fn python_equal(a: &Val<'_>, b: &Val<'_>) -> bool {
    let as_num = |v: &Val<'_>| match v.as_bool() {
        Some(b) => Some(Num::Int(i128::from(b))),
        None => v.num(),
    };
    if let (Some(x), Some(y)) = (as_num(a), as_num(b)) {
        return x.partial_cmp(y) == Some(std::cmp::Ordering::Equal);
    }
    if a.is_null() || b.is_null() {
        return a.is_null() && b.is_null();
    }
    if let (Some(x), Some(y)) = (a.as_str(), b.as_str()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.items(), b.items()) {
        return x.len() == y.len() && x.iter().zip(&y).all(|(p, q)| python_equal(p, q));
    }
    if let (Some(x), Some(y)) = (a.members(), b.members()) {
        let y: HashMap<&str, &Val<'_>> = y.iter().map(|(k, v)| (*k, v)).collect();
        return x.len() == y.len()
            && x.iter()
                .all(|(k, v)| y.get(k).is_some_and(|w| python_equal(v, w)));
    }
    // Two expression references are two objects in Python, never equal.
    false
}

/// Python's name of the value's type, as its own errors print it.
pub(crate) fn python_type(v: &Val<'_>) -> &'static str {
    match v.type_name() {
        "null" => "NoneType",
        "boolean" => "bool",
        "number" if v.number_text().is_some_and(is_int_text) => "int",
        "number" => "float",
        "string" => "str",
        "array" => "list",
        "object" => "dict",
        _ => "_Expression",
    }
}

/// Python's TypeError for an order asked between a number and a string, which jmespath.py lets through.
pub(crate) fn unorderable(symbol: &str, l: &Val<'_>, r: &Val<'_>) -> JmesError {
    JmesError::new(
        ErrorKind::InvalidType,
        format!(
            "'{symbol}' not supported between instances of '{}' and '{}'",
            python_type(l),
            python_type(r)
        ),
    )
}

/// Python's `str()` of the value, for messages (`None`, `True`, `['a', 1]`, `{'k': 'v'}`; a string bare).
pub(crate) fn python_str(v: &Val<'_>) -> String {
    match v.as_str() {
        Some(s) => s.to_owned(),
        None => python_repr(v),
    }
}

fn python_repr(v: &Val<'_>) -> String {
    if let Some(s) = v.as_str() {
        return quote(s);
    }
    if let Some(b) = v.as_bool() {
        return if b { "True" } else { "False" }.to_owned();
    }
    if let Some(n) = v.number_text() {
        // Python's repr of a float says inf and nan where JSON says Infinity and NaN.
        return match python_text(n).as_str() {
            "Infinity" => "inf".to_owned(),
            "-Infinity" => "-inf".to_owned(),
            "NaN" => "nan".to_owned(),
            t => t.to_owned(),
        };
    }
    if let Some(items) = v.items() {
        let parts: Vec<String> = items.iter().map(python_repr).collect();
        return format!("[{}]", parts.join(", "));
    }
    if let Some(members) = v.members() {
        let parts: Vec<String> = members
            .iter()
            .map(|(k, v)| format!("{}: {}", quote(k), python_repr(v)))
            .collect();
        return format!("{{{}}}", parts.join(", "));
    }
    match v {
        Val::Expref(_) => "<jmespath.visitor._Expression object>".to_owned(),
        _ => "None".to_owned(),
    }
}

/// Python's repr of a string: single quotes unless it holds one and no double quote.
fn quote(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(q);
    out
}

/// Python's `json.dumps(v, separators=(',', ':'))`, as `to_string` writes: compact, members in order, numbers
/// as Python prints them, everything outside printable ASCII escaped.
pub(crate) fn python_json(v: &Val<'_>, out: &mut String) {
    if let Some(s) = v.as_str() {
        json_string(s, out);
    } else if let Some(b) = v.as_bool() {
        out.push_str(if b { "true" } else { "false" });
    } else if let Some(n) = v.number_text() {
        out.push_str(&python_text(n));
    } else if let Some(items) = v.items() {
        out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            python_json(item, out);
        }
        out.push(']');
    } else if let Some(members) = v.members() {
        out.push('{');
        for (i, (k, item)) in members.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json_string(k, out);
            out.push(':');
            python_json(item, out);
        }
        out.push('}');
    } else if let Val::Expref(_) = v {
        // json.dumps(default=str) writes str() of the object.
        json_string("<jmespath.visitor._Expression object>", out);
    } else {
        out.push_str("null");
    }
}

/// A string as Python's `json.dumps` writes it (non-ASCII escaped).
fn json_string(s: &str, out: &mut String) {
    crate::codec::json::write_string(out, s, true);
}
