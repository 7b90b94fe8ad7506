// The part of qpan/account_store.h every store shares: the arithmetic of login throttling.
#include <algorithm>

#include "qpan/account_store.h"

namespace qpan {

int64_t failures_block_until(std::span<const int64_t> times, int limit, const LoginLimits& limits) {
  if (limit <= 0) return 0;
  const size_t run = static_cast<size_t>(limit);
  int64_t until = 0;
  for (size_t last = run - 1; last < times.size(); ++last) {
    if (times[last] - times[last + 1 - run] < limits.window_seconds) {
      until = std::max(until, times[last] + limits.lockout_seconds);
    }
  }
  return until;
}

}  // namespace qpan
