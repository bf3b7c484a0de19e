#pragma once

// The binary format of stored scores (schema v4). A score run (one as_of date) is a row of
// score_runs (the label dictionary) plus one score_chunks row per 1024 consecutive customer
// keys, so a million scores are a thousand blobs instead of a million rows.
//
// Chunk blob: byte format version (1), uint16 LE record count, then the records in increasing
// key order:
//   varint   key - previous key (the first record: key - chunk * kScoreChunkKeys + 1)
//   byte     flags: 1 recency, 2 tenure, 4 inactive, 8 p_alive, 16 expected_purchases_90d,
//            32 expected_value, 64 clv_12m, 128 churn_risk present
//   zigzag varints: recency (if flagged), tenure (if flagged), frequency, monetary total, mean
//   byte     (r * 6 + f) * 6 + m
//   varints  label codes of currency, segment, group, lifecycle, inactive_rules,
//            readiness_reasons, let_go (code 0 = empty)
//   8 bytes  readiness, then 8 bytes per present model value (IEEE 754 double, little endian)
// Labels blob: varint count, then per label a varint length and the bytes; label i + 1 has
// code i + 1.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "store/records.h"

namespace winback::store::sqlite {

// Customer keys per chunk: chunk c holds keys [c * kScoreChunkKeys, (c + 1) * kScoreChunkKeys).
inline constexpr std::int64_t kScoreChunkKeys = 1024;
inline constexpr std::uint8_t kScoreChunkFormat = 1;

// The distinct strings of one score run. Code 0 is the empty string. Interning is a short
// linear search while a run has few distinct labels (segments, lifecycles, rule combinations),
// then a hash lookup.
class LabelDictionary {
 public:
  LabelDictionary();

  std::uint32_t Intern(std::string_view label);
  // The label of `code`; the caller checks code < size().
  const std::string& Label(std::uint32_t code) const { return labels_[code]; }
  std::size_t size() const { return labels_.size(); }

  std::string Encode() const;
  // Internal when the blob is not a labels blob (corrupt data).
  static Result<LabelDictionary> Decode(std::string_view blob);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::vector<std::string> labels_;
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> codes_;
};

// Builds one chunk blob.
class ScoreChunkEncoder {
 public:
  // Appends `score` (key inside `chunk`, greater than the previous one; r, f, m in 0..5: the
  // caller validates). Interns its labels into `labels`, which must be the same dictionary for
  // every call (the encoder remembers each field's labels and codes).
  void Add(const CustomerScore& score, LabelDictionary& labels);
  std::int64_t chunk() const { return chunk_; }
  std::size_t count() const { return count_; }
  // Starts chunk `chunk` (dropping what was added).
  void Reset(std::int64_t chunk);
  // The blob of the records added since Reset.
  std::string_view Finish();

 private:
  struct KnownLabel {
    std::string text;
    std::uint32_t code = 0;
  };
  // Per label field, the labels seen in it: a field has few distinct values (11 segments, 7
  // lifecycles, ...), so this is shorter to search than the whole dictionary.
  std::array<std::vector<KnownLabel>, 7> known_;
  std::string buffer_;
  std::int64_t chunk_ = 0;
  std::int64_t previous_key_ = 0;
  std::size_t count_ = 0;
};

// Reads the records of one chunk blob. status() is Internal naming the chunk when the blob is
// corrupt (truncated, unknown format, a key outside the chunk, a label code outside the
// dictionary).
class ScoreChunkDecoder {
 public:
  ScoreChunkDecoder(std::int64_t chunk, std::string_view blob, const LabelDictionary& labels);

  Status status() const { return status_; }
  // Decodes the next record into `out` (reusing its strings); false at the end or on error.
  bool Next(CustomerScore& out);

 private:
  bool Fail(std::string_view what);
  std::int64_t chunk_;
  std::string_view data_;
  std::size_t pos_ = 0;
  std::size_t remaining_ = 0;
  std::int64_t key_ = 0;
  const LabelDictionary& labels_;
  Status status_;
};

}  // namespace winback::store::sqlite
