// Prometheus metrics (see metrics.h).
#include "http/metrics.h"

#include <fmt/format.h>

#include <string_view>

namespace qpan::http {
namespace {

const std::string kOtherRoute = "(other)";

// Label values are route patterns and methods; escape what the format requires anyway.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// A client may send any token as its method: each would be a new series.
std::string method_label(const std::string& method) {
  static constexpr std::string_view kKnown[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"};
  for (std::string_view known : kKnown) {
    if (method == known) return method;
  }
  return "OTHER";
}

}  // namespace

void Metrics::record_request(const std::string& method, const std::string& route, int status,
                             std::chrono::microseconds duration) {
  const double seconds = static_cast<double>(duration.count()) / 1e6;
  if (status < 100 || status > 599) status = 0;
  std::lock_guard lock(mutex_);
  // Routes are the application's patterns, a fixed set; the cap holds if a caller ever
  // passes something a client chose.
  const std::string& route_label =
      latency_.contains(route) || latency_.size() < kMaxRoutes ? route : kOtherRoute;
  ++requests_[{method_label(method), route_label, status}];
  Histogram& h = latency_[route_label];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.counts[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::add(const std::string& counter, int64_t n) {
  std::lock_guard lock(mutex_);
  counters_[counter] += n;
}

std::string Metrics::exposition() const {
  std::lock_guard lock(mutex_);
  std::string out;
  out += "# HELP qpan_http_requests_total HTTP requests answered, by method, route and status.\n";
  out += "# TYPE qpan_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [method, route, status] = key;
    out += fmt::format("qpan_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n", label(method),
                       label(route), status, n);
  }
  out += "# HELP qpan_http_request_duration_seconds Time from reading a request to writing its answer.\n";
  out += "# TYPE qpan_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out += fmt::format("qpan_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", label(route),
                         kBuckets[i], h.counts[i]);
    }
    out += fmt::format("qpan_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", label(route), h.count);
    out += fmt::format("qpan_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", label(route), h.sum);
    out += fmt::format("qpan_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", label(route), h.count);
  }
  for (const auto& [name, n] : counters_) {
    out += fmt::format("# TYPE qpan_{}_total counter\nqpan_{}_total {}\n", name, name, n);
  }
  return out;
}

}  // namespace qpan::http
