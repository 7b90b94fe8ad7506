// Helpers shared by the hand-written parsers of fixed-layout ASCII forms (dates,
// timestamps, period codes): how to name an offending character in an error message.
#pragma once

#include <string>
#include <string_view>

namespace qpan::parse_text {

// How the character at `index` is shown in an error message; a non-ASCII byte is not
// printed because one byte of a multi-byte UTF-8 character would show up as garbage.
inline std::string describe_char(std::string_view text, size_t index) {
  if (index >= text.size()) return "end of text";
  const unsigned char c = static_cast<unsigned char>(text[index]);
  if (c >= 0x80) return "a non-ASCII character";
  if (c < 0x20 || c == 0x7F) return "a control character";
  if (c == ' ') return "a space";
  return std::string("'") + static_cast<char>(c) + "'";
}

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace qpan::parse_text
