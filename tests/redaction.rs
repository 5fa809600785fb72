//! No secret (secret key, session token, signing key, signature, MFA code) in any Debug or Display output,
//! nor in `--debug` traces: secrets named anywhere in a request or an answer, a session token that a server
//! echoes, a long token in a cut answer, and the data of an upload (issue 22, rows 2 to 4).

mod common;

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

/// An HTTP server on 127.0.0.1 (std only): each request's head goes to `answer`, which gives the status,
/// extra header lines (`"Name: value\r\n"` each) and body. Serves until the test process ends.
fn serve(answer: impl Fn(&str) -> (u16, String, String) + Send + 'static) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream);
            let mut head = String::new();
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((n, v)) = line.split_once(':')
                    && n.eq_ignore_ascii_case("content-length")
                {
                    len = v.trim().parse().unwrap_or(0);
                }
                head.push_str(&line);
            }
            // The request body is read to keep the connection orderly; the answers do not depend on it.
            let mut sent = vec![0u8; len];
            let _ = reader.read_exact(&mut sent);
            let (status, headers, body) = answer(&head);
            let _ = write!(
                reader.get_mut(),
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n{body}",
                body.len()
            );
        }
    });
    url
}

/// Fails if `text` holds any 16 characters in a row of `secret`.
fn assert_no_run(what: &str, text: &str, secret: &str) {
    let chars: Vec<char> = secret.chars().collect();
    for run in chars.windows(16) {
        let run: String = run.iter().collect();
        assert!(
            !text.contains(&run),
            "{what} shows part of a secret ({run}):\n{text}"
        );
    }
}

/// A session token as STS writes them: base64, some KiB long.
fn long_token(len: usize) -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(alphabet[(state % 64) as usize])
        })
        .collect()
}

fn awl_against(url: &str, token: &str, args: &[&str]) -> std::process::Output {
    let vars = [
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_SESSION_TOKEN", token),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", url),
    ];
    common::awl_in(&common::temp_dir("home"), &vars, args, "")
}

#[test]
fn an_expired_token_answer_shows_no_token_in_the_debug_trace() {
    // Issue 22 row 2: S3 names the token it refused in <Token-0>; a server may echo it anywhere else too.
    let token = long_token(400);
    let echo = token.clone();
    let url = serve(move |_| {
        (
            400,
            format!("x-amz-error-detail: token {echo} refused\r\n"),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>ExpiredToken</Code>\
                 <Message>The provided token has expired.</Message><Token-0>{echo}</Token-0>\
                 <Detail>{}</Detail><RequestId>R1</RequestId></Error>",
                echo.replace('/', "%2F")
            ),
        )
    });
    let out = awl_against(&url, &token, &["--debug", "s3", "ls", "s3://bucket"]);
    let err = common::text(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert_no_run("the trace of an ExpiredToken answer", &err, &token);
    assert_no_run(
        "the trace of an ExpiredToken answer",
        &err,
        &token.replace('/', "%2F"),
    );
    assert!(
        err.contains("< 400") && err.contains("<Token-0>***</Token-0>"),
        "{err}"
    );
    assert!(err.contains("ExpiredToken"), "{err}");
}

#[test]
fn a_long_session_token_is_masked_before_the_answer_is_cut() {
    // Row 3: an AssumeRole answer whose 4,500-character session token runs past the 4 KiB shown.
    let token = long_token(4500);
    let answer_token = token.clone();
    let url = serve(move |_| {
        (
            200,
            "Content-Type: text/xml\r\n".into(),
            format!(
                "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>\
                 <AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId>\
                 <Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn></AssumedRoleUser><Credentials>\
                 <AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>{SECRET}</SecretAccessKey>\
                 <SessionToken>{answer_token}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>\
                 </Credentials></AssumeRoleResult><ResponseMetadata><RequestId>R1</RequestId>\
                 </ResponseMetadata></AssumeRoleResponse>"
            ),
        )
    });
    let args = [
        "--debug",
        "sts",
        "assume-role",
        "--role-arn",
        "arn:aws:iam::123456789012:role/r",
        "--role-session-name",
        "s",
    ];
    let out = awl_against(&url, "", &args);
    let err = common::text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_no_run("the trace of an AssumeRole answer", &err, &token);
    assert!(!err.contains(SECRET), "{err}");
    assert!(err.contains("<SessionToken>***</SessionToken>"), "{err}");
}

#[test]
fn an_upload_from_stdin_stays_out_of_the_debug_trace() {
    // Row 4: 9 MB piped into `cp -` (a multipart upload): each body is its length, never its bytes.
    use common::servers::{home_with_moto_keys, moto};
    let m = moto();
    let home = home_with_moto_keys(m);
    let vars = [("AWS_ENDPOINT_URL", m.url.as_str())];
    let bucket = format!("redaction-{}", std::process::id());
    common::ok(&common::awl_in(
        &home,
        &vars,
        &["s3", "mb", &format!("s3://{bucket}")],
        "",
    ));
    let mut data = String::with_capacity(9_000_100);
    let mut n = 0u32;
    while data.len() < 9_000_000 {
        data.push_str(&format!("row {n:08} of the user's private data\n"));
        n += 1;
    }
    let dest = format!("s3://{bucket}/piped");
    let out = common::awl_in(&home, &vars, &["--debug", "s3", "cp", "-", &dest], &data);
    common::ok(&out);
    let err = common::text(&out.stderr);
    assert!(err.len() < 64 << 10, "{} bytes of trace", err.len());
    assert!(!err.contains("private data"), "the trace shows the data");
    for start in (0..data.len() - 32).step_by(4096) {
        assert!(
            !err.contains(&data[start..start + 32]),
            "the trace shows the data at {start}"
        );
    }
    assert!(
        err.contains("> PUT ") && err.contains("bytes of object data, not shown]"),
        "{err}"
    );
}

#[test]
fn traces_mask_secrets_in_every_wrapping() {
    // The trace functions that --debug uses, on secrets in the forms servers and awl write them.
    use awl::transport::endpoint::Endpoint;
    use awl::transport::request::{Body, Request, Response};
    use awl::transport::trace;

    let endpoint = Endpoint::parse("http://127.0.0.1:9000").expect("endpoint");
    let mut req = Request::new(
        "POST",
        &endpoint,
        "/",
        format!(
            "X-Amz-Security-Token={}&x-amz-signature=deadbeefcafe",
            TOKEN.replace('/', "%2F")
        ),
    )
    .header("x-amz-security-token", TOKEN)
    .header("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.bearer")
    .header("x-amz-sso_bearer_token", "aoaAAAAAGssotoken");
    req.body = Body::from_bytes(
        format!(
            "{{\"clientId\": \"c1\", \"clientSecret\": \"eyJraWQiOiJrZXkxclientsecret\", \
             \"deviceCode\": \"devicecode-1234\", \"grantType\": \"x\", \"code\": \"{MFA}\"}}"
        )
        .into_bytes(),
    );
    let mut shown = trace::request(&req);
    let answer = format!(
        "<ns:Credentials><ns:SessionToken xml:space=\"preserve\">{TOKEN}</ns:SessionToken>\
         <SECRETACCESSKEY>{SECRET}</SECRETACCESSKEY></ns:Credentials>\
         {{\"accessToken\" : \"eyJaccess-token-value\", \"refreshToken\":\"Atzr|refresh-token-value\", \
         \"roleCredentials\": {{\"secretAccessKey\": \"{SECRET}\", \"sessionToken\": \"{TOKEN}\"}}}}\
         <CanonicalRequest>GET\n/\n\nhost:h\nx-amz-security-token:{TOKEN}\n</CanonicalRequest>\
         <SignatureProvided>deadbeefcafe</SignatureProvided> echo: eyJhbGciOiJSUzI1NiJ9.bearer"
    );
    let resp = Response {
        status: 403,
        headers: vec![("location".into(), format!("/x?X-Amz-Security-Token={TOKEN}"))],
        body: answer.into_bytes(),
        attempts: 1,
    };
    shown.push_str(&trace::response(&resp, &req));
    for secret in [
        TOKEN,
        SECRET,
        "deadbeefcafe",
        "eyJhbGciOiJSUzI1NiJ9",
        "ssotoken",
        "clientsecret",
        "devicecode-1234",
        "access-token-value",
        "refresh-token-value",
    ] {
        assert!(!shown.contains(secret), "the trace shows {secret}:\n{shown}");
    }
    assert!(
        shown.contains("\"clientId\": \"c1\"") && shown.contains("<CanonicalRequest>GET"),
        "{shown}"
    );
}
