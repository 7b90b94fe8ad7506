// Reading XLSX workbooks (see xlsx_reader.h): the package's relationships lead from
// _rels/.rels to the workbook, from the workbook to its sheets and shared strings; each part
// is unpacked with libzip under one budget and read with libxml2's streaming reader.
#include "exchange/xlsx_reader.h"

#include <libxml/xmlreader.h>
#include <zip.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <optional>

namespace qpan {
namespace {

std::string text_of(const xmlChar* s) { return s == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(s)); }

// The zip container, its parts unpacked on request against one budget of unpacked bytes.
class Package {
 public:
  static Result<Package> open(std::string_view bytes, const std::string& file) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    zip_t* archive = source == nullptr ? nullptr : zip_open_from_source(source, ZIP_RDONLY, &error);
    if (archive == nullptr) {
      if (source != nullptr) zip_source_free(source);
      std::string why = zip_error_strerror(&error);
      zip_error_fini(&error);
      return Status::invalid_input(file + ": not an XLSX workbook (not a zip package: " + why + ")");
    }
    zip_error_fini(&error);
    return Package(archive, file);
  }

  // The part's bytes; nullopt when the package has no such part.
  Result<std::optional<std::string>> part(const std::string& name) {
    zip_file_t* f = zip_fopen(archive_.get(), name.c_str(), 0);
    if (f == nullptr) return std::optional<std::string>();
    std::unique_ptr<zip_file_t, decltype(&zip_fclose)> closer(f, &zip_fclose);
    std::string out;
    char buffer[64 * 1024];
    for (;;) {
      const zip_int64_t n = zip_fread(f, buffer, sizeof buffer);
      if (n < 0) return Status::invalid_input(file_ + ": " + name + ": cannot unpack (" + zip_file_strerror(f) + ")");
      if (n == 0) break;
      unpacked_ += static_cast<size_t>(n);
      if (unpacked_ > kMaxUnpackedBytes) {
        return Status::invalid_input(file_ + ": the workbook unpacks to more than " +
                                     std::to_string(kMaxUnpackedBytes >> 20) + " MiB; refused");
      }
      out.append(buffer, static_cast<size_t>(n));
    }
    return std::optional<std::string>(std::move(out));
  }

  Result<std::string> required_part(const std::string& name) {
    Result<std::optional<std::string>> p = part(name);
    if (!p) return p.status();
    if (!*p) return Status::invalid_input(file_ + ": not an XLSX workbook (no part " + name + ")");
    return std::move(**p);
  }

 private:
  struct Discard {
    void operator()(zip_t* z) const { zip_discard(z); }
  };
  Package(zip_t* archive, std::string file) : archive_(archive), file_(std::move(file)) {}
  std::unique_ptr<zip_t, Discard> archive_;
  std::string file_;
  size_t unpacked_ = 0;
};

// One XML part read as a stream of start tags, end tags and text, with the first error the
// parser reported (and its line) kept for the caller.
class XmlPart {
 public:
  XmlPart(const std::string& bytes, std::string label)
      : label_(std::move(label)),
        reader_(xmlReaderForMemory(bytes.data(), static_cast<int>(bytes.size()), label_.c_str(), nullptr, XML_PARSE_NONET)) {
    if (reader_ == nullptr) {
      error_ = label_ + ": cannot be read as XML";
      return;
    }
    xmlTextReaderSetErrorHandler(
        reader_.get(),
        [](void* arg, const char* message, xmlParserSeverities, xmlTextReaderLocatorPtr locator) {
          auto* self = static_cast<XmlPart*>(arg);
          if (!self->error_.empty()) return;
          std::string why = message == nullptr ? "malformed" : message;
          while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
          self->error_ = self->label_ + ":" + std::to_string(xmlTextReaderLocatorLineNumber(locator)) +
                         ": not well-formed XML: " + why;
        },
        this);
  }

  // Advances to the next node; false at the end or on an error (then error() is set).
  bool next() {
    if (reader_ == nullptr) return false;
    const int r = xmlTextReaderRead(reader_.get());
    if (r == -1 && error_.empty()) error_ = label_ + ": not well-formed XML";
    return r == 1;
  }
  bool is_start(std::string_view local_name) const {
    return xmlTextReaderNodeType(reader_.get()) == XML_READER_TYPE_ELEMENT && name() == local_name;
  }
  bool is_end(std::string_view local_name) const {
    return xmlTextReaderNodeType(reader_.get()) == XML_READER_TYPE_END_ELEMENT && name() == local_name;
  }
  bool is_empty_element() const { return xmlTextReaderIsEmptyElement(reader_.get()) == 1; }
  bool is_text() const {
    const int type = xmlTextReaderNodeType(reader_.get());
    return type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
           type == XML_READER_TYPE_WHITESPACE;
  }
  std::string_view name() const {
    const xmlChar* n = xmlTextReaderConstLocalName(reader_.get());
    return n == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(n));
  }
  std::string text() const { return text_of(xmlTextReaderConstValue(reader_.get())); }
  // An attribute without a namespace ("r", "t", "name").
  std::optional<std::string> attribute(const char* local) const {
    xmlChar* v = xmlTextReaderGetAttribute(reader_.get(), reinterpret_cast<const xmlChar*>(local));
    if (v == nullptr) return std::nullopt;
    std::string out = text_of(v);
    xmlFree(v);
    return out;
  }
  // An attribute of that local name in any namespace (r:id, whichever prefix and whether
  // transitional or strict Office Open XML).
  std::optional<std::string> namespaced_attribute(std::string_view local) const {
    std::optional<std::string> out;
    for (int more = xmlTextReaderMoveToFirstAttribute(reader_.get()); more == 1;
         more = xmlTextReaderMoveToNextAttribute(reader_.get())) {
      if (name() == local && xmlTextReaderConstNamespaceUri(reader_.get()) != nullptr) {
        out = text_of(xmlTextReaderConstValue(reader_.get()));
        break;
      }
    }
    xmlTextReaderMoveToElement(reader_.get());
    return out;
  }
  int line() const { return xmlTextReaderGetParserLineNumber(reader_.get()); }
  const std::string& error() const { return error_; }
  const std::string& label() const { return label_; }

 private:
  struct Free {
    void operator()(xmlTextReader* r) const { xmlFreeTextReader(r); }
  };
  std::string label_;
  std::unique_ptr<xmlTextReader, Free> reader_;
  std::string error_;
};

// A relationship target resolved against the folder of the part that declares it
// ("worksheets/sheet1.xml" from xl/ → xl/worksheets/sheet1.xml; "/xl/x.xml" → xl/x.xml).
std::string resolve_target(const std::string& base_folder, const std::string& target) {
  std::vector<std::string> parts;
  auto push_path = [&](std::string_view path) {
    size_t start = 0;
    while (start <= path.size()) {
      size_t slash = path.find('/', start);
      if (slash == std::string_view::npos) slash = path.size();
      const std::string_view segment = path.substr(start, slash - start);
      if (segment == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!segment.empty() && segment != ".") {
        parts.emplace_back(segment);
      }
      start = slash + 1;
    }
  };
  if (target.empty() || target.front() != '/') push_path(base_folder);
  push_path(target);
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

std::string folder_of(const std::string& part) {
  const size_t slash = part.rfind('/');
  return slash == std::string::npos ? std::string() : part.substr(0, slash);
}

struct Relationship {
  std::string type;  // the last segment of the type URI: "officeDocument", "worksheet", …
  std::string target;
};

// The relationships part of `part` ("xl/workbook.xml" → "xl/_rels/workbook.xml.rels"), by id.
Result<std::map<std::string, Relationship>> read_relationships(Package& package, const std::string& part,
                                                               const std::string& file) {
  const std::string folder = folder_of(part);
  const std::string rels = (folder.empty() ? "" : folder + "/") + "_rels/" + part.substr(folder.empty() ? 0 : folder.size() + 1) + ".rels";
  Result<std::optional<std::string>> bytes = package.part(rels);
  if (!bytes) return bytes.status();
  std::map<std::string, Relationship> out;
  if (!*bytes) return out;
  XmlPart xml(**bytes, file + ": " + rels);
  while (xml.next()) {
    if (!xml.is_start("Relationship")) continue;
    const std::string type = xml.attribute("Type").value_or("");
    const std::string target = xml.attribute("Target").value_or("");
    if (xml.attribute("TargetMode").value_or("") == "External") continue;
    out[xml.attribute("Id").value_or("")] = {type.substr(type.rfind('/') + 1), resolve_target(folder, target)};
  }
  if (!xml.error().empty()) return Status::invalid_input(xml.error());
  return out;
}

// "D14" → (13, 3). nullopt when it is no cell reference within Excel's limits.
std::optional<std::pair<int, int>> parse_cell_name(std::string_view name) {
  size_t i = 0;
  int column = 0;
  while (i < name.size() && name[i] >= 'A' && name[i] <= 'Z' && i < 3) column = column * 26 + (name[i++] - 'A' + 1);
  if (i == 0 || column > 16384) return std::nullopt;
  int row = 0;
  auto [end, ec] = std::from_chars(name.data() + i, name.data() + name.size(), row);
  if (ec != std::errc() || end != name.data() + name.size() || row < 1 || row > 1048576 || name[i] == '0') return std::nullopt;
  return std::pair(row - 1, column - 1);
}

// The text of an <si> or <is>: its <t>, or the runs' <t>s joined; phonetic guides (<rPh>) left out.
std::string read_string_item(XmlPart& xml, std::string_view end_tag) {
  std::string out;
  int phonetic = 0;
  bool in_text = false;
  while (xml.next()) {
    if (xml.is_end(end_tag)) break;
    if (xml.is_start("rPh") && !xml.is_empty_element()) ++phonetic;
    else if (xml.is_end("rPh")) --phonetic;
    else if (xml.is_start("t")) in_text = !xml.is_empty_element();
    else if (xml.is_end("t")) in_text = false;
    else if (in_text && phonetic == 0 && xml.is_text()) out += xml.text();
  }
  return out;
}

Result<std::vector<std::string>> read_shared_strings(Package& package, const std::string& part, const std::string& file) {
  std::vector<std::string> out;
  if (part.empty()) return out;
  Result<std::string> bytes = package.required_part(part);
  if (!bytes) return bytes.status();
  XmlPart xml(*bytes, file + ": " + part);
  while (xml.next()) {
    if (xml.is_start("si")) out.push_back(xml.is_empty_element() ? std::string() : read_string_item(xml, "si"));
  }
  if (!xml.error().empty()) return Status::invalid_input(xml.error());
  return out;
}

Status read_sheet_cells(Package& package, const std::string& part, const std::string& file,
                        const std::vector<std::string>& shared, XlsxReadSheet& sheet) {
  Result<std::string> bytes = package.required_part(part);
  if (!bytes) return bytes.status();
  XmlPart xml(*bytes, file + ": " + part);
  auto bad = [&](const std::string& why) {
    return Status::invalid_input(xml.label() + ":" + std::to_string(xml.line()) + ": " + why);
  };
  int row = -1, column = -1;
  while (xml.next()) {
    if (xml.is_start("row")) {
      if (std::optional<std::string> r = xml.attribute("r")) {
        int n = 0;
        auto [end, ec] = std::from_chars(r->data(), r->data() + r->size(), n);
        if (ec != std::errc() || end != r->data() + r->size() || n < 1 || n > 1048576) return bad("row \"" + *r + "\": not a row number");
        row = n - 1;
      } else {
        ++row;
      }
      column = -1;
      continue;
    }
    if (!xml.is_start("c")) continue;
    if (std::optional<std::string> r = xml.attribute("r")) {
      std::optional<std::pair<int, int>> at = parse_cell_name(*r);
      if (!at) return bad("cell \"" + *r + "\": not a cell reference");
      row = at->first;
      column = at->second;
    } else {
      ++column;
      if (row < 0) row = 0;
    }
    const std::string type = xml.attribute("t").value_or("n");
    if (xml.is_empty_element()) continue;
    std::optional<std::string> stored;  // <v>
    std::optional<std::string> inline_text;  // <is>
    while (xml.next() && !xml.is_end("c")) {
      if (xml.is_start("v") && !xml.is_empty_element()) {
        std::string v;
        while (xml.next() && !xml.is_end("v")) {
          if (xml.is_text()) v += xml.text();
        }
        stored = std::move(v);
      } else if (xml.is_start("is") && !xml.is_empty_element()) {
        inline_text = read_string_item(xml, "is");
      }
    }
    const std::string cell = xlsx_cell_name(row, column);
    XlsxValue value;
    if (type == "inlineStr") {
      if (!inline_text) continue;
      value.text = std::move(*inline_text);
    } else if (!stored) {
      continue;  // a formatted cell without a value
    } else if (type == "s") {
      size_t index = 0;
      auto [end, ec] = std::from_chars(stored->data(), stored->data() + stored->size(), index);
      if (ec != std::errc() || end != stored->data() + stored->size() || index >= shared.size()) {
        return bad("cell " + cell + ": shared string \"" + *stored + "\" does not exist");
      }
      value.text = shared[index];
    } else if (type == "str" || type == "d") {
      value.text = std::move(*stored);  // a formula's text result; an ISO 8601 date
    } else if (type == "b") {
      value.kind = XlsxValue::Kind::kBoolean;
      value.number = *stored == "1" ? 1 : 0;
      value.text = *stored == "1" ? "TRUE" : "FALSE";
    } else if (type == "e") {
      value.kind = XlsxValue::Kind::kError;
      value.text = std::move(*stored);
    } else if (type == "n") {
      value.kind = XlsxValue::Kind::kNumber;
      auto [end, ec] = std::from_chars(stored->data(), stored->data() + stored->size(), value.number);
      if (ec != std::errc() || end != stored->data() + stored->size()) return bad("cell " + cell + ": \"" + *stored + "\" is not a number");
      value.text = std::move(*stored);
    } else {
      return bad("cell " + cell + ": unknown cell type \"" + type + "\"");
    }
    sheet.cells.push_back({row, column, std::move(value)});
  }
  if (!xml.error().empty()) return Status::invalid_input(xml.error());
  std::stable_sort(sheet.cells.begin(), sheet.cells.end(), [](const XlsxReadCell& a, const XlsxReadCell& b) {
    return std::pair(a.row, a.column) < std::pair(b.row, b.column);
  });
  return Status::ok();
}

}  // namespace

const XlsxReadCell* XlsxReadSheet::find(int row, int column) const {
  auto it = std::lower_bound(cells.begin(), cells.end(), std::pair(row, column), [](const XlsxReadCell& c, std::pair<int, int> at) {
    return std::pair(c.row, c.column) < at;
  });
  return it != cells.end() && it->row == row && it->column == column ? &*it : nullptr;
}

const XlsxReadSheet* XlsxReadBook::sheet(std::string_view name) const {
  auto it = std::find_if(sheets.begin(), sheets.end(), [&](const XlsxReadSheet& s) { return s.name == name; });
  return it == sheets.end() ? nullptr : &*it;
}

Result<XlsxReadBook> read_xlsx(std::string_view bytes, const std::string& file) {
  Result<Package> package = Package::open(bytes, file);
  if (!package) return package.status();

  // The workbook is the package's office document (xl/workbook.xml by convention).
  Result<std::map<std::string, Relationship>> root = read_relationships(*package, "", file);
  if (!root) return root.status();
  std::string workbook_part = "xl/workbook.xml";
  for (const auto& [id, rel] : *root) {
    if (rel.type == "officeDocument") workbook_part = rel.target;
  }
  Result<std::map<std::string, Relationship>> rels = read_relationships(*package, workbook_part, file);
  if (!rels) return rels.status();
  std::string shared_part;
  for (const auto& [id, rel] : *rels) {
    if (rel.type == "sharedStrings") shared_part = rel.target;
  }

  Result<std::string> workbook = package->required_part(workbook_part);
  if (!workbook) return workbook.status();
  XlsxReadBook book;
  std::vector<std::string> sheet_parts;
  XmlPart xml(*workbook, file + ": " + workbook_part);
  while (xml.next()) {
    if (!xml.is_start("sheet")) continue;
    XlsxReadSheet sheet;
    sheet.name = xml.attribute("name").value_or("");
    sheet.hidden = xml.attribute("state").value_or("visible") != "visible";
    const std::string id = xml.namespaced_attribute("id").value_or("");
    auto rel = rels->find(id);
    if (rel == rels->end()) {
      return Status::invalid_input(file + ": sheet \"" + sheet.name + "\" has no part (relationship \"" + id + "\" missing)");
    }
    if (rel->second.type != "worksheet") continue;  // a chart sheet or a dialog sheet has no cells
    sheet_parts.push_back(rel->second.target);
    book.sheets.push_back(std::move(sheet));
  }
  if (!xml.error().empty()) return Status::invalid_input(xml.error());

  Result<std::vector<std::string>> shared = read_shared_strings(*package, shared_part, file);
  if (!shared) return shared.status();
  for (size_t i = 0; i < book.sheets.size(); ++i) {
    QPAN_RETURN_IF_ERROR(read_sheet_cells(*package, sheet_parts[i], file, *shared, book.sheets[i]));
  }
  return book;
}

std::string xlsx_cell_name(int row, int column) {
  std::string letters;
  for (int c = column + 1; c > 0; c = (c - 1) / 26) letters.insert(letters.begin(), static_cast<char>('A' + (c - 1) % 26));
  return letters + std::to_string(row + 1);
}

std::string xlsx_cell_reference(std::string_view sheet, int row, int column) {
  const bool plain = !sheet.empty() && !(sheet.front() >= '0' && sheet.front() <= '9') &&
                     std::all_of(sheet.begin(), sheet.end(), [](char ch) {
                       const auto c = static_cast<unsigned char>(ch);
                       return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
                     });
  std::string name;
  if (plain) {
    name = sheet;
  } else {
    name = "'";
    for (char c : sheet) name += c == '\'' ? std::string("''") : std::string(1, c);
    name += "'";
  }
  return name + "!" + xlsx_cell_name(row, column);
}

}  // namespace qpan
