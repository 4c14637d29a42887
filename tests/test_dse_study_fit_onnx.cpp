// fit-model's ONNX output (workload::save_resized_onnx): an ONNX network is fitted, written
// back as ONNX, and the file imported again must be the fitted network layer for layer,
// with weights of the new sizes, and must evaluate to the predicted cycles.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "dse/study.h"

namespace acceldse::dse {
namespace {

namespace fs = std::filesystem;
using workload::Network;
using workload::Shape;

std::string data_file(const std::string& name) { return std::string(ACCELDSE_SOURCE_DIR) + "/tests/data/" + name; }

// A path in the temporary folder, removed when it goes out of scope.
struct TempFile {
  fs::path path;
  explicit TempFile(const std::string& name)
      : path(fs::temp_directory_path() / ("acceldse_fit_onnx_" + std::to_string(::getpid()) + "_" + name)) {}
  ~TempFile() {
    std::error_code ec;
    fs::remove(path, ec);
  }
  std::string str() const { return path.string(); }
};

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

onnx::ModelProto read_model(const std::string& path) {
  onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromString(bytes_of(path))) << path;
  return m;
}

const onnx::TensorProto& initializer(const onnx::ModelProto& m, const std::string& name) {
  for (const auto& t : m.graph().initializer()) {
    if (t.name() == name) return t;
  }
  ADD_FAILURE() << "no initializer " << name;
  static const onnx::TensorProto none;
  return none;
}

Shape dims(const onnx::TensorProto& t) { return {t.dims().begin(), t.dims().end()}; }

std::vector<float> floats(const onnx::TensorProto& t) {
  std::vector<float> v(t.raw_data().size() / sizeof(float));
  if (!v.empty()) std::memcpy(v.data(), t.raw_data().data(), v.size() * sizeof(float));
  if (v.empty()) v.assign(t.float_data().begin(), t.float_data().end());
  return v;
}

std::vector<int64_t> int64s(const onnx::TensorProto& t) {
  std::vector<int64_t> v(t.raw_data().size() / sizeof(int64_t));
  if (!v.empty()) std::memcpy(v.data(), t.raw_data().data(), v.size() * sizeof(int64_t));
  if (v.empty()) v.assign(t.int64_data().begin(), t.int64_data().end());
  return v;
}

// The value of a Constant node's tensor, by its output name.
const onnx::TensorProto& constant(const onnx::ModelProto& m, const std::string& output) {
  for (const auto& n : m.graph().node()) {
    if (n.op_type() == "Constant" && n.output(0) == output) return n.attribute(0).t();
  }
  ADD_FAILURE() << "no Constant " << output;
  static const onnx::TensorProto none;
  return none;
}

int64_t int_attr(const onnx::ModelProto& m, const std::string& node, const std::string& attr) {
  for (const auto& n : m.graph().node()) {
    if (n.name() != node) continue;
    for (const auto& a : n.attribute()) {
      if (a.name() == attr) return a.i();
    }
  }
  ADD_FAILURE() << "no attribute " << attr << " on " << node;
  return -1;
}

// edge_32x32 made 64 x 64 with memory fast enough that a saved fold shows.
arch::Accelerator array64() {
  arch::Accelerator a = arch::load_accelerator("edge_32x32");
  a.tensor.rows = a.tensor.cols = 64;
  a.dram.bandwidth_gb_per_s = 1024;
  a.buffers.input_kib = a.buffers.weight_kib = a.buffers.output_kib = 1024;
  arch::validate(a, "<test>");
  return a;
}

const FitChange* find_change(const FitResult& r, const std::string& layer, const std::string& field) {
  for (const FitChange& c : r.changes) {
    if (c.layer == layer && c.field == field) return &c;
  }
  return nullptr;
}

// Layer for layer: op, attributes, shapes, MACs and parameters.
void expect_same_layers(const Network& back, const Network& fitted) {
  ASSERT_EQ(back.ops.size(), fitted.ops.size());
  for (size_t i = 0; i < fitted.ops.size(); ++i) {
    const workload::Op &b = back.ops[i], &f = fitted.ops[i];
    SCOPED_TRACE(f.name);
    EXPECT_EQ(b.name, f.name);
    EXPECT_EQ(b.type, f.type);
    EXPECT_TRUE(b.attrs == f.attrs);
    ASSERT_EQ(b.outputs.size(), f.outputs.size());
    for (size_t k = 0; k < f.outputs.size(); ++k) EXPECT_EQ(back.output_of(b, k).shape, fitted.output_of(f, k).shape);
    EXPECT_EQ(workload::macs(back, b), workload::macs(fitted, f));
    EXPECT_EQ(b.params, f.params);
  }
  EXPECT_EQ(workload::totals(back).macs, workload::totals(fitted).macs);
  EXPECT_EQ(workload::totals(back).params, workload::totals(fitted).params);
}

void expect_predicted_cycles(const Network& back, const FitResult& r, const arch::Accelerator& accel) {
  double cycles = static_cast<double>(cost::evaluate_network(back, accel).totals.cycles);
  EXPECT_NEAR(cycles, static_cast<double>(r.cycles_after), 0.01 * static_cast<double>(r.cycles_after));
}

// Debian's python3-onnx, if installed: onnx.checker with full_check (strict shape
// inference over the whole graph, value_info included).
std::string python_with_onnx() {
  for (const char* python : {"/usr/bin/python3", "python3"}) {
    std::string probe = std::string(python) + " -c 'import onnx' >/dev/null 2>&1";
    if (std::system(probe.c_str()) == 0) return python;
  }
  return "";
}

int onnx_check(const std::string& python, const std::string& path) {
  std::string command =
      python + " -c 'import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)' " + path;
  return std::system(command.c_str());
}

// ---- the residual block: conv + bias, BN, depthwise conv, 1x1 conv, BN, add, Gemm head ----

struct Residual {
  arch::Accelerator accel = array64();
  std::string original = data_file("fit_residual.onnx");
  FitResult fit = fit_network(workload::load_onnx(original), accel, FitOptions{10});
};

TEST(FitOnnx, ResidualBlockReimportsAsTheFittedNetwork) {
  Residual r;
  for (const char* layer : {"conv_a", "conv_b", "dw"}) {
    const FitChange* c = find_change(r.fit, layer, "out_channels");
    ASSERT_NE(c, nullptr) << layer;
    EXPECT_EQ(c->new_value, std::vector<int64_t>{64}) << layer;
  }
  ASSERT_NE(find_change(r.fit, "dw", "groups"), nullptr);
  EXPECT_GT(r.fit.speedup(), 1.0);

  TempFile out("residual.onnx");
  workload::save_resized_onnx(r.original, r.fit.fitted, out.str());
  Network back = workload::load_network(out.str());
  expect_same_layers(back, r.fit.fitted);
  expect_predicted_cycles(back, r.fit, r.accel);

  onnx::ModelProto m = read_model(out.str());
  EXPECT_EQ(dims(initializer(m, "a_w")), (Shape{64, 8, 3, 3}));
  EXPECT_EQ(dims(initializer(m, "a_b")), (Shape{64}));
  EXPECT_EQ(dims(initializer(m, "dw_w")), (Shape{64, 1, 3, 3}));
  EXPECT_EQ(dims(initializer(m, "b_w")), (Shape{64, 64, 1, 1}));
  for (const char* bn : {"bna_s", "bna_b", "bna_m", "bna_v", "bnb_s", "bnb_b", "bnb_m", "bnb_v"}) {
    EXPECT_EQ(dims(initializer(m, bn)), (Shape{64})) << bn;
  }
  EXPECT_EQ(dims(initializer(m, "fc_w")), (Shape{10, 64}));  // transB: [classes, channels]
  EXPECT_EQ(int_attr(m, "dw", "group"), 64);
  // Opset, inputs, outputs and node order are the original's.
  onnx::ModelProto o = read_model(r.original);
  EXPECT_EQ(m.opset_import(0).version(), o.opset_import(0).version());
  ASSERT_EQ(m.graph().node_size(), o.graph().node_size());
  for (int i = 0; i < o.graph().node_size(); ++i) EXPECT_EQ(m.graph().node(i).name(), o.graph().node(i).name());
  EXPECT_EQ(m.graph().input(0).DebugString(), o.graph().input(0).DebugString());
  EXPECT_EQ(m.graph().output(0).DebugString(), o.graph().output(0).DebugString());
}

TEST(FitOnnx, ResizedWeightsAreFreshAndDeterministicUnchangedOnesKept) {
  Residual r;
  TempFile first("first.onnx"), second("second.onnx");
  workload::save_resized_onnx(r.original, r.fit.fitted, first.str());
  workload::save_resized_onnx(r.original, r.fit.fitted, second.str());
  EXPECT_EQ(bytes_of(first.str()), bytes_of(second.str()));

  onnx::ModelProto m = read_model(first.str()), o = read_model(r.original);
  // fc_b (the 10 classes) keeps its shape, so it keeps its values bit for bit.
  EXPECT_EQ(initializer(m, "fc_b").SerializeAsString(), initializer(o, "fc_b").SerializeAsString());
  // Weights U(-1/sqrt(fan_in), 1/sqrt(fan_in)): conv_a's fan-in is 8 * 3 * 3.
  std::vector<float> w = floats(initializer(m, "a_w"));
  ASSERT_EQ(w.size(), 64u * 8 * 9);
  const float bound = 1 / std::sqrt(72.0f);
  float lo = w[0], hi = w[0];
  for (float v : w) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  EXPECT_GE(lo, -bound);
  EXPECT_LE(hi, bound);
  EXPECT_LT(lo, -bound / 2);  // spread over the range, not a constant
  EXPECT_GT(hi, bound / 2);
  // Biases 0; batch norm the identity: scale 1, shift 0, running mean 0, running variance 1.
  const std::pair<const char*, float> expected[] = {{"a_b", 0}, {"bna_s", 1}, {"bna_b", 0}, {"bna_m", 0}, {"bna_v", 1}};
  for (auto [name, value] : expected) {
    std::vector<float> v = floats(initializer(m, name));
    ASSERT_EQ(v.size(), 64u) << name;
    for (float x : v) EXPECT_EQ(x, value) << name;
  }
}

TEST(FitOnnx, AttentionRewritesSplitSizesAndHeadReshapeConstant) {
  // On eyeriss (12 x 14) with 15%: q/k/v 48 -> 42 (heads 2 x 8 -> 2 x 7), FFN 64 -> 56.
  arch::Accelerator accel = arch::load_accelerator("eyeriss");
  std::string original = data_file("tiny_attention.onnx");
  FitResult fit = fit_network(workload::load_onnx(original), accel, FitOptions{15});
  ASSERT_NE(find_change(fit, "heads_q", "dims"), nullptr);
  EXPECT_EQ(find_change(fit, "heads_q", "dims")->new_value, (std::vector<int64_t>{2, 16, 2, 7}));
  ASSERT_NE(find_change(fit, "ffn1", "out_features"), nullptr);

  TempFile out("attention.onnx");
  workload::save_resized_onnx(original, fit.fitted, out.str());
  Network back = workload::load_network(out.str());
  expect_same_layers(back, fit.fitted);
  expect_predicted_cycles(back, fit, accel);

  onnx::ModelProto m = read_model(out.str());
  EXPECT_EQ(dims(initializer(m, "w_qkv")), (Shape{16, 42}));
  EXPECT_EQ(dims(initializer(m, "b_qkv")), (Shape{42}));
  EXPECT_EQ(dims(initializer(m, "w_o")), (Shape{14, 16}));
  EXPECT_EQ(dims(initializer(m, "w1")), (Shape{16, 56}));
  EXPECT_EQ(dims(initializer(m, "b1")), (Shape{56}));
  EXPECT_EQ(dims(initializer(m, "w2")), (Shape{56, 16}));
  EXPECT_EQ(dims(initializer(m, "ln_g")), (Shape{16}));  // the model width is tied to the input
  EXPECT_EQ(int64s(initializer(m, "split")), (std::vector<int64_t>{14, 14, 14}));
  // The head shape [batch, seq, heads, head_dim] is Concat(Shape-derived, [2, 8]): the
  // literal piece is rewritten, the batch and sequence still come from Shape.
  EXPECT_EQ(int64s(constant(m, "heads_hd")), (std::vector<int64_t>{2, 7}));
  // value_info follows the new shapes.
  for (const auto& v : m.graph().value_info()) {
    if (v.name() != "q") continue;
    ASSERT_EQ(v.type().tensor_type().shape().dim_size(), 3);
    EXPECT_EQ(v.type().tensor_type().shape().dim(2).dim_value(), 14);
  }
}

TEST(FitOnnx, OnnxCheckerAcceptsTheWrittenModels) {
  std::string python = python_with_onnx();
  if (python.empty()) GTEST_SKIP() << "python3 with the onnx package is not installed";
  Residual r;
  TempFile residual("checked_residual.onnx"), attention("checked_attention.onnx");
  workload::save_resized_onnx(r.original, r.fit.fitted, residual.str());
  EXPECT_EQ(onnx_check(python, residual.str()), 0);
  std::string original = data_file("tiny_attention.onnx");
  FitResult fit = fit_network(workload::load_onnx(original), arch::load_accelerator("eyeriss"), FitOptions{15});
  ASSERT_FALSE(fit.changes.empty());
  workload::save_resized_onnx(original, fit.fitted, attention.str());
  EXPECT_EQ(onnx_check(python, attention.str()), 0);
}

TEST(FitOnnx, UnchangedNetworkIsWrittenUnchanged) {
  std::string original = data_file("tiny_cnn.onnx");
  TempFile out("same.onnx");
  workload::save_resized_onnx(original, workload::load_onnx(original), out.str());
  EXPECT_EQ(read_model(out.str()).SerializeAsString(), read_model(original).SerializeAsString());
}

TEST(FitOnnx, NetworkFromAnotherFileIsAnInputError) {
  Residual r;
  TempFile out("other.onnx");
  EXPECT_THROW(workload::save_resized_onnx(data_file("tiny_cnn.onnx"), r.fit.fitted, out.str()), InputError);
  EXPECT_FALSE(fs::exists(out.path));
}

// ---- models built in memory ----------------------------------------------------------------

class Model {
 public:
  Model() {
    m_.set_ir_version(8);
    auto* o = m_.add_opset_import();
    o->set_domain("");
    o->set_version(17);
  }
  Model& input(const std::string& name, const Shape& shape) {
    value(*m_.mutable_graph()->add_input(), name, shape);
    return *this;
  }
  Model& output(const std::string& name) {
    m_.mutable_graph()->add_output()->set_name(name);
    return *this;
  }
  Model& weight(const std::string& name, const Shape& shape) {
    auto* t = m_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto_DataType_FLOAT);
    for (int64_t d : shape) t->add_dims(d);
    t->set_raw_data(std::string(static_cast<size_t>(workload::num_elements(shape)) * 4, '\0'));
    return *this;
  }
  Model& ints(const std::string& name, const std::vector<int64_t>& values) {
    auto* t = m_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto_DataType_INT64);
    t->add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values) t->add_int64_data(v);
    return *this;
  }
  Model& node(const std::string& op, const std::vector<std::string>& ins, const std::vector<std::string>& outs,
              const std::string& name, const std::vector<std::pair<std::string, int64_t>>& attrs = {}) {
    auto* n = m_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : ins) n->add_input(i);
    for (const auto& o : outs) n->add_output(o);
    for (const auto& [key, v] : attrs) {
      auto* a = n->add_attribute();
      a->set_name(key);
      a->set_type(onnx::AttributeProto_AttributeType_INT);
      a->set_i(v);
    }
    return *this;
  }
  std::string save(const std::string& name) {
    files_.emplace_back(std::make_unique<TempFile>(name));
    std::ofstream(files_.back()->path, std::ios::binary) << m_.SerializeAsString();
    return files_.back()->str();
  }

 private:
  static void value(onnx::ValueInfoProto& v, const std::string& name, const Shape& shape) {
    v.set_name(name);
    auto* t = v.mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto_DataType_FLOAT);
    for (int64_t d : shape) t->mutable_shape()->add_dim()->set_dim_value(d);
  }
  onnx::ModelProto m_;
  std::vector<std::unique_ptr<TempFile>> files_;
};

TEST(FitOnnx, LstmHiddenSizeAndGateWeightsFollow) {
  // x [seq 64, batch 1, 64] -> LSTM hidden 65 -> Y [64, 1, 1, 65] -> Squeeze -> MatMul 65 x 10.
  Model model;
  model.input("x", {64, 1, 64})
      .weight("W", {1, 260, 64})
      .weight("R", {1, 260, 65})
      .weight("B", {1, 520})
      .ints("axis1", {1})
      .weight("head", {65, 10})
      .node("LSTM", {"x", "W", "R", "B"}, {"y"}, "lstm", {{"hidden_size", 65}})
      .node("Squeeze", {"y", "axis1"}, {"ys"}, "squeeze")
      .node("MatMul", {"ys", "head"}, {"out"}, "head_mm")
      .output("out");
  std::string original = model.save("lstm.onnx");
  arch::Accelerator accel = array64();
  FitResult fit = fit_network(workload::load_onnx(original), accel, FitOptions{10});
  const FitChange* c = find_change(fit, "lstm", "hidden");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->new_value, std::vector<int64_t>{64});

  TempFile out("lstm_fit.onnx");
  workload::save_resized_onnx(original, fit.fitted, out.str());
  Network back = workload::load_network(out.str());
  expect_same_layers(back, fit.fitted);
  expect_predicted_cycles(back, fit, accel);
  onnx::ModelProto m = read_model(out.str());
  EXPECT_EQ(dims(initializer(m, "W")), (Shape{1, 256, 64}));
  EXPECT_EQ(dims(initializer(m, "R")), (Shape{1, 256, 64}));
  EXPECT_EQ(dims(initializer(m, "B")), (Shape{1, 512}));
  EXPECT_EQ(dims(initializer(m, "head")), (Shape{64, 10}));
  EXPECT_EQ(int_attr(m, "lstm", "hidden_size"), 64);
}

// x [1, 256, 64] -> MatMul 64 x 65 -> Reshape to `target` -> MatMul 65 x 64 -> out.
Model reshaped_projection() {
  Model model;
  model.input("x", {1, 256, 64}).weight("w1", {64, 65}).weight("w2", {65, 64});
  model.node("MatMul", {"x", "w1"}, {"h"}, "proj");
  return model;
}

TEST(FitOnnx, ComputedWidthInAReshapeTargetIsAnInputError) {
  // The reshape target [1, 256, 65] is Add([1, 256, 60], [0, 0, 5]): the 65 is computed,
  // not stored, so no literal can be rewritten to 64.
  Model model = reshaped_projection();
  model.ints("base", {1, 256, 60})
      .ints("extra", {0, 0, 5})
      .node("Add", {"base", "extra"}, {"target"}, "target_sum")
      .node("Reshape", {"h", "target"}, {"hr"}, "keep")
      .node("MatMul", {"hr", "w2"}, {"out"}, "back")
      .output("out");
  std::string original = model.save("computed.onnx");
  FitResult fit = fit_network(workload::load_onnx(original), array64(), FitOptions{10});
  ASSERT_NE(find_change(fit, "keep", "dims"), nullptr);  // 65 -> 64 changes the reshape
  TempFile out("computed_fit.onnx");
  try {
    workload::save_resized_onnx(original, fit.fitted, out.str());
    ADD_FAILURE() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot be rewritten"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("keep"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(out.path));
}

TEST(FitOnnx, TargetCopiedFromAnotherTensorIsCaughtByTheReimport) {
  // The target is Shape(y) of an input y [1, 256, 65] whose width is fixed: it looks like
  // shape arithmetic that follows by itself, but it does not; importing the resized model
  // again finds out, and nothing is written.
  Model model = reshaped_projection();
  model.input("y", {1, 256, 65})
      .node("Shape", {"y"}, {"target"}, "shape_y")
      .node("Reshape", {"h", "target"}, {"hr"}, "keep")
      .node("MatMul", {"hr", "w2"}, {"out"}, "back")
      .output("out");
  std::string original = model.save("from_shape.onnx");
  FitResult fit = fit_network(workload::load_onnx(original), array64(), FitOptions{10});
  ASSERT_NE(find_change(fit, "keep", "dims"), nullptr);
  TempFile out("from_shape_fit.onnx");
  EXPECT_THROW(workload::save_resized_onnx(original, fit.fitted, out.str()), InputError);
  EXPECT_FALSE(fs::exists(out.path));
}

TEST(FitOnnx, StoredReshapeTargetIsRewritten) {
  Model model = reshaped_projection();
  model.ints("target", {1, 256, 65})
      .node("Reshape", {"h", "target"}, {"hr"}, "keep")
      .node("MatMul", {"hr", "w2"}, {"out"}, "back")
      .output("out");
  std::string original = model.save("stored.onnx");
  FitResult fit = fit_network(workload::load_onnx(original), array64(), FitOptions{10});
  TempFile out("stored_fit.onnx");
  workload::save_resized_onnx(original, fit.fitted, out.str());
  expect_same_layers(workload::load_network(out.str()), fit.fitted);
  EXPECT_EQ(int64s(initializer(read_model(out.str()), "target")), (std::vector<int64_t>{1, 256, 64}));
}

TEST(FitOnnx, ConstantSharedWithAFixedWidthIsAnInputError) {
  // One bias [65] is added to the projection (whose width fits to 64) and to the network
  // input y (whose width is fixed): it cannot take both shapes.
  Model model;
  model.input("x", {1, 256, 64})
      .input("y", {1, 256, 65})
      .weight("w1", {64, 65})
      .weight("bias", {65})
      .weight("w2", {65, 64})
      .node("MatMul", {"x", "w1"}, {"h"}, "proj")
      .node("Add", {"h", "bias"}, {"hb"}, "proj_bias")
      .node("MatMul", {"hb", "w2"}, {"out"}, "back")
      .node("Add", {"y", "bias"}, {"yb"}, "y_bias")
      .output("out")
      .output("yb");
  std::string original = model.save("shared.onnx");
  FitResult fit = fit_network(workload::load_onnx(original), array64(), FitOptions{10});
  ASSERT_NE(find_change(fit, "proj", "out_features"), nullptr);
  TempFile out("shared_fit.onnx");
  try {
    workload::save_resized_onnx(original, fit.fitted, out.str());
    ADD_FAILURE() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("shared"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(out.path));
}

}  // namespace
}  // namespace acceldse::dse
