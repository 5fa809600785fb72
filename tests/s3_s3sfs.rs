//! S3 against s3s-fs, for what moto cannot judge: it checks every body against `x-amz-content-sha256` and
//! serves presigned URLs. Uploads (single and multipart) land intact; presigned URLs for awkward keys work
//! with curl and fail when one byte of the signature changes.

mod common;

use common::servers::{S3sFs, s3s_fs};
use common::{awl_in, data_file, ok, temp_dir, text};
use std::fs;
use std::process::{Command, Output};

fn awl(s: &S3sFs, secret: &str, args: &[&str]) -> Output {
    awl_in(
        &temp_dir("home"),
        &[
            ("AWS_ENDPOINT_URL", s.url.as_str()),
            ("AWS_ACCESS_KEY_ID", s.key_id.as_str()),
            ("AWS_SECRET_ACCESS_KEY", secret),
        ],
        args,
        "",
    )
}

fn curl(url: &str) -> (String, Vec<u8>) {
    let out = Command::new("curl")
        .args(["-s", "--path-as-is", "-w", "\n%{http_code}", url])
        .output()
        .expect("curl runs");
    let mut body = out.stdout;
    let split = body.iter().rposition(|&b| b == b'\n').expect("status line");
    let status = String::from_utf8_lossy(&body[split + 1..]).into_owned();
    body.truncate(split);
    (status, body)
}

#[test]
fn uploads_pass_the_servers_payload_checks_and_round_trip() {
    let s = s3s_fs();
    let dir = temp_dir("s3s");
    ok(&awl(s, &s.secret, &["s3", "mb", "s3://landing"]));
    for (name, len, extra) in [
        ("small.bin", 100_000usize, vec![]),
        (
            "parts.bin",
            13 << 20,
            vec!["--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB"],
        ),
    ] {
        let file = data_file(&dir, name, len);
        let mut args = vec![
            "s3".to_owned(),
            "cp".into(),
            file.to_string_lossy().into_owned(),
            format!("s3://landing/{name}"),
        ];
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&awl(s, &s.secret, &args));
        assert_eq!(
            fs::read(s.root.join("landing").join(name)).ok(),
            fs::read(&file).ok(),
            "{name} as stored"
        );
        let back = dir.join(format!("{name}.back"));
        ok(&awl(
            s,
            &s.secret,
            &[
                "s3",
                "cp",
                &format!("s3://landing/{name}"),
                &back.to_string_lossy(),
            ],
        ));
        assert_eq!(fs::read(&back).ok(), fs::read(&file).ok(), "{name} read back");
    }
    let out = awl(s, "not-the-secret", &["s3", "ls"]);
    assert_eq!(out.status.code(), Some(254));
    assert!(
        text(&out.stderr).contains("SignatureDoesNotMatch"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn presigned_urls_work_for_awkward_keys_and_not_when_altered() {
    let s = s3s_fs();
    let dir = temp_dir("presign");
    let file = data_file(&dir, "f.txt", 1234);
    ok(&awl(s, &s.secret, &["s3", "mb", "s3://presigned"]));
    for key in [
        "a b/c+d.txt",
        "ünï/cødé ☃.txt",
        "100% sure",
        "x/../y/./z",
        "dir//double",
        "tilde~and=eq&amp",
    ] {
        ok(&awl(
            s,
            &s.secret,
            &[
                "s3",
                "cp",
                &file.to_string_lossy(),
                &format!("s3://presigned/{key}"),
            ],
        ));
        let out = awl(
            s,
            &s.secret,
            &[
                "s3",
                "presign",
                &format!("s3://presigned/{key}"),
                "--expires-in",
                "600",
            ],
        );
        ok(&out);
        let url = text(&out.stdout).trim().to_owned();
        assert!(url.contains("X-Amz-Expires=600"), "{url}");
        let (status, body) = curl(&url);
        assert_eq!(status, "200", "{key}: {url}: {}", String::from_utf8_lossy(&body));
        assert_eq!(Some(body), fs::read(&file).ok(), "{key}");
        // One byte of the signature changed.
        let i = url.rfind("X-Amz-Signature=").expect("signature") + "X-Amz-Signature=".len();
        let mut altered = url.clone();
        let c = if &url[i..=i] == "0" { "1" } else { "0" };
        altered.replace_range(i..=i, c);
        let (status, _) = curl(&altered);
        assert_eq!(status, "403", "{key}: an altered signature is refused");
    }
    let out = awl(
        s,
        &s.secret,
        &["s3", "presign", "s3://presigned/k", "--expires-in", "604801"],
    );
    assert_eq!(out.status.code(), Some(252));
}
