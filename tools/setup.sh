#!/usr/bin/env bash
# Installs what is missing (Debian 12 packages), then configures and builds trsim in build/.
# Usage: tools/setup.sh            (Release build with tests and benchmarks)
# Environment: TRSIM_BUILD_DIR (default build), TRSIM_CMAKE_ARGS (extra cmake arguments),
#              CI=true turns warnings into errors.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: the test suite loads `trsim report` pages in headless Chromium (tests/cli/test_cli_report.cpp).
packages=(g++ cmake make libboost-program-options-dev libfmt-dev libyaml-cpp-dev catch2 libbenchmark-dev libglpk-dev chromium)
# libxml2-utils: xmllint checks the JUnit files of `trsim check`/`trsim compare` over many scenarios
# (tests/cli/test_cli_regression_folders.cpp).
packages+=(libxml2-utils)
# A throw-away Slurm cluster for the cluster test (tests/cluster/, tools/slurm/local-cluster.sh).
packages+=(slurmctld slurmd slurm-client munge)
tools/install-packages.sh "${packages[@]}"

build_dir="${TRSIM_BUILD_DIR:-build}"
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
# shellcheck disable=SC2086
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DTRSIM_WARNINGS_AS_ERRORS=$werror \
  ${TRSIM_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
