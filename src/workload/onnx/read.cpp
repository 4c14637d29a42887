// Reading an ONNX file into a ModelProto, with one clear error for a file that is not a model.
#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "common/error.h"
#include "common/input_limits.h"
#include "workload/detail.h"
#include "workload/onnx/importer.h"

namespace acceldse::workload::onnx_detail {

namespace {

std::string read_bytes(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path, "", "file not found; expected an ONNX model");
  if (!fs::is_regular_file(path, ec)) {
    throw InputError(path, "", "not a regular file; expected an ONNX model");
  }
  return read_input_file(path, kMaxOnnxInputBytes, "an ONNX model");
}

}  // namespace

onnx::ModelProto parse_model_file(const std::string& path) {
  std::string bytes = read_bytes(path);
  if (bytes.empty()) throw InputError(path, "", "the file is empty; expected an ONNX model");
  // Protobuf cannot parse messages of 2 GB or more; ONNX stores such weights externally.
  if (bytes.size() >= static_cast<size_t>(INT_MAX)) {
    throw InputError(path, "",
                     "file of 2 GB or more: not a valid ONNX model (weights that "
                     "large must be stored as external data)");
  }
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) {
    throw InputError(path, "", "not a valid ONNX model (protobuf parse failed)");
  }
  // Arbitrary bytes sometimes parse as a message of unknown fields; a model has a graph.
  if (!model.has_graph() || model.graph().node_size() == 0) {
    throw InputError(path, "", "not a valid ONNX model (no graph with nodes)");
  }
  return model;
}

}  // namespace acceldse::workload::onnx_detail
