// The write path of registry records (qpan/record_writer.h): checks in order, then the
// records and the values counted from them in one transaction.
#include "qpan/record_writer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "qpan/accounts.h"
#include "qpan/workflow.h"

namespace qpan {

// What the writer checks against, loaded whole and replaced whole by reload().
class RecordWriter::State {
 public:
  std::shared_ptr<const Pack> pack;
  std::shared_ptr<const OrgUnitIndex> units;  // never null
  std::unordered_map<std::string, int64_t> unit_ids;
  std::vector<RecordCounter> counters;  // one per counted element

  // The days `code` is in force, inclusive ranges.
  std::vector<DateRange> in_force(std::string_view code) const {
    std::vector<DateRange> out;
    for (const OrgUnitVersion* v : units->history(code)) {
      out.push_back({v->valid_from.value_or(make_date(1, 1, 1)),
                     v->valid_until ? add_days(*v->valid_until, -1) : make_date(9999, 12, 31)});
    }
    return out;
  }
};

namespace {

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// The machine form a counted value is stored in, as the value writer would store it.
TypedValue typed(double value, ValueType type) {
  TypedValue v;
  const bool whole = std::nearbyint(value) == value && std::fabs(value) < 9.0e15;
  if (whole || type == ValueType::kCount || type == ValueType::kInteger) {
    v.kind = TypedValue::Kind::kInteger;
    v.integer = static_cast<int64_t>(std::llround(value));
  } else {
    v.kind = TypedValue::Kind::kReal;
    v.real = value;
  }
  return v;
}

// The counted values to write for `counter` and one owner unit: what its records count now
// against what is stored, as rows (set or delete) with the changed periods.
struct CountedRows {
  std::vector<ValueWrite> rows;
  std::vector<std::pair<Period, std::string>> changed;  // period, option code: for closed forms
};

Status diff_counted(Store& store, const RecordCounter& counter, const Catalogue& catalogue, int64_t unit_id,
                    const std::vector<CountedValue>& counted, std::string_view writer, int64_t now, CountedRows& out) {
  const DataElement* element = catalogue.element(counter.element());
  if (element == nullptr || element->id == 0) return Status::internal("counted element not in the store's catalogue");
  const Disaggregation* options = catalogue.disaggregation_of(*element);
  // (period key, option id) → stored machine form.
  std::map<std::pair<int64_t, int64_t>, std::string> stored;
  ValueFilter filter;
  filter.unit_ids = {unit_id};
  filter.element_ids = {element->id};
  QPAN_RETURN_IF_ERROR(store.scan_values(filter, [&](const ValueKey& key, const DataValue& value) {
    stored[{key.period, key.option_id}] = value.value;
  }));
  std::map<std::pair<int64_t, int64_t>, ValueWrite> wanted;
  for (const CountedValue& c : counted) {
    int64_t option_id = 0;
    if (!c.option.empty()) {
      const DisaggregationOption* option = options == nullptr ? nullptr : options->option(c.option);
      if (option == nullptr) continue;  // the pack check makes `by` give the element's options
      option_id = option->id;
    }
    ValueWrite row;
    row.key = {c.period.key(), static_cast<int32_t>(unit_id), static_cast<int32_t>(element->id),
               static_cast<int32_t>(option_id), 0};
    const TypedValue value = typed(c.value, element->value_type);
    row.kind = value.kind;
    if (value.kind == TypedValue::Kind::kReal) row.real = value.real; else row.integer = value.integer;
    row.stored_by = writer;
    row.last_updated = now;
    auto was = stored.find({row.key.period, option_id});
    const bool same = was != stored.end() && was->second == value.to_string();
    if (was != stored.end()) stored.erase(was);
    if (same) continue;
    out.changed.push_back({c.period, c.option});
    wanted.emplace(std::pair(row.key.period, option_id), row);
  }
  for (const auto& [key, text] : stored) {  // nothing counts there any more
    ValueWrite row;
    row.key = {key.first, static_cast<int32_t>(unit_id), static_cast<int32_t>(element->id),
               static_cast<int32_t>(key.second), 0};
    row.deleted = true;
    row.stored_by = writer;
    row.last_updated = now;
    Result<Period> period = Period::from_key(key.first);
    if (period) {
      std::string option;
      if (options != nullptr) {
        for (const DisaggregationOption& o : options->options) {
          if (o.id == key.second) option = o.code;
        }
      }
      out.changed.push_back({*period, option});
    }
    wanted.emplace(key, row);
  }
  for (auto& [key, row] : wanted) out.rows.push_back(row);
  return Status::ok();
}

}  // namespace

RecordWriter::RecordWriter(Store& store, std::mutex& store_mutex, const Workflow& workflow, RecordWriterOptions options)
    : store_(store), store_mutex_(store_mutex), workflow_(workflow), options_(std::move(options)) {}

RecordWriter::~RecordWriter() = default;

Result<std::unique_ptr<RecordWriter>> RecordWriter::create(Store& store, std::mutex& store_mutex,
                                                           const Workflow& workflow, RecordWriterOptions options) {
  std::unique_ptr<RecordWriter> writer(new RecordWriter(store, store_mutex, workflow, std::move(options)));
  QPAN_RETURN_IF_ERROR(writer->reload());
  return writer;
}

Status RecordWriter::reload() {
  std::lock_guard lock(store_mutex_);
  Result<Pack> pack = read_loaded_pack(store_);
  if (!pack) return pack.status();
  Result<OrgUnitIndex> units = store_.load_org_units();
  if (!units) return units.status();
  return reload_from(store_, std::make_shared<const Pack>(std::move(*pack)),
                     std::make_shared<const OrgUnitIndex>(std::move(*units)));
}

Status RecordWriter::reload_from(Store& source, std::shared_ptr<const Pack> pack,
                                 std::shared_ptr<const OrgUnitIndex> units) {
  auto state = std::make_shared<State>();
  for (const ElementSource& counted : pack->sources) {
    Result<RecordCounter> counter = RecordCounter::compile(counted, *pack);
    if (!counter) return Status::invalid_input("element " + counted.element + ": " + counter.status().message());
    state->counters.push_back(std::move(*counter));
  }
  state->pack = std::move(pack);
  state->units = std::move(units);
  Result<std::unordered_map<std::string, int64_t>> ids = source.unit_ids();
  if (!ids) return ids.status();
  state->unit_ids = std::move(*ids);
  std::lock_guard lock(state_mutex_);
  state_ = std::move(state);
  return Status::ok();
}

std::shared_ptr<const RecordWriter::State> RecordWriter::state() const {
  std::lock_guard lock(state_mutex_);
  return state_;
}

std::shared_ptr<const Pack> RecordWriter::pack() const { return state()->pack; }

int64_t RecordWriter::now() const {
  if (options_.clock) return options_.clock();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Result<RecordWriteOutcome> RecordWriter::write(RecordWrite request) {
  RecordWriteOutcome outcome;
  outcome.problems.max_problems = options_.max_problems;
  const std::optional<User>& account = request.writer.account;
  auto problem = [&](size_t change, std::string_view field, std::string reason) {
    ImportProblem p;
    if (request.locate) p = request.locate(change, field);
    if (p.field.empty()) p.field = std::string(field);
    p.reason = std::move(reason);
    outcome.problems.add(std::move(p));
  };
  auto refuse = [&](Refusal kind, std::string message) -> Result<RecordWriteOutcome> {
    outcome.refusal = kind;
    outcome.message = std::move(message);
    return std::move(outcome);
  };

  // 1. The role.
  if (account) {
    if (Status role = authorize_role(*account, Action::kWriteData); !role) {
      return refuse(Refusal::kForbidden, role.message());
    }
  }

  std::lock_guard lock(store_mutex_);
  const std::shared_ptr<const State> state = this->state();
  const Pack& pack = *state->pack;
  const Date today = from_days(static_cast<int32_t>(now() / 86400));

  // 2. The registry and each change on its own.
  const RegistryDefinition* registry = find_registry(pack, request.registry);
  if (registry == nullptr) {
    outcome.not_found = true;
    return refuse(Refusal::kInvalid, "Không có sổ " + quoted(request.registry) + " — unknown registry " +
                                         quoted(request.registry));
  }
  std::vector<const RecordCounter*> counters;
  for (const RecordCounter& c : state->counters) {
    if (c.source().registry == registry->code) counters.push_back(&c);
  }
  std::vector<RegistryRecord> records;
  records.reserve(request.changes.size());
  for (size_t i = 0; i < request.changes.size(); ++i) {
    RecordChange& change = request.changes[i];
    RegistryRecord record = std::move(change.record);
    record.registry = registry->code;
    if (change.kind != RecordChange::Kind::kDelete) {
      const bool known = state->units->knows(record.org_unit);
      if (!known) {
        problem(i, "org_unit", record.org_unit.empty() ? "empty: every record needs its owner org unit"
                                                       : "unknown org unit " + quoted(record.org_unit));
      }
      for (const FieldProblem& p : check_record_fields(*registry, record.fields, pack.catalogue, *state->units)) {
        problem(i, p.field, p.reason);
      }
      if (known) {
        const std::vector<DateRange> in_force = state->in_force(record.org_unit);
        for (const RecordCounter* counter : counters) {
          const std::optional<Period> period = counter->period_of(record);
          if (!period) continue;
          const DateRange days = period->dates();
          if (std::none_of(in_force.begin(), in_force.end(), [&](const DateRange& r) { return r.overlaps(days); })) {
            problem(i, counter->source().date_field,
                    "counted in " + period->label_vi() + " (" + counter->element() + "), when org unit " +
                        record.org_unit + " was not in force");
            break;
          }
        }
      }
    } else if (record.id <= 0) {
      problem(i, "id", "a deletion names the record's id");
    }
    records.push_back(std::move(record));
  }
  if (!outcome.problems.empty()) {
    return refuse(Refusal::kInvalid, "Sổ " + registry->code + ": bản ghi không hợp lệ — invalid records");
  }

  // 3. The scope over each new owner.
  auto in_scope = [&](size_t change, const std::string& unit) {
    if (!account) return true;
    Status s = authorize(*account, Action::kWriteData, unit, record_scope_day(*state->units, unit, today), *state->units);
    if (s) return true;
    problem(change, "org_unit", s.message());
    return false;
  };
  for (size_t i = 0; i < records.size(); ++i) {
    if (request.changes[i].kind != RecordChange::Kind::kDelete) in_scope(i, records[i].org_unit);
  }
  if (!outcome.problems.empty()) {
    return refuse(Refusal::kForbidden, "Ngoài phạm vi đơn vị của tài khoản — outside the account's org-unit scope");
  }

  Result<std::unique_ptr<ValueWriteTransaction>> transaction = store_.begin_value_transaction();
  if (!transaction) return transaction.status();

  // 4. Stored records: in this registry, in scope, at the version read.
  std::set<std::string> owners;
  for (size_t i = 0; i < records.size(); ++i) {
    const RecordChange& change = request.changes[i];
    RegistryRecord& record = records[i];
    if (change.kind == RecordChange::Kind::kCreate) {
      owners.insert(record.org_unit);
      continue;
    }
    Result<std::optional<RegistryRecord>> stored = store_.find_record(record.id);
    if (!stored) return stored.status();
    if (!*stored || (*stored)->registry != registry->code) {
      outcome.not_found = true;
      problem(i, "id", "no record " + std::to_string(record.id) + " in registry " + registry->code);
      continue;
    }
    if (!in_scope(i, (*stored)->org_unit)) {
      return refuse(Refusal::kForbidden, "Ngoài phạm vi đơn vị của tài khoản — outside the account's org-unit scope");
    }
    if (change.expected_version && *change.expected_version != (*stored)->version) {
      outcome.current = **stored;
      return refuse(Refusal::kChanged, "Bản ghi đã được sửa từ khi đọc (phiên bản " +
                                           std::to_string((*stored)->version) + ") — the record changed since it was read");
    }
    owners.insert((*stored)->org_unit);
    owners.insert(record.org_unit);
    if (change.kind == RecordChange::Kind::kDelete) {
      record = **stored;
    } else {
      record.version = (*stored)->version + 1;
      record.created_at = (*stored)->created_at;
      record.created_by = (*stored)->created_by;
    }
  }
  if (!outcome.problems.empty()) {
    return refuse(Refusal::kInvalid, "Không có bản ghi — no such record");
  }

  // What the owners touched held before this write, read now so that the recount below
  // takes the new states from memory instead of reading back what was just written.
  std::map<std::string, std::vector<RegistryRecord>, std::less<>> held_before;
  if (!counters.empty()) {
    for (const std::string& owner : owners) {
      RecordQuery query;
      query.registry = registry->code;
      query.units = {owner};
      Result<std::vector<RegistryRecord>> held = store_.registry_records(query);
      if (!held) return held.status();
      held_before.emplace(owner, std::move(*held));
    }
  }

  const int64_t at = now();
  const WriteContext context{request.writer.name, at, request.source};
  for (size_t i = 0; i < records.size(); ++i) {
    switch (request.changes[i].kind) {
      case RecordChange::Kind::kCreate:
        QPAN_RETURN_IF_ERROR(store_.insert_record(records[i], context));
        ++outcome.created;
        break;
      case RecordChange::Kind::kUpdate:
        records[i].updated_by = request.writer.name;
        records[i].updated_at = at;
        QPAN_RETURN_IF_ERROR(store_.update_record(records[i], context));
        ++outcome.updated;
        break;
      case RecordChange::Kind::kDelete:
        QPAN_RETURN_IF_ERROR(store_.delete_record(records[i], context));
        ++outcome.deleted;
        break;
    }
  }

  // 5. The counted values of each owner touched, recounted from all its records.
  std::vector<ValueWrite> rows;
  if (!counters.empty()) {
    // Each owner's records now: those it held that this write left alone, and the new states.
    std::set<int64_t> changed_ids;
    std::map<std::string_view, std::vector<const RegistryRecord*>> held_now;
    for (size_t i = 0; i < records.size(); ++i) {
      if (request.changes[i].kind != RecordChange::Kind::kCreate) changed_ids.insert(records[i].id);
      if (request.changes[i].kind != RecordChange::Kind::kDelete) held_now[records[i].org_unit].push_back(&records[i]);
    }
    for (const auto& [owner, held] : held_before) {
      std::vector<const RegistryRecord*>& now_held = held_now[owner];
      for (const RegistryRecord& r : held) {
        if (!changed_ids.contains(r.id)) now_held.push_back(&r);
      }
    }
    for (const std::string& owner : owners) {
      auto id = state->unit_ids.find(owner);
      if (id == state->unit_ids.end()) continue;
      const std::vector<const RegistryRecord*>& pointers = held_now[owner];
      const std::vector<DateRange> in_force = state->in_force(owner);
      for (const RecordCounter* counter : counters) {
        CountedRows counted;
        QPAN_RETURN_IF_ERROR(diff_counted(store_, *counter, pack.catalogue, id->second,
                                          counter->count(pointers, in_force, today), request.writer.name, at, counted));
        for (const auto& [period, option] : counted.changed) {
          if (std::optional<std::string> closed = workflow_.write_refusal(counter->element(), owner, period)) {
            return refuse(Refusal::kFormClosed, "Sổ " + registry->code + " đếm ra chỉ tiêu " + counter->element() +
                                                    " của đơn vị " + owner + ", kỳ " + period.label_vi() + ": " + *closed);
          }
        }
        rows.insert(rows.end(), counted.rows.begin(), counted.rows.end());
      }
    }
    std::sort(rows.begin(), rows.end(), [](const ValueWrite& a, const ValueWrite& b) { return a.key < b.key; });
    if (!rows.empty()) {  // an empty batch would only clutter the import list
      Result<ValueWriteSummary> summary =
          (*transaction)->write(rows, WriteContext{request.writer.name, at, "registry " + registry->code});
      if (!summary) return summary.status();
      outcome.counted = *summary;
    }
  }
  QPAN_RETURN_IF_ERROR((*transaction)->commit());
  outcome.records = std::move(records);
  return outcome;
}

Result<ValueWriteSummary> RecordWriter::recount(const Writer& writer, Recount scope) {
  std::lock_guard lock(store_mutex_);
  const std::shared_ptr<const State> state = this->state();
  const Pack& pack = *state->pack;
  const int64_t at = now();
  const Date today = from_days(static_cast<int32_t>(at / 86400));
  std::unordered_map<int64_t, std::string> unit_codes;
  for (const auto& [code, id] : state->unit_ids) unit_codes.emplace(id, code);

  Result<std::unique_ptr<ValueWriteTransaction>> transaction = store_.begin_value_transaction();
  if (!transaction) return transaction.status();
  std::vector<ValueWrite> rows;
  std::map<std::string, std::vector<RegistryRecord>> records_by_registry;
  for (const RecordCounter& counter : state->counters) {
    if (scope == Recount::kInForce && !counter.source().in_force()) continue;
    const std::string& code = counter.source().registry;
    if (!records_by_registry.contains(code)) {
      RecordQuery query;
      query.registry = code;
      Result<std::vector<RegistryRecord>> all = store_.registry_records(query);
      if (!all) return all.status();
      records_by_registry.emplace(code, std::move(*all));
    }
    // Owners with records, and units holding values of the element (typed before it was
    // counted, or left by records since moved).
    std::map<std::string, std::vector<const RegistryRecord*>> by_owner;
    for (const RegistryRecord& r : records_by_registry[code]) by_owner[r.org_unit].push_back(&r);
    const DataElement* element = pack.catalogue.element(counter.element());
    if (element == nullptr) continue;
    ValueFilter filter;
    filter.element_ids = {element->id};
    QPAN_RETURN_IF_ERROR(store_.scan_values(filter, [&](const ValueKey& key, const DataValue&) {
      auto unit = unit_codes.find(key.unit_id);
      if (unit != unit_codes.end()) by_owner[unit->second];
    }));
    for (const auto& [owner, held] : by_owner) {
      auto id = state->unit_ids.find(owner);
      if (id == state->unit_ids.end()) continue;
      CountedRows counted;
      QPAN_RETURN_IF_ERROR(diff_counted(store_, counter, pack.catalogue, id->second,
                                        counter.count(held, state->in_force(owner), today), writer.name, at, counted));
      rows.insert(rows.end(), counted.rows.begin(), counted.rows.end());
    }
  }
  if (rows.empty()) return ValueWriteSummary{};  // nothing differs: nothing to write (rolled back)
  std::sort(rows.begin(), rows.end(), [](const ValueWrite& a, const ValueWrite& b) { return a.key < b.key; });
  Result<ValueWriteSummary> summary = (*transaction)->write(rows, WriteContext{writer.name, at, "registry recount"});
  if (!summary) return summary.status();
  QPAN_RETURN_IF_ERROR((*transaction)->commit());
  return summary;
}

Date record_scope_day(const OrgUnitIndex& units, std::string_view unit, Date today) {
  std::optional<Date> last;
  for (const OrgUnitVersion* v : units.history(unit)) {
    if (v->valid_at(today)) return today;
    const Date until = v->valid_until ? add_days(*v->valid_until, -1) : today;
    if (!last || until > *last) last = until;
  }
  return last ? std::min(*last, today) : today;
}

Result<RecordWriteOutcome> write_records(Store& store, const RecordWrite& request, RecordWriterOptions options) {
  Result<std::unique_ptr<Workflow>> workflow = Workflow::create(store);
  if (!workflow) return workflow.status();
  std::mutex store_mutex;
  Result<std::unique_ptr<RecordWriter>> writer = RecordWriter::create(store, store_mutex, **workflow, std::move(options));
  if (!writer) return writer.status();
  return (*writer)->write(request);  // a copy: the request is the caller's
}

}  // namespace qpan
