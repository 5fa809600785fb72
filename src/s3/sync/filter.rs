//! `--exclude` and `--include`, with the AWS CLI's rules: each pattern is a shell glob (Python's `fnmatch`:
//! `*` matches anything, `/` included; `?` one character; `[seq]`, `[!seq]`) matched against the path under
//! the source or destination root; every path starts included, and later rules win over earlier ones.
//! `--shard K/N` then keeps the paths of one shard ([`Shard`]), so that N runs share the work.

use sha2::{Digest, Sha256};

/// The filters of a command, in the order given, and the shard it takes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    rules: Vec<(bool, String)>,
    shard: Option<Shard>,
}

/// One of N parts of the paths under the roots (`--shard K/N`): a path is in shard
/// `u64::from_be_bytes(first 8 bytes of SHA-256(path as UTF-8)) % N`, the path being the key under the root
/// (`/`-separated, as a sync joins the two sides), so a source and its counterpart at the destination always
/// fall in the same shard, and any tool can tell which shard a key is in. N runs with K = 0..N-1 together take
/// every path exactly once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    index: u32,
    count: u32,
}

impl Shard {
    /// The most shards a command can be split into.
    pub const MAX: u32 = 65536;

    /// Shard `index` of `count`; `None` unless `index < count <= Shard::MAX`.
    pub fn new(index: u32, count: u32) -> Option<Self> {
        (index < count && count <= Self::MAX).then_some(Shard { index, count })
    }

    /// `K/N`, decimal digits only.
    pub fn parse(text: &str) -> Option<Self> {
        let number = |s: &str| {
            // Digits only: `u32::from_str` would also take a `+`, which no one means here.
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        let (k, n) = text.split_once('/')?;
        Self::new(number(k)?, number(n)?)
    }

    /// The shard of `relative` among `count` (at least 1).
    pub fn of(relative: &str, count: u32) -> u32 {
        let digest = Sha256::digest(relative.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        // Below `count`, so it fits.
        (u64::from_be_bytes(first) % u64::from(count.max(1))) as u32
    }

    /// Whether `relative` is in this shard.
    pub fn takes(&self, relative: &str) -> bool {
        Self::of(relative, self.count) == self.index
    }
}

impl Filters {
    /// Adds `--include PATTERN` (`include`) or `--exclude PATTERN`.
    pub fn push(&mut self, include: bool, pattern: &str) {
        self.rules.push((include, pattern.to_owned()));
    }

    /// Takes only the paths of `shard` (`--shard K/N`).
    pub fn shard(&mut self, shard: Shard) {
        self.shard = Some(shard);
    }

    /// Whether every path passes: no rules and no shard.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.shard.is_none()
    }

    /// Whether the path `relative` (under the root, `/`-separated) passes the filters and is in the shard.
    pub fn admits(&self, relative: &str) -> bool {
        let mut admitted = true;
        for (include, pattern) in &self.rules {
            if fnmatch(pattern, relative) {
                admitted = *include;
            }
        }
        admitted && self.shard.is_none_or(|s| s.takes(relative))
    }
}

/// A `[...]` set at the start of `p` (just after the `[`): whether `c` is in it, and how many characters the
/// set takes up to and including its `]`; `None` if it is not closed (the `[` is then a plain character).
fn set(p: &[char], c: char) -> Option<(bool, usize)> {
    let (negate, start) = match p.first() {
        Some('!') => (true, 1),
        _ => (false, 0),
    };
    let mut i = start;
    let mut found = false;
    // A `]` first in the set is one of its characters.
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((found != negate, i + 1));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            found |= p[i] <= c && c <= p[i + 2];
            i += 3;
        } else {
            found |= p[i] == c;
            i += 1;
        }
    }
    None
}

/// Python's `fnmatch.fnmatchcase` (POSIX paths are case-sensitive): the whole of `name` against `pattern`.
pub fn fnmatch(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Backtracking on the last `*`, which is linear enough for paths.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        let step = match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
                continue;
            }
            Some('?') => Some(1),
            Some('[') => match set(&p[pi + 1..], n[ni]) {
                Some((true, len)) => Some(len + 1),
                Some((false, _)) => None,
                None => (n[ni] == '[').then_some(1),
            },
            Some(&c) => (c == n[ni]).then_some(1),
            None => None,
        };
        match (step, star) {
            (Some(len), _) => {
                pi += len;
                ni += 1;
            }
            (None, Some((sp, sn))) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            (None, None) => return false,
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_as_python_fnmatch() {
        for (p, n, want) in [
            ("*", "a/b/c.txt", true),
            ("*.txt", "a/b/c.txt", true),
            ("*.txt", "c.txt.gz", false),
            ("a/*", "a/b/c", true),
            ("?.txt", "a.txt", true),
            ("?.txt", "ab.txt", false),
            ("[ab].txt", "b.txt", true),
            ("[!ab].txt", "b.txt", false),
            ("[a-c]x", "bx", true),
            ("[]]x", "]x", true),
            ("[x", "[x", true),
            ("*b*", "abc", true),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbY", false),
            ("", "", true),
            ("dir/", "dir/", true),
        ] {
            assert_eq!(fnmatch(p, n), want, "{p} vs {n}");
        }
    }

    #[test]
    fn later_rules_win() {
        let mut f = Filters::default();
        assert!(f.admits("x"));
        f.push(false, "*");
        f.push(true, "*.txt");
        assert!(f.admits("a/b.txt") && !f.admits("a/b.jpg"));
        f.push(false, "secret/*");
        assert!(!f.admits("secret/a.txt"));
    }

    #[test]
    fn shard_is_the_first_8_bytes_of_sha256_big_endian_mod_n() {
        // python3 -c 'import hashlib; print(int.from_bytes(hashlib.sha256(k.encode()).digest()[:8], "big") % n)'
        // SHA-256 prefixes: "" e3b0c44298fc1c14, "a.txt" 18b7cb099a9ea3f5, "dir/sub/file.bin" feea7143dc916f01,
        // "ключ/é" e6cb42eb5fb14be3, "a" ca978112ca1bbdca.
        for (key, by4, by65536, by3) in [
            ("", 0, 7188, 1),
            ("a.txt", 1, 41973, 2),
            ("dir/sub/file.bin", 1, 28417, 2),
            ("ключ/é", 3, 19427, 0),
            ("a", 2, 48586, 1),
        ] {
            assert_eq!(
                (Shard::of(key, 4), Shard::of(key, 65536), Shard::of(key, 3)),
                (by4, by65536, by3),
                "{key}"
            );
            assert_eq!(Shard::of(key, 1), 0);
        }
    }

    #[test]
    fn shards_split_the_paths_once() {
        let shards: Vec<Filters> = (0..4)
            .map(|k| {
                let mut f = Filters::default();
                f.push(false, "*.tmp");
                f.shard(Shard::new(k, 4).expect("a shard"));
                f
            })
            .collect();
        for i in 0..200 {
            let path = format!("d{}/f{i}", i % 7);
            assert_eq!(shards.iter().filter(|f| f.admits(&path)).count(), 1, "{path}");
            assert!(
                shards.iter().all(|f| !f.admits(&format!("{path}.tmp"))),
                "rules first"
            );
        }
    }

    #[test]
    fn shard_parsing() {
        assert_eq!(Shard::parse("0/1"), Shard::new(0, 1));
        assert_eq!(Shard::parse("3/4"), Some(Shard { index: 3, count: 4 }));
        assert_eq!(Shard::parse("65535/65536").map(|s| s.count), Some(65536));
        for bad in [
            "",
            "4/4",
            "1/0",
            "0/0",
            "0/65537",
            "-1/4",
            "+1/4",
            "1/+4",
            " 1/4",
            "1 /4",
            "1/4/",
            "1",
            "/4",
            "1/",
            "a/b",
            "1/4x",
            "99999999999/4",
        ] {
            assert_eq!(Shard::parse(bad), None, "{bad:?}");
        }
    }
}
