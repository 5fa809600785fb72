//! The table of commands, subcommands and their options: what the parser accepts, what the help pages and the
//! completion scripts list. One table, so that they cannot drift apart.

/// An option of a command: `--name` alone, or `--name VALUE`.
#[derive(Debug)]
pub struct OptionSpec {
    /// `--name`.
    pub name: &'static str,
    /// What the value is, for the help page (`SIZE`); `None` for an option that takes no value.
    pub value: Option<&'static str>,
    /// One line of help.
    pub help: &'static str,
}

/// One command or subcommand.
#[derive(Debug)]
pub struct CommandSpec {
    /// The word that names it.
    pub name: &'static str,
    /// One line: what it does.
    pub summary: &'static str,
    /// The usage lines.
    pub usage: &'static str,
    /// More text for its help page: notes and examples.
    pub details: &'static str,
    /// Its options.
    pub options: &'static [OptionSpec],
    /// Whether everything after the command words is a command line of its own, taken as it is (`exec`).
    pub raw: bool,
    /// Its subcommands (none for a leaf).
    pub subcommands: &'static [CommandSpec],
}

const fn leaf(
    name: &'static str,
    summary: &'static str,
    usage: &'static str,
    details: &'static str,
    options: &'static [OptionSpec],
) -> CommandSpec {
    CommandSpec {
        name,
        summary,
        usage,
        details,
        options,
        raw: false,
        subcommands: &[],
    }
}

const fn flag(name: &'static str, help: &'static str) -> OptionSpec {
    OptionSpec {
        name,
        value: None,
        help,
    }
}

const fn valued(name: &'static str, value: &'static str, help: &'static str) -> OptionSpec {
    OptionSpec {
        name,
        value: Some(value),
        help,
    }
}

/// Every command, in the order the overview lists them.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "s3",
        summary: "list, create and copy to and from S3 buckets",
        usage: "awl s3 <subcommand> [parameters]",
        details: "",
        options: &[],
        raw: false,
        subcommands: &[
            leaf(
                "ls",
                "list your buckets, or the objects under a bucket and prefix",
                "awl s3 ls [s3://bucket[/prefix]] [--recursive]",
                "Examples:\n  awl s3 ls\n  awl --profile profile2 s3 ls s3://mysuperduperbucket/reports/",
                &[flag(
                    "--recursive",
                    "list every object under the prefix, not folder by folder",
                )],
            ),
            leaf(
                "mb",
                "make a bucket in the profile's region",
                "awl s3 mb s3://bucket [--exists-ok]",
                "Sends the region's LocationConstraint (none in us-east-1).\n\nExample:\n  awl --profile profile2 s3 mb s3://mysuperduperbucket",
                &[flag("--exists-ok", "succeed if you already own the bucket")],
            ),
            leaf(
                "cp",
                "copy a file to S3 or an object to a file",
                "awl s3 cp FILE s3://bucket/key\n       awl s3 cp s3://bucket/key FILE|-",
                "Files of 8 MiB and more go up as parallel multipart uploads.\n\nExample:\n  awl --profile profile2 s3 cp samplefile.txt s3://mysuperduperbucket/book.txt",
                &[
                    flag("--quiet", "print nothing but errors"),
                    valued(
                        "--content-type",
                        "TYPE",
                        "the object's Content-Type (default: guessed from the file's extension)",
                    ),
                    valued(
                        "--max-concurrency",
                        "N",
                        "parts in flight at once, 1 to 64 (default 10)",
                    ),
                    valued(
                        "--multipart-threshold",
                        "SIZE",
                        "files of this size and more go up in parts (default 8MiB)",
                    ),
                    valued(
                        "--multipart-chunksize",
                        "SIZE",
                        "the size of each part (default 8MiB)",
                    ),
                ],
            ),
            leaf(
                "presign",
                "print a presigned GET URL for an object",
                "awl s3 presign s3://bucket/key [--expires-in SECONDS]",
                "Example:\n  awl s3 presign s3://mysuperduperbucket/book.txt --expires-in 600",
                &[valued(
                    "--expires-in",
                    "SECONDS",
                    "how long the URL works, 1 to 604800 (default 3600)",
                )],
            ),
        ],
    },
    CommandSpec {
        name: "sts",
        summary: "ask STS who you are, or assume a role",
        usage: "awl sts <subcommand> [parameters]",
        details: "",
        options: &[],
        raw: false,
        subcommands: &[
            leaf(
                "get-caller-identity",
                "print the account, user id and ARN of the credentials in use",
                "awl sts get-caller-identity",
                "Example:\n  awl --profile profile2 sts get-caller-identity",
                &[],
            ),
            leaf(
                "assume-role",
                "assume a role and print its temporary credentials",
                "awl sts assume-role --role-arn ARN --role-session-name NAME\n       [--serial-number ARN --token-code CODE] [--duration-seconds N] [--external-id ID]",
                "Calls STS directly with the profile's credentials (no cache), as `aws sts assume-role` does.\n\nExample:\n  awl sts assume-role --role-arn arn:aws:iam::456:role/Sysops --role-session-name ops \\\n      --serial-number arn:aws:iam::789:mfa/me --token-code 123456",
                &[
                    valued("--role-arn", "ARN", "the role to assume (required)"),
                    valued("--role-session-name", "NAME", "the session's name (required)"),
                    valued("--serial-number", "ARN", "the MFA device, with --token-code"),
                    valued(
                        "--token-code",
                        "CODE",
                        "the 6-digit MFA code, with --serial-number",
                    ),
                    valued(
                        "--duration-seconds",
                        "N",
                        "how long the credentials last (STS: 900 to 43200)",
                    ),
                    valued(
                        "--external-id",
                        "ID",
                        "the external id the role's trust policy asks for",
                    ),
                ],
            ),
        ],
    },
    CommandSpec {
        name: "configure",
        summary: "set up a profile, or show where each setting comes from",
        usage: "awl configure [--profile P]\n       awl configure list [--profile P]",
        details: "Asks for the access key, secret key, region and output format, as `aws configure` does, and writes\nthem to ~/.aws/credentials and ~/.aws/config (atomically, mode 0600, every other line kept).\n\nExamples:\n  awl configure --profile dev\n  awl --profile profile2 configure list",
        options: &[],
        raw: false,
        subcommands: &[leaf(
            "list",
            "show every setting of a profile and where it came from",
            "awl configure list [--profile P] [--output json]",
            "Example:\n  awl --profile profile2 configure list",
            &[],
        )],
    },
    leaf(
        "env",
        "print the profile's credentials as shell export lines",
        "awl env [--profile P]",
        "Example:\n  eval \"$(awl --profile profile2 env)\"",
        &[],
    ),
    CommandSpec {
        name: "exec",
        summary: "run a command with the profile's credentials in its environment",
        usage: "awl exec [--profile P] -- COMMAND [ARGS...]",
        details: "Example:\n  awl --profile profile2 exec -- terraform plan",
        options: &[],
        raw: true,
        subcommands: &[],
    },
    leaf(
        "completion",
        "print a shell completion script",
        "awl completion bash|zsh",
        "Examples:\n  source <(awl completion bash)          # in ~/.bashrc\n  awl completion zsh > \"${fpath[1]}/_awl\"",
        &[],
    ),
    leaf(
        "credential-process",
        "print credentials as JSON for another tool's credential_process",
        "awl credential-process --profile P",
        "In ~/.aws/config:\n  credential_process = /usr/local/bin/awl credential-process --profile profile2",
        &[],
    ),
];

/// The options that every command takes, before or after the command words.
pub static GLOBAL_OPTIONS: &[OptionSpec] = &[
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
    valued("--output", "json|text", "the output format"),
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

/// The command or subcommand that `words` name, walking the table; `None` for no words.
pub fn find(words: &[&str]) -> Option<&'static CommandSpec> {
    let mut specs = COMMANDS;
    let mut spec = None;
    for w in words {
        let s = specs.iter().find(|s| s.name == *w)?;
        spec = Some(s);
        specs = s.subcommands;
    }
    spec
}

/// The global option `name`, if it is one.
pub fn global(name: &str) -> Option<&'static OptionSpec> {
    GLOBAL_OPTIONS.iter().find(|o| o.name == name)
}

/// The names of a list of commands, for messages: `ls, mb, cp, presign`.
pub fn names(specs: &[CommandSpec]) -> String {
    specs.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
}
