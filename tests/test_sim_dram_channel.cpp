// Issue 14: the simulator's DRAM channel must finish every transfer, also where time is
// so large (or a transfer so small) that adding the transfer does not change a double.
#include <gtest/gtest.h>

#include "sim/internal.h"

namespace acceldse::sim::detail {
namespace {

TEST(SimDramChannel, TinyTransfersAtHugeTimesFinish) {
  // 1e308 bytes per cycle: every transfer is ~1e-300 cycles long, which vanishes next to
  // t = 1e18; such zero-length intervals used to stop the gap search forever.
  DramChannel channel(1e308, 0);
  for (int i = 0; i < 100; ++i) {
    const DramChannel::Transfer t = channel.transfer(1e6, 1e18);
    EXPECT_GE(t.end, t.start);
    EXPECT_GE(t.start, 1e18);
  }
}

TEST(SimDramChannel, TransfersQueueBehindEachOther) {
  DramChannel channel(1, 0);
  const DramChannel::Transfer a = channel.transfer(10, 0);
  const DramChannel::Transfer b = channel.transfer(10, 0);
  EXPECT_DOUBLE_EQ(a.start, 0);
  EXPECT_DOUBLE_EQ(a.end, 10);
  EXPECT_DOUBLE_EQ(b.start, 10);
  EXPECT_DOUBLE_EQ(b.end, 20);
}

}  // namespace
}  // namespace acceldse::sim::detail
