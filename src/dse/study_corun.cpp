// Several networks sharing one chip: spatial partitioning (each network on its own
// slice of the tensor unit, buffers, DRAM bandwidth and vector lanes) against time
// multiplexing (the networks take turns on the whole chip).
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "common/error.h"
#include "dse/internal.h"
#include "dse/study.h"
#include "dse/study_internal.h"

namespace acceldse::dse {

// ---- Demands and modes ----------------------------------------------------------------------

Demand parse_demand(const std::string& text, const std::string& place) {
  std::string number = text;
  bool target = false;
  for (const char* suffix : {"/s", "fps"}) {
    std::string s(suffix);
    if (number.size() > s.size() && number.ends_with(s)) {
      number.resize(number.size() - s.size());
      target = true;
      break;
    }
  }
  char* end = nullptr;
  double value = std::strtod(number.c_str(), &end);
  if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(value) || value <= 0) {
    throw InputError(
        "<command line>", place,
        "expected a positive weight (\"2\") or a required throughput (\"30/s\" or \"30fps\"), got '" + text + "'");
  }
  Demand d;
  (target ? d.target_per_s : d.weight) = value;
  return d;
}

CorunMode parse_corun_mode(const std::string& text) {
  if (text == "spatial") return CorunMode::kSpatial;
  if (text == "time") return CorunMode::kTime;
  if (text == "both") return CorunMode::kBoth;
  throw InputError("<command line>", "mode", "expected spatial, time or both, got '" + text + "'");
}

const char* to_string(CorunMode mode) {
  switch (mode) {
    case CorunMode::kSpatial: return "spatial";
    case CorunMode::kTime: return "time";
    case CorunMode::kBoth: return "both";
  }
  return "?";
}

// ---- Partitions -----------------------------------------------------------------------------

namespace {

int64_t split_dimension(const arch::Accelerator& chip) {
  return chip.tensor.arrays > 1 ? chip.tensor.arrays : chip.tensor.cols;
}

int64_t scaled_kib(int64_t kib, double fraction) {
  return kib == 0 ? 0 : std::max<int64_t>(1, static_cast<int64_t>(std::floor(static_cast<double>(kib) * fraction)));
}

double total_buffer_kib(const arch::Accelerator& a) {
  const arch::Buffers& b = a.buffers;
  return static_cast<double>(b.unified ? b.unified_kib : b.input_kib + b.weight_kib + b.output_kib);
}

}  // namespace

int partition_units(const arch::Accelerator& chip, int requested) {
  const int64_t dim = split_dimension(chip);
  for (int64_t u = std::min<int64_t>(requested, dim); u > 1; --u) {
    if (dim % u == 0) return static_cast<int>(u);
  }
  return 1;
}

std::optional<arch::Accelerator> partition(const arch::Accelerator& chip, int units, int total) {
  const int64_t dim = split_dimension(chip);
  if (total < 1 || units < 1 || units > total || dim % total != 0) return std::nullopt;
  arch::Accelerator part = chip;
  const int64_t slice = dim / total * units;
  (chip.tensor.arrays > 1 ? part.tensor.arrays : part.tensor.cols) = slice;
  const double f = static_cast<double>(units) / total;
  arch::Buffers& b = part.buffers;
  b.unified_kib = scaled_kib(b.unified_kib, f);
  b.input_kib = scaled_kib(b.input_kib, f);
  b.weight_kib = scaled_kib(b.weight_kib, f);
  b.output_kib = scaled_kib(b.output_kib, f);
  b.read_bytes_per_cycle *= f;  // 0 (as wide as needed) stays 0
  b.write_bytes_per_cycle *= f;
  part.dram.bandwidth_gb_per_s *= f;
  part.vector.lanes =
      std::max<int64_t>(1, static_cast<int64_t>(std::floor(static_cast<double>(chip.vector.lanes) * f)));
  part.name = chip.name + " part " + std::to_string(units) + "/" + std::to_string(total);
  try {
    arch::validate(part, "<partition>");
  } catch (const InputError&) {
    return std::nullopt;  // too small a slice for a minimal tile: not a usable split
  }
  return part;
}

namespace {

// ---- Plans ----------------------------------------------------------------------------------

// What one network achieves on its share: seconds per inference and its metrics.
struct Slot {
  bool ok = false;
  double seconds = 0;  // per inference
  Metrics metrics;
  Share share;
};

Share share_of(const arch::Accelerator& a, double time) {
  Share s;
  s.rows = a.tensor.rows;
  s.cols = a.tensor.cols;
  s.arrays = a.tensor.arrays;
  s.pes = a.pes();
  s.buffer_kib = total_buffer_kib(a);
  s.dram_gb_per_s = a.dram.bandwidth_gb_per_s;
  s.vector_lanes = a.vector.lanes;
  s.time = time;
  return s;
}

Slot slot_of(const Metrics& m, const arch::Accelerator& a) {
  Slot s;
  s.ok = m.throughput_per_s > 0;
  s.seconds = s.ok ? 1.0 / m.throughput_per_s : 0;
  s.metrics = m;
  s.share = share_of(a, 1);
  return s;
}

bool has_weights(const std::vector<Demand>& demands) {
  return std::any_of(demands.begin(), demands.end(), [](const Demand& d) { return !d.is_target(); });
}

// Per second of operation: area of the chip, total inferences, power and DRAM traffic
// summed over the networks, utilisation of the whole chip's PEs.
Metrics aggregate(const CorunPlan& plan, const arch::Accelerator& chip) {
  Metrics a;
  a.area_mm2 = plan.area_mm2;
  a.pes = chip.pes();
  double pe_seconds = 0, dram_bytes = 0;
  for (const CorunNetwork& n : plan.networks) {
    a.throughput_per_s += n.throughput_per_s;
    a.latency_s = std::max(a.latency_s, n.latency_s);
    a.energy_pj += n.throughput_per_s * n.metrics.energy_pj;
    a.power_w += n.throughput_per_s * n.metrics.power_w * n.metrics.latency_s;
    a.dram_power_w += n.throughput_per_s * n.metrics.dram_power_w * n.metrics.latency_s;
    pe_seconds += n.throughput_per_s * n.metrics.utilization * n.latency_s * static_cast<double>(n.share.pes);
    dram_bytes += n.throughput_per_s * static_cast<double>(n.metrics.dram_bytes);
  }
  a.cycles = static_cast<int64_t>(std::llround(a.latency_s * chip.clock_ghz * 1e9));
  a.utilization = a.pes > 0 ? pe_seconds / static_cast<double>(a.pes) : 0;
  a.edp = a.energy_pj * 1e-12 * a.latency_s;
  a.perf_per_area = a.area_mm2 > 0 ? a.throughput_per_s / a.area_mm2 : 0;
  a.dram_bytes = static_cast<int64_t>(dram_bytes);
  return a;
}

CorunNetwork network_entry(const std::string& name, const Demand& demand, const Slot& slot, double rate, double time) {
  CorunNetwork n;
  n.name = name;
  n.demand = demand;
  n.throughput_per_s = rate;
  n.latency_s = slot.seconds;
  n.metrics = slot.metrics;
  n.share = slot.share;
  n.share.time = time;
  return n;
}

double headroom_of(const CorunPlan& plan) {
  double h = std::numeric_limits<double>::infinity();
  for (const CorunNetwork& n : plan.networks) {
    if (n.demand.is_target()) h = std::min(h, n.throughput_per_s / n.demand.target_per_s);
  }
  return std::isfinite(h) ? h : 0;
}

// Time multiplexing: targets take the time they need; the weighted mix shares the
// rest in proportion to weight x time per inference. With targets only, spare time is
// handed out in proportion to the targets so the report shows the headroom.
std::optional<CorunPlan> time_plan(const std::vector<std::string>& names, const std::vector<Demand>& demands,
                                   const std::vector<Slot>& whole) {
  double needed = 0, weighted = 0;
  for (size_t i = 0; i < demands.size(); ++i) {
    if (!whole[i].ok) return std::nullopt;
    if (demands[i].is_target())
      needed += demands[i].target_per_s * whole[i].seconds;
    else
      weighted += demands[i].weight * whole[i].seconds;
  }
  if (needed > 1 || (weighted > 0 && needed >= 1)) return std::nullopt;
  CorunPlan plan;
  plan.mode = CorunMode::kTime;
  const double mix = weighted > 0 ? (1 - needed) / weighted : 0;
  const double spare = weighted > 0 ? 1 : 1 / needed;
  for (size_t i = 0; i < demands.size(); ++i) {
    const Demand& d = demands[i];
    double rate = d.is_target() ? d.target_per_s * spare : d.weight * mix;
    plan.networks.push_back(network_entry(names[i], d, whole[i], rate, rate * whole[i].seconds));
  }
  plan.mix_rate_per_s = mix;
  plan.headroom = headroom_of(plan);
  return plan;
}

// ---- Spatial split search -----------------------------------------------------------------

// Is split `a` better than `b` (for the same design)? Weighted: higher mix rate, then
// more headroom; targets only: more headroom. Then the more even split, so identical
// networks with equal demands get equal shares, then the lexicographically smaller.
struct SplitScore {
  double mix = 0, headroom = 0;
  int64_t spread = 0;
  std::vector<int> units;
};

bool better_split(const SplitScore& a, const SplitScore& b, bool weighted) {
  if (weighted && a.mix != b.mix) return a.mix > b.mix;
  if (a.headroom != b.headroom) return a.headroom > b.headroom;
  if (a.spread != b.spread) return a.spread < b.spread;
  return a.units < b.units;
}

std::optional<SplitScore> score_split(const std::vector<Demand>& demands, const std::vector<std::vector<Slot>>& slots,
                                      const std::vector<int>& units) {
  SplitScore s;
  s.units = units;
  double mix = std::numeric_limits<double>::infinity(), headroom = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < demands.size(); ++i) {
    const Slot& slot = slots[i][static_cast<size_t>(units[i])];
    if (!slot.ok) return std::nullopt;
    double rate = 1 / slot.seconds;
    if (demands[i].is_target())
      headroom = std::min(headroom, rate / demands[i].target_per_s);
    else
      mix = std::min(mix, rate / demands[i].weight);
  }
  if (std::isfinite(headroom) && headroom < 1 - 1e-12) return std::nullopt;
  s.mix = std::isfinite(mix) ? mix : 0;
  s.headroom = std::isfinite(headroom) ? headroom : 0;
  auto [lo, hi] = std::minmax_element(units.begin(), units.end());
  s.spread = *hi - *lo;
  return s;
}

// Every way to give each network at least one of `total` units, all units used.
void for_each_split(size_t networks, int total, std::vector<int>& units, const std::function<void()>& fn) {
  if (units.size() + 1 == networks) {
    units.push_back(total);
    fn();
    units.pop_back();
    return;
  }
  const int left_for_rest = static_cast<int>(networks - units.size() - 1);
  for (int u = 1; u <= total - left_for_rest; ++u) {
    units.push_back(u);
    for_each_split(networks, total - u, units, fn);
    units.pop_back();
  }
}

struct SpatialContext {
  const DesignSpace& space;
  const std::vector<NetworkPtr>& networks;
  const std::vector<Demand>& demands;
  int requested_units;  // --partition-units, at least one per network
  const std::shared_ptr<cost::CostCache>& cache;
  const CorunOptions& options;
  int most_units() const { return requested_units - static_cast<int>(networks.size()) + 1; }
};

// Designs whose parts are evaluated together, each with the units its chip splits into.
struct Chunk {
  std::vector<uint64_t> numbers;  // in the matrix
  std::vector<Design> designs;
  std::vector<int> total_units;
  size_t size() const { return designs.size(); }
};

// parts[i][u - 1][j]: network i on u units of design j's chip, evaluated only where the
// chip splits into enough units to leave every other network one. Each (network,
// units) is one batch of one study task, so options.remote may spread it over
// processes; leaving the other designs out keeps every batch real work.
using PartEvaluations = std::vector<std::vector<std::vector<Evaluation>>>;

std::vector<Evaluation> evaluate_part(const SpatialContext& ctx, const Chunk& chunk, uint32_t network, int units) {
  const int others = static_cast<int>(ctx.networks.size()) - 1;
  std::vector<size_t> members;
  std::vector<Design> batch;
  for (size_t j = 0; j < chunk.size(); ++j) {
    if (units + others > chunk.total_units[j]) continue;
    members.push_back(j);
    batch.push_back(chunk.designs[j]);
  }
  std::vector<Evaluation> row(chunk.size());
  if (batch.empty()) return row;
  const StudyTask task{network, {}, units, ctx.requested_units};
  std::unique_ptr<Evaluator> evaluator = study_detail::task_evaluator(ctx.space, ctx.networks, task, ctx.cache,
                                                                      ctx.options.threads, ctx.options.remote, 0);
  std::vector<Evaluation> results = evaluator->evaluate(batch);
  for (size_t m = 0; m < members.size(); ++m) row[members[m]] = std::move(results[m]);
  return row;
}

PartEvaluations evaluate_parts(const SpatialContext& ctx, const Chunk& chunk) {
  PartEvaluations parts(ctx.networks.size());
  for (uint32_t i = 0; i < ctx.networks.size(); ++i) {
    for (int u = 1; u <= ctx.most_units(); ++u) parts[i].push_back(evaluate_part(ctx, chunk, i, u));
  }
  return parts;
}

// slots[i][u]: network i on u of the chip's `total` units.
std::vector<std::vector<Slot>> partition_slots(const SpatialContext& ctx, const arch::Accelerator& chip, int total,
                                               const PartEvaluations& parts, size_t j, uint64_t& evaluations) {
  const size_t k = ctx.networks.size();
  std::vector<std::vector<Slot>> slots(k, std::vector<Slot>(static_cast<size_t>(total) + 1));
  for (int u = 1; u <= total - static_cast<int>(k) + 1; ++u) {
    for (size_t i = 0; i < k; ++i) {
      const Evaluation& e = parts[i][static_cast<size_t>(u - 1)][j];
      if (!e.valid()) continue;                                     // e.g. the slice lacks what an op needs: not usable
      slots[i][static_cast<size_t>(u)] = slot_of(e.metrics, chip);  // the share is set for the plan chosen
      ++evaluations;
    }
  }
  return slots;
}

std::optional<CorunPlan> spatial_plan(const SpatialContext& ctx, const arch::Accelerator& chip, int total,
                                      const PartEvaluations& parts, size_t j, uint64_t& evaluations) {
  const size_t k = ctx.networks.size();
  if (total < static_cast<int>(k)) return std::nullopt;
  std::vector<std::vector<Slot>> slots = partition_slots(ctx, chip, total, parts, j, evaluations);
  const bool weighted = has_weights(ctx.demands);
  std::optional<SplitScore> best;
  std::vector<int> units;
  for_each_split(k, total, units, [&] {
    std::optional<SplitScore> s = score_split(ctx.demands, slots, units);
    if (s && (!best || better_split(*s, *best, weighted))) best = s;
  });
  if (!best) return std::nullopt;
  CorunPlan plan;
  plan.mode = CorunMode::kSpatial;
  plan.mix_rate_per_s = best->mix;
  for (size_t i = 0; i < k; ++i) {
    Slot slot = slots[i][static_cast<size_t>(best->units[i])];
    slot.share = share_of(partition(chip, best->units[i], total).value(), 1);
    plan.networks.push_back(network_entry(ctx.networks[i]->name, ctx.demands[i], slot, 1 / slot.seconds, 1));
  }
  plan.headroom = headroom_of(plan);
  return plan;
}

// ---- Choosing across designs --------------------------------------------------------------

// The shared order (compare_rank): the objective -- weighted: the higher mix rate;
// targets only: the smaller area -- then less area, then less energy per second of
// operation; then more headroom, then the design's order.
bool better_plan(const CorunPlan& a, const CorunPlan& b, bool weighted) {
  auto key = [weighted](const CorunPlan& p) {
    return RankKey{weighted ? -p.mix_rate_per_s : p.area_mm2, p.area_mm2, p.aggregate.energy_pj};
  };
  if (int c = compare_rank(key(a), key(b)); c != 0) return c < 0;
  if (a.headroom != b.headroom) return a.headroom > b.headroom;
  return a.design < b.design;
}

// The space's constraints, on the plan's aggregate metrics.
bool meets_constraints(const DesignSpace& space, CorunPlan& plan, const arch::Accelerator& chip) {
  plan.aggregate = aggregate(plan, chip);
  Evaluation e;
  e.design = plan.design;
  e.metrics = plan.aggregate;
  detail::judge(space, e);
  return e.feasible();
}

void consider(std::optional<CorunPlan>& best, CorunPlan plan, bool weighted) {
  if (!best || better_plan(plan, *best, weighted)) best = std::move(plan);
}

struct Candidates {
  std::optional<CorunPlan> spatial, time;
  uint64_t evaluations = 0;
};

void finish_plan(CorunPlan& plan, const Design& design, double area_mm2) {
  plan.design = design;
  plan.area_mm2 = area_mm2;
}

// The best time plan over the designs every network could be evaluated on.
void search_time(const DesignSpace& space, const std::vector<std::string>& names, const std::vector<Demand>& demands,
                 const study_detail::SpaceMatrix& m, Candidates& out) {
  const bool weighted = has_weights(demands);
  for (uint64_t d = 0; d < m.designs; ++d) {
    std::vector<Slot> whole;
    const Design design = space.design_at(d);
    const arch::Accelerator chip = space.accelerator(design);
    for (size_t i = 0; i < names.size(); ++i) {
      whole.push_back(m.valid[i][d] ? slot_of(m.metrics[i][d], chip) : Slot{});
    }
    std::optional<CorunPlan> plan = time_plan(names, demands, whole);
    if (!plan) continue;
    finish_plan(*plan, design, m.area_mm2[d]);
    if (meets_constraints(space, *plan, chip)) consider(out.time, std::move(*plan), weighted);
  }
}

// Designs per chunk: bounds the evaluations kept at once.
constexpr size_t kSpatialChunk = 4096;

// The next designs from `next` on that every network runs on, at most kSpatialChunk.
Chunk next_chunk(const SpatialContext& ctx, const study_detail::SpaceMatrix& m, uint64_t& next) {
  Chunk chunk;
  for (; next < m.designs && chunk.size() < kSpatialChunk; ++next) {
    bool valid = true;
    for (size_t i = 0; i < ctx.networks.size(); ++i) valid = valid && m.valid[i][next];
    if (!valid) continue;
    chunk.numbers.push_back(next);
    chunk.designs.push_back(ctx.space.design_at(next));
    chunk.total_units.push_back(partition_units(ctx.space.accelerator(chunk.designs.back()), ctx.requested_units));
  }
  return chunk;
}

// Spatial plans for every design every network runs on, a chunk of designs at a time:
// the parts are evaluated task by task (in parallel, or on other processes), the
// plans scored here in design order.
void search_spatial(const SpatialContext& ctx, const study_detail::SpaceMatrix& m, double start, Candidates& out) {
  const bool weighted = has_weights(ctx.demands);
  const uint64_t planned = m.designs * (ctx.networks.size() + 1);
  for (uint64_t next = 0; next < m.designs;) {
    const Chunk chunk = next_chunk(ctx, m, next);
    const PartEvaluations parts = evaluate_parts(ctx, chunk);
    for (size_t j = 0; j < chunk.size(); ++j) {
      const arch::Accelerator chip = ctx.space.accelerator(chunk.designs[j]);
      std::optional<CorunPlan> plan = spatial_plan(ctx, chip, chunk.total_units[j], parts, j, out.evaluations);
      if (!plan) continue;
      finish_plan(*plan, chunk.designs[j], m.area_mm2[chunk.numbers[j]]);
      if (meets_constraints(ctx.space, *plan, chip)) consider(out.spatial, std::move(*plan), weighted);
    }
    if (ctx.options.on_progress) {
      ctx.options.on_progress(Progress{m.designs * ctx.networks.size() + next, planned, study_detail::now_s() - start});
    }
  }
}

// Names the network furthest from its target on the whole chip of the fastest design.
[[noreturn]] void throw_unmet(const std::vector<std::string>& names, const std::vector<Demand>& demands,
                              const study_detail::SpaceMatrix& m) {
  std::string worst;
  double worst_ratio = std::numeric_limits<double>::infinity();
  double best_rate = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    double rate = 0;
    for (uint64_t d = 0; d < m.designs; ++d) {
      if (m.valid[i][d]) rate = std::max(rate, m.metrics[i][d].throughput_per_s);
    }
    double ratio = demands[i].is_target() ? rate / demands[i].target_per_s : std::numeric_limits<double>::infinity();
    if (ratio < worst_ratio) {
      worst_ratio = ratio;
      worst = names[i];
      best_rate = rate;
    }
  }
  std::string detail = "no design and partition of the space meets every throughput target";
  if (!worst.empty()) {
    detail += "; '" + worst + "' reaches at most " + std::to_string(best_rate) + "/s even alone on the fastest design";
  }
  throw InputError("<command line>", "networks", detail + " (lower the targets, or use a larger space or area budget)");
}

void check_demands(const std::vector<NetworkPtr>& networks, const std::vector<Demand>& demands) {
  study_detail::check_unique_names(networks, "", "networks");
  if (demands.size() != networks.size()) {
    throw InputError("<command line>", "networks", "expected one demand (weight or target) per network");
  }
  for (const Demand& d : demands) {
    if ((d.weight > 0) == (d.target_per_s > 0)) {
      throw InputError("<command line>", "networks", "each network needs either a weight or a throughput target");
    }
  }
}

}  // namespace

CorunResult run_corun(const DesignSpace& space, const std::vector<NetworkPtr>& networks,
                      const std::vector<Demand>& demands, const CorunOptions& options) {
  const double start = study_detail::now_s();
  check_demands(networks, demands);
  auto cache = std::make_shared<cost::CostCache>();
  study_detail::SpaceMatrix m = study_detail::evaluate_space(space, networks, options.threads, cache,
                                                             options.on_progress, start, {}, options.remote);
  std::vector<std::string> names;
  for (const NetworkPtr& net : networks) names.push_back(net->name);

  Candidates found;
  found.evaluations = m.designs * networks.size();
  // Time multiplexing needs only the whole-chip matrix, so it is always compared.
  search_time(space, names, demands, m, found);
  if (options.mode != CorunMode::kTime) {
    const int requested = std::max(options.partition_units, static_cast<int>(networks.size()));
    SpatialContext ctx{space, networks, demands, requested, cache, options};
    search_spatial(ctx, m, start, found);
  }
  const bool weighted = has_weights(demands);
  std::optional<CorunPlan> best;
  if (options.mode != CorunMode::kSpatial && found.time) consider(best, *found.time, weighted);
  if (options.mode != CorunMode::kTime && found.spatial) consider(best, *found.spatial, weighted);
  if (!best) {
    bool targets = std::any_of(demands.begin(), demands.end(), [](const Demand& d) { return d.is_target(); });
    if (targets) throw_unmet(names, demands, m);
    throw InputError(
        space.file(), "constraints",
        std::string("no design of the space can run these networks together in ") +
            (options.mode == CorunMode::kBoth ? "either mode" : to_string(options.mode) + std::string(" mode")) +
            " within the constraints");
  }
  CorunResult result;
  result.best = *best;
  result.best_spatial = found.spatial;
  result.best_time = found.time;
  result.space_size = m.designs;
  result.evaluations = found.evaluations;
  result.elapsed_s = study_detail::now_s() - start;
  return result;
}

}  // namespace acceldse::dse
