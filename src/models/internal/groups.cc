#include "models/internal/groups.h"

#include <bit>
#include <cstring>

namespace winback::models::internal {
namespace {

std::uint64_t Bits(double v) {
  v += 0.0;  // -0.0 -> +0.0
  return std::bit_cast<std::uint64_t>(v);
}

std::uint64_t Mix(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

Groups GroupTriples(std::span<const double> a, std::span<const double> b,
                    std::span<const double> c, std::span<const double> weights, bool row_map) {
  const std::size_t n = a.size();
  Groups g;
  if (row_map) g.group_of_row.resize(n);
  std::size_t capacity = 16;
  while (capacity < 2 * n) capacity <<= 1;
  const std::size_t mask = capacity - 1;
  // Slot: high 32 bits = hash tag, low 32 bits = group index + 1 (0 = empty).
  std::vector<std::uint64_t> slots(capacity, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t ka = Bits(a[i]);
    const std::uint64_t kb = Bits(b[i]);
    const std::uint64_t kc = Bits(c[i]);
    const std::uint64_t h = Mix(ka * 0x9e3779b97f4a7c15ULL ^ Mix(kb + 0x632be59bd9b4e019ULL) ^
                                (kc * 0xbf58476d1ce4e5b9ULL));
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    std::size_t pos = static_cast<std::size_t>(h) & mask;
    std::uint32_t group = 0;
    while (true) {
      const std::uint64_t slot = slots[pos];
      if (slot == 0) {
        group = static_cast<std::uint32_t>(g.a.size());
        slots[pos] = (std::uint64_t{tag} << 32) | (std::uint64_t{group} + 1);
        g.a.push_back(a[i] + 0.0);
        g.b.push_back(b[i] + 0.0);
        g.c.push_back(c[i] + 0.0);
        g.weight.push_back(0.0);
        break;
      }
      if (static_cast<std::uint32_t>(slot >> 32) == tag) {
        const auto candidate = static_cast<std::uint32_t>(slot & 0xffffffffULL) - 1;
        if (Bits(g.a[candidate]) == ka && Bits(g.b[candidate]) == kb &&
            Bits(g.c[candidate]) == kc) {
          group = candidate;
          break;
        }
      }
      pos = (pos + 1) & mask;
    }
    g.weight[group] += weights.empty() ? 1.0 : weights[i];
    if (row_map) g.group_of_row[i] = group;
  }
  return g;
}

Groups Subsample(const Groups& groups, std::size_t k) {
  Groups out;
  const double factor = static_cast<double>(k);
  for (std::size_t i = 0; i < groups.size(); i += k) {
    out.a.push_back(groups.a[i]);
    out.b.push_back(groups.b[i]);
    out.c.push_back(groups.c[i]);
    out.weight.push_back(groups.weight[i] * factor);
  }
  return out;
}

}  // namespace winback::models::internal
