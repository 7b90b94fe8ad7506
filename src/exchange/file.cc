// Whole-file reads for the importers and whole-file writes for the exporters (see file.h).
#include "exchange/file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace qpan {

Status write_file_atomically(const std::string& path, std::string_view bytes) {
  const std::filesystem::path target(path);
  const std::filesystem::path folder = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  std::string temporary = (folder / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) return Status::io_error(path + ": cannot write in " + folder.string() + ": " + std::strerror(errno));
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  const int saved_errno = errno;
  const bool complete = written == bytes.size() && ::fsync(fd) == 0;
  ::fchmod(fd, 0644);
  ::close(fd);
  if (!complete || std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int why = complete ? errno : saved_errno;
    std::remove(temporary.c_str());
    return Status::io_error(path + ": cannot write: " + std::strerror(why));
  }
  return Status::ok();
}

Result<std::string> read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::invalid_input(path + ": is a folder, expected a file");
  }
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    if (errno == ENOENT) return Status::not_found(path + ": no such file");
    return Status::io_error(path + ": cannot open: " + std::strerror(errno));
  }
  std::string content;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec) content.resize(size);
  size_t got = ec ? 0 : std::fread(content.data(), 1, content.size(), f);
  if (ec) {
    // Not a regular file (a pipe): read until the end.
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) content.append(buf, n);
    got = content.size();
  }
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed || got != content.size()) return Status::io_error(path + ": read failed");
  return content;
}

Result<MappedFile> MappedFile::open(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::invalid_input(path + ": is a folder, expected a file");
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::not_found(path + ": no such file");
    return Status::io_error(path + ": cannot open: " + std::strerror(errno));
  }
  struct stat st {};
  MappedFile file;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    void* map = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (map != MAP_FAILED) {
      ::madvise(map, static_cast<size_t>(st.st_size), MADV_SEQUENTIAL | MADV_WILLNEED);
      file.map_ = map;
      file.size_ = static_cast<size_t>(st.st_size);
      file.text_ = std::string_view(static_cast<const char*>(map), file.size_);
    }
  }
  ::close(fd);
  if (file.map_ == nullptr) {
    Result<std::string> content = read_file(path);
    if (!content) return content.status();
    file.fallback_ = std::move(*content);
    file.text_ = file.fallback_;
  }
  return file;
}

MappedFile::MappedFile(MappedFile&& o) noexcept
    : map_(std::exchange(o.map_, nullptr)),
      size_(std::exchange(o.size_, 0)),
      fallback_(std::move(o.fallback_)) {
  text_ = map_ != nullptr ? std::string_view(static_cast<const char*>(map_), size_)
                          : std::string_view(fallback_);
  o.text_ = {};
}

MappedFile::~MappedFile() {
  if (map_ != nullptr) ::munmap(map_, size_);
}

std::string file_name(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

}  // namespace qpan
