// Where the catalogue (disaggregations, data elements) and the loaded packs' definitions
// live (the catalogue concern of the store; see qpan/store.h). Every write call is one
// transaction.
//
// Thread-safety: an object is used by one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "qpan/catalogue.h"
#include "qpan/pack.h"
#include "qpan/status.h"

namespace qpan {

class CatalogueStore {
 public:
  virtual ~CatalogueStore() = default;

  // Adds or updates disaggregations and elements by code, in one transaction. Ids in the
  // argument are ignored; load_catalogue() returns them.
  virtual Status save_catalogue(const Catalogue& catalogue) = 0;
  virtual Result<Catalogue> load_catalogue() = 0;

  // The version of a loaded pack (nullopt when never loaded); the codes of the elements it
  // defined.
  virtual Result<std::optional<std::string>> loaded_pack_version(const std::string& pack_code) = 0;
  virtual Result<std::vector<std::string>> pack_element_codes(const std::string& pack_code) = 0;
  // Saves a checked pack in one transaction: catalogue (elements marked as the pack's),
  // data sets, indicators, rules and definitions (replacing the pack's previous ones), and
  // removes `removed_elements` (which the caller checked have no values).
  virtual Status save_pack(const Pack& pack, const std::vector<std::string>& removed_elements,
                           int64_t loaded_at) = 0;
  // Stored definitions of one kind ("data_sets", "indicators", "validation_rules",
  // "evaluation_sets", "registries", "report_templates") as JSON text, by code.
  virtual Result<std::vector<PackDefinition>> pack_definitions(const std::string& kind) = 0;
};

}  // namespace qpan
