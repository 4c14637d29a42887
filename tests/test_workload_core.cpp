// Workload core: shape inference per op type, counts against hand-derived numbers,
// GEMM lowering, YAML round trip, SCALE-Sim topologies and every class of bad input.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "scalesim_inputs.h"
#include "workload/workload.h"

namespace {

namespace fs = std::filesystem;
using namespace acceldse::workload;
using acceldse::InputError;

// --- Helpers ---------------------------------------------------------------------

// A network of one op reading inputs in0, in1, ... of the given shapes.
Network one_op(const std::string& type, const std::vector<Shape>& inputs, const Attrs& attrs,
               const std::vector<std::string>& output_names = {}) {
  NetworkBuilder b("test", "<test>");
  std::vector<std::string> names;
  for (size_t i = 0; i < inputs.size(); ++i) {
    names.push_back("in" + std::to_string(i));
    b.add_input(names.back(), inputs[i]);
  }
  b.add_op("op", type, names, attrs, output_names);
  return b.finish();
}

Attrs with(const std::string& type, const std::function<void(Attrs&)>& set) {
  Attrs a = default_attrs(type);
  set(a);
  return a;
}

Shape out_shape(const Network& net, size_t i = 0) { return net.output_of(net.ops.at(0), i).shape; }
const Op& the_op(const Network& net) { return net.ops.at(0); }

// Runs `body`, expects an InputError, and checks its message contains every fragment.
void expect_input_error(const std::function<void()>& body, const std::vector<std::string>& fragments) {
  try {
    body();
    ADD_FAILURE() << "expected an InputError";
  } catch (const InputError& e) {
    std::string message = e.what();
    for (const std::string& f : fragments) {
      EXPECT_NE(message.find(f), std::string::npos) << "'" << f << "' not in: " << message;
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected an InputError, got: " << e.what();
  }
}

class TempDir {
 public:
  TempDir() {
    path_ =
        fs::temp_directory_path() / ("acceldse_wl_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  static inline int counter_ = 0;
};

const std::string kShared = acceldse::test::scalesim_inputs().string();

// --- Utilities -------------------------------------------------------------------

// A 3x3 convolution, stride 1, padded to keep an 8x8 map.
ConvWindow same_padded_3x3_on_8x8() {
  return ConvWindow{.out_h = 8,
                    .out_w = 8,
                    .in_h = 8,
                    .in_w = 8,
                    .span_h = 3,
                    .span_w = 3,
                    .stride_h = 1,
                    .stride_w = 1,
                    .kernel_h = 3,
                    .kernel_w = 3};
}

TEST(WorkloadBasics, ShapeHelpers) {
  EXPECT_EQ(num_elements({1, 3, 224, 224}), 150528);
  EXPECT_EQ(shape_to_string({1, 3, 224, 224}), "1x3x224x224");
  EXPECT_EQ(op_class_of("conv"), OpClass::kConv);
  EXPECT_EQ(op_class_of("linear"), OpClass::kMatmul);
  EXPECT_EQ(op_class_of("gru"), OpClass::kRecurrent);
  EXPECT_EQ(op_class_of("global_avgpool"), OpClass::kPool);
  EXPECT_EQ(op_class_of("reduce_mean"), OpClass::kEltwise);
  EXPECT_EQ(op_class_of("embedding"), OpClass::kEmbedding);
  EXPECT_FALSE(op_class_of("convolution").has_value());
  for (const std::string& type : known_op_types()) EXPECT_TRUE(op_class_of(type)) << type;
  EXPECT_EQ(default_attrs("softmax").axis, -1);
  EXPECT_EQ(default_attrs("flatten").axis, 1);
  EXPECT_EQ(parse_format("onnx"), Format::kOnnx);
  EXPECT_EQ(parse_format("csv"), Format::kScaleSimCsv);
  EXPECT_FALSE(parse_format("xml").has_value());
  std::vector<std::string> conv_keys = op_type_attributes("conv");
  EXPECT_NE(std::find(conv_keys.begin(), conv_keys.end(), "groups"), conv_keys.end());
}

// --- Convolution -----------------------------------------------------------------

TEST(WorkloadConv, StridePadShapeParamsMacs) {
  // ResNet conv1: 224 + 2*3 - 7 = 223, /2 -> 111, +1 = 112.
  Network net = one_op("conv", {{1, 3, 224, 224}}, with("conv", [](Attrs& a) {
                         a.out_channels = 64;
                         a.kernel = {7, 7};
                         a.stride = {2, 2};
                         a.pads = {3, 3, 3, 3};
                       }));
  EXPECT_EQ(out_shape(net), (Shape{1, 64, 112, 112}));
  EXPECT_EQ(the_op(net).params, 64 * 3 * 7 * 7);
  EXPECT_EQ(macs(net, the_op(net)), int64_t{64} * 112 * 112 * 3 * 49);  // 118,013,952
  EXPECT_EQ(vector_ops(net, the_op(net)), 0);
  // inputs 150528 + outputs 802816 elements at 2 bytes, 9408 weights at 1 byte.
  EXPECT_EQ(bytes_moved(net, the_op(net), 2, 1), (150528 + 802816) * 2 + 9408);
}

TEST(WorkloadConv, DilationAndAsymmetricPads) {
  // 32 - 2*(3-1) - 1 = 27, +1 = 28 without padding; pad 2 keeps 32.
  Attrs a = with("conv", [](Attrs& x) {
    x.out_channels = 8;
    x.kernel = {3, 3};
    x.dilation = {2, 2};
  });
  EXPECT_EQ(out_shape(one_op("conv", {{1, 8, 32, 32}}, a)), (Shape{1, 8, 28, 28}));
  a.pads = {2, 2, 2, 2};
  EXPECT_EQ(out_shape(one_op("conv", {{1, 8, 32, 32}}, a)), (Shape{1, 8, 32, 32}));
  // H: (10 + 0 + 2 - 3) / 2 = 4 (floor), +1 = 5; W: (11 + 1 + 3 - 5) / 3 = 3, +1 = 4.
  Attrs b = with("conv", [](Attrs& x) {
    x.out_channels = 4;
    x.kernel = {3, 5};
    x.stride = {2, 3};
    x.pads = {0, 1, 2, 3};
  });
  EXPECT_EQ(out_shape(one_op("conv", {{1, 2, 10, 11}}, b)), (Shape{1, 4, 5, 4}));
}

TEST(WorkloadConv, GroupsAndBias) {
  Attrs a = with("conv", [](Attrs& x) {
    x.out_channels = 32;
    x.kernel = {3, 3};
    x.pads = {1, 1, 1, 1};
    x.groups = 4;
    x.bias = true;
  });
  Network net = one_op("conv", {{2, 16, 8, 8}}, a);
  EXPECT_EQ(out_shape(net), (Shape{2, 32, 8, 8}));
  EXPECT_EQ(the_op(net).params, 32 * (16 / 4) * 9 + 32);
  EXPECT_EQ(macs(net, the_op(net)), int64_t{2} * 32 * 64 * 4 * 9);
  std::vector<Gemm> g = gemms(net, the_op(net));
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0], (Gemm{.m = 2 * 64, .k = 4 * 9, .n = 8, .count = 4, .window = same_padded_3x3_on_8x8()}));
}

TEST(WorkloadConv, DepthwiseLowersToOneGemmPerChannel) {
  Attrs a = with("conv", [](Attrs& x) {
    x.out_channels = 32;
    x.kernel = {3, 3};
    x.stride = {2, 2};
    x.pads = {1, 1, 1, 1};
    x.groups = 32;
  });
  Network net = one_op("conv", {{1, 32, 112, 112}}, a);
  EXPECT_EQ(out_shape(net), (Shape{1, 32, 56, 56}));
  EXPECT_EQ(the_op(net).params, 32 * 9);
  EXPECT_EQ(macs(net, the_op(net)), int64_t{32} * 56 * 56 * 9);
  EXPECT_EQ(gemms(net, the_op(net)).at(0), (Gemm{.m = 56 * 56,
                                                 .k = 9,
                                                 .n = 1,
                                                 .count = 32,
                                                 .b_is_weight = true,
                                                 .window = {.out_h = 56,
                                                            .out_w = 56,
                                                            .in_h = 112,
                                                            .in_w = 112,
                                                            .span_h = 3,
                                                            .span_w = 3,
                                                            .stride_h = 2,
                                                            .stride_w = 2,
                                                            .kernel_h = 3,
                                                            .kernel_w = 3}}));
}

// Input elements per im2col element of a 3x3 stride-1 convolution on 8x8 (no padding
// counted): a block of 4 pixels in one row reads 3 rows x (3 + 3) columns = 18 of its
// 36 window elements; 16 pixels (2 output rows) read 4 input rows x 8 = 32 of 144; a
// whole image 64 of 576 (1/9), and so do two. Kernel rows apart (across_rows false):
// 16 pixels read 3 kernel rows x 2 output rows x 8 columns = 48 of 144. A 1x1 stride-2
// convolution shares nothing (capped at 1), nor does a plain matrix.
TEST(WorkloadConv, Im2colFetchFractionByHand) {
  const ConvWindow w = same_padded_3x3_on_8x8();
  EXPECT_DOUBLE_EQ(im2col_fetch_fraction(w, 4), 18.0 / 36.0);
  EXPECT_DOUBLE_EQ(im2col_fetch_fraction(w, 16), 32.0 / 144.0);
  EXPECT_DOUBLE_EQ(im2col_fetch_fraction(w, 64), 1.0 / 9.0);
  EXPECT_DOUBLE_EQ(im2col_fetch_fraction(w, 128), 1.0 / 9.0);
  EXPECT_DOUBLE_EQ(im2col_fetch_fraction(w, 16, false), 48.0 / 144.0);
  const ConvWindow pointwise{.out_h = 8,
                             .out_w = 8,
                             .in_h = 16,
                             .in_w = 16,
                             .span_h = 1,
                             .span_w = 1,
                             .stride_h = 2,
                             .stride_w = 2,
                             .kernel_h = 1,
                             .kernel_w = 1};
  EXPECT_DOUBLE_EQ(im2col_fetch_fraction(pointwise, 16), 1.0);
  EXPECT_DOUBLE_EQ(im2col_fetch_fraction(ConvWindow{}, 16), 1.0);
}

TEST(WorkloadConv, OneDimensionalInput) {
  Attrs a = with("conv", [](Attrs& x) {
    x.out_channels = 16;
    x.kernel = {1, 5};
    x.stride = {1, 2};
  });
  Network net = one_op("conv", {{1, 8, 101}}, a);
  EXPECT_EQ(out_shape(net), (Shape{1, 16, 49}));  // (101 - 5) / 2 + 1
  EXPECT_EQ(macs(net, the_op(net)), int64_t{16} * 49 * 8 * 5);
}

TEST(WorkloadConv, BadAttributesAreInputErrors) {
  Attrs a = with("conv", [](Attrs& x) {
    x.out_channels = 10;
    x.groups = 4;
  });
  expect_input_error([&] { one_op("conv", {{1, 16, 8, 8}}, a); }, {"<test>", "op", "groups 4"});
  Attrs big = with("conv", [](Attrs& x) {
    x.out_channels = 4;
    x.kernel = {9, 9};
  });
  expect_input_error([&] { one_op("conv", {{1, 3, 8, 8}}, big); }, {"larger than"});
  Attrs none = default_attrs("conv");
  expect_input_error([&] { one_op("conv", {{1, 3, 8, 8}}, none); }, {"out_channels"});
  Attrs ok = with("conv", [](Attrs& x) { x.out_channels = 4; });
  expect_input_error([&] { one_op("conv", {{3, 8, 8, 8, 8}}, ok); }, {"[N, C, H, W]"});
}

// --- Pooling ---------------------------------------------------------------------

TEST(WorkloadPool, FloorAndCeilMode) {
  Attrs a = with("maxpool", [](Attrs& x) {
    x.kernel = {3, 3};
    x.stride = {2, 2};
    x.pads = {1, 1, 1, 1};
  });
  Network net = one_op("maxpool", {{1, 64, 112, 112}}, a);
  EXPECT_EQ(out_shape(net), (Shape{1, 64, 56, 56}));
  EXPECT_EQ(vector_ops(net, the_op(net)), int64_t{64} * 56 * 56 * 9);
  EXPECT_EQ(macs(net, the_op(net)), 0);

  // 6x6, k 3, s 2: floor((6-3)/2)+1 = 2; ceil: ceil(3/2)+1 = 3.
  Attrs b = with("maxpool", [](Attrs& x) {
    x.kernel = {3, 3};
    x.stride = {2, 2};
  });
  EXPECT_EQ(out_shape(one_op("maxpool", {{1, 1, 6, 6}}, b)), (Shape{1, 1, 2, 2}));
  b.ceil_mode = true;
  EXPECT_EQ(out_shape(one_op("maxpool", {{1, 1, 6, 6}}, b)), (Shape{1, 1, 3, 3}));
  // GoogLeNet maxpool1 with ceil_mode: 112 -> ceil(109/2)+1 = 56.
  EXPECT_EQ(out_shape(one_op("maxpool", {{1, 64, 112, 112}}, b)), (Shape{1, 64, 56, 56}));
}

TEST(WorkloadPool, CeilModeDropsWindowStartingInThePadding) {
  // 5x5, k 2, s 2, pad 1: ceil((5+2-2)/2)+1 = 4, but window 3 would start at 6 >= 5+1,
  // entirely in the right padding, so PyTorch and ONNX give 3.
  Attrs a = with("avgpool", [](Attrs& x) {
    x.kernel = {2, 2};
    x.stride = {2, 2};
    x.pads = {1, 1, 1, 1};
    x.ceil_mode = true;
  });
  EXPECT_EQ(out_shape(one_op("avgpool", {{1, 1, 5, 5}}, a)), (Shape{1, 1, 3, 3}));
}

TEST(WorkloadPool, GlobalPool) {
  Network net = one_op("global_avgpool", {{1, 2048, 7, 7}}, default_attrs("global_avgpool"));
  EXPECT_EQ(out_shape(net), (Shape{1, 2048, 1, 1}));
  EXPECT_EQ(vector_ops(net, the_op(net)), 2048 * 49);
}

// --- Matrix products ---------------------------------------------------------------

TEST(WorkloadMatmul, LinearOnLeadingDims) {
  Attrs a = with("linear", [](Attrs& x) {
    x.out_features = 3072;
    x.bias = true;
  });
  Network net = one_op("linear", {{2, 128, 768}}, a);
  EXPECT_EQ(out_shape(net), (Shape{2, 128, 3072}));
  EXPECT_EQ(the_op(net).params, 768 * 3072 + 3072);
  EXPECT_EQ(macs(net, the_op(net)), int64_t{256} * 768 * 3072);
  EXPECT_EQ(gemms(net, the_op(net)).at(0), (Gemm{.m = 256, .k = 768, .n = 3072}));
}

TEST(WorkloadMatmul, AttentionScores) {
  // Q [1,12,128,64] x K^T [1,12,64,128]: 12 heads of 128x64x128.
  Network net = one_op("matmul", {{1, 12, 128, 64}, {1, 12, 64, 128}}, default_attrs("matmul"));
  EXPECT_EQ(out_shape(net), (Shape{1, 12, 128, 128}));
  EXPECT_EQ(macs(net, the_op(net)), int64_t{12} * 128 * 64 * 128);
  EXPECT_EQ(the_op(net).params, 0);
  EXPECT_EQ(gemms(net, the_op(net)).at(0), (Gemm{.m = 128, .k = 64, .n = 128, .count = 12, .b_is_weight = false}));
}

TEST(WorkloadMatmul, BroadcastingAndVectors) {
  Network net = one_op("matmul", {{2, 1, 3, 4}, {5, 4, 6}}, default_attrs("matmul"));
  EXPECT_EQ(out_shape(net), (Shape{2, 5, 3, 6}));
  EXPECT_EQ(gemms(net, the_op(net)).at(0).count, 10);
  EXPECT_EQ(macs(net, the_op(net)), int64_t{10} * 3 * 4 * 6);
  EXPECT_EQ(out_shape(one_op("matmul", {{4}, {4, 5}}, {})), (Shape{5}));
  EXPECT_EQ(out_shape(one_op("matmul", {{3, 4}, {4}}, {})), (Shape{3}));
  expect_input_error([] { one_op("matmul", {{3, 4}, {5, 6}}, {}); }, {"inner dimensions"});
  expect_input_error([] { one_op("matmul", {{2, 3, 4}, {3, 4, 6}}, {}); }, {"broadcast"});
  expect_input_error([] { one_op("matmul", {{3, 4}}, {}); }, {"has 1 inputs; expected 2"});
}

// --- Recurrent -------------------------------------------------------------------

TEST(WorkloadRecurrent, LstmMatchesPyTorch) {
  // torch.nn.LSTM(40, 64, bidirectional=True): per direction W_ih 256x40, W_hh 256x64,
  // b_ih 256, b_hh 256 -> 27,136; two directions 54,272.
  Attrs a = with("lstm", [](Attrs& x) {
    x.hidden = 64;
    x.directions = 2;
    x.bias = true;
  });
  Network net = one_op("lstm", {{10, 2, 40}}, a);
  EXPECT_EQ(out_shape(net), (Shape{10, 2, 128}));
  EXPECT_EQ(the_op(net).params, 54272);
  EXPECT_EQ(macs(net, the_op(net)), int64_t{10} * 2 * 2 * 4 * 64 * (40 + 64));
  EXPECT_EQ(vector_ops(net, the_op(net)), 10 * 2 * 2 * 64 * 10);
  std::vector<Gemm> g = gemms(net, the_op(net));
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0], (Gemm{.m = 20, .k = 40, .n = 256, .count = 2}));
  EXPECT_EQ(g[1], (Gemm{.m = 2, .k = 64, .n = 256, .count = 20, .sequential = true}));
}

TEST(WorkloadRecurrent, GruMatchesPyTorch) {
  // torch.nn.GRU(40, 64): 3*64*40 + 3*64*64 + 2*3*64 = 20,352.
  Attrs a = with("gru", [](Attrs& x) {
    x.hidden = 64;
    x.bias = true;
  });
  Network net = one_op("gru", {{10, 2, 40}}, a);
  EXPECT_EQ(out_shape(net), (Shape{10, 2, 64}));
  EXPECT_EQ(the_op(net).params, 20352);
  EXPECT_EQ(macs(net, the_op(net)), int64_t{10} * 2 * 3 * 64 * (40 + 64));
  EXPECT_EQ(vector_ops(net, the_op(net)), 10 * 2 * 64 * 8);
  EXPECT_EQ(gemms(net, the_op(net)).at(1), (Gemm{.m = 2, .k = 64, .n = 192, .count = 10, .sequential = true}));
  a.bias = false;
  EXPECT_EQ(the_op(one_op("gru", {{10, 2, 40}}, a)).params, 3 * 64 * 104);
  expect_input_error([&] { one_op("gru", {{10, 40}}, a); }, {"[seq, batch, features]"});
}

// --- Element-wise, norms, softmax ----------------------------------------------------

TEST(WorkloadEltwise, BroadcastingAndCounts) {
  Network net = one_op("add", {{1, 64, 56, 56}, {1, 64, 1, 1}}, {});
  EXPECT_EQ(out_shape(net), (Shape{1, 64, 56, 56}));
  EXPECT_EQ(vector_ops(net, the_op(net)), 64 * 56 * 56);
  Network unary = one_op("gelu", {{1, 128, 3072}}, {});
  EXPECT_EQ(vector_ops(unary, the_op(unary)), 128 * 3072);
  expect_input_error([] { one_op("mul", {{1, 8, 4, 4}, {1, 4, 4, 4}}, {}); }, {"do not broadcast"});
  expect_input_error([] { one_op("relu", {{1, 8}, {1, 8}}, {}); }, {"expected 1"});
}

TEST(WorkloadEltwise, Reductions) {
  Attrs a = with("reduce_mean", [](Attrs& x) {
    x.dims = {2, 3};
    x.keepdims = false;
  });
  Network net = one_op("reduce_mean", {{1, 64, 7, 7}}, a);
  EXPECT_EQ(out_shape(net), (Shape{1, 64}));
  EXPECT_EQ(vector_ops(net, the_op(net)), 64 * 49);  // every input element read once
  a.keepdims = true;
  a.dims = {-1};
  EXPECT_EQ(out_shape(one_op("reduce_sum", {{1, 64, 7, 7}}, a)), (Shape{1, 64, 7, 1}));
}

TEST(WorkloadNorm, BatchnormLayernormSoftmax) {
  Network bn = one_op("batchnorm", {{1, 64, 56, 56}}, {});
  EXPECT_EQ(the_op(bn).params, 128);
  EXPECT_EQ(vector_ops(bn, the_op(bn)), 2 * 64 * 56 * 56);
  Network ln = one_op("layernorm", {{1, 128, 768}}, default_attrs("layernorm"));
  EXPECT_EQ(the_op(ln).params, 2 * 768);
  EXPECT_EQ(vector_ops(ln, the_op(ln)), 8 * 128 * 768);
  Attrs over_two = with("layernorm", [](Attrs& x) { x.axis = -2; });
  EXPECT_EQ(the_op(one_op("layernorm", {{1, 128, 768}}, over_two)).params, 2 * 128 * 768);
  Network sm = one_op("softmax", {{1, 12, 128, 128}}, default_attrs("softmax"));
  EXPECT_EQ(vector_ops(sm, the_op(sm)), 5 * 12 * 128 * 128);
  Attrs bad_axis = with("softmax", [](Attrs& x) { x.axis = 4; });
  expect_input_error([&] { one_op("softmax", {{1, 12, 128, 128}}, bad_axis); }, {"axis 4"});
}

// --- Data movement and embedding -----------------------------------------------------

TEST(WorkloadDataMove, Concat) {
  Network net = one_op("concat", {{1, 64, 28, 28}, {1, 32, 28, 28}}, default_attrs("concat"));
  EXPECT_EQ(out_shape(net), (Shape{1, 96, 28, 28}));
  EXPECT_EQ(vector_ops(net, the_op(net)), 0);
  Attrs neg = with("concat", [](Attrs& x) { x.axis = -3; });
  EXPECT_EQ(out_shape(one_op("concat", {{1, 64, 28, 28}, {1, 32, 28, 28}}, neg)), (Shape{1, 96, 28, 28}));
  expect_input_error(
      [] {
        one_op("concat", {{1, 64, 28, 28}, {1, 32, 14, 14}}, default_attrs("concat"));
      },
      {"must agree except on axis 1"});
}

TEST(WorkloadDataMove, Split) {
  Network halves = one_op("split", {{1, 64, 8, 8}}, default_attrs("split"));
  ASSERT_EQ(the_op(halves).outputs.size(), 2u);
  EXPECT_EQ(out_shape(halves, 1), (Shape{1, 32, 8, 8}));
  EXPECT_EQ(halves.output_of(the_op(halves), 1).name, "op:1");
  Attrs sizes = with("split", [](Attrs& x) { x.dims = {16, 48}; });
  Network uneven = one_op("split", {{1, 64, 8, 8}}, sizes);
  EXPECT_EQ(out_shape(uneven, 0), (Shape{1, 16, 8, 8}));
  EXPECT_EQ(out_shape(uneven, 1), (Shape{1, 48, 8, 8}));
  Network thirds = one_op("split", {{1, 2304}}, with("split", [](Attrs& x) { x.axis = -1; }), {"q", "k", "v"});
  EXPECT_EQ(thirds.output_of(the_op(thirds), 2).name, "v");
  EXPECT_EQ(out_shape(thirds, 2), (Shape{1, 768}));
  sizes.dims = {16, 32};
  expect_input_error([&] { one_op("split", {{1, 64, 8, 8}}, sizes); }, {"add up to 48"});
}

TEST(WorkloadDataMove, ReshapeFlattenTranspose) {
  auto reshape = [](const Shape& in, std::vector<int64_t> dims) {
    return out_shape(one_op("reshape", {in}, with("reshape", [&](Attrs& x) { x.dims = dims; })));
  };
  EXPECT_EQ(reshape({1, 3, 4, 5}, {0, -1}), (Shape{1, 60}));
  EXPECT_EQ(reshape({1, 3, 4, 5}, {2, -1, 5}), (Shape{2, 6, 5}));
  EXPECT_EQ(reshape({1, 128, 768}, {0, 0, 12, 64}), (Shape{1, 128, 12, 64}));
  expect_input_error([&] { reshape({1, 3, 4, 5}, {-1, -1}); }, {"at most one"});
  expect_input_error([&] { reshape({1, 3, 4, 5}, {7, -1}); }, {"cannot reshape"});
  expect_input_error([&] { reshape({1, 3, 4, 5}, {6, 11}); }, {"cannot reshape"});

  auto flatten = [](const Shape& in, int64_t axis) {
    return out_shape(one_op("flatten", {in}, with("flatten", [&](Attrs& x) { x.axis = axis; })));
  };
  EXPECT_EQ(flatten({2, 3, 4, 5}, 1), (Shape{2, 60}));
  EXPECT_EQ(flatten({2, 3, 4, 5}, 0), (Shape{1, 120}));
  EXPECT_EQ(flatten({2, 3, 4, 5}, 4), (Shape{120, 1}));

  Attrs perm = with("transpose", [](Attrs& x) { x.dims = {0, 2, 1, 3}; });
  EXPECT_EQ(out_shape(one_op("transpose", {{1, 128, 12, 64}}, perm)), (Shape{1, 12, 128, 64}));
  EXPECT_EQ(out_shape(one_op("transpose", {{2, 3, 4}}, default_attrs("transpose"))), (Shape{4, 3, 2}));
  perm.dims = {0, 1, 1, 3};
  expect_input_error([&] { one_op("transpose", {{1, 128, 12, 64}}, perm); }, {"permutation"});
}

TEST(WorkloadDataMove, PadUpsampleExplicitShapes) {
  Attrs pad = with("pad", [](Attrs& x) { x.dims = {0, 0, 1, 2, 0, 0, 3, 4}; });
  EXPECT_EQ(out_shape(one_op("pad", {{1, 3, 4, 4}}, pad)), (Shape{1, 3, 8, 10}));
  pad.dims = {1, 2};
  expect_input_error([&] { one_op("pad", {{1, 3, 4, 4}}, pad); }, {"expected 8"});
  Attrs up = with("upsample", [](Attrs& x) { x.stride = {2, 2}; });
  EXPECT_EQ(out_shape(one_op("upsample", {{1, 256, 13, 13}}, up)), (Shape{1, 256, 26, 26}));
  for (const char* type : {"slice", "gather", "expand"}) {
    Attrs a = with(type, [](Attrs& x) { x.dims = {1, 1, 768}; });
    EXPECT_EQ(out_shape(one_op(type, {{1, 128, 768}}, a)), (Shape{1, 1, 768})) << type;
  }
  EXPECT_EQ(out_shape(one_op("identity", {{7, 3}}, {})), (Shape{7, 3}));
}

TEST(WorkloadEmbedding, TableLookup) {
  Attrs a = with("embedding", [](Attrs& x) {
    x.vocab = 30522;
    x.embed_dim = 768;
  });
  Network net = one_op("embedding", {{1, 128}}, a);
  EXPECT_EQ(out_shape(net), (Shape{1, 128, 768}));
  EXPECT_EQ(the_op(net).params, 30522 * 768);
  EXPECT_EQ(macs(net, the_op(net)), 0);
  EXPECT_EQ(vector_ops(net, the_op(net)), 0);
  EXPECT_TRUE(gemms(net, the_op(net)).empty());
}

// --- Builder, totals, batching ---------------------------------------------------------

// image [1,3,8,8] -> conv 4x1x1 -> relu -> reshape [1, 256] -> linear 10 (bias).
Network small_net() {
  NetworkBuilder b("small", "<test>");
  b.add_input("image", {1, 3, 8, 8});
  b.add_op("conv", "conv", {"image"}, with("conv", [](Attrs& a) { a.out_channels = 4; }));
  b.add_op("relu", "relu", {"conv"}, {});
  b.add_op("flat", "reshape", {"relu"}, with("reshape", [](Attrs& a) { a.dims = {1, 256}; }));
  b.add_op("fc", "linear", {"flat"}, with("linear", [](Attrs& a) {
             a.out_features = 10;
             a.bias = true;
           }));
  return b.finish();
}

TEST(WorkloadBuilder, TotalsAndWiring) {
  Network net = small_net();
  Totals t = totals(net);
  EXPECT_EQ(t.macs, 4 * 64 * 3 + 256 * 10);
  EXPECT_EQ(t.params, 12 + 2570);
  EXPECT_EQ(t.vector_ops, 256);  // relu only
  EXPECT_EQ(t.ops, 4);
  ASSERT_EQ(net.outputs.size(), 1u);
  EXPECT_EQ(net.tensors[net.outputs[0]].name, "fc");
  EXPECT_EQ(net.tensors[net.inputs[0]].consumers, (std::vector<int>{0}));
  EXPECT_EQ(net.output_of(net.ops[0]).producer, 0);
}

TEST(WorkloadBuilder, Errors) {
  NetworkBuilder b("x", "net.yaml");
  b.add_input("image", {1, 3, 8, 8});
  expect_input_error([&] { b.add_op("c", "convolution", {"image"}, {}); },
                     {"net.yaml", "layer c", "unknown op 'convolution'"});
  expect_input_error([&] { b.add_op("r", "relu", {"nothing"}, {}); }, {"input 'nothing'"});
  b.add_op("r", "relu", {"image"}, {});
  expect_input_error([&] { b.add_op("r", "relu", {"image"}, {}); }, {"already used"});
  expect_input_error([&] { b.add_input("bad", {1, 0, 3}); }, {"positive"});
  expect_input_error([&] { b.add_op("p", "relu", {"r"}, {}, {}, -5); }, {"non-negative"});
}

TEST(WorkloadBatch, RebatchesInputsAndLiteralReshapes) {
  Network net = small_net();
  Network four = with_batch(net, 4, "<test>");
  EXPECT_EQ(four.tensors[four.inputs[0]].shape, (Shape{4, 3, 8, 8}));
  EXPECT_EQ(four.ops[2].attrs.dims, (std::vector<int64_t>{4, 256}));  // literal batch rescaled
  EXPECT_EQ(totals(four).macs, 4 * totals(net).macs);
  EXPECT_EQ(totals(four).params, totals(net).params);
  expect_input_error([&] { with_batch(net, 0, "<test>"); }, {"batch"});
}

TEST(WorkloadBatch, ReshapeFoldingBatchIntoRows) {
  // [1,128,768] -> reshape [128, 768] (batch*seq rows) -> linear: at batch 2 -> [256, 768].
  NetworkBuilder b("fold", "<test>");
  b.add_input("x", {1, 128, 768});
  b.add_op("rows", "reshape", {"x"}, with("reshape", [](Attrs& a) { a.dims = {128, 768}; }));
  b.add_op("fc", "linear", {"rows"}, with("linear", [](Attrs& a) { a.out_features = 64; }));
  Network two = with_batch(b.finish(), 2, "<test>");
  EXPECT_EQ(two.output_of(two.ops[0]).shape, (Shape{256, 768}));
  EXPECT_EQ(gemms(two, two.ops[1]).at(0).m, 256);
}

// --- YAML ------------------------------------------------------------------------------

const char* const kRichYaml = R"(name: rich
domain: language
description: "a test: with a colon"
inputs:
  - {name: x, shape: [1, 8, 16, 16]}
  - {name: ids, shape: [1, 5]}
layers:
  - {name: c1, op: conv, out_channels: 16, kernel: [3, 1], stride: 2, pad: [0, 0, 1, 0], bias: true}
  - {name: bn, op: batchnorm}
  - {name: sp, op: split, out: [a, b]}
  - {name: p, op: maxpool, in: a, kernel: 2, stride: 2, ceil_mode: true}
  - {name: u, op: upsample, stride: 2}
  - {name: cat, op: concat, in: [u, b]}
  - {name: m, op: reduce_mean, axes: [2, 3], keepdims: false}
  - {name: fc, op: linear, out_features: 4, params: 99}
  - {name: sm, op: softmax}
  - {name: emb, op: embedding, in: ids, vocab: 100, embed_dim: 4}
outputs: [sm, emb]
)";

TEST(WorkloadYaml, LoadsEveryFeature) {
  Network net = load_yaml_text(kRichYaml, "rich.yaml");
  EXPECT_EQ(net.name, "rich");
  EXPECT_EQ(net.domain, "language");
  EXPECT_EQ(net.description, "a test: with a colon");
  // conv: H (16 + 0 + 1 - 3)/2 + 1 = 8, W (16 - 1)/2 + 1 = 8.
  EXPECT_EQ(net.output_of(net.ops[0]).shape, (Shape{1, 16, 8, 8}));
  EXPECT_EQ(net.ops[0].attrs.pads, (std::array<int64_t, 4>{0, 0, 1, 0}));
  EXPECT_EQ(net.ops[0].params, 16 * 8 * 3 + 16);
  EXPECT_EQ(net.output_of(net.ops[2], 1).name, "b");
  EXPECT_EQ(net.output_of(net.ops[2], 1).shape, (Shape{1, 8, 8, 8}));
  EXPECT_EQ(net.output_of(net.ops[3]).shape, (Shape{1, 8, 4, 4}));
  EXPECT_EQ(net.output_of(net.ops[5]).shape, (Shape{1, 16, 8, 8}));
  EXPECT_EQ(net.output_of(net.ops[6]).shape, (Shape{1, 16}));
  EXPECT_EQ(net.ops[7].params, 99);
  EXPECT_EQ(net.ops[8].attrs.axis, -1);
  ASSERT_EQ(net.outputs.size(), 2u);
  EXPECT_EQ(net.tensors[net.outputs[1]].name, "emb");
}

TEST(WorkloadYaml, RoundTripIsExact) {
  Network first = load_yaml_text(kRichYaml, "rich.yaml");
  std::string text = to_yaml(first);
  Network second = load_yaml_text(text, "rich2.yaml");
  EXPECT_EQ(second, first) << text;
  EXPECT_EQ(to_yaml(second), text);
}

TEST(WorkloadYaml, RoundTripOfBuiltInSuite) {
  for (const SuiteEntry& entry : suite()) {
    SCOPED_TRACE(entry.name);
    Network first = load_network(entry.name);
    std::string text = to_yaml(first);
    Network second = load_yaml_text(text, entry.name + ".yaml");
    EXPECT_TRUE(second == first);
    EXPECT_EQ(to_yaml(second), text);
  }
}

TEST(WorkloadYaml, RoundTripOfBuiltNetworks) {
  Network net = with_batch(small_net(), 3, "<test>");
  Network back = load_yaml_text(to_yaml(net), "small.yaml");
  EXPECT_EQ(back, net);
}

TEST(WorkloadYaml, LoadOptions) {
  LoadOptions o;
  o.input_shapes = {{"x", {1, 8, 32, 32}}};
  o.batch = 2;
  Network net = load_yaml_text(kRichYaml, "rich.yaml", o);
  EXPECT_EQ(net.tensors[net.inputs[0]].shape, (Shape{2, 8, 32, 32}));
  EXPECT_EQ(net.tensors[net.inputs[1]].shape, (Shape{2, 5}));
  LoadOptions unnamed;
  unnamed.input_shapes = {{"", {1, 8, 32, 32}}};
  expect_input_error([&] { load_yaml_text(kRichYaml, "rich.yaml", unnamed); }, {"2 inputs"});
  LoadOptions unknown;
  unknown.input_shapes = {{"nope", {1}}};
  expect_input_error([&] { load_yaml_text(kRichYaml, "rich.yaml", unknown); }, {"no input named 'nope'"});
}

// Wraps layer lines in a minimal network; the layers start at line 5.
std::string net_with_layers(const std::string& layers) {
  return "name: bad\ninputs:\n  - {name: x, shape: [1, 8, 4, 4]}\nlayers:\n" + layers;
}

TEST(WorkloadYamlErrors, MissingAndEmptyFiles) {
  expect_input_error([] { load_yaml("/nonexistent/dir/net.yaml"); }, {"/nonexistent/dir/net.yaml", "no such file"});
  expect_input_error([] { load_network("/nonexistent/dir/net.yaml"); }, {"/nonexistent/dir/net.yaml"});
  expect_input_error([] { load_network("no_such_model_name"); }, {"no_such_model_name", "not a built-in model"});
  TempDir dir;
  std::string empty = dir.write("empty.yaml", "");
  expect_input_error([&] { load_yaml(empty); }, {empty, "empty"});
  expect_input_error([&] { load_yaml(dir.path().string()); }, {"directory"});
  std::string unknown_ext = dir.write("net.txt", "x");
  expect_input_error([&] { load_network(unknown_ext); }, {"net.txt", "extension"});
}

TEST(WorkloadYamlErrors, MalformedYaml) {
  expect_input_error([] { load_yaml_text("name: x\nlayers: [\n", "m.yaml"); }, {"m.yaml", "line", "malformed YAML"});
  expect_input_error([] { load_yaml_text("- 1\n- 2\n", "m.yaml"); }, {"expected a mapping"});
}

TEST(WorkloadYamlErrors, UnknownKeys) {
  expect_input_error([] { load_yaml_text("nmae: x\n", "u.yaml"); }, {"u.yaml", "line 1", "nmae", "unknown key"});
  expect_input_error(
      [] { load_yaml_text(net_with_layers("  - {name: c1, op: conv, out_channels: 8, kernal: 3}\n"), "u.yaml"); },
      {"u.yaml", "line 5", "layers[0] (c1).kernal", "unknown key 'kernal'", "kernel"});
  expect_input_error([] { load_yaml_text(net_with_layers("  - {name: r, op: relu, kernel: 3}\n"), "u.yaml"); },
                     {"layers[0] (r).kernel"});
  expect_input_error(
      [] { load_yaml_text("name: a\nname: b\ninputs:\n  - {name: x, shape: [1]}\nlayers: []\n", "d.yaml"); },
      {"name", "twice"});
}

TEST(WorkloadYamlErrors, WrongTypes) {
  expect_input_error(
      [] {
        load_yaml_text(net_with_layers("  - {name: r, op: relu}\n"
                                       "  - {name: conv2, op: conv, out_channels: 8, kernel: abc}\n"),
                       "models/x.yaml");
      },
      {"models/x.yaml: line 6, layers[1] (conv2).kernel: expected an integer or [h, w], got 'abc'"});
  expect_input_error(
      [] { load_yaml_text(net_with_layers("  - {name: c, op: conv, out_channels: 8, bias: maybe}\n"), "t.yaml"); },
      {"layers[0] (c).bias", "expected true or false, got 'maybe'"});
  expect_input_error(
      [] { load_yaml_text(net_with_layers("  - {name: c, op: conv, out_channels: 8, pad: [1, 2, 3]}\n"), "t.yaml"); },
      {"layers[0] (c).pad", "[top, left, bottom, right]", "3 entries"});
  expect_input_error([] { load_yaml_text("name: n\ninputs:\n  - {name: x, shape: [1, -3]}\nlayers: []\n", "t.yaml"); },
                     {"line 3", "inputs[0].shape[1]", "positive"});
  expect_input_error([] { load_yaml_text("name: n\ninputs: 5\nlayers: []\n", "t.yaml"); },
                     {"line 2", "inputs", "got '5'"});
  expect_input_error(
      [] { load_yaml_text(net_with_layers("  - {name: f, op: linear, out_features: 2.5}\n"), "t.yaml"); },
      {"layers[0] (f).out_features", "expected an integer, got '2.5'"});
}

TEST(WorkloadYamlErrors, UnknownOpAndMissingKeys) {
  expect_input_error([] { load_yaml_text(net_with_layers("  - {name: c1, op: convolution}\n"), "o.yaml"); },
                     {"o.yaml", "line 5", "layers[0] (c1).op", "unknown op 'convolution'", "conv"});
  expect_input_error([] { load_yaml_text(net_with_layers("  - {name: c1, op: conv, kernel: 3}\n"), "o.yaml"); },
                     {"layers[0] (c1)", "missing key 'out_channels'"});
  expect_input_error([] { load_yaml_text(net_with_layers("  - {op: relu}\n"), "o.yaml"); },
                     {"layers[0]", "missing key 'name'"});
  expect_input_error([] { load_yaml_text("name: n\nlayers: []\n", "o.yaml"); }, {"missing key 'inputs'"});
}

TEST(WorkloadYamlErrors, MissingInputTensor) {
  expect_input_error(
      [] {
        load_yaml_text(net_with_layers("  - {name: r, op: relu}\n"
                                       "  - {name: a, op: add, in: [r, nosuch]}\n"),
                       "i.yaml");
      },
      {"i.yaml", "line 6", "layers[1] (a).in", "unknown tensor 'nosuch'"});
  expect_input_error([] { load_yaml_text(net_with_layers("  - {name: r, op: relu}\noutputs: [zz]\n"), "i.yaml"); },
                     {"line 6, outputs", "unknown tensor 'zz'"});
  expect_input_error(
      [] {
        load_yaml_text(
            "name: n\ninputs:\n  - {name: x, shape: [1]}\n  - {name: x, shape: [2]}\n"
            "layers:\n  - {name: r, op: relu}\n",
            "i.yaml");
      },
      {"line 4, inputs[1].name", "given twice"});
}

TEST(WorkloadYamlErrors, InconsistentShapes) {
  expect_input_error(
      [] {
        load_yaml_text(net_with_layers("  - {name: c, op: conv, out_channels: 4, in: x}\n"
                                       "  - {name: a, op: add, in: [x, c]}\n"),
                       "s.yaml");
      },
      {"s.yaml", "line 6", "layers[1] (a)", "1x8x4x4 and 1x4x4x4 do not broadcast"});
  expect_input_error([] { load_yaml_text(net_with_layers("  - {name: r, op: reshape, dims: [1, 100]}\n"), "s.yaml"); },
                     {"layers[0] (r)", "cannot reshape 1x8x4x4"});
}

// --- SCALE-Sim topologies ------------------------------------------------------------

TEST(WorkloadScaleSim, ConvolutionTopology) {
  Network net = load_scalesim_csv(kShared + "/os_32x32__conv_test/topology_test.csv");
  ASSERT_EQ(net.ops.size(), 1u);
  const Op& op = net.ops[0];
  EXPECT_EQ(op.name, "Inc5b_3x3");
  EXPECT_EQ(net.input_of(op).shape, (Shape{1, 192, 7, 7}));
  EXPECT_EQ(net.output_of(op).shape, (Shape{1, 384, 5, 5}));
  EXPECT_EQ(macs(net, op), int64_t{5} * 5 * 3 * 3 * 192 * 384);
  EXPECT_EQ(op.params, 384 * 192 * 9);
}

TEST(WorkloadScaleSim, ConvolutionRowsAreIndependentAndSizedAsScaleSim) {
  Network net = load_scalesim_csv(kShared + "/default_scale__alexnet/topology_alexnet.csv");
  ASSERT_EQ(net.ops.size(), 5u);
  EXPECT_EQ(net.inputs.size(), 5u);
  // SCALE-Sim: ofmap = ceil((224 - 11 + 4) / 4) = 55 (not floor(213/4) + 1 = 54).
  EXPECT_EQ(net.output_of(net.ops[0]).shape, (Shape{1, 96, 55, 55}));
  EXPECT_EQ(macs(net, net.ops[0]), int64_t{55} * 55 * 11 * 11 * 3 * 96);
  // Conv2: 27x27, 5x5, stride 1 -> 23x23 (no padding in SCALE-Sim).
  EXPECT_EQ(net.input_of(net.ops[1]).shape, (Shape{1, 96, 27, 27}));
  EXPECT_EQ(net.output_of(net.ops[1]).shape, (Shape{1, 256, 23, 23}));
  // ResNet-50 1x1 stride-2 projection: ceil((56 - 1 + 2) / 2) = 29.
  Network resnet = load_scalesim_csv(kShared + "/os_32x32__resnet50/topology_Resnet50.csv");
  auto cb3a = std::find_if(resnet.ops.begin(), resnet.ops.end(), [](const Op& op) { return op.name == "CB3a_1"; });
  ASSERT_NE(cb3a, resnet.ops.end());
  EXPECT_EQ(resnet.output_of(*cb3a).shape, (Shape{1, 128, 29, 29}));
}

TEST(WorkloadScaleSim, GemmTopology) {
  // "Test 1, 128, 64, 256," with no final newline: M = 128, N = 64, K = 256.
  Network net = load_scalesim_csv(kShared + "/is_32x32__gemm_test_mnk_input/topology_test_mnk_input.csv");
  ASSERT_EQ(net.ops.size(), 1u);
  const Op& op = net.ops[0];
  EXPECT_EQ(op.name, "Test 1");
  EXPECT_EQ(op.type, "linear");
  EXPECT_EQ(gemms(net, op).at(0), (Gemm{.m = 128, .k = 256, .n = 64}));
  EXPECT_EQ(macs(net, op), int64_t{128} * 64 * 256);
  EXPECT_EQ(net.output_of(op).shape, (Shape{1, 128, 64}));
}

TEST(WorkloadScaleSim, GemmTopologyWithCrLf) {
  Network net = load_scalesim_csv(kShared + "/ws_32x32__gemm_NCF/topology_NCF.csv");
  ASSERT_EQ(net.ops.size(), 12u);
  EXPECT_EQ(net.ops[9].name, "10");
  EXPECT_EQ(gemms(net, net.ops[9]).at(0), (Gemm{.m = 128, .k = 2048, .n = 1}));
  EXPECT_EQ(gemms(net, net.ops[11]).at(0), (Gemm{.m = 2048, .k = 1, .n = 128}));
  LoadOptions two;
  two.batch = 2;
  Network batched = load_scalesim_csv(kShared + "/ws_32x32__gemm_NCF/topology_NCF.csv", two);
  EXPECT_EQ(gemms(batched, batched.ops[9]).at(0).m, 256);
}

TEST(WorkloadScaleSim, EverySharedTopologyLoads) {
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kShared)) {
    if (entry.path().extension() != ".csv") continue;
    SCOPED_TRACE(entry.path().string());
    Network net = load_network(entry.path().string());
    EXPECT_FALSE(net.ops.empty());
    EXPECT_GT(totals(net).macs, 0);
    ++files;
  }
  EXPECT_GT(files, 0);
}

TEST(WorkloadScaleSim, DepthwiseRowsByName) {
  // SCALE-Sim expands a row named *DP* into C single-channel layers of N filters each.
  TempDir dir;
  std::string path = dir.write("dw.csv",
                               "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
                               "Channels, Num Filter, Strides,\nConvDP1, 8, 8, 3, 3, 16, 1, 1,\n");
  Network net = load_scalesim_csv(path);
  EXPECT_EQ(net.ops[0].attrs.groups, 16);
  EXPECT_EQ(net.output_of(net.ops[0]).shape, (Shape{1, 16, 6, 6}));
  EXPECT_EQ(macs(net, net.ops[0]), int64_t{16} * 36 * 9);
}

const char* const kConvHeader =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
    "Strides,\n";

TEST(WorkloadScaleSimErrors, BadFiles) {
  TempDir dir;
  expect_input_error([] { load_scalesim_csv("/nonexistent/topo.csv"); }, {"/nonexistent/topo.csv", "no such file"});
  std::string empty = dir.write("empty.csv", "\n\n");
  expect_input_error([&] { load_scalesim_csv(empty); }, {empty, "empty"});
  std::string header_only = dir.write("header.csv", kConvHeader);
  expect_input_error([&] { load_scalesim_csv(header_only); }, {"line 1", "no layers"});
  std::string odd = dir.write("odd.csv", "Layer, A, B,\nx, 1, 2,\n");
  expect_input_error([&] { load_scalesim_csv(odd); }, {"line 1", "unrecognised header"});
}

TEST(WorkloadScaleSimErrors, BadConvolutionRows) {
  TempDir dir;
  std::string missing = dir.write("missing.csv", std::string(kConvHeader) + "C1, 8, 8, 3, 3, 4, 1,\n");
  expect_input_error([&] { load_scalesim_csv(missing); }, {missing, "line 2", "expected 8 columns", "got 7 columns"});
  std::string text =
      dir.write("text.csv", std::string(kConvHeader) + "C1, 8, 8, 3, 3, 4, 4, 1,\nC2, 8, 8, 3, abc, 4, 4, 1,\n");
  expect_input_error([&] { load_scalesim_csv(text); },
                     {"line 3, column 'Filter Width' (layer C2)", "expected a positive integer, got 'abc'"});
  std::string zero = dir.write("zero.csv", std::string(kConvHeader) + "\nC1, 8, 8, 3, 3, 0, 4, 1,\n");
  expect_input_error([&] { load_scalesim_csv(zero); }, {"line 3, column 'Channels'", "got '0'"});
  std::string negative = dir.write("neg.csv", std::string(kConvHeader) + "C1, 8, 8, 3, 3, 4, 4, -2,\n");
  expect_input_error([&] { load_scalesim_csv(negative); }, {"line 2, column 'Strides'", "got '-2'"});
  std::string too_big = dir.write("big.csv", std::string(kConvHeader) + "C1, 8, 8, 9, 3, 4, 4, 1,\n");
  expect_input_error([&] { load_scalesim_csv(too_big); }, {"line 2 (layer C1)", "larger than"});
  std::string fractional = dir.write("frac.csv", std::string(kConvHeader) + "C1, 8.5, 8, 3, 3, 4, 4, 1,\n");
  expect_input_error([&] { load_scalesim_csv(fractional); }, {"IFMAP Height", "got '8.5'"});
}

TEST(WorkloadScaleSimErrors, BadGemmRows) {
  TempDir dir;
  std::string missing = dir.write("m.csv", "Layer, M, N, K,\nG1, 4, 4,\n");
  expect_input_error([&] { load_scalesim_csv(missing); }, {"line 2", "expected 4 columns"});
  std::string zero = dir.write("z.csv", "Layer, M, N, K,\nG1, 4, 0, 4,\n");
  expect_input_error([&] { load_scalesim_csv(zero); }, {"line 2, column 'N' (layer G1)", "got '0'"});
  std::string text = dir.write("t.csv", "Layer, M, N, K,\r\nG1, 4, 4, four,\r\n");
  expect_input_error([&] { load_scalesim_csv(text); }, {"line 2, column 'K'", "got 'four'"});
  LoadOptions shapes;
  shapes.input_shapes = {{"", {1, 2}}};
  std::string ok = dir.write("ok.csv", "Layer, M, N, K,\nG1, 4, 4, 4,\n");
  expect_input_error([&] { load_scalesim_csv(ok, shapes); }, {"override"});
}

// --- Suite ---------------------------------------------------------------------------

// Points ACCELDSE_DATA_DIR at a temporary folder for the test's lifetime.
class ScopedDataDir {
 public:
  explicit ScopedDataDir(const fs::path& dir) {
    if (const char* old = std::getenv("ACCELDSE_DATA_DIR")) old_ = old;
    ::setenv("ACCELDSE_DATA_DIR", dir.c_str(), 1);
  }
  ~ScopedDataDir() {
    if (old_)
      ::setenv("ACCELDSE_DATA_DIR", old_->c_str(), 1);
    else
      ::unsetenv("ACCELDSE_DATA_DIR");
  }

 private:
  std::optional<std::string> old_;
};

TEST(WorkloadSuiteIndex, ReadsHeadersOfModelFiles) {
  TempDir dir;
  dir.write("models/tiny.yaml",
            "name: tiny\ndomain: vision\ndescription: a tiny net\npaper_suite: true\n"
            "inputs:\n  - {name: x, shape: [1, 4]}\nlayers:\n  - {name: fc, op: linear, out_features: 2}\n");
  dir.write("models/other.yaml",
            "name: other\ndomain: speech\ninputs:\n  - {name: x, shape: [1, 4]}\n"
            "layers:\n  - {name: r, op: relu}\n");
  dir.write("models/notes.txt", "not a model");
  ScopedDataDir scoped(dir.path());
  std::vector<SuiteEntry> entries = suite();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].name, "other");
  EXPECT_FALSE(entries[0].paper_suite);
  EXPECT_EQ(entries[1].name, "tiny");
  EXPECT_EQ(entries[1].description, "a tiny net");
  EXPECT_EQ(paper_suite_names(), (std::vector<std::string>{"tiny"}));
  EXPECT_TRUE(is_builtin("tiny"));
  EXPECT_FALSE(is_builtin("notes"));
  EXPECT_FALSE(is_builtin("../models/tiny"));
  EXPECT_EQ(totals(load_network("tiny")).macs, 8);

  dir.write("models/mismatch.yaml", "name: something_else\n");
  expect_input_error([] { suite(); }, {"mismatch.yaml", "must match the file name"});
}

}  // namespace
