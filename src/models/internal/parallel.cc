#include "models/internal/parallel.h"

#include <algorithm>
#include <thread>
#include <vector>

namespace winback::models::internal {

int ResolveThreads(int requested) {
  if (requested > 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

void ForEachChunk(std::size_t n, std::size_t chunk, int threads,
                  const std::function<void(std::size_t, std::size_t, std::size_t)>& fn) {
  const std::size_t chunks = ChunkCount(n, chunk);
  if (chunks == 0) return;
  const std::size_t workers =
      std::min<std::size_t>(chunks, static_cast<std::size_t>(std::max(1, threads)));
  auto run = [&](std::size_t worker) {
    for (std::size_t c = worker; c < chunks; c += workers) {
      fn(c, c * chunk, std::min(n, (c + 1) * chunk));
    }
  };
  if (workers == 1) {
    run(0);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(run, w);
  run(0);
  for (std::thread& t : pool) t.join();
}

}  // namespace winback::models::internal
