// Import problems: what is wrong with an input file, named by file, line, column (or JSON
// path) and reason. Every import (units, packs, values) reports these, the first 100 shown
// and the rest counted, and writes nothing when there is any.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qpan {

// One thing wrong with an input file.
struct ImportProblem {
  std::string file;
  int64_t line = 0;    // 1-based; 0 when about the file as a whole
  int column = 0;      // 1-based field number; 0 when about the whole line
  std::string field;   // column name, or a JSON path for JSON files
  std::string reason;
  int64_t entry = -1;  // a batch of entries (not a file): the entry's 0-based index

  // "values.csv:17:3: orgunit: unknown org unit \"99999\""
  std::string to_string() const;
};

// The problems of a rejected import: the first `max_problems` and how many there were.
struct ImportProblems {
  std::vector<ImportProblem> shown;
  int64_t total = 0;
  size_t max_problems = 100;

  void add(ImportProblem p) {
    ++total;
    if (shown.size() < max_problems) shown.push_back(std::move(p));
  }
  // Appends another list's problems after these ones (keeping the cap).
  void merge(const ImportProblems& other) {
    for (const ImportProblem& p : other.shown) add(p);
    total += other.total - static_cast<int64_t>(other.shown.size());
  }
  bool empty() const { return total == 0; }
  // The problems, one per line, then "… and N more problems" when some were not shown.
  std::string to_string() const;
};

}  // namespace qpan
