#include "ingest/string_map.h"

#include <gtest/gtest.h>

#include <string>
#include <unordered_map>

namespace winback::ingest {
namespace {

TEST(StringMapTest, InsertFindAndKeepFirstValue) {
  StringMap<int> m;
  EXPECT_TRUE(m.Insert("a", 1).second);
  EXPECT_FALSE(m.Insert("a", 2).second);
  EXPECT_EQ(*m.Find("a"), 1);
  EXPECT_EQ(m.Find("b"), nullptr);
  EXPECT_TRUE(m.Insert("", 3).second);
  EXPECT_EQ(*m.Find(""), 3);
}

TEST(StringMapTest, AgreesWithUnorderedMapThroughGrowth) {
  StringMap<std::int64_t> m;
  std::unordered_map<std::string, std::int64_t> ref;
  for (std::int64_t i = 0; i < 200000; ++i) {
    const std::string key = "order-" + std::to_string(i * 7919 % 150000);
    const bool inserted = m.Insert(key, i).second;
    EXPECT_EQ(inserted, ref.emplace(key, i).second);
  }
  EXPECT_EQ(m.size(), ref.size());
  for (const auto& [k, v] : ref) ASSERT_EQ(*m.Find(k), v) << k;
}

TEST(StringMapTest, ReserveKeepsEveryKey) {
  StringMap<std::int64_t> m;
  for (std::int64_t i = 0; i < 1000; ++i) m.Insert("k" + std::to_string(i), i);
  // Reserving rehashes the keys already in the map into the larger table.
  m.Reserve(100000, 600000);
  for (std::int64_t i = 1000; i < 100000; ++i) m.Insert("k" + std::to_string(i), i);
  EXPECT_EQ(m.size(), 100000u);
  for (std::int64_t i = 0; i < 100000; ++i) ASSERT_EQ(*m.Find("k" + std::to_string(i)), i) << i;
  EXPECT_EQ(m.Find("k100000"), nullptr);
  m.Reserve(10, 10);  // Smaller than the map: changes nothing.
  EXPECT_EQ(*m.Find("k99999"), 99999);
}

}  // namespace
}  // namespace winback::ingest
