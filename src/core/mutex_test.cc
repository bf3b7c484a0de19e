#include "core/mutex.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <vector>

namespace winback {
namespace {

// A bounded queue of one slot: the producer must wait for the consumer and the other way round,
// so every Wait() path runs, and the sum proves no value was lost or seen twice.
class OneSlot {
 public:
  void Put(std::int64_t v) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    while (full_) changed_.Wait(&mu_);
    value_ = v;
    full_ = true;
    changed_.SignalAll();
  }
  std::int64_t Take() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    while (!full_) changed_.Wait(&mu_);
    full_ = false;
    changed_.SignalAll();
    return value_;
  }

 private:
  Mutex mu_;
  CondVar changed_;
  bool full_ GUARDED_BY(mu_) = false;
  std::int64_t value_ GUARDED_BY(mu_) = 0;
};

TEST(MutexTest, ProducerAndConsumerHandOverEveryValueOnce) {
  constexpr std::int64_t kCount = 20000;
  OneSlot slot;
  std::int64_t sum = 0;
  std::thread consumer([&] {
    for (std::int64_t i = 0; i < kCount; ++i) sum += slot.Take();
  });
  for (std::int64_t i = 1; i <= kCount; ++i) slot.Put(i);
  consumer.join();
  EXPECT_EQ(sum, kCount * (kCount + 1) / 2);
}

TEST(MutexTest, ConcurrentIncrementsUnderTheLockAllCount) {
  Mutex mu;
  std::int64_t counter = 0;
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50000; ++i) {
        MutexLock lock(&mu);
        ++counter;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(counter, 200000);
}

}  // namespace
}  // namespace winback
