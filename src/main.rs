//! The `awl` binary: arguments in, one error line and a hint out, the AWS CLI's exit codes.

#![forbid(unsafe_code)]

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = std::env::args_os().skip(1).collect();
    // What a signal must undo, owned here and passed down; its thread starts only when a command needs it.
    let interrupt = awl::interrupt::Interrupt::new();
    match awl::cli::run(args, &interrupt) {
        Ok(code) => ExitCode::from(code),
        // A signal cut the run short (perhaps seen here first): its thread says so and ends the process with
        // 128 + its number.
        Err(e) if interrupt.stopped() || e.kind() == awl::ErrorKind::Interrupted => {
            match interrupt.exit_code_after_signal() {
                Some(code) => ExitCode::from(code),
                None => report(&e),
            }
        }
        Err(e) => report(&e),
    }
}

/// The error line, a hint line where there is one, and the error's exit code.
fn report(e: &awl::Error) -> ExitCode {
    let mut err = std::io::stderr().lock();
    // Nothing more can be done if stderr itself is gone.
    let _ = writeln!(err, "awl: error: {e}");
    if let Some(hint) = e.hint() {
        let _ = writeln!(err, "hint: {hint}");
    }
    ExitCode::from(e.exit_code())
}
