#!/usr/bin/env bash
# How replications and sweep points scale across cores: runs the same work with --threads 1..N
# (N = nproc unless given) and prints the wall time, the speed-up over one thread and the parallel
# efficiency, plus a check that every thread count wrote byte-identical output. Wall times are the
# best of REPEATS runs (default 3): on a shared machine the best run is the least disturbed one.
#
# Usage: bench/threads_scaling.sh [MAX_THREADS]     (needs build/trsim)
set -euo pipefail
cd "$(dirname "$0")/.."
max_threads=${1:-$(nproc)}
repeats=${REPEATS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# name | trsim arguments (the output file is appended as --json)
jobs=(
  "replications: M/M/100 day x 8|run bench/peers/mmc.yaml --replications 8 --quiet"
  "replications: support-centre x 400|run scenarios/support-centre.yaml --replications 400 --quiet"
  "sweep points: sweep-timeout 3x2 grid x 400 reps|sweep scenarios/sweep-timeout.yaml --replications 400 --quiet"
)

best_wall() {  # best wall time in seconds of $repeats runs of "$@"
  local best=""
  for _ in $(seq "$repeats"); do
    local start end t
    start=$(date +%s.%N)
    "$@"
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  echo "$best"
}

printf '%-48s %8s %9s %9s %11s\n' "work" "threads" "wall s" "speed-up" "efficiency"
for job in "${jobs[@]}"; do
  name=${job%%|*}
  read -r -a args <<<"${job#*|}"
  one=""
  for threads in $(seq 1 "$max_threads"); do
    out="$work/out-$threads.json"
    t=$(best_wall build/trsim "${args[@]}" --threads "$threads" --json "$out")
    [ -z "$one" ] && one=$t
    speedup=$(echo "$one / $t" | bc -l)
    printf '%-48s %8d %9.2f %8.2fx %10.0f%%\n' "$name" "$threads" "$t" "$speedup" \
      "$(echo "100 * $speedup / $threads" | bc -l)"
    if ! cmp -s "$work/out-1.json" "$out"; then
      echo "ERROR: --threads $threads wrote a different summary than --threads 1" >&2
      exit 1
    fi
  done
done
echo "outputs: byte-identical for every thread count"
