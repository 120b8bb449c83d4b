#!/bin/sh
# Smoke run of one fuzz target, for ctest (label "fuzz"):
#
#   smoke.sh FUZZER SEED_DIR DICT SECONDS ARTIFACT_DIR
#
# Fuzzes a temporary copy of the seed corpus for SECONDS (the repository is
# never written); a crash, leak, sanitizer report or timeout fails the run
# and leaves the input in ARTIFACT_DIR.
set -eu
fuzzer=$1 seeds=$2 dict=$3 seconds=$4 artifacts=$5

work=$(mktemp -d "${TMPDIR:-/tmp}/plugrpc-fuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/corpus" "$artifacts"
cp "$seeds"/* "$work/corpus/"

name=$(basename "$fuzzer")
exec_status=0
"$fuzzer" -max_total_time="$seconds" -runs=5000000 -timeout=10 -rss_limit_mb=2048 \
    -dict="$dict" -artifact_prefix="$artifacts/$name-" -print_final_stats=1 "$work/corpus" || exec_status=$?
exit $exec_status
