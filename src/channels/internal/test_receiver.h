#pragma once

// Test support (linked into winback_channels_test only): a Python receiver from
// src/channels/testdata, started with posix_spawn on a free loopback port and stopped by its
// process id.

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace winback::channels::internal {

class TestReceiver {
 public:
  // Runs `/usr/bin/python3 <testdata>/<script> PORT_FILE OUT_DIR extra_args...` with the
  // current environment plus `extra_env` ("NAME=value"), in a fresh temporary folder, and
  // waits up to 10 s for the port file. Unavailable when python3 cannot be started or the
  // receiver does not come up (its stderr is in the message).
  static Result<std::unique_ptr<TestReceiver>> Start(const std::string& script,
                                                     const std::vector<std::string>& extra_args,
                                                     const std::vector<std::string>& extra_env);
  // Kills the receiver (SIGKILL, by pid), reaps it and removes its folder.
  ~TestReceiver();
  TestReceiver(const TestReceiver&) = delete;
  TestReceiver& operator=(const TestReceiver&) = delete;

  int port() const { return port_; }
  // The receiver's record folder, and a scratch folder for the test's own files.
  const std::filesystem::path& out_dir() const { return out_dir_; }
  const std::filesystem::path& scratch_dir() const { return root_; }

  // The records written so far (OUT_DIR/<n>.json), in order of n.
  std::vector<std::string> Records() const;

 private:
  TestReceiver() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  std::filesystem::path root_;
  std::filesystem::path out_dir_;
};

}  // namespace winback::channels::internal
