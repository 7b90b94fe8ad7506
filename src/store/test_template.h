// Test support: a SQLite database that tests start from (e.g. Vietnam's units and the
// qpan-vn pack: exchange_test_support.h), made once and copied by every later test process. CTest runs each test as a process of
// its own, so a suite's SetUpTestSuite runs once per test: without this, a hundred tests
// would each import the 17,000 units of data/vn-admin again (about 3 s each under the
// sanitizers).
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "qpan/store.h"

namespace qpan::testing {

namespace template_detail {

namespace fs = std::filesystem;

// FNV-1a: a stable 64-bit digest of the template's identity, for its file name.
inline uint64_t digest(std::string_view text, uint64_t h = 14695981039346656037ull) {
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

inline std::string hex(uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = kDigits[v & 15];
  return out;
}

// What a template is made from, as text: the test binary (rebuilt with any change of the
// code that makes it) and every input file, each by path, size and modification time.
inline std::string identity(const std::vector<fs::path>& inputs) {
  std::error_code ignored;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ignored);
  std::string text = exe.string();
  const auto add_file = [&](const fs::path& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return;
    text += "\n" + file.string() + " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
            std::to_string(st.st_mtim.tv_nsec);
  };
  add_file(exe);
  for (const fs::path& input : inputs) {
    if (fs::is_directory(input, ignored)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::recursive_directory_iterator(input, ignored)) {
        if (entry.is_regular_file(ignored)) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      for (const fs::path& file : files) add_file(file);
    } else {
      add_file(input);
    }
  }
  return text;
}

}  // namespace template_detail

// The path of template database `name`, made by `make` from `inputs` (files or folders) the
// first time any process of this test binary asks, under a lock, and kept in the temporary
// folder for the later ones; an older template of the same name and binary is removed when
// a new one is made. Copy the file, never open it. An empty path (and a test failure) when
// `make` failed.
inline std::filesystem::path shared_template(const std::string& name, const std::vector<std::filesystem::path>& inputs,
                                             const std::function<Status(Store&)>& make) {
  namespace fs = std::filesystem;
  using template_detail::digest;
  using template_detail::hex;
  const fs::path folder = fs::temp_directory_path() / ("qpan-test-templates-" + std::to_string(::getuid()));
  std::error_code ignored;
  fs::create_directories(folder, ignored);
  const std::string identity = template_detail::identity(inputs);
  // One name per template and binary (the first line of the identity), one file per identity.
  const std::string stem = name + "-" + hex(digest(identity.substr(0, identity.find('\n')))) + "-";
  const fs::path file = folder / (stem + hex(digest(identity)) + ".db");
  if (fs::exists(file, ignored)) return file;

  const std::string lock_path = (folder / (stem + "lock")).string();
  const int lock = ::open(lock_path.c_str(), O_CREAT | O_RDWR, 0600);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    ADD_FAILURE() << "cannot lock " << lock_path;
    if (lock >= 0) ::close(lock);
    return {};
  }
  Status made = Status::ok();
  if (!fs::exists(file, ignored)) {
    const std::string partial = file.string() + ".partial";
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(partial + suffix, ignored);
    {
      Result<std::unique_ptr<Store>> store = open_sqlite_store(partial, {.create_if_missing = true});
      made = store ? make(**store) : store.status();
    }  // closed: the write-ahead log is copied into the file and removed
    if (made.is_ok() && fs::exists(partial + "-wal", ignored)) made = Status::internal(partial + "-wal left behind");
    if (made.is_ok()) {
      for (const auto& entry : fs::directory_iterator(folder, ignored)) {
        const std::string other = entry.path().filename().string();
        if (other.starts_with(stem) && other.ends_with(".db")) fs::remove(entry.path(), ignored);
      }
      fs::rename(partial, file);
    }
  }
  ::close(lock);  // and with it the lock
  if (!made.is_ok()) {
    ADD_FAILURE() << "template " << name << ": " << made.message();
    return {};
  }
  return file;
}

// Copies template `from` to `to` (a database no store has open), leaving no write-ahead log
// of an earlier database at `to`.
inline void copy_template(const std::filesystem::path& from, const std::filesystem::path& to) {
  namespace fs = std::filesystem;
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(to.string() + suffix);
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
}

}  // namespace qpan::testing
