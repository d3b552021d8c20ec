#!/usr/bin/env bash
# Runs every libFuzzer target of a build for SECONDS each on its seed corpus, two at a
# time. New inputs go to a scratch directory (the committed corpus is only read). A crash
# fails the run and names the input to keep under tests/fuzz/<component>/regressions/<target>/.
#   tests/fuzz/run_all.sh BUILD_DIR [SECONDS]
set -uo pipefail
build=${1:?usage: run_all.sh BUILD_DIR [SECONDS]}
seconds=${2:-30}
list="$build/fuzz_targets.txt"
[ -f "$list" ] || { echo "run_all: $list not found (configure with OTS_FUZZ=ON)" >&2; exit 2; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

run_one() {
  local binary=$1 corpus=$2 name
  name=$(basename "$binary")
  mkdir -p "$scratch/$name/new" "$scratch/$name/artifacts"
  if "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$scratch/$name/artifacts/" "$scratch/$name/new" "$corpus" >"$scratch/$name/log" 2>&1; then
    echo "fuzz $name: ok (${seconds} s, $(grep -oE 'number_of_executed_units: *[0-9]+' "$scratch/$name/log" | grep -oE '[0-9]+$') inputs)"
  else
    echo "fuzz $name: FAILED — crashing input:" >&2
    ls "$scratch/$name/artifacts/" >&2
    tail -40 "$scratch/$name/log" >&2
    cp -r "$scratch/$name/artifacts" "$build/fuzz-artifacts-$name" 2>/dev/null
    return 1
  fi
}

status=0
pids=()
while read -r binary corpus; do
  [ -n "$binary" ] || continue
  run_one "$binary" "$corpus" &
  pids+=($!)
  if ((${#pids[@]} >= 2)); then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done <"$list"
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
