#pragma once
// Helpers shared by the study sources; not part of the public interface.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dse/study.h"

namespace acceldse::dse::study_detail {

double now_s();

// Every design of a space evaluated for every network: the one matrix the suite and
// co-run studies derive their answers from.
struct SpaceMatrix {
  uint64_t designs = 0;
  // The designs, when not the whole space in grid order (a heuristic's candidates).
  std::vector<Design> list;
  std::vector<std::vector<Metrics>> metrics;  // [network][design]
  std::vector<std::vector<char>> valid;       // the model could evaluate the design
  std::vector<std::vector<char>> feasible;    // valid and meets the space's constraints
  // Bit i: valid but breaks constraint i (the first 64 constraints).
  std::vector<std::vector<uint64_t>> violated;
  std::vector<double> area_mm2;  // per design (infinity when invalid)
  Design design(const DesignSpace& space, uint64_t d) const { return list.empty() ? space.design_at(d) : list[d]; }
};

// The evaluator of one task of a study: computing on `threads` here, or sending its
// designs to `remote` when that gives a RemoteFn for the task.
std::unique_ptr<Evaluator> task_evaluator(const DesignSpace& space, const std::vector<NetworkPtr>& networks,
                                          const StudyTask& task, const std::shared_ptr<cost::CostCache>& cache,
                                          int threads, const StudyRemoteFn& remote, size_t memo_limit);

// Network x design pairs a study may enumerate (about 90 bytes each in memory).
constexpr uint64_t kMaxPairs = 4'000'000;

// Throws InputError (naming `place`) when names repeat or clash with `reserved`.
void check_unique_names(const std::vector<NetworkPtr>& networks, const std::string& reserved, const std::string& place);

// Grid over the whole space, one Evaluator per network sharing `cache`. Progress counts
// network x design pairs. Throws InputError when the space is too large to enumerate.
SpaceMatrix evaluate_space(const DesignSpace& space, const std::vector<NetworkPtr>& networks, int threads,
                           const std::shared_ptr<cost::CostCache>& cache,
                           const std::function<void(const Progress&)>& on_progress, double start_s,
                           const TechnologyPerturbation& perturbation = {}, const StudyRemoteFn& remote = {});
// The same over a list of designs (sorted, distinct).
SpaceMatrix evaluate_designs(const DesignSpace& space, std::vector<Design> designs,
                             const std::vector<NetworkPtr>& networks, int threads,
                             const std::shared_ptr<cost::CostCache>& cache,
                             const std::function<void(const Progress&)>& on_progress, double start_s,
                             const TechnologyPerturbation& perturbation, const StudyRemoteFn& remote = {});

// ---- Channel classes (fit-model) ----------------------------------------------------------

// A positive rational, kept reduced: tensor dimensions relate to the width they follow by
// such factors (a bidirectional LSTM's output is 2 x hidden, an attention head 1/12 of
// the projection it was split from).
struct Ratio {
  int64_t num = 1, den = 1;
  static Ratio of(int64_t num, int64_t den);
  Ratio operator*(const Ratio& o) const { return of(num * o.num, den * o.den); }
  Ratio operator/(const Ratio& o) const { return of(num * o.den, den * o.num); }
  bool operator==(const Ratio&) const = default;
  bool operator<(const Ratio& o) const { return num * o.den < o.num * den; }
  // value * this when that is a positive integer.
  std::optional<int64_t> apply(int64_t value) const;
};

// What one tensor axis is: fixed (var < 0), or factor x the value of a width variable.
struct Label {
  int var = -1;
  Ratio factor;
  bool fixed() const { return var < 0; }
};

// A width variable: an op attribute (a source), or a concatenation (derived: the sum of
// its parts). Sources are grouped into classes by a weighted union-find: value(v) =
// ratio x value(parent).
struct WidthVar {
  int parent = -1;  // -1: a root
  Ratio ratio;
  bool frozen = false;  // roots only
  std::string frozen_reason;
  int op = -1;        // source: the op owning the attribute
  std::string field;  // source: out_channels, out_features, hidden or embed_dim
  int64_t old_value = 0;
  bool derived = false;
  std::vector<Label> parts;         // derived: the concatenated axes (fixed ones by dims)
  std::vector<int64_t> fixed_dims;  // derived: the sizes of fixed parts, summed
};

// An attribute that must follow a width: a depthwise conv's channels and groups, or one
// entry of a reshape/slice/expand/split `dims`.
struct Rewrite {
  int op = -1;
  std::string field;  // out_channels, groups or dims
  size_t position = 0;
  Label label;
};

struct ChannelGraph {
  std::vector<WidthVar> vars;
  std::vector<std::vector<Label>> labels;  // per tensor, per axis
  std::vector<Rewrite> rewrites;
  // find(v): the root and value(v) / value(root).
  std::pair<int, Ratio> find(int v) const;
};

// Labels every tensor axis of `net` and ties widths; classes touching network inputs or
// outputs, or ops the analysis does not understand, are frozen.
ChannelGraph analyse_channels(const workload::Network& net);

// The network with the given class root values (others keep theirs); nullopt when a
// width is not a positive integer or shape inference disagrees with the analysis.
std::optional<workload::Network> apply_widths(const workload::Network& net, const ChannelGraph& graph,
                                              const std::vector<int64_t>& root_values);
// Every variable's value given root values (derived ones summed); nullopt as above.
std::optional<std::vector<int64_t>> var_values(const ChannelGraph& graph, const std::vector<int64_t>& root_values);

}  // namespace acceldse::dse::study_detail
