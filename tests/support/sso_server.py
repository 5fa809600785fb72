#!/usr/bin/env python3
"""A local fake IAM Identity Center (the SSO portal and SSO-OIDC on one port) for awl's SSO tests.

No server that runs here implements them (moto has only sso-admin). This one follows botocore's `sso` and
`sso-oidc` 2019-06-10 models (rest-json, unsigned), so botocore's clients (endpoint_url = it) and awl both use it:
  GET  /federation/credentials?role_name=R&account_id=A, header x-amz-sso_bearer_token (GetRoleCredentials)
       -> {"roleCredentials": {accessKeyId, secretAccessKey, sessionToken, expiration (epoch ms)}}
  POST /logout, header x-amz-sso_bearer_token -> 200, no body; the token's session (below) ends
       portal errors: {"message"} + x-amzn-errortype: 401 UnauthorizedException, 403 ForbiddenException "No access"
  POST /client/register {clientName, clientType: public, scopes?, grantTypes?, redirectUris?, issuerUrl?}
       -> {clientId, clientSecret, clientIdIssuedAt, clientSecretExpiresAt (epoch s)}
  POST /device_authorization {clientId, clientSecret, startUrl}
       -> {deviceCode, userCode, verificationUri, verificationUriComplete, expiresIn, interval}
  POST /token {clientId, clientSecret, grantType, deviceCode?, refreshToken?, code?, redirectUri?, codeVerifier?}
       -> {accessToken, tokenType: "Bearer", expiresIn, refreshToken?}
       OIDC errors: {"error", "error_description"} + x-amzn-errortype: the model's shape (botocore maps on it),
       HTTP 400, or 401 for invalid_client (InvalidClientException is 401 in the model)
  GET  /authorize?response_type=code&client_id&redirect_uri&state&code_challenge&code_challenge_method=S256&scopes
       (PKCE's browser side, unmodeled) -> 302 to redirect_uri?code=C&state=S (or error=access_denied&state=S);
       redirect_uri must match a registered one but for the port (RFC 8252 loopback, as AWS CLI v2 registers
       http://127.0.0.1/oauth/callback); /token then needs the same redirectUri and a codeVerifier whose S256 is
       the challenge ('=' padding ignored: AWS CLI v2 trims it).
Device flow (RFC 8628): polls answer as scripted; each slow_down adds slowDownDelay (5 s, as the RFC and
botocore's SSOTokenFetcher) to the device code's interval. Each poll is recorded with the time since the previous
poll of its device code; one sooner than the interval (less 0.05 s) is a violation, only recorded. (AWS CLI v2
itself polls twice back to back: once before printing the code, then its loop.)
Validation: unknown clientId/secret or expired registration -> invalid_client; a refresh token never issued,
rotated away or of a logged-out session -> invalid_grant; an expired device code -> expired_token; an unknown or
used code, other redirectUri or wrong codeVerifier -> invalid_grant. A login (device, PKCE, /_control/token) is a
session: refreshes stay in it; Logout ends it and every token of it.

Control API (JSON; not logged):
  POST /_control/config {accessTokenExpiresIn: 3600, interval: 1, slowDownDelay: 5, deviceExpiresIn: 600,
       clientSecretExpiresIn: 7776000, issueRefreshTokens: true, rotateRefreshTokens: true, denyAuthorization:
       false} (any subset; unknown keys refused) -> the config
  POST /_control/roles {accountId, roleName, accessKeyId, secretAccessKey, sessionToken, expiresInSeconds: 3600
       | expiration (epoch ms)}, or {accountId, roleName, credentials: [{...}, ...]}: one per call, the last repeats
  POST /_control/device {pending: N, slowDown: M, deny: false, interval?}: the next polls answer
       authorization_pending N times, slow_down M times, access_denied once if deny, then the token
  POST /_control/token {accessToken, refreshToken?, expiresIn?, clientId?}: a valid session (for cache files a
       test writes); POST /_control/client {clientId, clientSecret, expiresIn?, grantTypes?, redirectUris?}
  POST /_control/expire_device: the device codes issued so far expire;  POST /_control/reset: a fresh server
  GET  /_control/log -> [{method, path, query: {k: v}, headers: {lowercase: v}, body: JSON|text|null, status, at}]
  GET  /_control/polls -> {polls: [{at, userCode, gap: s|null, interval, answer, violation}], violations: [...]}
  `at` is time.monotonic() in seconds (CLOCK_MONOTONIC, as a Rust Instant on Linux).

`python3 sso_server.py` prints one line {"url": "http://127.0.0.1:PORT"} and serves until its stdin closes.
`python3 sso_server.py --self-test` checks it with botocore (target/tools/venv's) and urllib.
"""
import base64, hashlib, json, os, secrets, sys, threading, time, traceback, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULTS = {"accessTokenExpiresIn": 3600, "interval": 1, "slowDownDelay": 5, "deviceExpiresIn": 600,
            "clientSecretExpiresIn": 90 * 86400, "issueRefreshTokens": True, "rotateRefreshTokens": True,
            "denyAuthorization": False}
SHAPES = {"authorization_pending": "AuthorizationPendingException", "slow_down": "SlowDownException",
          "expired_token": "ExpiredTokenException", "invalid_grant": "InvalidGrantException",
          "invalid_client": "InvalidClientException", "access_denied": "AccessDeniedException",
          "invalid_request": "InvalidRequestException", "unauthorized_client": "UnauthorizedClientException",
          "unsupported_grant_type": "UnsupportedGrantTypeException"}
POLL_ERRORS = {"authorization_pending": "Authorization is still pending", "access_denied": "Authorization denied",
               "slow_down": "Client is polling too quickly", "expired_token": "Device code has expired"}
GRANTS = ("urn:ietf:params:oauth:grant-type:device_code", "refresh_token", "authorization_code")
TOLERANCE = 0.05
mono = time.monotonic


class OidcError(Exception):
    """args: (error, error_description): HTTP 400 (401 for invalid_client) {"error", "error_description"}."""


class PortalError(Exception):
    """args: (status, shape, message): {"message"} with x-amzn-errortype: shape."""


def s256(verifier):
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def loopback_key(uri):
    u = urllib.parse.urlsplit(uri or "")
    return (u.scheme, u.hostname, u.path)


class State:
    """Everything the server knows; the handler holds `lock` around each request."""

    def __init__(self, url):
        self.url, self.lock = url, threading.Lock()
        self.reset()

    def reset(self):
        self.config, self.log, self.polls = dict(DEFAULTS), [], []
        self.clients, self.devices, self.codes, self.roles = {}, {}, {}, {}
        self.access, self.refresh, self.sessions = {}, {}, set()
        self.plan = {"pending": 0, "slowDown": 0, "deny": False}

    def new_session(self, client_id, access=None, refresh=None, expires_in=None):
        sid = secrets.token_hex(8)
        self.sessions.add(sid)
        return self.issue(sid, client_id, access, refresh, expires_in)

    def issue(self, sid, client_id, access=None, refresh=None, expires_in=None):
        """A CreateToken answer in session `sid`; refresh=None: a new one (if configured), "": none."""
        expires_in = int(self.config["accessTokenExpiresIn"] if expires_in is None else expires_in)
        access = access or "aoa" + secrets.token_urlsafe(32)
        self.access[access] = {"session": sid, "expiresAt": mono() + expires_in}
        out = {"accessToken": access, "tokenType": "Bearer", "expiresIn": expires_in}
        if refresh is None and self.config["issueRefreshTokens"]:
            refresh = "aor" + secrets.token_urlsafe(32)
        if refresh:
            self.refresh[refresh] = {"session": sid, "clientId": client_id}
            out["refreshToken"] = refresh
        return out

    def bearer(self, headers):
        t = self.access.get(headers.get("x-amz-sso_bearer_token", ""))
        if not t or t["session"] not in self.sessions or mono() > t["expiresAt"]:
            raise PortalError(401, "UnauthorizedException", "Session token not found or invalid")
        return t

    def client(self, body):
        c = self.clients.get(str(body.get("clientId", "")))
        if not c or not secrets.compare_digest(c["clientSecret"], str(body.get("clientSecret", ""))):
            raise OidcError("invalid_client", "Invalid client credentials")
        if time.time() > c["expiresAt"]:
            raise OidcError("invalid_client", "Client registration has expired")
        return c

    def add_client(self, b, client_id=None, secret=None):
        c = {"clientId": client_id or "cid-" + secrets.token_hex(8),
             "clientSecret": secret or secrets.token_urlsafe(48),
             "expiresAt": int(time.time() + b.get("expiresIn", self.config["clientSecretExpiresIn"])),
             "grantTypes": b.get("grantTypes") or [], "redirectUris": b.get("redirectUris") or []}
        self.clients[c["clientId"]] = c
        return c

    # ---- the services: (query, lowercase headers, JSON body) -> (status, answer)
    def register_client(self, q, h, b):
        if not b.get("clientName") or b.get("clientType") != "public":
            raise OidcError("invalid_request", "clientName and clientType (public) are required")
        if any(g not in GRANTS for g in b.get("grantTypes") or []):
            raise OidcError("unsupported_grant_type", "Unsupported grant type")
        c = self.add_client(b)
        return 200, {"clientId": c["clientId"], "clientSecret": c["clientSecret"],
                     "clientIdIssuedAt": int(time.time()), "clientSecretExpiresAt": c["expiresAt"]}

    def device_authorization(self, q, h, b):
        c = self.client(b)
        if not b.get("startUrl"):
            raise OidcError("invalid_request", "startUrl is required")
        code, user = secrets.token_urlsafe(32), "%s-%s" % (secrets.token_hex(2).upper(), secrets.token_hex(2).upper())
        interval, expires_in = self.config["interval"], int(self.config["deviceExpiresIn"])
        self.devices[code] = {"clientId": c["clientId"], "userCode": user, "expiresAt": mono() + expires_in,
                              "interval": interval, "last": None, "done": False}
        uri = self.url + "/device"
        return 200, {"deviceCode": code, "userCode": user, "verificationUri": uri, "interval": interval,
                     "verificationUriComplete": uri + "?user_code=" + user, "expiresIn": expires_in}

    def token(self, q, h, b):
        c, grant = self.client(b), b.get("grantType")
        if grant == GRANTS[0]:
            return 200, self.poll(c, b)
        if grant == "refresh_token":
            r = self.refresh.get(str(b.get("refreshToken", "")))
            if not r or r["clientId"] not in (None, c["clientId"]) or r["session"] not in self.sessions:
                raise OidcError("invalid_grant", "Invalid refresh token")
            keep = None if self.config["rotateRefreshTokens"] else b["refreshToken"]
            if keep is None:
                del self.refresh[b["refreshToken"]]
            return 200, self.issue(r["session"], c["clientId"], refresh=keep)
        if grant == "authorization_code":
            rec = self.codes.pop(str(b.get("code", "")), None)  # a code is good for one attempt
            if not rec or rec["clientId"] != c["clientId"] or mono() > rec["expiresAt"]:
                raise OidcError("invalid_grant", "Invalid authorization code")
            if b.get("redirectUri") != rec["redirectUri"]:
                raise OidcError("invalid_grant", "redirectUri does not match the authorization request")
            verifier = str(b.get("codeVerifier", ""))
            if not 43 <= len(verifier) <= 128 or s256(verifier) != rec["challenge"].rstrip("="):
                raise OidcError("invalid_grant", "Code verifier does not match the code challenge")
            return 200, self.new_session(c["clientId"])
        raise OidcError("unsupported_grant_type", "Unsupported grant type")

    def poll(self, c, b):
        d = self.devices.get(str(b.get("deviceCode", "")))
        if not d or d["clientId"] != c["clientId"] or d["done"]:
            raise OidcError("invalid_grant", "Invalid device code")
        now = mono()
        gap = None if d["last"] is None else now - d["last"]
        rec = {"at": now, "userCode": d["userCode"], "gap": gap, "interval": d["interval"],
               "violation": gap is not None and gap + TOLERANCE < d["interval"], "answer": "token"}
        self.polls.append(rec)
        d["last"] = now
        if now > d["expiresAt"]:
            rec["answer"] = "expired_token"
        elif self.plan["pending"] > 0:
            self.plan["pending"] -= 1
            rec["answer"] = "authorization_pending"
        elif self.plan["slowDown"] > 0:
            self.plan["slowDown"] -= 1
            d["interval"] += self.config["slowDownDelay"]  # "for this and all subsequent requests" (RFC 8628 3.5)
            rec["answer"] = "slow_down"
        elif self.plan["deny"]:
            self.plan["deny"] = False
            rec["answer"] = "access_denied"
        if rec["answer"] != "token":
            raise OidcError(rec["answer"], POLL_ERRORS[rec["answer"]])
        d["done"] = True
        return self.new_session(c["clientId"])

    def authorize(self, q, h, b):
        c, redirect = self.clients.get(q.get("client_id", "")), q.get("redirect_uri", "")
        if not c:
            raise OidcError("invalid_client", "Unknown client_id")
        if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            raise OidcError("invalid_request", "response_type=code and an S256 code_challenge are required")
        if c["grantTypes"] and "authorization_code" not in c["grantTypes"]:
            raise OidcError("unauthorized_client", "Client is not registered for authorization_code")
        if loopback_key(redirect) not in [loopback_key(u) for u in c["redirectUris"]]:
            raise OidcError("invalid_request", "redirect_uri is not registered")
        args = {"error": "access_denied"}
        if not self.config["denyAuthorization"]:
            args = {"code": secrets.token_urlsafe(24)}
            self.codes[args["code"]] = {"clientId": c["clientId"], "redirectUri": redirect,
                                        "challenge": q["code_challenge"], "expiresAt": mono() + 300}
        args.update({"state": q["state"]} if "state" in q else {})
        return 302, {"Location": redirect + ("&" if "?" in redirect else "?") + urllib.parse.urlencode(args)}

    def role_credentials(self, q, h, b):
        self.bearer(h)
        if not q.get("role_name") or not q.get("account_id"):
            raise PortalError(400, "InvalidRequestException", "role_name and account_id are required")
        queue = self.roles.get((q["account_id"], q["role_name"]))
        if not queue:
            raise PortalError(403, "ForbiddenException", "No access")
        r = queue.pop(0) if len(queue) > 1 else queue[0]
        expiration = r.get("expiration") or int((time.time() + r.get("expiresInSeconds", 3600)) * 1000)
        return 200, {"roleCredentials": {"accessKeyId": r["accessKeyId"], "secretAccessKey": r["secretAccessKey"],
                                         "sessionToken": r["sessionToken"], "expiration": expiration}}

    def logout(self, q, h, b):
        self.sessions.discard(self.bearer(h)["session"])
        return 200, None

    def control(self, method, path, b):
        """The control API (see the top); raises KeyError/ValueError/TypeError on a bad request."""
        if method == "GET" and path == "/_control/log":
            return list(self.log)
        if method == "GET" and path == "/_control/polls":
            return {"polls": list(self.polls), "violations": [p for p in self.polls if p["violation"]]}
        if method != "POST":
            raise KeyError(path)
        if path == "/_control/config":
            if set(b) - set(DEFAULTS):
                raise ValueError("unknown config keys: %s" % sorted(set(b) - set(DEFAULTS)))
            self.config.update(b)
            return self.config
        if path == "/_control/roles":
            creds = [dict(r) for r in b.get("credentials") or [b]]
            if not all(r.get(k) for r in creds for k in ("accessKeyId", "secretAccessKey", "sessionToken")):
                raise ValueError("accessKeyId, secretAccessKey and sessionToken are required")
            self.roles[(b["accountId"], b["roleName"])] = creds
        elif path == "/_control/device":
            self.plan = {"pending": int(b.get("pending", 0)), "slowDown": int(b.get("slowDown", 0)),
                         "deny": bool(b.get("deny", False))}
            self.config["interval"] = b.get("interval", self.config["interval"])
        elif path == "/_control/token":
            refresh = b.get("refreshToken") or ""  # "": this session has no refresh token
            return self.new_session(b.get("clientId"), b["accessToken"], refresh, b.get("expiresIn"))
        elif path == "/_control/client":
            return self.add_client(b, b["clientId"], b["clientSecret"])
        elif path == "/_control/expire_device":
            for d in self.devices.values():
                d["expiresAt"] = 0
        elif path == "/_control/reset":
            self.reset()
        else:
            raise KeyError(path)
        return {"ok": True}


ROUTES = {("POST", "/client/register"): State.register_client, ("POST", "/device_authorization"):
          State.device_authorization, ("POST", "/token"): State.token, ("GET", "/authorize"): State.authorize,
          ("GET", "/federation/credentials"): State.role_credentials, ("POST", "/logout"): State.logout}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as botocore and awl use it; every answer has a Content-Length

    def log_message(self, *args):  # quiet: stdout carries only the URL line
        pass

    def read_body(self):
        if "chunked" not in self.headers.get("Transfer-Encoding", "").lower():
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))
        out = b""
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):  # trailers
                    pass
                return out
            out += self.rfile.read(size)
            self.rfile.readline()

    def serve(self):
        url, raw, st = urllib.parse.urlsplit(self.path), self.read_body(), self.server.state
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            body = None
        with st.lock:
            if url.path.startswith("/_control/"):
                try:
                    if not isinstance(body, dict):
                        raise ValueError("the body must be a JSON object")
                    status, extra, out = 200, {}, st.control(self.command, url.path, body)
                except (KeyError, ValueError, TypeError) as e:
                    status, extra, out = 400, {}, {"error": "bad control request: %r" % (e,)}
            else:
                entry = {"method": self.command, "path": url.path, "query": query, "headers": headers, "at": mono(),
                         "body": body if raw.strip() and body is not None else raw.decode("utf-8", "replace") or None}
                st.log.append(entry)
                status, extra, out = route(st, self.command, url.path, query, headers, body)
                entry["status"] = status
        data = b"" if out is None else json.dumps(out).encode()
        self.send_response(status)
        for k, v in dict(extra, **({"Content-Type": "application/json"} if data else {})).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = serve


def route(st, method, path, query, headers, body):
    """One service request -> (status, extra headers, JSON answer or None), errors as the models shape them."""
    handler = ROUTES.get((method, path))
    if handler is None:
        return 404, {"x-amzn-errortype": "UnknownOperationException"}, {"message": "No such operation"}
    try:
        if not isinstance(body, dict):
            raise OidcError("invalid_request", "The body must be a JSON object")
        status, out = handler(st, query, headers, body)
        return (status, out, None) if status == 302 else (status, {}, out)
    except OidcError as e:
        error, description = e.args
        return 401 if error == "invalid_client" else 400, {"x-amzn-errortype": SHAPES[error]}, \
            {"error": error, "error_description": description}
    except PortalError as e:
        return e.args[0], {"x-amzn-errortype": e.args[1]}, {"message": e.args[2]}
    except Exception as e:  # a bug here: say so on stderr, answer 500 rather than drop the connection
        traceback.print_exc()
        return 500, {"x-amzn-errortype": "InternalServerException"}, {"message": repr(e)}


def start():
    """Starts a server on 127.0.0.1 (a free port) in a daemon thread; returns it (`.url`, `.state`)."""
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.handle_error = lambda request, address: print("sso_server: %r" % (sys.exc_info()[1],), file=sys.stderr)
    srv.url = "http://127.0.0.1:%d" % srv.server_address[1]
    srv.state = State(srv.url)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    srv = start()
    print(json.dumps({"url": srv.url}), flush=True)
    try:
        sys.stdin.buffer.read()  # until the parent closes our stdin (or dies)
    except KeyboardInterrupt:
        pass
    srv.shutdown()
    srv.server_close()
    return 0


def self_test():
    """Every endpoint through botocore's own clients and through urllib, then the child-process mode."""
    venv = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../target/tools/venv")
    if os.path.exists(venv) and os.path.realpath(sys.prefix) != os.path.realpath(venv):  # the tests' botocore
        os.execv(venv + "/bin/python", [venv + "/bin/python", os.path.abspath(__file__), "--self-test"])
    import subprocess, urllib.error, urllib.request
    import botocore, botocore.config, botocore.session
    srv, start_url = start(), "https://d-1.awsapps.com/start"
    cfg = botocore.config.Config(signature_version=botocore.UNSIGNED, retries={"max_attempts": 1})
    oidc, sso = (botocore.session.Session().create_client(name, endpoint_url=srv.url, region_name="us-east-1",
                                                           config=cfg) for name in ("sso-oidc", "sso"))
    opener = urllib.request.build_opener(type("NoRedirect", (urllib.request.HTTPRedirectHandler,),
                                              {"redirect_request": lambda *a: None}))

    def call(method, path, body=None, headers=None):  # -> (status, headers, JSON)
        req = urllib.request.Request(srv.url + path, None if body is None else json.dumps(body).encode(),
                                     headers or {}, method=method)
        try:
            with opener.open(req) as r:
                status, hdrs, raw = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, raw = e.code, e.headers, e.read()
        return status, hdrs, json.loads(raw) if raw else None

    def fails(expected, fn, /, **kw):  # botocore raises the modeled exception `expected`
        try:
            fn(**kw)
        except botocore.exceptions.ClientError as e:
            assert e.response["Error"]["Code"] == expected, (expected, e.response)
            return e.response
        raise AssertionError("no %s" % expected)

    call("POST", "/_control/config", {"interval": 1, "slowDownDelay": 1, "accessTokenExpiresIn": 900})
    assert call("POST", "/_control/config", {"intervall": 2})[0] == 400
    # botocore, device flow: 2 pending (the second deliberately too soon) + 1 slow_down, then the token
    reg = oidc.register_client(clientName="botocore-client-t", clientType="public", scopes=["sso:account:access"])
    client = dict(clientId=reg["clientId"], clientSecret=reg["clientSecret"])
    assert reg["clientSecretExpiresAt"] > time.time() + 80 * 86400
    dev = oidc.start_device_authorization(startUrl=start_url, **client)
    assert dev["interval"] == 1 and dev["userCode"] in dev["verificationUriComplete"]
    call("POST", "/_control/device", {"pending": 2, "slowDown": 1})
    poll = dict(grantType=GRANTS[0], deviceCode=dev["deviceCode"], **client)
    fails("AuthorizationPendingException", oidc.create_token, **poll)
    fails("AuthorizationPendingException", oidc.create_token, **poll)
    time.sleep(1)
    e = fails("SlowDownException", oidc.create_token, **poll)
    assert e["error"] == "slow_down" and e["ResponseMetadata"]["HTTPStatusCode"] == 400
    time.sleep(2)  # the interval plus the slow-down delay (1 s here, 5 s by default)
    tok = oidc.create_token(**poll)
    assert tok["tokenType"] == "Bearer" and tok["expiresIn"] == 900 and tok["refreshToken"]
    fails("InvalidGrantException", oidc.create_token, **poll)  # a device code is redeemed once
    polls = call("GET", "/_control/polls")[2]
    assert [p["answer"] for p in polls["polls"]] == ["authorization_pending"] * 2 + ["slow_down", "token"]
    assert [p["interval"] for p in polls["polls"]] == [1, 1, 1, 2] and polls["polls"][0]["gap"] is None
    assert len(polls["violations"]) == 1 and polls["violations"][0]["gap"] < 1 and polls["polls"][3]["gap"] >= 2
    fails("InvalidClientException", oidc.create_token, **dict(poll, clientSecret="nope"))
    dev2 = oidc.start_device_authorization(startUrl=start_url, **client)
    call("POST", "/_control/expire_device", {})
    fails("ExpiredTokenException", oidc.create_token, **dict(poll, deviceCode=dev2["deviceCode"]))
    # botocore, portal: role credentials (a sequence), a bad token, a role with no access
    call("POST", "/_control/roles", {"accountId": "111122223333", "roleName": "Dev", "credentials": [
        {"accessKeyId": "ASIA1", "secretAccessKey": "s1", "sessionToken": "t1", "expiresInSeconds": 60},
        {"accessKeyId": "ASIA2", "secretAccessKey": "s2", "sessionToken": "t2"}]})
    role = dict(roleName="Dev", accountId="111122223333")
    rc = sso.get_role_credentials(accessToken=tok["accessToken"], **role)["roleCredentials"]
    assert rc["accessKeyId"] == "ASIA1" and abs(rc["expiration"] / 1000 - time.time() - 60) < 5
    rc = sso.get_role_credentials(accessToken=tok["accessToken"], **role)["roleCredentials"]
    assert rc["accessKeyId"] == "ASIA2" and sso.get_role_credentials(accessToken=tok["accessToken"], **role)
    fails("UnauthorizedException", sso.get_role_credentials, accessToken="bad", **role)
    fails("ForbiddenException", sso.get_role_credentials, roleName="Ops", accountId="1", accessToken=tok["accessToken"])
    # botocore: refresh as tokens.py asks it, the old refresh token rotated away; Logout ends the whole session
    new = oidc.create_token(grantType="refresh_token", refreshToken=tok["refreshToken"], **client)
    fails("InvalidGrantException", oidc.create_token, grantType="refresh_token", refreshToken=tok["refreshToken"],
          **client)
    sso.logout(accessToken=new["accessToken"])
    fails("UnauthorizedException", sso.logout, accessToken=new["accessToken"])
    fails("UnauthorizedException", sso.get_role_credentials, accessToken=tok["accessToken"], **role)
    fails("InvalidGrantException", oidc.create_token, grantType="refresh_token", refreshToken=new["refreshToken"],
          **client)
    # PKCE as AWS CLI v2 does it (registration without the port, the challenge without its '='), urllib as browser
    preg = oidc.register_client(clientName="pkce", clientType="public", grantTypes=["authorization_code",
                                "refresh_token"], redirectUris=["http://127.0.0.1/oauth/callback"],
                                issuerUrl=start_url, scopes=["sso:account:access"])
    verifier, redirect = secrets.token_urlsafe(48), "http://127.0.0.1:9/oauth/callback"

    def authorize(challenge):  # -> the query the browser would bring to the loopback listener
        q = urllib.parse.urlencode({"response_type": "code", "client_id": preg["clientId"], "redirect_uri": redirect,
                                    "state": "st-1", "code_challenge_method": "S256", "scopes": "sso:account:access"})
        status, hdrs, _ = call("GET", "/authorize?" + q + "&code_challenge=" + challenge)
        loc = urllib.parse.urlsplit(hdrs["Location"])
        assert status == 302 and loc.netloc == "127.0.0.1:9" and loc.path == "/oauth/callback", (status, loc)
        return dict(urllib.parse.parse_qsl(loc.query))
    back = authorize(s256(verifier))
    assert back["state"] == "st-1"
    pk = dict(grantType="authorization_code", clientId=preg["clientId"], clientSecret=preg["clientSecret"],
              redirectUri=redirect, codeVerifier="x" + verifier, code=back["code"])
    fails("InvalidGrantException", oidc.create_token, **pk)
    fails("InvalidGrantException", oidc.create_token, **dict(pk, codeVerifier=verifier))  # the code was used
    pk.update(code=authorize(s256(verifier) + "=")["code"], codeVerifier=verifier)
    fails("InvalidGrantException", oidc.create_token, **dict(pk, redirectUri="http://127.0.0.1:8/oauth/callback"))
    pk.update(code=authorize(s256(verifier))["code"])
    assert oidc.create_token(**pk)["refreshToken"]
    call("POST", "/_control/config", {"denyAuthorization": True})
    assert authorize(s256(verifier)) == {"error": "access_denied", "state": "st-1"}
    assert call("GET", "/authorize?client_id=nobody")[0] == 401
    # urllib: a token and client pre-registered as for cache files a test writes; every endpoint, errors' shapes
    call("POST", "/_control/client", {"clientId": "c1", "clientSecret": "cs1"})
    call("POST", "/_control/token", {"accessToken": "at1", "refreshToken": "rt1", "expiresIn": 120, "clientId": "c1"})
    creds = "/federation/credentials?role_name=Dev&account_id=111122223333"
    st, _, body = call("GET", creds, headers={"x-amz-sso_bearer_token": "at1"})
    assert st == 200 and body["roleCredentials"]["accessKeyId"] == "ASIA2"
    st, _, body = call("POST", "/token", {"clientId": "c1", "clientSecret": "cs1", "grantType": "refresh_token",
                                          "refreshToken": "rt1"})
    assert st == 200 and body["expiresIn"] == 900 and body["refreshToken"] != "rt1"
    st, hdrs, body = call("POST", "/token", {"clientId": "c1", "clientSecret": "cs2", "grantType": "refresh_token"})
    assert st == 401 and hdrs["x-amzn-errortype"] == "InvalidClientException" and body["error"] == "invalid_client"
    st, hdrs, body = call("GET", creds)
    assert st == 401 and hdrs["x-amzn-errortype"] == "UnauthorizedException" and body["message"]
    assert call("POST", "/logout", headers={"x-amz-sso_bearer_token": "at1"})[0] == 200
    assert call("GET", creds, headers={"x-amz-sso_bearer_token": "at1"})[0] == 401
    st, _, body = call("POST", "/client/register", {"clientName": "x"})
    assert st == 400 and body["error"] == "invalid_request" and call("GET", "/nowhere")[0] == 404
    st, _, dv = call("POST", "/device_authorization", {"clientId": "c1", "clientSecret": "cs1", "startUrl": start_url})
    call("POST", "/_control/device", {"pending": 1, "deny": True})
    answers = [call("POST", "/token", {"clientId": "c1", "clientSecret": "cs1", "grantType": GRANTS[0],
                                       "deviceCode": dv["deviceCode"]}) for _ in range(3)]
    assert [(a[0], a[1]["x-amzn-errortype"], a[2]["error"]) for a in answers[:2]] == [(
        400, "AuthorizationPendingException", "authorization_pending"), (400, "AccessDeniedException", "access_denied")]
    assert answers[2][0] == 200 and answers[2][2]["accessToken"]
    # the log: every service request, none of the control API, with monotonic times
    log = call("GET", "/_control/log")[2]
    assert not [e for e in log if e["path"].startswith("/_control")] and len(log) == 43, len(log)
    assert [e["at"] for e in log] == sorted(e["at"] for e in log) and all(type(e["at"]) is float for e in log)
    gets = [e for e in log if e["path"] == "/federation/credentials"]
    assert gets[0]["headers"]["x-amz-sso_bearer_token"] == tok["accessToken"] and gets[0]["body"] is None
    assert gets[0]["query"] == {"role_name": "Dev", "account_id": "111122223333"}
    assert log[2]["body"]["grantType"] == GRANTS[0] and log[2]["status"] == 400
    call("POST", "/_control/reset", {})
    assert call("GET", "/_control/log")[2] == [] and call("GET", "/_control/polls")[2]["polls"] == []
    srv.shutdown()
    # the child-process mode: one JSON line, then serves until its stdin closes
    child = subprocess.Popen([sys.executable, os.path.abspath(__file__)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    with urllib.request.urlopen(json.loads(child.stdout.readline())["url"] + "/_control/log") as r:
        assert json.loads(r.read()) == []
    child.stdin.close()
    assert child.wait(timeout=10) == 0 and child.stdout.read() == b""
    print("sso_server self-test: ok (%d service requests, botocore %s)" % (len(log), botocore.__version__))
    return 0


if __name__ == "__main__":
    sys.exit(main())
