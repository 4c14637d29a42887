// Buffers and DRAM: what stays on chip, when a transfer may start, when it ends.
#include <algorithm>
#include <iterator>
#include <limits>
#include <vector>

#include "sim/internal.h"

namespace acceldse::sim::detail {

size_t TileResidency::KeyHash::operator()(const Key& k) const {
  // Corners are below 2^40 in practice; mixing with odd multipliers spreads them.
  uint64_t h = static_cast<uint64_t>(k.inst) * 0x9E3779B97F4A7C15ull;
  h ^= static_cast<uint64_t>(k.row0) * 0xC2B2AE3D27D4EB4Full + (h << 6) + (h >> 2);
  h ^= static_cast<uint64_t>(k.col0) * 0x165667B19E3779F9ull + (h << 6) + (h >> 2);
  return static_cast<size_t>(h);
}

bool TileResidency::touch(int64_t inst, int64_t row0, int64_t col0, int64_t bytes, size_t fold) {
  auto [it, inserted] = last_use_.try_emplace(Key{inst, row0, col0}, fold);
  bool resident = false;
  if (!inserted) {
    const size_t last = it->second;
    const int64_t distance = last_use_bytes_.range(last + 1, fold) + bytes;
    resident = static_cast<double>(distance) <= retain_bytes_;
    last_use_bytes_.add(last, -bytes);
    it->second = fold;
  }
  last_use_bytes_.add(fold, bytes);
  return resident;
}

ElementResidency::ElementResidency(int64_t elements, double retain_bytes, int64_t element_bytes, size_t folds)
    : last_fold_(static_cast<size_t>(elements), 0),
      last_use_bytes_(folds + 2),
      distance_memo_(folds + 2, 0),
      memo_fold_(folds + 2, 0),
      moved_from_(folds + 2, 0),
      retain_bytes_(retain_bytes),
      element_bytes_(element_bytes) {}

void ElementResidency::begin_fold() {
  ++fold_;
  unique_in_fold_ = 0;
}

int64_t ElementResidency::distance_from(uint32_t fold) {
  // Taken once per fold: moves within the fold are applied at its end.
  if (memo_fold_[fold] != fold_) {
    memo_fold_[fold] = fold_;
    distance_memo_[fold] = last_use_bytes_.range(fold, fold_);
  }
  return distance_memo_[fold];
}

void ElementResidency::end_fold() {
  for (uint32_t g : moved_list_) {
    last_use_bytes_.add(g, -moved_from_[g] * element_bytes_);
    moved_from_[g] = 0;
  }
  moved_list_.clear();
  last_use_bytes_.add(fold_, unique_in_fold_ * element_bytes_);
}

DramChannel::Transfer DramChannel::transfer(double bytes, double earliest) {
  double need = bytes / bytes_per_cycle_;
  if (!(need > 0)) return {earliest, earliest};
  double t = earliest;
  auto it = busy_.upper_bound(t);
  if (it != busy_.begin() && std::prev(it)->second > t) t = std::prev(it)->second;
  double start = -1;
  std::vector<std::pair<double, double>> pieces;
  while (need > 0) {
    it = busy_.lower_bound(t);
    // Busy intervals that end by t (empty ones included) leave no gap to skip to; passing
    // over them keeps t moving, which a zero-length interval at t would otherwise stop.
    while (it != busy_.end() && it->second <= t) ++it;
    const double gap_end = it == busy_.end() ? std::numeric_limits<double>::infinity() : it->first;
    const double take = std::min(need, gap_end - t);
    if (take > 0) {
      if (start < 0) start = t;
      // At large t a tiny transfer does not change t (rounding); it takes no time then.
      if (t + take > t) pieces.emplace_back(t, t + take);
      need -= take;
      t += take;
    }
    if (need > 0) t = std::max(t, it->second);
  }
  for (const auto& [a, b] : pieces) occupy(a, b);
  return {start, t};
}

void DramChannel::occupy(double start, double end) {
  auto [it, inserted] = busy_.emplace(start, end);
  if (!inserted) it->second = std::max(it->second, end);
  // Merge with the interval before and those after that touch it.
  if (it != busy_.begin()) {
    auto prev = std::prev(it);
    if (prev->second >= it->first) {
      prev->second = std::max(prev->second, it->second);
      busy_.erase(it);
      it = prev;
    }
  }
  for (auto next = std::next(it); next != busy_.end() && next->first <= it->second; next = busy_.erase(next)) {
    it->second = std::max(it->second, next->second);
  }
  // Bound the bookkeeping: the oldest gaps are given up (treated as busy), which can only
  // delay a prefetch that would otherwise reach far back in time.
  constexpr size_t kMaxIntervals = 4096;
  if (busy_.size() > kMaxIntervals) {
    auto cut = busy_.begin();
    std::advance(cut, kMaxIntervals / 2);
    const double first = busy_.begin()->first, last = std::prev(cut)->second;
    busy_.erase(busy_.begin(), cut);
    busy_.emplace(first, last);
  }
}

double SpaceRing::earliest_start(double bytes) const {
  // Walk from the newest holder back: the chunk fits once every holder older than the
  // ones that still fit beside it has let go.
  double kept = bytes;
  for (auto it = held_.rbegin(); it != held_.rend(); ++it) {
    kept += it->second;
    if (kept > capacity_bytes_) return it->first;
  }
  return -std::numeric_limits<double>::infinity();
}

void SpaceRing::occupy(double bytes, double until) {
  held_.emplace_back(until, bytes);
  held_bytes_ += bytes;
  // Holders beyond a full buffer's worth from the newest can never matter again.
  while (held_.size() > 1 && held_bytes_ - held_.front().second >= capacity_bytes_) {
    held_bytes_ -= held_.front().second;
    held_.pop_front();
  }
}

}  // namespace acceldse::sim::detail
