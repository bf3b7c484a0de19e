#include "ingest/mapped_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::ingest {
namespace {

class MappedFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& content) {
    std::string path = dir_.File("f.csv");
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  testutil::ScratchDir dir_{"winback_mapped"};
};

// The resident kilobytes of the mapping that starts at `addr`, from /proc/self/smaps.
std::int64_t ResidentKiB(const void* addr) {
  std::ifstream smaps("/proc/self/smaps");
  const auto want = reinterpret_cast<std::uintptr_t>(addr);
  std::string line;
  bool in_mapping = false;
  while (std::getline(smaps, line)) {
    const std::size_t dash = line.find('-');
    if (dash != std::string::npos && dash > 0 && line.find(' ') > dash) {
      in_mapping = std::stoull(line.substr(0, dash), nullptr, 16) == want;
      continue;
    }
    if (in_mapping && line.rfind("Rss:", 0) == 0) {
      std::istringstream in(line.substr(4));
      std::int64_t kib = -1;
      in >> kib;
      return kib;
    }
  }
  return -1;
}

TEST_F(MappedFileTest, ReleasedBytesLeaveMemoryAndStayReadable) {
  std::string content(8 << 20, '\0');
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>('a' + i % 26);
  WINBACK_ASSERT_OK_AND_ASSIGN(MappedFile f, MappedFile::Open(Write(content)));
  std::uint64_t sum = 0;
  for (char c : f.data()) sum += static_cast<unsigned char>(c);
  ASSERT_GT(sum, 0u);
  EXPECT_GE(ResidentKiB(f.data().data()), 8 * 1024);

  f.Release(6 << 20);
  const std::int64_t after = ResidentKiB(f.data().data());
  EXPECT_LE(after, 2 * 1024 + 4) << "the first 6 MiB should have left";
  EXPECT_GE(after, 2 * 1024 - 4) << "the last 2 MiB were not released";

  // Below the one-megabyte step nothing happens; the whole file still reads the same.
  f.Release((6 << 20) + 4096);
  EXPECT_GE(ResidentKiB(f.data().data()), 2 * 1024 - 4);
  EXPECT_EQ(f.data(), content);

  MappedFile moved = std::move(f);
  moved.Release(content.size() + 12345);  // Past the end: up to the end.
  EXPECT_EQ(moved.data(), content);
}

TEST_F(MappedFileTest, EmptyFileAndErrors) {
  WINBACK_ASSERT_OK_AND_ASSIGN(MappedFile empty, MappedFile::Open(Write("")));
  EXPECT_TRUE(empty.data().empty());
  empty.Release(100);
  EXPECT_EQ(MappedFile::Open(dir_.File("missing.csv")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(MappedFile::Open(dir_.path().string()).status().code(), StatusCode::kInvalidArgument);
}

// A pipe (`import --orders /dev/stdin`) cannot be mapped and has no size: it is read to its end.
TEST_F(MappedFileTest, ReadsAPipeToItsEnd) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string content;
  for (int i = 0; i < 20000; ++i) content += "o" + std::to_string(i) + ",c1,2024-01-01,1,USD\n";
  ASSERT_GT(content.size(), std::size_t{1} << 16);  // More than a pipe holds at once.
  std::thread writer([&] {
    std::size_t done = 0;
    while (done < content.size()) {
      const ssize_t n = ::write(fds[1], content.data() + done, content.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    ::close(fds[1]);
  });
  Result<MappedFile> f = MappedFile::Open("/dev/fd/" + std::to_string(fds[0]));
  writer.join();
  ::close(fds[0]);
  ASSERT_THAT(f, IsOk());
  EXPECT_EQ(f->data(), content);
  f->Release(content.size());  // Nothing to release; must not crash.
  MappedFile moved = std::move(f).value();
  EXPECT_EQ(moved.data().size(), content.size());
}

}  // namespace
}  // namespace winback::ingest
