#!/usr/bin/env bash
# Fails (exit 1) when a tracked C++ file does not follow .clang-format, naming each such file;
# `tools/check_format.sh --fix` formats them instead. Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-packages.sh clang-format
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]})); then
  echo "not formatted by .clang-format (tools/check_format.sh --fix formats them):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "format: ${#files[@]} files follow .clang-format"
