#!/usr/bin/env bash
# Runs the same M/M/100 model in trsim (through the CLI, loading and summary included) and in
# SimPy, and prints both rates and their ratio. SimPy runs a shorter horizon (it is slow); rates
# are tasks per wall-clock second. The two are run REPEATS times (default 5), interleaved so that
# both see the same machine load, and the medians are compared. Needs build/trsim and Debian's
# python3-simpy.
set -euo pipefail
cd "$(dirname "$0")/../.."
simpy_hours=${SIMPY_HOURS:-2}
repeats=${REPEATS:-5}
json=$(mktemp)
trap 'rm -f "$json"' EXIT

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

trsim_rates=()
simpy_rates=()
for _ in $(seq "$repeats"); do
  start=$(date +%s.%N)
  build/trsim run bench/peers/mmc.yaml --quiet --json "$json"
  end=$(date +%s.%N)
  tasks=$(grep -m1 '"tasks_created"' "$json" | sed 's/.*"mean": \([0-9.]*\).*/\1/')
  trsim_rates+=("$(echo "$tasks / ($end - $start)" | bc -l)")
  out=$(/usr/bin/python3 bench/peers/mmc_simpy.py 100 11.574 8 $((simpy_hours * 3600)))
  simpy_rates+=("$(echo "$out" | sed 's/.*tasks_per_s=\([0-9]*\).*/\1/')")
done
trsim_rate=$(printf '%s\n' "${trsim_rates[@]}" | median)
simpy_rate=$(printf '%s\n' "${simpy_rates[@]}" | median)
printf 'trsim: %d tasks, median of %d runs: %.0f tasks/s (%.3f s)\n' "$tasks" "$repeats" "$trsim_rate" \
  "$(echo "$tasks / $trsim_rate" | bc -l)"
printf 'simpy: %d h horizon, median of %d runs: %.0f tasks/s\n' "$simpy_hours" "$repeats" "$simpy_rate"
printf 'ratio: trsim is %.1f times faster than SimPy\n' "$(echo "$trsim_rate / $simpy_rate" | bc -l)"
