//! `credential_process` command lines are split as a POSIX shell splits words, and its output read as JSON:
//! neither may panic; a line of plain words splits into exactly those words.
#![no_main]

use awl::providers::process::{parse_output, split};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = split(text);
    let _ = parse_output(text);
    let plain: Vec<&str> = text.split([' ', '\t', '\n']).filter(|w| !w.is_empty()).collect();
    if plain.iter().all(|w| {
        w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:".contains(c))
    }) {
        assert_eq!(split(text).expect("plain words split"), plain);
    }
});
