#include "config/internal/toml_document.h"

#include <toml++/toml.h>

#include <sstream>

#include "config/key.h"

namespace winback::config::internal {
namespace {

int Line(const toml::source_region& source) { return static_cast<int>(source.begin.line); }

// `fallback_line` stands in for tables toml++ made implicitly ([a.b] without [a]), which have
// no line of their own.
Value Convert(const toml::node& node, int fallback_line) {
  const int line = Line(node.source()) > 0 ? Line(node.source()) : fallback_line;
  switch (node.type()) {
    case toml::node_type::table: {
      Value::Table members;
      for (auto&& [key, child] : *node.as_table()) {
        const int key_line = Line(key.source()) > 0 ? Line(key.source()) : line;
        members.push_back(
            Value::Member{std::string(key.str()), key_line, Convert(child, key_line)});
      }
      return Value::MakeTable(std::move(members), line);
    }
    case toml::node_type::array: {
      Value::Array elements;
      for (const toml::node& child : *node.as_array()) elements.push_back(Convert(child, line));
      return Value::MakeArray(std::move(elements), line);
    }
    case toml::node_type::string:
      return Value::String(node.as_string()->get(), line);
    case toml::node_type::integer:
      return Value::Integer(node.as_integer()->get(), line);
    case toml::node_type::floating_point:
      return Value::Float(node.as_floating_point()->get(), line);
    case toml::node_type::boolean:
      return Value::Boolean(node.as_boolean()->get(), line);
    default: {
      std::ostringstream text;
      node.visit([&text](const auto& n) { text << n; });
      return Value::DateTime(text.str(), line);
    }
  }
}

}  // namespace

Result<Value> ParseToml(std::string_view text, const std::string& file) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    return LineError(file, Line(e.source()), e.description());
  }
  return Convert(root, 1);
}

}  // namespace winback::config::internal
