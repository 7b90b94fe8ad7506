// Roles, actions and the authorization policy: which role may take which action, and the
// org-unit scope check (see qpan/accounts.h).
#include <optional>
#include <string>

#include "qpan/accounts.h"

namespace qpan {
namespace {

constexpr uint32_t bit(Action a) { return 1u << static_cast<unsigned>(a); }

// The matrix: the actions each role may take inside its scope.
constexpr uint32_t kRead = bit(Action::kReadData);
constexpr uint32_t kEntry =
    kRead | bit(Action::kWriteData) | bit(Action::kImport) | bit(Action::kSubmit);
constexpr uint32_t kReview =
    kRead | bit(Action::kApprove) | bit(Action::kReturn) | bit(Action::kReadAudit);
constexpr uint32_t kEverything = kEntry | kReview | bit(Action::kLock) | bit(Action::kUnlock) |
                                 bit(Action::kManageUsers) | bit(Action::kManagePack);

constexpr uint32_t allowed_actions(Role role) {
  switch (role) {
    case Role::kCommuneEntry: return kEntry;
    case Role::kDistrictReviewer: return kReview;
    case Role::kProvinceAdmin: return kEverything;
    case Role::kViewer: return kRead;
  }
  return 0;
}

struct ActionText {
  std::string_view name, vi, en;
};

constexpr ActionText action_text(Action action) {
  switch (action) {
    case Action::kReadData: return {"read_data", "xem số liệu", "read data"};
    case Action::kWriteData: return {"write_data", "nhập số liệu", "write data"};
    case Action::kImport: return {"import", "nhập số liệu từ tệp", "import data"};
    case Action::kSubmit: return {"submit", "gửi báo cáo", "submit reports"};
    case Action::kApprove: return {"approve", "duyệt báo cáo", "approve reports"};
    case Action::kReturn: return {"return", "trả lại báo cáo", "return reports"};
    case Action::kReadAudit: return {"read_audit", "xem nhật ký thay đổi", "read the audit trail"};
    case Action::kLock: return {"lock", "khoá kỳ báo cáo", "lock periods"};
    case Action::kUnlock: return {"unlock", "mở khoá kỳ báo cáo", "unlock periods"};
    case Action::kManageUsers: return {"manage_users", "quản lý tài khoản", "manage users"};
    case Action::kManagePack: return {"manage_pack", "quản lý bộ chỉ tiêu", "manage the pack"};
  }
  return {"?", "?", "?"};
}

// The rule of qpan/accounts.h: the scope's unit on `at`, or a lineage predecessor of it
// before that lineage took effect, with everything under either.
bool in_scope(const User& user, std::string_view unit_code, Date at, const OrgUnitIndex& units) {
  if (unit_code.empty()) return false;
  if (user.scope_code == kWholeCountryScope && !units.knows(kWholeCountryScope)) return true;
  const std::optional<UnitLifetime> scope = units.lifetime(user.scope_code, user.scope_at);
  if (!scope) return false;  // the scope names no unit: nothing is within it
  const DateRange day{at, at};
  if (scope->contains(at) && units.is_within(unit_code, user.scope_code, day)) return true;
  if (!scope->from) return false;  // in force since before the records: no predecessors
  for (const LineageStep& step : units.lineage_ancestry(user.scope_code, *scope->from)) {
    if (at < step.edge->effective && units.is_within(unit_code, step.edge->old_code, day)) {
      return true;
    }
  }
  return false;
}

// The account and role checks of authorize(); `unit` is named in the message when given.
Status check_role(const User& user, Action action, std::string_view unit) {
  const ActionText what = action_text(action);
  if (user.disabled) {
    return Status::permission_denied("tài khoản " + user.username +
                                     " đã bị vô hiệu hoá — account " + user.username +
                                     " is disabled");
  }
  if (!role_allows(user.role, action)) {
    const std::string where_vi = unit.empty() ? "" : " cho đơn vị " + std::string(unit);
    const std::string where_en = unit.empty() ? "" : " for unit " + std::string(unit);
    return Status::permission_denied("vai trò " + std::string(role_name_vi(user.role)) + " không được " +
                                     std::string(what.vi) + where_vi + " — role " +
                                     std::string(role_name(user.role)) + " may not " + std::string(what.en) +
                                     where_en);
  }
  return Status::ok();
}

}  // namespace

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kCommuneEntry: return "commune_entry";
    case Role::kDistrictReviewer: return "district_reviewer";
    case Role::kProvinceAdmin: return "province_admin";
    case Role::kViewer: return "viewer";
  }
  return "?";
}

std::string_view role_name_vi(Role role) {
  switch (role) {
    case Role::kCommuneEntry: return "nhập liệu cấp xã";
    case Role::kDistrictReviewer: return "duyệt cấp huyện";
    case Role::kProvinceAdmin: return "quản trị cấp tỉnh";
    case Role::kViewer: return "chỉ xem";
  }
  return "?";
}

Result<Role> parse_role(std::string_view name) {
  std::string valid;
  for (Role r : kAllRoles) {
    if (name == role_name(r)) return r;
    valid += (valid.empty() ? "" : ", ") + std::string(role_name(r));
  }
  return Status::invalid_input("vai trò không hợp lệ \"" + std::string(name) +
                               "\" — unknown role \"" + std::string(name) +
                               "\"; valid roles: " + valid);
}

std::string_view action_name(Action action) { return action_text(action).name; }
std::string_view action_name_vi(Action action) { return action_text(action).vi; }

bool role_allows(Role role, Action action) { return (allowed_actions(role) & bit(action)) != 0; }

std::vector<std::pair<Role, Action>> allowed_role_actions() {
  std::vector<std::pair<Role, Action>> out;
  for (Role r : kAllRoles) {
    for (Action a : kAllActions) {
      if (role_allows(r, a)) out.emplace_back(r, a);
    }
  }
  return out;
}

Status authorize_role(const User& user, Action action) { return check_role(user, action, ""); }

Status authorize(const User& user, Action action, std::string_view unit_code, Date at,
                 const OrgUnitIndex& units) {
  const ActionText what = action_text(action);
  const std::string unit(unit_code);
  QPAN_RETURN_IF_ERROR(check_role(user, action, unit_code));
  const std::string role_vi(role_name_vi(user.role));
  const std::string role_en(role_name(user.role));
  if (!in_scope(user, unit_code, at, units)) {
    const std::string day = format_date(at);
    const std::string scope_day = format_date(user.scope_at);
    return Status::permission_denied(
        "vai trò " + role_vi + ", phạm vi " + user.scope_code + " (ngày " + scope_day +
        "), không được " + std::string(what.vi) + " cho đơn vị " + unit +
        ": ngoài phạm vi ngày " + day + " — role " + role_en + ", scope " + user.scope_code +
        " (at " + scope_day + "), may not " + std::string(what.en) + " for unit " + unit +
        ": outside its scope on " + day);
  }
  return Status::ok();
}

}  // namespace qpan
