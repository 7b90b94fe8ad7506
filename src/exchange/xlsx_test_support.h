// Reads a workbook back for tests with an independent reader (tests/tools/xlsx_cells.py:
// Python's zipfile and XML parser, not libxlsxwriter): one line per cell, "sheet\tcell\tvalue
// \tnumber format".
#pragma once

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace qpan::testing {

inline std::string read_xlsx_cells(const std::string& bytes) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("qpan-xlsx-test-" + std::to_string(::getpid()) + ".xlsx");
  std::ofstream(path, std::ios::binary) << bytes;
  const std::string command = "python3 " QPAN_SOURCE_DIR "/tests/tools/xlsx_cells.py " + path.string() + " 2>&1";
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = ::pclose(pipe);
  std::filesystem::remove(path);
  if (status != 0) return "xlsx_cells.py failed: " + out;
  return out;
}

}  // namespace qpan::testing
