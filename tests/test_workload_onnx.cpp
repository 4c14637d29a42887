// ONNX importer tests: small ModelProtos are built in code, written to a temporary file
// and loaded; every MAC and parameter count below is derived by hand in a comment.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "common/error.h"
#include "workload/onnx/tensor.h"
#include "workload/workload.h"

namespace {

namespace wl = acceldse::workload;
using acceldse::InputError;
using wl::Network;
using wl::Shape;

// --- building ONNX models in memory -------------------------------------------------------

onnx::AttributeProto attr(const std::string& name, int64_t v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_INT);
  a.set_i(v);
  return a;
}

onnx::AttributeProto attr_is(const std::string& name, const std::vector<int64_t>& v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_INTS);
  for (int64_t x : v) a.add_ints(x);
  return a;
}

onnx::AttributeProto attr_f(const std::string& name, float v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_FLOAT);
  a.set_f(v);
  return a;
}

onnx::AttributeProto attr_fs(const std::string& name, const std::vector<float>& v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_FLOATS);
  for (float x : v) a.add_floats(x);
  return a;
}

onnx::AttributeProto attr_s(const std::string& name, const std::string& v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_STRING);
  a.set_s(v);
  return a;
}

// A dimension of a graph input: a size, or a symbolic name.
using Dim = std::variant<int64_t, std::string>;

class OnnxModel {
 public:
  explicit OnnxModel(int64_t opset = 17) {
    model_.set_ir_version(8);
    model_.set_producer_name("acceldse-test");
    auto* o = model_.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    model_.mutable_graph()->set_name("test_graph");
  }

  OnnxModel& input(const std::string& name, const std::vector<Dim>& dims,
                   int elem_type = onnx::TensorProto_DataType_FLOAT) {
    auto* v = g()->add_input();
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(elem_type);
    auto* s = t->mutable_shape();
    for (const Dim& d : dims) {
      auto* dim = s->add_dim();
      if (std::holds_alternative<int64_t>(d)) {
        dim->set_dim_value(std::get<int64_t>(d));
      } else if (!std::get<std::string>(d).empty()) {
        dim->set_dim_param(std::get<std::string>(d));
      }
    }
    return *this;
  }

  OnnxModel& output(const std::string& name) {
    g()->add_output()->set_name(name);
    return *this;
  }

  // A float initializer; small ones carry zero data, large ones only their shape (the
  // importer needs no weight values).
  OnnxModel& weight(const std::string& name, const Shape& shape) {
    auto* t = g()->add_initializer();
    set_tensor(*t, name, shape, onnx::TensorProto_DataType_FLOAT);
    int64_t n = wl::num_elements(shape);
    if (n <= 4096) t->set_raw_data(std::string(static_cast<size_t>(n) * 4, '\0'));
    return *this;
  }

  OnnxModel& ints(const std::string& name, const Shape& shape, const std::vector<int64_t>& values) {
    auto* t = g()->add_initializer();
    set_tensor(*t, name, shape, onnx::TensorProto_DataType_INT64);
    for (int64_t v : values) t->add_int64_data(v);
    return *this;
  }

  OnnxModel& floats(const std::string& name, const Shape& shape, const std::vector<float>& values) {
    auto* t = g()->add_initializer();
    set_tensor(*t, name, shape, onnx::TensorProto_DataType_FLOAT);
    for (float v : values) t->add_float_data(v);
    return *this;
  }

  OnnxModel& node(const std::string& op, const std::vector<std::string>& ins, const std::vector<std::string>& outs,
                  const std::vector<onnx::AttributeProto>& attrs = {}, const std::string& name = "") {
    auto* n = g()->add_node();
    n->set_op_type(op);
    if (!name.empty()) n->set_name(name);
    for (const auto& i : ins) n->add_input(i);
    for (const auto& o : outs) n->add_output(o);
    for (const auto& a : attrs) *n->add_attribute() = a;
    return *this;
  }

  // Constant nodes, as PyTorch emits for literals.
  OnnxModel& const_ints(const std::string& out, const Shape& shape, const std::vector<int64_t>& values) {
    onnx::AttributeProto a;
    a.set_name("value");
    a.set_type(onnx::AttributeProto_AttributeType_TENSOR);
    set_tensor(*a.mutable_t(), "", shape, onnx::TensorProto_DataType_INT64);
    for (int64_t v : values) a.mutable_t()->add_int64_data(v);
    return node("Constant", {}, {out}, {a});
  }

  OnnxModel& const_float(const std::string& out, float value) {
    onnx::AttributeProto a;
    a.set_name("value");
    a.set_type(onnx::AttributeProto_AttributeType_TENSOR);
    set_tensor(*a.mutable_t(), "", {}, onnx::TensorProto_DataType_FLOAT);
    a.mutable_t()->add_float_data(value);
    return node("Constant", {}, {out}, {a});
  }

  OnnxModel& const_floats(const std::string& out, const Shape& shape, const std::vector<float>& values) {
    onnx::AttributeProto a;
    a.set_name("value");
    a.set_type(onnx::AttributeProto_AttributeType_TENSOR);
    set_tensor(*a.mutable_t(), "", shape, onnx::TensorProto_DataType_FLOAT);
    for (float v : values) a.mutable_t()->add_float_data(v);
    return node("Constant", {}, {out}, {a});
  }

  onnx::ModelProto& proto() { return model_; }

  std::string bytes() const {
    std::string s;
    model_.SerializeToString(&s);
    return s;
  }

  std::string save() const { return write_file(bytes()); }

  Network load(const wl::LoadOptions& options = {}) const { return wl::load_onnx(save(), options); }

  static std::string write_file(const std::string& bytes) {
    static int counter = 0;
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string path =
        ::testing::TempDir() + "acceldse_onnx_" + info->name() + "_" + std::to_string(counter++) + ".onnx";
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

 private:
  onnx::GraphProto* g() { return model_.mutable_graph(); }

  static void set_tensor(onnx::TensorProto& t, const std::string& name, const Shape& shape, int type) {
    if (!name.empty()) t.set_name(name);
    t.set_data_type(type);
    for (int64_t d : shape) t.add_dims(d);
  }

  onnx::ModelProto model_;
};

// --- looking at the result -------------------------------------------------------------------

const wl::Op& op(const Network& net, const std::string& name) {
  for (const auto& o : net.ops) {
    if (o.name == name) return o;
  }
  throw std::runtime_error("no op named " + name);
}

Shape shape(const Network& net, const std::string& tensor) {
  for (const auto& t : net.tensors) {
    if (t.name == tensor) return t.shape;
  }
  throw std::runtime_error("no tensor named " + tensor);
}

int count_type(const Network& net, const std::string& type) {
  return static_cast<int>(
      std::count_if(net.ops.begin(), net.ops.end(), [&](const wl::Op& o) { return o.type == type; }));
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "<no InputError>";
}

using ::testing::HasSubstr;
using ::testing::Not;

// --- convolution ------------------------------------------------------------------------------

TEST(OnnxImport, GroupedConvWithBias) {
  OnnxModel m;
  m.input("x", {1, 8, 16, 16}).weight("w", {16, 4, 3, 3}).weight("b", {16});
  m.node("Conv", {"x", "w", "b"}, {"y"},
         {attr("group", 2), attr_is("pads", {1, 1, 1, 1}), attr_is("kernel_shape", {3, 3})}, "conv1");
  m.output("y");
  Network net = m.load();
  const auto& c = op(net, "conv1");
  EXPECT_EQ(c.type, "conv");
  EXPECT_EQ(c.attrs.groups, 2);
  EXPECT_EQ(c.attrs.out_channels, 16);
  EXPECT_TRUE(c.attrs.bias);
  EXPECT_EQ(shape(net, "y"), (Shape{1, 16, 16, 16}));
  // 16*16 pixels * 16 outputs * (8/2 channels * 3*3) = 4096 * 36
  EXPECT_EQ(wl::macs(net, c), 147456);
  // weights 16*4*3*3 = 576, bias 16
  EXPECT_EQ(c.params, 592);
  EXPECT_EQ(net.inputs.size(), 1u);  // w and b are parameters, not inputs
}

TEST(OnnxImport, DepthwiseConvStride2) {
  OnnxModel m;
  m.input("x", {1, 32, 28, 28}).weight("w", {32, 1, 3, 3}).weight("b", {32});
  m.node("Conv", {"x", "w", "b"}, {"y"}, {attr("group", 32), attr_is("strides", {2, 2}), attr_is("pads", {1, 1, 1, 1})},
         "dw");
  m.output("y");
  Network net = m.load();
  EXPECT_EQ(shape(net, "y"), (Shape{1, 32, 14, 14}));
  // 14*14 pixels * 32 channels * 3*3 (one input channel per group)
  EXPECT_EQ(wl::macs(net, op(net, "dw")), 56448);
  EXPECT_EQ(op(net, "dw").params, 32 * 9 + 32);
}

TEST(OnnxImport, ConvAutoPadSame) {
  for (const char* mode : {"SAME_UPPER", "SAME_LOWER"}) {
    OnnxModel m;
    m.input("x", {1, 3, 15, 15}).weight("w", {8, 3, 4, 4});
    m.node("Conv", {"x", "w"}, {"y"}, {attr_is("strides", {2, 2}), attr_s("auto_pad", mode)}, "c");
    m.output("y");
    Network net = m.load();
    // out = ceil(15/2) = 8; total pad = 7*2 + 4 - 15 = 3, the odd one at the end (UPPER)
    EXPECT_EQ(shape(net, "y"), (Shape{1, 8, 8, 8}));
    std::array<int64_t, 4> expected =
        std::string(mode) == "SAME_UPPER" ? std::array<int64_t, 4>{1, 1, 2, 2} : std::array<int64_t, 4>{2, 2, 1, 1};
    EXPECT_EQ(op(net, "c").attrs.pads, expected) << mode;
    EXPECT_FALSE(op(net, "c").attrs.bias);
    EXPECT_EQ(wl::macs(net, op(net, "c")), 8 * 8 * 8 * 3 * 16);
  }
}

TEST(OnnxImport, Conv1d) {
  OnnxModel m;
  m.input("x", {1, 4, 100}).weight("w", {8, 4, 5});
  m.node("Conv", {"x", "w"}, {"y"}, {attr_is("pads", {2, 2})}, "c");
  m.output("y");
  Network net = m.load();
  EXPECT_EQ(shape(net, "y"), (Shape{1, 8, 100}));
  EXPECT_EQ(op(net, "c").attrs.kernel, (std::array<int64_t, 2>{1, 5}));
  EXPECT_EQ(wl::macs(net, op(net, "c")), 100 * 8 * 4 * 5);
  EXPECT_EQ(op(net, "c").params, 160);
}

// --- matrix products ---------------------------------------------------------------------------

TEST(OnnxImport, GemmTransB) {
  OnnxModel m;
  m.input("x", {4, 256}).weight("w", {128, 256}).weight("b", {128});
  m.node("Gemm", {"x", "w", "b"}, {"y"}, {attr("transB", 1), attr_f("alpha", 0.5f)}, "fc");
  m.output("y");
  Network net = m.load();
  const auto& fc = op(net, "fc");
  EXPECT_EQ(fc.type, "linear");
  EXPECT_EQ(fc.attrs.out_features, 128);
  EXPECT_TRUE(fc.attrs.bias);
  EXPECT_EQ(shape(net, "y"), (Shape{4, 128}));
  EXPECT_EQ(wl::macs(net, fc), 4 * 256 * 128);  // 131072
  EXPECT_EQ(fc.params, 128 * 256 + 128);        // 32896
}

TEST(OnnxImport, GemmTransAAndActivations) {
  OnnxModel m;
  m.input("xt", {256, 4}).input("b", {256, 64}).weight("w", {256, 128});
  m.node("Gemm", {"xt", "w"}, {"y"}, {attr("transA", 1)}, "fc");
  m.node("Gemm", {"xt", "b"}, {"z"}, {attr("transA", 1)}, "mm");
  m.output("y").output("z");
  Network net = m.load();
  EXPECT_EQ(shape(net, "y"), (Shape{4, 128}));
  EXPECT_EQ(wl::macs(net, op(net, "fc")), 4 * 256 * 128);
  EXPECT_EQ(op(net, "fc").params, 256 * 128);
  EXPECT_EQ(op(net, "mm").type, "matmul");
  EXPECT_EQ(shape(net, "z"), (Shape{4, 64}));
  EXPECT_EQ(wl::macs(net, op(net, "mm")), 4 * 256 * 64);
  EXPECT_EQ(count_type(net, "transpose"), 2);  // A^T for each Gemm
}

TEST(OnnxImport, MatMulWithWeightBroadcasts) {
  OnnxModel m;
  m.input("a", {2, 4, 8, 16}).weight("w", {16, 32});
  m.node("MatMul", {"a", "w"}, {"y"}, {}, "proj");
  m.output("y");
  Network net = m.load();
  EXPECT_EQ(op(net, "proj").type, "linear");
  EXPECT_EQ(op(net, "proj").attrs.out_features, 32);
  EXPECT_EQ(shape(net, "y"), (Shape{2, 4, 8, 32}));
  EXPECT_EQ(wl::macs(net, op(net, "proj")), 2 * 4 * 8 * 16 * 32);  // 32768
  EXPECT_EQ(op(net, "proj").params, 512);
}

TEST(OnnxImport, MatMulOfActivations) {
  OnnxModel m;
  m.input("q", {1, 12, 128, 64}).input("k", {1, 12, 64, 128});
  m.input("a", {2, 4, 8, 16}).input("b", {16, 32});
  m.node("MatMul", {"q", "k"}, {"s"}, {}, "qk");
  m.node("MatMul", {"a", "b"}, {"y"}, {}, "ab");
  m.output("s").output("y");
  Network net = m.load();
  EXPECT_EQ(op(net, "qk").type, "matmul");
  EXPECT_EQ(shape(net, "s"), (Shape{1, 12, 128, 128}));
  EXPECT_EQ(wl::macs(net, op(net, "qk")), 12LL * 128 * 64 * 128);  // 12582912
  EXPECT_EQ(op(net, "qk").params, 0);
  EXPECT_EQ(shape(net, "y"), (Shape{2, 4, 8, 32}));
  EXPECT_EQ(wl::macs(net, op(net, "ab")), 32768);
  auto g = wl::gemms(net, op(net, "ab"));
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].count, 8);
  EXPECT_FALSE(g[0].b_is_weight);
}

TEST(OnnxImport, MatMulWithConstantLeftOperand) {
  OnnxModel m;
  m.input("x", {3, 16, 10}).weight("w", {8, 16});
  m.node("MatMul", {"w", "x"}, {"y"}, {}, "left");
  m.output("y");
  Network net = m.load();
  EXPECT_EQ(shape(net, "y"), (Shape{3, 8, 10}));
  EXPECT_EQ(wl::totals(net).macs, 3 * 8 * 16 * 10);
  EXPECT_EQ(wl::totals(net).params, 128);
}

// --- data movement ---------------------------------------------------------------------------

TEST(OnnxImport, ReshapeFlattenTransposeChain) {
  OnnxModel m;
  m.input("x", {2, 3, 4, 5}).ints("shape", {3}, {0, 20, 3}).ints("axes", {1}, {0});
  m.node("Transpose", {"x"}, {"t"}, {attr_is("perm", {0, 2, 3, 1})}, "t");
  m.node("Reshape", {"t", "shape"}, {"r"}, {}, "r");
  m.node("Flatten", {"r"}, {"f"}, {attr("axis", 2)}, "f");
  m.node("Unsqueeze", {"f", "axes"}, {"u"}, {}, "u");
  m.node("Squeeze", {"u", "axes"}, {"s"}, {}, "s");
  m.node("Transpose", {"s"}, {"y"}, {}, "rev");
  m.output("y");
  Network net = m.load();
  EXPECT_EQ(shape(net, "t"), (Shape{2, 4, 5, 3}));
  EXPECT_EQ(shape(net, "r"), (Shape{2, 20, 3}));
  EXPECT_EQ(shape(net, "f"), (Shape{40, 3}));
  EXPECT_EQ(shape(net, "u"), (Shape{1, 40, 3}));
  EXPECT_EQ(shape(net, "s"), (Shape{40, 3}));
  EXPECT_EQ(shape(net, "y"), (Shape{3, 40}));
  EXPECT_EQ(net.ops.size(), 6u);
  EXPECT_EQ(wl::totals(net).params, 0);  // shape and axes initializers are not parameters
  EXPECT_EQ(op(net, "u").type, "reshape");
}

// x.view(x.size(0), -1) as PyTorch exports it, followed by the classifier.
TEST(OnnxImport, FoldsPyTorchShapeSubgraph) {
  OnnxModel m;
  m.input("x", {2, 64, 7, 7}).weight("fc_w", {10, 3136}).weight("fc_b", {10});
  m.node("Shape", {"x"}, {"s"});
  m.const_ints("i0", {}, {0});
  m.node("Gather", {"s", "i0"}, {"b"}, {attr("axis", 0)});
  m.const_ints("ax", {1}, {0});
  m.node("Unsqueeze", {"b", "ax"}, {"b1"});
  m.const_ints("m1", {1}, {-1});
  m.node("Concat", {"b1", "m1"}, {"shp"}, {attr("axis", 0)});
  m.node("Reshape", {"x", "shp"}, {"flat"}, {}, "view");
  m.node("Gemm", {"flat", "fc_w", "fc_b"}, {"logits"}, {attr("transB", 1)}, "fc");
  m.output("logits");
  Network net = m.load();
  ASSERT_EQ(net.ops.size(), 2u);  // Shape, Gather, Unsqueeze, Concat, Constant folded away
  EXPECT_EQ(op(net, "view").attrs.dims, (std::vector<int64_t>{2, -1}));
  EXPECT_EQ(shape(net, "flat"), (Shape{2, 3136}));
  EXPECT_EQ(shape(net, "logits"), (Shape{2, 10}));
  EXPECT_EQ(wl::totals(net).macs, 2 * 3136 * 10);
  EXPECT_EQ(wl::totals(net).params, 31360 + 10);
}

TEST(OnnxImport, FoldsRangeEqualWhereAndConstantOfShape) {
  OnnxModel m;
  m.input("x", {2, 6, 8});
  m.node("Shape", {"x"}, {"s"});
  m.const_ints("i1", {1}, {1});
  m.node("Gather", {"s", "i1"}, {"len"});  // [6]
  m.const_ints("zero", {}, {0});
  m.const_ints("one", {}, {1});
  m.const_ints("two", {}, {2});
  m.const_ints("ax", {1}, {0});
  m.node("Squeeze", {"len"}, {"len_s"});
  m.node("Range", {"zero", "len_s", "one"}, {"r"});  // [0..5]
  m.node("Mod", {"r", "two"}, {"odd"});              // 0 1 0 1 0 1
  m.node("Equal", {"odd", "one"}, {"is_odd"});
  m.node("Where", {"is_odd", "r", "zero"}, {"w"});            // 0 1 0 3 0 5
  m.node("ReduceMax", {"w"}, {"mx"}, {attr("keepdims", 0)});  // 5
  m.node("Sub", {"len_s", "mx"}, {"k"});                      // 1
  m.node("Unsqueeze", {"k", "ax"}, {"k1"});
  m.node("ConstantOfShape", {"k1"}, {"ones"});  // [1] of 0.0
  m.node("Shape", {"ones"}, {"os"});
  m.const_ints("tail", {2}, {-1, 4});
  m.node("Concat", {"os", "tail"}, {"tgt"}, {attr("axis", 0)});  // [1, -1, 4]
  m.node("Reshape", {"x", "tgt"}, {"y"}, {}, "reshape");
  m.output("y");
  Network net = m.load();
  ASSERT_EQ(net.ops.size(), 1u);
  EXPECT_EQ(op(net, "reshape").attrs.dims, (std::vector<int64_t>{1, -1, 4}));
  EXPECT_EQ(shape(net, "y"), (Shape{1, 24, 4}));
}

TEST(OnnxImport, SliceGatherExpandPadTile) {
  OnnxModel m;
  m.input("x", {2, 10, 16});
  m.ints("st", {2}, {1, 0}).ints("en", {2}, {INT64_MAX, -2}).ints("axs", {2}, {1, 2});
  m.ints("stp", {2}, {2, 1}).ints("idx", {2}, {0, 3}).ints("eshape", {4}, {3, 1, 1, 1});
  m.ints("pads", {6}, {0, 1, 2, 0, 1, 2}).ints("reps", {3}, {1, 2, 1});
  m.node("Slice", {"x", "st", "en", "axs", "stp"}, {"sl"}, {}, "slice");  // rows 1,3,5,7,9
  m.node("Gather", {"x", "idx"}, {"g"}, {attr("axis", 2)}, "gather");
  m.node("Expand", {"g", "eshape"}, {"e"}, {}, "expand");
  m.node("Pad", {"x", "pads"}, {"p"}, {}, "pad");
  m.node("Tile", {"x", "reps"}, {"t"}, {}, "tile");
  m.output("sl").output("e").output("p").output("t");
  Network net = m.load();
  EXPECT_EQ(shape(net, "sl"), (Shape{2, 5, 14}));
  EXPECT_EQ(shape(net, "g"), (Shape{2, 10, 2}));
  EXPECT_EQ(shape(net, "e"), (Shape{3, 2, 10, 2}));
  EXPECT_EQ(shape(net, "p"), (Shape{2, 12, 20}));
  EXPECT_EQ(shape(net, "t"), (Shape{2, 20, 16}));
  EXPECT_EQ(op(net, "gather").attrs.axis, 2);
  EXPECT_EQ(op(net, "tile").type, "expand");
  EXPECT_EQ(wl::totals(net).params, 0);  // index and shape inputs are not parameters
}

TEST(OnnxImport, OldOpsetForms) {
  OnnxModel m(9);
  m.input("a", {1, 2, 4}).input("b", {1, 3, 4});
  m.node("Concat", {"a", "b"}, {"c"}, {attr("axis", -2)}, "cat");
  m.node("Pad", {"c"}, {"p"}, {attr_is("pads", {0, 0, 1, 0, 0, 3}), attr_f("value", 0.0f)}, "pad");
  m.node("Softmax", {"p"}, {"s"}, {}, "sm");  // before opset 13 the default axis is 1
  m.node("Slice", {"s"}, {"y"}, {attr_is("starts", {1}), attr_is("ends", {3}), attr_is("axes", {1})}, "sl");
  m.output("y");
  Network net = m.load();
  EXPECT_EQ(op(net, "cat").type, "concat");
  EXPECT_EQ(op(net, "cat").attrs.axis, 1);
  EXPECT_EQ(shape(net, "p"), (Shape{1, 5, 8}));
  EXPECT_EQ(op(net, "sm").attrs.axis, 1);
  EXPECT_EQ(shape(net, "y"), (Shape{1, 2, 8}));
}

TEST(OnnxImport, SplitBothOpsetForms) {
  {  // opset 13+: sizes as an input
    OnnxModel m(13);
    m.input("x", {2, 12, 5}).ints("sizes", {2}, {4, 8});
    m.node("Split", {"x", "sizes"}, {"a", "b"}, {attr("axis", 1)}, "split");
    m.output("a").output("b");
    Network net = m.load();
    EXPECT_EQ(shape(net, "a"), (Shape{2, 4, 5}));
    EXPECT_EQ(shape(net, "b"), (Shape{2, 8, 5}));
    EXPECT_EQ(op(net, "split").attrs.dims, (std::vector<int64_t>{4, 8}));
  }
  {  // opset 11: sizes as an attribute
    OnnxModel m(11);
    m.input("x", {2, 12, 5});
    m.node("Split", {"x"}, {"a", "b"}, {attr("axis", -2), attr_is("split", {3, 9})}, "split");
    m.output("a").output("b");
    Network net = m.load();
    EXPECT_EQ(shape(net, "a"), (Shape{2, 3, 5}));
    EXPECT_EQ(shape(net, "b"), (Shape{2, 9, 5}));
  }
  {  // no sizes: equal parts, one per output
    OnnxModel m(13);
    m.input("x", {2, 12, 5});
    m.node("Split", {"x"}, {"a", "b", "c"}, {attr("axis", 1)});
    m.output("a").output("b").output("c");
    Network net = m.load();
    EXPECT_EQ(shape(net, "c"), (Shape{2, 4, 5}));
  }
  {  // opset 18: num_outputs, the last part smaller
    OnnxModel m(18);
    m.input("x", {2, 10});
    m.node("Split", {"x"}, {"a", "b", "c"}, {attr("axis", 1), attr("num_outputs", 3)});
    m.output("a").output("b").output("c");
    Network net = m.load();
    EXPECT_EQ(shape(net, "a"), (Shape{2, 4}));
    EXPECT_EQ(shape(net, "c"), (Shape{2, 2}));
  }
}

TEST(OnnxImport, ResizeAndUpsample) {
  {  // opset 13 Resize with scales
    OnnxModel m(13);
    m.input("x", {1, 16, 8, 8}).floats("scales", {4}, {1, 1, 2, 2});
    m.node("Resize", {"x", "", "scales"}, {"y"}, {attr_s("mode", "nearest")}, "up");
    m.output("y");
    Network net = m.load();
    EXPECT_EQ(op(net, "up").type, "upsample");
    EXPECT_EQ(op(net, "up").attrs.stride, (std::array<int64_t, 2>{2, 2}));
    EXPECT_EQ(shape(net, "y"), (Shape{1, 16, 16, 16}));
  }
  {  // opset 11 as PyTorch emits it: empty roi and scales, sizes from Shape
    OnnxModel m(11);
    m.input("x", {1, 16, 8, 8});
    m.const_floats("roi", {0}, {});
    m.const_floats("sc", {0}, {});
    m.node("Shape", {"x"}, {"s"});
    m.const_ints("b", {1}, {0});
    m.const_ints("e", {1}, {2});
    m.node("Slice", {"s", "b", "e"}, {"nc"});
    m.const_ints("hw", {2}, {32, 32});
    m.node("Concat", {"nc", "hw"}, {"sizes"}, {attr("axis", 0)});
    m.node("Resize", {"x", "roi", "sc", "sizes"}, {"y"}, {}, "up");
    m.output("y");
    Network net = m.load();
    EXPECT_EQ(net.ops.size(), 1u);
    EXPECT_EQ(shape(net, "y"), (Shape{1, 16, 32, 32}));
  }
  {  // opset 9 Upsample
    OnnxModel m(9);
    m.input("x", {1, 16, 8, 8}).floats("scales", {4}, {1, 1, 3, 3});
    m.node("Upsample", {"x", "scales"}, {"y"}, {}, "up");
    m.output("y");
    EXPECT_EQ(shape(m.load(), "y"), (Shape{1, 16, 24, 24}));
  }
  {  // opset 7-8 Upsample: scales as an attribute
    OnnxModel m(8);
    m.input("x", {1, 16, 8, 8});
    m.node("Upsample", {"x"}, {"y"}, {attr_fs("scales", {1, 1, 2, 4})}, "up");
    m.output("y");
    Network net = m.load();
    EXPECT_EQ(op(net, "up").attrs.stride, (std::array<int64_t, 2>{2, 4}));
    EXPECT_EQ(shape(net, "y"), (Shape{1, 16, 16, 32}));
  }
  {  // a fractional scale has no IR counterpart
    OnnxModel m(13);
    m.input("x", {1, 16, 8, 8}).floats("scales", {4}, {1, 1, 1.5f, 1.5f});
    m.node("Resize", {"x", "", "scales"}, {"y"}, {}, "up");
    m.output("y");
    std::string err = error_of([&] { m.load(); });
    EXPECT_THAT(err, HasSubstr("node up (Resize)"));
    EXPECT_THAT(err, HasSubstr("integer upscaling"));
  }
}

// A class token [1, 1, D] expanded to the batch and concatenated in front of the patches.
TEST(OnnxImport, ConcatWithConstantBecomesPad) {
  OnnxModel m;
  m.input("x", {2, 196, 768}).weight("cls", {1, 1, 768});
  m.node("Shape", {"x"}, {"s"});
  m.const_ints("i0", {1}, {0});
  m.node("Gather", {"s", "i0"}, {"b"});
  m.const_ints("rest", {2}, {1, 768});
  m.node("Concat", {"b", "rest"}, {"tgt"}, {attr("axis", 0)});
  m.node("Expand", {"cls", "tgt"}, {"clsb"});
  m.node("Concat", {"clsb", "x"}, {"y"}, {attr("axis", 1)}, "cat");
  m.output("y");
  Network net = m.load();
  ASSERT_EQ(net.ops.size(), 1u);
  EXPECT_EQ(op(net, "cat").type, "pad");
  EXPECT_EQ(shape(net, "y"), (Shape{2, 197, 768}));
  EXPECT_EQ(op(net, "cat").params, 768);  // the token itself, not its expanded copy
}

// --- element-wise, norms, pooling ---------------------------------------------------------------

TEST(OnnxImport, PoolingWithCeilMode) {
  OnnxModel m;
  m.input("x", {1, 64, 112, 112});
  m.node("MaxPool", {"x"}, {"c"}, {attr_is("kernel_shape", {3, 3}), attr_is("strides", {2, 2}), attr("ceil_mode", 1)},
         "pool_ceil");
  m.node("MaxPool", {"x"}, {"f"}, {attr_is("kernel_shape", {3, 3}), attr_is("strides", {2, 2})}, "pool_floor");
  m.node("AveragePool", {"x"}, {"a"}, {attr_is("kernel_shape", {2, 2}), attr_is("strides", {2, 2})}, "avg");
  m.node("GlobalAveragePool", {"x"}, {"g"}, {}, "gap");
  m.node("MaxPool", {"x"}, {"p"},
         {attr_is("kernel_shape", {3, 3}), attr_is("strides", {2, 2}), attr_is("pads", {1, 1, 1, 1})}, "pool_pad");
  m.output("c").output("f").output("a").output("g").output("p");
  Network net = m.load();
  // (112 - 3) / 2 = 54.5: ceil -> 55 + 1 = 56, floor -> 54 + 1 = 55
  EXPECT_EQ(shape(net, "c"), (Shape{1, 64, 56, 56}));
  EXPECT_EQ(shape(net, "f"), (Shape{1, 64, 55, 55}));
  EXPECT_TRUE(op(net, "pool_ceil").attrs.ceil_mode);
  EXPECT_EQ(shape(net, "a"), (Shape{1, 64, 56, 56}));
  EXPECT_EQ(op(net, "avg").type, "avgpool");
  EXPECT_EQ(shape(net, "g"), (Shape{1, 64, 1, 1}));
  EXPECT_EQ(op(net, "gap").type, "global_avgpool");
  EXPECT_EQ(shape(net, "p"), (Shape{1, 64, 56, 56}));
}

TEST(OnnxImport, ActivationsAndBinaryOps) {
  OnnxModel m;
  m.input("x", {2, 8}).input("mask", {2, 8}).weight("scale", {8});
  m.const_float("zero", 0.0f);
  m.const_float("neg", -1e9f);
  m.const_float("lo", 0.0f);
  m.const_float("hi", 6.0f);
  const char* unary[] = {"Relu", "Sigmoid", "Tanh",      "Erf", "Exp",         "Log",       "Sqrt",     "Reciprocal",
                         "Neg",  "Abs",     "LeakyRelu", "Elu", "HardSigmoid", "HardSwish", "Softplus", "Gelu"};
  std::string prev = "x";
  for (const char* u : unary) {
    std::string out = std::string("o_") + u;
    m.node(u, {prev}, {out}, {}, std::string("n_") + u);
    prev = out;
  }
  m.node("Clip", {prev, "lo", "hi"}, {"clip"}, {}, "clip");
  m.node("Mul", {"clip", "scale"}, {"scaled"}, {}, "mul");
  m.node("Equal", {"mask", "zero"}, {"eq"}, {}, "eq");
  m.node("Where", {"eq", "neg", "scaled"}, {"w"}, {}, "where");
  m.node("Cast", {"w"}, {"y"}, {attr("to", onnx::TensorProto_DataType_FLOAT16)}, "cast");
  m.output("y");
  Network net = m.load();
  for (const char* u : unary) {
    EXPECT_EQ(op(net, std::string("n_") + u).op_class, wl::OpClass::kEltwise) << u;
  }
  EXPECT_EQ(op(net, "n_Relu").type, "relu");
  EXPECT_EQ(op(net, "n_HardSwish").type, "hardswish");
  EXPECT_EQ(op(net, "clip").type, "clip");
  EXPECT_EQ(op(net, "clip").params, 0);  // bounds are settings
  EXPECT_EQ(op(net, "mul").params, 8);   // a per-channel scale is a parameter
  EXPECT_EQ(op(net, "eq").op_class, wl::OpClass::kEltwise);
  EXPECT_EQ(op(net, "where").op_class, wl::OpClass::kEltwise);
  EXPECT_EQ(op(net, "where").inputs.size(), 2u);  // mask and data; -1e9 is a literal
  EXPECT_EQ(op(net, "cast").type, "cast");
  EXPECT_EQ(shape(net, "y"), (Shape{2, 8}));
  EXPECT_EQ(wl::totals(net).params, 8);
}

TEST(OnnxImport, BroadcastByConstantExpandsFirst) {
  OnnxModel m;
  m.input("x", {1, 8}).weight("bias", {4, 8});
  m.node("Add", {"x", "bias"}, {"y"}, {}, "add");
  m.output("y");
  Network net = m.load();
  EXPECT_EQ(shape(net, "y"), (Shape{4, 8}));
  EXPECT_EQ(op(net, "add").params, 32);
  EXPECT_EQ(count_type(net, "expand"), 1);
}

TEST(OnnxImport, NormsSoftmaxReductions) {
  OnnxModel m(13);
  m.input("x", {2, 16, 4, 4}).input("t", {2, 10, 32});
  m.weight("s", {16}).weight("b", {16}).weight("mean", {16}).weight("var", {16});
  m.weight("g", {32}).weight("beta", {32}).ints("axes", {1}, {1});
  m.node("BatchNormalization", {"x", "s", "b", "mean", "var"}, {"bn"}, {}, "bn");
  m.node("LayerNormalization", {"t", "g", "beta"}, {"ln"}, {attr("axis", -1)}, "ln");
  m.node("Softmax", {"ln"}, {"sm"}, {}, "sm");
  m.node("LogSoftmax", {"ln"}, {"lsm"}, {attr("axis", 1)}, "lsm");
  m.node("ReduceMean", {"bn"}, {"rm"}, {attr_is("axes", {2, 3}), attr("keepdims", 0)}, "rm");
  m.node("ReduceSum", {"t", "axes"}, {"rs"}, {attr("keepdims", 1)}, "rs");
  m.node("ReduceMax", {"t"}, {"rx"}, {attr_is("axes", {-1})}, "rx");
  m.node("ArgMax", {"t"}, {"am"}, {attr("axis", -1), attr("keepdims", 0)}, "am");
  m.output("sm").output("lsm").output("rm").output("rs").output("rx").output("am");
  Network net = m.load();
  EXPECT_EQ(op(net, "bn").type, "batchnorm");
  EXPECT_EQ(op(net, "bn").params, 64);  // scale, bias, running mean and variance: 4 * 16
  EXPECT_EQ(op(net, "ln").params, 64);  // scale and bias: 2 * 32
  EXPECT_EQ(op(net, "ln").attrs.axis, 2);
  EXPECT_EQ(op(net, "sm").attrs.axis, 2);  // opset 13 default: last axis
  EXPECT_EQ(op(net, "lsm").attrs.axis, 1);
  EXPECT_EQ(shape(net, "rm"), (Shape{2, 16}));
  EXPECT_EQ(shape(net, "rs"), (Shape{2, 1, 32}));
  EXPECT_EQ(shape(net, "rx"), (Shape{2, 10, 1}));
  EXPECT_EQ(shape(net, "am"), (Shape{2, 10}));
  EXPECT_EQ(wl::totals(net).params, 128);
}

TEST(OnnxImport, EmbeddingAndFoldedPositionTable) {
  OnnxModel m;
  m.input("ids", {1, 16}, onnx::TensorProto_DataType_INT64);
  m.weight("tok", {1000, 64}).weight("pos", {512, 64}).ints("pos_ids", {1, 512}, std::vector<int64_t>(512, 0));
  m.const_ints("s0", {1}, {0});
  m.const_ints("s16", {1}, {16});
  m.const_ints("ax1", {1}, {1});
  m.node("Slice", {"pos_ids", "s0", "s16", "ax1"}, {"pid"});  // [1, 16], folded
  m.node("Gather", {"pos", "pid"}, {"pe"});                   // [1, 16, 64], folded
  m.node("Gather", {"tok", "ids"}, {"te"}, {}, "embed");
  m.node("Add", {"te", "pe"}, {"y"}, {}, "add_pos");
  m.output("y");
  Network net = m.load();
  ASSERT_EQ(net.ops.size(), 2u);
  EXPECT_EQ(op(net, "embed").type, "embedding");
  EXPECT_EQ(op(net, "embed").attrs.vocab, 1000);
  EXPECT_EQ(op(net, "embed").attrs.embed_dim, 64);
  EXPECT_EQ(op(net, "embed").params, 64000);
  EXPECT_EQ(op(net, "add_pos").params, 512 * 64);  // the position table; ids are indices
  EXPECT_EQ(shape(net, "y"), (Shape{1, 16, 64}));
}

TEST(OnnxImport, InitializerCountedOnceForFirstConsumer) {
  OnnxModel m;
  m.input("x", {4, 32}).weight("w", {32, 32});
  m.node("MatMul", {"x", "w"}, {"a"}, {}, "first");
  m.node("MatMul", {"a", "w"}, {"b"}, {}, "second");  // tied weights
  m.output("b");
  Network net = m.load();
  EXPECT_EQ(op(net, "first").params, 1024);
  EXPECT_EQ(op(net, "second").params, 0);
  EXPECT_EQ(wl::totals(net).params, 1024);
}

TEST(OnnxImport, IdentityAndDropoutAreElided) {
  OnnxModel m;
  m.input("x", {2, 4});
  m.node("Identity", {"x"}, {"i"});
  m.node("Dropout", {"i"}, {"d"});
  m.node("Relu", {"d"}, {"r"}, {}, "relu");
  m.node("Identity", {"r"}, {"y"}, {}, "out");
  m.output("y");
  Network net = m.load();
  ASSERT_EQ(net.ops.size(), 2u);  // relu, and the identity that names the graph output
  EXPECT_EQ(net.input_of(op(net, "relu")).name, "x");
  EXPECT_EQ(op(net, "out").type, "identity");
  ASSERT_EQ(net.outputs.size(), 1u);
  EXPECT_EQ(net.tensors[net.outputs[0]].name, "y");
}

TEST(OnnxImport, UnnamedNodesGetTypeAndIndex) {
  OnnxModel m;
  m.input("x", {2, 4});
  m.node("Relu", {"x"}, {"a"});
  m.node("Sigmoid", {"a"}, {"b"});
  m.node("Relu", {"b"}, {"c"}, {}, "Relu_0");  // a user name that collides
  m.output("c");
  Network net = m.load();
  ASSERT_EQ(net.ops.size(), 3u);
  EXPECT_EQ(net.ops[0].name, "Relu_0");
  EXPECT_EQ(net.ops[1].name, "Sigmoid_1");
  EXPECT_NE(net.ops[2].name, "Relu_0");
}

// --- recurrent ----------------------------------------------------------------------------------

// PyTorch nn.LSTM(10, 20, bidirectional=True): per direction 4H*I + 4H*H + 8H parameters.
TEST(OnnxImport, BidirectionalLstmMatchesPyTorchCounts) {
  OnnxModel m;
  m.input("x", {5, 3, 10}).weight("W", {2, 80, 10}).weight("R", {2, 80, 20}).weight("B", {2, 160});
  m.ints("shape", {3}, {0, 0, -1});
  m.node("LSTM", {"x", "W", "R", "B"}, {"Y", "Y_h"}, {attr("hidden_size", 20), attr_s("direction", "bidirectional")},
         "lstm");
  m.node("Transpose", {"Y"}, {"yt"}, {attr_is("perm", {0, 2, 1, 3})});
  m.node("Reshape", {"yt", "shape"}, {"out"});
  m.output("out").output("Y_h");
  Network net = m.load();
  const auto& l = op(net, "lstm");
  EXPECT_EQ(l.type, "lstm");
  EXPECT_EQ(l.attrs.hidden, 20);
  EXPECT_EQ(l.attrs.directions, 2);
  // 2 * (4*20*10 + 4*20*20 + 8*20) = 2 * (800 + 1600 + 160)
  EXPECT_EQ(l.params, 5120);
  // seq 5 * batch 3 * 2 directions * 4 gates * 20 hidden * (10 + 20)
  EXPECT_EQ(wl::macs(net, l), 72000);
  EXPECT_EQ(shape(net, "Y"), (Shape{5, 2, 3, 20}));
  EXPECT_EQ(shape(net, "out"), (Shape{5, 3, 40}));
  EXPECT_EQ(shape(net, "Y_h"), (Shape{2, 3, 20}));
  EXPECT_EQ(wl::totals(net).macs, 72000);
  EXPECT_EQ(wl::totals(net).params, 5120);
}

// PyTorch nn.GRU(16, 32): 3H*I + 3H*H + 6H parameters.
TEST(OnnxImport, GruMatchesPyTorchCounts) {
  OnnxModel m;
  m.input("x", {7, 2, 16}).weight("W", {1, 96, 16}).weight("R", {1, 96, 32}).weight("B", {1, 192});
  m.ints("ax", {1}, {1});
  m.node("GRU", {"x", "W", "R", "B"}, {"Y", "Y_h"}, {attr("hidden_size", 32), attr("linear_before_reset", 1)}, "gru");
  m.node("Squeeze", {"Y", "ax"}, {"out"});
  m.output("out").output("Y_h");
  Network net = m.load();
  const auto& g = op(net, "gru");
  EXPECT_EQ(g.params, 96 * 16 + 96 * 32 + 192);  // 4800
  EXPECT_EQ(wl::macs(net, g), 7 * 2 * 96 * 48);  // 64512
  EXPECT_EQ(shape(net, "out"), (Shape{7, 2, 32}));
  EXPECT_EQ(shape(net, "Y_h"), (Shape{1, 2, 32}));
}

TEST(OnnxImport, LstmBatchFirstLayout) {
  OnnxModel m;
  m.input("x", {3, 5, 10}).weight("W", {1, 80, 10}).weight("R", {1, 80, 20});
  m.node("LSTM", {"x", "W", "R"}, {"Y", "", "Y_c"}, {attr("hidden_size", 20), attr("layout", 1)}, "lstm");
  m.output("Y").output("Y_c");
  Network net = m.load();
  EXPECT_EQ(shape(net, "Y"), (Shape{3, 5, 1, 20}));
  EXPECT_EQ(shape(net, "Y_c"), (Shape{3, 1, 20}));
  EXPECT_FALSE(op(net, "lstm").attrs.bias);
  EXPECT_EQ(op(net, "lstm").params, 800 + 1600);
  EXPECT_EQ(wl::macs(net, op(net, "lstm")), 5 * 3 * 80 * 30);
}

// --- whole blocks ---------------------------------------------------------------------------------

// A ResNet basic block with a stride-2 projection shortcut, batch norms not folded.
TEST(OnnxImport, ResNetDownsampleBlock) {
  OnnxModel m;
  m.input("x", {1, 64, 56, 56});
  m.weight("w1", {128, 64, 3, 3}).weight("w2", {128, 128, 3, 3}).weight("wd", {128, 64, 1, 1});
  for (const char* bn : {"bn1", "bn2", "bnd"}) {
    for (const char* p : {"_s", "_b", "_m", "_v"}) m.weight(std::string(bn) + p, {128});
  }
  auto bn = [&](const std::string& in, const std::string& b, const std::string& out) {
    m.node("BatchNormalization", {in, b + "_s", b + "_b", b + "_m", b + "_v"}, {out}, {}, b);
  };
  m.node("Conv", {"x", "w1"}, {"c1"}, {attr_is("strides", {2, 2}), attr_is("pads", {1, 1, 1, 1})}, "conv1");
  bn("c1", "bn1", "b1");
  m.node("Relu", {"b1"}, {"r1"}, {}, "relu1");
  m.node("Conv", {"r1", "w2"}, {"c2"}, {attr_is("pads", {1, 1, 1, 1})}, "conv2");
  bn("c2", "bn2", "b2");
  m.node("Conv", {"x", "wd"}, {"cd"}, {attr_is("strides", {2, 2})}, "down");
  bn("cd", "bnd", "bd");
  m.node("Add", {"b2", "bd"}, {"s"}, {}, "add");
  m.node("Relu", {"s"}, {"y"}, {}, "relu2");
  m.output("y");
  Network net = m.load();
  EXPECT_EQ(shape(net, "y"), (Shape{1, 128, 28, 28}));
  // conv1 28*28*128 * 64*9 = 57802752; conv2 28*28*128 * 128*9 = 115605504;
  // down 28*28*128 * 64 = 6422528
  EXPECT_EQ(wl::macs(net, op(net, "conv1")), 57802752);
  EXPECT_EQ(wl::macs(net, op(net, "conv2")), 115605504);
  EXPECT_EQ(wl::macs(net, op(net, "down")), 6422528);
  EXPECT_EQ(wl::totals(net).macs, 179830784);
  // convs 73728 + 147456 + 8192; three batch norms of 4 * 128 initializer elements
  EXPECT_EQ(wl::totals(net).params, 229376 + 1536);
  EXPECT_EQ(net.ops.size(), 9u);
}

// nn.TransformerEncoderLayer(d_model=256, nhead=4, dim_feedforward=1024) exported the
// PyTorch way: MatMul + Add linears, head reshapes computed from Shape, an Erf GELU, one
// decomposed and one fused layer norm.
OnnxModel transformer_layer() {
  OnnxModel m;
  m.input("x", {1, 128, 256});
  for (const char* p : {"q", "k", "v", "o"}) {
    m.weight(std::string("w") + p, {256, 256}).weight(std::string("b") + p, {256});
  }
  m.weight("w1", {256, 1024}).weight("b1", {1024}).weight("w2", {1024, 256}).weight("b2", {256});
  m.weight("ln1_g", {256}).weight("ln1_b", {256}).weight("ln2_g", {256}).weight("ln2_b", {256});
  auto linear = [&](const std::string& in, const std::string& p, const std::string& out) {
    m.node("MatMul", {in, "w" + p}, {out + "_mm"}, {}, "mm_" + p);
    m.node("Add", {out + "_mm", "b" + p}, {out}, {}, "bias_" + p);
  };
  // Shape pieces: batch, seq, heads, head_dim = hidden / heads.
  m.node("Shape", {"x"}, {"xs"});
  m.const_ints("c0", {}, {0});
  m.const_ints("c1", {}, {1});
  m.const_ints("c2", {}, {2});
  m.const_ints("heads", {}, {4});
  m.const_ints("ax0", {1}, {0});
  m.node("Gather", {"xs", "c0"}, {"bsz"});
  m.node("Gather", {"xs", "c1"}, {"seq"});
  m.node("Gather", {"xs", "c2"}, {"hid"});
  m.node("Div", {"hid", "heads"}, {"hd"});
  for (const char* s : {"bsz", "seq", "heads", "hd", "hid"}) {
    m.node("Unsqueeze", {s, "ax0"}, {std::string(s) + "_1"});
  }
  m.node("Concat", {"bsz_1", "seq_1", "heads_1", "hd_1"}, {"split_shape"}, {attr("axis", 0)});
  m.node("Concat", {"bsz_1", "seq_1", "hid_1"}, {"merge_shape"}, {attr("axis", 0)});
  // Attention.
  for (const char* p : {"q", "k", "v"}) {
    std::string s(p);
    linear("x", s, s);
    m.node("Reshape", {s, "split_shape"}, {s + "_h"}, {}, "split_" + s);
  }
  m.node("Transpose", {"q_h"}, {"qt"}, {attr_is("perm", {0, 2, 1, 3})});
  m.node("Transpose", {"k_h"}, {"kt"}, {attr_is("perm", {0, 2, 3, 1})});
  m.node("Transpose", {"v_h"}, {"vt"}, {attr_is("perm", {0, 2, 1, 3})});
  m.node("MatMul", {"qt", "kt"}, {"scores"}, {}, "qk");
  m.const_float("sqrt_d", 8.0f);
  m.node("Div", {"scores", "sqrt_d"}, {"scaled"}, {}, "scale");
  m.node("Softmax", {"scaled"}, {"probs"}, {attr("axis", -1)}, "softmax");
  m.node("MatMul", {"probs", "vt"}, {"ctx"}, {}, "pv");
  m.node("Transpose", {"ctx"}, {"ctx_t"}, {attr_is("perm", {0, 2, 1, 3})});
  m.node("Reshape", {"ctx_t", "merge_shape"}, {"ctx_m"}, {}, "merge");
  linear("ctx_m", "o", "attn");
  m.node("Add", {"x", "attn"}, {"h1"}, {}, "res1");
  // Layer norm as ReduceMean/Sub/Pow/Sqrt/Div.
  m.const_float("two", 2.0f);
  m.const_float("eps", 1e-5f);
  m.node("ReduceMean", {"h1"}, {"mu"}, {attr_is("axes", {-1})});
  m.node("Sub", {"h1", "mu"}, {"d"});
  m.node("Pow", {"d", "two"}, {"d2"});
  m.node("ReduceMean", {"d2"}, {"var"}, {attr_is("axes", {-1})});
  m.node("Add", {"var", "eps"}, {"var_e"});
  m.node("Sqrt", {"var_e"}, {"sd"});
  m.node("Div", {"d", "sd"}, {"nrm"});
  m.node("Mul", {"nrm", "ln1_g"}, {"nrm_g"}, {}, "ln1_scale");
  m.node("Add", {"nrm_g", "ln1_b"}, {"ln1"}, {}, "ln1_shift");
  // Feed-forward with GELU(x) = x * 0.5 * (1 + erf(x / sqrt 2)).
  linear("ln1", "1", "f1");
  m.const_float("sqrt2", 1.4142135f);
  m.const_float("one", 1.0f);
  m.const_float("half", 0.5f);
  m.node("Div", {"f1", "sqrt2"}, {"g1"});
  m.node("Erf", {"g1"}, {"g2"});
  m.node("Add", {"g2", "one"}, {"g3"});
  m.node("Mul", {"f1", "g3"}, {"g4"});
  m.node("Mul", {"g4", "half"}, {"g5"});
  linear("g5", "2", "f2");
  m.node("Add", {"ln1", "f2"}, {"h2"}, {}, "res2");
  m.node("LayerNormalization", {"h2", "ln2_g", "ln2_b"}, {"y"}, {attr("axis", -1), attr_f("epsilon", 1e-5f)}, "ln2");
  m.output("y");
  return m;
}

TEST(OnnxImport, TransformerEncoderLayer) {
  Network net = transformer_layer().load();
  EXPECT_EQ(shape(net, "y"), (Shape{1, 128, 256}));
  EXPECT_EQ(op(net, "split_q").attrs.dims, (std::vector<int64_t>{1, 128, 4, 64}));
  EXPECT_EQ(shape(net, "scores"), (Shape{1, 4, 128, 128}));
  EXPECT_EQ(shape(net, "ctx_m"), (Shape{1, 128, 256}));
  EXPECT_EQ(count_type(net, "linear"), 6);
  EXPECT_EQ(count_type(net, "matmul"), 2);
  EXPECT_EQ(count_type(net, "softmax"), 1);
  EXPECT_EQ(count_type(net, "layernorm"), 1);
  EXPECT_EQ(count_type(net, "erf"), 1);
  for (const auto& o : net.ops) EXPECT_NE(o.type, "gather") << o.name;  // shape math folded
  // Q, K, V, out: 4 * 128*256*256 = 33554432; QK^T and PV: 2 * 4*128*64*128 = 8388608;
  // FFN: 2 * 128*256*1024 = 67108864
  EXPECT_EQ(wl::totals(net).macs, 33554432 + 8388608 + 67108864);
  // 4 * (256*256 + 256) + 2 * 512 (norms) + 256*1024 + 1024 + 1024*256 + 256, which is
  // PyTorch's parameter count of the layer: literals (8.0, eps, 0.5, ...) are not
  EXPECT_EQ(wl::totals(net).params, 789760);
  EXPECT_EQ(op(net, "scale").params, 0);
  EXPECT_EQ(op(net, "ln1_scale").params, 256);
}

// --- inputs and overrides ---------------------------------------------------------------------------

TEST(OnnxImport, SymbolicDimNeedsOverride) {
  OnnxModel m;
  m.input("ids", {std::string("batch"), 128}).input("mask", {std::string("batch"), std::string("seq")});
  m.node("Add", {"ids", "mask"}, {"y"}, {}, "add");
  m.output("y");
  std::string err = error_of([&] { m.load(); });
  EXPECT_THAT(err, HasSubstr("input ids"));
  EXPECT_THAT(err, HasSubstr("'batch'"));
  EXPECT_THAT(err, HasSubstr("'seq'"));
  EXPECT_THAT(err, HasSubstr("--batch"));
  EXPECT_THAT(err, HasSubstr("--input-shape"));
  wl::LoadOptions batch_only;
  batch_only.batch = 4;
  err = error_of([&] { m.load(batch_only); });
  EXPECT_THAT(err, HasSubstr("input mask has symbolic dim 1 ('seq')"));
  EXPECT_THAT(err, Not(HasSubstr("input ids")));
  wl::LoadOptions full = batch_only;
  full.input_shapes = {{"mask", {1, 128}}};
  Network net = m.load(full);
  EXPECT_EQ(shape(net, "ids"), (Shape{4, 128}));
  EXPECT_EQ(shape(net, "mask"), (Shape{4, 128}));  // --batch wins on the leading dim
}

TEST(OnnxImport, BatchOverrideFixesSymbolicBatch) {
  OnnxModel m;
  m.input("x", {std::string("N"), 3, 32, 32}).weight("w", {16, 3, 3, 3});
  m.node("Conv", {"x", "w"}, {"y"}, {}, "conv");
  m.output("y");
  EXPECT_THAT(error_of([&] { m.load(); }), HasSubstr("input x has symbolic dim 0 ('N')"));
  wl::LoadOptions o;
  o.batch = 8;
  Network net = m.load(o);
  EXPECT_EQ(shape(net, "y"), (Shape{8, 16, 30, 30}));
  EXPECT_EQ(wl::macs(net, op(net, "conv")), 8LL * 30 * 30 * 16 * 27);
  wl::LoadOptions by_shape;
  by_shape.input_shapes = {{"", {2, 3, 32, 32}}};
  EXPECT_EQ(shape(m.load(by_shape), "y"), (Shape{2, 16, 30, 30}));
  wl::LoadOptions unknown;
  unknown.input_shapes = {{"image", {2, 3, 32, 32}}};
  EXPECT_THAT(error_of([&] { m.load(unknown); }), HasSubstr("no input named 'image'"));
}

TEST(OnnxImport, UnnamedSymbolicDim) {
  OnnxModel m;
  m.input("x", {1, std::string()});
  m.node("Relu", {"x"}, {"y"});
  m.output("y");
  EXPECT_THAT(error_of([&] { m.load(); }), HasSubstr("dim 1 (unnamed)"));
}

TEST(OnnxImport, InitializerListedAsInputIsNotAnInput) {
  OnnxModel m;
  m.input("x", {2, 8}).input("w", {8, 4}).weight("w", {8, 4});  // ir_version < 4 style
  m.node("MatMul", {"x", "w"}, {"y"}, {}, "mm");
  m.output("y");
  Network net = m.load();
  ASSERT_EQ(net.inputs.size(), 1u);
  EXPECT_EQ(op(net, "mm").type, "linear");
  EXPECT_EQ(op(net, "mm").params, 32);
}

// --- errors -----------------------------------------------------------------------------------------

TEST(OnnxImport, MissingFile) {
  std::string err = error_of([] { wl::load_onnx("/nonexistent/dir/model.onnx"); });
  EXPECT_THAT(err, HasSubstr("/nonexistent/dir/model.onnx"));
  EXPECT_THAT(err, HasSubstr("not found"));
}

TEST(OnnxImport, EmptyFile) {
  std::string path = OnnxModel::write_file("");
  std::string err = error_of([&] { wl::load_onnx(path); });
  EXPECT_THAT(err, HasSubstr(path));
  EXPECT_THAT(err, HasSubstr("empty"));
}

TEST(OnnxImport, TruncatedFile) {
  std::string bytes = transformer_layer().bytes();
  std::string path = OnnxModel::write_file(bytes.substr(0, bytes.size() / 2));
  std::string err = error_of([&] { wl::load_onnx(path); });
  EXPECT_THAT(err, HasSubstr(path));
  EXPECT_THAT(err, HasSubstr("not a valid ONNX model (protobuf parse failed)"));
}

TEST(OnnxImport, GarbageBytes) {
  std::mt19937 rng(42);
  for (size_t size : {1u, 7u, 100u, 5000u}) {
    std::string bytes(size, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    std::string path = OnnxModel::write_file(bytes);
    std::string err = error_of([&] { wl::load_onnx(path); });
    EXPECT_THAT(err, HasSubstr("not a valid ONNX model")) << size;
  }
  std::string path = OnnxModel::write_file("name: resnet50\nlayers: []\n");  // YAML, not ONNX
  EXPECT_THAT(error_of([&] { wl::load_onnx(path); }), HasSubstr("not a valid ONNX model"));
}

TEST(OnnxImport, UnsupportedOpsListedTogether) {
  OnnxModel m;
  m.input("x", {1, 100, 4}).input("s", {1, 1, 100}).ints("k", {1}, {5});
  m.node("TopK", {"s", "k"}, {"v0", "i0"}, {}, "topk_0");
  m.node("NonMaxSuppression", {"x", "s"}, {"sel"}, {}, "nms_1");
  m.node("TopK", {"v0", "k"}, {"v1", "i1"}, {}, "topk_1");
  m.node("Relu", {"x"}, {"r"});
  m.node("FusedConv", {"x"}, {"f"}, {}, "fused");
  m.proto().mutable_graph()->mutable_node(4)->set_domain("com.microsoft");
  m.output("sel").output("v1").output("r").output("f");
  std::string err = error_of([&] { m.load(); });
  EXPECT_THAT(err, HasSubstr("unsupported ONNX operators: NonMaxSuppression (node nms_1), "
                             "TopK (nodes topk_0, topk_1)"));
  EXPECT_THAT(err, HasSubstr("com.microsoft.FusedConv (node fused)"));
  EXPECT_THAT(err, Not(HasSubstr("Relu")));
}

TEST(OnnxImport, RuntimeShapeIsAnError) {
  OnnxModel m;
  m.input("x", {2, 12}).input("target", {2}, onnx::TensorProto_DataType_INT64);
  m.node("Reshape", {"x", "target"}, {"y"}, {}, "dyn");
  m.output("y");
  std::string err = error_of([&] { m.load(); });
  EXPECT_THAT(err, HasSubstr("node dyn (Reshape)"));
  EXPECT_THAT(err, HasSubstr("known at import time"));
}

TEST(OnnxImport, UnmodelledOutputIsAnError) {
  OnnxModel m;
  m.input("x", {1, 4, 8, 8});
  m.node("MaxPool", {"x"}, {"y", "idx"}, {attr_is("kernel_shape", {2, 2})}, "pool");
  m.node("Relu", {"idx"}, {"z"}, {}, "relu");
  m.output("y").output("z");
  std::string err = error_of([&] { m.load(); });
  EXPECT_THAT(err, HasSubstr("node relu (Relu)"));
  EXPECT_THAT(err, HasSubstr("output 1 of node pool"));
}

TEST(OnnxImport, ShapeErrorsNameTheNode) {
  OnnxModel m;
  m.input("x", {1, 8, 16, 16}).weight("w", {16, 3, 3, 3});
  m.node("Conv", {"x", "w"}, {"y"}, {}, "bad_conv");
  m.output("y");
  std::string err = error_of([&] { m.load(); });
  EXPECT_THAT(err, HasSubstr("bad_conv"));
  EXPECT_THAT(err, HasSubstr("8 input channels"));
}

// Random corruption of a valid model either still loads or gives an InputError; nothing
// else may escape (and nothing may crash or hang).
TEST(OnnxImport, CorruptedModelsNeverCrash) {
  std::string good = transformer_layer().bytes();
  std::mt19937 rng(7);
  int loaded = 0, rejected = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::string bytes = good;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    if (trial % 3 == 0) bytes.resize(rng() % bytes.size());
    std::string path = OnnxModel::write_file(bytes);
    try {
      wl::load_onnx(path);
      ++loaded;
    } catch (const InputError&) {
      ++rejected;
    }
    std::filesystem::remove(path);
  }
  EXPECT_EQ(loaded + rejected, 300);
  EXPECT_GT(rejected, 0);
}

// --- files written by tests/data/make_onnx.py (python3-onnx) ---------------------------------------

std::string data_file(const char* name) { return std::string(ACCELDSE_SOURCE_DIR) + "/tests/data/" + name; }

// The files carry ONNX's own shape inference (value_info); every one of those tensors that
// is also a network tensor must have the same shape. Returns how many were compared.
int compare_with_onnx_shapes(const std::string& path, const Network& net) {
  onnx::ModelProto model;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(model.ParseFromIstream(&in)) << path;
  std::vector<const onnx::ValueInfoProto*> infos;
  for (const auto& v : model.graph().value_info()) infos.push_back(&v);
  for (const auto& v : model.graph().output()) infos.push_back(&v);
  int compared = 0;
  for (const auto* v : infos) {
    Shape expected;
    bool sized = true;  // ONNX's Einsum inference gives the rank only: nothing to compare
    for (const auto& d : v->type().tensor_type().shape().dim()) {
      sized = sized && d.has_dim_value();
      expected.push_back(d.dim_value());
    }
    if (!sized) continue;
    auto it =
        std::find_if(net.tensors.begin(), net.tensors.end(), [&](const wl::Tensor& t) { return t.name == v->name(); });
    if (it == net.tensors.end()) continue;  // folded constant or elided alias
    EXPECT_EQ(it->shape, expected) << v->name();
    ++compared;
  }
  return compared;
}

TEST(OnnxImportFiles, TinyCnnMatchesOnnxShapeInference) {
  std::string path = data_file("tiny_cnn.onnx");
  Network net = wl::load_onnx(path);
  EXPECT_EQ(net.name, "tiny_cnn");
  EXPECT_EQ(compare_with_onnx_shapes(path, net), 12);  // every activation
  // conv1 32*32*8 * 3*9 = 221184; conv2 (group 2, stride 2, SAME) 8*8*16 * 4*9 = 36864;
  // depthwise 16*16*16 * 9 = 36864; fc 16*10 = 160
  EXPECT_EQ(wl::totals(net).macs, 295072);
  // conv1 216 + 8, bn 4*8, conv2 576, depthwise 144, fc 160 + 10; clip bounds and resize
  // scales are not parameters
  EXPECT_EQ(wl::totals(net).params, 1146);
  EXPECT_EQ(op(net, "pool1").attrs.ceil_mode, true);
  EXPECT_EQ(op(net, "conv2").attrs.pads, (std::array<int64_t, 4>{0, 0, 1, 1}));
  EXPECT_EQ(op(net, "up").type, "upsample");
  EXPECT_EQ(net.ops.size(), 12u);
}

TEST(OnnxImportFiles, TinyAttentionMatchesOnnxShapeInference) {
  std::string path = data_file("tiny_attention.onnx");
  Network net = wl::load_onnx(path);
  EXPECT_EQ(compare_with_onnx_shapes(path, net), 34);  // every activation
  // qkv 32 rows * 16 * 48 = 24576; QK^T and PV 4 * 16*8*16 = 8192 each; out 32*16*16 = 8192;
  // FFN 2 * 32*16*64 = 65536
  EXPECT_EQ(wl::totals(net).macs, 114688);
  // qkv 768 + 48, out 256 + 16, layer norm 32, FFN 1024 + 64 + 1024 + 16; the split sizes
  // and the causal mask (computed from Range/Less/Where) are not parameters
  EXPECT_EQ(wl::totals(net).params, 3248);
  EXPECT_EQ(op(net, "mask_add").params, 0);
  EXPECT_EQ(op(net, "mask_add").inputs.size(), 1u);
  EXPECT_EQ(op(net, "split_qkv").attrs.dims, (std::vector<int64_t>{16, 16, 16}));
  EXPECT_EQ(shape(net, "cls"), (Shape{2, 16}));
  ASSERT_EQ(net.outputs.size(), 1u);
  EXPECT_EQ(net.tensors[net.outputs[0]].name, "cls");
}

// --- tensor algebra used by constant folding ----------------------------------------------------

TEST(OnnxFolding, SliceClampsLikeOnnx) {
  using wl::onnx_detail::resolve_slice_axis;
  auto s = resolve_slice_axis(10, 2, INT64_MAX, 3);  // 2, 5, 8
  EXPECT_EQ(s.start, 2);
  EXPECT_EQ(s.count, 3);
  s = resolve_slice_axis(10, -1, INT64_MIN, -1);  // reverse: 9..0
  EXPECT_EQ(s.start, 9);
  EXPECT_EQ(s.count, 10);
  s = resolve_slice_axis(10, -3, -1, 1);  // 7, 8
  EXPECT_EQ(s.count, 2);
  s = resolve_slice_axis(4, 5, 9, 1);
  EXPECT_EQ(s.count, 0);
}

TEST(OnnxFolding, GatherTransposeConcatValues) {
  using namespace wl::onnx_detail;
  ConstTensor t = int_tensor({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(gather_values(t, int_tensor({}, {-1}), 1).i, (std::vector<int64_t>{3, 6}));
  EXPECT_EQ(gather_values(t, int_tensor({1}, {1}), 0).shape, (Shape{1, 3}));
  EXPECT_EQ(transpose_values(t, {1, 0}).i, (std::vector<int64_t>{1, 4, 2, 5, 3, 6}));
  ConstTensor c = concat_values({&t, &t}, 1);
  EXPECT_EQ(c.shape, (Shape{2, 6}));
  EXPECT_EQ(c.i, (std::vector<int64_t>{1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6}));
  EXPECT_EQ(resolve_reshape({2, 3, 4}, {0, -1}, false), (Shape{2, 12}));
  EXPECT_THROW(resolve_reshape({2, 3, 4}, {5, -1}, false), FoldError);
}

// --- the batch axis (issue 13) ---------------------------------------------------------------------

// nn.LSTM(10, 20) at batch_first=False: [seq 5, batch 1, 10]. --batch 4 must give
// [5, 4, 10], not [4, 1, 10]: 5 steps * 4 sequences * 4 gates * 20 * (10 + 20) = 48,000.
TEST(OnnxBatchAxis, SequenceFirstLstmKeepsItsSequence) {
  wl::LoadOptions o;
  o.batch = 4;
  Network net = wl::load_onnx(data_file("seq_lstm.onnx"), o);
  EXPECT_EQ(shape(net, "x"), (Shape{5, 4, 10}));
  EXPECT_EQ(wl::totals(net).macs, 48'000);
  EXPECT_EQ(wl::totals(wl::load_onnx(data_file("seq_lstm.onnx"))).macs, 12'000);  // batch 1: a quarter
}

// A static ViT patch embedding: conv 16 x (4x4 patches) x 3*8*8 = 49,152 and the token
// projection 16 tokens * 16 * 32 = 8,192 per image; at batch 8, 458,752. The literal
// reshape target [1, 16, 16] follows the batch.
TEST(OnnxBatchAxis, StaticExportReshapeFollowsTheBatch) {
  wl::LoadOptions o;
  o.batch = 8;
  Network net = wl::load_onnx(data_file("static_vit.onnx"), o);
  EXPECT_EQ(shape(net, "t"), (Shape{8, 16, 16}));
  EXPECT_EQ(wl::totals(net).macs, 8 * (49'152 + 8'192));
  EXPECT_EQ(wl::totals(net).params, 16 * 3 * 64 + 16 * 32);
}

// Dynamic N, H and W: conv 8 * 64*64 * 27 = 884,736 and Gemm 80 per image.
TEST(OnnxBatchAxis, DynamicHeightAndWidthFromInputShape) {
  EXPECT_THAT(error_of([] { wl::load_onnx(data_file("dyn_cnn.onnx")); }), HasSubstr("dim 2 ('H')"));
  wl::LoadOptions o;
  o.batch = 3;
  o.input_shapes = {{"", {1, 3, 64, 64}}};
  Network net = wl::load_onnx(data_file("dyn_cnn.onnx"), o);
  EXPECT_EQ(shape(net, "image"), (Shape{3, 3, 64, 64}));
  EXPECT_EQ(wl::totals(net).macs, 3 * (884'736 + 80));
}

// nn.MultiheadAttention's static export folds the batch into the *second* entry of a
// literal target: q [L 4, N 1, E 8] viewed as [L, N*heads 2, head_dim 4]. At batch 3 the
// target must become [4, 6, 4] (not [12, 2, 4]): scores [N*heads, L, L] =
// 6 * 4 * 4 * 4 = 384 MACs, three times batch 1's 128.
TEST(OnnxBatchAxis, LiteralTargetWithTheBatchFoldedInside) {
  OnnxModel m;
  m.input("x", {1, 4, 8});
  m.const_ints("heads_shape", {3}, {4, 2, 4});
  m.node("Transpose", {"x"}, {"xt"}, {attr_is("perm", {1, 0, 2})});
  m.node("Reshape", {"xt", "heads_shape"}, {"h"}, {}, "split_heads");
  m.node("Transpose", {"h"}, {"q"}, {attr_is("perm", {1, 0, 2})});
  m.node("Transpose", {"q"}, {"kt"}, {attr_is("perm", {0, 2, 1})});
  m.node("MatMul", {"q", "kt"}, {"scores"}, {}, "qk");
  m.output("scores");
  EXPECT_EQ(wl::totals(m.load()).macs, 128);
  wl::LoadOptions o;
  o.batch = 3;
  Network net = m.load(o);
  EXPECT_EQ(shape(net, "h"), (Shape{4, 6, 4}));
  EXPECT_EQ(shape(net, "scores"), (Shape{6, 4, 4}));
  EXPECT_EQ(wl::totals(net).macs, 384);
}

// The batch named on another axis: dims (seq, batch, features) with a sequence-first LSTM.
TEST(OnnxBatchAxis, NamedBatchAxis) {
  OnnxModel m;
  m.input("x", {std::string("seq"), std::string("batch"), 10}).weight("W", {1, 80, 10}).weight("R", {1, 80, 20});
  m.node("LSTM", {"x", "W", "R"}, {"Y"}, {attr("hidden_size", 20)}, "lstm");
  m.output("Y");
  wl::LoadOptions o;
  o.batch = 2;
  EXPECT_THAT(error_of([&] { m.load(o); }), HasSubstr("symbolic dim 0 ('seq')"));
  o.input_shapes = {{"x", {7, 1, 10}}};
  EXPECT_EQ(shape(m.load(o), "x"), (Shape{7, 2, 10}));
}

// Clues that disagree are an error naming the input, never a guess.
TEST(OnnxBatchAxis, DisagreeingCluesAreAnError) {
  OnnxModel m;
  m.input("x", {std::string("batch"), 5, 10}).weight("W", {1, 80, 10}).weight("R", {1, 80, 20});
  m.node("LSTM", {"x", "W", "R"}, {"Y"}, {attr("hidden_size", 20)}, "lstm");  // layout 0: [seq, batch, ...]
  m.output("Y");
  wl::LoadOptions o;
  o.batch = 2;
  std::string err = error_of([&] { m.load(o); });
  EXPECT_THAT(err, HasSubstr("input x"));
  EXPECT_THAT(err, HasSubstr("dim 0 is named 'batch'"));
  EXPECT_THAT(err, HasSubstr("--input-shape x="));
  // A leading dimension named as a sequence is not taken for the batch either.
  OnnxModel s;
  s.input("tokens", {std::string("seq_len"), 16}).weight("w", {16, 8});
  s.node("MatMul", {"tokens", "w"}, {"y"}, {}, "mm");
  s.output("y");
  err = error_of([&] { s.load(o); });
  EXPECT_THAT(err, HasSubstr("input tokens"));
  EXPECT_THAT(err, HasSubstr("'seq_len'"));
}

// The one symbolic name every input carries is the batch, wherever it sits.
TEST(OnnxBatchAxis, SharedDimensionNameIsTheBatch) {
  OnnxModel m;
  m.input("a", {2, std::string("k")}).input("b", {2, std::string("k")});
  m.node("Add", {"a", "b"}, {"y"}, {}, "add");
  m.output("y");
  wl::LoadOptions o;
  o.batch = 3;
  Network net = m.load(o);
  EXPECT_EQ(shape(net, "a"), (Shape{2, 3}));
  EXPECT_EQ(shape(net, "b"), (Shape{2, 3}));
}

// --- ConvTranspose, InstanceNormalization / GroupNorm, Einsum, CumSum (issue 13) --------------------

// nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1) on [1, 8, 4, 4]: output 2*(4-1) + 4 - 2 = 8
// -> [1, 4, 8, 8]; every input value (8 * 16) meets 4 output channels * 16 taps = 8192 MACs;
// parameters 8*4*16 + 4 = 516.
TEST(OnnxNewOps, ConvTransposeUpsamplingByTwo) {
  OnnxModel m;
  m.input("x", {1, 8, 4, 4}).weight("w", {8, 4, 4, 4}).weight("b", {4});
  m.node("ConvTranspose", {"x", "w", "b"}, {"y"}, {attr_is("strides", {2, 2}), attr_is("pads", {1, 1, 1, 1})}, "up");
  m.output("y");
  Network net = m.load();
  EXPECT_EQ(shape(net, "y"), (Shape{1, 4, 8, 8}));
  EXPECT_EQ(wl::totals(net).macs, 8192);
  EXPECT_EQ(wl::totals(net).params, 516);
  EXPECT_EQ(op(net, "up").type, "conv");
}

// Grouped (2 groups of 4 -> 2), kernel 3, stride 2, pad 1, output_padding 1:
// 2*(4-1) + 1 + 3 - 2 = 8; MACs 8 channels * 16 pixels * 2 outputs per group * 9 = 2304;
// parameters 8*2*9 = 144.
TEST(OnnxNewOps, ConvTransposeGroupedWithOutputPadding) {
  OnnxModel m;
  m.input("x", {2, 8, 4, 4}).weight("w", {8, 2, 3, 3});
  m.node(
      "ConvTranspose", {"x", "w"}, {"y"},
      {attr("group", 2), attr_is("strides", {2, 2}), attr_is("pads", {1, 1, 1, 1}), attr_is("output_padding", {1, 1})},
      "up");
  m.output("y");
  Network net = m.load();
  EXPECT_EQ(shape(net, "y"), (Shape{2, 4, 8, 8}));
  EXPECT_EQ(wl::totals(net).macs, 2 * 2304);
  EXPECT_EQ(wl::totals(net).params, 144);
}

TEST(OnnxNewOps, InstanceNorm) {
  OnnxModel m;
  m.input("x", {2, 16, 8, 8}).weight("s", {16}).weight("b", {16});
  m.node("InstanceNormalization", {"x", "s", "b"}, {"y"}, {attr_f("epsilon", 1e-5f)}, "in");
  m.output("y");
  Network net = m.load();
  EXPECT_EQ(shape(net, "y"), (Shape{2, 16, 8, 8}));
  EXPECT_EQ(wl::totals(net).params, 32);
  EXPECT_EQ(op(net, "in").type, "layernorm");
}

// nn.GroupNorm(4, 16) as torch.onnx.export writes it before opset 18: reshape to
// [N, 4, -1], InstanceNormalization with ones/zeros, reshape back, Mul/Add by the trained
// [16, 1, 1] affine. Parameters: 16 + 16 = 32 (PyTorch's count), not the ones and zeros.
TEST(OnnxNewOps, GroupNormAsPyTorchExportsIt) {
  OnnxModel m;
  m.input("x", {2, 16, 8, 8});
  m.ints("g_shape", {3}, {0, 4, -1}).ints("x_shape", {4}, {2, 16, 8, 8});
  m.floats("ones", {4}, {1, 1, 1, 1}).floats("zeros", {4}, {0, 0, 0, 0});
  m.weight("gamma", {16, 1, 1}).weight("beta", {16, 1, 1});
  m.node("Reshape", {"x", "g_shape"}, {"g"});
  m.node("InstanceNormalization", {"g", "ones", "zeros"}, {"gn"}, {}, "group_norm");
  m.node("Reshape", {"gn", "x_shape"}, {"back"});
  m.node("Mul", {"back", "gamma"}, {"scaled"});
  m.node("Add", {"scaled", "beta"}, {"y"});
  m.output("y");
  Network net = m.load();
  EXPECT_EQ(shape(net, "y"), (Shape{2, 16, 8, 8}));
  EXPECT_EQ(wl::totals(net).params, 32);
}

// Attention: scores bhqd,bhkd->bhqk = 2*4*8*8*16 = 8192 MACs; context bhqk,bhkd->bhqd the
// same; MLP bsd,df->bsf with a weight [16, 32]: 2*8*16*32 = 8192 MACs and 512 parameters.
TEST(OnnxNewOps, EinsumContractions) {
  OnnxModel m;
  m.input("q", {2, 4, 8, 16}).input("k", {2, 4, 8, 16}).input("v", {2, 4, 8, 16}).input("x", {2, 8, 16});
  m.weight("w", {16, 32});
  m.node("Einsum", {"q", "k"}, {"scores"}, {attr_s("equation", "bhqd,bhkd->bhqk")}, "qk");
  m.node("Einsum", {"scores", "v"}, {"ctx"}, {attr_s("equation", "bhqk, bhkd -> bhqd")}, "pv");
  m.node("Einsum", {"x", "w"}, {"h"}, {attr_s("equation", "bsd,df->bsf")}, "mlp");
  m.output("ctx").output("h");
  Network net = m.load();
  EXPECT_EQ(shape(net, "scores"), (Shape{2, 4, 8, 8}));
  EXPECT_EQ(shape(net, "ctx"), (Shape{2, 4, 8, 16}));
  EXPECT_EQ(shape(net, "h"), (Shape{2, 8, 32}));
  EXPECT_EQ(wl::macs(net, op(net, "qk")), 8192);
  EXPECT_EQ(wl::macs(net, op(net, "pv")), 8192);
  EXPECT_EQ(wl::macs(net, op(net, "mlp")), 8192);
  EXPECT_EQ(wl::totals(net).macs, 3 * 8192);
  EXPECT_EQ(wl::totals(net).params, 512);
}

// Output labels in another order, a weight on the left, the implicit form, one operand.
TEST(OnnxNewOps, EinsumOrdersAndSingleOperand) {
  OnnxModel m;
  m.input("a", {2, 3, 5}).input("b", {2, 7, 5}).input("c", {4, 6}).weight("w", {6, 9});
  m.node("Einsum", {"a", "b"}, {"ab"}, {attr_s("equation", "bqd,bkd->bkq")}, "ab");  // 2*3*7*5 = 210
  m.node("Einsum", {"w", "c"}, {"wc"}, {attr_s("equation", "jk,ij")}, "wc");         // implicit ik: 4*6*9 = 216
  m.node("Einsum", {"a"}, {"t"}, {attr_s("equation", "bqd->dbq")}, "t");
  m.node("Einsum", {"b"}, {"s"}, {attr_s("equation", "bkd->bd")}, "s");
  m.output("ab").output("wc").output("t").output("s");
  Network net = m.load();
  EXPECT_EQ(shape(net, "ab"), (Shape{2, 7, 3}));
  EXPECT_EQ(shape(net, "wc"), (Shape{4, 9}));
  EXPECT_EQ(shape(net, "t"), (Shape{5, 2, 3}));
  EXPECT_EQ(shape(net, "s"), (Shape{2, 5}));
  EXPECT_EQ(wl::totals(net).macs, 210 + 216);
  EXPECT_EQ(wl::totals(net).params, 54);
  OnnxModel bad;
  bad.input("a", {3, 3});
  bad.node("Einsum", {"a"}, {"d"}, {attr_s("equation", "ii->i")}, "diag");
  bad.output("d");
  std::string err = error_of([&] { bad.load(); });
  EXPECT_THAT(err, HasSubstr("diag"));
  EXPECT_THAT(err, HasSubstr("repeated label"));
}

TEST(OnnxNewOps, CumSumAndUnsupportedList) {
  OnnxModel m;
  m.input("x", {2, 10}).ints("axis", {}, {1});
  m.node("CumSum", {"x", "axis"}, {"y"}, {}, "cumsum");
  m.output("y");
  Network net = m.load();
  EXPECT_EQ(shape(net, "y"), (Shape{2, 10}));
  EXPECT_EQ(wl::vector_ops(net, op(net, "cumsum")), 20);
  OnnxModel u;
  u.input("x", {1, 4});
  u.node("Relu", {"x"}, {"r"}, {}, "relu");
  u.node("Det", {"r"}, {"d"}, {}, "det1");
  u.node("Hardmax", {"r"}, {"h"}, {}, "hm");
  u.output("d").output("h");
  std::string err = error_of([&] { u.load(); });
  EXPECT_THAT(err, HasSubstr("unsupported ONNX operators"));
  EXPECT_THAT(err, HasSubstr("Det (node det1)"));
  EXPECT_THAT(err, HasSubstr("Hardmax (node hm)"));
}

// tests/data/new_ops.onnx (make_onnx.py): every activation's shape as ONNX's own shape
// inference gives it, and the counts by hand. MACs: up1 8 channels * 16 pixels * 4 * 16 taps
// = 8192; up2 (2 groups) 4 * 64 pixels * 2 * 9 = 4608, output 2*(8-1) + 1 + 3 - 2 = 16;
// mlp 256 tokens * 4 * 8 = 8192; qk and pv 256 * 256 * 8 = 524,288 each -> 1,069,568.
// Parameters: up1 512 + 4, instance norm 4 + 4, up2 72, the GroupNorm's affine 4 + 4 (its
// ones and zeros are not trained), the MLP weight 32 -> 636 (PyTorch's count).
TEST(OnnxNewOps, FileCheckedByOnnxShapeInference) {
  std::string path = data_file("new_ops.onnx");
  Network net = wl::load_onnx(path);
  EXPECT_EQ(compare_with_onnx_shapes(path, net), 11);  // ONNX leaves h, s, p, c unsized
  EXPECT_EQ(shape(net, "y2"), (Shape{1, 4, 16, 16}));
  EXPECT_EQ(shape(net, "h"), (Shape{1, 256, 8}));
  EXPECT_EQ(shape(net, "s"), (Shape{1, 256, 256}));
  EXPECT_EQ(shape(net, "c"), (Shape{1, 256, 8}));
  EXPECT_EQ(wl::totals(net).macs, 1'069'568);
  EXPECT_EQ(wl::totals(net).params, 636);
}

}  // namespace
