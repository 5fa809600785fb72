//! The table of commands, subcommands and their options: what the parser accepts, what the help pages and the
//! completion scripts list. One table, so that they cannot drift apart.

mod global;

pub(crate) use global::{GLOBAL_OPTIONS, global};

/// An option of a command: `--name` alone, or `--name VALUE`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OptionSpec {
    /// `--name`.
    pub(crate) name: &'static str,
    /// What the value is, for the help page (`SIZE`); `None` for an option that takes no value.
    pub(crate) value: Option<&'static str>,
    /// One line of help.
    pub(crate) help: &'static str,
    /// Whether it may be given more than once (`--exclude`); the values are kept in order.
    pub(crate) repeat: bool,
}

/// One command or subcommand.
#[derive(Debug)]
pub(crate) struct CommandSpec {
    /// The word that names it.
    pub(crate) name: &'static str,
    /// One line: what it does.
    pub(crate) summary: &'static str,
    /// The usage lines.
    pub(crate) usage: &'static str,
    /// More text for its help page: notes and examples.
    pub(crate) details: &'static str,
    /// Its options.
    pub(crate) options: &'static [OptionSpec],
    /// Whether everything after the command words is a command line of its own, taken as it is (`exec`).
    pub(crate) raw: bool,
    /// Its subcommands (none for a leaf).
    pub(crate) subcommands: &'static [CommandSpec],
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
        repeat: false,
    }
}

const fn valued(name: &'static str, value: &'static str, help: &'static str) -> OptionSpec {
    OptionSpec {
        name,
        value: Some(value),
        help,
        repeat: false,
    }
}

const fn many(name: &'static str, value: &'static str, help: &'static str) -> OptionSpec {
    OptionSpec {
        name,
        value: Some(value),
        help,
        repeat: true,
    }
}

/// What `cp` and `mv` say about the output.
const OUTPUT: [OptionSpec; 3] = [
    flag("--quiet", "print nothing but errors"),
    flag("--only-show-errors", "print only errors and warnings"),
    flag("--no-progress", "show no progress line"),
];

/// The options of uploads and copies: what they set on objects, and how they go.
const WRITE: [OptionSpec; 15] = [
    valued(
        "--content-type",
        "TYPE",
        "the object's Content-Type (default: guessed from the file's extension)",
    ),
    valued("--cache-control", "VALUE", "the object's Cache-Control"),
    valued(
        "--content-disposition",
        "VALUE",
        "the object's Content-Disposition",
    ),
    valued("--content-encoding", "VALUE", "the object's Content-Encoding"),
    valued("--content-language", "VALUE", "the object's Content-Language"),
    valued("--sse", "AES256|aws:kms", "server-side encryption"),
    valued("--sse-kms-key-id", "ID", "the KMS key of --sse aws:kms"),
    valued("--storage-class", "CLASS", "STANDARD, STANDARD_IA, GLACIER, ..."),
    valued(
        "--metadata",
        "K=V,...",
        "user metadata (replaces the source's on a copy)",
    ),
    valued("--acl", "ACL", "a canned ACL, such as bucket-owner-full-control"),
    valued(
        "--checksum-algorithm",
        "SHA256|SHA1|CRC32|CRC32C|CRC64NVME",
        "the checksum S3 checks and stores (default SHA256)",
    ),
    valued(
        "--max-concurrency",
        "N",
        "requests in flight, 1 to 256 (default 128 for many files, 10 for one, 4 from stdin)",
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
    flag(
        "--resumable",
        "on Ctrl-C, leave a file's upload for the next run to resume (default: abort it); ignored for \
         downloads, S3 to S3 and stdin",
    ),
];

/// The options of commands over many files or keys.
const MANY: [OptionSpec; 6] = [
    many(
        "--exclude",
        "PATTERN",
        "leave out paths matching PATTERN (later filters win)",
    ),
    many(
        "--include",
        "PATTERN",
        "take paths matching PATTERN even if excluded before",
    ),
    flag("--dryrun", "print what would be done, do nothing"),
    flag(
        "--checksum",
        "same-sized files compared by content (what S3 stores: checksum or MD5 ETag), not by time",
    ),
    flag(
        "--no-follow-symlinks",
        "skip links in local folders (they are followed by default)",
    ),
    valued(
        "--shard",
        "K/N",
        "take only shard K of N (0 <= K < N): N machines run the same command with K = 0..N-1",
    ),
];

/// The options `cp` and `sync` share: output, writing, many files.
const SHARED: usize = OUTPUT.len() + WRITE.len() + MANY.len();

const CP_OPTIONS: [OptionSpec; SHARED + 3] = {
    let mut all = [flag("", ""); SHARED + 3];
    let (mut i, mut j) = (0, 0);
    while j < OUTPUT.len() {
        all[i] = OUTPUT[j];
        i += 1;
        j += 1;
    }
    j = 0;
    while j < WRITE.len() {
        all[i] = WRITE[j];
        i += 1;
        j += 1;
    }
    j = 0;
    while j < MANY.len() {
        all[i] = MANY[j];
        i += 1;
        j += 1;
    }
    all[i] = flag(
        "--recursive",
        "copy every object under the prefix, or every file under the folder",
    );
    all[i + 1] = flag("--no-overwrite", "skip what the destination already has");
    all[i + 2] = valued(
        "--expected-size",
        "BYTES",
        "accepted for the AWS CLI's scripts; a stream needs no size here (its parts grow)",
    );
    all
};

const SYNC_OPTIONS: [OptionSpec; SHARED + 3] = {
    let mut all = [flag("", ""); SHARED + 3];
    let mut i = 0;
    while i < SHARED {
        all[i] = CP_OPTIONS[i];
        i += 1;
    }
    all[SHARED] = flag(
        "--delete",
        "delete what the source does not have (only after both listings completed)",
    );
    all[SHARED + 1] = flag("--size-only", "copy when sizes differ only, whatever the times");
    all[SHARED + 2] = flag(
        "--exact-timestamps",
        "downloads: copy a same-sized object unless the times are equal",
    );
    all
};

const RM_OPTIONS: [OptionSpec; 7] = [
    flag("--recursive", "delete every object under the prefix"),
    many(
        "--exclude",
        "PATTERN",
        "leave out keys matching PATTERN (later filters win)",
    ),
    many(
        "--include",
        "PATTERN",
        "take keys matching PATTERN even if excluded before",
    ),
    flag("--dryrun", "print what would be deleted, delete nothing"),
    valued(
        "--shard",
        "K/N",
        "delete only shard K of N (0 <= K < N): N machines run the same command with K = 0..N-1",
    ),
    flag("--quiet", "print nothing but errors"),
    flag("--only-show-errors", "print only errors"),
];

/// Every command, in the order the overview lists them.
pub(crate) static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "s3",
        summary: "list, make, copy, sync, move and remove buckets and objects",
        usage: "awl s3 <subcommand> [parameters]",
        details: "",
        options: &[],
        raw: false,
        subcommands: &[
            leaf(
                "ls",
                "list your buckets, or the objects under a bucket and prefix",
                "awl s3 ls [s3://bucket[/prefix]] [--recursive] [--human-readable] [--summarize]",
                "Examples:\n  awl s3 ls\n  awl --profile profile2 s3 ls s3://mysuperduperbucket/reports/ --recursive --summarize",
                &[
                    flag(
                        "--recursive",
                        "list every object under the prefix, not folder by folder",
                    ),
                    flag("--human-readable", "sizes in KiB, MiB, GiB"),
                    flag(
                        "--summarize",
                        "end with the number of objects and their total size",
                    ),
                    valued(
                        "--page-size",
                        "N",
                        "keys asked for a page (1 to 1000; default 1000)",
                    ),
                ],
            ),
            leaf(
                "mb",
                "make a bucket in the profile's region",
                "awl s3 mb s3://bucket [--exists-ok]",
                "Sends the region's LocationConstraint (none in us-east-1).\n\nExample:\n  awl --profile profile2 s3 mb s3://mysuperduperbucket",
                &[flag("--exists-ok", "succeed if you already own the bucket")],
            ),
            leaf(
                "rb",
                "remove a bucket (with --force: its objects, versions and unfinished uploads first)",
                "awl s3 rb s3://bucket [--force]",
                "With --force, a versioned bucket's versions and delete markers are deleted too, one line each:\n  \
                 delete: s3://bucket/key (version ID)\n\nExample:\n  awl s3 rb s3://old-bucket --force",
                &[flag(
                    "--force",
                    "delete every object, version and delete marker, and abort every unfinished upload first",
                )],
            ),
            leaf(
                "cp",
                "copy files, objects and streams to, from and within S3",
                "awl s3 cp FILE|- s3://bucket/key\n       awl s3 cp s3://bucket/key FILE|-\n       awl s3 cp s3://bucket/key s3://bucket/key\n       awl s3 cp --recursive FOLDER|s3://bucket/prefix FOLDER|s3://bucket/prefix",
                "Files of 8 MiB and more go up as parallel multipart uploads; copies within S3 are done by the\nserver (in parts from the threshold up); '-' reads stdin in parts, no size needed.\n\nExamples:\n  awl --profile profile2 s3 cp samplefile.txt s3://mysuperduperbucket/book.txt\n  pg_dump db | awl s3 cp - s3://backups/db.sql --sse aws:kms\n  awl s3 cp --recursive ./site s3://www/ --exclude '*.tmp'",
                &CP_OPTIONS,
            ),
            leaf(
                "mv",
                "move files or objects: copy, then delete the source once the copy is there",
                "awl s3 mv SRC DST [--recursive]",
                "Example:\n  awl s3 mv s3://inbox/report.csv s3://archive/2026/report.csv",
                &CP_OPTIONS,
            ),
            leaf(
                "sync",
                "make a destination have what a source has, by the AWS CLI's rules",
                "awl s3 sync FOLDER|s3://bucket/prefix FOLDER|s3://bucket/prefix [--delete] [--dryrun]",
                "Copies what the destination lacks, what differs in size, and what is newer at the source (for\ndownloads: what the local copy has newer). Downloads keep the objects' times, so a second sync\neither way copies nothing.\n\nExamples:\n  awl s3 sync /var/backups s3://b/backups --delete\n  awl s3 sync s3://b/site ./site --exclude '*' --include '*.html'",
                &SYNC_OPTIONS,
            ),
            leaf(
                "rm",
                "delete an object, or every object under a prefix",
                "awl s3 rm s3://bucket/key\n       awl s3 rm s3://bucket[/prefix] --recursive",
                "Deletes 1,000 keys a call (DeleteObjects).\n\nExample:\n  awl s3 rm s3://b/logs/ --recursive --exclude '*' --include '2025-*'",
                &RM_OPTIONS,
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
        name: "s3api",
        summary: "the AWS CLI's low-level S3 operations (head-object, put-bucket-versioning, ...)",
        usage: "awl s3api <operation> [--parameter value ...]",
        details: "",
        options: &[],
        // The operations and their options come from the s3api table (`cli::s3api`), not from this one.
        raw: true,
        subcommands: &[],
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
                "get-session-token",
                "print temporary credentials of the profile's own keys, with an MFA code if given",
                "awl sts get-session-token [--serial-number ARN --token-code CODE] [--duration-seconds N]",
                "Calls STS directly with the profile's credentials (no cache), as `aws sts get-session-token` does.\n\nExample:\n  awl sts get-session-token --serial-number arn:aws:iam::789:mfa/me --token-code 123456 \\\n      --query Credentials.SessionToken --output text",
                &[
                    SERIAL_NUMBER,
                    TOKEN_CODE,
                    valued(
                        "--duration-seconds",
                        "N",
                        "how long the credentials last (STS: 900 to 129600)",
                    ),
                ],
            ),
            leaf(
                "assume-role",
                "assume a role and print its temporary credentials",
                "awl sts assume-role --role-arn ARN --role-session-name NAME\n       [--serial-number ARN --token-code CODE] [--duration-seconds N] [--external-id ID]",
                "Calls STS directly with the profile's credentials (no cache), as `aws sts assume-role` does.\n\nExample:\n  awl sts assume-role --role-arn arn:aws:iam::456:role/Sysops --role-session-name ops \\\n      --serial-number arn:aws:iam::789:mfa/me --token-code 123456",
                &[
                    valued("--role-arn", "ARN", "the role to assume (required)"),
                    valued("--role-session-name", "NAME", "the session's name (required)"),
                    SERIAL_NUMBER,
                    TOKEN_CODE,
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
        usage: "awl configure [--profile P]\n       awl configure list [--profile P]\n       \
                awl configure list-profiles\n       awl configure get NAME\n       awl configure set NAME VALUE\n       \
                awl configure export-credentials [--profile P] [--format F]",
        details: "Asks for the access key, secret key, region and output format, as `aws configure` does, and writes\nthem to ~/.aws/credentials and ~/.aws/config (atomically, mode 0600, every other line kept).\n\nExamples:\n  awl configure --profile dev\n  awl --profile profile2 configure list",
        options: &[],
        raw: false,
        subcommands: &[
            leaf(
                "list",
                "show every setting of a profile and where it came from",
                "awl configure list [--profile P] [--output json]",
                "Example:\n  awl --profile profile2 configure list",
                &[],
            ),
            leaf(
                "list-profiles",
                "print the name of every profile, one a line",
                "awl configure list-profiles",
                "Example:\n  for p in $(awl configure list-profiles); do awl --profile \"$p\" sts get-caller-identity; done",
                &[],
            ),
            leaf(
                "get",
                "print one setting (exit 1 when it is not set)",
                "awl configure get NAME [--profile P]",
                "NAME: region, s3.addressing_style, profile.P.region, default.region, P.region (a profile that\n\
                 exists). Read from both files, the credentials file winning, as the AWS CLI reads them.\n\n\
                 Example:\n  region=$(awl configure get region --profile dev)",
                &[],
            ),
            leaf(
                "set",
                "write one setting",
                "awl configure set NAME VALUE [--profile P]",
                "NAME as for get. aws_access_key_id, aws_secret_access_key and aws_session_token go to\n\
                 ~/.aws/credentials, everything else to ~/.aws/config, under the same lock and atomic write as\n\
                 awl configure.\n\nExamples:\n  awl configure set region eu-west-1 --profile dev\n  \
                 awl configure set s3.addressing_style path",
                &[],
            ),
            leaf(
                "export-credentials",
                "print the profile's credentials in a format another program reads",
                "awl configure export-credentials [--profile P] [--format F]",
                "Formats (the AWS CLI v2's names): process (the default: credential_process JSON), env,\n\
                 env-no-export, powershell, windows-cmd, fish. The shell formats also clear stale variables.\n\n\
                 In ~/.aws/config:\n  credential_process = awl configure export-credentials --profile profile2",
                &[FORMAT],
            ),
        ],
    },
    CommandSpec {
        name: "sso",
        summary: "sign in to IAM Identity Center (SSO) and out again",
        usage: "awl sso <subcommand> [parameters]",
        details: "",
        options: &[],
        raw: false,
        subcommands: &[
            leaf(
                "login",
                "sign in to the profile's SSO session and cache its token, as the AWS CLI v2 does",
                "awl sso login [--profile P | --sso-session S] [--use-device-code] [--no-browser]",
                "Session profiles ([sso-session NAME]) sign in in a browser on this machine, which redirects to a\n\
                 listener on 127.0.0.1; legacy profiles (sso_start_url on the profile) and --use-device-code print a\n\
                 URL and a code to confirm on any device, then wait. A browser is opened only in a graphical session.\n\
                 The token goes to ~/.aws/sso/cache, shared with the AWS CLI v2.\n\n\
                 Examples:\n  awl sso login --profile sso-dev\n  \
                 awl sso login --sso-session corp --use-device-code   # on a headless server",
                &[
                    valued(
                        "--sso-session",
                        "S",
                        "sign in to this [sso-session S] instead of the profile's",
                    ),
                    flag(
                        "--use-device-code",
                        "print a URL and a code to confirm on any device (no redirect to this machine)",
                    ),
                    flag("--no-browser", "print the URL; do not open a browser"),
                ],
            ),
            leaf(
                "logout",
                "sign out: every cached SSO token and the role credentials got with them removed",
                "awl sso logout",
                "Calls the portal's Logout for each cached token, then removes it from ~/.aws/sso/cache, and\n\
                 removes the SSO role credentials from ~/.aws/cli/cache, as the AWS CLI v2 does. Prints nothing.\n\n\
                 Example:\n  awl sso logout",
                &[],
            ),
        ],
    },
    leaf(
        "env",
        "print the profile's credentials as shell export lines",
        "awl env [--profile P] [--format F]",
        "Formats: env (the default), env-no-export, powershell, windows-cmd, fish, process.\n\n\
         Example:\n  eval \"$(awl --profile profile2 env)\"",
        &[FORMAT],
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

/// The MFA device of `sts assume-role` and `sts get-session-token`.
const SERIAL_NUMBER: OptionSpec = valued("--serial-number", "ARN", "the MFA device, with --token-code");
/// The MFA code that goes with it.
const TOKEN_CODE: OptionSpec = valued(
    "--token-code",
    "CODE",
    "the 6-digit MFA code, with --serial-number",
);

/// `--format` of `env` and `configure export-credentials`.
const FORMAT: OptionSpec = valued(
    "--format",
    "F",
    "process, env, env-no-export, powershell, windows-cmd or fish",
);

/// The command or subcommand that `words` name, walking the table; `None` for no words.
pub(crate) fn find(words: &[&str]) -> Option<&'static CommandSpec> {
    let mut specs = COMMANDS;
    let mut spec = None;
    for w in words {
        let s = specs.iter().find(|s| s.name == *w)?;
        spec = Some(s);
        specs = s.subcommands;
    }
    spec
}

/// The names of a list of commands, for messages: `ls, mb, cp, presign`.
pub(crate) fn names(specs: &[CommandSpec]) -> String {
    specs.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
}
