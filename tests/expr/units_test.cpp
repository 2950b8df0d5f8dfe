#include <gtest/gtest.h>

#include "soma/core/error.hpp"
#include "soma/expr/units.hpp"

using namespace soma::expr;

TEST(Units, PrefixedNames) {
  auto mv = lookup_unit("mV");
  ASSERT_TRUE(mv.has_value());
  EXPECT_DOUBLE_EQ(mv->value, 1e-3);
  EXPECT_EQ(mv->dimension, dim::volt());
  EXPECT_DOUBLE_EQ(lookup_unit("pF")->value, 1e-12);
  EXPECT_EQ(lookup_unit("pF")->dimension, dim::farad());
  EXPECT_DOUBLE_EQ(lookup_unit("nS")->value, 1e-9);
  EXPECT_DOUBLE_EQ(lookup_unit("ms")->value, 1e-3);
  EXPECT_EQ(lookup_unit("ms")->dimension, dim::second());
  EXPECT_DOUBLE_EQ(lookup_unit("nA")->value, 1e-9);
  EXPECT_DOUBLE_EQ(lookup_unit("kHz")->value, 1e3);
  EXPECT_DOUBLE_EQ(lookup_unit("mM")->value, 1.0);  // 1 mmol/l = 1 mol/m^3
  EXPECT_EQ(lookup_unit("mM")->dimension, dim::molar());
  EXPECT_DOUBLE_EQ(lookup_unit("usiemens")->value, 1e-6);
  EXPECT_DOUBLE_EQ(lookup_unit("\xC2\xB5"
                               "F")
                       ->value,
                   1e-6);
  EXPECT_DOUBLE_EQ(lookup_unit("kgram")->value, 1.0);
  EXPECT_DOUBLE_EQ(lookup_unit("cm")->value, 1e-2);
  EXPECT_EQ(lookup_unit("ohm")->dimension, dim::volt() / dim::amp());
  EXPECT_EQ(lookup_unit("siemens")->dimension, dim::amp() / dim::volt());
  EXPECT_EQ(lookup_unit("farad")->dimension, dim::amp() * dim::second() / dim::volt());
  EXPECT_EQ(lookup_unit("Hz")->dimension, dim::one() / dim::second());
  EXPECT_FALSE(lookup_unit("tau").has_value());
  EXPECT_FALSE(lookup_unit("v").has_value());
  EXPECT_FALSE(lookup_unit("xm").has_value());
}

TEST(Units, ParseDeclarations) {
  EXPECT_EQ(parse_unit("volt").dimension, dim::volt());
  EXPECT_TRUE(parse_unit("1").dimension.dimensionless());
  EXPECT_EQ(parse_unit("volt/second").dimension, dim::volt() / dim::second());
  EXPECT_EQ(parse_unit("siemens/meter**2").dimension,
            dim::siemens() / (dim::metre() * dim::metre()));
  EXPECT_EQ(parse_unit("1/second").dimension, dim::hertz());
  EXPECT_EQ(parse_unit("second**-0.5").dimension, *dim::second().pow(-0.5));
  EXPECT_THROW(parse_unit("volt + amp"), soma::Error);
  EXPECT_THROW(parse_unit("foo"), soma::Error);
  EXPECT_THROW(parse_unit("meter**0.3"), soma::Error);
}

TEST(Units, Names) {
  EXPECT_EQ(dim::volt().str(), "V");
  EXPECT_EQ(dim::one().str(), "1");
  EXPECT_EQ((dim::volt() / dim::second()).str(), "V/s");
  EXPECT_EQ((dim::amp() / dim::metre()).str(), "m^-1 A");
  EXPECT_EQ(dim::second().pow(-0.5)->str(), "s^-0.5");
  EXPECT_FALSE(dim::second().pow(0.25).has_value());
}
