// fit-model on constructed networks: which widths move, which are tied, and that the
// network it writes reproduces the predicted speed-up.
#include <gtest/gtest.h>

#include <algorithm>

#include "common/error.h"
#include "dse/study.h"
#include "test_dse_study_util.h"

namespace acceldse::dse {
namespace {

using workload::Attrs;
using workload::NetworkBuilder;

// edge_32x32 made 64 x 64, with memory fast enough that the layers below are compute
// bound: the width to fit to is 64, and a saved fold shows in full.
arch::Accelerator array64() {
  arch::Accelerator a = arch::load_accelerator("edge_32x32");
  a.tensor.rows = 64;
  a.tensor.cols = 64;
  a.dram.bandwidth_gb_per_s = 1024;
  a.buffers.input_kib = a.buffers.weight_kib = a.buffers.output_kib = 1024;
  arch::validate(a, "<test>");
  return a;
}

Attrs conv(int64_t out, int64_t kernel = 3) {
  Attrs a = workload::default_attrs("conv");
  a.out_channels = out;
  a.kernel = {kernel, kernel};
  int64_t pad = kernel / 2;
  a.pads = {pad, pad, pad, pad};
  return a;
}

Attrs none(const std::string& type) { return workload::default_attrs(type); }

// 256 -> conv 65 (3x3) -> relu -> conv 10 (the output). Deep enough to be compute bound,
// so one column fold of 65 channels wasted on a 64-wide array shows.
workload::Network odd_channels() {
  NetworkBuilder b("odd", "<test>");
  b.add_input("x", {1, 256, 28, 28});
  b.add_op("a", "conv", {"x"}, conv(65));
  b.add_op("ra", "relu", {"a"}, none("relu"));
  b.add_op("head", "conv", {"ra"}, conv(10, 1));
  return b.finish();
}

const FitChange* find_change(const FitResult& r, const std::string& layer, const std::string& field) {
  auto it = std::find_if(r.changes.begin(), r.changes.end(),
                         [&](const FitChange& c) { return c.layer == layer && c.field == field; });
  return it == r.changes.end() ? nullptr : &*it;
}

// Writes the fitted network as YAML, reads it back and evaluates it afresh.
int64_t reimported_cycles(const FitResult& r, const arch::Accelerator& accel) {
  workload::Network back = workload::load_yaml_text(workload::to_yaml(r.fitted), "<fitted>");
  EXPECT_EQ(back, r.fitted);
  return cost::evaluate_network(back, accel).totals.cycles;
}

TEST(Fit, SixtyFiveChannelsBecomeSixtyFour) {
  arch::Accelerator accel = array64();
  FitResult r = fit_network(odd_channels(), accel, FitOptions{10});
  const FitChange* c = find_change(r, "a", "out_channels");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->old_value, std::vector<int64_t>{65});
  EXPECT_EQ(c->new_value, std::vector<int64_t>{64});           // 128 is +97%, outside 10%
  EXPECT_EQ(find_change(r, "head", "out_channels"), nullptr);  // the output stays
  EXPECT_GT(r.speedup(), 1.3);  // one of two column folds of `a` (and row folds of head) goes
  EXPECT_LT(r.params_after, r.params_before);
  int64_t cycles = reimported_cycles(r, accel);
  EXPECT_NEAR(static_cast<double>(r.cycles_before) / static_cast<double>(cycles), r.speedup(), r.speedup() * 0.01);
}

TEST(Fit, SixtyFourWinsOverOneHundredTwentyEightEvenWhenAllowed) {
  // 128 keeps both folds (and adds MACs); 64 removes one: the rule keeps the one that
  // saves cycles.
  FitResult r = fit_network(odd_channels(), array64(), FitOptions{100});
  const FitChange* c = find_change(r, "a", "out_channels");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->new_value, std::vector<int64_t>{64});
}

TEST(Fit, ZeroToleranceChangesNothing) {
  FitResult r = fit_network(odd_channels(), array64(), FitOptions{0});
  EXPECT_TRUE(r.changes.empty());
  EXPECT_EQ(r.cycles_after, r.cycles_before);
  EXPECT_EQ(r.fitted, odd_channels());
}

TEST(Fit, ResidualAddTiesChannels) {
  NetworkBuilder b("res", "<test>");
  b.add_input("x", {1, 128, 28, 28});
  b.add_op("a", "conv", {"x"}, conv(65));
  b.add_op("ra", "relu", {"a"}, none("relu"));
  b.add_op("b", "conv", {"ra"}, conv(65));
  b.add_op("bn", "batchnorm", {"b"}, none("batchnorm"));
  b.add_op("sum", "add", {"bn", "ra"}, none("add"));
  b.add_op("head", "conv", {"sum"}, conv(10, 1));
  arch::Accelerator accel = array64();
  FitResult r = fit_network(b.finish(), accel, FitOptions{10});
  const FitChange *ca = find_change(r, "a", "out_channels"), *cb = find_change(r, "b", "out_channels");
  ASSERT_NE(ca, nullptr);
  ASSERT_NE(cb, nullptr);
  EXPECT_EQ(ca->new_value, cb->new_value);  // changed together, so the add stays valid
  EXPECT_EQ(ca->new_value, std::vector<int64_t>{64});
  reimported_cycles(r, accel);
}

TEST(Fit, ABiasAddedAfterAProjectionFollowsItsWidth) {
  // An ONNX MatMul + Add imports as a linear layer without bias and an add owning the 65
  // bias values; when the width becomes 64 so does the bias.
  NetworkBuilder b("bias", "<test>");
  b.add_input("x", {1, 256, 256});
  Attrs proj = none("linear");
  proj.out_features = 65;
  b.add_op("proj", "linear", {"x"}, proj);
  b.add_op("proj_bias", "add", {"proj"}, none("add"), {}, 65);
  Attrs out = none("linear");
  out.out_features = 10;
  b.add_op("out", "linear", {"proj_bias"}, out);
  FitResult r = fit_network(b.finish(), array64(), FitOptions{10});
  ASSERT_NE(find_change(r, "proj", "out_features"), nullptr);
  EXPECT_EQ(r.fitted.ops[1].params, 64);
  EXPECT_EQ(r.params_after, 256 * 64 + 64 + 64 * 10);
}

TEST(Fit, ChannelsTiedToTheNetworkInputStay) {
  NetworkBuilder b("in", "<test>");
  b.add_input("x", {1, 65, 28, 28});
  b.add_op("a", "conv", {"x"}, conv(65));
  b.add_op("sum", "add", {"a", "x"}, none("add"));
  b.add_op("head", "conv", {"sum"}, conv(10, 1));
  FitResult r = fit_network(b.finish(), array64(), FitOptions{10});
  EXPECT_TRUE(r.changes.empty());
  EXPECT_EQ(r.frozen_classes, r.classes);
}

TEST(Fit, ConcatenatedBranchesChangeIndependently) {
  NetworkBuilder b("cat", "<test>");
  b.add_input("x", {1, 128, 28, 28});
  b.add_op("p", "conv", {"x"}, conv(65));
  b.add_op("q", "conv", {"x"}, conv(66));
  Attrs cat = none("concat");
  cat.axis = 1;
  b.add_op("cat", "concat", {"p", "q"}, cat);
  b.add_op("head", "conv", {"cat"}, conv(10, 1));
  arch::Accelerator accel = array64();
  FitResult r = fit_network(b.finish(), accel, FitOptions{10});
  // Two classes (a concat does not tie its inputs), each fitted on its own.
  for (const char* layer : {"p", "q"}) {
    ASSERT_NE(find_change(r, layer, "out_channels"), nullptr) << layer;
    EXPECT_EQ(find_change(r, layer, "out_channels")->new_value, std::vector<int64_t>{64}) << layer;
  }
  EXPECT_EQ(r.fitted.tensors[r.fitted.ops[2].outputs[0]].shape[1], 128);  // the concat follows
  reimported_cycles(r, accel);
}

TEST(Fit, AWidthThatSavesNothingStays) {
  // 63 channels already take one fold of a 64-wide array; 64 would only add work.
  NetworkBuilder b("fits", "<test>");
  b.add_input("x", {1, 128, 28, 28});
  b.add_op("a", "conv", {"x"}, conv(63));
  b.add_op("head", "conv", {"a"}, conv(10, 1));
  FitResult r = fit_network(b.finish(), array64(), FitOptions{10});
  EXPECT_TRUE(r.changes.empty());
}

// One attention layer with 12 heads of 65: the head split is a reshape, so the head
// dimension follows its projection (780 = 12 x 65 -> 768 = 12 x 64), q and k are tied by
// the scores matmul, and the reshapes' literal sizes follow.
workload::Network attention() {
  NetworkBuilder b("heads", "<test>");
  b.add_input("x", {1, 32, 256});
  auto project = [&](const std::string& name, const std::vector<int64_t>& perm) {
    Attrs lin = none("linear");
    lin.out_features = 780;
    b.add_op(name, "linear", {"x"}, lin);
    Attrs split = none("reshape");
    split.dims = {0, 32, 12, 65};
    b.add_op(name + "_heads", "reshape", {name}, split);
    Attrs t = none("transpose");
    t.dims = perm;
    b.add_op(name + "_t", "transpose", {name + "_heads"}, t);
  };
  project("q", {0, 2, 1, 3});
  project("k", {0, 2, 3, 1});
  project("v", {0, 2, 1, 3});
  b.add_op("scores", "matmul", {"q_t", "k_t"}, none("matmul"));
  b.add_op("probs", "softmax", {"scores"}, none("softmax"));
  b.add_op("context", "matmul", {"probs", "v_t"}, none("matmul"));
  Attrs back = none("transpose");
  back.dims = {0, 2, 1, 3};
  b.add_op("context_t", "transpose", {"context"}, back);
  Attrs merge = none("reshape");
  merge.dims = {0, 32, 780};
  b.add_op("merge", "reshape", {"context_t"}, merge);
  Attrs out = none("linear");
  out.out_features = 10;
  b.add_op("out", "linear", {"merge"}, out);
  return b.finish();
}

TEST(Fit, AttentionHeadsFollowTheirProjection) {
  arch::Accelerator accel = array64();
  FitResult r = fit_network(attention(), accel, FitOptions{10});
  for (const char* layer : {"q", "k", "v"}) {
    const FitChange* c = find_change(r, layer, "out_features");
    ASSERT_NE(c, nullptr) << layer;
    EXPECT_EQ(c->new_value, std::vector<int64_t>{768}) << layer;
    const FitChange* d = find_change(r, std::string(layer) + "_heads", "dims");
    ASSERT_NE(d, nullptr) << layer;
    EXPECT_EQ(d->new_value, (std::vector<int64_t>{0, 32, 12, 64})) << layer;
  }
  ASSERT_NE(find_change(r, "merge", "dims"), nullptr);
  EXPECT_EQ(find_change(r, "merge", "dims")->new_value, (std::vector<int64_t>{0, 32, 768}));
  EXPECT_GT(r.speedup(), 1.0);
  reimported_cycles(r, accel);
}

TEST(Fit, ToleranceOutsideZeroToHundredIsAnInputError) {
  EXPECT_THROW(fit_network(odd_channels(), array64(), FitOptions{-1}), InputError);
  EXPECT_THROW(fit_network(odd_channels(), array64(), FitOptions{101}), InputError);
}

TEST(Fit, BuiltInNetworkReimportsAndReproducesTheSpeedup) {
  // googlenet on a 12 x 14 array: odd widths, concats, pools; many classes move.
  arch::Accelerator accel = arch::load_accelerator("eyeriss");
  workload::Network net = workload::load_network("googlenet");
  FitResult r = fit_network(net, accel, FitOptions{10});
  EXPECT_FALSE(r.changes.empty());
  EXPECT_GT(r.speedup(), 1.0);
  EXPECT_LE(std::abs(static_cast<double>(r.params_after - r.params_before)),
            0.1 * static_cast<double>(r.params_before));
  int64_t cycles = reimported_cycles(r, accel);
  EXPECT_NEAR(static_cast<double>(r.cycles_before) / static_cast<double>(cycles), r.speedup(), r.speedup() * 0.01);
  // The classifier's class count is an output: it never changes.
  EXPECT_EQ(r.fitted.tensors[r.fitted.outputs[0]].shape, net.tensors[net.outputs[0]].shape);
}

}  // namespace
}  // namespace acceldse::dse
