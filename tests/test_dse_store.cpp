#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "common/error.h"
#include "dse/dse.h"
#include "test_dse_util.h"

namespace acceldse::dse {
namespace {

using test::Bench;
using test::space_from;

std::filesystem::path temp_db(const std::string& name) {
  auto path =
      std::filesystem::temp_directory_path() / ("acceldse_test_" + name + "_" + std::to_string(::getpid()) + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return path;
}

const char* kSpace = "base: edge_32x32\nparameters: {rows: [8, 16, 32], cols: [8, 16, 32], dataflow: [ws, os, is]}";

TEST(DseStore, RoundTripsMetricsExactly) {
  auto path = temp_db("roundtrip");
  Metrics m;
  m.latency_s = 0.1 + 0.2;  // not representable in decimal: must survive bit-exact
  m.cycles = 123456789012345;
  m.energy_pj = 1.0 / 3.0;
  {
    ResultStore store(path);
    store.record(StoredDesign{"s", "h", "model", "mh", "rows=8", "", m});
    store.record(StoredDesign{"s", "h", "model", "mh", "rows=16", "bad design", {}});
  }
  ResultStore store(path);
  EXPECT_EQ(store.count(), 2u);
  auto found = store.find("h", "mh", "rows=8");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->metrics.latency_s, m.latency_s);
  EXPECT_EQ(found->metrics.cycles, m.cycles);
  EXPECT_EQ(found->metrics.energy_pj, m.energy_pj);
  EXPECT_EQ(store.find("h", "mh", "rows=16")->error, "bad design");
  EXPECT_FALSE(store.find("other", "mh", "rows=8").has_value());
  EXPECT_EQ(found->params(), (std::vector<std::pair<std::string, std::string>>{{"rows", "8"}}));
}

TEST(DseStore, ResumeReadsBackInsteadOfEvaluating) {
  auto path = temp_db("resume");
  ExploreResult first, second;
  {
    ResultStore store(path);
    Bench bench(space_from(kSpace), "alexnet", 2, &store);
    first = bench.run("anneal", 20, 3, true);
    EXPECT_EQ(first.from_store, 0u);
    EXPECT_EQ(store.count(), first.evaluated);
  }
  {
    ResultStore store(path);
    Bench bench(space_from(kSpace), "alexnet", 3, &store, true);
    second = bench.run("anneal", 20, 3, true);
  }
  EXPECT_EQ(second.computed, 0u);
  EXPECT_EQ(second.from_store, second.evaluated);
  EXPECT_EQ(second.evaluated, first.evaluated);
  ASSERT_TRUE(first.best && second.best);
  EXPECT_EQ(first.best->design, second.best->design);
  EXPECT_EQ(first.best->metrics.latency_s, second.best->metrics.latency_s);
  EXPECT_EQ(first.pareto.size(), second.pareto.size());
}

TEST(DseStore, ADifferentSpaceOrModelDoesNotReuseRows) {
  auto path = temp_db("keys");
  ResultStore store(path);
  {
    Bench bench(space_from(kSpace), "alexnet", 2, &store);
    bench.run("grid");
  }
  Bench other_model(space_from(kSpace), "mobilenet_v1", 2, &store, true);
  EXPECT_EQ(other_model.run("grid").from_store, 0u);
  Bench other_base(
      space_from("base: tpu_v1\nparameters: {rows: [8, 16, 32], cols: [8, 16, 32], dataflow: [ws, os, is]}"), "alexnet",
      2, &store, true);
  EXPECT_EQ(other_base.run("grid").from_store, 0u);
}

TEST(DseStore, NotAStoreIsAnInputError) {
  auto path = temp_db("garbage");
  {
    std::ofstream out(path);
    out << "this is not a database, just text that is long enough to fill a header page........";
  }
  EXPECT_THROW(ResultStore{path}, InputError);
}

// Several openers of one new file at once (two runs sharing a --db, or a reader polling
// a store a run is creating) must all see it as a new store or as a whole one: creating
// it is one transaction, so none finds our id without the format marker and refuses,
// and switching it to WAL waits for the others instead of failing as "locked".
TEST(DseStore, ConcurrentOpenersOfANewStoreAllSucceed) {
  for (int round = 0; round < 20; ++round) {
    const auto path = temp_db("concurrent");
    std::vector<std::thread> openers;
    for (int i = 0; i < 6; ++i) {
      openers.emplace_back([&path, round] {
        try {
          ResultStore store(path);
          store.count();
        } catch (const std::exception& e) {
          ADD_FAILURE() << "round " << round << ": " << e.what();
        }
      });
    }
    for (std::thread& t : openers) t.join();
  }
}

}  // namespace
}  // namespace acceldse::dse
