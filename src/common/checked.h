#pragma once
// Saturating 64-bit arithmetic for counts (elements, MACs, bytes, cycles). A count that
// would overflow sticks at kCountLimit instead of wrapping to a negative number; the
// callers that report counts check for kCountLimit and turn it into an InputError.
#include <cmath>
#include <cstdint>

namespace acceldse {

// 2^62: far beyond any real count, and two of them still add without overflow.
constexpr int64_t kCountLimit = int64_t{1} << 62;

// a * b for a, b >= 0, saturated at kCountLimit.
constexpr int64_t mul_sat(int64_t a, int64_t b) {
  int64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out) || out > kCountLimit) return kCountLimit;
  return out;
}
constexpr int64_t mul_sat(int64_t a, int64_t b, int64_t c) { return mul_sat(mul_sat(a, b), c); }
constexpr int64_t mul_sat(int64_t a, int64_t b, int64_t c, int64_t d) { return mul_sat(mul_sat(a, b, c), d); }

// a + b for a, b >= 0, saturated at kCountLimit.
constexpr int64_t add_sat(int64_t a, int64_t b) {
  int64_t out = 0;
  if (__builtin_add_overflow(a, b, &out) || out > kCountLimit) return kCountLimit;
  return out;
}

// ceil(x) as a count: NaN, infinities and values beyond kCountLimit become kCountLimit
// (a cast of such a double to int64_t is undefined behaviour); negatives become 0.
inline int64_t ceil_count(double x) {
  if (!(x < static_cast<double>(kCountLimit))) return kCountLimit;
  if (!(x > 0)) return 0;
  return static_cast<int64_t>(std::ceil(x));
}
// round(x) as a count, with the same saturation.
inline int64_t round_count(double x) {
  if (!(x < static_cast<double>(kCountLimit))) return kCountLimit;
  if (!(x > 0)) return 0;
  return static_cast<int64_t>(std::llround(x));
}

}  // namespace acceldse
