"""Reads each case folder's config and credentials files with botocore, as the AWS CLI does.

usage: python botocore_profiles.py DIR N
prints one JSON line per case DIR/case-<i> (i < N): {"case": i, "profiles": {name: {key: value}}} with the keys
region, role_arn, source_profile and mfa_serial where set, or {"case": i, "error": "..."} when botocore refuses
the files (it then reads no profile at all).
"""
import json
import os
import sys

import botocore.session

KEYS = ("region", "role_arn", "source_profile", "mfa_serial")
root, count = sys.argv[1], int(sys.argv[2])
for i in range(count):
    case = os.path.join(root, f"case-{i}")
    session = botocore.session.Session()
    session.set_config_variable("config_file", os.path.join(case, "config"))
    session.set_config_variable("credentials_file", os.path.join(case, "credentials"))
    try:
        profiles = session.full_config.get("profiles", {})
    except Exception as e:  # the AWS CLI refuses the whole file
        print(json.dumps({"case": i, "error": type(e).__name__}))
        continue
    out = {}
    for name, props in profiles.items():
        out[name] = {k: v if isinstance(v, str) else json.dumps(v) for k, v in props.items() if k in KEYS}
    print(json.dumps({"case": i, "profiles": out}))
