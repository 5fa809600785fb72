//! `--exclude` and `--include`, with the AWS CLI's rules: each pattern is a shell glob (Python's `fnmatch`:
//! `*` matches anything, `/` included; `?` one character; `[seq]`, `[!seq]`) matched against the path under
//! the source or destination root; every path starts included, and later rules win over earlier ones.

/// The filters of a command, in the order given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    rules: Vec<(bool, String)>,
}

impl Filters {
    /// Adds `--include PATTERN` (`include`) or `--exclude PATTERN`.
    pub fn push(&mut self, include: bool, pattern: &str) {
        self.rules.push((include, pattern.to_owned()));
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether the path `relative` (under the root, `/`-separated) passes the filters.
    pub fn admits(&self, relative: &str) -> bool {
        let mut admitted = true;
        for (include, pattern) in &self.rules {
            if fnmatch(pattern, relative) {
                admitted = *include;
            }
        }
        admitted
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
}
