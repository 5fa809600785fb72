//! No secret (secret key, session token, signing key, signature, MFA code) in any Debug or Display output.

use awl::cli::{Invocation, parse};
use awl::credentials::Credentials;
use awl::secret::Secret;
use awl::sigv4::{Payload, Request, Settings, Signer, signing_key};
use awl::time::UtcDateTime;
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
    let Ok(inv @ Invocation::Command { .. }) = parsed else {
        panic!("parses");
    };
    assert_clean("Invocation", &format!("{inv:?}"), &secrets);
}
