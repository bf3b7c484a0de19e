#include "core/thread_priority.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thread>

namespace winback {
namespace {

int NiceOf(long tid) { return ::getpriority(PRIO_PROCESS, static_cast<id_t>(tid)); }

TEST(ThreadPriorityTest, LowersTheCallingThreadOnly) {
  const long main_tid = ::syscall(SYS_gettid);
  const int main_before = NiceOf(main_tid);
  int before = 0;
  int after = 0;
  bool lowered = false;
  std::thread t([&] {
    const long tid = ::syscall(SYS_gettid);
    before = NiceOf(tid);
    lowered = LowerThisThreadPriority(3);
    after = NiceOf(tid);
  });
  t.join();
  ASSERT_TRUE(lowered);
  // Nice values stop at 19.
  EXPECT_EQ(after, before + 3 > 19 ? 19 : before + 3);
  EXPECT_EQ(NiceOf(main_tid), main_before);
}

}  // namespace
}  // namespace winback
