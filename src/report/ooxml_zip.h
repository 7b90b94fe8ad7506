// The zip container of Office Open XML packages, built in memory with libzip: the parts in
// the order given ([Content_Types].xml first, as readers that stream the package expect),
// deflated, with one fixed modification time so the same document gives the same bytes.
#pragma once

#include <string>
#include <vector>

#include "qpan/status.h"

namespace qpan {

struct ZipEntry {
  std::string name;   // the part's name in the package: "word/document.xml"
  std::string bytes;
};

// The zip file's bytes; internal when libzip fails (it only fails for lack of memory here).
Result<std::string> write_zip(const std::vector<ZipEntry>& entries);

}  // namespace qpan
