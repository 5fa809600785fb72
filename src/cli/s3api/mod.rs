//! `awl s3api OPERATION [--param value ...]`: the AWS CLI's low-level S3 commands, from a table generated
//! from botocore's S3 model (`s3_model`, its types in `model`). One generic operation value ([`Call`]) built
//! from the table runs through `S3::run` like awl's typed operations: the options become the input document
//! (`params`, with `shorthand`), the document a request (`request`), the answer a document (`response`),
//! listings are paged as the AWS CLI pages them (`pages`), and the document is printed through `--query` and
//! the output format (`cli::document`).

mod customize;
mod help;
pub(crate) mod model;
mod pages;
mod params;
mod request;
mod response;
#[rustfmt::skip] // generated: scripts/s3api_model.py writes it
mod s3_model;
mod shorthand;

use crate::cli::args::Args;
use crate::cli::context::{Ctx, Service, session_credentials, with_session};
use crate::cli::document;
use crate::cli::output::Format;
use crate::codec::json::Value;
use crate::config::env::{self, Platform};
use crate::error::{Error, Result};
use crate::fs::Download;
use crate::s3::client::S3;
use crate::s3::operation::Operation as S3Operation;
use crate::s3::request::S3Request;
use crate::s3::transfer::hash::hash_range;
use crate::s3::transfer::sink::Checked;
use crate::transport::request::{Body, Response};
use model::{Member, Operation, STREAMING, Shape};
use pages::{PageConfig, Paged};
use params::Given;
use std::path::PathBuf;

pub(crate) use help::{help_words, text as help_text};

/// An `awl s3api` command: the operation, the options as given, and where a streamed answer goes.
pub(crate) struct S3apiCommand {
    op: &'static Operation,
    given: Vec<Given>,
    /// `get-object`'s outfile.
    outfile: Option<String>,
    /// `--max-items`, `--page-size`, `--starting-token`.
    paging: PageConfig,
    /// Whether the listing is paged (not for `--no-paginate`, or when a token or limit member is given).
    paginate: bool,
}

impl std::fmt::Debug for S3apiCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values may be keys (`--sse-customer-key`): the options' names only.
        let names: Vec<&str> = self.given.iter().map(|g| g.member).collect();
        f.debug_struct("S3apiCommand")
            .field("op", &self.op.name())
            .field("given", &names)
            .finish()
    }
}

impl PartialEq for S3apiCommand {
    fn eq(&self, other: &Self) -> bool {
        (self.op.name(), &self.given, &self.outfile, self.paginate)
            == (other.op.name(), &other.given, &other.outfile, other.paginate)
    }
}

impl Eq for S3apiCommand {}

impl S3apiCommand {
    /// Reads `awl s3api OPERATION [options]` (the global options already taken out).
    pub(crate) fn from_args(args: &Args, no_paginate: bool) -> Result<Self> {
        let mut it = args.positionals.iter();
        let Some(name) = it.next() else {
            return Err(args
                .usage("'awl s3api' needs an operation")
                .with_hint("run 'awl s3api help' to list them"));
        };
        let op = model::operation(name).ok_or_else(|| {
            Error::usage(format!("unknown s3api operation '{name}'"))
                .with_hint("run 'awl s3api help' to list the operations")
        })?;
        let usage = |m: String| Error::usage(m).with_hint(format!("see 'awl s3api {} help'", op.cli()));
        let rest: Vec<&String> = it.collect();
        let mut cmd = S3apiCommand {
            op,
            given: Vec::new(),
            outfile: None,
            paging: PageConfig::default(),
            paginate: op.paginator.is_some() && !no_paginate,
        };
        let mut i = 0;
        let mut manual_paging = false;
        while i < rest.len() {
            let arg = rest[i].as_str();
            i += 1;
            let Some(opt) = arg.strip_prefix("--") else {
                if op.outputs_stream() && cmd.outfile.is_none() {
                    cmd.outfile = Some(arg.to_owned());
                    continue;
                }
                return Err(usage(format!("Unknown options: {arg}")));
            };
            let (opt, inline) = match opt.split_once('=') {
                Some((o, v)) => (o, Some(v.to_owned())),
                None => (opt, None),
            };
            let member = op.inputs().iter().find(|m| m.cli() == opt);
            let negated = opt.strip_prefix("no-").and_then(|o| {
                op.inputs()
                    .iter()
                    .find(|m| m.cli() == o && matches!(m.shape(), Shape::Bool))
            });
            if let Some(m) = negated.filter(|_| member.is_none()) {
                cmd.set(m, vec!["false".into()], &usage)?;
                continue;
            }
            let kind = member.map(Member::shape);
            let values = take_values(&rest, &mut i, inline, kind)
                .map_err(|()| usage(format!("argument --{opt}: expected one argument")))?;
            match (member, opt) {
                (Some(m), _) => {
                    if op
                        .paginator
                        .as_ref()
                        .is_some_and(|p| p.input_token.contains(&m.name()) || p.limit_key == Some(m.name()))
                    {
                        manual_paging = true;
                    }
                    cmd.set(m, values, &usage)?;
                }
                (None, "max-items" | "page-size" | "starting-token") if op.paginator.is_some() => {
                    cmd.paging_option(opt, values.first().map_or("", String::as_str))
                        .map_err(usage)?;
                }
                _ => return Err(usage(format!("Unknown options: --{opt}"))),
            }
        }
        if manual_paging {
            cmd.paginate = false;
        }
        cmd.complete().map_err(usage)?;
        Ok(cmd)
    }

    /// Whether the command is whole: its required options given, paging options only where it pages.
    fn complete(&self) -> std::result::Result<(), String> {
        if !self.paginate
            && (self.paging.max_items.is_some()
                || self.paging.page_size.is_some()
                || self.paging.starting_token.is_some())
            && self.op.paginator.is_some()
        {
            return Err("Cannot specify --no-paginate along with pagination arguments".into());
        }
        let missing: Vec<String> = self
            .op
            .inputs()
            .iter()
            .filter(|m| m.is(model::REQUIRED) && !self.given.iter().any(|g| g.member == m.name()))
            .map(|m| format!("--{}", m.cli()))
            .chain((self.op.outputs_stream() && self.outfile.is_none()).then(|| "outfile".to_owned()))
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "the following arguments are required: {}",
                missing.join(", ")
            ));
        }
        Ok(())
    }

    fn set(
        &mut self,
        m: &'static Member,
        values: Vec<String>,
        usage: &dyn Fn(String) -> Error,
    ) -> Result<()> {
        if self.given.iter().any(|g| g.member == m.name()) {
            return Err(usage(format!("--{} is given twice", m.cli())));
        }
        self.given.push(Given {
            member: m.name(),
            values,
        });
        Ok(())
    }

    fn paging_option(&mut self, opt: &str, v: &str) -> std::result::Result<(), String> {
        let number = || {
            v.parse::<u64>()
                .map_err(|_| format!("argument --{opt}: invalid int value: '{v}'"))
        };
        match opt {
            "max-items" => self.paging.max_items = Some(number()?),
            "page-size" => self.paging.page_size = Some(number()?),
            _ => self.paging.starting_token = Some(v.to_owned()),
        }
        Ok(())
    }
}

/// The values of an option at `rest[*i]`: the inline one (`--name=value`), `true` for a boolean flag, the
/// next argument, or for a list every argument up to the next option (the AWS CLI's `nargs='+'`).
fn take_values(
    rest: &[&String],
    i: &mut usize,
    inline: Option<String>,
    kind: Option<&Shape>,
) -> std::result::Result<Vec<String>, ()> {
    let mut values: Vec<String> = inline.into_iter().collect();
    if matches!(kind, Some(Shape::Bool)) && values.is_empty() {
        values.push("true".into());
    }
    let is_list = matches!(kind, Some(Shape::List { .. }));
    while values.is_empty() || (is_list && rest.get(*i).is_some_and(|v| !v.starts_with("--"))) {
        let v = rest.get(*i).ok_or(())?;
        values.push((*v).clone());
        *i += 1;
    }
    Ok(values)
}

impl Operation {
    /// Whether the answer's body is a stream written to an outfile (GetObject).
    fn outputs_stream(&self) -> bool {
        self.output
            .map(model::shape)
            .and_then(Shape::payload)
            .is_some_and(|p| p.is(STREAMING))
    }

    /// The input member that is a streamed body (PutObject's `Body`), if there is one.
    fn input_stream(&self) -> Option<&'static Member> {
        self.input
            .map(model::shape)
            .and_then(Shape::payload)
            .filter(|p| p.is(STREAMING))
    }
}

/// One s3api call as an S3 operation: its request built once, its answer read by the model.
struct Call {
    op: &'static Operation,
    request: S3Request,
    encoding_set: bool,
}

impl S3Operation for Call {
    type Output = Value;

    fn request(&self) -> S3Request {
        self.request.clone()
    }

    fn what(&self) -> String {
        let r = &self.request;
        match (&r.bucket, r.key.is_empty()) {
            (Some(b), false) => format!("{} s3://{b}/{}", self.op.name(), r.key),
            (Some(b), true) => format!("{} {b}", self.op.name()),
            (None, _) => self.op.name().to_owned(),
        }
    }

    fn parse(&self, resp: Response) -> Result<Value> {
        response::parse(self.op, &resp, self.encoding_set)
    }
}

/// Runs an `awl s3api` command.
pub(crate) fn run(ctx: &Ctx<'_>, cmd: &S3apiCommand) -> Result<u8> {
    let op = cmd.op;
    with_session(ctx, Service::S3, |session| {
        // The format is settled before any request: a bad AWS_DEFAULT_OUTPUT stops awl first.
        let format = document::format(ctx.globals.output, session.resolved.output.as_ref())?;
        let home = env::home_dir(&session.env, Platform::current());
        let mut input = params::input(op, &cmd.given, home.as_deref())?;
        let creds = session_credentials(session, ctx)?;
        let s3 = &session.s3(creds)?;
        let encoding_set = customize::before_send(op, &mut input, s3.checks_checksums())?;
        let stream_file = op
            .input_stream()
            .and_then(|m| input.get(m.name()))
            .and_then(Value::as_str)
            .map(|p| env::expand_tilde(p, home.as_deref(), Platform::current()))
            .transpose()?
            .map(PathBuf::from);
        let call = |input: &Value| -> Result<Call> {
            let stream = match &stream_file {
                Some(p) => Some(stream(op, input, p, s3)?),
                None => None,
            };
            Ok(Call {
                op,
                request: request::build(op, input, stream, s3.sends_checksums())?,
                encoding_set,
            })
        };
        let query = ctx.globals.query.as_ref();
        match (&op.paginator, cmd.paginate) {
            (Some(spec), true) => {
                let paged: Paged = pages::paginate(spec, &input, &cmd.paging, &mut |page_input| {
                    s3.run(&call(page_input)?)
                })?;
                // text prints page by page (the first with the non-aggregate keys), yaml-stream the pages as they
                // came; the others print the pages merged (botocore's build_full_result).
                let docs = match format {
                    Format::Text => pages::text_documents(spec, &paged),
                    Format::YamlStream => paged.pages,
                    _ => vec![pages::full_result(spec, &paged)],
                };
                for doc in docs {
                    document::print(query, format, op.name(), &doc)?;
                }
                Ok(0)
            }
            _ => {
                let c = call(&input)?;
                let doc = match &cmd.outfile {
                    Some(path) => {
                        let whole = input.get("Range").is_none() && input.get("PartNumber").is_none();
                        download(s3, &c, path, whole)?
                    }
                    None => s3.run(&c)?,
                };
                document::print(query, format, op.name(), &doc).map(|()| 0)
            }
        }
    })
}

/// A streamed body from the file `path`, hashed beforehand (SHA-256 signs it; the checksum S3 checks).
fn stream(op: &Operation, input: &Value, path: &std::path::Path, s3: &S3<'_>) -> Result<request::Stream> {
    let shown = path.display().to_string();
    let fail = |e: std::io::Error| {
        Error::usage(format!("--body {shown}: {e}")).with_hint("--body names the file whose bytes are sent")
    };
    let file = std::fs::File::open(path).map_err(fail)?;
    let meta = file.metadata().map_err(fail)?;
    if !meta.is_file() {
        return Err(Error::usage(format!("--body {shown} is not a regular file")));
    }
    let algorithm = request::checksum_algorithm(op, input, s3.sends_checksums())?;
    let digests = hash_range(&file, 0, meta.len(), s3.stop_flag(), algorithm).map_err(fail)?;
    Ok(request::Stream {
        body: Body::File {
            path: path.to_owned(),
            offset: 0,
            len: meta.len(),
        },
        digests,
    })
}

/// GetObject into the outfile (renamed into place once whole); the rest of the answer is the document.
/// The bytes are checked against the checksum S3 sends (or the ETag where it is the MD5), as botocore does,
/// unless only a range or a part was asked for.
fn download(s3: &S3<'_>, call: &Call, path: &str, whole: bool) -> Result<Value> {
    let mut out = Download::open(std::path::Path::new(path), path, s3.interrupt())?;
    let mut sink = Checked::new(out.file(), whole && s3.checks_checksums(), &|_| {});
    let doc = s3.run_into(call, &mut sink)?;
    let written = sink.written();
    sink.verify(&call.what())?;
    // A body cut short with nothing to check it against (an ETag of parts, no checksum) is not committed.
    if let Some(want) = doc.get("ContentLength").and_then(Value::as_i64)
        && u64::try_from(want).ok() != Some(written)
    {
        return Err(Error::transfer(format!(
            "{}: {written} bytes came of the {want} the answer announced; nothing was written",
            call.what()
        )));
    }
    out.commit()?;
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use crate::cli::command::{Command, Invocation, parse};
    use std::ffi::OsString;

    fn p(args: &[&str]) -> crate::error::Result<Invocation> {
        parse(args.iter().map(OsString::from).collect())
    }

    fn command(args: &[&str]) -> super::S3apiCommand {
        match p(args) {
            Ok(Invocation::Command {
                command: Command::S3api(c),
                ..
            }) => *c,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    #[test]
    fn options_read_as_the_aws_cli_reads_them() {
        let c = command(&[
            "s3api",
            "list-objects-v2",
            "--bucket=b",
            "--no-fetch-owner",
            "--optional-object-attributes",
            "RestoreStatus",
            "--max-items",
            "5",
            "--query",
            "Contents",
        ]);
        assert_eq!(c.op.name(), "ListObjectsV2");
        let given: Vec<(&str, Vec<String>)> = c.given.iter().map(|g| (g.member, g.values.clone())).collect();
        assert_eq!(
            given,
            [
                ("Bucket", vec!["b".to_owned()]),
                ("FetchOwner", vec!["false".to_owned()]),
                ("OptionalObjectAttributes", vec!["RestoreStatus".to_owned()]),
            ]
        );
        assert_eq!(c.paging.max_items, Some(5));
        assert!(c.paginate);
        // A token or limit member given: one request, as the AWS CLI turns paging off.
        assert!(!command(&["s3api", "list-objects-v2", "--bucket", "b", "--max-keys", "3"]).paginate);
        assert!(!command(&["--no-paginate", "s3api", "list-objects-v2", "--bucket", "b"]).paginate);
        let g = command(&["s3api", "get-object", "--bucket", "b", "--key", "k", "out.bin"]);
        assert_eq!(g.outfile.as_deref(), Some("out.bin"));
    }

    #[test]
    fn bad_command_lines_are_usage_errors() {
        for (args, needle) in [
            (&["s3api"][..], "needs an operation"),
            (&["s3api", "frob"][..], "unknown s3api operation 'frob'"),
            (&["s3api", "head-object", "--bucket", "b"][..], "required: --key"),
            (
                &[
                    "s3api",
                    "head-object",
                    "--bucket",
                    "b",
                    "--key",
                    "k",
                    "--frob",
                    "1",
                ][..],
                "--frob",
            ),
            (
                &["s3api", "get-object", "--bucket", "b", "--key", "k"][..],
                "outfile",
            ),
            (
                &["s3api", "head-bucket", "--bucket", "b", "--max-items", "1"][..],
                "--max-items",
            ),
            (&["s3api", "head-bucket", "--bucket"][..], "expected one argument"),
            (
                &["s3api", "head-bucket", "--bucket", "a", "--bucket", "b"][..],
                "given twice",
            ),
            (
                &[
                    "--no-paginate",
                    "s3api",
                    "list-objects-v2",
                    "--bucket",
                    "b",
                    "--max-items",
                    "1",
                ][..],
                "Cannot specify --no-paginate",
            ),
        ] {
            let e = p(args).expect_err(needle);
            assert_eq!(e.exit_code(), 252, "{args:?}");
            assert!(e.message().contains(needle), "{args:?}: {}", e.message());
        }
    }

    #[test]
    fn help_comes_from_the_table_and_values_never_show_in_debug() {
        for args in [
            &["s3api", "help"][..],
            &["help", "s3api"][..],
            &["s3api", "head-object", "help"][..],
            &["help", "s3api", "head-object"][..],
            &["s3api", "head-object", "--help"][..],
        ] {
            assert!(
                matches!(p(args), Ok(Invocation::Help(w)) if w[0] == "s3api"),
                "{args:?}"
            );
        }
        let c = command(&[
            "s3api",
            "head-object",
            "--bucket",
            "b",
            "--key",
            "k",
            "--sse-customer-key",
            "TOPSECRETKEY",
        ]);
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("TOPSECRETKEY") && shown.contains("SSECustomerKey"),
            "{shown}"
        );
    }
}
