// Shared by the evaluation and validation tests: the qpan-vn pack read once from the source
// tree, and an expression context answering from values set by hand.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "qpan/expression.h"
#include "qpan/pack.h"
#include "qpan/period.h"

namespace qpan::testing {

inline const Pack& qpan_vn() {
  static const Pack pack = [] {
    Result<PackReadResult> read = read_pack(std::string(QPAN_SOURCE_DIR) + "/packs/qpan-vn");
    EXPECT_TRUE(read.is_ok() && read->pack.has_value());
    return *read->pack;
  }();
  return pack;
}

// Values from a map keyed by element (or element|option), unit and period code.
class FakeContext : public ExpressionContext {
 public:
  void set(const std::string& ref, const std::string& unit, const std::string& period, double value) {
    values_[{ref.find('|') == std::string::npos ? ref + "|" : ref, unit, period}] = value;
  }
  void erase(const std::string& ref, const std::string& unit, const std::string& period) {
    values_.erase({ref + "|", unit, period});
  }
  std::optional<double> value(const ElementRef& ref, std::string_view unit, const Period& period) const override {
    auto it = values_.find({ref.element + "|" + ref.option, std::string(unit), period.code()});
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<std::string> children(std::string_view, const Period&) const override { return {}; }

 private:
  std::map<std::tuple<std::string, std::string, std::string>, double> values_;
};

}  // namespace qpan::testing
