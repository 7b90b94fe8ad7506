// Text rules for Vietnamese data: UTF-8 validation, NFC normalisation on the way in,
// accent- and case-insensitive search keys ("lai chau" finds "Lai Châu") and Vietnamese
// collation for sorted output (backed by ICU); and the one splitter of the lists users type
// (`--dx a,b`, `pe=2019,2020`); and the one JSON string writer of the formatters that write
// JSON text straight (analytics answers, the access log).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace qpan {

// Returns the byte offset of the first invalid UTF-8 sequence, or npos when `text` is
// valid (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t find_invalid_utf8(std::string_view text);

// True when every byte is ASCII (such text is already NFC and needs no ICU call).
bool is_ascii(std::string_view text);

// NFC form of valid UTF-8 text. ASCII is returned unchanged without calling ICU.
std::string to_nfc(std::string_view text);

// The search key of a text: NFC, lower case, diacritics removed, "đ" folded to "d",
// runs of white space collapsed to one space and trimmed. Two texts that a Vietnamese
// reader would call "the same word typed without accents" have the same key.
std::string search_key(std::string_view text);

// The items of a list as typed on a command line or in a URL ("crime.cases, drug.cases,,"):
// split at `separator`, each item trimmed of ASCII white space, empty items dropped (a
// trailing comma or a doubled one is a slip, not an item).
std::vector<std::string> split_list(std::string_view text, char separator = ',');

// Appends `text` to `out` as a JSON string: in quotes, with quotes, backslashes and control
// characters escaped (\n \r \t, else \u00XX) and everything else, UTF-8 included, as is.
void append_json_string(std::string& out, std::string_view text);

// Compares texts in Vietnamese dictionary order (a ă â b c d đ e ê …, tones after base
// letters). Not thread-safe: use one instance per thread.
class VietnameseCollator {
 public:
  VietnameseCollator();
  ~VietnameseCollator();
  VietnameseCollator(const VietnameseCollator&) = delete;
  VietnameseCollator& operator=(const VietnameseCollator&) = delete;

  // <0, 0 or >0 like strcmp.
  int compare(std::string_view a, std::string_view b) const;
  bool less(std::string_view a, std::string_view b) const { return compare(a, b) < 0; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace qpan
