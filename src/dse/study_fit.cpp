// Fitting a network to the hardware: a greedy search over channel classes for widths
// that are multiples of the array's rows or columns (fewer partly-filled folds), within
// an accuracy-safe tolerance; and the reverse, the array shape that best fits networks
// as they are.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "common/error.h"
#include "dse/study.h"
#include "dse/study_internal.h"

namespace acceldse::dse {

using study_detail::ChannelGraph;
using study_detail::Ratio;
using workload::Network;

namespace {

// ---- Classes ------------------------------------------------------------------------------

struct WidthClass {
  int root = -1;
  int64_t old_value = 0;
  std::vector<int> sources;  // source variables in the class
  std::set<int> ops;         // ops whose shapes or attributes the class changes
  std::set<Ratio> factors;   // tensor axis sizes relative to the root's value
};

// Roots a label depends on: its own, or the parts' of a concatenation.
void roots_of(const ChannelGraph& g, int var, std::set<int>& out) {
  const study_detail::WidthVar& w = g.vars[static_cast<size_t>(var)];
  if (w.derived) {
    for (const study_detail::Label& p : w.parts) roots_of(g, p.var, out);
    return;
  }
  out.insert(g.find(var).first);
}

std::vector<WidthClass> width_classes(const ChannelGraph& g, const Network& net, size_t& total, size_t& frozen) {
  std::map<int, WidthClass> by_root;
  std::set<int> frozen_roots;
  for (size_t v = 0; v < g.vars.size(); ++v) {
    if (g.vars[v].derived) continue;
    auto [root, ratio] = g.find(static_cast<int>(v));
    if (g.vars[static_cast<size_t>(root)].frozen) {
      frozen_roots.insert(root);
      continue;
    }
    WidthClass& c = by_root[root];
    c.root = root;
    c.old_value = g.vars[static_cast<size_t>(root)].old_value;
    c.sources.push_back(static_cast<int>(v));
    c.ops.insert(g.vars[v].op);
  }
  for (size_t t = 0; t < g.labels.size(); ++t) {
    const workload::Tensor& tensor = net.tensors[t];
    for (const study_detail::Label& l : g.labels[t]) {
      if (l.fixed()) continue;
      std::set<int> roots;
      roots_of(g, l.var, roots);
      for (int root : roots) {
        auto it = by_root.find(root);
        if (it == by_root.end()) continue;
        if (!g.vars[static_cast<size_t>(l.var)].derived) it->second.factors.insert(l.factor * g.find(l.var).second);
        if (tensor.producer >= 0) it->second.ops.insert(tensor.producer);
        it->second.ops.insert(tensor.consumers.begin(), tensor.consumers.end());
      }
    }
  }
  for (const study_detail::Rewrite& r : g.rewrites) {
    std::set<int> roots;
    roots_of(g, r.label.var, roots);
    for (int root : roots) {
      if (auto it = by_root.find(root); it != by_root.end()) it->second.ops.insert(r.op);
    }
  }
  std::vector<WidthClass> out;
  for (auto& [root, c] : by_root) out.push_back(std::move(c));
  total = out.size() + frozen_roots.size();
  frozen = frozen_roots.size();
  return out;
}

// Root values putting some axis of the class on the nearest multiple of the array rows or
// columns, above or below, within the tolerance.
std::vector<int64_t> candidate_values(const WidthClass& c, const arch::Accelerator& accel, double tolerance) {
  std::set<int64_t> out;
  for (const Ratio& q : c.factors) {
    std::optional<int64_t> dim = q.apply(c.old_value);
    if (!dim) continue;
    for (int64_t m : {accel.tensor.rows, accel.tensor.cols}) {
      for (int64_t target : {*dim / m * m, (*dim + m - 1) / m * m}) {
        if (target < m) continue;
        std::optional<int64_t> value = (Ratio{1, 1} / q).apply(target);
        if (!value || *value == c.old_value) continue;
        double change = std::abs(static_cast<double>(*value - c.old_value)) / static_cast<double>(c.old_value);
        if (change <= tolerance + 1e-12) out.insert(*value);
      }
    }
  }
  return {out.begin(), out.end()};
}

// ---- Greedy search ------------------------------------------------------------------------

struct Trial {
  Network net;
  int64_t cycles = 0;
  int64_t params = 0;
};

struct FitSearch {
  const Network& original;
  const ChannelGraph& graph;
  const arch::Accelerator& accel;
  cost::CostCache* cache;
  double tolerance;
  int64_t params_limit_low, params_limit_high;

  std::optional<Trial> attempt(const std::vector<int64_t>& roots) const {
    std::optional<Network> net = study_detail::apply_widths(original, graph, roots);
    if (!net) return std::nullopt;
    int64_t params = workload::totals(*net).params;
    if (params < params_limit_low || params > params_limit_high) return std::nullopt;
    int64_t cycles = cost::evaluate_network(*net, accel, cache).totals.cycles;
    return Trial{std::move(*net), cycles, params};
  }
};

// The best value for one class against the current widths, if it saves cycles.
struct Option {
  bool computed = false;
  bool found = false;
  int64_t value = 0;
  int64_t saving = 0;
  int64_t params_change = 0;
};

Option best_option(const FitSearch& s, const WidthClass& c, std::vector<int64_t> roots, int64_t cycles,
                   int64_t params) {
  Option best;
  best.computed = true;
  for (int64_t value : candidate_values(c, s.accel, s.tolerance)) {
    roots[static_cast<size_t>(c.root)] = value;
    std::optional<Trial> t = s.attempt(roots);
    if (!t || t->cycles >= cycles) continue;
    int64_t saving = cycles - t->cycles, change = std::abs(t->params - params);
    if (!best.found || saving > best.saving || (saving == best.saving && change < best.params_change)) {
      best = Option{true, true, value, saving, change};
    }
  }
  return best;
}

bool shares_ops(const WidthClass& a, const WidthClass& b) {
  return std::any_of(a.ops.begin(), a.ops.end(), [&](int op) { return b.ops.contains(op); });
}

// Lazy greedy: a class's best option is recomputed only after a change to a class that
// shares an op with it (the saving of an untouched class does not move), and the chosen
// option is always re-checked on the whole network before it is kept.
std::vector<int64_t> greedy(const FitSearch& s, const std::vector<WidthClass>& classes, Trial& current) {
  std::vector<int64_t> roots(s.graph.vars.size(), 0);
  for (size_t v = 0; v < s.graph.vars.size(); ++v) roots[v] = s.graph.vars[v].old_value;
  std::vector<Option> options(classes.size());
  std::vector<bool> done(classes.size(), false);
  for (size_t round = 0; round < classes.size() * 2; ++round) {
    size_t pick = classes.size();
    for (size_t c = 0; c < classes.size(); ++c) {
      if (done[c]) continue;
      if (!options[c].computed) options[c] = best_option(s, classes[c], roots, current.cycles, current.params);
      if (options[c].found && (pick == classes.size() || options[c].saving > options[pick].saving)) pick = c;
    }
    if (pick == classes.size()) break;
    std::vector<int64_t> trial_roots = roots;
    trial_roots[static_cast<size_t>(classes[pick].root)] = options[pick].value;
    std::optional<Trial> t = s.attempt(trial_roots);
    if (!t || t->cycles >= current.cycles) {
      options[pick] = Option{};  // stale: recompute against the current widths
      continue;
    }
    roots = trial_roots;
    current = std::move(*t);
    done[pick] = true;
    for (size_t c = 0; c < classes.size(); ++c) {
      if (!done[c] && shares_ops(classes[c], classes[pick])) options[c] = Option{};
    }
  }
  return roots;
}

// ---- Reporting ----------------------------------------------------------------------------

std::string fit_reason(int64_t value, const arch::Accelerator& accel, size_t tied) {
  std::string why;
  bool by_rows = value % accel.tensor.rows == 0, by_cols = value % accel.tensor.cols == 0;
  if (by_rows && by_cols && accel.tensor.rows == accel.tensor.cols)
    why = "multiple of the array side (" + std::to_string(accel.tensor.rows) + ")";
  else if (by_cols)
    why = "multiple of the array columns (" + std::to_string(accel.tensor.cols) + ")";
  else if (by_rows)
    why = "multiple of the array rows (" + std::to_string(accel.tensor.rows) + ")";
  else
    why = "fewer partly-filled folds";
  if (tied > 1) why += "; changes with " + std::to_string(tied - 1) + " tied layer" + (tied > 2 ? "s" : "");
  return why;
}

void add_change(std::vector<FitChange>& out, const std::string& layer, const std::string& field,
                std::vector<int64_t> before, std::vector<int64_t> after, const std::string& reason) {
  if (before != after) out.push_back(FitChange{layer, field, std::move(before), std::move(after), reason});
}

std::vector<FitChange> describe_changes(const Network& before, const Network& after, const ChannelGraph& g,
                                        const std::vector<WidthClass>& classes, const arch::Accelerator& accel) {
  std::map<int, std::string> reason;  // op -> why its own width changed
  for (const WidthClass& c : classes) {
    for (int v : c.sources) {
      const study_detail::WidthVar& w = g.vars[static_cast<size_t>(v)];
      const workload::Attrs& a = after.ops[static_cast<size_t>(w.op)].attrs;
      int64_t value = w.field == "out_channels"   ? a.out_channels
                      : w.field == "out_features" ? a.out_features
                      : w.field == "hidden"       ? a.hidden
                                                  : a.embed_dim;
      reason[w.op] = fit_reason(value, accel, c.sources.size());
    }
  }
  std::vector<FitChange> out;
  for (size_t i = 0; i < before.ops.size(); ++i) {
    const workload::Op &b = before.ops[i], &a = after.ops[i];
    std::string why = reason.contains(static_cast<int>(i)) ? reason[static_cast<int>(i)] : "follows its input channels";
    add_change(out, b.name, "out_channels", {b.attrs.out_channels}, {a.attrs.out_channels}, why);
    add_change(out, b.name, "out_features", {b.attrs.out_features}, {a.attrs.out_features}, why);
    add_change(out, b.name, "hidden", {b.attrs.hidden}, {a.attrs.hidden}, why);
    add_change(out, b.name, "embed_dim", {b.attrs.embed_dim}, {a.attrs.embed_dim}, why);
    add_change(out, b.name, "groups", {b.attrs.groups}, {a.attrs.groups}, "depthwise: one group per channel");
    add_change(out, b.name, "dims", b.attrs.dims, a.attrs.dims, "keeps the shape consistent with the new widths");
  }
  return out;
}

std::vector<LayerUtil> tensor_layers(const Network& net, const cost::NetworkCost& cost) {
  std::vector<LayerUtil> out;
  for (size_t i = 0; i < net.ops.size(); ++i) {
    if (cost.layers[i].macs > 0)
      out.push_back(LayerUtil{net.ops[i].name, cost.layers[i].utilization, cost.layers[i].cycles});
  }
  return out;
}

}  // namespace

FitResult fit_network(const Network& network, const arch::Accelerator& accel, const FitOptions& options,
                      cost::CostCache* cache) {
  if (!(options.tolerance_pct >= 0 && options.tolerance_pct <= 100)) {
    throw InputError("<command line>", "tolerance",
                     "expected a percentage between 0 and 100, got " + std::to_string(options.tolerance_pct));
  }
  cost::CostCache own_cache;
  if (cache == nullptr) cache = &own_cache;
  const double tolerance = options.tolerance_pct / 100;
  ChannelGraph graph = study_detail::analyse_channels(network);
  FitResult result;
  std::vector<WidthClass> classes = width_classes(graph, network, result.classes, result.frozen_classes);

  const cost::NetworkCost before = cost::evaluate_network(network, accel, cache);
  const int64_t params = workload::totals(network).params;
  const double slack = tolerance * static_cast<double>(params);
  FitSearch search{network,
                   graph,
                   accel,
                   cache,
                   tolerance,
                   static_cast<int64_t>(std::ceil(static_cast<double>(params) - slack)),
                   static_cast<int64_t>(std::floor(static_cast<double>(params) + slack))};
  Trial current{network, before.totals.cycles, params};
  greedy(search, classes, current);

  const cost::NetworkCost after = cost::evaluate_network(current.net, accel, cache);
  result.fitted = std::move(current.net);
  result.fitted.paper_suite = false;
  result.changes = describe_changes(network, result.fitted, graph, classes, accel);
  result.cycles_before = before.totals.cycles;
  result.cycles_after = after.totals.cycles;
  result.latency_before_s = before.latency_s;
  result.latency_after_s = after.latency_s;
  result.macs_before = before.totals.macs;
  result.macs_after = after.totals.macs;
  result.params_before = params;
  result.params_after = workload::totals(result.fitted).params;
  result.layers_before = tensor_layers(network, before);
  result.layers_after = tensor_layers(result.fitted, after);
  return result;
}

// ---- Array shape ------------------------------------------------------------------------------

namespace {

std::vector<int64_t> array_sides(int64_t pes) {
  std::set<int64_t> sides;
  for (int64_t d = 4; d <= pes; ++d) {
    if (pes % d == 0 || d % 8 == 0) sides.insert(d);
  }
  return {sides.begin(), sides.end()};
}

std::vector<std::pair<int64_t, int64_t>> array_shapes(int64_t pes, bool exact) {
  std::vector<std::pair<int64_t, int64_t>> out;
  std::vector<int64_t> sides = array_sides(pes);
  for (int64_t r : sides) {
    for (int64_t c : sides) {
      int64_t n = r * c;
      if (exact ? n == pes : (n <= pes && 2 * n >= pes)) out.emplace_back(r, c);
    }
  }
  return out;
}

bool better_array(const ArrayCandidate& a, const ArrayCandidate& b) {
  if (a.geomean_latency_s != b.geomean_latency_s) return a.geomean_latency_s < b.geomean_latency_s;
  if (a.rows * a.cols != b.rows * b.cols) return a.rows * a.cols < b.rows * b.cols;
  if (a.geomean_utilization != b.geomean_utilization) return a.geomean_utilization > b.geomean_utilization;
  return std::pair(a.rows, a.cols) < std::pair(b.rows, b.cols);
}

}  // namespace

std::vector<ArrayCandidate> suggest_array(const std::vector<NetworkPtr>& networks, const arch::Accelerator& base,
                                          int64_t pes, bool exact, int threads) {
  if (pes < 16) throw InputError("<command line>", "pes", "expected at least 16 PEs, got " + std::to_string(pes));
  if (networks.empty()) throw InputError("<command line>", "networks", "expected at least one network");
  std::vector<std::pair<int64_t, int64_t>> shapes = array_shapes(pes, exact);
  std::vector<std::optional<ArrayCandidate>> found(shapes.size());
  cost::CostCache cache;
  ThreadPool pool(threads);
  pool.parallel_for(shapes.size(), 1, [&](size_t i, int) {
    arch::Accelerator a = base;
    a.tensor.rows = shapes[i].first;
    a.tensor.cols = shapes[i].second;
    try {
      arch::validate(a, "<array shape>");
      ArrayCandidate c{shapes[i].first, shapes[i].second, {}, {}, 0, 0};
      for (const NetworkPtr& net : networks) {
        cost::NetworkCost cost = cost::evaluate_network(*net, a, &cache);
        c.latency_s.push_back(cost.latency_s);
        c.utilization.push_back(cost.totals.utilization);
      }
      c.geomean_latency_s = geometric_mean(c.latency_s);
      c.geomean_utilization = geometric_mean(c.utilization);
      found[i] = std::move(c);
    } catch (const InputError&) {  // buffers too small for this edge: not a candidate
    }
  });
  std::vector<ArrayCandidate> out;
  for (auto& c : found) {
    if (c) out.push_back(std::move(*c));
  }
  std::sort(out.begin(), out.end(), better_array);
  if (out.empty())
    throw InputError("<command line>", "pes", "no array shape of " + std::to_string(pes) + " PEs is a valid design");
  return out;
}

}  // namespace acceldse::dse
