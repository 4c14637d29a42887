#!/usr/bin/env bash
# Designs per second of `acceldse explore` (grid over spaces/default.yaml, 12,150
# designs, no sensitivity) and of `acceldse suite` (grid over spaces/suite.yaml, 13,824
# designs, for MODEL and mobilenet_v1), one thread per rank, cold cache, in one process
# and on 1, 2 (and more) MPI ranks. Usage: bench/mpi_designs_per_s.sh [BUILD_DIR] [MODEL] [RANKS...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"; model="${2:-resnet50}"
ranks=(1 2); [ $# -gt 2 ] && ranks=("${@:3}")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
explore=(explore --model "$model" --threads 1 --no-sensitivity --format json)
suite=(suite --models "$model,mobilenet_v1" --threads 1 --format json)
rate() {  # designs / elapsed seconds, from the JSON "run" (explore) or "search" (suite) section
  /usr/bin/python3 -c "
import json, sys
j = json.load(sys.stdin); r = j['run']
if 'search' in j:  # suite: every design once per network
  d = j['search']['designs_evaluated']
  print('%.0f designs/s, %.0f network x design pairs/s (%d designs in %.2f s)' % (d / r['elapsed_s'], r['evaluations'] / r['elapsed_s'], d, r['elapsed_s']))
else:
  print('%.0f designs/s (%d in %.2f s)' % (r['computed'] / r['elapsed_s'], r['computed'], r['elapsed_s']))"
}
for command in explore suite; do
  declare -n args="$command"
  echo "$command one process:   $("$build/acceldse" "${args[@]}" | rate)"
  for n in "${ranks[@]}"; do
    echo "$command mpirun -np $n: $(mpirun --oversubscribe -np "$n" "$build/acceldse" "${args[@]}" | rate)"
  done
done
