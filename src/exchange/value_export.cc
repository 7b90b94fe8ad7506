// Export of data values as dataValueSets CSV (see qpan/exchange.h).
#include <unordered_map>

#include "exchange/csv.h"
#include "qpan/exchange.h"

namespace qpan {
namespace {

constexpr std::string_view kHeader =
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,"
    "lastupdated,comment,followup\n";

}  // namespace

Result<int64_t> export_values_csv(Store& store, std::ostream& out, const ValueExportOptions& options) {
  ValueFilter filter;
  if (options.period) filter.period_key_ranges = contained_key_ranges(*options.period);

  std::optional<OrgUnitIndex> units;
  if (options.org_unit) {
    Result<OrgUnitIndex> index = store.load_org_units();
    if (!index) return index.status();
    if (!index->knows(*options.org_unit)) {
      return Status::not_found("unknown org unit \"" + *options.org_unit + "\"");
    }
    Result<std::unordered_map<std::string, int64_t>> ids = store.unit_ids();
    if (!ids) return ids.status();
    for (const std::string& code : index->codes_ever_within(*options.org_unit)) {
      auto it = ids->find(code);
      if (it == ids->end()) continue;
      filter.unit_ids.push_back(it->second);
    }
    units = std::move(*index);
  }

  std::string buffer(kHeader);
  int64_t count = 0;
  int64_t last_timestamp = -1;
  std::string last_timestamp_text;
  // Whether a (unit, period) lies under the requested unit, memoised: a form's values
  // share both.
  std::pair<int64_t, int64_t> last_place{-1, -1};
  bool last_place_within = false;
  Status status = store.scan_values(filter, [&](const ValueKey& key, const DataValue& v) {
    if (units) {
      std::pair<int64_t, int64_t> place{key.unit_id, key.period};
      if (place != last_place) {
        last_place = place;
        last_place_within = units->is_within(v.org_unit, *options.org_unit, v.period.dates());
      }
      if (!last_place_within) return;
    }
    csv::append_field(buffer, v.element);
    buffer += ',';
    buffer += v.period.code();
    buffer += ',';
    csv::append_field(buffer, v.org_unit);
    buffer += ',';
    csv::append_field(buffer, v.option);
    buffer += ',';
    csv::append_field(buffer, v.attribute);
    buffer += ',';
    csv::append_field(buffer, v.value);
    buffer += ',';
    csv::append_field(buffer, v.stored_by);
    buffer += ',';
    if (v.last_updated != last_timestamp) {
      last_timestamp = v.last_updated;
      last_timestamp_text = format_timestamp(v.last_updated);
    }
    buffer += last_timestamp_text;
    buffer += ',';
    csv::append_field(buffer, v.comment);
    buffer += v.followup ? ",true\n" : ",false\n";
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
