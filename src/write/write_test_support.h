// The fixture of the tests that write through the write path (qpan/value_writer.h): a copy
// of a database with the real units and the qpan-vn pack per test, a writer and a workflow
// on it, accounts of each role around Xã Tả Lèng, and short ways to write, import, read back
// and approve.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "qpan/exchange.h"
#include "qpan/pack.h"
#include "qpan/value_writer.h"
#include "qpan/workflow.h"
#include "exchange/exchange_test_support.h"

namespace qpan::write_test {

namespace fs = std::filesystem;

constexpr int64_t kNow = 1700000000;
constexpr const char* kHeader =
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup\n";

// Xã Tả Lèng (03400) in huyện Tam Đường (106), Lai Châu (12); Phường Duyên Hải (02635) in
// Lào Cai (10). Scopes resolved on a day before the July 2025 merger, as the demo's are.
constexpr Date kScopeAt{std::chrono::year{2020}, std::chrono::January, std::chrono::day{1}};
inline User commune_officer() { return {1, "canbo.xa", "", Role::kCommuneEntry, "03400", kScopeAt, false, kNow}; }
inline User district_reviewer() { return {2, "huyen", "", Role::kDistrictReviewer, "106", kScopeAt, false, kNow}; }
inline User viewer() { return {3, "xem", "", Role::kViewer, "12", kScopeAt, false, kNow}; }

class WriterTest : public ::testing::Test {
 protected:
  // The units and the pack are loaded once into a template database that each test copies.
  static void SetUpTestSuite() {
    template_dir_ = fs::temp_directory_path() / ("qpan-writer-" + std::to_string(::getpid()));
    fs::remove_all(template_dir_);
    fs::create_directories(template_dir_);
    const fs::path made = testing::vn_units_and_pack_template();
    ASSERT_FALSE(made.empty());
    testing::copy_template(made, template_dir_ / "t.db");
  }
  static void TearDownTestSuite() { fs::remove_all(template_dir_); }

  void SetUp() override {
    dir_ = template_dir_ / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(dir_);
    fs::copy_file(template_dir_ / "t.db", dir_ / "q.db");
    store_ = open_sqlite_store((dir_ / "q.db").string()).value();
    workflow_store_ = open_sqlite_store((dir_ / "q.db").string()).value();
    workflow_ = Workflow::create(*workflow_store_).value();
    make_writer(false);
  }
  void TearDown() override {
    writer_.reset();
    fs::remove_all(dir_);
  }

  void make_writer(bool group_commit) {
    writer_.reset();
    ValueWriterOptions options;
    options.clock = [] { return kNow; };
    writer_ = ValueWriter::create(*store_, store_mutex_, *workflow_, group_commit, options).value();
  }

  // Entries as text; the texts live in `texts_`.
  ValueWriter::Entries entries(const Writer& writer, const std::vector<std::vector<std::string>>& rows,
                               std::vector<ExpectedVersion> expected = {}) {
    auto texts = std::make_shared<std::vector<std::vector<std::string>>>(rows);
    ValueWriter::Entries request;
    request.writer = writer;
    for (const std::vector<std::string>& r : *texts) {
      EntryText e;
      e.data_element = r.at(0);
      e.period = r.at(1);
      e.org_unit = r.at(2);
      e.option = r.at(3);
      e.value = r.at(4);
      request.entries.push_back(e);
    }
    request.expected = std::move(expected);
    request.source = "test";
    request.storage = texts;
    if (rows.size() > 1) request.position = [](size_t i) { return "dataValues[" + std::to_string(i) + "]."; };
    return request;
  }

  WriteOutcome write(ValueWriter::Entries request) {
    std::promise<Result<WriteOutcome>> result;
    writer_->write(std::move(request), [&](Result<WriteOutcome> outcome) { result.set_value(std::move(outcome)); });
    Result<WriteOutcome> outcome = result.get_future().get();
    EXPECT_TRUE(outcome.is_ok()) << outcome.status().message();
    return outcome.is_ok() ? std::move(*outcome) : WriteOutcome{};
  }

  WriteOutcome import(const Writer& writer, const std::string& body) {
    const std::string path = (dir_ / "values.csv").string();
    std::ofstream(path, std::ios::binary) << kHeader << body;
    Result<WriteOutcome> outcome = writer_->import_file(writer, path, "values.csv");
    EXPECT_TRUE(outcome.is_ok()) << outcome.status().message();
    return outcome.is_ok() ? std::move(*outcome) : WriteOutcome{};
  }

  std::optional<DataValue> stored(const std::string& element, const std::string& period, const std::string& unit) {
    EntryText e;
    e.data_element = element;
    e.period = period;
    e.org_unit = unit;
    const ValueKey key = writer_->key_of(e).value();
    std::lock_guard lock(store_mutex_);
    return store_->find_value(key).value();
  }

  void approve(const std::string& unit, const std::string& period) {
    const OrgUnitIndex units = store_->load_org_units().value();
    const Period p = Period::parse(period).value();
    User officer = commune_officer();
    officer.scope_code = unit;
    ASSERT_TRUE(workflow_->transition(officer, ApprovalAction::kSubmit, "ds.antt.commune.monthly", unit, p, "", units, kNow).is_ok());
    ASSERT_TRUE(workflow_->transition(district_reviewer(), ApprovalAction::kApprove, "ds.antt.commune.monthly", unit, p, "",
                                      units, kNow).is_ok());
  }

  static inline fs::path template_dir_;
  fs::path dir_;
  std::unique_ptr<Store> store_, workflow_store_;
  std::unique_ptr<Workflow> workflow_;
  std::mutex store_mutex_;
  std::unique_ptr<ValueWriter> writer_;
};

}  // namespace qpan::write_test
