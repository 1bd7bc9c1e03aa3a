#!/usr/bin/env bash
# Runs the same M/M/100 model in trsim (through the CLI, loading and summary included) and in
# SimPy, and prints both rates and their ratio. SimPy runs a shorter horizon (it is slow); rates
# are tasks per wall-clock second. Needs build/trsim and Debian's python3-simpy.
set -euo pipefail
cd "$(dirname "$0")/../.."
simpy_hours=${SIMPY_HOURS:-2}

start=$(date +%s.%N)
build/trsim run bench/peers/mmc.yaml --quiet --json /tmp/trsim-mmc.json
end=$(date +%s.%N)
tasks=$(grep -m1 '"tasks_created"' /tmp/trsim-mmc.json | sed 's/.*"mean": \([0-9.]*\).*/\1/')
trsim_seconds=$(echo "$end - $start" | bc -l)
trsim_rate=$(echo "$tasks / $trsim_seconds" | bc -l)
printf 'trsim: %d tasks in %.3f s = %.0f tasks/s\n' "$tasks" "$trsim_seconds" "$trsim_rate"

out=$(/usr/bin/python3 bench/peers/mmc_simpy.py 100 11.574 8 $((simpy_hours * 3600)))
echo "simpy: $out"
simpy_rate=$(echo "$out" | sed 's/.*tasks_per_s=\([0-9]*\).*/\1/')
printf 'ratio: trsim is %.1f times faster than SimPy\n' "$(echo "$trsim_rate / $simpy_rate" | bc -l)"
