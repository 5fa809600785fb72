//! A misbehaving S3-compatible server (tests/support/bad_s3.py) can never make awl delete, overwrite or upload
//! anything it should not. Its ListObjectsV2 pages go wrong in the ways real servers have: keys out of byte
//! order, a key repeated across pages, a truncated page without a continuation token, continuation tokens
//! that cycle, an entry without a Key, with a Size that is not a number or a LastModified that is not a date.
//! For each, `sync --delete` in both directions stops with exit 1 and an error naming the bucket, every local
//! file as it was and no PUT, POST or DELETE sent; `cp --recursive` down stops with exit 1, having written
//! only objects of the good pages before the fault; `rm --recursive` stops with exit 1 and deletes nothing
//! once the fault is seen; `ls --recursive` stops with exit 255 and one error line. `ls` whose reader has
//! gone (`| head -1`) stops listing. A well-formed, url-encoded listing (the control) syncs every file under
//! its own name, which shows that the server and the harness work.

mod common;

use awl::codec::json::{self, Value};
use common::{awl_command, ok, temp_dir, text};
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, UNIX_EPOCH};

/// Every object's LastModified in the scenarios (2026-01-01T00:00:00Z): a download's local files carry it, so
/// that a correct sync downloads none of them.
const LISTED: u64 = 1_767_225_600;
/// An upload's local files are older (2025-01-01), so that a correct sync uploads none of them.
const OLDER: u64 = 1_735_689_600;
/// Far more than any of these listings needs: past it, awl is looping.
const LIMIT: Duration = Duration::from_secs(20);

/// The server, running one scenario; it stops when dropped (or when the test process ends: it holds our pipe).
struct BadS3 {
    child: Child,
    port: u16,
}

impl BadS3 {
    fn start(scenario: &str) -> Self {
        let mut child = Command::new("python3")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/bad_s3.py"))
            .arg(scenario)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs tests/support/bad_s3.py");
        // The first line comes once the port is bound: nothing to poll.
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("its port");
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("bad_s3.py {scenario} printed no port: {line:?}"));
        BadS3 { child, port }
    }

    /// The JSON document the server answers at `path` (its own pages, never logged).
    fn document(&self, path: &str) -> Value {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("the server answers");
        write!(s, "GET {path} HTTP/1.0\r\n\r\n").expect("request");
        let mut answer = String::new();
        s.read_to_string(&mut answer).expect("answer");
        let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        json::parse(body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
    }

    /// Every request line the server received (`GET /b?list-type=2&...`).
    fn requests(&self) -> Vec<String> {
        let log = self.document("/__log");
        let lines = log.as_array().expect("a list");
        lines
            .iter()
            .filter_map(|l| l.as_str().map(str::to_owned))
            .collect()
    }

    /// The requests that would change the bucket: any but GET and HEAD.
    fn writes(&self) -> Vec<String> {
        let reads = |r: &String| r.starts_with("GET ") || r.starts_with("HEAD ");
        self.requests().into_iter().filter(|r| !reads(r)).collect()
    }

    /// How many ListObjectsV2 pages were asked for.
    fn listings(&self) -> usize {
        self.requests().iter().filter(|r| is_listing(r)).count()
    }

    /// Every key a DELETE or a DeleteObjects named, as the server read it.
    fn deleted(&self) -> Vec<String> {
        let keys = self.document("/__deleted");
        let keys = keys.as_array().expect("a list");
        keys.iter()
            .filter_map(|k| k.as_str().map(str::to_owned))
            .collect()
    }

    /// Every object the bucket has under `prefix` (listed or not), as (name below the prefix, size).
    fn objects(&self, prefix: &str) -> Vec<(String, usize)> {
        let all = self.document("/__objects");
        let pair = |v: &Value| {
            let [k, n] = v.as_array()? else { return None };
            let name = k.as_str()?.strip_prefix(prefix)?.to_owned();
            Some((name, usize::try_from(n.as_i64()?).ok()?))
        };
        all.as_array().expect("a list").iter().filter_map(pair).collect()
    }

    /// awl, pointed at this server with any keys (it checks no signature), its output piped.
    fn awl(&self, args: &[&str]) -> Command {
        let endpoint = format!("http://127.0.0.1:{}", self.port);
        let vars = [
            ("AWS_ACCESS_KEY_ID", "x"),
            ("AWS_SECRET_ACCESS_KEY", "y"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ];
        let mut cmd = awl_command(&temp_dir("home"), &vars);
        cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd
    }

    /// awl's run to its end, within [`LIMIT`].
    fn run(&self, args: &[&str]) -> Output {
        finish(self.awl(args).spawn().expect("awl runs"))
    }
}

impl Drop for BadS3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A request line's method, path and query: `POST /b/?delete=` is `("POST", "/b/", "delete=")`.
fn parts(request: &str) -> (&str, &str, &str) {
    let (method, target) = request.split_once(' ').unwrap_or((request, ""));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    (method, path, query)
}

/// Whether the request line asks bucket `b` for a ListObjectsV2 page: `GET /b?list-type=2...` or
/// `GET /b/?list-type=2...` (both name the bucket, path-style).
fn is_listing(request: &str) -> bool {
    let (method, path, query) = parts(request);
    method == "GET" && path.trim_end_matches('/') == "/b" && query.split('&').any(|p| p == "list-type=2")
}

/// Whether the request line deletes objects of bucket `b`: a DeleteObjects (`POST /b/?delete`) or a
/// DeleteObject (`DELETE /b/KEY`).
fn is_delete(request: &str) -> bool {
    let (method, path, query) = parts(request);
    let objects = method == "POST"
        && path.trim_end_matches('/') == "/b"
        && query.split('&').any(|p| p == "delete" || p == "delete=");
    objects || (method == "DELETE" && path.len() > "/b/".len() && path.starts_with("/b/"))
}

/// The bytes of `pipe`, read to its end on a thread.
fn drain(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        let _ = tx.send(bytes);
    });
    rx
}

/// `child`'s output once it ends; past [`LIMIT`] it is killed and the test fails. Its end shows as the end of
/// its stderr (awl starts no program that could hold that open), so there is nothing to poll.
fn finish(mut child: Child) -> Output {
    let stdout = child.stdout.take().map(drain);
    let stderr = drain(child.stderr.take().expect("stderr piped"));
    let Ok(stderr) = stderr.recv_timeout(LIMIT) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("awl did not end within {LIMIT:?}: it never stops listing");
    };
    let stdout = stdout.map(|r| r.recv().unwrap_or_default()).unwrap_or_default();
    let status = child.wait().expect("awl exits");
    Output {
        status,
        stdout,
        stderr,
    }
}

/// The local copy's bytes: unlike the server's (`x`), so that an overwrite shows.
fn local_bytes(size: usize) -> Vec<u8> {
    vec![b'l'; size]
}

/// Writes each file under `dir` with [`local_bytes`], modified at `secs` since the epoch.
fn populate(dir: &Path, files: &[(String, usize)], secs: u64) {
    for (name, size) in files {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().expect("a parent")).expect("folder");
        fs::write(&path, local_bytes(*size)).expect("file");
        let at = UNIX_EPOCH + Duration::from_secs(secs);
        fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(at))
            .expect("mtime");
    }
}

/// What happened to the files [`populate`] wrote: each one gone or changed.
fn damage(dir: &Path, files: &[(String, usize)]) -> Vec<String> {
    let changed = |(name, size): &(String, usize)| match fs::read(dir.join(name)) {
        Err(_) => Some(format!("{name} was deleted")),
        Ok(b) if b != local_bytes(*size) => Some(format!("{name} was overwritten")),
        Ok(_) => None,
    };
    files.iter().filter_map(changed).collect()
}

/// Every file under `dir`, as paths below it.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for e in fs::read_dir(dir).expect("folder").flatten() {
        let path = e.path();
        if path.is_dir() {
            found.extend(
                files_under(&path)
                    .into_iter()
                    .map(|p| Path::new(&e.file_name()).join(p)),
            );
        } else {
            found.push(PathBuf::from(e.file_name()));
        }
    }
    found
}

/// Whether an error line names bucket `b` (as `s3://b...` or as the word `b`, quoted or not).
fn names_bucket(line: &str) -> bool {
    line.split_whitespace()
        .map(|w| w.trim_matches(|c: char| "'\"`:,;()[]".contains(c)))
        .any(|w| w == "b" || w == "s3://b" || w.starts_with("s3://b/"))
}

/// How `out` differs from a transfer command stopped by a listing error: exit 1 and an `awl: error:` line
/// naming the bucket.
fn transfer_stopped(out: &Output) -> Vec<String> {
    let mut problems = Vec::new();
    if out.status.code() != Some(1) {
        problems.push(format!("exit {:?}, not 1", out.status.code()));
    }
    let err = text(&out.stderr);
    if !err
        .lines()
        .any(|l| l.starts_with("awl: error: ") && names_bucket(l))
    {
        problems.push("no `awl: error:` line naming the bucket".to_owned());
    }
    problems
}

/// Fails with every problem found, and what awl said.
fn verdict(what: &str, problems: &[String], out: &Output) {
    assert!(
        problems.is_empty(),
        "{what}: {problems:#?}\nexit: {:?}\nstderr: {}\nstdout: {}",
        out.status.code(),
        text(&out.stderr),
        text(&out.stdout)
    );
}

/// The requests that changed (or would have changed) the bucket, as problems.
fn sent(s3: &BadS3) -> Vec<String> {
    s3.writes()
        .into_iter()
        .map(|w| format!("the server was sent {w}"))
        .collect()
}

/// `sync s3://b/d DEST --delete` into a folder that already holds every object as the listing dates it: it
/// must stop with exit 1, every local file kept as it was, nothing sent to the server.
fn download(scenario: &str) {
    let s3 = BadS3::start(scenario);
    let files = s3.objects("d/");
    let dest = temp_dir("dest");
    populate(&dest, &files, LISTED);
    let out = s3.run(&["s3", "sync", "s3://b/d", &dest.to_string_lossy(), "--delete"]);
    let mut problems = transfer_stopped(&out);
    problems.extend(damage(&dest, &files));
    problems.extend(sent(&s3));
    verdict(
        &format!("{scenario}: sync s3://b/d dest --delete"),
        &problems,
        &out,
    );
}

/// `sync SRC s3://b/d --delete` from a folder holding every object, older than the listing says: it must stop
/// with exit 1, having uploaded and deleted nothing.
fn upload(scenario: &str) {
    let s3 = BadS3::start(scenario);
    let files = s3.objects("d/");
    let src = temp_dir("src");
    populate(&src, &files, OLDER);
    let out = s3.run(&["s3", "sync", &src.to_string_lossy(), "s3://b/d", "--delete"]);
    let mut problems = transfer_stopped(&out);
    problems.extend(damage(&src, &files));
    problems.extend(sent(&s3));
    verdict(
        &format!("{scenario}: sync src s3://b/d --delete"),
        &problems,
        &out,
    );
}

/// `ls --recursive s3://b/d/` must stop with exit 255 and one error line naming the bucket.
fn ls(scenario: &str) {
    let s3 = BadS3::start(scenario);
    let out = s3.run(&["s3", "ls", "--recursive", "s3://b/d/"]);
    let mut problems = Vec::new();
    if out.status.code() != Some(255) {
        problems.push(format!("exit {:?}, not 255", out.status.code()));
    }
    let err = text(&out.stderr);
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("awl: error")).collect();
    if errors.len() != 1 || !names_bucket(errors[0]) {
        problems.push(format!("error lines {errors:?}, not one naming the bucket"));
    }
    verdict(&format!("{scenario}: ls --recursive s3://b/d/"), &problems, &out);
}

/// Where a broken scenario's listing breaks, and what a command may have done before it got there.
struct Fault {
    /// The scenario of bad_s3.py.
    scenario: &'static str,
    /// The page whose answer breaks the rules (1: the first).
    page: usize,
    /// The names below `d/` that the good pages before it list: a copy may have fetched these before the
    /// fault came (the paginator checks a page whole before giving any of it out).
    before: &'static [&'static str],
    /// The names below `d/` that `rm` may have deleted, and only in a request sent before it asked for the
    /// page at fault: what the AWS CLI, deleting as it lists, would have deleted by then.
    rm_may_delete: &'static [&'static str],
}

/// `cp --recursive s3://b/d DEST` into an empty folder: it must stop with exit 1, having written no file but
/// those the good pages before the fault listed, each whole (no other object, no temporary file, no part),
/// and sent nothing to the server.
fn copy(fault: &Fault) {
    let s3 = BadS3::start(fault.scenario);
    let sizes = s3.objects("d/");
    let dest = temp_dir("dest");
    let out = s3.run(&["s3", "cp", "--recursive", "s3://b/d", &dest.to_string_lossy()]);
    let mut problems = transfer_stopped(&out);
    for file in files_under(&dest) {
        let name = file.to_string_lossy().into_owned();
        let size = sizes.iter().find(|(n, _)| *n == name).map(|(_, size)| *size);
        match size {
            Some(size) if fault.before.contains(&name.as_str()) => {
                if fs::read(dest.join(&file)).ok() != Some(vec![b'x'; size]) {
                    problems.push(format!("{name} does not hold the object"));
                }
            }
            _ => problems.push(format!("{name} was written, though no good page listed it")),
        }
    }
    problems.extend(sent(&s3));
    verdict(
        &format!("{}: cp --recursive s3://b/d dest", fault.scenario),
        &problems,
        &out,
    );
}

/// `rm --recursive s3://b/d/`: it must stop with exit 1, and no delete may reach the server once awl has
/// asked for the page at fault, nor name a key that [`Fault::rm_may_delete`] does not list.
fn remove(fault: &Fault) {
    let s3 = BadS3::start(fault.scenario);
    let out = s3.run(&["s3", "rm", "--recursive", "s3://b/d/"]);
    let mut problems = transfer_stopped(&out);
    let requests = s3.requests();
    // awl can know of the fault only once it has asked for that page: a delete sent before may be one it had
    // every reason to send, one sent after was sent in spite of the fault.
    let asked = requests
        .iter()
        .enumerate()
        .filter(|(_, r)| is_listing(r))
        .nth(fault.page - 1)
        .map_or(requests.len(), |(i, _)| i);
    for (i, r) in requests.iter().enumerate() {
        if r.starts_with("GET ") || r.starts_with("HEAD ") {
            continue;
        }
        if !is_delete(r) || fault.rm_may_delete.is_empty() {
            problems.push(format!("the server was sent {r}"));
        } else if i > asked {
            problems.push(format!(
                "{r} was sent after awl asked for page {}, the page at fault",
                fault.page
            ));
        }
    }
    for key in s3.deleted() {
        let name = key.strip_prefix("d/").unwrap_or(&key);
        if !fault.rm_may_delete.contains(&name) {
            problems.push(format!("{key} was deleted"));
        }
    }
    verdict(
        &format!("{}: rm --recursive s3://b/d/", fault.scenario),
        &problems,
        &out,
    );
}

/// The five commands against each broken scenario of bad_s3.py, as `SCENARIO::download_...` and so on: a
/// table of where each listing breaks ([`Fault`]).
macro_rules! broken_listings {
    ($(
        $(#[$why:meta])*
        $scenario:ident: page $page:literal, before [$($before:literal),*], rm_may_delete [$($gone:literal),*];
    )*) => {$(
        $(#[$why])*
        mod $scenario {
            const FAULT: super::Fault = super::Fault {
                scenario: stringify!($scenario),
                page: $page,
                before: &[$($before),*],
                rm_may_delete: &[$($gone),*],
            };

            #[test]
            fn download_with_delete_fails_and_keeps_every_file() {
                super::download(FAULT.scenario);
            }

            #[test]
            fn upload_with_delete_fails_and_sends_nothing() {
                super::upload(FAULT.scenario);
            }

            #[test]
            fn ls_fails_with_one_error_line() {
                super::ls(FAULT.scenario);
            }

            #[test]
            fn cp_recursive_download_fails_and_writes_only_what_good_pages_listed() {
                super::copy(&FAULT);
            }

            #[test]
            fn rm_recursive_fails_and_deletes_nothing_past_the_fault() {
                super::remove(&FAULT);
            }
        }
    )*};
}

broken_listings! {
    /// One page, its two keys in UTF-16 order: the first page is at fault.
    unordered: page 1, before [], rm_may_delete [];
    /// Page 2 starts with page 1's last key again. The fault is at the first page boundary, and the key
    /// repeated is page 1's own: where page 1 ended is in doubt too, so nothing may be deleted (rm's batches
    /// hold 1,000 keys, so none of page 1's two can have been sent before page 2 was read anyway). A copy may
    /// have fetched page 1's objects, which are there.
    repeat: page 2, before ["a", "b"], rm_may_delete [];
    /// The first page is truncated but names no next page.
    notoken: page 1, before [], rm_may_delete [];
    /// Pages 1 and 2 are good (k0001, k0002); page 3 hands back page 1's token. The fault comes on a later
    /// page: the AWS CLI, deleting each key as it lists, would have deleted k0001 and k0002 by then, so rm may
    /// have too, but only in a request sent before it asked for page 3. Nothing may be deleted after the
    /// fault: no request once page 3 was asked for, and no key of page 3 or beyond. (rm sends a batch once it
    /// holds 1,000 keys, so in fact it has nothing to send before page 3: its two keys may not go after.)
    cycle: page 3, before ["k0001", "k0002"], rm_may_delete ["k0001", "k0002"];
    /// The first page's first entry has no Key.
    nokey: page 1, before [], rm_may_delete [];
    /// The first page's second entry has a Size of `abc`.
    badsize: page 1, before [], rm_may_delete [];
    /// The first page's second entry has a LastModified of `not-a-date`.
    baddate: page 1, before [], rm_may_delete [];
}

#[test]
fn a_token_cycle_is_stopped_by_awl_not_by_the_servers_cap() {
    // The tokens go A, B, A: the third page hands back a token already followed. The server would end the
    // listing itself after 50 pages; awl must stop at the third, in each of its two listings: the one at '/'
    // (whose breach hands over to a plain listing, as a store's broken delimiter listing would) and the
    // plain one, which breaks the same way and ends the run.
    let s3 = BadS3::start("cycle");
    let out = s3.run(&["s3", "ls", "--recursive", "s3://b/d/"]);
    let n = s3.listings();
    assert!(n <= 6, "{n} pages asked for; stderr: {}", text(&out.stderr));
    assert_eq!(out.status.code(), Some(255), "{}", text(&out.stderr));
}

#[test]
fn ls_into_a_closed_pipe_stops_listing() {
    // `awl s3 ls --recursive s3://b/big/ | head -1`: 20 pages of over 64 KiB of lines each, and a reader that
    // goes after the first line. Listing on is 17 pages of requests that nobody reads. (The folder itself,
    // where the keys are: this server groups each of its fixed pages at a delimiter on its own, so listed at
    // `/` from the bucket it names `big/` on every page, and awl lists it plainly instead: see below.)
    let s3 = BadS3::start("big");
    let first_key = s3.objects("").into_iter().map(|(k, _)| k).min().expect("keys");
    let mut child = s3
        .awl(&["s3", "ls", "--recursive", "s3://b/big/"])
        .spawn()
        .expect("awl runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("a line");
    // The reader is dropped here, as `head` exits.
    let out = finish(child);
    assert!(line.trim_end().ends_with(&first_key), "{line}");
    let quiet_end = out.status.code() == Some(0) || out.status.signal() == Some(13);
    assert!(quiet_end, "{:?}: {}", out.status, text(&out.stderr));
    assert_eq!(text(&out.stderr), "");
    let n = s3.listings();
    assert!(n <= 3, "{n} of 20 pages asked for after the reader had gone");
}

/// A store whose delimiter listing is not to be trusted is listed plainly, never missing a key: CommonPrefixes
/// left unencoded under `encoding-type=url` (`d/a+b/` read as `d/a b/`, which lists nothing; alone under a
/// prefix, in tests/s3_ls_tree.rs), one whose decoded name sorts after a key its
/// own keys sort before (`d/caf%C3%A9/` read as `d/café/`, beside `d/cafe.txt`), one that decodes to two
/// levels (`d/x%2Fy/`); and a folder named again on every page (`big`).
/// `ls --recursive` prints every key, and `sync --delete` into a folder holding them all deletes nothing.
#[test]
fn folder_names_that_cannot_be_trusted_are_not_followed() {
    for scenario in ["rawprefix", "rawcafe", "rawslash"] {
        let s3 = BadS3::start(scenario);
        let out = s3.run(&["s3", "ls", "--recursive", "s3://b/d/"]);
        ok(&out);
        let mut keys: Vec<String> = s3.objects("").into_iter().map(|(k, _)| k).collect();
        keys.sort();
        let listed: Vec<String> = text(&out.stdout)
            .lines()
            .filter_map(|l| l.rsplit(' ').next().map(str::to_owned))
            .collect();
        assert_eq!(listed, keys, "{scenario}");
        let dest = temp_dir("dest");
        populate(&dest, &s3.objects("d/"), LISTED);
        let out = s3.run(&["s3", "sync", "--delete", "s3://b/d/", &dest.to_string_lossy()]);
        ok(&out);
        let mut left: Vec<PathBuf> = files_under(&dest);
        left.sort();
        let mut want: Vec<PathBuf> = s3
            .objects("d/")
            .into_iter()
            .map(|(n, _)| PathBuf::from(n))
            .collect();
        want.sort();
        assert_eq!(
            left, want,
            "{scenario}: sync --delete removed what the source has"
        );
        assert!(text(&out.stdout).is_empty(), "{scenario}: {}", text(&out.stdout));
    }
    let s3 = BadS3::start("big");
    let out = s3.run(&["s3", "ls", "--recursive", "s3://b/"]);
    ok(&out);
    assert_eq!(text(&out.stdout).lines().count(), 20_000);
}

#[test]
fn a_well_formed_url_encoded_listing_syncs_every_file_under_its_own_name() {
    // The control: two good pages (the token holding '/', '+', '=' and a space), keys with a space, '+', '%'
    // and '&', url-encoded when awl asks for that. Every object arrives under its own name, nothing else does.
    let s3 = BadS3::start("good");
    let files = s3.objects("d/");
    let dest = temp_dir("dest");
    let out = s3.run(&["s3", "sync", "s3://b/d", &dest.to_string_lossy()]);
    ok(&out);
    for (name, size) in &files {
        assert_eq!(fs::read(dest.join(name)).ok(), Some(vec![b'x'; *size]), "{name}");
    }
    let mut found = files_under(&dest);
    found.sort();
    let mut expected: Vec<PathBuf> = files.iter().map(|(n, _)| PathBuf::from(n)).collect();
    expected.sort();
    assert_eq!(found, expected);
    // `d/` at '/' (its two pages: the keys, then the folder `sub/`), then `d/sub/` listed whole: this server
    // answers its two fixed pages to every listing, the first holding nothing under `d/sub/`.
    assert_eq!(s3.listings(), 4);
    assert!(s3.writes().is_empty(), "{:?}", s3.writes());
}

/// A ListObjectsV2 answer of 28 MB of empty elements (under the 32 MiB body cap) read under a 400 MB address
/// space limit: one error line and exit 255, not an abort on a failed allocation (exit 134). The XML reader
/// caps the elements of a document far above what any real answer holds, so its memory stays proportional to
/// the input.
#[test]
fn a_page_of_millions_of_empty_elements_is_refused_within_a_memory_limit() {
    let s3 = BadS3::start("empties");
    let cmd = s3.awl(&["s3", "ls", "s3://b/"]);
    let program = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(ToOwned::to_owned).collect();
    // The same command and environment, run through prlimit.
    let mut limited = Command::new("prlimit");
    limited.arg("--as=400000000").arg("--").arg(program).args(args);
    limited.env_clear();
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            limited.env(k, v);
        }
    }
    limited.stdout(Stdio::piped()).stderr(Stdio::piped());
    let out = finish(limited.spawn().expect("prlimit runs"));
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(255), "{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("awl: error")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(errors[0].contains("more elements than any answer holds"), "{err}");
}
