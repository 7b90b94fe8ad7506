// The catalogue: the data elements and disaggregations a database knows — the element part
// of the loaded packs and whatever `qpan elements import` added — and the one rule by which
// a reference `code` or `code.option` (expressions, analytics dx items) names an element or
// one disaggregation option of it.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "qpan/data_element.h"
#include "qpan/status.h"

namespace qpan {

// What a reference names: an element's total, or one option of its disaggregation.
struct ElementReference {
  const DataElement* element = nullptr;
  const DisaggregationOption* option = nullptr;  // nullptr: the element's total
};

class Catalogue {
 public:
  Catalogue() = default;
  Catalogue(std::vector<Disaggregation> disaggregations, std::vector<DataElement> elements);

  const std::vector<DataElement>& elements() const { return elements_; }
  const std::vector<Disaggregation>& disaggregations() const { return disaggregations_; }

  const DataElement* element(std::string_view code) const;
  const Disaggregation* disaggregation(std::string_view code) const;
  // The disaggregation of `element`, or nullptr when it has none.
  const Disaggregation* disaggregation_of(const DataElement& element) const;

  // Resolves a reference as written in an expression (`#{…}`) or an analytics dx item. The
  // rule: the whole reference is an element code when the catalogue has that element
  // ("crime.ttxh.cases" — element codes hold dots); otherwise it splits at its last dot into
  // an element code and an option code of that element's disaggregation
  // ("foreign.in.delegations.van_nam"). Option codes hold no dot (the pack checker refuses
  // them), so no reference can be read two ways. Errors name the reference: an unknown
  // element (not_found), an option of an element without disaggregation (invalid_input), an
  // unknown option (not_found, listing the element's options). The pointers point into this
  // catalogue.
  Result<ElementReference> resolve(std::string_view reference) const;
  // The second half of the rule alone: the reference split at its last dot into element and
  // option, whether or not an element has the whole code (the pack checker refuses element
  // codes that would hide an option this way). Errors as for resolve().
  Result<ElementReference> resolve_as_option(std::string_view reference) const;

 private:
  std::vector<Disaggregation> disaggregations_;
  std::vector<DataElement> elements_;
  std::unordered_map<std::string, size_t> element_by_code_;
  std::unordered_map<std::string, size_t> disaggregation_by_code_;
};

}  // namespace qpan
