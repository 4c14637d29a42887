#!/usr/bin/env bash
# Installs every Debian package acceldse needs to build, test and benchmark.
# Idempotent: apt-get skips what is already installed.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config ccache
  clang-format  # scripts/format_check.sh (clang-format 14)
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libfmt-dev libsqlite3-dev
  libonnx-dev libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev libbenchmark-dev
  chromium   # headless end-to-end tests of the HTML reports
  python3-onnx  # onnx.checker on the ONNX files fit-model writes (tests)
  clang-14 libclang-rt-14-dev  # libFuzzer + sanitizers for the fuzz harnesses (scripts/fuzz.sh)
  python3 python3-dev pybind11-dev python3-numpy python3-pytest  # the Python module (python/) and its tests
  libopenmpi-dev openmpi-bin  # mpirun -np N acceldse explore (apps/acceldse/mpi_*)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
