// The ingest log's files: what an append makes durable, what a reopen reads back after a torn
// write, a corrupted record, a rotation and a trim.
#include "server/ingest_log.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::server {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

class IngestLogTest : public ::testing::Test {
 protected:
  // Small segments, so that a test rotates after a few records.
  Result<IngestLog> OpenLog() {
    return IngestLog::Open(path_, {.segment_bytes = 3 * 4096, .owner = ""});
  }

  static Status AppendBodies(IngestLog& log, const std::vector<std::string>& bodies,
                             std::int64_t trim = 0) {
    std::vector<IngestLog::Entry> entries;
    for (const std::string& b : bodies) entries.push_back({0, 2, b});
    return log.Append(entries, trim);
  }
  static std::vector<std::pair<std::int64_t, std::string>> Read(IngestLog& log) {
    std::vector<std::pair<std::int64_t, std::string>> out;
    EXPECT_THAT(log.ForEach([&](const IngestLog::Entry& e) {
      out.emplace_back(e.seq, std::string(e.body));
      EXPECT_EQ(e.kind, 2);
      return Status::Ok();
    }),
                IsOk());
    return out;
  }
  std::vector<std::string> SegmentFiles() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path_)) {
      const std::string n = e.path().filename().string();
      if (n.ends_with(".log") && !n.starts_with("spare-")) names.push_back(n);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  testutil::ScratchDir dir_{"winback_ingest_log"};
  std::string path_ = dir_.File("store.db-ingest");
};

TEST_F(IngestLogTest, AppendedEntriesReadBackInOrderAfterAReopen) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(IngestLog log, OpenLog());
    EXPECT_TRUE(Read(log).empty());
    std::vector<IngestLog::Entry> entries = {{0, 2, "first"}, {0, 2, "second"}};
    ASSERT_THAT(log.Append(entries, 0), IsOk());
    EXPECT_EQ(entries[0].seq, 1);
    EXPECT_EQ(entries[1].seq, 2);
    ASSERT_THAT(AppendBodies(log, {"third"}), IsOk());
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(IngestLog log, OpenLog());
  EXPECT_THAT(Read(log), ElementsAre(Pair(1, "first"), Pair(2, "second"), Pair(3, "third")));
  // Seqs go on after the stored ones.
  std::vector<IngestLog::Entry> more = {{0, 2, "fourth"}};
  ASSERT_THAT(log.Append(more, 0), IsOk());
  EXPECT_EQ(more[0].seq, 4);
}

TEST_F(IngestLogTest, RotatesIntoNewSegmentsAndReadsThemAllBack) {
  std::vector<std::string> bodies;
  for (int i = 0; i < 12; ++i) bodies.push_back(std::string(1500, static_cast<char>('a' + i)));
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(IngestLog log, OpenLog());
    for (const std::string& b : bodies) ASSERT_THAT(AppendBodies(log, {b}), IsOk());
    // A body larger than a segment gets a segment of its own.
    ASSERT_THAT(AppendBodies(log, {std::string(20'000, 'z')}), IsOk());
  }
  EXPECT_GE(SegmentFiles().size(), 4u);
  WINBACK_ASSERT_OK_AND_ASSIGN(IngestLog log, OpenLog());
  std::vector<std::pair<std::int64_t, std::string>> got = Read(log);
  ASSERT_EQ(got.size(), 13u);
  for (std::size_t i = 0; i < 12; ++i) {
    EXPECT_EQ(got[i].first, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(got[i].second, bodies[i]);
  }
  EXPECT_EQ(got[12].second.size(), 20'000u);
}

TEST_F(IngestLogTest, ATornOrCorruptedRecordEndsTheLogThere) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(IngestLog log, IngestLog::Open(path_));
    ASSERT_THAT(AppendBodies(log, {"one", "two", "three"}), IsOk());
  }
  ASSERT_EQ(SegmentFiles().size(), 1u);
  const std::string file = path_ + "/" + SegmentFiles()[0];
  // Flip one byte of the second record's body: it and everything after it are not read.
  const off_t second_body = 4096 + 24 + 3 + 24;
  int fd = ::open(file.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, "X", 1, second_body), 1);
  ::close(fd);
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(IngestLog log, IngestLog::Open(path_));
    EXPECT_THAT(Read(log), ElementsAre(Pair(1, "one")));
    // The next append goes where the good records end, over the bad one.
    ASSERT_THAT(AppendBodies(log, {"two again"}), IsOk());
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(IngestLog log, IngestLog::Open(path_));
  EXPECT_THAT(Read(log), ElementsAre(Pair(1, "one"), Pair(2, "two again")));
}

TEST_F(IngestLogTest, TrimmedSegmentsAreReusedAndTheirRecordsNeverComeBack) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(IngestLog log, OpenLog());
    for (int i = 0; i < 10; ++i) {
      ASSERT_THAT(AppendBodies(log, {std::string(2000, static_cast<char>('a' + i))}), IsOk());
    }
    const std::size_t before = SegmentFiles().size();
    ASSERT_GE(before, 3u);
    // Through 8: every segment but the one taking appends is retired (a spare, or deleted).
    ASSERT_THAT(AppendBodies(log, {"eleven"}, 8), IsOk());
    EXPECT_LT(SegmentFiles().size(), before);
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(path_)) files += e.path().extension() == ".log";
    EXPECT_LE(files, SegmentFiles().size() + 2);  // At most two spares are kept.
  }
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(IngestLog log, OpenLog());
    std::vector<std::pair<std::int64_t, std::string>> got = Read(log);
    ASSERT_FALSE(got.empty());
    EXPECT_GT(got.front().first, 6);  // Whole segments went; a later one may still hold 7-8.
    EXPECT_EQ(got.back(), std::make_pair(std::int64_t{11}, std::string("eleven")));
    // Trimming everything resets the segment taking appends too: nothing reads back.
    ASSERT_THAT(log.Trim(11), IsOk());
    EXPECT_TRUE(Read(log).empty());
  }
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(IngestLog log, OpenLog());
    EXPECT_TRUE(Read(log).empty());
    // Reused segments hold old bytes under a new salt: only new records read back.
    ASSERT_THAT(AppendBodies(log, {"after"}), IsOk());
    ASSERT_THAT(AppendBodies(log, {std::string(5000, 'q'), std::string(5000, 'r')}), IsOk());
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(IngestLog log, OpenLog());
  std::vector<std::pair<std::int64_t, std::string>> got = Read(log);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], std::make_pair(std::int64_t{12}, std::string("after")));
  EXPECT_EQ(got[2].second, std::string(5000, 'r'));
}

TEST_F(IngestLogTest, EntriesAreNeverOpenedForAnotherOwner) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(IngestLog log, IngestLog::Open(path_, {.owner = "1:100"}));
    ASSERT_THAT(AppendBodies(log, {"of store 100"}), IsOk());
  }
  Result<IngestLog> other = IngestLog::Open(path_, {.owner = "1:200"});
  EXPECT_THAT(other.status(), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(other.status().message(), HasSubstr("another database file"));
  EXPECT_THAT(other.status().message(), HasSubstr("1:100"));
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(IngestLog log, IngestLog::Open(path_, {.owner = "1:100"}));
    EXPECT_THAT(Read(log), ElementsAre(Pair(1, "of store 100")));
    ASSERT_THAT(log.Trim(1), IsOk());
  }
  // Empty, it can be taken over.
  WINBACK_ASSERT_OK_AND_ASSIGN(IngestLog log, IngestLog::Open(path_, {.owner = "1:200"}));
  EXPECT_TRUE(Read(log).empty());
}

TEST_F(IngestLogTest, OneWriterAtATime) {
  WINBACK_ASSERT_OK_AND_ASSIGN(IngestLog first, IngestLog::Open(path_));
  Result<IngestLog> second = IngestLog::Open(path_);
  EXPECT_THAT(second.status(), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(second.status().message(), HasSubstr("another `winback serve`"));
}

}  // namespace
}  // namespace winback::server
