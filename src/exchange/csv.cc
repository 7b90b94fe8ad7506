// RFC 4180 CSV reading and writing (see csv.h).
#include "exchange/csv.h"

#include <cstring>

namespace qpan::csv {

Reader::Reader(std::string_view text, int64_t first_line) : text_(text), line_(first_line) {
  if (text_.size() >= 3 && text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

bool Reader::next(std::vector<std::string_view>& fields) {
  fields.clear();
  error_.clear();
  error_column_ = 0;
  size_t scratch_used = 0;
  const size_t n = text_.size();
  // Skip blank lines (also "\r\n" ones).
  while (pos_ < n && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\n') ++line_;
    ++pos_;
  }
  if (pos_ >= n) return false;
  record_line_ = line_;
  const char* data = text_.data();
  while (true) {
    if (pos_ < n && data[pos_] == '"') {
      // Quoted field: runs to the next lone quote; "" stands for one quote.
      size_t start = ++pos_;
      std::string* unescaped = nullptr;
      while (true) {
        const void* q = pos_ < n ? std::memchr(data + pos_, '"', n - pos_) : nullptr;
        if (q == nullptr) {
          error_ = "unterminated quoted field";
          error_column_ = static_cast<int>(fields.size()) + 1;
          for (size_t i = start; i < n; ++i) line_ += data[i] == '\n';
          pos_ = n;
          return true;
        }
        size_t qpos = static_cast<const char*>(q) - data;
        for (size_t i = pos_; i < qpos; ++i) line_ += data[i] == '\n';
        if (qpos + 1 < n && data[qpos + 1] == '"') {
          if (unescaped == nullptr) {
            if (scratch_used == scratch_.size()) scratch_.emplace_back();
            unescaped = &scratch_[scratch_used++];
            unescaped->clear();
          }
          unescaped->append(data + pos_, qpos + 1 - pos_);
          pos_ = qpos + 2;
          continue;
        }
        if (unescaped != nullptr) {
          unescaped->append(data + pos_, qpos - pos_);
          fields.emplace_back(*unescaped);
        } else {
          fields.emplace_back(data + start, qpos - start);
        }
        pos_ = qpos + 1;
        break;
      }
      if (pos_ < n && data[pos_] != ',' && data[pos_] != '\n' && data[pos_] != '\r') {
        error_ = "text after a closing quote";
        error_column_ = static_cast<int>(fields.size());
      }
    } else {
      size_t start = pos_;
      while (pos_ < n && data[pos_] != ',' && data[pos_] != '\n' && data[pos_] != '\r') ++pos_;
      fields.emplace_back(data + start, pos_ - start);
    }
    // After a field: a comma continues the record, a line break or the end closes it.
    if (pos_ < n && data[pos_] == ',') {
      ++pos_;
      continue;
    }
    if (!error_.empty()) {
      // Resynchronise at the next line break.
      while (pos_ < n && data[pos_] != '\n') ++pos_;
    }
    if (pos_ < n && data[pos_] == '\r') ++pos_;
    if (pos_ < n && data[pos_] == '\n') {
      ++pos_;
      ++line_;
    }
    return true;
  }
}

void append_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace qpan::csv
