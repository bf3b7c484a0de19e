#include "store/sqlite/score_chunk.h"

#include <cstring>

#include "store/sqlite/blob_codec.h"

namespace winback::store::sqlite {
namespace {

constexpr std::size_t kLinearLabels = 64;

enum Flag : std::uint8_t {
  kRecency = 1,
  kTenure = 2,
  kInactive = 4,
  kPAlive = 8,
  kExpectedPurchases = 16,
  kExpectedValue = 32,
  kClv = 64,
  kChurnRisk = 128,
};

}  // namespace

LabelDictionary::LabelDictionary() { labels_.emplace_back(); }

std::uint32_t LabelDictionary::Intern(std::string_view label) {
  if (label.empty()) return 0;
  if (labels_.size() <= kLinearLabels) {
    for (std::size_t i = 1; i < labels_.size(); ++i) {
      if (labels_[i] == label) return static_cast<std::uint32_t>(i);
    }
  } else if (auto it = codes_.find(label); it != codes_.end()) {
    return it->second;
  }
  const auto code = static_cast<std::uint32_t>(labels_.size());
  labels_.emplace_back(label);
  if (labels_.size() > kLinearLabels) {
    if (codes_.empty()) {
      for (std::size_t i = 1; i < labels_.size(); ++i) {
        codes_.emplace(labels_[i], static_cast<std::uint32_t>(i));
      }
    } else {
      codes_.emplace(labels_.back(), code);
    }
  }
  return code;
}

std::string LabelDictionary::Encode() const {
  std::string out;
  PutVarint(out, labels_.size() - 1);
  for (std::size_t i = 1; i < labels_.size(); ++i) {
    PutVarint(out, labels_[i].size());
    out += labels_[i];
  }
  return out;
}

Result<LabelDictionary> LabelDictionary::Decode(std::string_view blob) {
  BlobReader r(blob);
  std::uint64_t n = 0;
  if (!r.Varint(n) || n > blob.size()) return InternalError("score labels are corrupt");
  LabelDictionary d;
  d.labels_.reserve(n + 1);
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t len = 0;
    std::string_view bytes;
    if (!r.Varint(len) || len > blob.size() || !r.Bytes(len, bytes)) {
      return InternalError("score labels are corrupt");
    }
    d.labels_.emplace_back(bytes);
  }
  if (!r.at_end()) return InternalError("score labels are corrupt");
  if (d.labels_.size() > kLinearLabels) {
    for (std::size_t i = 1; i < d.labels_.size(); ++i) {
      d.codes_.emplace(d.labels_[i], static_cast<std::uint32_t>(i));
    }
  }
  return d;
}

void ScoreChunkEncoder::Reset(std::int64_t chunk) {
  buffer_.clear();
  buffer_.push_back(static_cast<char>(kScoreChunkFormat));
  buffer_.append(2, '\0');  // record count, patched by Finish
  chunk_ = chunk;
  previous_key_ = chunk * kScoreChunkKeys - 1;
  count_ = 0;
}

void ScoreChunkEncoder::Add(const CustomerScore& s, LabelDictionary& labels) {
  // A record is at most 1 + 10 key + 1 flags + 5 * 10 varints + 1 + 7 * 5 codes + 6 * 8 bytes.
  std::array<std::uint8_t, 160> record;
  std::size_t n = 0;
  auto varint = [&record, &n](std::uint64_t v) {
    while (v >= 0x80) {
      record[n++] = static_cast<std::uint8_t>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    record[n++] = static_cast<std::uint8_t>(v);
  };
  auto zigzag = [&varint](std::int64_t v) {
    varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  };
  auto real = [&record, &n](double d) {
    std::uint64_t bits = std::bit_cast<std::uint64_t>(d);
    for (int i = 0; i < 8; ++i) {
      record[n++] = static_cast<std::uint8_t>(bits & 0xff);
      bits >>= 8;
    }
  };
  varint(static_cast<std::uint64_t>(s.key.value() - previous_key_));
  previous_key_ = s.key.value();
  std::uint8_t flags = 0;
  if (s.recency_days) flags |= kRecency;
  if (s.tenure_days) flags |= kTenure;
  if (s.inactive) flags |= kInactive;
  if (s.p_alive) flags |= kPAlive;
  if (s.expected_purchases_90d) flags |= kExpectedPurchases;
  if (s.expected_value_minor) flags |= kExpectedValue;
  if (s.clv_12m_minor) flags |= kClv;
  if (s.churn_risk) flags |= kChurnRisk;
  record[n++] = flags;
  if (s.recency_days) zigzag(*s.recency_days);
  if (s.tenure_days) zigzag(*s.tenure_days);
  zigzag(s.frequency);
  zigzag(s.monetary_total_minor);
  zigzag(s.monetary_mean_minor);
  record[n++] = static_cast<std::uint8_t>((s.r * 6 + s.f) * 6 + s.m);
  const std::string* fields[] = {&s.currency,       &s.segment,           &s.group, &s.lifecycle,
                                 &s.inactive_rules, &s.readiness_reasons, &s.let_go};
  for (std::size_t f = 0; f < known_.size(); ++f) {
    const std::string& label = *fields[f];
    if (label.empty()) {
      varint(0);
      continue;
    }
    std::vector<KnownLabel>& known = known_[f];
    std::size_t i = 0;
    while (i < known.size() && known[i].text != label) ++i;
    if (i == known.size()) known.push_back({label, labels.Intern(label)});
    varint(known[i].code);
  }
  real(s.readiness);
  for (const std::optional<double>* v :
       {&s.p_alive, &s.expected_purchases_90d, &s.expected_value_minor, &s.clv_12m_minor,
        &s.churn_risk}) {
    if (*v) real(**v);
  }
  buffer_.append(reinterpret_cast<const char*>(record.data()), n);
  ++count_;
}

std::string_view ScoreChunkEncoder::Finish() {
  buffer_[1] = static_cast<char>(count_ & 0xff);
  buffer_[2] = static_cast<char>((count_ >> 8) & 0xff);
  return buffer_;
}

ScoreChunkDecoder::ScoreChunkDecoder(std::int64_t chunk, std::string_view blob,
                                     const LabelDictionary& labels)
    : chunk_(chunk), data_(blob), key_(chunk * kScoreChunkKeys - 1), labels_(labels) {
  if (blob.size() < 3 || static_cast<std::uint8_t>(blob[0]) != kScoreChunkFormat) {
    Fail("unknown format");
    return;
  }
  remaining_ = static_cast<std::uint8_t>(blob[1]) |
               static_cast<std::size_t>(static_cast<std::uint8_t>(blob[2])) << 8;
  pos_ = 3;
}

bool ScoreChunkDecoder::Fail(std::string_view what) {
  status_ =
      InternalError("score chunk " + std::to_string(chunk_) + " is corrupt: " + std::string(what));
  remaining_ = 0;
  return false;
}

bool ScoreChunkDecoder::Next(CustomerScore& s) {
  if (remaining_ == 0) {
    if (status_.ok() && pos_ != data_.size() && pos_ != 0) return Fail("trailing bytes");
    return false;
  }
  BlobReader r(data_, pos_);
  std::uint64_t delta = 0;
  std::uint8_t flags = 0;
  if (!r.Varint(delta) || delta == 0 || !r.Byte(flags)) return Fail("truncated record");
  if (delta > static_cast<std::uint64_t>(kScoreChunkKeys)) return Fail("key outside the chunk");
  key_ += static_cast<std::int64_t>(delta);
  if (key_ >= (chunk_ + 1) * kScoreChunkKeys) return Fail("key outside the chunk");
  s.key = CustomerKey(key_);
  std::int64_t v = 0;
  s.recency_days.reset();
  s.tenure_days.reset();
  if (flags & kRecency) {
    if (!r.Signed(v)) return Fail("truncated record");
    s.recency_days = v;
  }
  if (flags & kTenure) {
    if (!r.Signed(v)) return Fail("truncated record");
    s.tenure_days = v;
  }
  std::uint8_t rfm = 0;
  if (!r.Signed(s.frequency) || !r.Signed(s.monetary_total_minor) ||
      !r.Signed(s.monetary_mean_minor) || !r.Byte(rfm) || rfm >= 216) {
    return Fail("truncated record");
  }
  s.r = rfm / 36;
  s.f = rfm / 6 % 6;
  s.m = rfm % 6;
  for (std::string* label : {&s.currency, &s.segment, &s.group, &s.lifecycle, &s.inactive_rules,
                             &s.readiness_reasons, &s.let_go}) {
    std::uint64_t code = 0;
    if (!r.Varint(code)) return Fail("truncated record");
    if (code >= labels_.size()) return Fail("label code out of range");
    label->assign(labels_.Label(static_cast<std::uint32_t>(code)));
  }
  s.inactive = (flags & kInactive) != 0;
  if (!r.Double(s.readiness)) return Fail("truncated record");
  const std::uint8_t model_flags[] = {kPAlive, kExpectedPurchases, kExpectedValue, kClv,
                                      kChurnRisk};
  std::optional<double>* models[] = {&s.p_alive, &s.expected_purchases_90d, &s.expected_value_minor,
                                     &s.clv_12m_minor, &s.churn_risk};
  for (std::size_t i = 0; i < 5; ++i) {
    models[i]->reset();
    if (flags & model_flags[i]) {
      double d = 0;
      if (!r.Double(d)) return Fail("truncated record");
      *models[i] = d;
    }
  }
  pos_ = r.pos();
  --remaining_;
  return true;
}

}  // namespace winback::store::sqlite
