// An account as both stores' change logs keep it: never its password hash, only that it
// changed. Internal to the store module.
#pragma once

#include <string>

#include <boost/json.hpp>

#include "qpan/account_store.h"
#include "qpan/date.h"

namespace qpan::store_detail {

inline std::string account_json(const AccountRecord& a) {
  return boost::json::serialize(boost::json::object{{"display_name", a.display_name},
                                                    {"role", a.role},
                                                    {"scope", a.scope_code},
                                                    {"scope_at", format_date(a.scope_at)},
                                                    {"disabled", a.disabled}});
}

// The "after" of an account's update: as account_json, and "password_changed": true when the
// hash is not the one before.
inline std::string account_update_json(const AccountRecord& before, const AccountRecord& after) {
  std::string json = account_json(after);
  if (before.password_hash != after.password_hash) {
    json.pop_back();
    json += ",\"password_changed\":true}";
  }
  return json;
}

}  // namespace qpan::store_detail
