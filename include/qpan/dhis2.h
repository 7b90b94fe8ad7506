// DHIS2's Web API vocabulary translated into qpan's, for the clients users already have
// (DHIS2's own apps and libraries, scripts written against DHIS2): its period forms and
// relative periods, and analytics requests — `dimension=dx:a;b`, `filter=ou:…`, USER_ORGUNIT,
// LEVEL-n, startDate/endDate and the layout options — read into an analytics query and a
// layout (qpan/analytics.h). Codes stand in for DHIS2's UIDs everywhere.
//
// What qpan cannot answer the DHIS2 way is refused by name (invalid_input), never ignored:
// weekly periods (qpan's figures are monthly), relative financial years, tableLayout,
// includeNumDen, several units or data items in one filter.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/analytics.h"
#include "qpan/data_element.h"
#include "qpan/date.h"
#include "qpan/org_unit.h"
#include "qpan/period.h"
#include "qpan/status.h"

namespace qpan {

// A period of a DHIS2 request: what qpan answers and the code DHIS2 named it by.
struct Dhis2Period {
  Period period;
  std::string code;  // "201601B" for the months 201601..201602; qpan's own code otherwise
};

// One pe item: qpan's forms (Period::parse), DHIS2's bi-months ("201601B") and financial
// years ("2016April", "2016July", "2016Oct", "2016Nov": twelve months from that month), and
// the relative periods — THIS_/LAST_MONTH, LAST_3/6/12_MONTHS, MONTHS_THIS/LAST_YEAR,
// THIS_/LAST_BIMONTH, LAST_6_BIMONTHS, BIMONTHS_THIS_YEAR, THIS_/LAST_QUARTER,
// LAST_4_QUARTERS, QUARTERS_THIS/LAST_YEAR, THIS_/LAST_SIX_MONTH, LAST_2_SIXMONTHS,
// THIS_/LAST_YEAR, LAST_5_YEARS, LAST_10_YEARS — counted back from `today` as DHIS2 does
// (LAST_12_MONTHS: the twelve months before today's). invalid_input naming the item
// otherwise.
Result<std::vector<Dhis2Period>> resolve_dhis2_period(std::string_view item, Date today);

// All values of one query parameter, in order (a parameter may repeat).
using QueryParameters = std::function<std::vector<std::string>(std::string_view name)>;

// Who asks and when, for the items that depend on it.
struct Dhis2RequestContext {
  const OrgUnitIndex* units = nullptr;
  std::vector<std::string> user_units;  // USER_ORGUNIT: the account's scope
  Date today{};                          // relative periods count from here
};

// An analytics request read: the query to run, how to lay out its answer, and the cells
// to keep.
struct Dhis2AnalyticsRequest {
  AnalyticsQuery query;
  AnalyticsLayout layout;
  std::vector<MeasureCriterion> measure_criteria;
};

// Reads DHIS2's analytics parameters:
//   dimension  repeated or comma-separated "dx:a;b", "ou:12;LEVEL-3", "pe:THIS_YEAR;2016"
//              — their order is the order of the answer's columns;
//   filter     the same, for dimensions that are not columns (one unit or data item; the
//              periods of a filter must follow one another and are answered as one);
//   ou items   codes, USER_ORGUNIT, USER_ORGUNIT_CHILDREN, USER_ORGUNIT_GRANDCHILDREN,
//              LEVEL-n (n = 1 province … 4 village, or the level's name: LEVEL-commune)
//              expanding under the codes given with it (the user's units when none), in
//              the structure in force on the last day of the latest period (or
//              structureAt);
//   startDate, endDate  instead of pe: whole months (first day … last day), one period;
//   relativePeriodDate  the day relative periods count from (default: today);
//   skipMeta, skipData, hierarchyMeta, displayProperty (NAME, SHORTNAME), outputIdScheme
//   (UID, ID, CODE: codes; NAME), locale / language (en: English names), measureCriteria
//   ("GE:10;LT:50"), structureAt (qpan's: codes of that day's structure).
// Without an ou dimension or filter the user's units are asked. Errors are invalid_input
// naming the parameter and the item.
Result<Dhis2AnalyticsRequest> read_dhis2_analytics_request(const QueryParameters& parameters,
                                                           const Dhis2RequestContext& context);

// ---- Metadata -----------------------------------------------------------------------------

// DHIS2's names of qpan's types: "INTEGER_ZERO_OR_POSITIVE", "NUMBER", "BOOLEAN", …;
// "SUM", "LAST", "AVERAGE", …; "Monthly", "Quarterly", "SixMonthly", "Yearly" (a five-year
// term and a month range have none: empty).
std::string_view dhis2_value_type(ValueType type);
std::string_view dhis2_aggregation_type(AggregationType type);
std::string_view dhis2_period_type(PeriodType type);
// The period types qpan answers in DHIS2's analytics, as /api/periodTypes lists them.
boost::json::array dhis2_period_types();

// A metadata list request: filter=property:operator[:value] (eq, !eq, ne, like, !like,
// ilike, !ilike, $like, like$, in:[a,b], !in, gt, ge, lt, le, null, !null; on a top-level
// property or "parent.id"), rootJunction=AND|OR, fields (names, "name[…]" kept whole, "*"
// or ":all" for everything; default "id,displayName"), paging=false, page, pageSize
// (default 50).
struct Dhis2MetadataQuery {
  struct Filter {
    std::string property;  // "level", "parent.id"
    std::string op;
    std::string value;
  };
  std::vector<Filter> filters;
  bool any_filter = false;  // rootJunction=OR
  std::vector<std::string> fields;  // empty: all
  bool paging = true;
  int64_t page = 1;
  int64_t page_size = 50;
};
Result<Dhis2MetadataQuery> read_dhis2_metadata_query(const QueryParameters& parameters);

// `{resource: [objects filtered, paged, with the fields asked], pager}`, as DHIS2 lists
// metadata (`pager` only when paging). A filter on a property an object lacks does not hold.
boost::json::object dhis2_metadata_list(std::string_view resource, const std::vector<boost::json::object>& objects,
                                        const Dhis2MetadataQuery& query);

}  // namespace qpan
