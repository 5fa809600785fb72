//! The configuration: the environment and the two `~/.aws` files read ([`env`](mod@env), the only reader of either),
//! merged with provenance ([`profiles`]), a profile's credential chain planned ([`chain`]) and its settings
//! resolved ([`resolve`]), and `awl configure`'s listing and edits ([`configure`]). All of it pure but `env`.

pub mod chain;
pub mod configure;
pub mod dotted;
pub mod env;
pub mod profiles;
pub mod resolve;
