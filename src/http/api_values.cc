// The values resource of the API: one value read with its ETag, written (PUT with If-Match,
// or DHIS2's POST with query parameters) or deleted; a batch (dataValueSets: JSON with
// DHIS2's envelope, or CSV; dryRun, importStrategy=DELETE, atomicMode=NONE) answered with
// qpan's counts and DHIS2's ImportSummary; a data set's values read back (GET
// dataValueSets); a file upload (dataValueSets CSV); and the audit trail. Every write is
// mapped onto the write path (qpan/value_writer.h) and its outcome back onto HTTP; nothing
// here decides whether a value may be written.
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <sstream>

#include <unistd.h>

#include "http/api_support.h"
#include "qpan/exchange.h"
#include "qpan/form_workbook.h"
#include "qpan/text.h"

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

// What a data value set's envelope gives every value that does not say itself (DHIS2's
// {"dataSet", "period", "orgUnit", "attributeOptionCombo", "dataValues": […]}).
struct Envelope {
  std::string_view period, org_unit, attribute;
};

// The entry of one dataValue object; `path` prefixes its fields in problems.
EntryText entry_of(const json::object& o, const std::string& path, BodyProblems& problems, EntryBody& body,
                   const Envelope& envelope = {}) {
  BodyFields f(o, path, problems);
  EntryText e;
  e.data_element = f.text("dataElement");
  e.period = f.text("period");
  if (e.period.empty()) e.period = envelope.period;
  e.org_unit = f.text("orgUnit");
  if (e.org_unit.empty()) e.org_unit = envelope.org_unit;
  e.option = f.text("categoryOptionCombo");
  e.attribute = f.text("attributeOptionCombo");
  if (e.attribute.empty()) e.attribute = envelope.attribute;
  e.deleted = f.boolean("deleted");
  e.value = f.value("value", body.kept);
  e.comment = f.text("comment");
  e.followup = f.boolean("followup");
  return e;
}

std::string_view refusal_code(Refusal kind) {
  switch (kind) {
    case Refusal::kForbidden: return "forbidden";
    case Refusal::kFormClosed: return "form_closed";
    case Refusal::kChanged: return "precondition_failed";
    case Refusal::kInvalid:
    case Refusal::kNone: break;
  }
  return "invalid_input";
}

// What a write request was, for answering it: its entries and how they are named.
struct WriteRequest {
  const std::vector<EntryText>* entries = nullptr;  // null: a file
  std::function<std::string(size_t)> position;      // "dataValues[3]."
  bool dry_run = false;
};

// One of DHIS2's import conflicts: the offending field's text as `object`, the reason as
// `value`, the entry's index.
json::object conflict_json(const WriteRequest& w, size_t entry, std::string_view field, std::string_view reason,
                           Refusal kind) {
  json::object c{{"value", reason}, {"errorCode", refusal_code(kind)}, {"indexes", json::array{entry}}};
  const std::string prefix = w.position ? w.position(entry) : std::string();
  if (w.entries != nullptr && entry < w.entries->size() && field.starts_with(prefix)) {
    const std::string_view property = field.substr(prefix.size());
    if (std::optional<std::string_view> text = entry_field_named((*w.entries)[entry], property)) {
      c["object"] = *text;
      c["property"] = property;
      return c;
    }
  }
  c["object"] = field;
  return c;
}

// DHIS2's ImportSummary of an outcome (importCount and conflicts).
json::object import_summary(const WriteOutcome& o, const WriteRequest& w) {
  json::array conflicts;
  for (const SkippedEntry& k : o.skipped) conflicts.emplace_back(conflict_json(w, k.entry, k.field, k.reason, k.kind));
  for (const ImportProblem& p : o.problems.shown) {
    if (p.entry >= 0) conflicts.emplace_back(conflict_json(w, static_cast<size_t>(p.entry), p.field, p.reason, o.refusal));
    else conflicts.emplace_back(json::object{{"object", p.field}, {"value", p.to_string()}, {"errorCode", refusal_code(o.refusal)}});
  }
  const bool written = o.written();
  const int64_t skipped = static_cast<int64_t>(o.skipped.size());
  json::object counts{{"imported", written ? o.summary.created : 0},
                      {"updated", written ? o.summary.updated : 0},
                      {"ignored", written ? o.summary.unchanged + skipped : o.rows},
                      {"deleted", written ? o.summary.deleted : 0}};
  std::string_view status = !written ? "ERROR" : skipped > 0 ? "WARNING" : "SUCCESS";
  std::string description = !written ? o.message
                            : w.dry_run ? "Chạy thử, không ghi gì (dry run: nothing was written)"
                                        : "Đã nhập (import done)";
  return json::object{{"responseType", "ImportSummary"}, {"status", status},       {"description", description},
                      {"importCount", std::move(counts)}, {"conflicts", std::move(conflicts)},
                      {"dataSetComplete", "false"}};
}

// The answer to a write, on the connection's I/O thread (rules are checked here, not on the
// writer's thread, which the next group of writes waits for): qpan's counts and warnings,
// with DHIS2's WebMessage and ImportSummary beside them.
Response written(Services& s, const Result<WriteOutcome>& outcome, bool file, const WriteRequest& w = {}) {
  if (!outcome) return error_response(outcome.status());
  const WriteOutcome& o = *outcome;
  json::object details{{"total", o.problems.total}, {"problems", problems_json(o.problems)}};
  json::object dhis2{{"response", import_summary(o, w)}};
  switch (o.refusal) {
    case Refusal::kForbidden:
      return error_response(403, "forbidden", o.message, o.problems.empty() ? json::value(nullptr) : json::value(details),
                            std::move(dhis2));
    case Refusal::kFormClosed: return error_response(409, "form_closed", o.message, details, std::move(dhis2));
    case Refusal::kInvalid: return error_response(400, "invalid_input", o.message, details, std::move(dhis2));
    case Refusal::kChanged: {
      json::array conflicts;
      for (const VersionConflict& c : o.conflicts) {
        json::object conflict{{"index", c.entry}};
        conflict["current"] = c.current ? json::value(value_json(*c.current)) : json::value(nullptr);
        if (c.current) conflict["etag"] = etag_of(c.current->version);
        conflicts.emplace_back(std::move(conflict));
      }
      return error_response(412, "precondition_failed", o.message, json::object{{"conflicts", std::move(conflicts)}},
                            std::move(dhis2));
    }
    case Refusal::kNone: break;
  }
  json::array warnings;
  if (!w.dry_run) {
    s.metrics.add("values_written", o.rows - static_cast<int64_t>(o.skipped.size()));
    if (file) s.metrics.add("imports");
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
  }
  Response response = json_response(200, json::object{{"httpStatus", "OK"},
                                                       {"httpStatusCode", 200},
                                                       {"status", "OK"},
                                                       {"message", w.dry_run ? "Import dry run done." : "Import was successful."},
                                                       {"response", std::move(dhis2.at("response"))},
                                                       {"rows", o.rows},
                                                       {"created", o.summary.created},
                                                       {"updated", o.summary.updated},
                                                       {"unchanged", o.summary.unchanged},
                                                       {"deleted", o.summary.deleted},
                                                       {"skipped", static_cast<int64_t>(o.skipped.size())},
                                                       {"dryRun", w.dry_run},
                                                       {"warnings", std::move(warnings)}});
  if (o.version && !w.dry_run) response.headers.emplace_back("ETag", etag_of(*o.version));  // the next If-Match
  return response;
}

// How a route changes the answer to a write it made (DHIS2's 201 and 204).
using AnswerAdapter = std::function<Response(Response, const WriteOutcome&)>;

// Hands `request` to the write path; the reply comes once it is durable (a dry run's at once).
void submit(Services& s, ValueWriter::Entries request, const Reply& reply, AnswerAdapter adapt = {}) {
  // What the answer names entries by: the entries, whose views point into the request's
  // storage, kept as long.
  auto entries = std::make_shared<std::vector<EntryText>>(request.entries);
  WriteRequest w{entries.get(), request.position, request.dry_run};
  std::shared_ptr<const void> storage = request.storage;
  s.writer->write(std::move(request), [&s, reply, entries, w, storage, adapt](Result<WriteOutcome> outcome) {
    auto shared = std::make_shared<Result<WriteOutcome>>(std::move(outcome));
    reply([&s, shared, entries, w, storage, adapt] {
      Response response = written(s, *shared, false, w);
      return adapt && shared->is_ok() ? adapt(std::move(response), **shared) : response;
    });
  });
}

// Answers a write refused before it reached the write path (the role, a document's problems).
void reply_refused(Services& s, const Reply& reply, WriteOutcome refused) {
  reply([&s, shared = std::make_shared<Result<WriteOutcome>>(std::move(refused))] { return written(s, *shared, false); });
}

// DHIS2's import parameters of a batch: dryRun, importStrategy (CREATE_AND_UPDATE, the
// default, or DELETE), atomicMode (ALL, qpan's all-or-nothing default, or NONE), and the id
// schemes (codes are qpan's ids: CODE, UID or AUTO only).
Status read_import_parameters(const Request& r, ValueWriter::Entries& request) {
  const std::string dry_run = r.query_param("dryRun").value_or("false");
  if (dry_run != "true" && dry_run != "false") return Status::invalid_input("dryRun: expected true or false");
  request.dry_run = dry_run == "true";
  const std::string strategy = r.query_param("importStrategy").value_or("CREATE_AND_UPDATE");
  if (strategy == "DELETE" || strategy == "DELETES") {
    request.deleting = true;
  } else if (strategy != "CREATE_AND_UPDATE" && strategy != "NEW_AND_UPDATES") {
    return Status::invalid_input("importStrategy: qpan ghi mới và cập nhật (CREATE_AND_UPDATE) hoặc xóa (DELETE); \"" +
                                 strategy + "\" không được hỗ trợ (not supported)");
  }
  const std::string atomic = r.query_param("atomicMode").value_or("ALL");
  if (atomic != "ALL" && atomic != "NONE") return Status::invalid_input("atomicMode: expected ALL or NONE");
  request.skip_refused = atomic == "NONE";
  for (std::string_view scheme : {"idScheme", "dataElementIdScheme", "orgUnitIdScheme", "categoryOptionComboIdScheme"}) {
    const std::string value = r.query_param(scheme).value_or("CODE");
    if (value != "CODE" && value != "UID" && value != "AUTO") {
      return Status::invalid_input(std::string(scheme) + ": qpan's ids are its codes (CODE, UID), not \"" + value + "\"");
    }
  }
  if (r.query_param("async").value_or("false") == "true") {
    return Status::invalid_input("async: qpan answers when the write is durable; send it without async=true");
  }
  return Status::ok();
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
      reply_refused(s, reply, std::move(*refused));
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

// The body's media type: JSON unless it says CSV.
bool is_csv_body(const Request& r) {
  const std::string_view type = r.header("content-type");
  return type.starts_with("text/csv") || type.starts_with("application/csv");
}

// A CSV body of POST /api/dataValueSets: written to a file and imported as an upload is.
Response post_value_set_csv(Services& s, Request& r, const Caller& c) {
  for (std::string_view option : {"dryRun", "atomicMode", "importStrategy"}) {
    if (r.query_param(option) && r.query_param(option) != (option == "dryRun" ? "false" : option == "atomicMode" ? "ALL" : "CREATE_AND_UPDATE")) {
      return error_response(Status::invalid_input(std::string(option) +
                                                  ": không dùng được với tệp CSV — hãy gửi JSON (not available for a CSV "
                                                  "body: send the values as JSON; a CSV row deletes with deleted=true)"));
    }
  }
  // A file only this process can have made (mkstemp: no name another could have planted).
  std::string name = (std::filesystem::temp_directory_path() / "qpan-csv-XXXXXX").string();
  const int fd = ::mkstemp(name.data());
  if (fd < 0) return error_response(Status::io_error("cannot keep the CSV body"));
  const std::filesystem::path file = name;
  size_t done = 0;
  while (done < r.body.size()) {
    const ssize_t n = ::write(fd, r.body.data() + done, r.body.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  if (done < r.body.size()) {
    std::error_code ignored;
    std::filesystem::remove(file, ignored);
    return error_response(Status::io_error("cannot keep the CSV body"));
  }
  Result<WriteOutcome> outcome = s.writer->import_file(Writer::user(c.user), file.string(), "dataValueSets.csv");
  std::error_code ignored;
  std::filesystem::remove(file, ignored);
  return written(s, outcome, true);
}

bool is_adx(std::string_view media_type) { return media_type.starts_with("application/adx+xml"); }
bool is_xlsx(std::string_view media_type) { return media_type.starts_with(kFormWorkbookMediaType); }

// A document body (ADX, a filled Excel form): its entries through the write path, each named
// where it is in the document (line, or sheet and cell).
void post_value_set_document(Services& s, Request& r, const Reply& reply, bool adx) {
  s.async_guarded(r, reply, [&s, &r, reply, adx](Caller& c) -> Status {
    const Writer writer = Writer::user(c.user);
    if (std::optional<WriteOutcome> refused = s.writer->refusal_by_role(writer, false)) {
      reply_refused(s, reply, std::move(*refused));
      return Status::ok();
    }
    ValueWriter::Entries request;
    QPAN_RETURN_IF_ERROR(read_import_parameters(r, request));
    // The entries keep copies of what they read: the body may go.
    DocumentEntries read = adx ? read_adx(r.body, "adx", *s.engine.catalogue())
                               : read_form_workbook(r.body, "form.xlsx", *s.engine.catalogue(), *s.workflow.data_sets());
    if (!read.problems.empty()) {
      WriteOutcome refused;
      refused.refusal = Refusal::kInvalid;
      refused.message = adx ? "Tài liệu ADX có lỗi, không ghi gì (the ADX document has problems; nothing was written)"
                            : "Biểu Excel có lỗi, không ghi gì (the workbook has problems; nothing was written)";
      refused.rows = static_cast<int64_t>(read.entries.size());
      refused.problems = std::move(read.problems);
      reply_refused(s, reply, std::move(refused));
      return Status::ok();
    }
    request.writer = writer;
    request.entries = std::move(read.entries);
    request.storage = read.texts;
    request.source = adx ? "api:dataValueSets(adx)" : "api:dataValueSets(xlsx)";
    request.position = [positions = std::move(read.positions)](size_t i) { return positions[i]; };
    submit(s, std::move(request), reply);
    return Status::ok();
  });
}

void post_value_set(Services& s, Request& r, const Reply& reply) {
  if (is_adx(r.header("content-type"))) return post_value_set_document(s, r, reply, true);
  if (is_xlsx(r.header("content-type"))) return post_value_set_document(s, r, reply, false);
  if (is_csv_body(r)) {
    s.async_guarded(r, reply, [&](Caller& c) -> Status {
      reply([response = post_value_set_csv(s, r, c)] { return response; });
      return Status::ok();
    });
    return;
  }
  json_write(s, r, reply, [&](const Writer& writer, const std::shared_ptr<EntryBody>& body) -> Status {
    ValueWriter::Entries request;
    QPAN_RETURN_IF_ERROR(read_import_parameters(r, request));
    const json::object& set = body->body->as_object();
    const json::value* values = set.if_contains("dataValues");
    if (values == nullptr || !values->is_array()) return Status::invalid_input("dataValues: expected an array");
    const json::array& items = values->as_array();
    BodyProblems problems;
    // DHIS2's envelope: what the set says once for every value.
    BodyFields envelope_fields(set, "", problems);
    const std::string_view data_set = envelope_fields.text("dataSet");
    const Envelope envelope{envelope_fields.text("period"), envelope_fields.text("orgUnit"),
                            envelope_fields.text("attributeOptionCombo")};
    if (!data_set.empty()) {
      if (s.workflow.find_data_set(data_set) == nullptr) {
        problems.add("dataSet", "không có biểu \"" + std::string(data_set) + "\" (unknown data set)");
      }
    }
    request.entries.reserve(items.size());
    request.expected.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string path = "dataValues[" + std::to_string(i) + "].";
      if (!items[i].is_object()) {
        problems.add(path.substr(0, path.size() - 1), "expected an object");
        continue;
      }
      request.entries.push_back(entry_of(items[i].as_object(), path, problems, *body, envelope));
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

// The entry of DHIS2's single-value parameters: de, pe, ou, co, value, comment, followup.
EntryText entry_of_parameters(const Request& r, std::deque<std::string>& kept) {
  auto param = [&](std::string_view name) -> std::string_view {
    return kept.emplace_back(r.query_param(name).value_or(""));
  };
  EntryText e;
  e.data_element = param("de");
  e.period = param("pe");
  e.org_unit = param("ou");
  e.option = param("co");
  e.value = param("value");
  e.comment = param("comment");
  e.followup = param("followup");
  return e;
}

// POST /api/dataValues?de=&pe=&ou=&value= (DHIS2's way to write one value: replaces
// whatever is stored unless If-Match says which version was read) and DELETE with the same
// key. The reply is DHIS2's: 201 with the write's counts, 204 for a delete.
void write_value_by_parameters(Services& s, Request& r, const Reply& reply, bool deleting) {
  s.async_guarded(r, reply, [&](Caller& c) -> Status {
    const Writer writer = Writer::user(c.user);
    if (std::optional<WriteOutcome> refused = s.writer->refusal_by_role(writer, false)) {
      reply_refused(s, reply, std::move(*refused));
      return Status::ok();
    }
    auto kept = std::make_shared<std::deque<std::string>>();
    ValueWriter::Entries request;
    request.entries.push_back(entry_of_parameters(r, *kept));
    ExpectedVersion expected = ExpectedVersion::any();
    if (const std::string_view etag = r.header("if-match"); !etag.empty()) {
      std::optional<ExpectedVersion> parsed = expected_version(etag);
      if (!parsed) return Status::invalid_input("If-Match: expected the ETag of a read (\"v3\") or *");
      expected = *parsed;
    }
    request.expected = {expected};
    request.writer = writer;
    request.deleting = deleting;
    request.source = "api:dataValues";
    request.storage = kept;
    submit(s, std::move(request), reply, [deleting](Response response, const WriteOutcome& outcome) {
      if (response.status != 200) return response;
      if (!deleting) {
        response.status = 201;
        return response;
      }
      if (outcome.summary.deleted == 0) {
        return error_response(Status::not_found("chưa có số liệu (no value stored for this key)"));
      }
      Response none;
      none.status = 204;
      none.content_type.clear();
      return none;
    });
    return Status::ok();
  });
}

// GET /api/dataValueSets: a data set's values for units and periods, as DHIS2 gives them
// (dataSet, period or startDate/endDate, orgUnit, children), in JSON or CSV.
Response get_value_set(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    auto all = [&](std::string_view name) {
      std::vector<std::string> out;
      for (const std::string& value : r.query_params(name)) {
        for (std::string& item : split_list(value)) out.push_back(std::move(item));
      }
      return out;
    };
    const std::vector<std::string> units = all("orgUnit");
    if (units.empty()) return Status::invalid_input("orgUnit: give at least one org unit");
    const std::vector<std::string> data_sets = all("dataSet");
    std::vector<std::string> elements;
    for (const std::string& code : data_sets) {
      const std::shared_ptr<const DataSet> set = s.workflow.find_data_set(code);
      if (set == nullptr) return Status::not_found("dataSet: không có biểu \"" + code + "\" (unknown data set)");
      elements.insert(elements.end(), set->elements.begin(), set->elements.end());
    }
    if (elements.empty()) return Status::invalid_input("dataSet: give at least one data set");
    std::vector<Period> periods;
    for (const std::string& code : all("period")) {
      Result<Period> p = Period::parse(code);
      if (!p) return Status::invalid_input("period: \"" + code + "\": " + p.status().message());
      periods.push_back(*p);
    }
    const std::optional<std::string> start = r.query_param("startDate"), end = r.query_param("endDate");
    if (start || end) {
      if (!start || !end) return Status::invalid_input("startDate: give both startDate and endDate");
      Result<Date> first = parse_date(*start);
      Result<Date> last = parse_date(*end);
      if (!first) return Status::invalid_input("startDate: " + first.status().message());
      if (!last) return Status::invalid_input("endDate: " + last.status().message());
      if (*last < *first) return Status::invalid_input("endDate: before startDate");
      periods.push_back(Period::month_range(month_index(static_cast<int>(first->year()), static_cast<unsigned>(first->month())),
                                            month_index(static_cast<int>(last->year()), static_cast<unsigned>(last->month()))));
    }
    if (periods.empty()) return Status::invalid_input("period: give at least one period, or startDate and endDate");
    const bool children = r.query_param("children").value_or("false") == "true";
    for (const std::string& ou : units) QPAN_RETURN_IF_ERROR(s.authorize_over(c, Action::kReadData, ou, periods));
    const auto index = s.engine.units();
    auto options_for = [&](const std::string& ou, const Period& p) {
      ValueExportOptions options;
      options.org_unit = ou;
      options.period = p;
      options.elements = elements;
      options.descendants = children;
      options.units = index.get();
      return options;
    };

    constexpr size_t kMaxValues = 100000;  // a bounded answer: larger reads are `qpan values export`
    json::array values;
    std::vector<DataValue> rows;
    const std::string format = r.query_param("format").value_or(is_adx(r.header("accept")) ? "adx" : "json");
    if (format != "json" && format != "csv" && format != "adx") return Status::invalid_input("format: expected json, csv or adx");
    const bool csv = format == "csv";
    if (format == "adx") {
      if (units.size() != 1 || periods.size() != 1) {
        return Status::invalid_input("format: một tài liệu ADX cho một đơn vị và một kỳ (an ADX answer is for one orgUnit "
                                     "and one period; ask each, or use `qpan values export --format adx`)");
      }
      std::ostringstream document;
      Result<int64_t> count = [&] {
        std::lock_guard lock(s.store_mutex);
        return export_values_adx(s.store, document, options_for(units.front(), periods.front()), *s.engine.catalogue(),
                                 *s.workflow.data_sets());
      }();
      if (!count) return count.status();
      return raw(200, "application/adx+xml; charset=utf-8", std::move(document).str());
    }
    Status read = Status::ok();
    {
      std::lock_guard lock(s.store_mutex);
      for (const std::string& ou : units) {
        for (const Period& p : periods) {
          read = for_each_exported_value(s.store, options_for(ou, p), [&](const DataValue& v) {
            if (rows.size() <= kMaxValues) rows.push_back(v);
          });
          if (!read) break;
        }
      }
    }
    QPAN_RETURN_IF_ERROR(read);
    if (rows.size() > kMaxValues) {
      return Status::invalid_input("quá nhiều số liệu cho một lần đọc (more than 100.000 values: ask fewer units or "
                                   "periods, or use `qpan values export`)");
    }
    if (csv) {
      std::string out(ValueCsvRows::header());
      ValueCsvRows lines;
      for (const DataValue& v : rows) lines.append(out, v);
      return raw(200, "text/csv; charset=utf-8", std::move(out));
    }
    for (const DataValue& v : rows) values.emplace_back(value_json(v));
    json::object set{{"dataValues", std::move(values)}};
    if (data_sets.size() == 1) set["dataSet"] = data_sets.front();
    if (periods.size() == 1) set["period"] = periods.front().code();
    if (units.size() == 1) set["orgUnit"] = units.front();
    return json_response(200, set);
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
  routes.add_async({"POST", "/api/dataValues",
                    "Ghi một số liệu theo kiểu DHIS2 (de, pe, ou, co, value, comment, followup; If-Match tùy chọn)",
                    {"de", "pe", "ou", "co", "value", "comment", "followup"}, true, false},
                   [&s](Request& r, Reply reply) { write_value_by_parameters(s, r, reply, false); });
  routes.add_async({"DELETE", "/api/dataValues", "Xóa một số liệu (de, pe, ou, co; If-Match tùy chọn): 204", {"de", "pe", "ou", "co"}, true, false},
                   [&s](Request& r, Reply reply) { write_value_by_parameters(s, r, reply, true); });
  routes.add_async({"POST", "/api/dataValueSets",
                    "Ghi nhiều số liệu trong một giao dịch (JSON có thể có dataSet/period/orgUnit chung, CSV, ADX, hoặc biểu Excel đã điền): "
                    "tất cả hoặc không, hoặc atomicMode=NONE; dryRun; importStrategy=DELETE",
                    {"dryRun", "importStrategy", "atomicMode", "idScheme"}, true, true},
                   [&s](Request& r, Reply reply) { post_value_set(s, r, reply); });
  routes.add({"GET", "/api/dataValueSets", "Số liệu của biểu cho đơn vị và kỳ (JSON, CSV hoặc ADX)",
              {"dataSet", "period", "startDate", "endDate", "orgUnit", "children", "format"}, true, false},  // format: json, csv, adx
             [&s](Request& r) { return get_value_set(s, r); });
  routes.add({"POST", "/api/imports/dataValues", "Nhập tệp CSV dataValueSets (tải lên theo luồng; tất cả hoặc không)", {}, true, true},
             [&s](Request& r) { return import_values(s, r); }, BodyKind::kUpload);
  routes.add({"GET", "/api/audit", "Nhật ký thay đổi số liệu", {"ou", "pe"}, true, false},
             [&s](Request& r) { return audit(s, r); });
}

}  // namespace qpan::http::api
