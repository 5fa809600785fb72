//! The `awl` binary: arguments in, one error line and a hint out, the AWS CLI's exit codes.

#![forbid(unsafe_code)]

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = std::env::args_os().skip(1).collect();
    match awl::cli::run(args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let mut err = std::io::stderr().lock();
            // Nothing more can be done if stderr itself is gone.
            let _ = writeln!(err, "awl: error: {e}");
            if let Some(hint) = e.hint() {
                let _ = writeln!(err, "hint: {hint}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}
