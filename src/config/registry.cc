#include "config/registry.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/closest_name.h"
#include "config/internal/toml_document.h"

namespace winback::config {

void Registry::AddErased(std::string name, std::vector<Key> keys, std::type_index type,
                         std::function<std::any()> make_default, ErasedParse parse) {
  for (const Section& s : sections_) WINBACK_CHECK(s.name != name);
  defaults_.emplace(type, std::move(make_default));
  sections_.push_back(Section{std::move(name), std::move(keys), type, std::move(parse)});
}

std::vector<std::string> Registry::SectionNames() const {
  std::vector<std::string> names;
  for (const Section& s : sections_) names.push_back(s.name);
  return names;
}

Config Registry::Defaults() const {
  Config config;
  for (const auto& [type, make] : defaults_) config.values_.emplace(type, make());
  return config;
}

Status Registry::UnknownTopLevel(const Value::Member& member, const std::string& file) const {
  const std::vector<std::string> names = SectionNames();
  std::string known;
  for (const std::string& n : names) known += (known.empty() ? "[" : ", [") + n + "]";
  if (member.value.is_table() || member.value.is_array()) {
    std::string message = "[" + member.key + "]: unknown section";
    if (std::optional<std::string> near = ClosestName(member.key, names)) {
      message += "; did you mean [" + *near + "]?";
    } else {
      message += "; the sections are " + known;
    }
    return LineError(file, member.line, message);
  }
  // A plain key above the first [section]: say which section has a key of that name.
  std::string message = member.key + ": a key outside any section";
  std::string where;
  for (const Section& s : sections_) {
    for (const Key& k : s.keys) {
      if (k.name == member.key && where.empty()) where = "[" + s.name + "] " + k.name;
    }
  }
  if (where.empty()) {
    for (const Section& s : sections_) {
      std::vector<std::string> keys;
      for (const Key& k : s.keys) keys.push_back(k.name);
      if (std::optional<std::string> near = ClosestName(member.key, keys); near && where.empty()) {
        where = "[" + s.name + "] " + *near;
      }
    }
  }
  if (!where.empty()) {
    message += "; did you mean " + where + "?";
  } else {
    message += "; keys go in one of the sections " + known;
  }
  return LineError(file, member.line, message);
}

Result<Config> Registry::Parse(std::string_view text, const std::string& file) const {
  WINBACK_ASSIGN_OR_RETURN(Value root, internal::ParseToml(text, file));
  Config config = Defaults();
  config.path_ = file;
  for (const Value::Member& member : root.AsTable()) {
    const Section* section = nullptr;
    for (const Section& s : sections_) {
      if (s.name == member.key) section = &s;
    }
    if (section == nullptr) return UnknownTopLevel(member, file);
    if (section->array) {
      if (!member.value.is_array()) {
        return LineError(file, member.line,
                         member.key + ": expected an array of tables [[" + member.key + "]], got " +
                             std::string(ValueTypeName(member.value.type())));
      }
      int index = 0;
      for (const Value& element : member.value.AsArray()) {
        const std::string path = member.key + "[" + std::to_string(++index) + "]";
        if (!element.is_table()) {
          return LineError(
              file, element.line(),
              path + ": expected a table, got " + std::string(ValueTypeName(element.type())));
        }
        WINBACK_RETURN_IF_ERROR(CheckTable(section->keys, element, file, path));
        WINBACK_RETURN_IF_ERROR(
            section->parse(SectionView(file, path, element), config.values_.at(section->type)));
      }
      continue;
    }
    if (!member.value.is_table()) {
      return LineError(file, member.line,
                       member.key + ": expected a table [" + member.key + "], got " +
                           std::string(ValueTypeName(member.value.type())));
    }
    WINBACK_RETURN_IF_ERROR(CheckTable(section->keys, member.value, file, member.key));
    WINBACK_RETURN_IF_ERROR(section->parse(SectionView(file, member.key, member.value),
                                           config.values_.at(section->type)));
  }
  return config;
}

Result<Config> Registry::Load(const std::string& path, IfMissing if_missing) const {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) {
    if (ec && ec != std::errc::no_such_file_or_directory) {
      return FailedPreconditionError("cannot read config file '" + path + "': " + ec.message());
    }
    if (if_missing == IfMissing::kUseDefaults) return Defaults();
    return NotFoundError("config file '" + path + "' does not exist");
  }
  if (std::filesystem::is_directory(status)) {
    return InvalidArgumentError("config file '" + path +
                                "' is a directory; name the TOML file itself (e.g. " +
                                (std::filesystem::path(path) / "winback.toml").string() + ")");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();  // An empty file sets failbit on `text`, not on `in`.
  if (!in || in.bad()) {
    return FailedPreconditionError("cannot read config file '" + path +
                                   "': " + std::strerror(errno));
  }
  return Parse(text.str(), path);
}

}  // namespace winback::config
