// What every resource of the JSON API shares (api_*.cc): the services a handler reaches, the
// route table with its documentation, authentication and authorization of the caller, and
// reading query parameters and JSON bodies with errors that name the field. The resources
// map HTTP to calls of the engine library and back; nothing here decides about data.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/api.h"
#include "qpan/accounts.h"
#include "qpan/http.h"
#include "qpan/period.h"
#include "qpan/record_writer.h"
#include "qpan/value_writer.h"

namespace qpan::http::api {

namespace json = boost::json;

// Who sent a request: an account, with its session when it came with a cookie (an API
// token has none).
struct Caller {
  User user;
  std::optional<SessionInfo> session;
};

// Adds routes to the router and their documentation to the OpenAPI list, in one step so
// that the document lists exactly the routes.
class Routes {
 public:
  // read_only: the routes of other methods than GET and HEAD are kept (and documented) but
  // not public, so that the admission refuses them (Services::admit).
  Routes(Router& router, std::vector<Api::RouteDoc>& docs, bool read_only = false)
      : router_(router), docs_(docs), read_only_(read_only) {}
  void add(Api::RouteDoc doc, Handler handler, BodyKind body = BodyKind::kBuffered);
  // A route that replies later (writes through the group-commit writer).
  void add_async(Api::RouteDoc doc, AsyncHandler handler);

 private:
  bool refused(const Api::RouteDoc& doc) const { return read_only_ && doc.method != "GET" && doc.method != "HEAD"; }

  Router& router_;
  std::vector<Api::RouteDoc>& docs_;
  bool read_only_;
};

// What the loaded pack defines that handlers read, made whole at a load and replaced whole when
// a pack or the catalogue is loaded again, by any process (Api::apply_changes): a handler
// takes it once and answers from that one.
struct Definitions {
  std::vector<Indicator> indicators;
  std::vector<SubjectArea> areas;  // the headings of forms' sections
  std::vector<EvaluationSet> evaluation_sets;
  // Shared with the value writer, which checks a write against the same rules.
  std::shared_ptr<const std::vector<CompiledValidationRule>> validation_rules;
  // Counts the loads, for answers cached under one set of definitions: the engine's
  // generation alone moves before the definitions are replaced.
  uint64_t epoch = 0;
};

// The definitions of `pack` (the one loaded in the store), compiled against `catalogue` (the
// engine's, read from the same store).
Result<std::shared_ptr<const Definitions>> make_definitions(const Pack& pack, const Catalogue& catalogue, uint64_t epoch);

// What the handlers of every resource reach. Owned by Api; lives as long as the routes.
struct Services {
  Store& store;  // the data connection: used under store_mutex
  std::mutex& store_mutex;
  AggregationEngine& engine;
  Accounts& accounts;
  Workflow& workflow;
  Metrics& metrics;
  const ApiOptions& options;
  std::unique_ptr<ValueWriter> writer;  // set by Api::load()
  std::unique_ptr<RecordWriter> records;  // set by Api::load()

  // The definitions now (set by Api::load(), replaced by Api::apply_changes()).
  std::shared_ptr<const Definitions> definitions() const;
  void set_definitions(std::shared_ptr<const Definitions> definitions);
  mutable std::mutex definitions_mutex;
  std::shared_ptr<const Definitions> definitions_;  // GUARDED_BY(definitions_mutex)

  int64_t now() const;

  // The engine the request asks for: the live one, or with `asOf=` the figures as known
  // then (qpan/as_of.h), built from the store and kept for the next question at the same
  // position of the change log.
  Result<std::shared_ptr<const AggregationEngine>> engine_for(const Request& request);
  std::mutex as_of_mutex;
  std::map<int64_t, std::shared_ptr<const AggregationEngine>> as_of_engines;  // by log position; a few

  // The caller of a request: an API token (Authorization: Bearer) or a session cookie, which
  // must bring its CSRF token on anything but GET and HEAD. unauthenticated otherwise.
  Result<Caller> authenticate(const Request& request);
  // accounts' authorize() in the structure of the engine.
  Status authorize(const Caller& caller, Action action, std::string_view unit, Date at) const;
  // The same for figures of `unit` over `periods` in the structure of their own time: a code
  // can name different units over the years (the July 2025 merger reused codes), so every
  // unit the code named during a period must be within the scope, on the first and the last
  // day it did. A code that named no unit then is checked on the periods' last day (which
  // refuses it by name).
  Status authorize_over(const Caller& caller, Action action, std::string_view unit,
                        const std::vector<Period>& periods) const;
  // The router's admission: authenticates a request from its header alone and leaves the
  // caller in its context; the error response (401, 403 for a missing CSRF token) otherwise.
  std::optional<Response> admit(Request& request);
  // The caller the admission found, or authenticated now.
  Result<Caller> caller_of(Request& request);

  // Runs `body` for an authenticated caller; maps errors to responses.
  Response guarded(Request& request, const std::function<Result<Response>(Caller&)>& body);
  // The same for a route that replies later: `body` either starts the work (which replies)
  // and returns ok, or fails, and the error is the reply.
  void async_guarded(Request& request, const Reply& reply, const std::function<Status(Caller&)>& body);
};

// The session cookie's name.
inline constexpr std::string_view kSessionCookie = "qpan_session";

// ---- Query parameters --------------------------------------------------------------------

// The parameter, non-empty; invalid_input naming it otherwise.
Result<std::string> required(const Request& request, std::string_view name);
// A comma-separated parameter's items (at least the parameter must be given).
Result<std::vector<std::string>> list(const Request& request, std::string_view name);
// `pe`: one or more periods.
Result<std::vector<Period>> periods(const Request& request);
// The last day of the latest period.
Date last_day(const std::vector<Period>& periods);

// The `ou` and `pe` of a request about one unit, authorized for `action` over the periods
// (Services::authorize_over); `single`: exactly one period.
struct UnitPeriods {
  std::string ou;
  std::vector<Period> pe;
};
Result<UnitPeriods> unit_periods(Services& services, const Request& request, const Caller& caller, Action action,
                                 bool single);

// ---- JSON bodies ---------------------------------------------------------------------------

// Parses a body that must be a JSON object (UTF-8). `storage`: where the parsed values live
// (an arena for a large body read once).
Result<json::object> parse_object(const std::string& body, json::storage_ptr storage = {});

// Problems found in a request body: the first 100 kept, all counted.
struct BodyProblems {
  json::array shown;
  int64_t total = 0;
  void add(std::string field, std::string reason);
  bool empty() const { return total == 0; }
};

// Reads the members of one JSON object with the types the API expects, noting a problem for
// each member of the wrong type (named by `path` + member: "dataValues[3].period").
class BodyFields {
 public:
  BodyFields(const json::object& object, std::string path, BodyProblems& problems)
      : object_(object), path_(std::move(path)), problems_(problems) {}
  // A string member; absent or null: empty. A number or anything else is a problem: codes
  // and periods are strings ("202401", not 202401).
  std::string_view text(std::string_view key);
  // A value member as text: a string as it is, a number in its shortest form, a boolean as
  // true/false (clients send 12 or "12"). Numbers and booleans are kept in `kept`.
  std::string_view value(std::string_view key, std::deque<std::string>& kept);
  // A boolean member as "true"/"false"; absent or null: empty.
  std::string_view boolean(std::string_view key);

 private:
  const json::object& object_;
  std::string path_;
  BodyProblems& problems_;
};

// 400 with the problems listed ({"field", "reason"} each) and counted.
Response invalid_body(BodyProblems problems);

// If-Match as a write path's expected version: "\"v3\"" a version, "*" anything, nullopt for
// a malformed one.
std::optional<ExpectedVersion> expected_version(std::string_view etag);

// The problems a write path found, as the API lists them: {"field", "reason"} each, with
// "line" and "column" when they came from a file.
json::array problems_json(const ImportProblems& problems);

// ---- Responses -----------------------------------------------------------------------------

Response raw(int status, std::string content_type, std::string body);
std::string etag_of(int32_t version);
json::object value_json(const DataValue& value);
json::object user_json(const User& user);
// A data set: its names, period type, level, deadline, approval levels and elements.
json::object data_set_json(const DataSet& data_set);
// A form's approval state with its history.
json::object approval_json(const ApprovalRecord& record);

// ---- The resources -----------------------------------------------------------------------

void add_session_routes(Routes& routes, Services& services);     // login, logout, me (api_session.cc)
void add_catalogue_routes(Routes& routes, Services& services);   // units, pack (api_catalogue.cc)
void add_analytics_routes(Routes& routes, Services& services);   // analytics, validation, evaluation
void add_explain_routes(Routes& routes, Services& services);     // where a figure comes from (api_explain.cc)
void add_value_routes(Routes& routes, Services& services);       // values: read, write, import, audit
void add_approval_routes(Routes& routes, Services& services);    // approvals, completeness
void add_form_routes(Routes& routes, Services& services);        // data-entry forms (api_forms.cc)
void add_dhis2_metadata_routes(Routes& routes, Services& services);  // DHIS2's system and metadata lists
void add_registry_routes(Routes& routes, Services& services);    // registry records (api_registries.cc)
void add_report_routes(Routes& routes, Services& services);      // review reports (api_reports.cc)

}  // namespace qpan::http::api
