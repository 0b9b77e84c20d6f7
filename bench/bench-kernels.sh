#!/usr/bin/env bash
# Benchmarks every conformance model with each kernel set and prints a table:
# p50 latency, GMAC/s, speed-up over the reference kernels, and kernel coverage.
#
#   bench/bench-kernels.sh [TFLITE_CASES_DIR] [ITERATIONS]
#
# Defaults: ../shared/conformance/tflite beside the repository, 200 iterations (after 20 warm-up).
# Kernel sets: $SETS (default "reference portable x86 x86:2"); "SET:N" runs SET with N threads.
# The NEON software model ("neon-model") is exact but slow; add it to SETS to time it anyway.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cases=${1:-$root/../shared/conformance/tflite}
iters=${2:-200}
sets=${SETS:-"reference portable x86 x86:2"}
[ -d "$cases" ] || { echo "no conformance models at $cases (pass the folder that holds <case>/model.tflite)" >&2; exit 2; }

dotnet build "$root/tools/converter" -c Release -v q -nologo >/dev/null
edge=(dotnet "$root/tools/converter/bin/Release/net10.0/edge.dll")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

field() { awk -v k="\"$1\":" '$1 == k { v = $2; gsub(/[",]/, "", v); print v; exit }' "$2"; }

printf '%-24s %-12s %10s %9s %9s %9s %11s\n' model kernels "p50 ms" "p99 ms" "GMAC/s" speed-up "SIMD ops"
printf '%-24s %-12s %10s %9s %9s %9s %11s\n' ------------------------ ------------ ---------- --------- --------- --------- -----------
for dir in "$cases"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/model.tflite" ] || continue
  "${edge[@]}" convert "$dir/model.tflite" -o "$tmp/$name.edge" >/dev/null
  ref=""
  for s in $sets; do
    set_name=${s%%:*}; threads=1
    [[ $s == *:* ]] && threads=${s##*:}
    out="$tmp/$name.$set_name.$threads.json"
    if ! "${edge[@]}" bench "$tmp/$name.edge" --kernels "$set_name" --threads "$threads" \
         --iterations "$iters" --warmup 20 --json > "$out" 2>/dev/null; then
      printf '%-24s %-12s %10s\n' "$name" "$s" "n/a"; continue
    fi
    p50=$(field p50Ms "$out"); p99=$(field p99Ms "$out"); gmac=$(field gmacPerSecond "$out")
    [ "$set_name" = reference ] && [ "$threads" = 1 ] && ref=$p50
    speedup=$(awk -v r="${ref:-0}" -v p="$p50" 'BEGIN { if (r > 0 && p > 0) printf "%.1fx", r / p; else printf "-" }')
    simd=$(grep -c '"kernel": "qs8' "$out" || true); total=$(grep -c '"kernel":' "$out" || true)
    printf '%-24s %-12s %10.3f %9.3f %9.2f %9s %11s\n' "$name" "$s" "$p50" "$p99" "$gmac" "$speedup" "$simd/$total"
  done
done
