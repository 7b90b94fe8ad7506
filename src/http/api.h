// The qpan JSON API on the HTTP layer: every route, its authentication (session cookie +
// CSRF token, or an API token) and its authorization (role × org-unit scope, checked on the
// server for every request), over one store, the aggregation engine and the accounts. The
// routes live by resource in api_session.cc, api_catalogue.cc, api_analytics.cc,
// api_values.cc and api_approvals.cc; writes of values go through the write path
// (qpan/value_writer.h). The OpenAPI document is built from the same route table, so it
// lists exactly the routes.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "http/metrics.h"
#include "qpan/accounts.h"
#include "qpan/aggregation.h"
#include "qpan/analytics.h"
#include "qpan/change_log.h"
#include "qpan/evaluation.h"
#include "qpan/http.h"
#include "qpan/store.h"
#include "qpan/validation.h"
#include "qpan/workflow.h"

namespace qpan::http {

namespace api {
struct Services;
}

struct ApiOptions {
  bool secure_cookies = false;       // add "Secure" to the session cookie (behind TLS)
  std::function<int64_t()> clock;    // Unix seconds; empty: the system clock
  // Over a read-only database (a hot standby): GET and HEAD only, every other request refused
  // with 503 before authentication, as are passwords (a login writes); nothing written at load.
  bool read_only = false;
};

class Api {
 public:
  // `store` is the data connection (used by one request at a time, under a mutex); the
  // engine follows its commits. Accounts and the workflow have their own connections.
  Api(Store& store, AggregationEngine& engine, Accounts& accounts, Workflow& workflow, Metrics& metrics,
      ApiOptions options = {});
  // Writes what is still queued first.
  ~Api();

  // Reads the pack's definitions (indicators, evaluation sets, validation rules) and makes
  // the value writer.
  Status load();
  void add_routes(Router& router);

  // Applies entries of the change log (ChangeFollower::Apply): values to the engine, form
  // states to the workflow; units, catalogue and pack loads by re-reading from `store` the
  // engine's structure, then the pack's definitions, the workflow's data sets and what the
  // writers check against. Idempotent, so entries this process applied already may come again.
  Status apply_changes(std::span<const Change> changes, Store& store);
  // The follower whose position and lag /healthz reports (none: /healthz says nothing of
  // the log).
  void set_follower(ChangeFollower* follower) { follower_ = follower; }

  // The OpenAPI 3 document of the routes added.
  boost::json::object openapi() const;

  // A route as documented: what the OpenAPI document says of it.
  struct RouteDoc {
    std::string method, pattern, summary;
    std::vector<std::string> query;  // query parameters
    bool authenticated = true;
    bool has_body = false;
  };
  const std::vector<RouteDoc>& documented_routes() const { return docs_; }

 private:
  // After a change of the structure: the definitions, the workflow and the writers from the store.
  Status reload_definitions(Store& store);

  std::mutex store_mutex_;
  const ApiOptions options_;
  std::atomic<ChangeFollower*> follower_{nullptr};
  std::unique_ptr<api::Services> services_;
  std::vector<RouteDoc> docs_;
};

}  // namespace qpan::http
