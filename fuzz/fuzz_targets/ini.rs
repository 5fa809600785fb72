//! The INI parser must never panic, whatever the bytes; what it accepts must survive a set_property edit.
#![no_main]

use awl::codec::ini::{FileKind, parse, set_property};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for kind in [FileKind::Config, FileKind::Credentials] {
        if let Ok(file) = parse(text, kind) {
            for p in &file.profiles {
                for prop in &p.properties {
                    let _ = prop.sub_properties();
                }
            }
            // An edit of a file that parses yields a file that parses, with the value set.
            let edited = set_property(text, kind, "fuzz", "region", "eu-west-1");
            let again = parse(&edited, kind).expect("an edited file still parses");
            let value = again
                .profile("fuzz")
                .and_then(|p| p.get("region"))
                .map(|p| p.value.as_str());
            assert_eq!(value, Some("eu-west-1"));
        }
    }
});
