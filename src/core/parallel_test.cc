#include "core/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <numeric>
#include <vector>

namespace winback {
namespace {

TEST(ParallelTest, ResolveThreads) {
  EXPECT_EQ(ResolveThreads(3), 3);
  EXPECT_GE(ResolveThreads(0), 1);
  EXPECT_GE(ResolveThreads(-1), 1);
}

TEST(ParallelTest, ForEachTaskRunsEveryTaskOnce) {
  for (int threads : {1, 2, 7}) {
    std::vector<std::atomic<int>> runs(100);
    ForEachTask(runs.size(), threads, [&](std::size_t t) { runs[t].fetch_add(1); });
    for (const auto& r : runs) EXPECT_EQ(r.load(), 1) << threads << " threads";
  }
  ForEachTask(0, 4, [](std::size_t) { FAIL() << "no task to run"; });
}

TEST(ParallelTest, ForEachChunkCoversTheRangeInFixedChunks) {
  const std::size_t n = 1001;
  const std::size_t chunk = 64;
  ASSERT_EQ(ChunkCount(n, chunk), 16U);
  for (int threads : {1, 3}) {
    std::vector<std::size_t> begins(ChunkCount(n, chunk));
    std::vector<std::size_t> ends(ChunkCount(n, chunk));
    std::vector<std::atomic<int>> seen(n);
    ForEachChunk(n, chunk, threads, [&](std::size_t c, std::size_t begin, std::size_t end) {
      begins[c] = begin;
      ends[c] = end;
      for (std::size_t i = begin; i < end; ++i) seen[i].fetch_add(1);
    });
    for (std::size_t c = 0; c < begins.size(); ++c) {
      EXPECT_EQ(begins[c], c * chunk);
      EXPECT_EQ(ends[c], std::min(n, (c + 1) * chunk));
    }
    for (const auto& s : seen) EXPECT_EQ(s.load(), 1);
  }
}

TEST(ParallelTest, ChunkedSumsDoNotDependOnTheThreadCount) {
  std::vector<double> values(100000);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 1.0 / static_cast<double>(i + 1);
  auto sum = [&](int threads) {
    std::vector<double> partial(ChunkCount(values.size(), 1000));
    ForEachChunk(values.size(), 1000, threads, [&](std::size_t c, std::size_t b, std::size_t e) {
      partial[c] = std::accumulate(values.begin() + static_cast<std::ptrdiff_t>(b),
                                   values.begin() + static_cast<std::ptrdiff_t>(e), 0.0);
    });
    return std::accumulate(partial.begin(), partial.end(), 0.0);
  };
  const double one = sum(1);
  EXPECT_EQ(sum(2), one);
  EXPECT_EQ(sum(5), one);
}

}  // namespace
}  // namespace winback
