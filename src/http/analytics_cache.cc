// The analytics answers a server keeps (see analytics_cache.h).
#include "http/analytics_cache.h"

namespace qpan::http {

std::optional<Response> AnalyticsCache::find(const std::string& key, uint64_t generation) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second->generation != generation) {
    erase(it->second);
    return std::nullopt;
  }
  return it->second->response;
}

void AnalyticsCache::add(const std::string& key, uint64_t generation, const Response& response) {
  // The answer, its key and the bookkeeping around them (list and map nodes, roughly).
  const size_t bytes = key.size() + response.content_type.size() + response.body.size() + sizeof(Entry) + 64;
  if (bytes > budget_ / 16) return;
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) erase(it->second);
  while (!order_.empty() && bytes_ + bytes > budget_) erase(order_.begin());
  order_.push_back({key, generation, response, bytes});
  entries_.emplace(order_.back().key, std::prev(order_.end()));
  bytes_ += bytes;
}

size_t AnalyticsCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

size_t AnalyticsCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void AnalyticsCache::erase(std::list<Entry>::iterator it) {
  bytes_ -= it->bytes;
  entries_.erase(std::string_view(it->key));
  order_.erase(it);
}

std::string question_key(const AnalyticsQuery& q, std::string_view format) {
  std::string key(format);
  auto add = [&](char tag, std::string_view item) {
    key += '\x1f';
    key += tag;
    key += item;
  };
  for (const std::string& dx : q.dx) add('d', dx);
  for (const std::string& ou : q.ou) add('o', ou);
  for (const Period& pe : q.pe) add('p', pe.code());
  if (q.structure_at) add('s', format_date(*q.structure_at));
  return key;
}

}  // namespace qpan::http
