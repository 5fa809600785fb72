//! The JSON reader must never panic; what it reads must survive a write and a second read.
#![no_main]

use awl::json::{Style, parse, to_string};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(v) = parse(text) {
        for style in [Style::Pretty, Style::Python] {
            assert_eq!(parse(&to_string(&v, style)).ok().as_ref(), Some(&v));
        }
    }
});
