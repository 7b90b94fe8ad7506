// A registry record's fields as both stores keep them: one JSON object of machine-form texts,
// written in the fields' order, and a never-changed record's creation entry. Internal to the
// store module.
#pragma once

#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "qpan/registry.h"
#include "qpan/status.h"
#include "qpan/text.h"

namespace qpan::store_detail {

inline std::string fields_json(const RecordFields& fields) {
  std::string out = "{";
  for (const auto& [code, value] : fields) {
    if (out.size() > 1) out += ',';
    append_json_string(out, code);
    out += ':';
    append_json_string(out, value);
  }
  out += '}';
  return out;
}

inline Status read_fields(std::string_view text, RecordFields& fields) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return Status::internal("stored record fields are not a JSON object");
  for (const auto& [key, value] : v.as_object()) {
    if (!value.is_string()) return Status::internal("stored record field is not text");
    fields.emplace(std::string(key), std::string(value.as_string()));
  }
  return Status::ok();
}

// The audit entry of a record never changed since: its creation, the record as stored.
inline RecordAuditEntry creation_entry(const RegistryRecord& record) {
  RecordAuditEntry e;
  e.action = RecordAuditAction::kCreate;
  e.state = record;
  e.changed_by = record.created_by;
  e.changed_at = record.created_at;
  return e;
}

}  // namespace qpan::store_detail
