//! The Content-Type of an upload, guessed from the file's name as the AWS CLI guesses it: Python's
//! `mimetypes.guess_type` (strict), which reads `/etc/mime.types` where present over its built-in table. So
//! `.tar.gz` is `application/x-tar` (gzip is an encoding, not a type), `.tgz` the same, `.bin`
//! `application/octet-stream`, and a name it does not know gets no Content-Type at all (S3 then stores
//! `binary/octet-stream`).

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

/// Suffixes that stand for two (`mimetypes.suffix_map`).
const SUFFIXES: &[(&str, &str)] = &[
    (".svgz", ".svg.gz"),
    (".tgz", ".tar.gz"),
    (".taz", ".tar.gz"),
    (".tz", ".tar.gz"),
    (".tbz2", ".tar.bz2"),
    (".txz", ".tar.xz"),
];

/// Suffixes that are encodings, taken off before the type is looked up (`mimetypes.encodings_map`).
const ENCODINGS: &[&str] = &[".gz", ".Z", ".bz2", ".xz", ".br"];

/// The system's table, read by Python's `mimetypes.init` before any guess.
const SYSTEM_TABLE: &str = "/etc/mime.types";

/// Largest system table read (Debian's is 74 KB).
const MAX_TABLE: u64 = 1 << 20;

/// Python 3.11's built-in `mimetypes.types_map` (strict), extension (with its dot) to type, sorted by
/// extension. Generated from `mimetypes._types_map_default` of CPython 3.11.7 (PSF licence: a data
/// table); `/etc/mime.types` overrides it where present, as Python's `mimetypes.init` does.
const BUILT_IN: &[(&str, &str)] = &[
    (".3g2", "audio/3gpp2"),
    (".3gp", "audio/3gpp"),
    (".3gpp", "audio/3gpp"),
    (".3gpp2", "audio/3gpp2"),
    (".a", "application/octet-stream"),
    (".aac", "audio/aac"),
    (".adts", "audio/aac"),
    (".ai", "application/postscript"),
    (".aif", "audio/x-aiff"),
    (".aifc", "audio/x-aiff"),
    (".aiff", "audio/x-aiff"),
    (".ass", "audio/aac"),
    (".au", "audio/basic"),
    (".avi", "video/x-msvideo"),
    (".avif", "image/avif"),
    (".bat", "text/plain"),
    (".bcpio", "application/x-bcpio"),
    (".bin", "application/octet-stream"),
    (".bmp", "image/bmp"),
    (".c", "text/plain"),
    (".cdf", "application/x-netcdf"),
    (".cpio", "application/x-cpio"),
    (".csh", "application/x-csh"),
    (".css", "text/css"),
    (".csv", "text/csv"),
    (".dll", "application/octet-stream"),
    (".doc", "application/msword"),
    (".dot", "application/msword"),
    (".dvi", "application/x-dvi"),
    (".eml", "message/rfc822"),
    (".eps", "application/postscript"),
    (".etx", "text/x-setext"),
    (".exe", "application/octet-stream"),
    (".gif", "image/gif"),
    (".gtar", "application/x-gtar"),
    (".h", "text/plain"),
    (".h5", "application/x-hdf5"),
    (".hdf", "application/x-hdf"),
    (".heic", "image/heic"),
    (".heif", "image/heif"),
    (".htm", "text/html"),
    (".html", "text/html"),
    (".ico", "image/vnd.microsoft.icon"),
    (".ief", "image/ief"),
    (".jpe", "image/jpeg"),
    (".jpeg", "image/jpeg"),
    (".jpg", "image/jpeg"),
    (".js", "application/javascript"),
    (".json", "application/json"),
    (".ksh", "text/plain"),
    (".latex", "application/x-latex"),
    (".loas", "audio/aac"),
    (".m1v", "video/mpeg"),
    (".m3u", "application/vnd.apple.mpegurl"),
    (".m3u8", "application/vnd.apple.mpegurl"),
    (".man", "application/x-troff-man"),
    (".me", "application/x-troff-me"),
    (".mht", "message/rfc822"),
    (".mhtml", "message/rfc822"),
    (".mif", "application/x-mif"),
    (".mjs", "application/javascript"),
    (".mov", "video/quicktime"),
    (".movie", "video/x-sgi-movie"),
    (".mp2", "audio/mpeg"),
    (".mp3", "audio/mpeg"),
    (".mp4", "video/mp4"),
    (".mpa", "video/mpeg"),
    (".mpe", "video/mpeg"),
    (".mpeg", "video/mpeg"),
    (".mpg", "video/mpeg"),
    (".ms", "application/x-troff-ms"),
    (".n3", "text/n3"),
    (".nc", "application/x-netcdf"),
    (".nq", "application/n-quads"),
    (".nt", "application/n-triples"),
    (".nws", "message/rfc822"),
    (".o", "application/octet-stream"),
    (".obj", "application/octet-stream"),
    (".oda", "application/oda"),
    (".opus", "audio/opus"),
    (".p12", "application/x-pkcs12"),
    (".p7c", "application/pkcs7-mime"),
    (".pbm", "image/x-portable-bitmap"),
    (".pdf", "application/pdf"),
    (".pfx", "application/x-pkcs12"),
    (".pgm", "image/x-portable-graymap"),
    (".pl", "text/plain"),
    (".png", "image/png"),
    (".pnm", "image/x-portable-anymap"),
    (".pot", "application/vnd.ms-powerpoint"),
    (".ppa", "application/vnd.ms-powerpoint"),
    (".ppm", "image/x-portable-pixmap"),
    (".pps", "application/vnd.ms-powerpoint"),
    (".ppt", "application/vnd.ms-powerpoint"),
    (".ps", "application/postscript"),
    (".pwz", "application/vnd.ms-powerpoint"),
    (".py", "text/x-python"),
    (".pyc", "application/x-python-code"),
    (".pyo", "application/x-python-code"),
    (".qt", "video/quicktime"),
    (".ra", "audio/x-pn-realaudio"),
    (".ram", "application/x-pn-realaudio"),
    (".ras", "image/x-cmu-raster"),
    (".rdf", "application/xml"),
    (".rgb", "image/x-rgb"),
    (".roff", "application/x-troff"),
    (".rtx", "text/richtext"),
    (".sgm", "text/x-sgml"),
    (".sgml", "text/x-sgml"),
    (".sh", "application/x-sh"),
    (".shar", "application/x-shar"),
    (".snd", "audio/basic"),
    (".so", "application/octet-stream"),
    (".src", "application/x-wais-source"),
    (".srt", "text/plain"),
    (".sv4cpio", "application/x-sv4cpio"),
    (".sv4crc", "application/x-sv4crc"),
    (".svg", "image/svg+xml"),
    (".swf", "application/x-shockwave-flash"),
    (".t", "application/x-troff"),
    (".tar", "application/x-tar"),
    (".tcl", "application/x-tcl"),
    (".tex", "application/x-tex"),
    (".texi", "application/x-texinfo"),
    (".texinfo", "application/x-texinfo"),
    (".tif", "image/tiff"),
    (".tiff", "image/tiff"),
    (".tr", "application/x-troff"),
    (".trig", "application/trig"),
    (".tsv", "text/tab-separated-values"),
    (".txt", "text/plain"),
    (".ustar", "application/x-ustar"),
    (".vcf", "text/x-vcard"),
    (".vtt", "text/vtt"),
    (".wasm", "application/wasm"),
    (".wav", "audio/x-wav"),
    (".webm", "video/webm"),
    (".webmanifest", "application/manifest+json"),
    (".wiz", "application/msword"),
    (".wsdl", "application/xml"),
    (".xbm", "image/x-xbitmap"),
    (".xlb", "application/vnd.ms-excel"),
    (".xls", "application/vnd.ms-excel"),
    (".xml", "text/xml"),
    (".xpdl", "application/xml"),
    (".xpm", "image/x-xpixmap"),
    (".xsl", "application/xml"),
    (".xwd", "image/x-xwindowdump"),
    (".zip", "application/zip"),
];

/// The types of a `mime.types` text: each line a type then its extensions, `#` to the end of a line a
/// comment; later lines win, as Python's `MimeTypes.readfp` reads them.
pub fn parse_table(text: &str) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default();
        let mut words = line.split_whitespace();
        let Some(kind) = words.next() else { continue };
        for ext in words {
            map.insert(format!(".{ext}"), kind.to_owned());
        }
    }
    map
}

/// The system table, read once (a regular file of at most 1 MiB; anything else, or none, is no table).
fn system() -> &'static HashMap<String, String> {
    static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    TABLE.get_or_init(|| {
        crate::fs::read_regular(Path::new(SYSTEM_TABLE), MAX_TABLE, crate::fs::Links::Follow)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(|t| parse_table(&t))
            .unwrap_or_default()
    })
}

/// Python's `posixpath.splitext`: the last `.suffix` of the name, unless the dot only leads the name.
fn split_ext(name: &str) -> (&str, &str) {
    let file = name.rsplit('/').next().unwrap_or(name);
    let dots = file.len() - file.trim_start_matches('.').len();
    match file[dots..].rfind('.') {
        Some(i) => name.split_at(name.len() - file.len() + dots + i),
        None => (name, ""),
    }
}

/// `mimetypes.guess_type(name, strict=True)[0]` with `system` over the built-in table: suffixes that stand
/// for two expanded (any case), an encoding suffix taken off (its case exact), the rest looked up in lower
/// case.
pub fn guess_with(name: &str, system: &HashMap<String, String>) -> Option<String> {
    let mut name = name.to_owned();
    while let Some((_, to)) = {
        let ext = split_ext(&name).1.to_ascii_lowercase();
        SUFFIXES.iter().find(|(from, _)| *from == ext)
    } {
        let base = name.len() - split_ext(&name).1.len();
        name.truncate(base);
        name.push_str(to);
    }
    let (base, ext) = split_ext(&name);
    let ext = if ENCODINGS.contains(&ext) {
        split_ext(base).1
    } else {
        ext
    };
    let ext = ext.to_ascii_lowercase();
    if ext.is_empty() {
        return None;
    }
    system.get(&ext).cloned().or_else(|| {
        BUILT_IN
            .iter()
            .find(|(e, _)| *e == ext)
            .map(|(_, t)| (*t).to_owned())
    })
}

/// The Content-Type the AWS CLI would send for `path`, or none.
pub fn guess(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    guess_with(name, system())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_pythons_mimetypes_guesses() {
        let none = HashMap::new();
        let g = |n: &str| guess_with(n, &none);
        assert_eq!(g("samplefile.txt").as_deref(), Some("text/plain"));
        assert_eq!(g("a.TXT").as_deref(), Some("text/plain"));
        assert_eq!(g("a.tar.gz").as_deref(), Some("application/x-tar"));
        assert_eq!(g("a.tgz").as_deref(), Some("application/x-tar"));
        assert_eq!(g("a.bin").as_deref(), Some("application/octet-stream"));
        assert_eq!(g("a.json").as_deref(), Some("application/json"));
        assert_eq!(g("a.log"), None);
        assert_eq!(g("noext"), None);
        assert_eq!(g(".bashrc"), None, "a leading dot is no suffix");
        assert_eq!(g("a.gz"), None, "an encoding alone is no type");
        let system =
            parse_table("# comment\ntext/x-log log  # a note\napplication/json json\ntext/plain txt\n");
        assert_eq!(guess_with("a.log", &system).as_deref(), Some("text/x-log"));
        assert_eq!(
            guess_with("a.bin", &system).as_deref(),
            Some("application/octet-stream")
        );
    }
}
