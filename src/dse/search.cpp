// The search driver: budgets, the running best / Pareto front / feasibility funnel,
// sensitivity around the optimum, and explore() tying them together.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <unordered_set>

#include "common/error.h"
#include "dse/dse.h"
#include "dse/internal.h"

namespace acceldse::dse {

namespace {

double now_s() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();

}  // namespace

// ---- Pareto front -------------------------------------------------------------------------

bool ParetoFront::insert(const Evaluation& evaluation) {
  if (!evaluation.feasible()) return false;
  auto v = pareto_vector(evaluation.metrics);
  for (const Evaluation& p : points_) {
    if (dominates(pareto_vector(p.metrics), v) || p.design == evaluation.design) return false;
  }
  std::erase_if(points_, [&](const Evaluation& p) { return dominates(v, pareto_vector(p.metrics)); });
  points_.push_back(evaluation);
  return true;
}

std::vector<Evaluation> ParetoFront::sorted() const {
  std::vector<Evaluation> out = points_;
  std::sort(out.begin(), out.end(), [](const Evaluation& a, const Evaluation& b) {
    auto va = pareto_vector(a.metrics), vb = pareto_vector(b.metrics);
    if (va != vb) return va < vb;
    return a.design < b.design;
  });
  return out;
}

// ---- Budget -------------------------------------------------------------------------------

Budget Budget::parse(const std::string& text, const std::string& place) {
  auto bad = [&]() -> InputError {
    return InputError("<command line>", place,
                      "expected a number of evaluations (\"500\") or a time (\"30s\", \"2m\"), got '" + text + "'");
  };
  if (text.empty()) throw bad();
  size_t used = 0;
  double number = 0;
  try {
    number = std::stod(text, &used);
  } catch (const std::exception&) {
    throw bad();
  }
  std::string unit = text.substr(used);
  if (!std::isfinite(number) || number <= 0) throw bad();
  Budget budget;
  if (unit.empty()) {
    if (number != std::floor(number)) throw bad();
    budget.evaluations = static_cast<uint64_t>(number);
  } else if (unit == "s") {
    budget.seconds = number;
  } else if (unit == "m" || unit == "min") {
    budget.seconds = number * 60;
  } else if (unit == "h") {
    budget.seconds = number * 3600;
  } else {
    throw bad();
  }
  return budget;
}

// ---- Search -------------------------------------------------------------------------------

// The designs a search has seen: one bit per design while the space is small enough to
// number (cheap even for a full grid), a hash set beyond that.
struct Search::Seen {
  const DesignSpace& space;
  bool use_bits;
  std::vector<uint64_t> bits;
  std::unordered_set<Design, DesignHash> set;

  explicit Seen(const DesignSpace& s) : space(s), use_bits(s.size() <= (uint64_t{1} << 27)) {  // bits: 16 MiB at most
    if (use_bits) bits.resize((s.size() + 63) / 64);
  }
  uint64_t flat(const Design& d) const {
    uint64_t f = 0;
    for (size_t i = 0; i < d.index.size(); ++i) f = f * space.parameters()[i].values.size() + d.index[i];
    return f;
  }
  bool contains(const Design& d) const {
    if (!use_bits) return set.contains(d);
    uint64_t f = flat(d);
    return (bits[f / 64] >> (f % 64)) & 1;
  }
  void insert(const Design& d) {
    if (!use_bits) {
      set.insert(d);
      return;
    }
    uint64_t f = flat(d);
    bits[f / 64] |= uint64_t{1} << (f % 64);
  }
};

Search::Search(Evaluator& evaluator, Budget budget, uint64_t seed, std::function<void(const Progress&)> on_progress)
    : evaluator_(evaluator),
      seed_(seed),
      planned_(std::min(budget.evaluations > 0 ? budget.evaluations : kUnlimited, evaluator.space().size())),
      seconds_(budget.seconds),
      on_progress_(std::move(on_progress)),
      start_s_(now_s()),
      removed_(evaluator.space().constraints().size() + 1, 0),
      seen_(std::make_unique<Seen>(evaluator.space())) {}

Search::~Search() = default;

const DesignSpace& Search::space() const { return evaluator_.space(); }
bool Search::known(const Design& design) const { return seen_->contains(design); }

bool Search::done() const { return evaluated_ >= planned_ || (seconds_ > 0 && now_s() - start_s_ >= seconds_); }

uint64_t Search::remaining() const { return evaluated_ >= planned_ ? 0 : planned_ - evaluated_; }

double Search::fraction_used() const {
  double by_count = planned_ == kUnlimited ? 0 : static_cast<double>(evaluated_) / static_cast<double>(planned_);
  double by_time = seconds_ > 0 ? (now_s() - start_s_) / seconds_ : 0;
  return std::clamp(std::max(by_count, by_time), 0.0, 1.0);
}

std::vector<Evaluation> Search::evaluate(std::span<const Design> designs) {
  if (done()) return {};
  // Designs this search saw before are free; the batch is cut where the new ones would
  // exceed the budget, so the cut never depends on timing or threads.
  std::unordered_set<Design, DesignHash> fresh;
  std::vector<char> is_new;
  uint64_t left = remaining();
  size_t take = 0;
  for (; take < designs.size(); ++take) {
    bool novel = !seen_->contains(designs[take]) && !fresh.contains(designs[take]);
    if (novel && fresh.size() == left) break;
    if (novel) fresh.insert(designs[take]);
    is_new.push_back(novel ? 1 : 0);
  }
  std::vector<Evaluation> evaluations = evaluator_.evaluate(designs.first(take));
  for (size_t i = 0; i < take; ++i) {
    if (is_new[i]) record(evaluations[i]);
  }
  evaluated_ += fresh.size();
  if (on_progress_) on_progress_(Progress{evaluated_, planned_ == kUnlimited ? 0 : planned_, now_s() - start_s_});
  return evaluations;
}

void Search::record(const Evaluation& evaluation) {
  seen_->insert(evaluation.design);
  if (!evaluation.valid()) {
    if (removed_[0]++ == 0) first_error_ = evaluation.error;
    return;
  }
  if (evaluation.violated >= 0) {
    ++removed_[static_cast<size_t>(evaluation.violated) + 1];
    return;
  }
  if (!best_ || better(evaluation, *best_)) best_ = evaluation;
  pareto_.insert(evaluation);
}

std::vector<FunnelStage> Search::funnel() const {
  std::vector<FunnelStage> stages;
  uint64_t remaining = evaluated_;
  for (size_t i = 0; i < removed_.size(); ++i) {
    remaining -= removed_[i];
    std::string what = i == 0 ? "valid design" : space().constraints()[i - 1].text;
    stages.push_back(FunnelStage{what, removed_[i], remaining});
  }
  return stages;
}

// ---- Exploration --------------------------------------------------------------------------

uint64_t Strategy::default_budget(uint64_t space_size) const {
  // A tenth of the space, but at least enough for the heuristics to find their feet.
  return std::min(space_size, std::max<uint64_t>(200, space_size / 10));
}

std::vector<Sensitivity> sensitivity(Evaluator& evaluator, const Design& optimum) {
  const auto& parameters = evaluator.space().parameters();
  std::vector<Design> designs;
  for (size_t p = 0; p < parameters.size(); ++p) {
    for (size_t v = 0; v < parameters[p].values.size(); ++v) {
      Design d = optimum;
      d.index[p] = static_cast<uint16_t>(v);
      designs.push_back(std::move(d));
    }
  }
  std::vector<Evaluation> evaluations = evaluator.evaluate(designs);
  std::vector<Sensitivity> out;
  size_t next = 0;
  for (size_t p = 0; p < parameters.size(); ++p) {
    Sensitivity s{parameters[p].name, optimum.index[p], {}};
    for (const std::string& value : parameters[p].values) {
      s.points.push_back(SensitivityPoint{value, std::move(evaluations[next++])});
    }
    out.push_back(std::move(s));
  }
  return out;
}

namespace {

// Sensitivity designs the search had not seen (each point varies one parameter, so the
// optimum itself recurs once per parameter).
uint64_t unseen_designs(const Search& search, const std::vector<Sensitivity>& sweeps) {
  std::unordered_set<Design, DesignHash> extra;
  for (const Sensitivity& s : sweeps) {
    for (const SensitivityPoint& p : s.points) {
      if (!search.known(p.evaluation.design)) extra.insert(p.evaluation.design);
    }
  }
  return extra.size();
}

}  // namespace

ExploreResult explore(Evaluator& evaluator, Strategy& strategy, const ExploreOptions& options) {
  double start = now_s();
  uint64_t computed0 = evaluator.computed(), stored0 = evaluator.from_store();
  Budget budget = options.budget;
  if (budget.evaluations == 0 && budget.seconds == 0) {
    budget.evaluations = strategy.default_budget(evaluator.space().size());
  }
  Search search(evaluator, budget, options.seed, options.on_progress);
  strategy.run(search);

  ExploreResult result;
  result.strategy = strategy.name();
  result.seed = options.seed;
  result.search_evaluated = search.evaluated();
  result.best = search.best();
  result.pareto = search.pareto().sorted();
  result.funnel = search.funnel();
  result.first_error = search.first_error();
  result.feasible = result.funnel.empty() ? 0 : result.funnel.back().remaining;
  result.evaluated = search.evaluated();
  if (result.best && options.sensitivity) {
    result.sensitivity = sensitivity(evaluator, result.best->design);
    result.evaluated += unseen_designs(search, result.sensitivity);
  }
  evaluator.flush();
  result.computed = evaluator.computed() - computed0;
  result.from_store = evaluator.from_store() - stored0;
  result.elapsed_s = now_s() - start;
  return result;
}

ExploreResult explore(Evaluator& evaluator, const ExploreOptions& options) {
  std::unique_ptr<Strategy> strategy = make_strategy(options.strategy);
  return explore(evaluator, *strategy, options);
}

std::string ExploreResult::infeasible_reason() const {
  if (best) return "";
  uint64_t total = search_evaluated;
  if (total == 0) return "no design was evaluated (is the budget zero?)";
  for (size_t i = 0; i < funnel.size(); ++i) {
    const FunnelStage& stage = funnel[i];
    if (stage.remaining > 0 || stage.removed == 0) continue;
    if (i == 0) {
      return "none of the " + std::to_string(total) +
             " designs evaluated is valid for the cost model (check the base accelerator and parameter values)" +
             (first_error.empty() ? "" : "; the first: " + first_error);
    }
    uint64_t before = stage.remaining + stage.removed;
    std::string out = "no feasible design among the " + std::to_string(total) + " evaluated: constraint '" +
                      stage.what + "' removed the last " + std::to_string(before) + " (";
    for (size_t j = 0; j < i; ++j) {
      out += (j ? ", " : "") + std::string("'") + funnel[j].what + "' removed " + std::to_string(funnel[j].removed);
    }
    return out + " before it); relax it or widen the space";
  }
  return "no feasible design";
}

}  // namespace acceldse::dse
