//! Signing: SigV4 itself, pure ([`sigv4`]), and the step that applies a signature to a transport request
//! ([`apply`]).

pub mod apply;
pub mod canonical;
pub mod signable;
pub mod sigv4;
