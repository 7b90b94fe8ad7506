// The analytics answers a server keeps (see AnalyticsCache): valid while the engine's
// generation is the one they were computed at, keyed on the parsed question, bounded by
// bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "qpan/analytics.h"
#include "qpan/http.h"

namespace qpan::http {

// Answers by question, valid while the engine's generation is the one they were computed
// at: a repeated dashboard question costs no roll-up, and any write makes every entry stale
// at once. Keyed on the parsed question (question_key) — not the raw query, which junk
// parameters would make endless — and bounded by bytes, oldest out first. Thread-safe.
class AnalyticsCache {
 public:
  explicit AnalyticsCache(size_t budget_bytes = 64 << 20) : budget_(budget_bytes) {}

  // The answer cached for `key` at `generation`; a stale one is dropped.
  std::optional<Response> find(const std::string& key, uint64_t generation);
  // Keeps `response`, dropping the oldest answers to stay within the budget; an answer
  // larger than a sixteenth of the budget is not kept.
  void add(const std::string& key, uint64_t generation, const Response& response);

  size_t bytes() const;
  size_t size() const;

 private:
  struct Entry {
    std::string key;
    uint64_t generation = 0;
    Response response;
    size_t bytes = 0;
  };
  void erase(std::list<Entry>::iterator it);

  const size_t budget_;
  mutable std::mutex mutex_;
  std::list<Entry> order_;  // oldest first; GUARDED_BY(mutex_)
  // Keyed by a view of the entry's own key: a key is kept once.
  std::unordered_map<std::string_view, std::list<Entry>::iterator> entries_;  // GUARDED_BY(mutex_)
  size_t bytes_ = 0;  // GUARDED_BY(mutex_)
};

// The question in a canonical form: the same answer has the same key, whatever the order of
// the URL's parameters, the spelling of its periods or what else it carries.
std::string question_key(const AnalyticsQuery& query, std::string_view format);

}  // namespace qpan::http
