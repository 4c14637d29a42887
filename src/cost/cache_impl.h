#pragma once
// Private to src/cost: the inside of CostCache.
#include <array>
#include <atomic>
#include <cstddef>
#include <mutex>
#include <unordered_map>

#include "cost/cost.h"
#include "cost/op_work.h"

namespace acceldse::cost {

struct CostCache::Impl {
  // 64 shards keep contention low for a thread pool of a few dozen workers.
  static constexpr size_t kShards = 64;
  // At most kShards * kMaxEntriesPerShard = 131,072 entries of ~0.7 KB (~90 MB).
  static constexpr size_t kMaxEntriesPerShard = 2048;

  struct KeyHash {
    size_t operator()(const detail::CacheKey& key) const { return static_cast<size_t>(key.hash); }
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<detail::CacheKey, OpCost, KeyHash> map;
  };

  std::array<Shard, kShards> shards;
  std::atomic<uint64_t> hits{0};
  std::atomic<uint64_t> misses{0};

  Shard& shard_of(const detail::CacheKey& key) { return shards[(key.hash >> 58) % kShards]; }
  bool find(const detail::CacheKey& key, OpCost& out);
  void insert(const detail::CacheKey& key, const OpCost& cost);
};

}  // namespace acceldse::cost
