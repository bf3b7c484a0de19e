#include "config/key.h"

#include <charconv>
#include <cmath>

#include "config/closest_name.h"

namespace winback::config {
namespace {

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string Got(const Value& value) {
  switch (value.type()) {
    case ValueType::kBoolean:
      return value.AsBoolean() ? "true" : "false";
    case ValueType::kInteger:
      return std::to_string(value.AsInteger());
    case ValueType::kFloat:
      return FormatNumber(value.AsNumber());
    case ValueType::kString:
      return value.AsString().size() <= 40 ? Quoted(value.AsString())
                                           : std::string(ValueTypeName(value.type()));
    default:
      return std::string(ValueTypeName(value.type()));
  }
}

Status ValueError(std::string_view file, const Value& value, std::string_view path,
                  std::string_view expected) {
  return LineError(
      file, value.line(),
      std::string(path) + ": expected " + std::string(expected) + ", got " + Got(value));
}

std::string Element(std::string_view path, std::size_t i) {
  return std::string(path) + "[" + std::to_string(i + 1) + "]";
}

std::string IntegerRangeText(const Key& key) {
  return std::to_string(key.int_min) + ".." + std::to_string(key.int_max);
}

Status CheckString(const Key& key, const Value& value, std::string_view file,
                   std::string_view path) {
  std::string expected = key.choices.empty() ? "a string" : "";
  for (std::size_t i = 0; i < key.choices.size(); ++i) {
    if (i > 0) expected += i + 1 == key.choices.size() ? " or " : ", ";
    expected += Quoted(key.choices[i]);
  }
  if (value.type() != ValueType::kString) return ValueError(file, value, path, expected);
  if (key.choices.empty()) return Status::Ok();
  const std::string& s = value.AsString();
  for (const std::string& c : key.choices) {
    if (s == c) return Status::Ok();
  }
  std::string message = std::string(path) + ": expected " + expected + ", got " + Got(value);
  if (std::optional<std::string> near = ClosestName(s, key.choices)) {
    message += "; did you mean " + Quoted(*near) + "?";
  }
  return LineError(file, value.line(), message);
}

Status CheckIntegerRange(const Key& key, const Value& value, std::string_view file,
                         std::string_view path) {
  const auto in_range = [&key](const Value& v) {
    return v.type() == ValueType::kInteger && v.AsInteger() >= key.int_min &&
           v.AsInteger() <= key.int_max;
  };
  if (in_range(value)) return Status::Ok();
  if (value.is_array() && value.AsArray().size() == 2 && in_range(value.AsArray()[0]) &&
      in_range(value.AsArray()[1]) &&
      value.AsArray()[0].AsInteger() <= value.AsArray()[1].AsInteger()) {
    return Status::Ok();
  }
  const std::string lo = std::to_string(key.int_min);
  const std::string hi = std::to_string(key.int_max);
  return ValueError(file, value, path,
                    "an integer in " + IntegerRangeText(key) + " or a range [lo, hi] with " + lo +
                        " <= lo <= hi <= " + hi);
}

Key MakeKey(std::string name, KeyType type) {
  Key key;
  key.name = std::move(name);
  key.type = type;
  return key;
}

}  // namespace

Key Boolean(std::string name) { return MakeKey(std::move(name), KeyType::kBoolean); }

Key Integer(std::string name, std::int64_t min, std::int64_t max) {
  Key key = MakeKey(std::move(name), KeyType::kInteger);
  key.int_min = min;
  key.int_max = max;
  return key;
}

Key Number(std::string name, double min, double max) {
  Key key = MakeKey(std::move(name), KeyType::kNumber);
  key.min = min;
  key.max = max;
  return key;
}

Key String(std::string name) { return MakeKey(std::move(name), KeyType::kString); }

Key OneOf(std::string name, std::vector<std::string> choices) {
  Key key = MakeKey(std::move(name), KeyType::kString);
  key.choices = std::move(choices);
  return key;
}

Key IntegerRange(std::string name, std::int64_t min, std::int64_t max) {
  Key key = MakeKey(std::move(name), KeyType::kIntegerRange);
  key.int_min = min;
  key.int_max = max;
  return key;
}

Key Table(std::string name, std::vector<Key> fields) {
  Key key = MakeKey(std::move(name), KeyType::kTable);
  key.fields = std::move(fields);
  return key;
}

Key TableArray(std::string name, std::vector<Key> fields) {
  Key key = MakeKey(std::move(name), KeyType::kTableArray);
  key.fields = std::move(fields);
  return key;
}

Key StringList(std::string name, std::vector<std::string> choices) {
  Key key = MakeKey(std::move(name), KeyType::kStringList);
  key.choices = std::move(choices);
  return key;
}

Key Required(Key key) {
  key.presence = Presence::kRequired;
  return key;
}

Status LineError(std::string_view file, int line, std::string_view message) {
  return InvalidArgumentError(std::string(file) + ":" + std::to_string(line) + ": " +
                              std::string(message));
}

std::string FormatNumber(double x) {
  char buf[64];
  // Fixed notation reads better for the magnitudes of settings; huge values stay short.
  const std::chars_format format =
      std::abs(x) < 1e15 ? std::chars_format::fixed : std::chars_format::general;
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x, format);
  if (ec != std::errc()) return "?";
  return std::string(buf, end);
}

Status CheckValue(const Key& key, const Value& value, std::string_view file,
                  std::string_view path) {
  switch (key.type) {
    case KeyType::kBoolean:
      if (value.type() != ValueType::kBoolean) {
        return ValueError(file, value, path, "true or false");
      }
      return Status::Ok();
    case KeyType::kInteger:
      if (value.type() != ValueType::kInteger || value.AsInteger() < key.int_min ||
          value.AsInteger() > key.int_max) {
        return ValueError(file, value, path, "an integer in " + IntegerRangeText(key));
      }
      return Status::Ok();
    case KeyType::kNumber: {
      const bool number = value.type() == ValueType::kInteger || value.type() == ValueType::kFloat;
      if (!number || !std::isfinite(value.AsNumber()) || value.AsNumber() < key.min ||
          value.AsNumber() > key.max) {
        return ValueError(
            file, value, path,
            "a number in [" + FormatNumber(key.min) + ", " + FormatNumber(key.max) + "]");
      }
      return Status::Ok();
    }
    case KeyType::kString:
      return CheckString(key, value, file, path);
    case KeyType::kIntegerRange:
      return CheckIntegerRange(key, value, file, path);
    case KeyType::kTable:
      if (!value.is_table()) return ValueError(file, value, path, "a table");
      return CheckTable(key.fields, value, file, path);
    case KeyType::kStringList: {
      if (!value.is_array()) return ValueError(file, value, path, "an array of strings");
      const Value::Array& elements = value.AsArray();
      Key element_key = key;
      element_key.type = KeyType::kString;
      for (std::size_t i = 0; i < elements.size(); ++i) {
        WINBACK_RETURN_IF_ERROR(CheckString(element_key, elements[i], file, Element(path, i)));
      }
      return Status::Ok();
    }
    case KeyType::kTableArray: {
      if (!value.is_array()) {
        return ValueError(file, value, path, "[[" + std::string(path) + "]] tables");
      }
      const Value::Array& elements = value.AsArray();
      for (std::size_t i = 0; i < elements.size(); ++i) {
        const std::string element = Element(path, i);
        if (!elements[i].is_table()) return ValueError(file, elements[i], element, "a table");
        WINBACK_RETURN_IF_ERROR(CheckTable(key.fields, elements[i], file, element));
      }
      return Status::Ok();
    }
  }
  return Status::Ok();
}

Status CheckTable(std::span<const Key> keys, const Value& table, std::string_view file,
                  std::string_view path) {
  const std::string prefix = path.empty() ? "" : std::string(path) + ".";
  for (const Value::Member& m : table.AsTable()) {
    const Key* key = nullptr;
    for (const Key& k : keys) {
      if (k.name == m.key) key = &k;
    }
    if (key == nullptr) {
      std::vector<std::string> names;
      for (const Key& k : keys) names.push_back(k.name);
      std::string message = prefix + m.key + ": unknown key";
      if (std::optional<std::string> near = ClosestName(m.key, names)) {
        message += "; did you mean " + *near + "?";
      } else if (names.empty()) {
        message += "; " + std::string(path) + " has no keys";
      } else {
        message += "; " + std::string(path) + " knows ";
        for (std::size_t i = 0; i < names.size(); ++i) message += (i ? ", " : "") + names[i];
      }
      return LineError(file, m.line, message);
    }
    WINBACK_RETURN_IF_ERROR(CheckValue(*key, m.value, file, prefix + m.key));
  }
  for (const Key& k : keys) {
    if (k.presence == Presence::kRequired && table.Find(k.name) == nullptr) {
      return LineError(file, table.line(), std::string(path) + ": missing key " + k.name);
    }
  }
  return Status::Ok();
}

}  // namespace winback::config
