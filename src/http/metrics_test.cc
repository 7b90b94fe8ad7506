// Tests for the Prometheus metrics: labels stay a bounded set whatever clients send.
#include "http/metrics.h"

#include <gtest/gtest.h>

#include <string>

namespace qpan::http {
namespace {

size_t count_lines(const std::string& text, const std::string& prefix) {
  size_t n = 0;
  for (size_t p = 0; (p = text.find(prefix, p)) != std::string::npos; p += prefix.size()) ++n;
  return n;
}

TEST(MetricsTest, ClientMethodsOutsideTheStandardOnesShareOneLabel) {
  Metrics metrics;
  for (int i = 0; i < 5000; ++i) {
    metrics.record_request(std::string(1000, 'X') + std::to_string(i), "(none)", 404, std::chrono::microseconds(10));
  }
  metrics.record_request("GET", "/healthz", 200, std::chrono::microseconds(10));
  const std::string text = metrics.exposition();
  EXPECT_LT(text.size(), 4000u);
  EXPECT_NE(text.find(R"m(qpan_http_requests_total{method="OTHER",route="(none)",status="404"} 5000)m"), std::string::npos);
  EXPECT_NE(text.find(R"m(qpan_http_requests_total{method="GET",route="/healthz",status="200"} 1)m"), std::string::npos);
}

TEST(MetricsTest, RoutesAreCappedAndStatusesBounded) {
  Metrics metrics;
  for (size_t i = 0; i < Metrics::kMaxRoutes + 500; ++i) {
    metrics.record_request("GET", "/path/" + std::to_string(i), 200, std::chrono::microseconds(10));
  }
  metrics.record_request("GET", "/path/0", 123456, std::chrono::microseconds(10));
  const std::string text = metrics.exposition();
  EXPECT_EQ(count_lines(text, "qpan_http_request_duration_seconds_count{"), Metrics::kMaxRoutes + 1);
  EXPECT_NE(text.find(R"m(qpan_http_requests_total{method="GET",route="(other)",status="200"} 500)m"), std::string::npos);
  EXPECT_NE(text.find(R"m(qpan_http_requests_total{method="GET",route="/path/0",status="0"} 1)m"), std::string::npos);
}

}  // namespace
}  // namespace qpan::http
