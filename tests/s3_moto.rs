//! S3 against moto with signature checking on: the scenario end to end with the MFA role, LocationConstraint,
//! multipart uploads (parallel parts, flat memory, abort on SIGINT), downloads, listings, odd keys, the
//! wrong-region retry and the error answers. What landed is checked with the AWS CLI.

mod common;

use common::servers::{Moto, Proxy, home_with_moto_keys, moto, venv};
use common::{awl_command, awl_in, clean_command, data_file, ok, temp_dir, text};
use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const CODE: &str = "123456";

/// Creates a bucket in ap-southeast-2 with the AWS CLI.
fn aws_mb(m: &Moto, bucket: &str) {
    ok(&aws(
        m,
        &[
            "s3api",
            "create-bucket",
            "--bucket",
            bucket,
            "--create-bucket-configuration",
            "LocationConstraint=ap-southeast-2",
        ],
    ));
}

fn awl(home: &Path, endpoint: &str, args: &[&str]) -> Output {
    awl_in(home, &[("AWS_ENDPOINT_URL", endpoint)], args, "")
}

/// The AWS CLI with alice's keys (account 123456789012), for checking what landed.
fn aws(m: &Moto, args: &[&str]) -> Output {
    let keys = [
        ("AWS_ACCESS_KEY_ID", m.key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", m.secret.as_str()),
    ];
    clean_command(venv().join("bin/aws"), &temp_dir("aws-home"), &keys)
        .args(["--endpoint-url", &m.url, "--region", "ap-southeast-2"])
        .args(args)
        .output()
        .expect("aws runs")
}

fn unique(name: &str) -> String {
    format!(
        "{name}-{}-{}",
        std::process::id(),
        temp_dir("n")
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "")
    )
    .to_ascii_lowercase()
    .chars()
    .take(60)
    .collect()
}

#[test]
fn the_scenario_end_to_end_with_the_mfa_role() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let proxy = Proxy::start(m.addr);
    let bucket = "mysuperduperbucket";
    // ls first, with the MFA code; then everything from the cache.
    let out = awl(
        &home,
        &proxy.url,
        &["--profile", "profile2", "--mfa-code", CODE, "s3", "ls"],
    );
    ok(&out);
    let out = awl(
        &home,
        &proxy.url,
        &["--profile", "profile2", "s3", "mb", &format!("s3://{bucket}")],
    );
    ok(&out);
    assert_eq!(text(&out.stdout), format!("make_bucket: {bucket}\n"));
    let create = proxy
        .requests()
        .into_iter()
        .find(|r| r.head.starts_with(&format!("PUT /{bucket}/ ")))
        .expect("CreateBucket");
    assert!(
        create
            .body_text()
            .contains("<LocationConstraint>ap-southeast-2</LocationConstraint>"),
        "{}",
        create.body_text()
    );
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/scenario/samplefile.txt");
    let out = awl(
        &home,
        &proxy.url,
        &[
            "--profile",
            "profile2",
            "s3",
            "cp",
            &sample.to_string_lossy(),
            &format!("s3://{bucket}/book.txt"),
        ],
    );
    ok(&out);
    assert_eq!(
        text(&out.stdout),
        // Local paths are printed relative to the working folder (the crate's, under cargo test), as the AWS CLI does.
        format!("upload: testdata/scenario/samplefile.txt to s3://{bucket}/book.txt\n")
    );
    let out = awl(&home, &proxy.url, &["--profile", "profile2", "s3", "ls"]);
    ok(&out);
    assert!(
        text(&out.stdout).ends_with(&format!(" {bucket}\n")),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        proxy
            .requests()
            .iter()
            .filter(|r| r.body_text().contains("Action=AssumeRole"))
            .count(),
        1,
        "one MFA prompt for all four commands"
    );

    read_back(m, &home, bucket, &sample);
}

/// The scenario's object read back by the role: through the AWS CLI (which uses the same cache), and by awl
/// into a file and to stdout.
fn read_back(m: &Moto, home: &Path, bucket: &str, sample: &Path) {
    // Read back by the role (through the AWS CLI, which uses the same cache) and by awl.
    let dir = temp_dir("readback");
    let got = dir.join("book.txt");
    let cli = clean_command(venv().join("bin/aws"), home, &[])
        .args([
            "--endpoint-url",
            &m.url,
            "--profile",
            "profile2",
            "s3api",
            "get-object",
            "--bucket",
            bucket,
            "--key",
            "book.txt",
        ])
        .arg(&got)
        .output()
        .expect("aws runs");
    ok(&cli);
    assert_eq!(fs::read(&got).ok(), fs::read(sample).ok());
    let head = awl::codec::json::parse(&text(&cli.stdout)).expect("get-object JSON");
    assert_eq!(
        head.get("ContentType").and_then(|v| v.as_str()),
        Some("text/plain")
    );
    let again = dir.join("again.txt");
    ok(&awl(
        home,
        &m.url,
        &[
            "--profile",
            "profile2",
            "s3",
            "cp",
            &format!("s3://{bucket}/book.txt"),
            &again.to_string_lossy(),
        ],
    ));
    assert_eq!(fs::read(&again).ok(), fs::read(sample).ok());
    let out = awl(
        home,
        &m.url,
        &[
            "--profile",
            "profile2",
            "s3",
            "cp",
            &format!("s3://{bucket}/book.txt"),
            "-",
        ],
    );
    ok(&out);
    assert_eq!(Some(out.stdout), fs::read(sample).ok());
}

#[test]
fn mb_in_us_east_1_sends_no_location_constraint_and_reports_owned_buckets() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let proxy = Proxy::start(m.addr);
    let bucket = unique("east");
    let url = format!("s3://{bucket}");
    ok(&awl(
        &home,
        &proxy.url,
        &["--region", "us-east-1", "s3", "mb", &url],
    ));
    let create = proxy
        .requests()
        .into_iter()
        .find(|r| r.head.starts_with(&format!("PUT /{bucket}/ ")))
        .expect("CreateBucket");
    assert!(create.body.is_empty(), "{}", create.body_text());
    // Outside us-east-1, an owned bucket is an error, or accepted with --exists-ok.
    let west = unique("west");
    ok(&awl(&home, &m.url, &["s3", "mb", &format!("s3://{west}")]));
    let out = awl(&home, &m.url, &["s3", "mb", &format!("s3://{west}")]);
    assert_eq!(out.status.code(), Some(1), "make_bucket failed, as the AWS CLI");
    let theirs = aws(m, &["s3", "mb", &format!("s3://{west}")]);
    assert_eq!(theirs.status.code(), Some(1), "{}", text(&theirs.stderr));
    assert!(
        text(&out.stderr).contains("you already own it"),
        "{}",
        text(&out.stderr)
    );
    let out = awl(
        &home,
        &m.url,
        &["s3", "mb", &format!("s3://{west}"), "--exists-ok"],
    );
    ok(&out);
}

#[test]
fn uploads_of_zero_one_and_two_hundred_mebibytes() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let bucket = unique("sizes");
    aws_mb(m, &bucket);
    let dir = temp_dir("sizes");
    let proxy = Proxy::start(m.addr);
    for (name, len) in [
        ("empty.bin", 0usize),
        ("one.bin", 1 << 20),
        ("big.bin", 200 << 20),
    ] {
        let file = data_file(&dir, name, len);
        let start = Instant::now();
        let out = clean_command("/usr/bin/time", &home, &[("AWS_ENDPOINT_URL", &proxy.url)])
            .arg("-v")
            .arg(env!("CARGO_BIN_EXE_awl"))
            .args([
                "s3",
                "cp",
                &file.to_string_lossy(),
                &format!("s3://{bucket}/{name}"),
            ])
            .output()
            .expect("awl runs");
        ok(&out);
        let rss_kb: u64 = text(&out.stderr)
            .lines()
            .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes): "))
            .and_then(|v| v.trim().parse().ok())
            .expect("time -v reports the peak RSS");
        println!(
            "{name}: {len} bytes in {:?}, peak RSS {} KiB",
            start.elapsed(),
            rss_kb
        );
        assert!(rss_kb < 64 * 1024, "{name}: peak RSS {rss_kb} KiB");
        let back = dir.join(format!("{name}.back"));
        ok(&aws(
            m,
            &[
                "s3api",
                "get-object",
                "--bucket",
                &bucket,
                "--key",
                name,
                &back.to_string_lossy(),
            ],
        ));
        assert!(
            fs::read(&back).ok() == fs::read(&file).ok(),
            "{name} landed byte-identical"
        );
    }
    let parts = proxy
        .requests()
        .iter()
        .filter(|r| r.head.contains("partNumber="))
        .count();
    assert_eq!(parts, 25, "200 MiB in 8 MiB parts");
    assert!(proxy.max_in_flight() > 1, "parts went up in parallel");
    assert_eq!(
        proxy
            .requests()
            .iter()
            .filter(|r| r.head.contains("?uploads="))
            .count(),
        1,
        "only the big file went multipart"
    );
}

#[test]
fn an_upload_interrupted_with_sigint_leaves_nothing_behind() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let bucket = unique("sigint");
    aws_mb(m, &bucket);
    let dir = temp_dir("sigint");
    let file = data_file(&dir, "big.bin", 80 << 20);
    let proxy = Proxy::start(m.addr);
    // A slow link for parts, so the upload is surely in progress when the signal comes.
    proxy.slow("partNumber=", Duration::from_millis(300));
    let child = awl_command(&home, &[("AWS_ENDPOINT_URL", &proxy.url)])
        .args([
            "s3",
            "cp",
            &file.to_string_lossy(),
            &format!("s3://{bucket}/big.bin"),
            "--max-concurrency",
            "2",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("awl runs");
    let start = Instant::now();
    while !proxy.requests().iter().any(|r| r.head.contains("partNumber=")) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the upload never started its parts"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());
    let out = child.wait_with_output().expect("awl exits");
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("interrupted"), "{}", text(&out.stderr));
    assert!(
        proxy
            .requests()
            .iter()
            .any(|r| r.head.starts_with("DELETE ") && r.head.contains("uploadId=")),
        "aborted"
    );
    let uploads = aws(m, &["s3api", "list-multipart-uploads", "--bucket", &bucket]);
    ok(&uploads);
    assert!(
        !text(&uploads.stdout).contains("UploadId"),
        "no upload in progress: {}",
        text(&uploads.stdout)
    );
    let head = aws(
        m,
        &["s3api", "head-object", "--bucket", &bucket, "--key", "big.bin"],
    );
    assert_ne!(head.status.code(), Some(0), "no object");
}

#[test]
fn keys_with_spaces_plus_unicode_percent_and_dots_round_trip() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let bucket = unique("keys");
    aws_mb(m, &bucket);
    let dir = temp_dir("keys");
    let file = data_file(&dir, "k.bin", 1000);
    let keys = [
        "a b/c+d.txt",
        "ünï/cødé ☃.txt",
        "100% sure",
        "x/../y/./z",
        "dir//double",
        "plus+and=eq&amp",
    ];
    for key in keys {
        ok(&awl(
            &home,
            &m.url,
            &[
                "s3",
                "cp",
                &file.to_string_lossy(),
                &format!("s3://{bucket}/{key}"),
            ],
        ));
    }
    let listed = aws(m, &["s3api", "list-objects-v2", "--bucket", &bucket]);
    ok(&listed);
    let v = awl::codec::json::parse(&text(&listed.stdout)).expect("JSON");
    let mut got: Vec<&str> = v
        .get("Contents")
        .and_then(|c| c.as_array())
        .expect("contents")
        .iter()
        .filter_map(|o| o.get("Key").and_then(|k| k.as_str()))
        .collect();
    got.sort_unstable();
    let mut want = keys.to_vec();
    want.sort_unstable();
    assert_eq!(got, want, "the keys exactly as given");
    for key in keys {
        let back = dir.join("back");
        ok(&awl(
            &home,
            &m.url,
            &[
                "s3",
                "cp",
                &format!("s3://{bucket}/{key}"),
                &back.to_string_lossy(),
            ],
        ));
        assert_eq!(fs::read(&back).ok(), fs::read(&file).ok(), "{key}");
    }
    let out = awl(&home, &m.url, &["s3", "ls", &format!("s3://{bucket}/ünï/")]);
    ok(&out);
    assert!(
        text(&out.stdout).ends_with("       1000 cødé ☃.txt\n"),
        "{}",
        text(&out.stdout)
    );
    let out = awl(&home, &m.url, &["s3", "ls", &format!("s3://{bucket}")]);
    assert!(
        text(&out.stdout).contains("PRE ünï/") && text(&out.stdout).contains("PRE x/"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_wrong_region_answer_is_retried_once_in_the_buckets_region() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let bucket = unique("region");
    aws_mb(m, &bucket);
    let proxy = Proxy::start(m.addr);
    // The first listing is answered as S3 answers a request signed for the wrong region.
    proxy.answer_times(
        "list-type=2",
        301,
        &format!("<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message><Bucket>{bucket}</Bucket></Error>"),
        "x-amz-bucket-region: eu-central-1\r\n",
        1,
    );
    let out = awl(&home, &proxy.url, &["s3", "ls", &format!("s3://{bucket}")]);
    ok(&out);
    let lists: Vec<_> = proxy
        .requests()
        .into_iter()
        .filter(|r| r.head.contains("list-type=2"))
        .collect();
    assert_eq!(lists.len(), 2);
    assert!(lists[0].head.contains("/ap-southeast-2/s3/aws4_request"));
    assert!(
        lists[1].head.contains("/eu-central-1/s3/aws4_request"),
        "{}",
        lists[1].head
    );
    // Within one run, a redirect is remembered: the parts of an upload, which are never redirected, go to the
    // region that CreateMultipartUpload's redirect named, and so does the completion.
    let dir = temp_dir("region");
    let file = data_file(&dir, "big.bin", 11 << 20);
    proxy.answer_times(
        "?uploads=",
        301,
        &format!(
            "<Error><Code>PermanentRedirect</Code><Message>m</Message><Bucket>{bucket}</Bucket></Error>"
        ),
        "x-amz-bucket-region: eu-central-1\r\n",
        1,
    );
    ok(&awl(
        &home,
        &proxy.url,
        &[
            "s3",
            "cp",
            &file.to_string_lossy(),
            &format!("s3://{bucket}/big.bin"),
        ],
    ));
    let after: Vec<_> = proxy
        .requests()
        .into_iter()
        .filter(|r| r.head.contains("uploadId="))
        .collect();
    assert!(after.len() >= 3, "two parts and the completion");
    for r in &after {
        assert!(r.head.contains("/eu-central-1/s3/aws4_request"), "{}", r.head);
    }
}

#[test]
fn errors_are_one_line_with_the_service_code() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let out = awl(&home, &m.url, &["s3", "ls", "s3://no-such-bucket-here"]);
    assert_eq!(out.status.code(), Some(254));
    assert!(
        text(&out.stderr)
            .starts_with("awl: error: ListObjectsV2 s3://no-such-bucket-here/: S3 NoSuchBucket (HTTP 404)"),
        "{}",
        text(&out.stderr)
    );
    let dir = temp_dir("err");
    let file = data_file(&dir, "f.bin", 10);
    let out = awl(
        &home,
        &m.url,
        &["s3", "cp", &file.to_string_lossy(), "s3://no-such-bucket-here/k"],
    );
    assert_eq!(out.status.code(), Some(1), "a failed transfer exits 1");
    assert!(
        text(&out.stderr).starts_with("awl: error: upload failed: "),
        "{}",
        text(&out.stderr)
    );
    let out = awl(
        &home,
        &m.url,
        &[
            "s3",
            "cp",
            "s3://no-such-bucket-here/k",
            &dir.join("x").to_string_lossy(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.join("x").exists(), "no file under the final name");
    assert_eq!(
        fs::read_dir(&dir).map(Iterator::count).ok(),
        Some(1),
        "and no temporary one"
    );
    let out = awl(&home, &m.url, &["s3", "cp", "nowhere.txt", "s3://b/k"]);
    assert_eq!(out.status.code(), Some(252));
}

#[test]
fn list_buckets_follows_continuation_tokens() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let proxy = Proxy::start(m.addr);
    // moto never paginates; the proxy answers the first page as S3 does when there are more.
    proxy.answer_times(
        "max-buckets=",
        200,
        "<ListAllMyBucketsResult><Buckets><Bucket><Name>page-one-bucket</Name>\
         <CreationDate>2026-01-02T03:04:05.000Z</CreationDate></Bucket></Buckets>\
         <ContinuationToken>next/page+token=</ContinuationToken></ListAllMyBucketsResult>",
        "",
        1,
    );
    let out = awl(&home, &proxy.url, &["s3", "ls"]);
    ok(&out);
    assert!(
        text(&out.stdout).starts_with("2026-01-02 03:04:05 page-one-bucket\n"),
        "{}",
        text(&out.stdout)
    );
    let lists: Vec<_> = proxy
        .requests()
        .into_iter()
        .filter(|r| r.head.contains("max-buckets="))
        .collect();
    assert_eq!(lists.len(), 2);
    assert!(
        lists[1]
            .head
            .contains("continuation-token=next%2Fpage%2Btoken%3D"),
        "{}",
        lists[1].head
    );
}

#[test]
fn a_download_whose_checksum_does_not_match_leaves_no_file() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let proxy = Proxy::start(m.addr);
    proxy.answer_times(
        "GET /some-bucket/k.txt",
        200,
        "hello",
        "x-amz-checksum-sha256: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n",
        1,
    );
    let dir = temp_dir("checksum");
    let dest = dir.join("k.txt");
    let out = awl(
        &home,
        &proxy.url,
        &["s3", "cp", "s3://some-bucket/k.txt", &dest.to_string_lossy()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("does not match the SHA256 S3 stores"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        fs::read_dir(&dir).map(Iterator::count).ok(),
        Some(0),
        "nothing left behind"
    );
}

#[test]
fn debug_traces_of_the_whole_scenario_hold_no_secret() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let bucket = unique("debug");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/scenario/samplefile.txt");
    let dir = temp_dir("debug");
    let back = dir.join("back.txt");
    let runs: Vec<Vec<String>> = vec![
        vec!["--mfa-code".into(), CODE.into(), "s3".into(), "ls".into()],
        vec!["s3".into(), "mb".into(), format!("s3://{bucket}")],
        vec![
            "s3".into(),
            "cp".into(),
            sample.to_string_lossy().into_owned(),
            format!("s3://{bucket}/book.txt"),
        ],
        vec!["s3".into(), "ls".into(), format!("s3://{bucket}")],
        vec![
            "s3".into(),
            "cp".into(),
            format!("s3://{bucket}/book.txt"),
            back.to_string_lossy().into_owned(),
        ],
        vec!["sts".into(), "get-caller-identity".into()],
    ];
    let mut all = String::new();
    for args in &runs {
        let mut full = vec!["--debug", "--profile", "profile2"];
        full.extend(args.iter().map(String::as_str));
        let out = awl(&home, &m.url, &full);
        ok(&out);
        all.push_str(&text(&out.stdout));
        all.push_str(&text(&out.stderr));
    }
    assert!(
        all.contains("> PUT") && all.contains("Signature=***"),
        "the traces are there"
    );
    let entry = fs::read_to_string(home.join(".aws/cli/cache/f7cd9dfa46df1e7a80e0e0baacc1b2cdcc3b1df7.json"))
        .expect("cache");
    let role = awl::providers::cache::parse_entry(&entry).expect("entry");
    let token = role.session_token.as_ref().expect("token").expose().to_owned();
    for (what, secret) in [
        ("alice's secret key", m.secret.as_str()),
        ("the role's secret key", role.secret_access_key.expose()),
        ("the role's session token", token.as_str()),
        ("the MFA code", CODE),
    ] {
        assert!(!all.contains(secret), "{what} appears in the output");
    }
}

#[test]
fn a_progress_line_on_a_terminal_and_none_when_piped() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let bucket = unique("progress");
    aws_mb(m, &bucket);
    let dir = temp_dir("progress");
    let file = data_file(&dir, "p.bin", 20 << 20);
    let out = awl(
        &home,
        &m.url,
        &[
            "s3",
            "cp",
            &file.to_string_lossy(),
            &format!("s3://{bucket}/p.bin"),
        ],
    );
    ok(&out);
    assert!(
        !text(&out.stderr).contains("Completed"),
        "no progress when piped: {}",
        text(&out.stderr)
    );
    // Under `script`, stderr is a terminal.
    let awl_bin = env!("CARGO_BIN_EXE_awl");
    let cmds = format!(
        "{awl_bin} s3 cp {} s3://{bucket}/p2.bin && {awl_bin} s3 cp s3://{bucket}/p2.bin {}",
        file.display(),
        dir.join("back.bin").display()
    );
    let out = clean_command("script", &home, &[("AWS_ENDPOINT_URL", &m.url)])
        .args(["-qec", &cmds, "/dev/null"])
        .output()
        .expect("script runs");
    ok(&out);
    let screen = text(&out.stdout);
    assert!(
        screen.contains("Completed 20.0 MiB of 20.0 MiB"),
        "upload progress: {screen}"
    );
    // A download's size is not known in advance: "Completed N MiB (rate)", without "of".
    assert!(
        screen
            .split(['\r', '\n'])
            .any(|l| l.starts_with("Completed ") && !l.contains(" of ") && l.contains("/s)")),
        "download progress: {screen}"
    );
    assert_eq!(fs::read(dir.join("back.bin")).ok(), fs::read(&file).ok());
}

/// `s3 ls` of a prefix that matches nothing exits 1, as the AWS CLI does (`if aws s3 ls s3://b/key; then` is a
/// common existence check); a whole bucket that is empty, or a prefix that matches, exits 0. Both tools, the
/// same buckets.
#[test]
fn ls_of_a_prefix_with_no_match_exits_1_as_the_aws_cli() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let bucket = unique("lsexit");
    aws_mb(m, &bucket);
    let dir = temp_dir("lsexit");
    let file = data_file(&dir, "x.txt", 3);
    ok(&awl(
        &home,
        &m.url,
        &[
            "s3",
            "cp",
            &file.to_string_lossy(),
            &format!("s3://{bucket}/d/x.txt"),
        ],
    ));
    let empty = unique("lsempty");
    aws_mb(m, &empty);
    for (url, recursive, code) in [
        (format!("s3://{bucket}/missing"), false, 1),
        (format!("s3://{bucket}/d/nothing"), true, 1),
        (format!("s3://{bucket}/d/"), false, 0),
        (format!("s3://{bucket}/d/x.txt"), false, 0),
        (format!("s3://{empty}"), false, 0),
    ] {
        let mut args = vec!["s3", "ls", url.as_str()];
        if recursive {
            args.push("--recursive");
        }
        let mine = awl(&home, &m.url, &args);
        let theirs = aws(m, &args);
        assert_eq!(
            mine.status.code(),
            Some(code),
            "awl {args:?}: {}",
            text(&mine.stderr)
        );
        assert_eq!(
            theirs.status.code(),
            Some(code),
            "aws {args:?}: {}",
            text(&theirs.stderr)
        );
        assert_eq!(text(&mine.stderr), "", "{args:?}");
    }
}

/// The AWS CLI's global flags that mean nothing here are accepted wherever they stand (`--no-cli-pager`,
/// `--no-paginate`, `--color`), and `s3 ls --page-size N` asks N keys a page: three objects, three pages.
#[test]
fn the_aws_clis_flags_are_accepted_and_page_size_sets_max_keys() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let bucket = unique("pagesize");
    aws_mb(m, &bucket);
    let dir = temp_dir("pagesize");
    for name in ["a", "b", "c"] {
        let file = data_file(&dir, name, 3);
        ok(&awl(
            &home,
            &m.url,
            &[
                "s3",
                "cp",
                &file.to_string_lossy(),
                &format!("s3://{bucket}/{name}"),
            ],
        ));
    }
    let proxy = Proxy::start(m.addr);
    let out = awl(
        &home,
        &proxy.url,
        &[
            "--no-cli-pager",
            "s3",
            "ls",
            &format!("s3://{bucket}"),
            "--page-size",
            "1",
            "--no-paginate",
            "--color",
            "off",
        ],
    );
    ok(&out);
    assert_eq!(text(&out.stdout).lines().count(), 3, "{}", text(&out.stdout));
    let lists: Vec<_> = proxy
        .requests()
        .into_iter()
        .filter(|r| r.head.contains("list-type=2"))
        .collect();
    assert_eq!(lists.len(), 3);
    assert!(lists.iter().all(|r| r.head.contains("max-keys=1")));
}
