//! TLS to a server with a private CA: a TLS front (tests/support/tls_proxy.py) before moto, with a CA and a
//! server certificate made by openssl for the test. Verified with AWS_CA_BUNDLE or the profile's ca_bundle;
//! refused without them.

mod common;

use common::servers::{moto, venv};
use common::{awl_in, ok, temp_dir, text};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A CA and a server certificate for 127.0.0.1 signed by it: (ca.pem, server.pem, server.key).
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl runs");
        assert!(out.status.success(), "openssl {args:?}: {}", text(&out.stderr));
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=awl test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext");
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    (dir.join("ca.pem"), dir.join("server.pem"), dir.join("server.key"))
}

/// The TLS front, and its HTTPS URL; it stops when the returned child's stdin closes (when the test ends).
fn tls_front(cert: &Path, key: &Path, upstream: u16) -> (Child, String) {
    let mut child = Command::new(venv().join("bin/python"))
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/tls_proxy.py"))
        .arg(cert)
        .arg(key)
        .arg(upstream.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the TLS front starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("its port");
    let port: u16 = line.trim().parse().expect("a port");
    (child, format!("https://127.0.0.1:{port}"))
}

#[test]
fn a_private_ca_is_trusted_only_when_named() {
    let m = moto();
    let dir = temp_dir("tls");
    let (ca, cert, key) = certificates(&dir);
    let (_front, url) = tls_front(&cert, &key, m.addr.port());
    let home = temp_dir("home");
    std::fs::create_dir_all(home.join(".aws")).expect(".aws");
    std::fs::write(
        home.join(".aws/credentials"),
        format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            m.key_id, m.secret
        ),
    )
    .expect("credentials");
    let ca = ca.to_string_lossy().into_owned();

    let out = awl_in(
        &home,
        &[("AWS_ENDPOINT_URL", &url), ("AWS_CA_BUNDLE", &ca)],
        &["sts", "get-caller-identity"],
        "",
    );
    ok(&out);
    assert!(text(&out.stdout).contains("arn:aws:iam::123456789012:user/alice"));

    let out = awl_in(
        &home,
        &[("AWS_ENDPOINT_URL", &url)],
        &["sts", "get-caller-identity"],
        "",
    );
    assert_eq!(out.status.code(), Some(253));
    let err = text(&out.stderr);
    assert!(
        err.starts_with(&format!("awl: error: {url}/: TLS error: ")),
        "{err}"
    );
    assert!(
        !err.contains("attempts"),
        "a certificate error is not retried: {err}"
    );
    assert!(err.contains("hint: for a private CA, set AWS_CA_BUNDLE"), "{err}");

    std::fs::write(home.join(".aws/config"), format!("[default]\nca_bundle = {ca}\n")).expect("config");
    let out = awl_in(
        &home,
        &[("AWS_ENDPOINT_URL", &url)],
        &["sts", "get-caller-identity"],
        "",
    );
    ok(&out);

    let out = awl_in(
        &home,
        &[("AWS_ENDPOINT_URL", &url), ("AWS_CA_BUNDLE", "/nonexistent.pem")],
        &["sts", "get-caller-identity"],
        "",
    );
    assert_eq!(out.status.code(), Some(253));
    assert!(
        text(&out.stderr).starts_with("awl: error: cannot read the CA bundle /nonexistent.pem"),
        "{}",
        text(&out.stderr)
    );
}

/// A self-signed certificate as `openssl req -x509` makes it (basicConstraints CA:TRUE) for `san`, with its key:
/// (cert.pem, key.pem) under `dir` with the prefix `name`.
fn self_signed(dir: &Path, name: &str, san: &str) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join(format!("{name}.pem")), dir.join(format!("{name}.key")));
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=awl self-signed",
        ])
        .arg("-addext")
        .arg(format!("subjectAltName={san}"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    (cert, key)
}

#[test]
fn a_self_signed_certificate_in_the_bundle_is_accepted_for_its_name_as_the_aws_cli_does() {
    let m = moto();
    let dir = temp_dir("tls-self");
    let (cert, key) = self_signed(&dir, "server", "IP:127.0.0.1");
    let (other, _) = self_signed(&dir, "other", "IP:127.0.0.1");
    let (elsewhere, elsewhere_key) = self_signed(&dir, "elsewhere", "DNS:s3.example.net");
    let (_front, url) = tls_front(&cert, &key, m.addr.port());
    let (_front2, url2) = tls_front(&elsewhere, &elsewhere_key, m.addr.port());
    let home = common::servers::home_with_moto_keys(m);
    let run = |url: &str, bundle: &Path| {
        awl_in(
            &home,
            &[
                ("AWS_ENDPOINT_URL", url),
                ("AWS_CA_BUNDLE", &bundle.to_string_lossy()),
            ],
            &["sts", "get-caller-identity"],
            "",
        )
    };
    // Listed: accepted, by awl and by the AWS CLI alike.
    let out = run(&url, &cert);
    ok(&out);
    assert!(text(&out.stdout).contains("arn:aws:iam::123456789012:user/alice"));
    let keys = [
        ("AWS_ACCESS_KEY_ID", m.key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", m.secret.as_str()),
        ("AWS_CA_BUNDLE", &*cert.to_string_lossy()),
    ];
    let cli = common::clean_command(venv().join("bin/aws"), &home, &keys)
        .args([
            "--endpoint-url",
            &url,
            "--region",
            "us-east-1",
            "sts",
            "get-caller-identity",
        ])
        .output()
        .expect("aws runs");
    ok(&cli);
    // Not listed (another self-signed certificate is): refused.
    let out = run(&url, &other);
    assert_eq!(out.status.code(), Some(253), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("TLS error"), "{}", text(&out.stderr));
    // Listed, but for another name than the endpoint's: refused.
    let out = run(&url2, &elsewhere);
    assert_eq!(out.status.code(), Some(253), "{}", text(&out.stderr));
    // A bundle of both still serves the right one.
    let both = dir.join("both.pem");
    let text_of = |p: &Path| std::fs::read_to_string(p).expect("pem");
    std::fs::write(&both, text_of(&other) + &text_of(&cert)).expect("bundle");
    ok(&run(&url, &both));
}
