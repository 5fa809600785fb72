//! `awl s3api help` and `awl s3api OPERATION help`: the operations and their options, from the same table
//! the commands are read with.

use crate::cli::s3api::model::{self, REQUIRED, STREAMING, Shape};
use std::fmt::Write as _;

/// The help words for an s3api command line: `["s3api", OPERATION]` when help is asked for (`help` among the
/// arguments, or `--help`) and the first argument names an operation; `None` when no help is asked for.
pub(crate) fn help_words(asked: bool, rest: &[String]) -> Option<Vec<&'static str>> {
    if !asked && !rest.iter().any(|a| a == "help") {
        return None;
    }
    let op = rest.first().and_then(|w| model::operation(w));
    Some(match op {
        Some(o) => vec!["s3api", o.cli()],
        None => vec!["s3api"],
    })
}

/// The help page of `awl s3api` (no operation: the list of operations) or of one operation.
pub(crate) fn text(op: Option<&str>) -> String {
    let mut out = String::new();
    let Some(op) = op.and_then(model::operation) else {
        out.push_str(
            "awl s3api: the AWS CLI's low-level S3 commands, read and printed as the AWS CLI does\n\n\
             usage: awl s3api <operation> [--parameter value ...]\n\nOperations:\n",
        );
        for o in model::operations() {
            let _ = writeln!(out, "  {}", o.cli());
        }
        out.push_str(
            "\nStructures take JSON or the shorthand syntax (Key=value,List=[a,b]); file://PATH reads a value \
             from a file.\nThe answer is printed as JSON (or --output text|table|yaml), after --query.\n\
             Run 'awl s3api <operation> help' for its parameters.\n",
        );
        return out;
    };
    let _ = writeln!(
        out,
        "awl s3api {}: the S3 API's {} ({} {})\n",
        op.cli(),
        op.name(),
        op.method(),
        op.uri()
    );
    let _ = write!(out, "usage: awl s3api {}", op.cli());
    for m in op.inputs().iter().filter(|m| m.is(REQUIRED)) {
        let _ = write!(out, " --{} VALUE", m.cli());
    }
    if op
        .output
        .map(model::shape)
        .and_then(Shape::payload)
        .is_some_and(|p| p.is(STREAMING))
    {
        out.push_str(" OUTFILE");
    }
    out.push_str(" [options]\n\nParameters:\n");
    for m in op.inputs() {
        let kind = match m.shape() {
            Shape::Bool => "boolean: --{name} or --no-{name}".replace("{name}", m.cli()),
            s if m.is(STREAMING) => format!("{}: the file whose bytes are sent", s.type_name()),
            s => s.type_name().to_owned(),
        };
        let need = if m.is(REQUIRED) { ", required" } else { "" };
        let _ = writeln!(out, "  --{:<38} ({kind}{need})", m.cli());
    }
    if op.paginator.is_some() {
        out.push_str(
            "\nPaging (every page is read and merged unless --no-paginate):\n  --max-items N      \
             print at most N items, then a NextToken\n  --starting-token T go on from a NextToken\n  \
             --page-size N      ask for N items per request\n",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_and_option_is_listed() {
        let all = text(None);
        for o in model::operations() {
            assert!(all.contains(&format!("  {}\n", o.cli())), "{}", o.cli());
            let page = text(Some(o.cli()));
            for m in o.inputs() {
                assert!(
                    page.contains(&format!("--{}", m.cli())),
                    "{} {}",
                    o.cli(),
                    m.cli()
                );
            }
        }
        assert!(text(Some("get-object")).contains("OUTFILE"));
        assert!(text(Some("list-objects-v2")).contains("--starting-token"));
        let words = |a: &[&str]| help_words(false, &a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            words(&["head-object", "help"]),
            Some(vec!["s3api", "head-object"])
        );
        assert_eq!(words(&["help"]), Some(vec!["s3api"]));
        assert_eq!(words(&["head-object", "--bucket", "b"]), None);
    }
}
