//! Printing a document as the AWS CLI does: `--query` (JMESPath) first, then the output format, by the
//! precedence `--output`, `AWS_DEFAULT_OUTPUT`, the profile's `output`, json. Not for the commands whose
//! output is a protocol (`credential-process`, `configure export-credentials`, `env`) or the `s3` lines.

use crate::cli::output::{self, Format};
use crate::cli::terminal::print_out;
use crate::codec::jmespath::{self, Expression};
use crate::codec::json::Value;
use crate::config::profiles::Setting;
use crate::error::{Error, ErrorKind, Result};

/// A compiled `--query`: its text kept for messages.
pub(crate) struct Query(Expression);

impl std::fmt::Debug for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Query").field(&self.0.as_str()).finish()
    }
}

impl PartialEq for Query {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

impl Eq for Query {}

impl Query {
    /// `--query EXPR`, compiled before anything is sent: a syntax error is a usage error (exit 252), as in
    /// the AWS CLI v2.
    pub(crate) fn compile(expr: &str) -> Result<Query> {
        jmespath::compile(expr).map(Query).map_err(|e| {
            // One line: jmespath.py's message goes on to repeat the expression with a caret under the column.
            let first = e
                .message()
                .lines()
                .next()
                .unwrap_or_default()
                .trim_end_matches(':');
            Error::usage(format!("bad value for --query {expr}: {first}"))
                .with_hint("--query takes a JMESPath expression, as the AWS CLI's (jmespath.org)")
        })
    }
}

/// The format a document is printed in: `--output` (`output`), else `AWS_DEFAULT_OUTPUT` or the profile's `output`
/// (`setting`, resolved with the profile), else json.
pub(crate) fn format(output: Option<Format>, setting: Option<&Setting>) -> Result<Format> {
    if let Some(f) = output {
        return Ok(f);
    }
    match setting {
        None => Ok(Format::Json),
        Some(s) => Format::from_name(&s.value).ok_or_else(|| {
            Error::config(format!(
                "output '{}' ({}) is not a format; expected json, text, table, yaml, yaml-stream or off",
                crate::codec::redact::sanitize(&s.value, 40),
                s.source
            ))
        }),
    }
}

/// The width a table is drawn for: 80, the AWS CLI's width when stdout is not a terminal. On a terminal the
/// AWS CLI asks its size with an ioctl, which std cannot without unsafe code; awl takes 80 there too (a table
/// wider than that is then turned vertical a little sooner than the AWS CLI would).
const WIDTH: usize = 80;

/// A runtime error's message as awl shows it: one line, control characters escaped, and the value it names
/// left out (jmespath.py's `invalid type for value: VALUE, expected ...` would print a document's secrets, such
/// as `Credentials`, on stderr).
fn without_value(message: &str) -> String {
    let first = message.lines().next().unwrap_or_default();
    let shown = match (first.find("for value: "), first.rfind(", expected one of: ")) {
        (Some(a), Some(b)) if a < b => {
            format!("{}for value: <not shown>{}", &first[..a], &first[b..])
        }
        _ => first.to_owned(),
    };
    crate::codec::redact::sanitize(&shown, 500)
}

/// Prints `doc`, the answer of the operation `operation` (its API name: a table's title), through
/// `--query` (`query`) and in `format`. A query that fails on the document (a function given the wrong type) is an
/// error after the call, exit 255, as in the AWS CLI v2.
pub(crate) fn print(query: Option<&Query>, format: Format, operation: &str, doc: &Value) -> Result<()> {
    let doc = match query {
        Some(Query(expr)) => expr.search(doc).map_err(|e| {
            Error::new(
                ErrorKind::Other,
                format!("--query {}: {}", expr.as_str(), without_value(e.message())),
            )
        })?,
        None => doc.clone(),
    };
    match output::render(&doc, format, operation, WIDTH) {
        Ok(text) => print_out(&text),
        Err(failure) => {
            // What the AWS CLI had printed before its formatter failed, then its error.
            print_out(&failure.printed)?;
            Err(Error::new(ErrorKind::Other, failure.message))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runtime_error_never_shows_the_value() {
        let doc = crate::codec::json::parse(
            r#"{"Credentials": {"SecretAccessKey": "TOPSECRET", "SessionToken": "TOKENVAL\u001b[2J"}}"#,
        )
        .expect("doc");
        for expr in [
            "abs(Credentials)",
            "Credentials.abs(SessionToken)",
            "sum(Credentials.SessionToken)",
        ] {
            let e = jmespath::compile(expr)
                .expect("compiles")
                .search(&doc)
                .expect_err("wrong type");
            let shown = without_value(e.message());
            assert!(
                !shown.contains("TOPSECRET") && !shown.contains("TOKENVAL") && !shown.contains('\u{1b}'),
                "{shown}"
            );
            assert!(shown.contains("expected one of"), "{shown}");
        }
    }
}
