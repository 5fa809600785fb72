//! The s3api table (`src/cli/s3api/s3_model.rs`) is what `scripts/s3api_model.py` makes of the S3 model the
//! reference AWS CLI ships: run the script on the venv's copy and compare, so the checked-in table cannot
//! drift from its source unnoticed (and a newer model shows its changes as a diff).

mod common;

use common::servers::venv;
use std::path::Path;
use std::process::Command;

#[test]
fn the_table_is_what_the_script_makes_of_the_model() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = venv().join("lib/python3.11/site-packages/awscli/botocore/data");
    assert!(
        data.join("s3/2006-03-01/service-2.json").exists(),
        "the AWS CLI's S3 model is missing under {}",
        data.display()
    );
    let out = Command::new(venv().join("bin/python"))
        .arg(root.join("scripts/s3api_model.py"))
        .arg(&data)
        .env_clear()
        .output()
        .expect("the script runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let made = String::from_utf8_lossy(&out.stdout);
    let checked_in = std::fs::read_to_string(root.join("src/cli/s3api/s3_model.rs")).expect("the table");
    assert!(made.len() > 10_000, "the script wrote too little");
    assert!(
        made == checked_in,
        "src/cli/s3api/s3_model.rs differs from what scripts/s3api_model.py makes; run it again"
    );
}
