#pragma once

#include <string>
#include <string_view>

namespace winback {

// Escapes text for HTML element content and quoted attribute values: & < > " ' become
// entities. Bytes are otherwise copied, so UTF-8 stays UTF-8. The one HTML escape of the
// project: the report, email preheaders, later the server's pages.
std::string EscapeHtml(std::string_view text);

}  // namespace winback
