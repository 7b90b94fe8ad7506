// Shared fixture for exchange tests: a fresh SQLite store in a temporary folder, the real
// administrative units loaded once per test, and helpers to write input files.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "qpan/exchange.h"
#include "qpan/store.h"

namespace qpan::testing {

class ExchangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("qpan-exchange-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Result<std::unique_ptr<Store>> s =
        open_sqlite_store((dir_ / "q.db").string(), {.create_if_missing = true});
    ASSERT_TRUE(s.is_ok()) << s.status().message();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  static std::string vn_admin() { return std::string(QPAN_SOURCE_DIR) + "/data/vn-admin"; }

  void load_real_units() {
    Result<UnitImportResult> r = import_units(*store_, vn_admin());
    ASSERT_TRUE(r.is_ok()) << r.status().message();
    ASSERT_TRUE(r->problems.empty()) << r->problems.to_string();
  }

  std::string write(const std::string& name, const std::string& content) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace qpan::testing
