#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace winback::ingest::internal {

// How deep a JSON value read from input may nest: `[]` is one level, `[{}]` two. Deeper input
// is an error, not a stack overflow in a recursive JSON library.
inline constexpr int kMaxJsonDepth = 64;
// The largest JSON value (order items, event properties) read from one field, in bytes.
inline constexpr std::size_t kMaxJsonBytes = std::size_t{1} << 20;

enum class JsonKind : std::uint8_t { kString, kNumber, kTrue, kFalse, kNull, kObject, kArray };

// "a string", "a number", "true", "false", "null", "an object", "an array".
std::string_view JsonKindName(JsonKind kind);

struct JsonValue {
  JsonKind kind = JsonKind::kNull;
  // kString: the decoded text. kNumber: the number exactly as written ("1e2", "12.50",
  // "18446744073709551617"), never through a double. kObject, kArray: the raw text, brackets
  // included, checked for nesting but not parsed. kTrue, kFalse, kNull: the literal.
  std::string_view text;
};

struct JsonMember {
  std::string_view key;  // Decoded.
  JsonValue value;
};

// Reads one JSON object, keeping each member's value as text. Nested objects and arrays are
// scanned without recursion (bounded by kMaxJsonDepth) but not parsed. Strict RFC 8259 apart
// from that: no trailing commas, no comments, strings without raw control characters, escapes
// decoded (\uXXXX with surrogate pairs), numbers in JSON's grammar. The input must be valid
// UTF-8 (checked by the caller). Not thread-safe; reused across rows so that it allocates only
// while its buffers grow.
class JsonObjectParser {
 public:
  // Parses `text`, which must hold one object and nothing else but whitespace. Errors are
  // InvalidArgument and name what is wrong: "not valid JSON (expected ':' at byte 12)",
  // "the key appears twice", "nested deeper than 64 levels"; error_field() is the member's key
  // when the error is about one member, else "row". On success, members() are the members in
  // input order, views into `text` and into this parser, valid until the next Parse().
  Status Parse(std::string_view text);

  const std::vector<JsonMember>& members() const { return members_; }
  const std::string& error_field() const { return error_field_; }

 private:
  Status ParseMember();
  Status ParseString(std::string_view& out);
  Status ParseValue(JsonValue& out);
  Status Fail(std::string message);

  std::string_view text_;
  std::size_t pos_ = 0;
  std::vector<JsonMember> members_;
  std::string scratch_;  // Decoded strings with escapes; reserved to the text's size.
  std::string error_field_;
};

// The elements of a JSON array (`text` holds the array and nothing else but whitespace), each
// as JsonObjectParser keeps a member's value. InvalidArgument as for JsonObjectParser::Parse.
// Strings with escapes are not decoded (their text is the raw text between the quotes).
Result<std::vector<JsonValue>> SplitJsonArray(std::string_view text);

// Checks that `text` is at most kMaxJsonBytes long and nests at most kMaxJsonDepth deep, before
// it goes to a recursive parser. Only brackets outside strings count; the JSON is not validated.
// InvalidArgument: "nested deeper than 64 levels", "1048577 bytes of JSON, more than the limit
// of 1048576".
Status CheckJsonLimits(std::string_view text);

}  // namespace winback::ingest::internal
