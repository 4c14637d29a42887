#pragma once
// Helpers shared by the dse sources; not part of the public interface.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dse/dse.h"

namespace acceldse::dse::detail {

// 64-bit FNV-1a as 16 hex digits: stable across platforms and runs.
std::string hex_hash(std::string_view text);

// splitmix64 seeding a xoshiro256**: the same stream on every platform and standard
// library (std:: distributions are implementation-defined, which would break
// reproducibility across machines).
class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t next();
  uint64_t below(uint64_t n);  // uniform in [0, n)
  double uniform();            // [0, 1)
  bool chance(double p) { return uniform() < p; }

 private:
  uint64_t s_[4];
};

// `text` as a finite number, all of it; nothing otherwise.
std::optional<double> parse_number(const std::string& text);

// Fills in score, feasibility and violation from the metrics.
void judge(const DesignSpace& space, Evaluation& evaluation);

}  // namespace acceldse::dse::detail
