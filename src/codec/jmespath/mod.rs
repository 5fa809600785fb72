//! JMESPath, the query language of the AWS CLI's `--query`, as jmespath.py 1.0.1 (the AWS CLI's
//! implementation) reads and evaluates it: every expression form and every built-in function, with its type
//! checks, its error kinds and its Python-flavoured results, over awl's JSON [`Value`].
//!
//! ```
//! use awl::codec::jmespath;
//! use awl::codec::json;
//!
//! let doc = json::parse(r#"{"Buckets": [{"Name": "b", "Size": 3}, {"Name": "a", "Size": 1}]}"#).unwrap();
//! let names = jmespath::compile("sort_by(Buckets, &Size)[].Name").unwrap().search(&doc).unwrap();
//! assert_eq!(json::to_string(&names, json::Style::Python), r#"["a", "b"]"#);
//! ```
//!
//! Two steps, as the AWS CLI v2 takes them: [`compile`] checks the expression before any request is made
//! (its only error kind is [`ErrorKind::Syntax`]), [`Expression::search`] runs it on the answer (errors of the
//! other kinds, for instance a function given the wrong type).
//!
//! Numbers: comparisons, sorting and equality go by value (`1 == 1.0`); a number that passes through keeps its
//! text; a number a function computes is written as Python would print it (`avg` gives `2.5` or `3.0`, `sum`
//! of integers an integer). The newer forms of jmespath.py's develop branch (arithmetic, `let`) are not part of
//! 1.0.1 and are syntax errors here too.
//!
//! Limits: no input panics; an expression nested more than 256 levels deep is a syntax error, so that the
//! parser's and the evaluator's recursion is bounded (the deepest accepted expression needs under 0.5 MiB of
//! stack in a release build, under 2 MiB in a debug build); the data's own depth is bounded by the JSON reader.
//!
//! Where this differs from jmespath.py, knowingly (each beyond what AWS documents hold):
//! - a quoted identifier with a lone surrogate escape (`"\ud800"`) is a syntax error: a Rust string cannot
//!   hold one; Python's matches nothing and gives null;
//! - `to_number` reads ASCII digits only (Python's `int()` also takes other scripts' digits);
//! - integers beyond the i128 range are compared and summed as floats (Python's are exact);
//! - `NaN`/`Infinity` inside a backtick literal array or object are not read as numbers (alone they are);
//! - an expression reference printed by `to_string` or a message has no memory address.
//!
//! What it keeps of jmespath.py that may surprise: `!a.b` is `(!a).b`; `a[0][1:2]` does not project; `0`
//! and `1` never equal a boolean, yet `[1] == [true]` (Python's `bool` is an `int` inside containers);
//! ordering a number against a string is an error, not null; `merge`'s later arguments go through Python's
//! `dict.update` unchecked (`merge(a, [['k', 'v']])` works); a function's arguments need no commas.

mod ast;
mod eval;
mod functions;
mod lexer;
mod number;
mod parser;
#[cfg(test)]
mod tests;
mod value;

use crate::codec::json::Value;
use std::fmt;

/// How deep an expression may nest (parentheses, brackets, projections, operators).
const MAX_DEPTH: usize = 256;

/// A compiled expression, ready to be run on any number of documents.
#[derive(Clone, Debug, PartialEq)]
pub struct Expression {
    text: String,
    root: ast::Node,
}

/// Parses `expr`. Every error here is of kind [`ErrorKind::Syntax`].
pub fn compile(expr: &str) -> Result<Expression, JmesError> {
    Ok(Expression {
        text: expr.to_owned(),
        root: parser::parse(expr)?,
    })
}

impl Expression {
    /// Evaluates the expression on `data`. Errors are of the runtime kinds (invalid type, arity or value,
    /// unknown function).
    pub fn search(&self, data: &Value) -> Result<Value, JmesError> {
        eval::eval(&self.root, &value::Val::Json(data))?.to_value()
    }

    /// The expression as it was given to [`compile`].
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// The kind of a JMESPath error, named as the JMESPath compliance suite names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The expression is not valid JMESPath (found by [`compile`]).
    Syntax,
    /// A function was given a value of the wrong type, or values that cannot be compared.
    InvalidType,
    /// A value out of range: a slice step of 0, the ceiling of infinity.
    InvalidValue,
    /// A function was given the wrong number of arguments.
    InvalidArity,
    /// No built-in function has that name.
    UnknownFunction,
}

impl ErrorKind {
    /// The compliance suite's name: `syntax`, `invalid-type`, `invalid-value`, `invalid-arity`,
    /// `unknown-function`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "syntax",
            ErrorKind::InvalidType => "invalid-type",
            ErrorKind::InvalidValue => "invalid-value",
            ErrorKind::InvalidArity => "invalid-arity",
            ErrorKind::UnknownFunction => "unknown-function",
        }
    }
}

/// A JMESPath error: its kind, and the message jmespath.py would give (`Display` prints it; a syntax error's
/// message spans three lines, the expression and a caret under the column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JmesError {
    kind: ErrorKind,
    message: String,
}

impl JmesError {
    /// What went wrong, in kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, as jmespath.py words it.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> JmesError {
        JmesError {
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn syntax(message: impl Into<String>) -> JmesError {
        JmesError::new(ErrorKind::Syntax, message)
    }

    pub(crate) fn empty() -> JmesError {
        JmesError::syntax("Invalid JMESPath expression: cannot be empty.")
    }

    /// A bad character or literal (jmespath.py's `LexerError`).
    pub(crate) fn lexer(expr: &str, at: usize, message: &str) -> JmesError {
        JmesError::syntax(format!(
            "Bad jmespath expression: {message}:\n{expr}\n{}^",
            " ".repeat(at)
        ))
    }

    /// A token where it cannot stand (jmespath.py's `ParseError`).
    pub(crate) fn parse(expr: &str, at: usize, value: &str, kind: &str, reason: &str) -> JmesError {
        JmesError::syntax(format!(
            "{reason}: Parse error at column {at}, token \"{value}\" ({}), for expression:\n\"{expr}\"\n{}^",
            kind.to_uppercase(),
            " ".repeat(at + 1)
        ))
    }

    /// The expression ends too early (jmespath.py's `IncompleteExpressionError`).
    pub(crate) fn incomplete(expr: &str) -> JmesError {
        JmesError::syntax(format!(
            "Invalid jmespath expression: Incomplete expression:\n\"{expr}\"\n{}^",
            " ".repeat(expr.chars().count() + 1)
        ))
    }
}

impl fmt::Display for JmesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for JmesError {}
