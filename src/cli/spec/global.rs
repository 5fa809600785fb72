//! The options every command takes, before or after the command words: their table, read by the argument
//! parser, the help pages and the completion scripts.

use super::{OptionSpec, flag, valued};

/// The options that every command takes, before or after the command words.
pub(crate) static GLOBAL_OPTIONS: &[OptionSpec] = &[
    valued(
        "--profile",
        "P",
        "use profile P from ~/.aws/config and ~/.aws/credentials",
    ),
    valued(
        "--region",
        "R",
        "use region R (overrides AWS_REGION and the profile)",
    ),
    valued(
        "--endpoint-url",
        "URL",
        "send requests to URL instead of the AWS endpoint",
    ),
    valued(
        "--mfa-code",
        "CODE",
        "the 6-digit MFA code, instead of a prompt (for scripts)",
    ),
    valued(
        "--output",
        "json|text|table|yaml|yaml-stream|off",
        "the format of a printed document (default: AWS_DEFAULT_OUTPUT, the profile's output, json)",
    ),
    valued(
        "--query",
        "EXPR",
        "a JMESPath expression applied to a printed document first",
    ),
    valued(
        "--color",
        "on|off|auto",
        "accepted for the AWS CLI's scripts (awl prints no colour)",
    ),
    flag(
        "--no-cli-pager",
        "accepted for the AWS CLI's scripts (awl uses no pager)",
    ),
    flag(
        "--no-paginate",
        "s3api listings: one request, its page printed as it is (the s3 commands read every page)",
    ),
    flag(
        "--no-verify-ssl",
        "refused: awl always verifies TLS (trust a private CA with AWS_CA_BUNDLE or ca_bundle)",
    ),
    valued(
        "--cli-connect-timeout",
        "S",
        "seconds to connect (60; 0: no limit)",
    ),
    valued(
        "--cli-read-timeout",
        "S",
        "seconds to wait for data (60; 0: no limit)",
    ),
    flag("--debug", "trace requests on stderr (secrets are never shown)"),
    flag("--version", "print the version and exit"),
    flag("--help", "print this help and exit"),
];

/// The global option `name`, if it is one.
pub(crate) fn global(name: &str) -> Option<&'static OptionSpec> {
    GLOBAL_OPTIONS.iter().find(|o| o.name == name)
}
