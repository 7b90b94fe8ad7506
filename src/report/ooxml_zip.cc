// Zip packages written in memory with libzip (see ooxml_zip.h).
#include "report/ooxml_zip.h"

#include <zip.h>

#include <cstdio>
#include <ctime>
#include <memory>

namespace qpan {
namespace {

// 2020-01-01: any fixed time will do; a part's time says nothing about the report.
constexpr std::time_t kPartTime = 1577836800;

struct SourceFree {
  void operator()(zip_source_t* s) const { zip_source_free(s); }
};
struct ArchiveDiscard {
  void operator()(zip_t* z) const { zip_discard(z); }
};

Status zip_failure(std::string_view what, zip_error_t* error) {
  return Status::internal("writing the zip package: " + std::string(what) + ": " + zip_error_strerror(error));
}

}  // namespace

Result<std::string> write_zip(const std::vector<ZipEntry>& entries) {
  zip_error_t error;
  zip_error_init(&error);
  struct ErrorFini {
    zip_error_t* e;
    ~ErrorFini() { zip_error_fini(e); }
  } fini{&error};

  // The archive writes into this buffer source; kept so it outlives zip_close.
  std::unique_ptr<zip_source_t, SourceFree> target(zip_source_buffer_create(nullptr, 0, 0, &error));
  if (!target) return zip_failure("creating the buffer", &error);
  zip_source_keep(target.get());
  std::unique_ptr<zip_t, ArchiveDiscard> archive(zip_open_from_source(target.get(), ZIP_TRUNCATE, &error));
  if (!archive) return zip_failure("opening the archive", &error);

  for (const ZipEntry& entry : entries) {
    // The entry's bytes are read at zip_close, while `entries` is still alive.
    zip_source_t* part = zip_source_buffer(archive.get(), entry.bytes.data(), entry.bytes.size(), 0);
    if (part == nullptr) return zip_failure(entry.name, zip_get_error(archive.get()));
    const zip_int64_t index = zip_file_add(archive.get(), entry.name.c_str(), part, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(part);
      return zip_failure(entry.name, zip_get_error(archive.get()));
    }
    const auto i = static_cast<zip_uint64_t>(index);
    if (zip_set_file_compression(archive.get(), i, ZIP_CM_DEFLATE, 0) != 0 ||
        zip_file_set_mtime(archive.get(), i, kPartTime, 0) != 0) {
      return zip_failure(entry.name, zip_get_error(archive.get()));
    }
  }
  if (zip_close(archive.get()) != 0) return zip_failure("closing the archive", zip_get_error(archive.get()));
  archive.release();  // zip_close freed it

  if (zip_source_open(target.get()) != 0) return zip_failure("reading it back", zip_source_error(target.get()));
  std::string bytes;
  char buffer[64 * 1024];
  for (;;) {
    const zip_int64_t n = zip_source_read(target.get(), buffer, sizeof buffer);
    if (n < 0) {
      zip_source_close(target.get());
      return zip_failure("reading it back", zip_source_error(target.get()));
    }
    if (n == 0) break;
    bytes.append(buffer, static_cast<size_t>(n));
  }
  zip_source_close(target.get());
  return bytes;
}

}  // namespace qpan
