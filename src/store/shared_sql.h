// SQL that both stores run as it stands, the two dialects reading it alike. Internal to the
// store module.
#pragma once

namespace qpan::store_detail {

// The distinct periods of data_value, ascending. Each step seeks the primary key (period
// first) past the period before: one index probe per period, where SELECT DISTINCT would
// read every value (PostgreSQL 15 has no skip scan of its own).
inline constexpr const char* kStoredPeriodsQuery =
    "WITH RECURSIVE p(period) AS ("
    " SELECT (SELECT period FROM data_value ORDER BY period LIMIT 1)"
    " UNION ALL"
    " SELECT (SELECT period FROM data_value WHERE period > p.period ORDER BY period LIMIT 1) FROM p"
    " WHERE p.period IS NOT NULL) "
    "SELECT period FROM p WHERE period IS NOT NULL";

}  // namespace qpan::store_detail
