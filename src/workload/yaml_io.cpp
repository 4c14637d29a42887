// Native network YAML: loading with precise error places, writing back exactly, and
// load_network's dispatch on built-in names, explicit formats and file extensions.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/data_dir.h"
#include "common/error.h"
#include "common/input_limits.h"
#include "common/yaml_check.h"
#include "workload/detail.h"
#include "workload/llm.h"
#include "workload/workload.h"

namespace acceldse::workload {

namespace fs = std::filesystem;
using detail::AttrKey;

namespace {

// ---------------------------------------------------------------------------------
// Reading: every error names the file, the line (from yaml-cpp's Mark) and the key
// path, e.g. "line 12, layers[3] (conv2).kernel".
// ---------------------------------------------------------------------------------

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return fmt::format("'{}'", node.Scalar());
}

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  std::string place(const YAML::Node& node, const std::string& path) const {
    int line = node.IsDefined() ? node.Mark().line : -1;
    if (line < 0) return path;
    return path.empty() ? fmt::format("line {}", line + 1) : fmt::format("line {}, {}", line + 1, path);
  }

  [[noreturn]] void fail(const YAML::Node& node, const std::string& path, const std::string& detail) const {
    throw InputError(file_, place(node, path), detail);
  }

  int64_t integer(const YAML::Node& node, const std::string& path, const char* expected = "an integer") const {
    int64_t value = 0;
    if (!node.IsScalar() || !YAML::convert<int64_t>::decode(node, value)) {
      fail(node, path, fmt::format("expected {}, got {}", expected, describe(node)));
    }
    return value;
  }

  bool boolean(const YAML::Node& node, const std::string& path) const {
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
      fail(node, path, fmt::format("expected true or false, got {}", describe(node)));
    }
    return value;
  }

  std::string string(const YAML::Node& node, const std::string& path) const {
    if (!node.IsScalar()) fail(node, path, fmt::format("expected a string, got {}", describe(node)));
    return node.Scalar();
  }

  std::vector<int64_t> integers(const YAML::Node& node, const std::string& path,
                                const char* expected = "a list of integers") const {
    if (!node.IsSequence()) fail(node, path, fmt::format("expected {}, got {}", expected, describe(node)));
    std::vector<int64_t> values;
    for (size_t i = 0; i < node.size(); ++i) {
      values.push_back(integer(node[i], fmt::format("{}[{}]", path, i)));
    }
    return values;
  }

  // One name or a list of names.
  std::vector<std::string> names(const YAML::Node& node, const std::string& path) const {
    if (node.IsScalar()) return {node.Scalar()};
    if (!node.IsSequence()) {
      fail(node, path, fmt::format("expected a tensor name or a list of names, got {}", describe(node)));
    }
    std::vector<std::string> values;
    for (size_t i = 0; i < node.size(); ++i) {
      values.push_back(string(node[i], fmt::format("{}[{}]", path, i)));
    }
    return values;
  }

  // kernel / stride / dilation: an integer or [h, w].
  std::array<int64_t, 2> pair(const YAML::Node& node, const std::string& path) const {
    const char* expected = "an integer or [h, w]";
    if (node.IsScalar()) {
      int64_t v = integer(node, path, expected);
      return {v, v};
    }
    std::vector<int64_t> v = integers(node, path, expected);
    if (v.size() != 2) fail(node, path, fmt::format("expected {}, got {} entries", expected, v.size()));
    return {v[0], v[1]};
  }

  // pad: an integer, [h, w] or [top, left, bottom, right].
  std::array<int64_t, 4> pads(const YAML::Node& node, const std::string& path) const {
    const char* expected = "an integer, [h, w] or [top, left, bottom, right]";
    if (node.IsScalar()) {
      int64_t v = integer(node, path, expected);
      return {v, v, v, v};
    }
    std::vector<int64_t> v = integers(node, path, expected);
    if (v.size() == 2) return {v[0], v[1], v[0], v[1]};
    if (v.size() == 4) return {v[0], v[1], v[2], v[3]};
    fail(node, path, fmt::format("expected {}, got {} entries", expected, v.size()));
  }

  // Rejects keys outside `allowed` and keys given twice.
  void check_keys(const YAML::Node& map, const std::string& path, const std::vector<std::string>& allowed) const {
    std::set<std::string> seen;
    for (const auto& entry : map) {
      std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
      std::string key_path = path.empty() ? key : path + "." + key;
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        fail(entry.first, key_path,
             fmt::format("unknown key '{}'; expected one of: {}", key, fmt::join(allowed, ", ")));
      }
      if (!seen.insert(key).second) fail(entry.first, key_path, "key given twice");
    }
  }

  const YAML::Node require(const YAML::Node& map, const std::string& key, const std::string& path,
                           const std::string& why) const {
    YAML::Node node = map[key];
    if (!node.IsDefined()) fail(map, path, fmt::format("missing key '{}' ({})", key, why));
    return node;
  }

 private:
  std::string file_;
};

// ---------------------------------------------------------------------------------
// Attributes
// ---------------------------------------------------------------------------------

void read_attr(const Reader& r, AttrKey key, const YAML::Node& node, const std::string& path, Attrs& a) {
  switch (key) {
    case AttrKey::kOutChannels: a.out_channels = r.integer(node, path); break;
    case AttrKey::kOutFeatures: a.out_features = r.integer(node, path); break;
    case AttrKey::kKernel: a.kernel = r.pair(node, path); break;
    case AttrKey::kStride: a.stride = r.pair(node, path); break;
    case AttrKey::kPad: a.pads = r.pads(node, path); break;
    case AttrKey::kDilation: a.dilation = r.pair(node, path); break;
    case AttrKey::kGroups: a.groups = r.integer(node, path); break;
    case AttrKey::kBias: a.bias = r.boolean(node, path); break;
    case AttrKey::kCeilMode: a.ceil_mode = r.boolean(node, path); break;
    case AttrKey::kKeepdims: a.keepdims = r.boolean(node, path); break;
    case AttrKey::kAxis: a.axis = r.integer(node, path); break;
    case AttrKey::kDims: a.dims = r.integers(node, path); break;
    case AttrKey::kVocab: a.vocab = r.integer(node, path); break;
    case AttrKey::kEmbedDim: a.embed_dim = r.integer(node, path); break;
    case AttrKey::kHidden: a.hidden = r.integer(node, path); break;
    case AttrKey::kDirections: a.directions = r.integer(node, path); break;
  }
}

bool attr_equal(AttrKey key, const Attrs& a, const Attrs& b) {
  switch (key) {
    case AttrKey::kOutChannels: return a.out_channels == b.out_channels;
    case AttrKey::kOutFeatures: return a.out_features == b.out_features;
    case AttrKey::kKernel: return a.kernel == b.kernel;
    case AttrKey::kStride: return a.stride == b.stride;
    case AttrKey::kPad: return a.pads == b.pads;
    case AttrKey::kDilation: return a.dilation == b.dilation;
    case AttrKey::kGroups: return a.groups == b.groups;
    case AttrKey::kBias: return a.bias == b.bias;
    case AttrKey::kCeilMode: return a.ceil_mode == b.ceil_mode;
    case AttrKey::kKeepdims: return a.keepdims == b.keepdims;
    case AttrKey::kAxis: return a.axis == b.axis;
    case AttrKey::kDims: return a.dims == b.dims;
    case AttrKey::kVocab: return a.vocab == b.vocab;
    case AttrKey::kEmbedDim: return a.embed_dim == b.embed_dim;
    case AttrKey::kHidden: return a.hidden == b.hidden;
    case AttrKey::kDirections: return a.directions == b.directions;
  }
  return true;
}

void emit_ints(YAML::Emitter& out, const std::vector<int64_t>& values) {
  out << YAML::Flow << YAML::BeginSeq;
  for (int64_t v : values) out << v;
  out << YAML::EndSeq;
}

// The shortest of the accepted spellings: 3, [3, 5].
void emit_pair(YAML::Emitter& out, const std::array<int64_t, 2>& v) {
  if (v[0] == v[1])
    out << v[0];
  else
    emit_ints(out, {v[0], v[1]});
}

void emit_pads(YAML::Emitter& out, const std::array<int64_t, 4>& p) {
  if (p[0] == p[1] && p[0] == p[2] && p[0] == p[3])
    out << p[0];
  else if (p[0] == p[2] && p[1] == p[3])
    emit_ints(out, {p[0], p[1]});
  else
    emit_ints(out, {p[0], p[1], p[2], p[3]});
}

void emit_attr(YAML::Emitter& out, AttrKey key, const Attrs& a) {
  out << YAML::Key << std::string(detail::attr_key_name(key)) << YAML::Value;
  switch (key) {
    case AttrKey::kOutChannels: out << a.out_channels; break;
    case AttrKey::kOutFeatures: out << a.out_features; break;
    case AttrKey::kKernel: emit_pair(out, a.kernel); break;
    case AttrKey::kStride: emit_pair(out, a.stride); break;
    case AttrKey::kPad: emit_pads(out, a.pads); break;
    case AttrKey::kDilation: emit_pair(out, a.dilation); break;
    case AttrKey::kGroups: out << a.groups; break;
    case AttrKey::kBias: out << a.bias; break;
    case AttrKey::kCeilMode: out << a.ceil_mode; break;
    case AttrKey::kKeepdims: out << a.keepdims; break;
    case AttrKey::kAxis: out << a.axis; break;
    case AttrKey::kDims: emit_ints(out, a.dims); break;
    case AttrKey::kVocab: out << a.vocab; break;
    case AttrKey::kEmbedDim: out << a.embed_dim; break;
    case AttrKey::kHidden: out << a.hidden; break;
    case AttrKey::kDirections: out << a.directions; break;
  }
}

// ---------------------------------------------------------------------------------
// Network
// ---------------------------------------------------------------------------------

// The reductions also accept `axes` for their `dims` (the ONNX name).
constexpr const char* kAxesAlias = "axes";

struct NamedShape {
  std::string name;
  Shape shape;
};

std::vector<NamedShape> read_inputs(const Reader& r, const YAML::Node& node) {
  if (!node.IsSequence() || node.size() == 0) {
    r.fail(node, "inputs", fmt::format("expected a non-empty list of {{name, shape}}, got {}", describe(node)));
  }
  std::vector<NamedShape> inputs;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node& item = node[i];
    std::string path = fmt::format("inputs[{}]", i);
    if (!item.IsMap()) r.fail(item, path, fmt::format("expected {{name, shape}}, got {}", describe(item)));
    r.check_keys(item, path, {"name", "shape"});
    std::string name = r.string(r.require(item, "name", path, "the tensor name"), path + ".name");
    std::vector<int64_t> shape = r.integers(r.require(item, "shape", path, "a list of dimensions"), path + ".shape");
    for (size_t d = 0; d < shape.size(); ++d) {
      if (shape[d] <= 0) {
        r.fail(item["shape"], fmt::format("{}.shape[{}]", path, d),
               fmt::format("expected a positive dimension, got {}", shape[d]));
      }
    }
    if (shape.empty()) r.fail(item["shape"], path + ".shape", "expected at least one dimension");
    bool repeated = std::any_of(inputs.begin(), inputs.end(), [&](const NamedShape& in) { return in.name == name; });
    if (repeated) r.fail(item, path + ".name", fmt::format("input '{}' is given twice", name));
    inputs.push_back({name, shape});
  }
  return inputs;
}

// Applies --input-shape style overrides; an empty name means "the only input".
void apply_input_overrides(const std::string& file, std::vector<NamedShape>& inputs, const LoadOptions& options) {
  // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
  for (const auto& override_entry : options.input_shapes) {
    const std::string& name = override_entry.first;
    const Shape& shape = override_entry.second;
    std::vector<std::string> names;
    for (const NamedShape& in : inputs) names.push_back(in.name);
    if (name.empty() && inputs.size() != 1) {
      throw InputError(file, "input shape override",
                       fmt::format("the network has {} inputs ({}); name the one to set as "
                                   "NAME=SHAPE",
                                   inputs.size(), fmt::join(names, ", ")));
    }
    auto it = name.empty()
                  ? inputs.begin()
                  : std::find_if(inputs.begin(), inputs.end(), [&](const NamedShape& in) { return in.name == name; });
    if (it == inputs.end()) {
      throw InputError(file, "input shape override",
                       fmt::format("no input named '{}'; inputs are: {}", name, fmt::join(names, ", ")));
    }
    it->shape = shape;
  }
}

struct LayerContext {
  const Reader& reader;
  NetworkBuilder& builder;
  std::string default_input;  // the previous layer's first output
};

std::vector<std::string> allowed_layer_keys(const detail::OpInfo& info) {
  std::vector<std::string> keys{"name", "op", "in", "out", "params"};
  for (AttrKey key : info.attributes) keys.emplace_back(detail::attr_key_name(key));
  if (detail::is_reduction(info.type)) keys.emplace_back(kAxesAlias);
  return keys;
}

Attrs read_layer_attrs(const Reader& r, const YAML::Node& layer, const std::string& label, const detail::OpInfo& info) {
  Attrs attrs = default_attrs(info.type);
  for (AttrKey key : info.attributes) {
    std::string name(detail::attr_key_name(key));
    bool use_alias = key == AttrKey::kDims && detail::is_reduction(info.type) && !layer[name].IsDefined() &&
                     layer[kAxesAlias].IsDefined();
    if (use_alias) name = kAxesAlias;
    YAML::Node node = layer[name];
    bool required = std::find(info.required.begin(), info.required.end(), key) != info.required.end();
    if (!node.IsDefined() && required) {
      r.fail(layer, label, fmt::format("missing key '{}' (op {} needs it)", name, info.type));
    }
    if (node.IsDefined()) read_attr(r, key, node, label + "." + name, attrs);
  }
  return attrs;
}

// Reads and adds one layer; returns the name of its first output tensor.
std::string read_layer(LayerContext& ctx, const YAML::Node& layer, size_t index) {
  const Reader& r = ctx.reader;
  std::string path = fmt::format("layers[{}]", index);
  if (!layer.IsMap()) {
    r.fail(layer, path, fmt::format("expected a mapping {{name, op, ...}}, got {}", describe(layer)));
  }
  std::string name = r.string(r.require(layer, "name", path, "the layer name"), path + ".name");
  std::string label = fmt::format("{} ({})", path, name);
  YAML::Node op_node = r.require(layer, "op", label, "the op type");
  std::string type = r.string(op_node, label + ".op");
  const detail::OpInfo* info = detail::find_op(type);
  if (info == nullptr) {
    r.fail(op_node, label + ".op", fmt::format("unknown op '{}'; expected one of: {}", type, detail::known_op_list()));
  }
  r.check_keys(layer, label, allowed_layer_keys(*info));
  Attrs attrs = read_layer_attrs(r, layer, label, *info);

  std::vector<std::string> inputs{ctx.default_input};
  if (layer["in"]) inputs = r.names(layer["in"], label + ".in");
  for (const std::string& in : inputs) {
    if (!ctx.builder.has_tensor(in)) {
      r.fail(layer["in"], label + ".in",
             fmt::format("unknown tensor '{}'; expected a network input or an earlier layer's "
                         "output",
                         in));
    }
  }
  std::vector<std::string> outputs;
  if (layer["out"]) outputs = r.names(layer["out"], label + ".out");
  std::optional<int64_t> params;
  if (layer["params"]) params = r.integer(layer["params"], label + ".params");

  int op_id = 0;
  try {
    op_id = ctx.builder.add_op(name, type, inputs, attrs, outputs, params);
  } catch (const InputError& e) {
    r.fail(layer, label, e.detail());  // the same message, placed at the YAML line
  }
  if (!outputs.empty()) return outputs.front();
  // Unnamed outputs are NAME (one output) or NAME:0, NAME:1, ... (several).
  bool single = ctx.builder.has_tensor(name) && ctx.builder.tensor(name).producer == op_id;
  return single ? name : name + ":0";
}

std::string file_stem(const std::string& file) {
  std::string stem = fs::path(file).stem().string();
  return stem.empty() ? "network" : stem;
}

// Marks the outputs (the `outputs` key, else tensors nobody reads).
Network finish_network(const Reader& r, const YAML::Node& root, NetworkBuilder& builder) {
  if (!root["outputs"]) return builder.finish();
  std::vector<std::string> outputs = r.names(root["outputs"], "outputs");
  try {
    return builder.finish(outputs);
  } catch (const InputError& e) {
    r.fail(root["outputs"], "outputs", e.detail());
  }
}

void read_description(const Reader& r, const YAML::Node& root, Network& net) {
  if (root["domain"]) net.domain = r.string(root["domain"], "domain");
  if (root["description"]) net.description = r.string(root["description"], "description");
  if (root["paper_suite"]) net.paper_suite = r.boolean(root["paper_suite"], "paper_suite");
}

Network read_network(const Reader& r, const YAML::Node& root, const LoadOptions& options) {
  if (!root.IsMap()) {
    r.fail(root, "", fmt::format("expected a mapping with keys name, inputs and layers, got {}", describe(root)));
  }
  r.check_keys(root, "", {"name", "domain", "description", "paper_suite", "inputs", "layers", "outputs"});
  std::string name = root["name"] ? r.string(root["name"], "name") : file_stem(r.file());
  std::vector<NamedShape> inputs = read_inputs(r, r.require(root, "inputs", "", "the network inputs"));
  apply_input_overrides(r.file(), inputs, options);

  NetworkBuilder builder(name, r.file());
  for (const NamedShape& in : inputs) builder.add_input(in.name, in.shape);

  YAML::Node layers = r.require(root, "layers", "", "the list of layers");
  if (!layers.IsSequence() || layers.size() == 0) {
    r.fail(layers, "layers", fmt::format("expected a non-empty list of layers, got {}", describe(layers)));
  }
  LayerContext ctx{r, builder, inputs.front().name};
  for (size_t i = 0; i < layers.size(); ++i) ctx.default_input = read_layer(ctx, layers[i], i);

  Network net = finish_network(r, root, builder);
  read_description(r, root, net);
  if (options.batch) net = with_batch(net, *options.batch, r.file());
  return net;
}

// ---------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------

std::vector<int> default_outputs(const Network& net) {
  std::vector<int> outs;
  for (size_t i = 0; i < net.tensors.size(); ++i) {
    const Tensor& t = net.tensors[i];
    if (t.producer >= 0 && t.consumers.empty()) outs.push_back(static_cast<int>(i));
  }
  return outs;
}

std::vector<std::string> tensor_names(const Network& net, const std::vector<int>& ids) {
  std::vector<std::string> names;
  for (int id : ids) names.push_back(net.tensors[id].name);
  return names;
}

void emit_names(YAML::Emitter& out, const std::vector<std::string>& names) {
  if (names.size() == 1) {
    out << names[0];
    return;
  }
  out << YAML::Flow << YAML::BeginSeq;
  for (const std::string& n : names) out << n;
  out << YAML::EndSeq;
}

bool has_default_output_names(const Op& op, const std::vector<std::string>& names) {
  if (names.size() == 1) return names[0] == op.name;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] != fmt::format("{}:{}", op.name, i)) return false;
  }
  return true;
}

void emit_layer(YAML::Emitter& out, const Network& net, size_t index) {
  const Op& op = net.ops[index];
  const detail::OpInfo* info = detail::find_op(op.type);
  int default_in = index == 0 ? net.inputs.front() : net.ops[index - 1].outputs.front();
  out << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << op.name;
  out << YAML::Key << "op" << YAML::Value << op.type;
  if (op.inputs != std::vector<int>{default_in}) {
    out << YAML::Key << "in" << YAML::Value;
    emit_names(out, tensor_names(net, op.inputs));
  }
  std::vector<std::string> outs = tensor_names(net, op.outputs);
  if (!has_default_output_names(op, outs)) {
    out << YAML::Key << "out" << YAML::Value << YAML::Flow << outs;
  }
  Attrs defaults = default_attrs(op.type);
  for (AttrKey key : info->attributes) {
    bool required = std::find(info->required.begin(), info->required.end(), key) != info->required.end();
    if (required || !attr_equal(key, op.attrs, defaults)) emit_attr(out, key, op.attrs);
  }
  std::vector<Shape> in_shapes;
  for (int id : op.inputs) in_shapes.push_back(net.tensors[id].shape);
  if (op.params != default_params(op.type, in_shapes, op.attrs)) {
    out << YAML::Key << "params" << YAML::Value << op.params;
  }
  out << YAML::EndMap;
}

Format format_from_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".yaml" || ext == ".yml") return Format::kYaml;
  if (ext == ".onnx") return Format::kOnnx;
  if (ext == ".csv") return Format::kScaleSimCsv;
  if (!fs::exists(path)) {
    throw InputError(path, "", "not a built-in model name (see `acceldse models`) and no such file");
  }
  throw InputError(path, "",
                   "cannot tell the format from the extension; expected .yaml, .yml, .onnx or "
                   ".csv (or give the input format explicitly)");
}

}  // namespace

std::string detail::read_text_file(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw InputError(path, "", "is a directory; expected a file");
  // No stream is opened before this checks the file: opening a pipe blocks.
  return read_input_file(path, kMaxTextInputBytes, "a network file (YAML or SCALE-Sim CSV)");
}

Network load_yaml_text(const std::string& text, const std::string& file_label, const LoadOptions& options) {
  Reader reader(file_label);
  const YAML::Node root = parse_yaml_document(text, file_label);
  if (!root.IsDefined() || root.IsNull()) {
    throw InputError(file_label, "", "the file is empty; expected a network (keys name, inputs, layers)");
  }
  return read_network(reader, root, options);
}

Network load_yaml(const std::string& path, const LoadOptions& options) {
  return load_yaml_text(detail::read_text_file(path), path, options);
}

std::string to_yaml(const Network& net) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << net.name;
  if (!net.domain.empty()) out << YAML::Key << "domain" << YAML::Value << net.domain;
  if (!net.description.empty()) {
    out << YAML::Key << "description" << YAML::Value << net.description;
  }
  if (net.paper_suite) out << YAML::Key << "paper_suite" << YAML::Value << true;
  out << YAML::Key << "inputs" << YAML::Value << YAML::BeginSeq;
  for (int id : net.inputs) {
    out << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << net.tensors[id].name;
    out << YAML::Key << "shape" << YAML::Value;
    emit_ints(out, net.tensors[id].shape);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "layers" << YAML::Value << YAML::BeginSeq;
  for (size_t i = 0; i < net.ops.size(); ++i) emit_layer(out, net, i);
  out << YAML::EndSeq;
  if (net.outputs != default_outputs(net)) {
    out << YAML::Key << "outputs" << YAML::Value << YAML::Flow << tensor_names(net, net.outputs);
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::optional<Format> parse_format(const std::string& name) {
  if (name == "auto") return Format::kAuto;
  if (name == "yaml" || name == "yml") return Format::kYaml;
  if (name == "onnx") return Format::kOnnx;
  if (name == "csv" || name == "scalesim") return Format::kScaleSimCsv;
  return std::nullopt;
}

Network load_network(const std::string& name_or_path, const LoadOptions& options) {
  std::error_code ec;
  bool is_file = fs::is_regular_file(name_or_path, ec);
  bool may_be_builtin = options.format == Format::kAuto || options.format == Format::kYaml;
  if ((options.prompt_len || options.context_len) && !is_llm_name(name_or_path)) {
    throw InputError(
        "<command line>", options.prompt_len ? "--prompt-len" : "--context-len",
        fmt::format("applies to LLM networks only (models/llm, e.g. llama_7b:decode); '{}' is not one", name_or_path));
  }
  if (!is_file && may_be_builtin && is_builtin(name_or_path)) {
    return load_yaml((data_path("models") / (name_or_path + ".yaml")).string(), options);
  }
  if (may_be_builtin) {
    if (std::optional<LlmName> llm = parse_llm_name(name_or_path)) {
      if (!options.input_shapes.empty()) {
        throw InputError("<command line>", "--input-shape",
                         "an LLM's shapes come from --batch, --prompt-len and --context-len");
      }
      return llm_network(load_llm_config(*llm), llm->phase.value_or(LlmPhase::kDecode), llm_shape(options),
                         name_or_path);
    }
  }
  Format format = options.format;
  if (format == Format::kAuto) format = format_from_extension(name_or_path);
  switch (format) {
    case Format::kYaml: return load_yaml(name_or_path, options);
    case Format::kOnnx: return load_onnx(name_or_path, options);
    case Format::kScaleSimCsv: return load_scalesim_csv(name_or_path, options);
    case Format::kAuto: break;
  }
  throw InputError(name_or_path, "", "unknown input format");
}

}  // namespace acceldse::workload
