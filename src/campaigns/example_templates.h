#pragma once

#include <span>
#include <string_view>

namespace winback::campaigns {

struct EmbeddedFile {
  std::string_view name;   // "come_back.en.mustache"
  std::string_view bytes;  // The file's contents.
};

// The example message templates of examples/templates/, embedded at build time
// (cmake/embed_files.cmake): what `winback init` and `winback demo` write into templates/.
std::span<const EmbeddedFile> ExampleTemplates();

}  // namespace winback::campaigns
