#pragma once

// A mutex, a scoped lock and a condition variable that carry Clang's thread-safety annotations,
// so that a member marked GUARDED_BY(mu_) is checked at compile time (-Wthread-safety, on in every
// clang build and in `make lint`): reading or writing it without holding mu_ is a warning, and
// warnings are errors. libstdc++'s std::mutex has no annotations, so the analysis cannot see it;
// these are thin wrappers over it (LevelDB's port::Mutex, Abseil's absl::Mutex). GCC ignores the
// attributes.

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define WINBACK_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define WINBACK_THREAD_ANNOTATION(x)
#endif

// The member is read and written only with the named mutex held.
#define GUARDED_BY(x) WINBACK_THREAD_ANNOTATION(guarded_by(x))
// The pointee is read and written only with the named mutex held.
#define PT_GUARDED_BY(x) WINBACK_THREAD_ANNOTATION(pt_guarded_by(x))
// The function must be called with the named mutexes held.
#define REQUIRES(...) WINBACK_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
// The function must be called without the named mutexes held (it takes them itself).
#define EXCLUDES(...) WINBACK_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) WINBACK_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) WINBACK_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define CAPABILITY(x) WINBACK_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY WINBACK_THREAD_ANNOTATION(scoped_lockable)
#define ASSERT_CAPABILITY(x) WINBACK_THREAD_ANNOTATION(assert_capability(x))

namespace winback {

class CondVar;

// A non-recursive mutex. Not copyable or movable.
class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // Tells the analysis that the caller holds the mutex (it cannot check this at run time).
  void AssertHeld() ASSERT_CAPABILITY(this) {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds `mu` from construction to destruction.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A condition variable. Wait(mu) must be called with `mu` held; it releases it while waiting and
// holds it again when it returns. Wakeups may be spurious: wait in a loop on the condition
// (`while (!ready_) cv_.Wait(&mu_);`). As in Abseil, the mutex is a parameter so that the
// analysis can check the caller holds it.
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  void Wait(Mutex* mu) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // Still held: the caller's lock owns it.
  }
  // Wait() for at most `timeout`; false when it timed out (the condition may still hold).
  template <class Rep, class Period>
  bool WaitFor(Mutex* mu, std::chrono::duration<Rep, Period> timeout) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const bool signalled = cv_.wait_for(lock, timeout) == std::cv_status::no_timeout;
    lock.release();
    return signalled;
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace winback
