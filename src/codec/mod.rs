//! Pure readers and writers of the formats awl exchanges: the AWS INI files, XML answers, JSON (caches,
//! process output, `--output json`), dates, percent-encoding, base64, and the redaction of secrets in text
//! that is printed; and JMESPath, the language of `--query`. Nothing here does I/O or reads the clock.

pub mod base64;
pub mod der;
pub mod ini;
pub mod jmespath;
pub mod json;
pub mod percent;
pub mod redact;
pub mod time;
pub mod xml;
