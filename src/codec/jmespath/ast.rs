//! The tree a JMESPath expression parses to. The node kinds and their nesting are jmespath.py's (its
//! `ast.py`), because several of its behaviours hang on the shape of the tree, not only on the text: a slice
//! after an index (`a[0][1:2]`) joins the index expression and does not project, and only a plain field
//! can be called as a function (`(abs)(@)` is a call, `"abs"(@)` is not).

use crate::codec::json::Value;

/// One node of a parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    /// The value itself: the implicit left side of `[*]`, `[]`, `[?..]`, `*` at the start.
    Identity,
    /// `@`.
    Current,
    /// A member of an object, by name (quoted or not).
    Field(String),
    /// `a.b.c`: each child applied to the result of the one before.
    Subexpression(Vec<Node>),
    /// `a[0][1]`: the same, for index and slice steps.
    IndexExpression(Vec<Node>),
    /// `[n]`: an element of an array, from the end when negative.
    Index(i64),
    /// `[start:stop:step]`, each part optional, as Python slices.
    Slice(Option<i64>, Option<i64>, Option<i64>),
    /// A list projection: the right side applied to each element of the left side's array; nulls dropped.
    Projection(Box<Node>, Box<Node>),
    /// `*`: the right side applied to each value of the left side's object; nulls dropped.
    ValueProjection(Box<Node>, Box<Node>),
    /// `[?cond]`: left, right, condition; the right side applied to the elements where the condition holds.
    FilterProjection(Box<Node>, Box<Node>, Box<Node>),
    /// `[]`: one level of nested arrays merged.
    Flatten(Box<Node>),
    /// A backtick JSON literal or a raw string literal.
    Literal(Value),
    /// `[a, b]`.
    MultiSelectList(Vec<Node>),
    /// `{k: a, l: b}`, keys in the order written.
    MultiSelectHash(Vec<(String, Node)>),
    /// `a == b` and the other comparisons.
    Comparator(Cmp, Box<Node>, Box<Node>),
    /// `a || b`.
    Or(Box<Node>, Box<Node>),
    /// `a && b`.
    And(Box<Node>, Box<Node>),
    /// `!a`.
    Not(Box<Node>),
    /// `a | b`: the right side applied to the left's result, whatever projection the left was.
    Pipe(Box<Node>, Box<Node>),
    /// `name(args...)`.
    Function(String, Vec<Node>),
    /// `&expr`: the expression itself, as an argument for `sort_by`, `map` and friends.
    Expref(Box<Node>),
}

/// The comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cmp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Lte,
    /// `>`
    Gt,
    /// `>=`
    Gte,
}
