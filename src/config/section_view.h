#pragma once

#include <string>
#include <string_view>

#include "config/value.h"
#include "core/status.h"

namespace winback::config {

// What a section's parse function sees: the section's table of winback.toml, already checked
// against the section's Keys (every member known, of its type and in its range), and the file
// it came from, to name in errors. Valid only during the parse call.
class SectionView {
 public:
  SectionView(std::string_view file, std::string_view name, const Value& table)
      : file_(file), name_(name), table_(&table) {}

  // The config file as the user named it ("winback.toml", "conf/shop.toml").
  std::string_view file() const { return file_; }
  // The section's name, without brackets: "inactivity".
  std::string_view name() const { return name_; }
  const Value& table() const { return *table_; }

  // The member `key` of the section, or nullptr when the file does not set it.
  const Value* Find(std::string_view key) const { return table_->Find(key); }

  // InvalidArgument "FILE:LINE: NAME.KEY: WHAT" with LINE the line of `at`; an empty `key`
  // gives "FILE:LINE: NAME: WHAT". For rules that span keys (the parse function's own checks):
  // "winback.toml:12: lifecycle: need at_risk_days <= inactive_days".
  Status Error(const Value& at, std::string_view key, std::string_view what) const;

  // InvalidArgument "FILE:LINE: MESSAGE", for a message that already names its key.
  Status ErrorAt(const Value& at, std::string_view message) const;

 private:
  std::string_view file_;
  std::string_view name_;
  const Value* table_;
};

}  // namespace winback::config
