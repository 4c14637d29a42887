#!/usr/bin/env bash
# Runs a fixed set of acceldse commands and writes each one's standard output, standard
# error and exit code to OUT_DIR, so that the outputs of two builds (before and after a
# refactor) can be compared with `diff -r`. Run timings are masked (JSON keys and table
# lines that report seconds, designs/s or dates), everything else is kept byte for byte.
#
# Usage: tools/golden_outputs.sh BINARY OUT_DIR
#   e.g. tools/golden_outputs.sh build/acceldse /tmp/after && diff -r /tmp/before /tmp/after
# The data folders (models/, archs/, spaces/, tech/) come from this checkout
# (ACCELDSE_DATA_DIR), so both binaries read the same inputs.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 BINARY OUT_DIR" >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
out="$2"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export ACCELDSE_DATA_DIR="$root"
scalesim="$root/tests/data/scalesim/ws_32x32__conv_test"

# Masks what changes from run to run: wall-clock times and rates.
mask_timings() {
  sed -E \
    -e 's/("(seconds|wall_seconds|elapsed_s|elapsed_seconds|time_s|duration_s|designs_per_s|evaluations_per_s|started|finished|date|timestamp)"[[:space:]]*:[[:space:]]*)[^,}]*/\1"<masked>"/g' \
    -e 's/[0-9]+(\.[0-9]+)?[[:space:]]*(s|ms|us) (wall|elapsed)/<time> \3/g' \
    -e 's/in [0-9]+(\.[0-9]+)? ?(s|ms|min)\b/in <time>/g' \
    -e 's/[0-9][0-9,]*(\.[0-9]+)? designs\/s/<rate> designs\/s/g' \
    -e 's/[0-9][0-9,]*(\.[0-9]+)? evaluations\/s/<rate> evaluations\/s/g'
}

# run NAME ARGS...: the command in a scratch directory of its own.
run() {
  local name="$1"; shift
  local dir="$work/$name"
  mkdir -p "$dir"
  local code=0
  (cd "$dir" && "$binary" "$@" >"$dir/stdout" 2>"$dir/stderr") || code=$?
  mask_timings <"$dir/stdout" >"$out/$name.out"
  # The progress bar redraws with timings; keep only the lines that do not.
  tr '\r' '\n' <"$dir/stderr" | grep -v -E '[0-9]+(\.[0-9]+)? ?(s|ms)\b.*(ETA|eta|/s)|designs/s' | mask_timings >"$out/$name.err" || true
  echo "$code" >"$out/$name.code"
  # Files the command wrote (--out, --html, --save-design, a store), by content hash.
  (cd "$dir" && find . -type f ! -name stdout ! -name stderr ! -name '*.html' ! -name '*.db' -print0 |
     sort -z | xargs -0 -r sha256sum) >"$out/$name.files"
}

run models models
run model_show_resnet50 model show resnet50
run model_show_bert_json model show bert_base --format json
run model_show_scalesim_csv model show "$scalesim/topology_test.csv" --format json
for onnx in "$root"/tests/data/*.onnx; do
  stem="$(basename "$onnx" .onnx)"
  run "model_show_onnx_$stem" model show "$onnx" --format json
done
run model_show_dyn_cnn_shape model show "$root/tests/data/dyn_cnn.onnx" --input-shape 2x3x64x64 --format json
run evaluate_text evaluate --arch edge_32x32 --model resnet50
run evaluate_json evaluate --arch tpu_v1 --model bert_base --format json
run evaluate_csv evaluate --arch edge_32x32 --model mobilenet_v2 --format csv
run evaluate_onnx_json evaluate --arch edge_32x32 --model "$root/tests/data/tiny_attention.onnx" --format json
run evaluate_scalesim evaluate --arch "$scalesim/config.cfg" --model "$scalesim/topology_test.csv" --format json
run explore_small_json explore --model alexnet --space small --threads 2 --format json
run explore_small_text explore --model alexnet --space small --threads 2 --area-max 10 --no-sensitivity
run explore_bad_area explore --model alexnet --space small --area-max -5
run simulate_text simulate --arch edge_32x32 --model alexnet
run simulate_json simulate --arch edge_32x32 --model alexnet --format json
run validate_small validate --models alexnet --archs 32x32 --dataflows ws
run suite_small suite --models alexnet,mobilenet_v2 --space small --threads 2 --format json
run corun_small corun --models alexnet:1,mobilenet_v2:30/s --space small --threads 2 --format json
run fit_model fit-model --arch edge_32x32 --model resnet50 --format json
run calibrate calibrate
run fit_model_onnx_out fit-model --arch edge_32x32 --model "$root/tests/data/fit_residual.onnx" --out resized.onnx --format json
run fit_model_yaml_out fit-model --arch edge_32x32 --model resnet50 --out resized.yaml
run evaluate_save_design evaluate --arch tpu_v1 --model alexnet --save-design design.yaml
run bad_strategy explore --model alexnet --space small --strategy frobnicate
run bad_threads explore --model alexnet --space small --threads 100000
run bad_corun_mode corun --models alexnet:1,mobilenet_v2:1 --space small --mode frobnicate
run bad_suite_weights suite --models alexnet,mobilenet_v2 --space small --weights 1,-2
run bad_uncertainty suite --models alexnet,mobilenet_v2 --space small --uncertainty 150
run bad_constraint explore --model alexnet --space small --constraint 'area_mm2 <'
run bad_objective explore --model alexnet --space small --objective frobnicate
echo "wrote $(ls "$out" | wc -l) files to $out"
