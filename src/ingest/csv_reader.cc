#include "ingest/csv_reader.h"

#include <cstring>

namespace winback::ingest {

CsvReader::CsvReader(std::string_view data) : data_(data) {
  if (data_.size() >= 3 && data_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

Status CsvReader::SkipToLineEnd(std::string message) {
  // Resynchronise on the next line end outside quotes; good enough to keep reporting errors
  // on the following records.
  const std::size_t nl = data_.find('\n', pos_);
  raw_ = data_.substr(record_start_,
                      (nl == std::string_view::npos ? data_.size() : nl) - record_start_);
  if (nl == std::string_view::npos) {
    pos_ = data_.size();
  } else {
    pos_ = nl + 1;
    ++next_line_;
  }
  return InvalidArgumentError(std::move(message));
}

Result<bool> CsvReader::Next() {
  fields_.clear();
  pending_.clear();
  scratch_.clear();
  const char* const base = data_.data();
  const std::size_t n = data_.size();
  // Skip empty lines.
  while (pos_ < n && (base[pos_] == '\n' || base[pos_] == '\r')) {
    if (base[pos_] == '\n') ++next_line_;
    ++pos_;
  }
  if (pos_ >= n) return false;
  line_ = next_line_;
  const std::size_t record_start = pos_;
  record_start_ = pos_;
  raw_ = std::string_view(base + record_start, std::size_t{0});
  while (true) {
    const std::size_t field_index = fields_.size();
    if (pos_ < n && base[pos_] == '"') {
      // Quoted field.
      ++pos_;
      std::size_t start = pos_;
      bool unescaped = false;
      std::size_t scratch_start = scratch_.size();
      while (true) {
        const void* q = std::memchr(base + pos_, '"', n - pos_);
        const std::size_t qpos =
            q ? static_cast<std::size_t>(static_cast<const char*>(q) - base) : n;
        for (std::size_t i = pos_; i < qpos; ++i) {
          if (base[i] == '\n') ++next_line_;
        }
        if (qpos >= n) {
          error_field_ = field_index;
          pos_ = n;
          raw_ = std::string_view(base + record_start, n - record_start);
          return InvalidArgumentError("unterminated quoted field");
        }
        if (qpos + 1 < n && base[qpos + 1] == '"') {
          // Escaped quote: copy what we have plus one quote into scratch.
          if (!unescaped) {
            unescaped = true;
            scratch_start = scratch_.size();
          }
          scratch_.append(base + start, qpos + 1 - start);
          pos_ = qpos + 2;
          start = pos_;
          continue;
        }
        // Closing quote.
        if (unescaped) {
          scratch_.append(base + start, qpos - start);
          pending_.push_back({field_index, scratch_start, scratch_.size() - scratch_start});
          fields_.emplace_back();
        } else {
          fields_.emplace_back(base + start, qpos - start);
        }
        pos_ = qpos + 1;
        break;
      }
      if (pos_ < n && base[pos_] != ',' && base[pos_] != '\n' && base[pos_] != '\r') {
        error_field_ = field_index;
        raw_ = std::string_view(base + record_start, pos_ - record_start);
        return SkipToLineEnd("characters after a closing quote");
      }
    } else {
      // Unquoted field: up to the next comma or line end.
      const std::size_t start = pos_;
      while (pos_ < n) {
        const char c = base[pos_];
        if (c == ',' || c == '\n' || c == '\r') break;
        if (c == '"') {
          error_field_ = field_index;
          raw_ = std::string_view(base + record_start, pos_ - record_start);
          return SkipToLineEnd("quote inside an unquoted field");
        }
        ++pos_;
      }
      fields_.emplace_back(base + start, pos_ - start);
    }
    if (pos_ >= n) break;
    if (base[pos_] == ',') {
      ++pos_;
      if (pos_ >= n) {  // Trailing comma at end of input: one more empty field.
        fields_.emplace_back();
        break;
      }
      continue;
    }
    // Line end: \n or \r\n (a lone \r is taken as a line end too).
    raw_ = std::string_view(base + record_start, pos_ - record_start);
    if (base[pos_] == '\r') ++pos_;
    if (pos_ < n && base[pos_] == '\n') ++pos_;
    ++next_line_;
    for (const Pending& p : pending_) {
      fields_[p.field] = std::string_view(scratch_.data() + p.offset, p.length);
    }
    return true;
  }
  raw_ = std::string_view(base + record_start, pos_ - record_start);
  for (const Pending& p : pending_) {
    fields_[p.field] = std::string_view(scratch_.data() + p.offset, p.length);
  }
  return true;
}

}  // namespace winback::ingest
