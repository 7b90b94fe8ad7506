// A fast RFC 4180 CSV reader over an in-memory buffer that keeps track of line numbers,
// so every import error can name the line and column it is about. Unquoted fields are
// views into the buffer; quoted fields with doubled quotes are unescaped into scratch
// storage owned by the reader (valid until the next call to next()).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace qpan::csv {

class Reader {
 public:
  // `text` must outlive the reader. A UTF-8 byte order mark at the start is skipped.
  // `first_line` is the line number of the text's first line (for a part of a file).
  explicit Reader(std::string_view text, int64_t first_line = 1);

  // Reads the next record into `fields`. Returns false at the end of input. Blank lines
  // are skipped. On a malformed record (unterminated quote, text after a closing quote)
  // returns true with error() set; the reader resumes at the next line.
  bool next(std::vector<std::string_view>& fields);

  // Line on which the last record started (1-based).
  int64_t line() const { return record_line_; }
  // Where the next record starts: byte offset into the text, and line number.
  size_t offset() const { return pos_; }
  int64_t next_line() const { return line_; }
  // Empty when the last record was well formed; else the reason, and error_column() is
  // the 1-based field number where it was found.
  const std::string& error() const { return error_; }
  int error_column() const { return error_column_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int64_t line_ = 1;
  int64_t record_line_ = 0;
  std::string error_;
  int error_column_ = 0;
  // A deque: growing it must not move the strings earlier fields point into.
  std::deque<std::string> scratch_;
};

// Appends `field` to `out`, quoted when it holds a comma, quote or line break.
void append_field(std::string& out, std::string_view field);

}  // namespace qpan::csv
