// The catalogue: the data elements and disaggregations a database knows. Until packs
// exist it is loaded with `qpan elements import`; later it is the pack's element part.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "qpan/data_element.h"

namespace qpan {

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

 private:
  std::vector<Disaggregation> disaggregations_;
  std::vector<DataElement> elements_;
  std::unordered_map<std::string, size_t> element_by_code_;
  std::unordered_map<std::string, size_t> disaggregation_by_code_;
};

}  // namespace qpan
