//! Copying many objects, as a library: the roots ([`root`]), `--exclude`/`--include` filters ([`filter`]),
//! the walk of a local tree in key order ([`walk`]), the entries under a root as one ordered stream
//! ([`entries`]), the planning of a sync as a pure function of two key-ordered streams ([`plan`]), the run of
//! the planned jobs on one pool ([`run`]), the comparison by content of a pair for `--checksum`
//! ([`compare`]), and the commands built of them ([`engine`]: sync, copy and remove
//! a tree, remove every version), which report through events.

pub mod compare;
pub mod engine;
pub mod entries;
pub mod filter;
pub mod job;
pub(crate) mod pending;
pub mod plan;
pub mod root;
pub mod run;
pub mod walk;

pub use engine::{Existing, Options, copy_tree, remove_tree, remove_versions, sync, sync_entries};
