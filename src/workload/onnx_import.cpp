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
#include "workload/onnx_model.h"
#include "workload/onnx_proto.h"
#include "workload/onnx_tensor.h"
#include "workload/workload.h"

namespace acceldse::workload {
namespace {

using namespace onnx_detail;

// --- reading the file ----------------------------------------------------------------

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

onnx::ModelProto onnx_detail::parse_model_file(const std::string& path) {
  std::string bytes = read_bytes(path);
  if (bytes.empty()) throw InputError(path, "", "the file is empty; expected an ONNX model");
  // Protobuf cannot parse messages of 2 GB or more; ONNX stores such weights externally.
  if (bytes.size() >= static_cast<size_t>(INT_MAX)) {
    throw InputError(path, "", "file of 2 GB or more: not a valid ONNX model (weights that "
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

namespace {

// --- nodes -----------------------------------------------------------------------------

struct Node {
  const onnx::NodeProto* p = nullptr;
  std::string name;  // unique op name
  int index = 0;

  const std::string& type() const { return p->op_type(); }
  int num_inputs() const { return p->input_size(); }
  std::string in(int k) const { return k < p->input_size() ? p->input(k) : std::string(); }
  std::string out(int k) const { return k < p->output_size() ? p->output(k) : std::string(); }
};

std::string place(const Node& n) { return fmt::format("node {} ({})", n.name, n.type()); }

bool is_default_domain(const std::string& domain) {
  return domain.empty() || domain == "ai.onnx";
}

// The first op type the IR knows. ONNX ops without an IR counterpart of their own
// (Where, Equal, Softplus, ...) fall back to an element-wise op of the same cost class;
// the ONNX node name stays on the op.
std::string ir_type(std::initializer_list<const char*> preferred) {
  for (const char* t : preferred) {
    if (op_class_of(t)) return t;
  }
  return *(preferred.end() - 1);
}

// Tile's output shape, with overflow checks.
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

// Attribute values used in arithmetic (kernels, strides, hidden sizes) are bounded so
// that no product of them can overflow.
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

// Element-wise functions for constant folding -----------------------------------------

bool int_pow(int64_t base, int64_t exp, int64_t& out) {
  if (exp < 0) return false;
  out = 1;
  for (int64_t k = 0; k < exp; ++k) {
    if (__builtin_mul_overflow(out, base, &out)) return false;
    if (out == 0 || out == 1) break;  // 0 and 1 stay; ±1 cycles are handled below
  }
  if (base == -1) out = exp % 2 == 0 ? 1 : -1;
  return true;
}

// Integer modulo with the sign of the divisor (ONNX Mod, fmod = 0), or of the dividend
// (fmod = 1, as C).
bool int_mod(int64_t a, int64_t b, bool fmod, int64_t& out) {
  if (b == 0 || (a == INT64_MIN && b == -1)) return false;
  out = a % b;
  if (!fmod && out != 0 && ((out < 0) != (b < 0))) out += b;
  return true;
}

using IntFn = std::function<bool(int64_t, int64_t, int64_t&)>;
using FloatFn = std::function<double(double, double)>;

// Left fold of a binary function over all arguments (Sum, Max, Min take any number).
ElementOp fold_over(IntFn fi, FloatFn ff, bool bool_out = false) {
  ElementOp op;
  op.fi = [fi](const std::vector<int64_t>& a, int64_t& out) {
    out = a[0];
    for (size_t k = 1; k < a.size(); ++k) {
      if (!fi(out, a[k], out)) return false;
    }
    return true;
  };
  op.ff = [ff](const std::vector<double>& a) {
    double out = a[0];
    for (size_t k = 1; k < a.size(); ++k) out = ff(out, a[k]);
    return out;
  };
  op.bool_out = bool_out;
  return op;
}

ElementOp compare(std::function<bool(double, double)> cmp) {
  return fold_over([cmp](int64_t a, int64_t b, int64_t& o) { o = cmp(static_cast<double>(a), static_cast<double>(b)); return true; },
                   [cmp](double a, double b) { return cmp(a, b) ? 1.0 : 0.0; }, true);
}

const std::unordered_map<std::string, ElementOp>& binary_fold_ops() {
  static const std::unordered_map<std::string, ElementOp> ops = [] {
    std::unordered_map<std::string, ElementOp> m;
    m["Add"] = m["Sum"] = fold_over([](int64_t a, int64_t b, int64_t& o) { return !__builtin_add_overflow(a, b, &o); },
                                    [](double a, double b) { return a + b; });
    m["Sub"] = fold_over([](int64_t a, int64_t b, int64_t& o) { return !__builtin_sub_overflow(a, b, &o); },
                         [](double a, double b) { return a - b; });
    m["Mul"] = fold_over([](int64_t a, int64_t b, int64_t& o) { return !__builtin_mul_overflow(a, b, &o); },
                         [](double a, double b) { return a * b; });
    m["Div"] = fold_over([](int64_t a, int64_t b, int64_t& o) {
                           if (b == 0 || (a == INT64_MIN && b == -1)) return false;
                           o = a / b;  // integer division truncates, as ONNX
                           return true;
                         },
                         [](double a, double b) { return a / b; });
    m["Pow"] = fold_over(int_pow, [](double a, double b) { return std::pow(a, b); });
    m["Max"] = fold_over([](int64_t a, int64_t b, int64_t& o) { o = std::max(a, b); return true; },
                         [](double a, double b) { return std::max(a, b); });
    m["Min"] = fold_over([](int64_t a, int64_t b, int64_t& o) { o = std::min(a, b); return true; },
                         [](double a, double b) { return std::min(a, b); });
    m["Equal"] = compare([](double a, double b) { return a == b; });
    m["Less"] = compare([](double a, double b) { return a < b; });
    m["Greater"] = compare([](double a, double b) { return a > b; });
    m["LessOrEqual"] = compare([](double a, double b) { return a <= b; });
    m["GreaterOrEqual"] = compare([](double a, double b) { return a >= b; });
    m["And"] = compare([](double a, double b) { return a != 0 && b != 0; });
    m["Or"] = compare([](double a, double b) { return a != 0 || b != 0; });
    m["Xor"] = compare([](double a, double b) { return (a != 0) != (b != 0); });
    return m;
  }();
  return ops;
}

ElementOp unary(std::function<double(double)> ff, std::function<bool(int64_t, int64_t&)> fi = {}) {
  ElementOp op;
  op.ff = [ff](const std::vector<double>& a) { return ff(a[0]); };
  if (fi) op.fi = [fi](const std::vector<int64_t>& a, int64_t& o) { return fi(a[0], o); };
  return op;
}

const std::unordered_map<std::string, ElementOp>& unary_fold_ops() {
  static const std::unordered_map<std::string, ElementOp> ops = [] {
    std::unordered_map<std::string, ElementOp> m;
    m["Neg"] = unary([](double x) { return -x; },
                     [](int64_t x, int64_t& o) { return !__builtin_sub_overflow(int64_t{0}, x, &o); });
    m["Abs"] = unary([](double x) { return std::fabs(x); }, [](int64_t x, int64_t& o) {
      o = x < 0 ? -x : x;
      return x != INT64_MIN;
    });
    m["Relu"] = unary([](double x) { return std::max(x, 0.0); },
                      [](int64_t x, int64_t& o) { o = std::max<int64_t>(x, 0); return true; });
    m["Sign"] = unary([](double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0; },
                      [](int64_t x, int64_t& o) { o = (x > 0) - (x < 0); return true; });
    m["Not"] = unary([](double x) { return x == 0 ? 1.0 : 0.0; },
                     [](int64_t x, int64_t& o) { o = x == 0; return true; });
    m["Sqrt"] = unary([](double x) { return std::sqrt(x); });
    m["Exp"] = unary([](double x) { return std::exp(x); });
    m["Log"] = unary([](double x) { return std::log(x); });
    m["Floor"] = unary([](double x) { return std::floor(x); });
    m["Ceil"] = unary([](double x) { return std::ceil(x); });
    m["Round"] = unary([](double x) { return std::nearbyint(x); });  // half to even
    m["Reciprocal"] = unary([](double x) { return 1.0 / x; });
    m["Sin"] = unary([](double x) { return std::sin(x); });
    m["Cos"] = unary([](double x) { return std::cos(x); });
    m["Tanh"] = unary([](double x) { return std::tanh(x); });
    m["Erf"] = unary([](double x) { return std::erf(x); });
    m["Sigmoid"] = unary([](double x) { return 1.0 / (1.0 + std::exp(-x)); });
    return m;
  }();
  return ops;
}

// ONNX activation ops with one data input -> IR op type.
const std::unordered_map<std::string, std::string>& unary_map() {
  static const std::unordered_map<std::string, std::string> m = {
      {"Relu", "relu"},
      {"Sigmoid", "sigmoid"},
      {"Tanh", "tanh"},
      {"Gelu", "gelu"},
      {"Erf", "erf"},
      {"Exp", "exp"},
      {"Log", "log"},
      {"Sqrt", "sqrt"},
      {"Reciprocal", "reciprocal"},
      {"Neg", "neg"},
      {"Abs", "abs"},
      {"LeakyRelu", "leakyrelu"},
      {"Elu", "elu"},
      {"Selu", "elu"},
      {"Celu", "elu"},
      {"HardSigmoid", "hardsigmoid"},
      {"HardSwish", "hardswish"},
      {"Softplus", ir_type({"softplus", "elu"})},
      {"Cast", "cast"},
      {"CastLike", "cast"},
      {"Not", ir_type({"not", "neg"})},
  };
  return m;
}

// ONNX broadcasting ops with several data inputs -> IR op type.
const std::unordered_map<std::string, std::string>& nary_map() {
  static const std::unordered_map<std::string, std::string> m = {
      {"Add", "add"},
      {"Sub", "sub"},
      {"Mul", "mul"},
      {"Div", "div"},
      {"Pow", "pow"},
      {"Max", "max"},
      {"Min", "min"},
      {"Sum", "add"},
      {"Equal", ir_type({"equal", "sub"})},
      {"Less", ir_type({"less", "sub"})},
      {"Greater", ir_type({"greater", "sub"})},
      {"LessOrEqual", ir_type({"less_equal", "sub"})},
      {"GreaterOrEqual", ir_type({"greater_equal", "sub"})},
      {"And", ir_type({"and", "mul"})},
      {"Or", ir_type({"or", "max"})},
      {"Xor", ir_type({"xor", "sub"})},
      {"Where", ir_type({"where", "max"})},  // a select: one vector op per element and input pair
  };
  return m;
}

// --- the importer ------------------------------------------------------------------------

class Importer {
 public:
  Importer(const onnx::ModelProto& model, std::string file, const LoadOptions& options)
      : model_(model),
        g_(model.graph()),
        file_(std::move(file)),
        options_(options),
        b_(std::filesystem::path(file_).stem().string(), file_) {}

  // Fills `names` (if given) with what the ONNX names became.
  Network run(ImportNames* names = nullptr);

 private:
  using FoldFn = std::vector<ConstTensor> (Importer::*)(const Node&);
  using MapFn = void (Importer::*)(const Node&);
  static const std::unordered_map<std::string, FoldFn>& fold_table();
  static const std::unordered_map<std::string, MapFn>& map_table();

  // setup
  void read_opset();
  void load_initializers();
  void add_inputs();
  void name_nodes();
  void check_supported();
  void import_node(const Node& n);
  void note_unmodelled_outputs(const Node& n);
  Network finish();
  void record_names(ImportNames& names) const;

  // tensors
  // Written in the file (an initializer or a Constant node's output), not computed.
  bool is_literal(const std::string& name) const;
  bool is_const(const std::string& name) const { return !name.empty() && consts_.count(name) > 0; }
  const ConstTensor& const_in(const Node& n, int k, const char* what) const;
  std::vector<int64_t> const_ints(const Node& n, int k, const char* what) const;
  std::vector<double> const_floats(const Node& n, int k, const char* what) const;
  std::string act(const std::string& name) const;
  Shape shape_of(const std::string& name) const;
  bool used(const std::string& name) const { return !name.empty() && used_.count(name) > 0; }
  int64_t params_of(const Node& n, std::initializer_list<int> positions);
  std::string fresh(const std::string& base);
  std::string emit(const std::string& op_name, const std::string& type,
                   const std::vector<std::string>& ins, const Attrs& a,
                   const std::vector<std::string>& outs, int64_t params = 0);
  std::string emit_main(const Node& n, const std::string& type,
                        const std::vector<std::string>& ins, const Attrs& a, int64_t params = 0);
  std::string emit_aux(const Node& n, const std::string& suffix, const std::string& type,
                       const std::vector<std::string>& ins, const Attrs& a, int64_t params = 0);
  std::string reshape_aux(const Node& n, const std::string& suffix, const std::string& x,
                          std::vector<int64_t> dims);
  std::string transpose_aux(const Node& n, const std::string& suffix, const std::string& x,
                            std::vector<int64_t> perm);
  std::vector<int64_t> axes_of(const Node& n, int input_k);

  // constant folding
  std::vector<ConstTensor> fold_constant(const Node& n);
  std::vector<ConstTensor> fold_identity(const Node& n);
  std::vector<ConstTensor> fold_cast(const Node& n);
  std::vector<ConstTensor> fold_shape(const Node& n);
  std::vector<ConstTensor> fold_size(const Node& n);
  std::vector<ConstTensor> fold_gather(const Node& n);
  std::vector<ConstTensor> fold_unsqueeze(const Node& n);
  std::vector<ConstTensor> fold_squeeze(const Node& n);
  std::vector<ConstTensor> fold_reshape(const Node& n);
  std::vector<ConstTensor> fold_flatten(const Node& n);
  std::vector<ConstTensor> fold_concat(const Node& n);
  std::vector<ConstTensor> fold_slice(const Node& n);
  std::vector<ConstTensor> fold_transpose(const Node& n);
  std::vector<ConstTensor> fold_expand(const Node& n);
  std::vector<ConstTensor> fold_tile(const Node& n);
  std::vector<ConstTensor> fold_constant_of_shape(const Node& n);
  std::vector<ConstTensor> fold_range(const Node& n);
  std::vector<ConstTensor> fold_binary(const Node& n);
  std::vector<ConstTensor> fold_unary(const Node& n);
  std::vector<ConstTensor> fold_where(const Node& n);
  std::vector<ConstTensor> fold_clip(const Node& n);
  std::vector<ConstTensor> fold_reduce(const Node& n);
  std::vector<ConstTensor> fold_split(const Node& n);
  std::vector<ConstTensor> fold_matmul(const Node& n);
  std::vector<const ConstTensor*> const_inputs(const Node& n) const;
  std::vector<int64_t> slice_args(const Node& n, int k, const char* attr, const char* what);
  std::vector<int64_t> split_sizes(const Node& n, int64_t dim);

  // mapping onto IR ops
  struct Window {
    std::array<int64_t, 2> kernel{1, 1}, stride{1, 1}, dilation{1, 1};
    std::array<int64_t, 4> pads{0, 0, 0, 0};
  };
  Window window_attrs(const Node& n, const Shape& x, const std::vector<int64_t>& kernel);
  void map_conv(const Node& n);
  void map_conv_transpose(const Node& n);
  void map_instance_norm(const Node& n);
  void map_cumsum(const Node& n);
  void map_einsum(const Node& n);
  std::string resize_to(const Node& n, const std::string& x, const Shape& target,
                        const std::string& out);
  void map_gemm(const Node& n);
  void map_matmul(const Node& n);
  void map_const_left_product(const Node& n, const std::string& a_const, const std::string& b,
                              bool b_transposed, int64_t params);
  void map_nary(const Node& n);
  void map_unary(const Node& n);
  void map_clip(const Node& n);
  void map_prelu(const Node& n);
  void map_pool(const Node& n);
  void map_global_pool(const Node& n);
  void map_batchnorm(const Node& n);
  void map_layernorm(const Node& n);
  void map_softmax(const Node& n);
  void map_concat(const Node& n);
  void map_split(const Node& n);
  void map_reshape(const Node& n);
  void map_flatten(const Node& n);
  void map_transpose(const Node& n);
  void map_squeeze(const Node& n);
  void map_expand(const Node& n);
  void map_tile(const Node& n);
  void map_pad(const Node& n);
  void map_slice(const Node& n);
  void map_gather(const Node& n);
  void map_resize(const Node& n);
  void map_identity(const Node& n);
  void map_reduce(const Node& n);
  void map_argmax(const Node& n);
  void map_recurrent(const Node& n);
  void emit_recurrent_state(const Node& n, int out_k, const std::string& core, int64_t batch,
                            int64_t dirs, int64_t hidden, int64_t layout);

  const onnx::ModelProto& model_;
  const onnx::GraphProto& g_;
  std::string file_;
  LoadOptions options_;
  NetworkBuilder b_;
  int64_t opset_ = 13;
  std::vector<Node> nodes_;
  std::vector<bool> folds_;                                  // node index -> folded
  std::unordered_map<std::string, ConstTensor> consts_;     // known-constant ONNX tensors
  // The batch the file declares, when --batch replaces it (literal reshape targets that
  // spell it are rescaled).
  std::optional<int64_t> declared_batch_;
  // With --batch: every tensor's shape when the file is imported at its own batch (empty
  // if that import fails), to find which entry of a literal reshape target holds the batch.
  std::unordered_map<std::string, Shape> reference_shapes_;

 public:
  void set_reference(const Network& at_declared_batch) {
    for (const Tensor& t : at_declared_batch.tensors) reference_shapes_[t.name] = t.shape;
  }

 private:
  std::unordered_map<std::string, std::string> alias_;      // elided op output -> IR tensor
  std::unordered_map<std::string, std::string> unmodelled_;  // ONNX output -> why it is absent
  std::unordered_map<std::string, int64_t> source_elements_;  // parameter tensor -> elements
  std::unordered_set<std::string> counted_;                 // parameters already owned by an op
  std::unordered_set<std::string> used_;                    // read by a node or a graph output
  std::unordered_set<std::string> taken_;                   // names aux ops must avoid
  std::unordered_set<std::string> graph_outputs_;
};

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

// Reads one graph input's static shape; unknown dims are -1 and listed in `symbolic`.
// `names` gets each dimension's symbolic name ("" for a fixed or unnamed one).
Shape declared_shape(const onnx::ValueInfoProto& v, std::vector<std::string>& symbolic,
                     bool& has_shape, std::vector<std::string>* names = nullptr) {
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
  return n == "n" || n == "b" || n == "bs" || n == "batch" || n.starts_with("batch_") ||
         n.starts_with("batch-") || n == "batchsize" || n == "num_batches";
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
    clues.emplace_back(index_of(in.dim_names, shared),
                       fmt::format("every input has the dimension '{}'", shared));
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
                         fmt::format("the model has {} inputs ({}); name the input: NAME=SHAPE",
                                     inputs.size(), names));
      }
      key = inputs[0]->name();
    }
    bool known = std::any_of(inputs.begin(), inputs.end(), [&](auto* v) { return v->name() == key; });
    if (!known) {
      throw InputError(file_, "--input-shape",
                       fmt::format("no input named '{}'; the inputs are: {}", key, names));
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
                                     "--input-shape {}=D0xD1x...", axis, shape_to_string(s), v->name()));
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
    parts.push_back(fmt::format("{} ({} {}{})", type, names.size() == 1 ? "node" : "nodes",
                                fmt::join(shown, ", "), more));
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
    unmodelled_[o] = fmt::format("tensor '{}' (output {} of node {}, {}) is not modelled by the "
                                 "importer", o, k, n.name, n.type());
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

// --- tensors ------------------------------------------------------------------------------

const ConstTensor& Importer::const_in(const Node& n, int k, const char* what) const {
  std::string name = n.in(k);
  if (name.empty()) throw FoldError(fmt::format("{} (input {}) is missing", what, k));
  auto it = consts_.find(name);
  if (it == consts_.end()) {
    throw FoldError(fmt::format("{} (input {}, '{}') must be a constant known at import time; "
                                "it is computed from run-time values",
                                what, k, name));
  }
  return it->second;
}

std::vector<int64_t> Importer::const_ints(const Node& n, int k, const char* what) const {
  const ConstTensor& t = const_in(n, k, what);
  if (!t.known) {
    throw FoldError(fmt::format("{} (input {}, '{}') has values the importer cannot evaluate",
                                what, k, n.in(k)));
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
    throw FoldError(fmt::format("{} (input {}, '{}') has values the importer cannot evaluate",
                                what, k, n.in(k)));
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
  throw FoldError(fmt::format("tensor '{}' is read before any node produces it (nodes must be "
                              "in topological order)", name));
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

std::string Importer::emit(const std::string& op_name, const std::string& type,
                           const std::vector<std::string>& ins, const Attrs& a,
                           const std::vector<std::string>& outs, int64_t params) {
  b_.add_op(op_name, type, ins, a, outs, params);
  return outs.at(0);
}

// The op that carries the node's name and writes its first output.
std::string Importer::emit_main(const Node& n, const std::string& type,
                                const std::vector<std::string>& ins, const Attrs& a,
                                int64_t params) {
  return emit(n.name, type, ins, a, {n.out(0)}, params);
}

// Layout glue around the main op; op and tensor share a fresh name derived from the node.
std::string Importer::emit_aux(const Node& n, const std::string& suffix, const std::string& type,
                               const std::vector<std::string>& ins, const Attrs& a,
                               int64_t params) {
  std::string name = fresh(n.name + "/" + suffix);
  return emit(name, type, ins, a, {name}, params);
}

std::string Importer::reshape_aux(const Node& n, const std::string& suffix, const std::string& x,
                                  std::vector<int64_t> dims) {
  Attrs a;
  a.dims = std::move(dims);
  return emit_aux(n, suffix, "reshape", {x}, a);
}

std::string Importer::transpose_aux(const Node& n, const std::string& suffix,
                                    const std::string& x, std::vector<int64_t> perm) {
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

// --- constant folding -----------------------------------------------------------------------

std::vector<const ConstTensor*> Importer::const_inputs(const Node& n) const {
  std::vector<const ConstTensor*> ins;
  for (int k = 0; k < n.num_inputs(); ++k) {
    if (!n.in(k).empty()) ins.push_back(&consts_.at(n.in(k)));
  }
  return ins;
}

std::vector<ConstTensor> Importer::fold_constant(const Node& n) {
  const auto& p = *n.p;
  ConstTensor t;
  if (const auto* a = find_attr(p, "value")) {
    t = decode_tensor(a->t());
  } else if (const auto* a = find_attr(p, "value_float")) {
    t = float_tensor({}, {a->f()});
  } else if (const auto* a = find_attr(p, "value_floats")) {
    t = float_tensor({a->floats_size()}, {a->floats().begin(), a->floats().end()});
  } else if (const auto* a = find_attr(p, "value_int")) {
    t = int_tensor({}, {a->i()});
  } else if (const auto* a = find_attr(p, "value_ints")) {
    t = int_tensor({a->ints_size()}, {a->ints().begin(), a->ints().end()});
  } else if (const auto* a = find_attr(p, "sparse_value")) {
    const auto& dims = a->sparse_tensor().dims();
    t = shape_only(Shape(dims.begin(), dims.end()), is_float_type(a->sparse_tensor().values().data_type()), {});
  } else if (const auto* a = find_attr(p, "value_strings")) {
    t = shape_only({a->strings_size()}, false, {});
  } else if (find_attr(p, "value_string")) {
    t = shape_only({}, false, {});
  } else {
    throw FoldError("Constant node has no value attribute");
  }
  // Some exporters store weights in Constant nodes rather than initializers: a floating
  // constant of more than one element is a parameter where it is used as one.
  int64_t elements = checked_elements(t.shape);
  if (t.is_float && elements > 1) {
    t.sources = {n.out(0)};
    source_elements_[n.out(0)] = elements;
  }
  return {t};
}

std::vector<ConstTensor> Importer::fold_identity(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "input");
  return {in, shape_only(in.shape, false, {})};  // Dropout's mask: all ones, shape only
}

std::vector<ConstTensor> Importer::fold_cast(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "input");
  int64_t to = attr_int(*n.p, "to", onnx::TensorProto_DataType_FLOAT);
  if (n.type() == "CastLike") {
    to = const_in(n, 1, "target_type").is_float ? onnx::TensorProto_DataType_FLOAT
                                                 : onnx::TensorProto_DataType_INT64;
  }
  if (!is_numeric_type(static_cast<int32_t>(to))) return {shape_only(in.shape, false, in.sources)};
  return {cast_values(in, is_float_type(static_cast<int32_t>(to)), to == onnx::TensorProto_DataType_BOOL)};
}

std::vector<ConstTensor> Importer::fold_shape(const Node& n) {
  Shape s = shape_of(n.in(0));
  int64_t rank = static_cast<int64_t>(s.size());
  auto clamp_axis = [rank](int64_t a) { return std::clamp(a < 0 ? a + rank : a, int64_t{0}, rank); };
  int64_t start = clamp_axis(attr_int(*n.p, "start", 0));
  int64_t end = clamp_axis(attr_int(*n.p, "end", rank));
  std::vector<int64_t> dims(s.begin() + start, s.begin() + std::max(start, end));
  int64_t len = static_cast<int64_t>(dims.size());
  return {int_tensor({len}, dims)};
}

std::vector<ConstTensor> Importer::fold_size(const Node& n) {
  return {int_tensor({}, {checked_elements(shape_of(n.in(0)))})};
}

std::vector<ConstTensor> Importer::fold_gather(const Node& n) {
  return {gather_values(const_in(n, 0, "data"), const_in(n, 1, "indices"), attr_int(*n.p, "axis", 0))};
}

std::vector<ConstTensor> Importer::fold_unsqueeze(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "data");
  return {reshaped(in, unsqueeze_shape(in.shape, axes_of(n, 1)))};
}

std::vector<ConstTensor> Importer::fold_squeeze(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "data");
  return {reshaped(in, squeeze_shape(in.shape, axes_of(n, 1)))};
}

std::vector<ConstTensor> Importer::fold_reshape(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "data");
  std::vector<int64_t> target = n.type() == "Reshape" && n.num_inputs() > 1
                                    ? const_ints(n, 1, "shape")
                                    : attr_ints(*n.p, "shape");  // opset < 5
  return {reshaped(in, resolve_reshape(in.shape, target, attr_int(*n.p, "allowzero", 0) != 0))};
}

std::vector<ConstTensor> Importer::fold_flatten(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "input");
  return {reshaped(in, flatten_shape(in.shape, attr_int(*n.p, "axis", 1)))};
}

std::vector<ConstTensor> Importer::fold_concat(const Node& n) {
  return {concat_values(const_inputs(n), attr_int(*n.p, "axis", 0))};
}

// Slice arguments: inputs since opset 10, attributes before.
std::vector<int64_t> Importer::slice_args(const Node& n, int k, const char* attr, const char* what) {
  if (find_attr(*n.p, attr)) return attr_ints(*n.p, attr);
  if (!n.in(k).empty()) return const_ints(n, k, what);
  return {};
}

std::vector<ConstTensor> Importer::fold_slice(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "data");
  auto plan = slice_plan(in.shape, slice_args(n, 1, "starts", "starts"), slice_args(n, 2, "ends", "ends"),
                         slice_args(n, 3, "axes", "axes"), slice_args(n, 4, "steps", "steps"));
  return {slice_values(in, plan)};
}

std::vector<ConstTensor> Importer::fold_transpose(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "data");
  std::vector<int64_t> perm = attr_ints(*n.p, "perm");
  if (perm.empty()) {
    perm = iota_axes(static_cast<int64_t>(in.shape.size()));
    std::reverse(perm.begin(), perm.end());
  }
  return {transpose_values(in, perm)};
}

std::vector<ConstTensor> Importer::fold_expand(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "input");
  return {broadcast_to(in, broadcast_shapes(in.shape, const_ints(n, 1, "shape")))};
}

std::vector<ConstTensor> Importer::fold_tile(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "input");
  std::vector<int64_t> reps = const_ints(n, 1, "repeats");
  Shape out = tiled_shape(in.shape, reps);
  return {strided_copy(in, out, [&](size_t k, int64_t c) { return c % in.shape[k]; })};
}

std::vector<ConstTensor> Importer::fold_constant_of_shape(const Node& n) {
  std::vector<int64_t> dims = const_ints(n, 0, "shape");
  Shape shape(dims.begin(), dims.end());
  int64_t count = checked_elements(shape);
  ConstTensor value = float_tensor({1}, {0.0});
  if (const auto* a = find_attr(*n.p, "value")) value = decode_tensor(a->t());
  if (!value.known || value.size() != 1) throw FoldError("value must be a one-element tensor");
  if (count > kMaxFoldElements) return {shape_only(shape, value.is_float, {})};
  return {broadcast_to(reshaped(value, {}), shape)};
}

std::vector<ConstTensor> Importer::fold_range(const Node& n) {
  const ConstTensor& start = const_in(n, 0, "start");
  std::vector<double> s = const_floats(n, 0, "start"), l = const_floats(n, 1, "limit"),
                      d = const_floats(n, 2, "delta");
  if (s.size() != 1 || l.size() != 1 || d.size() != 1) throw FoldError("Range takes scalars");
  if (d[0] == 0 || !std::isfinite(s[0] + l[0] + d[0])) throw FoldError("Range delta must be non-zero and finite");
  double count = std::max(std::ceil((l[0] - s[0]) / d[0]), 0.0);
  if (count > static_cast<double>(kMaxElements)) throw FoldError("Range is too long");
  auto len = static_cast<int64_t>(count);
  if (len > kMaxFoldElements) return {shape_only({len}, start.is_float, {})};
  ConstTensor t = start.is_float ? float_tensor({len}, {}) : int_tensor({len}, {});
  for (int64_t k = 0; k < len; ++k) {
    double v = s[0] + static_cast<double>(k) * d[0];
    if (!start.is_float && !(std::fabs(v) < 9.2e18)) return {shape_only({len}, false, {})};
    if (start.is_float) {
      t.f.push_back(v);
    } else {
      t.i.push_back(static_cast<int64_t>(v));
    }
  }
  return {t};
}

std::vector<ConstTensor> Importer::fold_binary(const Node& n) {
  const auto& ops = binary_fold_ops();
  auto ins = const_inputs(n);
  if (n.type() == "Mod") {
    bool fmod = attr_int(*n.p, "fmod", 0) != 0;
    return {elementwise(ins, fold_over([fmod](int64_t a, int64_t b, int64_t& o) { return int_mod(a, b, fmod, o); },
                                       [](double a, double b) { return std::fmod(a, b); }))};
  }
  if (n.type() == "Mean") {
    ElementOp add = ops.at("Add");
    double count = static_cast<double>(ins.size());
    ElementOp mean;
    mean.ff = [add, count](const std::vector<double>& a) { return add.ff(a) / count; };
    return {elementwise(ins, mean)};
  }
  ConstTensor t = elementwise(ins, ops.at(n.type()));
  if (ops.at(n.type()).bool_out) t.sources.clear();  // masks are not parameters
  return {t};
}

std::vector<ConstTensor> Importer::fold_unary(const Node& n) {
  return {elementwise({&const_in(n, 0, "input")}, unary_fold_ops().at(n.type()))};
}

std::vector<ConstTensor> Importer::fold_where(const Node& n) {
  const ConstTensor &c = const_in(n, 0, "condition"), &x = const_in(n, 1, "X"), &y = const_in(n, 2, "Y");
  ElementOp select;
  select.fi = [](const std::vector<int64_t>& a, int64_t& o) { o = a[0] != 0 ? a[1] : a[2]; return true; };
  select.ff = [](const std::vector<double>& a) { return a[0] != 0 ? a[1] : a[2]; };
  ConstTensor t = elementwise({&c, &x, &y}, select);
  t.sources = merge_sources({&x, &y});
  return {t};
}

std::vector<ConstTensor> Importer::fold_clip(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "input");
  double lo = attr_float(*n.p, "min", -INFINITY), hi = attr_float(*n.p, "max", INFINITY);
  if (!n.in(1).empty()) lo = const_floats(n, 1, "min").at(0);
  if (!n.in(2).empty()) hi = const_floats(n, 2, "max").at(0);
  if (lo > hi) throw FoldError("Clip min is above max");
  ElementOp clip = unary([lo, hi](double x) { return std::clamp(x, lo, hi); },
                         [lo, hi](int64_t x, int64_t& o) {
                           double v = std::clamp(static_cast<double>(x), lo, hi);
                           if (!(std::fabs(v) < 9.2e18)) return false;
                           o = v == static_cast<double>(x) ? x : static_cast<int64_t>(v);
                           return true;
                         });
  return {elementwise({&in}, clip)};
}

std::vector<ConstTensor> Importer::fold_reduce(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "data");
  std::vector<int64_t> axes = axes_of(n, 1);
  bool keep = attr_int(*n.p, "keepdims", 1) != 0;
  if (axes.empty() && attr_int(*n.p, "noop_with_empty_axes", 0) != 0) return {in};
  const std::string& t = n.type();
  if (t == "ReduceSum" || t == "ReduceMean") {
    return {reduce_values(in, axes, keep, 0.0, std::plus<double>(), t == "ReduceMean")};
  }
  if (t == "ReduceProd") return {reduce_values(in, axes, keep, 1.0, std::multiplies<double>(), false)};
  if (t == "ReduceMax") {
    return {reduce_values(in, axes, keep, -INFINITY, [](double a, double b) { return std::max(a, b); }, false)};
  }
  return {reduce_values(in, axes, keep, INFINITY, [](double a, double b) { return std::min(a, b); }, false)};
}

// Split sizes: an input since opset 13, an attribute before, num_outputs since 18,
// equal parts otherwise (the last part smaller when it does not divide).
std::vector<int64_t> Importer::split_sizes(const Node& n, int64_t dim) {
  std::vector<int64_t> sizes;
  if (!n.in(1).empty()) {
    sizes = const_ints(n, 1, "split");
  } else if (find_attr(*n.p, "split")) {
    sizes = attr_ints(*n.p, "split");
  } else {
    int64_t parts = attr_int(*n.p, "num_outputs", n.p->output_size());
    if (parts <= 0) throw FoldError("Split needs at least one output");
    int64_t chunk = (dim + parts - 1) / parts;
    for (int64_t k = 0; k < parts; ++k) sizes.push_back(std::clamp(dim - k * chunk, int64_t{0}, chunk));
  }
  int64_t sum = 0;
  for (int64_t s : sizes) sum += bounded(s, 0, "a split size");
  if (sum != dim || sizes.size() != static_cast<size_t>(n.p->output_size())) {
    throw FoldError(fmt::format("split sizes [{}] must add up to {} and match the {} outputs",
                                fmt::join(sizes, ", "), dim, n.p->output_size()));
  }
  return sizes;
}

std::vector<ConstTensor> Importer::fold_split(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "input");
  int64_t axis = norm_axis(attr_int(*n.p, "axis", 0), static_cast<int64_t>(in.shape.size()));
  std::vector<ConstTensor> outs;
  int64_t start = 0;
  for (int64_t size : split_sizes(n, in.shape[axis])) {
    auto plan = slice_plan(in.shape, {start}, {start + size}, {axis}, {1});
    outs.push_back(slice_values(in, plan));
    start += size;
  }
  return outs;
}

// Products of constants only (weight preprocessing): shape and sources, no values.
std::vector<ConstTensor> Importer::fold_matmul(const Node& n) {
  const ConstTensor &a = const_in(n, 0, "A"), &b = const_in(n, 1, "B");
  return {shape_only(matmul_shape(a.shape, b.shape), a.is_float, merge_sources({&a, &b}))};
}

const std::unordered_map<std::string, Importer::FoldFn>& Importer::fold_table() {
  static const std::unordered_map<std::string, FoldFn> table = [] {
    std::unordered_map<std::string, FoldFn> t = {
        {"Constant", &Importer::fold_constant},
        {"Identity", &Importer::fold_identity},
        {"Dropout", &Importer::fold_identity},
        {"Cast", &Importer::fold_cast},
        {"CastLike", &Importer::fold_cast},
        {"Shape", &Importer::fold_shape},
        {"Size", &Importer::fold_size},
        {"Gather", &Importer::fold_gather},
        {"Unsqueeze", &Importer::fold_unsqueeze},
        {"Squeeze", &Importer::fold_squeeze},
        {"Reshape", &Importer::fold_reshape},
        {"Flatten", &Importer::fold_flatten},
        {"Concat", &Importer::fold_concat},
        {"Slice", &Importer::fold_slice},
        {"Transpose", &Importer::fold_transpose},
        {"Expand", &Importer::fold_expand},
        {"Tile", &Importer::fold_tile},
        {"ConstantOfShape", &Importer::fold_constant_of_shape},
        {"Range", &Importer::fold_range},
        {"Where", &Importer::fold_where},
        {"Clip", &Importer::fold_clip},
        {"Split", &Importer::fold_split},
        {"MatMul", &Importer::fold_matmul},
        {"Mod", &Importer::fold_binary},
        {"Mean", &Importer::fold_binary},
    };
    for (const auto& [type, op] : binary_fold_ops()) t[type] = &Importer::fold_binary;
    for (const auto& [type, op] : unary_fold_ops()) t[type] = &Importer::fold_unary;
    for (const char* r : {"ReduceSum", "ReduceMean", "ReduceProd", "ReduceMax", "ReduceMin"}) {
      t[r] = &Importer::fold_reduce;
    }
    return t;
  }();
  return table;
}

// --- convolution and pooling ----------------------------------------------------------------

// Kernel, strides, dilations and pads of a 1-D or 2-D window as the IR's 2-D attributes
// (a 1-D window is a 2-D one of height 1), with auto_pad resolved to explicit pads.
Importer::Window Importer::window_attrs(const Node& n, const Shape& x,
                                        const std::vector<int64_t>& kernel) {
  if (x.size() != 3 && x.size() != 4) {
    throw FoldError(fmt::format("input has shape {}; only 1-D and 2-D windows ([N, C, L] or "
                                "[N, C, H, W]) are supported", shape_to_string(x)));
  }
  size_t k = x.size() - 2;
  auto list = [&](const char* name, int64_t def, size_t len) {
    std::vector<int64_t> v = attr_ints(*n.p, name);
    if (v.empty()) v.assign(len, def);
    if (v.size() != len) throw FoldError(fmt::format("{} must have {} entries", name, len));
    return v;
  };
  if (kernel.size() != k) throw FoldError(fmt::format("kernel must have {} dimensions", k));
  std::vector<int64_t> strides = list("strides", 1, k), dilations = list("dilations", 1, k),
                       pads = list("pads", 0, 2 * k);
  for (size_t i = 0; i < k; ++i) {
    bounded(kernel[i], 1, "a kernel size");
    bounded(strides[i], 1, "a stride");
    bounded(dilations[i], 1, "a dilation");
  }
  for (int64_t p : pads) bounded(p, 0, "a pad");
  std::string auto_pad = attr_string(*n.p, "auto_pad", "NOTSET");
  if (auto_pad == "VALID") pads.assign(2 * k, 0);
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (size_t i = 0; i < k; ++i) {
      int64_t in = x[2 + i], s = strides[i];
      int64_t out = (in + s - 1) / s;
      int64_t total = std::max<int64_t>(0, (out - 1) * s + (kernel[i] - 1) * dilations[i] + 1 - in);
      int64_t small = total / 2, big = total - small;  // SAME_UPPER puts the extra at the end
      pads[i] = auto_pad == "SAME_UPPER" ? small : big;
      pads[i + k] = auto_pad == "SAME_UPPER" ? big : small;
    }
  } else if (auto_pad != "NOTSET" && auto_pad != "VALID" && !auto_pad.empty()) {
    throw FoldError("unknown auto_pad '" + auto_pad + "'");
  }
  Window w;
  size_t off = 2 - k;  // 1-D: the height entries keep their defaults
  for (size_t i = 0; i < k; ++i) {
    w.kernel[off + i] = kernel[i];
    w.stride[off + i] = strides[i];
    w.dilation[off + i] = dilations[i];
    w.pads[off + i] = pads[i];
    w.pads[2 + off + i] = pads[k + i];
  }
  return w;
}

void Importer::map_conv(const Node& n) {
  std::string x = act(n.in(0));
  Shape xs = shape_of(n.in(0));
  const ConstTensor& w = const_in(n, 1, "weight");
  if (w.shape.size() != xs.size() || w.shape.size() < 3) {
    throw FoldError(fmt::format("weight {} does not match input {}", shape_to_string(w.shape),
                                shape_to_string(xs)));
  }
  std::vector<int64_t> kernel(w.shape.begin() + 2, w.shape.end());
  Window win = window_attrs(n, xs, kernel);
  Attrs a;
  a.out_channels = w.shape[0];
  a.groups = bounded(attr_int(*n.p, "group", 1), 1, "group");
  int64_t in_channels = 0;
  if (__builtin_mul_overflow(w.shape[1], a.groups, &in_channels) || in_channels != xs[1]) {
    throw FoldError(fmt::format("weight {} with group {} does not fit {} input channels",
                                shape_to_string(w.shape), a.groups, xs[1]));
  }
  a.kernel = win.kernel;
  a.stride = win.stride;
  a.dilation = win.dilation;
  a.pads = win.pads;
  a.bias = !n.in(2).empty();
  emit_main(n, "conv", {x}, a, params_of(n, {1, 2}));
}

// --- transposed convolution, instance/group norm, cumulative sum, einsum -------------------------

// Pads or slices x to `target` (same rank), writing tensor `out`: the data move that gives a
// lowered op the shape the ONNX node has.
std::string Importer::resize_to(const Node& n, const std::string& x, const Shape& target,
                                const std::string& out) {
  Shape xs = b_.tensor(x).shape;
  std::string cur = x;
  bool grows = false, shrinks = false;
  for (size_t i = 0; i < xs.size(); ++i) {
    grows |= target[i] > xs[i];
    shrinks |= target[i] < xs[i];
  }
  if (grows) {
    Attrs p;
    p.dims.assign(2 * xs.size(), 0);
    for (size_t i = 0; i < xs.size(); ++i) p.dims[xs.size() + i] = std::max<int64_t>(0, target[i] - xs[i]);
    cur = shrinks ? emit_aux(n, "pad", "pad", {cur}, p) : emit(fresh(n.name + "/pad"), "pad", {cur}, p, {out});
  }
  if (shrinks) {
    Attrs sl;
    sl.dims = target;
    cur = emit(fresh(n.name + "/crop"), "slice", {cur}, sl, {out});
  }
  if (!grows && !shrinks) {
    cur = emit(fresh(n.name + "/shape"), "identity", {cur}, {}, {out});
  }
  return cur;
}

// ConvTranspose scatters every input pixel through the kernel: N * Cin * H * W * (Cout/g) *
// kh * kw MACs, the same as a stride-1 convolution with that kernel over the input. It is
// lowered to that convolution (size-preserving padding, the node's dilation and groups)
// followed by a pad/crop to the ONNX output size; the overlap-add of neighbouring
// outputs (one add per MAC result beyond the first) is not modelled.
void Importer::map_conv_transpose(const Node& n) {
  std::string x = act(n.in(0));
  Shape xs = shape_of(n.in(0));
  const ConstTensor& w = const_in(n, 1, "weight");
  if (xs.size() != 4 || w.shape.size() != 4) {
    throw FoldError(fmt::format("ConvTranspose is supported in 2-D (input [N, C, H, W]); input {} weight {}",
                                shape_to_string(xs), shape_to_string(w.shape)));
  }
  int64_t groups = bounded(attr_int(*n.p, "group", 1), 1, "group");
  if (w.shape[0] != xs[1]) {
    throw FoldError(fmt::format("weight {} does not fit {} input channels (ConvTranspose weights are "
                                "[Cin, Cout/group, kh, kw])", shape_to_string(w.shape), xs[1]));
  }
  auto list = [&](const char* name, int64_t fallback, size_t count) {
    std::vector<int64_t> v = attr_ints(*n.p, name);
    if (v.empty()) v.assign(count, fallback);
    if (v.size() != count) throw FoldError(fmt::format("{} must have {} values", name, count));
    return v;
  };
  std::vector<int64_t> strides = list("strides", 1, 2), dil = list("dilations", 1, 2),
                       pads = list("pads", 0, 4), extra = list("output_padding", 0, 2);
  std::vector<int64_t> out_shape = attr_ints(*n.p, "output_shape");
  std::string auto_pad = attr_string(*n.p, "auto_pad", "NOTSET");
  Shape target{xs[0], w.shape[1] * groups, 0, 0};
  Attrs a;
  a.out_channels = target[1];
  a.groups = groups;
  a.bias = !n.in(2).empty();
  for (size_t i = 0; i < 2; ++i) {
    int64_t k = bounded(w.shape[2 + i], 1, "a kernel size"), s = bounded(strides[i], 1, "a stride");
    int64_t d = bounded(dil[i], 1, "a dilation"), span = (k - 1) * d + 1;
    int64_t full = s * (xs[2 + i] - 1) + extra[i] + span;
    if (!out_shape.empty()) target[2 + i] = out_shape[out_shape.size() - 2 + i];
    else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") target[2 + i] = xs[2 + i] * s;
    else if (auto_pad == "VALID") target[2 + i] = full;
    else target[2 + i] = full - pads[i] - pads[2 + i];
    if (target[2 + i] <= 0) throw FoldError("ConvTranspose output size is not positive");
    a.kernel[i] = k;
    a.dilation[i] = d;
    a.pads[i] = (span - 1) / 2;               // keep H x W: the MACs of the scatter
    a.pads[2 + i] = span - 1 - a.pads[i];
  }
  std::string conv = emit(n.name, "conv", {x}, a, {fresh(n.name + "/scatter")}, params_of(n, {1, 2}));
  resize_to(n, conv, target, n.out(0));
}

// InstanceNormalization normalises every (sample, channel) over its spatial positions;
// GroupNormalization every (sample, group). Both cost what a layernorm over the trailing
// axes costs; their parameters are the scale and bias given.
// PyTorch exports GroupNorm (before opset 18) as reshape -> InstanceNormalization with a
// scale of ones and a bias of zeros -> reshape -> Mul/Add with the trained affine: those
// ones and zeros are not trained values, so they are not counted.
void Importer::map_instance_norm(const Node& n) {
  Shape xs = shape_of(n.in(0));
  if (xs.size() < 3) throw FoldError(fmt::format("expected an input [N, C, ...], got {}", shape_to_string(xs)));
  Attrs a;
  a.axis = 2;
  auto all_equal = [&](int k, double value) {
    if (!is_const(n.in(k))) return false;
    const ConstTensor& t = consts_.at(n.in(k));
    if (!t.known) return false;
    for (int64_t i = 0; i < t.size(); ++i) {
      if (t.as_double(i) != value) return false;
    }
    return true;
  };
  bool identity_affine = n.type() == "InstanceNormalization" && all_equal(1, 1.0) && all_equal(2, 0.0);
  emit_main(n, "layernorm", {act(n.in(0))}, a, identity_affine ? 0 : params_of(n, {1, 2}));
}

// One add per element along the axis.
void Importer::map_cumsum(const Node& n) {
  emit_main(n, "add", {act(n.in(0))}, {});
}


void Importer::map_pool(const Node& n) {
  Shape xs = shape_of(n.in(0));
  Window win = window_attrs(n, xs, attr_ints(*n.p, "kernel_shape"));
  Attrs a;
  a.kernel = win.kernel;
  a.stride = win.stride;
  a.dilation = win.dilation;
  a.pads = win.pads;
  a.ceil_mode = attr_int(*n.p, "ceil_mode", 0) != 0;
  emit_main(n, n.type() == "MaxPool" ? "maxpool" : "avgpool", {act(n.in(0))}, a);
}

void Importer::map_global_pool(const Node& n) {
  emit_main(n, n.type() == "GlobalMaxPool" ? "global_maxpool" : "global_avgpool", {act(n.in(0))}, {});
}

// --- matrix products ---------------------------------------------------------------------------

// Y = A' B' (+ C) with A' = transA ? A^T : A, B' likewise.
void Importer::map_gemm(const Node& n) {
  bool ta = attr_int(*n.p, "transA", 0) != 0, tb = attr_int(*n.p, "transB", 0) != 0;
  std::string c = n.in(2);
  bool c_const = c.empty() || is_const(c);
  if (is_const(n.in(0)) && is_const(n.in(1))) throw FoldError("Gemm of two constants");
  if (is_const(n.in(0))) {
    if (ta) throw FoldError("Gemm with a transposed constant A is not supported");
    if (!c_const) throw FoldError("Gemm with a constant A and a run-time C is not supported");
    map_const_left_product(n, n.in(0), act(n.in(1)), tb, params_of(n, {0, 2}));
    return;
  }
  std::string a = act(n.in(0));
  if (ta) a = transpose_aux(n, "transA", a, {1, 0});
  if (is_const(n.in(1))) {
    const ConstTensor& w = consts_.at(n.in(1));
    if (w.shape.size() != 2) throw FoldError("Gemm B must be a matrix");
    Attrs at;
    at.out_features = tb ? w.shape[0] : w.shape[1];
    at.bias = !c.empty() && c_const;
    int64_t k_w = tb ? w.shape[1] : w.shape[0];
    if (b_.tensor(a).shape.back() != k_w) {
      throw FoldError(fmt::format("A' has shape {} but B' has {} rows",
                                  shape_to_string(b_.tensor(a).shape), k_w));
    }
    if (c_const) {
      emit_main(n, "linear", {a}, at, params_of(n, {1, 2}));
      return;
    }
    std::string prod = emit_aux(n, "linear", "linear", {a}, at, params_of(n, {1}));
    emit_main(n, "add", {prod, act(c)}, {});
    return;
  }
  std::string b = act(n.in(1));
  if (tb) b = transpose_aux(n, "transB", b, {1, 0});
  if (c.empty()) {
    emit_main(n, "matmul", {a, b}, {});
    return;
  }
  std::string prod = emit_aux(n, "matmul", "matmul", {a, b}, {});
  std::vector<std::string> ins{prod};
  if (!c_const) ins.push_back(act(c));
  emit_main(n, "add", ins, {}, params_of(n, {2}));
}

// Y = A X with a constant A [M, K] and X [..., K, N] (or X^T given): as Y^T = X^T A^T it
// is a linear layer on X^T, framed by two transposes.
void Importer::map_const_left_product(const Node& n, const std::string& a_const,
                                      const std::string& x, bool x_transposed, int64_t params) {
  const Shape& as = consts_.at(a_const).shape;
  Shape xs = b_.tensor(x).shape;
  if (as.size() != 2 || xs.size() < 2) {
    throw FoldError("a constant left operand must be a matrix and the right one at least 2-D");
  }
  auto swap_last = [&](size_t rank) {
    std::vector<int64_t> perm = iota_axes(static_cast<int64_t>(rank));
    std::swap(perm[rank - 1], perm[rank - 2]);
    return perm;
  };
  std::string xt = x_transposed ? x : transpose_aux(n, "transpose_in", x, swap_last(xs.size()));
  if (b_.tensor(xt).shape.back() != as[1]) {
    throw FoldError(fmt::format("constant A {} does not fit B {}", shape_to_string(as), shape_to_string(xs)));
  }
  Attrs a;
  a.out_features = as[0];
  std::string yt = emit_aux(n, "linear", "linear", {xt}, a, params);
  Attrs t;
  t.dims = swap_last(b_.tensor(yt).shape.size());
  emit_main(n, "transpose", {yt}, t);
}

void Importer::map_matmul(const Node& n) {
  std::string an = n.in(0), bn = n.in(1);
  if (is_const(an)) {
    map_const_left_product(n, an, act(bn), false, params_of(n, {0}));
    return;
  }
  std::string a = act(an);
  if (!is_const(bn)) {
    emit_main(n, "matmul", {a, act(bn)}, {});
    return;
  }
  const Shape& w = consts_.at(bn).shape;
  Shape expected = matmul_shape(b_.tensor(a).shape, w);
  bool batched = w.size() > 2 && checked_elements(Shape(w.begin(), w.end() - 2)) != 1;
  if (batched) throw FoldError("MatMul with a batched constant operand is not supported");
  Attrs at;
  at.out_features = w.size() == 1 ? 1 : w.back();
  int64_t k_w = w.size() == 1 ? w[0] : w[w.size() - 2];
  if (b_.tensor(a).shape.back() != k_w) throw FoldError("MatMul inner dimensions differ");
  int64_t params = params_of(n, {1});
  Shape direct = b_.tensor(a).shape;
  direct.back() = at.out_features;
  if (direct == expected) {
    emit_main(n, "linear", {a}, at, params);
    return;
  }
  // A 1-D weight drops the last axis; a [1, .., K, N] weight adds leading unit axes.
  std::string y = emit_aux(n, "linear", "linear", {a}, at, params);
  Attrs r;
  r.dims = expected;
  emit_main(n, "reshape", {y}, r);
}

// --- Einsum ---------------------------------------------------------------------------------

namespace {

struct EinsumSpec {
  std::vector<std::string> inputs;  // one label per axis
  std::string output;
};

// "bhqd,bhkd->bhqk"; the implicit form ("ij,jk") outputs the labels used once, sorted.
EinsumSpec parse_einsum(std::string eq) {
  std::erase(eq, ' ');
  if (eq.find("...") != std::string::npos) throw FoldError("Einsum with '...' (broadcast axes) is not supported");
  EinsumSpec spec;
  size_t arrow = eq.find("->");
  std::string lhs = eq.substr(0, arrow);
  for (size_t start = 0;;) {
    size_t comma = lhs.find(',', start);
    spec.inputs.push_back(lhs.substr(start, comma == std::string::npos ? comma : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (arrow != std::string::npos) {
    spec.output = eq.substr(arrow + 2);
  } else {
    for (char c = 'A'; c <= 'z'; ++c) {
      if (std::count(lhs.begin(), lhs.end(), c) == 1) spec.output += c;
    }
  }
  for (const std::string& labels : spec.inputs) {
    for (char c : labels) {
      if (!std::isalpha(static_cast<unsigned char>(c))) throw FoldError("Einsum equation '" + eq + "' is malformed");
      if (std::count(labels.begin(), labels.end(), c) > 1) {
        throw FoldError("Einsum with a repeated label in one operand (a diagonal) is not supported");
      }
    }
  }
  return spec;
}

std::vector<int64_t> positions(const std::string& labels, const std::string& order) {
  std::vector<int64_t> out;
  for (char c : order) out.push_back(static_cast<int64_t>(labels.find(c)));
  return out;
}

bool is_identity(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i) {
    if (perm[i] != static_cast<int64_t>(i)) return false;
  }
  return true;
}

}  // namespace

// Two-operand contractions (attention's bhqd,bhkd->bhqk, MLP's bsd,df->bsf, ...) become one
// matmul (or linear, for a constant operand): each operand is transposed to [batch, free,
// contracted] / [batch, contracted, free] and reshaped to 3-D, and the product is reshaped
// and transposed to the output's label order. One operand: a sum over the labels it drops
// and a transpose.
void Importer::map_einsum(const Node& n) {
  EinsumSpec spec = parse_einsum(attr_string(*n.p, "equation", ""));
  if (spec.inputs.size() != static_cast<size_t>(n.num_inputs())) throw FoldError("Einsum equation and inputs differ in count");
  if (spec.inputs.size() == 1) {
    const std::string& in = spec.inputs[0];
    std::string x = act(n.in(0)), kept;
    Attrs r;
    r.keepdims = false;
    for (size_t i = 0; i < in.size(); ++i) {
      if (spec.output.find(in[i]) == std::string::npos) r.dims.push_back(static_cast<int64_t>(i));
      else kept += in[i];
    }
    if (!r.dims.empty()) x = emit_aux(n, "sum", "reduce_sum", {x}, r);
    Attrs t;
    t.dims = positions(kept, spec.output);
    emit_main(n, "transpose", {x}, t);
    return;
  }
  if (spec.inputs.size() != 2) throw FoldError("Einsum with more than two operands is not supported");
  int first = is_const(n.in(0)) ? 1 : 0;  // the activation operand leads
  int second = 1 - first;
  const std::string &la = spec.inputs[first], &lb = spec.inputs[second], &lo = spec.output;
  std::string batch, free_a, free_b, contract;
  std::map<char, int64_t> size;
  Shape as = shape_of(n.in(first)), bs = is_const(n.in(second)) ? consts_.at(n.in(second)).shape : shape_of(n.in(second));
  if (as.size() != la.size() || bs.size() != lb.size()) throw FoldError("Einsum labels do not match the operand ranks");
  for (size_t i = 0; i < la.size(); ++i) size[la[i]] = as[i];
  for (size_t i = 0; i < lb.size(); ++i) {
    if (size.count(lb[i]) && size[lb[i]] != bs[i]) throw FoldError(fmt::format("Einsum label '{}' has two sizes", lb[i]));
    size[lb[i]] = bs[i];
  }
  for (const auto& [c, unused] : size) {
    bool in_a = la.find(c) != std::string::npos, in_b = lb.find(c) != std::string::npos, in_o = lo.find(c) != std::string::npos;
    if (in_a && in_b) (in_o ? batch : contract) += c;
    else if (in_o) (in_a ? free_a : free_b) += c;
    else throw FoldError(fmt::format("Einsum label '{}' is summed in one operand only; not supported", c));
  }
  auto prod = [&](const std::string& labels) {
    Shape dims;
    for (char c : labels) dims.push_back(size[c]);
    return checked_elements(dims);
  };
  auto arrange = [&](const std::string& name, const std::string& labels, const std::string& order, Shape dims3) {
    std::string x = act(name);
    std::vector<int64_t> perm = positions(labels, order);
    if (!is_identity(perm)) x = transpose_aux(n, "t_" + name, x, perm);
    return reshape_aux(n, "r_" + name, x, std::move(dims3));
  };
  const int64_t bt = prod(batch), m = prod(free_a), k = prod(contract), nn = prod(free_b);
  std::string a = arrange(n.in(first), la, batch + free_a + contract, {bt, m, k});
  std::string y;
  if (is_const(n.in(second))) {
    if (!batch.empty()) throw FoldError("Einsum with a batched constant operand is not supported");
    Attrs l;
    l.out_features = nn;
    y = emit(n.name, "linear", {a}, l, {fresh(n.name + "/product")}, params_of(n, {second}));
  } else {
    std::string b = arrange(n.in(second), lb, batch + contract + free_b, {bt, k, nn});
    y = emit(n.name, "matmul", {a, b}, {}, {fresh(n.name + "/product")});
  }
  std::string produced = batch + free_a + free_b;
  Shape split;
  for (char c : produced) split.push_back(size[c]);
  std::vector<int64_t> perm = positions(produced, lo);
  Attrs r;
  r.dims = split;
  if (is_identity(perm)) {
    emit(fresh(n.name + "/out"), "reshape", {y}, r, {n.out(0)});
    return;
  }
  Attrs t;
  t.dims = perm;
  emit(fresh(n.name + "/out"), "transpose", {emit_aux(n, "split", "reshape", {y}, r)}, t, {n.out(0)});
}

// --- element-wise ---------------------------------------------------------------------------

// Broadcasting ops: run-time operands become IR inputs, constant ones parameters (Where's
// condition is a mask, not a parameter). If the constants broadcast the result beyond the
// run-time operands' shape, the first operand is expanded first so the op does the work.
void Importer::map_nary(const Node& n) {
  std::vector<std::string> ins;
  Shape all, acts;
  for (int k = 0; k < n.num_inputs(); ++k) {
    if (n.in(k).empty()) continue;
    Shape s = shape_of(n.in(k));
    all = broadcast_shapes(all, s);
    if (is_const(n.in(k))) continue;
    ins.push_back(act(n.in(k)));
    acts = broadcast_shapes(acts, s);
  }
  int64_t params = n.type() == "Where" ? params_of(n, {1, 2}) : 0;
  if (n.type() != "Where") {
    for (int k = 0; k < n.num_inputs(); ++k) params += params_of(n, {k});
  }
  if (acts != all) {
    Attrs e;
    e.dims = all;
    ins[0] = emit_aux(n, "expand", "expand", {ins[0]}, e);
  }
  emit_main(n, nary_map().at(n.type()), ins, {}, params);
}

void Importer::map_unary(const Node& n) {
  emit_main(n, unary_map().at(n.type()), {act(n.in(0))}, {});
}

// Clip's bounds are settings, not trained values: never parameters.
void Importer::map_clip(const Node& n) { emit_main(n, "clip", {act(n.in(0))}, {}); }

// PRelu is a leaky ReLU whose slopes are parameters.
void Importer::map_prelu(const Node& n) {
  emit_main(n, "leakyrelu", {act(n.in(0))}, {}, params_of(n, {1}));
}

// Scale, bias, running mean and running variance: all four are initializers it reads.
void Importer::map_batchnorm(const Node& n) {
  emit_main(n, "batchnorm", {act(n.in(0))}, {}, params_of(n, {1, 2, 3, 4}));
}

void Importer::map_layernorm(const Node& n) {
  Shape xs = shape_of(n.in(0));
  Attrs a;
  a.axis = norm_axis(attr_int(*n.p, "axis", -1), static_cast<int64_t>(xs.size()));
  emit_main(n, "layernorm", {act(n.in(0))}, a, params_of(n, {1, 2}));
}

void Importer::map_softmax(const Node& n) {
  Shape xs = shape_of(n.in(0));
  Attrs a;
  // Before opset 13 the default axis was 1 (and the input was coerced to 2-D there).
  a.axis = norm_axis(attr_int(*n.p, "axis", opset_ < 13 ? 1 : -1), static_cast<int64_t>(xs.size()));
  emit_main(n, "softmax", {act(n.in(0))}, a);
}

// Reductions: ReduceMin and ArgMax/ArgMin cost what ReduceMax costs.
void Importer::map_reduce(const Node& n) {
  Shape xs = shape_of(n.in(0));
  std::vector<int64_t> axes = axes_of(n, 1);
  if (axes.empty() && attr_int(*n.p, "noop_with_empty_axes", 0) != 0) {
    map_identity(n);
    return;
  }
  Attrs a;
  for (int64_t ax : axes) a.dims.push_back(norm_axis(ax, static_cast<int64_t>(xs.size())));
  a.keepdims = attr_int(*n.p, "keepdims", 1) != 0;
  static const std::unordered_map<std::string, std::string> types = {
      {"ReduceMean", "reduce_mean"}, {"ReduceSum", "reduce_sum"},
      {"ReduceMax", "reduce_max"},   {"ReduceMin", ir_type({"reduce_min", "reduce_max"})}};
  emit_main(n, types.at(n.type()), {act(n.in(0))}, a);
}

void Importer::map_argmax(const Node& n) {
  Shape xs = shape_of(n.in(0));
  Attrs a;
  a.dims = {norm_axis(attr_int(*n.p, "axis", 0), static_cast<int64_t>(xs.size()))};
  a.keepdims = attr_int(*n.p, "keepdims", 1) != 0;
  emit_main(n, ir_type({n.type() == "ArgMax" ? "argmax" : "argmin", "reduce_max"}), {act(n.in(0))}, a);
}

// --- data movement -------------------------------------------------------------------------

// Concat with constant pieces (a class token, say): the run-time pieces are concatenated
// and the constants appear as padding along the axis, whose values are parameters.
void Importer::map_concat(const Node& n) {
  Shape first = shape_of(n.in(0));
  int64_t rank = static_cast<int64_t>(first.size());
  int64_t axis = norm_axis(attr_int(*n.p, "axis", 0), rank);
  std::vector<std::string> ins;
  int64_t before = 0, after = 0, params = 0;
  for (int k = 0; k < n.num_inputs(); ++k) {
    if (n.in(k).empty()) continue;
    if (!is_const(n.in(k))) {
      ins.push_back(act(n.in(k)));
      continue;
    }
    Shape s = shape_of(n.in(k));
    if (static_cast<int64_t>(s.size()) != rank) throw FoldError("concat inputs differ in rank");
    (ins.empty() ? before : after) += s[axis];
    params += params_of(n, {k});
  }
  Attrs a;
  a.axis = axis;
  if (before == 0 && after == 0) {
    emit_main(n, "concat", ins, a, params);
    return;
  }
  std::string x = ins.size() == 1 ? ins[0] : emit_aux(n, "concat", "concat", ins, a);
  Attrs pad;
  pad.dims.assign(2 * rank, 0);
  pad.dims[axis] = before;
  pad.dims[rank + axis] = after;
  emit_main(n, "pad", {x}, pad, params);
}

void Importer::map_split(const Node& n) {
  Shape xs = shape_of(n.in(0));
  Attrs a;
  a.axis = norm_axis(attr_int(*n.p, "axis", 0), static_cast<int64_t>(xs.size()));
  a.dims = split_sizes(n, xs[a.axis]);
  std::vector<std::string> outs;
  for (int k = 0; k < n.p->output_size(); ++k) {
    outs.push_back(n.out(k).empty() ? fresh(fmt::format("{}:{}", n.name, k)) : n.out(k));
  }
  emit(n.name, "split", {act(n.in(0))}, a, outs);
}

// Rescales a literal reshape target written at the file's batch, knowing the reshape's
// input at that batch (`before`) and now (`after`): the one input axis that changed is the
// batch (times whatever it was folded with); the target entry holding that axis's outer
// boundary is scaled. [196, 1, 768] -> [196, 12, 64] (nn.MultiheadAttention's
// [L, N*heads, d]) at batch 8 gives [196, 96, 64]; [1, 768, 14, 14] -> [1, 768, 196] gives
// [8, 768, 196]. Returns false when the reference does not tell (no single changed axis).
bool rescale_by_reference(std::vector<int64_t>& dims, const Shape& before, const Shape& after,
                          int64_t old_batch, int64_t new_batch) {
  if (before.size() != after.size()) return false;
  int changed = -1;
  for (size_t j = 0; j < before.size(); ++j) {
    if (before[j] == after[j]) continue;
    if (changed >= 0 || before[j] * new_batch != after[j] * old_batch) return false;
    changed = static_cast<int>(j);
  }
  if (changed < 0) return true;  // the batch does not reach this reshape: keep the literal
  if (std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d <= 0; })) return false;
  Shape resolved(dims.begin(), dims.end());
  if (checked_elements(resolved) != checked_elements(before)) return false;
  int64_t outer = checked_elements(Shape(before.begin(), before.begin() + changed));
  // Prefer an entry that is exactly the old batch starting at that boundary (a batch axis
  // of size 1 leaves several boundaries equal); else the entry the boundary falls in.
  int64_t prefix = 1;
  int containing = -1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (prefix == outer && dims[i] == old_batch) {
      containing = static_cast<int>(i);
      break;
    }
    if (containing < 0 && prefix <= outer && outer < prefix * dims[i]) containing = static_cast<int>(i);
    prefix *= dims[i];
  }
  if (containing < 0 || (dims[containing] * new_batch) % old_batch != 0) return false;
  dims[containing] = dims[containing] * new_batch / old_batch;
  return true;
}

void Importer::map_reshape(const Node& n) {
  Attrs a;
  a.dims = n.num_inputs() > 1 ? const_ints(n, 1, "shape") : attr_ints(*n.p, "shape");
  // A target written as a literal in the file (static-shape exports) spells the batch
  // the file was exported with; a target computed from Shape ops already has the new one.
  bool literal = n.num_inputs() <= 1 || is_literal(n.in(1));
  if (literal && declared_batch_ && options_.batch && *declared_batch_ != *options_.batch) {
    auto ref = reference_shapes_.find(act(n.in(0)));
    if (ref == reference_shapes_.end() ||
        !rescale_by_reference(a.dims, ref->second, shape_of(n.in(0)), *declared_batch_, *options_.batch)) {
      detail::rescale_batch_target(a.dims, "reshape", shape_of(n.in(0)), *declared_batch_, *options_.batch);
    }
  }
  // Resolved here first: it validates the target with overflow checks, and with
  // allowzero a literal 0 is a size rather than "copy".
  Shape resolved = resolve_reshape(shape_of(n.in(0)), a.dims, attr_int(*n.p, "allowzero", 0) != 0);
  if (attr_int(*n.p, "allowzero", 0) != 0) a.dims = resolved;
  emit_main(n, "reshape", {act(n.in(0))}, a);
}

bool Importer::is_literal(const std::string& name) const {
  for (const auto& t : g_.initializer()) {
    if (t.name() == name) return true;
  }
  for (const auto& node : g_.node()) {
    if (node.op_type() == "Constant" && node.output_size() > 0 && node.output(0) == name) return true;
  }
  return false;
}

void Importer::map_flatten(const Node& n) {
  Shape xs = shape_of(n.in(0));
  int64_t rank = static_cast<int64_t>(xs.size());
  Attrs a;
  a.axis = attr_int(*n.p, "axis", 1);
  if (a.axis < 0) a.axis += rank;
  emit_main(n, "flatten", {act(n.in(0))}, a);
}

void Importer::map_transpose(const Node& n) {
  int64_t rank = static_cast<int64_t>(shape_of(n.in(0)).size());
  Attrs a;
  a.dims = attr_ints(*n.p, "perm");
  for (auto& d : a.dims) d = norm_axis(d, rank);
  emit_main(n, "transpose", {act(n.in(0))}, a);
}

// Squeeze and Unsqueeze only rename axes: a reshape to the exact result.
void Importer::map_squeeze(const Node& n) {
  Shape xs = shape_of(n.in(0));
  std::vector<int64_t> axes = axes_of(n, 1);
  Attrs a;
  a.dims = n.type() == "Squeeze" ? squeeze_shape(xs, axes) : unsqueeze_shape(xs, axes);
  // An unchanged leading (batch) dimension is written as "copy", so rebatching the
  // network later cannot mistake it for a literal.
  if (!a.dims.empty() && !xs.empty() && a.dims[0] == xs[0]) a.dims[0] = 0;
  emit_main(n, "reshape", {act(n.in(0))}, a);
}

void Importer::map_expand(const Node& n) {
  Attrs a;
  a.dims = broadcast_shapes(shape_of(n.in(0)), const_ints(n, 1, "shape"));
  emit_main(n, "expand", {act(n.in(0))}, a);
}

// Tile is a data move with a known output shape, like expand.
void Importer::map_tile(const Node& n) {
  Shape xs = shape_of(n.in(0));
  std::vector<int64_t> reps = const_ints(n, 1, "repeats");
  Attrs a;
  a.dims = tiled_shape(xs, reps);
  emit_main(n, "expand", {act(n.in(0))}, a);
}

void Importer::map_pad(const Node& n) {
  int64_t rank = static_cast<int64_t>(shape_of(n.in(0)).size());
  std::vector<int64_t> pads = n.in(1).empty() ? attr_ints(*n.p, "pads") : const_ints(n, 1, "pads");
  std::vector<int64_t> axes = n.in(3).empty() ? iota_axes(rank) : const_ints(n, 3, "axes");
  if (pads.size() != 2 * axes.size()) {
    throw FoldError(fmt::format("pads has {} entries; expected {}", pads.size(), 2 * axes.size()));
  }
  Attrs a;
  a.dims.assign(2 * rank, 0);
  size_t m = axes.size();
  for (size_t k = 0; k < m; ++k) {
    int64_t ax = norm_axis(axes[k], rank);
    // Negative pads crop; bounded so the output size cannot overflow.
    a.dims[ax] = bounded(pads[k], -(int64_t{1} << 31), "a pad");
    a.dims[rank + ax] = bounded(pads[m + k], -(int64_t{1} << 31), "a pad");
  }
  emit_main(n, "pad", {act(n.in(0))}, a);
}

void Importer::map_slice(const Node& n) {
  Shape xs = shape_of(n.in(0));
  auto plan = slice_plan(xs, slice_args(n, 1, "starts", "starts"), slice_args(n, 2, "ends", "ends"),
                         slice_args(n, 3, "axes", "axes"), slice_args(n, 4, "steps", "steps"));
  Attrs a;
  a.dims = slice_shape(plan);
  emit_main(n, "slice", {act(n.in(0))}, a);
}

// Gather from a constant 2-D table by run-time indices is an embedding lookup; from a
// run-time tensor it is a data move with a computed output shape.
void Importer::map_gather(const Node& n) {
  std::string data = n.in(0), idx = n.in(1);
  Shape ds = shape_of(data), is = shape_of(idx);
  int64_t axis = norm_axis(attr_int(*n.p, "axis", 0), static_cast<int64_t>(ds.size()));
  if (is_const(data)) {
    if (ds.size() != 2 || axis != 0) {
      throw FoldError("Gather from a constant needs a 2-D table indexed along axis 0");
    }
    Attrs a;
    a.vocab = ds[0];
    a.embed_dim = ds[1];
    emit_main(n, "embedding", {act(idx)}, a, params_of(n, {0}));
    return;
  }
  Attrs a;
  a.axis = axis;
  a.dims = gather_shape(ds, is, axis);
  std::vector<std::string> ins{act(data)};
  if (!is_const(idx)) ins.push_back(act(idx));
  emit_main(n, "gather", ins, a);
}

// Resize/Upsample by integer factors on the spatial axes -> nearest upsampling.
void Importer::map_resize(const Node& n) {
  Shape xs = shape_of(n.in(0));
  std::vector<double> scales;
  bool is_resize = n.type() == "Resize";
  int scales_k = is_resize && opset_ >= 11 ? 2 : 1;
  if (find_attr(*n.p, "scales")) {
    scales = attr_floats(*n.p, "scales");  // Upsample before opset 9
  } else if (!n.in(scales_k).empty() && checked_elements(shape_of(n.in(scales_k))) > 0) {
    scales = const_floats(n, scales_k, "scales");
  } else if (is_resize && !n.in(3).empty()) {
    std::vector<int64_t> sizes = const_ints(n, 3, "sizes");
    if (sizes.size() != xs.size()) throw FoldError("sizes must have one entry per dimension");
    for (size_t k = 0; k < xs.size(); ++k) {
      scales.push_back(static_cast<double>(sizes[k]) / static_cast<double>(xs[k]));
    }
  }
  if (scales.size() != xs.size() || (xs.size() != 3 && xs.size() != 4)) {
    throw FoldError("Resize needs a scale per dimension of an [N, C, L] or [N, C, H, W] input");
  }
  for (size_t k = 0; k < scales.size(); ++k) {
    bool integral = scales[k] >= 1 && scales[k] == std::floor(scales[k]) && scales[k] < 1e6;
    if (!integral || (k < 2 && scales[k] != 1)) {
      throw FoldError(fmt::format("only integer upscaling of the spatial axes is supported "
                                  "(scales [{}])", fmt::join(scales, ", ")));
    }
  }
  Attrs a;
  a.stride = {xs.size() == 4 ? static_cast<int64_t>(scales[2]) : 1, static_cast<int64_t>(scales.back())};
  emit_main(n, "upsample", {act(n.in(0))}, a);
}

// Identity and inference-time Dropout are elided: their output names the input tensor.
// A graph output keeps its name through an identity op.
void Importer::map_identity(const Node& n) {
  std::string x = act(n.in(0));
  if (graph_outputs_.count(n.out(0))) {
    emit_main(n, "identity", {x}, {});
  } else {
    alias_[n.out(0)] = x;
  }
}

// --- recurrent -----------------------------------------------------------------------------

// LSTM / GRU. The IR op writes [seq, batch, directions*hidden]; ONNX's Y is
// [seq, directions, batch, hidden] (layout 0) or [batch, seq, directions, hidden]
// (layout 1), so reshape/transpose ops rebuild it when something reads it.
void Importer::map_recurrent(const Node& n) {
  bool lstm = n.type() == "LSTM";
  int64_t gates = lstm ? 4 : 3;
  const ConstTensor& w = const_in(n, 1, "W");
  const_in(n, 2, "R");
  std::string dir = attr_string(*n.p, "direction", "forward");
  int64_t dirs = dir == "bidirectional" ? 2 : 1;
  int64_t layout = attr_int(*n.p, "layout", 0);
  int64_t hidden = bounded(attr_int(*n.p, "hidden_size", w.shape.size() == 3 ? w.shape[1] / gates : 0),
                           1, "hidden_size");
  std::string x = act(n.in(0));
  Shape xs = shape_of(n.in(0));
  if (xs.size() != 3 || w.shape.size() != 3 || w.shape[0] != dirs || w.shape[1] != gates * hidden ||
      w.shape[2] != xs[2]) {
    throw FoldError(fmt::format("W {} does not fit input {}, hidden_size {} and direction {}",
                                shape_to_string(w.shape), shape_to_string(xs), hidden, dir));
  }
  if (layout == 1) x = transpose_aux(n, "seq_first", x, {1, 0, 2});
  int64_t batch = b_.tensor(x).shape[1];
  Attrs a;
  a.hidden = hidden;
  a.directions = dirs;
  a.bias = !n.in(3).empty();
  std::initializer_list<int> weights = {1, 2, 3, 7};  // W, R, B, peepholes (LSTM only)
  std::string core = emit(n.name, lstm ? "lstm" : "gru", {x}, a, {fresh(n.name + "/out")},
                          params_of(n, weights));
  if (used(n.out(0))) {
    std::string y = reshape_aux(n, "y_split", core, {0, 0, dirs, hidden});
    std::vector<int64_t> perm = layout == 0 ? std::vector<int64_t>{0, 2, 1, 3} : std::vector<int64_t>{1, 0, 2, 3};
    Attrs t;
    t.dims = perm;
    emit(fresh(n.name + "/y"), "transpose", {y}, t, {n.out(0)});
  }
  for (int k = 1; k <= (lstm ? 2 : 1); ++k) {
    if (used(n.out(k))) emit_recurrent_state(n, k, core, batch, dirs, hidden, layout);
  }
}

// Y_h / Y_c: the last time step, [directions, batch, hidden] (layout 0) or
// [batch, directions, hidden] (layout 1). The cell state has the same shape as the hidden
// state; the IR keeps only the latter, so both are read from the output.
void Importer::emit_recurrent_state(const Node& n, int out_k, const std::string& core,
                                    int64_t batch, int64_t dirs, int64_t hidden, int64_t layout) {
  std::string tag = out_k == 1 ? "h" : "c";
  Attrs g;
  g.axis = 0;
  g.dims = {batch, dirs * hidden};
  std::string last = emit_aux(n, tag + "_last", "gather", {core}, g);
  Attrs r;
  r.dims = {0, dirs, hidden};
  if (layout == 1) {
    emit(fresh(n.name + "/" + tag), "reshape", {last}, r, {n.out(out_k)});
    return;
  }
  std::string split = emit_aux(n, tag + "_split", "reshape", {last}, r);
  Attrs t;
  t.dims = {1, 0, 2};
  emit(fresh(n.name + "/" + tag), "transpose", {split}, t, {n.out(out_k)});
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

}  // namespace

Network onnx_detail::import_model(const onnx::ModelProto& model, const std::string& file,
                                 const LoadOptions& options, ImportNames* names) {
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
      } catch (const FoldError&) {
      }
    }
    return importer.run(names);
  } catch (const FoldError& e) {
    throw InputError(file, "", e.what());
  }
}

Network load_onnx(const std::string& path, const LoadOptions& options) {
  return onnx_detail::import_model(onnx_detail::parse_model_file(path), path, options);
}

}  // namespace acceldse::workload
