//! Downloads in parallel pieces, checked against what the server stores: a GiB from s3s-fs with several GETs in
//! flight and memory bounded; multipart objects from awl and the AWS CLI verified part by part on moto (which
//! answers a part GET with the whole object, so awl falls back to ranges of the same parts); a byte flipped
//! on the way (by a proxy in front of the real server) refused with the part named and no file left; the
//! checksum switches of the AWS tools.

mod common;

#[path = "support/day.rs"]
mod day;

use common::servers::{Action, Moto, Proxy, S3sFs, home_with_moto_keys, moto, s3s_fs, venv};
use common::{data_file, temp_dir, text};
use day::{awl_at, awl_cmd, aws_at, done, new_bucket, temporaries};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A file of `mib` MiB of pseudo-random bytes, written a MiB at a time.
fn big_file(dir: &Path, name: &str, mib: usize) -> PathBuf {
    let path = dir.join(name);
    let mut f = std::io::BufWriter::new(fs::File::create(&path).expect("create"));
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut chunk = vec![0u8; 1 << 20];
    for _ in 0..mib {
        for w in chunk.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            w.copy_from_slice(&state.to_le_bytes());
        }
        f.write_all(&chunk).expect("write");
    }
    f.flush().expect("flush");
    path
}

fn same_files(a: &Path, b: &Path) -> bool {
    std::process::Command::new("cmp")
        .args(["-s"])
        .arg(a)
        .arg(b)
        .status()
        .is_ok_and(|s| s.success())
}

fn s3s_home(s: &S3sFs) -> PathBuf {
    let home = temp_dir("home");
    fs::create_dir_all(home.join(".aws")).expect("aws dir");
    fs::write(
        home.join(".aws/credentials"),
        format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            s.key_id, s.secret
        ),
    )
    .expect("credentials");
    fs::write(home.join(".aws/config"), "[default]\nregion = us-east-1\n").expect("config");
    home
}

/// Runs awl under Python's `resource` to learn its peak RSS in KiB.
fn awl_with_peak_rss(home: &Path, url: &str, args: &[&str]) -> (Output, u64) {
    let script = "import resource, subprocess, sys\n\
                  r = subprocess.run(sys.argv[1:])\n\
                  print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n\
                  sys.exit(r.returncode)";
    // awl's own clean environment, around Python.
    let awl = awl_cmd(home, url, home);
    let mut py = std::process::Command::new(venv().join("bin/python"));
    py.env_clear()
        .envs(
            awl.get_envs()
                .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))),
        )
        .current_dir(home)
        .args(["-c", script, env!("CARGO_BIN_EXE_awl")])
        .args(args);
    let out = py.output().expect("python runs");
    let err = text(&out.stderr);
    let rss = err
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .expect("peak RSS line");
    (out, rss)
}

#[test]
fn a_gibibyte_comes_in_parallel_pieces_with_memory_bounded() {
    let s = s3s_fs();
    let home = s3s_home(s);
    let dir = temp_dir("gib");
    let file = big_file(&dir, "one.gib", 1024);
    done("mb", &awl_at(&home, &s.url, &dir, &["s3", "mb", "s3://gib"]));
    done(
        "up",
        &awl_at(&home, &s.url, &dir, &["s3", "cp", "one.gib", "s3://gib/one.gib"]),
    );
    let proxy = Proxy::start(s.addr);
    let back = dir.join("back.gib");
    let (out, rss_kib) = awl_with_peak_rss(
        &home,
        &proxy.url,
        &["s3", "cp", "s3://gib/one.gib", &back.to_string_lossy()],
    );
    done("down", &out);
    assert!(same_files(&file, &back), "byte-identical");
    let gets = proxy
        .requests()
        .iter()
        .filter(|r| r.head.starts_with("GET /gib/one.gib"))
        .count();
    assert!(gets >= 128, "{gets} GETs of 8 MiB pieces");
    assert!(
        proxy.max_in_flight() >= 4,
        "{} GETs in flight at most",
        proxy.max_in_flight()
    );
    assert!(rss_kib < 64 * 1024, "peak RSS {rss_kib} KiB");
    assert_eq!(temporaries(&dir), Vec::<String>::new());
    let _ = fs::remove_dir_all(&dir);
    let _ = fs::remove_dir_all(s.root.join("gib"));
}

/// Downloads `key` through `proxy` into `dir/name`.
fn down(home: &Path, proxy: &Proxy, dir: &Path, bucket: &str, key: &str, name: &str) -> Output {
    awl_at(
        home,
        &proxy.url,
        dir,
        &["s3", "cp", &format!("s3://{bucket}/{key}"), name],
    )
}

/// moto with a fresh bucket and folder, and a file of `len` bytes there that awl uploaded as `key`.
struct Uploaded {
    m: &'static Moto,
    home: PathBuf,
    bucket: String,
    dir: PathBuf,
    file: PathBuf,
}

fn uploaded_to_moto(tag: &str, len: usize, key: &str) -> Uploaded {
    let m = moto();
    let home = home_with_moto_keys(m);
    let bucket = new_bucket(&home, m, tag);
    let dir = temp_dir(tag);
    let file = data_file(&dir, "data.bin", len);
    done(
        "up",
        &awl_at(
            &home,
            &m.url,
            &dir,
            &["s3", "cp", "data.bin", &format!("s3://{bucket}/{key}")],
        ),
    );
    Uploaded {
        m,
        home,
        bucket,
        dir,
        file,
    }
}

#[test]
fn multipart_objects_from_awl_and_the_aws_cli_are_checked_part_by_part() {
    let Uploaded {
        m,
        home,
        bucket,
        dir,
        file,
    } = uploaded_to_moto("parts", 20_000_000, "by-awl");
    // The AWS CLI sends CRC32s of its parts (when_supported), so moto stores a COMPOSITE CRC32.
    done(
        "aws up",
        &aws_at(
            &home,
            m,
            &dir,
            &["s3", "cp", "data.bin", &format!("s3://{bucket}/by-aws")],
        ),
    );
    for key in ["by-awl", "by-aws"] {
        let proxy = Proxy::start(m.addr);
        done(key, &down(&home, &proxy, &dir, &bucket, key, key));
        assert!(same_files(&file, &dir.join(key)), "{key} byte-identical");
        let heads: Vec<String> = proxy.requests().iter().map(|r| r.head.clone()).collect();
        assert!(
            heads
                .iter()
                .any(|h| h.starts_with(&format!("HEAD /{bucket}/{key}?partNumber=1 ")))
        );
        // moto answers a part GET with the whole object: the same parts come as ranges.
        for range in [
            "bytes=0-8388607",
            "bytes=8388608-16777215",
            "bytes=16777216-19999999",
        ] {
            assert!(
                heads.iter().any(|h| h.contains(range)),
                "{key}: {range} in {heads:#?}"
            );
        }

        // The last byte of part 2 flipped on the way: refused, the part named, nothing left behind.
        let proxy = Proxy::start(m.addr);
        proxy.rule("bytes=8388608-16777215", Action::Flip, usize::MAX);
        let out = down(&home, &proxy, &dir, &bucket, key, &format!("{key}.flipped"));
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("part 2 (bytes 8388608-16777215) does not match the"),
            "{err}"
        );
        assert_eq!(
            err.lines().filter(|l| l.starts_with("awl: error")).count(),
            1,
            "{err}"
        );
        assert!(!dir.join(format!("{key}.flipped")).exists());
        assert_eq!(temporaries(&dir), Vec::<String>::new());
    }
}

#[test]
fn standard_output_gets_pieces_fetched_ahead_in_order_and_checked() {
    let Uploaded {
        m,
        home,
        bucket,
        dir,
        file,
    } = uploaded_to_moto("stdout", 20_000_000, "o");
    let url = format!("s3://{bucket}/o");
    let proxy = Proxy::start(m.addr);
    let out = awl_at(&home, &proxy.url, &dir, &["s3", "cp", &url, "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        out.stdout == fs::read(&file).expect("read"),
        "stdout is the object, in order"
    );
    let ranges = proxy
        .requests()
        .iter()
        .filter(|r| r.head.contains("range: bytes="))
        .count();
    assert_eq!(ranges, 3, "the three parts, as ranges (moto)");
    // A flipped byte is found once all is written: exit 1, and the message says what was written is wrong.
    let proxy = Proxy::start(m.addr);
    proxy.rule("bytes=8388608-16777215", Action::Flip, usize::MAX);
    let out = awl_at(&home, &proxy.url, &dir, &["s3", "cp", &url, "-"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("does not match the SHA256 S3 stores"), "{err}");
    assert!(err.contains("what was written is not the object"), "{err}");
}

#[test]
fn every_algorithm_is_verified_and_a_flipped_byte_refused() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let bucket = new_bucket(&home, m, "algos");
    let dir = temp_dir("algos");
    let file = data_file(&dir, "twelve.bin", 12 << 20);
    // (how it goes up, what a flipped byte must be refused as)
    let cases: [(&str, &[&str], &str); 5] = [
        // FULL_OBJECT (moto's HEAD does not say so): the CRCs of the parts combined; the part is named by its
        // ETag, the MD5 of its bytes.
        (
            "crc64nvme",
            &["--checksum-algorithm", "CRC64NVME"],
            "part 2 (bytes 8388608-12582911) does not match the CRC64NVME",
        ),
        (
            "crc32c",
            &["--checksum-algorithm", "CRC32C"],
            "part 2 (bytes 8388608-12582911) does not match the CRC32C",
        ),
        (
            "sha1",
            &["--checksum-algorithm", "SHA1"],
            "part 2 (bytes 8388608-12582911) does not match the SHA1",
        ),
        // One PUT: the SHA-256 of the whole object, fetched in two ranges and hashed in order.
        (
            "single",
            &["--multipart-threshold", "64MiB"],
            "the object does not match the SHA256",
        ),
        // One PUT with no checksum stored: the ETag is the MD5.
        (
            "md5",
            &["--multipart-threshold", "64MiB"],
            "the object does not match the MD5 (its ETag)",
        ),
    ];
    for (key, flags, refusal) in cases {
        let mut args = vec!["s3", "cp", "twelve.bin"];
        let url = format!("s3://{bucket}/{key}");
        args.push(&url);
        args.extend_from_slice(flags);
        let mut up = awl_cmd(&home, &m.url, &dir);
        if key == "md5" {
            up.env("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required");
        }
        done(key, &up.args(&args).output().expect("awl runs"));
        let proxy = Proxy::start(m.addr);
        done(key, &down(&home, &proxy, &dir, &bucket, key, key));
        assert!(same_files(&file, &dir.join(key)), "{key} byte-identical");
        let proxy = Proxy::start(m.addr);
        proxy.rule("bytes=8388608-12582911", Action::Flip, usize::MAX);
        let out = down(&home, &proxy, &dir, &bucket, key, "flipped");
        assert_eq!(out.status.code(), Some(1), "{key}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains(refusal),
            "{key}: {}",
            text(&out.stderr)
        );
        assert!(!dir.join("flipped").exists());
        // With response_checksum_validation = when_required nothing is asked or checked: the flip lands.
        let proxy = Proxy::start(m.addr);
        proxy.rule("bytes=8388608-12582911", Action::Flip, usize::MAX);
        let out = awl_cmd(&home, &proxy.url, &dir)
            .env("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required")
            .args(["s3", "cp", &url, "unchecked"])
            .output()
            .expect("awl runs");
        done(key, &out);
        assert!(
            !same_files(&file, &dir.join("unchecked")),
            "{key}: the flip went unnoticed, as asked"
        );
        assert!(
            proxy
                .requests()
                .iter()
                .all(|r| !r.head.contains("x-amz-checksum-mode"))
        );
    }
    assert_eq!(temporaries(&dir), Vec::<String>::new());
}

#[test]
fn a_piece_cut_short_is_fetched_again() {
    let Uploaded {
        m,
        home,
        bucket,
        dir,
        file,
    } = uploaded_to_moto("cut", 9 << 20, "nine");
    let proxy = Proxy::start(m.addr);
    proxy.rule("bytes=0-8388607", Action::Truncate, 1);
    done("down", &down(&home, &proxy, &dir, &bucket, "nine", "back"));
    assert!(same_files(&file, &dir.join("back")));
    let tries = proxy
        .requests()
        .iter()
        .filter(|r| r.head.contains("bytes=0-8388607"))
        .count();
    assert_eq!(tries, 2, "the cut piece again, once");
}

#[test]
fn every_piece_asks_for_the_version_head_saw() {
    let Uploaded {
        m, home, bucket, dir, ..
    } = uploaded_to_moto("ifmatch", 9 << 20, "nine");
    let proxy = Proxy::start(m.addr);
    done("down", &down(&home, &proxy, &dir, &bucket, "nine", "back"));
    let head_first = proxy
        .requests()
        .first()
        .is_some_and(|r| r.head.starts_with(&format!("HEAD /{bucket}/nine ")));
    assert!(head_first, "a HEAD first, for the size and the ETag");
    let gets: Vec<String> = proxy
        .requests()
        .iter()
        .filter(|r| r.head.starts_with("GET "))
        .map(|r| r.head.to_ascii_lowercase())
        .collect();
    assert!(
        gets.len() >= 2 && gets.iter().all(|h| h.contains("if-match: \"")),
        "{gets:#?}"
    );
    // The object replaced after HEAD: S3 answers the next piece 412, and nothing is written.
    let proxy = Proxy::start(m.addr);
    proxy.answer_times(
        "bytes=8388608-",
        412,
        "<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified \
         did not hold</Message></Error>",
        "",
        1,
    );
    let out = down(&home, &proxy, &dir, &bucket, "nine", "replaced");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the object changed while it was downloaded; nothing was written"),
        "{err}"
    );
    assert!(!dir.join("replaced").exists());
    assert_eq!(temporaries(&dir), Vec::<String>::new());
}

#[test]
fn a_parts_count_past_s3s_limit_is_not_believed() {
    let Uploaded {
        m,
        home,
        bucket,
        dir,
        file,
    } = uploaded_to_moto("count", 9 << 20, "nine");
    // A server that claims 99,999 parts (S3 allows 10,000) is not asked for each: ranges instead.
    let proxy = Proxy::start(m.addr);
    proxy.answer_times("?partNumber=1 ", 200, "", "x-amz-mp-parts-count: 99999\r\n", 1);
    done("down", &down(&home, &proxy, &dir, &bucket, "nine", "back"));
    assert!(same_files(&file, &dir.join("back")));
    let heads = proxy
        .requests()
        .iter()
        .filter(|r| r.head.starts_with("HEAD "))
        .count();
    assert_eq!(heads, 2, "the object and its first part, no more");
}

fn request_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with("> ")).collect()
}

#[test]
fn when_required_sends_no_checksum_headers() {
    let m: &Moto = moto();
    let home = home_with_moto_keys(m);
    let bucket = new_bucket(&home, m, "required");
    let dir = temp_dir("required");
    let small = data_file(&dir, "small.bin", 100_000);
    let parts = data_file(&dir, "parts.bin", 11 << 20);
    for (name, file) in [("small.bin", &small), ("parts.bin", &parts)] {
        let out = awl_cmd(&home, &m.url, &dir)
            .env("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")
            .args(["--debug", "s3", "cp", name, &format!("s3://{bucket}/{name}")])
            .args(["--multipart-threshold", "5MiB", "--multipart-chunksize", "5MiB"])
            .output()
            .expect("awl runs");
        done(name, &out);
        let err = text(&out.stderr);
        let sent = request_lines(&err);
        assert!(sent.iter().any(|l| l.starts_with("> PUT ")), "{name}: {err}");
        assert!(
            sent.iter()
                .all(|l| !l.to_ascii_lowercase().contains("x-amz-checksum-")),
            "{name}: {sent:#?}"
        );
        done(
            name,
            &awl_at(
                &home,
                &m.url,
                &dir,
                &["s3", "cp", &format!("s3://{bucket}/{name}"), "back"],
            ),
        );
        assert!(same_files(file, &dir.join("back")), "{name} landed");
    }
    // The profile's key does the same; the default sends SHA-256.
    fs::write(
        home.join(".aws/config"),
        "[default]\nregion = us-east-1\nrequest_checksum_calculation = when_required\n",
    )
    .expect("config");
    let out = awl_at(
        &home,
        &m.url,
        &dir,
        &["--debug", "s3", "cp", "small.bin", &format!("s3://{bucket}/p")],
    );
    assert!(
        request_lines(&text(&out.stderr))
            .iter()
            .all(|l| !l.contains("x-amz-checksum-"))
    );
    fs::write(home.join(".aws/config"), "[default]\nregion = us-east-1\n").expect("config");
    let out = awl_at(
        &home,
        &m.url,
        &dir,
        &["--debug", "s3", "cp", "small.bin", &format!("s3://{bucket}/d")],
    );
    assert!(
        request_lines(&text(&out.stderr))
            .iter()
            .any(|l| l.starts_with("> x-amz-checksum-sha256: "))
    );
    let out = awl_cmd(&home, &m.url, &dir)
        .env("AWS_REQUEST_CHECKSUM_CALCULATION", "sometimes")
        .args(["s3", "ls", &format!("s3://{bucket}")])
        .output()
        .expect("awl runs");
    assert_eq!(out.status.code(), Some(253), "{}", text(&out.stderr));
    let out = awl_at(
        &home,
        &m.url,
        &dir,
        &["s3", "cp", "small.bin", "s3://b/k", "--checksum-algorithm", "MD5"],
    );
    assert_eq!(out.status.code(), Some(252), "{}", text(&out.stderr));
}

/// `curl --aws-sigv4` PUT of `file` with an `x-amz-checksum-crc32c` header: the HTTP status.
fn curl_put_crc32c(s: &S3sFs, url: &str, file: &Path, crc: &str) -> String {
    let out = std::process::Command::new("curl")
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            "PUT",
            "--data-binary",
        ])
        .arg(format!("@{}", file.display()))
        .args(["--aws-sigv4", "aws:amz:us-east-1:s3", "--user"])
        .arg(format!("{}:{}", s.key_id, s.secret))
        .args([
            "-H",
            &format!("x-amz-checksum-crc32c: {crc}"),
            "-H",
            "x-amz-content-sha256: UNSIGNED-PAYLOAD",
        ])
        .arg(url)
        .output()
        .expect("curl runs");
    text(&out.stdout)
}

#[test]
fn crc32c_lands_where_the_server_checks_it() {
    let s = s3s_fs();
    let home = s3s_home(s);
    let dir = temp_dir("crc32c");
    let file = data_file(&dir, "c.bin", 300_000);
    done("mb", &awl_at(&home, &s.url, &dir, &["s3", "mb", "s3://crc32c"]));
    // The server checks the header: a wrong CRC32C is refused (BadDigest, 400).
    assert_eq!(
        curl_put_crc32c(s, &format!("{}/crc32c/wrong", s.url), &file, "AAAAAA=="),
        "400"
    );
    let out = awl_at(
        &home,
        &s.url,
        &dir,
        &[
            "--debug",
            "s3",
            "cp",
            "c.bin",
            "s3://crc32c/c.bin",
            "--checksum-algorithm",
            "CRC32C",
        ],
    );
    done("up", &out);
    let err = text(&out.stderr);
    let sent: Vec<&str> = request_lines(&err)
        .into_iter()
        .filter(|l| l.starts_with("> x-amz-checksum-"))
        .collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let value = sent[0].trim_start_matches("> x-amz-checksum-crc32c: ");
    // The same value through curl is accepted: the header awl sent is the file's CRC32C.
    assert_eq!(
        curl_put_crc32c(s, &format!("{}/crc32c/right", s.url), &file, value),
        "200"
    );
    assert_eq!(fs::read(s.root.join("crc32c/c.bin")).ok(), fs::read(&file).ok());
}
