// Server metrics in the Prometheus text format (version 0.0.4): requests by route, method
// and status, their latency as a histogram, and counters the API adds (imports, values
// written). Every label has a bounded set of values whatever clients send: methods outside
// the standard ones count as OTHER, routes past the first kMaxRoutes as "(other)", statuses
// outside 100-599 as 0. Safe to update from every I/O thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace qpan::http {

class Metrics {
 public:
  // `route` is the route's pattern ("/api/units/{code}"), not the path, so labels stay few.
  // `method` is the client's, as sent.
  void record_request(const std::string& method, const std::string& route, int status,
                      std::chrono::microseconds duration);
  void add(const std::string& counter, int64_t n = 1);  // qpan_<counter>_total
  std::string exposition() const;

  static constexpr size_t kMaxRoutes = 256;

 private:
  static constexpr std::array<double, 10> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025, 0.05, 0.1, 0.5, 2.5};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;  // by route
  std::map<std::string, int64_t> counters_;
};

}  // namespace qpan::http
