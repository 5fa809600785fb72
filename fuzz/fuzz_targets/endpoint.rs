//! Endpoint URLs (`--endpoint-url`, `AWS_ENDPOINT_URL*`, `endpoint_url`) must never panic the reader, and what
//! it accepts must be a URL that reads back the same; the redaction of URLs for messages must never panic and
//! never show a password.
#![no_main]

use awl::codec::redact;
use awl::transport::endpoint::Endpoint;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(e) = Endpoint::parse(text) {
        let again = Endpoint::parse(&format!("{}{}", e.origin(), e.base_path)).expect("its own origin reads");
        assert_eq!(again, e);
    }
    // Whatever names a user before an '@' in the authority is replaced.
    let shown = redact::url(text);
    if let Some((_, rest)) = text.split_once("://")
        && rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())].contains('@')
    {
        // The redaction comes before the text is cut to 300 characters: a cut may fall before or inside it.
        if let Some((_, after)) = shown.split_once("://") {
            let kept = after.trim_end_matches('…');
            assert!(
                after.starts_with("***@") || "***@".starts_with(kept),
                "user information shown: {shown}"
            );
        }
    }
});
