//! Percent-decoding must never panic, and encoding then decoding any bytes gives them back.
#![no_main]

use awl::codec::percent::{decode, encode_into};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = decode(text);
    }
    for keep_slash in [false, true] {
        let mut out = String::new();
        encode_into(&mut out, data, keep_slash);
        assert!(out.bytes().all(|b| b.is_ascii_graphic()));
        assert_eq!(&*decode(&out), data);
    }
});
