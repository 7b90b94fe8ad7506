// The values resource of the API: one value read with its ETag, one value written (PUT with
// If-Match), a batch (dataValueSets JSON), a file upload (dataValueSets CSV), and the audit
// trail. Every write is mapped onto the write path (qpan/value_writer.h) and its outcome
// back onto HTTP; nothing here decides whether a value may be written.
#include <algorithm>
#include <charconv>

#include "http/api_support.h"

namespace qpan::http::api {
namespace {

// What a write request's entries point into: the parsed body (its arena) and the texts made
// of numbers and booleans. Lives until the write is answered.
struct EntryBody {
  json::monotonic_resource arena;
  std::optional<json::value> body;  // parsed into the arena (a moved value keeps its storage)
  std::deque<std::string> kept;
  explicit EntryBody(size_t bytes) : arena(std::max<size_t>(bytes * 2, 1024)) {}
};

// The entry of one dataValue object; `path` prefixes its fields in problems.
EntryText entry_of(const json::object& o, const std::string& path, BodyProblems& problems, EntryBody& body) {
  BodyFields f(o, path, problems);
  EntryText e;
  e.data_element = f.text("dataElement");
  e.period = f.text("period");
  e.org_unit = f.text("orgUnit");
  e.option = f.text("categoryOptionCombo");
  e.attribute = f.text("attributeOptionCombo");
  e.value = f.value("value", body.kept);
  e.comment = f.text("comment");
  e.followup = f.boolean("followup");
  return e;
}

// If-Match as the write path's expected version: "\"v3\"" a version, "*" anything, nullopt
// for a malformed one.
std::optional<ExpectedVersion> expected_version(std::string_view etag) {
  if (etag == "*") return ExpectedVersion::any();
  if (etag.size() < 4 || etag.front() != '"' || etag[1] != 'v' || etag.back() != '"') return std::nullopt;
  int32_t version = 0;
  const char* first = etag.data() + 2;
  const char* last = etag.data() + etag.size() - 1;
  auto [end, ec] = std::from_chars(first, last, version);
  if (ec != std::errc() || end != last || version < 1) return std::nullopt;
  return ExpectedVersion::of(version);
}

json::array problems_json(const ImportProblems& problems) {
  json::array out;
  for (const ImportProblem& p : problems.shown) {
    json::object o{{"field", p.field}, {"reason", p.reason}};
    if (p.line > 0) {
      o["line"] = p.line;
      o["column"] = p.column;
    }
    out.emplace_back(std::move(o));
  }
  return out;
}

// The answer to a write, on the connection's I/O thread (rules are checked here, not on the
// writer's thread, which the next group of writes waits for).
Response written(Services& s, const Result<WriteOutcome>& outcome, bool file) {
  if (!outcome) return error_response(outcome.status());
  const WriteOutcome& o = *outcome;
  json::object details{{"total", o.problems.total}, {"problems", problems_json(o.problems)}};
  switch (o.refusal) {
    case Refusal::kForbidden:
      return error_response(403, "forbidden", o.message, o.problems.empty() ? json::value(nullptr) : json::value(details));
    case Refusal::kFormClosed: return error_response(409, "form_closed", o.message, details);
    case Refusal::kInvalid: return error_response(400, "invalid_input", o.message, details);
    case Refusal::kChanged: {
      json::array conflicts;
      for (const VersionConflict& c : o.conflicts) {
        json::object conflict{{"index", c.entry}};
        conflict["current"] = c.current ? json::value(value_json(*c.current)) : json::value(nullptr);
        if (c.current) conflict["etag"] = etag_of(c.current->version);
        conflicts.emplace_back(std::move(conflict));
      }
      return error_response(412, "precondition_failed", o.message, json::object{{"conflicts", std::move(conflicts)}});
    }
    case Refusal::kNone: break;
  }
  s.metrics.add("values_written", o.rows);
  if (file) s.metrics.add("imports");
  json::array warnings;
  if (Result<WriteWarnings> checked = s.writer->warnings(o); checked) {
    for (const ValidationViolation& v : checked->report.violations) {
      const CompiledValidationRule& rule = checked->report.rules[v.rule];
      warnings.emplace_back(json::object{{"rule", rule.code}, {"name", rule.name_vi}, {"orgUnit", v.unit},
                                         {"period", v.period.code()},
                                         {"left", v.left ? json::value(*v.left) : json::value(nullptr)},
                                         {"operator", comparison_operator_text(rule.op)},
                                         {"right", v.right ? json::value(*v.right) : json::value(nullptr)}});
    }
  }
  Response response = json_response(200, json::object{{"rows", o.rows},
                                                       {"created", o.summary.created},
                                                       {"updated", o.summary.updated},
                                                       {"unchanged", o.summary.unchanged},
                                                       {"warnings", std::move(warnings)}});
  if (o.version) response.headers.emplace_back("ETag", etag_of(*o.version));  // the next If-Match
  return response;
}

// Hands `request` to the write path; the reply comes once it is durable.
void submit(Services& s, ValueWriter::Entries request, const Reply& reply) {
  s.writer->write(std::move(request), [&s, reply](Result<WriteOutcome> outcome) {
    auto shared = std::make_shared<Result<WriteOutcome>>(std::move(outcome));
    reply([&s, shared] { return written(s, *shared, false); });
  });
}

Response get_value(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    const std::string de = r.query_param("de").value_or(""), pe = r.query_param("pe").value_or(""),
                      ou = r.query_param("ou").value_or(""), co = r.query_param("co").value_or("");
    EntryText entry;
    entry.data_element = de;
    entry.period = pe;
    entry.org_unit = ou;
    entry.option = co;
    Result<ValueKey> key = s.writer->key_of(entry);
    if (!key) return key.status();
    QPAN_RETURN_IF_ERROR(s.authorize(c, Action::kReadData, ou, Period::from_key(key->period)->dates().last));
    Result<std::optional<DataValue>> stored = [&] {
      std::lock_guard lock(s.store_mutex);
      return s.store.find_value(*key);
    }();
    if (!stored) return stored.status();
    if (!*stored) return Status::not_found("chưa có số liệu (no value stored for this key)");
    Response out = json_response(200, value_json(**stored));
    out.headers.emplace_back("ETag", etag_of((*stored)->version));
    return out;
  });
}

// A JSON write route: the caller's role first (a refused caller's body is never parsed),
// then the body parsed into its own arena, which lives until the write is answered; `body`
// makes the entries of the request and submits them or fails.
void json_write(Services& s, Request& r, const Reply& reply,
                const std::function<Status(const Writer&, const std::shared_ptr<EntryBody>&)>& body) {
  s.async_guarded(r, reply, [&](Caller& c) -> Status {
    const Writer writer = Writer::user(c.user);
    if (std::optional<WriteOutcome> refused = s.writer->refusal_by_role(writer, false)) {
      reply([&s, shared = std::make_shared<Result<WriteOutcome>>(std::move(*refused))] { return written(s, *shared, false); });
      return Status::ok();
    }
    auto parsed = std::make_shared<EntryBody>(r.body.size());
    Result<json::object> object = parse_object(r.body, &parsed->arena);
    if (!object) return object.status();
    parsed->body.emplace(std::move(*object));
    return body(writer, parsed);
  });
}

void put_value(Services& s, Request& r, const Reply& reply) {
  json_write(s, r, reply, [&](const Writer& writer, const std::shared_ptr<EntryBody>& body) -> Status {
    BodyProblems problems;
    ValueWriter::Entries request;
    request.entries.push_back(entry_of(body->body->as_object(), "", problems, *body));
    // Without If-Match a value may only be created: a client that did not read it cannot
    // know what it replaces.
    ExpectedVersion expected = ExpectedVersion::absent();
    if (const std::string_view etag = r.header("if-match"); !etag.empty()) {
      std::optional<ExpectedVersion> parsed = expected_version(etag);
      if (!parsed) problems.add("If-Match", "expected the ETag of a read (\"v3\") or *");
      else expected = *parsed;
    }
    if (!problems.empty()) {
      reply([response = invalid_body(std::move(problems))] { return response; });
      return Status::ok();
    }
    request.writer = writer;
    request.expected = {expected};
    request.source = "api:dataValues";
    request.storage = body;
    submit(s, std::move(request), reply);
    return Status::ok();
  });
}

void post_value_set(Services& s, Request& r, const Reply& reply) {
  json_write(s, r, reply, [&](const Writer& writer, const std::shared_ptr<EntryBody>& body) -> Status {
    const json::value* values = body->body->as_object().if_contains("dataValues");
    if (values == nullptr || !values->is_array()) return Status::invalid_input("dataValues: expected an array");
    const json::array& items = values->as_array();
    BodyProblems problems;
    ValueWriter::Entries request;
    request.entries.reserve(items.size());
    request.expected.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string path = "dataValues[" + std::to_string(i) + "].";
      if (!items[i].is_object()) {
        problems.add(path.substr(0, path.size() - 1), "expected an object");
        continue;
      }
      request.entries.push_back(entry_of(items[i].as_object(), path, problems, *body));
      // A batch replaces what is there unless an item says which version it read.
      BodyFields f(items[i].as_object(), path, problems);
      const std::string_view etag = f.text("ifMatch");
      std::optional<ExpectedVersion> expected = etag.empty() ? ExpectedVersion::any() : expected_version(etag);
      if (!expected) problems.add(path + "ifMatch", "expected the ETag of a read (\"v3\") or *");
      request.expected.push_back(expected.value_or(ExpectedVersion::any()));
    }
    if (!problems.empty()) {
      reply([response = invalid_body(std::move(problems))] { return response; });
      return Status::ok();
    }
    request.writer = writer;
    request.source = "api:dataValueSets";
    request.storage = body;
    request.position = [](size_t i) { return "dataValues[" + std::to_string(i) + "]."; };
    submit(s, std::move(request), reply);
    return Status::ok();
  });
}

Response import_values(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    if (!r.body_file) return Status::invalid_input("body: send the CSV file as the request body");
    Result<WriteOutcome> outcome = s.writer->import_file(Writer::user(c.user), r.body_file->string(), "upload");
    return written(s, outcome, true);
  });
}

Response audit(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    Result<UnitPeriods> q = unit_periods(s, r, c, Action::kReadAudit, true);
    if (!q) return q.status();
    const std::string& ou = q->ou;
    const auto units = s.engine.units();
    if (!units->knows(ou)) return Status::not_found("ou: unknown org unit \"" + ou + "\"");
    ValueFilter filter;
    for (const auto& range : contained_key_ranges(q->pe.front())) filter.period_key_ranges.push_back(range);
    std::lock_guard lock(s.store_mutex);
    Result<std::unordered_map<std::string, int64_t>> ids = s.store.unit_ids();
    if (!ids) return ids.status();
    for (const std::string& code : units->codes_ever_within(ou)) {
      if (auto it = ids->find(code); it != ids->end()) filter.unit_ids.push_back(it->second);
    }
    Result<std::vector<AuditEntry>> entries = s.store.audit_entries(filter);
    if (!entries) return entries.status();
    json::array out;
    for (const AuditEntry& e : *entries) {
      if (!units->is_within(e.org_unit, ou, e.period.dates())) continue;
      out.emplace_back(json::object{{"action", e.action == AuditAction::kCreate   ? "create"
                                               : e.action == AuditAction::kUpdate ? "update"
                                                                                  : "delete"},
                                    {"dataElement", e.element}, {"period", e.period.code()}, {"orgUnit", e.org_unit},
                                    {"categoryOptionCombo", e.option}, {"oldValue", e.old_value},
                                    {"newValue", e.new_value}, {"changedBy", e.changed_by},
                                    {"changedAt", format_timestamp(e.changed_at)}});
    }
    return json_response(200, json::object{{"entries", std::move(out)}});
  });
}

}  // namespace

void add_value_routes(Routes& routes, Services& s) {
  routes.add({"GET", "/api/dataValues", "Một số liệu, với ETag", {"de", "pe", "ou", "co"}, true, false},
             [&s](Request& r) { return get_value(s, r); });
  // Writes reply once the group-commit writer has made them durable; the I/O threads go on
  // serving meanwhile.
  routes.add_async({"PUT", "/api/dataValues", "Ghi một số liệu (If-Match: ETag đã đọc; thiếu If-Match: chỉ tạo mới)", {}, true, true},
                   [&s](Request& r, Reply reply) { put_value(s, r, reply); });
  routes.add_async({"POST", "/api/dataValueSets", "Ghi nhiều số liệu trong một giao dịch (tất cả hoặc không)", {}, true, true},
                   [&s](Request& r, Reply reply) { post_value_set(s, r, reply); });
  routes.add({"POST", "/api/imports/dataValues", "Nhập tệp CSV dataValueSets (tải lên theo luồng; tất cả hoặc không)", {}, true, true},
             [&s](Request& r) { return import_values(s, r); }, BodyKind::kUpload);
  routes.add({"GET", "/api/audit", "Nhật ký thay đổi số liệu", {"ou", "pe"}, true, false},
             [&s](Request& r) { return audit(s, r); });
}

}  // namespace qpan::http::api
