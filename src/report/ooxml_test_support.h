// For the DOCX and XLSX writers' tests: a package's parts read back with libzip and queried
// with libxml2's XPath, independently of how the writers produced them.
#pragma once

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <zip.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace qpan::testing {

// The names of the package's parts, in the zip's order.
inline std::vector<std::string> zip_part_names(const std::string& package) {
  std::vector<std::string> names;
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(package.data(), package.size(), 0, &error);
  zip_t* archive = source == nullptr ? nullptr : zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  zip_error_fini(&error);
  if (archive == nullptr) {
    if (source != nullptr) zip_source_free(source);
    return names;
  }
  const zip_int64_t count = zip_get_num_entries(archive, 0);
  for (zip_int64_t i = 0; i < count; ++i) names.emplace_back(zip_get_name(archive, static_cast<zip_uint64_t>(i), 0));
  zip_discard(archive);
  return names;
}

// One part of the package, unpacked; nullopt when the package is no zip or lacks the part.
inline std::optional<std::string> zip_part(const std::string& package, const std::string& name) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(package.data(), package.size(), 0, &error);
  zip_t* archive = source == nullptr ? nullptr : zip_open_from_source(source, ZIP_RDONLY, &error);
  zip_error_fini(&error);
  if (archive == nullptr) {
    if (source != nullptr) zip_source_free(source);
    return std::nullopt;
  }
  std::optional<std::string> bytes;
  if (zip_file_t* file = zip_fopen(archive, name.c_str(), 0)) {
    bytes.emplace();
    char buffer[16 * 1024];
    zip_int64_t n;
    while ((n = zip_fread(file, buffer, sizeof buffer)) > 0) bytes->append(buffer, static_cast<size_t>(n));
    if (n < 0) bytes.reset();
    zip_fclose(file);
  }
  zip_discard(archive);
  return bytes;
}

// An XML part parsed (no network, no entities) with XPath over the OOXML prefixes:
// w (WordprocessingML), r, wp, a, pic, rel (package relationships), ct (content types),
// s (SpreadsheetML), cp, dc.
class XmlPart {
 public:
  explicit XmlPart(const std::string& text)
      : XmlPart(xmlReadMemory(text.data(), static_cast<int>(text.size()), "part.xml", nullptr, XML_PARSE_NONET)) {}

 protected:
  // A document parsed otherwise (HTML), owned from here on; nullptr for one that did not parse.
  explicit XmlPart(xmlDoc* parsed) : document_(parsed, &xmlFreeDoc) {
    if (!document_) return;
    context_.reset(xmlXPathNewContext(document_.get()));
    static constexpr std::pair<const char*, const char*> kNamespaces[] = {
        {"w", "http://schemas.openxmlformats.org/wordprocessingml/2006/main"},
        {"r", "http://schemas.openxmlformats.org/officeDocument/2006/relationships"},
        {"wp", "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"},
        {"a", "http://schemas.openxmlformats.org/drawingml/2006/main"},
        {"pic", "http://schemas.openxmlformats.org/drawingml/2006/picture"},
        {"rel", "http://schemas.openxmlformats.org/package/2006/relationships"},
        {"ct", "http://schemas.openxmlformats.org/package/2006/content-types"},
        {"s", "http://schemas.openxmlformats.org/spreadsheetml/2006/main"},
        {"cp", "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"},
        {"dc", "http://purl.org/dc/elements/1.1/"},
    };
    for (const auto& [prefix, uri] : kNamespaces) {
      xmlXPathRegisterNs(context_.get(), reinterpret_cast<const xmlChar*>(prefix), reinterpret_cast<const xmlChar*>(uri));
    }
  }

 public:
  bool ok() const { return document_ != nullptr; }

  // The string value of an XPath expression ("string(//w:pgSz/@w:w)", "count(//w:p)").
  std::string string(const std::string& expression) const {
    if (!context_) return "<not parsed>";
    std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)> result(
        xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(("string(" + expression + ")").c_str()), context_.get()),
        &xmlXPathFreeObject);
    if (!result || result->stringval == nullptr) return "<bad XPath " + expression + ">";
    return reinterpret_cast<const char*>(result->stringval);
  }

  double number(const std::string& expression) const {
    if (!context_) return -1;
    std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)> result(
        xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(("number(" + expression + ")").c_str()), context_.get()),
        &xmlXPathFreeObject);
    return result ? result->floatval : -1;
  }

  // The string values of the nodes an expression selects, in document order.
  std::vector<std::string> strings(const std::string& expression) const {
    std::vector<std::string> values;
    if (!context_) return values;
    std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)> result(
        xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(expression.c_str()), context_.get()), &xmlXPathFreeObject);
    if (!result || result->nodesetval == nullptr) return values;
    for (int i = 0; i < result->nodesetval->nodeNr; ++i) {
      xmlChar* content = xmlXPathCastNodeToString(result->nodesetval->nodeTab[i]);
      values.emplace_back(reinterpret_cast<const char*>(content));
      xmlFree(content);
    }
    return values;
  }

 private:
  struct ContextFree {
    void operator()(xmlXPathContext* c) const { xmlXPathFreeContext(c); }
  };
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> document_;
  std::unique_ptr<xmlXPathContext, ContextFree> context_;
};

}  // namespace qpan::testing
