#!/usr/bin/env bash
# Checks that the C++ sources are formatted as .clang-format says (clang-format 14,
# Debian 12's clang-format package, installed by scripts/setup.sh). Changes nothing:
# lists each file clang-format would change and exits 1 if there is any.
# Usage: scripts/format_check.sh [FILE...]   (default: every tracked .cpp and .h)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
format="$(command -v clang-format || command -v clang-format-14 || true)"
if [ -z "$format" ]; then
  echo "format_check: clang-format not found; install it with scripts/setup.sh" >&2
  exit 2
fi
if [ $# -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files '*.cpp' '*.h')
fi
differ=0
for f in "${files[@]}"; do
  if ! "$format" --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "$f"
    differ=$((differ + 1))
  fi
done
if [ "$differ" -gt 0 ]; then
  echo "format_check: $differ of ${#files[@]} files differ from .clang-format (clang-format -i FILE fixes one)" >&2
  exit 1
fi
echo "format_check: all ${#files[@]} files match .clang-format"
