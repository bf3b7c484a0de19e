#include "config/value.h"

#include "core/check.h"

namespace winback::config {

std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kBoolean:
      return "a boolean";
    case ValueType::kInteger:
      return "an integer";
    case ValueType::kFloat:
      return "a number";
    case ValueType::kString:
      return "a string";
    case ValueType::kDateTime:
      return "a date or time";
    case ValueType::kArray:
      return "an array";
    case ValueType::kTable:
      return "a table";
  }
  return "a value";
}

Value::Value() : Value(ValueType::kTable, 0) {}
Value::Value(ValueType type, int line) : type_(type), line_(line) {
  if (type == ValueType::kTable) data_ = Table{};
}
Value::Value(const Value&) = default;
Value::Value(Value&&) noexcept = default;
Value& Value::operator=(const Value&) = default;
Value& Value::operator=(Value&&) noexcept = default;
Value::~Value() = default;

Value Value::Boolean(bool b, int line) {
  Value v(ValueType::kBoolean, line);
  v.data_ = b;
  return v;
}

Value Value::Integer(std::int64_t i, int line) {
  Value v(ValueType::kInteger, line);
  v.data_ = i;
  return v;
}

Value Value::Float(double d, int line) {
  Value v(ValueType::kFloat, line);
  v.data_ = d;
  return v;
}

Value Value::String(std::string s, int line) {
  Value v(ValueType::kString, line);
  v.data_ = std::move(s);
  return v;
}

Value Value::DateTime(std::string text, int line) {
  Value v(ValueType::kDateTime, line);
  v.data_ = std::move(text);
  return v;
}

Value Value::MakeArray(Array elements, int line) {
  Value v(ValueType::kArray, line);
  v.data_ = std::move(elements);
  return v;
}

Value Value::MakeTable(Table members, int line) {
  Value v(ValueType::kTable, line);
  v.data_ = std::move(members);
  return v;
}

bool Value::AsBoolean() const {
  WINBACK_CHECK(type_ == ValueType::kBoolean);
  return std::get<bool>(data_);
}

std::int64_t Value::AsInteger() const {
  WINBACK_CHECK(type_ == ValueType::kInteger);
  return std::get<std::int64_t>(data_);
}

double Value::AsNumber() const {
  if (type_ == ValueType::kInteger) return static_cast<double>(std::get<std::int64_t>(data_));
  WINBACK_CHECK(type_ == ValueType::kFloat);
  return std::get<double>(data_);
}

const std::string& Value::AsString() const {
  WINBACK_CHECK(type_ == ValueType::kString || type_ == ValueType::kDateTime);
  return std::get<std::string>(data_);
}

const Value::Array& Value::AsArray() const {
  WINBACK_CHECK(type_ == ValueType::kArray);
  return std::get<Array>(data_);
}

const Value::Table& Value::AsTable() const {
  WINBACK_CHECK(type_ == ValueType::kTable);
  return std::get<Table>(data_);
}

const Value* Value::Find(std::string_view key) const {
  for (const Member& m : AsTable()) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

std::pair<std::int64_t, std::int64_t> Value::AsIntegerRange() const {
  if (type_ == ValueType::kInteger) return {AsInteger(), AsInteger()};
  const Array& a = AsArray();
  WINBACK_CHECK(a.size() == 2);
  return {a[0].AsInteger(), a[1].AsInteger()};
}

}  // namespace winback::config
