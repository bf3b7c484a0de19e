#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace winback::sim::internal {

// Fast appenders for the CSV writers. They write into a growing std::string without temporary
// strings; the output matches core's formatting (FormatTimestamp, Date::ToString).

struct CivilDay {
  int year;
  int month;
  int day;
};

// Hinnant's civil_from_days: days since 1970-01-01 -> proleptic Gregorian date.
inline CivilDay CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return {static_cast<int>(y), static_cast<int>(m), static_cast<int>(d)};
}

inline std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

inline char* Put2(char* p, int v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

inline char* Put4(char* p, int v) {
  p = Put2(p, v / 100);
  return Put2(p, v % 100);
}

// A growable byte buffer written through a raw cursor: Reserve room for a whole row, write it
// with the Put* functions below, Commit the cursor. Cheaper than many small std::string
// appends on the simulator's hot path. Not thread-safe.
class ByteBuffer {
 public:
  ByteBuffer() = default;
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;

  // Returns a cursor with room for at least `n` more bytes.
  char* Reserve(std::size_t n) {
    if (capacity_ - size_ < n) Grow(n);
    return data_.get() + size_;
  }
  // Ends a write that started at Reserve: `end` is one past the last byte written.
  void Commit(char* end) { size_ = static_cast<std::size_t>(end - data_.get()); }

  void Append(std::string_view bytes) {
    if (bytes.empty()) return;
    char* p = Reserve(bytes.size());
    std::memcpy(p, bytes.data(), bytes.size());
    size_ += bytes.size();
  }
  void clear() { size_ = 0; }
  std::size_t size() const { return size_; }
  std::string_view view() const { return {data_.get(), size_}; }

 private:
  void Grow(std::size_t n) {
    std::size_t capacity = capacity_ == 0 ? 1 << 16 : capacity_;
    while (capacity - size_ < n) capacity *= 2;
    std::unique_ptr<char[]> data(new char[capacity]);
    if (size_ > 0) std::memcpy(data.get(), data_.get(), size_);
    data_ = std::move(data);
    capacity_ = capacity;
  }

  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

inline char* PutChar(char* p, char c) {
  *p = c;
  return p + 1;
}

inline char* PutStr(char* p, std::string_view s) {
  if (s.empty()) return p;  // memcpy from a null data() is undefined even for 0 bytes
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// At most 20 bytes.
inline char* PutInt(char* p, std::int64_t v) {
  if (v >= 0 && v < 10) return PutChar(p, static_cast<char>('0' + v));
  if (v >= 10 && v < 100) return Put2(p, static_cast<int>(v));
  return std::to_chars(p, p + 20, v).ptr;
}

// Copies a short string (an id) without a library call.
inline char* PutShort(char* p, std::string_view s) {
  for (char c : s) *p++ = c;
  return p;
}

// Shortest decimal that reads back as the same double; at most 32 bytes.
inline char* PutDouble(char* p, double v) { return std::to_chars(p, p + 32, v).ptr; }

// "YYYY-MM-DD" for days since 1970-01-01 (years 0..9999): 10 bytes.
inline char* PutDate(char* p, std::int64_t days) {
  const CivilDay c = CivilFromDays(days);
  p = Put4(p, c.year);
  *p++ = '-';
  p = Put2(p, c.month);
  *p++ = '-';
  return Put2(p, c.day);
}

// RFC 3339 with seconds, as core's FormatTimestamp: "2024-03-01T09:30:00+03:00" or "...Z";
// at most 25 bytes.
inline char* PutTimestamp(char* p, std::int64_t unix_seconds, std::int32_t offset_minutes) {
  const std::int64_t local = unix_seconds + std::int64_t{offset_minutes} * 60;
  const std::int64_t days = FloorDiv(local, 86'400);
  const int sod = static_cast<int>(local - days * 86'400);
  p = PutDate(p, days);
  *p++ = 'T';
  p = Put2(p, sod / 3600);
  *p++ = ':';
  p = Put2(p, sod / 60 % 60);
  *p++ = ':';
  p = Put2(p, sod % 60);
  if (offset_minutes == 0) {
    *p++ = 'Z';
  } else {
    const int a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    *p++ = offset_minutes < 0 ? '-' : '+';
    p = Put2(p, a / 60);
    *p++ = ':';
    p = Put2(p, a % 60);
  }
  return p;
}

// One CSV field (RFC 4180): quoted, with quotes doubled, only when it holds a comma, a quote,
// CR or LF. At most 2 * field.size() + 2 bytes.
inline char* PutCsvField(char* p, std::string_view field) {
  bool plain = true;
  for (char c : field) {
    if (c == ',' || c == '"' || c == '\r' || c == '\n') {
      plain = false;
      break;
    }
  }
  if (plain) return PutStr(p, field);
  *p++ = '"';
  for (char c : field) {
    if (c == '"') *p++ = '"';
    *p++ = c;
  }
  *p++ = '"';
  return p;
}

// std::string conveniences for tests and cold paths.
inline void AppendTimestamp(std::string& out, std::int64_t unix_seconds,
                            std::int32_t offset_minutes) {
  char buf[32];
  out.append(buf, PutTimestamp(buf, unix_seconds, offset_minutes));
}

inline void AppendDate(std::string& out, std::int64_t days) {
  char buf[16];
  out.append(buf, PutDate(buf, days));
}

inline void AppendCsvField(std::string& out, std::string_view field) {
  std::string buf(2 * field.size() + 2, '\0');
  buf.resize(static_cast<std::size_t>(PutCsvField(buf.data(), field) - buf.data()));
  out += buf;
}

}  // namespace winback::sim::internal
