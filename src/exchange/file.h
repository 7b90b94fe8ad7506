// Reading whole input files and writing whole output files, with errors that name the file.
#pragma once

#include <string>
#include <string_view>

#include "qpan/status.h"

namespace qpan {

// The whole content of `path`. A missing file is kNotFound, other failures kIoError.
Result<std::string> read_file(const std::string& path);

// Writes `bytes` to `path` whole or not at all: into a temporary file in the same folder,
// flushed to disk, then renamed over `path` — a reader never sees half a workbook, and a
// failed write leaves what was there.
Status write_file_atomically(const std::string& path, std::string_view bytes);

// A read-only view of a whole file, memory-mapped: a national import reads a gigabyte
// without copying it. Falls back to reading for what cannot be mapped (pipes).
class MappedFile {
 public:
  static Result<MappedFile> open(const std::string& path);
  MappedFile(MappedFile&& o) noexcept;
  MappedFile& operator=(MappedFile&&) = delete;
  MappedFile(const MappedFile&) = delete;
  ~MappedFile();

  std::string_view text() const { return text_; }

 private:
  MappedFile() = default;
  void* map_ = nullptr;
  size_t size_ = 0;
  std::string fallback_;
  std::string_view text_;
};

// The last component of a path ("data/values.csv" → "values.csv").
std::string file_name(const std::string& path);

}  // namespace qpan
