#include "models/internal/groups.h"

#include <algorithm>
#include <bit>

#include "core/parallel.h"

namespace winback::models::internal {
namespace {

// Rows per block below which grouping does not split the input over threads.
constexpr std::size_t kMinRowsPerBlock = std::size_t{1} << 17;

// The fast path packs three value codes into one 64-bit key, 21 bits each.
constexpr int kCodeBits = 21;
constexpr std::uint32_t kMaxCode = (std::uint32_t{1} << kCodeBits) - 1;

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

// Fibonacci hashing: the high bits of key * 2^64/phi depend on all bits of the key.
std::size_t FibonacciSlot(std::uint64_t key, int shift) {
  return static_cast<std::size_t>((key * 0x9e3779b97f4a7c15ULL) >> shift);
}

std::uint64_t Pack(std::uint32_t ka, std::uint32_t kb, std::uint32_t kc) {
  return std::uint64_t{ka} | (std::uint64_t{kb} << kCodeBits) |
         (std::uint64_t{kc} << (2 * kCodeBits));
}
std::uint32_t CodeA(std::uint64_t key) { return static_cast<std::uint32_t>(key) & kMaxCode; }
std::uint32_t CodeB(std::uint64_t key) {
  return static_cast<std::uint32_t>(key >> kCodeBits) & kMaxCode;
}
std::uint32_t CodeC(std::uint64_t key) {
  return static_cast<std::uint32_t>(key >> (2 * kCodeBits)) & kMaxCode;
}

// Distinct doubles (by bit pattern) -> dense codes 0, 1, ... in order of first appearance.
// Open addressing with linear probing, at most a quarter full (few probes: the dictionaries
// are small and looked up three times per row). Small non-negative integers (frequencies)
// can bypass the hash through a direct table (IntegerCode).
class ValueDictionary {
 public:
  ValueDictionary() { Rehash(64); }

  std::uint32_t Code(double v) {
    const std::uint64_t key = Bits(v);
    std::size_t pos = FibonacciSlot(key, shift_);
    while (true) {
      const Slot& s = slots_[pos];
      if (s.key == key && s.code_plus_one != 0) return s.code_plus_one - 1;
      if (s.code_plus_one == 0) return Insert(key) - 1;
      pos = (pos + 1) & mask_;
    }
  }

  // Code() for a column of mostly small non-negative integers.
  std::uint32_t IntegerCode(double v) {
    if (v >= 0 && v < static_cast<double>(kDirect)) {
      const auto i = static_cast<std::size_t>(v);
      if (static_cast<double>(i) == v) {
        if (direct_[i] == 0) direct_[i] = Code(v) + 1;
        return direct_[i] - 1;
      }
    }
    return Code(v);
  }

  std::size_t size() const { return values_.size(); }
  const std::vector<double>& values() const { return values_; }

 private:
  static constexpr std::size_t kDirect = 256;

  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t code_plus_one = 0;  // 0 = empty
  };

  // Inserts the bit pattern `key` (not present yet); returns its code + 1. Out of line: the
  // lookup above is the hot path.
  [[gnu::noinline]] std::uint32_t Insert(std::uint64_t key) {
    values_.push_back(std::bit_cast<double>(key));
    const auto code_plus_one = static_cast<std::uint32_t>(values_.size());
    if (4 * values_.size() > slots_.size()) {
      Rehash(2 * slots_.size());
      return code_plus_one;
    }
    std::size_t pos = FibonacciSlot(key, shift_);
    while (slots_[pos].code_plus_one != 0) pos = (pos + 1) & mask_;
    slots_[pos] = {key, code_plus_one};
    return code_plus_one;
  }

  void Rehash(std::size_t capacity) {
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    shift_ = 64 - std::countr_zero(capacity);
    for (std::size_t i = 0; i < values_.size(); ++i) {
      const std::uint64_t key = std::bit_cast<std::uint64_t>(values_[i]);
      std::size_t pos = FibonacciSlot(key, shift_);
      while (slots_[pos].code_plus_one != 0) pos = (pos + 1) & mask_;
      slots_[pos] = {key, static_cast<std::uint32_t>(i + 1)};
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  int shift_ = 64;
  std::vector<double> values_;
  std::uint32_t direct_[kDirect] = {};  // code + 1 of the integer i, 0 = not seen
};

// Distinct packed keys -> group index in order of first appearance, with the number of rows
// (or summed counts) of each group kept in the key's slot: adding a row touches only the slot,
// which GroupRows prefetches ahead of time.
class KeyTable {
 public:
  KeyTable() { Rehash(1024); }

  std::size_t Position(std::uint64_t key) const {
    return static_cast<std::size_t>(Mix(key)) & mask_;
  }
  void Prefetch(std::size_t pos) const { __builtin_prefetch(&slots_[pos]); }
  std::size_t capacity() const { return slots_.size(); }

  // Adds `count` rows with `key`, probing from `pos` (= Position(key) for the current
  // capacity). Returns the group.
  std::uint32_t Add(std::uint64_t key, std::size_t pos, std::uint32_t count) {
    while (true) {
      Slot& s = slots_[pos];
      if (s.key == key && s.group_plus_one != 0) {
        s.count += count;
        return s.group_plus_one - 1;
      }
      if (s.group_plus_one == 0) {
        keys_.push_back(key);
        s = {key, static_cast<std::uint32_t>(keys_.size()), count};
        const std::uint32_t group = s.group_plus_one - 1;
        if (2 * keys_.size() > slots_.size()) Rehash(2 * slots_.size());
        return group;
      }
      pos = (pos + 1) & mask_;
    }
  }
  std::uint32_t Add(std::uint64_t key, std::uint32_t count) {
    return Add(key, Position(key), count);
  }

  std::size_t size() const { return keys_.size(); }
  const std::vector<std::uint64_t>& keys() const { return keys_; }

  // The number of rows of every group, by group index.
  std::vector<std::uint32_t> Counts() const {
    std::vector<std::uint32_t> counts(keys_.size(), 0);
    for (const Slot& s : slots_) {
      if (s.group_plus_one != 0) counts[s.group_plus_one - 1] = s.count;
    }
    return counts;
  }

 private:
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t group_plus_one = 0;  // 0 = empty
    std::uint32_t count = 0;
  };

  void Rehash(std::size_t capacity) {
    std::vector<Slot> old(capacity);
    old.swap(slots_);
    mask_ = capacity - 1;
    for (const Slot& s : old) {
      if (s.group_plus_one == 0) continue;
      std::size_t pos = Position(s.key);
      while (slots_[pos].group_plus_one != 0) pos = (pos + 1) & mask_;
      slots_[pos] = s;
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::vector<std::uint64_t> keys_;
};

// The grouping of one contiguous block of rows (or of the merged blocks).
struct Block {
  ValueDictionary a_values;
  ValueDictionary bc_values;
  KeyTable triples;
  bool overflow = false;  // a code did not fit in kCodeBits: use the general path
};

// Groups rows [begin, end) into `block`. Rows are encoded kLookahead rows ahead of their
// insertion and their slot is prefetched, so that several cache misses are in flight when the
// table is larger than the cache. Codes are still assigned in row order.
void GroupRows(std::span<const double> a, std::span<const double> b, std::span<const double> c,
               std::size_t begin, std::size_t end, std::uint32_t* row_map, Block& block) {
  constexpr std::size_t kLookahead = 16;
  struct Pending {
    std::uint64_t key;
    std::size_t pos;
    std::size_t capacity;  // of the table when pos was computed
  };
  Pending ring[kLookahead];
  std::uint32_t max_code = 0;
  auto encode = [&](std::size_t i) {
    const std::uint32_t ka = block.a_values.IntegerCode(a[i]);
    const std::uint32_t kb = block.bc_values.Code(b[i]);
    const std::uint32_t kc = block.bc_values.Code(c[i]);
    max_code = std::max({max_code, ka, kb, kc});
    const std::uint64_t key = Pack(ka, kb, kc);
    const std::size_t pos = block.triples.Position(key);
    block.triples.Prefetch(pos);
    return Pending{key, pos, block.triples.capacity()};
  };
  for (std::size_t i = begin; i < std::min(end, begin + kLookahead); ++i) {
    ring[i % kLookahead] = encode(i);
  }
  for (std::size_t i = begin; i < end; ++i) {
    const Pending p = ring[i % kLookahead];
    if (i + kLookahead < end) ring[i % kLookahead] = encode(i + kLookahead);
    if (max_code > kMaxCode) {
      block.overflow = true;
      return;
    }
    const std::size_t pos =
        p.capacity == block.triples.capacity() ? p.pos : block.triples.Position(p.key);
    const std::uint32_t g = block.triples.Add(p.key, pos, 1);
    if (row_map != nullptr) row_map[i] = g;
  }
}

Groups ToGroups(const Block& block) {
  Groups g;
  const std::size_t n = block.triples.size();
  const std::vector<double>& av = block.a_values.values();
  const std::vector<std::uint64_t>& keys = block.triples.keys();
  const std::vector<std::uint32_t> counts = block.triples.Counts();
  g.values = block.bc_values.values();
  g.a.resize(n);
  g.b.resize(n);
  g.c.resize(n);
  g.weight.resize(n);
  g.b_code.resize(n);
  g.c_code.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    g.b_code[i] = CodeB(keys[i]);
    g.c_code[i] = CodeC(keys[i]);
    g.a[i] = av[CodeA(keys[i])];
    g.b[i] = g.values[g.b_code[i]];
    g.c[i] = g.values[g.c_code[i]];
    g.weight[i] = counts[i];
  }
  return g;
}

}  // namespace

Groups GroupTriplesGeneral(std::span<const double> a, std::span<const double> b,
                           std::span<const double> c, std::span<const double> weights,
                           bool row_map) {
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
  // Every group gets its own two entries in `values`: with many distinct times (the reason to
  // be here) a dictionary would cost more than it saves.
  const std::size_t groups = g.size();
  g.values.resize(2 * groups);
  g.b_code.resize(groups);
  g.c_code.resize(groups);
  for (std::size_t i = 0; i < groups; ++i) {
    g.values[2 * i] = g.b[i];
    g.values[2 * i + 1] = g.c[i];
    g.b_code[i] = static_cast<std::uint32_t>(2 * i);
    g.c_code[i] = static_cast<std::uint32_t>(2 * i + 1);
  }
  return g;
}

namespace {

// Whether the b and c columns look continuous rather than on a grid: more than one new value
// per four among the first 2^16 rows. Depends on the data only (not on the thread count).
bool ManyDistinctTimes(std::span<const double> b, std::span<const double> c) {
  constexpr std::size_t kProbeRows = std::size_t{1} << 16;
  const std::size_t rows = std::min(b.size(), kProbeRows);
  ValueDictionary values;
  for (std::size_t i = 0; i < rows; ++i) {
    values.Code(b[i]);
    values.Code(c[i]);
  }
  return values.size() > kProbeRows / 4;
}

}  // namespace

Groups GroupTriples(std::span<const double> a, std::span<const double> b, std::span<const double> c,
                    std::span<const double> weights, bool row_map, int threads) {
  if (!weights.empty() || ManyDistinctTimes(b, c)) {
    return GroupTriplesGeneral(a, b, c, weights, row_map);
  }
  const std::size_t n = a.size();
  std::vector<std::uint32_t> rows;
  if (row_map) rows.resize(n);
  std::uint32_t* row_data = row_map ? rows.data() : nullptr;
  const std::size_t blocks = std::min<std::size_t>(static_cast<std::size_t>(std::max(1, threads)),
                                                   std::max<std::size_t>(1, n / kMinRowsPerBlock));

  // Group each block on its own, then merge the blocks in order: the merged dictionaries and
  // groups are in order of first appearance in the whole input, as in one sequential pass.
  // The first block's grouping is the prefix of the merged one, so it is kept as it is.
  std::vector<Block> parts(blocks);
  auto block_begin = [&](std::size_t k) { return n / blocks * k; };
  auto block_end = [&](std::size_t k) { return k + 1 == blocks ? n : n / blocks * (k + 1); };
  ForEachTask(blocks, threads, [&](std::size_t k) {
    GroupRows(a, b, c, block_begin(k), block_end(k), row_data, parts[k]);
  });
  for (const Block& part : parts) {
    if (part.overflow) return GroupTriplesGeneral(a, b, c, weights, row_map);
  }
  Block merged = std::move(parts[0]);
  std::vector<std::vector<std::uint32_t>> remap(blocks);
  for (std::size_t k = 1; k < blocks; ++k) {
    const Block& part = parts[k];
    std::vector<std::uint32_t> a_code, bc_code;
    for (double v : part.a_values.values()) a_code.push_back(merged.a_values.Code(v));
    for (double v : part.bc_values.values()) {
      bc_code.push_back(merged.bc_values.Code(v));
      if (bc_code.back() > kMaxCode) return GroupTriplesGeneral(a, b, c, weights, row_map);
    }
    if (merged.a_values.size() > kMaxCode + std::size_t{1}) {
      return GroupTriplesGeneral(a, b, c, weights, row_map);
    }
    const std::vector<std::uint64_t>& keys = part.triples.keys();
    const std::vector<std::uint32_t> counts = part.triples.Counts();
    std::vector<std::uint64_t> merged_keys(keys.size());
    for (std::size_t g = 0; g < keys.size(); ++g) {
      merged_keys[g] =
          Pack(a_code[CodeA(keys[g])], bc_code[CodeB(keys[g])], bc_code[CodeC(keys[g])]);
    }
    remap[k].resize(keys.size());
    constexpr std::size_t kLookahead = 16;
    for (std::size_t g = 0; g < keys.size(); ++g) {
      if (g + kLookahead < keys.size()) {
        merged.triples.Prefetch(merged.triples.Position(merged_keys[g + kLookahead]));
      }
      remap[k][g] = merged.triples.Add(merged_keys[g], counts[g]);
    }
  }
  if (row_map && blocks > 1) {
    ForEachTask(blocks - 1, threads, [&](std::size_t j) {
      const std::vector<std::uint32_t>& m = remap[j + 1];
      for (std::size_t i = block_begin(j + 1); i < block_end(j + 1); ++i) rows[i] = m[rows[i]];
    });
  }
  Groups g = ToGroups(merged);
  g.group_of_row = std::move(rows);
  return g;
}

Groups Subsample(const Groups& groups, std::size_t k) {
  Groups out;
  const double factor = static_cast<double>(k);
  out.values = groups.values;
  for (std::size_t i = 0; i < groups.size(); i += k) {
    out.a.push_back(groups.a[i]);
    out.b.push_back(groups.b[i]);
    out.c.push_back(groups.c[i]);
    out.weight.push_back(groups.weight[i] * factor);
    out.b_code.push_back(groups.b_code[i]);
    out.c_code.push_back(groups.c_code[i]);
  }
  return out;
}

}  // namespace winback::models::internal
