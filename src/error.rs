//! The one error type of awl: a kind (which decides the exit code), a short message, the structured facts that
//! callers decide on (a service's error code, HTTP status and request id; the file and line of a config error;
//! which rule of the files or profiles was broken; how many attempts were made), an optional hint for the
//! user, and the underlying cause kept as `source()`.
//!
//! Callers decide on the facts ([`Error::service_code`], [`Error::profile_problem`], [`Error::kind`]), never
//! on the message text. Messages never hold secrets: callers build them from names, paths, codes and request
//! ids only.

use std::fmt;
use std::sync::Arc;

/// What went wrong, broadly; decides the process exit code (the AWS CLI v2's codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The command line is wrong (exit 252).
    Usage,
    /// A configuration file, the environment or a profile is wrong or incomplete (exit 253).
    Config,
    /// The service answered with an error (exit 254).
    Service,
    /// An S3 transfer failed (exit 1).
    Transfer,
    /// The user interrupted the run (exit 130).
    Interrupted,
    /// Data from outside (a response, a cache file, a date) could not be read (exit 255).
    Data,
    /// No answer came: the connection could not be made, broke off or timed out before a response was read
    /// (exit 255). The one kind that retries repeat.
    Network,
    /// The program `awl exec` was to run does not exist (exit 127, as a shell says it).
    CommandNotFound,
    /// The program `awl exec` was to run cannot be run (exit 126, as a shell says it).
    CommandNotExecutable,
    /// Anything else: local I/O (exit 255).
    Other,
}

impl ErrorKind {
    /// The process exit code for this kind, as the AWS CLI v2 uses them.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Usage => 252,
            ErrorKind::Config => 253,
            ErrorKind::Service => 254,
            ErrorKind::Transfer => 1,
            ErrorKind::Interrupted => 130,
            ErrorKind::CommandNotFound => 127,
            ErrorKind::CommandNotExecutable => 126,
            ErrorKind::Data | ErrorKind::Network | ErrorKind::Other => 255,
        }
    }
}

/// Which rule of the file syntax was broken (the cross-SDK profile parser's error cases).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseProblem {
    /// `[profile foo` without `]` (or text after the `]`).
    UnclosedSection,
    /// A property before any section header.
    PropertyOutsideSection,
    /// An indented line with no property before it in its section.
    ContinuationWithoutProperty,
    /// A property line without `=`.
    MissingEquals,
    /// A property line with nothing before `=`.
    EmptyName,
    /// A sub-property line without `=`.
    SubPropertyMissingEquals,
    /// A sub-property line with nothing before `=`.
    SubPropertyEmptyName,
}

/// Why a profile cannot give credentials or settings; the kinds follow the cross-SDK assume-role cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileProblem {
    /// The selected profile does not exist.
    NotFound,
    /// `source_profile` names a profile that does not exist.
    MissingSourceProfile,
    /// The source profiles form a loop.
    Cycle,
    /// A role profile with both `source_profile` and `credential_source`.
    BothSources,
    /// A role profile with neither `source_profile` nor `credential_source`.
    NoSource,
    /// One of the two static keys without the other.
    PartialKeys,
    /// A profile with nothing that gives credentials.
    NoCredentials,
    /// A setting with a value awl cannot use (bad `credential_source`, `duration_seconds`, SSO fields, ...).
    InvalidSetting,
    /// A valid source that awl does not support (SSO, web identity).
    Unsupported,
}

/// Where in a file an error is: the path as the user knows it (when known) and the 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// `~/.aws/config` or the full path; `None` while the text's origin is not known yet (a parser's error).
    pub path: Option<String>,
    /// The 1-based line.
    pub line: usize,
}

/// What a service's error answer said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceFacts {
    /// `STS` or `S3`.
    pub service: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The error code (`AccessDenied`, ...), or `HTTP<status>` when the body has none.
    pub code: String,
    /// The service's message, sanitised; possibly empty.
    pub message: String,
    /// The request id, when given.
    pub request_id: Option<String>,
    /// The region an S3 error names (wrong-region answers).
    pub region: Option<String>,
}

/// A structured fact beside the message.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Fact {
    None,
    Service(Box<ServiceFacts>),
    Parse(ParseProblem),
    Profile(ProfileProblem),
}

/// awl's error: kind, message, structured facts, optional hint, optional source.
#[derive(Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    fact: Fact,
    location: Option<Location>,
    attempts: u32,
    hint: Option<String>,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

/// Shorthand for results carrying awl's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with a one-line `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            fact: Fact::None,
            location: None,
            attempts: 0,
            hint: None,
            source: None,
        }
    }

    /// A command-line error (exit 252).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage, message)
    }

    /// A configuration or environment error (exit 253).
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config, message)
    }

    /// Bad data from outside (exit 255).
    pub fn data(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Data, message)
    }

    /// A failed transfer (exit 1).
    pub fn transfer(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Transfer, message)
    }

    /// An interruption by a signal (exit 130).
    pub fn interrupted(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Interrupted, message)
    }

    /// An I/O error while doing `what` (`cannot read FILE`): an interruption (a signal stopping a transfer)
    /// stays one, anything else is of `kind`.
    pub fn io(kind: ErrorKind, what: impl fmt::Display, e: std::io::Error) -> Self {
        let kind = if e.kind() == std::io::ErrorKind::Interrupted {
            ErrorKind::Interrupted
        } else {
            kind
        };
        Self::new(kind, format!("{what}: {e}")).with_source(e)
    }

    /// A service's error answer (exit 254); `context` says what was asked (`ListBuckets`, `AssumeRole ARN`).
    pub fn service(context: impl Into<String>, facts: ServiceFacts) -> Self {
        Error {
            fact: Fact::Service(Box::new(facts)),
            ..Self::new(ErrorKind::Service, context)
        }
    }

    /// A config file syntax error at `line` (exit 253); the file's path comes with [`in_file`](Self::in_file).
    pub fn parse(problem: ParseProblem, line: usize, message: impl Into<String>) -> Self {
        Error {
            fact: Fact::Parse(problem),
            location: Some(Location { path: None, line }),
            ..Self::config(message)
        }
    }

    /// A profile problem (exit 253).
    pub fn profile(problem: ProfileProblem, message: impl Into<String>) -> Self {
        Error {
            fact: Fact::Profile(problem),
            ..Self::config(message)
        }
    }

    /// Adds a hint: a line telling the user what to do about it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a hint if there is one.
    pub fn with_hint_if(self, hint: Option<impl Into<String>>) -> Self {
        match hint {
            Some(h) => self.with_hint(h),
            None => self,
        }
    }

    /// Keeps the underlying cause, reachable through `source()`.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// The same error under another kind (a failed download is a transfer error, whatever failed in it).
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// The same error, said to have taken `attempts` attempts (shown when more than one).
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }

    /// The same error in the file `path` (as the user knows it): a parser's error gets its file.
    pub fn in_file(mut self, path: impl Into<String>) -> Self {
        let line = self.location.as_ref().map_or(0, |l| l.line);
        self.location = Some(Location {
            path: Some(path.into()),
            line,
        });
        self
    }

    /// The same error with `context` in front of its message (`profile 'x': ...`); facts, hint and source
    /// are kept.
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message as the error was made, without the facts that [`Display`](fmt::Display) adds.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What the user could do about it, if awl knows.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        self.kind.exit_code()
    }

    /// What the service answered, for a service error.
    pub fn service_facts(&self) -> Option<&ServiceFacts> {
        match &self.fact {
            Fact::Service(s) => Some(s),
            _ => None,
        }
    }

    /// The service's error code (`AccessDenied`, `BucketAlreadyOwnedByYou`, ...), for a service error.
    pub fn service_code(&self) -> Option<&str> {
        self.service_facts().map(|s| s.code.as_str())
    }

    /// The HTTP status of a service error.
    pub fn status(&self) -> Option<u16> {
        self.service_facts().map(|s| s.status)
    }

    /// The request id of a service error, when the service gave one.
    pub fn request_id(&self) -> Option<&str> {
        self.service_facts().and_then(|s| s.request_id.as_deref())
    }

    /// Which syntax rule a config file broke.
    pub fn parse_problem(&self) -> Option<ParseProblem> {
        match self.fact {
            Fact::Parse(p) => Some(p),
            _ => None,
        }
    }

    /// Which profile rule was broken.
    pub fn profile_problem(&self) -> Option<ProfileProblem> {
        match self.fact {
            Fact::Profile(p) => Some(p),
            _ => None,
        }
    }

    /// The file and line of a config error.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// How many attempts were made (0 when not counted).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl fmt::Display for Error {
    /// `path:line: message`, then for a service error `: STS AccessDenied (HTTP 403): its message`, then
    /// ` (after N attempts)` and ` [request id ...]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(Location { path: Some(p), line }) if *line > 0 => write!(f, "{p}:{line}: ")?,
            Some(Location { path: Some(p), .. }) => write!(f, "{p}: ")?,
            Some(Location { path: None, line }) => write!(f, "line {line}: ")?,
            None => {}
        }
        f.write_str(&self.message)?;
        let service = self.service_facts();
        if let Some(s) = service {
            write!(f, ": {} {} (HTTP {})", s.service, s.code, s.status)?;
            if !s.message.is_empty() {
                write!(f, ": {}", s.message)?;
            }
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        if let Some(id) = service.and_then(|s| s.request_id.as_deref()) {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind).field("message", &self.message);
        if self.fact != Fact::None {
            d.field("fact", &self.fact);
        }
        if let Some(l) = &self.location {
            d.field("location", l);
        }
        if self.attempts > 0 {
            d.field("attempts", &self.attempts);
        }
        if let Some(h) = &self.hint {
            d.field("hint", h);
        }
        if let Some(s) = &self.source {
            d.field("source", &s.to_string());
        }
        d.finish()
    }
}

impl PartialEq for Error {
    /// Equal in everything but the source (which has no equality of its own).
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.message == other.message
            && self.fact == other.fact
            && self.location == other.location
            && self.attempts == other.attempts
            && self.hint == other.hint
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_aws_cli() {
        assert_eq!(Error::usage("x").exit_code(), 252);
        assert_eq!(Error::config("x").exit_code(), 253);
        assert_eq!(Error::new(ErrorKind::Service, "x").exit_code(), 254);
        assert_eq!(Error::new(ErrorKind::Transfer, "x").exit_code(), 1);
        assert_eq!(Error::new(ErrorKind::Interrupted, "x").exit_code(), 130);
        assert_eq!(Error::new(ErrorKind::Network, "x").exit_code(), 255);
    }

    #[test]
    fn source_and_hint_are_kept_apart_from_the_message() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let e = Error::config("cannot read ~/.aws/config")
            .with_hint("check AWS_CONFIG_FILE")
            .with_source(io);
        assert_eq!(e.to_string(), "cannot read ~/.aws/config");
        assert_eq!(e.hint(), Some("check AWS_CONFIG_FILE"));
        assert_eq!(
            std::error::Error::source(&e).map(|s| s.to_string()),
            Some("gone".into())
        );
    }

    #[test]
    fn service_facts_are_fields_and_show_in_order() {
        let e = Error::service(
            "PutObject s3://b/k",
            ServiceFacts {
                service: "S3",
                status: 503,
                code: "SlowDown".into(),
                message: "Please reduce your request rate.".into(),
                request_id: Some("abc".into()),
                region: None,
            },
        )
        .with_attempts(3)
        .with_hint("wait");
        assert_eq!(
            (e.service_code(), e.status(), e.request_id(), e.exit_code()),
            (Some("SlowDown"), Some(503), Some("abc"), 254)
        );
        assert_eq!(
            e.to_string(),
            "PutObject s3://b/k: S3 SlowDown (HTTP 503): Please reduce your request rate. (after 3 attempts) \
             [request id abc]"
        );
        // Context goes in front; the facts and the hint stay.
        let e = e.context("upload failed");
        assert!(
            e.to_string()
                .starts_with("upload failed: PutObject s3://b/k: S3 SlowDown")
        );
        assert_eq!((e.service_code(), e.hint()), (Some("SlowDown"), Some("wait")));
    }

    #[test]
    fn file_errors_show_path_and_line() {
        let e = Error::parse(
            ParseProblem::MissingEquals,
            4,
            "Expected an '=' sign defining a property",
        );
        assert_eq!(e.to_string(), "line 4: Expected an '=' sign defining a property");
        let e = e.in_file("~/.aws/config");
        assert_eq!(
            e.to_string(),
            "~/.aws/config:4: Expected an '=' sign defining a property"
        );
        assert_eq!(
            (e.parse_problem(), e.location().map(|l| l.line), e.exit_code()),
            (Some(ParseProblem::MissingEquals), Some(4), 253)
        );
        let e = Error::profile(ProfileProblem::Cycle, "loop");
        assert_eq!(
            (e.profile_problem(), e.parse_problem()),
            (Some(ProfileProblem::Cycle), None)
        );
    }
}
