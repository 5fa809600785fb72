//! The one error type of awl: a kind (which decides the exit code), a short message, an optional hint for the
//! user, and the underlying cause kept as `source()`.
//!
//! Messages never hold secrets: callers build them from names, paths, codes and request ids only.

use std::fmt;

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
    /// A command that awl does not do yet (exit 255).
    NotImplemented,
    /// Anything else: I/O, the network (exit 255).
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
            ErrorKind::Data | ErrorKind::NotImplemented | ErrorKind::Other => 255,
        }
    }
}

/// awl's error: kind, one-line message, optional hint, optional source.
pub struct Error {
    kind: ErrorKind,
    message: String,
    hint: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// Shorthand for results carrying awl's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with a one-line `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
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

    /// Adds a hint: a line telling the user what to do about it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Keeps the underlying cause, reachable through `source()`.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The one-line message, without the source.
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
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind).field("message", &self.message);
        if let Some(h) = &self.hint {
            d.field("hint", h);
        }
        if let Some(s) = &self.source {
            d.field("source", &s.to_string());
        }
        d.finish()
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
        assert_eq!(Error::new(ErrorKind::NotImplemented, "x").exit_code(), 255);
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
}
