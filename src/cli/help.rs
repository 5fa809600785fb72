//! The help pages, made from the command table: the overview, and a page per command with its usage, its
//! subcommands or options, notes and examples, and the global options.

use crate::cli::spec::{self, COMMANDS, GLOBAL_OPTIONS, OptionSpec};
use std::fmt::Write as _;

const TOP_USAGE: &str = "usage: awl [options] <command> <subcommand> [parameters]";

/// Lines of `  --name VALUE   help` for a list of options. Written straight into `out`: no string per line
/// (each small allocation of a new size touches fresh pages, which is most of what a help page costs).
fn option_lines(out: &mut String, options: &[OptionSpec]) {
    for o in options {
        out.push_str("  ");
        out.push_str(o.name);
        let mut width = o.name.len();
        if let Some(v) = o.value {
            out.push(' ');
            out.push_str(v);
            width += 1 + v.len();
        }
        if width > 20 {
            out.push_str("\n  ");
            width = 0;
        }
        out.extend(std::iter::repeat_n(' ', 21 - width));
        out.push_str(o.help);
        out.push('\n');
    }
}

fn global_options(out: &mut String) {
    out.push_str("Options (before or after the command):\n");
    option_lines(out, GLOBAL_OPTIONS);
}

/// Renders the help page of the command named by `words` (none, or words that name nothing: the overview).
pub(crate) fn help_text(words: &[&str]) -> String {
    if words.first() == Some(&"s3api") {
        return crate::cli::s3api::help_text(words.get(1).copied());
    }
    // The longest prefix of the words that names a command.
    let known = (0..=words.len())
        .rev()
        .find(|n| *n == 0 || spec::find(&words[..*n]).is_some())
        .unwrap_or(0);
    let mut out = String::with_capacity(4096);
    match spec::find(&words[..known]) {
        None => {
            let _ = write!(
                out,
                "awl {}: AWS credentials, profiles, STS and S3 in one small binary.\n\n{TOP_USAGE}\n\nCommands:\n",
                env!("CARGO_PKG_VERSION")
            );
            for c in COMMANDS {
                let _ = writeln!(out, "  {:<20} {}", c.name, c.summary);
            }
            out.push('\n');
            global_options(&mut out);
            out.push_str("\nRun 'awl help <command>' for the subcommands and examples of each command.\n");
        }
        Some(s) => {
            let _ = write!(
                out,
                "awl {}: {}\n\nusage: {}\n",
                words[..known].join(" "),
                s.summary,
                s.usage
            );
            if !s.subcommands.is_empty() {
                out.push_str("\nSubcommands:\n");
                for c in s.subcommands {
                    let _ = writeln!(out, "  {:<20} {}", c.name, c.summary);
                }
            }
            if !s.options.is_empty() {
                out.push_str("\nOptions of this command:\n");
                option_lines(&mut out, s.options);
            }
            if !s.details.is_empty() {
                out.push('\n');
                out.push_str(s.details);
                out.push('\n');
            }
            out.push('\n');
            global_options(&mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_a_help_page_naming_it_and_its_options() {
        for c in COMMANDS {
            assert!(help_text(&[c.name]).contains(c.usage));
            for s in c.subcommands {
                let page = help_text(&[c.name, s.name]);
                assert!(
                    page.contains(s.usage) && page.contains(s.summary),
                    "{} {}",
                    c.name,
                    s.name
                );
                for o in s.options {
                    assert!(
                        page.contains(o.name) && page.contains(o.help),
                        "{} {} {}",
                        c.name,
                        s.name,
                        o.name
                    );
                }
            }
        }
        assert!(help_text(&[]).contains("credential-process"));
        assert!(help_text(&[]).contains("--cli-read-timeout S"));
    }
}
