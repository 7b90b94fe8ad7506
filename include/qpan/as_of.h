// Figures as known at a past time: the aggregation engine built from the store as it is,
// then every value change committed after that time undone from the change log, newest
// first — so an issued report can be reproduced exactly after communes correct figures.
#pragma once

#include <cstdint>
#include <memory>

#include "qpan/aggregation.h"
#include "qpan/status.h"
#include "qpan/store.h"

namespace qpan {

struct AsOfEngine {
  std::unique_ptr<AggregationEngine> engine;
  int64_t position = 0;  // the last entry of the change log the engine holds
};

// The engine as of `at_ms` (Unix milliseconds). Errors: invalid_input when `at_ms` is before
// the log began on a database that held values already, or when units or the catalogue
// changed after `at_ms` (the structure of that time is not rebuilt: refused rather than
// answered with today's structure).
Result<AsOfEngine> build_engine_as_of(Store& store, int64_t at_ms);

}  // namespace qpan
