// A small streaming XML writer for the parts of Office Open XML packages (DOCX) that the
// report writers produce by hand: elements, attributes and text, escaped as XML 1.0 needs.
// Text that XML cannot carry (control characters, invalid UTF-8) is dropped or replaced by
// U+FFFD, so no document text can make a part malformed.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

namespace qpan {

// `text` made fit for XML 1.0 character data or an attribute value in quotes: & < > " '
// as entities, tab, newline and carriage return kept (attributes: as character references,
// so a parser does not normalise them to spaces), other control characters dropped, and
// each byte of invalid UTF-8 replaced by U+FFFD.
std::string xml_escape(std::string_view text, bool in_attribute = false);

// Characters (code points) of UTF-8 text: what Word and Excel count for Vietnamese text,
// whose letters are all in the Basic Multilingual Plane. Used to size columns and rules.
size_t utf8_length(std::string_view text);

// Writes one XML document. Elements are opened with open(), given attributes with attr()
// while their start tag is still open, and closed with close() in reverse order (the
// writer remembers the names); empty elements are written as <name/>.
//
//   XmlWriter xml;
//   xml.open("w:p").open("w:r").open("w:t").attr("xml:space", "preserve").text(" a").close().close().close();
class XmlWriter {
 public:
  // Starts with the XML declaration (UTF-8, standalone).
  XmlWriter();

  XmlWriter& open(std::string_view name);
  XmlWriter& attr(std::string_view name, std::string_view value);
  XmlWriter& attr(std::string_view name, long long value);
  XmlWriter& text(std::string_view text);
  XmlWriter& close();
  // An element with only attributes: open(name) then the attributes, closed at once.
  XmlWriter& leaf(std::string_view name, std::initializer_list<std::pair<std::string_view, std::string_view>> attributes = {});

  // The document, with the elements still open closed.
  std::string finish();

 private:
  void end_start_tag();

  std::string out_;
  std::vector<std::string> open_elements_;
  bool start_tag_open_ = false;  // attributes may still be added to the innermost element
};

}  // namespace qpan
