#include "config/section_view.h"

#include "config/key.h"

namespace winback::config {

Status SectionView::Error(const Value& at, std::string_view key, std::string_view what) const {
  std::string path(name_);
  if (!key.empty()) path += "." + std::string(key);
  return LineError(file_, at.line(), path + ": " + std::string(what));
}

Status SectionView::ErrorAt(const Value& at, std::string_view message) const {
  return LineError(file_, at.line(), message);
}

}  // namespace winback::config
