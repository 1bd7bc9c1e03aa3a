#!/usr/bin/env bash
# Submits a `trsim sweep` to Slurm as N shards (a job array, sweep-array.sbatch) and a merge job that
# starts when every shard succeeded (merge.sbatch), then prints both job ids.
#
# Usage: tools/slurm/submit-sweep.sh [--wait] N OUT_DIR SCENARIO [sweep options...]
#   N              number of shards (array tasks 0..N-1)
#   OUT_DIR        gets parts/part-K.json, sweep.csv, sweep.json and logs/ (one file per job task);
#                  it must be on a file system every node sees
#   sweep options  passed to every shard: --set PATH=V1,V2,..., --replications, --seed, ...
#   --wait         return only when the merge job has ended; exit 0 when it succeeded
# Environment: TRSIM  the trsim binary (default: `trsim` on PATH); sbatch's own SBATCH_* variables
#              (SBATCH_PARTITION, SBATCH_ACCOUNT, ...) apply to both jobs.
# Example:
#   TRSIM=$PWD/build/trsim tools/slurm/submit-sweep.sh 20 study scenarios/quickstart.yaml \
#     --set workflows.support.task_reservation_timeout=15s,30s,60s --replications 50
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
usage() {
  echo "usage: $0 [--wait] N OUT_DIR SCENARIO [sweep options...]" >&2
  exit 2
}

wait_for_merge=0
if [ "${1:-}" = "--wait" ]; then
  wait_for_merge=1
  shift
fi
(($# >= 3)) || usage
shards=$1
out_dir=$2
scenario=$3
shift 3
[[ $shards =~ ^[1-9][0-9]*$ ]] || { echo "submit-sweep.sh: N must be a positive integer, got '$shards'" >&2; exit 2; }
[ -r "$scenario" ] || { echo "submit-sweep.sh: cannot read $scenario" >&2; exit 2; }

trsim=${TRSIM:-$(command -v trsim || true)}
if [ -z "$trsim" ] || [ ! -x "$trsim" ]; then
  echo "submit-sweep.sh: no trsim binary: set TRSIM or put trsim on PATH" >&2
  exit 2
fi
# The jobs may start in another directory on another node: give them absolute paths.
export TRSIM
TRSIM=$(realpath "$trsim")
scenario=$(realpath "$scenario")
# Parts of an earlier sweep would be merged with this one's (merge would then refuse the mix).
if compgen -G "$out_dir/parts/part-*.json" >/dev/null; then
  echo "submit-sweep.sh: $out_dir/parts already holds parts of a sweep: remove them or choose another OUT_DIR" >&2
  exit 2
fi
mkdir -p "$out_dir/parts" "$out_dir/logs"
out_dir=$(realpath "$out_dir")

array_job=$(sbatch --parsable --array="0-$((shards - 1))" \
  --output="$out_dir/logs/shard-%a.out" \
  "$here/sweep-array.sbatch" "$out_dir/parts" "$scenario" "$@")
array_job=${array_job%%;*} # --parsable prints ID or ID;CLUSTER
echo "shards: job array $array_job (tasks 0-$((shards - 1)))"

merge_args=(--parsable --dependency="afterok:$array_job" --kill-on-invalid-dep=yes
  --output="$out_dir/logs/merge.out"
  "$here/merge.sbatch" "$out_dir/parts" "$out_dir/sweep.csv" "$out_dir/sweep.json")
merge_line() {
  echo "merge: job $1 (after $array_job) -> $out_dir/sweep.csv $out_dir/sweep.json"
}
if ((!wait_for_merge)); then
  merge_job=$(sbatch "${merge_args[@]}")
  merge_line "${merge_job%%;*}"
  exit 0
fi

set +e
merge_job=$(sbatch --wait "${merge_args[@]}")
status=$?
set -e
merge_job=${merge_job%%;*}
[ -n "$merge_job" ] || exit 1 # sbatch said why
merge_line "$merge_job"
# sbatch --wait exits 0 also for a merge job cancelled because a shard failed (afterok never
# satisfied): the job's final state is what tells.
state=$(scontrol --oneliner show job "$merge_job" 2>/dev/null | grep -o 'JobState=[A-Z_]*' || true)
if ((status != 0)) || [ "${state#JobState=}" != COMPLETED ]; then
  echo "submit-sweep.sh: the sweep did not complete (merge job ${state:-state unknown}, sbatch exit $status); see $out_dir/logs/" >&2
  exit 1
fi
echo "done: $out_dir/sweep.csv $out_dir/sweep.json"
