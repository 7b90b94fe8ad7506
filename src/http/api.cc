// The qpan JSON API (see api.h): the services the resources share, the route table and the
// OpenAPI document made from it.
#include "http/api.h"

#include <boost/json.hpp>

#include <algorithm>

#include "http/api_support.h"

namespace qpan::http {
namespace json = boost::json;

Api::Api(Store& store, AggregationEngine& engine, Accounts& accounts, Workflow& workflow, Metrics& metrics,
         ApiOptions options)
    : options_(std::move(options)),
      services_(new api::Services{store, store_mutex_, engine, accounts, workflow, metrics, options_, {}, {}, {}, {}, {}, {}}) {}

// The writer's queued jobs answer through the routes' services: it is drained first.
Api::~Api() {
  services_->records.reset();
  services_->writer.reset();
}

Status Api::load() {
  api::Services& s = *services_;
  {
    std::lock_guard lock(store_mutex_);
    Result<Pack> pack = read_loaded_pack(s.store);
    if (!pack) return pack.status();
    Result<std::shared_ptr<const api::Definitions>> definitions = api::make_definitions(*pack, *s.engine.catalogue(), 0);
    if (!definitions) return definitions.status();
    s.set_definitions(std::move(*definitions));
  }
  // Writes go through the write path with group commit; the rules' warnings read the
  // engine, which has every committed value already.
  ValueWriterOptions options;
  options.clock = [&s] { return s.now(); };
  options.warning_context = [&engine = s.engine](const std::vector<ValueCell>&) -> Result<std::unique_ptr<ExpressionContext>> {
    return std::unique_ptr<ExpressionContext>(std::make_unique<EngineExpressionContext>(engine));
  };
  Result<std::unique_ptr<ValueWriter>> writer = ValueWriter::create(s.store, store_mutex_, s.workflow, true, options);
  if (!writer) return writer.status();
  s.writer = std::move(*writer);
  // Records go through their own write path on the same connection; its commits reach the
  // engine the same way. Stocks in force are counted through today: a server started in a
  // new quarter extends them.
  RecordWriterOptions record_options;
  record_options.clock = [&s] { return s.now(); };
  Result<std::unique_ptr<RecordWriter>> records = RecordWriter::create(s.store, store_mutex_, s.workflow, record_options);
  if (!records) return records.status();
  s.records = std::move(*records);
  // A read-only server leaves the recount to the servers over the primary (it follows their log).
  if (options_.read_only) return Status::ok();
  Result<ValueWriteSummary> recounted = s.records->recount(Writer::system("qpan serve"), RecordWriter::Recount::kInForce);
  if (!recounted) return recounted.status();
  return Status::ok();
}

Status Api::reload_definitions(Store& store) {
  api::Services& s = *services_;
  const std::shared_ptr<const api::Definitions> before = s.definitions();
  // The pack is read once, from `store`, not the data connection: a write holds that one's
  // mutex while its commit waits for this thread (ChangeFollower::own_commit). The units
  // and catalogue are the engine's, read a moment ago from the same store.
  Result<Pack> read = read_loaded_pack(store);
  if (!read) return read.status();
  const auto pack = std::make_shared<const Pack>(std::move(*read));
  Result<std::shared_ptr<const api::Definitions>> definitions =
      api::make_definitions(*pack, *s.engine.catalogue(), before ? before->epoch + 1 : 0);
  if (!definitions) return definitions.status();
  // The forms' closed states are read through the workflow's own connection; the writers
  // check against the same pack and the rules just compiled.
  QPAN_RETURN_IF_ERROR(s.workflow.reload(pack->data_sets));
  if (s.writer) {
    QPAN_RETURN_IF_ERROR(s.writer->reload_from(store, *pack, s.engine.units(), (*definitions)->validation_rules));
  }
  if (s.records) QPAN_RETURN_IF_ERROR(s.records->reload_from(store, pack, s.engine.units()));
  s.set_definitions(std::move(*definitions));
  return Status::ok();
}

Status Api::apply_changes(std::span<const Change> changes, Store& store) {
  api::Services& s = *services_;
  std::vector<ValueWrite> values;
  bool structure_stale = false;
  // Values of elements a pack load adds are applied only after the structure is re-read;
  // the definitions follow the structure, whose catalogue they are compiled against.
  const auto flush = [&]() -> Status {
    if (structure_stale) {
      QPAN_RETURN_IF_ERROR(s.engine.reload_structure(store));
      QPAN_RETURN_IF_ERROR(reload_definitions(store));
      structure_stale = false;
    }
    if (!values.empty()) s.engine.apply(values);
    values.clear();
    return Status::ok();
  };
  for (const Change& c : changes) {
    switch (c.kind) {
      case ChangeKind::kValue:
        if (structure_stale) QPAN_RETURN_IF_ERROR(flush());
        values.push_back(c.after);
        break;
      case ChangeKind::kApproval: {
        Result<FormKey> form = parse_approval_subject(c.subject);
        if (form) s.workflow.note_state(form->data_set, form->unit_code, form->period, c.after_text);
        break;
      }
      case ChangeKind::kUnits:
      case ChangeKind::kCatalogue:
      case ChangeKind::kPack:
        QPAN_RETURN_IF_ERROR(flush());
        structure_stale = true;
        break;
      case ChangeKind::kRecord:   // its counts come as value entries
      case ChangeKind::kAccount:  // read from the store on every request
        break;
    }
  }
  return flush();
}

void Api::add_routes(Router& router) {
  api::Routes routes(router, docs_, options_.read_only);
  api::Services& s = *services_;
  // Authentication before any body is read or stored (see Routes::add).
  router.set_admission([&s](Request& r) { return s.admit(r); });
  // DHIS2's clients: /api/41/analytics, /api/analytics.json, /api/dataValueSets.csv.
  router.set_rewrite(normalize_dhis2_address);
  // Liveness, and how far this server is behind the change log: a load balancer takes a
  // server whose lag grows out of rotation.
  routes.add({"GET", "/healthz", "Tình trạng máy chủ và độ trễ so với nhật ký thay đổi (liveness, log position and lag)", {}, false, false},
             [this](Request&) {
               json::object body{{"status", "ok"}};
               if (ChangeFollower* follower = follower_.load()) {
                 const ChangeFollower::Health h = follower->health();
                 json::object log{{"position", h.position}, {"last", h.last}, {"behind", h.last - h.position},
                                  {"lag_ms", h.lag_ms}};
                 if (!h.error.empty()) log["error"] = h.error;
                 body["log"] = std::move(log);
               }
               return json_response(200, body);
             });
  routes.add({"GET", "/metrics", "Số đo cho Prometheus (Prometheus metrics)", {}, false, false},
             [&s](Request&) { return api::raw(200, "text/plain; version=0.0.4; charset=utf-8", s.metrics.exposition()); });
  routes.add({"GET", "/api/openapi.json", "Tài liệu OpenAPI 3 (this document)", {}, false, false},
             [this](Request&) { return json_response(200, openapi()); });
  api::add_session_routes(routes, s);
  api::add_catalogue_routes(routes, s);
  api::add_analytics_routes(routes, s);
  api::add_explain_routes(routes, s);
  api::add_value_routes(routes, s);
  api::add_approval_routes(routes, s);
  api::add_form_routes(routes, s);
  api::add_dhis2_metadata_routes(routes, s);
  api::add_registry_routes(routes, s);
  api::add_report_routes(routes, s);
}

json::object Api::openapi() const {
  json::object paths;
  for (const RouteDoc& d : docs_) {
    json::object op{{"summary", d.summary}};
    json::array params;
    std::string pattern = d.pattern;
    for (size_t open = pattern.find('{'); open != std::string::npos; open = pattern.find('{', open + 1)) {
      const size_t close = pattern.find('}', open);
      params.emplace_back(json::object{{"name", pattern.substr(open + 1, close - open - 1)}, {"in", "path"},
                                       {"required", true}, {"schema", json::object{{"type", "string"}}}});
    }
    for (const std::string& q : d.query) {
      params.emplace_back(json::object{{"name", q}, {"in", "query"}, {"schema", json::object{{"type", "string"}}}});
    }
    if (!params.empty()) op["parameters"] = std::move(params);
    if (d.has_body) {
      op["requestBody"] = json::object{{"required", true}, {"content", json::object{{d.pattern == "/api/imports/dataValues" ? "text/csv" : "application/json", json::object{}}}}};
    }
    json::object responses{{"200", json::object{{"description", "OK"}}}};
    if (d.authenticated) {
      responses["401"] = json::object{{"description", "Chưa đăng nhập (not authenticated)"}};
      responses["403"] = json::object{{"description", "Ngoài quyền hoặc phạm vi (role or scope)"}};
      op["security"] = json::array{json::object{{"session", json::array{}}}, json::object{{"token", json::array{}}},
                                   json::object{{"dhis2Token", json::array{}}}, json::object{{"basic", json::array{}}}};
    }
    op["responses"] = std::move(responses);
    std::string method = d.method;
    std::transform(method.begin(), method.end(), method.begin(), [](char ch) { return static_cast<char>(std::tolower(ch)); });
    json::value& path = paths[d.pattern];
    if (!path.is_object()) path.emplace_object();
    path.as_object()[method] = std::move(op);
  }
  return {{"openapi", "3.0.3"},
          {"info", json::object{{"title", "qpan API"}, {"version", "0.1.0"},
                                {"description", "Hệ thống thông tin quốc phòng – an ninh cấp tỉnh"}}},
          {"paths", std::move(paths)},
          {"components",
           json::object{{"securitySchemes",
                         json::object{{"session", json::object{{"type", "apiKey"}, {"in", "cookie"}, {"name", api::kSessionCookie}}},
                                      {"token", json::object{{"type", "http"}, {"scheme", "bearer"}}},
                                      // DHIS2's clients: "Authorization: ApiToken <token>" and HTTP Basic.
                                      {"dhis2Token", json::object{{"type", "apiKey"}, {"in", "header"}, {"name", "Authorization"},
                                                                  {"description", "ApiToken <token>"}}},
                                      {"basic", json::object{{"type", "http"}, {"scheme", "basic"}}}}}}}};
}

}  // namespace qpan::http
