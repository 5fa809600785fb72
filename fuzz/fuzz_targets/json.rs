//! The JSON reader must never panic; what it reads must survive a write and a second read (Python style
//! sorts object keys, so its output must read back to itself).
#![no_main]

use awl::codec::json::{Style, parse, to_string};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(v) = parse(text) {
        assert_eq!(parse(&to_string(&v, Style::Pretty)).ok().as_ref(), Some(&v));
        let python = to_string(&v, Style::Python);
        let again = parse(&python).expect("Python-style output reads");
        assert_eq!(to_string(&again, Style::Python), python);
    }
});
