// ADX documents (see qpan/exchange.h): values written with libxml2's text writer, and read
// with its streaming reader into entries for the write path.
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <ctime>
#include <memory>
#include <unordered_map>

#include "qpan/exchange.h"

namespace qpan {
namespace {

constexpr std::string_view kAdxNamespace = "urn:ihe:qrph:adx:2015";

const xmlChar* x(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
std::string text_of(const xmlChar* s) { return s == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(s)); }

struct WriterFree {
  void operator()(xmlTextWriter* w) const { xmlFreeTextWriter(w); }
};
struct BufferFree {
  void operator()(xmlBuffer* b) const { xmlBufferFree(b); }
};
struct ReaderFree {
  void operator()(xmlTextReader* r) const { xmlFreeTextReader(r); }
};

// A string libxml2 allocated for the caller, copied and freed.
std::string taken(xmlChar* s) {
  std::string out = text_of(s);
  xmlFree(s);
  return out;
}

}  // namespace

std::string adx_period(const Period& p) {
  const DateRange days = p.dates();
  std::string duration;
  switch (p.type()) {
    case PeriodType::kDay: duration = "P1D"; break;
    case PeriodType::kMonth: duration = "P1M"; break;
    case PeriodType::kQuarter: duration = "P3M"; break;
    case PeriodType::kSixMonth: duration = "P6M"; break;
    case PeriodType::kYear: duration = "P1Y"; break;
    case PeriodType::kFiveYear: duration = "P5Y"; break;
    case PeriodType::kMonthRange: duration = "P" + std::to_string(p.month_count()) + "M"; break;
  }
  return format_date(days.first) + "/" + duration;
}

Result<Period> parse_adx_period(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status::invalid_input("period \"" + std::string(text) + "\": " + std::string(why) +
                                 " (expected the first day and a duration, as 2016-01-01/P1M)");
  };
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return bad("no duration");
  Result<Date> first = parse_date(text.substr(0, slash));
  if (!first) return bad(first.status().message());
  const std::string_view duration = text.substr(slash + 1);
  if (duration.size() < 3 || duration.front() != 'P') return bad("malformed duration");
  int n = 0;
  const char* begin = duration.data() + 1;
  const char* end = duration.data() + duration.size() - 1;
  auto [stop, ec] = std::from_chars(begin, end, n);
  if (ec != std::errc() || stop != end || n < 1) return bad("malformed duration");
  const char unit = duration.back();
  const int year = static_cast<int>(first->year());
  const unsigned month = static_cast<unsigned>(first->month());
  const bool first_of_month = first->day() == std::chrono::day{1};
  Period p = Period::year(year);
  if (unit == 'D' && n == 1) {
    p = Period::day(*first);
  } else if (unit == 'M' && first_of_month && n == 1) {
    p = Period::month(year, month);
  } else if (unit == 'M' && first_of_month && n == 3 && (month - 1) % 3 == 0) {
    p = Period::quarter(year, static_cast<int>((month - 1) / 3 + 1));
  } else if (unit == 'M' && first_of_month && n == 6 && (month - 1) % 6 == 0) {
    p = Period::six_month(year, static_cast<int>((month - 1) / 6 + 1));
  } else if (unit == 'M' && first_of_month) {
    const MonthIndex m = month_index(year, month);
    p = Period::month_range(m, m + n - 1);
  } else if (unit == 'Y' && first_of_month && month == 1 && n == 1) {
    p = Period::year(year);
  } else if (unit == 'Y' && first_of_month && month == 1 && n == 5) {
    p = Period::five_year(year);
  } else {
    return bad("no qpan period starts there with that length");
  }
  return p;
}

Result<int64_t> export_values_adx(Store& store, std::ostream& out, const ValueExportOptions& options,
                                  const Catalogue& catalogue, const std::vector<DataSet>& data_sets) {
  std::unordered_map<std::string, const DataSet*> data_set_of;
  for (const DataSet& d : data_sets) {
    for (const std::string& e : d.elements) data_set_of.try_emplace(e, &d);
  }
  std::unique_ptr<xmlBuffer, BufferFree> buffer(xmlBufferCreate());
  if (!buffer) return Status::internal("libxml2: no buffer");
  std::unique_ptr<xmlTextWriter, WriterFree> w(xmlNewTextWriterMemory(buffer.get(), 0));
  if (!w) return Status::internal("libxml2: no writer");
  xmlTextWriterSetIndent(w.get(), 1);
  xmlTextWriterSetIndentString(w.get(), x("  "));
  bool ok = xmlTextWriterStartDocument(w.get(), "1.0", "UTF-8", nullptr) >= 0 &&
            xmlTextWriterStartElement(w.get(), x("adx")) >= 0 &&
            xmlTextWriterWriteAttribute(w.get(), x("xmlns"), x(std::string(kAdxNamespace).c_str())) >= 0 &&
            xmlTextWriterWriteAttribute(w.get(), x("exported"), x(format_timestamp(std::time(nullptr)).c_str())) >= 0;
  // The values of one unit and period, by data set, written when the unit or period changes.
  struct Pending {
    std::string unit;
    Period period = Period::year(2000);
    std::vector<std::pair<const DataSet*, DataValue>> values;
  } pending;
  int64_t count = 0;
  auto flush_group = [&]() {
    // Groups in the order their data sets first appear among the values.
    std::vector<const DataSet*> order;
    for (const auto& [ds, v] : pending.values) {
      if (std::find(order.begin(), order.end(), ds) == order.end()) order.push_back(ds);
    }
    for (const DataSet* ds : order) {
      ok = ok && xmlTextWriterStartElement(w.get(), x("group")) >= 0 &&
           xmlTextWriterWriteAttribute(w.get(), x("orgUnit"), x(pending.unit.c_str())) >= 0 &&
           xmlTextWriterWriteAttribute(w.get(), x("period"), x(adx_period(pending.period).c_str())) >= 0 &&
           (ds == nullptr || xmlTextWriterWriteAttribute(w.get(), x("dataSet"), x(ds->code.c_str())) >= 0);
      for (const auto& [in, v] : pending.values) {
        if (in != ds) continue;
        ok = ok && xmlTextWriterStartElement(w.get(), x("dataValue")) >= 0 &&
             xmlTextWriterWriteAttribute(w.get(), x("dataElement"), x(v.element.c_str())) >= 0;
        if (!v.option.empty()) {
          const DataElement* e = catalogue.element(v.element);
          const Disaggregation* d = e == nullptr ? nullptr : catalogue.disaggregation_of(*e);
          ok = ok && d != nullptr && xmlTextWriterWriteAttribute(w.get(), x(d->code.c_str()), x(v.option.c_str())) >= 0;
        }
        ok = ok && xmlTextWriterWriteAttribute(w.get(), x("value"), x(v.value.c_str())) >= 0;
        if (!v.comment.empty()) ok = ok && xmlTextWriterWriteElement(w.get(), x("annotation"), x(v.comment.c_str())) >= 0;
        ok = ok && xmlTextWriterEndElement(w.get()) >= 0;
      }
      ok = ok && xmlTextWriterEndElement(w.get()) >= 0;
    }
    pending.values.clear();
    // Large exports go out as they are written, not held whole.
    if (ok && xmlBufferLength(buffer.get()) > (1 << 20)) {
      xmlTextWriterFlush(w.get());
      out.write(reinterpret_cast<const char*>(xmlBufferContent(buffer.get())), xmlBufferLength(buffer.get()));
      xmlBufferEmpty(buffer.get());
    }
  };
  Status status = for_each_exported_value(store, options, [&](const DataValue& v) {
    if (v.org_unit != pending.unit || v.period != pending.period) {
      flush_group();
      pending.unit = v.org_unit;
      pending.period = v.period;
    }
    auto ds = data_set_of.find(v.element);
    pending.values.emplace_back(ds == data_set_of.end() ? nullptr : ds->second, v);
    ++count;
  });
  if (!status) return status;
  flush_group();
  ok = ok && xmlTextWriterEndDocument(w.get()) >= 0;
  if (!ok) return Status::internal("libxml2 could not write the ADX document");
  xmlTextWriterFlush(w.get());
  out.write(reinterpret_cast<const char*>(xmlBufferContent(buffer.get())), xmlBufferLength(buffer.get()));
  out.flush();
  if (!out) return Status::io_error("cannot write the exported values");
  return count;
}

DocumentEntries read_adx(std::string_view document, const std::string& file, const Catalogue& catalogue) {
  DocumentEntries out;
  auto problem = [&](int64_t line, std::string field, std::string reason) {
    out.problems.add({file, line, 0, std::move(field), std::move(reason)});
  };
  auto keep = [&](std::string s) -> std::string_view { return out.texts->emplace_back(std::move(s)); };
  // No network, no external entities or DTD loading; libxml2's limits on depth and sizes hold.
  std::unique_ptr<xmlTextReader, ReaderFree> reader(
      xmlReaderForMemory(document.data(), static_cast<int>(document.size()), file.c_str(), "UTF-8", XML_PARSE_NONET));
  if (!reader || document.size() > static_cast<size_t>(INT32_MAX)) {
    problem(0, "", "cannot read the document");
    return out;
  }
  xmlTextReader* r = reader.get();
  // libxml2's own complaints: kept (the first, with its line) instead of printed.
  struct ParseError {
    xmlTextReader* reader = nullptr;
    int64_t line = 0;
    std::string message;
  } parse_error;
  parse_error.reader = r;
  xmlTextReaderSetErrorHandler(
      r,
      [](void* arg, const char* message, xmlParserSeverities, xmlTextReaderLocatorPtr) {
        auto* e = static_cast<ParseError*>(arg);
        if (!e->message.empty() || message == nullptr) return;
        e->line = xmlTextReaderGetParserLineNumber(e->reader);  // where the parser stopped
        e->message = message;
        while (!e->message.empty() && (e->message.back() == '\n' || e->message.back() == ' ')) e->message.pop_back();
      },
      &parse_error);
  std::string_view org_unit, period;
  bool in_group = false, root_seen = false;
  int result = 0;
  while ((result = xmlTextReaderRead(r)) == 1) {
    const int type = xmlTextReaderNodeType(r);
    const xmlNode* node = xmlTextReaderCurrentNode(r);
    const int64_t line = node != nullptr ? xmlGetLineNo(node) : 0;
    const std::string name = text_of(xmlTextReaderConstLocalName(r));
    if (type == XML_READER_TYPE_END_ELEMENT && name == "group") in_group = false;
    if (type != XML_READER_TYPE_ELEMENT) continue;
    if (!root_seen) {
      root_seen = true;
      if (name != "adx" || text_of(xmlTextReaderConstNamespaceUri(r)) != kAdxNamespace) {
        problem(line, "", "not an ADX document: the root must be <adx xmlns=\"" + std::string(kAdxNamespace) + "\">");
        return out;
      }
      continue;
    }
    if (name == "group") {
      in_group = true;
      const std::string unit = taken(xmlTextReaderGetAttribute(r, x("orgUnit")));
      const std::string adx = taken(xmlTextReaderGetAttribute(r, x("period")));
      org_unit = keep(unit);
      period = {};
      if (unit.empty()) problem(line, "orgUnit", "a group needs its orgUnit");
      if (adx.empty()) {
        problem(line, "period", "a group needs its period");
      } else if (Result<Period> p = parse_adx_period(adx); !p) {
        problem(line, "period", p.status().message());
      } else {
        period = keep(p->code());
      }
      continue;
    }
    if (name == "dataValue") {
      if (!in_group) {
        problem(line, "", "a dataValue outside any group");
        continue;
      }
      EntryText e;
      e.org_unit = org_unit;
      e.period = period;
      std::string option_attribute;
      for (int more = xmlTextReaderMoveToFirstAttribute(r); more == 1; more = xmlTextReaderMoveToNextAttribute(r)) {
        const std::string attribute = text_of(xmlTextReaderConstLocalName(r));
        const std::string_view value = keep(text_of(xmlTextReaderConstValue(r)));
        if (attribute == "dataElement") e.data_element = value;
        else if (attribute == "value") e.value = value;
        else if (attribute == "xmlns") continue;
        else {
          option_attribute = attribute;
          e.option = value;
        }
      }
      xmlTextReaderMoveToElement(r);
      if (!option_attribute.empty()) {
        const DataElement* element = catalogue.element(std::string(e.data_element));
        const Disaggregation* d = element == nullptr ? nullptr : catalogue.disaggregation_of(*element);
        if (element != nullptr && (d == nullptr || d->code != option_attribute)) {
          problem(line, option_attribute,
                  "\"" + option_attribute + "\" is no disaggregation of " + element->code +
                      (d == nullptr ? " (it has none)" : " (its disaggregation is \"" + d->code + "\")"));
        }
      }
      // An annotation child is the comment.
      if (!xmlTextReaderIsEmptyElement(r)) {
        const int depth = xmlTextReaderDepth(r);
        while (xmlTextReaderRead(r) == 1 && xmlTextReaderDepth(r) > depth) {
          if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT && text_of(xmlTextReaderConstLocalName(r)) == "annotation") {
            e.comment = keep(taken(xmlTextReaderReadString(r)));
          }
        }
      }
      out.entries.push_back(e);
      out.positions.push_back(file + ":" + std::to_string(line) + ": ");
      continue;
    }
    problem(line, name, "unknown element <" + name + "> (ADX has group, dataValue and annotation)");
  }
  if (result < 0) problem(parse_error.line, "", "malformed XML: " + (parse_error.message.empty() ? "?" : parse_error.message));
  if (!root_seen && result >= 0) problem(0, "", "the document is empty");
  return out;
}

}  // namespace qpan
