#pragma once
// The ONNX importer's entry points for the resized-model writer (export.cpp): reading a
// file into a ModelProto (read.cpp), importing a ModelProto (import.cpp), and which IR
// names the ONNX names became. Not part of the workload interface.
#include <onnx/onnx_pb.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "workload/workload.h"

namespace acceldse::workload::onnx_detail {

// What the importer made of each ONNX name.
struct ImportNames {
  // Node index -> the name of the IR op that carries the node (its unique node name:
  // the node's name, or "<op_type>_<index>", made unique with "_<k>").
  std::vector<std::string> node_ops;
  // ONNX activation (graph input or node output) -> the IR tensor holding it; elided
  // Identity/Dropout outputs map to their input's tensor.
  std::unordered_map<std::string, std::string> activations;
  // ONNX tensors that are constants at import time (initializers, Constant outputs,
  // folded shape arithmetic) -> their shapes.
  std::unordered_map<std::string, Shape> constants;
  // The values of the integer constants among them that were evaluated (shape
  // arithmetic: Reshape targets, Split sizes, Slice bounds).
  std::unordered_map<std::string, std::vector<int64_t>> int_values;
};

// The file as a ModelProto; InputError naming the path if it is missing or not a model.
onnx::ModelProto parse_model_file(const std::string& path);

// load_onnx on a model in memory; `file` labels error messages. Fills `names` if given.
Network import_model(const onnx::ModelProto& model, const std::string& file, const LoadOptions& options,
                     ImportNames* names = nullptr);

}  // namespace acceldse::workload::onnx_detail
