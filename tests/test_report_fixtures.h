#pragma once
// Realistic synthetic inputs for the report tests: documents shaped like the JSON the
// CLI prints, with numbers from a toy systolic-array model so plots look like real
// ones. Deterministic (fixed seeds), no dependency on the other parts.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace acceldse::report::testing {

using nlohmann::json;

// One toy layer of a ResNet-like network on a rows x cols array at 1 GHz.
struct ToyConv {
  std::string name;
  int64_t hw, cin, cout, k;
};

inline std::vector<ToyConv> resnet_like_convs() {
  std::vector<ToyConv> out{{"conv1", 112 * 112, 3, 64, 7}};
  struct Stage {
    int64_t hw, width, blocks;
  };
  const Stage stages[] = {{56 * 56, 64, 3}, {28 * 28, 128, 4}, {14 * 14, 256, 6}, {7 * 7, 512, 3}};
  int64_t cin = 64;
  for (size_t s = 0; s < 4; ++s) {
    for (int64_t b = 0; b < stages[s].blocks; ++b) {
      std::string p = "layer" + std::to_string(s + 1) + "." + std::to_string(b) + ".";
      int64_t w = stages[s].width;
      out.push_back({p + "conv1", stages[s].hw, cin, w, 1});
      out.push_back({p + "conv2", stages[s].hw, w, w, 3});
      out.push_back({p + "conv3", stages[s].hw, w, 4 * w, 1});
      cin = 4 * w;
    }
  }
  out.push_back({"fc", 1, 2048, 1000, 1});
  return out;
}

// An `acceldse evaluate --format json` document: each conv followed by a batchnorm
// and a relu (vector work), so the page has tensor, memory and vector layers.
inline json evaluation_doc(int64_t rows = 64, int64_t cols = 64) {
  const double clock_ghz = 1.0, dram_bytes_per_cycle = 25.6;
  json layers = json::array();
  double total_cycles = 0, total_macs = 0, total_dram = 0;
  for (const ToyConv& c : resnet_like_convs()) {
    int64_t kdim = c.cin * c.k * c.k;
    double macs = static_cast<double>(c.hw * kdim * c.cout);
    auto fold = [](int64_t n, int64_t size) {
      return static_cast<double>(n) / (std::ceil(static_cast<double>(n) / size) * size);
    };
    double util = fold(kdim, rows) * fold(c.cout, cols) * 0.92;
    double compute = std::ceil(macs / (rows * cols * util));
    double dram = static_cast<double>(kdim * c.cout + c.hw * c.cin + c.hw * c.cout);
    double stall = std::max(0.0, std::ceil(dram / dram_bytes_per_cycle - compute));
    double cycles = compute + stall;
    layers.push_back({{"name", c.name},
                      {"op", c.name == "fc" ? "linear" : "conv"},
                      {"cycles", cycles},
                      {"compute_cycles", compute},
                      {"stall_cycles", stall},
                      {"vector_cycles", 0},
                      {"utilization", macs / (rows * cols * cycles)},
                      {"macs", macs},
                      {"dram_bytes", dram},
                      {"bound", stall > 0 ? "memory" : "compute"},
                      {"fused", false},
                      {"mapping", "ws m=" + std::to_string(std::min<int64_t>(c.hw, 512)) +
                                      " k=" + std::to_string(kdim) + " n=" + std::to_string(c.cout) + " nkm"}});
    total_cycles += cycles;
    total_macs += macs;
    total_dram += dram;
    if (c.name == "fc") break;
    for (const char* op : {"batchnorm", "relu"}) {
      double vec = std::ceil(static_cast<double>(c.hw * c.cout) / 32);
      layers.push_back({{"name", c.name + "." + op},
                        {"op", op},
                        {"cycles", vec},
                        {"compute_cycles", 0},
                        {"stall_cycles", 0},
                        {"vector_cycles", vec},
                        {"utilization", 0},
                        {"macs", 0},
                        {"dram_bytes", 0},
                        {"bound", op[0] == 'b' ? "vector" : "none"},
                        {"fused", op[0] == 'r'},
                        {"mapping", "vector unit"}});
      total_cycles += vec;
    }
  }
  double latency = total_cycles / (clock_ghz * 1e9);
  double energy_pj = total_macs * 0.25 + total_dram * 20 + total_cycles * 30;
  // Laid out like `acceldse evaluate --format json`.
  return {{"model", "resnet50"},
          {"arch", "toy-64x64"},
          {"batch", 1},
          {"arch_params",
           {{"peak_macs_per_cycle", rows * cols},
            {"clock_ghz", clock_ghz},
            {"dram_bytes_per_cycle", dram_bytes_per_cycle}}},
          {"totals",
           {{"cycles", total_cycles},
            {"latency_s", latency},
            {"utilization", total_macs / (rows * cols * total_cycles)},
            {"dram_bytes", total_dram},
            {"energy_pj", energy_pj},
            {"area_mm2", 6.9},
            {"throughput_per_s", 1 / latency},
            {"power_w", energy_pj * 1e-12 / latency},
            {"macs", total_macs}}},
          {"area",
           {{"pe_mm2", 3.1},
            {"register_mm2", 0.6},
            {"input_sram_mm2", 0.9},
            {"weight_sram_mm2", 0.9},
            {"output_sram_mm2", 0.9},
            {"vector_mm2", 0.2},
            {"interconnect_mm2", 0.3},
            {"total_mm2", 6.9}}},
          {"energy",
           {{"mac_pj", total_macs * 0.2},
            {"register_pj", total_macs * 0.05},
            {"input_sram_pj", total_dram * 2},
            {"weight_sram_pj", total_dram * 2},
            {"output_sram_pj", total_dram},
            {"dram_pj", total_dram * 15},
            {"vector_pj", total_cycles * 5},
            {"leakage_pj", total_cycles * 25},
            {"total_pj", energy_pj}}},
          {"layers", layers}};
}

// Toy metrics of one design; smooth in the parameters plus a little noise.
inline json toy_design(int64_t rows, int64_t cols, int64_t buf_kib, double bw_gbs, const std::string& dataflow,
                       double noise) {
  double pes = static_cast<double>(rows * cols);
  double area = pes * 0.00055 + 3 * buf_kib * 0.0021 + 0.4;
  double df = dataflow == "ws" ? 1.0 : dataflow == "os" ? 1.08 : 1.15;
  double util = 0.95 / (1 + pes / 6000.0) * (1 - 0.5 / std::sqrt(static_cast<double>(buf_kib)));
  double compute_s = 4.1e9 / (pes * util * 1e9) * df;
  double memory_s = 1.2e8 / (bw_gbs * 1e9) * (1 + 32.0 / static_cast<double>(buf_kib));
  double latency = std::max(compute_s, memory_s) * (1 + 0.05 * noise);
  double energy_pj = 4.1e9 * 0.3 + 1.2e8 * (1 + 32.0 / buf_kib) * 20 + area * 2e3 * latency * 1e9 * 0.02;
  return {
      {"params",
       {{"rows", rows}, {"cols", cols}, {"buffer_kib", buf_kib}, {"dram_gb_per_s", bw_gbs}, {"dataflow", dataflow}}},
      {"metrics",
       {{"latency_s", latency},
        {"area_mm2", area},
        {"energy_pj", energy_pj},
        {"power_w", energy_pj * 1e-12 / latency},
        {"throughput_per_s", 1 / latency},
        {"utilization", util}}}};
}

// Designs no other beats in latency, area and energy (naive but fine for tests).
inline json pareto_of(const json& points) {
  std::vector<const json*> sorted;
  for (const json& p : points) sorted.push_back(&p);
  auto m = [](const json* p, const char* k) { return (*p)["metrics"][k].get<double>(); };
  std::sort(sorted.begin(), sorted.end(), [&](auto a, auto b) { return m(a, "latency_s") < m(b, "latency_s"); });
  std::vector<const json*> front;
  for (const json* p : sorted) {
    bool dominated = std::any_of(front.begin(), front.end(), [&](const json* q) {
      return m(q, "area_mm2") <= m(p, "area_mm2") && m(q, "energy_pj") <= m(p, "energy_pj");
    });
    if (!dominated) front.push_back(p);
  }
  json out = json::array();
  for (const json* p : front) out.push_back(*p);
  return out;
}

// An `acceldse explore --format json` document with `n` random designs.
inline json exploration_doc(size_t n, bool with_points = true, bool with_pareto = true) {
  std::mt19937 rng(12345);
  const int64_t dims[] = {8, 16, 32, 64, 128, 256};
  const int64_t bufs[] = {32, 64, 128, 256, 512, 1024};
  const double bws[] = {12.8, 25.6, 51.2, 102.4};
  const char* flows[] = {"ws", "os", "is"};
  std::uniform_real_distribution<double> noise(-1, 1);
  json points = json::array();
  for (size_t i = 0; i < n; ++i) {
    points.push_back(
        toy_design(dims[rng() % 6], dims[rng() % 6], bufs[rng() % 6], bws[rng() % 4], flows[rng() % 3], noise(rng)));
  }
  json best;
  for (const json& p : points) {  // fastest under 20 mm²
    if (p["metrics"]["area_mm2"].get<double>() > 20) continue;
    if (best.is_null() || p["metrics"]["latency_s"] < best["metrics"]["latency_s"]) best = p;
  }
  const json& bp = best["params"];
  const int64_t r = bp["rows"].get<int64_t>(), c = bp["cols"].get<int64_t>(), b = bp["buffer_kib"].get<int64_t>();
  const double bw = bp["dram_gb_per_s"].get<double>();
  const std::string f0 = bp["dataflow"].get<std::string>();
  // Laid out like `acceldse explore --format json`: one entry per swept parameter.
  json sens = json::array();
  auto curve = [&](const std::string& param, const json& best_value, const std::vector<json>& designs) {
    json pts = json::array();
    for (const json& d : designs) {
      double area = d["metrics"]["area_mm2"].get<double>();
      pts.push_back({{"value", d["params"][param]},
                     {"valid", true},
                     {"feasible", area <= 20},
                     {"objective", d["metrics"]["latency_s"]}});
    }
    sens.push_back({{"parameter", param}, {"best_value", best_value}, {"points", pts}});
  };
  std::vector<json> by_rows, by_cols, by_buf, by_flow;
  for (int64_t v : dims) by_rows.push_back(toy_design(v, c, b, bw, f0, 0));
  for (int64_t v : dims) by_cols.push_back(toy_design(r, v, b, bw, f0, 0));
  for (int64_t v : bufs) by_buf.push_back(toy_design(r, c, v, bw, f0, 0));
  for (const char* f : flows) by_flow.push_back(toy_design(r, c, b, bw, f, 0));
  curve("rows", r, by_rows);
  curve("cols", c, by_cols);
  curve("buffer_kib", b, by_buf);
  curve("dataflow", f0, by_flow);
  best["objective"] = best["metrics"]["latency_s"];
  const double e = best["metrics"]["energy_pj"].get<double>();
  best["breakdown"] = {{"energy_pj",
                        {{"mac", 0.45 * e},
                         {"register", 0.05 * e},
                         {"input_sram", 0.08 * e},
                         {"weight_sram", 0.07 * e},
                         {"output_sram", 0.05 * e},
                         {"dram", 0.25 * e},
                         {"vector", 0.02 * e},
                         {"leakage", 0.03 * e}}},
                       {"area_mm2",
                        {{"pe", 6.1},
                         {"register", 1.2},
                         {"input_sram", 2.3},
                         {"weight_sram", 2.3},
                         {"output_sram", 2.3},
                         {"vector", 0.4},
                         {"interconnect", 1.3}}}};
  json doc = {{"model", "resnet50"},
              {"space", {{"name", "toy-space"}, {"file", "spaces/toy.yaml"}, {"size", 6 * 6 * 6 * 4 * 3}}},
              {"objective", "latency"},
              {"objective_metric", "latency_s"},
              {"constraints", {"area_mm2 <= 20"}},
              {"strategy", "random"},
              {"seed", 1},
              {"evaluated", n},
              {"best", best},
              {"sensitivity", sens},
              {"run", {{"threads", 2}, {"elapsed_s", 0.8}, {"designs_per_s", static_cast<double>(n) / 0.8}}}};
  if (with_pareto) doc["pareto"] = pareto_of(points);
  if (with_points) doc["points"] = std::move(points);
  return doc;
}

inline json suite_doc() {
  const std::vector<std::string> nets{"resnet50", "mobilenet_v2", "bert-base", "yolov3", "deepspeech2", "vgg16"};
  json designs = json::object(), matrix = json::object(), improvement = json::object();
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0.55, 0.97);
  for (size_t d = 0; d < nets.size(); ++d) {
    const std::string& label = nets[d];  // each network's own optimum is labelled with its name
    designs[label] = {{"rows", 16 << (d % 4)},
                      {"cols", 32 << (d % 3)},
                      {"buffer_kib", 64 << d},
                      {"dataflow", d % 2 ? "os" : "ws"},
                      {"area_mm2", 8.5 + static_cast<double>(d)}};
    for (size_t n = 0; n < nets.size(); ++n) matrix[label][nets[n]] = n == d ? 1.0 : u(rng);
  }
  designs["geomean"] = {{"rows", 64}, {"cols", 64}, {"buffer_kib", 256}, {"dataflow", "ws"}, {"area_mm2", 11.2}};
  json spread = json::object(), same = json::object();
  for (size_t n = 0; n < nets.size(); ++n) {
    double v = 0.8 + 0.03 * static_cast<double>(n);
    matrix["geomean"][nets[n]] = v;
    improvement[nets[n]] = n == 2 ? 6.5 : (v - 1) * 100;
    double nominal = improvement[nets[n]].get<double>();
    spread[nets[n]] = {{"min", nominal - 3 - static_cast<double>(n)}, {"median", nominal + 0.5}, {"max", nominal + 4}};
    same[nets[n]] = 1.0 - 0.1 * static_cast<double>(n % 3);
  }
  // Absolute latency of every network on every design, as `suite --format json` writes it.
  for (auto& [label, d] : designs.items()) {
    for (size_t n = 0; n < nets.size(); ++n) {
      double latency = 0.0012 * static_cast<double>(n + 1) / matrix[label][nets[n]].get<double>();
      d["metrics"][nets[n]] = {{"latency_s", latency}, {"throughput_per_s", 1 / latency}};
    }
  }
  json uncertainty = {{"pct", 20},
                      {"samples", 10},
                      {"seed", 1},
                      {"optimum_same", same},
                      {"selected_same", 0.8},
                      {"improvement_pct", spread},
                      {"geomean", {{"min", 0.84}, {"median", 0.87}, {"max", 0.9}}}};
  json constraint_report = json::array({{{"constraint", "area_mm2 <= 20"},
                                         {"pairs_removed", 0},
                                         {"designs_removed", 0},
                                         {"binds", json::array()},
                                         {"verdict", "never binds (removes no design)"}},
                                        {{"constraint", "power_w <= 5"},
                                         {"pairs_removed", 120},
                                         {"designs_removed", 40},
                                         {"binds", {"vgg16"}},
                                         {"verdict", "binds the optimum of vgg16"}}});
  return {{"networks", nets},
          {"designs", designs},
          {"cross_matrix", matrix},
          {"improvement_pct", improvement},
          {"selected", "geomean"},
          {"geomean", 0.87},
          {"objective", "throughput"},
          {"space", {{"name", "default"}, {"size", 2304}}},
          {"constraints", {"area_mm2 <= 20", "power_w <= 5"}},
          {"technology", "45nm"},
          {"search", {{"strategy", "grid"}, {"proven", true}, {"evaluations", 13824}}},
          {"constraint_report", constraint_report},
          {"uncertainty", uncertainty},
          {"run", {{"elapsed_s", 4.1}, {"feasible_for_all", 1650}}}};
}

// Laid out like `acceldse corun --format json` for a spatial partition of a 64x64
// array: PEs, buffers and vector lanes are split, DRAM bandwidth is shared.
inline json corun_doc() {
  auto net = [](const char* name, const char* target, double tp, double lat, int64_t cols) {
    json n = {{"name", name},
              {"target", target},
              {"throughput_per_s", tp},
              {"latency_s", lat},
              {"share",
               {{"pes", 64 * cols},
                {"rows", 64},
                {"cols", cols},
                {"arrays", 1},
                {"buffer_kib", 16 * cols},
                {"dram_gb_per_s", 25.6},
                {"vector_lanes", cols / 2},
                {"time", 1.0}}}};
    std::string t = target;
    if (t.ends_with("/s")) {
      n["target_per_s"] = std::stod(t);
      n["meets_target"] = tp >= std::stod(t);
    } else {
      n["weight"] = std::stod(t);
      n["meets_target"] = true;
    }
    return n;
  };
  json design = {{"params", {{"rows", 64}, {"cols", 64}, {"dataflow", "ws"}, {"input_kib", 512}, {"weight_kib", 512}}},
                 {"area_mm2", 21.4}};
  return {{"mode", "spatial"},
          {"requested_mode", "both"},
          {"design", design},
          {"mix_rate_per_s", 95.0},
          {"headroom", 1.12},
          {"power_w", 4.2},
          {"networks",
           {net("resnet50", "300/s", 410.0, 0.0024, 32), net("bert-base", "100/s", 95.0, 0.0105, 24),
            net("deepspeech2", "2", 60.0, 0.016, 8)}},
          {"alternatives",
           {{{"mode", "spatial"}, {"design", design}, {"mix_rate_per_s", 95.0}, {"headroom", 1.12}, {"power_w", 4.2}},
            {{"mode", "time"}, {"design", design}, {"mix_rate_per_s", 81.0}, {"headroom", 0.95}, {"power_w", 4.6}}}},
          {"space", {{"name", "default"}, {"size", 2304}}},
          {"run", {{"elapsed_s", 3.2}, {"evaluations", 20736}}}};
}

inline json fit_doc() {
  json before = json::array(), after = json::array(), changes = json::array();
  const int64_t widths[] = {60, 64, 100, 128, 200, 256, 500, 512, 1000, 1024, 90, 96};
  for (size_t i = 0; i < 12; ++i) {
    std::string name = "block" + std::to_string(i) + ".conv";
    double w = static_cast<double>(widths[i]);
    double u = w / (std::ceil(w / 64) * 64) * 0.9;
    before.push_back({{"name", name}, {"utilization", u}});
    bool change = static_cast<int64_t>(w) % 64 != 0;
    int64_t nw = change ? static_cast<int64_t>(std::ceil(w / 64) * 64) : widths[i];
    after.push_back({{"name", name}, {"utilization", 0.9 * (change ? 1.0 : u / 0.9)}});
    if (change) changes.push_back({{"layer", name}, {"field", "out_channels"}, {"old", widths[i]}, {"new", nw}});
  }
  return {{"model", "toy-cnn"}, {"speedup", 1.27},         {"macs_change_pct", 3.4}, {"params_change_pct", 2.9},
          {"changes", changes}, {"layers_before", before}, {"layers_after", after}};
}

}  // namespace acceldse::report::testing
