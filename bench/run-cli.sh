#!/usr/bin/env bash
# The command-line comparison of make bench: start-up, s3 ls and sts get-caller-identity, awl (static musl)
# against the AWS CLI (awscli 1.46.3), both against the same local moto server, runs interleaved, medians.
# A control command (`true`) shows the floor of starting any process here.
set -euo pipefail
cd "$(dirname "$0")/.."
AWL="$PWD/target/x86_64-unknown-linux-musl/release/awl"
VENV="$PWD/target/tools/venv"
RUNS=${RUNS:-11}
work="$PWD/target/bench-cli"
rm -rf "$work"; mkdir -p "$work/home/.aws"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" > "$work/moto.log" 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null || true' EXIT
for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$port/moto-api/" && break; sleep 0.05; done
keys=$("$VENV/bin/python" tests/support/moto_bootstrap.py "http://127.0.0.1:$port")
python3 - "$keys" "$work/home/.aws/credentials" <<'PY'
import json, sys
k = json.loads(sys.argv[1])
open(sys.argv[2], "w").write("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (k["access_key_id"], k["secret_access_key"]))
PY
printf '[default]\nregion = ap-southeast-2\n' > "$work/home/.aws/config"
export HOME="$work/home" AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_EC2_METADATA_DISABLED=true
"$AWL" s3 mb s3://bench-bucket > /dev/null

ms() { # median wall milliseconds of RUNS runs of a command (interleaving is done by the caller's loop)
  sort -n "$1" | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] }'
}
time_once() { # file command...: appends the wall time in ms
  local out=$1; shift
  local t0 t1
  t0=$(date +%s%N); "$@" > /dev/null 2>&1; t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e6 }' >> "$out"
}
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

declare -A awl_cmd aws_cmd
awl_cmd[startup]="$AWL --version";                 aws_cmd[startup]="$VENV/bin/aws --version"
awl_cmd[ls]="$AWL s3 ls";                          aws_cmd[ls]="$VENV/bin/aws s3 ls"
awl_cmd[whoami]="$AWL sts get-caller-identity";    aws_cmd[whoami]="$VENV/bin/aws sts get-caller-identity"
awl_cmd[account]="$AWL sts get-caller-identity --query Account --output text"
aws_cmd[account]="$VENV/bin/aws sts get-caller-identity --query Account --output text"
names=(startup ls whoami account)
labels=("start-up (--version)" "s3 ls" "sts get-caller-identity" "... --query Account --output text")
for n in "${names[@]}"; do rm -f "$work/awl-$n" "$work/aws-$n"; done
rm -f "$work/control"
for _ in $(seq "$RUNS"); do
  time_once "$work/control" true
  for n in "${names[@]}"; do
    # shellcheck disable=SC2086
    time_once "$work/awl-$n" ${awl_cmd[$n]}
    # shellcheck disable=SC2086
    time_once "$work/aws-$n" ${aws_cmd[$n]}
  done
done
echo
echo "Commands against a local moto server: awl (static musl) vs the AWS CLI (awscli 1.46.3, Python $(python3 -c 'import sys; print(sys.version.split()[0])')), $RUNS runs each, interleaved, median wall time; control \`true\`: $(ms "$work/control") ms"
echo
printf '| %-26s | %9s | %9s | %8s | %11s | %11s |\n' command "awl ms" "aws ms" speedup "awl RSS MiB" "aws RSS MiB"
printf '|%s|%s|%s|%s|%s|%s|\n' ---------------------------- ----------- ----------- ---------- ------------- -------------
for i in "${!names[@]}"; do
  n=${names[$i]}
  a=$(ms "$work/awl-$n"); c=$(ms "$work/aws-$n")
  # shellcheck disable=SC2086
  ar=$(rss ${awl_cmd[$n]})
  # shellcheck disable=SC2086
  cr=$(rss ${aws_cmd[$n]})
  printf '| %-26s | %9s | %9s | %7sx | %11s | %11s |\n' "${labels[$i]}" "$a" "$c" \
    "$(awk -v a="$a" -v c="$c" 'BEGIN { printf "%.0f", (a > 0 ? c / a : 0) }')" \
    "$(awk -v r="$ar" 'BEGIN { printf "%.1f", r / 1024 }')" "$(awk -v r="$cr" 'BEGIN { printf "%.1f", r / 1024 }')"
done
