#!/usr/bin/env bash
# The cluster test: starts a real single-node Slurm cluster on this machine (tools/slurm/
# local-cluster.sh, everything under a temporary directory), runs a small sweep there as a job array
# of shards and a merge job after them (tools/slurm/submit-sweep.sh --wait, i.e. sbatch --wait on
# the merge job that depends on the array), and compares the merged CSV and JSON with the unsharded
# `trsim sweep` byte for byte. Then a sweep whose shards fail must leave the merge job cancelled and
# the driver failing. It stops the daemons it started whatever happens. When the cluster cannot
# start (not root, Slurm or munge not installed, a daemon that dies) it says so and fails: this test
# never skips.
#
# Usage: slurm_sweep.sh TRSIM_BINARY SOURCE_DIR    (ctest runs it; see tests/CMakeLists.txt)
set -euo pipefail

if (($# != 2)); then
  echo "usage: $0 TRSIM_BINARY SOURCE_DIR" >&2
  exit 2
fi
trsim=$(realpath "$1")
source_dir=$(realpath "$2")
cluster_tool="$source_dir/tools/slurm/local-cluster.sh"
submit_tool="$source_dir/tools/slurm/submit-sweep.sh"
scenario="$source_dir/scenarios/quickstart.yaml"
# A 2 x 2 grid with 4 replications: 16 (point, replication) units over 3 shards of 5 or 6.
sweep_options=(--set "workflows.support.task_reservation_timeout=15s,60s" --set "workers.english.count=12,14"
  --replications 4)
shards=3
# Each sweep takes ~10 s (sbatch --wait polls); a stuck one fails well before ctest's TIMEOUT, which
# would kill this script before it could stop the daemons.
sweep_timeout_s=100

work=$(mktemp -d "${TMPDIR:-/tmp}/trsim-cluster-test.XXXXXX")
chmod 0755 "$work" # munged wants its socket's folders searchable by all
cleanup() {
  local status=$?
  "$cluster_tool" stop "$work/cluster" || status=1
  if ((status != 0)); then
    for log in "$work"/*/logs/*.out; do
      [ -f "$log" ] && { echo "----- $log -----"; cat "$log"; }
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 143' TERM INT # still stop the daemons when interrupted

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

if ! cluster_env=$("$cluster_tool" start "$work/cluster"); then
  fail "could not start a Slurm cluster on this machine (see the messages above): the cluster test needs root and Debian's slurmctld slurmd slurm-client munge (tools/setup.sh installs them)"
fi
eval "$cluster_env"
cd "$work"

TRSIM=$trsim timeout "$sweep_timeout_s" "$submit_tool" --wait "$shards" "$work/sharded" "$scenario" "${sweep_options[@]}" ||
  fail "the sweep on the cluster did not complete"
"$trsim" sweep "$scenario" "${sweep_options[@]}" --quiet --csv "$work/unsharded.csv" --json "$work/unsharded.json" >/dev/null ||
  fail "the unsharded sweep failed"

for k in $(seq 0 $((shards - 1))); do
  [ -s "$work/sharded/parts/part-$k.json" ] || fail "shard $k wrote no part"
done
# Each shard holds its own slice: no two parts are the same.
! cmp -s "$work/sharded/parts/part-0.json" "$work/sharded/parts/part-1.json" || fail "shards 0 and 1 wrote the same part"
cmp "$work/sharded/sweep.json" "$work/unsharded.json" || fail "the merged JSON differs from the unsharded sweep's"
cmp "$work/sharded/sweep.csv" "$work/unsharded.csv" || fail "the merged CSV differs from the unsharded sweep's"
echo "ok: $shards shards as a Slurm job array, merged, equal the unsharded sweep byte for byte"

# A shard that fails (here: a value the scenario rejects) must cancel the merge, and the driver
# must say the sweep did not complete.
if TRSIM=$trsim timeout "$sweep_timeout_s" "$submit_tool" --wait "$shards" "$work/failing" "$scenario" \
  --set "workers.english.count=12,-1" --replications 4 2>"$work/failing.err"; then
  fail "a sweep whose shards fail was reported as complete"
fi
grep -q "merge job JobState=CANCELLED" "$work/failing.err" ||
  fail "the failing sweep's merge job was not cancelled: $(cat "$work/failing.err")"
[ ! -e "$work/failing/sweep.json" ] || fail "the failing sweep wrote a merged JSON"
echo "ok: a failing shard cancels the merge job and the driver fails"
echo "PASS"
