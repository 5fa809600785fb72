#!/usr/bin/env bash
# make bench-sign: awl's signer and payload hashing against the aws-sigv4 crate, in one run, on both targets,
# with openssl's SHA-256 as the hashing peer and callgrind's instruction counts (repeatable on a noisy machine).
set -euo pipefail
cd "$(dirname "$0")"
MUSL=x86_64-unknown-linux-musl
GNU=x86_64-unknown-linux-gnu

cargo build --quiet --release --target $MUSL
cargo build --quiet --release --target $GNU
musl_bin=target/$MUSL/release/awl-bench
gnu_bin=target/$GNU/release/awl-bench

field() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

"$musl_bin" report > target/musl.txt
"$gnu_bin" report > target/gnu.txt
# openssl's own figure for 16 KiB blocks, in kB/s (1000 bytes), as MB/s.
openssl_mb=$(openssl speed -evp sha256 -bytes 16384 -seconds 3 2>/dev/null | awk '/^sha256/ { sub(/k$/, "", $2); printf "%.0f", $2 / 1000 }')

# Instructions per signature: the difference between 2000 and 1000 signatures, so setup cancels out.
# valgrind offers no SHA-NI, so both signers hash in software here: count, not speed.
insns() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 | awk '/Collected/ { print $4 }'
}
per_sig() {
  local a b
  a=$(insns "$1" sign "$2" 1000); b=$(insns "$1" sign "$2" 2000)
  echo $(( (b - a) / 1000 ))
}
i_awl=$(per_sig "$musl_bin" awl)
i_sigv4=$(per_sig "$musl_bin" sigv4)

mb() { awk -v v="$1" 'BEGIN { printf "%.0f", v * 1048576 / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo
echo "SigV4 signing of an S3 PutObject (4 headers + session token), and payload hashing; $(date -u +%F), $(nproc) cores"
echo
printf '| %-44s | %14s | %14s | %8s |\n' "measure" "awl" "aws-sigv4" "ratio"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "$(printf -- '-%.0s' {1..16})" "$(printf -- '-%.0s' {1..16})" "$(printf -- '-%.0s' {1..10})"
for t in musl gnu; do
  f=target/$t.txt
  printf '| %-44s | %14s | %14s | %8s |\n' "signatures/s, $t, key cached per day" "$(field sign_awl_per_s $f)" "$(field sign_sigv4_per_s $f)" "$(field sign_ratio $f)x"
  printf '| %-44s | %14s | %14s | %8s |\n' "signatures/s, $t, key derived per request" "$(field sign_awl_fresh_key_per_s $f)" "$(field sign_sigv4_per_s $f)" "$(field sign_fresh_key_ratio $f)x"
  printf '| %-44s | %14s | %14s | %8s |\n' "payload SHA-256 MB/s, $t, 1 MiB bodies" "$(mb "$(field hash_awl_mb_s $f)")" "$(mb "$(field hash_sigv4_mb_s $f)")" "$(ratio "$(field hash_awl_mb_s $f)" "$(field hash_sigv4_mb_s $f)")x"
done
printf '| %-44s | %14s | %14s | %8s |\n' "instructions/signature (callgrind, musl)" "$i_awl" "$i_sigv4" "$(ratio "$i_sigv4" "$i_awl")x"
echo
awl_musl_mb=$(mb "$(field hash_awl_mb_s target/musl.txt)")
echo "hashing vs openssl speed -evp sha256 (16 KiB blocks): awl (musl) $awl_musl_mb MB/s, openssl $openssl_mb MB/s: $(ratio "$awl_musl_mb" "$openssl_mb")x"
echo "musl/glibc, awl signing: $(ratio "$(field sign_awl_per_s target/musl.txt)" "$(field sign_awl_per_s target/gnu.txt)")x;" \
  "awl hashing: $(ratio "$(field hash_awl_mb_s target/musl.txt)" "$(field hash_awl_mb_s target/gnu.txt)")x"
echo
echo "JMESPath (--query) on a 100-object listing, static musl build, medians of 5 rounds:"
echo
echo "| expression | compile µs | compile + evaluate µs |"
echo "|---|---|---|"
"$musl_bin" jmespath
