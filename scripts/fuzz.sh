#!/usr/bin/env bash
# Builds the libFuzzer harnesses of fuzz/ with clang (ASan + UBSan) in build-fuzz/ and
# fuzzes each reader for a bounded time, starting from a seed corpus of the
# repository's own files (models/, archs/, spaces/, tests/data/, fuzz/seeds/).
# Usage: scripts/fuzz.sh [SECONDS_PER_HARNESS]   (default 25; CI keeps the step short)
# Exits non-zero on the first finding; the input that triggered it is kept in
# build-fuzz/findings/ -- turn it into a regression test.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-${ACCELDSE_FUZZ_SECONDS:-25}}"
build="$root/build-fuzz"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++-14 -DACCELDSE_FUZZ=ON -DACCELDSE_BENCH=OFF
cmake --build "$build" -j "$(nproc)"

seeds="$build/seeds"
rm -rf "$seeds"
mkdir -p "$seeds" "$build/findings"
seed() {  # seed NAME FILES...
  local name="$1"; shift
  mkdir -p "$seeds/$name"
  cp "$@" "$seeds/$name/"
}
seed network_yaml "$root"/models/*.yaml
seed arch_yaml "$root"/archs/*.yaml
seed space_yaml "$root"/spaces/*.yaml
seed expression "$root"/fuzz/seeds/expression/*
seed scalesim_cfg "$root"/fuzz/seeds/scalesim_cfg/*
seed topology_csv "$root"/fuzz/seeds/topology_csv/*
seed onnx "$root"/tests/data/*.onnx
# A small store in the format acceldse writes (schema of src/dse/store.cpp).
mkdir -p "$seeds/store"
python3 - "$seeds/store/small.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("""
PRAGMA application_id = 1094996805;
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES('format', 'acceldse-results'), ('version', '2');
CREATE TABLE designs(
  space_hash TEXT NOT NULL, model_hash TEXT NOT NULL, design_key TEXT NOT NULL,
  space TEXT NOT NULL, model TEXT NOT NULL, error TEXT NOT NULL,
  latency_s REAL, cycles INTEGER, area_mm2 REAL, energy_pj REAL, power_w REAL,
  throughput_per_s REAL, utilization REAL, edp REAL, perf_per_area REAL,
  pes INTEGER, dram_bytes INTEGER, dram_power_w REAL,
  PRIMARY KEY(space_hash, model_hash, design_key)) WITHOUT ROWID;
INSERT INTO designs VALUES('s1', 'm1', 'rows=8', 'small', 'alexnet', '',
  0.001, 1000000, 1.5, 2e9, 2.0, 1000.0, 0.5, 2e-3, 666.0, 64, 123456, 0.5);
INSERT INTO designs VALUES('s1', 'm1', 'rows=16', 'small', 'alexnet', 'too big', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
""")
db.commit()
PY

for harness in network_yaml arch_yaml space_yaml expression scalesim_cfg topology_csv onnx store; do
  corpus="$build/corpus/$harness"
  mkdir -p "$corpus"
  echo "== fuzz_$harness for ${seconds}s"
  # -rss_limit_mb: the readers' own limits keep memory far below this.
  "$build/fuzz/fuzz_$harness" "$corpus" "$seeds/$harness" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/findings/$harness-" 2>&1 | tail -n 15
done
echo "fuzzing found nothing"
