// Hand-derived checks of the calibrated parts of the cost model: area by component,
// banked SRAM, voltage and frequency, clock, leakage, I/O and DRAM power.
#include <gtest/gtest.h>

#include <cmath>

#include "arch/arch.h"
#include "common/error.h"
#include "cost/hw_params.h"
#include "test_cost_util.h"

namespace acceldse::cost::test {
namespace {

using arch::Dataflow;

// round_technology() plus round numbers for every calibrated field. Alpha = 2 and
// vth = 0.4 V make the V-f law f ~ (V - 0.4)^2 / V solvable by hand.
arch::Technology calibrated_technology() {
  arch::Technology t = round_technology();
  t.cell_utilization = 0.5;
  t.pe_control_area_fraction = 1.0;
  t.whitespace_fraction = 0.2;
  t.clock_tree_area_fraction = 0.1;
  t.sram_bank_kib = 32;
  t.sram_bank_periphery_mm2 = 0.01;
  t.wire_energy_pj_per_byte_mm = 2;
  t.clock_energy_pj_per_mm2_cycle = 100;
  t.register_file_area_um2_per_byte = 20;
  t.register_file_energy_pj_per_byte = 0.5;
  t.vdd_nominal_v = 1.0;
  t.vdd_min_v = 0.8;
  t.vdd_max_v = 1.2;
  t.vth_v = 0.4;
  t.alpha_power = 2;
  t.fmax_nominal_ghz = 1.0;
  t.leakage_voltage_exponent = 3;
  t.timing_area_slope = 0.5;
  t.dram = {.name = "test_dram",
            .kind = "dram",
            .channel_gb_per_s = 10,
            .area_mm2 = 2,
            .static_mw = 100,
            .phy_energy_pj_per_bit = 1,
            .device_energy_pj_per_bit = 10,
            .device_background_mw = 50,
            .sources = {}};
  t.host = {.name = "test_host", .kind = "host", .area_mm2 = 5, .static_mw = 1000, .sources = {}};
  return t;
}

// 32x32 ws, 64 KiB split buffers, 32 lanes, 25.6 GB/s (3 channels of 10), 1 GHz.
arch::Accelerator calibrated_accel() {
  arch::Accelerator a = make_accel(32, 32, Dataflow::kWs);
  a.technology = calibrated_technology();
  a.host_interface = "test_host";
  return a;
}

TEST(CostCalibratedArea, ByComponent) {
  const Area a = area(calibrated_accel());
  EXPECT_NEAR(a.pe_mm2, 1024 * 400e-6 / 0.5, 1e-12);  // / cell utilisation
  EXPECT_NEAR(a.register_mm2, 1024 * 6 * 40e-6 / 0.5, 1e-12);
  EXPECT_NEAR(a.array_control_mm2, 0.8192 + 0.49152, 1e-12);  // 1.0 x (MACs + registers)
  EXPECT_DOUBLE_EQ(a.pe_storage_mm2, 0);
  EXPECT_NEAR(a.input_sram_mm2, 64 * 0.005 + 2 * 0.01, 1e-12);  // two 32 KiB banks
  EXPECT_NEAR(a.vector_mm2, 32 * 10000e-6 / 0.5, 1e-12);
  EXPECT_NEAR(a.interconnect_mm2, 0.1 * (0.8192 + 0.49152 + 3 * 0.34), 1e-12);
  const double logic = 0.8192 + 0.49152 + 1.31072 + 0.64;
  EXPECT_NEAR(a.logic_mm2(), logic, 1e-12);
  EXPECT_NEAR(a.clock_tree_mm2, 0.1 * logic, 1e-12);
  const double blocks = logic + 1.02 + 0.233072 + 0.1 * logic;
  EXPECT_NEAR(a.whitespace_mm2, blocks * 0.2 / 0.8, 1e-9);  // the core is blocks / (1 - 0.2)
  EXPECT_NEAR(a.core_mm2(), blocks / 0.8, 1e-9);
  EXPECT_DOUBLE_EQ(a.dram_phy_mm2, 3 * 2.0);  // ceil(25.6 / 10) channels
  EXPECT_DOUBLE_EQ(a.host_interface_mm2, 5);
  EXPECT_NEAR(a.total_mm2(), blocks / 0.8 + 11, 1e-9);
}

TEST(CostCalibratedArea, PeStorageAndDramChannelsFollowTheSpec) {
  arch::Accelerator a = calibrated_accel();
  a.tensor.pe_local_bytes = 100;
  a.dram.bandwidth_gb_per_s = 10;  // exactly one channel
  const Area with = area(a);
  EXPECT_NEAR(with.pe_storage_mm2, 1024 * 100 * 20e-6 / 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(with.dram_phy_mm2, 2);
  a.dram.bandwidth_gb_per_s = 10.5;
  EXPECT_DOUBLE_EQ(area(a).dram_phy_mm2, 4);
}

TEST(CostCalibratedSram, BankedAreaAndEnergy) {
  const arch::Technology t = calibrated_technology();
  EXPECT_DOUBLE_EQ(detail::sram_banks(t, 100), 4);
  // 100 KiB = 4 banks of 25 KiB, each with sqrt(25 / 32) of a full bank's periphery.
  EXPECT_NEAR(detail::sram_area_mm2(t, 100), 100 * 0.005 + 4 * 0.01 * std::sqrt(25.0 / 32), 1e-12);
  EXPECT_NEAR(detail::sram_area_mm2(t, 8), 8 * 0.005 + 0.01 * 0.5, 1e-12);
  // 64 KiB: banks of 32 KiB cost sqrt(32 / 8) = 2 pJ/B, plus 2 pJ/B/mm over half the
  // side of the 0.34 mm2 buffer.
  EXPECT_NEAR(detail::sram_pj_per_byte(t, 64), 2 + 2 * 0.5 * std::sqrt(0.34), 1e-12);
  // Below one bank the size law of the unbanked buffer holds.
  EXPECT_NEAR(detail::sram_pj_per_byte(t, 8), 1 + 2 * 0.5 * std::sqrt(8 * 0.005 + 0.005), 1e-12);
}

TEST(CostVoltage, AlphaPowerLawByHand) {
  arch::Accelerator a = calibrated_accel();
  const arch::Technology& t = a.technology;
  // f(V) = 1 GHz x ((V - 0.4)^2 / V) / 0.36: at 1.2 V, 0.5333 / 0.36 = 1.4815 GHz.
  EXPECT_NEAR(arch::max_clock_ghz(t, 1.2), (0.64 / 1.2) / 0.36, 1e-12);
  a.clock_ghz = 0.5;  // below the nominal fmax: nominal supply
  EXPECT_DOUBLE_EQ(arch::operating_vdd(a), 1.0);
  a.clock_ghz = 1.21;  // (V - 0.4)^2 / V = 0.4356  ->  V^2 - 1.2356 V + 0.16 = 0
  EXPECT_NEAR(arch::operating_vdd(a), (1.2356 + std::sqrt(1.2356 * 1.2356 - 0.64)) / 2, 1e-9);
  a.supply_v = 0.9;  // a spec's own supply is taken as given
  EXPECT_DOUBLE_EQ(arch::operating_vdd(a), 0.9);
}

TEST(CostVoltage, ClockBeyondTheNodeIsRefused) {
  arch::Accelerator a = calibrated_accel();
  a.clock_ghz = 1.5;
  try {
    arch::validate(a, "fast.yaml");
    FAIL() << "1.5 GHz accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.place(), "clock_ghz");
    EXPECT_NE(std::string(e.what()).find("1.48 GHz"), std::string::npos) << e.what();
  }
  a.clock_ghz = 0.5;
  a.supply_v = 1.3;
  EXPECT_THROW(arch::validate(a, "hot.yaml"), InputError);
  a.supply_v = 0.5;  // below vdd_min_v
  EXPECT_THROW(arch::validate(a, "cold.yaml"), InputError);
}

TEST(CostVoltage, DynamicEnergyGoesWithVSquaredLeakageWithVCubed) {
  arch::Accelerator nominal = stall_free(calibrated_accel());
  arch::Accelerator fast = nominal;
  fast.clock_ghz = 1.21;
  const double v = arch::operating_vdd(fast);
  const workload::Network net = linear_net(64, 32, 32);
  const OpCost at_nominal = evaluate_first(net, nominal);
  const OpCost at_fast = evaluate_first(net, fast);
  EXPECT_EQ(at_fast.cycles, at_nominal.cycles);
  EXPECT_NEAR(at_fast.energy.mac_pj, at_nominal.energy.mac_pj * v * v, 1e-9);
  EXPECT_NEAR(at_fast.energy.input_sram_pj, at_nominal.energy.input_sram_pj * v * v, 1e-9);
  EXPECT_DOUBLE_EQ(at_fast.energy.dram_pj, at_nominal.energy.dram_pj);  // the DRAM has its own supply
  // Leakage: mW/mm2 x core mm2 x V^3 x ns; the faster clock also grows the logic 5%.
  const double ns_fast = static_cast<double>(at_fast.cycles) / 1.21;
  EXPECT_NEAR(at_fast.energy.leakage_pj, 10 * area(fast).core_mm2() * v * v * v * ns_fast, 1e-6);
  EXPECT_NEAR(area(fast).pe_mm2, area(nominal).pe_mm2 * (1 + 0.5 * 0.21), 1e-12);
}

TEST(CostPower, ClockIoDramAndTheSplit) {
  arch::Accelerator a = calibrated_accel();
  a.tensor.pe_local_bytes = 100;
  const workload::Network net = linear_net(256, 256, 256);
  const NetworkCost nc = evaluate_network(net, a);
  const OpCost& c = nc.layers.at(0);
  const Area ar = area(a);
  const double cycles = static_cast<double>(c.cycles), ns = cycles / 1.0;
  // Scratchpads: (1 + 1 + 2 x 4) bytes a MAC at 0.5 pJ; they are not clocked every cycle.
  EXPECT_NEAR(c.energy.pe_storage_pj, static_cast<double>(c.macs) * 10 * 0.5, 1e-6);
  EXPECT_NEAR(c.energy.clock_pj, 100 * (ar.logic_mm2() - ar.pe_storage_mm2) * cycles, 1e-6);
  const double bytes = static_cast<double>(c.dram_bytes());
  EXPECT_NEAR(c.energy.io_pj, (3 * 100 + 1000) * ns + 8 * 1 * bytes, 1e-6);
  EXPECT_NEAR(c.energy.dram_pj, 8 * 10 * bytes, 1e-6);
  EXPECT_NEAR(c.energy.dram_background_pj, 3 * 50 * ns, 1e-6);
  EXPECT_NEAR(nc.power_w * nc.latency_s, nc.totals.energy.chip_pj() * 1e-12, 1e-15);
  EXPECT_NEAR(nc.dram_power_w * nc.latency_s, (c.energy.dram_pj + c.energy.dram_background_pj) * 1e-12, 1e-15);
  EXPECT_NEAR(nc.totals.energy.total_pj(), nc.totals.energy.chip_pj() + nc.totals.energy.dram_side_pj(), 1e-6);
  // Idle: clock + leakage + I/O static, W; DRAM: its background.
  const double clock_w = 100 * (ar.logic_mm2() - ar.pe_storage_mm2) * 1e9 * 1e-12;
  EXPECT_NEAR(idle_power_w(a), clock_w + (10 * ar.core_mm2() + 1300) * 1e-3, 1e-12);
  EXPECT_NEAR(dram_idle_power_w(a), 0.15, 1e-12);
}

// The knobs a search turns must cost something: bandwidth buys PHY channels (area,
// static power), a clock above the node's nominal one buys supply (energy) and logic.
TEST(CostPower, BandwidthAndClockAreNotFree) {
  arch::Accelerator base = arch::load_accelerator("edge_32x32");
  arch::Accelerator wide = base;
  arch::set_parameter(wide, "dram_gb_per_s", "102.4");
  EXPECT_GT(area(wide).total_mm2(), area(base).total_mm2() + 10);  // LPDDR4: 6 more channels of 3 mm2
  EXPECT_GT(idle_power_w(wide), idle_power_w(base));
  arch::Accelerator fast = base;
  arch::set_parameter(fast, "clock_ghz", "1.2");
  EXPECT_GT(arch::operating_vdd(fast), arch::operating_vdd(base));
  EXPECT_GT(area(fast).total_mm2(), area(base).total_mm2());
  const workload::Network net = workload::load_network("resnet50");
  EXPECT_GT(evaluate_network(net, fast).totals.energy.chip_pj(), evaluate_network(net, base).totals.energy.chip_pj());
  arch::set_parameter(fast, "clock_ghz", "2");
  EXPECT_THROW(arch::validate(fast, "space"), InputError);  // beyond 45 nm at its highest supply
}

}  // namespace
}  // namespace acceldse::cost::test
