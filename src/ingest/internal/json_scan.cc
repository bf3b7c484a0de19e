#include "ingest/internal/json_scan.h"

#include <array>

namespace winback::ingest::internal {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The four hex digits at text[pos..pos+4) as a UTF-16 code unit, or -1.
int Hex4(std::string_view text, std::size_t pos) {
  if (pos + 4 > text.size()) return -1;
  int v = 0;
  for (std::size_t i = pos; i < pos + 4; ++i) {
    const int h = HexValue(text[i]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Appends the decoded form of a string's raw contents that ScanString accepted.
void DecodeString(std::string_view raw, std::string& out) {
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    const char e = raw[++i];
    switch (e) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        auto cp = static_cast<char32_t>(Hex4(raw, i + 1));
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          const auto low = static_cast<char32_t>(Hex4(raw, i + 3));
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        }
        AppendUtf8(out, cp);
        break;
      }
      default:  // '"', '\\', '/'.
        out += e;
        break;
    }
  }
}

// A cursor over JSON text. Each Scan* starts at pos_ on the first character of its token and
// leaves pos_ after it; on failure it returns false with message_ set.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  std::size_t pos() const { return pos_; }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void Advance() { ++pos_; }
  const std::string& message() const { return message_; }

  void SkipSpace() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
  }

  bool Fail(std::string_view what) {
    message_ = "not valid JSON (";
    message_ += what;
    message_ += " at byte ";
    message_ += std::to_string(pos_ + 1);
    message_ += ")";
    return false;
  }

  bool Expect(char c) {
    if (Peek() != c) return Fail(std::string("expected '") + c + "'");
    ++pos_;
    return true;
  }

  // A string: `raw` is what lies between the quotes, `escaped` whether it holds escapes.
  bool ScanString(std::string_view& raw, bool& escaped) {
    if (!Expect('"')) return false;
    const std::size_t start = pos_;
    escaped = false;
    const std::size_t n = text_.size();
    while (true) {
      if (pos_ >= n) return Fail("unterminated string");
      const char c = text_[pos_];
      if (c == '"') break;
      if (static_cast<unsigned char>(c) < 0x20) return Fail("control character in a string");
      if (c != '\\') {
        ++pos_;
        continue;
      }
      escaped = true;
      const char e = pos_ + 1 < n ? text_[pos_ + 1] : '\0';
      if (e == 'u') {
        const int u = Hex4(text_, pos_ + 2);
        if (u < 0) return Fail("bad \\u escape");
        if (u >= 0xDC00 && u <= 0xDFFF) return Fail("lone low surrogate in a \\u escape");
        if (u >= 0xD800 && u <= 0xDBFF) {
          const int low = pos_ + 7 < n && text_[pos_ + 6] == '\\' && text_[pos_ + 7] == 'u'
                              ? Hex4(text_, pos_ + 8)
                              : -1;
          if (low < 0xDC00 || low > 0xDFFF) return Fail("lone high surrogate in a \\u escape");
          pos_ += 6;
        }
        pos_ += 6;
      } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                 e == 'r' || e == 't') {
        pos_ += 2;
      } else {
        return Fail("bad escape in a string");
      }
    }
    raw = text_.substr(start, pos_ - start);
    ++pos_;
    return true;
  }

  // A number in JSON's grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool ScanNumber(std::string_view& lexeme) {
    const std::size_t start = pos_;
    if (Peek() == '-') ++pos_;
    if (Peek() == '0') {
      ++pos_;
    } else if (IsDigit(Peek())) {
      while (IsDigit(Peek())) ++pos_;
    } else {
      return Fail("bad number");
    }
    if (Peek() == '.') {
      ++pos_;
      if (!IsDigit(Peek())) return Fail("bad number");
      while (IsDigit(Peek())) ++pos_;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++pos_;
      if (Peek() == '+' || Peek() == '-') ++pos_;
      if (!IsDigit(Peek())) return Fail("bad number");
      while (IsDigit(Peek())) ++pos_;
    }
    lexeme = text_.substr(start, pos_ - start);
    return true;
  }

  // An object or array, to its matching bracket, without recursion.
  bool ScanNested(std::string_view& raw) {
    const std::size_t start = pos_;
    std::array<char, kMaxJsonDepth> closers{};
    std::size_t depth = 0;
    const std::size_t n = text_.size();
    while (pos_ < n) {
      const char c = text_[pos_];
      if (c == '"') {
        std::string_view s;
        bool escaped = false;
        if (!ScanString(s, escaped)) return false;
        continue;
      }
      if (c == '{' || c == '[') {
        if (depth == closers.size()) {
          message_ = "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
          return false;
        }
        closers[depth++] = c == '{' ? '}' : ']';
      } else if (c == '}' || c == ']') {
        if (depth == 0 || closers[depth - 1] != c)
          return Fail(std::string("unexpected '") + c + "'");
        if (--depth == 0) {
          ++pos_;
          raw = text_.substr(start, pos_ - start);
          return true;
        }
      }
      ++pos_;
    }
    return Fail("unterminated object or array");
  }

  bool ScanLiteral(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return Fail("unexpected character");
    pos_ += word.size();
    return true;
  }

  // Any value; strings are left undecoded (`escaped` says whether they need decoding).
  bool ScanValue(JsonValue& v, bool& escaped) {
    escaped = false;
    switch (Peek()) {
      case '"':
        v.kind = JsonKind::kString;
        return ScanString(v.text, escaped);
      case '{':
      case '[':
        v.kind = Peek() == '{' ? JsonKind::kObject : JsonKind::kArray;
        return ScanNested(v.text);
      case 't':
        v.kind = JsonKind::kTrue;
        v.text = "true";
        return ScanLiteral("true");
      case 'f':
        v.kind = JsonKind::kFalse;
        v.text = "false";
        return ScanLiteral("false");
      case 'n':
        v.kind = JsonKind::kNull;
        v.text = "null";
        return ScanLiteral("null");
      default:
        if (AtEnd()) return Fail("unexpected end");
        if (Peek() != '-' && !IsDigit(Peek())) return Fail("unexpected character");
        v.kind = JsonKind::kNumber;
        return ScanNumber(v.text);
    }
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::string message_;
};

}  // namespace

std::string_view JsonKindName(JsonKind kind) {
  switch (kind) {
    case JsonKind::kString:
      return "a string";
    case JsonKind::kNumber:
      return "a number";
    case JsonKind::kTrue:
      return "true";
    case JsonKind::kFalse:
      return "false";
    case JsonKind::kNull:
      return "null";
    case JsonKind::kObject:
      return "an object";
    case JsonKind::kArray:
      return "an array";
  }
  return "?";
}

Status JsonObjectParser::Parse(std::string_view text) {
  members_.clear();
  scratch_.clear();
  // Decoded strings are never longer than the text, so views into scratch_ stay valid.
  scratch_.reserve(text.size());
  error_field_ = "row";
  Scanner s(text);
  s.SkipSpace();
  if (s.Peek() != '{') {
    if (s.AtEnd()) return InvalidArgumentError("not valid JSON (empty)");
    if (s.Peek() == '[' || s.Peek() == '"' || s.Peek() == '-' || IsDigit(s.Peek()) ||
        s.Peek() == 't' || s.Peek() == 'f' || s.Peek() == 'n') {
      return InvalidArgumentError("expected a JSON object");
    }
    s.Fail("expected '{'");
    return InvalidArgumentError(s.message());
  }
  s.Advance();
  s.SkipSpace();
  if (s.Peek() == '}') {
    s.Advance();
  } else {
    while (true) {
      s.SkipSpace();
      JsonMember m;
      std::string_view raw_key;
      bool escaped = false;
      if (!s.ScanString(raw_key, escaped)) return InvalidArgumentError(s.message());
      m.key = raw_key;
      if (escaped) {
        const std::size_t at = scratch_.size();
        DecodeString(raw_key, scratch_);
        m.key = std::string_view(scratch_).substr(at);
      }
      s.SkipSpace();
      if (!s.Expect(':')) return InvalidArgumentError(s.message());
      s.SkipSpace();
      if (!s.ScanValue(m.value, escaped)) {
        error_field_ = m.key;
        return InvalidArgumentError(s.message());
      }
      if (escaped) {
        const std::size_t at = scratch_.size();
        DecodeString(m.value.text, scratch_);
        m.value.text = std::string_view(scratch_).substr(at);
      }
      for (const JsonMember& other : members_) {
        if (other.key == m.key) {
          error_field_ = m.key;
          return InvalidArgumentError("the key appears twice in the object");
        }
      }
      members_.push_back(m);
      s.SkipSpace();
      if (s.Peek() == ',') {
        s.Advance();
        continue;
      }
      if (!s.Expect('}')) return InvalidArgumentError(s.message());
      break;
    }
  }
  s.SkipSpace();
  if (!s.AtEnd()) {
    s.Fail("characters after the object");
    return InvalidArgumentError(s.message());
  }
  return Status::Ok();
}

Result<std::vector<JsonValue>> SplitJsonArray(std::string_view text) {
  std::vector<JsonValue> out;
  Scanner s(text);
  s.SkipSpace();
  if (s.Peek() != '[') return InvalidArgumentError("expected a JSON array");
  s.Advance();
  s.SkipSpace();
  if (s.Peek() == ']') {
    s.Advance();
  } else {
    while (true) {
      s.SkipSpace();
      JsonValue v;
      bool escaped = false;
      if (!s.ScanValue(v, escaped)) return InvalidArgumentError(s.message());
      out.push_back(v);
      s.SkipSpace();
      if (s.Peek() == ',') {
        s.Advance();
        continue;
      }
      if (!s.Expect(']')) return InvalidArgumentError(s.message());
      break;
    }
  }
  s.SkipSpace();
  if (!s.AtEnd()) {
    s.Fail("characters after the array");
    return InvalidArgumentError(s.message());
  }
  return out;
}

Status CheckJsonLimits(std::string_view text) {
  if (text.size() > kMaxJsonBytes) {
    return InvalidArgumentError(std::to_string(text.size()) +
                                " bytes of JSON, more than the limit of " +
                                std::to_string(kMaxJsonBytes));
  }
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) {
        return InvalidArgumentError("nested deeper than " + std::to_string(kMaxJsonDepth) +
                                    " levels");
      }
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return Status::Ok();
}

}  // namespace winback::ingest::internal
