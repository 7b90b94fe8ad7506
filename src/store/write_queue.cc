// Group commit for concurrent writers of values (see qpan/write_queue.h).
#include "qpan/write_queue.h"

#include <algorithm>
#include <utility>

namespace qpan {
namespace {

// A group stops growing at this many rows, so that one huge burst does not make the first
// caller wait for all of it.
constexpr size_t kGroupRowLimit = 50'000;

}  // namespace

ValueWriteQueue::ValueWriteQueue(Store& store, std::mutex& store_mutex)
    : store_(store), store_mutex_(store_mutex), writer_([this] { run(); }) {}

ValueWriteQueue::~ValueWriteQueue() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  writer_.join();
}

void ValueWriteQueue::submit(Job job) {
  {
    std::lock_guard lock(queue_mutex_);
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
}

ValueWriteQueue::Statistics ValueWriteQueue::statistics() const {
  std::lock_guard lock(queue_mutex_);
  return statistics_;
}

void ValueWriteQueue::run() {
  std::vector<Job> group;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is written
      size_t rows = 0;
      while (!queue_.empty() && (group.empty() || rows + queue_.front().rows.size() <= kGroupRowLimit)) {
        rows += queue_.front().rows.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      ++statistics_.groups;
      statistics_.jobs += group.size();
      statistics_.largest_group = std::max<uint64_t>(statistics_.largest_group, group.size());
    }
    write_group(group);
    group.clear();
  }
}

void ValueWriteQueue::write_group(std::vector<Job>& group) {
  std::vector<Result<ValueWriteSummary>> outcomes;
  outcomes.reserve(group.size());
  {
    std::lock_guard lock(store_mutex_);
    Result<std::unique_ptr<ValueWriteTransaction>> transaction = store_.begin_value_transaction();
    if (!transaction) {
      outcomes.assign(group.size(), transaction.status());
    } else {
      bool any_written = false;
      for (Job& job : group) {
        if (job.check) {
          if (Status refused = job.check(store_); !refused) {
            outcomes.emplace_back(std::move(refused));
            continue;
          }
        }
        outcomes.push_back((*transaction)->write(job.rows, job.context));
        any_written = any_written || outcomes.back().is_ok();
      }
      // Nothing is durable (and nobody may be told so) before the commit.
      if (Status committed = any_written ? (*transaction)->commit() : Status::ok(); !committed) {
        for (Result<ValueWriteSummary>& outcome : outcomes) {
          if (outcome) outcome = committed;
        }
      }
    }
  }
  for (size_t i = 0; i < group.size(); ++i) {
    if (group[i].done) group[i].done(std::move(outcomes[i]));
  }
}

}  // namespace qpan
