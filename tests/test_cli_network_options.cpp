// --batch / --input-shape on every command that reads a network (per network in the
// studies' --models lists), and LLM evaluation (TTFT, TPOT, tokens/s), run as a user
// would. Expected MACs and roofline figures are derived by hand in the comments.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_run.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

class CliNetworkOptions : public acceldse::test::CliTest {
 protected:
  CliNetworkOptions() : CliTest("acceldse_cli_netopt") {}
  json run_json(const std::string& args) const {
    acceldse::test::CliResult r = run(args + " --format json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }
  static std::string data(const std::string& name) { return std::string(ACCELDSE_SOURCE_DIR) + "/tests/data/" + name; }
};

// tests/data/dyn_cnn.onnx has dynamic N, H, W. Per image at 64x64: conv 8*64*64*27 =
// 884,736 plus the Gemm's 80 = 884,816; batch 2 = 1,769,632.
TEST_F(CliNetworkOptions, EvaluateTakesBatchAndInputShape) {
  json doc = run_json("evaluate --model " + data("dyn_cnn.onnx") + " --batch 2 --input-shape 1x3x64x64");
  EXPECT_EQ(doc["batch"], 2);
  EXPECT_EQ(doc["totals"]["macs"], 1'769'632);
  acceldse::test::CliResult r = run("evaluate --model " + data("dyn_cnn.onnx"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("symbolic dim 0 ('N')"));
}

// The reference simulator reads the same options: at 16x16, per image conv 8*16*16*27 =
// 55,296 plus 80 for the Gemm; batch 2 = 110,752.
TEST_F(CliNetworkOptions, SimulateTakesBatchAndInputShape) {
  json doc =
      run_json("simulate --arch edge_32x32 --model " + data("dyn_cnn.onnx") + " --batch 2 --input-shape 1x3x16x16");
  EXPECT_EQ(doc["totals"]["macs"], 110'752);
}

TEST_F(CliNetworkOptions, ExploreNamesTheBatchItRan) {
  json doc = run_json("explore --model " + data("static_vit.onnx") +
                      " --batch 8 --space small --strategy random --budget 3 --no-sensitivity --threads 1");
  EXPECT_EQ(doc["model"], "static_vit@batch=8");
}

TEST_F(CliNetworkOptions, SuiteAndCorunTakeOptionsPerNetwork) {
  json suite = run_json("suite --models 'mobilenet_v1@batch=2,mobilenet_v1' --batch 8 --space small --threads 1");
  EXPECT_EQ(suite["networks"], json::array({"mobilenet_v1@batch=2", "mobilenet_v1"}));
  // A command's --context-len is for its LLMs; on a CNN entry of its own it is an error.
  json mixed = run_json("suite --models 'mobilenet_v1,llama_1b:decode' --context-len 64 --space small --threads 1");
  EXPECT_EQ(mixed["networks"].size(), 2u);
  acceldse::test::CliResult cnn = run("suite --models 'mobilenet_v1@context-len=64' --space small");
  EXPECT_EQ(cnn.exit_code, 2);
  EXPECT_THAT(cnn.err, HasSubstr("LLM networks only"));
  acceldse::test::CliResult bad = run("suite --models 'mobilenet_v1@batch=0' --space small");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("mobilenet_v1@batch=0"));
  json corun =
      run_json("corun --models 'llama_1b:decode@context-len=64,mobilenet_v1@batch=2:2' --space small --threads 1");
  ASSERT_EQ(corun["networks"].size(), 2u);
  EXPECT_EQ(corun["networks"][0]["name"], "llama_1b:decode@context-len=64");
  EXPECT_EQ(corun["networks"][1]["target"], "2");
}

// 2 layers, hidden 64, 4 heads of 16, 2 KV heads, SwiGLU 128, vocabulary 100.
constexpr const char* kTiny =
    "name: tiny\nlayers: 2\nhidden: 64\nheads: 4\nkv_heads: 2\nffn: 128\nvocab: 100\nmax_context: 64\n";

// A design with ample compute and 1 GB/s of DRAM: a decode step is memory bound. Its
// roofline by hand: streamed weights (86,848 params - 6,400 embedding) * 2 bytes =
// 160,896; KV cache read at context 10: 2 * 2 layers * 2 KV heads * 16 * 11 * 2 bytes =
// 2,816; 163,712 bytes / 1e9 B/s = 163.712 us.
TEST_F(CliNetworkOptions, LlmTtftTpotOfASmallConfig) {
  std::string cfg = write("tiny.yaml", kTiny);
  std::string arch = write("slow_dram.yaml",
                           "name: slow_dram\ntensor_unit: {rows: 32, cols: 32, dataflow: ws}\n"
                           "vector_unit: {lanes: 64}\n"
                           "buffers: {input_kib: 512, weight_kib: 512, output_kib: 512}\n"
                           "dram: {bandwidth_gb_per_s: 1, latency_ns: 0}\nclock_ghz: 1\nprecision: bf16\n");
  json both = run_json("evaluate --model " + cfg + " --arch " + arch + " --prompt-len 8 --context-len 10");
  const json& llm = both["llm"];
  EXPECT_EQ(llm["decode_weight_bytes"], 160'896);
  EXPECT_EQ(llm["decode_kv_cache_bytes"], 2'816);
  EXPECT_NEAR(llm["decode_roofline_s"].get<double>(), 163.712e-6, 1e-12);
  double tpot = llm["tpot_s"].get<double>();
  EXPECT_GE(tpot, 163.712e-6 * 0.999);  // cannot beat the roofline
  EXPECT_LE(tpot, 163.712e-6 * 1.10);   // and, memory bound, stays near it
  EXPECT_DOUBLE_EQ(llm["tokens_per_s"].get<double>(), 1.0 / tpot);
  // TTFT and TPOT are the latencies of the two phase graphs.
  EXPECT_DOUBLE_EQ(llm["ttft_s"].get<double>(), both["phases"]["prefill"]["totals"]["latency_s"].get<double>());
  json decode = run_json("evaluate --model " + cfg + ":decode --arch " + arch + " --prompt-len 8 --context-len 10");
  EXPECT_DOUBLE_EQ(decode["totals"]["latency_s"].get<double>(), tpot);
  EXPECT_EQ(decode["totals"]["macs"], 82'944);  // by hand in test_workload_llm.cpp
  EXPECT_FALSE(decode["llm"].contains("ttft_s"));
}

// Published LLM behaviour: a 7B model decoding at batch 1 on an HBM-class design is
// memory bound, so tokens/s follows (weights + KV bytes) / bandwidth. LLaMA 7B in bf16:
// 6,607,343,616 streamed params * 2 = 13,214,687,232 bytes; KV at context 512:
// 524,288 bytes per position * 513 = 268,959,744; at 900 GB/s 14.98 ms = 66.7 tokens/s.
TEST_F(CliNetworkOptions, Llama7bDecodeFollowsTheMemoryRoofline) {
  std::string arch = write("hbm.yaml",
                           "name: hbm\ntensor_unit: {rows: 128, cols: 128, arrays: 4, dataflow: auto}\n"
                           "vector_unit: {lanes: 2048}\n"
                           "buffers: {input_kib: 8192, weight_kib: 4096, output_kib: 4096, double_buffered: true}\n"
                           "dram: {bandwidth_gb_per_s: 900, latency_ns: 100, type: hbm2}\n"
                           "clock_ghz: 0.94\nprecision: bf16\ntechnology: 7nm\n");
  json doc = run_json("evaluate --model llama_7b --arch " + arch + " --prompt-len 512");
  const json& llm = doc["llm"];
  EXPECT_EQ(llm["decode_weight_bytes"], 13'214'687'232);
  EXPECT_EQ(llm["decode_kv_cache_bytes"], 268'959'744);
  double roofline_tokens_per_s = 900e9 / (13'214'687'232.0 + 268'959'744.0);
  EXPECT_NEAR(llm["tokens_per_s"].get<double>() / roofline_tokens_per_s, 1.0, 0.10);
}

}  // namespace
