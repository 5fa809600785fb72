#!/usr/bin/env bash
# Crates in the dependency graph (normal dependencies, each crate once, the program itself included): awl, and
# a minimal program on aws-sdk-s3 + aws-config (+ tokio to run it), and one on rust-s3. Resolved with
# `cargo tree`; nothing is built.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$PWD/target/bench-crates"
mkdir -p "$work/sdk/src" "$work/rusts3/src"
count() { (cd "$1" && cargo tree -e normal --prefix none --quiet 2>/dev/null | sed 's/ (\*)$//' | sort -u | wc -l); }
cat > "$work/sdk/Cargo.toml" <<'T'
[package]
name = "sdk-minimal"
version = "0.0.0"
edition = "2021"
[workspace]
[dependencies]
aws-config = { version = "1", features = ["behavior-version-latest"] }
aws-sdk-s3 = "1"
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
T
cat > "$work/sdk/src/main.rs" <<'T'
#[tokio::main]
async fn main() {
    let config = aws_config::load_from_env().await;
    let s3 = aws_sdk_s3::Client::new(&config);
    let _ = s3.list_buckets().send().await;
}
T
cat > "$work/rusts3/Cargo.toml" <<'T'
[package]
name = "rust-s3-minimal"
version = "0.0.0"
edition = "2021"
[workspace]
[dependencies]
rust-s3 = "0.37"
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
T
cat > "$work/rusts3/src/main.rs" <<'T'
#[tokio::main]
async fn main() {
    let creds = s3::creds::Credentials::default().unwrap();
    let bucket = s3::Bucket::new("b", "us-east-1".parse().unwrap(), creds).unwrap();
    let _ = bucket.list("".into(), None).await;
}
T
printf 'awl %s\naws-sdk-s3+aws-config %s\nrust-s3 %s\n' "$(count .)" "$(count "$work/sdk")" "$(count "$work/rusts3")"
