#pragma once

#include <any>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <typeindex>
#include <typeinfo>
#include <utility>
#include <vector>

#include "config/config.h"
#include "config/key.h"
#include "config/section_view.h"
#include "core/check.h"
#include "core/status.h"

namespace winback::config {

// What Load does when the file does not exist.
enum class IfMissing : std::uint8_t {
  kUseDefaults,  // The default ./winback.toml: no file means every default.
  kNotFound,     // A file the user named: no file is NotFound.
};

// The list of sections winback.toml may hold and the loader that checks a file against it.
// Each stage registers its own sections (analytics::AddConfigSections, ...), so a new stage
// (campaigns, channels, policy, server) adds its settings without touching the loader. Every
// command builds the full list (cli::ConfigSections) and loads the file once, so a misspelled
// section or key anywhere is an error for every command, not only for the one that reads it.
// Not thread-safe while being filled; Load may be called from several threads afterwards.
class Registry {
 public:
  // Reads section [name]: when the file has it, the loader checks its table against `keys`
  // and then calls `parse` with the T of the Config being loaded. One T per type, default-
  // constructed first (its defaults), is shared by all the sections that name it, which are
  // parsed in file order. `parse` returns InvalidArgument for rules its Keys cannot state
  // (SectionView::Error). Adding a name twice is a programmer error.
  template <typename T>
  void Add(std::string name, std::vector<Key> keys,
           std::function<Status(const SectionView&, T&)> parse) {
    std::function<std::any()> make_default = [] { return std::any(T{}); };
    ErasedParse erased = [parse = std::move(parse)](const SectionView& section, std::any& out) {
      return parse(section, *std::any_cast<T>(&out));
    };
    AddErased(std::move(name), std::move(keys), std::type_index(typeid(T)), std::move(make_default),
              std::move(erased));
  }

  // Reads [[name]], an array of tables (one per campaign, say): the loader checks each table
  // against `keys` ("NAME[I]" in messages, I from 1) and then calls `parse` once per table, in
  // file order, with the one T of the Config being loaded. A single [name] table is an error
  // that says to write [[name]].
  template <typename T>
  void AddArray(std::string name, std::vector<Key> keys,
                std::function<Status(const SectionView&, T&)> parse) {
    Add<T>(std::move(name), std::move(keys), std::move(parse));
    sections_.back().array = true;
  }

  // The registered section names, in the order added.
  std::vector<std::string> SectionNames() const;

  // Every registered settings struct with its defaults, as when there is no file.
  Config Defaults() const;

  // Reads the file `path` and checks all of it: a syntax error, a section nobody registered,
  // an unknown key, a value of the wrong type or out of range, or a parse function's error is
  // InvalidArgument "PATH:LINE: NAME: WHAT", an unknown name with the closest known one
  // suggested: "winback.toml:7: [inactivty]: unknown section; did you mean [inactivity]?".
  // A missing file gives Defaults() or NotFound, as `if_missing` says; a directory, or a file
  // that cannot be read, is FailedPrecondition naming it.
  Result<Config> Load(const std::string& path, IfMissing if_missing) const;

  // The same for text already in memory; `file` names it in messages.
  Result<Config> Parse(std::string_view text, const std::string& file) const;

 private:
  using ErasedParse = std::function<Status(const SectionView&, std::any&)>;
  struct Section {
    std::string name;
    std::vector<Key> keys;
    std::type_index type;
    ErasedParse parse;
    bool array = false;  // [[name]]: an array of tables.
  };
  void AddErased(std::string name, std::vector<Key> keys, std::type_index type,
                 std::function<std::any()> make_default, ErasedParse parse);
  Status UnknownTopLevel(const Value::Member& member, const std::string& file) const;

  std::vector<Section> sections_;
  std::map<std::type_index, std::function<std::any()>> defaults_;
};

}  // namespace winback::config
