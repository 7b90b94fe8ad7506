// Unit codes → dense ids in one flat open-addressing table. Vietnam's unit codes (and the
// demo's) are at most 8 bytes: packed into the key, a look-up touches one cache line instead
// of a bucket, a node and a string — it is asked for every unit of every query. Longer codes
// are kept in an ordinary map.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace qpan::aggregation {

class CodeIndex {
 public:
  // Adds or replaces `code`.
  void insert(std::string_view code, int32_t id) {
    uint64_t key = 0;
    if (!pack(code, key)) {
      long_codes_[std::string(code)] = id;
      return;
    }
    if ((size_ + 1) * 2 > slots_.size()) grow();
    if (place(key, id)) ++size_;
  }

  // The id of `code`, or -1.
  int32_t find(std::string_view code) const {
    uint64_t key = 0;
    if (!pack(code, key)) {
      auto it = long_codes_.find(std::string(code));
      return it == long_codes_.end() ? -1 : it->second;
    }
    if (slots_.empty()) return -1;
    for (size_t i = slot_of(key);; i = (i + 1) & mask_) {
      if (slots_[i].first == key) return slots_[i].second;
      if (slots_[i].first == 0) return -1;
    }
  }

 private:
  // Codes are never empty and hold no NUL byte, so a packed key is never 0 (the empty slot).
  static bool pack(std::string_view code, uint64_t& key) {
    if (code.empty() || code.size() > sizeof key) return false;
    key = 0;
    std::memcpy(&key, code.data(), code.size());
    return true;
  }
  size_t slot_of(uint64_t key) const { return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 32) & mask_; }

  // True when the key is new.
  bool place(uint64_t key, int32_t id) {
    for (size_t i = slot_of(key);; i = (i + 1) & mask_) {
      if (slots_[i].first == key) {
        slots_[i].second = id;
        return false;
      }
      if (slots_[i].first == 0) {
        slots_[i] = {key, id};
        return true;
      }
    }
  }

  void grow() {
    std::vector<std::pair<uint64_t, int32_t>> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, {0, -1});
    mask_ = slots_.size() - 1;
    for (const auto& [key, id] : old) {
      if (key != 0) place(key, id);
    }
  }

  std::vector<std::pair<uint64_t, int32_t>> slots_;  // key 0: empty
  size_t mask_ = 0;
  size_t size_ = 0;
  std::unordered_map<std::string, int32_t> long_codes_;
};

}  // namespace qpan::aggregation
