// soma::StringMap against std::map, the type it stands in for in public structs: the same
// iteration order, lookups and insertion rules on the same entries.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/core/string_map.hpp"

namespace {

template <class M>
std::vector<std::pair<std::string, double>> entries(const M& m) {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& [name, value] : m) out.emplace_back(name, value);
  return out;
}

TEST(StringMap, BehavesAsStdMap) {
  // A braced list out of order and with a name twice: std::map keeps the first value.
  const std::map<std::string, double> want = {
      {"valid_loss", 1}, {"accuracy", 2}, {"valid_accuracy", 3}, {"accuracy", 4}, {"b", 5}};
  soma::StringMap<double> got = {
      {"valid_loss", 1}, {"accuracy", 2}, {"valid_accuracy", 3}, {"accuracy", 4}, {"b", 5}};
  EXPECT_EQ(entries(got), entries(want));
  EXPECT_EQ(got.size(), want.size());
  for (const char* name : {"accuracy", "b", "valid_loss", "valid_accuracy", "missing", ""}) {
    EXPECT_EQ(got.contains(name), want.contains(name)) << name;
    EXPECT_EQ(got.count(name), want.count(name)) << name;
    const auto it = got.find(name);
    ASSERT_EQ(it == got.end(), want.find(name) == want.end()) << name;
    if (it != got.end()) {
      EXPECT_EQ(it->second, want.at(name)) << name;
    }
  }
  // operator[] inserts a default value in order; at() of a missing name throws.
  auto std_copy = want;
  got["c"] += 1.5;
  std_copy["c"] += 1.5;
  got["b"] = 7;
  std_copy["b"] = 7;
  EXPECT_EQ(entries(got), entries(std_copy));
  EXPECT_FALSE(got.emplace("b", 9));
  EXPECT_TRUE(got.emplace("a", 9));
  EXPECT_EQ(got.begin()->first, "a");
  EXPECT_EQ(got.erase("a"), 1u);
  EXPECT_EQ(got.erase("a"), 0u);
  EXPECT_EQ(entries(got), entries(std_copy));
  EXPECT_EQ(got.at("c"), 1.5);
  try {
    (void)got.at("mse");
    FAIL() << "at(\"mse\") did not throw";
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("no entry named 'mse' (there are: accuracy, b, c"),
              std::string::npos)
        << e.what();
  }
  // From a std::map (as a struct's member was assigned one), and equality.
  const soma::StringMap<double> converted = std_copy;
  EXPECT_EQ(converted, got);
  got.insert_or_assign("b", 8);
  EXPECT_NE(converted, got);
  EXPECT_TRUE(soma::StringMap<double>().empty());
}

}  // namespace
