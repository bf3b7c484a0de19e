#pragma once

#include <any>
#include <map>
#include <string>
#include <typeindex>
#include <typeinfo>

#include "core/check.h"

namespace winback::config {

class Registry;

// The settings of one winback.toml, loaded once per command: for each settings struct that a
// stage registered (Registry::Add), its value, holding the defaults where the file is silent.
// Plain data: copy it, share it read-only between threads.
class Config {
 public:
  // The file that was read; empty when the defaults are used (no file).
  const std::string& path() const { return path_; }

  // The settings of type T. T must have been registered with the Registry that loaded this
  // Config (a programmer error otherwise: aborts).
  template <typename T>
  const T& Get() const {
    auto it = values_.find(std::type_index(typeid(T)));
    WINBACK_CHECK(it != values_.end());
    return *std::any_cast<T>(&it->second);
  }

 private:
  friend class Registry;
  std::string path_;
  std::map<std::type_index, std::any> values_;
};

}  // namespace winback::config
