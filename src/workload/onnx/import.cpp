// ONNX importer: a ModelProto becomes a Network through NetworkBuilder, which infers
// every activation shape. Initializers are not tensors of the network but parameters of
// the ops that read them; shape subgraphs (Shape -> Gather -> Concat -> Reshape, as
// PyTorch exports them) are evaluated here, so every Reshape/Expand/Slice target is a
// static value. The onnx library's own checker and shape inference are not used: the
// network's static shapes come from NetworkBuilder alone.
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

std::string place(const Node& n) { return fmt::format("node {} ({})", n.name, n.type()); }

bool is_default_domain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

std::string ir_type(std::initializer_list<const char*> preferred) {
  for (const char* t : preferred) {
    if (op_class_of(t)) return t;
  }
  return *(preferred.end() - 1);
}

Shape tiled_shape(const Shape& in, const std::vector<int64_t>& reps) {
  if (reps.size() != in.size()) throw FoldError("repeats must have one entry per dimension");
  Shape out = in;
  for (size_t k = 0; k < out.size(); ++k) {
    if (reps[k] < 0 || __builtin_mul_overflow(in[k], reps[k], &out[k])) {
      throw FoldError("repeats must be non-negative and keep the tensor size representable");
    }
  }
  checked_elements(out);
  return out;
}

int64_t bounded(int64_t v, int64_t lo, const char* what) {
  constexpr int64_t kMax = int64_t{1} << 31;
  if (v < lo || v > kMax) {
    throw FoldError(fmt::format("{} is {}; expected {} to {}", what, v, lo, kMax));
  }
  return v;
}

std::vector<int64_t> iota_axes(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) v[k] = k;
  return v;
}

// --- setup -----------------------------------------------------------------------------

void Importer::read_opset() {
  for (const auto& o : model_.opset_import()) {
    if (is_default_domain(o.domain())) opset_ = o.version();
  }
}

void Importer::load_initializers() {
  for (const auto& t : g_.initializer()) {
    if (t.name().empty()) continue;
    ConstTensor c;
    try {
      c = decode_tensor(t);
    } catch (const FoldError& e) {
      throw InputError(file_, "initializer " + t.name(), e.what());
    }
    c.sources = {t.name()};
    source_elements_[t.name()] = checked_elements(c.shape);
    consts_[t.name()] = std::move(c);
  }
}

void Importer::name_nodes() {
  for (const auto& v : g_.input()) taken_.insert(v.name());
  for (const auto& t : g_.initializer()) taken_.insert(t.name());
  for (const auto& p : g_.node()) {
    for (const auto& o : p.output()) taken_.insert(o);
    for (const auto& i : p.input()) used_.insert(i);
  }
  for (const auto& o : g_.output()) {
    used_.insert(o.name());
    graph_outputs_.insert(o.name());
  }
  std::unordered_set<std::string> node_names;
  for (int i = 0; i < g_.node_size(); ++i) {
    const auto& p = g_.node(i);
    std::string base = p.name().empty() ? fmt::format("{}_{}", p.op_type(), i) : p.name();
    // Node names need not be unique in ONNX; op names must be.
    std::string name = base;
    for (int k = 1; node_names.count(name); ++k) name = fmt::format("{}_{}", base, k);
    node_names.insert(name);
    taken_.insert(name);
    nodes_.push_back({&p, name, i});
  }
}

// Decides which nodes fold to constants and lists every op the importer cannot map,
// so that one error names them all.
void Importer::check_supported() {
  std::unordered_set<std::string> constant;
  for (const auto& [name, c] : consts_) constant.insert(name);
  std::map<std::string, std::vector<std::string>> unsupported;
  folds_.assign(nodes_.size(), false);
  for (const Node& n : nodes_) {
    const std::string& type = n.type();
    bool std_domain = is_default_domain(n.p->domain());
    bool all_const = std::all_of(n.p->input().begin(), n.p->input().end(),
                                 [&](const std::string& i) { return i.empty() || constant.count(i); });
    bool from_shape = type == "Shape" || type == "Size";  // static shapes are constants
    if (std_domain && fold_table().count(type) && (all_const || from_shape)) {
      folds_[n.index] = true;
      for (const auto& o : n.p->output()) constant.insert(o);
      continue;
    }
    if (std_domain && map_table().count(type)) continue;
    std::string label = !std_domain                ? n.p->domain() + "." + type
                        : fold_table().count(type) ? type + " on run-time values"
                                                   : type;
    unsupported[label].push_back(n.name);
  }
  if (unsupported.empty()) return;
  std::vector<std::string> parts;
  for (const auto& [type, names] : unsupported) {
    std::vector<std::string> shown(names.begin(), names.begin() + std::min<size_t>(names.size(), 5));
    std::string more = names.size() > 5 ? fmt::format(" and {} more", names.size() - 5) : "";
    parts.push_back(
        fmt::format("{} ({} {}{})", type, names.size() == 1 ? "node" : "nodes", fmt::join(shown, ", "), more));
  }
  throw InputError(file_, "", fmt::format("unsupported ONNX operators: {}", fmt::join(parts, ", ")));
}

void Importer::import_node(const Node& n) {
  if (folds_[n.index]) {
    std::vector<ConstTensor> outs = (this->*fold_table().at(n.type()))(n);
    for (size_t k = 0; k < outs.size() && k < static_cast<size_t>(n.p->output_size()); ++k) {
      if (!n.out(static_cast<int>(k)).empty()) consts_[n.out(static_cast<int>(k))] = std::move(outs[k]);
    }
  } else {
    (this->*map_table().at(n.type()))(n);
  }
  note_unmodelled_outputs(n);
}

// Optional outputs the IR has no counterpart for (pooling indices, training statistics,
// dropout masks) are remembered, so a node reading one gets a clear error.
void Importer::note_unmodelled_outputs(const Node& n) {
  for (int k = 0; k < n.p->output_size(); ++k) {
    const std::string& o = n.out(k);
    if (o.empty() || consts_.count(o) || alias_.count(o) || b_.has_tensor(o)) continue;
    unmodelled_[o] = fmt::format(
        "tensor '{}' (output {} of node {}, {}) is not modelled by the "
        "importer",
        o, k, n.name, n.type());
  }
}

Network Importer::run(ImportNames* names) {
  read_opset();
  load_initializers();
  add_inputs();
  name_nodes();
  check_supported();
  for (const Node& n : nodes_) {
    try {
      import_node(n);
    } catch (const FoldError& e) {
      throw InputError(file_, place(n), e.what());
    }
  }
  if (names) record_names(*names);
  return finish();
}

void Importer::record_names(ImportNames& names) const {
  names.node_ops.clear();
  for (const Node& n : nodes_) names.node_ops.push_back(n.name);
  names.activations.clear();
  auto note = [&](const std::string& name) {
    if (name.empty() || consts_.count(name)) return;
    auto a = alias_.find(name);
    const std::string& resolved = a != alias_.end() ? a->second : name;
    if (b_.has_tensor(resolved)) names.activations[name] = resolved;
  };
  for (const auto& v : g_.input()) note(v.name());
  for (const auto& p : g_.node()) {
    for (const auto& o : p.output()) note(o);
  }
  names.constants.clear();
  names.int_values.clear();
  for (const auto& [name, c] : consts_) {
    names.constants[name] = c.shape;
    if (c.known && !c.is_float) names.int_values[name] = c.i;
  }
}

Network Importer::finish() {
  std::vector<std::string> outputs;
  for (const auto& o : g_.output()) {
    if (consts_.count(o.name())) continue;  // a constant output is not computed by the network
    try {
      std::string name = act(o.name());
      if (std::find(outputs.begin(), outputs.end(), name) == outputs.end()) outputs.push_back(name);
    } catch (const FoldError& e) {
      throw InputError(file_, "graph output " + o.name(), e.what());
    }
  }
  Network net = b_.finish(outputs);
  if (net.ops.empty()) {
    throw InputError(file_, "", "the model computes nothing from its inputs (every node is constant)");
  }
  return net;
}

const std::unordered_map<std::string, Importer::MapFn>& Importer::map_table() {
  static const std::unordered_map<std::string, MapFn> table = [] {
    std::unordered_map<std::string, MapFn> t = {
        {"Conv", &Importer::map_conv},
        {"ConvTranspose", &Importer::map_conv_transpose},
        {"InstanceNormalization", &Importer::map_instance_norm},
        {"GroupNormalization", &Importer::map_instance_norm},
        {"CumSum", &Importer::map_cumsum},
        {"Einsum", &Importer::map_einsum},
        {"Gemm", &Importer::map_gemm},
        {"MatMul", &Importer::map_matmul},
        {"Clip", &Importer::map_clip},
        {"PRelu", &Importer::map_prelu},
        {"MaxPool", &Importer::map_pool},
        {"AveragePool", &Importer::map_pool},
        {"GlobalAveragePool", &Importer::map_global_pool},
        {"GlobalMaxPool", &Importer::map_global_pool},
        {"BatchNormalization", &Importer::map_batchnorm},
        {"LayerNormalization", &Importer::map_layernorm},
        {"Softmax", &Importer::map_softmax},
        {"LogSoftmax", &Importer::map_softmax},
        {"Concat", &Importer::map_concat},
        {"Split", &Importer::map_split},
        {"Reshape", &Importer::map_reshape},
        {"Flatten", &Importer::map_flatten},
        {"Transpose", &Importer::map_transpose},
        {"Squeeze", &Importer::map_squeeze},
        {"Unsqueeze", &Importer::map_squeeze},
        {"Expand", &Importer::map_expand},
        {"Tile", &Importer::map_tile},
        {"Pad", &Importer::map_pad},
        {"Slice", &Importer::map_slice},
        {"Gather", &Importer::map_gather},
        {"Resize", &Importer::map_resize},
        {"Upsample", &Importer::map_resize},
        {"Identity", &Importer::map_identity},
        {"Dropout", &Importer::map_identity},
        {"ReduceMean", &Importer::map_reduce},
        {"ReduceSum", &Importer::map_reduce},
        {"ReduceMax", &Importer::map_reduce},
        {"ReduceMin", &Importer::map_reduce},
        {"ArgMax", &Importer::map_argmax},
        {"ArgMin", &Importer::map_argmax},
        {"LSTM", &Importer::map_recurrent},
        {"GRU", &Importer::map_recurrent},
    };
    for (const auto& [type, ir] : unary_map()) t[type] = &Importer::map_unary;
    for (const auto& [type, ir] : nary_map()) t[type] = &Importer::map_nary;
    return t;
  }();
  return table;
}

Network import_model(const onnx::ModelProto& model, const std::string& file, const LoadOptions& options,
                     ImportNames* names) {
  try {
    Importer importer(model, file, options);
    if (options.batch) {
      // The file at its own batch first, so literal reshape targets can be rescaled
      // knowing where the batch sits; a file that needs --batch to import has none.
      LoadOptions own = options;
      own.batch.reset();
      try {
        importer.set_reference(Importer(model, file, own).run());
      } catch (const InputError&) {
      } catch (const FoldError&) {}
    }
    return importer.run(names);
  } catch (const FoldError& e) {
    throw InputError(file, "", e.what());
  }
}

}  // namespace acceldse::workload::onnx_detail

namespace acceldse::workload {

Network load_onnx(const std::string& path, const LoadOptions& options) {
  return onnx_detail::import_model(onnx_detail::parse_model_file(path), path, options);
}

}  // namespace acceldse::workload
