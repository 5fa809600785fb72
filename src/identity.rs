//! Who awl acts as: AWS credentials (an access key id, a secret access key and, for temporary credentials, a
//! session token and an expiry). `Debug` never shows the secret parts. A leaf: it knows only secrets, time and
//! the error type.

use crate::error::Result;
use crate::secret::Secret;
use std::time::SystemTime;

/// Fetches credentials again, for transfers that outlast them.
pub type Refresh = Box<dyn Fn() -> Result<Credentials> + Send + Sync>;

/// A set of AWS credentials.
/// `Debug` is derived: the secret parts are [`Secret`]s, which print as `Secret(***)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// The access key id (`AKIA…` for long-term keys, `ASIA…` for temporary ones). Not a secret.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Secret,
    /// The session token of temporary credentials.
    pub session_token: Option<Secret>,
    /// When temporary credentials stop working.
    pub expiration: Option<SystemTime>,
}

impl Credentials {
    /// Long-term credentials: a key id and its secret, with no token and no expiry.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<Secret>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
            expiration: None,
        }
    }

    /// The same credentials with a session token.
    pub fn with_session_token(mut self, token: impl Into<Secret>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    /// Whether they expire before `at` (long-term credentials never do).
    pub fn expires_before(&self, at: SystemTime) -> bool {
        self.expiration.is_some_and(|e| e < at)
    }
}
