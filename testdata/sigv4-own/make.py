#!/usr/bin/env python3
"""Writes the project's own SigV4 cases, get-percent-encoded and get-percent-single-encoded, in the layout of
the AWS signing test suite. Only Python's standard library signs here, so the expected outputs do not come from
awl's signer. Facts (from the fuller upstream copy of the suite, described in the team's notes): the request is
`GET /foo/bar/baz%3Cqux%3Aquux` to example.amazonaws.com with the suite's fixed key, region, service and time;
double URI encoding gives the canonical path /foo/bar/baz%253Cqux%253Aquux, S3-style single encoding
/foo/bar/baz%3Cqux%3Aquux.

Run from this folder: python3 make.py
"""
import hashlib, hmac, json, os, urllib.parse

AKID, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
DATE, DAY, REGION, SERVICE = "20150830T123600Z", "20150830", "us-east-1", "service"
SCOPE = f"{DAY}/{REGION}/{SERVICE}/aws4_request"
HOST, PATH = "example.amazonaws.com", "/foo/bar/baz%3Cqux%3Aquux"
EMPTY = hashlib.sha256(b"").hexdigest()

def key():
    k = ("AWS4" + SECRET).encode()
    for part in (DAY, REGION, SERVICE, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return k

def sign(creq):
    sts = "\n".join(["AWS4-HMAC-SHA256", DATE, SCOPE, hashlib.sha256(creq.encode()).hexdigest()])
    return sts, hmac.new(key(), sts.encode(), hashlib.sha256).hexdigest()

def write(case, name, text):
    with open(os.path.join(case, name), "w", newline="\n") as f:
        f.write(text)

for case, double in (("get-percent-encoded", True), ("get-percent-single-encoded", False)):
    os.makedirs(case, exist_ok=True)
    canonical_path = PATH.replace("%", "%25") if double else PATH
    context = {
        "credentials": {"access_key_id": AKID, "secret_access_key": SECRET},
        "expiration_in_seconds": 3600, "normalize": True, "region": REGION, "service": SERVICE,
        "sign_body": False, "timestamp": "2015-08-30T12:36:00Z",
    }
    if not double:
        context["double_uri_encode"] = False
    write(case, "context.json", json.dumps(context, indent=4))
    write(case, "request.txt", f"GET {PATH} HTTP/1.1\nHost:{HOST}\n")

    creq = f"GET\n{canonical_path}\n\nhost:{HOST}\nx-amz-date:{DATE}\n\nhost;x-amz-date\n{EMPTY}"
    sts, sig = sign(creq)
    write(case, "header-canonical-request.txt", creq)
    write(case, "header-string-to-sign.txt", sts)
    write(case, "header-signature.txt", sig)
    write(case, "header-signed-request.txt",
          f"GET {PATH} HTTP/1.1\nHost:{HOST}\nX-Amz-Date:{DATE}\nAuthorization:AWS4-HMAC-SHA256 "
          f"Credential={AKID}/{SCOPE}, SignedHeaders=host;x-amz-date, Signature={sig}\n\n")

    q = lambda v: urllib.parse.quote(v, safe="-_.~")
    params = [("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", f"{AKID}/{SCOPE}"),
              ("X-Amz-Date", DATE), ("X-Amz-SignedHeaders", "host"), ("X-Amz-Expires", "3600")]
    cquery = "&".join(f"{k}={q(v)}" for k, v in sorted(params))
    creq = f"GET\n{canonical_path}\n{cquery}\nhost:{HOST}\n\nhost\n{EMPTY}"
    sts, sig = sign(creq)
    write(case, "query-canonical-request.txt", creq)
    write(case, "query-string-to-sign.txt", sts)
    write(case, "query-signature.txt", sig)
    query = "&".join(f"{k}={q(v)}" for k, v in params + [("X-Amz-Signature", sig)])
    write(case, "query-signed-request.txt", f"GET {PATH}?{query} HTTP/1.1\nHost:{HOST}\n\n")
