#pragma once
// The SQLite result store of every evaluated design, and the queries `acceldse results`
// makes of it.
#include <array>
#include <compare>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dse/space.h"

namespace acceldse::dse {
// ---- Result store ---------------------------------------------------------------------
struct StoredDesign {
  std::string space;  // space name
  std::string space_hash;
  std::string model;
  std::string model_hash;
  std::string key;    // DesignSpace::key()
  std::string error;  // non-empty: invalid design
  Metrics metrics;
  // The key split back into (name, value) pairs, sorted by name.
  std::vector<std::pair<std::string, std::string>> params() const;
};

// SQLite file (WAL) holding every evaluated design, committed in small batches so a
// killed run loses at most the last fraction of a second of work.
class ResultStore {
 public:
  // Creates or opens `file`. Throws InputError if it is not an acceldse store.
  explicit ResultStore(const std::filesystem::path& file);
  ~ResultStore();  // commits what is pending
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  std::optional<StoredDesign> find(const std::string& space_hash, const std::string& model_hash,
                                   const std::string& key);
  void record(const StoredDesign& design);  // buffered
  void commit_if_due();                     // commits every few hundred rows or 100 ms
  void commit();
  uint64_t count();
  // Every stored design, optionally of one model only.
  std::vector<StoredDesign> all(const std::string& model = "");

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A question to a result store (`acceldse results`): the valid designs of one model (or
// all), those for which `where` holds, ranked or reduced to their Pareto front.
struct StoreQuery {
  std::string model;        // "" = every model
  std::string where;        // expression over metric names and numeric parameters; "" = all
  std::string where_place;  // names `where` in errors (e.g. the option it came from)
  bool pareto = false;      // the non-dominated designs over pareto_vector(), sorted by it
  Objective objective;      // otherwise best first by compare_rank, then by key ...
  size_t top = 10;          // ... at most this many
};
struct StoreAnswer {
  size_t matched = 0;  // designs the model and `where` selected
  std::vector<StoredDesign> designs;
};
// Throws InputError for a missing or foreign file or a bad `where`.
StoreAnswer query_store(const std::filesystem::path& db, const StoreQuery& query);

}  // namespace acceldse::dse
