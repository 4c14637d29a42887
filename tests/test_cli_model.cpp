// `acceldse models` and `acceldse model show`, run as a user would: the built binary,
// its exit code, stdout and stderr.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli_run.h"
#include "scalesim_inputs.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Result = ::acceldse::test::CliResult;
using ::acceldse::test::slurp;

class CliModel : public ::acceldse::test::CliTest {
 protected:
  CliModel() : CliTest("acceldse_cli_model") {}
  void SetUp() override {
    CliTest::SetUp();
    fs::create_directories(dir_ / "models");
    // conv 3->8 3x3 pad 1 on 16x16, relu, global pool, linear 8->10 (bias).
    small_ = write("small.yaml",
                   "name: small\n"
                   "inputs:\n"
                   "  - {name: image, shape: [1, 3, 16, 16]}\n"
                   "layers:\n"
                   "  - {name: conv1, op: conv, out_channels: 8, kernel: 3, pad: 1}\n"
                   "  - {name: relu1, op: relu}\n"
                   "  - {name: pool, op: global_avgpool}\n"
                   "  - {name: flat, op: flatten}\n"
                   "  - {name: fc, op: linear, out_features: 10, bias: true}\n");
  }
  std::string small_;
};

// MACs of the small network: conv 8*16*16*3*9 = 55,296; linear 8*10 = 80.
constexpr int64_t kSmallMacs = 55296 + 80;
constexpr int64_t kSmallParams = 8 * 3 * 9 + 8 * 10 + 10;

TEST_F(CliModel, ModelsListsTheSuite) {
  write("models/tiny.yaml",
        "name: tiny\ndomain: vision\ndescription: tiny test net\npaper_suite: true\n"
        "inputs:\n  - {name: x, shape: [1, 4]}\nlayers:\n  - {name: fc, op: linear, out_features: 2}\n");
  std::string env = "ACCELDSE_DATA_DIR='" + dir_.string() + "'";
  Result table = run("models", env);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("tiny"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("vision"), std::string::npos);
  EXPECT_NE(table.out.find("1x4"), std::string::npos);
  EXPECT_NE(table.out.find("GMACs"), std::string::npos);

  Result j = run("models --format json", env);
  ASSERT_EQ(j.exit_code, 0) << j.err;
  json doc = json::parse(j.out);
  ASSERT_EQ(doc["models"].size(), 1u);
  EXPECT_EQ(doc["models"][0]["name"], "tiny");
  EXPECT_EQ(doc["models"][0]["macs"], 8);
  EXPECT_EQ(doc["models"][0]["paper_suite"], true);

  Result csv = run("models --format csv", env);
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out, "name,domain,input_shapes,macs,params,paper_suite\ntiny,vision,1x4,8,8,true\n");
}

TEST_F(CliModel, ModelsOfTheShippedSuite) {
  Result r = run("models");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("resnet50"), std::string::npos) << r.out;
}

TEST_F(CliModel, ShowTable) {
  Result r = run("model show '" + small_ + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* text : {"conv1", "relu1", "fc", "1x3x16x16", "1x8x16x16", "55,296", "total"}) {
    EXPECT_NE(r.out.find(text), std::string::npos) << text << " not in:\n" << r.out;
  }
}

TEST_F(CliModel, ShowJson) {
  Result r = run("model show '" + small_ + "' --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json doc = json::parse(r.out);
  EXPECT_EQ(doc["name"], "small");
  EXPECT_EQ(doc["totals"]["macs"], kSmallMacs);
  EXPECT_EQ(doc["totals"]["params"], kSmallParams);
  EXPECT_EQ(doc["totals"]["layers"], 5);
  // relu 2048 + global pool 2048 (input elements).
  EXPECT_EQ(doc["totals"]["vector_ops"], 2048 + 2048);
  ASSERT_EQ(doc["layers"].size(), 5u);
  const json& conv = doc["layers"][0];
  EXPECT_EQ(conv["name"], "conv1");
  EXPECT_EQ(conv["op"], "conv");
  EXPECT_EQ(conv["inputs"], json::array({"1x3x16x16"}));
  EXPECT_EQ(conv["outputs"], json::array({"1x8x16x16"}));
  EXPECT_EQ(conv["macs"], 55296);
  EXPECT_EQ(conv["params"], 216);
  EXPECT_EQ(conv["bytes"], 768 + 2048 + 216);  // 1 byte per element and weight
  EXPECT_EQ(doc["layers"][1]["macs"], 0);      // only conv/linear/matmul/recurrent count
}

TEST_F(CliModel, ShowCsvBatchAndInputShape) {
  Result csv = run("model show '" + small_ + "' --format csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.substr(0, csv.out.find('\n')), "name,op,inputs,outputs,macs,params,vector_ops,bytes");
  EXPECT_NE(csv.out.find("conv1,conv,1x3x16x16,1x8x16x16,55296,216,0,"), std::string::npos);

  Result batched = run("model show '" + small_ + "' --batch 4 --format json");
  ASSERT_EQ(batched.exit_code, 0) << batched.err;
  EXPECT_EQ(json::parse(batched.out)["totals"]["macs"], 4 * kSmallMacs);

  Result reshaped = run("model show --input-shape 1x3x32x32 '" + small_ + "' --format json");
  ASSERT_EQ(reshaped.exit_code, 0) << reshaped.err;
  EXPECT_EQ(json::parse(reshaped.out)["layers"][0]["outputs"][0], "1x8x32x32");

  Result named = run("model show '" + small_ + "' --input-shape image=2x3x8x8 --format json");
  ASSERT_EQ(named.exit_code, 0) << named.err;
  EXPECT_EQ(json::parse(named.out)["layers"][0]["inputs"][0], "2x3x8x8");
}

TEST_F(CliModel, ShowScaleSimTopology) {
  const std::string csv = (acceldse::test::scalesim_inputs() / "os_32x32__conv_test" / "topology_test.csv").string();
  Result r = run("model show '" + csv + "' --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["totals"]["macs"], 5 * 5 * 3 * 3 * 192 * 384);
}

TEST_F(CliModel, UsageErrorsExitWithTwo) {
  EXPECT_EQ(run("frobnicate").exit_code, 2);
  EXPECT_EQ(run("model frobnicate").exit_code, 2);
  EXPECT_EQ(run("model show '" + small_ + "' --frobnicate").exit_code, 2);
  EXPECT_EQ(run("model show '" + small_ + "' --format xml").exit_code, 2);
  EXPECT_EQ(run("model show '" + small_ + "' --batch 0").exit_code, 2);
  Result shape = run("model show '" + small_ + "' --input-shape 1xAx3");
  EXPECT_EQ(shape.exit_code, 2);
  EXPECT_NE(shape.err.find("--input-shape"), std::string::npos) << shape.err;
}

TEST_F(CliModel, BadInputsExitWithTwoAndNameTheFile) {
  std::string missing = (dir_ / "no_such_net.yaml").string();
  Result r = run("model show '" + missing + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());

  std::string bad = write("bad.yaml",
                          "name: bad\ninputs:\n  - {name: x, shape: [1, 3, 8, 8]}\nlayers:\n"
                          "  - {name: c, op: conv, out_channels: 4, kernel: abc}\n");
  Result b = run("model show '" + bad + "'");
  EXPECT_EQ(b.exit_code, 2);
  EXPECT_NE(b.err.find(bad + ": line 5, layers[0] (c).kernel"), std::string::npos) << b.err;

  Result unknown = run("model show no_such_builtin_model");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no_such_builtin_model"), std::string::npos) << unknown.err;
}

}  // namespace
