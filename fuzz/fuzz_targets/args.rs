//! The command-line parser must never panic, whatever the arguments; help pages render for what it accepts.
#![no_main]

use awl::cli::parse;
use libfuzzer_sys::fuzz_target;
use std::ffi::OsString;

fuzz_target!(|data: &[u8]| {
    let args: Vec<OsString> = data
        .split(|&b| b == 0)
        .map(|a| OsString::from(String::from_utf8_lossy(a).into_owned()))
        .collect();
    if let Ok(parsed) = parse(args) {
        let _ = parsed.help_page();
    }
});
