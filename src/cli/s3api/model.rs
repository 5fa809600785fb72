//! The shape of botocore's S3 model that `awl s3api` follows: operations, and the shapes of their input and
//! output (the table itself is generated, in `s3_model`). One generic serializer and parser walk it.
//!
//! The table holds no pointers: names are places in one string ([`Text`]), shapes and members indexes. In the
//! static-PIE binary every pointer in a static costs a 24-byte relocation on top of itself; with `&str`
//! fields the table took some 150 KB, as indexes it takes a third of that.

use crate::cli::s3api::s3_model::{MEMBERS, OPERATIONS, SHAPES, TEXT};

/// Where a member goes in a request, or comes from in an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Loc {
    /// The XML body (or the payload).
    Body,
    /// A `{Name}` of the URI template.
    Uri,
    /// A query parameter.
    Query,
    /// A header.
    Header,
    /// Every header with a prefix (`x-amz-meta-`), as a map.
    Headers,
}

/// How a timestamp is written, when the model says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimeFormat {
    /// `2026-12-07T12:00:00Z`.
    Iso8601,
    /// `Mon, 07 Dec 2026 12:00:00 GMT`.
    Rfc822,
}

/// A member is required.
pub(crate) const REQUIRED: u8 = 1;
/// A member is a stream (GetObject's and PutObject's `Body`).
pub(crate) const STREAMING: u8 = 2;
/// A body member whose root element carries S3's XML namespace.
pub(crate) const XMLNS: u8 = 4;
/// A list member written as repeated elements, without a wrapper.
pub(crate) const FLATTENED: u8 = 8;
/// A member written as an XML attribute (`xsi:type` of a grantee).
pub(crate) const ATTRIBUTE: u8 = 16;

/// A name of the table: its place in the one string that holds them all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Text(u16, u8);

/// Makes a [`Text`] (for the generated table).
pub(crate) const fn t(offset: u16, len: u8) -> Text {
    Text(offset, len)
}

impl Text {
    /// The name.
    pub(crate) fn get(self) -> &'static str {
        let start = usize::from(self.0);
        TEXT.get(start..start + usize::from(self.1)).unwrap_or_default()
    }
}

/// No payload member.
pub(crate) const NONE: u16 = u16::MAX;

/// A member of a structure.
#[derive(Debug)]
pub(crate) struct Member {
    name: Text,
    /// Its shape, an index into the table.
    shape: u16,
    /// Where it goes.
    pub(crate) loc: Loc,
    wire: Text,
    flags: u8,
    cli: Text,
}

/// Makes a member (for the generated table).
pub(crate) const fn m(name: Text, shape: u16, loc: Loc, wire: Text, flags: u8, cli: Text) -> Member {
    Member {
        name,
        shape,
        loc,
        wire,
        flags,
        cli,
    }
}

impl Member {
    /// Its name in the model (and the JSON document).
    pub(crate) fn name(&self) -> &'static str {
        self.name.get()
    }

    /// Its name on the wire (header, query key, element).
    pub(crate) fn wire(&self) -> &'static str {
        match self.wire.get() {
            "" => self.name(),
            w => w,
        }
    }

    /// The AWS CLI's option name without `--` (members of an operation's input only).
    pub(crate) fn cli(&self) -> &'static str {
        self.cli.get()
    }

    /// Whether `flag` is set.
    pub(crate) fn is(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// Its shape.
    pub(crate) fn shape(&self) -> &'static Shape {
        shape(self.shape)
    }
}

/// A shape: scalars are shared by type.
#[derive(Debug)]
pub(crate) enum Shape {
    /// A structure: its members in model order (`len` of them from `first` in the members' table), and the
    /// member that is the whole body, if one is (`NONE` if none).
    Structure {
        /// Its first member.
        first: u16,
        /// How many.
        len: u16,
        /// The payload member, or `NONE`.
        payload: u16,
    },
    /// A list of `item`s, each element named `name` when the list is wrapped.
    List {
        /// The items' shape.
        item: u16,
        /// The element name of each item.
        name: Text,
    },
    /// A map of text keys (only `Metadata`, from `x-amz-meta-*` headers).
    Map {
        /// The values' shape.
        value: u16,
    },
    /// Text (and enums).
    Str,
    /// An integer or a long.
    Int,
    /// `true` or `false`.
    Bool,
    /// Bytes.
    Blob,
    /// A timestamp, with the format the model names, if it does.
    Time(Option<TimeFormat>),
}

/// The shape at `index`.
pub(crate) fn shape(index: u16) -> &'static Shape {
    &SHAPES[usize::from(index)]
}

impl Shape {
    /// A structure's members (none for other shapes).
    pub(crate) fn members(&self) -> &'static [Member] {
        match self {
            Shape::Structure { first, len, .. } => {
                let start = usize::from(*first);
                MEMBERS.get(start..start + usize::from(*len)).unwrap_or_default()
            }
            _ => &[],
        }
    }

    /// A structure's payload member, if it has one.
    pub(crate) fn payload(&self) -> Option<&'static Member> {
        match self {
            Shape::Structure { payload, .. } => MEMBERS.get(usize::from(*payload)),
            _ => None,
        }
    }

    /// The type as the help page names it.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Shape::Structure { .. } => "structure",
            Shape::List { .. } => "list",
            Shape::Map { .. } => "map",
            Shape::Str => "string",
            Shape::Int => "integer",
            Shape::Bool => "boolean",
            Shape::Blob => "blob",
            Shape::Time(_) => "timestamp",
        }
    }
}

/// A paginator of botocore's S3 model (paginators-1.json merged with paginators-1.sdk-extras.json).
#[derive(Debug)]
pub(crate) struct PaginatorSpec {
    /// Input member names, e.g. `["KeyMarker", "VersionIdMarker"]`.
    pub(crate) input_token: &'static [&'static str],
    /// JMESPath expressions, one per input token, e.g. `["NextMarker || Contents[-1].Key"]`.
    pub(crate) output_token: &'static [&'static str],
    /// JMESPath expression saying whether there are more pages, e.g. `Some("IsTruncated")`.
    pub(crate) more_results: Option<&'static str>,
    /// The input member `--page-size` sets, e.g. `Some("MaxKeys")`.
    pub(crate) limit_key: Option<&'static str>,
    /// The members aggregated over pages; the first is the one `--max-items` counts.
    pub(crate) result_keys: &'static [&'static str],
    /// Members taken from the first page only, e.g. `["RequestCharged", "Prefix"]`.
    pub(crate) non_aggregate_keys: &'static [&'static str],
}

/// An S3 operation of the model.
#[derive(Debug)]
pub(crate) struct Operation {
    /// See [`Operation::name`].
    pub(crate) name: Text,
    /// See [`Operation::cli`].
    pub(crate) cli: Text,
    /// See [`Operation::method`].
    pub(crate) method: Text,
    /// See [`Operation::uri`].
    pub(crate) uri: Text,
    /// Its input shape.
    pub(crate) input: Option<u16>,
    /// Its output shape.
    pub(crate) output: Option<u16>,
    /// Whether the request must carry a checksum of its body.
    pub(crate) checksum_required: bool,
    /// See [`Operation::checksum_member`].
    pub(crate) checksum_member: Text,
    /// See [`Operation::checksum_mode`].
    pub(crate) checksum_mode: Text,
    /// How it pages, if it does.
    pub(crate) paginator: Option<PaginatorSpec>,
}

impl Operation {
    /// Its API name (`ListObjectsV2`).
    pub(crate) fn name(&self) -> &'static str {
        self.name.get()
    }

    /// The AWS CLI's command name (`list-objects-v2`).
    pub(crate) fn cli(&self) -> &'static str {
        self.cli.get()
    }

    /// The HTTP method.
    pub(crate) fn method(&self) -> &'static str {
        self.method.get()
    }

    /// The URI template (`/{Bucket}/{Key+}?tagging`).
    pub(crate) fn uri(&self) -> &'static str {
        self.uri.get()
    }

    /// The input member naming the checksum algorithm, or `""`.
    pub(crate) fn checksum_member(&self) -> &'static str {
        self.checksum_member.get()
    }

    /// The input member asking S3 for the answer's checksum (`ChecksumMode`), or `""`.
    pub(crate) fn checksum_mode(&self) -> &'static str {
        self.checksum_mode.get()
    }

    /// The input's members.
    pub(crate) fn inputs(&self) -> &'static [Member] {
        self.input.map(|i| shape(i).members()).unwrap_or_default()
    }
}

/// The operation the AWS CLI names `cli` (`head-object`).
pub(crate) fn operation(cli: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|o| o.cli() == cli)
}

/// Every operation, in the table's order.
pub(crate) fn operations() -> &'static [Operation] {
    &OPERATIONS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_whole() {
        assert!(OPERATIONS.len() >= 45);
        for o in operations() {
            assert!(operation(o.cli()).is_some_and(|x| x.name() == o.name()));
            assert!(!o.name().is_empty() && !o.method().is_empty() && o.uri().starts_with('/'));
            for m in o.inputs() {
                assert!(!m.cli().is_empty(), "{}.{}", o.name(), m.name());
            }
        }
        for s in SHAPES.iter() {
            let refs: Vec<u16> = match s {
                Shape::Structure { first, len, payload } => {
                    assert!(usize::from(*first) + usize::from(*len) <= MEMBERS.len());
                    assert!(*payload == NONE || (*first..first + len).contains(payload));
                    s.members().iter().map(|m| m.shape).collect()
                }
                Shape::List { item, name } => {
                    assert!(!name.get().is_empty());
                    vec![*item]
                }
                Shape::Map { value } => vec![*value],
                _ => vec![],
            };
            assert!(refs.iter().all(|r| usize::from(*r) < SHAPES.len()));
        }
        assert!(
            MEMBERS
                .iter()
                .all(|m| !m.name().is_empty() && !m.wire().is_empty())
        );
        let list = operation("list-objects-v2").expect("listed");
        assert_eq!(list.uri(), "/{Bucket}?list-type=2");
        let p = list.paginator.as_ref().expect("pages");
        assert_eq!(p.result_keys, ["Contents", "CommonPrefixes"]);
        assert_eq!(
            operation("put-bucket-lifecycle-configuration").map(|o| o.checksum_required),
            Some(true)
        );
        assert_eq!(
            operation("get-object").map(Operation::checksum_mode),
            Some("ChecksumMode")
        );
    }
}
