#!/usr/bin/env bash
# Pipeline throughput with threat intelligence loaded: the bench capture replayed with one worker
# into a fresh database without indicators, then into one holding N generated indicators (the
# built-in behaviour pack is loaded in both). Prints packets/s per worker core of each and the ratio.
#
#   bench/ti_pipeline.sh [--indicators N] [--capture FILE] [--runs R]   # defaults: 1,000,000, the
#                                                                       # newest bench/out/ot_bench_*.pcap, 2
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${OTS_BUILD_DIR:-$ROOT/build/release}
OUT=$ROOT/bench/out
OTSENSOR=$BUILD/core/otsensor
INDICATORS=1000000
RUNS=2
CAPTURE=

while [ $# -gt 0 ]; do
  case $1 in
    --indicators) INDICATORS=$2; shift 2 ;;
    --capture) CAPTURE=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

if [ -z "$CAPTURE" ]; then
  CAPTURE=$(ls -t "$OUT"/ot_bench_*.pcap 2>/dev/null | head -1 || true)
fi
[ -n "$CAPTURE" ] && [ -f "$CAPTURE" ] || { echo "no bench capture: run bench/run.sh first (or --capture FILE)" >&2; exit 1; }
[ -x "$OTSENSOR" ] || { echo "$OTSENSOR missing: cmake --build $BUILD --target otsensor" >&2; exit 1; }
mkdir -p "$OUT"

# The indicator list: every type the matcher keeps in its own structure, none of them in the
# capture (so the cost measured is the lookups, not alerts). Deterministic; types inferred per line.
LIST=$OUT/ti_${INDICATORS}.txt
if [ ! -f "$LIST" ]; then
  awk -v n="$INDICATORS" 'BEGIN {
    ips = int(n * 0.4); cidrs = int(n * 0.1); domains = int(n * 0.3); urls = int(n * 0.1)
    hashes = n - ips - cidrs - domains - urls
    print "# bench/ti_pipeline.sh: " n " generated indicators"
    for (i = 0; i < ips; i++) printf "100.%d.%d.%d\n", 64 + int(i / 65536) % 64, int(i / 256) % 256, i % 256
    for (i = 0; i < cidrs; i++) printf "%d.%d.%d.0/24\n", 11 + int(i / 65536), int(i / 256) % 256, i % 256
    for (i = 0; i < domains; i++) printf "host%d.bad%d.example.test\n", i, i % 1000
    for (i = 0; i < urls; i++) printf "http://dl%d.example.invalid/p/%d.bin\n", i % 5000, i
    for (i = 0; i < hashes; i++) printf "%056x%08x\n", 0, i + 1
  }' > "$LIST"
fi

TI_DB=$OUT/ti_bench_${INDICATORS}.db
RUN_DB=$OUT/ti_bench_run.db
rm -f "$TI_DB" "$TI_DB"-*

start=$(date +%s%N)
"$OTSENSOR" ti import --db "$TI_DB" --name "bench-${INDICATORS}" "$LIST" > "$OUT/ti_import.log" 2>&1
import_s=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')

# Best of RUNS replays, each into a fresh copy of its database ("" = an empty one):
# otsensor prints "workers used X s of CPU: N packets/s per worker core".
per_core() {
  local from=$1 log=$2 best=0 run rate
  for run in $(seq "$RUNS"); do
    rm -f "$RUN_DB" "$RUN_DB"-*
    [ -n "$from" ] && cp "$from" "$RUN_DB"
    rate=$("$OTSENSOR" replay --workers 1 --db "$RUN_DB" "$CAPTURE" 2>&1 | tee "$log" |
           sed -n 's/.*CPU: \([0-9]*\) packets\/s per worker core.*/\1/p')
    [ -n "$rate" ] || { echo "replay printed no rate (see $log)" >&2; exit 1; }
    [ "$rate" -gt "$best" ] && best=$rate
  done
  echo "$best"
}

none=$(per_core "" "$OUT/ti_replay_none.log")
loaded=$(per_core "$TI_DB" "$OUT/ti_replay_${INDICATORS}.log")
rm -f "$RUN_DB" "$RUN_DB"-*

printf 'capture: %s\n' "$(basename "$CAPTURE")"
printf 'indicators: %s generated; import took %s s; %s\n' "$INDICATORS" "$import_s" \
  "$(sed -n 's/^ *counts: *//p' "$OUT/ti_import.log")"
printf '%-44s %16s\n' "replay, 1 worker" "packets/s/core"
printf '%-44s %16s\n' "behaviour pack, no indicators" "$none"
printf '%-44s %16s\n' "behaviour pack + ${INDICATORS} indicators" "$loaded"
awk -v a="$loaded" -v b="$none" 'BEGIN { printf "ratio with / without indicators: %.3f\n", a / b }'
printf 'goal >= 1,200,000 packets/s per worker: %s\n' "$([ "$loaded" -ge 1200000 ] && echo met || echo "not met")"
