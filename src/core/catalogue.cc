// Lookup structure over elements and disaggregations, and reference resolution (see
// qpan/catalogue.h).
#include "qpan/catalogue.h"

namespace qpan {

Catalogue::Catalogue(std::vector<Disaggregation> disaggregations, std::vector<DataElement> elements)
    : disaggregations_(std::move(disaggregations)), elements_(std::move(elements)) {
  for (size_t i = 0; i < elements_.size(); ++i) element_by_code_[elements_[i].code] = i;
  for (size_t i = 0; i < disaggregations_.size(); ++i) {
    disaggregation_by_code_[disaggregations_[i].code] = i;
  }
}

const DataElement* Catalogue::element(std::string_view code) const {
  auto it = element_by_code_.find(std::string(code));
  return it == element_by_code_.end() ? nullptr : &elements_[it->second];
}

const Disaggregation* Catalogue::disaggregation(std::string_view code) const {
  auto it = disaggregation_by_code_.find(std::string(code));
  return it == disaggregation_by_code_.end() ? nullptr : &disaggregations_[it->second];
}

const Disaggregation* Catalogue::disaggregation_of(const DataElement& element) const {
  return element.disaggregation.empty() ? nullptr : disaggregation(element.disaggregation);
}

Result<ElementReference> Catalogue::resolve(std::string_view reference) const {
  if (const DataElement* whole = element(reference)) return ElementReference{whole, nullptr};
  return resolve_as_option(reference);
}

Result<ElementReference> Catalogue::resolve_as_option(std::string_view reference) const {
  const auto quoted = [](std::string_view s) { return "\"" + std::string(s) + "\""; };
  const size_t dot = reference.rfind('.');
  const DataElement* named = nullptr;
  if (dot != std::string_view::npos && dot + 1 < reference.size()) named = element(reference.substr(0, dot));
  if (named == nullptr) return Status::not_found("unknown data element " + quoted(reference));
  const std::string_view option_code = reference.substr(dot + 1);
  const Disaggregation* disaggregation = disaggregation_of(*named);
  if (disaggregation == nullptr) {
    return Status::invalid_input("data element " + quoted(named->code) + " has no disaggregation, so no option " +
                                 quoted(option_code));
  }
  const DisaggregationOption* option = disaggregation->option(option_code);
  if (option == nullptr) {
    std::string known;
    for (const DisaggregationOption& o : disaggregation->options) known += (known.empty() ? "" : ", ") + o.code;
    return Status::not_found("data element " + quoted(named->code) + " has no option " + quoted(option_code) +
                             " (its options: " + known + ")");
  }
  return ElementReference{named, option};
}

}  // namespace qpan
