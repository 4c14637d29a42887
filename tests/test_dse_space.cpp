#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "dse/dse.h"
#include "test_dse_util.h"

namespace acceldse::dse {
namespace {

using test::space_from;

// Runs `load` and returns the InputError it throws.
template <typename F>
InputError input_error(F load) {
  try {
    load();
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "expected an InputError";
  return InputError("", "", "");
}

TEST(DseSpace, RangesListsAndSize) {
  DesignSpace s = space_from(R"(
base: edge_32x32
parameters:
  rows: {min: 8, max: 64, factor: 2}
  cols: {min: 16, max: 48, step: 16}
  clock_ghz: {min: 0.5, max: 1.0, step: 0.1}
  dataflow: [ws, os]
)");
  ASSERT_EQ(s.parameters().size(), 4u);
  EXPECT_EQ(s.parameters()[0].values, (std::vector<std::string>{"8", "16", "32", "64"}));
  EXPECT_EQ(s.parameters()[1].values, (std::vector<std::string>{"16", "32", "48"}));
  EXPECT_EQ(s.parameters()[2].values, (std::vector<std::string>{"0.5", "0.6", "0.7", "0.8", "0.9", "1"}));
  EXPECT_TRUE(s.parameters()[0].numeric);
  EXPECT_FALSE(s.parameters()[3].numeric);
  EXPECT_EQ(s.size(), 4u * 3 * 6 * 2);
  Design last = s.design_at(s.size() - 1);
  EXPECT_EQ(last.index, (std::vector<uint16_t>{3, 2, 5, 1}));
  EXPECT_EQ(s.key(last), "clock_ghz=1;cols=48;dataflow=os;rows=64");
  arch::Accelerator a = s.accelerator(last);
  EXPECT_EQ(a.tensor.rows, 64);
  EXPECT_EQ(a.tensor.cols, 48);
  EXPECT_EQ(a.tensor.dataflow, arch::Dataflow::kOs);
  EXPECT_DOUBLE_EQ(a.clock_ghz, 1.0);
}

TEST(DseSpace, DefaultSpaceHasTenThousandDesigns) {
  DesignSpace s = DesignSpace::builtin_default();
  EXPECT_GE(s.size(), 10000u);
  EXPECT_EQ(s.name(), "default");
}

TEST(DseSpace, ExampleSpacesLoad) {
  DesignSpace s = DesignSpace::load("small");
  EXPECT_EQ(s.constraints().size(), 3u);
  EXPECT_TRUE(s.objective().pareto());
}

TEST(DseSpace, HashFollowsBaseAndParametersNotConstraints) {
  DesignSpace a = space_from("base: edge_32x32\nparameters: {rows: [8, 16]}");
  DesignSpace b = space_from("base: edge_32x32\nparameters: {rows: [8, 16]}\nconstraints: [area_mm2 <= 3]");
  DesignSpace c = space_from("base: edge_32x32\nparameters: {rows: [8, 32]}");
  EXPECT_EQ(a.hash(), b.hash());
  EXPECT_NE(a.hash(), c.hash());
}

TEST(DseSpace, UnknownParameterNamesFileAndKey) {
  InputError e = input_error([] { space_from("parameters:\n  rowz: [8, 16]\n", "my.yaml"); });
  EXPECT_EQ(e.file(), "my.yaml");
  EXPECT_NE(e.place().find("parameters.rowz"), std::string::npos) << e.what();
}

TEST(DseSpace, BadValuesAndEmptyRangesAreInputErrors) {
  InputError bad_value = input_error([] { space_from("parameters:\n  rows: [8, 0]\n", "v.yaml"); });
  EXPECT_NE(bad_value.place().find("parameters.rows"), std::string::npos) << bad_value.what();
  InputError empty = input_error([] { space_from("parameters:\n  rows: {min: 64, max: 8, step: 8}\n", "e.yaml"); });
  EXPECT_NE(empty.detail().find("empty range"), std::string::npos) << empty.what();
  InputError empty_list = input_error([] { space_from("parameters:\n  rows: []\n", "l.yaml"); });
  EXPECT_NE(empty_list.place().find("parameters.rows"), std::string::npos) << empty_list.what();
  EXPECT_THROW(space_from("parameters:\n  rows: {min: 8, max: 64, step: 0}\n"), InputError);
  EXPECT_THROW(space_from("parameters:\n  rows: {min: 8, max: 64, factor: 1}\n"), InputError);
  EXPECT_THROW(space_from("parameters:\n  rows: {min: 8, max: 64}\n"), InputError);
  EXPECT_THROW(space_from("parameters:\n  rows: [8, 8]\n"), InputError);
  EXPECT_THROW(space_from("parameters:\n  dataflow: [ws, diagonal]\n"), InputError);
  EXPECT_THROW(space_from("parameters: {}\n"), InputError);
}

TEST(DseSpace, MalformedYamlNamesTheFileAndLine) {
  InputError e = input_error([] { space_from("parameters:\n  rows: [8, 16\n  cols: [8]\n", "broken.yaml"); });
  EXPECT_EQ(e.file(), "broken.yaml");
  EXPECT_NE(e.place().find("line"), std::string::npos) << e.what();
  InputError key = input_error([] { space_from("parameters: {rows: [8]}\nconstrains: [pes <= 4]\n", "k.yaml"); });
  EXPECT_NE(key.place().find("constrains"), std::string::npos) << key.what();
  InputError expr = input_error([] { space_from("parameters: {rows: [8]}\nconstraints: [power <= 4]\n", "c.yaml"); });
  EXPECT_NE(expr.place().find("constraints[0]"), std::string::npos) << expr.what();
}

TEST(DseSpace, ConstraintsMayUseNumericParameters) {
  DesignSpace s =
      space_from("base: edge_32x32\nparameters: {rows: [8, 16], cols: [8, 16]}\nconstraints: [rows >= cols]");
  EXPECT_EQ(s.constraints().size(), 1u);
  EXPECT_THROW(s.add_constraint("dataflow == 1"), InputError);
}

TEST(DseSpace, MissingSpaceFileIsAnInputError) {
  EXPECT_THROW(DesignSpace::load("/nonexistent/space.yaml"), InputError);
  EXPECT_THROW(DesignSpace::load("no_such_builtin_space"), InputError);
}

}  // namespace
}  // namespace acceldse::dse
