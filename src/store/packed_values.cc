// Packing of values created together into one change-log entry (see packed_values.h).
#include "store/packed_values.h"

#include <bit>
#include <cstdint>
#include <cstring>

namespace qpan {
namespace {

constexpr char kVersion = 1;
enum Tag : uint8_t { kInteger = 0, kReal = 1, kText = 2 };

uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool done() const { return at_ == bytes_.size(); }
  bool varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at_ == bytes_.size()) return false;
      const auto byte = static_cast<uint8_t>(bytes_[at_++]);
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  }
  bool byte(uint8_t& b) {
    if (at_ == bytes_.size()) return false;
    b = static_cast<uint8_t>(bytes_[at_++]);
    return true;
  }
  bool skip(uint64_t n) {
    if (n > bytes_.size() - at_) return false;
    at_ += n;
    return true;
  }
  bool fixed64(uint64_t& v) {
    if (bytes_.size() - at_ < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(bytes_[at_ + i])) << (8 * i);
    at_ += 8;
    return true;
  }
  size_t position() const { return at_; }

 private:
  std::string_view bytes_;
  size_t at_ = 0;
};

}  // namespace

std::string pack_created_values(std::span<const ValueWrite> rows) {
  std::string out;
  out.reserve(1 + rows.size() * 14);
  out.push_back(kVersion);
  int64_t period = 0, unit = 0;
  for (const ValueWrite& row : rows) {
    put_varint(out, zigzag(row.key.period - period));
    put_varint(out, zigzag(int64_t{row.key.unit_id} - unit));
    period = row.key.period;
    unit = row.key.unit_id;
    put_varint(out, static_cast<uint32_t>(row.key.element_id));
    put_varint(out, static_cast<uint32_t>(row.key.option_id));
    put_varint(out, static_cast<uint32_t>(row.key.attribute_id));
    switch (row.kind) {
      case TypedValue::Kind::kInteger:
      case TypedValue::Kind::kBoolean:
        out.push_back(static_cast<char>(kInteger));
        put_varint(out, zigzag(row.integer));
        break;
      case TypedValue::Kind::kReal: {
        out.push_back(static_cast<char>(kReal));
        const auto bits = std::bit_cast<uint64_t>(row.real);
        for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(bits >> (8 * i)));
        break;
      }
      case TypedValue::Kind::kText:
        out.push_back(static_cast<char>(kText));
        put_varint(out, row.text.size());
        out.append(row.text);
        break;
    }
  }
  return out;
}

Status unpack_created_values(std::string_view packed, const std::function<void(const ValueWrite&)>& visit) {
  if (packed.empty() || packed[0] != kVersion) {
    return Status::invalid_input("packed values: unknown format (first byte)");
  }
  Reader in(packed.substr(1));
  int64_t period = 0, unit = 0;
  ValueWrite row;
  while (!in.done()) {
    const size_t start = in.position() + 1;
    auto bad = [&] { return Status::invalid_input("packed values: truncated or malformed at byte " + std::to_string(start)); };
    uint64_t d_period, d_unit, element, option, attribute;
    uint8_t tag;
    if (!in.varint(d_period) || !in.varint(d_unit) || !in.varint(element) || !in.varint(option) ||
        !in.varint(attribute) || !in.byte(tag)) {
      return bad();
    }
    period += unzigzag(d_period);
    unit += unzigzag(d_unit);
    row = ValueWrite{};
    row.key = {period, static_cast<int32_t>(unit), static_cast<int32_t>(element), static_cast<int32_t>(option),
               static_cast<int32_t>(attribute)};
    switch (tag) {
      case kInteger: {
        uint64_t v;
        if (!in.varint(v)) return bad();
        row.kind = TypedValue::Kind::kInteger;
        row.integer = unzigzag(v);
        break;
      }
      case kReal: {
        uint64_t bits;
        if (!in.fixed64(bits)) return bad();
        row.kind = TypedValue::Kind::kReal;
        row.real = std::bit_cast<double>(bits);
        break;
      }
      case kText: {
        uint64_t length;
        if (!in.varint(length) || !in.skip(length)) return bad();
        row.kind = TypedValue::Kind::kText;
        break;
      }
      default: return bad();
    }
    visit(row);
  }
  return Status::ok();
}

}  // namespace qpan
