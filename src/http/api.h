// The qpan JSON API on the HTTP layer: every route, its authentication (session cookie +
// CSRF token, or an API token) and its authorization (role × org-unit scope, checked on the
// server for every request), over one store, the aggregation engine and the accounts.
// The OpenAPI document is built from the same route table, so it lists exactly the routes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>

#include "http/metrics.h"
#include "qpan/accounts.h"
#include "qpan/aggregation.h"
#include "qpan/analytics.h"
#include "qpan/evaluation.h"
#include "qpan/exchange.h"
#include "qpan/http.h"
#include "qpan/store.h"
#include "qpan/validation.h"
#include "qpan/workflow.h"
#include "qpan/write_queue.h"

namespace qpan::http {

struct ApiOptions {
  bool secure_cookies = false;       // add "Secure" to the session cookie (behind TLS)
  std::function<int64_t()> clock;    // Unix seconds; empty: the system clock
};

class Api {
 public:
  // `store` is the data connection (used by one request at a time, under a mutex); the
  // engine follows its commits. Accounts and the workflow have their own connections.
  Api(Store& store, AggregationEngine& engine, Accounts& accounts, Workflow& workflow, Metrics& metrics,
      ApiOptions options = {});
  // Writes what is still queued first.
  ~Api();

  // Reads the pack's definitions (indicators, evaluation sets, validation rules).
  Status load();
  void add_routes(Router& router);

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
  struct Caller;
  class Handlers;

  int64_t now() const;

  Store& store_;
  std::mutex store_mutex_;
  AggregationEngine& engine_;
  Accounts& accounts_;
  Workflow& workflow_;
  Metrics& metrics_;
  ApiOptions options_;
  std::vector<Indicator> indicators_;
  std::vector<EvaluationSet> evaluation_sets_;
  std::vector<CompiledValidationRule> validation_rules_;
  std::unique_ptr<ValueEntryChecker> checker_;
  std::vector<RouteDoc> docs_;
  // Value writes of every request, grouped into shared transactions (group commit).
  std::unique_ptr<ValueWriteQueue> write_queue_;
  // Analytics answers by request (format and query), valid while the engine's generation is
  // the one they were computed at: a repeated dashboard query costs no roll-up, and any write
  // makes every entry stale at once.
  struct CachedAnswer {
    uint64_t generation = 0;
    Response response;
  };
  std::mutex cache_mutex_;
  std::unordered_map<std::string, CachedAnswer> analytics_cache_;
  std::shared_ptr<Handlers> handlers_;
};

}  // namespace qpan::http
