#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/value.h"
#include "core/status.h"

namespace winback::config {

// The types of setting a section can declare.
enum class KeyType : std::uint8_t {
  kBoolean,       // true or false
  kInteger,       // an integer in [int_min, int_max]
  kNumber,        // an integer or a float in [min, max], finite
  kString,        // any string, or one of `choices` when they are given
  kIntegerRange,  // n, or [lo, hi], with int_min <= lo <= hi <= int_max (n counts as [n, n])
  kTable,         // a table whose keys are `fields`
  kTableArray,    // an array of tables ([[section.key]]), each with the keys `fields`
  kStringList,    // an array of strings, each one of `choices` when they are given
};

// Whether a key must be written. Only keys inside tables and arrays of tables can be required:
// every section key has a default.
enum class Presence : std::uint8_t { kOptional, kRequired };

// One key that a section, or a table inside it, knows: its name, type and allowed values. The
// loader checks every value of the file against its Key before a section's parse function
// runs, so a parse function reads values of the declared type and range only. Make Keys with
// the functions below.
struct Key {
  std::string name;
  KeyType type = KeyType::kString;
  Presence presence = Presence::kOptional;
  std::int64_t int_min = 0;  // kInteger, kIntegerRange
  std::int64_t int_max = 0;
  double min = 0;  // kNumber
  double max = 0;
  std::vector<std::string> choices;  // kString: the only allowed values; empty: any string
  std::vector<Key> fields;           // kTable, kTableArray: the keys of each table
};

Key Boolean(std::string name);
Key Integer(std::string name, std::int64_t min, std::int64_t max);
Key Number(std::string name, double min, double max);
Key String(std::string name);
Key OneOf(std::string name, std::vector<std::string> choices);
Key IntegerRange(std::string name, std::int64_t min, std::int64_t max);
Key Table(std::string name, std::vector<Key> fields);
Key TableArray(std::string name, std::vector<Key> fields);
// ["a", "b"]; with choices, each element must be one of them.
Key StringList(std::string name, std::vector<std::string> choices = {});
// `key`, which must now be written (inside a Table or TableArray).
Key Required(Key key);

// InvalidArgument "FILE:LINE: MESSAGE", the form of every config error.
Status LineError(std::string_view file, int line, std::string_view message);

// Checks the members of `table` against `keys`: every member is known, has its key's type and
// range, and (recursively) so do the members of its tables; every required key is present.
// `path` is the table's name in messages ("lifecycle", "inactivity.rule[2]"). The first
// problem in file order is InvalidArgument "FILE:LINE: PATH.KEY: WHAT", an unknown key with
// the closest known name suggested: "winback.toml:3: lifecycle.new_dayz: unknown key; did you
// mean new_days?".
Status CheckTable(std::span<const Key> keys, const Value& table, std::string_view file,
                  std::string_view path);

// Checks one value against its key; `path` is the key's full name in messages.
Status CheckValue(const Key& key, const Value& value, std::string_view file, std::string_view path);

// A float as written in messages: shortest round-trip form ("0.5", "1000000").
std::string FormatNumber(double x);

}  // namespace winback::config
