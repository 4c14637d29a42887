#include <gtest/gtest.h>

#include <vector>

#include "common/error.h"
#include "dse/dse.h"

namespace acceldse::dse {
namespace {

const std::vector<std::string> kNames{"a", "b", "area_mm2"};

double eval(const std::string& text, std::vector<double> values = {2, 3, 10}) {
  return Expression::parse(text, kNames, "<test>", "expr").evaluate(values);
}

TEST(DseExpression, ArithmeticFollowsPrecedence) {
  EXPECT_DOUBLE_EQ(eval("1 + 2 * 3"), 7);
  EXPECT_DOUBLE_EQ(eval("(1 + 2) * 3"), 9);
  EXPECT_DOUBLE_EQ(eval("a * b - area_mm2 / 5"), 4);
  EXPECT_DOUBLE_EQ(eval("-a + 1e1"), 8);
  EXPECT_DOUBLE_EQ(eval("10 - 4 - 3"), 3);                   // left associative
  EXPECT_DOUBLE_EQ(eval("a \xC3\x97 b \xE2\x88\x92 1"), 5);  // × and −
}

TEST(DseExpression, ComparisonsAndLogic) {
  EXPECT_EQ(eval("area_mm2 <= 10"), 1);
  EXPECT_EQ(eval("area_mm2 < 10"), 0);
  EXPECT_EQ(eval("a * b >= 6 and area_mm2 != 10"), 0);
  EXPECT_EQ(eval("a > 5 || b == 3"), 1);
  EXPECT_EQ(eval("area_mm2 \xE2\x89\xA4 a * 5"), 1);  // ≤
  EXPECT_EQ(eval("not a > 5"), 1);
}

TEST(DseExpression, ViolationIsRelativeToTheBound) {
  auto e = Expression::parse("area_mm2 <= 8", kNames, "<test>", "x");
  EXPECT_DOUBLE_EQ(e.violation(std::vector<double>{0, 0, 10}), 0.25);
  EXPECT_DOUBLE_EQ(e.violation(std::vector<double>{0, 0, 4}), 0);
}

TEST(DseExpression, ErrorsNameFilePlaceAndColumn) {
  try {
    Expression::parse("area_mm2 <= latency", kNames, "space.yaml", "constraints[1]");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "space.yaml");
    EXPECT_EQ(e.place(), "constraints[1]");
    EXPECT_NE(e.detail().find("unknown name 'latency'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Expression::parse("a <= ", kNames, "f", "p"), InputError);
  EXPECT_THROW(Expression::parse("(a + b", kNames, "f", "p"), InputError);
  EXPECT_THROW(Expression::parse("a b", kNames, "f", "p"), InputError);
}

TEST(DseObjective, NamedAndCustomObjectives) {
  Metrics m;
  m.latency_s = 2;
  m.throughput_per_s = 0.5;
  m.area_mm2 = 4;
  m.energy_pj = 3;
  EXPECT_DOUBLE_EQ(Objective::parse("latency").score(m), 2);
  EXPECT_DOUBLE_EQ(Objective::parse("throughput").score(m), -0.5);  // maximised
  EXPECT_DOUBLE_EQ(Objective::parse("min latency_s * area_mm2").score(m), 8);
  EXPECT_TRUE(Objective::parse("pareto").pareto());
  EXPECT_THROW(Objective::parse("speed"), InputError);
}

TEST(DseBudget, ParsesEvaluationsAndTime) {
  EXPECT_EQ(Budget::parse("500").evaluations, 500u);
  EXPECT_DOUBLE_EQ(Budget::parse("30s").seconds, 30);
  EXPECT_DOUBLE_EQ(Budget::parse("2m").seconds, 120);
  EXPECT_THROW(Budget::parse("abc"), InputError);
  EXPECT_THROW(Budget::parse("0"), InputError);
  EXPECT_THROW(Budget::parse("10x"), InputError);
  EXPECT_THROW(Budget::parse("1.5"), InputError);
}

}  // namespace
}  // namespace acceldse::dse

namespace acceldse::dse {
namespace {

// Issue 14: a hostile expression is an InputError, not a stack overflow.
std::string refusal(const std::string& text) {
  try {
    Expression::parse(text, kNames, "<test>", "expr");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(DseExpression, NestingAndChainsAreLimited) {
  EXPECT_DOUBLE_EQ(eval(std::string(99, '(') + "a" + std::string(99, ')')), 2);
  EXPECT_NE(refusal(std::string(101, '(') + "a" + std::string(101, ')')).find("nested more than 100"),
            std::string::npos);
  EXPECT_NE(refusal(std::string(100000, '(') + "a").find("nested more than 100"), std::string::npos);
  EXPECT_NE(refusal(std::string(500, '-') + "a").find("nested"), std::string::npos);
  EXPECT_NE(refusal(std::string(500, '!') + "a").find("nested"), std::string::npos);
  std::string chain = "a";
  for (int i = 0; i < 998; ++i) chain += "+1";
  EXPECT_DOUBLE_EQ(eval(chain), 1000);
  EXPECT_NE(refusal(chain + "+1+1").find("more than 1000 operations"), std::string::npos);
}

TEST(DseExpression, ConstantNonFiniteObjectiveIsRefused) {
  for (const char* text : {"min 1/0", "max -1/0", "min 0/0", "min 1e999"}) {
    try {
      Objective::parse(text);
      ADD_FAILURE() << text;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("finite"), std::string::npos) << e.what();
    }
  }
  EXPECT_NO_THROW(Objective::parse("min 1/2"));
}

}  // namespace
}  // namespace acceldse::dse
