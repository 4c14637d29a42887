// `acceldse evaluate`, run as a user would: the built binary, its exit code and output.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include "cli_run.h"
#include "scalesim_inputs.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Result = ::acceldse::test::CliResult;
using ::acceldse::test::slurp;

class CliEvaluate : public ::acceldse::test::CliTest {
 protected:
  CliEvaluate() : CliTest("acceldse_cli_evaluate") {}
};

TEST_F(CliEvaluate, JsonHasTheDocumentedKeys) {
  const Result r = run("evaluate --model resnet50 --arch edge_32x32 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc.at("model"), "resnet50");
  EXPECT_EQ(doc.at("arch"), "edge_32x32");
  EXPECT_EQ(doc.at("batch"), 1);
  const json& t = doc.at("totals");
  for (const char* key :
       {"cycles", "compute_cycles", "stall_cycles", "vector_cycles", "latency_s", "utilization", "macs", "dram_bytes",
        "dram_read_bytes", "dram_write_bytes", "energy_pj", "area_mm2", "throughput_per_s", "power_w", "bound"}) {
    EXPECT_TRUE(t.contains(key)) << key;
  }
  for (const char* key : {"mac_pj", "register_pj", "input_sram_pj", "weight_sram_pj", "output_sram_pj", "dram_pj",
                          "vector_pj", "leakage_pj", "total_pj"}) {
    EXPECT_TRUE(t.at("energy").contains(key)) << key;
    EXPECT_TRUE(doc.at("energy").contains(key)) << key;
  }
  for (const char* key : {"pe_mm2", "register_mm2", "input_sram_mm2", "weight_sram_mm2", "output_sram_mm2",
                          "vector_mm2", "interconnect_mm2", "total_mm2"}) {
    EXPECT_TRUE(t.at("area").contains(key)) << key;
    EXPECT_TRUE(doc.at("area").contains(key)) << key;
  }
  for (const char* key : {"input_reads_bytes", "input_writes_bytes", "weight_reads_bytes", "weight_writes_bytes",
                          "output_reads_bytes", "output_writes_bytes"}) {
    EXPECT_TRUE(t.at("sram").contains(key)) << key;
  }
  EXPECT_GT(t.at("cycles").get<int64_t>(), 0);
  EXPECT_GT(t.at("utilization").get<double>(), 0);
  EXPECT_LE(t.at("utilization").get<double>(), 1);
  EXPECT_NEAR(t.at("energy_pj").get<double>(), t.at("energy").at("total_pj").get<double>(), 1e-3);
  EXPECT_NEAR(t.at("throughput_per_s").get<double>() * t.at("latency_s").get<double>(), 1.0, 1e-9);
  const json& layers = doc.at("layers");
  ASSERT_GT(layers.size(), 100u);
  int64_t cycles = 0, macs = 0;
  for (const json& l : layers) {
    for (const char* key : {"name", "op", "cycles", "compute_cycles", "stall_cycles", "vector_cycles", "utilization",
                            "macs", "dram_bytes", "mapping", "bound", "energy", "sram", "fused", "mapping_detail"}) {
      ASSERT_TRUE(l.contains(key)) << key << " in " << l.dump();
    }
    cycles += l.at("cycles").get<int64_t>();
    macs += l.at("macs").get<int64_t>();
  }
  EXPECT_EQ(cycles, t.at("cycles").get<int64_t>());
  EXPECT_EQ(macs, t.at("macs").get<int64_t>());
  EXPECT_EQ(layers.at(0).at("name"), "conv1");
  EXPECT_EQ(layers.at(0).at("mapping_detail").at("dataflow"), "ws");
  EXPECT_EQ(doc.at("arch_params").at("peak_macs_per_cycle"), 1024);
}

TEST_F(CliEvaluate, TableAndCsv) {
  const std::string model = write("tiny.yaml",
                                  "name: tiny\n"
                                  "inputs:\n"
                                  "  - {name: x, shape: [1, 64]}\n"
                                  "layers:\n"
                                  "  - {name: fc1, op: linear, out_features: 32}\n"
                                  "  - {name: act, op: relu}\n");
  const Result table = run("evaluate --model " + model);  // default arch: edge_32x32
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("tiny on edge_32x32"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("fc1"), std::string::npos);
  EXPECT_NE(table.out.find("throughput"), std::string::npos);
  EXPECT_NE(table.out.find("area:"), std::string::npos);
  const Result csv = run("evaluate --model " + model + " --format csv --batch 4");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  std::istringstream lines(csv.out);
  std::string header, fc1, act, total;
  std::getline(lines, header);
  std::getline(lines, fc1);
  std::getline(lines, act);
  std::getline(lines, total);
  EXPECT_EQ(header,
            "name,op,cycles,compute_cycles,stall_cycles,vector_cycles,bound,utilization,macs,dram_bytes,energy_pj,"
            "mapping");
  EXPECT_EQ(fc1.rfind("fc1,linear,", 0), 0u) << fc1;
  EXPECT_NE(fc1.find(",8192,"), std::string::npos) << fc1;  // 4 x 64 x 32 MACs
  EXPECT_NE(act.find("fused"), std::string::npos) << act;
  EXPECT_EQ(total.rfind("total,", 0), 0u) << total;
}

TEST_F(CliEvaluate, BadInputsExitWithTwo) {
  Result r = run("evaluate --model resnet50 --arch no_such_arch");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no_such_arch"), std::string::npos) << r.err;
  r = run("evaluate --model " + (dir_ / "missing.yaml").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing.yaml"), std::string::npos) << r.err;
  const std::string bad_arch = write("bad.yaml", "name: bad\ntensor_unit: {rows: 0, cols: 32}\n");
  r = run("evaluate --model resnet50 --arch " + bad_arch);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.yaml"), std::string::npos) << r.err;
  r = run("evaluate --model resnet50 --format xml");
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(CliEvaluate, ScaleSimConfigAndTopology) {
  const fs::path dir = acceldse::test::scalesim_inputs() / "ws_32x32__conv_test";
  const Result r = run("evaluate --arch " + (dir / "config.cfg").string() + " --model " +
                       (dir / "topology_test.csv").string() + " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = json::parse(r.out);
  // Inc5b_3x3: 7x7x192 -> 384, 3x3: m = 25, k = 1728, n = 384; ws on 32x32 (CALC):
  // ceil(1728/32) = 54 x ceil(384/32) = 12 folds of 2*32 + 32 + 25 - 2 = 119 cycles.
  int64_t compute = 0;
  for (const json& l : doc.at("layers")) compute += l.at("compute_cycles").get<int64_t>();
  EXPECT_EQ(compute, 54 * 12 * 119);
  EXPECT_EQ(doc.at("totals").at("stall_cycles").get<int64_t>(), 0);
}

}  // namespace
