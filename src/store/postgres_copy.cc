// PostgreSQL's binary COPY format read as it streams in (see postgres_copy.h).
#include "store/postgres_copy.h"

#include <bit>
#include <cstring>

namespace qpan::postgres {
namespace {

// "PGCOPY\n\377\r\n\0": the signature every binary COPY stream starts with.
constexpr std::string_view kSignature("PGCOPY\n\377\r\n\0", 11);
constexpr size_t kHeaderSize = 11 + 4 + 4;  // signature, flags, header extension's length
constexpr uint32_t kOidsFlag = 1u << 16;    // rows carry an OID before their fields

// The N-byte big-endian unsigned number at `p` (N = 2, 4 or 8): one load and a byte swap,
// since a start-up parses every field of about 100 M rows this way.
template <typename Unsigned>
Unsigned load_big_endian(const char* p) {
  Unsigned v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::little) {
    if constexpr (sizeof v == 2) v = __builtin_bswap16(v);
    if constexpr (sizeof v == 4) v = __builtin_bswap32(v);
    if constexpr (sizeof v == 8) v = __builtin_bswap64(v);
  }
  return v;
}

int16_t int16_at(std::string_view bytes, size_t at) {
  return static_cast<int16_t>(load_big_endian<uint16_t>(bytes.data() + at));
}

int32_t int32_at(std::string_view bytes, size_t at) {
  return static_cast<int32_t>(load_big_endian<uint32_t>(bytes.data() + at));
}

}  // namespace

std::optional<int64_t> BinaryCopyRow::integer(int i) const {
  const std::optional<std::string_view>& field = fields_[static_cast<size_t>(i)];
  if (!field) return std::nullopt;
  switch (field->size()) {
    case 2: return static_cast<int16_t>(load_big_endian<uint16_t>(field->data()));
    case 4: return static_cast<int32_t>(load_big_endian<uint32_t>(field->data()));
    case 8: return static_cast<int64_t>(load_big_endian<uint64_t>(field->data()));
    default: return std::nullopt;
  }
}

std::optional<double> BinaryCopyRow::real(int i) const {
  const std::optional<std::string_view>& field = fields_[static_cast<size_t>(i)];
  if (!field || field->size() != 8) return std::nullopt;
  return std::bit_cast<double>(load_big_endian<uint64_t>(field->data()));
}

Status BinaryCopyParser::broken(uint64_t at, const std::string& reason) const {
  return Status::io_error("PostgreSQL's binary COPY stream is broken at byte " + std::to_string(at) + ": " + reason);
}

Status BinaryCopyParser::feed(std::string_view piece, const RowVisitor& row) {
  if (!failed_.is_ok()) return failed_;
  if (ended_) {
    if (!piece.empty()) failed_ = broken(consumed_, "bytes after the end marker");
    return failed_;
  }
  std::string_view bytes = piece;
  if (!pending_.empty()) {
    pending_.append(piece);
    bytes = pending_;
  }
  Result<size_t> used = parse(bytes, row);
  if (!used) {
    failed_ = used.status();
    return failed_;
  }
  consumed_ += *used;
  if (bytes.data() == pending_.data()) {
    pending_.erase(0, *used);
  } else {
    pending_.assign(bytes.substr(*used));
  }
  return Status::ok();
}

Result<size_t> BinaryCopyParser::parse(std::string_view bytes, const RowVisitor& row) {
  size_t at = 0;
  if (!header_read_) {
    if (bytes.size() < kHeaderSize) return size_t{0};
    if (bytes.substr(0, kSignature.size()) != kSignature) {
      return broken(consumed_, "not the signature of a binary COPY (PGCOPY)");
    }
    const auto flags = static_cast<uint32_t>(int32_at(bytes, 11));
    if (flags & kOidsFlag) return broken(consumed_ + 11, "rows with OIDs are not read");
    const int32_t extension = int32_at(bytes, 15);
    if (extension < 0) return broken(consumed_ + 15, "a negative header extension length");
    if (bytes.size() < kHeaderSize + static_cast<size_t>(extension)) return size_t{0};
    header_read_ = true;
    at = kHeaderSize + static_cast<size_t>(extension);
  }
  while (at < bytes.size()) {
    const size_t start = at;
    if (bytes.size() - at < 2) return start;
    const int16_t count = int16_at(bytes, at);
    at += 2;
    if (count == -1) {
      ended_ = true;
      if (at != bytes.size()) return broken(consumed_ + at, "bytes after the end marker");
      return at;
    }
    if (count < 0) return broken(consumed_ + start, "a negative field count " + std::to_string(count));
    current_.fields_.resize(static_cast<size_t>(count));
    bool complete = true;
    for (int16_t f = 0; f < count; ++f) {
      if (bytes.size() - at < 4) {
        complete = false;
        break;
      }
      const int32_t length = int32_at(bytes, at);
      if (length < -1) {
        return broken(consumed_ + at, "field " + std::to_string(f + 1) + " has length " + std::to_string(length));
      }
      at += 4;
      if (length == -1) {
        current_.fields_[static_cast<size_t>(f)].reset();
        continue;
      }
      if (bytes.size() - at < static_cast<size_t>(length)) {
        complete = false;
        break;
      }
      current_.fields_[static_cast<size_t>(f)] = bytes.substr(at, static_cast<size_t>(length));
      at += static_cast<size_t>(length);
    }
    if (!complete) return start;
    ++rows_;
    Status visited = row(current_);
    if (!visited) return visited;
  }
  return at;
}

Status BinaryCopyParser::finish() const {
  if (!failed_.is_ok()) return failed_;
  if (!header_read_) return broken(consumed_ + pending_.size(), "the stream ended before its header");
  if (!ended_) {
    return broken(consumed_ + pending_.size(),
                  pending_.empty() ? "the stream ended without its end marker" : "the stream ended inside a row");
  }
  return Status::ok();
}

}  // namespace qpan::postgres
