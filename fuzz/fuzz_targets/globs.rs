//! The `--exclude`/`--include` matcher must never panic and must stay fast, whatever the pattern and path.
#![no_main]

use awl::s3::sync::filter::{Filters, fnmatch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (pattern, name) = text.split_once('\0').unwrap_or((text, "a/b.txt"));
    let matched = fnmatch(pattern, name);
    // A pattern always matches itself when it holds no wildcard or set.
    if !pattern.contains(['*', '?', '[']) {
        assert_eq!(matched, pattern == name);
    }
    let mut filters = Filters::default();
    filters.push(false, pattern);
    let _ = filters.admits(name);
});
