#pragma once

// Little helpers for the binary blobs the SQLite store keeps (score chunks, the packed scoring
// fields of customer_aggregates): LEB128 varints, zigzag signed varints, little-endian doubles,
// and a bounds-checked reader.

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>

namespace winback::store::sqlite {

inline void PutVarint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Zigzag: small magnitudes of either sign take few bytes.
inline void PutSigned(std::string& out, std::int64_t v) {
  PutVarint(out, (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}

// Bounds-checked reads over a blob; every getter returns false past the end.
class BlobReader {
 public:
  explicit BlobReader(std::string_view data, std::size_t pos = 0) : data_(data), pos_(pos) {}

  bool Varint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return false;
      const auto b = static_cast<std::uint8_t>(data_[pos_++]);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool Signed(std::int64_t& v) {
    std::uint64_t u = 0;
    if (!Varint(u)) return false;
    v = static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
    return true;
  }
  bool Byte(std::uint8_t& b) {
    if (pos_ >= data_.size()) return false;
    b = static_cast<std::uint8_t>(data_[pos_++]);
    return true;
  }
  bool Double(double& d) {
    if (data_.size() - pos_ < 8) return false;
    std::uint64_t bits = 0;
    for (int i = 7; i >= 0; --i) {
      bits = (bits << 8) | static_cast<std::uint8_t>(data_[pos_ + static_cast<std::size_t>(i)]);
    }
    pos_ += 8;
    d = std::bit_cast<double>(bits);
    return true;
  }
  bool Bytes(std::size_t n, std::string_view& out) {
    if (data_.size() - pos_ < n) return false;
    out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  std::size_t pos() const { return pos_; }
  bool at_end() const { return pos_ == data_.size(); }

 private:
  std::string_view data_;
  std::size_t pos_;
};

}  // namespace winback::store::sqlite
