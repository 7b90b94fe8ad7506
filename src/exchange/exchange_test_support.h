// Shared fixture for exchange tests: a fresh SQLite store in a temporary folder, the real
// administrative units (a copy of a template made once for all the binary's test
// processes), and helpers to write input files.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "qpan/exchange.h"
#include "qpan/pack.h"
#include "qpan/store.h"
#include "store/test_template.h"

namespace qpan::testing {

// Vietnam's units of data/vn-admin.
inline std::filesystem::path vn_units_template() {
  const std::string source = std::string(QPAN_SOURCE_DIR);
  return shared_template("vn-units", {source + "/data/vn-admin"}, [&](Store& store) -> Status {
    Result<UnitImportResult> units = import_units(store, source + "/data/vn-admin");
    if (!units) return units.status();
    if (!units->problems.empty()) return Status::invalid_input("data/vn-admin: " + units->problems.to_string());
    return Status::ok();
  });
}

// Vietnam's units and the qpan-vn pack.
inline std::filesystem::path vn_units_and_pack_template() {
  const std::string source = std::string(QPAN_SOURCE_DIR);
  return shared_template("vn-units-pack", {source + "/data/vn-admin", source + "/packs/qpan-vn"},
                         [&](Store& store) -> Status {
                           Result<UnitImportResult> units = import_units(store, source + "/data/vn-admin");
                           if (!units) return units.status();
                           if (!units->problems.empty()) {
                             return Status::invalid_input("data/vn-admin: " + units->problems.to_string());
                           }
                           Result<PackLoadResult> pack = load_pack(store, source + "/packs/qpan-vn");
                           if (!pack) return pack.status();
                           if (!pack->problems.empty()) {
                             return Status::invalid_input("packs/qpan-vn: " + pack->problems.to_string());
                           }
                           return Status::ok();
                         });
}


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

  // The store becomes a copy of the units' template: call it before writing anything.
  void load_real_units() {
    const std::filesystem::path units = vn_units_template();
    ASSERT_FALSE(units.empty());
    ASSERT_TRUE(store_->log_end().is_ok() && store_->log_end()->seq == 0) << "load_real_units() on a written store";
    const std::filesystem::path db = dir_ / "q.db";
    store_.reset();
    copy_template(units, db);
    Result<std::unique_ptr<Store>> s = open_sqlite_store(db.string());
    ASSERT_TRUE(s.is_ok()) << s.status().message();
    store_ = std::move(*s);
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
