// Analytics: data elements and indicators rolled up over org units and periods, with the
// dimensions of DHIS2's analytics API — dx (data), ou (organisation unit), pe (period) — and
// its three output shapes: a table for people (Vietnamese), CSV for machines, and DHIS2's
// analytics JSON for dashboards and scripts. Answered by the aggregation engine
// (qpan/aggregation.h), so a value written is in the next answer.
//
// A value belongs to the cell (dx, ou, pe) when its element (and option, for "code.option")
// is dx, its unit is ou or lies under ou in the structure in force in the value's own
// period, and its period lies within pe (a month, quarter, half-year or year inside pe; a
// yearly value is never split into quarters). Values combine by the element's aggregation:
//
//   sum          the sum of the values
//   last         per unit (and option), the value with the latest period within pe; summed
//   average      the mean of the values (rounded to 10 decimal places)
//   count_true   the number of units (and options) whose latest value within pe is true
//   min, max     the smallest / largest value (booleans count as 1 and 0)
//   none         not aggregatable: asking for such an element is an error
//
// Sums are exact for the decimals values are written with; integers stay exact up to 2^53.
// Like DHIS2, a combination without any value gives no cell. An indicator (a pack
// expression over elements, e.g. "mil.recruit.fulfilment" = delivered / quota * 100) is
// evaluated on the aggregates of its unit and period and rounded to its decimals.
//
// Lineage: a unit that did not exist yet during part of pe (a commune of July 2025 asked over
// 2016–2024) rolls up the old units it was formed from; with `structure_at` the ou codes name
// the units in force on that date (a reused code such as province 15 then means the new
// unit). An old commune split over several new ones without a share is not added: the cell
// lists it as unallocated, with its figure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/aggregation.h"
#include "qpan/data_element.h"
#include "qpan/number_format.h"
#include "qpan/pack.h"
#include "qpan/period.h"
#include "qpan/status.h"
#include "qpan/store.h"

namespace qpan {

struct AnalyticsQuery {
  // Element codes; "code.option" selects one disaggregation option, a plain code is the
  // total over all options.
  std::vector<std::string> dx;
  std::vector<std::string> ou;  // org unit codes
  std::vector<Period> pe;
  // Set: ou codes name the units in force on this date (see above).
  std::optional<Date> structure_at;
};

// Builds a query from comma-separated lists as given on a command line or in a URL:
// ("CRIME_SOLVED,CRIME_OCCURRED.drugs", "106,12", "201601..201806,2016Q1"). Empty items
// are ignored. A malformed period is an invalid_input error naming "pe" and the item.
Result<AnalyticsQuery> parse_analytics_query(std::string_view dx, std::string_view ou,
                                             std::string_view pe);

// What a dimension item is, for the metaData of the result.
struct AnalyticsItem {
  std::string code;     // as in the query (periods in their machine form)
  std::string name_vi;  // element (and option) name; unit name in force; period label
  std::string name_en;  // unit names have no English form: the same as name_vi
  // ou items: the codes of the units above it in the structure it was named in, root
  // first ("12", "106" for a commune of Tam Đường); empty for others and for a root.
  std::vector<std::string> ancestors;
};

struct AnalyticsDataItem : AnalyticsItem {
  ValueType value_type = ValueType::kCount;
  AggregationType aggregation = AggregationType::kSum;
  bool indicator = false;  // an indicator: value_type number, rounded to `decimals`
  int decimals = 1;
};

// One (dx, ou, pe) combination that has data.
struct AnalyticsCell {
  size_t dx = 0;  // indices into AnalyticsResult::dx, ou, pe
  size_t ou = 0;
  size_t pe = 0;
  double value = 0;
  ValueType value_type = ValueType::kCount;  // the element's, for formatting
  bool uses_shares = false;                  // split old units counted at user-set shares
  std::vector<UnallocatedPart> unallocated;  // split old units without a share, not counted
};

struct AnalyticsResult {
  // The items of each dimension in query order (repeated items once).
  std::vector<AnalyticsDataItem> dx;
  std::vector<AnalyticsItem> ou;
  std::vector<AnalyticsItem> pe;
  // Ordered by dx, then ou, then pe, each in query order.
  std::vector<AnalyticsCell> cells;
};

// Runs the query on the engine; `indicators` are the dx items that are not elements. User
// errors (invalid_input / not_found) name the dimension and the item: unknown element,
// option or indicator, an element that does not aggregate, unknown unit, a unit not in force
// (nor formed by lineage) during a period, an empty dimension.
Result<AnalyticsResult> run_analytics(const AggregationEngine& engine, const AnalyticsQuery& query,
                                      const std::vector<Indicator>& indicators = {});

// Builds the engine from the store and runs the query with the indicators of the loaded pack
// (read_loaded_pack; one-shot use: the CLI; a server keeps one engine).
Result<AnalyticsResult> run_analytics(Store& store, const AnalyticsQuery& query);

enum class AnalyticsFormat {
  kTable,  // for people: Vietnamese headers, names and number format, aligned columns
  kCsv,    // dx,ou,pe,value with codes and machine-form numbers (and a note column when a
           // cell has split units: "shares" or "unallocated: 03397→03403 12; …")
  kJson,   // the shape of DHIS2's analytics response (headers, metaData, rows, height, width)
};

// The result in one of the formats, ending with a newline.
std::string format_analytics(const AnalyticsResult& result, AnalyticsFormat format);

// How a JSON answer is laid out: DHIS2's request options (qpan/dhis2.h reads them from a
// request). The default is qpan's own answer: columns dx, ou, pe, Vietnamese names, codes.
struct AnalyticsLayout {
  enum class Dimension : uint8_t { kDx, kOu, kPe };
  // The dimensions that are columns of a row, in this order, before the value. A dimension
  // left out is a filter: its single item is in the metaData, not in the rows.
  std::vector<Dimension> columns = {Dimension::kDx, Dimension::kOu, Dimension::kPe};
  bool english = false;       // names in English where an item has one (units have not)
  bool names_as_ids = false;  // rows and metaData.dimensions give names instead of codes
  bool skip_meta = false;     // no metaData
  bool skip_data = false;     // no rows
  bool hierarchy_meta = false;  // metaData.ouHierarchy: each unit's ancestors, "12/106"
  // Per period of the result: the code to answer with instead of its own (DHIS2's
  // "201601B" for qpan's "201601..201602"); empty: their own codes.
  std::vector<std::string> period_codes;
};

// The result as DHIS2's analytics JSON laid out by `layout`, ending with a newline.
// format_analytics(result, kJson) is this with the default layout.
std::string format_analytics_json(const AnalyticsResult& result, const AnalyticsLayout& layout);

// DHIS2's measureCriteria: a cell is kept when its value meets every criterion.
struct MeasureCriterion {
  enum class Operator : uint8_t { kEq, kGt, kGe, kLt, kLe };
  Operator op = Operator::kEq;
  double value = 0;
};
void keep_cells_meeting(AnalyticsResult& result, const std::vector<MeasureCriterion>& criteria);

// The result as an XLSX workbook laid out as the web application shows it: one row per data
// item and unit that has a value, one column per period, Vietnamese names beside the codes,
// numbers stored as numbers; notes on split units under the table. io_error when the
// workbook cannot be written (temporary file).
Result<std::string> analytics_workbook(const AnalyticsResult& result);

}  // namespace qpan
