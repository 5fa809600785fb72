//! IAM Identity Center: the SSO portal (GetRoleCredentials, Logout) and SSO-OIDC (RegisterClient,
//! StartDeviceAuthorization, CreateToken), rest-json calls that are never signed (the portal takes the bearer
//! token in `x-amz-sso_bearer_token`). Request bodies, answer parsing, error facts and the PKCE values are pure
//! functions; [`SsoClient`] adds the endpoints and the calls.
//!
//! OIDC errors are `{"error": "authorization_pending", "error_description": ...}` (HTTP 400): the error's
//! [`service_code`](Error::service_code) is the `error` value, so that callers decide on it. Portal errors are
//! `{"message": ...}` with `x-amzn-errortype` (`UnauthorizedException`: the token is bad).

use crate::codec::json::{self, Value};
use crate::codec::time::from_unix_seconds;
use crate::codec::{base64, percent, redact};
use crate::error::{Error, Result, ServiceFacts};
use crate::identity::Credentials;
use crate::secret::Secret;
use crate::transport::endpoint::Endpoint;
use crate::transport::request::{Body, Request, Response};
use crate::transport::retry::Sender;
use sha2::{Digest, Sha256};
use std::time::SystemTime;

/// The scope an authorization-code client asks for when the sso-session names none (botocore's default).
pub const DEFAULT_SCOPE: &str = "sso:account:access";
/// CreateToken's grant type of the device flow.
pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Where the portal and OIDC answer: `https://portal.sso.{region}.amazonaws.com` and
/// `https://oidc.{region}.amazonaws.com`, unless overridden (`AWS_ENDPOINT_URL_SSO`, `AWS_ENDPOINT_URL_SSO_OIDC`,
/// `AWS_ENDPOINT_URL`, `[services]` `sso =` and `sso_oidc =`, applied by the session).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoEndpoints {
    /// The portal (GetRoleCredentials, Logout).
    pub portal: String,
    /// SSO-OIDC (RegisterClient, StartDeviceAuthorization, CreateToken, and the browser's `/authorize`).
    pub oidc: String,
}

impl SsoEndpoints {
    /// The AWS endpoints of `region` (a region name, checked by the caller: it becomes part of host names).
    pub fn for_region(region: &str) -> Self {
        let suffix = if region.starts_with("cn-") {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        SsoEndpoints {
            portal: format!("https://portal.sso.{region}.{suffix}"),
            oidc: format!("https://oidc.{region}.{suffix}"),
        }
    }
}

/// Role credentials from GetRoleCredentials (`expiration` is epoch milliseconds on the wire).
#[derive(Debug)]
pub struct RoleCredentials {
    /// The keys, with their expiry.
    pub credentials: Credentials,
}

/// A CreateToken answer.
#[derive(Debug)]
pub struct TokenAnswer {
    /// `accessToken`.
    pub access_token: Secret,
    /// `expiresIn`, seconds.
    pub expires_in: u64,
    /// `refreshToken`, when the grant gives one.
    pub refresh_token: Option<Secret>,
}

/// What CreateToken is asked with.
#[derive(Debug)]
pub enum Grant<'a> {
    /// `refresh_token` with the cached refresh token.
    Refresh(&'a Secret),
    /// The device flow's `deviceCode`.
    DeviceCode(&'a Secret),
    /// The authorization-code flow: the code the redirect brought, the redirect URI it was sent to (with its
    /// port) and the PKCE verifier.
    AuthorizationCode {
        /// `code`.
        code: &'a Secret,
        /// `redirectUri`.
        redirect_uri: &'a str,
        /// `codeVerifier`.
        code_verifier: &'a Secret,
    },
}

/// What RegisterClient is asked for: a public client named `client_name`, for the device flow, or, with
/// `redirect_uri`, for the authorization-code flow (grant types `authorization_code` and `refresh_token`).
#[derive(Debug)]
pub struct RegisterRequest<'a> {
    /// `clientName` (`botocore-client-<session name or unix time>`, as the AWS CLI v2 names it).
    pub client_name: &'a str,
    /// `scopes` (left out when empty).
    pub scopes: &'a [String],
    /// The authorization-code client's `redirectUris` (one) and `issuerUrl` (the start URL).
    pub auth_code: Option<(&'a str, &'a str)>,
}

/// A RegisterClient answer (or a cached one).
#[derive(Clone, Debug)]
pub struct Registration {
    /// `clientId`.
    pub client_id: String,
    /// `clientSecret`.
    pub client_secret: Secret,
    /// `clientSecretExpiresAt`.
    pub expires_at: SystemTime,
}

/// A StartDeviceAuthorization answer.
#[derive(Debug)]
pub struct DeviceAuthorization {
    /// `deviceCode`: what CreateToken is polled with.
    pub device_code: Secret,
    /// `userCode`: what the person confirms on the page.
    pub user_code: String,
    /// `verificationUri`.
    pub verification_uri: String,
    /// `verificationUriComplete` (the code filled in), else the plain URI.
    pub verification_uri_complete: String,
    /// `expiresIn`, seconds.
    pub expires_in: u64,
    /// `interval`, seconds between polls (the RFC's 5 when absent).
    pub interval: u64,
}

fn missing(what: &str, field: &str) -> Error {
    Error::data(format!(
        "the {what} answer has no {field} (or not one awl can use)"
    ))
}

fn parse_doc(body: &[u8], what: &str) -> Result<Value> {
    std::str::from_utf8(body)
        .ok()
        .and_then(|t| json::parse(t).ok())
        .ok_or_else(|| Error::data(format!("the {what} answer is not JSON")))
}

/// A string member, shown to a person or used in a URL: control characters escaped.
fn text(doc: &Value, key: &str, what: &str) -> Result<String> {
    doc.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(|s| redact::sanitize(s, 2048))
        .ok_or_else(|| missing(what, key))
}

fn secret(doc: &Value, key: &str, what: &str) -> Result<Secret> {
    doc.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(Secret::new)
        .ok_or_else(|| missing(what, key))
}

fn number(doc: &Value, key: &str) -> Option<i64> {
    doc.get(key).and_then(Value::as_i64)
}

/// A JSON array of strings.
pub fn strings(items: &[String]) -> Value {
    Value::Array(items.iter().map(|s| Value::String(s.clone())).collect())
}

/// Python's `json.dumps` of an object with `members` in the order given (`", "` and `": "`, non-ASCII
/// escaped): what botocore sends as a rest-json body, and what the AWS CLI v2's `JSONFileCache` writes.
pub fn python_object(members: &[(&str, Value)]) -> String {
    let object = Value::object(members.iter().map(|(k, v)| (*k, v.clone())));
    json::to_string(&object, json::Style::PythonInOrder)
}

fn s(v: &str) -> Value {
    Value::String(v.to_owned())
}

/// The JSON body of RegisterClient.
pub fn register_client_body(r: &RegisterRequest<'_>) -> String {
    let mut m = vec![("clientName", s(r.client_name)), ("clientType", s("public"))];
    if !r.scopes.is_empty() {
        m.push(("scopes", strings(r.scopes)));
    }
    if let Some((redirect_uri, issuer_url)) = r.auth_code {
        m.push((
            "grantTypes",
            Value::Array(vec![s("authorization_code"), s("refresh_token")]),
        ));
        m.push(("redirectUris", Value::Array(vec![s(redirect_uri)])));
        m.push(("issuerUrl", s(issuer_url)));
    }
    python_object(&m)
}

/// The JSON body of StartDeviceAuthorization.
pub fn device_authorization_body(client_id: &str, client_secret: &Secret, start_url: &str) -> String {
    python_object(&[
        ("clientId", s(client_id)),
        ("clientSecret", s(client_secret.expose())),
        ("startUrl", s(start_url)),
    ])
}

/// The JSON body of CreateToken.
pub fn create_token_body(
    client_id: &str,
    client_secret: &Secret,
    grant: &Grant<'_>,
    scopes: &[String],
) -> String {
    let mut m = vec![
        ("clientId", s(client_id)),
        ("clientSecret", s(client_secret.expose())),
    ];
    match grant {
        Grant::Refresh(t) => {
            m.push(("grantType", s("refresh_token")));
            m.push(("refreshToken", s(t.expose())));
        }
        Grant::DeviceCode(d) => {
            m.push(("grantType", s(DEVICE_GRANT)));
            m.push(("deviceCode", s(d.expose())));
        }
        Grant::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            m.push(("grantType", s("authorization_code")));
            m.push(("code", s(code.expose())));
            m.push(("redirectUri", s(redirect_uri)));
            m.push(("codeVerifier", s(code_verifier.expose())));
        }
    }
    if !scopes.is_empty() {
        m.push(("scope", strings(scopes)));
    }
    python_object(&m)
}

/// Reads a RegisterClient answer.
pub fn parse_registration(body: &[u8]) -> Result<Registration> {
    let what = "RegisterClient";
    let doc = parse_doc(body, what)?;
    let expires =
        number(&doc, "clientSecretExpiresAt").ok_or_else(|| missing(what, "clientSecretExpiresAt"))?;
    Ok(Registration {
        client_id: text(&doc, "clientId", what)?,
        client_secret: secret(&doc, "clientSecret", what)?,
        expires_at: from_unix_seconds(expires),
    })
}

/// The longest `expiresIn` read (a year): a larger one is refused as a bad answer rather than written into the
/// shared cache as a date no tool can read.
const MAX_EXPIRES_IN: u64 = 366 * 86_400;

/// Reads a StartDeviceAuthorization answer.
pub fn parse_device_authorization(body: &[u8]) -> Result<DeviceAuthorization> {
    let what = "StartDeviceAuthorization";
    let doc = parse_doc(body, what)?;
    let verification_uri = text(&doc, "verificationUri", what)?;
    let positive = |k| number(&doc, k).and_then(|n| u64::try_from(n).ok());
    Ok(DeviceAuthorization {
        device_code: secret(&doc, "deviceCode", what)?,
        user_code: text(&doc, "userCode", what)?,
        verification_uri_complete: text(&doc, "verificationUriComplete", what)
            .unwrap_or_else(|_| verification_uri.clone()),
        verification_uri,
        expires_in: positive("expiresIn")
            .filter(|n| *n <= MAX_EXPIRES_IN)
            .ok_or_else(|| missing(what, "expiresIn"))?,
        interval: positive("interval").unwrap_or(5),
    })
}

/// Reads a CreateToken answer.
pub fn parse_token(body: &[u8]) -> Result<TokenAnswer> {
    let what = "CreateToken";
    let doc = parse_doc(body, what)?;
    Ok(TokenAnswer {
        access_token: secret(&doc, "accessToken", what)?,
        expires_in: number(&doc, "expiresIn")
            .and_then(|n| u64::try_from(n).ok())
            .filter(|n| *n <= MAX_EXPIRES_IN)
            .ok_or_else(|| missing(what, "expiresIn"))?,
        refresh_token: secret(&doc, "refreshToken", what).ok(),
    })
}

/// Reads a GetRoleCredentials answer.
pub fn parse_role_credentials(body: &[u8]) -> Result<RoleCredentials> {
    let what = "GetRoleCredentials";
    let doc = parse_doc(body, what)?;
    let rc = doc
        .get("roleCredentials")
        .ok_or_else(|| missing(what, "roleCredentials"))?;
    let millis = number(rc, "expiration").ok_or_else(|| missing(what, "expiration"))?;
    let mut credentials = Credentials::new(
        text(rc, "accessKeyId", what)?,
        secret(rc, "secretAccessKey", what)?,
    )
    .with_session_token(secret(rc, "sessionToken", what)?);
    credentials.expiration = Some(from_unix_seconds(millis.div_euclid(1000)));
    Ok(RoleCredentials { credentials })
}

/// The facts of an error answer of `service` (`SSO`, `SSO OIDC`): the code from the body's `error` (OIDC),
/// else `x-amzn-errortype`, else the body's `__type` or `code`; the message from `error_description` or
/// `message`, sanitised and masked.
pub fn error_facts(service: &'static str, resp: &Response) -> ServiceFacts {
    let doc = std::str::from_utf8(&resp.body)
        .ok()
        .and_then(|t| json::parse(t).ok());
    let field = |k: &str| {
        doc.as_ref()
            .and_then(|d| d.get(k))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    // `UnauthorizedException:http://internal.amazon.com/...` and `aws.protocoltests#Name` keep their name.
    let short = |s: &str| {
        let s = s.split(':').next().unwrap_or(s);
        s.rsplit('#').next().unwrap_or(s).to_owned()
    };
    let code = field("error")
        .map(str::to_owned)
        .or_else(|| resp.header("x-amzn-errortype").map(short))
        .or_else(|| field("__type").or_else(|| field("code")).map(short))
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| format!("HTTP{}", resp.status));
    let message = field("error_description")
        .or_else(|| field("message"))
        .or_else(|| field("Message"))
        .unwrap_or_default();
    ServiceFacts {
        service,
        status: resp.status,
        code: redact::sanitize(&code, 100),
        message: redact::sanitize(&redact::body(message), 300),
        request_id: resp.header("x-amzn-requestid").map(|h| redact::sanitize(h, 100)),
        region: None,
    }
}

/// PKCE's S256 challenge of `verifier`: base64url (no padding) of its SHA-256 (RFC 7636, 4.2).
pub fn code_challenge(verifier: &str) -> String {
    base64url(&Sha256::digest(verifier.as_bytes()))
}

/// base64url without padding (RFC 4648, 5).
pub fn base64url(bytes: &[u8]) -> String {
    base64::encode(bytes)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

/// The URL the browser opens in the authorization-code flow, as botocore builds it:
/// `{oidc origin}/authorize?response_type=code&client_id=..&redirect_uri=..&state=..&code_challenge_method=S256
/// &scopes=..&code_challenge=..` (scopes space-separated, [`DEFAULT_SCOPE`] when none).
pub fn authorize_url(
    oidc: &str,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    challenge: &str,
    scopes: &[String],
) -> Result<String> {
    let scopes = if scopes.is_empty() {
        DEFAULT_SCOPE.to_owned()
    } else {
        scopes.join(" ")
    };
    let mut url = format!("{}/authorize?response_type=code", Endpoint::parse(oidc)?.origin());
    for (k, v) in [
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("state", state),
        ("code_challenge_method", "S256"),
        ("scopes", &scopes),
        ("code_challenge", challenge),
    ] {
        url.push('&');
        url.push_str(k);
        url.push('=');
        percent::encode_into(&mut url, v.as_bytes(), false);
    }
    Ok(url)
}

/// The SSO portal and SSO-OIDC at their endpoints.
#[derive(Debug)]
pub struct SsoClient<'a> {
    sender: Sender<'a>,
    endpoints: SsoEndpoints,
}

impl<'a> SsoClient<'a> {
    /// A client for `endpoints`, sending through `sender` (retries, clock skew).
    pub fn new(sender: Sender<'a>, endpoints: SsoEndpoints) -> Self {
        SsoClient { sender, endpoints }
    }

    /// The endpoints in use.
    pub fn endpoints(&self) -> &SsoEndpoints {
        &self.endpoints
    }

    /// Sends `req` unsigned (retried as its kind allows); an error answer becomes a service error of
    /// `service`, its context `what`.
    fn call(&self, service: &'static str, req: &Request, what: &str) -> Result<Vec<u8>> {
        let resp = self.sender.send(&|_| req.clone())?;
        if !resp.is_success() {
            return Err(Error::service(what, error_facts(service, &resp)).with_attempts(resp.attempts));
        }
        Ok(resp.body)
    }

    /// A JSON `POST` to SSO-OIDC.
    fn oidc(&self, path: &str, body: String, what: &str) -> Result<Vec<u8>> {
        let mut req = Request::new("POST", &Endpoint::parse(&self.endpoints.oidc)?, path, "")
            .header("content-type", "application/json");
        req.body = Body::from_bytes(body.into_bytes());
        self.call("SSO OIDC", &req, what)
    }

    /// A call to the portal with the bearer token.
    fn portal(
        &self,
        method: &'static str,
        path: &str,
        query: &str,
        token: &Secret,
        what: &str,
    ) -> Result<Vec<u8>> {
        let req = Request::new(method, &Endpoint::parse(&self.endpoints.portal)?, path, query)
            .header("x-amz-sso_bearer_token", token.expose());
        self.call("SSO", &req, what)
    }

    /// GetRoleCredentials: the role's keys for `access_token`.
    pub fn get_role_credentials(
        &self,
        access_token: &Secret,
        account_id: &str,
        role_name: &str,
    ) -> Result<RoleCredentials> {
        let query = format!(
            "role_name={}&account_id={}",
            percent::encode(role_name),
            percent::encode(account_id)
        );
        let what = format!("GetRoleCredentials {account_id}/{role_name}");
        parse_role_credentials(&self.portal("GET", "/federation/credentials", &query, access_token, &what)?)
    }

    /// Logout: the portal forgets `access_token`.
    pub fn logout(&self, access_token: &Secret) -> Result<()> {
        self.portal("POST", "/logout", "", access_token, "Logout")
            .map(drop)
    }

    /// CreateToken with `grant`.
    pub fn create_token(
        &self,
        client_id: &str,
        client_secret: &Secret,
        grant: Grant<'_>,
        scopes: &[String],
    ) -> Result<TokenAnswer> {
        let body = create_token_body(client_id, client_secret, &grant, scopes);
        parse_token(&self.oidc("/token", body, "CreateToken")?)
    }

    /// RegisterClient.
    pub fn register_client(&self, r: &RegisterRequest<'_>) -> Result<Registration> {
        let body = register_client_body(r);
        parse_registration(&self.oidc("/client/register", body, "RegisterClient")?)
    }

    /// StartDeviceAuthorization for `start_url` with a registered client.
    pub fn start_device_authorization(
        &self,
        reg: &Registration,
        start_url: &str,
    ) -> Result<DeviceAuthorization> {
        let body = device_authorization_body(&reg.client_id, &reg.client_secret, start_url);
        parse_device_authorization(&self.oidc("/device_authorization", body, "StartDeviceAuthorization")?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenge_matches_rfc_7636_appendix_b() {
        assert_eq!(
            code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn endpoints_by_region() {
        let e = SsoEndpoints::for_region("eu-west-1");
        assert_eq!(e.portal, "https://portal.sso.eu-west-1.amazonaws.com");
        assert_eq!(e.oidc, "https://oidc.eu-west-1.amazonaws.com");
        assert_eq!(
            SsoEndpoints::for_region("cn-north-1").oidc,
            "https://oidc.cn-north-1.amazonaws.com.cn"
        );
    }

    #[test]
    fn request_bodies_as_the_models_name_them() {
        let scopes = vec!["sso:account:access".to_owned()];
        let device = RegisterRequest {
            client_name: "botocore-client-dev",
            scopes: &[],
            auth_code: None,
        };
        assert_eq!(
            register_client_body(&device),
            r#"{"clientName": "botocore-client-dev", "clientType": "public"}"#
        );
        let pkce = RegisterRequest {
            client_name: "botocore-client-dev",
            scopes: &scopes,
            auth_code: Some(("http://127.0.0.1/oauth/callback", "https://d-1.awsapps.com/start")),
        };
        assert_eq!(
            register_client_body(&pkce),
            r#"{"clientName": "botocore-client-dev", "clientType": "public", "scopes": ["sso:account:access"], "grantTypes": ["authorization_code", "refresh_token"], "redirectUris": ["http://127.0.0.1/oauth/callback"], "issuerUrl": "https://d-1.awsapps.com/start"}"#
        );
        let cs = Secret::new("CSECRET");
        assert_eq!(
            device_authorization_body("cid", &cs, "https://s"),
            r#"{"clientId": "cid", "clientSecret": "CSECRET", "startUrl": "https://s"}"#
        );
        let dc = Secret::new("DEVCODE");
        assert_eq!(
            create_token_body("cid", &cs, &Grant::DeviceCode(&dc), &[]),
            r#"{"clientId": "cid", "clientSecret": "CSECRET", "grantType": "urn:ietf:params:oauth:grant-type:device_code", "deviceCode": "DEVCODE"}"#
        );
        let (code, verifier) = (Secret::new("AUTHCODE"), Secret::new("VERIFIER"));
        let grant = Grant::AuthorizationCode {
            code: &code,
            redirect_uri: "http://127.0.0.1:5/oauth/callback",
            code_verifier: &verifier,
        };
        assert_eq!(
            create_token_body("cid", &cs, &grant, &[]),
            r#"{"clientId": "cid", "clientSecret": "CSECRET", "grantType": "authorization_code", "code": "AUTHCODE", "redirectUri": "http://127.0.0.1:5/oauth/callback", "codeVerifier": "VERIFIER"}"#
        );
        let rt = Secret::new("REFRESH");
        assert_eq!(
            create_token_body("cid", &cs, &Grant::Refresh(&rt), &scopes),
            r#"{"clientId": "cid", "clientSecret": "CSECRET", "grantType": "refresh_token", "refreshToken": "REFRESH", "scope": ["sso:account:access"]}"#
        );
        // Debug of what carries secrets shows none of them.
        let shown = format!("{grant:?} {:?}", Grant::Refresh(&rt));
        for s in ["AUTHCODE", "VERIFIER", "REFRESH"] {
            assert!(!shown.contains(s), "{shown}");
        }
    }

    #[test]
    fn answers_parse_and_keep_secrets_out_of_debug() {
        let r = parse_registration(
            br#"{"clientId": "cid", "clientSecret": "CS", "clientIdIssuedAt": 1700000000, "clientSecretExpiresAt": 1707776000}"#,
        )
        .expect("registration");
        assert_eq!(r.client_id, "cid");
        assert_eq!(r.expires_at, from_unix_seconds(1_707_776_000));
        assert!(!format!("{r:?}").contains("CS\""));
        let d = parse_device_authorization(
            br#"{"deviceCode":"DC","userCode":"ABCD-EFGH","verificationUri":"https://device.sso.us-east-1.amazonaws.com/",
            "verificationUriComplete":"https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH","expiresIn":600}"#,
        )
        .expect("device");
        assert_eq!(
            (d.user_code.as_str(), d.interval, d.expires_in),
            ("ABCD-EFGH", 5, 600)
        );
        assert!(!format!("{d:?}").contains("\"DC\""));
        let t = parse_token(
            br#"{"accessToken":"AT","tokenType":"Bearer","expiresIn":28800,"refreshToken":"RT"}"#,
        )
        .expect("token");
        assert_eq!(
            (
                t.access_token.expose(),
                t.expires_in,
                t.refresh_token.as_ref().map(Secret::expose)
            ),
            ("AT", 28800, Some("RT"))
        );
        assert!(parse_token(br#"{"accessToken":"AT"}"#).is_err());
        assert!(parse_token(b"<html>").is_err());
        let c = parse_role_credentials(
            br#"{"roleCredentials":{"accessKeyId":"ASIA","secretAccessKey":"SK","sessionToken":"ST","expiration":1700000000123}}"#,
        )
        .expect("role credentials");
        assert_eq!(c.credentials.access_key_id, "ASIA");
        assert_eq!(c.credentials.expiration, Some(from_unix_seconds(1_700_000_000)));
        assert!(parse_role_credentials(br#"{"roleCredentials":{"accessKeyId":"A"}}"#).is_err());
    }

    #[test]
    fn error_codes_come_from_the_body_or_the_header() {
        let pending = Response::of(
            400,
            &[(
                "x-amzn-errortype",
                "AuthorizationPendingException:http://internal/",
            )],
            r#"{"error":"authorization_pending","error_description":"not yet"}"#,
        );
        let f = error_facts("SSO OIDC", &pending);
        assert_eq!(
            (f.code.as_str(), f.message.as_str()),
            ("authorization_pending", "not yet")
        );
        let portal = Response::of(
            401,
            &[
                ("x-amzn-errortype", "UnauthorizedException:http://internal/"),
                ("x-amzn-requestid", "rid"),
            ],
            r#"{"message":"Session token not found or invalid"}"#,
        );
        let e = Error::service("GetRoleCredentials", error_facts("SSO", &portal));
        assert_eq!(e.service_code(), Some("UnauthorizedException"));
        assert_eq!(e.exit_code(), 254);
        assert_eq!(e.request_id(), Some("rid"));
        let bare = error_facts("SSO", &Response::of(503, &[], "oops"));
        assert_eq!(bare.code, "HTTP503");
        let echo = error_facts(
            "SSO OIDC",
            &Response::of(
                400,
                &[],
                r#"{"error":"invalid_grant","error_description":"bad refreshToken: RTSECRET\u001b[2J"}"#,
            ),
        );
        assert!(
            !echo.message.contains("RTSECRET") && !echo.message.contains('\u{1b}'),
            "{}",
            echo.message
        );
    }

    #[test]
    fn the_authorize_url_is_botocores() {
        let url = authorize_url(
            "http://127.0.0.1:4000/ignored",
            "cid",
            "http://127.0.0.1:5000/oauth/callback",
            "st",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            &[],
        )
        .expect("url");
        assert_eq!(
            url,
            "http://127.0.0.1:4000/authorize?response_type=code&client_id=cid\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Foauth%2Fcallback&state=st&code_challenge_method=S256\
             &scopes=sso%3Aaccount%3Aaccess&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let two = vec!["a:b".to_owned(), "c".to_owned()];
        assert!(
            authorize_url("https://oidc.us-east-1.amazonaws.com", "c", "r", "s", "x", &two)
                .expect("url")
                .contains("&scopes=a%3Ab%20c&")
        );
    }
}
