// Export of data values as dataValueSets CSV (see qpan/exchange.h).
#include <unordered_map>
#include <unordered_set>

#include "exchange/csv.h"
#include "qpan/exchange.h"

namespace qpan {
namespace {

constexpr std::string_view kHeader =
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,"
    "lastupdated,comment,followup\n";

}  // namespace

Status for_each_exported_value(Store& store, const ValueExportOptions& options,
                               const std::function<void(const DataValue&)>& visit) {
  ValueFilter filter;
  if (options.period) filter.period_key_ranges = contained_key_ranges(*options.period);

  std::optional<OrgUnitIndex> loaded;
  const OrgUnitIndex* units = options.units;
  if (options.org_unit) {
    if (units == nullptr) {
      Result<OrgUnitIndex> read = store.load_org_units();
      if (!read) return read.status();
      loaded = std::move(*read);
      units = &*loaded;
    }
    const OrgUnitIndex* index = units;
    if (!index->knows(*options.org_unit)) {
      return Status::not_found("unknown org unit \"" + *options.org_unit + "\"");
    }
    Result<std::unordered_map<std::string, int64_t>> ids = store.unit_ids();
    if (!ids) return ids.status();
    const std::vector<std::string> codes =
        options.descendants ? index->codes_ever_within(*options.org_unit) : std::vector<std::string>{*options.org_unit};
    for (const std::string& code : codes) {
      auto it = ids->find(code);
      if (it == ids->end()) continue;
      filter.unit_ids.push_back(it->second);
    }
    if (filter.unit_ids.empty()) return Status::ok();  // no value was ever stored for it
  }
  const std::unordered_set<std::string> elements(options.elements.begin(), options.elements.end());
  // Whether a (unit, period) lies under the requested unit, memoised: a form's values
  // share both.
  std::pair<int64_t, int64_t> last_place{-1, -1};
  bool last_place_within = false;
  return store.scan_values(filter, [&](const ValueKey& key, const DataValue& v) {
    if (!elements.empty() && !elements.contains(v.element)) return;
    if (options.org_unit && options.descendants) {
      std::pair<int64_t, int64_t> place{key.unit_id, key.period};
      if (place != last_place) {
        last_place = place;
        last_place_within = units->is_within(v.org_unit, *options.org_unit, v.period.dates());
      }
      if (!last_place_within) return;
    }
    visit(v);
  });
}

std::string_view ValueCsvRows::header() { return kHeader; }

void ValueCsvRows::append(std::string& out, const DataValue& v) {
  csv::append_field(out, v.element);
  out += ',';
  out += v.period.code();
  out += ',';
  csv::append_field(out, v.org_unit);
  out += ',';
  csv::append_field(out, v.option);
  out += ',';
  csv::append_field(out, v.attribute);
  out += ',';
  csv::append_field(out, v.value);
  out += ',';
  csv::append_field(out, v.stored_by);
  out += ',';
  if (v.last_updated != last_timestamp_) {
    last_timestamp_ = v.last_updated;
    last_timestamp_text_ = format_timestamp(v.last_updated);
  }
  out += last_timestamp_text_;
  out += ',';
  csv::append_field(out, v.comment);
  out += v.followup ? ",true\n" : ",false\n";
}

Result<int64_t> export_values_csv(Store& store, std::ostream& out, const ValueExportOptions& options) {
  std::string buffer(kHeader);
  int64_t count = 0;
  ValueCsvRows rows;
  Status status = for_each_exported_value(store, options, [&](const DataValue& v) {
    rows.append(buffer, v);
    ++count;
    if (buffer.size() > (1 << 20)) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  });
  if (!status) return status;
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  out.flush();
  if (!out) return Status::io_error("cannot write the exported values");
  return count;
}

}  // namespace qpan
