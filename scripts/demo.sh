#!/usr/bin/env bash
# make demo: the canonical scenario end to end against a local moto server (STS, S3, IAM, signature checks on):
# the static binary, then examples/seed.rs through the library. Exit 0 only if every step worked.
set -euo pipefail
cd "$(dirname "$0")/.."
AWL="$PWD/target/x86_64-unknown-linux-musl/release/awl"
VENV="$PWD/target/tools/venv"
work="$PWD/target/demo"
rm -rf "$work"; mkdir -p "$work/home/.aws"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "Building examples/seed.rs and examples/sync.rs (the scenario and a sync through the awl library)"
cargo build --quiet --release --example seed --example sync
SEED="$PWD/target/release/examples/seed"
SYNC="$PWD/target/release/examples/sync"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
endpoint="http://127.0.0.1:$port"
step "Starting moto (a local STS/S3/IAM server) on $endpoint"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" > "$work/moto.log" 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null || true' EXIT
for _ in $(seq 200); do curl -s -o /dev/null "$endpoint/moto-api/" && break; sleep 0.05; done
keys=$("$VENV/bin/python" tests/support/moto_bootstrap.py "$endpoint")
key_id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["access_key_id"])' "$keys")
secret=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["secret_access_key"])' "$keys")
echo "IAM user alice created; roles 456/Sysops and 123/Developer exist; signature checking is on"

step "The scenario's files in a fresh HOME ($work/home), with the local endpoint added to each profile"
sed "s|^\(\[profile .*\]\)$|\1\nendpoint_url = $endpoint|" testdata/scenario/config > "$work/home/.aws/config"
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$key_id" "$secret" > "$work/home/.aws/credentials"
cp testdata/scenario/samplefile.txt "$work/samplefile.txt"
cat "$work/home/.aws/config"
export HOME="$work/home" AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION \
  AWS_DEFAULT_REGION AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE AWS_ENDPOINT_URL AWS_CA_BUNDLE
cd "$work"

step "1. Where every setting of profile2 comes from"
run "$AWL" --profile profile2 configure list

step "2. List the buckets: profile2 assumes 456/Sysops from default with an MFA code (given by --mfa-code here)"
run "$AWL" --profile profile2 --mfa-code 123456 s3 ls
ls -l "$HOME/.aws/cli/cache"

step "3. Create mysuperduperbucket (LocationConstraint ap-southeast-2): no MFA code needed any more"
run "$AWL" --profile profile2 s3 mb s3://mysuperduperbucket < /dev/null

step "4. Upload samplefile.txt as book.txt"
run "$AWL" --profile profile2 s3 cp samplefile.txt s3://mysuperduperbucket/book.txt < /dev/null

step "5. Read it back and compare"
run "$AWL" --profile profile2 s3 cp s3://mysuperduperbucket/book.txt book.txt < /dev/null
cmp samplefile.txt book.txt && echo "book.txt is byte-identical to samplefile.txt"
run "$AWL" --profile profile2 s3 ls s3://mysuperduperbucket < /dev/null

step "6. Who am I? The role, from the AWS CLI-compatible cache (stdin closed, no code)"
run "$AWL" --profile profile2 sts get-caller-identity < /dev/null

step "7. The same job from Rust: examples/seed.rs through the awl library"
run "$SEED" samplefile.txt < /dev/null

step "8. A sync through the library (examples/sync.rs), twice: the second run has nothing to do"
mkdir -p site/pages && cp samplefile.txt site/index.txt && cp samplefile.txt site/pages/about.txt
# A minute old: moto keeps LastModified to the second, so a file written within the upload's second would look
# newer than its copy.
touch -d '-1 minute' site/index.txt site/pages/about.txt
run env AWS_PROFILE=profile2 "$SYNC" site s3://mysuperduperbucket/site < /dev/null
run env AWS_PROFILE=profile2 "$SYNC" site s3://mysuperduperbucket/site < /dev/null | tee sync2.txt
grep -q '^0 done, 0 failed' sync2.txt || { echo "error: the second sync copied again"; exit 1; }
echo "nothing copied the second time"

step "Done: every step worked"
