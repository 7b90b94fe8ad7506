// The registry resource of the API: the pack's registries, their records listed with
// filters, totals and paging, read, created, changed (If-Match) and deleted one by one, and
// whole registers imported and exported as CSV or XLSX. Every write goes through the record
// writer (qpan/record_writer.h), which checks the caller's role and scope and writes the
// values counted from the records in the same transaction, so the next analytics answer has
// them.
#include <charconv>

#include "http/api_support.h"
#include "exchange/file.h"
#include "qpan/exchange.h"
#include "qpan/record_file.h"
#include "qpan/record_writer.h"

namespace qpan::http::api {
namespace {

constexpr std::string_view kXlsxMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

json::object names_json(const DefinitionNames& d) {
  return {{"code", d.code}, {"name_vi", d.name_vi}, {"name_en", d.name_en}};
}

json::object registry_json(const Pack& pack, const RegistryDefinition& r) {
  json::object o = names_json(r);
  o["description"] = r.description;
  json::array fields;
  for (const RegistryField& f : r.fields) {
    json::object field = names_json(f);
    field["type"] = registry_field_type_name(f.type);
    field["required"] = f.required;
    if (const Disaggregation* d = pack.catalogue.disaggregation(f.options)) {
      json::array options;
      for (const DisaggregationOption& option : d->options) {
        options.emplace_back(json::object{{"code", option.code}, {"name_vi", option.name_vi}, {"name_en", option.name_en}});
      }
      field["options"] = std::move(options);
    }
    fields.emplace_back(std::move(field));
  }
  o["fields"] = std::move(fields);
  o["lifecycle"] = r.lifecycle ? json::value(json::object{{"from", r.lifecycle->from}, {"to", r.lifecycle->to}})
                               : json::value(nullptr);
  json::array counts;
  for (const ElementSource& s : pack.sources) {
    if (s.registry != r.code) continue;
    const DataElement* e = pack.catalogue.element(s.element);
    counts.emplace_back(json::object{{"element", s.element}, {"name_vi", e ? e->name_vi : ""}, {"name_en", e ? e->name_en : ""}});
  }
  o["counts"] = std::move(counts);
  return o;
}

json::object record_json(const RegistryRecord& r, const OrgUnitIndex& units) {
  json::object fields;
  for (const auto& [code, value] : r.fields) fields[code] = value;
  std::string name;
  if (std::vector<const OrgUnitVersion*> history = units.history(r.org_unit); !history.empty()) name = history.back()->name;
  return {{"id", r.id},
          {"orgUnit", r.org_unit},
          {"orgUnitName", name},
          {"fields", std::move(fields)},
          {"version", r.version},
          {"created", format_timestamp(r.created_at)},
          {"createdBy", r.created_by},
          {"lastUpdated", format_timestamp(r.updated_at)},
          {"lastUpdatedBy", r.updated_by}};
}

Result<const RegistryDefinition*> registry_of(Services& s, const Request& r, std::shared_ptr<const Pack>& pack) {
  pack = s.records->pack();
  const std::string& code = r.path_params.at("code");
  const RegistryDefinition* registry = find_registry(*pack, code);
  if (registry == nullptr) return Status::not_found("unknown registry \"" + code + "\"");
  return registry;
}

Result<int64_t> record_id(const Request& r) {
  const std::string& text = r.path_params.at("id");
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return Status::invalid_input("id: expected a record id (a whole number > 0)");
  }
  return id;
}

// The answer to a write the record writer refused or made: for one record (`single`) the
// record with its ETag and `status` (204 for a deletion); for a file, what was written.
Response written(const RecordWriteOutcome& outcome, const OrgUnitIndex& units, bool single, int status) {
  json::array problems = problems_json(outcome.problems);
  switch (outcome.refusal) {
    case Refusal::kNone: break;
    case Refusal::kForbidden:
      return error_response(403, "forbidden", outcome.message, json::object{{"problems", std::move(problems)}});
    case Refusal::kFormClosed:
      return error_response(409, "form_closed", outcome.message);
    case Refusal::kChanged:
      return error_response(412, "precondition_failed", outcome.message,
                            json::object{{"current", outcome.current ? json::value(record_json(*outcome.current, units))
                                                                     : json::value(nullptr)}});
    case Refusal::kInvalid:
      return error_response(outcome.not_found ? 404 : 400, outcome.not_found ? "not_found" : "invalid_input",
                            outcome.message, json::object{{"problems", problems}}, json::object{{"problems", problems}});
  }
  if (single && outcome.records.size() == 1) {
    if (outcome.deleted == 1) return raw(204, "text/plain", "");
    Response response = json_response(status, record_json(outcome.records.front(), units));
    response.headers.emplace_back("ETag", etag_of(outcome.records.front().version));
    return response;
  }
  return json_response(200, json::object{{"created", outcome.created},
                                         {"updated", outcome.updated},
                                         {"deleted", outcome.deleted},
                                         {"records", static_cast<int64_t>(outcome.records.size())},
                                         {"countedValues", json::object{{"created", outcome.counted.created},
                                                                        {"updated", outcome.counted.updated},
                                                                        {"deleted", outcome.counted.deleted}}}});
}

// A record as a JSON body sends it: {"orgUnit": "12", "fields": {"partner": "van_nam", …}};
// numbers and booleans are taken as their text.
Result<RegistryRecord> record_body(const std::string& body) {
  Result<json::object> o = parse_object(body);
  if (!o) return o.status();
  BodyProblems problems;
  RegistryRecord record;
  for (const auto& [key, value] : *o) {
    if (key != "orgUnit" && key != "fields" && key != "id" && key != "version") problems.add(std::string(key), "unknown member");
  }
  BodyFields f(*o, "", problems);
  record.org_unit = std::string(f.text("orgUnit"));
  if (const json::value* fields = o->if_contains("fields")) {
    if (!fields->is_object()) {
      problems.add("fields", "expected an object of field → value");
    } else {
      for (const auto& [code, v] : fields->as_object()) {
        if (v.is_string()) record.fields[std::string(code)] = std::string(v.as_string());
        else if (v.is_bool()) record.fields[std::string(code)] = v.as_bool() ? "true" : "false";
        else if (v.is_int64()) record.fields[std::string(code)] = std::to_string(v.as_int64());
        else if (v.is_uint64()) record.fields[std::string(code)] = std::to_string(v.as_uint64());
        else if (v.is_double()) record.fields[std::string(code)] = json::serialize(v);
        else if (!v.is_null()) problems.add("fields." + std::string(code), "expected text, a number or a boolean");
      }
    }
  } else {
    problems.add("fields", "required: the record's fields");
  }
  if (!problems.empty()) {
    std::string reasons;
    for (const json::value& p : problems.shown) {
      reasons += (reasons.empty() ? "" : "; ") + std::string(p.as_object().at("field").as_string()) + ": " +
                 std::string(p.as_object().at("reason").as_string());
    }
    return Status::invalid_input(reasons);
  }
  return record;
}

Result<std::string> body_of(const Request& r) {
  if (r.body_file) return read_file(r.body_file->string());
  return r.body;
}

Response list_registries(Services& s, Request& r) {
  return s.guarded(r, [&](Caller&) -> Result<Response> {
    const std::shared_ptr<const Pack> pack = s.records->pack();
    json::array out;
    for (const RegistryDefinition& registry : pack->registries) out.emplace_back(registry_json(*pack, registry));
    return json_response(200, json::object{{"registries", std::move(out)}});
  });
}

Response list_records(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    std::shared_ptr<const Pack> pack;
    Result<const RegistryDefinition*> registry = registry_of(s, r, pack);
    if (!registry) return registry.status();
    const std::string format = r.query_param("format").value_or("json");
    if (format != "json" && format != "csv" && format != "xlsx") return Status::invalid_input("format: expected json, csv or xlsx");
    const std::string ou = r.query_param("ou").value_or(c.user.scope_code);
    const auto units = s.engine.units();
    if (!units->knows(ou)) return Status::not_found("ou: unknown org unit \"" + ou + "\"");
    const Date today = from_days(static_cast<int32_t>(s.now() / 86400));
    QPAN_RETURN_IF_ERROR(s.authorize(c, Action::kReadData, ou, record_scope_day(*units, ou, today)));

    RecordQuery query;
    query.registry = (*registry)->code;
    query.units = units->codes_ever_within(ou);
    query.date_field = r.query_param("date").value_or("");
    if (query.date_field.empty()) {
      for (const RegistryField& f : (*registry)->fields) {
        if (f.type == RegistryFieldType::kDate) {
          query.date_field = f.code;
          break;
        }
      }
    }
    const RegistryField* date_field = (*registry)->field(query.date_field);
    if ((r.query_param("from") || r.query_param("to")) &&
        (date_field == nullptr || date_field->type != RegistryFieldType::kDate)) {
      return Status::invalid_input("date: \"" + query.date_field + "\" is no date field of " + (*registry)->code);
    }
    for (const char* bound : {"from", "to"}) {
      if (std::optional<std::string> text = r.query_param(bound)) {
        Result<Date> d = parse_date(*text);
        if (!d) return Status::invalid_input(std::string(bound) + ": " + d.status().message());
        (bound[0] == 'f' ? query.from : query.to) = *d;
      }
    }
    for (const RegistryField& f : (*registry)->fields) {
      if (std::optional<std::string> value = r.query_param("f." + f.code)) query.equals.push_back({f.code, *value});
    }
    int64_t after = 0;
    size_t limit = 100;
    if (std::optional<std::string> text = r.query_param("after")) {
      auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), after);
      if (ec != std::errc() || end != text->data() + text->size()) return Status::invalid_input("after: expected a record id");
    }
    if (std::optional<std::string> text = r.query_param("limit")) {
      auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
      if (ec != std::errc() || end != text->data() + text->size() || limit < 1 || limit > 10000) {
        return Status::invalid_input("limit: expected 1 to 10000");
      }
    }
    Result<std::vector<RegistryRecord>> all = [&] {
      std::lock_guard lock(s.store_mutex);
      return s.store.registry_records(query);
    }();
    if (!all) return all.status();

    if (format != "json") {
      const RecordFileFormat f = format == "csv" ? RecordFileFormat::kCsv : RecordFileFormat::kXlsx;
      Result<std::string> file = write_record_file(*all, **registry, f, *units, today);
      if (!file) return file.status();
      Response response = raw(200, f == RecordFileFormat::kCsv ? "text/csv; charset=utf-8" : std::string(kXlsxMediaType),
                              std::move(*file));
      response.headers.emplace_back("Content-Disposition",
                                    "attachment; filename=\"" + (*registry)->code + "-" + ou + "." + format + "\"");
      return response;
    }
    json::object sums;
    for (const RegistryField& f : (*registry)->fields) {
      if (f.type != RegistryFieldType::kInteger && f.type != RegistryFieldType::kNumber) continue;
      double sum = 0;
      for (const RegistryRecord& record : *all) {
        if (const std::string* v = record.field(f.code)) {
          double x = 0;
          std::from_chars(v->data(), v->data() + v->size(), x);
          sum += x;
        }
      }
      sums[f.code] = sum;
    }
    json::array page;
    json::value next = nullptr;
    for (const RegistryRecord& record : *all) {
      if (record.id <= after) continue;
      if (page.size() == limit) {
        next = page.back().as_object().at("id");
        break;
      }
      page.emplace_back(record_json(record, *units));
    }
    return json_response(200, json::object{{"registry", (*registry)->code},
                                           {"orgUnit", ou},
                                           {"records", std::move(page)},
                                           {"total", static_cast<int64_t>(all->size())},
                                           {"next", next},
                                           {"sums", std::move(sums)}});
  });
}

Response get_record(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    std::shared_ptr<const Pack> pack;
    Result<const RegistryDefinition*> registry = registry_of(s, r, pack);
    if (!registry) return registry.status();
    Result<int64_t> id = record_id(r);
    if (!id) return id.status();
    std::lock_guard lock(s.store_mutex);
    Result<std::optional<RegistryRecord>> record = s.store.find_record(*id);
    if (!record) return record.status();
    if (!*record || (*record)->registry != (*registry)->code) {
      return Status::not_found("no record " + std::to_string(*id) + " in registry " + (*registry)->code);
    }
    const auto units = s.engine.units();
    QPAN_RETURN_IF_ERROR(s.authorize(c, Action::kReadData, (*record)->org_unit,
                                     record_scope_day(*units, (*record)->org_unit,
                                                      from_days(static_cast<int32_t>(s.now() / 86400)))));
    json::object o = record_json(**record, *units);
    Result<std::vector<RecordAuditEntry>> trail = s.store.record_audit(*id);
    if (!trail) return trail.status();
    json::array history;
    for (const RecordAuditEntry& e : *trail) {
      history.emplace_back(json::object{{"action", record_audit_action_name(e.action)}, {"version", e.state.version},
                                        {"changedBy", e.changed_by}, {"changedAt", format_timestamp(e.changed_at)},
                                        {"source", e.source}});
    }
    o["history"] = std::move(history);
    Response response = json_response(200, o);
    response.headers.emplace_back("ETag", etag_of((*record)->version));
    return response;
  });
}

// POST: one record as JSON, or a whole register as CSV or XLSX (by Content-Type).
Response post_records(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    std::shared_ptr<const Pack> pack;
    Result<const RegistryDefinition*> registry = registry_of(s, r, pack);
    if (!registry) return registry.status();
    // The role before a byte of the body is read.
    if (Status role = authorize_role(c.user, Action::kWriteData); !role) return role;
    Result<std::string> body = body_of(r);
    if (!body) return body.status();
    const std::string_view type = r.header("content-type");
    const auto units = s.engine.units();
    RecordWrite write{Writer::user(c.user), (*registry)->code, {}, "api", {}};
    if (type.starts_with("text/csv") || type.starts_with(kXlsxMediaType)) {
      const RecordFileFormat format = type.starts_with("text/csv") ? RecordFileFormat::kCsv : RecordFileFormat::kXlsx;
      const std::string name = format == RecordFileFormat::kCsv ? "upload.csv" : "upload.xlsx";
      Result<RecordFile> file = read_record_file(*body, name, format, **registry);
      if (!file) return file.status();
      if (!file->problems.empty()) {
        RecordWriteOutcome refused;
        refused.refusal = Refusal::kInvalid;
        refused.message = "Tệp không đọc được — the file cannot be read";
        refused.problems = file->problems;
        return written(refused, *units, false, 200);
      }
      write.changes = std::move(file->changes);
      write.source = "api:" + name;
      write.locate = [file = std::make_shared<RecordFile>(std::move(*file))](size_t change, std::string_view field) {
        return file->locate(change, field);
      };
      Result<RecordWriteOutcome> outcome = s.records->write(std::move(write));
      if (!outcome) return outcome.status();
      return written(*outcome, *units, false, 200);
    }
    Result<RegistryRecord> record = record_body(*body);
    if (!record) return record.status();
    write.changes.push_back({RecordChange::Kind::kCreate, std::move(*record), std::nullopt});
    Result<RecordWriteOutcome> outcome = s.records->write(write);
    if (!outcome) return outcome.status();
    return written(*outcome, *units, true, 201);
  });
}

Response change_record(Services& s, Request& r, RecordChange::Kind kind) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    std::shared_ptr<const Pack> pack;
    Result<const RegistryDefinition*> registry = registry_of(s, r, pack);
    if (!registry) return registry.status();
    Result<int64_t> id = record_id(r);
    if (!id) return id.status();
    if (Status role = authorize_role(c.user, Action::kWriteData); !role) return role;
    RecordChange change;
    change.kind = kind;
    if (const std::string_view etag = r.header("if-match"); !etag.empty()) {
      const std::optional<ExpectedVersion> expected = expected_version(etag);
      if (!expected) return Status::invalid_input("If-Match: expected \"vN\" as the ETag gave it");
      if (expected->kind == ExpectedVersion::Kind::kVersion) change.expected_version = expected->version;
    }
    if (kind == RecordChange::Kind::kUpdate) {
      Result<std::string> body = body_of(r);
      if (!body) return body.status();
      Result<RegistryRecord> record = record_body(*body);
      if (!record) return record.status();
      change.record = std::move(*record);
    }
    change.record.id = *id;
    RecordWrite write{Writer::user(c.user), (*registry)->code, {std::move(change)}, "api", {}};
    Result<RecordWriteOutcome> outcome = s.records->write(write);
    if (!outcome) return outcome.status();
    return written(*outcome, *s.engine.units(), true, kind == RecordChange::Kind::kDelete ? 204 : 200);
  });
}

}  // namespace

void add_registry_routes(Routes& routes, Services& s) {
  routes.add({"GET", "/api/registries",
              "Các sổ theo dõi của bộ chỉ tiêu: trường, kiểu, danh mục mã, vòng đời, chỉ tiêu đếm từ sổ", {}, true, false},
             [&s](Request& r) { return list_registries(s, r); });
  routes.add({"GET", "/api/registries/{code}/records",
              "Bản ghi của một sổ trong phạm vi đơn vị (ou và các đơn vị trực thuộc), lọc theo ngày (date, from, to) "
              "và trường (f.TRƯỜNG=giá trị), phân trang (after, limit), tổng số và tổng các trường số; "
              "format=csv|xlsx: tải cả sổ",
              {"ou", "date", "from", "to", "after", "limit", "format"}, true, false},
             [&s](Request& r) { return list_records(s, r); });
  routes.add({"POST", "/api/registries/{code}/records",
              "Thêm một bản ghi (JSON {orgUnit, fields}): 201 với ETag; hoặc nhập cả sổ (text/csv, XLSX): tất cả hoặc "
              "không, lỗi theo dòng, cột và trường",
              {}, true, true},
             [&s](Request& r) { return post_records(s, r); }, BodyKind::kUpload);
  routes.add({"GET", "/api/registries/{code}/records/{id}", "Một bản ghi với ETag và lịch sử thay đổi", {}, true, false},
             [&s](Request& r) { return get_record(s, r); });
  routes.add({"PUT", "/api/registries/{code}/records/{id}",
              "Sửa một bản ghi (If-Match: \"vN\"; 412 khi đã có thay đổi khác)", {}, true, true},
             [&s](Request& r) { return change_record(s, r, RecordChange::Kind::kUpdate); });
  routes.add({"DELETE", "/api/registries/{code}/records/{id}", "Xóa một bản ghi (If-Match tùy chọn): 204", {}, true, false},
             [&s](Request& r) { return change_record(s, r, RecordChange::Kind::kDelete); });
}

}  // namespace qpan::http::api
