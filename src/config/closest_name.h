#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace winback::config {

// The edit distance between `a` and `b`: insertions, deletions, substitutions and swaps of two
// neighbouring bytes each count 1 (optimal string alignment), ASCII case ignored.
std::size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `name` by EditDistance, when it is close enough to be the likely
// intended spelling: at most 1 edit for names of up to 4 bytes, 2 up to 8 and 3 beyond (ties:
// the earlier candidate). nullopt when no candidate is that close, or `name` is one of them.
std::optional<std::string> ClosestName(std::string_view name,
                                       std::span<const std::string> candidates);

}  // namespace winback::config
