// The importer's tensors: constants known at import time, the IR tensor behind each ONNX
// activation, the parameters each op owns, and the helpers that emit IR ops.
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

const ConstTensor& Importer::const_in(const Node& n, int k, const char* what) const {
  std::string name = n.in(k);
  if (name.empty()) throw FoldError(fmt::format("{} (input {}) is missing", what, k));
  auto it = consts_.find(name);
  if (it == consts_.end()) {
    throw FoldError(
        fmt::format("{} (input {}, '{}') must be a constant known at import time; "
                    "it is computed from run-time values",
                    what, k, name));
  }
  return it->second;
}

std::vector<int64_t> Importer::const_ints(const Node& n, int k, const char* what) const {
  const ConstTensor& t = const_in(n, k, what);
  if (!t.known) {
    throw FoldError(fmt::format("{} (input {}, '{}') has values the importer cannot evaluate", what, k, n.in(k)));
  }
  if (!t.is_float) return t.i;
  std::vector<int64_t> out;
  for (double v : t.f) {
    if (!(std::fabs(v) < 9.2e18) || v != std::floor(v)) {
      throw FoldError(fmt::format("{} (input {}) must hold integers", what, k));
    }
    out.push_back(static_cast<int64_t>(v));
  }
  return out;
}

std::vector<double> Importer::const_floats(const Node& n, int k, const char* what) const {
  const ConstTensor& t = const_in(n, k, what);
  if (!t.known) {
    throw FoldError(fmt::format("{} (input {}, '{}') has values the importer cannot evaluate", what, k, n.in(k)));
  }
  std::vector<double> out;
  for (int64_t e = 0; e < t.size(); ++e) out.push_back(t.as_double(e));
  return out;
}

// The IR tensor holding an ONNX activation.
std::string Importer::act(const std::string& name) const {
  if (is_const(name)) {
    throw FoldError(fmt::format("'{}' is a constant where the importer expects a run-time tensor", name));
  }
  auto a = alias_.find(name);
  const std::string& resolved = a != alias_.end() ? a->second : name;
  if (!name.empty() && b_.has_tensor(resolved)) return resolved;
  if (auto u = unmodelled_.find(name); u != unmodelled_.end()) throw FoldError(u->second);
  throw FoldError(
      fmt::format("tensor '{}' is read before any node produces it (nodes must be "
                  "in topological order)",
                  name));
}

Shape Importer::shape_of(const std::string& name) const {
  if (is_const(name)) return consts_.at(name).shape;
  return b_.tensor(act(name)).shape;
}

// Elements of the parameters read through the given inputs that no earlier op owns.
int64_t Importer::params_of(const Node& n, std::initializer_list<int> positions) {
  int64_t total = 0;
  for (int k : positions) {
    if (!is_const(n.in(k))) continue;
    for (const auto& src : consts_.at(n.in(k)).sources) {
      if (counted_.insert(src).second) total += source_elements_.at(src);
    }
  }
  return total;
}

std::string Importer::fresh(const std::string& base) {
  std::string name = base;
  for (int k = 1; taken_.count(name); ++k) name = fmt::format("{}_{}", base, k);
  taken_.insert(name);
  return name;
}

std::string Importer::emit(const std::string& op_name, const std::string& type, const std::vector<std::string>& ins,
                           const Attrs& a, const std::vector<std::string>& outs, int64_t params) {
  b_.add_op(op_name, type, ins, a, outs, params);
  return outs.at(0);
}

// The op that carries the node's name and writes its first output.
std::string Importer::emit_main(const Node& n, const std::string& type, const std::vector<std::string>& ins,
                                const Attrs& a, int64_t params) {
  return emit(n.name, type, ins, a, {n.out(0)}, params);
}

// Layout glue around the main op; op and tensor share a fresh name derived from the node.
std::string Importer::emit_aux(const Node& n, const std::string& suffix, const std::string& type,
                               const std::vector<std::string>& ins, const Attrs& a, int64_t params) {
  std::string name = fresh(n.name + "/" + suffix);
  return emit(name, type, ins, a, {name}, params);
}

std::string Importer::reshape_aux(const Node& n, const std::string& suffix, const std::string& x,
                                  std::vector<int64_t> dims) {
  Attrs a;
  a.dims = std::move(dims);
  return emit_aux(n, suffix, "reshape", {x}, a);
}

std::string Importer::transpose_aux(const Node& n, const std::string& suffix, const std::string& x,
                                    std::vector<int64_t> perm) {
  Attrs a;
  a.dims = std::move(perm);
  return emit_aux(n, suffix, "transpose", {x}, a);
}

// Axes of Squeeze/Unsqueeze/Reduce*: an attribute before opset 13 (18 for most
// reductions), an optional input after.
std::vector<int64_t> Importer::axes_of(const Node& n, int input_k) {
  if (find_attr(*n.p, "axes")) return attr_ints(*n.p, "axes");
  if (!n.in(input_k).empty()) return const_ints(n, input_k, "axes");
  return {};
}

}  // namespace acceldse::workload::onnx_detail
