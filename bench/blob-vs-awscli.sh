#!/usr/bin/env bash
# The `blob` tool beside the AWS CLI (`aws s3`) on the same local S3 server: many small files and
# a few large ones, uploaded and downloaded with `cp --recursive`, then a `sync` that finds
# nothing to do. Results go to docs/benchmarks.md ("The blob tool vs the AWS CLI").
#
# Usage: bench/blob-vs-awscli.sh [RESULTS_DIR]
#   RESULTS_DIR/results.tsv: per command its wall-clock seconds, the tool's CPU seconds, the
#   server's CPU seconds and the machine's seconds of waiting for the disk during it (iowait
#   from /proc/stat, summed over the cores). Before each command the script flushes the page
#   cache's dirty pages (`sync`): the previous commands' writes (up to several GB) are otherwise
#   written back in bursts by the kernel in the middle of a later command, stalling the server's
#   and the tool's writes for seconds in whichever command they hit.
#   SMALL_N (default 10000) files of SMALL_KIB (4) KiB; LARGE_N (100) files of LARGE_MIB (8) MiB;
#   BLOB_FLAGS: more global options for blob, e.g. "--checksum-algorithm CRC32C" (the default is
#   MD5 against a non-AWS endpoint; the AWS CLI sends CRC32). CONCURRENCY (16): blob's
#   --concurrency. The AWS CLI runs twice: `aws` with its defaults (10 requests at once, multipart
#   from 8 MiB), as people use it, and `aws-tuned` with blob's settings (CONCURRENCY requests at
#   once, one PUT below 16 MiB, else 8 MiB parts), so that one row compares the same requests;
#   each from a config file of the script's own, whatever ~/.aws/config says. TOOLS ("blob aws
#   aws-tuned"): which tools run; also "blob-heavy", blob on the JVM for heavy hashing whatever
#   the command (BLOB_JVM=heavy; bin/blob-workload chooses otherwise). ROUNDS (1): each
#   measurement is repeated that many times, rotating which tool goes first. WARMUP_ROUNDS (1): unmeasured rounds of the small set by both tools first, so that the
#   server (a JVM) is compiled before anything is measured. Needs about 8 GB of disk under TMPDIR
#   (downloaded trees are kept until the end).
#
# The server is S3Proxy (the store the tool embeds, SigV4 checked) over a filesystem store in a
# JVM of its own: ambidex-bench's S3ServerMain. The AWS CLI is installed with apt (Debian's
# `awscli`) if `aws` is not on PATH. Builds the tool and the benchmark jar if they are missing.
# Leave the tool's sources alone while it runs: bin/blob rebuilds the tool, inside a measured
# command, when one of its main sources is newer than its jar (tests and benchmarks do not count).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
SMALL_N="${SMALL_N:-10000}"; SMALL_KIB="${SMALL_KIB:-4}"
LARGE_N="${LARGE_N:-100}"; LARGE_MIB="${LARGE_MIB:-8}"
CONCURRENCY="${CONCURRENCY:-16}"; ROUNDS="${ROUNDS:-1}"
out="${1:-/tmp/blob-vs-awscli-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"

if ! command -v aws >/dev/null; then
  echo "Installing the AWS CLI (Debian's awscli)..." >&2
  apt-get update -q && apt-get install -y -q awscli >&2
fi
if [[ ! -x /usr/bin/time ]]; then
  echo "Installing GNU time (Debian's time), to count each command's CPU..." >&2
  apt-get update -q && apt-get install -y -q time >&2
fi
BLOB_JAR=ambidex-blob-cli/target/blob.jar
BENCH_JAR=ambidex-bench/target/benchmarks.jar
if [[ ! -f "$BLOB_JAR" || ! -f "$BENCH_JAR" ]]; then
  mvn -B -q -DskipTests -Dmaven.javadoc.skip=true -pl ambidex-blob-cli,ambidex-bench -am package >&2
fi
J="$("$root/bin/java21")"

work="$(mktemp -d -t blob-vs-awscli.XXXXXX)"
server_pid=""
cleanup() {
  exec 3>&- 2>/dev/null || true
  [[ -n "$server_pid" ]] && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The server: serves until its standard input (our fd 3) is closed.
mkfifo "$work/stop"
"$J" -Xmx1g -cp "$BENCH_JAR" io.ambidex.bench.blob.S3ServerMain "$work/store" \
  < "$work/stop" > "$work/server.out" 2> "$out/server.log" &
server_pid=$!
exec 3> "$work/stop"
for _ in $(seq 600); do grep -q '^port ' "$work/server.out" 2>/dev/null && break; sleep 0.1; done
port="$(sed -n 's/^port //p' "$work/server.out")"
[[ -n "$port" ]] || { echo "The S3 server did not start; see $out/server.log" >&2; exit 1; }
endpoint="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-local-secret AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
unset AWS_CA_BUNDLE AWS_PROFILE || true
TOOLS="${TOOLS:-blob aws aws-tuned}"
: > "$work/aws-config" # the CLI's defaults
# blob's defaults: --concurrency requests at once; one PUT below 16 MiB, else 8 MiB parts.
printf '[default]\ns3 =\n  max_concurrent_requests = %s\n  multipart_threshold = 16MB\n  multipart_chunksize = 8MB\n' \
  "$CONCURRENCY" > "$work/aws-tuned-config"

# The tool as users run it: bin/blob, with its JVM options and class-data archive.
# (Small scripts, not functions: /usr/bin/time runs them to count their CPU.)
printf '#!/usr/bin/env bash\nexec "%s/bin/blob" --no-progress --endpoint "%s" %s "$@"\n' "$root" "$endpoint" "${BLOB_FLAGS:-}" > "$work/blob"
# blob-heavy: the same, always on the JVM for heavy hashing (C2, G1), whatever the command
# (bin/blob-workload's choice overridden), to measure what that choice is worth.
printf '#!/usr/bin/env bash\nBLOB_JVM=heavy exec "%s/blob" "$@"\n' "$work" > "$work/blob-heavy"
for variant in aws aws-tuned; do
  printf '#!/usr/bin/env bash\nAWS_CONFIG_FILE="%s" exec aws --endpoint-url "%s" s3 "$@"\n' \
    "$work/$variant-config" "$endpoint" > "$work/$variant"
done
chmod +x "$work/blob" "$work/blob-heavy" "$work/aws" "$work/aws-tuned"
blob() { "$work/blob" "$@"; }
awss3() { "$work/aws" "$@"; }

echo "Making the files: $SMALL_N x $SMALL_KIB KiB, $LARGE_N x $LARGE_MIB MiB..." >&2
python3 - "$work/small" "$SMALL_N" "$SMALL_KIB" "$work/large" "$LARGE_N" "$LARGE_MIB" <<'PY'
import os, sys
small, n, kib, large, m, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
for i in range(n):
    d = os.path.join(small, "d%02d" % (i % 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d.bin" % i), "wb") as f:
        f.write(os.urandom(kib * 1024))
os.makedirs(large, exist_ok=True)
for i in range(m):
    with open(os.path.join(large, "big%03d.bin" % i), "wb") as f:
        f.write(os.urandom(mib * 1024 * 1024))
PY
blob mb s3://bench >/dev/null

# Downloaded trees are moved aside, not deleted, until the end. On this machine's ext4 (no
# journal) a file created within 30-60 s of many deletions makes the kernel skip every recently
# deleted inode while it looks for a free one (find_inode_bit, recently_deleted): deleting the
# 10,000 files of one download made the next command's file creations cost 4-5 s of system CPU
# more, whichever tool ran it (server's store included), so the rounds disagreed by 2x.
mkdir -p "$work/trash"
n_trash=0
trash() { n_trash=$((n_trash + 1)); mv "$1" "$work/trash/$n_trash"; }

# The server is a JVM too: its first ten thousand requests run while it compiles (it spent 13 s
# of CPU on the first upload of the small set and 2.3 s on the fourth). Both tools are measured
# against a server that has already served WARMUP_ROUNDS rounds of the small set (up, down, sync,
# by each tool, unmeasured), so neither pays for the server's warm-up.
WARMUP_ROUNDS="${WARMUP_ROUNDS:-1}"
for w in $(seq "$WARMUP_ROUNDS"); do
  echo "Warming the server up (round $w of $WARMUP_ROUNDS)..." >&2
  blob cp --recursive --concurrency "$CONCURRENCY" "$work/small" "s3://bench/warm-blob-$w/" >/dev/null 2>&1
  blob cp --recursive --concurrency "$CONCURRENCY" "s3://bench/warm-blob-$w/" "$work/warm-down" >/dev/null 2>&1
  blob sync --concurrency "$CONCURRENCY" "$work/small" "s3://bench/warm-blob-$w/" >/dev/null 2>&1
  trash "$work/warm-down"
  awss3 cp --recursive --only-show-errors "$work/small" "s3://bench/warm-aws-$w/"
  awss3 cp --recursive --only-show-errors "s3://bench/warm-aws-$w/" "$work/warm-down"
  awss3 sync --only-show-errors "$work/small" "s3://bench/warm-aws-$w/"
  trash "$work/warm-down"
done

results="$out/results.tsv"
printf 'tool\tset\toperation\tround\tseconds\ttool_cpu\tserver_cpu\tiowait\n' > "$results"
# The server's CPU seconds so far (user + system, from /proc), to tell how much of a command's
# time the server itself needed.
tick="$(getconf CLK_TCK)"
server_cpu() { awk -v t="$tick" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$server_pid/stat"; }
# The machine's iowait so far, in clock ticks (the first line of /proc/stat, its fifth field).
iowait() { awk '$1 == "cpu" { print $6; exit }' /proc/stat; }
# Runs one measured command: TOOL SET OPERATION ROUND COMMAND... Records its wall-clock seconds,
# the CPU seconds of the tool's process (GNU time: the command and what it waited for), the
# server's, and the seconds the machine's cores waited for the disk.
measure() {
  local tool="$1" set="$2" op="$3" round="$4"; shift 4
  local start end cpu0 cpu1 s0 s1 w0 w1
  sync
  s0=$(server_cpu); w0=$(iowait)
  start=$(date +%s.%N)
  if ! /usr/bin/time -f '%U %S' -o "$work/time" "$@" > "$out/$tool-$set-$op-$round.log" 2>&1; then
    echo "FAILED: $tool $set $op (see $out/$tool-$set-$op-$round.log)" >&2
    exit 1
  fi
  end=$(date +%s.%N)
  s1=$(server_cpu); w1=$(iowait)
  local s; s=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
  local c; c=$(awk '{ printf "%.2f", $1 + $2 }' "$work/time")
  local sc; sc=$(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.2f", b - a }')
  local wa; wa=$(awk -v a="$w0" -v b="$w1" -v hz="$tick" 'BEGIN { printf "%.2f", (b - a) / hz }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$set" "$op" "$round" "$s" "$c" "$sc" "$wa" \
    | tee -a "$results"
}

for set in small large; do
  for round in $(seq "$ROUNDS"); do
    # Rotate which tool goes first, so that none always runs on another's leftovers.
    read -ra order <<< "$TOOLS"
    shift_by=$(( (round - 1) % ${#order[@]} ))
    tools="${order[*]:shift_by} ${order[*]:0:shift_by}"
    for tool in $tools; do
      prefix="s3://bench/$tool-$set-$round"
      down="$work/down-$tool-$set-$round"
      if [[ $tool == blob* ]]; then
        measure "$tool" "$set" upload "$round" "$work/$tool" cp --recursive --concurrency "$CONCURRENCY" "$work/$set" "$prefix/"
        measure "$tool" "$set" download "$round" "$work/$tool" cp --recursive --concurrency "$CONCURRENCY" "$prefix/" "$down"
        measure "$tool" "$set" sync-nochange "$round" "$work/$tool" sync --concurrency "$CONCURRENCY" "$work/$set" "$prefix/"
      else
        measure "$tool" "$set" upload "$round" "$work/$tool" cp --recursive --only-show-errors "$work/$set" "$prefix/"
        measure "$tool" "$set" download "$round" "$work/$tool" cp --recursive --only-show-errors "$prefix/" "$down"
        measure "$tool" "$set" sync-nochange "$round" "$work/$tool" sync --only-show-errors "$work/$set" "$prefix/"
      fi
      diff -r "$work/$set" "$down" > /dev/null || { echo "DIFFERENT: $down" >&2; exit 1; }
      trash "$down"
    done
  done
done

{
  echo "# $(date -u +%FT%TZ) $(uname -sr), $(nproc) cores, load average before/after: see below"
  echo "# blob: $("$J" -version 2>&1 | head -1); aws: $(aws --version 2>&1); TOOLS=$TOOLS"
  echo "# SMALL_N=$SMALL_N SMALL_KIB=$SMALL_KIB LARGE_N=$LARGE_N LARGE_MIB=$LARGE_MIB CONCURRENCY=$CONCURRENCY ROUNDS=$ROUNDS WARMUP_ROUNDS=$WARMUP_ROUNDS BLOB_JAVA_OPTS=${BLOB_JAVA_OPTS:-} BLOB_FLAGS=${BLOB_FLAGS:-}"
  echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} >> "$out/summary.txt"
cat "$out/summary.txt"
echo "Results: $results" >&2
