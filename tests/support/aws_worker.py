"""The venv's AWS CLI as a long-lived worker, so that a test can run many commands without paying Python's and
awscli's start-up (about half a second) for each of them.

usage: python aws_worker.py  (in the clean environment the test gives, as it would give `aws` itself)
stdin: one JSON array per line, a command line without the leading `aws`
stdout: one JSON object per line, {"rc": exit code, "out": stdout, "err": stderr}

Each command runs as `bin/aws` runs it: `sys.argv` set, then `awscli.clidriver.main()` (a fresh driver and
botocore session each time; nothing is kept from one command to the next but imported modules), with stdin
empty and stdout and stderr captured as UTF-8 text streams over byte buffers, as a real pipe has them; an
argparse exit (`SystemExit`, code 2 for a missing argument) is the exit code. tests/s3api.rs checks that
a few commands give the same answers here and through `bin/aws`.
"""
import io
import json
import sys

import awscli.clidriver

commands = sys.stdin.buffer
answers = sys.stdout


def stream():
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", write_through=True)


def run(args):
    out, err = stream(), stream()
    sys.argv = ["aws"] + args
    sys.stdin, sys.stdout, sys.stderr = stream(), out, err
    try:
        rc = awscli.clidriver.main()
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__
    return {
        "rc": rc,
        "out": out.buffer.getvalue().decode("utf-8", "replace"),
        "err": err.buffer.getvalue().decode("utf-8", "replace"),
    }


for line in commands:
    if line.strip():
        answers.write(json.dumps(run(json.loads(line.decode("utf-8")))) + "\n")
        answers.flush()
