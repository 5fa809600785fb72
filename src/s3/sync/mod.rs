//! Copying many objects: `--exclude`/`--include` filters ([`filter`]), the planning of a sync as a pure
//! function of two key-ordered listings ([`plan`]), the walk of a local tree in that order ([`walk`]), and the
//! run of the planned operations on one pool ([`run`]).

pub mod filter;
pub mod plan;
pub mod run;
pub mod walk;
