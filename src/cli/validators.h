#pragma once

#include <cstdint>

namespace CLI {
class Validator;
}  // namespace CLI

namespace winback::cli {

// A check for a whole-number option: its text must be a plain decimal integer ("-" allowed,
// no "+", spaces, exponent or hex) in [lo, hi]. It runs before CLI11 converts the text, so an
// unsigned option given "-1" is rejected instead of wrapping. Its messages name the bounds,
// never a type's limits: "--customers: must be between 1 and 100000000", "--seed: 'x' is not a
// whole number".
CLI::Validator WholeNumberIn(std::int64_t lo, std::uint64_t hi);

}  // namespace winback::cli
