//! AWS STS: AssumeRole, AssumeRoleWithWebIdentity (unsigned), GetSessionToken and GetCallerIdentity. The form
//! bodies, the rules on MFA codes and session names, and
//! the response parsing are pure functions; [`StsClient`] adds the endpoint choice, signing and the call.

use crate::codec::percent;
use crate::codec::time::{parse_rfc3339, unix_seconds};
use crate::codec::xml;
use crate::config::resolve::StsEndpoints;
use crate::error::{Error, Result};
use crate::identity::Credentials;
use crate::secret::Secret;
use crate::sign::apply;
use crate::sign::sigv4::{Settings, Signer};
use crate::transport::endpoint::Endpoint;
use crate::transport::request::{Body, Request};
use crate::transport::retry::Sender;
use crate::transport::service_error;
use std::fmt;
use std::time::SystemTime;

/// The STS API version awl speaks.
const VERSION: &str = "2011-06-15";

/// The regions that `AWS_STS_REGIONAL_ENDPOINTS=legacy` sends to the global endpoint (botocore's list).
const LEGACY_GLOBAL_REGIONS: &[&str] = &[
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "aws-global",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// Checks an MFA code before any request: exactly six digits, as STS requires.
pub fn check_mfa_code(code: &Secret) -> Result<()> {
    let c = code.expose();
    if c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::usage("the MFA code must be exactly 6 digits")
            .with_hint("type the current code shown by your MFA device or app"))
    }
}

/// The session name awl gives a role when the profile sets none: `awl-session-<unix time>`.
pub fn default_session_name(now: SystemTime) -> String {
    format!("awl-session-{}", unix_seconds(now))
}

/// The arguments of an AssumeRole call.
#[derive(Clone, PartialEq, Eq)]
pub struct AssumeRoleParams {
    /// `RoleArn`.
    pub role_arn: String,
    /// `RoleSessionName`.
    pub role_session_name: String,
    /// `DurationSeconds` (STS's default, 3600, when absent).
    pub duration_seconds: Option<u32>,
    /// `ExternalId`.
    pub external_id: Option<String>,
    /// `SerialNumber` of the MFA device.
    pub serial_number: Option<String>,
    /// `TokenCode`: the MFA code.
    pub token_code: Option<Secret>,
}

impl fmt::Debug for AssumeRoleParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRoleParams")
            .field("role_arn", &self.role_arn)
            .field("role_session_name", &self.role_session_name)
            .field("duration_seconds", &self.duration_seconds)
            .field("external_id", &self.external_id)
            .field("serial_number", &self.serial_number)
            .field("token_code", &self.token_code)
            .finish()
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent::encode_into(&mut out, k.as_bytes(), false);
        out.push('=');
        percent::encode_into(&mut out, v.as_bytes(), false);
    }
    out
}

/// The form body of an AssumeRole request.
pub fn assume_role_form(p: &AssumeRoleParams) -> String {
    let duration = p.duration_seconds.map(|d| d.to_string());
    let mut pairs: Vec<(&str, &str)> = vec![
        ("Action", "AssumeRole"),
        ("Version", VERSION),
        ("RoleArn", &p.role_arn),
        ("RoleSessionName", &p.role_session_name),
    ];
    if let Some(d) = &duration {
        pairs.push(("DurationSeconds", d));
    }
    if let Some(x) = &p.external_id {
        pairs.push(("ExternalId", x));
    }
    if let Some(s) = &p.serial_number {
        pairs.push(("SerialNumber", s));
    }
    if let Some(t) = &p.token_code {
        pairs.push(("TokenCode", t.expose()));
    }
    form(&pairs)
}

/// The arguments of an AssumeRoleWithWebIdentity call.
/// `Debug` is derived: the token is a [`Secret`], which prints as `Secret(***)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebIdentityParams {
    /// `RoleArn`.
    pub role_arn: String,
    /// `RoleSessionName`.
    pub role_session_name: String,
    /// `WebIdentityToken`: the OIDC token, read from its file for each call.
    pub token: Secret,
}

/// The form body of an AssumeRoleWithWebIdentity request (no DurationSeconds, as botocore: STS's hour).
pub fn web_identity_form(p: &WebIdentityParams) -> String {
    form(&[
        ("Action", "AssumeRoleWithWebIdentity"),
        ("Version", VERSION),
        ("RoleArn", &p.role_arn),
        ("RoleSessionName", &p.role_session_name),
        ("WebIdentityToken", p.token.expose()),
    ])
}

/// The form body of a GetSessionToken request with an MFA device and its code.
pub fn session_token_form(duration_seconds: Option<u32>, mfa: Option<(&str, &Secret)>) -> String {
    let duration = duration_seconds.map(|d| d.to_string());
    let mut pairs: Vec<(&str, &str)> = vec![("Action", "GetSessionToken"), ("Version", VERSION)];
    if let Some(d) = &duration {
        pairs.push(("DurationSeconds", d));
    }
    if let Some((serial_number, token_code)) = mfa {
        pairs.push(("SerialNumber", serial_number));
        pairs.push(("TokenCode", token_code.expose()));
    }
    form(&pairs)
}

/// The form body of a GetCallerIdentity request.
pub fn get_caller_identity_form() -> String {
    form(&[("Action", "GetCallerIdentity"), ("Version", VERSION)])
}

/// What AssumeRole returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumedRole {
    /// The temporary credentials, with their expiry.
    pub credentials: Credentials,
    /// The expiry as STS wrote it.
    pub expiration: String,
    /// `AssumedRoleUser/Arn`.
    pub arn: String,
    /// `AssumedRoleUser/AssumedRoleId`.
    pub assumed_role_id: String,
    /// `PackedPolicySize`, as written (a number), when STS sends it.
    pub packed_policy_size: Option<String>,
    /// `SourceIdentity`, when STS sends it.
    pub source_identity: Option<String>,
    /// The request id.
    pub request_id: Option<String>,
}

impl AssumedRole {
    /// The account id, from the assumed-role ARN (`arn:aws:sts::ACCOUNT:assumed-role/...`).
    pub fn account_id(&self) -> Option<&str> {
        self.arn.split(':').nth(4).filter(|a| !a.is_empty())
    }
}

fn missing(what: &str) -> Error {
    Error::data(format!("the STS answer has no {what}"))
}

/// The `Credentials` element of an STS answer: the credentials with their expiry, and the expiry as written.
fn temporary_credentials(doc: &xml::Element) -> Result<(Credentials, String)> {
    let creds = doc.find("Credentials").ok_or_else(|| missing("Credentials"))?;
    let field = |name: &str| -> Result<String> {
        creds
            .child(name)
            .map(|e| e.text.trim().to_owned())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| missing(name))
    };
    let expiration = field("Expiration")?;
    let mut credentials = Credentials::new(field("AccessKeyId")?, field("SecretAccessKey")?)
        .with_session_token(field("SessionToken")?);
    credentials.expiration = Some(parse_rfc3339(&expiration)?);
    Ok((credentials, expiration))
}

/// Reads an AssumeRole (or AssumeRoleWithWebIdentity) answer.
pub fn parse_assume_role(body: &[u8]) -> Result<AssumedRole> {
    let doc = xml::parse(&String::from_utf8_lossy(body))?;
    let (credentials, expiration) = temporary_credentials(&doc)?;
    let user = doc
        .find("AssumedRoleUser")
        .ok_or_else(|| missing("AssumedRoleUser"))?;
    Ok(AssumedRole {
        credentials,
        expiration,
        arn: user
            .child("Arn")
            .map(|e| e.text.trim().to_owned())
            .ok_or_else(|| missing("Arn"))?,
        // Ceph writes AssumeRoleId.
        assumed_role_id: user
            .child("AssumedRoleId")
            .or_else(|| user.child("AssumeRoleId"))
            .map(|e| e.text.trim().to_owned())
            .unwrap_or_default(),
        packed_policy_size: doc
            .find("PackedPolicySize")
            .map(|e| e.text.trim().to_owned())
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())),
        source_identity: doc.find("SourceIdentity").map(|e| e.text.trim().to_owned()),
        request_id: doc.find("RequestId").map(|e| e.text.trim().to_owned()),
    })
}

/// Reads a GetSessionToken answer: credentials only, so the ARN and role id are left empty.
pub fn parse_session_token(body: &[u8]) -> Result<AssumedRole> {
    let doc = xml::parse(&String::from_utf8_lossy(body))?;
    let (credentials, expiration) = temporary_credentials(&doc)?;
    Ok(AssumedRole {
        credentials,
        expiration,
        arn: String::new(),
        assumed_role_id: String::new(),
        packed_policy_size: None,
        source_identity: None,
        request_id: doc.find("RequestId").map(|e| e.text.trim().to_owned()),
    })
}

/// What GetCallerIdentity returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerIdentity {
    /// `UserId`.
    pub user_id: String,
    /// `Account`.
    pub account: String,
    /// `Arn`.
    pub arn: String,
}

/// Reads a GetCallerIdentity answer.
pub fn parse_caller_identity(body: &[u8]) -> Result<CallerIdentity> {
    let doc = xml::parse(&String::from_utf8_lossy(body))?;
    let result = doc
        .find("GetCallerIdentityResult")
        .ok_or_else(|| missing("GetCallerIdentityResult"))?;
    let field = |name: &str| {
        result
            .child(name)
            .map(|e| e.text.trim().to_owned())
            .ok_or_else(|| missing(name))
    };
    Ok(CallerIdentity {
        user_id: field("UserId")?,
        account: field("Account")?,
        arn: field("Arn")?,
    })
}

/// The STS endpoint and signing region: an override as given (signed for the region, or us-east-1); no
/// region: the global endpoint signed for us-east-1; `legacy` style: the global endpoint for the 16 legacy
/// regions; otherwise `sts.<region>.amazonaws.com`.
pub fn endpoint(region: Option<&str>, style: StsEndpoints, url: Option<&str>) -> Result<(Endpoint, String)> {
    let signing = region.unwrap_or("us-east-1").to_owned();
    if let Some(url) = url {
        return Ok((Endpoint::parse(url)?, signing));
    }
    let global = || Endpoint::parse("https://sts.amazonaws.com");
    match region {
        None | Some("aws-global") => Ok((global()?, "us-east-1".into())),
        Some(r) if style == StsEndpoints::Legacy && LEGACY_GLOBAL_REGIONS.contains(&r) => {
            Ok((global()?, "us-east-1".into()))
        }
        Some(r) => {
            let suffix = if r.starts_with("cn-") {
                "amazonaws.com.cn"
            } else {
                "amazonaws.com"
            };
            Ok((Endpoint::parse(&format!("https://sts.{r}.{suffix}"))?, signing))
        }
    }
}

/// STS at one endpoint.
#[derive(Debug)]
pub struct StsClient<'a> {
    sender: Sender<'a>,
    endpoint: Endpoint,
    region: String,
}

impl<'a> StsClient<'a> {
    /// A client for `endpoint`, signing for `region`, sending through `sender` (retries, clock skew).
    pub fn new(sender: Sender<'a>, endpoint: Endpoint, region: String) -> Self {
        StsClient {
            sender,
            endpoint,
            region,
        }
    }

    /// The endpoint in use.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    fn call(&self, creds: &Credentials, body: String, what: &str) -> Result<Vec<u8>> {
        let signer = Signer::new(creds, &self.region, "sts");
        let resp = self.sender.send(&|at| {
            let mut req = Request::new("POST", &self.endpoint, "/", "")
                .header("content-type", "application/x-www-form-urlencoded; charset=utf-8");
            req.body = Body::from_bytes(body.clone().into_bytes());
            apply::sign_body(&mut req, &signer, &Settings::default(), at);
            req
        })?;
        if !resp.is_success() {
            return Err(service_error::error("STS", what, &resp));
        }
        Ok(resp.body)
    }

    /// AssumeRole with `creds`.
    pub fn assume_role(&self, creds: &Credentials, p: &AssumeRoleParams) -> Result<AssumedRole> {
        let what = format!("AssumeRole {}", p.role_arn);
        let body = self.call(creds, assume_role_form(p), &what)?;
        parse_assume_role(&body)
    }

    /// AssumeRoleWithWebIdentity: unsigned, since the token is the proof.
    pub fn assume_role_with_web_identity(&self, p: &WebIdentityParams) -> Result<AssumedRole> {
        let what = format!("AssumeRoleWithWebIdentity {}", p.role_arn);
        let body = web_identity_form(p);
        let resp = self.sender.send(&|_at| {
            let mut req = Request::new("POST", &self.endpoint, "/", "")
                .header("content-type", "application/x-www-form-urlencoded; charset=utf-8");
            req.body = Body::from_bytes(body.clone().into_bytes());
            req
        })?;
        if !resp.is_success() {
            return Err(service_error::error("STS", &what, &resp));
        }
        parse_assume_role(&resp.body)
    }

    /// GetSessionToken with an IAM user's `creds`, the MFA device `serial_number` and its code.
    pub fn get_session_token(
        &self,
        creds: &Credentials,
        duration_seconds: Option<u32>,
        mfa: Option<(&str, &Secret)>,
    ) -> Result<AssumedRole> {
        let form = session_token_form(duration_seconds, mfa);
        let what = match mfa {
            Some((serial, _)) => format!("GetSessionToken {serial}"),
            None => "GetSessionToken".to_owned(),
        };
        let body = self.call(creds, form, &what)?;
        parse_session_token(&body)
    }

    /// GetCallerIdentity with `creds`.
    pub fn get_caller_identity(&self, creds: &Credentials) -> Result<CallerIdentity> {
        let body = self.call(creds, get_caller_identity_form(), "GetCallerIdentity")?;
        parse_caller_identity(&body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assume_role_form_as_botocore_sends_it() {
        let p = AssumeRoleParams {
            role_arn: "arn:aws:iam::456:role/Sysops".into(),
            role_session_name: "awl-session-1795713008".into(),
            duration_seconds: Some(900),
            external_id: Some("ext 1".into()),
            serial_number: Some("arn:aws:iam::789:mfa/user@domain.blabla".into()),
            token_code: Some(Secret::new("123456")),
        };
        assert_eq!(
            assume_role_form(&p),
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A456%3Arole%2FSysops\
             &RoleSessionName=awl-session-1795713008&DurationSeconds=900&ExternalId=ext%201\
             &SerialNumber=arn%3Aaws%3Aiam%3A%3A789%3Amfa%2Fuser%40domain.blabla&TokenCode=123456"
        );
        assert!(!format!("{p:?}").contains("123456"));
    }

    #[test]
    fn web_identity_and_session_token_forms() {
        let p = WebIdentityParams {
            role_arn: "arn:aws:iam::1:role/r".into(),
            role_session_name: "s".into(),
            token: Secret::new("eyJ.x"),
        };
        assert_eq!(
            web_identity_form(&p),
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr\
             &RoleSessionName=s&WebIdentityToken=eyJ.x"
        );
        assert!(!format!("{p:?}").contains("eyJ"));
        assert_eq!(
            session_token_form(
                Some(43200),
                Some(("arn:aws:iam::1:mfa/a", &Secret::new("123456")))
            ),
            "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=43200\
             &SerialNumber=arn%3Aaws%3Aiam%3A%3A1%3Amfa%2Fa&TokenCode=123456"
        );
        let answer = br#"<GetSessionTokenResponse><GetSessionTokenResult><Credentials>
            <AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken>
            <Expiration>2026-12-02T23:00:00Z</Expiration></Credentials></GetSessionTokenResult>
            </GetSessionTokenResponse>"#;
        let t = parse_session_token(answer).expect("parses");
        assert_eq!(
            (t.credentials.access_key_id.as_str(), t.arn.as_str()),
            ("ASIA1", "")
        );
        assert!(parse_session_token(b"<GetSessionTokenResponse/>").is_err());
    }

    #[test]
    fn endpoints_by_region_and_style() {
        let host = |r: Option<&str>, s| {
            endpoint(r, s, None)
                .map(|(e, reg)| (e.host, reg))
                .expect("endpoint")
        };
        assert_eq!(
            host(Some("ap-southeast-2"), StsEndpoints::Regional),
            ("sts.ap-southeast-2.amazonaws.com".into(), "ap-southeast-2".into())
        );
        assert_eq!(
            host(None, StsEndpoints::Regional),
            ("sts.amazonaws.com".into(), "us-east-1".into())
        );
        assert_eq!(
            host(Some("ap-southeast-2"), StsEndpoints::Legacy),
            ("sts.amazonaws.com".into(), "us-east-1".into())
        );
        assert_eq!(
            host(Some("af-south-1"), StsEndpoints::Legacy),
            ("sts.af-south-1.amazonaws.com".into(), "af-south-1".into())
        );
        assert_eq!(
            host(Some("cn-north-1"), StsEndpoints::Regional).0,
            "sts.cn-north-1.amazonaws.com.cn"
        );
        let (e, r) = endpoint(
            Some("eu-west-1"),
            StsEndpoints::Regional,
            Some("http://127.0.0.1:5000"),
        )
        .expect("override");
        assert_eq!(
            (e.authority(), r.as_str()),
            ("127.0.0.1:5000".into(), "eu-west-1")
        );
    }

    #[test]
    fn parses_answers_from_aws_moto_and_ceph() {
        let aws = br#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
            <SourceIdentity>x</SourceIdentity><AssumedRoleUser><Arn>arn:aws:sts::456:assumed-role/Sysops/s</Arn>
            <AssumedRoleId>AROA3XFRBF23:s</AssumedRoleId></AssumedRoleUser><Credentials>
            <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI</SecretAccessKey>
            <SessionToken>IQoJb3JpZ2</SessionToken><Expiration>2026-11-26T19:10:14.123456Z</Expiration>
            </Credentials><PackedPolicySize>6</PackedPolicySize></AssumeRoleResult><ResponseMetadata>
            <RequestId>c6104cbe</RequestId></ResponseMetadata></AssumeRoleResponse>"#;
        let a = parse_assume_role(aws).expect("parses");
        assert_eq!(a.credentials.access_key_id, "ASIAIOSFODNN7EXAMPLE");
        assert_eq!(
            a.credentials.session_token.as_ref().map(Secret::expose),
            Some("IQoJb3JpZ2")
        );
        assert_eq!(
            (a.account_id(), a.request_id.as_deref()),
            (Some("456"), Some("c6104cbe"))
        );
        let ceph = br#"<AssumeRoleResponse><AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts:::assumed-role/r/s</Arn>
            <AssumeRoleId>id</AssumeRoleId></AssumedRoleUser><Credentials><AccessKeyId>K</AccessKeyId>
            <SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken>
            <Expiration>2026-11-26T19:10:14.123456789Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>"#;
        let c = parse_assume_role(ceph).expect("parses");
        assert_eq!((c.assumed_role_id.as_str(), c.account_id()), ("id", None));
        assert!(parse_assume_role(b"<AssumeRoleResponse/>").is_err());
        let who = br#"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/alice</Arn>
            <UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"#;
        let w = parse_caller_identity(who).expect("parses");
        assert_eq!((w.account.as_str(), w.user_id.as_str()), ("123456789012", "AIDA"));
    }
}
