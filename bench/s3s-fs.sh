# shellcheck shell=bash disable=SC2154
# Sourced by the benchmarks that need a local S3: starts s3s-fs on a free port with "$work/root" as its
# store (a fresh "$work" it removes on exit), points every client at it with fixed keys, and makes the
# bucket `bench`. Needs $work, $S3S and $AWL; sets $port, $server and $store. With $STORE set (a folder, on
# tmpfs say), the store is a fresh folder there and "$work/root" a link to it: the server's writes then do not
# share the clients' disk and journal (on this machine's ext4, that sharing tripled the spread of 1,000 small
# uploads, the server's own fsyncs and deletes stalling every client alike).
rm -rf "$work"; mkdir -p "$work/home"
if [ -n "${STORE:-}" ]; then
  store=$(mktemp -d "$STORE/awl-bench-store.XXXXXX")
  ln -s "$store" "$work/root"
else
  store="$work/root"
  mkdir -p "$store"
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$S3S" --host 127.0.0.1 --port "$port" --access-key AKIABENCHKEY00000001 --secret-key benchsecret "$store" \
  > "$work/s3s-fs.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work" "$store"' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done

export HOME="$work/home" AWS_ACCESS_KEY_ID=AKIABENCHKEY00000001 AWS_SECRET_ACCESS_KEY=benchsecret
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
unset AWS_CA_BUNDLE AWS_PROFILE
"$AWL" s3 mb s3://bench >/dev/null

# rclone's remote `b:` for the server at $AWS_ENDPOINT_URL (call it again after pointing that elsewhere, at a
# relay say): settings by environment, so no rclone.conf is read or written.
rclone_remote() {
  export RCLONE_CONFIG_B_TYPE=s3 RCLONE_CONFIG_B_PROVIDER=Other RCLONE_CONFIG_B_ENV_AUTH=false \
    RCLONE_CONFIG_B_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" RCLONE_CONFIG_B_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
    RCLONE_CONFIG_B_ENDPOINT="$AWS_ENDPOINT_URL" RCLONE_CONFIG_B_REGION=us-east-1 RCLONE_CONFIG_B_FORCE_PATH_STYLE=true
}
