// Group commit for concurrent writers of values. Callers (the server's request handlers)
// submit jobs from any thread and go on; one writer thread takes every job waiting and
// writes them in one store transaction, one import batch per job, so that N concurrent
// requests cost one durable commit (one fsync) instead of N. While the writer works on one
// group the next group gathers, so the larger the load the larger the groups.
//
// A job's `check` runs inside the transaction just before its rows are written, and sees
// what every earlier job of the group wrote: it is where a caller compares versions
// (If-Match) or asks whether the form is still open. A refused or failed job leaves nothing
// of itself and the others go on. `done` is called on the writer thread once the fate of
// the job is durable: its summary after the commit, or its error.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "qpan/status.h"
#include "qpan/store.h"

namespace qpan {

class ValueWriteQueue {
 public:
  struct Job {
    std::vector<ValueWrite> rows;  // sorted by key, no duplicates
    WriteContext context;
    std::shared_ptr<const void> storage;  // owns what the rows' string views point into
    std::function<Status(Store&)> check;  // may be empty
    std::function<void(Result<ValueWriteSummary>)> done;
  };

  struct Statistics {
    uint64_t jobs = 0, groups = 0, largest_group = 0;
  };

  // Every use of `store` outside the queue must hold `store_mutex`, which the writer holds
  // while it writes a group.
  ValueWriteQueue(Store& store, std::mutex& store_mutex);
  // Writes what is queued, then stops the writer thread.
  ~ValueWriteQueue();
  ValueWriteQueue(const ValueWriteQueue&) = delete;
  ValueWriteQueue& operator=(const ValueWriteQueue&) = delete;

  void submit(Job job);
  Statistics statistics() const;

 private:
  void run();
  void write_group(std::vector<Job>& group);

  Store& store_;
  std::mutex& store_mutex_;
  mutable std::mutex queue_mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  Statistics statistics_;
  std::thread writer_;  // last: starts when everything else is ready
};

}  // namespace qpan
