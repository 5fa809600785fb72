//! No secret (secret key, session token, signing key, signature, MFA code) in any Debug or Display output.

use awl::cli::parse;
use awl::codec::time::UtcDateTime;
use awl::identity::Credentials;
use awl::secret::Secret;
use awl::sign::sigv4::{Payload, Request, Settings, Signer, signing_key};
use std::ffi::OsString;
use std::time::Duration;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeo";
const MFA: &str = "918273";

fn assert_clean(what: &str, text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!text.contains(s), "{what} shows a secret: {text}");
    }
}

#[test]
fn debug_output_never_shows_secrets() {
    let creds = Credentials::new("AKIDEXAMPLE", SECRET).with_session_token(TOKEN);
    let signer = Signer::new(&creds, "us-east-1", "s3");
    let now = UtcDateTime::from_unix(1_440_938_160).to_system_time();
    let body = format!("Action=AssumeRole&TokenCode={MFA}");
    let req = Request {
        method: "POST",
        path: "/",
        query: "",
        headers: &[("Host", "sts.amazonaws.com")],
        payload: Payload::Bytes(body.as_bytes()),
    };
    let header_sig = signer.sign(&req, &Settings::s3(), now);
    let query_sig = signer.presign(&req, &Settings::s3(), now, Duration::from_secs(60));
    let key = hex::encode(signing_key(&Secret::new(SECRET), "20150830", "us-east-1", "s3"));

    let secrets = [
        SECRET,
        TOKEN,
        MFA,
        key.as_str(),
        header_sig.signature(),
        query_sig.signature(),
    ];
    assert_clean("Secret", &format!("{:?}", Secret::new(SECRET)), &secrets);
    assert_clean("Credentials", &format!("{creds:?} {creds:#?}"), &secrets);
    assert_clean("Signer", &format!("{signer:?}"), &secrets);
    assert_clean("Signature (header)", &format!("{header_sig:?}"), &secrets);
    assert_clean("Signature (query)", &format!("{query_sig:?}"), &secrets);
    assert_clean("Request", &format!("{req:?}"), &secrets);

    // The access key id is not a secret and stays visible, so a user can tell keys apart.
    assert!(format!("{creds:?}").contains("AKIDEXAMPLE"));

    // The MFA code given on the command line.
    let parsed = parse(
        ["--mfa-code", MFA, "sts", "get-caller-identity"]
            .iter()
            .map(OsString::from)
            .collect(),
    );
    let inv = parsed.expect("parses");
    assert!(inv.is_command());
    assert_clean("Invocation", &format!("{inv:?}"), &secrets);
}

#[test]
fn parsed_files_requests_and_documents_hide_secrets_too() {
    use awl::codec::ini::{FileKind, parse as parse_ini};
    use awl::transport::endpoint::Endpoint;
    use awl::transport::request::{Body, Request};

    let ini = parse_ini(
        &format!("[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = {SECRET}\naws_session_token = {TOKEN}\n"),
        FileKind::Credentials,
    )
    .expect("parses");
    let shown = format!("{ini:?}");
    assert_clean("IniFile", &shown, &[SECRET, TOKEN]);
    assert!(shown.contains("AKIDEXAMPLE"), "the key id stays visible: {shown}");

    let endpoint = Endpoint::parse("https://sts.amazonaws.com").expect("endpoint");
    let mut req = Request::new(
        "POST",
        &endpoint,
        "/",
        format!("X-Amz-Signature=abc&X-Amz-Security-Token={TOKEN}"),
    )
    .header("x-amz-security-token", TOKEN)
    .header(
        "authorization",
        "AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=deadbeefcafe",
    );
    req.body = Body::from_bytes(format!("Action=AssumeRole&TokenCode={MFA}").into_bytes());
    assert_clean(
        "http::Request",
        &format!("{req:?}"),
        &[TOKEN, MFA, "deadbeefcafe"],
    );

    let xml = awl::codec::xml::parse(&format!(
        "<Credentials><AccessKeyId>ASIA</AccessKeyId><SecretAccessKey>{SECRET}</SecretAccessKey>\
         <SessionToken>{TOKEN}</SessionToken></Credentials>"
    ))
    .expect("xml");
    assert_clean("xml::Element", &format!("{xml:?}"), &[SECRET, TOKEN]);

    let json = awl::codec::json::parse(&format!(
        r#"{{"Credentials": {{"AccessKeyId": "ASIA", "SecretAccessKey": "{SECRET}", "SessionToken": "{TOKEN}"}}}}"#
    ))
    .expect("json");
    assert_clean("json::Value", &format!("{json:?}"), &[SECRET, TOKEN]);

    let inv = parse(
        [
            "sts",
            "assume-role",
            "--role-arn",
            "a",
            "--role-session-name",
            "s",
            "--serial-number",
            "arn:aws:iam::789:mfa/me",
            "--token-code",
            MFA,
        ]
        .iter()
        .map(OsString::from)
        .collect(),
    )
    .expect("parses");
    assert_clean("Invocation with --token-code", &format!("{inv:?}"), &[MFA]);
}
