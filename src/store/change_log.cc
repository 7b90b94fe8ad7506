// The change log's kinds and times as users write them, and the follower that keeps a
// process's in-memory state current with the log (qpan/change_log.h).
#include "qpan/change_log.h"

#include <array>
#include <cstdio>
#include <utility>

#include "qpan/date.h"
#include "qpan/period.h"
#include "qpan/store.h"

namespace qpan {
namespace {

constexpr std::array<std::pair<ChangeKind, std::string_view>, 7> kKindNames{{
    {ChangeKind::kValue, "value"},
    {ChangeKind::kApproval, "approval"},
    {ChangeKind::kRecord, "record"},
    {ChangeKind::kUnits, "units"},
    {ChangeKind::kCatalogue, "catalogue"},
    {ChangeKind::kPack, "pack"},
    {ChangeKind::kAccount, "account"},
}};

constexpr int64_t kVietnamOffsetMs = 7 * 3600 * 1000;  // UTC+7 all year (no daylight saving)
constexpr int64_t kDayMs = 86400 * 1000;

// How many entries one read takes: a bulk import is applied in pieces of this many.
constexpr int64_t kReadBatch = 20000;

}  // namespace

std::string_view change_kind_name(ChangeKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "?";
}

Result<ChangeKind> parse_change_kind(std::string_view name) {
  for (const auto& [k, n] : kKindNames) {
    if (n == name) return k;
  }
  return Status::invalid_input("unknown change kind \"" + std::string(name) + "\"");
}

std::string approval_subject(const FormKey& form) {
  Result<Period> period = Period::from_key(form.period);
  return "form/" + form.data_set + "/" + form.unit_code + "/" + (period ? period->code() : std::to_string(form.period));
}

Result<FormKey> parse_approval_subject(std::string_view subject) {
  const auto bad = [&] { return Status::invalid_input("not a form: \"" + std::string(subject) + "\""); };
  if (!subject.starts_with("form/")) return bad();
  subject.remove_prefix(5);
  const size_t period_at = subject.rfind('/');
  if (period_at == std::string_view::npos || period_at == 0) return bad();
  const size_t unit_at = subject.rfind('/', period_at - 1);
  if (unit_at == std::string_view::npos) return bad();
  Result<Period> period = Period::parse(subject.substr(period_at + 1));
  if (!period) return bad();
  return FormKey{std::string(subject.substr(0, unit_at)), std::string(subject.substr(unit_at + 1, period_at - unit_at - 1)),
                 period->key()};
}

Result<int64_t> parse_as_of(std::string_view text) {
  Result<int64_t> seconds = parse_timestamp(text);
  if (!seconds) {
    return Status::invalid_input("--as-of / asOf: " + seconds.status().message() +
                                 " (expected e.g. 2024-01-15T08:00 or 2024-01-15)");
  }
  if (text.size() == 10) return (*seconds * 1000) + kDayMs - kVietnamOffsetMs - 1;  // the end of that day
  const bool has_offset = text.back() == 'Z' || text.find('+', 10) != std::string_view::npos ||
                          text.find('-', 10) != std::string_view::npos;
  return *seconds * 1000 - (has_offset ? 0 : kVietnamOffsetMs);
}

std::string format_as_of(int64_t at_ms) {
  const int64_t local_ms = at_ms + kVietnamOffsetMs;
  int64_t seconds = local_ms / 1000;
  if (local_ms < 0 && local_ms % 1000 != 0) --seconds;
  std::string text = format_timestamp(seconds);  // "…Z"
  if (!text.empty() && text.back() == 'Z') text.pop_back();
  return text + "+07:00";
}

ChangeFollower::ChangeFollower(std::unique_ptr<Store> store, int64_t position, Apply apply)
    : store_(std::move(store)), position_(position), apply_(std::move(apply)) {}

ChangeFollower::~ChangeFollower() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

Status ChangeFollower::start() {
  QPAN_RETURN_IF_ERROR(catch_up());
  thread_ = std::thread([this] { run(); });
  return Status::ok();
}

Status ChangeFollower::catch_up() {
  std::lock_guard lock(mutex_);
  return catch_up_locked();
}

Status ChangeFollower::catch_up_locked() {
  std::vector<Change> batch;
  for (;;) {
    batch.clear();
    Result<int64_t> read = store_->read_changes(position_, kReadBatch, [&](const Change& c) { batch.push_back(c); });
    if (!read) return read.status();
    if (batch.empty()) return Status::ok();
    if (batch.front().seq != position_ + 1) {
      return Status::internal("change log: expected entry " + std::to_string(position_ + 1) + ", found " +
                              std::to_string(batch.front().seq));
    }
    QPAN_RETURN_IF_ERROR(apply_(batch, *store_));
    position_ = batch.back().seq;
    if (*read < kReadBatch) return Status::ok();
  }
}

void ChangeFollower::own_commit(LogRange range, const std::function<void()>& apply_own) {
  std::lock_guard lock(mutex_);
  if (range.empty()) return;
  if (range.first == position_ + 1) {
    apply_own();
    position_ = range.last;
    return;
  }
  // Others committed in between and the thread has not read them yet: read them now, in
  // order with this commit (which the log holds too), rather than apply this one ahead of
  // them.
  if (Status s = catch_up_locked(); !s) error_ = s.message();
}

int64_t ChangeFollower::position() {
  std::lock_guard lock(mutex_);
  return position_;
}

ChangeFollower::Health ChangeFollower::health() {
  std::lock_guard lock(mutex_);
  Health h;
  h.position = position_;
  h.error = error_;
  Result<LogEnd> end = store_->log_end();
  if (!end) {
    h.error = end.status().message();
    h.last = position_;
    return h;
  }
  h.last = end->seq;
  if (h.last > position_) {
    Result<int64_t> read = store_->read_changes(position_, 1, [&](const Change& c) {
      const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
      h.lag_ms = std::max<int64_t>(0, now - c.at_ms);
    });
    if (!read) h.error = read.status().message();
  }
  return h;
}

void ChangeFollower::run() {
  bool failed = false;  // the last catch-up failed: try again without waiting for a commit
  while (!stopping_) {
    {
      // One look at a time under the lock, so that own_commit() and health() never wait
      // for more than one look (or one catch-up).
      std::lock_guard lock(mutex_);
      std::string error;
      Result<bool> changed = store_->wait_for_commits(std::chrono::milliseconds(0));
      if (!changed) {
        error = changed.status().message();
      } else if (*changed || failed) {
        Status s = catch_up_locked();
        if (!s) error = s.message();
      }
      // A failure is written once when it starts; the thread tries again meanwhile.
      if (!error.empty() && error != error_) std::fprintf(stderr, "qpan: change log: %s\n", error.c_str());
      error_ = error;
      failed = !error.empty();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(failed ? 200 : 5));
  }
}

}  // namespace qpan
