#!/usr/bin/env bash
# Designs per second of `acceldse explore` (grid over spaces/default.yaml, 12,150
# designs, no sensitivity, one thread per rank, cold cache) in one process and on 1, 2
# (and more) MPI ranks. Usage: bench/mpi_designs_per_s.sh [BUILD_DIR] [MODEL] [RANKS...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"; model="${2:-resnet50}"
ranks=(1 2); [ $# -gt 2 ] && ranks=("${@:3}")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
args=(explore --model "$model" --threads 1 --no-sensitivity --format json)
rate() {  # designs computed by the model / elapsed seconds, from the JSON "run" section
  /usr/bin/python3 -c "import json,sys; r=json.load(sys.stdin)['run']; print('%.0f designs/s (%d in %.2f s)' % (r['computed']/r['elapsed_s'], r['computed'], r['elapsed_s']))"
}
echo "one process:   $("$build/acceldse" "${args[@]}" | rate)"
for n in "${ranks[@]}"; do
  echo "mpirun -np $n: $(mpirun --oversubscribe -np "$n" "$build/acceldse" "${args[@]}" | rate)"
done
