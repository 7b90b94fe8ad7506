// PostgreSQL's binary COPY format read as it streams in: the output of
// `COPY … TO STDOUT (FORMAT binary)` (a signature, flags and a header extension, then each
// row as a field count and length-prefixed big-endian fields, then -1). The server's
// start-up reads its values this way: one scan of the table, no text to parse and no pages
// to plan again.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/status.h"

namespace qpan::postgres {

// One row of the stream: each field's bytes as they lie in it.
class BinaryCopyRow {
 public:
  int size() const { return static_cast<int>(fields_.size()); }
  bool is_null(int i) const { return !fields_[static_cast<size_t>(i)].has_value(); }
  // A smallint, integer or bigint field; nullopt when NULL or of another width.
  std::optional<int64_t> integer(int i) const;
  // A double precision field; nullopt when NULL or of another width.
  std::optional<double> real(int i) const;

 private:
  friend class BinaryCopyParser;
  std::vector<std::optional<std::string_view>> fields_;
};

// Parses the stream from pieces cut anywhere (libpq hands over one message at a time, and
// the header comes with the first row). Each error names the byte of the stream where the
// format was broken.
class BinaryCopyParser {
 public:
  using RowVisitor = std::function<Status(const BinaryCopyRow&)>;

  // The next piece of the stream; `row` gets every row it completes, in order. A row's
  // views are valid only during the call. The first error (the parser's or `row`'s) ends
  // the stream: every later call returns it.
  Status feed(std::string_view piece, const RowVisitor& row);
  // After the last piece: the end marker was read and nothing followed it.
  Status finish() const;
  int64_t rows() const { return rows_; }

 private:
  // Parses what `bytes` holds from its start; returns how many bytes were used (whole rows
  // only, and the header).
  Result<size_t> parse(std::string_view bytes, const RowVisitor& row);
  Status broken(uint64_t at, const std::string& reason) const;

  std::string pending_;  // the start of a row cut by the end of a piece
  uint64_t consumed_ = 0;  // bytes of the stream before pending_
  bool header_read_ = false;
  bool ended_ = false;
  Status failed_;
  int64_t rows_ = 0;
  BinaryCopyRow current_;
};

}  // namespace qpan::postgres
