//! The built-in functions, with jmespath.py 1.0.1's signatures and checks: the arity first, then the type of
//! each declared argument (an array's elements too, for `array-number` and `array-string`), then the function,
//! which may raise type errors of its own (`sort_by` keys, `min_by`/`max_by` keys of mixed types).

use super::eval::eval;
use super::number::{Num, float_repr, integral_text, is_int_text, normalize_int, parse_python_number};
use super::value::{Val, python_equal, python_json, python_str, python_type, unorderable};
use super::{ErrorKind, JmesError};
use std::cmp::Ordering;
use std::rc::Rc;

/// A declared argument type; an argument accepts any of a list of them, and an empty list means any value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Number,
    String,
    Array,
    Object,
    Expref,
    ArrayNumber,
    ArrayString,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Number => "number",
            Ty::String => "string",
            Ty::Array => "array",
            Ty::Object => "object",
            Ty::Expref => "expref",
            Ty::ArrayNumber => "array-number",
            Ty::ArrayString => "array-string",
        }
    }

    /// The type of the value itself.
    fn top(self) -> &'static str {
        match self {
            Ty::Array | Ty::ArrayNumber | Ty::ArrayString => "array",
            other => other.name(),
        }
    }

    /// The type its elements must have, for the array types that say.
    fn element(self) -> Option<&'static str> {
        match self {
            Ty::ArrayNumber => Some("number"),
            Ty::ArrayString => Some("string"),
            _ => None,
        }
    }
}

const ANY: &[Ty] = &[];

/// A function's declared arguments, and whether the last may repeat (then at least that many are needed).
fn signature(name: &str) -> Option<(&'static [&'static [Ty]], bool)> {
    use Ty::*;
    Some(match name {
        "abs" | "ceil" | "floor" => (&[&[Number]], false),
        "avg" | "sum" => (&[&[ArrayNumber]], false),
        "contains" => (&[&[Array, String], ANY], false),
        "ends_with" | "starts_with" => (&[&[String], &[String]], false),
        "join" => (&[&[String], &[ArrayString]], false),
        "keys" | "values" => (&[&[Object]], false),
        "length" => (&[&[String, Array, Object]], false),
        "map" => (&[&[Expref], &[Array]], false),
        "max" | "min" => (&[&[ArrayNumber, ArrayString]], false),
        "max_by" | "min_by" | "sort_by" => (&[&[Array], &[Expref]], false),
        "merge" => (&[&[Object]], true),
        "not_null" => (&[ANY], true),
        "reverse" => (&[&[Array, String]], false),
        "sort" => (&[&[ArrayString, ArrayNumber]], false),
        "to_array" | "to_string" | "to_number" | "type" => (&[ANY], false),
        _ => return None,
    })
}

/// Calls the built-in `name` on evaluated arguments.
pub(crate) fn call<'a>(name: &str, args: Vec<Val<'a>>) -> Result<Val<'a>, JmesError> {
    let Some((sig, variadic)) = signature(name) else {
        return Err(JmesError::new(
            ErrorKind::UnknownFunction,
            format!("Unknown function: {name}()"),
        ));
    };
    if (variadic && args.len() < sig.len()) || (!variadic && args.len() != sig.len()) {
        let n = sig.len();
        return Err(JmesError::new(
            ErrorKind::InvalidArity,
            format!(
                "Expected {}{n} argument{} for function {name}(), received {}",
                if variadic { "at least " } else { "" },
                if n == 1 { "" } else { "s" },
                args.len()
            ),
        ));
    }
    // Only the declared arguments are checked, as jmespath.py: merge's and not_null's extra ones are not.
    for (arg, types) in args.iter().zip(sig) {
        check(name, arg, types)?;
    }
    run(name, args)
}

fn type_error(function: &str, value: &Val<'_>, actual: &str, expected: &[&str]) -> JmesError {
    let expected: Vec<String> = expected.iter().map(|t| format!("'{t}'")).collect();
    JmesError::new(
        ErrorKind::InvalidType,
        format!(
            "In function {function}(), invalid type for value: {}, expected one of: [{}], received: \"{actual}\"",
            python_str(value),
            expected.join(", ")
        ),
    )
}

fn check(function: &str, arg: &Val<'_>, types: &[Ty]) -> Result<(), JmesError> {
    if types.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = types.iter().map(|t| t.name()).collect();
    let actual = arg.type_name();
    if !types.iter().any(|t| t.top() == actual) {
        return Err(type_error(function, arg, actual, &names));
    }
    let elements: Vec<&str> = types.iter().filter_map(|t| t.element()).collect();
    let items = arg.items().unwrap_or_default();
    // With one element type every element must have it; with several, the first element picks one.
    let wanted = match (elements.as_slice(), items.first()) {
        ([], _) => return Ok(()),
        ([one], _) => *one,
        (_, None) => return Ok(()),
        (many, Some(first)) => match many.iter().find(|t| **t == first.type_name()) {
            Some(t) => *t,
            None => return Err(type_error(function, first, python_type(first), &names)),
        },
    };
    match items.iter().find(|v| v.type_name() != wanted) {
        Some(bad) => Err(type_error(function, bad, python_type(bad), &names)),
        None => Ok(()),
    }
}

fn run<'a>(name: &str, args: Vec<Val<'a>>) -> Result<Val<'a>, JmesError> {
    // The arity was checked, so the arguments named here exist; null keeps a slip from panicking.
    let first = args.first().cloned().unwrap_or(Val::Null);
    let second = args.get(1).cloned().unwrap_or(Val::Null);
    let text = |v: &Val<'_>| v.as_str().unwrap_or_default().to_owned();
    Ok(match name {
        "abs" | "ceil" | "floor" | "avg" | "sum" => arithmetic(name, &first)?,
        "to_array" | "to_string" | "to_number" | "type" => conversion(name, first)?,
        "contains" => contains(&first, &second)?,
        "ends_with" => Val::Bool(text(&first).ends_with(&text(&second))),
        "starts_with" => Val::Bool(text(&first).starts_with(&text(&second))),
        "join" => {
            let parts: Vec<String> = second.items().unwrap_or_default().iter().map(text).collect();
            Val::String(parts.join(&text(&first)))
        }
        "keys" => {
            let keys = first.members().unwrap_or_default();
            Val::Array(Rc::new(
                keys.into_iter().map(|(k, _)| Val::String(k.to_owned())).collect(),
            ))
        }
        "values" => {
            let members = first.members().unwrap_or_default();
            Val::Array(Rc::new(members.into_iter().map(|(_, v)| v).collect()))
        }
        "length" => {
            let n = match (first.as_str(), first.array_len(), first.members()) {
                (Some(s), _, _) => s.chars().count(),
                (_, Some(n), _) => n,
                (_, _, Some(m)) => m.len(),
                _ => 0,
            };
            Val::Number(n.to_string())
        }
        "map" => {
            let Val::Expref(expr) = first else {
                return Ok(Val::Null);
            };
            let items = second.items().unwrap_or_default();
            let out = items.iter().map(|v| eval(expr, v)).collect::<Result<_, _>>()?;
            Val::Array(Rc::new(out))
        }
        "max" | "min" => extreme(&first.items().unwrap_or_default(), name == "max"),
        "max_by" | "min_by" => extreme_by(name, &first, &second)?,
        "sort_by" => sort_by(&first, &second)?,
        "merge" => merge(&args)?,
        "not_null" => args.into_iter().find(|v| !v.is_null()).unwrap_or(Val::Null),
        "reverse" => match first.as_str() {
            Some(s) => Val::String(s.chars().rev().collect()),
            None => Val::Array(Rc::new(
                first.items().unwrap_or_default().into_iter().rev().collect(),
            )),
        },
        "sort" => {
            let mut items = first.items().unwrap_or_default();
            items.sort_by(order);
            Val::Array(Rc::new(items))
        }
        _ => {
            let message = format!("Unknown function: {name}()");
            return Err(JmesError::new(ErrorKind::UnknownFunction, message));
        }
    })
}

/// abs, ceil, floor, avg and sum: Python's int stays an int, a float a float (ceil and floor give ints).
fn arithmetic<'a>(name: &str, arg: &Val<'a>) -> Result<Val<'a>, JmesError> {
    if name == "ceil" || name == "floor" {
        return round(name, arg);
    }
    if name == "abs" {
        let t = arg.number_text().unwrap_or("0");
        return Ok(Val::Number(if is_int_text(t) {
            normalize_int(t.trim_start_matches('-'))
        } else {
            float_repr(Num::parse(t).to_f64().abs())
        }));
    }
    let items = arg.items().unwrap_or_default();
    Ok(match (python_sum(&items), name, items.len()) {
        (_, "avg", 0) => Val::Null,
        (s, "avg", n) => Val::Number(float_repr(s.to_f64() / n as f64)),
        (s, _, _) => Val::Number(s.repr()),
    })
}

/// to_array, to_string, to_number and type.
fn conversion<'a>(name: &str, arg: Val<'a>) -> Result<Val<'a>, JmesError> {
    Ok(match name {
        "to_array" => match arg.array_len() {
            Some(_) => arg,
            None => Val::Array(Rc::new(vec![arg])),
        },
        "to_string" => match arg.as_str() {
            Some(_) => arg,
            None => {
                let mut out = String::new();
                python_json(&arg, &mut out);
                Val::String(out)
            }
        },
        "to_number" => match (&arg, arg.number_text(), arg.as_str()) {
            (_, Some(_), _) => arg,
            (_, _, Some(s)) => parse_python_number(s).map_or(Val::Null, Val::Number),
            // Python's int() of the reference object.
            (Val::Expref(_), _, _) => {
                return Err(JmesError::new(
                    ErrorKind::InvalidType,
                    "int() argument must be a string, a bytes-like object or a real number, not '_Expression'",
                ));
            }
            _ => Val::Null,
        },
        // jmespath.py's type() has no answer for an expression reference.
        _ => match arg {
            Val::Expref(_) => Val::Null,
            other => Val::String(other.type_name().to_owned()),
        },
    })
}

/// Python's `math.ceil`/`math.floor`: an int unchanged, a float to the int next to it.
fn round<'a>(name: &str, v: &Val<'a>) -> Result<Val<'a>, JmesError> {
    let t = v.number_text().unwrap_or("0");
    if is_int_text(t) {
        return Ok(Val::Number(normalize_int(t)));
    }
    let f = Num::parse(t).to_f64();
    if !f.is_finite() {
        let what = if f.is_nan() { "NaN" } else { "infinity" };
        return Err(JmesError::new(
            ErrorKind::InvalidValue,
            format!("cannot convert float {what} to integer"),
        ));
    }
    let r = if name == "ceil" { f.ceil() } else { f.floor() };
    Ok(Val::Number(integral_text(r)))
}

/// Python's `sum()`: exact while all are ints, then in floats from the first float on.
fn python_sum(items: &[Val<'_>]) -> Num {
    let mut acc = Num::Int(0);
    for n in items.iter().filter_map(Val::num) {
        acc = match (acc, n) {
            (Num::Int(a), Num::Int(b)) => a.checked_add(b).map_or(Num::Float(a as f64 + b as f64), Num::Int),
            (a, b) => Num::Float(a.to_f64() + b.to_f64()),
        };
    }
    acc
}

fn contains<'a>(subject: &Val<'a>, search: &Val<'a>) -> Result<Val<'a>, JmesError> {
    if let Some(s) = subject.as_str() {
        // Python's `in` on a string wants a string.
        let Some(needle) = search.as_str() else {
            return Err(JmesError::new(
                ErrorKind::InvalidType,
                format!(
                    "'in <string>' requires string as left operand, not {}",
                    python_type(search)
                ),
            ));
        };
        return Ok(Val::Bool(s.contains(needle)));
    }
    // Python's `in` on a list: its `==`, where true equals 1.
    let items = subject.items().unwrap_or_default();
    Ok(Val::Bool(items.iter().any(|v| python_equal(v, search))))
}

/// The order of two numbers or two strings (the caller checked they are alike), total for sorting.
fn order(a: &Val<'_>, b: &Val<'_>) -> Ordering {
    match (a.num(), b.num()) {
        (Some(x), Some(y)) => x.total_cmp(y),
        _ => a.as_str().unwrap_or_default().cmp(b.as_str().unwrap_or_default()),
    }
}

/// Python's comparison of two keys, `want` being the one asked (`>` for max, `<` for min): an error for a
/// number against a string.
fn py_cmp(a: &Val<'_>, b: &Val<'_>, want: Ordering) -> Result<Option<Ordering>, JmesError> {
    match (a.num(), b.num(), a.as_str(), b.as_str()) {
        (Some(x), Some(y), _, _) => Ok(x.partial_cmp(y)),
        (_, _, Some(x), Some(y)) => Ok(Some(x.cmp(y))),
        _ => Err(unorderable(
            if want == Ordering::Greater { ">" } else { "<" },
            a,
            b,
        )),
    }
}

/// Python's `max()`/`min()`: the first of the largest (smallest) elements.
fn extreme<'a>(items: &[Val<'a>], max: bool) -> Val<'a> {
    let want = if max { Ordering::Greater } else { Ordering::Less };
    let mut best: Option<&Val<'a>> = None;
    for item in items {
        best = match best {
            Some(b) if py_cmp(item, b, want).ok().flatten() != Some(want) => Some(b),
            _ => Some(item),
        };
    }
    best.cloned().unwrap_or(Val::Null)
}

/// The value of `expr` on `item`, which must be one of `allowed` (jmespath.py's key function).
fn key<'a>(function: &str, expr: &Val<'a>, item: &Val<'a>, allowed: &[&str]) -> Result<Val<'a>, JmesError> {
    let Val::Expref(node) = expr else {
        return Ok(Val::Null);
    };
    let k = eval(node, item)?;
    if !allowed.contains(&k.type_name()) {
        return Err(type_error(function, &k, k.type_name(), allowed));
    }
    Ok(k)
}

fn extreme_by<'a>(name: &str, array: &Val<'a>, expr: &Val<'a>) -> Result<Val<'a>, JmesError> {
    let want = if name == "max_by" {
        Ordering::Greater
    } else {
        Ordering::Less
    };
    let mut best: Option<(Val<'a>, Val<'a>)> = None;
    for item in array.items().unwrap_or_default() {
        let k = key(name, expr, &item, &["number", "string"])?;
        best = match best {
            Some((bk, bv)) if py_cmp(&k, &bk, want)? != Some(want) => Some((bk, bv)),
            _ => Some((k, item)),
        };
    }
    Ok(best.map_or(Val::Null, |(_, v)| v))
}

/// A stable sort by keys that must all be numbers, or all strings, as the first element's key is.
fn sort_by<'a>(array: &Val<'a>, expr: &Val<'a>) -> Result<Val<'a>, JmesError> {
    let items = array.items().unwrap_or_default();
    let Some(first) = items.first() else {
        return Ok(array.clone());
    };
    let wanted = key(
        "sort_by",
        expr,
        first,
        &["null", "boolean", "number", "string", "array", "object"],
    )?
    .type_name();
    if wanted != "number" && wanted != "string" {
        return Err(type_error("sort_by", first, wanted, &["string", "number"]));
    }
    let mut keyed = Vec::with_capacity(items.len());
    for item in items {
        keyed.push((key("sort_by", expr, &item, &[wanted])?, item));
    }
    keyed.sort_by(|(a, _), (b, _)| order(a, b));
    Ok(Val::Array(Rc::new(keyed.into_iter().map(|(_, v)| v).collect())))
}

/// Objects merged left to right; a later key replaces an earlier one's value where it stands (a dict update).
fn merge<'a>(args: &[Val<'a>]) -> Result<Val<'a>, JmesError> {
    let mut merged: Vec<(String, Val<'a>)> = Vec::new();
    for arg in args {
        update(&mut merged, arg)?;
    }
    Ok(Val::Object(Rc::new(merged)))
}

fn insert<'a>(merged: &mut Vec<(String, Val<'a>)>, key: String, value: Val<'a>) {
    match merged.iter_mut().find(|(seen, _)| *seen == key) {
        Some(slot) => slot.1 = value,
        None => merged.push((key, value)),
    }
}

/// Python's `dict.update(arg)`. jmespath.py type-checks only merge's first argument, so the others reach
/// `update` as they are: an object merges; a sequence of pairs (two-element arrays, two-character strings,
/// two-key objects) adds its pairs, a number, boolean or null key written as `json.dumps` writes keys (where
/// Python would also fold `1` and `true` into one key); anything else fails with Python's error.
fn update<'a>(merged: &mut Vec<(String, Val<'a>)>, arg: &Val<'a>) -> Result<(), JmesError> {
    if let Some(members) = arg.members() {
        for (k, v) in members {
            insert(merged, k.to_owned(), v);
        }
        return Ok(());
    }
    let Some(elements) = sequence(arg) else {
        let message = format!("'{}' object is not iterable", python_type(arg));
        return Err(JmesError::new(ErrorKind::InvalidType, message));
    };
    for (i, element) in elements.into_iter().enumerate() {
        let Some(pair) = sequence(&element) else {
            let message = format!("cannot convert dictionary update sequence element #{i} to a sequence");
            return Err(JmesError::new(ErrorKind::InvalidType, message));
        };
        let [k, v] = <[Val<'a>; 2]>::try_from(pair).map_err(|pair| {
            let message = format!(
                "dictionary update sequence element #{i} has length {}; 2 is required",
                pair.len()
            );
            JmesError::new(ErrorKind::InvalidValue, message)
        })?;
        let key = match (k.as_str(), k.as_bool(), k.number_text()) {
            (Some(s), _, _) => s.to_owned(),
            (_, Some(b), _) => b.to_string(),
            (_, _, Some(n)) => super::number::python_text(n),
            _ if k.is_null() => "null".to_owned(),
            _ => {
                let message = format!("unhashable type: '{}'", python_type(&k));
                return Err(JmesError::new(ErrorKind::InvalidType, message));
            }
        };
        insert(merged, key, v);
    }
    Ok(())
}

/// What Python's iteration of the value yields: an array's elements, a string's characters, an object's keys.
fn sequence<'a>(v: &Val<'a>) -> Option<Vec<Val<'a>>> {
    if let Some(s) = v.as_str() {
        return Some(s.chars().map(|c| Val::String(c.to_string())).collect());
    }
    if let Some(members) = v.members() {
        return Some(
            members
                .into_iter()
                .map(|(k, _)| Val::String(k.to_owned()))
                .collect(),
        );
    }
    v.items()
}
