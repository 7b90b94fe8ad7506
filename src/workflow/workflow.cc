// The approval workflow: states and transitions, the stored forms with their events, the
// in-memory set of approved and locked forms that refuses writes, deadlines and completeness.
#include "qpan/workflow.h"

#include <boost/json.hpp>

#include <algorithm>
#include <map>

#include "qpan/text.h"

namespace qpan {
namespace {

namespace json = boost::json;

constexpr size_t kMaxCommentCharacters = 2000;
constexpr int64_t kSecondsPerDay = 86400;

struct Names {
  std::string_view name, vi, en;
};

Names state_names(ApprovalState s) {
  switch (s) {
    case ApprovalState::kDraft: return {"draft", "đang nhập", "draft"};
    case ApprovalState::kSubmitted: return {"submitted", "đã gửi", "submitted"};
    case ApprovalState::kApproved: return {"approved", "đã duyệt", "approved"};
    case ApprovalState::kReturned: return {"returned", "bị trả lại", "returned"};
    case ApprovalState::kLocked: return {"locked", "đã khóa", "locked"};
  }
  return {"?", "?", "?"};
}

Names action_names(ApprovalAction a) {
  switch (a) {
    case ApprovalAction::kSubmit: return {"submit", "gửi", "submit"};
    case ApprovalAction::kApprove: return {"approve", "duyệt", "approve"};
    case ApprovalAction::kReturn: return {"return", "trả lại", "return"};
    case ApprovalAction::kLock: return {"lock", "khóa", "lock"};
    case ApprovalAction::kUnlock: return {"unlock", "mở khóa", "unlock"};
  }
  return {"?", "?", "?"};
}

std::string_view period_type_vi(PeriodType t) {
  switch (t) {
    case PeriodType::kDay: return "ngày";
    case PeriodType::kMonth: return "tháng";
    case PeriodType::kQuarter: return "quý";
    case PeriodType::kSixMonth: return "6 tháng";
    case PeriodType::kYear: return "năm";
    case PeriodType::kFiveYear: return "giai đoạn 5 năm";
    case PeriodType::kMonthRange: return "khoảng tháng";
  }
  return "?";
}

std::string_view level_vi(OrgUnitLevel l) {
  switch (l) {
    case OrgUnitLevel::kProvince: return "tỉnh";
    case OrgUnitLevel::kDistrict: return "huyện";
    case OrgUnitLevel::kCommune: return "xã";
    case OrgUnitLevel::kVillage: return "thôn";
    case OrgUnitLevel::kAgency: return "cơ quan";
  }
  return "?";
}


// The period of type `type` that `p` lies in, counting days by `calendar`; nullopt when `p`
// is longer than such a period or straddles two (or the type has no fixed grid).
std::optional<Period> enclosing_period(const Period& p, PeriodType type, Calendar calendar) {
  if (p.type() == type) return p;
  MonthIndex first = 0, last = 0;
  if (p.type() == PeriodType::kDay) {
    const Date d = p.dates().first;
    MonthIndex m = month_index(static_cast<int>(d.year()), static_cast<unsigned>(d.month()));
    // Cut-off month M runs from the 15th of M-1 to the 14th of M.
    if (calendar == Calendar::kCutoff && static_cast<unsigned>(d.day()) >= 15) ++m;
    first = last = m;
  } else {
    first = p.first_month();
    last = p.last_month();
  }
  if (year_of(first) != year_of(last)) return std::nullopt;
  const int year = year_of(first);
  switch (type) {
    case PeriodType::kMonth:
      if (first != last) return std::nullopt;
      return Period::month(year, month_of(first));
    case PeriodType::kQuarter: {
      const int q = (month_of(first) - 1) / 3;
      if (q != (month_of(last) - 1) / 3) return std::nullopt;
      return Period::quarter(year, q + 1);
    }
    case PeriodType::kSixMonth: {
      const int h = (month_of(first) - 1) / 6;
      if (h != (month_of(last) - 1) / 6) return std::nullopt;
      return Period::six_month(year, h + 1);
    }
    case PeriodType::kYear: return Period::year(year);
    case PeriodType::kDay:
    case PeriodType::kFiveYear:
    case PeriodType::kMonthRange: return std::nullopt;
  }
  return std::nullopt;
}

// "biểu X, đơn vị Y, kỳ Z" / "data set X, unit Y, Z" for messages.
std::string form_vi(std::string_view data_set, std::string_view unit, const Period& period) {
  return "biểu " + std::string(data_set) + ", đơn vị " + std::string(unit) + ", kỳ " + period.label_vi();
}
std::string form_en(std::string_view data_set, std::string_view unit, const Period& period) {
  return "data set " + std::string(data_set) + ", unit " + std::string(unit) + ", " + period.label_en();
}

Status with_form(const Status& s, std::string_view data_set, std::string_view unit,
                 const Period& period) {
  return {s.code(), form_vi(data_set, unit, period) + ": " + s.message() + " (" +
                        form_en(data_set, unit, period) + ")"};
}

}  // namespace

std::string_view approval_state_name(ApprovalState state) { return state_names(state).name; }
std::string_view approval_state_name_vi(ApprovalState state) { return state_names(state).vi; }

Result<ApprovalState> parse_approval_state(std::string_view name) {
  for (ApprovalState s : kAllApprovalStates) {
    if (name == approval_state_name(s)) return s;
  }
  return Status::invalid_input("trạng thái không hợp lệ \"" + std::string(name) +
                               "\" — invalid state; expected draft, submitted, approved, "
                               "returned or locked");
}

std::string_view approval_action_name(ApprovalAction action) { return action_names(action).name; }

Result<ApprovalAction> parse_approval_action(std::string_view name) {
  for (ApprovalAction a : kAllApprovalActions) {
    if (name == approval_action_name(a)) return a;
  }
  return Status::invalid_input("thao tác không hợp lệ \"" + std::string(name) +
                               "\" — invalid action; expected submit, approve, return, lock "
                               "or unlock");
}

Action required_action(ApprovalAction action) {
  switch (action) {
    case ApprovalAction::kSubmit: return Action::kSubmit;
    case ApprovalAction::kApprove: return Action::kApprove;
    case ApprovalAction::kReturn: return Action::kReturn;
    case ApprovalAction::kLock: return Action::kLock;
    case ApprovalAction::kUnlock: return Action::kUnlock;
  }
  return Action::kManagePack;  // unreachable; the strictest action
}

Result<ApprovalState> next_approval_state(ApprovalState from, ApprovalAction action) {
  using S = ApprovalState;
  std::optional<S> to;
  switch (action) {
    case ApprovalAction::kSubmit:
      if (from == S::kDraft || from == S::kReturned) to = S::kSubmitted;
      break;
    case ApprovalAction::kApprove:
      if (from == S::kSubmitted) to = S::kApproved;
      break;
    case ApprovalAction::kReturn:
      if (from == S::kSubmitted || from == S::kApproved) to = S::kReturned;
      break;
    case ApprovalAction::kLock:
      if (from == S::kApproved) to = S::kLocked;
      break;
    case ApprovalAction::kUnlock:
      if (from == S::kLocked) to = S::kApproved;
      break;
  }
  if (to) return *to;
  const Names a = action_names(action);
  const Names s = state_names(from);
  return Status::conflict("không thể " + std::string(a.vi) + " khi biểu đang ở trạng thái «" +
                          std::string(s.vi) + "» — cannot " + std::string(a.en) +
                          " a form that is " + std::string(s.en));
}

Date approval_deadline(const DataSet& data_set, const Period& period) {
  return add_days(period.dates(data_set.calendar).last, data_set.deadline_days);
}

Date form_decision_day(const DataSet& data_set, const OrgUnitVersion& unit, const Period& period) {
  const Date last = period.dates(data_set.calendar).last;
  return unit.valid_until && *unit.valid_until <= last ? add_days(*unit.valid_until, -1) : last;
}

std::string_view timeliness_name(Timeliness t) {
  switch (t) {
    case Timeliness::kOnTime: return "on_time";
    case Timeliness::kLate: return "late";
    case Timeliness::kPending: return "pending";
  }
  return "?";
}

std::string_view timeliness_name_vi(Timeliness t) {
  switch (t) {
    case Timeliness::kOnTime: return "đúng hạn";
    case Timeliness::kLate: return "chậm";
    case Timeliness::kPending: return "chưa đến hạn";
  }
  return "?";
}

// ---- Workflow ------------------------------------------------------------------------------

Result<std::unique_ptr<Workflow>> Workflow::create(Store& store, std::vector<DataSet> data_sets) {
  std::unique_ptr<Workflow> workflow(new Workflow(store));
  QPAN_RETURN_IF_ERROR(workflow->reload(std::move(data_sets)));
  return workflow;
}

Result<std::unique_ptr<Workflow>> Workflow::create(Store& store) {
  std::unique_ptr<Workflow> workflow(new Workflow(store));
  QPAN_RETURN_IF_ERROR(workflow->reload());
  return workflow;
}

Status Workflow::reload(std::vector<DataSet> data_sets) {
  std::lock_guard store_lock(store_mutex_);
  return replace_forms(std::move(data_sets));
}

Status Workflow::reload() {
  // The pack and the closed forms read under one hold of the store: no transition of this
  // workflow commits between them and the swap.
  std::lock_guard store_lock(store_mutex_);
  Result<Pack> pack = read_loaded_pack(store_);
  if (!pack) return pack.status();
  return replace_forms(std::move(pack->data_sets));
}

std::shared_ptr<const Workflow::Forms> Workflow::index_forms(std::vector<DataSet> data_sets) {
  auto forms = std::make_shared<Forms>();
  forms->data_sets = std::move(data_sets);
  for (uint32_t i = 0; i < forms->data_sets.size(); ++i) {
    forms->by_code.emplace(forms->data_sets[i].code, i);
    for (const std::string& e : forms->data_sets[i].elements) forms->by_element[e].push_back(i);
  }
  return forms;
}

Status Workflow::replace_forms(std::vector<DataSet> data_sets) {
  std::shared_ptr<const Forms> forms = index_forms(std::move(data_sets));
  Result<std::vector<ApprovalRow>> rows = store_.approvals_in_states(
      {std::string(approval_state_name(ApprovalState::kApproved)),
       std::string(approval_state_name(ApprovalState::kLocked))});
  if (!rows) return rows.status();
  ClosedByUnit closed;
  for (const ApprovalRow& r : *rows) {
    auto ds = forms->by_code.find(r.data_set);
    if (ds == forms->by_code.end()) continue;  // a data set the pack no longer has
    Result<ApprovalState> state = parse_approval_state(r.state);
    if (!state) return Status::internal("stored approval state \"" + r.state + "\" is unknown");
    remember_in(closed, ds->second, r.unit_code, r.period, *state);
  }
  std::unique_lock lock(closed_mutex_);
  forms_ = std::move(forms);
  closed_ = std::move(closed);
  return Status::ok();
}

std::shared_ptr<const Workflow::Forms> Workflow::forms() const {
  std::shared_lock lock(closed_mutex_);
  return forms_;
}

std::shared_ptr<const std::vector<DataSet>> Workflow::data_sets() const {
  std::shared_ptr<const Forms> forms = this->forms();
  return {forms, &forms->data_sets};
}

std::shared_ptr<const DataSet> Workflow::find_data_set(std::string_view code) const {
  std::shared_ptr<const Forms> forms = this->forms();
  auto it = forms->by_code.find(code);
  if (it == forms->by_code.end()) return nullptr;
  return {forms, &forms->data_sets[it->second]};
}

void Workflow::remember_in(ClosedByUnit& closed, uint32_t data_set, const std::string& unit_code, int64_t period,
                           ApprovalState state) {
  const ClosedKey key{data_set, period};
  if (state == ApprovalState::kApproved || state == ApprovalState::kLocked) {
    closed[unit_code][key] = state;
    return;
  }
  auto unit = closed.find(unit_code);
  if (unit == closed.end()) return;
  unit->second.erase(key);
  if (unit->second.empty()) closed.erase(unit);
}

void Workflow::remember(std::string_view data_set, const std::string& unit_code, int64_t period,
                        ApprovalState state) {
  std::unique_lock lock(closed_mutex_);
  auto it = forms_->by_code.find(data_set);
  if (it != forms_->by_code.end()) remember_in(closed_, it->second, unit_code, period, state);
}

void Workflow::note_state(std::string_view data_set, const std::string& unit_code, int64_t period_key,
                          std::string_view state) {
  Result<ApprovalState> parsed = parse_approval_state(state);
  if (parsed) remember(data_set, unit_code, period_key, *parsed);
}

Result<uint32_t> Workflow::check_form(const Forms& forms, std::string_view data_set, const Period& period) {
  auto it = forms.by_code.find(data_set);
  if (it == forms.by_code.end()) {
    return Status::not_found("không có biểu " + std::string(data_set) + " — no data set " +
                             std::string(data_set));
  }
  const DataSet& ds = forms.data_sets[it->second];
  if (period.type() != ds.period_type) {
    return Status::invalid_input(
        "biểu " + ds.code + " báo cáo theo " + std::string(period_type_vi(ds.period_type)) +
        ", không theo " + std::string(period_type_vi(period.type())) + " (kỳ " + period.code() +
        ") — data set " + ds.code + " reports per " +
        std::string(period_type_name(ds.period_type)) + ", not per " +
        std::string(period_type_name(period.type())) + " (period " + period.code() + ")");
  }
  return it->second;
}

Result<ApprovalRecord> Workflow::read_record(const DataSet& ds, std::string_view unit_code,
                                             const Period& period) {
  ApprovalRecord record;
  record.data_set = ds.code;
  record.unit_code = std::string(unit_code);
  record.period = period;
  Result<std::optional<ApprovalRow>> row = store_.find_approval(ds.code, unit_code, period.key());
  if (!row) return row.status();
  if (!row->has_value()) return record;
  Result<ApprovalState> state = parse_approval_state((*row)->state);
  if (!state) return Status::internal("stored approval state \"" + (*row)->state + "\" is unknown");
  record.state = *state;
  record.changed_by = (*row)->changed_by;
  record.changed_at = (*row)->changed_at;
  record.comment = (*row)->comment;
  Result<std::vector<ApprovalEventRow>> events = store_.approval_events(ds.code, unit_code, period.key());
  if (!events) return events.status();
  for (const ApprovalEventRow& e : *events) {
    Result<ApprovalState> from = parse_approval_state(e.from_state);
    Result<ApprovalState> to = parse_approval_state(e.to_state);
    Result<ApprovalAction> action = parse_approval_action(e.action);
    if (!from || !to || !action) {
      return Status::internal("stored approval event " + std::to_string(e.id) + " is unreadable");
    }
    record.history.push_back({*from, *to, *action, e.actor, e.at, e.comment});
  }
  return record;
}

Result<ApprovalRecord> Workflow::state(std::string_view data_set, std::string_view unit_code,
                                       const Period& period) {
  const std::shared_ptr<const Forms> forms = this->forms();
  Result<uint32_t> index = check_form(*forms, data_set, period);
  if (!index) return index.status();
  std::lock_guard store_lock(store_mutex_);
  return read_record(forms->data_sets[*index], unit_code, period);
}

Result<const OrgUnitVersion*> Workflow::form_unit(std::string_view data_set, std::string_view unit_code,
                                                  const Period& period, const OrgUnitIndex& units) const {
  Result<FormSubject> subject = form_subject(data_set, unit_code, period, units);
  if (!subject) return subject.status();
  return subject->unit;
}

Result<Workflow::FormSubject> Workflow::form_subject(std::string_view data_set, std::string_view unit_code,
                                                     const Period& period, const OrgUnitIndex& units) const {
  const std::shared_ptr<const Forms> forms = this->forms();
  Result<uint32_t> index = check_form(*forms, data_set, period);
  if (!index) return index.status();
  const DataSet& ds = forms->data_sets[*index];
  Result<const OrgUnitVersion*> unit = unit_of_form(ds, unit_code, period, units);
  if (!unit) return unit.status();
  return FormSubject{std::shared_ptr<const DataSet>(forms, &ds), *unit};
}

Result<const OrgUnitVersion*> Workflow::unit_of_form(const DataSet& ds, std::string_view unit_code,
                                                     const Period& period, const OrgUnitIndex& units) {
  // The unit as it was during the period (its last version then).
  std::vector<const OrgUnitVersion*> versions = units.during(unit_code, period.dates(ds.calendar));
  if (versions.empty()) {
    const std::string unit(unit_code);
    if (!units.knows(unit_code)) {
      return Status::not_found("không có đơn vị mã " + unit + " — no unit with code " + unit);
    }
    return Status::not_found("đơn vị " + unit + " không tồn tại trong kỳ " + period.label_vi() +
                             " — unit " + unit + " did not exist in " + period.label_en());
  }
  const OrgUnitVersion& unit = *versions.back();
  if (unit.level != ds.level) {
    return Status::invalid_input(
        "biểu " + ds.code + " dành cho cấp " + std::string(level_vi(ds.level)) + "; " +
        unit.name + " (" + unit.code + ") là cấp " + std::string(level_vi(unit.level)) +
        " — data set " + ds.code + " is for " + std::string(level_name(ds.level)) +
        " units; " + unit.code + " is a " + std::string(level_name(unit.level)));
  }
  return &unit;
}

Result<ApprovalRecord> Workflow::transition(const User& actor, ApprovalAction action,
                                            std::string_view data_set, std::string_view unit_code,
                                            const Period& period, std::string_view comment,
                                            const OrgUnitIndex& units, int64_t now) {
  const std::shared_ptr<const Forms> forms = this->forms();
  Result<uint32_t> index = check_form(*forms, data_set, period);
  if (!index) return index.status();
  const DataSet& ds = forms->data_sets[*index];

  Result<const OrgUnitVersion*> found = unit_of_form(ds, unit_code, period, units);
  if (!found) return found.status();
  const OrgUnitVersion& unit = **found;
  QPAN_RETURN_IF_ERROR(authorize(actor, required_action(action), unit_code, form_decision_day(ds, unit, period), units));

  if (find_invalid_utf8(comment) != std::string_view::npos) {
    return Status::invalid_input("nhận xét không phải UTF-8 hợp lệ — the comment is not valid UTF-8");
  }
  std::string note = to_nfc(comment);
  const auto not_space = [](unsigned char c) { return c != ' ' && c != '\t' && c != '\n' && c != '\r'; };
  const auto first = std::find_if(note.begin(), note.end(), not_space);
  const auto last = std::find_if(note.rbegin(), note.rend(), not_space).base();
  note = first < last ? std::string(first, last) : std::string();
  if (action == ApprovalAction::kReturn && note.empty()) {
    return Status::invalid_input("trả lại biểu cần có nhận xét nêu lý do — returning a form needs a "
                                 "comment saying why");
  }
  size_t characters = 0;
  for (unsigned char c : note) characters += (c & 0xC0) != 0x80;
  if (characters > kMaxCommentCharacters) {
    return Status::invalid_input("nhận xét dài quá " + std::to_string(kMaxCommentCharacters) +
                                 " ký tự — the comment is longer than " +
                                 std::to_string(kMaxCommentCharacters) + " characters");
  }

  std::lock_guard store_lock(store_mutex_);
  Result<ApprovalRecord> current = read_record(ds, unit_code, period);
  if (!current) return current.status();
  Result<ApprovalState> next = next_approval_state(current->state, action);
  if (!next) return with_form(next.status(), ds.code, unit_code, period);
  ApprovalEventRow event;
  event.data_set = ds.code;
  event.unit_code = std::string(unit_code);
  event.period = period.key();
  event.from_state = std::string(approval_state_name(current->state));
  event.to_state = std::string(approval_state_name(*next));
  event.action = std::string(approval_action_name(action));
  event.actor = actor.username;
  event.at = now;
  event.comment = note;
  Result<int64_t> recorded = store_.record_approval(event);
  if (!recorded) {
    if (recorded.status().code() == StatusCode::kConflict) {
      return with_form(recorded.status(), ds.code, unit_code, period);
    }
    return recorded.status();
  }
  remember(ds.code, event.unit_code, event.period, *next);
  return read_record(ds, unit_code, period);
}

std::optional<Period> form_period(const DataSet& data_set, const Period& value_period) {
  return enclosing_period(value_period, data_set.period_type, data_set.calendar);
}

std::optional<std::string> Workflow::write_refusal(std::string_view element_code,
                                                   std::string_view unit_code,
                                                   const Period& period) const {
  std::shared_lock lock(closed_mutex_);
  if (closed_.empty()) return std::nullopt;
  auto unit = closed_.find(unit_code);
  if (unit == closed_.end()) return std::nullopt;
  auto sets = forms_->by_element.find(element_code);
  if (sets == forms_->by_element.end()) return std::nullopt;
  for (uint32_t i : sets->second) {
    const DataSet& ds = forms_->data_sets[i];
    std::optional<Period> form = enclosing_period(period, ds.period_type, ds.calendar);
    if (!form) continue;
    auto closed = unit->second.find(ClosedKey{i, form->key()});
    if (closed == unit->second.end()) continue;
    const bool locked = closed->second == ApprovalState::kLocked;
    const std::string u(unit_code);
    return "Kỳ " + form->label_vi() + " của biểu " + ds.code + " cho đơn vị " + u +
           (locked ? " đã bị khóa; hãy đề nghị mở khóa trước khi sửa"
                   : " đã được duyệt; hãy đề nghị trả lại trước khi sửa") +
           " — " + form->label_en() + " of data set " + ds.code + " for unit " + u +
           (locked ? " is locked; ask for it to be unlocked before changing it"
                   : " is approved; ask for it to be returned before changing it");
  }
  return std::nullopt;
}

Result<Completeness> Workflow::completeness(std::string_view data_set, std::string_view parent_code,
                                            const Period& period, const OrgUnitIndex& units,
                                            Date today) {
  const std::shared_ptr<const Forms> forms = this->forms();
  Result<uint32_t> index = check_form(*forms, data_set, period);
  if (!index) return index.status();
  const DataSet& ds = forms->data_sets[*index];
  const DateRange dates = period.dates(ds.calendar);
  const bool whole_country = parent_code == kWholeCountryScope && !units.knows(parent_code);
  if (!whole_country && units.during(parent_code, dates).empty()) {
    const std::string parent(parent_code);
    return Status::not_found("không có đơn vị mã " + parent + " trong kỳ " + period.label_vi() +
                             " — no unit " + parent + " in " + period.label_en());
  }

  // The units due: each code once, with its last version during the period.
  std::map<std::string, const OrgUnitVersion*, std::less<>> due;
  for (const OrgUnitVersion& v : units.versions()) {
    if (v.level != ds.level || !v.overlaps(dates)) continue;
    auto [it, added] = due.try_emplace(v.code, &v);
    if (!added) {
      if (v.valid_from && (!it->second->valid_from || *it->second->valid_from < *v.valid_from)) {
        it->second = &v;
      }
      continue;
    }
    if (!whole_country && !units.is_within(v.code, parent_code, dates)) due.erase(it);
  }

  Completeness out;
  out.data_set = ds.code;
  out.parent_code = std::string(parent_code);
  out.period = period;
  out.deadline = approval_deadline(ds, period);
  std::vector<ApprovalRow> rows;
  std::unordered_map<std::string, int64_t> first_submitted;
  {
    std::lock_guard store_lock(store_mutex_);
    Result<std::vector<ApprovalRow>> stored = store_.approvals(ds.code, period.key());
    if (!stored) return stored.status();
    rows = std::move(*stored);
    Result<std::unordered_map<std::string, int64_t>> first = store_.first_approval_times(
        ds.code, period.key(), approval_state_name(ApprovalState::kSubmitted));
    if (!first) return first.status();
    first_submitted = std::move(*first);
  }
  std::unordered_map<std::string_view, ApprovalState> states;
  for (const ApprovalRow& r : rows) {
    Result<ApprovalState> s = parse_approval_state(r.state);
    if (!s) return Status::internal("stored approval state \"" + r.state + "\" is unknown");
    states.emplace(r.unit_code, *s);
  }

  // A submission is on time up to the end of the deadline day (UTC).
  const int64_t deadline_end = (static_cast<int64_t>(to_days(out.deadline)) + 1) * kSecondsPerDay;
  const bool deadline_passed = out.deadline < today;
  for (const auto& [code, version] : due) {
    CompletenessRow row;
    row.unit_code = code;
    row.unit_name = version->name;
    if (auto s = states.find(code); s != states.end()) row.state = s->second;
    if (auto f = first_submitted.find(code); f != first_submitted.end()) row.first_submitted_at = f->second;
    const bool submitted = row.state == ApprovalState::kSubmitted ||
                           row.state == ApprovalState::kApproved ||
                           row.state == ApprovalState::kLocked;
    if (submitted) {
      row.status = row.first_submitted_at && *row.first_submitted_at < deadline_end
                       ? Timeliness::kOnTime
                       : Timeliness::kLate;
    } else {
      row.status = deadline_passed ? Timeliness::kLate : Timeliness::kPending;
    }
    switch (row.status) {
      case Timeliness::kOnTime: ++out.on_time; break;
      case Timeliness::kLate: ++out.late; break;
      case Timeliness::kPending: ++out.pending; break;
    }
    out.units.push_back(std::move(row));
  }
  return out;
}

}  // namespace qpan
