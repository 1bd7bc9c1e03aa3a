#!/usr/bin/env bash
# Byte-for-byte comparison of trsim's outputs between two builds: every bundled scenario, the M/M/100
# day (bench/peers/mmc.yaml) and the 10,000-worker scale scenario (tools/make_scale_scenario.py), each
# run with and without the event log and once with --check-invariants; the summary JSON, the event log
# and the interval CSV are compared. A refactoring that claims "outputs unchanged" runs this.
#
# Usage: tools/compare_outputs.sh REF [NEW_BINARY]
#   REF         a commit (built once into .compare-outputs/REF-SHA/, cached), or a trsim binary
#   NEW_BINARY  default build/trsim
# Environment: COMPARE_QUICK=1 leaves out the scale scenario (about a minute of the run).
# Exit status: 0 when every output is identical, 1 when any differs (the first lines of each diff are
# printed), 2 for a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

[ $# -ge 1 ] || { echo "usage: tools/compare_outputs.sh REF [NEW_BINARY]" >&2; exit 2; }
ref=$1
new=${2:-build/trsim}
[ -x "$new" ] || { echo "no trsim binary at $new (build first)" >&2; exit 2; }
new=$(readlink -f "$new")

if [ -x "$ref" ] && [ -f "$ref" ]; then
  old=$(readlink -f "$ref")
else
  sha=$(git rev-parse --verify "$ref^{commit}") || { echo "not a commit or a binary: $ref" >&2; exit 2; }
  cache="$top/.compare-outputs/$sha"
  if [ ! -x "$cache/build/trsim" ]; then
    rm -rf "$cache"
    mkdir -p "$cache"
    git archive "$sha" | tar -x -C "$cache"
    cmake -S "$cache" -B "$cache/build" -DCMAKE_BUILD_TYPE=Release -DTRSIM_BUILD_TESTS=OFF \
      -DTRSIM_BUILD_BENCH=OFF >/dev/null
    cmake --build "$cache/build" --target trsim -j"$(nproc)" >/dev/null
  fi
  old="$cache/build/trsim"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scenarios=(scenarios/*.yaml bench/peers/mmc.yaml)
if [ "${COMPARE_QUICK:-0}" != 1 ]; then
  python3 tools/make_scale_scenario.py "$work/scale.yaml"
  scenarios+=("$work/scale.yaml")
fi

# Runs one binary over every scenario into DIR, in the configurations listed in the header.
run_all() {
  local bin=$1 dir=$2 s name
  mkdir -p "$dir"
  for s in "${scenarios[@]}"; do
    name=$(basename "$s" .yaml)
    "$bin" run "$s" --quiet --json "$dir/$name.json" --intervals "$dir/$name.csv" \
      >"$dir/$name.stdout" 2>&1 || echo "exit $?" >>"$dir/$name.stdout"
    case "$name" in
      scale | mmc) ;;  # large logs: the summary alone, and the invariants on a short horizon
      *)
        "$bin" run "$s" --quiet --json "$dir/$name.events-run.json" --events "$dir/$name.events" \
          >/dev/null 2>&1 || true
        "$bin" run "$s" --quiet --check-invariants --json "$dir/$name.invariants.json" \
          >/dev/null 2>&1 || true
        ;;
    esac
  done
  "$bin" run bench/peers/mmc.yaml --quiet --set horizon=1h --check-invariants \
    --events "$dir/mmc-1h.events" --json "$dir/mmc-1h.json" >/dev/null 2>&1 || true
}

run_all "$old" "$work/old"
run_all "$new" "$work/new"

status=0
for f in "$work"/old/*; do
  g="$work/new/$(basename "$f")"
  if ! cmp -s "$f" "$g"; then
    echo "DIFFERS: $(basename "$f")"
    diff "$f" "$g" 2>&1 | head -n 8 || true
    status=1
  fi
done
count=$(find "$work/old" -type f | wc -l)
if [ $status = 0 ]; then
  echo "identical: $count outputs of ${#scenarios[@]} scenarios"
else
  echo "outputs differ (of $count compared)"
fi
exit $status
