// Start-up from a snapshot: a server writes its engine's values to a file at a position of
// the change log (in the background, while serving) and, at its next start, reads the file
// and replays the log after that position instead of reading every value from the store.
// The file is mapped: the engine uses its arrays where they lie, copy-on-write, and the file
// is only ever replaced whole (a new file renamed over it), never changed in place.
// A snapshot that is missing, damaged (its checksum), of another format, or from another
// database or history (the log's entries at its position and at 1 differ) is not used: the
// caller rebuilds from the store, so a snapshot can make a start faster but never an answer
// wrong.
//
// Thread-safety: the functions may run beside readers and writers of the engine (writing
// takes its read lock one series at a time). A SnapshotKeeper runs its own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "qpan/aggregation.h"
#include "qpan/status.h"
#include "qpan/store.h"

namespace qpan {

// The snapshot's file in `dir`.
std::string snapshot_path(const std::string& dir);

// Writes `engine`'s values into `dir` (created if missing) as the snapshot at log position
// `position`: every entry up to it must have been applied to the engine before the call.
// Written to a temporary file and renamed over the previous one, so a reader never sees half
// a file. `store` (a connection of the caller's) names the log's entries at the position.
Status write_snapshot(const AggregationEngine& engine, Store& store, int64_t position, const std::string& dir);

struct SnapshotStart {
  std::unique_ptr<AggregationEngine> engine;
  int64_t position = 0;  // replay the log after this entry
};

// The engine from the snapshot in `dir`, with the structure and catalogue as the store has
// them now. not_found when there is none; invalid_input naming why one cannot be used.
Result<SnapshotStart> load_snapshot(Store& store, const std::string& dir);

// Writes a snapshot every `interval` when the position has moved since the last one (and
// once at start when `write_at_start`). Errors are written to stderr once and retried.
class SnapshotKeeper {
 public:
  // `position`: the last log entry applied to the engine (the follower's position).
  SnapshotKeeper(const AggregationEngine& engine, std::unique_ptr<Store> store, std::string dir,
                 std::function<int64_t()> position, std::chrono::seconds interval, bool write_at_start);
  ~SnapshotKeeper();  // stops the thread (a snapshot being written is finished first)
  SnapshotKeeper(const SnapshotKeeper&) = delete;
  SnapshotKeeper& operator=(const SnapshotKeeper&) = delete;

  // Positions written so far (for tests and /healthz).
  int64_t last_written() const { return last_written_.load(); }

 private:
  void run(bool write_at_start);

  const AggregationEngine& engine_;
  std::unique_ptr<Store> store_;
  std::string dir_;
  std::function<int64_t()> position_;
  std::chrono::seconds interval_;
  std::atomic<int64_t> last_written_{0};
  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace qpan
