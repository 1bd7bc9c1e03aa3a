#!/usr/bin/env bash
# The cluster test: starts a real single-node Slurm cluster on this machine (tools/slurm/
# local-cluster.sh, everything under a temporary directory), runs trsim as a Slurm job array there,
# and compares what the array wrote with the same work run directly, byte for byte. It stops the
# daemons it started whatever happens. When the cluster cannot start (not root, Slurm or munge not
# installed, a daemon that dies) it says so and fails: this test never skips.
#
# Usage: slurm_job_array.sh TRSIM_BINARY SOURCE_DIR    (ctest runs it; see tests/CMakeLists.txt)
set -euo pipefail

if (($# != 2)); then
  echo "usage: $0 TRSIM_BINARY SOURCE_DIR" >&2
  exit 2
fi
trsim=$(realpath "$1")
source_dir=$(realpath "$2")
cluster_tool="$source_dir/tools/slurm/local-cluster.sh"
scenario="$source_dir/scenarios/quickstart.yaml"

work=$(mktemp -d "${TMPDIR:-/tmp}/trsim-cluster-test.XXXXXX")
chmod 0755 "$work" # munged wants its socket's folders searchable by all
cleanup() {
  local status=$?
  "$cluster_tool" stop "$work/cluster" || status=1
  if ((status != 0)) && [ -d "$work/out" ]; then
    for log in "$work"/out/*.out "$work"/out/logs/*.out; do
      [ -f "$log" ] && { echo "----- $log -----"; cat "$log"; }
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

if ! cluster_env=$("$cluster_tool" start "$work/cluster"); then
  fail "could not start a Slurm cluster on this machine (see the messages above): the cluster test needs root and Debian's slurmctld slurmd slurm-client munge (tools/setup.sh installs them)"
fi
eval "$cluster_env"
mkdir -p "$work/out"
cd "$work/out"

# Each array task runs one seed of the scenario; the same runs done here must match byte for byte.
tasks=3
sbatch --wait --array="0-$((tasks - 1))" --output="$work/out/task-%a.out" \
  --wrap="\"$trsim\" run \"$scenario\" --replications 2 --seed \$((SLURM_ARRAY_TASK_ID + 1)) --quiet --json \"$work/out/run-\$SLURM_ARRAY_TASK_ID.json\"" ||
  fail "the job array did not succeed"

for k in $(seq 0 $((tasks - 1))); do
  [ -s "$work/out/run-$k.json" ] || fail "array task $k wrote no summary"
  "$trsim" run "$scenario" --replications 2 --seed $((k + 1)) --quiet --json "$work/expected-$k.json"
  cmp "$work/out/run-$k.json" "$work/expected-$k.json" || fail "array task $k differs from the direct run"
done
# Different seeds, different summaries: the tasks really ran their own slice of the work.
! cmp -s "$work/out/run-0.json" "$work/out/run-1.json" || fail "array tasks 0 and 1 wrote the same summary"
echo "PASS: $tasks array tasks on a local Slurm cluster match the direct runs byte for byte"
