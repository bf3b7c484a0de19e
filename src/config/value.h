#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace winback::config {

// The kinds of value a TOML file holds. Dates and times are kept as their text: no section
// reads them today, so they exist only to be reported as the wrong type.
enum class ValueType : std::uint8_t {
  kBoolean,
  kInteger,
  kFloat,
  kString,
  kDateTime,
  kArray,
  kTable,
};

// "a boolean", "an integer", "a number", "a string", "a date or time", "an array", "a table".
std::string_view ValueTypeName(ValueType type);

// One value of winback.toml with the line it was written on: a neutral tree, so that the
// sections of every stage read their settings without seeing the TOML library. Plain data:
// copyable, and immutable once built by the parser (config/internal/toml_document.h). The
// accessors As*() are for values whose type the section's Key already checked; asking for
// another type is a programmer error and aborts.
class Value {
 public:
  struct Member;                      // A key of a table with its value.
  using Array = std::vector<Value>;   // Elements in file order.
  using Table = std::vector<Member>;  // Members in file order; keys are unique.

  static Value Boolean(bool b, int line);
  static Value Integer(std::int64_t i, int line);
  static Value Float(double d, int line);
  static Value String(std::string s, int line);
  static Value DateTime(std::string text, int line);
  static Value MakeArray(Array elements, int line);
  static Value MakeTable(Table members, int line);

  Value();  // An empty table on line 0.
  Value(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(const Value&);
  Value& operator=(Value&&) noexcept;
  ~Value();

  ValueType type() const { return type_; }
  bool is_table() const { return type_ == ValueType::kTable; }
  bool is_array() const { return type_ == ValueType::kArray; }
  // The 1-based line of the file the value starts on (a table: its [header]); 0 when unknown.
  int line() const { return line_; }

  bool AsBoolean() const;
  std::int64_t AsInteger() const;
  double AsNumber() const;              // An integer or a float.
  const std::string& AsString() const;  // A string, or a date or time as written.
  const Array& AsArray() const;
  const Table& AsTable() const;

  // The member `key` of a table, or nullptr when absent.
  const Value* Find(std::string_view key) const;

  // The integer range of a Key made with IntegerRange: n gives (n, n), [lo, hi] gives (lo, hi).
  std::pair<std::int64_t, std::int64_t> AsIntegerRange() const;

 private:
  Value(ValueType type, int line);

  ValueType type_;
  int line_;
  std::variant<bool, std::int64_t, double, std::string, Array, Table> data_;
};

struct Value::Member {
  std::string key;
  int line = 0;  // The line of the key.
  Value value;
};

}  // namespace winback::config
