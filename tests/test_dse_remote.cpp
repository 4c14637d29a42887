// EvaluatorOptions::remote, the hook MPI ranks plug into: designs computed elsewhere and
// judged here give the same search answers as the thread pool, in any order of
// computation, and the store and memo work as before.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "test_dse_util.h"

namespace acceldse::dse {
namespace {

using test::Bench;

// A remote that computes on a second evaluator, last design first, to show the order of
// computation does not matter.
struct Elsewhere {
  std::unique_ptr<Bench> bench;
  size_t calls = 0, designs = 0;
  explicit Elsewhere(const DesignSpace& space) : bench(std::make_unique<Bench>(space, "alexnet", 1)) {}
  std::vector<Evaluation> operator()(std::span<const Design> batch) {
    ++calls;
    designs += batch.size();
    std::vector<Evaluation> out(batch.size());
    for (size_t i = batch.size(); i-- > 0;) out[i] = bench->evaluator->evaluate(batch[i]);
    return out;
  }
};

TEST(DseRemote, SameAnswersAsThePool) {
  const DesignSpace space = test::space_from(test::kSearchSpace);
  Bench local(space, "alexnet", 2);
  Elsewhere elsewhere(space);
  Bench remote(space, "alexnet", 1);
  EvaluatorOptions options;
  options.threads = 1;
  options.remote = [&elsewhere](std::span<const Design> batch) { return elsewhere(batch); };
  options.model = remote.network->name;
  options.model_hash = network_hash(*remote.network);
  remote.evaluator = std::make_unique<Evaluator>(remote.space, network_metrics(remote.network, remote.cache), options);
  for (const char* strategy : {"grid", "genetic"}) {
    ExploreResult a = local.run(strategy, 400, 3, true);
    ExploreResult b = remote.run(strategy, 400, 3, true);
    ASSERT_TRUE(a.best && b.best) << strategy;
    EXPECT_EQ(a.best->design, b.best->design) << strategy;
    EXPECT_EQ(a.best->score, b.best->score) << strategy;
    EXPECT_EQ(a.feasible, b.feasible) << strategy;
    ASSERT_EQ(a.pareto.size(), b.pareto.size()) << strategy;
    for (size_t i = 0; i < a.pareto.size(); ++i) EXPECT_EQ(a.pareto[i].design, b.pareto[i].design);
    ASSERT_EQ(a.sensitivity.size(), b.sensitivity.size());
    for (size_t i = 0; i < a.sensitivity.size(); ++i) {
      for (size_t j = 0; j < a.sensitivity[i].points.size(); ++j) {
        EXPECT_EQ(a.sensitivity[i].points[j].evaluation.score, b.sensitivity[i].points[j].evaluation.score);
      }
    }
  }
  EXPECT_GT(elsewhere.calls, 0u);
  // Designs already remembered are not sent again.
  EXPECT_EQ(elsewhere.designs, remote.evaluator->computed());
}

}  // namespace
}  // namespace acceldse::dse
