// CostCache: a sharded, mutex-protected memo of per-op costs (before leakage, which
// depends on the whole design's area and is added by the caller).
#include <atomic>
#include <mutex>
#include <unordered_map>

#include "cost/cache_impl.h"

namespace acceldse::cost {

CostCache::CostCache() : impl_(std::make_unique<Impl>()) {}
CostCache::~CostCache() = default;

size_t CostCache::size() const {
  size_t total = 0;
  for (const Impl::Shard& shard : impl_->shards) {
    std::lock_guard<std::mutex> lock(shard.mutex);
    total += shard.map.size();
  }
  return total;
}

uint64_t CostCache::hits() const { return impl_->hits.load(std::memory_order_relaxed); }
uint64_t CostCache::misses() const { return impl_->misses.load(std::memory_order_relaxed); }

void CostCache::clear() {
  for (Impl::Shard& shard : impl_->shards) {
    std::lock_guard<std::mutex> lock(shard.mutex);
    shard.map.clear();
  }
  impl_->hits = 0;
  impl_->misses = 0;
}

bool CostCache::Impl::find(const detail::CacheKey& key, OpCost& out) {
  Shard& shard = shard_of(key);
  {
    std::lock_guard<std::mutex> lock(shard.mutex);
    auto it = shard.map.find(key);
    if (it != shard.map.end()) {
      out = it->second;
      hits.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
  }
  misses.fetch_add(1, std::memory_order_relaxed);
  return false;
}

void CostCache::Impl::insert(const detail::CacheKey& key, const OpCost& cost) {
  Shard& shard = shard_of(key);
  std::lock_guard<std::mutex> lock(shard.mutex);
  // Bounded growth: a full shard starts over. Entries are cheap to recompute and a
  // design-space sweep revisits recent shapes far more than old ones.
  if (shard.map.size() >= kMaxEntriesPerShard) shard.map.clear();
  shard.map.emplace(key, cost);
}

}  // namespace acceldse::cost
