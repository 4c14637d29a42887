// The graph inputs of an ONNX model: their declared shapes, the shapes --batch and
// --input-shape give them, and which axis of each is the batch.
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

// Reads one graph input's static shape; unknown dims are -1 and listed in `symbolic`.
// `names` gets each dimension's symbolic name ("" for a fixed or unnamed one).
Shape declared_shape(const onnx::ValueInfoProto& v, std::vector<std::string>& symbolic, bool& has_shape,
                     std::vector<std::string>* names = nullptr) {
  has_shape = v.type().has_tensor_type() && v.type().tensor_type().has_shape();
  Shape s;
  if (!has_shape) return s;
  const auto& dims = v.type().tensor_type().shape().dim();
  for (int k = 0; k < dims.size(); ++k) {
    const auto& d = dims[k];
    if (names) names->push_back(d.has_dim_param() ? d.dim_param() : "");
    if (d.has_dim_value() && d.dim_value() > 0) {
      s.push_back(d.dim_value());
      continue;
    }
    s.push_back(-1);
    std::string label = d.has_dim_param() && !d.dim_param().empty() ? "'" + d.dim_param() + "'" : "unnamed";
    symbolic.push_back(fmt::format("dim {} ({})", k, label));
  }
  return s;
}

// ---------------------------------------------------------------------------------
// Finding the batch axis of each input, so --batch changes the batch and nothing else
// (a sequence-first LSTM input is [seq, batch, features]).
// ---------------------------------------------------------------------------------

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool is_batch_name(const std::string& dim_name) {
  std::string n = lower(dim_name);
  return n == "n" || n == "b" || n == "bs" || n == "batch" || n.starts_with("batch_") || n.starts_with("batch-") ||
         n == "batchsize" || n == "num_batches";
}

bool is_sequence_name(const std::string& dim_name) {
  std::string n = lower(dim_name);
  return n == "t" || n == "s" || n == "l" || n.find("seq") != std::string::npos ||
         n.find("time") != std::string::npos || n.find("len") != std::string::npos ||
         n.find("step") != std::string::npos || n.find("token") != std::string::npos;
}

struct InputInfo {
  const onnx::ValueInfoProto* v = nullptr;
  std::vector<std::string> dim_names;
  size_t rank = 0;
};

// The batch axis an LSTM/GRU/RNN reading `input` directly implies: [seq, batch, ...]
// (layout 0, the ONNX default) or [batch, seq, ...] (layout 1); nullopt if none does.
std::optional<int64_t> recurrent_batch_axis(const onnx::GraphProto& g, const std::string& input) {
  for (const auto& node : g.node()) {
    const std::string& t = node.op_type();
    if ((t != "LSTM" && t != "GRU" && t != "RNN") || node.input_size() == 0 || node.input(0) != input) continue;
    int64_t layout = 0;
    for (const auto& a : node.attribute()) {
      if (a.name() == "layout") layout = a.i();
    }
    return layout == 0 ? 1 : 0;
  }
  return std::nullopt;
}

// The one symbolic dimension name every input carries (more than one input), if any.
std::string shared_dim_name(const std::vector<InputInfo>& inputs) {
  if (inputs.size() < 2) return "";
  std::string found;
  for (const std::string& candidate : inputs[0].dim_names) {
    if (candidate.empty()) continue;
    bool everywhere = std::all_of(inputs.begin(), inputs.end(), [&](const InputInfo& in) {
      return std::count(in.dim_names.begin(), in.dim_names.end(), candidate) == 1;
    });
    if (!everywhere) continue;
    if (!found.empty() && found != candidate) return "";  // two candidates: no answer
    found = candidate;
  }
  return found;
}

int64_t index_of(const std::vector<std::string>& names, const std::string& name) {
  auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int64_t>(it - names.begin());
}

// Decides the batch axis of one input from its dimension names, the name all inputs
// share and the recurrent op reading it; every clue must agree, else an error naming
// the input (a wrong guess would silently change another dimension).
int64_t batch_axis_of(const onnx::GraphProto& g, const InputInfo& in, const std::string& shared,
                      const std::string& file) {
  const std::string& name = in.v->name();
  std::vector<std::pair<int64_t, std::string>> clues;
  for (size_t k = 0; k < in.dim_names.size(); ++k) {
    if (is_batch_name(in.dim_names[k])) {
      clues.emplace_back(k, fmt::format("dim {} is named '{}'", k, in.dim_names[k]));
    }
  }
  if (!shared.empty() && !is_sequence_name(shared)) {
    clues.emplace_back(index_of(in.dim_names, shared), fmt::format("every input has the dimension '{}'", shared));
  }
  if (auto axis = recurrent_batch_axis(g, name)) {
    clues.emplace_back(*axis, fmt::format("a recurrent op reads it with batch on axis {}", *axis));
  }
  auto ambiguous = [&](const std::string& why) {
    return InputError(file, "input " + name,
                      fmt::format("cannot tell which axis is the batch ({}); give the whole shape "
                                  "with --input-shape {}=D0xD1x... instead of --batch",
                                  why, name));
  };
  for (const auto& [axis, why] : clues) {
    if (axis != clues.front().first) {
      throw ambiguous(fmt::format("{}, but {}", clues.front().second, why));
    }
  }
  if (!clues.empty()) return clues.front().first;
  if (!in.dim_names.empty() && is_sequence_name(in.dim_names[0])) {
    throw ambiguous(fmt::format("dim 0 is named '{}'", in.dim_names[0]));
  }
  return 0;  // the ONNX convention when nothing says otherwise
}

}  // namespace

void Importer::add_inputs() {
  std::vector<const onnx::ValueInfoProto*> inputs;
  for (const auto& v : g_.input()) {
    if (!consts_.count(v.name())) inputs.push_back(&v);  // initializers are parameters
  }
  std::string names;
  for (const auto* v : inputs) names += (names.empty() ? "" : ", ") + v->name();
  const std::string cli = "<command line>";
  if (options_.batch && *options_.batch <= 0) {
    throw InputError(cli, "--batch", fmt::format("expected a positive integer, got {}", *options_.batch));
  }
  std::map<std::string, Shape> overrides;
  for (const auto& [name, shape] : options_.input_shapes) {
    std::string key = name;
    if (key.empty()) {
      if (inputs.size() != 1) {
        throw InputError(file_, "--input-shape",
                         fmt::format("the model has {} inputs ({}); name the input: NAME=SHAPE", inputs.size(), names));
      }
      key = inputs[0]->name();
    }
    bool known = std::any_of(inputs.begin(), inputs.end(), [&](auto* v) { return v->name() == key; });
    if (!known) {
      throw InputError(file_, "--input-shape", fmt::format("no input named '{}'; the inputs are: {}", key, names));
    }
    overrides[key] = shape;
  }

  std::vector<InputInfo> infos;
  for (const auto* v : inputs) {
    InputInfo info{v, {}, 0};
    std::vector<std::string> unused;
    bool has_shape = true;
    Shape s = declared_shape(*v, unused, has_shape, &info.dim_names);
    info.rank = overrides.count(v->name()) ? overrides[v->name()].size() : s.size();
    if (info.dim_names.size() != info.rank) info.dim_names.assign(info.rank, "");
    infos.push_back(std::move(info));
  }
  const std::string shared = shared_dim_name(infos);

  std::vector<std::string> missing;
  std::vector<std::pair<std::string, Shape>> shapes;
  for (const InputInfo& info : infos) {
    const auto* v = info.v;
    std::vector<std::string> symbolic;
    bool has_shape = true;
    Shape s = overrides.count(v->name()) ? overrides[v->name()] : declared_shape(*v, symbolic, has_shape);
    if (options_.batch && has_shape && !s.empty()) {  // a scalar has no batch
      int64_t axis = batch_axis_of(g_, info, shared, file_);
      if (axis < 0 || axis >= static_cast<int64_t>(s.size())) {
        throw InputError(file_, "input " + v->name(),
                         fmt::format("the batch axis {} is outside its shape {}; give the shape with "
                                     "--input-shape {}=D0xD1x...",
                                     axis, shape_to_string(s), v->name()));
      }
      if (s[axis] > 0 && !declared_batch_) declared_batch_ = s[axis];
      s[axis] = *options_.batch;
      std::string prefix = fmt::format("dim {} ", axis);
      std::erase_if(symbolic, [&](const std::string& d) { return d.starts_with(prefix); });
    }
    if (!has_shape) {
      missing.push_back(fmt::format("input {} has no declared shape", v->name()));
    } else if (!symbolic.empty()) {
      missing.push_back(fmt::format("input {} has symbolic {}", v->name(), fmt::join(symbolic, ", ")));
    }
    shapes.emplace_back(v->name(), s);
  }
  if (!missing.empty()) {
    throw InputError(file_, "inputs",
                     fmt::format("{}; give the sizes with --batch N (the batch axis) or "
                                 "--input-shape NAME=D0xD1x...",
                                 fmt::join(missing, "; ")));
  }
  for (const auto& [name, s] : shapes) b_.add_input(name, s);
}

}  // namespace acceldse::workload::onnx_detail
