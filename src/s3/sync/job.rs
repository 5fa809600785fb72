//! One thing a recursive command does, as a value: its operation and its two places. The planner makes
//! them, the runner runs them, and the pending deletes are kept as them.

use crate::s3::object::ObjectRef;
use crate::s3::sync::plan::Entry;
use std::path::PathBuf;

/// One side of a transfer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// A local file.
    Local(PathBuf),
    /// An object.
    S3(ObjectRef),
}

impl std::fmt::Display for Place {
    /// `s3://bucket/key`, or the path.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Local(path) => write!(f, "{}", path.display()),
            Place::S3(o) => write!(f, "{o}"),
        }
    }
}

/// What a job does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Local file to object.
    Upload,
    /// Object to local file.
    Download,
    /// Object to object, on the server.
    Copy,
    /// Any of those, then the source deleted.
    Move,
    /// The destination deleted (`sync --delete`, `rm`).
    Delete,
}

impl Op {
    /// The word the AWS CLI prints for it.
    pub fn word(self) -> &'static str {
        match self {
            Op::Upload => "upload",
            Op::Download => "download",
            Op::Copy => "copy",
            Op::Move => "move",
            Op::Delete => "delete",
        }
    }
}

/// One thing to do. For a delete, `src` is what is deleted and `dst` is the same place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// What.
    pub op: Op,
    /// From.
    pub src: Place,
    /// To.
    pub dst: Place,
    /// The source's size, when known.
    pub size: Option<u64>,
}

/// A job whose need is decided by content first (`--checksum`): its pair of entries, of the same size, and
/// what the size and time rule says where nothing comparable is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compare {
    /// The copy, if they differ.
    pub job: Job,
    /// The source's entry, as listed.
    pub src: Entry,
    /// The destination's entry, as listed.
    pub dst: Entry,
    /// Whether to copy when nothing comparable is stored.
    pub otherwise: bool,
}

/// What the runner is handed: a job, or a job to do only if a comparison says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Task {
    /// Do it.
    Do(Job),
    /// Compare first.
    Compare(Box<Compare>),
}

impl Task {
    /// The job.
    pub fn job(&self) -> &Job {
        match self {
            Task::Do(j) => j,
            Task::Compare(c) => &c.job,
        }
    }
}

impl From<Job> for Task {
    fn from(job: Job) -> Self {
        Task::Do(job)
    }
}
