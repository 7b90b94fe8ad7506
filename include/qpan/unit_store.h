// Where org units and their lineage live (the unit concern of the store; see qpan/store.h).
// Every write call is one transaction.
//
// Thread-safety: an object is used by one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "qpan/org_unit.h"
#include "qpan/status.h"

namespace qpan {

struct UnitImportSummary {
  int64_t versions_added = 0;
  int64_t versions_updated = 0;
  int64_t versions_unchanged = 0;
  int64_t lineage_added = 0;
  int64_t lineage_updated = 0;
  int64_t lineage_unchanged = 0;
};

class UnitStore {
 public:
  virtual ~UnitStore() = default;

  // Adds or updates versions (matched by code and valid_from) and lineage edges, in one
  // transaction.
  virtual Result<UnitImportSummary> save_org_units(const std::vector<OrgUnitVersion>& versions,
                                                   const std::vector<LineageEdge>& lineage) = 0;
  virtual Result<OrgUnitIndex> load_org_units() = 0;
  // Versions whose search key (see search_key()) contains `key_fragment`.
  virtual Result<std::vector<OrgUnitVersion>> search_org_units(std::string_view key_fragment) = 0;
  // code → unit id, for every code that ever existed.
  virtual Result<std::unordered_map<std::string, int64_t>> unit_ids() = 0;
};

}  // namespace qpan
