//! Evaluating a tree, node by node as jmespath.py's `TreeInterpreter` does: a step that does not apply (a
//! field of an array, an index of an object) gives null rather than an error; projections drop nulls;
//! multi-selects of null are null.

use super::ast::{Cmp, Node};
use super::functions;
use super::value::{Val, jmes_equal, unorderable};
use super::{ErrorKind, JmesError};
use std::cmp::Ordering;
use std::rc::Rc;

/// The value of `node` applied to `cur`. Only a dispatch: each form has its own function, so that this
/// frame, which every level of nesting adds to the stack, stays small (in a debug build too).
pub(crate) fn eval<'a>(node: &'a Node, cur: &Val<'a>) -> Result<Val<'a>, JmesError> {
    match node {
        Node::Identity | Node::Current => Ok(cur.clone()),
        Node::Field(key) => Ok(cur.field(key)),
        Node::Subexpression(chain) | Node::IndexExpression(chain) => chained(chain, cur),
        Node::Index(i) => Ok(index(cur, *i)),
        Node::Slice(start, stop, step) => slice(cur, *start, *stop, *step),
        Node::Projection(left, right) => projection(left, right, cur),
        Node::ValueProjection(left, right) => value_projection(left, right, cur),
        Node::FilterProjection(left, right, condition) => filter(left, right, condition, cur),
        Node::Flatten(inner) => flatten(inner, cur),
        Node::Literal(v) => Ok(Val::Json(v)),
        Node::MultiSelectList(items) => multi_select_list(items, cur),
        Node::MultiSelectHash(pairs) => multi_select_hash(pairs, cur),
        Node::Comparator(op, left, right) => comparator(*op, left, right, cur),
        Node::Or(left, right) => or(left, right, cur),
        Node::And(left, right) => and(left, right, cur),
        Node::Not(inner) => not(inner, cur),
        Node::Pipe(left, right) => pipe(left, right, cur),
        Node::Function(name, args) => function(name, args, cur),
        Node::Expref(inner) => Ok(Val::Expref(inner)),
    }
}

fn chained<'a>(chain: &'a [Node], cur: &Val<'a>) -> Result<Val<'a>, JmesError> {
    let mut v = cur.clone();
    for step in chain {
        v = eval(step, &v)?;
    }
    Ok(v)
}

fn projection<'a>(left: &'a Node, right: &'a Node, cur: &Val<'a>) -> Result<Val<'a>, JmesError> {
    match eval(left, cur)?.items() {
        Some(items) => project(items, right),
        None => Ok(Val::Null),
    }
}

fn value_projection<'a>(left: &'a Node, right: &'a Node, cur: &Val<'a>) -> Result<Val<'a>, JmesError> {
    let base = eval(left, cur)?;
    match base.members() {
        Some(members) => project(members.into_iter().map(|(_, v)| v).collect(), right),
        None => Ok(Val::Null),
    }
}

fn filter<'a>(
    left: &'a Node,
    right: &'a Node,
    condition: &'a Node,
    cur: &Val<'a>,
) -> Result<Val<'a>, JmesError> {
    let Some(items) = eval(left, cur)?.items() else {
        return Ok(Val::Null);
    };
    // Condition and right side element by element, so that errors come in jmespath.py's order.
    let mut out = Vec::new();
    for item in items {
        if !eval(condition, &item)?.is_false() {
            let v = eval(right, &item)?;
            if !v.is_null() {
                out.push(v);
            }
        }
    }
    Ok(Val::Array(Rc::new(out)))
}

fn flatten<'a>(inner: &'a Node, cur: &Val<'a>) -> Result<Val<'a>, JmesError> {
    let Some(items) = eval(inner, cur)?.items() else {
        return Ok(Val::Null);
    };
    let mut merged = Vec::with_capacity(items.len());
    for item in items {
        match item.items() {
            Some(inner_items) => merged.extend(inner_items),
            None => merged.push(item),
        }
    }
    Ok(Val::Array(Rc::new(merged)))
}

fn multi_select_list<'a>(items: &'a [Node], cur: &Val<'a>) -> Result<Val<'a>, JmesError> {
    if cur.is_null() {
        return Ok(Val::Null);
    }
    let mut values = Vec::with_capacity(items.len());
    for n in items {
        values.push(eval(n, cur)?);
    }
    Ok(Val::Array(Rc::new(values)))
}

fn multi_select_hash<'a>(pairs: &'a [(String, Node)], cur: &Val<'a>) -> Result<Val<'a>, JmesError> {
    if cur.is_null() {
        return Ok(Val::Null);
    }
    let mut members: Vec<(String, Val<'a>)> = Vec::with_capacity(pairs.len());
    for (key, n) in pairs {
        let v = eval(n, cur)?;
        // A Python dict: a repeated key keeps its first place and takes the last value.
        match members.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = v,
            None => members.push((key.clone(), v)),
        }
    }
    Ok(Val::Object(Rc::new(members)))
}

fn comparator<'a>(op: Cmp, left: &'a Node, right: &'a Node, cur: &Val<'a>) -> Result<Val<'a>, JmesError> {
    let l = eval(left, cur)?;
    let r = eval(right, cur)?;
    compare(op, &l, &r)
}

fn or<'a>(left: &'a Node, right: &'a Node, cur: &Val<'a>) -> Result<Val<'a>, JmesError> {
    let l = eval(left, cur)?;
    if l.is_false() { eval(right, cur) } else { Ok(l) }
}

fn and<'a>(left: &'a Node, right: &'a Node, cur: &Val<'a>) -> Result<Val<'a>, JmesError> {
    let l = eval(left, cur)?;
    if l.is_false() { Ok(l) } else { eval(right, cur) }
}

fn not<'a>(inner: &'a Node, cur: &Val<'a>) -> Result<Val<'a>, JmesError> {
    let v = eval(inner, cur)?;
    // jmespath.py special-cases numbers: `!0` is false, like every other number.
    Ok(Val::Bool(v.number_text().is_none() && v.is_false()))
}

fn pipe<'a>(left: &'a Node, right: &'a Node, cur: &Val<'a>) -> Result<Val<'a>, JmesError> {
    let l = eval(left, cur)?;
    eval(right, &l)
}

fn function<'a>(name: &str, args: &'a [Node], cur: &Val<'a>) -> Result<Val<'a>, JmesError> {
    // Arguments first, then the lookup: an unknown function's arguments are still evaluated.
    let mut values = Vec::with_capacity(args.len());
    for n in args {
        values.push(eval(n, cur)?);
    }
    functions::call(name, values)
}

/// The right side of a projection applied to each item; nulls left out.
fn project<'a>(items: Vec<Val<'a>>, right: &'a Node) -> Result<Val<'a>, JmesError> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let v = eval(right, &item)?;
        if !v.is_null() {
            out.push(v);
        }
    }
    Ok(Val::Array(Rc::new(out)))
}

fn index<'a>(cur: &Val<'a>, i: i64) -> Val<'a> {
    let Some(len) = cur.array_len() else {
        return Val::Null;
    };
    let len = len as i128;
    let at = if i < 0 { len + i128::from(i) } else { i128::from(i) };
    usize::try_from(at)
        .ok()
        .and_then(|at| cur.item(at))
        .unwrap_or(Val::Null)
}

/// Python's `list[start:stop:step]` (`slice.indices`), on arrays only.
fn slice<'a>(
    cur: &Val<'a>,
    start: Option<i64>,
    stop: Option<i64>,
    step: Option<i64>,
) -> Result<Val<'a>, JmesError> {
    let Some(items) = cur.items() else {
        return Ok(Val::Null);
    };
    let step = i128::from(step.unwrap_or(1));
    if step == 0 {
        // Python's ValueError, raised only when a list is sliced.
        return Err(JmesError::new(
            ErrorKind::InvalidValue,
            "slice step cannot be zero",
        ));
    }
    let len = items.len() as i128;
    let (lower, upper) = if step < 0 { (-1, len - 1) } else { (0, len) };
    let clamp = |bound: Option<i64>, default: i128| match bound {
        None => default,
        Some(b) => {
            let b = i128::from(b);
            let b = if b < 0 { b + len } else { b };
            b.clamp(lower, upper)
        }
    };
    let first = clamp(start, if step < 0 { upper } else { lower });
    let end = clamp(stop, if step < 0 { lower } else { upper });
    let mut out = Vec::new();
    let mut i = first;
    while (step > 0 && i < end) || (step < 0 && i > end) {
        // lower <= i <= upper and i != -1 here, so the index is in range.
        if let Some(v) = usize::try_from(i).ok().and_then(|u| items.get(u)) {
            out.push(v.clone());
        }
        i += step;
    }
    Ok(Val::Array(Rc::new(out)))
}

/// The comparison operators: `==`/`!=` on any values; the ordering ones on two numbers or two strings, null
/// otherwise (and, as Python, an error for a number against a string).
fn compare<'a>(op: Cmp, l: &Val<'a>, r: &Val<'a>) -> Result<Val<'a>, JmesError> {
    let ordering = match op {
        Cmp::Eq => return Ok(Val::Bool(jmes_equal(l, r))),
        Cmp::Ne => return Ok(Val::Bool(!jmes_equal(l, r))),
        _ => match (l.num(), r.num(), l.as_str(), r.as_str()) {
            (Some(a), Some(b), _, _) => a.partial_cmp(b),
            (_, _, Some(a), Some(b)) => Some(a.cmp(b)),
            (Some(_), _, _, Some(_)) | (_, Some(_), Some(_), _) => {
                return Err(unorderable(symbol(op), l, r));
            }
            _ => return Ok(Val::Null),
        },
    };
    // A NaN is neither below, above nor equal to anything.
    let Some(o) = ordering else {
        return Ok(Val::Bool(false));
    };
    Ok(Val::Bool(match op {
        Cmp::Lt => o == Ordering::Less,
        Cmp::Lte => o != Ordering::Greater,
        Cmp::Gt => o == Ordering::Greater,
        Cmp::Gte => o != Ordering::Less,
        Cmp::Eq | Cmp::Ne => false,
    }))
}

/// The operator's symbol, for Python's message.
fn symbol(op: Cmp) -> &'static str {
    match op {
        Cmp::Lt => "<",
        Cmp::Lte => "<=",
        Cmp::Gt => ">",
        Cmp::Gte => ">=",
        Cmp::Eq => "==",
        Cmp::Ne => "!=",
    }
}
