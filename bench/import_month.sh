#!/usr/bin/env bash
# The import benchmark: a month of a 500-agent centre (bench/import/month.yaml) run by trsim itself
# with its event log in TaskRouter's shape (about 5 million events, 2.7 GB of JSON Lines), its
# workspace exported, then `trsim import` of both timed, with its peak memory. The import streams:
# run it with a shorter history (DAYS) to see that the peak memory does not grow with the file.
#
# Usage: bench/import_month.sh [DAYS ...]     (default: 3 30; needs build/trsim and ~3 GB in TMPDIR)
set -euo pipefail
cd "$(dirname "$0")/.."
trsim=${TRSIM:-build/trsim}
days=("$@")
[ ${#days[@]} -gt 0 ] || days=(3 30)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$trsim" export bench/import/month.yaml "$work/export" >/dev/null
printf '%6s %10s %10s %10s %12s %14s\n' days events "MB" "run s" "import s" "peak RSS MB"
for d in "${days[@]}"; do
  events="$work/events-$d.jsonl"
  start=$(date +%s.%N)
  "$trsim" run bench/import/month.yaml --set "horizon=${d}d" -q --events "$events" \
    --events-format taskrouter
  end=$(date +%s.%N)
  run_s=$(echo "$end - $start" | bc -l)
  mkdir -p "$work/mirror-$d"
  /usr/bin/time -f '%e %M' -o "$work/time-$d" \
    "$trsim" import "$work/export" "$events" -o "$work/mirror-$d/mirror.yaml" -q
  read -r import_s peak_kb <"$work/time-$d"
  printf '%6s %10s %10.0f %10.1f %12s %14.1f\n' "$d" "$(wc -l <"$events")" \
    "$(echo "$(stat -c %s "$events") / 1048576" | bc -l)" "$run_s" "$import_s" \
    "$(echo "$peak_kb / 1024" | bc -l)"
  rm -f "$events"
done
