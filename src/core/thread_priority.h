#pragma once

namespace winback {

// Lowers the CPU priority of the calling thread only (Linux: a thread is a task with its own
// nice value) by `increment` nice steps, for background work that must not take the cores from
// threads a request waits on (the kernel still gives it every idle cycle). Best effort: false
// when the system refused.
bool LowerThisThreadPriority(int increment);

}  // namespace winback
