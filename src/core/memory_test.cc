#include "core/memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

namespace winback {
namespace {

// The VmFlags line of the mapping in /proc/self/smaps that holds `address`, or "".
std::string VmFlagsOf(const void* address) {
  const auto at = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t begin = 0;
    std::uintptr_t end = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> begin >> dash >> end && dash == '-' &&
        line.find(':') > line.find(' ')) {
      inside = begin <= at && at < end;
      continue;
    }
    if (inside && line.starts_with("VmFlags:")) return line;
  }
  return "";
}

TEST(MemoryTest, ReserveLargeAdvisesHugePagesOnTheInnerPart) {
  std::vector<double> v;
  ReserveLarge(v, 2 << 20);  // 16 MiB
  ASSERT_GE(v.capacity(), std::size_t{2} << 20);
  const char* middle = reinterpret_cast<const char*>(v.data()) + (8 << 20);
  const std::string flags = VmFlagsOf(middle);
  ASSERT_FALSE(flags.empty()) << "no mapping found in /proc/self/smaps";
  EXPECT_NE(flags.find(" hg"), std::string::npos) << flags;
  v.assign(std::size_t{2} << 20, 1.5);
  EXPECT_EQ(v[(2 << 20) - 1], 1.5);
}

TEST(MemoryTest, SmallBuffersAreLeftAlone) {
  std::vector<double> v;
  ReserveLarge(v, 100);
  EXPECT_GE(v.capacity(), 100U);
  AdviseHugePages(nullptr, std::size_t{1} << 30);  // no effect, no crash
}

}  // namespace
}  // namespace winback
