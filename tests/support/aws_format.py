"""Prints documents through the AWS CLI's own output formatters, for the differential test of awl's formats.

usage: python aws_format.py OPERATION WIDTH FORMAT... < documents

stdin is a JSON array of strings, each the JSON text of one document. For each document and each FORMAT
(json, text, table; yaml and yaml-stream only where ruamel.yaml is installed) it runs the AWS CLI's formatter
class (awscli/formatter.py: JSONFormatter, TextFormatter, TableFormatter) as the CLI runs it for the operation
OPERATION (the table's title), with a terminal WIDTH columns wide and colour off. It prints one JSON array with
one object per document: {FORMAT: {"out": what the formatter wrote, "error": the exception text or null}}.

The document is what --query returned: the formatters are given {"Doc": document} and the query "Doc", so a
scalar or a list goes through the same steps as in the CLI (request id removal, then the query).

yaml and yaml-stream exist only in the AWS CLI v2; the test venv holds v1, so they are rebuilt here from v2's
awscli/formatter.py (YAMLDumper, YAMLFormatter, StreamedYAMLFormatter): ruamel.yaml's safe dumper, block
style, and a scalar document dumped as JSON.
"""
import io
import json
import sys
from argparse import Namespace

import jmespath
from awscli.formatter import JSONFormatter, TableFormatter, TextFormatter


def v2_yaml(stream_style):
    """v2's YAML formatters (awscli/formatter.py on branch v2), for a document that is not paginated."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    yaml.encoding = None
    yaml.representer.default_flow_style = False

    def dump(value, stream):
        if value is None or isinstance(value, (int, float, bool, str)):
            json.dump(value, stream, ensure_ascii=False)
            stream.write("\n")
        else:
            yaml.dump(value, stream)

    def formatter(_operation, response, stream):
        value = jmespath.search("Doc", response)
        if value == {}:
            return
        dump([value] if stream_style else value, stream)

    return formatter


def make(fmt, width):
    args = Namespace(query=jmespath.compile("Doc"), color="off")
    if fmt == "json":
        return JSONFormatter(args)
    if fmt == "text":
        return TextFormatter(args)
    if fmt == "table":
        f = TableFormatter(args)
        # MultiTable reads the width of stdout's terminal (80 when it is not one): set it as the test asks.
        f.table._terminal_width = width
        return f
    if fmt in ("yaml", "yaml-stream"):
        return v2_yaml(fmt == "yaml-stream")
    raise SystemExit(f"unknown format {fmt}")


def main():
    operation, width, formats = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    results = []
    for text in json.load(sys.stdin):
        result = {}
        for fmt in formats:
            stream = io.StringIO()
            error = None
            try:
                # A fresh formatter each time: the table formatter keeps its sections.
                make(fmt, width)(operation, {"Doc": json.loads(text)}, stream)
            except Exception as e:  # the CLI prints str(e) and exits 255
                error = str(e)
            result[fmt] = {"out": stream.getvalue(), "error": error}
        results.append(result)
    json.dump(results, sys.stdout)


main()
