#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

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
// linear probing. About (24 + sizeof(V)) / 0.7 bytes per key plus the key bytes.
template <typename V>
class StringMap {
 public:
  StringMap() { slots_.resize(1024); }

  // Inserts (key, value) when key is absent. Returns the stored value and whether it was
  // inserted; an existing value is left unchanged.
  std::pair<V*, bool> Insert(std::string_view key, V value) {
    if ((size_ + 1) * 10 > slots_.size() * 7) Grow();
    const std::uint64_t h = HashBytes(key) | 1;  // 0 marks an empty slot.
    std::size_t i = h & (slots_.size() - 1);
    while (true) {
      Slot& s = slots_[i];
      if (s.hash == 0) {
        s.hash = h;
        s.offset = arena_.size();
        s.length = key.size();
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
    const std::uint64_t h = HashBytes(key) | 1;
    std::size_t i = h & (slots_.size() - 1);
    while (true) {
      const Slot& s = slots_[i];
      if (s.hash == 0) return nullptr;
      if (s.hash == h && KeyOf(s) == key) return &s.value;
      i = (i + 1) & (slots_.size() - 1);
    }
  }

  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::size_t offset = 0;
    std::size_t length = 0;
    V value{};
  };

  std::string_view KeyOf(const Slot& s) const { return {arena_.data() + s.offset, s.length}; }

  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (Slot& s : old) {
      if (s.hash == 0) continue;
      std::size_t i = s.hash & (slots_.size() - 1);
      while (slots_[i].hash != 0) i = (i + 1) & (slots_.size() - 1);
      slots_[i] = std::move(s);
    }
  }

  std::vector<Slot> slots_;
  std::vector<char> arena_;
  std::size_t size_ = 0;
};

}  // namespace winback::ingest
