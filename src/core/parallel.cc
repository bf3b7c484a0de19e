#include "core/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace winback {

int ResolveThreads(int requested) {
  if (requested > 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

void ForEachTask(std::size_t tasks, int threads, const std::function<void(std::size_t)>& fn) {
  if (tasks == 0) return;
  const std::size_t workers =
      std::min<std::size_t>(tasks, static_cast<std::size_t>(std::max(1, threads)));
  if (workers == 1) {
    for (std::size_t t = 0; t < tasks; ++t) fn(t);
    return;
  }
  std::atomic<std::size_t> next{0};
  auto run = [&] {
    for (std::size_t t = next.fetch_add(1, std::memory_order_relaxed); t < tasks;
         t = next.fetch_add(1, std::memory_order_relaxed)) {
      fn(t);
    }
  };
  {
    std::vector<std::jthread> pool;
    pool.reserve(workers - 1);
    for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(run);
    run();
  }  // joins
}

void ForEachChunk(std::size_t n, std::size_t chunk, int threads,
                  const std::function<void(std::size_t, std::size_t, std::size_t)>& fn) {
  ForEachTask(ChunkCount(n, chunk), threads,
              [&](std::size_t c) { fn(c, c * chunk, std::min(n, (c + 1) * chunk)); });
}

}  // namespace winback
