//! What names an object: its bucket, its key, and the version meant (none: the current one).

/// An object of a bucket; `version_id` picks one of its versions, and every request about the object then
/// carries it (`versionId`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObjectRef {
    /// The bucket.
    pub bucket: String,
    /// The key, as stored (not encoded).
    pub key: String,
    /// The version, when one is meant rather than the current one.
    pub version_id: Option<String>,
}

impl ObjectRef {
    /// The current version of `key` in `bucket`.
    pub fn new(bucket: impl Into<String>, key: impl Into<String>) -> Self {
        ObjectRef {
            bucket: bucket.into(),
            key: key.into(),
            version_id: None,
        }
    }

    /// The same object, at version `id`.
    pub fn at_version(mut self, id: impl Into<String>) -> Self {
        self.version_id = Some(id.into());
        self
    }

    /// `s3://bucket/key`, then ` (version ID)` when a version is meant: the object as awl's lines name it
    /// where the version matters (`rb --force` deleting each version).
    pub fn described(&self) -> String {
        match &self.version_id {
            Some(v) => format!("{self} (version {v})"),
            None => self.to_string(),
        }
    }

    /// `versionId=ID` for a request's query, when a version is meant.
    pub fn version_query(&self) -> Option<(&'static str, &str)> {
        self.version_id.as_deref().map(|v| ("versionId", v))
    }
}

impl std::fmt::Display for ObjectRef {
    /// `s3://bucket/key` (a version is not shown: the AWS CLI's lines name objects by URL only).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}
