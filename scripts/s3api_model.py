"""Writes src/cli/s3api/s3_model.rs: the part of botocore's S3 service model that `awl s3api` follows.

usage: target/tools/venv/bin/python scripts/s3api_model.py BOTOCORE_DATA_DIR > src/cli/s3api/s3_model.rs
  BOTOCORE_DATA_DIR holds s3/2006-03-01/{service-2.json,paginators-1.json,paginators-1.sdk-extras.json}
  (the AWS CLI's own copy: target/tools/venv/lib/python3.11/site-packages/awscli/botocore/data, botocore
  1.43.62 of awscli 1.46.3; Apache-2.0). tests/s3api_model.rs runs this script again and compares.

Why a generated table and not one written by hand: 45 operations reach 355 shapes and 817 members; a script
copies them without a slip, and running it again shows what a newer model changes. Why not the model itself at
run time: 4.5 MB of JSON with documentation, and a parser of it, for the 2% that is used.

What is kept: per operation its name, the AWS CLI's command name, HTTP method, URI template, input and output
shape, whether a request checksum is required, the members naming the body's checksum algorithm and
asking for the answer's checksum, and its
paginator; per shape its type (scalars of one type and timestamp format shared), a structure's members in model
order (name, shape, location, wire name, required, streaming, XML namespace, XML attribute) and payload, a list's item and
whether it is flattened. Documentation, enums, limits and endpoint rules are left out.
"""
import json
import os
import sys

OPERATIONS = """
HeadObject GetObject PutObject DeleteObject DeleteObjects CopyObject ListObjectsV2 ListObjects
ListObjectVersions GetObjectAttributes RestoreObject GetObjectTagging PutObjectTagging DeleteObjectTagging
GetObjectRetention PutObjectRetention GetObjectLegalHold PutObjectLegalHold
ListBuckets HeadBucket CreateBucket DeleteBucket GetBucketLocation GetBucketVersioning PutBucketVersioning
GetBucketPolicy PutBucketPolicy DeleteBucketPolicy GetBucketLifecycleConfiguration
PutBucketLifecycleConfiguration DeleteBucketLifecycle GetBucketTagging PutBucketTagging DeleteBucketTagging
GetBucketEncryption PutBucketEncryption DeleteBucketEncryption GetPublicAccessBlock PutPublicAccessBlock
DeletePublicAccessBlock GetObjectLockConfiguration PutObjectLockConfiguration
ListMultipartUploads ListParts AbortMultipartUpload CreateMultipartUpload UploadPart CompleteMultipartUpload
""".split()

# What the chosen operations use; a newer model that needs more stops the script (then awl needs more).
LOCATIONS = {None: "Body", "uri": "Uri", "querystring": "Query", "header": "Header", "headers": "Headers"}
SCALARS = {"string": "Str", "integer": "Int", "long": "Int", "boolean": "Bool", "blob": "Blob"}


def xform_name(name):
    """What the AWS CLI calls a member or an operation: botocore's own `xform_name(name, '-')`."""
    from awscli.botocore import xform_name as botocore_xform

    return botocore_xform(name, "-")


def load(data):
    d = os.path.join(data, "s3", "2006-03-01")
    with open(os.path.join(d, "service-2.json")) as f:
        model = json.load(f)
    with open(os.path.join(d, "paginators-1.json")) as f:
        pages = json.load(f)["pagination"]
    with open(os.path.join(d, "paginators-1.sdk-extras.json")) as f:
        for name, extra in json.load(f)["merge"]["pagination"].items():
            pages.setdefault(name, {}).update(extra)
    return model, pages


def main():
    model, paginators = load(sys.argv[1])
    shapes = model["shapes"]
    index = {}  # key -> position in SHAPES
    table = []  # rust expressions
    members = []  # rust expressions, each structure's members together
    pool = []  # the text of every name, in one string
    placed = {}

    def t(text):
        """A name as its place in TEXT: `t(offset, length)`; each name stored once."""
        if text not in placed:
            placed[text] = sum(len(x) for x in pool)
            pool.append(text)
        assert placed[text] < 65536 and len(text) < 256
        return "t(%d, %d)" % (placed[text], len(text))

    def scalar_key(name):
        s = shapes[name]
        fmt = s.get("timestampFormat")
        return ("timestamp", fmt) if s["type"] == "timestamp" else (SCALARS[s["type"]], None)

    def shape_ref(name, top=False):
        s = shapes[name]
        key = scalar_key(name) if s["type"] not in ("structure", "list", "map") else name
        if key in index:
            return index[key]
        index[key] = len(table)
        table.append(None)
        pos = index[key]
        if s["type"] == "timestamp":
            table[pos] = "Shape::Time(%s)" % {None: "None", "iso8601": "Some(TimeFormat::Iso8601)",
                                                "rfc822": "Some(TimeFormat::Rfc822)"}[key[1]]
        elif s["type"] == "structure":
            mine = []
            payload = None
            for mname, m in s["members"].items():
                target = shapes[m["shape"]]
                loc = LOCATIONS[m.get("location")]
                wire = m.get("locationName", "")
                flags = []
                if mname in s.get("required", []):
                    flags.append("REQUIRED")
                if m.get("streaming") or target.get("streaming"):
                    flags.append("STREAMING")
                if "xmlNamespace" in m:
                    flags.append("XMLNS")
                if m.get("flattened") or target.get("flattened"):
                    flags.append("FLATTENED")
                if m.get("xmlAttribute"):
                    flags.append("ATTRIBUTE")
                if loc == "Body" and target["type"] == "list" and target.get("flattened"):
                    # A flattened list's items are named by its member's locationName, if it has one.
                    wire = target["member"].get("locationName", wire)
                if wire == mname:
                    wire = ""
                if mname == s.get("payload"):
                    payload = len(mine)
                mine.append("m(%s, %d, Loc::%s, %s, %s, %s)" % (
                    t(mname), shape_ref(m["shape"]), loc, t(wire), "|".join(flags) or "0",
                    t(xform_name(mname) if top else "")))
            first = len(members)
            members.extend(mine)
            table[pos] = "Shape::Structure { first: %d, len: %d, payload: %s }" % (
                first, len(mine), first + payload if payload is not None else "NONE")
        elif s["type"] == "list":
            item = s["member"].get("locationName", "member")
            table[pos] = "Shape::List { item: %d, name: %s }" % (shape_ref(s["member"]["shape"]), t(item))
        elif s["type"] == "map":
            table[pos] = "Shape::Map { value: %d }" % shape_ref(s["value"]["shape"])
        else:
            table[pos] = "Shape::%s" % key[0]
        return pos

    ops = []
    for name in OPERATIONS:
        op = model["operations"][name]
        http = op["http"]
        check = op.get("httpChecksum", {})
        required = bool(check.get("requestChecksumRequired") or op.get("httpChecksumRequired"))
        inp = shape_ref(op["input"]["shape"], top=True) if "input" in op else None
        out = shape_ref(op["output"]["shape"]) if "output" in op else None
        p = paginators.get(name)
        if p:
            lst = lambda v: v if isinstance(v, list) else [v]
            strs = lambda v: "&[%s]" % ", ".join('"%s"' % x for x in lst(v))
            pager = ("Some(PaginatorSpec { input_token: %s, output_token: %s, more_results: %s, limit_key: %s, "
                     "result_keys: %s, non_aggregate_keys: %s })") % (
                strs(p["input_token"]), strs(p["output_token"]),
                'Some("%s")' % p["more_results"] if "more_results" in p else "None",
                'Some("%s")' % p["limit_key"] if "limit_key" in p else "None",
                strs(p["result_key"]), strs(p.get("non_aggregate_keys", [])))
        else:
            pager = "None"
        ops.append("Operation { name: %s, cli: %s, method: %s, uri: %s, input: %s, output: %s, "
                   "checksum_required: %s, checksum_member: %s, checksum_mode: %s, paginator: %s }" % (
                       t(name), t(xform_name(name)), t(http["method"]), t(http["requestUri"]),
                       "Some(%d)" % inp if inp is not None else "None",
                       "Some(%d)" % out if out is not None else "None",
                       "true" if required else "false",
                       t(check.get("requestAlgorithmMember", "")),
                       t(check.get("requestValidationModeMember", "")),
                       pager))

    text = "".join(pool)
    assert '"' not in text and "\\" not in text
    print("// @generated by scripts/s3api_model.py from the AWS CLI's copy of botocore's S3 model")
    print("// (awscli 1.46.3, botocore 1.43.62: data/s3/2006-03-01/service-2.json, paginators-1.json and")
    print("// paginators-1.sdk-extras.json; Apache-2.0, Copyright Amazon.com, Inc.). Do not edit: run the script.")
    print("// Names are places in TEXT and shapes and members indexes, not pointers: a pointer in a static costs a")
    print("// relocation (24 bytes) in the static-PIE binary besides its own 16.")
    print()
    print("use super::model::{Loc, Member, Operation, PaginatorSpec, Shape, TimeFormat, m, t, NONE, ATTRIBUTE, FLATTENED,")
    print("                   REQUIRED, STREAMING, XMLNS};")
    print()
    print("/// Every name the table uses, one after another.")
    print('pub(crate) static TEXT: &str = "%s";' % text)
    print()
    print("/// The members of every structure, each structure's together, in model order.")
    print("pub(crate) static MEMBERS: [Member; %d] = [" % len(members))
    for i, mm in enumerate(members):
        print("    /* %d */ %s," % (i, mm))
    print("];")
    print()
    print("/// The shapes the operations reach, by index; scalars of one type shared.")
    print("pub(crate) static SHAPES: [Shape; %d] = [" % len(table))
    for i, tt in enumerate(table):
        print("    /* %d */ %s," % (i, tt))
    print("];")
    print()
    print("/// The operations `awl s3api` runs, in the order its help lists them.")
    print("pub(crate) static OPERATIONS: [Operation; %d] = [" % len(ops))
    for o in ops:
        print("    %s," % o)
    print("];")


if __name__ == "__main__":
    main()
