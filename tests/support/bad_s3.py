"""A misbehaving S3-compatible server, for tests/listing_faults.rs.

usage: python3 bad_s3.py SCENARIO
Listens on 127.0.0.1 (a free port, printed on the first line of stdout) and runs until stdin closes. Path-style
requests only; signatures are not checked. It serves one bucket (any name) whose ListObjectsV2 pages are the
scenario's, well formed or broken on purpose:

  good       two well-formed pages in byte order; keys with a space, '+', '%' and '&' (url-encoded when asked)
  unordered  one page, keys in UTF-16 order ('d/\U0001F600' before 'd/\uFF01'), not S3's UTF-8 byte order
  repeat     page 2 starts with the last key of page 1 again
  notoken    IsTruncated true with no NextContinuationToken (the rest of the bucket is never listed)
  cycle      the continuation tokens go A, B, A, B, ...; capped at 50 pages so nothing loops forever
  nokey      a Contents entry with no Key
  badsize    a Contents entry whose Size is 'abc'
  baddate    a Contents entry whose LastModified is 'not-a-date'
  big        20 pages of 1,000 keys of 80 bytes (each page's `ls` output passes 64 KiB)
  rawprefix  keys under d/a+b/ beside d/k, then d/z on a second page; CommonPrefixes left unencoded under
             encoding-type=url (as Ceph RGW before 2019 and moto before 2022 answered), so a client decoding
             them reads d/a b/
  rawcafe    the same with d/caf%C3%A9/ (a literal '%') beside d/cafe.txt: read decoded, the folder would sort
             after d/cafe.txt, its keys sort before it
  rawslash   the same with d/x%2Fy/ beside d/x.txt: read decoded, d/x/y/ is two levels down

Besides ListObjectsV2 (GET /BUCKET?list-type=2...):
  HEAD/GET /BUCKET/KEY   the object (every body is b'x' * size), with Last-Modified and its MD5 as ETag
  PUT, POST, DELETE      recorded, answered 200 (204 for DELETE) with a minimal valid body; nothing is stored
  GET /                  an empty ListAllMyBucketsResult
  GET /__log             a JSON list of every request line received ("METHOD /path?query"), these two excepted
  GET /__objects         a JSON list of [key, size]: every object the bucket has, listed or not
  GET /__deleted         a JSON list of every key a DELETE or a DeleteObjects (POST ?delete) named, in order
"""
import hashlib
import http.server
import json
import os
import sys
import threading
import urllib.parse
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

LISTED = "2026-01-01T00:00:00.000Z"
LISTED_HTTP = "Thu, 01 Jan 2026 00:00:00 GMT"
CYCLE_PAGES = 50


def body_of(size):
    return b"x" * size


def etag(size):
    return '"%s"' % hashlib.md5(body_of(size)).hexdigest()


def entry(key, size, **override):
    """A Contents entry as S3 writes it, element by element; an override of None leaves that element out."""
    e = {"Key": key, "LastModified": LISTED, "ETag": etag(size), "Size": str(size), "StorageClass": "STANDARD"}
    e.update(override)
    return {k: v for k, v in e.items() if v is not None}


class Page:
    def __init__(self, entries, truncated=False, token=None):
        self.entries, self.truncated, self.token = entries, truncated, token


def listed(objects, *keys, **override):
    return [entry(k, objects[k], **override) for k in keys]


def fixed(pages):
    """Pages chosen by the continuation token (None: the first page)."""
    return lambda token, n: pages.get(token, Page([]))


def scenario(name):
    """(objects: {key: size}, pages: f(token, n) -> Page), n counting the pages of the listing so far."""
    if name == "good":
        o = {"d/a b+c%20.txt": 11, "d/b.txt": 3, "d/sub/x&y.txt": 5}
        return o, fixed({
            None: Page(listed(o, "d/a b+c%20.txt", "d/b.txt"), True, "page 2/+="),
            "page 2/+=": Page(listed(o, "d/sub/x&y.txt")),
        })
    if name == "unordered":
        o = {"d/\U0001F600": 4, "d/\uFF01": 6}
        return o, fixed({None: Page(listed(o, "d/\U0001F600", "d/\uFF01"))})
    if name == "repeat":
        o = {"d/a": 1, "d/b": 2, "d/c": 3}
        return o, fixed({
            None: Page(listed(o, "d/a", "d/b"), True, "t1"),
            "t1": Page(listed(o, "d/b", "d/c")),
        })
    if name == "notoken":
        o = {"d/a": 1, "d/b": 2}
        return o, fixed({None: Page(listed(o, "d/a"), True, None)})
    if name == "cycle":
        o = {"d/k%04d" % (i + 1): i + 1 for i in range(CYCLE_PAGES)}
        keys = sorted(o)
        # Page n holds the n-th key (always increasing), and hands out A, B, A, B, ...: only the tokens are wrong.
        return o, lambda token, n: Page(
            listed(o, keys[n]) if n < len(keys) else [], n + 1 < len(keys), "AB"[n % 2]
        )
    if name == "nokey":
        o = {"d/a": 1}  # the bucket holds no object without a key
        return o, fixed({None: Page([entry(None, 2)] + listed(o, "d/a"))})
    if name in ("badsize", "baddate"):
        o = {"d/a": 1, "d/b": 2}
        bad = {"Size": "abc"} if name == "badsize" else {"LastModified": "not-a-date"}
        return o, fixed({None: Page(listed(o, "d/a") + listed(o, "d/b", **bad))})
    if name.startswith("raw"):
        # Two pages, so that the listing does not fit on one (a client may list a longer one folder by folder):
        # the first holds the scenario's keys, the second d/z.
        first = {"rawprefix": ["d/a+b/x", "d/a+b/y", "d/k"], "rawcafe": ["d/caf%C3%A9/menu", "d/cafe.txt"],
                 "rawslash": ["d/x%2Fy/k", "d/x.txt"]}.get(name)
        if first is not None:
            o = {k: i + 1 for i, k in enumerate(first + ["d/z"])}
            return o, fixed({None: Page(listed(o, *first), True, "p2"), "p2": Page(listed(o, "d/z"))})
    if name == "big":
        keys = ["big/%06d-" % i + "k" * 69 for i in range(20_000)]
        o = {k: 100 for k in keys}
        pages = {}
        for n in range(20):
            pages[None if n == 0 else "p%d" % n] = Page(listed(o, *keys[n * 1000:(n + 1) * 1000]), n < 19, "p%d" % (n + 1))
        return o, fixed(pages)
    if name == "empties":
        return {}, fixed({})  # the listing is answered whole by EMPTIES below
    sys.exit("unknown scenario %r" % name)


OBJECTS, PAGES = scenario(sys.argv[1])
# "empties": one ListObjectsV2 answer of 28 MB of empty elements, under awl's 32 MiB body cap (an XML reader
# that spends a hundred bytes per element needs some 700 MB for it).
EMPTIES = (b"<ListBucketResult>" + b"<Contents/>" * 2_545_000 + b"</ListBucketResult>") if sys.argv[1] == "empties" else None
LOG = []
DELETED = []
LOCK = threading.Lock()
STATE = {"n": 0}


def list_v2(bucket, q):
    token = q.get("continuation-token")
    with LOCK:
        # A listing starts with the request that has no token; each request with one is its next page.
        STATE["n"] = 0 if token is None else STATE["n"] + 1
        page = PAGES(token, STATE["n"])
    prefix, delimiter = q.get("prefix", ""), q.get("delimiter")
    url = q.get("encoding-type") == "url"

    def enc(s):
        # As S3 with encoding-type=url: percent-encoded ('+' for a space, which botocore's unquote_plus accepts).
        return escape(urllib.parse.quote_plus(s, safe="/") if url else s)

    out, prefixes = [], []
    for e in page.entries:
        key = e.get("Key")
        if key is not None and not key.startswith(prefix):
            continue
        if key is not None and delimiter and delimiter in key[len(prefix):]:
            common = prefix + key[len(prefix):].split(delimiter, 1)[0] + delimiter
            if common not in prefixes:
                prefixes.append(common)
            continue
        fields = "".join("<%s>%s</%s>" % (k, enc(v) if k == "Key" else escape(v), k) for k, v in e.items())
        out.append("<Contents>%s</Contents>" % fields)
    raw = sys.argv[1].startswith("raw")
    out += ["<CommonPrefixes><Prefix>%s</Prefix></CommonPrefixes>" % (escape(p) if raw else enc(p)) for p in prefixes]
    head = "<Name>%s</Name><Prefix>%s</Prefix><KeyCount>%d</KeyCount><MaxKeys>%s</MaxKeys>" % (
        escape(bucket), enc(prefix), len(out), escape(q.get("max-keys", "1000")))
    if delimiter:
        head += "<Delimiter>%s</Delimiter>" % enc(delimiter)
    if url:
        head += "<EncodingType>url</EncodingType>"
    if token is not None:
        head += "<ContinuationToken>%s</ContinuationToken>" % escape(token)
    head += "<IsTruncated>%s</IsTruncated>" % ("true" if page.truncated else "false")
    if page.truncated and page.token is not None:
        head += "<NextContinuationToken>%s</NextContinuationToken>" % escape(page.token)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult '
            'xmlns="http://s3.amazonaws.com/doc/2006-03-01/">%s%s</ListBucketResult>' % (head, "".join(out)))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def target(self):
        """(bucket, key, query) of a path-style request."""
        parts = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        path = urllib.parse.unquote(parts.path)[1:]
        bucket, _, key = path.partition("/")
        return bucket, key, q

    def record(self):
        with LOCK:
            LOG.append("%s %s" % (self.command, self.path))

    def answer(self, status, body=b"", headers=(), content_type="application/xml"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amz-request-id", "bad-s3")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", ""):
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                data += self.rfile.read(size + 2)[:size]
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def do_GET(self):
        if self.path in ("/__log", "/__objects", "/__deleted"):
            with LOCK:
                docs = {"/__log": LOG, "/__deleted": DELETED, "/__objects": [[k, s] for k, s in OBJECTS.items()]}
                body = json.dumps(docs[self.path], ensure_ascii=False).encode()
            return self.answer(200, body, content_type="application/json")
        self.record()
        bucket, key, q = self.target()
        if not bucket:
            return self.answer(200, b'<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult>'
                                    b"<Buckets></Buckets><Owner><ID>bad-s3</ID></Owner></ListAllMyBucketsResult>")
        if not key and q.get("list-type") == "2":
            return self.answer(200, EMPTIES if EMPTIES is not None else list_v2(bucket, q).encode())
        self.object(key)

    def do_HEAD(self):
        self.record()
        self.object(self.target()[1])

    def object(self, key):
        if key not in OBJECTS:
            return self.answer(404, b"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist."
                                    b"</Message></Error>")
        body = body_of(OBJECTS[key])
        headers = [("Last-Modified", LISTED_HTTP), ("ETag", etag(OBJECTS[key])), ("Accept-Ranges", "bytes")]
        rng = self.headers.get("Range", "")
        if rng.startswith("bytes=") and body:
            first, _, last = rng[6:].partition("-")
            first, last = int(first), min(int(last or len(body) - 1), len(body) - 1)
            headers.append(("Content-Range", "bytes %d-%d/%d" % (first, last, len(body))))
            return self.answer(206, body[first:last + 1], headers, "application/octet-stream")
        self.answer(200, body, headers, "application/octet-stream")

    def change(self):
        """Any write: recorded (the tests look for these), answered as a success, stored nowhere."""
        self.record()
        data = self.read_body()
        _, key, q = self.target()
        if self.command == "DELETE":
            with LOCK:
                DELETED.extend([key] if key else [])  # DeleteBucket names no key
            return self.answer(204)
        if "delete" in q:
            # Which keys: a request line says only that some were deleted. An unreadable body names none.
            try:
                named = [e.text or "" for e in ET.fromstring(data).iter() if e.tag.endswith("Key")]
            except ET.ParseError:
                named = []
            with LOCK:
                DELETED.extend(named)
            return self.answer(200, b'<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult/>')
        if "uploads" in q:
            return self.answer(200, b"<InitiateMultipartUploadResult><UploadId>u1</UploadId>"
                                    b"</InitiateMultipartUploadResult>")
        if "uploadId" in q and self.command == "POST":
            return self.answer(200, b"<CompleteMultipartUploadResult><ETag>&quot;e&quot;</ETag>"
                                    b"</CompleteMultipartUploadResult>")
        self.answer(200, headers=[("ETag", '"%s"' % hashlib.md5(data).hexdigest())])

    do_PUT = do_POST = do_DELETE = change


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that hangs up mid-answer (awl stopped by a closed pipe) is not the server's error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def main():
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # The test holds our stdin: when it ends, however it ends, the pipe closes and so do we.
    sys.stdin.buffer.read()
    os._exit(0)


if __name__ == "__main__":
    main()
