//! Versioned buckets against moto, checked with the AWS CLI: `rb --force` deletes every version and every
//! delete marker, then the bucket (the AWS CLI's own `rb --force` adds delete markers and fails with
//! BucketNotEmpty); versioning suspended after versions existed; a version object lock keeps is a failure
//! that keeps the bucket; more than 1,000 versions; and `rm --recursive` only adds delete markers.

mod common;
#[path = "support/day.rs"]
mod day;

use awl::s3::ops::list_versions::ListObjectVersions;
use common::servers::{Moto, Proxy, Recorded, home_with_moto_keys, moto};
use common::{temp_dir, text};
use day::{awl_at, aws_at, done, new_bucket};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// The ten keys: a space, a plus, non-ASCII letters under a folder, an ampersand, plain ones.
const KEYS: [&str; 10] = [
    "a b.txt",
    "plus+sign",
    "ünï/été",
    "x&y",
    "dir/k4",
    "dir/k5",
    "k6",
    "k7",
    "k8",
    "k9",
];

/// An entry of a version listing: key, version id, whether it is a delete marker.
type Entry = (String, String, bool);

/// Every version and delete marker of `bucket`, as the AWS CLI lists them (all pages).
fn listed(home: &Path, m: &Moto, bucket: &str) -> BTreeSet<Entry> {
    let out = aws_at(
        home,
        m,
        home,
        &[
            "s3api",
            "list-object-versions",
            "--bucket",
            bucket,
            "--output",
            "json",
        ],
    );
    let body = done("list-object-versions", &out);
    if body.trim().is_empty() {
        return BTreeSet::new();
    }
    let v = awl::codec::json::parse(&body).expect("JSON");
    let mut all = BTreeSet::new();
    for (field, marker) in [("Versions", false), ("DeleteMarkers", true)] {
        for e in v.get(field).and_then(|x| x.as_array()).unwrap_or_default() {
            let s = |k: &str| e.get(k).and_then(|x| x.as_str()).expect("field").to_owned();
            assert!(all.insert((s("Key"), s("VersionId"), marker)), "listed twice");
        }
    }
    all
}

/// Runs the AWS CLI and fails unless it exits 0.
fn aws_ok(home: &Path, m: &Moto, args: &[&str]) {
    done(&args.join(" "), &aws_at(home, m, home, args));
}

fn versioning(home: &Path, m: &Moto, bucket: &str, status: &str) {
    aws_ok(
        home,
        m,
        &[
            "s3api",
            "put-bucket-versioning",
            "--bucket",
            bucket,
            "--versioning-configuration",
            &format!("Status={status}"),
        ],
    );
}

/// Writes `keys` to `bucket` `rounds` times (a new version of each every round, when versioning is on).
fn write_rounds(home: &Path, m: &Moto, bucket: &str, keys: &[&str], rounds: usize) {
    let dir = temp_dir("versions");
    for round in 0..rounds {
        for k in keys {
            let path = dir.join(k);
            fs::create_dir_all(path.parent().expect("parent")).expect("folder");
            fs::write(&path, format!("{k} round {round}\n")).expect("file");
        }
        let out = awl_at(
            home,
            &m.url,
            &dir,
            &["s3", "cp", "--recursive", ".", &format!("s3://{bucket}/")],
        );
        assert_eq!(done("cp", &out).lines().count(), keys.len());
    }
}

/// Adds a delete marker to `key` (the AWS CLI's DeleteObject without a version).
fn mark(home: &Path, m: &Moto, bucket: &str, key: &str) {
    aws_ok(
        home,
        m,
        &["s3api", "delete-object", "--bucket", bucket, "--key", key],
    );
}

/// What `rb --force` printed: the plain `delete:` lines (in order), then the `(version ID)` ones as (key,
/// version), each at most once; the last line must be `remove_bucket:`.
fn rb_lines(bucket: &str, stdout: &str) -> (Vec<String>, Vec<(String, String)>) {
    let mut lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.pop(),
        Some(format!("remove_bucket: {bucket}").as_str()),
        "{stdout}"
    );
    let prefix = format!("delete: s3://{bucket}/");
    let (mut plain, mut versioned) = (Vec::new(), Vec::new());
    for l in lines {
        let rest = l
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("not a delete line: {l}"));
        match rest.strip_suffix(')').and_then(|r| r.rsplit_once(" (version ")) {
            Some((key, version)) => versioned.push((key.to_owned(), version.to_owned())),
            None => {
                assert!(
                    versioned.is_empty(),
                    "the objects go first, then their versions: {stdout}"
                );
                plain.push(rest.to_owned());
            }
        }
    }
    let unique: BTreeSet<_> = versioned.iter().collect();
    assert_eq!(unique.len(), versioned.len(), "a version deleted twice: {stdout}");
    (plain, versioned)
}

/// The versions (key, id) of a listing.
fn ids(entries: &BTreeSet<Entry>) -> BTreeSet<(String, String)> {
    entries.iter().map(|(k, v, _)| (k.clone(), v.clone())).collect()
}

/// Fails unless the bucket is gone, as the AWS CLI sees it: head-bucket finds nothing, list-buckets lacks it.
fn gone(home: &Path, m: &Moto, bucket: &str) {
    let head = aws_at(home, m, home, &["s3api", "head-bucket", "--bucket", bucket]);
    assert_ne!(head.status.code(), Some(0), "head-bucket: {}", text(&head.stdout));
    assert!(text(&head.stderr).contains("404"), "{}", text(&head.stderr));
    let out = aws_at(
        home,
        m,
        home,
        &[
            "s3api",
            "list-buckets",
            "--query",
            "Buckets[].Name",
            "--output",
            "json",
        ],
    );
    let names = awl::codec::json::parse(&done("list-buckets", &out)).expect("JSON");
    let names: Vec<&str> = names
        .as_array()
        .expect("a list of names")
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    assert!(!names.contains(&bucket), "{names:?}");
}

/// The DeleteObjects calls the proxy saw for `bucket`, and the versions their bodies named.
fn delete_calls(seen: &[Recorded], bucket: &str) -> (Vec<usize>, usize) {
    let calls: Vec<&Recorded> = seen
        .iter()
        .filter(|r| r.head.starts_with(&format!("POST /{bucket}/?delete")))
        .collect();
    let sizes = calls
        .iter()
        .map(|r| r.body_text().matches("<Object>").count())
        .collect();
    let versions = calls
        .iter()
        .map(|r| r.body_text().matches("<VersionId>").count())
        .sum();
    (sizes, versions)
}

/// The listing of the library's ListObjectVersions, four entries a page, through the one paginator.
fn listed_by_awl(home: &Path, m: &Moto, bucket: &str) -> BTreeSet<Entry> {
    let mut s = common::session_through(home, Some(&m.url), common::ureq_transport());
    let creds = common::static_credentials(&mut s);
    let s3 = s.s3(creds).expect("s3");
    let listing = ListObjectVersions {
        max_keys: Some(4),
        ..ListObjectVersions::new(bucket, "")
    };
    let mut all = BTreeSet::new();
    let mut pages = 0;
    for page in s3.pages(listing) {
        pages += 1;
        for v in page.expect("a page") {
            assert_eq!(v.size.is_none(), v.delete_marker, "{v:?}");
            assert!(all.insert((v.key, v.version_id, v.delete_marker)), "listed twice");
        }
    }
    assert!(
        pages >= all.len() / 4,
        "{pages} pages of at most 4 for {}",
        all.len()
    );
    all
}

#[test]
fn rb_force_deletes_every_version_and_delete_marker_then_the_bucket() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "versioned");
    versioning(&home, m, &b, "Enabled");
    write_rounds(&home, m, &b, &KEYS, 3);
    // Markers on four keys, two on the fourth; the other six stay current.
    for k in &KEYS[..4] {
        mark(&home, m, &b, k);
    }
    mark(&home, m, &b, KEYS[3]);
    let before = listed(&home, m, &b);
    assert_eq!(before.iter().filter(|e| !e.2).count(), 30, "{before:?}");
    assert_eq!(before.iter().filter(|e| e.2).count(), 5, "{before:?}");
    let keys: BTreeSet<&str> = before.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(keys, KEYS.iter().copied().collect());
    assert_eq!(
        listed_by_awl(&home, m, &b),
        before,
        "awl's listing, 4 a page, is the AWS CLI's"
    );

    let proxy = Proxy::start(m.addr);
    let out = awl_at(
        &home,
        &proxy.url,
        &home,
        &["s3", "rb", "--force", &format!("s3://{b}")],
    );
    let (plain, versioned) = rb_lines(&b, &done("rb --force", &out));
    // `rm` first: the six current objects, each then hidden by a new marker.
    let current: BTreeSet<String> = KEYS[4..].iter().map(|k| (*k).to_owned()).collect();
    assert_eq!(plain.len(), current.len(), "{plain:?}");
    assert_eq!(plain.iter().cloned().collect::<BTreeSet<_>>(), current);
    // Then every version and marker listed before, and the six new markers, one line each.
    let deleted: BTreeSet<(String, String)> = versioned.iter().cloned().collect();
    let listed_ids = ids(&before);
    assert!(
        listed_ids.is_subset(&deleted),
        "not deleted: {:?}",
        listed_ids.difference(&deleted).collect::<Vec<_>>()
    );
    let new: BTreeSet<String> = deleted.difference(&listed_ids).map(|(k, _)| k.clone()).collect();
    assert_eq!(new, current, "the markers rm added");
    assert_eq!(versioned.len(), 35 + 6);
    let (sizes, versions) = delete_calls(&proxy.requests(), &b);
    assert_eq!(versions, versioned.len(), "each version sent with its VersionId");
    assert!(sizes.iter().all(|n| *n <= 1000), "{sizes:?}");
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    gone(&home, m, &b);
}

#[test]
fn versioning_suspended_after_versions_existed() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "suspended");
    // Written before versioning: versions with the id "null".
    write_rounds(&home, m, &b, &["pre/0", "pre/1"], 1);
    versioning(&home, m, &b, "Enabled");
    write_rounds(&home, m, &b, &KEYS, 3);
    versioning(&home, m, &b, "Suspended");
    write_rounds(&home, m, &b, &["after/suspend"], 1);
    // No delete markers here: moto fails (HTTP 500) to delete any key with a marker once versioning is
    // suspended; the markers of a versioned bucket are the other tests' part.
    let before = listed(&home, m, &b);
    let nulls: BTreeSet<&str> = before
        .iter()
        .filter(|e| e.1 == "null")
        .map(|e| e.0.as_str())
        .collect();
    assert_eq!(nulls, ["after/suspend", "pre/0", "pre/1"].into(), "{before:?}");
    assert_eq!(before.len(), 3 + 30, "{before:?}");
    assert_eq!(
        listed_by_awl(&home, m, &b),
        before,
        "awl reads the null versions as the AWS CLI"
    );

    let out = awl_at(
        &home,
        &m.url,
        &home,
        &["s3", "rb", "--force", &format!("s3://{b}")],
    );
    let (plain, versioned) = rb_lines(&b, &done("rb --force", &out));
    let keys: BTreeSet<String> = before.iter().map(|e| e.0.clone()).collect();
    assert_eq!(plain.iter().cloned().collect::<BTreeSet<_>>(), keys);
    // What `rm` leaves depends on the server: S3 keeps the older versions behind a null marker, which go
    // here by id; moto drops every version of a key deleted while versioning is suspended. Either way a line
    // names only what was listed, or the marker `rm` put on a listed key.
    let listed_ids = ids(&before);
    for (k, v) in &versioned {
        assert!(
            listed_ids.contains(&(k.clone(), v.clone())) || (keys.contains(k) && v == "null"),
            "{k} (version {v}) was never listed"
        );
    }
    gone(&home, m, &b);
}

#[test]
fn rm_recursive_only_adds_markers_and_the_aws_clis_rb_force_then_fails() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "rmver");
    let keys = &KEYS[..4];
    // A first version from before versioning (id "null"), then three more.
    write_rounds(&home, m, &b, keys, 1);
    versioning(&home, m, &b, "Enabled");
    write_rounds(&home, m, &b, keys, 3);
    let before = listed(&home, m, &b);
    assert_eq!(before.len(), 16);
    assert_eq!(before.iter().filter(|e| e.1 == "null").count(), 4);

    let out = awl_at(
        &home,
        &m.url,
        &home,
        &["s3", "rm", "--recursive", &format!("s3://{b}/")],
    );
    let lines: BTreeSet<String> = done("rm", &out).lines().map(str::to_owned).collect();
    let expected: BTreeSet<String> = keys.iter().map(|k| format!("delete: s3://{b}/{k}")).collect();
    assert_eq!(lines, expected, "one line per object, no versions");
    let after = listed(&home, m, &b);
    assert!(before.is_subset(&after), "every version is still there");
    let markers: Vec<&Entry> = after.difference(&before).collect();
    assert_eq!(markers.len(), keys.len(), "{markers:?}");
    assert!(
        markers.iter().all(|e| e.2),
        "only markers were added: {markers:?}"
    );
    assert!(day::objects(&home, m, &b, "").is_empty(), "no object is current");

    // The AWS CLI's rb --force empties the bucket as rm does, then DeleteBucket is refused.
    let theirs = aws_at(&home, m, &home, &["s3", "rb", "--force", &format!("s3://{b}")]);
    assert_ne!(theirs.status.code(), Some(0), "{}", text(&theirs.stdout));
    assert!(
        text(&theirs.stderr).contains("BucketNotEmpty"),
        "{}",
        text(&theirs.stderr)
    );
    let left = listed(&home, m, &b);
    assert_eq!(left, after, "the AWS CLI left it as it was");

    // awl deletes exactly what is listed, each by its version id ("null" too): nothing is current, so no
    // plain line.
    let out = awl_at(
        &home,
        &m.url,
        &home,
        &["s3", "rb", "--force", &format!("s3://{b}")],
    );
    let (plain, versioned) = rb_lines(&b, &done("rb --force", &out));
    assert!(plain.is_empty(), "{plain:?}");
    assert_eq!(versioned.into_iter().collect::<BTreeSet<_>>(), ids(&left));
    gone(&home, m, &b);
}

#[test]
fn a_version_object_lock_keeps_is_a_failure_and_the_bucket_stays() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = format!("locked-{}", common::servers::free_port());
    // Object lock turns versioning on.
    aws_ok(
        &home,
        m,
        &[
            "s3api",
            "create-bucket",
            "--bucket",
            &b,
            "--create-bucket-configuration",
            "LocationConstraint=ap-southeast-2",
            "--object-lock-enabled-for-bucket",
        ],
    );
    write_rounds(&home, m, &b, &["free", "held"], 1);
    let held = |status: &str| {
        aws_ok(
            &home,
            m,
            &[
                "s3api",
                "put-object-legal-hold",
                "--bucket",
                &b,
                "--key",
                "held",
                "--legal-hold",
                &format!("Status={status}"),
            ],
        );
    };
    held("ON");
    let before = listed(&home, m, &b);
    let held_version = before
        .iter()
        .find(|e| e.0 == "held")
        .map(|e| e.1.clone())
        .expect("held is listed");

    let proxy = Proxy::start(m.addr);
    let out = awl_at(
        &home,
        &proxy.url,
        &home,
        &["s3", "rb", "--force", &format!("s3://{b}")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "delete failed: s3://{b}/held (version {held_version}): DeleteObjects: "
        )),
        "{stderr}"
    );
    assert!(stderr.contains("(AccessDenied)"), "S3's code is shown: {stderr}");
    assert!(
        stderr.contains("could not be deleted; the bucket stays"),
        "{stderr}"
    );
    for l in stderr.lines().filter(|l| l.starts_with("delete failed:")) {
        assert!(l.starts_with(&format!("delete failed: s3://{b}/held ")), "{l}");
    }
    assert!(!stdout.contains(&held_version), "{stdout}");
    assert!(!stdout.contains("remove_bucket"), "{stdout}");
    assert!(
        !proxy
            .requests()
            .iter()
            .any(|r| r.head.starts_with(&format!("DELETE /{b}/ "))
                || r.head.starts_with(&format!("DELETE /{b} "))),
        "no DeleteBucket sent"
    );
    let left = listed(&home, m, &b);
    assert!(
        left.contains(&("held".to_owned(), held_version, false)),
        "{left:?}"
    );
    assert!(left.iter().all(|e| e.0 == "held"), "the rest went: {left:?}");

    // Once the hold is lifted, the same command removes it all.
    held("OFF");
    let out = awl_at(
        &home,
        &m.url,
        &home,
        &["s3", "rb", "--force", &format!("s3://{b}")],
    );
    done("rb --force", &out);
    gone(&home, m, &b);
}

#[test]
fn more_versions_than_one_call_deletes() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "many");
    versioning(&home, m, &b, "Enabled");
    let names: Vec<String> = (0..1100).map(|i| format!("k{i:04}")).collect();
    let keys: Vec<&str> = names.iter().map(String::as_str).collect();
    write_rounds(&home, m, &b, &keys, 2);

    let proxy = Proxy::start(m.addr);
    let out = awl_at(
        &home,
        &proxy.url,
        &home,
        &["s3", "rb", "--force", &format!("s3://{b}")],
    );
    let (plain, versioned) = rb_lines(&b, &done("rb --force", &out));
    assert_eq!(plain.len(), 1100);
    // 2,200 versions and the 1,100 markers rm added.
    assert_eq!(versioned.len(), 3300);
    let (sizes, versions) = delete_calls(&proxy.requests(), &b);
    assert_eq!(versions, 3300);
    assert!(sizes.iter().all(|n| *n <= 1000), "{sizes:?}");
    assert_eq!(sizes.iter().sum::<usize>(), 1100 + 3300);
    gone(&home, m, &b);
}
