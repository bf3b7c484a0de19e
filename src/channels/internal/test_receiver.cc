#include "channels/internal/test_receiver.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

extern char** environ;

namespace winback::channels::internal {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

Result<std::unique_ptr<TestReceiver>> TestReceiver::Start(
    const std::string& script, const std::vector<std::string>& extra_args,
    const std::vector<std::string>& extra_env) {
  std::string pattern = (std::filesystem::temp_directory_path() / "winback-recv-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return UnavailableError("mkdtemp failed");
  std::unique_ptr<TestReceiver> r(new TestReceiver());
  r->root_ = pattern;
  r->out_dir_ = r->root_ / "out";
  const std::filesystem::path port_file = r->root_ / "port";
  const std::filesystem::path log_file = r->root_ / "stderr";

  std::vector<std::string> args = {"/usr/bin/python3",
                                   std::string(WINBACK_CHANNELS_TESTDATA) + "/" + script,
                                   port_file.string(), r->out_dir_.string()};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  envp.reserve(env.size() + 1);
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  pid_t pid = -1;
  const int error = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) return UnavailableError("cannot start /usr/bin/python3 " + script);
  r->pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(port_file)) {
      r->port_ = std::atoi(ReadFile(port_file).c_str());
      return r;
    }
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      r->pid_ = -1;
      return UnavailableError(script + " exited: " + ReadFile(log_file));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return UnavailableError(script + " did not report its port: " + ReadFile(log_file));
}

TestReceiver::~TestReceiver() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

std::vector<std::string> TestReceiver::Records() const {
  std::map<int, std::string> by_number;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(out_dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.' || entry.path().extension() != ".json") continue;
    by_number[std::atoi(name.c_str())] = ReadFile(entry.path());
  }
  std::vector<std::string> records;
  records.reserve(by_number.size());
  for (auto& [n, text] : by_number) records.push_back(std::move(text));
  return records;
}

}  // namespace winback::channels::internal
