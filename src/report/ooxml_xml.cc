// The XML writer of the hand-written Office Open XML parts (see ooxml_xml.h).
#include "report/ooxml_xml.h"

#include <cassert>

#include "qpan/text.h"

namespace qpan {
namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// Appends valid UTF-8 `text` escaped.
void append_escaped(std::string& out, std::string_view text, bool in_attribute) {
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': out += in_attribute ? "&#9;" : "\t"; break;
      case '\n': out += in_attribute ? "&#10;" : "\n"; break;
      case '\r': out += "&#13;"; break;  // a literal CR would be read back as LF
      default:
        // XML 1.0 has no place for the other C0 control characters, not even as references.
        if (static_cast<unsigned char>(c) >= 0x20) out += c;
    }
  }
}

}  // namespace

std::string xml_escape(std::string_view text, bool in_attribute) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  while (!text.empty()) {
    const size_t bad = find_invalid_utf8(text);
    append_escaped(out, text.substr(0, bad), in_attribute);
    if (bad == std::string_view::npos) break;
    out += kReplacementCharacter;
    text.remove_prefix(bad + 1);
  }
  return out;
}

size_t utf8_length(std::string_view text) {
  size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // not a continuation byte
  return n;
}

XmlWriter::XmlWriter() : out_("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n") {}

void XmlWriter::end_start_tag() {
  if (start_tag_open_) {
    out_ += '>';
    start_tag_open_ = false;
  }
}

XmlWriter& XmlWriter::open(std::string_view name) {
  end_start_tag();
  out_ += '<';
  out_ += name;
  open_elements_.emplace_back(name);
  start_tag_open_ = true;
  return *this;
}

XmlWriter& XmlWriter::attr(std::string_view name, std::string_view value) {
  assert(start_tag_open_ && "attributes belong in a start tag");
  out_ += ' ';
  out_ += name;
  out_ += "=\"";
  out_ += xml_escape(value, /*in_attribute=*/true);
  out_ += '"';
  return *this;
}

XmlWriter& XmlWriter::attr(std::string_view name, long long value) { return attr(name, std::to_string(value)); }

XmlWriter& XmlWriter::text(std::string_view text) {
  end_start_tag();
  out_ += xml_escape(text);
  return *this;
}

XmlWriter& XmlWriter::close() {
  assert(!open_elements_.empty());
  if (start_tag_open_) {
    out_ += "/>";
    start_tag_open_ = false;
  } else {
    out_ += "</";
    out_ += open_elements_.back();
    out_ += '>';
  }
  open_elements_.pop_back();
  return *this;
}

XmlWriter& XmlWriter::leaf(std::string_view name,
                           std::initializer_list<std::pair<std::string_view, std::string_view>> attributes) {
  open(name);
  for (const auto& [key, value] : attributes) attr(key, value);
  return close();
}

std::string XmlWriter::finish() {
  while (!open_elements_.empty()) close();
  return std::move(out_);
}

}  // namespace qpan
