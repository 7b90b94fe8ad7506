// Formatting of import problems (see qpan/exchange.h).
#include "qpan/exchange.h"

namespace qpan {

std::string ImportProblem::to_string() const {
  // A batch's problem names its entry in `field` ("bad.adx:3: value") and has no file.
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  if (!out.empty()) out += ": ";
  if (!field.empty()) out += field + ": ";
  out += reason;
  return out;
}

std::string ImportProblems::to_string() const {
  std::string out;
  for (const ImportProblem& p : shown) out += p.to_string() + "\n";
  if (total > static_cast<int64_t>(shown.size())) {
    out += "… and " + std::to_string(total - static_cast<int64_t>(shown.size())) +
           " more problems\n";
  }
  return out;
}

}  // namespace qpan
