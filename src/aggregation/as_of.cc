// The engine as known at a past time (qpan/as_of.h).
#include "qpan/as_of.h"

#include <algorithm>
#include <vector>

#include "qpan/change_log.h"

namespace qpan {

Result<AsOfEngine> build_engine_as_of(Store& store, int64_t at_ms) {
  Result<int64_t> position = store.last_change_at(at_ms);
  if (!position) return position.status();
  // Built first, then the log read to its end: whatever the build saw is in what is read,
  // and undoing a change the build did not see restores what the build has anyway.
  Result<std::unique_ptr<AggregationEngine>> engine = AggregationEngine::build(store);
  if (!engine) return engine.status();
  std::vector<ValueWrite> undo;
  Status structure_changed;
  Result<int64_t> read = store.read_changes(*position, INT64_MAX, [&](const Change& c) {
    if (c.kind == ChangeKind::kValue) {
      undo.push_back(c.before);
    } else if (structure_changed.is_ok() &&
               (c.kind == ChangeKind::kUnits || c.kind == ChangeKind::kCatalogue || c.kind == ChangeKind::kPack)) {
      structure_changed = Status::invalid_input(
          "đơn vị hành chính hoặc danh mục đã thay đổi sau thời điểm đó (" + c.subject + ", " +
          format_as_of(c.at_ms) + "); chưa tính được số liệu theo cấu trúc cũ — units or the catalogue changed "
          "after that time (" + c.subject + " at " + format_as_of(c.at_ms) +
          "); figures as known then across such a change are not supported");
    }
  });
  if (!read) return read.status();
  QPAN_RETURN_IF_ERROR(structure_changed);
  std::reverse(undo.begin(), undo.end());  // newest first: each key ends at its oldest `before`
  (*engine)->apply(undo);
  return AsOfEngine{std::move(*engine), *position};
}

}  // namespace qpan
