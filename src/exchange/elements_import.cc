// Import of the element catalogue from JSON (see qpan/exchange.h). Every problem names
// the file and the JSON path ("$.elements[3].value_type") or, for syntax errors, the line
// and column.
#include <boost/json.hpp>

#include <set>

#include "exchange/file.h"
#include "qpan/exchange.h"
#include "qpan/text.h"

namespace qpan {
namespace {

namespace json = boost::json;

class CatalogueReader {
 public:
  CatalogueReader(std::string file, ImportProblems& problems) : file_(std::move(file)), problems_(problems) {}

  void read(const json::value& root, std::vector<Disaggregation>& dis, std::vector<DataElement>& elements) {
    const json::object* obj = root.if_object();
    if (obj == nullptr) {
      problem("$", "expected an object with \"disaggregations\" and \"elements\"");
      return;
    }
    for (const auto& [key, value] : *obj) {
      if (key != "disaggregations" && key != "elements" && key != "version" && key != "description") {
        problem("$." + std::string(key), "unknown key");
      }
    }
    std::set<std::string> dis_codes;
    if (const json::array* arr = array_at(*obj, "disaggregations", "$.disaggregations", false)) {
      for (size_t i = 0; i < arr->size(); ++i) {
        const std::string path = "$.disaggregations[" + std::to_string(i) + "]";
        const json::object* d = (*arr)[i].if_object();
        if (d == nullptr) {
          problem(path, "expected an object");
          continue;
        }
        Disaggregation out;
        out.code = string_at(*d, "code", path, true);
        out.name_vi = string_at(*d, "name_vi", path, true);
        out.name_en = string_at(*d, "name_en", path, true);
        check_keys(*d, path, {"code", "name_vi", "name_en", "options"});
        if (!out.code.empty() && !dis_codes.insert(out.code).second) {
          problem(path + ".code", "duplicate disaggregation code \"" + out.code + "\"");
        }
        std::set<std::string> option_codes;
        if (const json::array* opts = array_at(*d, "options", path + ".options", true)) {
          if (opts->empty()) problem(path + ".options", "a disaggregation needs at least one option");
          for (size_t k = 0; k < opts->size(); ++k) {
            const std::string opath = path + ".options[" + std::to_string(k) + "]";
            const json::object* o = (*opts)[k].if_object();
            if (o == nullptr) {
              problem(opath, "expected an object");
              continue;
            }
            DisaggregationOption option;
            option.code = string_at(*o, "code", opath, true);
            option.name_vi = string_at(*o, "name_vi", opath, true);
            option.name_en = string_at(*o, "name_en", opath, true);
            check_keys(*o, opath, {"code", "name_vi", "name_en"});
            if (!option.code.empty() && !option_codes.insert(option.code).second) {
              problem(opath + ".code", "duplicate option code \"" + option.code + "\"");
            }
            out.options.push_back(std::move(option));
          }
        }
        dis.push_back(std::move(out));
      }
    }
    std::set<std::string> element_codes;
    if (const json::array* arr = array_at(*obj, "elements", "$.elements", true)) {
      for (size_t i = 0; i < arr->size(); ++i) {
        const std::string path = "$.elements[" + std::to_string(i) + "]";
        const json::object* e = (*arr)[i].if_object();
        if (e == nullptr) {
          problem(path, "expected an object");
          continue;
        }
        DataElement out;
        out.code = string_at(*e, "code", path, true);
        out.name_vi = string_at(*e, "name_vi", path, true);
        out.name_en = string_at(*e, "name_en", path, true);
        out.description = string_at(*e, "description", path, false);
        out.disaggregation = string_at(*e, "disaggregation", path, false);
        check_keys(*e, path, {"code", "name_vi", "name_en", "value_type", "aggregation",
                              "disaggregation", "description"});
        if (!out.code.empty() && !element_codes.insert(out.code).second) {
          problem(path + ".code", "duplicate element code \"" + out.code + "\"");
        }
        std::string type = string_at(*e, "value_type", path, true);
        if (!type.empty()) {
          Result<ValueType> t = parse_value_type(type);
          if (t) out.value_type = *t; else problem(path + ".value_type", t.status().message());
        }
        std::string agg = string_at(*e, "aggregation", path, true);
        if (!agg.empty()) {
          Result<AggregationType> a = parse_aggregation(agg);
          if (a) out.aggregation = *a; else problem(path + ".aggregation", a.status().message());
        }
        if (!out.disaggregation.empty() && dis_codes.count(out.disaggregation) == 0) {
          problem(path + ".disaggregation",
                  "unknown disaggregation \"" + out.disaggregation + "\" (declare it under \"disaggregations\")");
        }
        elements.push_back(std::move(out));
      }
    }
  }

 private:
  void problem(std::string path, std::string reason) {
    problems_.add({file_, 0, 0, std::move(path), std::move(reason)});
  }

  void check_keys(const json::object& obj, const std::string& path,
                  std::initializer_list<std::string_view> allowed) {
    for (const auto& [key, value] : obj) {
      if (std::find(allowed.begin(), allowed.end(), std::string_view(key)) == allowed.end()) {
        problem(path + "." + std::string(key), "unknown key");
      }
    }
  }

  std::string string_at(const json::object& obj, std::string_view key, const std::string& path,
                        bool required) {
    const json::value* v = obj.if_contains(key);
    if (v == nullptr) {
      if (required) problem(path + "." + std::string(key), "missing");
      return {};
    }
    const json::string* s = v->if_string();
    if (s == nullptr) {
      problem(path + "." + std::string(key), "expected a string");
      return {};
    }
    if (s->empty() && required) problem(path + "." + std::string(key), "must not be empty");
    return to_nfc(std::string_view(s->data(), s->size()));
  }

  const json::array* array_at(const json::object& obj, std::string_view key, const std::string& path,
                              bool required) {
    const json::value* v = obj.if_contains(key);
    if (v == nullptr) {
      if (required) problem(path, "missing");
      return nullptr;
    }
    if (!v->is_array()) {
      problem(path, "expected an array");
      return nullptr;
    }
    return &v->as_array();
  }

  std::string file_;
  ImportProblems& problems_;
};

}  // namespace

Result<ElementImportResult> import_elements(Store& store, const std::string& path) {
  Result<std::string> content = read_file(path);
  if (!content) return content.status();
  const std::string file = file_name(path);
  ElementImportResult result;
  if (size_t bad = find_invalid_utf8(*content); bad != std::string_view::npos) {
    int64_t line = 1 + std::count(content->begin(), content->begin() + static_cast<long>(bad), '\n');
    result.problems.add({file, line, 0, "", "invalid UTF-8"});
    return result;
  }
  json::stream_parser parser;
  boost::system::error_code ec;
  size_t consumed = parser.write(content->data(), content->size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    size_t offset = std::min(consumed, content->size());
    int64_t line = 1 + std::count(content->begin(), content->begin() + static_cast<long>(offset), '\n');
    size_t line_start = content->rfind('\n', offset == 0 ? 0 : offset - 1);
    int column = static_cast<int>(offset - (line_start == std::string::npos ? 0 : line_start + 1)) + 1;
    result.problems.add({file, line, column, "", "invalid JSON: " + ec.message()});
    return result;
  }
  std::vector<Disaggregation> disaggregations;
  std::vector<DataElement> elements;
  CatalogueReader reader(file, result.problems);
  reader.read(parser.release(), disaggregations, elements);
  if (!result.problems.empty()) return result;
  result.elements = elements.size();
  result.disaggregations = disaggregations.size();
  QPAN_RETURN_IF_ERROR(store.save_catalogue(Catalogue(std::move(disaggregations), std::move(elements))));
  return result;
}

}  // namespace qpan
