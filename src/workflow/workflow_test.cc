// Tests for the approval workflow on the real units of data/vn-admin and the data sets of
// packs/qpan-vn: the full flow with its history, invalid transitions, role and scope
// refusals, period type and level checks, write refusals for approved and locked forms,
// deadlines and completeness.
#include "qpan/workflow.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "qpan/exchange.h"
#include "qpan/pack.h"
#include "qpan/worklist.h"
#include "exchange/exchange_test_support.h"

namespace qpan {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMonthly = "ds.antt.commune.monthly";  // cut-off, 2 days
constexpr std::string_view kYearly = "ds.antt.commune.yearly";
constexpr std::string_view kTaLeng = "03400";    // Xã Tả Lèng, Huyện Tam Đường (106)
constexpr std::string_view kThenSin = "03394";   // Xã Thèn Sin, same district
constexpr std::string_view kTamDuong = "106";    // Huyện Tam Đường, Tỉnh Lai Châu (12)

int64_t at(std::string_view timestamp) {
  Result<int64_t> t = parse_timestamp(timestamp);
  EXPECT_TRUE(t.is_ok()) << timestamp;
  return t.is_ok() ? *t : 0;
}

User user(std::string name, Role role, std::string scope) {
  User u;
  u.id = 1;
  u.username = std::move(name);
  u.display_name = u.username;
  u.role = role;
  u.scope_code = std::move(scope);
  u.scope_at = make_date(2022, 1, 1);  // the year the tests' forms are about
  return u;
}

class WorkflowTest : public ::testing::Test {
 protected:
  // A database with the real units and the qpan-vn pack, built once per test process; each
  // test works on a copy.
  static fs::path base_dir() {
    return fs::temp_directory_path() / ("qpan-workflow-" + std::to_string(::getpid()));
  }
  static void SetUpTestSuite() {
    fs::remove_all(base_dir());
    fs::create_directories(base_dir());
    const fs::path made = testing::vn_units_and_pack_template();
    ASSERT_FALSE(made.empty());
    testing::copy_template(made, base_dir() / "template.db");
    Result<std::unique_ptr<Store>> store = open_sqlite_store((base_dir() / "template.db").string());
    ASSERT_TRUE(store.is_ok()) << store.status().message();
    Result<OrgUnitIndex> loaded = (*store)->load_org_units();
    ASSERT_TRUE(loaded.is_ok()) << loaded.status().message();
    units_ = new OrgUnitIndex(std::move(*loaded));
  }
  static void TearDownTestSuite() {
    delete units_;
    units_ = nullptr;
    fs::remove_all(base_dir());
  }

  void SetUp() override {
    ASSERT_NE(units_, nullptr);
    db_ = base_dir() / (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".db");
    fs::copy_file(base_dir() / "template.db", db_, fs::copy_options::overwrite_existing);
    Result<std::unique_ptr<Store>> s = open_sqlite_store(db_.string());
    ASSERT_TRUE(s.is_ok()) << s.status().message();
    store_ = std::move(*s);
    Result<std::unique_ptr<Workflow>> w = Workflow::create(*store_);
    ASSERT_TRUE(w.is_ok()) << w.status().message();
    workflow_ = std::move(*w);
  }
  void TearDown() override {
    workflow_.reset();
    store_.reset();
    fs::remove(db_);
  }

  Result<ApprovalRecord> act(const User& actor, ApprovalAction action, std::string_view unit,
                             int64_t now, std::string_view comment = {},
                             std::string_view data_set = kMonthly, Period period = march()) {
    return workflow_->transition(actor, action, data_set, unit, period, comment, *units_, now);
  }
  void must(const User& actor, ApprovalAction action, std::string_view unit, int64_t now,
            std::string_view comment = {}, std::string_view data_set = kMonthly,
            Period period = march()) {
    Result<ApprovalRecord> r = act(actor, action, unit, now, comment, data_set, period);
    ASSERT_TRUE(r.is_ok()) << r.status().message();
  }
  static Period march() { return Period::month(2022, 3); }
  std::string element_of(std::string_view data_set) const {
    const std::shared_ptr<const DataSet> ds = workflow_->find_data_set(data_set);
    EXPECT_NE(ds, nullptr);
    return ds != nullptr && !ds->elements.empty() ? ds->elements.front() : std::string();
  }

  static inline OrgUnitIndex* units_ = nullptr;
  fs::path db_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Workflow> workflow_;

  const User entry_ = user("nhaplieu.taleng", Role::kCommuneEntry, "03400");
  const User reviewer_ = user("duyet.tamduong", Role::kDistrictReviewer, "106");
  const User other_reviewer_ = user("duyet.phongtho", Role::kDistrictReviewer, "105");
  const User admin_ = user("quantri.laichau", Role::kProvinceAdmin, "12");
};

TEST_F(WorkflowTest, NamesRoundTrip) {
  for (ApprovalState s : kAllApprovalStates) {
    EXPECT_EQ(*parse_approval_state(approval_state_name(s)), s);
  }
  for (ApprovalAction a : kAllApprovalActions) {
    EXPECT_EQ(*parse_approval_action(approval_action_name(a)), a);
  }
  EXPECT_EQ(approval_state_name_vi(ApprovalState::kReturned), "bị trả lại");
  EXPECT_EQ(required_action(ApprovalAction::kLock), Action::kLock);
  EXPECT_EQ(parse_approval_state("closed").status().code(), StatusCode::kInvalidInput);
}

TEST_F(WorkflowTest, LoadsTheDataSetsOfThePack) {
  const std::shared_ptr<const DataSet> ds = workflow_->find_data_set(kMonthly);
  ASSERT_NE(ds, nullptr);
  EXPECT_EQ(ds->period_type, PeriodType::kMonth);
  EXPECT_EQ(ds->calendar, Calendar::kCutoff);
  EXPECT_EQ(ds->level, OrgUnitLevel::kCommune);
  EXPECT_EQ(ds->deadline_days, 2);
  EXPECT_EQ(ds->approval, (std::vector<OrgUnitLevel>{OrgUnitLevel::kDistrict, OrgUnitLevel::kProvince}));
  EXPECT_EQ(ds->elements.size(), 32u);
  EXPECT_FALSE(ds->name_vi.empty());
  EXPECT_EQ(workflow_->find_data_set("ds.nothing"), nullptr);
}

TEST_F(WorkflowTest, FullFlowWithHistory) {
  Result<ApprovalRecord> fresh = workflow_->state(kMonthly, kTaLeng, march());
  ASSERT_TRUE(fresh.is_ok()) << fresh.status().message();
  EXPECT_EQ(fresh->state, ApprovalState::kDraft);
  EXPECT_TRUE(fresh->history.empty());

  const int64_t t0 = at("2022-03-10T08:00:00Z");
  Result<ApprovalRecord> r = act(entry_, ApprovalAction::kSubmit, kTaLeng, t0);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->state, ApprovalState::kSubmitted);
  r = act(reviewer_, ApprovalAction::kReturn, kTaLeng, t0 + 100, "  Thiếu số vụ cháy, nổ.\n");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->state, ApprovalState::kReturned);
  EXPECT_EQ(r->comment, "Thiếu số vụ cháy, nổ.");
  r = act(entry_, ApprovalAction::kSubmit, kTaLeng, t0 + 200, "Đã bổ sung");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  r = act(reviewer_, ApprovalAction::kApprove, kTaLeng, t0 + 300);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->state, ApprovalState::kApproved);
  r = act(admin_, ApprovalAction::kLock, kTaLeng, t0 + 400);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->state, ApprovalState::kLocked);
  r = act(admin_, ApprovalAction::kUnlock, kTaLeng, t0 + 500, "Sửa số liệu theo kết luận");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->state, ApprovalState::kApproved);
  EXPECT_EQ(r->changed_by, admin_.username);
  EXPECT_EQ(r->changed_at, t0 + 500);

  // The stored record, read fresh, has every transition in order.
  Result<ApprovalRecord> stored = workflow_->state(kMonthly, kTaLeng, march());
  ASSERT_TRUE(stored.is_ok()) << stored.status().message();
  EXPECT_EQ(stored->state, ApprovalState::kApproved);
  EXPECT_EQ(stored->data_set, kMonthly);
  EXPECT_EQ(stored->unit_code, kTaLeng);
  EXPECT_EQ(stored->period, march());
  using S = ApprovalState;
  using A = ApprovalAction;
  const std::vector<ApprovalEvent> expected = {
      {S::kDraft, S::kSubmitted, A::kSubmit, entry_.username, t0, ""},
      {S::kSubmitted, S::kReturned, A::kReturn, reviewer_.username, t0 + 100, "Thiếu số vụ cháy, nổ."},
      {S::kReturned, S::kSubmitted, A::kSubmit, entry_.username, t0 + 200, "Đã bổ sung"},
      {S::kSubmitted, S::kApproved, A::kApprove, reviewer_.username, t0 + 300, ""},
      {S::kApproved, S::kLocked, A::kLock, admin_.username, t0 + 400, ""},
      {S::kLocked, S::kApproved, A::kUnlock, admin_.username, t0 + 500, "Sửa số liệu theo kết luận"},
  };
  ASSERT_EQ(stored->history.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(i);
    const ApprovalEvent& e = stored->history[i];
    EXPECT_EQ(e.from, expected[i].from);
    EXPECT_EQ(e.to, expected[i].to);
    EXPECT_EQ(e.action, expected[i].action);
    EXPECT_EQ(e.actor, expected[i].actor);
    EXPECT_EQ(e.at, expected[i].at);
    EXPECT_EQ(e.comment, expected[i].comment);
  }

  // An approved form may still be returned by the district.
  r = act(reviewer_, ApprovalAction::kReturn, kTaLeng, t0 + 600, "Sai số liệu");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->state, ApprovalState::kReturned);
  EXPECT_EQ(r->history.size(), 7u);

  // Other forms are untouched.
  Result<ApprovalRecord> other = workflow_->state(kMonthly, kThenSin, march());
  ASSERT_TRUE(other.is_ok());
  EXPECT_EQ(other->state, ApprovalState::kDraft);
  other = workflow_->state(kMonthly, kTaLeng, Period::month(2022, 4));
  ASSERT_TRUE(other.is_ok());
  EXPECT_EQ(other->state, ApprovalState::kDraft);
}

TEST_F(WorkflowTest, InvalidTransitionsNameStateAndAction) {
  const int64_t t0 = at("2022-03-10T08:00:00Z");
  Result<ApprovalRecord> r = act(reviewer_, ApprovalAction::kApprove, kTaLeng, t0);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_NE(r.status().message().find("không thể duyệt khi biểu đang ở trạng thái «đang nhập»"),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("cannot approve a form that is draft"), std::string::npos);
  EXPECT_NE(r.status().message().find("ds.antt.commune.monthly"), std::string::npos);
  EXPECT_NE(r.status().message().find("tháng 3/2022"), std::string::npos);

  must(entry_, ApprovalAction::kSubmit, kTaLeng, t0);
  r = act(admin_, ApprovalAction::kLock, kTaLeng, t0 + 1);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_NE(r.status().message().find("cannot lock a form that is submitted"), std::string::npos)
      << r.status().message();
  r = act(entry_, ApprovalAction::kSubmit, kTaLeng, t0 + 1);
  EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  r = act(admin_, ApprovalAction::kUnlock, kTaLeng, t0 + 1);
  EXPECT_EQ(r.status().code(), StatusCode::kConflict);

  for (std::string_view comment : {std::string_view(), std::string_view(" \n\t ")}) {
    r = act(reviewer_, ApprovalAction::kReturn, kTaLeng, t0 + 2, comment);
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidInput);
    EXPECT_NE(r.status().message().find("needs a comment"), std::string::npos);
  }
  r = act(reviewer_, ApprovalAction::kReturn, kTaLeng, t0 + 2, std::string(2001, 'x'));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidInput);
  r = act(reviewer_, ApprovalAction::kReturn, kTaLeng, t0 + 2, "\xff");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidInput);

  // Nothing of the refused attempts was stored.
  Result<ApprovalRecord> stored = workflow_->state(kMonthly, kTaLeng, march());
  ASSERT_TRUE(stored.is_ok());
  EXPECT_EQ(stored->state, ApprovalState::kSubmitted);
  EXPECT_EQ(stored->history.size(), 1u);

  // The pure transition table.
  EXPECT_EQ(*next_approval_state(ApprovalState::kReturned, ApprovalAction::kSubmit), ApprovalState::kSubmitted);
  EXPECT_EQ(*next_approval_state(ApprovalState::kApproved, ApprovalAction::kReturn), ApprovalState::kReturned);
  EXPECT_FALSE(next_approval_state(ApprovalState::kLocked, ApprovalAction::kReturn).is_ok());
  EXPECT_FALSE(next_approval_state(ApprovalState::kDraft, ApprovalAction::kReturn).is_ok());
  EXPECT_FALSE(next_approval_state(ApprovalState::kLocked, ApprovalAction::kSubmit).is_ok());
}

TEST_F(WorkflowTest, RolesAndScopesDecide) {
  const int64_t t0 = at("2022-03-10T08:00:00Z");
  // A commune may not submit for its neighbour.
  Result<ApprovalRecord> r = act(entry_, ApprovalAction::kSubmit, kThenSin, t0);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().message();
  // A viewer may not submit at all.
  r = act(user("xem", Role::kViewer, "12"), ApprovalAction::kSubmit, kTaLeng, t0);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);

  must(entry_, ApprovalAction::kSubmit, kTaLeng, t0);
  // Commune entry cannot approve its own form.
  r = act(entry_, ApprovalAction::kApprove, kTaLeng, t0 + 1);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("may not approve reports for unit 03400"), std::string::npos) << r.status().message();
  // The reviewer of another district cannot approve or return it.
  r = act(other_reviewer_, ApprovalAction::kApprove, kTaLeng, t0 + 1);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().message();
  r = act(other_reviewer_, ApprovalAction::kReturn, kTaLeng, t0 + 1, "không phải của tôi");
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  // A district reviewer cannot lock.
  must(reviewer_, ApprovalAction::kApprove, kTaLeng, t0 + 2);
  r = act(reviewer_, ApprovalAction::kLock, kTaLeng, t0 + 3);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  // A disabled account can do nothing.
  User disabled = admin_;
  disabled.disabled = true;
  r = act(disabled, ApprovalAction::kLock, kTaLeng, t0 + 3);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  // The province admin can.
  must(admin_, ApprovalAction::kLock, kTaLeng, t0 + 4);

  // Refused before the state is looked at: an outsider learns nothing about it.
  r = act(other_reviewer_, ApprovalAction::kApprove, kTaLeng, t0 + 5);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
}

TEST_F(WorkflowTest, PeriodTypeLevelAndUnitAreChecked) {
  const int64_t t0 = at("2022-03-10T08:00:00Z");
  // A monthly form is approved per month.
  Result<ApprovalRecord> r =
      act(admin_, ApprovalAction::kSubmit, kTaLeng, t0, {}, kMonthly, Period::quarter(2022, 1));
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(r.status().message().find("reports per month, not per quarter"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(workflow_->state(kMonthly, kTaLeng, Period::year(2022)).status().code(),
            StatusCode::kInvalidInput);
  // A commune form is not a district's.
  r = act(admin_, ApprovalAction::kSubmit, kTamDuong, t0);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(r.status().message().find("is for commune units; 106 is a district"), std::string::npos)
      << r.status().message();
  // Unknown data set, unknown unit, a unit no longer in force (Sùng Phài, until Feb 2020).
  EXPECT_EQ(act(admin_, ApprovalAction::kSubmit, kTaLeng, t0, {}, "ds.nothing").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(act(admin_, ApprovalAction::kSubmit, "99999", t0).status().code(), StatusCode::kNotFound);
  r = act(admin_, ApprovalAction::kSubmit, "03397", t0);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("did not exist in March 2022"), std::string::npos)
      << r.status().message();
  // …but its forms of 2019 can still be handled.
  must(admin_, ApprovalAction::kSubmit, "03397", t0, {}, kMonthly, Period::month(2019, 6));
}

TEST_F(WorkflowTest, WritesToApprovedOrLockedFormsAreRefused) {
  const std::string element = element_of(kMonthly);
  const int64_t t0 = at("2022-03-10T08:00:00Z");
  auto refusal = [&](std::string_view code, std::string_view unit, const Period& p) {
    return workflow_->write_refusal(code, unit, p);
  };
  EXPECT_FALSE(refusal(element, kTaLeng, march()));
  must(entry_, ApprovalAction::kSubmit, kTaLeng, t0);
  EXPECT_FALSE(refusal(element, kTaLeng, march())) << "submitted forms may still be corrected";

  must(reviewer_, ApprovalAction::kApprove, kTaLeng, t0 + 1);
  std::optional<std::string> why = refusal(element, kTaLeng, march());
  ASSERT_TRUE(why);
  EXPECT_EQ(*why,
            "Kỳ tháng 3/2022 của biểu ds.antt.commune.monthly cho đơn vị 03400 đã được duyệt; hãy "
            "đề nghị trả lại trước khi sửa — March 2022 of data set ds.antt.commune.monthly for "
            "unit 03400 is approved; ask for it to be returned before changing it");
  // Other units, periods and elements are free.
  EXPECT_FALSE(refusal(element, kThenSin, march()));
  EXPECT_FALSE(refusal(element, kTaLeng, Period::month(2022, 4)));
  EXPECT_FALSE(refusal("no.such.element", kTaLeng, march()));
  // A day value counts in the month of the cut-off calendar: 10 Mar is in month 3, 15 Mar in 4.
  EXPECT_TRUE(refusal(element, kTaLeng, Period::day(make_date(2022, 3, 10))));
  EXPECT_TRUE(refusal(element, kTaLeng, Period::day(make_date(2022, 2, 15))));
  EXPECT_FALSE(refusal(element, kTaLeng, Period::day(make_date(2022, 3, 15))));
  // A longer period is not one form.
  EXPECT_FALSE(refusal(element, kTaLeng, Period::quarter(2022, 1)));

  must(admin_, ApprovalAction::kLock, kTaLeng, t0 + 2);
  why = refusal(element, kTaLeng, march());
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("đã bị khóa; hãy đề nghị mở khóa trước khi sửa"), std::string::npos) << *why;
  EXPECT_NE(why->find("is locked; ask for it to be unlocked"), std::string::npos);

  // A new workflow over the same database knows it too (loaded at creation).
  {
    Result<std::unique_ptr<Workflow>> again = Workflow::create(*store_);
    ASSERT_TRUE(again.is_ok()) << again.status().message();
    EXPECT_TRUE((*again)->write_refusal(element, kTaLeng, march()));
    EXPECT_FALSE((*again)->write_refusal(element, kThenSin, march()));
  }

  must(admin_, ApprovalAction::kUnlock, kTaLeng, t0 + 3);
  why = refusal(element, kTaLeng, march());
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("đã được duyệt"), std::string::npos);
  must(reviewer_, ApprovalAction::kReturn, kTaLeng, t0 + 4, "Cần sửa");
  EXPECT_FALSE(refusal(element, kTaLeng, march())) << "returned forms may be corrected";

  // A monthly value inside an approved year of a yearly data set is refused.
  const std::string yearly = element_of(kYearly);
  must(entry_, ApprovalAction::kSubmit, kTaLeng, t0 + 5, {}, kYearly, Period::year(2022));
  EXPECT_FALSE(refusal(yearly, kTaLeng, march()));
  must(reviewer_, ApprovalAction::kApprove, kTaLeng, t0 + 6, {}, kYearly, Period::year(2022));
  why = refusal(yearly, kTaLeng, march());
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("Kỳ năm 2022 của biểu ds.antt.commune.yearly"), std::string::npos) << *why;
  EXPECT_TRUE(refusal(yearly, kTaLeng, Period::year(2022)));
  EXPECT_FALSE(refusal(yearly, kTaLeng, Period::year(2023)));
}

// Another process approves a form: its entry in the change log reaches this workflow through
// note_state(), and writes are refused from then on; a return opens the form again.
TEST_F(WorkflowTest, StatesNotedFromTheChangeLogCloseAndOpenForms) {
  const std::string element = element_of(kMonthly);
  Result<std::unique_ptr<Workflow>> other = Workflow::create(*store_);
  ASSERT_TRUE(other.is_ok()) << other.status().message();
  const int64_t before = store_->log_end()->seq;
  must(entry_, ApprovalAction::kSubmit, kTaLeng, at("2022-03-10T08:00:00Z"));
  must(reviewer_, ApprovalAction::kApprove, kTaLeng, at("2022-03-10T09:00:00Z"));
  EXPECT_FALSE((*other)->write_refusal(element, kTaLeng, march())) << "not told yet";

  bool noted = false;
  ASSERT_TRUE(store_->read_changes(before, 1000, [&](const Change& c) {
    if (c.kind != ChangeKind::kApproval) return;
    Result<FormKey> form = parse_approval_subject(c.subject);
    ASSERT_TRUE(form.is_ok()) << c.subject;
    (*other)->note_state(form->data_set, form->unit_code, form->period, c.after_text);
    noted = true;
  }).is_ok());
  ASSERT_TRUE(noted);
  EXPECT_TRUE((*other)->write_refusal(element, kTaLeng, march()));
  EXPECT_FALSE((*other)->write_refusal(element, kThenSin, march()));

  (*other)->note_state(kMonthly, std::string(kTaLeng), march().key(), "returned");
  EXPECT_FALSE((*other)->write_refusal(element, kTaLeng, march()));
  // What is not this workflow's is ignored.
  (*other)->note_state("no.such.data.set", std::string(kTaLeng), march().key(), "approved");
  (*other)->note_state(kMonthly, std::string(kTaLeng), march().key(), "no-such-state");
  EXPECT_FALSE((*other)->write_refusal(element, kTaLeng, march()));
}

// A pack loaded since (by any process): reload() swaps the data sets for every caller, with
// the closed forms of the new ones read from the store; snapshots taken before stay as they were.
TEST_F(WorkflowTest, ReloadSwapsTheDataSetsAndTheirClosedForms) {
  const std::string element = element_of(kMonthly);
  const std::vector<DataSet> pack_sets = *workflow_->data_sets();
  DataSet added = *workflow_->find_data_set(kMonthly);
  added.code = "ds.test.monthly";
  std::vector<DataSet> with_added = pack_sets;
  with_added.push_back(added);
  std::vector<DataSet> replaced = with_added;
  std::erase_if(replaced, [](const DataSet& ds) { return ds.code == kMonthly; });

  // The new data set's form is approved by a workflow that has it (another process's).
  Result<std::unique_ptr<Workflow>> other = Workflow::create(*store_, with_added);
  ASSERT_TRUE(other.is_ok()) << other.status().message();
  for (auto [actor, action] : {std::pair{entry_, ApprovalAction::kSubmit}, std::pair{reviewer_, ApprovalAction::kApprove}}) {
    Result<ApprovalRecord> r = (*other)->transition(actor, action, added.code, kTaLeng, march(), {}, *units_,
                                                    at("2022-03-10T08:00:00Z"));
    ASSERT_TRUE(r.is_ok()) << r.status().message();
  }
  // And the pack's monthly form of another commune by this one.
  must(admin_, ApprovalAction::kSubmit, kThenSin, at("2022-03-10T08:00:00Z"));
  must(reviewer_, ApprovalAction::kApprove, kThenSin, at("2022-03-10T09:00:00Z"));
  EXPECT_FALSE(workflow_->write_refusal(element, kTaLeng, march())) << "not this workflow's data set yet";

  const std::shared_ptr<const std::vector<DataSet>> before = workflow_->data_sets();
  const std::shared_ptr<const DataSet> monthly = workflow_->find_data_set(kMonthly);
  ASSERT_TRUE(workflow_->reload(replaced).is_ok());
  std::optional<std::string> why = workflow_->write_refusal(element, kTaLeng, march());
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("biểu ds.test.monthly"), std::string::npos) << *why;
  EXPECT_FALSE(workflow_->write_refusal(element, kThenSin, march())) << "its data set is gone";
  EXPECT_EQ(workflow_->find_data_set(kMonthly), nullptr);
  EXPECT_EQ(workflow_->state(kMonthly, kThenSin, march()).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(workflow_->state(added.code, kTaLeng, march())->state, ApprovalState::kApproved);
  // What was handed out before is unchanged.
  EXPECT_EQ(before->size(), pack_sets.size());
  EXPECT_EQ(monthly->code, kMonthly);

  // Back to the pack in the store: the pack's form is closed again, the test's data set gone.
  ASSERT_TRUE(workflow_->reload().is_ok());
  EXPECT_EQ(workflow_->data_sets()->size(), pack_sets.size());
  EXPECT_EQ(workflow_->find_data_set(added.code), nullptr);
  EXPECT_TRUE(workflow_->write_refusal(element, kThenSin, march()));
  EXPECT_FALSE(workflow_->write_refusal(element, kTaLeng, march()));
  // A transition after the reload is noted under the data sets now.
  must(admin_, ApprovalAction::kLock, kThenSin, at("2022-03-11T08:00:00Z"));
  why = workflow_->write_refusal(element, kThenSin, march());
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("đã bị khóa"), std::string::npos) << *why;
}

TEST_F(WorkflowTest, DeadlinesComeFromThePack) {
  const std::shared_ptr<const DataSet> monthly = workflow_->find_data_set(kMonthly);
  ASSERT_NE(monthly, nullptr);
  // Cut-off month 3/2022 = 15 Feb – 14 Mar 2022, plus 2 days.
  EXPECT_EQ(approval_deadline(*monthly, march()), make_date(2022, 3, 16));
  EXPECT_EQ(approval_deadline(*monthly, Period::month(2022, 1)), make_date(2022, 1, 16));
  const std::shared_ptr<const DataSet> recruit = workflow_->find_data_set("ds.mil.recruit.quarterly");
  ASSERT_NE(recruit, nullptr);
  // Calendar quarter I/2022 ends 31 Mar, plus 10 days.
  EXPECT_EQ(approval_deadline(*recruit, Period::quarter(2022, 1)), make_date(2022, 4, 10));
  // Cut-off year 2022 ends 14 Dec 2022, plus 10 days.
  const std::shared_ptr<const DataSet> yearly = workflow_->find_data_set(kYearly);
  ASSERT_NE(yearly, nullptr);
  EXPECT_EQ(approval_deadline(*yearly, Period::year(2022)), make_date(2022, 12, 24));
}

TEST_F(WorkflowTest, CompletenessListsOnTimeLateAndPending) {
  // Tam Đường had 13 communes in 2022.
  must(entry_, ApprovalAction::kSubmit, kTaLeng, at("2022-03-10T08:00:00Z"));
  // Last second of the deadline day: on time.
  must(admin_, ApprovalAction::kSubmit, "03390", at("2022-03-16T23:59:59Z"));
  must(reviewer_, ApprovalAction::kApprove, "03390", at("2022-03-17T01:00:00Z"));
  // Submitted on time, returned: must submit again.
  must(admin_, ApprovalAction::kSubmit, "03405", at("2022-03-12T08:00:00Z"));
  must(reviewer_, ApprovalAction::kReturn, "03405", at("2022-03-13T08:00:00Z"), "Thiếu chữ ký");

  Result<Completeness> c =
      workflow_->completeness(kMonthly, kTamDuong, march(), *units_, make_date(2022, 3, 16));
  ASSERT_TRUE(c.is_ok()) << c.status().message();
  EXPECT_EQ(c->deadline, make_date(2022, 3, 16));
  ASSERT_EQ(c->units.size(), 13u);
  EXPECT_TRUE(std::is_sorted(c->units.begin(), c->units.end(),
                             [](const CompletenessRow& a, const CompletenessRow& b) {
                               return a.unit_code < b.unit_code;
                             }));
  EXPECT_EQ(c->on_time, 2u);
  EXPECT_EQ(c->late, 0u);
  EXPECT_EQ(c->pending, 11u);
  auto row = [&](std::string_view code) -> const CompletenessRow& {
    auto it = std::find_if(c->units.begin(), c->units.end(),
                           [&](const CompletenessRow& r) { return r.unit_code == code; });
    EXPECT_NE(it, c->units.end()) << code;
    return *it;
  };
  EXPECT_EQ(row(kTaLeng).state, ApprovalState::kSubmitted);
  EXPECT_EQ(row(kTaLeng).status, Timeliness::kOnTime);
  EXPECT_EQ(row(kTaLeng).unit_name, "Xã Tả Lèng");
  EXPECT_EQ(row(kTaLeng).first_submitted_at, at("2022-03-10T08:00:00Z"));
  EXPECT_EQ(row("03390").state, ApprovalState::kApproved);
  EXPECT_EQ(row("03390").status, Timeliness::kOnTime);
  EXPECT_EQ(row("03405").state, ApprovalState::kReturned);
  EXPECT_EQ(row("03405").status, Timeliness::kPending);
  EXPECT_EQ(row("03405").first_submitted_at, at("2022-03-12T08:00:00Z"));
  EXPECT_EQ(row(kThenSin).state, ApprovalState::kDraft);
  EXPECT_FALSE(row(kThenSin).first_submitted_at);
  EXPECT_EQ(row(kThenSin).status, Timeliness::kPending);

  // After the deadline: Thèn Sin submits late; the rest is late for having nothing.
  must(admin_, ApprovalAction::kSubmit, kThenSin, at("2022-03-17T00:00:00Z"));
  c = workflow_->completeness(kMonthly, kTamDuong, march(), *units_, make_date(2022, 3, 20));
  ASSERT_TRUE(c.is_ok()) << c.status().message();
  EXPECT_EQ(c->on_time, 2u);
  EXPECT_EQ(c->late, 11u);
  EXPECT_EQ(c->pending, 0u);
  EXPECT_EQ(row(kThenSin).status, Timeliness::kLate);
  EXPECT_EQ(row(kThenSin).state, ApprovalState::kSubmitted);
  EXPECT_EQ(row("03405").status, Timeliness::kLate);
  EXPECT_EQ(row("03412").status, Timeliness::kLate);
  EXPECT_EQ(row(kTaLeng).status, Timeliness::kOnTime);

  // The province: every commune of Lai Châu, the same four forms among them.
  Result<Completeness> province =
      workflow_->completeness(kMonthly, "12", march(), *units_, make_date(2022, 3, 20));
  ASSERT_TRUE(province.is_ok()) << province.status().message();
  EXPECT_GT(province->units.size(), 13u);
  EXPECT_EQ(province->on_time, 2u);
  EXPECT_EQ(province->late, province->units.size() - 2);

  // Errors.
  EXPECT_EQ(workflow_->completeness(kMonthly, "99999", march(), *units_, make_date(2022, 3, 20))
                .status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(workflow_->completeness(kMonthly, kTamDuong, Period::year(2022), *units_,
                                    make_date(2022, 3, 20)).status().code(),
            StatusCode::kInvalidInput);
  EXPECT_EQ(workflow_->completeness("ds.nothing", kTamDuong, march(), *units_, make_date(2022, 3, 20))
                .status().code(),
            StatusCode::kNotFound);
}

TEST_F(WorkflowTest, StoreRefusesATransitionFromAStaleState) {
  ApprovalEventRow e;
  e.data_set = std::string(kMonthly);
  e.unit_code = std::string(kTaLeng);
  e.period = march().key();
  e.from_state = "submitted";  // the stored state is draft
  e.to_state = "approved";
  e.action = "approve";
  e.actor = "x";
  Result<int64_t> r = store_->record_approval(e);
  EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  e.unit_code = "99999";
  e.from_state = "draft";
  EXPECT_EQ(store_->record_approval(e).status().code(), StatusCode::kNotFound);
  e.unit_code = std::string(kTaLeng);
  e.to_state = "closed";  // not a state: the CHECK constraint refuses it, nothing is kept
  EXPECT_FALSE(store_->record_approval(e).is_ok());
  Result<std::vector<ApprovalEventRow>> events =
      store_->approval_events(kMonthly, kTaLeng, march().key());
  ASSERT_TRUE(events.is_ok());
  EXPECT_TRUE(events->empty());
}

TEST_F(WorkflowTest, WriteRefusalIsSafeDuringTransitions) {
  const std::string element = element_of(kMonthly);
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done) (void)workflow_->write_refusal(element, kTaLeng, march());
  });
  int64_t t = at("2022-03-10T08:00:00Z");
  for (int i = 0; i < 5; ++i) {
    must(entry_, ApprovalAction::kSubmit, kTaLeng, t++);
    must(reviewer_, ApprovalAction::kApprove, kTaLeng, t++);
    must(reviewer_, ApprovalAction::kReturn, kTaLeng, t++, "lần " + std::to_string(i));
  }
  done = true;
  reader.join();
  EXPECT_FALSE(workflow_->write_refusal(element, kTaLeng, march()));
}

// The worklist (qpan/worklist.h): what each role finds waiting on 20 April 2022 — in the
// cut-off calendar, month 5/2022 has begun (15 April), so the monthly form's periods are
// 5/2022, 4/2022 and 3/2022.
namespace worklist_test {

size_t count(const Worklist& w, WorklistItem::Kind kind, std::string_view data_set, std::string_view unit,
             std::string_view period, ApprovalState state) {
  return std::count_if(w.items.begin(), w.items.end(), [&](const WorklistItem& i) {
    return i.kind == kind && i.data_set == data_set && i.unit_code == unit && i.period.code() == period &&
           i.state == state;
  });
}

}  // namespace worklist_test

TEST_F(WorkflowTest, WorklistShowsWhatEachRoleMustDo) {
  using worklist_test::count;
  using Kind = WorklistItem::Kind;
  const Date today = make_date(2022, 4, 20);
  auto list = [&](const User& u) {
    Result<Worklist> w = worklist(*workflow_, u, *units_, today);
    EXPECT_TRUE(w.is_ok()) << w.status().message();
    return w.is_ok() ? *w : Worklist{};
  };

  // The commune: every form of a commune-level data set, three periods each, to submit.
  const std::shared_ptr<const std::vector<DataSet>> sets = workflow_->data_sets();
  const size_t commune_sets = std::count_if(sets->begin(), sets->end(),
                                            [](const DataSet& ds) { return ds.level == OrgUnitLevel::kCommune; });
  const Worklist before = list(entry_);
  EXPECT_EQ(before.total, 3 * commune_sets);
  EXPECT_EQ(count(before, Kind::kToSubmit, kMonthly, kTaLeng, "202205", ApprovalState::kDraft), 1u);
  EXPECT_EQ(count(before, Kind::kToSubmit, kMonthly, kTaLeng, "202203", ApprovalState::kDraft), 1u);
  EXPECT_EQ(count(before, Kind::kToSubmit, kMonthly, kTaLeng, "202202", ApprovalState::kDraft), 0u);
  EXPECT_EQ(before.items.front().status, Timeliness::kLate);  // late first
  EXPECT_TRUE(list(reviewer_).items.empty());  // nothing submitted yet
  EXPECT_TRUE(list(user("xem", Role::kViewer, "12")).items.empty());

  // Submitted: it leaves the commune's list and waits for the district.
  must(entry_, ApprovalAction::kSubmit, kTaLeng, at("2022-03-20T08:00:00Z"));
  EXPECT_EQ(list(entry_).total, 3 * commune_sets - 1);
  const Worklist district = list(reviewer_);
  EXPECT_EQ(district.total, 1u);
  EXPECT_EQ(count(district, Kind::kToReview, kMonthly, kTaLeng, "202203", ApprovalState::kSubmitted), 1u);
  EXPECT_TRUE(list(other_reviewer_).items.empty());  // another district's reviewer

  // Returned: back on the commune's list as returned.
  must(reviewer_, ApprovalAction::kReturn, kTaLeng, at("2022-03-21T08:00:00Z"), "thiếu số liệu ma túy");
  EXPECT_EQ(count(list(entry_), Kind::kToSubmit, kMonthly, kTaLeng, "202203", ApprovalState::kReturned), 1u);
  EXPECT_TRUE(list(reviewer_).items.empty());

  // The cap keeps the first items and counts them all.
  Result<Worklist> capped = worklist(*workflow_, entry_, *units_, today, 3, 2);
  ASSERT_TRUE(capped.is_ok());
  EXPECT_EQ(capped->items.size(), 2u);
  EXPECT_EQ(capped->total, 3 * commune_sets);
}

}  // namespace
}  // namespace qpan
