#pragma once
// Helpers for the study tests: networks built in code whose best array shapes are known
// by construction, and small spaces over the real cost model.
#include <memory>
#include <string>
#include <vector>

#include "dse/dse.h"
#include "dse/study.h"
#include "workload/workload.h"

namespace acceldse::dse::study_test {

// One linear layer: a GEMM of m x k times k x n (batch 1, m tokens).
inline workload::Network gemm_network(const std::string& name, int64_t m, int64_t k, int64_t n) {
  workload::NetworkBuilder b(name, "<test>");
  b.add_input("x", {1, m, k});
  workload::Attrs a;
  a.out_features = n;
  b.add_op("fc", "linear", {"x"}, a);
  return b.finish();
}

inline NetworkPtr shared(workload::Network net) { return std::make_shared<const workload::Network>(std::move(net)); }

// Tall-skinny: many rows (tokens), deep reduction, few outputs: wants many array rows
// (the reduction dimension, weight stationary) and few columns.
inline NetworkPtr tall() { return shared(gemm_network("tall", 2048, 256, 8)); }
// Wide: few tokens, short reduction, many outputs: wants many columns.
inline NetworkPtr wide() { return shared(gemm_network("wide", 8, 8, 2048)); }

// rows x cols of 8 or 64 under a PE budget that excludes 64 x 64: the tall network's
// optimum is 64 x 8 and the wide one's 8 x 64.
inline const char* kShapeSpace = R"yaml(
name: shape-test
base: edge_32x32
parameters:
  rows: [8, 64]
  cols: [8, 64]
constraints:
  - pes <= 512
objective: throughput
)yaml";

inline DesignSpace shape_space() { return DesignSpace::from_yaml_text(kShapeSpace, "<shape space>"); }

inline int64_t rows_of(const DesignSpace& space, const Design& d) { return space.accelerator(d).tensor.rows; }
inline int64_t cols_of(const DesignSpace& space, const Design& d) { return space.accelerator(d).tensor.cols; }

}  // namespace acceldse::dse::study_test
