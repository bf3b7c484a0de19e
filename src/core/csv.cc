#include "core/csv.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <utility>

namespace winback {
namespace {

constexpr std::size_t kWriteBufferSize = 1 << 16;

}  // namespace

Result<std::string> ReadFileToString(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFoundError("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  std::string text;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    text.resize(static_cast<std::size_t>(st.st_size));
  }
  // A regular file is read in one call; a pipe or a file that grew is read until end of file.
  std::size_t size = 0;
  while (true) {
    if (size == text.size()) text.resize(std::max<std::size_t>(text.size() * 2, 1 << 16));
    const ssize_t got = ::read(fd, text.data() + size, text.size() - size);
    if (got < 0) {
      if (errno == EINTR) continue;
      std::string message = "cannot read " + path + ": ";
      message += std::strerror(errno);
      ::close(fd);
      return UnavailableError(message);
    }
    if (got == 0) break;
    size += static_cast<std::size_t>(got);
  }
  ::close(fd);
  text.resize(size);
  return text;
}

Result<FileContents> FileContents::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFoundError("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  FileContents out;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    const auto size = static_cast<std::size_t>(st.st_size);
    void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (map != MAP_FAILED) {
      ::madvise(map, size, MADV_SEQUENTIAL);
      out.map_ = map;
      out.size_ = size;
    }
  }
  ::close(fd);
  if (out.map_ != nullptr) return out;
  WINBACK_ASSIGN_OR_RETURN(out.buffer_, ReadFileToString(path));
  return out;
}

FileContents::FileContents(FileContents&& other) noexcept
    : map_(std::exchange(other.map_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      buffer_(std::move(other.buffer_)) {}

FileContents::~FileContents() {
  if (map_ != nullptr) ::munmap(map_, size_);
}

std::string_view FileContents::text() const {
  if (map_ != nullptr) return {static_cast<const char*>(map_), size_};
  return buffer_;
}

CsvReader::CsvReader(std::string_view text) : text_(text) {
  if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
}

Result<bool> CsvReader::Next() {
  fields_.clear();
  unescaped_.clear();
  unescaped_spans_.clear();
  const std::size_t n = text_.size();
  const char* s = text_.data();
  while (pos_ < n) {
    if (s[pos_] == '\n') {
      ++pos_;
      ++line_;
    } else if (s[pos_] == '\r' && pos_ + 1 < n && s[pos_ + 1] == '\n') {
      pos_ += 2;
      ++line_;
    } else {
      break;
    }
  }
  if (pos_ >= n) return false;
  record_line_ = line_;
  auto error = [&](std::string_view what) {
    return InvalidArgumentError(fmt::format("{}: {}", record_line_, what));
  };
  while (true) {
    if (pos_ < n && s[pos_] == '"') {
      ++pos_;
      const std::size_t start = pos_;
      bool escaped = false;
      std::size_t end = 0;
      while (true) {
        const void* q = pos_ < n ? std::memchr(s + pos_, '"', n - pos_) : nullptr;
        if (q == nullptr) return error("unterminated quoted field");
        const auto at = static_cast<std::size_t>(static_cast<const char*>(q) - s);
        if (at + 1 < n && s[at + 1] == '"') {
          escaped = true;
          pos_ = at + 2;
          continue;
        }
        end = at;
        pos_ = at + 1;
        break;
      }
      const std::string_view raw = text_.substr(start, end - start);
      line_ += static_cast<std::size_t>(std::count(raw.begin(), raw.end(), '\n'));
      if (!escaped) {
        fields_.push_back(raw);
      } else {
        const std::size_t offset = unescaped_.size();
        for (std::size_t i = 0; i < raw.size(); ++i) {
          unescaped_.push_back(raw[i]);
          if (raw[i] == '"') ++i;  // the second quote of a doubled pair
        }
        unescaped_spans_.emplace_back(fields_.size(), offset);
        fields_.emplace_back(nullptr, unescaped_.size() - offset);
      }
      if (pos_ < n && s[pos_] != ',' && s[pos_] != '\n' &&
          !(s[pos_] == '\r' && (pos_ + 1 == n || s[pos_ + 1] == '\n'))) {
        return error("unexpected character after a closing quote");
      }
    } else {
      const std::size_t start = pos_;
      while (pos_ < n && s[pos_] != ',' && s[pos_] != '\n') ++pos_;
      std::size_t end = pos_;
      if (end > start && s[end - 1] == '\r' && (end == n || s[end] == '\n')) --end;
      fields_.push_back(text_.substr(start, end - start));
    }
    if (pos_ < n && s[pos_] == ',') {
      ++pos_;
      continue;
    }
    if (pos_ < n && s[pos_] == '\r') ++pos_;
    if (pos_ < n && s[pos_] == '\n') {
      ++pos_;
      ++line_;
    }
    break;
  }
  for (const auto& [field, offset] : unescaped_spans_) {
    fields_[field] = std::string_view(unescaped_.data() + offset, fields_[field].size());
  }
  return true;
}

std::optional<double> ParseCsvDouble(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

void AppendCsvField(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\n\r") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

namespace {

__extension__ typedef unsigned __int128 Uint128;

// 10^i for i = 0..38 (10^38 < 2^127).
constexpr std::array<Uint128, 39> kPow10 = [] {
  std::array<Uint128, 39> p{};
  p[0] = 1;
  for (std::size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
  return p;
}();

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// 5^i for i = 0..27 (5^27 < 2^63).
constexpr std::array<std::uint64_t, 28> kPow5 = [] {
  std::array<std::uint64_t, 28> p{};
  p[0] = 1;
  for (std::size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 5;
  return p;
}();

// floor(y) of y = m * 2^q * 10^k, exactly, and how its fraction compares with one half
// (-1 below, 0 equal, +1 above). False when the integers involved would not fit in 128 bits.
bool ScaledFloor(std::uint64_t m, int q, int k, Uint128& floor, int& half) {
  auto compare = [](Uint128 twice_rem, Uint128 divisor) {
    return twice_rem < divisor ? -1 : (twice_rem == divisor ? 0 : 1);
  };
  if (k >= 0) {
    if (k > 27) return false;
    const Uint128 p = static_cast<Uint128>(m) * kPow5[static_cast<std::size_t>(k)];  // < 2^116
    const int s = q + k;                                                             // y = p * 2^s
    if (s >= 0) {
      if (s > 11) return false;
      floor = p << s;
      half = -1;
      return true;
    }
    const int shift = -s;
    if (shift >= 127) {
      floor = 0;
      half = -1;
      return true;
    }
    floor = p >> shift;
    const Uint128 rem = p & ((Uint128{1} << shift) - 1);
    half = compare(rem << 1, Uint128{1} << shift);
    return true;
  }
  const int j = -k;
  if (j > 38) return false;
  const Uint128 d = kPow10[static_cast<std::size_t>(j)];
  if (q >= 0) {
    if (q > 74) return false;
    const Uint128 n = static_cast<Uint128>(m) << q;  // < 2^127
    floor = n / d;
    half = compare((n % d) << 1, d);
    return true;
  }
  if (-q >= 127 || (d >> (127 + q)) != 0) return false;  // d * 2^-q would not fit
  const Uint128 dd = d << (-q);                          // y = m / (10^j * 2^-q)
  floor = m / dd;
  half = compare((m % dd) << 1, dd);
  return true;
}

// printf's %.<p>g of a finite non-zero `value` (1 <= p <= 17), exactly: the decimal value of
// the double is scaled by a power of ten in 128-bit integer arithmetic and rounded to p digits.
// False (and nothing appended) for zeros, subnormals, values whose scaled integers would not
// fit, and exact ties, which the caller leaves to std::to_chars.
bool AppendGeneralExact(std::string& out, double value, int p) {
  const auto bits = std::bit_cast<std::uint64_t>(value);
  const int biased = static_cast<int>((bits >> 52) & 0x7FF);
  if (biased == 0 || biased == 0x7FF) return false;
  const std::uint64_t m = (bits & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1} << 52);
  const int q = biased - 1075;  // |value| = m * 2^q
  // floor(log10 |value|) is b * log10(2) rounded down, or one more (b = the binary exponent).
  const int b = biased - 1023;
  int e = static_cast<int>(std::floor(static_cast<double>(b) * 0.30102999566398120));
  const Uint128 low = kPow10[static_cast<std::size_t>(p - 1)];
  const Uint128 high = kPow10[static_cast<std::size_t>(p)];
  Uint128 n = 0;
  int half = 0;
  for (int attempt = 0;; ++attempt) {
    if (attempt == 3 || !ScaledFloor(m, q, p - 1 - e, n, half)) return false;
    if (n >= high) {
      ++e;
    } else if (n < low) {
      --e;
    } else {
      break;
    }
  }
  if (half == 0) return false;  // an exact tie: printf's rounding of ties is left to to_chars
  if (half > 0 && ++n == high) {
    n = low;
    ++e;
  }
  char digits[17];
  auto rest = static_cast<std::uint64_t>(n);  // < 10^17
  int i = p;
  for (; i >= 2; i -= 2) {
    std::memcpy(digits + i - 2, kDigitPairs + 2 * (rest % 100), 2);
    rest /= 100;
  }
  if (i == 1) digits[0] = static_cast<char>('0' + rest);
  if (bits >> 63) out.push_back('-');
  int last = p - 1;  // the last digit to print: trailing zeros of the fraction are dropped
  if (e >= -4 && e < p) {
    if (e >= 0) {
      while (last > e && digits[last] == '0') --last;
      out.append(digits, static_cast<std::size_t>(e + 1));
      if (last > e) {
        out.push_back('.');
        out.append(digits + e + 1, static_cast<std::size_t>(last - e));
      }
    } else {
      while (digits[last] == '0') --last;
      out.append("0.");
      out.append(static_cast<std::size_t>(-e - 1), '0');
      out.append(digits, static_cast<std::size_t>(last + 1));
    }
    return true;
  }
  while (last > 0 && digits[last] == '0') --last;
  out.push_back(digits[0]);
  if (last > 0) {
    out.push_back('.');
    out.append(digits + 1, static_cast<std::size_t>(last));
  }
  out.push_back('e');
  out.push_back(e < 0 ? '-' : '+');
  const int magnitude = e < 0 ? -e : e;
  if (magnitude >= 100) out.push_back(static_cast<char>('0' + magnitude / 100));
  out.push_back(static_cast<char>('0' + magnitude / 10 % 10));
  out.push_back(static_cast<char>('0' + magnitude % 10));
  return true;
}

}  // namespace

void AppendCsvNumber(std::string& out, double value, int significant) {
  // Most numbers take the exact integer path above (a tenth of std::to_chars' time, which is
  // most of writing 2.36M predictions); the rest go through std::to_chars in general format
  // with a precision, which prints exactly what printf's %.*g does.
  if (significant >= 1 && significant <= 17 && AppendGeneralExact(out, value, significant)) return;
  char text[64];
  const auto [end, ec] =
      std::to_chars(text, text + sizeof(text), value, std::chars_format::general, significant);
  if (ec == std::errc()) {
    out.append(text, end);
  } else {
    fmt::format_to(std::back_inserter(out), "{:.{}g}", value, significant);
  }
}

Result<CsvWriter> CsvWriter::Open(const std::string& path) {
  std::FILE* file = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
  if (file == nullptr) return UnavailableError("cannot write " + path);
  return CsvWriter(file, path);
}

CsvWriter::CsvWriter(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {
  buffer_.reserve(kWriteBufferSize + 4096);
}

CsvWriter::CsvWriter(CsvWriter&& other) noexcept
    : file_(std::exchange(other.file_, nullptr)),
      path_(std::move(other.path_)),
      buffer_(std::move(other.buffer_)),
      row_started_(other.row_started_),
      failed_(other.failed_) {}

CsvWriter::~CsvWriter() {
  if (file_ != nullptr) Close().IgnoreError();
}

void CsvWriter::Separator() {
  if (row_started_) buffer_.push_back(',');
  row_started_ = true;
}

void CsvWriter::FlushIfFull() {
  if (buffer_.size() < kWriteBufferSize) return;
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) failed_ = true;
  buffer_.clear();
}

CsvWriter& CsvWriter::Field(std::string_view text) {
  Separator();
  AppendCsvField(buffer_, text);
  return *this;
}

CsvWriter& CsvWriter::Number(double value) {
  Separator();
  fmt::format_to(std::back_inserter(buffer_), "{}", value);
  return *this;
}

CsvWriter& CsvWriter::Number(double value, int significant) {
  Separator();
  AppendCsvNumber(buffer_, value, significant);
  return *this;
}

CsvWriter& CsvWriter::Rows(std::string_view csv) {
  if (buffer_.size() + csv.size() > kWriteBufferSize && !buffer_.empty()) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) failed_ = true;
    buffer_.clear();
  }
  if (csv.size() >= kWriteBufferSize) {
    if (std::fwrite(csv.data(), 1, csv.size(), file_) != csv.size()) failed_ = true;
  } else {
    buffer_.append(csv);
  }
  return *this;
}

CsvWriter& CsvWriter::Row(std::span<const std::string_view> fields) {
  for (std::string_view f : fields) Field(f);
  return EndRow();
}

CsvWriter& CsvWriter::EndRow() {
  buffer_.push_back('\n');
  row_started_ = false;
  FlushIfFull();
  return *this;
}

Status CsvWriter::Close() {
  if (file_ == nullptr) return Status::Ok();
  if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
    failed_ = true;
  }
  buffer_.clear();
  bool ok = !failed_ && std::ferror(file_) == 0;
  if (file_ == stdout) {
    ok = std::fflush(file_) == 0 && ok;
  } else {
    ok = std::fclose(file_) == 0 && ok;
  }
  file_ = nullptr;
  if (!ok) {
    return UnavailableError(path_ == "-" ? std::string("error writing standard output")
                                         : "error writing " + path_);
  }
  return Status::Ok();
}

}  // namespace winback
