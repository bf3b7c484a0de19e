#pragma once

#include <cstddef>
#include <functional>

// Deterministic parallel loops for every module. A thread of its own (a producer/consumer
// pipeline, a background writer) stays a std::thread where it is used; a loop over chunks or
// over independent tasks uses these.
namespace winback {

// The number of worker threads to use for `requested`: 0 means one per hardware thread; the
// result is at least 1.
int ResolveThreads(int requested);

// Splits [0, n) into fixed chunks of `chunk` items and calls fn(chunk_index, begin, end) for
// every chunk, on up to `threads` threads (the calling thread included). Chunks are handed out
// dynamically (a thread that is slowed down, e.g. by other processes on the machine, takes
// fewer), but the chunking does not depend on the thread count, so per-chunk partial results
// reduced in chunk order give the same floating-point sums for any number of threads. fn must
// be safe to call concurrently for different chunks.
void ForEachChunk(std::size_t n, std::size_t chunk, int threads,
                  const std::function<void(std::size_t, std::size_t, std::size_t)>& fn);

// Calls fn(task) for task = 0..tasks-1, on up to `threads` threads (the calling thread
// included), handing tasks out dynamically. fn must be safe to call concurrently.
void ForEachTask(std::size_t tasks, int threads, const std::function<void(std::size_t)>& fn);

// Number of chunks ForEachChunk makes for n items.
inline std::size_t ChunkCount(std::size_t n, std::size_t chunk) { return (n + chunk - 1) / chunk; }

}  // namespace winback
