// Search strategies: exhaustive grid, random sampling, simulated annealing and an
// NSGA-II style genetic search. Each draws every random choice from its own seeded
// generator and looks only at evaluations, so results never depend on threads or timing
// (except where a time budget cuts a run short).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_set>

#include "common/error.h"
#include "dse/dse.h"
#include "dse/internal.h"

namespace acceldse::dse {

// ---- Random numbers -----------------------------------------------------------------------

namespace detail {

Rng::Rng(uint64_t seed) {
  for (uint64_t& s : s_) {
    seed += 0x9e3779b97f4a7c15ULL;
    uint64_t z = seed;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    s = z ^ (z >> 31);
  }
}

uint64_t Rng::next() {
  auto rotl = [](uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
  uint64_t result = rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

uint64_t Rng::below(uint64_t n) {
  if (n <= 1) return 0;
  uint64_t limit = std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % n;
  for (;;) {
    uint64_t x = next();
    if (x < limit) return x % n;
  }
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

}  // namespace detail

namespace {

using detail::Rng;

constexpr size_t kGridBatch = 512;

Design random_design(const DesignSpace& space, Rng& rng) {
  Design d;
  for (const Parameter& p : space.parameters()) d.index.push_back(static_cast<uint16_t>(rng.below(p.values.size())));
  return d;
}

// Parameters with a choice to make; moves only ever touch these.
std::vector<size_t> free_parameters(const DesignSpace& space) {
  std::vector<size_t> out;
  for (size_t i = 0; i < space.parameters().size(); ++i) {
    if (space.parameters()[i].values.size() > 1) out.push_back(i);
  }
  return out;
}

// Numeric parameters step to a neighbouring value (nearby values perform alike);
// categorical ones jump to any other value.
void mutate_gene(const DesignSpace& space, Design& d, size_t p, Rng& rng) {
  const Parameter& parameter = space.parameters()[p];
  auto n = static_cast<int64_t>(parameter.values.size());
  if (!parameter.numeric || rng.chance(0.1)) {
    auto other = static_cast<int64_t>(rng.below(static_cast<uint64_t>(n - 1)));
    if (other >= d.index[p]) ++other;
    d.index[p] = static_cast<uint16_t>(other);
    return;
  }
  int64_t step = rng.chance(0.2) ? 2 : 1;
  int64_t i = d.index[p] + (rng.chance(0.5) ? step : -step);
  if (i < 0 || i >= n) i = d.index[p] - (i - d.index[p]);  // reflect at the ends
  d.index[p] = static_cast<uint16_t>(std::clamp<int64_t>(i, 0, n - 1));
}

Design neighbour(const DesignSpace& space, const std::vector<size_t>& free, const Design& from, Rng& rng) {
  Design d = from;
  if (free.empty()) return d;
  int moves = rng.chance(0.25) ? 2 : 1;
  for (int m = 0; m < moves; ++m) mutate_gene(space, d, free[rng.below(free.size())], rng);
  return d;
}

// Scores span orders of magnitude, so heuristics compare them on a log scale;
// maximised objectives arrive negated and stay monotone under this map.
double signed_log(double x) {
  if (x > 0) return std::log(x);
  if (x < 0) return -std::log(-x);
  return -std::numeric_limits<double>::max();
}

// Lower is better; infeasible designs rank behind feasible ones by their violation.
double energy(const Evaluation& e) {
  if (!e.valid()) return std::numeric_limits<double>::infinity();
  double penalty = e.feasible() ? 0 : 1 + 4 * std::log1p(e.violation);
  return signed_log(e.score) + penalty;
}

bool improves(const Evaluation& candidate, const Evaluation& incumbent) {
  if (!candidate.feasible()) return false;
  return !incumbent.feasible() || better(candidate, incumbent);
}

// Greedy coordinate descent: move to the best single-parameter neighbour until none
// improves. Turns "near the optimum" into "at a local optimum" cheaply, since
// neighbours evaluated before cost nothing.
Evaluation polish(Search& search, Evaluation current) {
  const DesignSpace& space = search.space();
  while (!search.done()) {
    std::vector<Design> around;
    for (size_t p : free_parameters(space)) {
      const Parameter& parameter = space.parameters()[p];
      for (size_t v = 0; v < parameter.values.size(); ++v) {
        bool adjacent = std::abs(static_cast<int64_t>(v) - current.design.index[p]) == 1;
        if (v == current.design.index[p] || (parameter.numeric && !adjacent)) continue;
        Design d = current.design;
        d.index[p] = static_cast<uint16_t>(v);
        around.push_back(std::move(d));
      }
    }
    std::optional<Evaluation> next;
    for (Evaluation& e : search.evaluate(around)) {
      if (improves(e, next ? *next : current)) next = std::move(e);
    }
    if (!next) break;
    current = std::move(*next);
  }
  return current;
}

// Iterated local search with whatever budget is left: kick the best design a few
// random moves away and polish again.
void spend_rest_locally(Search& search, Rng& rng) {
  const DesignSpace& space = search.space();
  std::vector<size_t> free = free_parameters(space);
  int stale = 0;
  while (!search.done() && search.best() && stale < 50) {
    Evaluation best = *search.best();
    best = polish(search, best);
    uint64_t before = search.evaluated();
    Design kicked = best.design;
    int kicks = 2 + static_cast<int>(rng.below(2));
    for (int k = 0; k < kicks && !free.empty(); ++k) mutate_gene(space, kicked, free[rng.below(free.size())], rng);
    std::vector<Evaluation> e = search.evaluate(std::span<const Design>(&kicked, 1));
    if (!e.empty() && e[0].feasible()) polish(search, e[0]);
    stale = search.evaluated() == before ? stale + 1 : 0;
  }
}

// ---- Grid ---------------------------------------------------------------------------------

class GridStrategy : public Strategy {
 public:
  std::string name() const override { return "grid"; }
  uint64_t default_budget(uint64_t space_size) const override { return space_size; }
  void run(Search& search) override {
    uint64_t size = search.space().size();
    std::vector<Design> batch;
    for (uint64_t flat = 0; flat < size && !search.done();) {
      batch.clear();
      for (; flat < size && batch.size() < kGridBatch; ++flat) batch.push_back(search.space().design_at(flat));
      search.evaluate(batch);
    }
  }
};

// ---- Random -------------------------------------------------------------------------------

class RandomStrategy : public Strategy {
 public:
  std::string name() const override { return "random"; }
  void run(Search& search) override {
    Rng rng(search.seed());
    uint64_t size = search.space().size();
    // Sampling without replacement: a shuffled index list while the space is small
    // enough to list, else rejection of repeats.
    if (size <= 4'000'000 && search.planned() >= size / 8) {
      run_shuffled(search, rng, size);
    } else {
      run_rejecting(search, rng);
    }
  }

 private:
  static void run_shuffled(Search& search, Rng& rng, uint64_t size) {
    std::vector<uint64_t> order(size);
    std::iota(order.begin(), order.end(), uint64_t{0});
    for (uint64_t i = size; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    std::vector<Design> batch;
    for (uint64_t next = 0; next < size && !search.done();) {
      batch.clear();
      for (; next < size && batch.size() < kGridBatch; ++next) batch.push_back(search.space().design_at(order[next]));
      search.evaluate(batch);
    }
  }
  static void run_rejecting(Search& search, Rng& rng) {
    std::unordered_set<Design, DesignHash> drawn;
    int stale = 0;
    while (!search.done() && stale < 100) {
      std::vector<Design> batch;
      for (size_t tries = 0;
           batch.size() < std::min<uint64_t>(kGridBatch, search.remaining()) && tries < 100 * kGridBatch; ++tries) {
        Design d = random_design(search.space(), rng);
        if (drawn.insert(d).second) batch.push_back(std::move(d));
      }
      uint64_t before = search.evaluated();
      search.evaluate(batch);
      stale = search.evaluated() == before ? stale + 1 : 0;
    }
  }
};

// ---- Simulated annealing ------------------------------------------------------------------

class AnnealStrategy : public Strategy {
 public:
  std::string name() const override { return "anneal"; }
  void run(Search& search) override {
    const DesignSpace& space = search.space();
    Rng rng(search.seed());
    std::vector<size_t> free = free_parameters(space);
    // Several independent chains give the thread pool a batch to chew on; their
    // number follows the budget, never the thread count, to stay reproducible.
    uint64_t budget = search.planned() == std::numeric_limits<uint64_t>::max() ? 4000 : search.planned();
    size_t chains = static_cast<size_t>(std::clamp<uint64_t>(budget / 60, 2, 16));
    std::vector<Design> starts;
    for (size_t c = 0; c < chains; ++c) starts.push_back(random_design(space, rng));
    std::vector<Evaluation> current = search.evaluate(starts);
    int stale = 0;
    while (!search.done() && search.fraction_used() < kAnnealShare && !current.empty() && stale < 200) {
      std::vector<Design> proposals;
      for (const Evaluation& e : current) proposals.push_back(neighbour(space, free, e.design, rng));
      uint64_t before = search.evaluated();
      std::vector<Evaluation> proposed = search.evaluate(proposals);
      double t = temperature(search.fraction_used() / kAnnealShare);
      for (size_t c = 0; c < proposed.size(); ++c) {
        if (accept(energy(proposed[c]) - energy(current[c]), t, rng)) current[c] = std::move(proposed[c]);
      }
      stale = search.evaluated() == before ? stale + 1 : 0;
    }
    spend_rest_locally(search, rng);
  }

 private:
  static constexpr double kAnnealShare = 0.8;  // the rest of the budget polishes

  // Geometric cooling from accepting ~20% worse moves readily to almost never.
  static double temperature(double progress) {
    constexpr double kStart = 0.2, kEnd = 0.002;
    return kStart * std::pow(kEnd / kStart, std::clamp(progress, 0.0, 1.0));
  }
  static bool accept(double delta, double t, Rng& rng) {
    double u = rng.uniform();  // always drawn, so the stream never depends on outcomes' NaNs
    if (std::isnan(delta) || delta <= 0) return true;
    if (std::isinf(delta)) return false;
    return u < std::exp(-delta / t);
  }
};

// ---- NSGA-II style genetic search ---------------------------------------------------------

class GeneticStrategy : public Strategy {
 public:
  std::string name() const override { return "genetic"; }
  void run(Search& search) override {
    const DesignSpace& space = search.space();
    Rng rng(search.seed());
    pareto_ = space.objective().pareto();
    uint64_t budget = search.planned() == std::numeric_limits<uint64_t>::max() ? 4000 : search.planned();
    size_t size = static_cast<size_t>(std::clamp<uint64_t>(budget / 12, 8, 64)) & ~size_t{1};
    std::vector<Design> initial;
    for (size_t i = 0; i < size; ++i) initial.push_back(random_design(space, rng));
    std::vector<Evaluation> population = search.evaluate(initial);
    double share = pareto_ ? 1.0 : 0.85;  // scalar objectives keep some budget to polish
    int stale = 0;
    while (!search.done() && search.fraction_used() < share && population.size() >= 2 && stale < 20) {
      rank(population);
      std::vector<Design> children = offspring(search, population, size, rng);
      uint64_t before = search.evaluated();
      std::vector<Evaluation> evaluated = search.evaluate(children);
      population.insert(population.end(), evaluated.begin(), evaluated.end());
      population = survivors(std::move(population), size);
      stale = search.evaluated() == before ? stale + 1 : 0;
    }
    if (!pareto_) spend_rest_locally(search, rng);
  }

 private:
  bool pareto_ = false;
  std::vector<size_t> rank_;
  std::vector<double> crowding_;

  std::vector<double> objectives(const Evaluation& e) const {
    if (!pareto_) return {signed_log(e.score)};
    auto v = pareto_vector(e.metrics);
    return {std::log(v[0]), std::log(v[1]), std::log(v[2])};
  }

  // Deb's constrained domination: valid beats invalid, feasible beats infeasible,
  // less violation beats more, then ordinary Pareto domination.
  bool constrained_dominates(const Evaluation& a, const Evaluation& b) const {
    if (a.valid() != b.valid()) return a.valid();
    if (!a.valid()) return false;
    if (a.feasible() != b.feasible()) return a.feasible();
    if (!a.feasible()) return a.violation < b.violation;
    return dominates(objectives(a), objectives(b));
  }

  // Fills rank_ (front number) and crowding_ for `population`.
  void rank(const std::vector<Evaluation>& population) {
    size_t n = population.size();
    rank_.assign(n, 0);
    crowding_.assign(n, 0);
    std::vector<std::vector<size_t>> dominated(n);
    std::vector<size_t> count(n, 0);
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < n; ++j) {
        if (i != j && constrained_dominates(population[i], population[j])) {
          dominated[i].push_back(j);
          ++count[j];
        }
      }
    }
    std::vector<size_t> front;
    for (size_t i = 0; i < n; ++i) {
      if (count[i] == 0) front.push_back(i);
    }
    for (size_t level = 0; !front.empty(); ++level) {
      crowd(population, front);
      std::vector<size_t> next;
      for (size_t i : front) {
        rank_[i] = level;
        for (size_t j : dominated[i]) {
          if (--count[j] == 0) next.push_back(j);
        }
      }
      front = std::move(next);
    }
  }

  void crowd(const std::vector<Evaluation>& population, std::vector<size_t> front) {
    if (front.empty()) return;
    size_t m = objectives(population[front[0]]).size();
    for (size_t k = 0; k < m; ++k) {
      std::sort(front.begin(), front.end(), [&](size_t a, size_t b) {
        double x = objectives(population[a])[k], y = objectives(population[b])[k];
        return x != y ? x < y : population[a].design < population[b].design;
      });
      double lo = objectives(population[front.front()])[k], hi = objectives(population[front.back()])[k];
      crowding_[front.front()] = crowding_[front.back()] = std::numeric_limits<double>::infinity();
      if (!(hi > lo) || !std::isfinite(hi - lo)) continue;
      for (size_t i = 1; i + 1 < front.size(); ++i) {
        double gap = objectives(population[front[i + 1]])[k] - objectives(population[front[i - 1]])[k];
        crowding_[front[i]] += gap / (hi - lo);
      }
    }
  }

  bool fitter(const std::vector<Evaluation>& population, size_t a, size_t b) const {
    if (rank_[a] != rank_[b]) return rank_[a] < rank_[b];
    if (crowding_[a] != crowding_[b]) return crowding_[a] > crowding_[b];
    return population[a].design < population[b].design;
  }

  size_t tournament(const std::vector<Evaluation>& population, Rng& rng) const {
    size_t a = rng.below(population.size()), b = rng.below(population.size());
    return fitter(population, a, b) ? a : b;
  }

  std::vector<Design> offspring(Search& search, const std::vector<Evaluation>& population, size_t size,
                                Rng& rng) const {
    const DesignSpace& space = search.space();
    std::vector<size_t> free = free_parameters(space);
    double gene_rate = free.empty() ? 0 : std::max(0.1, 1.0 / static_cast<double>(free.size()));
    std::vector<Design> children;
    std::unordered_set<Design, DesignHash> seen;
    while (children.size() < size) {
      const Design& mum = population[tournament(population, rng)].design;
      const Design& dad = population[tournament(population, rng)].design;
      Design child = mum;
      if (rng.chance(0.9)) {
        for (size_t p = 0; p < child.index.size(); ++p) {
          if (rng.chance(0.5)) child.index[p] = dad.index[p];
        }
      }
      // Re-mutate repeats a few times: a child seen before teaches nothing.
      for (int attempt = 0; attempt < 8; ++attempt) {
        for (size_t p : free) {
          if (rng.chance(gene_rate)) mutate_gene(space, child, p, rng);
        }
        if (!seen.contains(child) && !search.known(child)) break;
      }
      seen.insert(child);
      children.push_back(std::move(child));
    }
    return children;
  }

  std::vector<Evaluation> survivors(std::vector<Evaluation> pool, size_t size) {
    std::sort(pool.begin(), pool.end(), [](const Evaluation& a, const Evaluation& b) { return a.design < b.design; });
    pool.erase(std::unique(pool.begin(), pool.end(),
                           [](const Evaluation& a, const Evaluation& b) { return a.design == b.design; }),
               pool.end());
    rank(pool);
    std::vector<size_t> order(pool.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return fitter(pool, a, b); });
    std::vector<Evaluation> next;
    for (size_t i = 0; i < std::min(size, order.size()); ++i) next.push_back(std::move(pool[order[i]]));
    return next;
  }
};

}  // namespace

std::unique_ptr<Strategy> make_strategy(const std::string& name) {
  if (name == "grid") return std::make_unique<GridStrategy>();
  if (name == "random") return std::make_unique<RandomStrategy>();
  if (name == "anneal") return std::make_unique<AnnealStrategy>();
  if (name == "genetic") return std::make_unique<GeneticStrategy>();
  throw InputError("<command line>", "strategy",
                   "unknown strategy '" + name + "'; expected grid, random, anneal or genetic");
}

}  // namespace acceldse::dse
