// Lookup structure over elements and disaggregations (see qpan/catalogue.h).
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

}  // namespace qpan
