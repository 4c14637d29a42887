// The built-in network suite (models/*.yaml, written by tools/gen_models.py): every
// model loads, and the counts of the library match published figures within 1% and
// the generator's own independent counts exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "common/data_dir.h"
#include "workload/workload.h"

namespace {

using acceldse::workload::load_network;
using acceldse::workload::Network;
using acceldse::workload::Shape;
using acceldse::workload::totals;

// |got - want| <= 1% of want.
::testing::AssertionResult Within1Percent(double got, double want) {
  const double rel = (got - want) / want;
  if (rel <= 0.01 && rel >= -0.01) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << static_cast<int64_t>(got) << ", published "
                                       << static_cast<int64_t>(want) << " (" << rel * 100 << "%)";
}

TEST(WorkloadSuite, ResNet50MatchesTorchvision) {
  const auto t = totals(load_network("resnet50"));
  // pytorch.org/vision/stable/models/generated/torchvision.models.resnet50.html,
  // ResNet50_Weights.IMAGENET1K_V1: GFLOPS 4.09 (torchvision counts MACs), num_params 25557032.
  EXPECT_TRUE(Within1Percent(t.macs, 4.09e9));
  EXPECT_TRUE(Within1Percent(t.params, 25557032));
}

TEST(WorkloadSuite, Vgg16MatchesTorchvision) {
  const auto t = totals(load_network("vgg16"));
  // torchvision.models.vgg16 docs, VGG16_Weights.IMAGENET1K_V1: GFLOPS 15.47, num_params 138357544.
  EXPECT_TRUE(Within1Percent(t.macs, 15.47e9));
  EXPECT_TRUE(Within1Percent(t.params, 138357544));
}

TEST(WorkloadSuite, MobileNetV2MatchesTorchvision) {
  const auto t = totals(load_network("mobilenet_v2"));
  // torchvision.models.mobilenet_v2 docs, MobileNet_V2_Weights.IMAGENET1K_V1: GFLOPS 0.30
  // (_ops 0.301 in torchvision/models/mobilenetv2.py), num_params 3504872.
  EXPECT_TRUE(Within1Percent(t.macs, 0.301e9));
  EXPECT_TRUE(Within1Percent(t.params, 3504872));
}

TEST(WorkloadSuite, AlexNetMatchesTorchvision) {
  const auto t = totals(load_network("alexnet"));
  // torchvision.models.alexnet docs, AlexNet_Weights.IMAGENET1K_V1: GFLOPS 0.71 (_ops 0.714),
  // num_params 61100840.
  EXPECT_TRUE(Within1Percent(t.macs, 0.714e9));
  EXPECT_TRUE(Within1Percent(t.params, 61100840));
}

TEST(WorkloadSuite, GoogLeNetMatchesTorchvision) {
  const auto t = totals(load_network("googlenet"));
  // torchvision.models.googlenet docs, GoogLeNet_Weights.IMAGENET1K_V1: GFLOPS 1.50 (_ops 1.498),
  // num_params 6624904 (aux classifiers not included, as in our model).
  EXPECT_TRUE(Within1Percent(t.macs, 1.498e9));
  EXPECT_TRUE(Within1Percent(t.params, 6624904));
}

TEST(WorkloadSuite, InceptionV3MatchesTorchvision) {
  const auto t = totals(load_network("inception_v3"));
  // torchvision.models.inception_v3 docs, Inception_V3_Weights.IMAGENET1K_V1: GFLOPS 5.71
  // (_ops 5.713).
  EXPECT_TRUE(Within1Percent(t.macs, 5.713e9));
  // Same page: num_params 27161264, which includes the aux head (conv 768->128 1x1 + BN:
  // 98,560; conv 128->768 5x5 + BN: 2,459,136; fc 768->1000: 769,000; total 3,326,696);
  // our model excludes the aux head: 27161264 - 3326696 = 23834568.
  EXPECT_TRUE(Within1Percent(t.params, 27161264 - 3326696));
}

TEST(WorkloadSuite, DenseNet121MatchesTorchvision) {
  const auto t = totals(load_network("densenet121"));
  // torchvision.models.densenet121 docs, DenseNet121_Weights.IMAGENET1K_V1: GFLOPS 2.83
  // (_ops 2.834), num_params 7978856.
  EXPECT_TRUE(Within1Percent(t.macs, 2.834e9));
  EXPECT_TRUE(Within1Percent(t.params, 7978856));
}

TEST(WorkloadSuite, MobileNetV1MatchesPaper) {
  const auto t = totals(load_network("mobilenet_v1"));
  // Howard et al. 2017 (arXiv 1704.04861), Table 8, 1.0 MobileNet-224: 569 million
  // mult-adds, 4.2 million parameters; TF-Slim mobilenet_v1.md: 569 M MACs, 4.24 M params.
  EXPECT_TRUE(Within1Percent(t.macs, 569e6));
  EXPECT_TRUE(Within1Percent(t.params, 4.24e6));
}

TEST(WorkloadSuite, YoloV3MatchesDarknet) {
  const auto t = totals(load_network("yolov3"));
  // Redmon & Farhadi 2018 / pjreddie.com/darknet/yolo table: YOLOv3-416 65.86 Bn FLOPs,
  // darknet counting 2 FLOPs per MAC of its conv layers -> 32.93 GMACs.
  EXPECT_TRUE(Within1Percent(t.macs, 65.86e9 / 2));
  // ultralytics/yolov3 model summary (80 classes): 61,949,149 parameters.
  EXPECT_TRUE(Within1Percent(t.params, 61949149));
}

TEST(WorkloadSuite, BertBaseMatchesPaper) {
  const auto t = totals(load_network("bert_base"));
  // Devlin et al. 2019 (arXiv 1810.04805) Sec. 3: BERT-base, 110M parameters.
  EXPECT_TRUE(Within1Percent(t.params, 110e6));
  // Closed form for 128 tokens: 12 layers x (4*768*768 + 2*768*3072) x 128 (linears)
  // + 12 x 2 x 12 x 128*64*128 (Q.K^T and A.V) + 768*768 (pooler on [CLS]) = 11.17 G.
  const double linears = 12.0 * (4.0 * 768 * 768 + 2.0 * 768 * 3072) * 128;
  const double attention = 12.0 * 2 * 12 * 128 * 64 * 128;
  EXPECT_TRUE(Within1Percent(t.macs, linears + attention + 768.0 * 768));
}

TEST(WorkloadSuite, Gpt2SmallMatchesRelease) {
  const auto prefill = totals(load_network("gpt2_small_prefill"));
  const auto decode = totals(load_network("gpt2_small_decode"));
  // OpenAI gpt-2 release / Hugging Face "gpt2" model card: GPT-2 small has 124M
  // parameters (LM head tied to the token embedding, counted once).
  EXPECT_TRUE(Within1Percent(prefill.params, 124e6));
  EXPECT_TRUE(Within1Percent(decode.params, 124e6));
  // Closed forms: per layer 768*2304 + 768*768 + 2*768*3072 linear MACs per token,
  // attention 2*12*64*positions per query token, LM head 768*50257 per token.
  const double per_token = 12.0 * (4.0 * 768 * 768 + 2.0 * 768 * 3072) + 768.0 * 50257;
  EXPECT_TRUE(Within1Percent(prefill.macs, 128 * per_token + 12.0 * 2 * 12 * 128 * 64 * 128));
  EXPECT_TRUE(Within1Percent(decode.macs, per_token + 12.0 * 2 * 12 * 64 * 129));
}

// The exact counts tools/gen_models.py computes independently of the library.
TEST(WorkloadSuite, CountsMatchGenerator) {
  struct Expected {
    const char* name;
    int64_t macs;
    int64_t params;
  };
  const Expected expected[] = {
      {"alexnet", 714188480, 61100840},
      {"vgg16", 15470264320, 138357544},
      {"googlenet", 1498376192, 6624904},
      {"inception_v3", 5713216096, 23834568},
      {"resnet50", 4089184256, 25557032},
      {"mobilenet_v1", 568741376, 4233001},
      {"mobilenet_v2", 300774272, 3504872},
      {"densenet121", 2834161664, 7978856},
      {"yolov3", 32932037632, 61949149},
      {"bert_base", 11174215680, 109482240},
      {"gpt2_small_prefill", 16114089984, 124439808},
      {"gpt2_small_decode", 125909760, 124439808},
      {"deepspeech2", 4954260768, 86618400},
  };
  for (const auto& e : expected) {
    SCOPED_TRACE(e.name);
    const auto t = totals(load_network(e.name));
    EXPECT_EQ(t.macs, e.macs);
    EXPECT_EQ(t.params, e.params);
  }
}

TEST(WorkloadSuite, EveryModelFileLoads) {
  const auto dir = acceldse::data_path("models");
  std::set<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    files.insert(entry.path().stem().string());
    SCOPED_TRACE(entry.path().string());
    Network net;
    ASSERT_NO_THROW(net = load_network(entry.path().string()));
    EXPECT_EQ(net.name, entry.path().stem().string());
    EXPECT_FALSE(net.ops.empty());
    EXPECT_FALSE(net.outputs.empty());
    EXPECT_FALSE(net.description.empty());
    EXPECT_GT(totals(net).macs, 0);
  }
  EXPECT_GE(files.size(), 13u);
  std::set<std::string> builtins;
  for (const auto& entry : acceldse::workload::suite()) {
    builtins.insert(entry.name);
    EXPECT_TRUE(acceldse::workload::is_builtin(entry.name)) << entry.name;
    EXPECT_NO_THROW(load_network(entry.name)) << entry.name;
  }
  EXPECT_EQ(builtins, files);
}

TEST(WorkloadSuite, PaperSuiteIsEightNetworksOverFourDomains) {
  const auto names = acceldse::workload::paper_suite_names();
  ASSERT_EQ(names.size(), 8u);
  std::set<std::string> domains;
  for (const auto& entry : acceldse::workload::suite()) {
    const bool listed = std::find(names.begin(), names.end(), entry.name) != names.end();
    EXPECT_EQ(listed, entry.paper_suite) << entry.name;
    if (entry.paper_suite) domains.insert(entry.domain);
  }
  EXPECT_EQ(domains, (std::set<std::string>{"vision", "detection", "language", "speech"}));
}

TEST(WorkloadSuite, Gpt2DecodeAttendsTo129Positions) {
  const Network net = load_network("gpt2_small_decode");
  int scores = 0, contexts = 0;
  for (const auto& op : net.ops) {
    if (op.type != "matmul") continue;
    const Shape& a = net.input_of(op, 0).shape;
    const Shape& b = net.input_of(op, 1).shape;
    if (a == Shape{1, 12, 1, 64} && b == Shape{1, 12, 64, 129}) {
      EXPECT_EQ(net.output_of(op).shape, (Shape{1, 12, 1, 129})) << op.name;
      ++scores;
    }
    if (a == Shape{1, 12, 1, 129} && b == Shape{1, 12, 129, 64}) ++contexts;
  }
  EXPECT_EQ(scores, 12);    // Q.K^T in each of the 12 layers
  EXPECT_EQ(contexts, 12);  // A.V in each of the 12 layers
  // The past caches [1,12,128,64] are graph inputs: 12 keys + 12 values + ids + positions.
  int caches = 0;
  for (int t : net.inputs) caches += net.tensors[t].shape == Shape{1, 12, 128, 64};
  EXPECT_EQ(caches, 24);
}

TEST(WorkloadSuite, RebatchedResNet50HasEightTimesTheMacs) {
  const Network net = load_network("resnet50");
  const Network batched = acceldse::workload::with_batch(net, 8, "<built-in resnet50>");
  EXPECT_EQ(totals(batched).macs, 8 * totals(net).macs);
  EXPECT_EQ(totals(batched).params, totals(net).params);
  EXPECT_EQ(batched.tensors[batched.inputs.at(0)].shape, (Shape{8, 3, 224, 224}));
}

}  // namespace
