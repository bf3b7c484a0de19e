#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "core/check.h"

namespace winback::ingest {

// A fast 64-bit hash of a byte string (multiply-rotate over 8-byte words, murmur3 finalizer).
// Not cryptographic; deterministic across runs and platforms of the same endianness.
inline std::uint64_t HashBytes(std::string_view s) {
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ s.size();
  const char* p = s.data();
  std::size_t n = s.size();
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
    h = (h << 31) | (h >> 33);
    p += 8;
    n -= 8;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, p, n);
  h = (h ^ tail) * 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  return h;
}

// An insert-only hash map from byte strings to small values, built for tens of millions of
// ids: keys are copied into one arena (no allocation per key), slots are open-addressed with
// linear probing. A slot is 16 bytes plus the value (24 for an int64: at 10M ids, 400 MB of
// slots instead of the 540 MB that a full 64-bit hash and a 64-bit length took), plus the key
// bytes. Keys are shorter than 4 GiB (the importer's ids are at most 256 bytes).
template <typename V>
class StringMap {
 public:
  StringMap() { slots_.resize(kMinSlots); }

  // Sizes the map for `keys` keys of `key_bytes` bytes in all, so that inserting them does not
  // grow it: growing holds the old slots and the new twice-as-large ones at once.
  void Reserve(std::size_t keys, std::size_t key_bytes) {
    std::size_t n = slots_.size();
    while (keys * 10 > n * 7) n *= 2;
    if (n > slots_.size()) Rehash(n);
    arena_.reserve(key_bytes);
  }

  // Inserts (key, value) when key is absent. Returns the stored value and whether it was
  // inserted; an existing value is left unchanged.
  std::pair<V*, bool> Insert(std::string_view key, V value) {
    WINBACK_CHECK(key.size() <= UINT32_MAX);
    if ((size_ + 1) * 10 > slots_.size() * 7) Rehash(slots_.size() * 2);
    const std::uint32_t h = Hash32(key);
    std::size_t i = h >> shift_;
    while (true) {
      Slot& s = slots_[i];
      if (s.hash == 0) {
        s.hash = h;
        s.length = static_cast<std::uint32_t>(key.size());
        s.offset = arena_.size();
        arena_.insert(arena_.end(), key.begin(), key.end());
        s.value = std::move(value);
        ++size_;
        return {&s.value, true};
      }
      if (s.hash == h && KeyOf(s) == key) return {&s.value, false};
      i = (i + 1) & (slots_.size() - 1);
    }
  }

  // The value for `key`, or nullptr.
  V* Find(std::string_view key) {
    return const_cast<V*>(static_cast<const StringMap*>(this)->Find(key));
  }
  const V* Find(std::string_view key) const {
    const std::uint32_t h = Hash32(key);
    std::size_t i = h >> shift_;
    while (true) {
      const Slot& s = slots_[i];
      if (s.hash == 0) return nullptr;
      if (s.hash == h && KeyOf(s) == key) return &s.value;
      i = (i + 1) & (slots_.size() - 1);
    }
  }

  std::size_t size() const { return size_; }
  // The bytes of all keys.
  std::size_t key_bytes() const { return arena_.size(); }

 private:
  static constexpr std::size_t kMinSlots = 1024;

  // `hash` is the top 32 bits of HashBytes with the lowest bit set (0 marks an empty slot). Its
  // top bits pick the home slot, so growing needs no key bytes; the full value filters key
  // comparisons (a false match costs one compare in 2^31).
  struct Slot {
    std::uint32_t hash = 0;
    std::uint32_t length = 0;
    std::uint64_t offset = 0;
    V value{};
  };

  static std::uint32_t Hash32(std::string_view key) {
    return static_cast<std::uint32_t>(HashBytes(key) >> 32) | 1;
  }

  std::string_view KeyOf(const Slot& s) const { return {arena_.data() + s.offset, s.length}; }

  // Moves every slot into a table of `n` slots (a power of two, at most 2^31).
  void Rehash(std::size_t n) {
    WINBACK_CHECK(n <= (std::size_t{1} << 31));
    std::vector<Slot> old(n);
    old.swap(slots_);
    shift_ = 32 - std::countr_zero(n);
    for (Slot& s : old) {
      if (s.hash == 0) continue;
      std::size_t i = s.hash >> shift_;
      while (slots_[i].hash != 0) i = (i + 1) & (slots_.size() - 1);
      slots_[i] = std::move(s);
    }
  }

  std::vector<Slot> slots_;
  int shift_ = 32 - std::countr_zero(kMinSlots);  // 32 - log2(slots_.size())
  std::vector<char> arena_;
  std::size_t size_ = 0;
};

}  // namespace winback::ingest
