//! Keys that only survive a round trip when every hop carries them exactly, against moto (signature checking
//! on), with the AWS CLI (and its botocore, for the one key its PUT cannot carry to moto) as the independent
//! writer and reader: a CR and an LF at the end (an XML reader reads a literal CR as an LF, so a CR must travel
//! as a character reference), a trailing space, '+' (a space in a form-encoded answer), a literal "%2B" (a '+'
//! once decoded twice) and XML's own '&', '<' and '>'. `ls` shows each exactly, `rm` with a filter deletes the
//! one it names and no other, and a sync down and back up keeps every name.

mod common;
#[path = "support/day.rs"]
mod day;

use common::servers::{Moto, home_with_moto_keys, moto, venv};
use common::{clean_command, temp_dir};
use day::{awl_at, aws_at, done, files, new_bucket, objects};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// The names (below `x/`) that each go wrong in a different hop, with the bytes each object holds: a size of
/// its own, so that an object that answers under another one's name shows.
const NAMES: [(&str, &[u8]); 6] = [
    ("a\r", b"1"),
    ("a\n", b"22"),
    ("a ", b"333"),
    ("a+b", b"4444"),
    ("a%2B", b"55555"),
    ("a&b<c>", b"666666"),
];

/// The names of [`NAMES`] that are ordinary file names on every system a sync may run on (a CR or an LF is
/// not: Windows refuses both, and few tools handle such a file), for the round trip through a folder.
const FILE_NAMES: [&str; 4] = ["a ", "a+b", "a%2B", "a&b<c>"];

/// The bytes of `name` in [`NAMES`].
fn bytes_of(name: &str) -> &'static [u8] {
    NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| *b)
        .expect("a name of NAMES")
}

/// Uploads a file to the object named by the form's `key` field: a browser-style POST Object, signed in the
/// header with botocore (moto checks signatures, and takes the payload hash from the header it signed).
const POST_OBJECT: &str = r#"
import os, sys, urllib.request
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
url, key, path = sys.argv[1:4]
boundary = "awl-s3-keys-boundary"
def part(name, value, filename=""):
    disp = 'form-data; name="%s"%s' % (name, '; filename="%s"' % filename if filename else "")
    return b"--%s\r\nContent-Disposition: %s\r\n\r\n%s\r\n" % (boundary.encode(), disp.encode(), value)
body = part("key", key.encode()) + part("file", open(path, "rb").read(), "body")
body += b"--%s--\r\n" % boundary.encode()
headers = {"Content-Type": "multipart/form-data; boundary=" + boundary}
req = AWSRequest(method="POST", url=url, data=body, headers=headers)
creds = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
S3SigV4Auth(creds, "s3", "us-east-1").add_auth(req)
urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST", headers=dict(req.headers.items())))
"#;

/// Writes each of `names` as `x/NAME` of `bucket` with the AWS CLI, or botocore where the AWS CLI cannot (not
/// awl: the writer must not share awl's mistakes), and checks that moto holds exactly those keys, each with
/// its size.
fn put_keys(home: &Path, m: &Moto, bucket: &str, names: &[&str]) {
    let work = temp_dir("keys");
    for (i, name) in names.iter().enumerate() {
        let body = format!("body{i}");
        fs::write(work.join(&body), bytes_of(name)).expect("body");
        let key = format!("x/{name}");
        let out = if key.contains('\n') {
            // moto routes a request by a regular expression whose '.' stops at an LF: a PUT to the key's path
            // is a 404. A POST Object names the key in its form instead; botocore (the AWS CLI's own library)
            // signs it.
            let vars = [
                ("AWS_ACCESS_KEY_ID", m.key_id.as_str()),
                ("AWS_SECRET_ACCESS_KEY", m.secret.as_str()),
            ];
            clean_command(venv().join("bin/python"), home, &vars)
                .current_dir(&work)
                .args(["-c", POST_OBJECT, &format!("{}/{bucket}", m.url), &key, &body])
                .output()
                .expect("python runs")
        } else {
            let args = [
                "s3api",
                "put-object",
                "--bucket",
                bucket,
                "--key",
                &key,
                "--body",
                &body,
            ];
            aws_at(home, m, &work, &args)
        };
        done(&format!("put {key:?}"), &out);
    }
    // The premise: the server stored each key as given, else the tests below prove nothing about awl.
    assert_eq!(objects(home, m, bucket, "x/"), sizes(names.iter().copied()));
}

/// Each name with the size of its bytes.
fn sizes<'n>(names: impl Iterator<Item = &'n str>) -> BTreeMap<String, u64> {
    names.map(|n| (n.to_owned(), bytes_of(n).len() as u64)).collect()
}

/// A key as awl prints it: each control character as Rust's `\u{..}` escape (src/codec/redact.rs).
fn shown(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `ls --recursive` shows every key exactly once, each with its own size, under its own name: a CR or an LF
/// escaped (neither ends nor splits a line), the trailing space kept, '+' and "%2B" not decoded into a space
/// or a '+', '&', '<' and '>' unescaped once and only once.
#[test]
fn ls_recursive_shows_every_key_exactly() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "keysls");
    let names: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
    put_keys(&home, m, &b, &names);

    let out = done(
        "ls",
        &awl_at(
            &home,
            &m.url,
            &home,
            &["s3", "ls", "--recursive", &format!("s3://{b}/x/")],
        ),
    );
    // `YYYY-MM-DD HH:MM:SS {size:>10} {key}`: the key starts at column 31 and runs to the end of the line
    // (a trailing space included, so nothing is trimmed).
    let listed: BTreeMap<String, u64> = out
        .lines()
        .map(|l| {
            let size = l.get(20..30).and_then(|s| s.trim().parse().ok());
            let key = l.get(31..).unwrap_or_default().to_owned();
            (key, size.unwrap_or_else(|| panic!("not a listing line: {l:?}")))
        })
        .collect();
    let want: BTreeMap<String, u64> = names
        .iter()
        .map(|n| (shown(&format!("x/{n}")), bytes_of(n).len() as u64))
        .collect();
    assert_eq!(listed, want, "{out:?}");
    assert_eq!(out.lines().count(), NAMES.len(), "one line a key: {out:?}");
}

/// `rm --recursive --exclude '*' --include "a<CR>"` deletes `x/a<CR>` and only it: the key in the
/// DeleteObjects body reaches the server as CR, not as the LF an XML reader makes of a literal CR (which
/// would have deleted `x/a<LF>` instead and left `x/a<CR>`), and the filter matches the name below the root.
#[test]
fn rm_with_a_filter_deletes_the_key_ending_in_cr_and_no_other() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "keysrm");
    let names: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
    put_keys(&home, m, &b, &names);

    let args = [
        "s3",
        "rm",
        "--recursive",
        &format!("s3://{b}/x/"),
        "--exclude",
        "*",
        "--include",
        "a\r",
    ];
    let out = done("rm", &awl_at(&home, &m.url, &home, &args));
    assert_eq!(out, format!("delete: s3://{b}/x/a\\u{{d}}\n"));
    // The AWS CLI reads back what is left: every key but `x/a<CR>`, `x/a<LF>` among them.
    let left = names.iter().copied().filter(|n| *n != "a\r");
    assert_eq!(objects(&home, m, &b, "x/"), sizes(left));
}

/// `sync s3://B/x/ DEST`, then `sync DEST s3://B/y/`: the names that are also file names ('+', "%2B", '&',
/// '<', '>', a trailing space) arrive as files of exactly those names and go back up as exactly those keys,
/// each with its bytes; a second sync each way copies nothing, so that listing and local walk agree on every
/// name (a name mangled on one side would be copied again, or its twin deleted).
#[test]
fn sync_down_and_back_up_keeps_every_name_and_a_second_sync_copies_nothing() {
    let m = moto();
    let home = home_with_moto_keys(m);
    let b = new_bucket(&home, m, "keyssync");
    put_keys(&home, m, &b, &FILE_NAMES);
    let work = temp_dir("keyssync");
    let (x, y) = (format!("s3://{b}/x/"), format!("s3://{b}/y/"));
    let sync = |from: &str, to: &str| awl_at(&home, &m.url, &work, &["s3", "sync", from, to]);

    done("sync down", &sync(&x, "dest"));
    let dest = work.join("dest");
    assert_eq!(files(&dest), sizes(FILE_NAMES.iter().copied()));
    for name in FILE_NAMES {
        assert_eq!(
            fs::read(dest.join(name)).ok().as_deref(),
            Some(bytes_of(name)),
            "{name:?}"
        );
    }
    assert_eq!(
        done("second sync down", &sync(&x, "dest")),
        "",
        "nothing downloaded twice"
    );

    done("sync up", &sync("dest", &y));
    assert_eq!(objects(&home, m, &b, "y/"), sizes(FILE_NAMES.iter().copied()));
    // Each object's bytes, read back by the AWS CLI under the name awl wrote.
    for name in FILE_NAMES {
        let key = format!("y/{name}");
        let args = ["s3api", "get-object", "--bucket", &b, "--key", &key, "back"];
        done(&format!("get-object {key:?}"), &aws_at(&home, m, &work, &args));
        assert_eq!(
            fs::read(work.join("back")).ok().as_deref(),
            Some(bytes_of(name)),
            "{key:?}"
        );
    }
    assert_eq!(
        done("second sync up", &sync("dest", &y)),
        "",
        "nothing uploaded twice"
    );
}
