#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang, ASan and UBSan in build-fuzz/, and runs each for
# a bounded time on a seed corpus made at run time from the bundled scenarios, the invalid and lint
# scenarios and the test data. Exits non-zero when a target finds a crash, a leak, a hang (an input
# that takes longer than the per-input timeout) or an input that needs too much memory; the input
# is saved under build-fuzz/artifacts/. Fix the bug, then keep the input as a regression test:
#   cp build-fuzz/artifacts/<target>-crash-... tests/data/fuzz-regressions/<target>/
# (test_unit replays every file there through the same target code).
# Usage: tools/fuzz.sh [--nightly] [TARGET...]       (default: every target)
#   default (CI): 35 s per target, about four minutes for the seven.
#   --nightly: each target runs until it has executed TRSIM_FUZZ_RUNS inputs (10^6, libFuzzer's
#   -runs), within its own time budget (nightly_seconds below: 2.5 h for the seven at most, about
#   an hour on an idle two-core machine); a target that stops short of the count fails the
#   run. Each target's executions are printed from its log (stat::number_of_executed_units).
# Executions a second under the instrumentation (ASan + UBSan, RelWithDebInfo), measured in 60 s
# runs from the seeds on 2026-12-04, at nice 10 on two cores shared with five other builds (a
# share of about 40% of a core; per CPU-second in brackets), and the time 10^6 then takes:
#   scenario_loader   920 (1,890)   18 min        expression     6,500 (11,900)   3 min
#   trace_csv       1,180 (2,350)   14 min        units         40,800 (89,500)   0.5 min
#   json            5,570 (14,300)   3 min        output_paths   1,530 (3,890)   11 min
#   report_input      990 (2,560)   17 min    (a real nightly run: 10^6 in 598 s on 2026-12-05)
# A 60 s rate overstates a long run's: the rate falls as the corpus grows. scenario_loader's real
# nightly run on 2026-12-05 (one core, the other mostly idle) began near 2,000 a second and ended
# near 400: 985,514 executions in its then budget of 1,800 s, no finding; 10^6 takes about 31 min.
# Environment: TRSIM_FUZZ_SECONDS (per target, default 35; with --nightly it replaces every
# target's budget), TRSIM_FUZZ_RUNS (--nightly only, default 1000000), TRSIM_FUZZ_BUILD_DIR
# (build-fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(clang libclang-rt-14-dev)
tools/install-packages.sh "${packages[@]}"

build_dir="${TRSIM_FUZZ_BUILD_DIR:-build-fuzz}"
runs=-1  # no bound on the executions: the time bounds the run
nightly=0
if [[ "${1:-}" == "--nightly" ]]; then
  nightly=1
  runs="${TRSIM_FUZZ_RUNS:-1000000}"
  shift
fi
all_targets=(scenario_loader expression trace_csv units json output_paths report_input)
# --nightly: each target's time budget for 10^6 executions, about 1.2 to 2 times what the measured
# rates above need on a shared machine (9,000 s in all). The count ends a run, not the time.
declare -A nightly_seconds=([scenario_loader]=3000 [expression]=600 [trace_csv]=1500 [units]=300
                            [json]=600 [output_paths]=1200 [report_input]=1800)
targets=("${@:-${all_targets[@]}}")

CC=clang CXX=clang++ cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRSIM_FUZZ=ON \
  -DTRSIM_BUILD_TESTS=OFF -DTRSIM_BUILD_BENCH=OFF -DTRSIM_WARNINGS_AS_ERRORS=OFF \
  ${TRSIM_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

# Seeds: copied into the build folder at run time, nothing is kept in git.
seeds="$build_dir/seeds"
rm -rf "$seeds"
mkdir -p "$seeds"/{scenario_loader,expression,trace_csv,units,json,output_paths,report_input}
cp scenarios/*.yaml scenarios/invalid/*.yaml scenarios/lint/*.yaml bench/peers/*.yaml "$seeds/scenario_loader/"
cp scenarios/*.csv scenarios/invalid/*.csv tests/data/*.csv "$seeds/trace_csv/"
find scenarios tests/data -name '*.json' -exec cp {} "$seeds/json/" \;
# report and merge inputs: every JSON file above, among them tests/data/fuzz-seeds/ (a run's
# summary, a sweep's results and a shard's part, as trsim run, sweep and sweep --shard write them).
cp "$seeds"/json/*.json "$seeds/report_input/"
# Output paths: a few folders and spellings (the bytes choose entries, then inputs and outputs).
printf '\x00\x00\x01\x00\x00' >"$seeds/output_paths/one-output"
printf '\x02\x00\x00\x00\x02\x01\x00\x00\x03\x00\x01\x00\x01\x00\x02' >"$seeds/output_paths/file-and-link"
printf '\x03\x01\x03\x00\x03\x05\x00\x04\x04\x01\x01\x02\x00\x03\x01\x00\x03' >"$seeds/output_paths/hard-link-and-device"
# Expressions as written in the scenarios (target_workers, expression, skip_if values), one a file.
grep -rhoE "(target_workers|expression|skip_if): *\"[^\"]+\"" scenarios |
  sed -E 's/^[a-z_]+: *"(.*)"$/\1/' | sort -u | split -l 1 - "$seeds/expression/e-"
n=0
for u in 90s 1h30m "1h 30m" 500ms 2d 1.5 1e3 120/h 3/m "0.5 / min" 2026-03-02T08:00:00Z \
         "2026-03-02 10:00:00+02:00" 2026-03-02; do
  printf '%s' "$u" >"$seeds/units/u-$((n++))"
done

# Per target: the longest input worth trying (bytes). Every input must finish within 5 s under the
# instrumentation (Release is about ten times faster): a loader input that takes seconds is a bug.
declare -A max_len=([scenario_loader]=16384 [expression]=2048 [trace_csv]=8192 [units]=128 [json]=8192
                   [output_paths]=64 [report_input]=32768)
status=0
for t in "${targets[@]}"; do
  corpus="$build_dir/corpus/$t"
  artifacts="$build_dir/artifacts"
  mkdir -p "$corpus" "$artifacts"
  if ((nightly)); then
    seconds="${TRSIM_FUZZ_SECONDS:-${nightly_seconds[$t]}}"
  else
    seconds="${TRSIM_FUZZ_SECONDS:-35}"
  fi
  if ((runs > 0)); then
    echo "== fuzz_$t: until $runs executions, at most ${seconds}s =="
  else
    echo "== fuzz_$t: ${seconds}s =="
  fi
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
      "$build_dir/fuzz/fuzz_$t" "$corpus" "$seeds/$t" -max_total_time="$seconds" -runs="$runs" \
      -max_len="${max_len[$t]}" -timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
      -artifact_prefix="$artifacts/$t-" -print_final_stats=1 2>"$build_dir/fuzz-$t.log"; then
    tail -n 60 "$build_dir/fuzz-$t.log" >&2
    echo "fuzz_$t failed: see $build_dir/fuzz-$t.log and $artifacts/" >&2
    status=1
  else
    grep -E "^stat::(number_of_executed_units|new_units_added|peak_rss_mb)" "$build_dir/fuzz-$t.log" || true
    executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build_dir/fuzz-$t.log")
    if ((runs > 0 && ${executed:-0} < runs)); then
      echo "fuzz_$t: ${executed:-0} executions in ${seconds}s, fewer than $runs" >&2
      status=1
    fi
  fi
done
exit $status
