// The demo generator (see generator.h and demo/README.md for the specification format).
//
// A specification is read and carried out in one pass: groups, weight profiles, seasonal
// profiles and unit sets first, then the series in order — a series may refer only to
// series before it (bounds, support, ratios, weights). Every random choice comes from a
// generator seeded by the dataset's seed and the series id (and window), so changing one
// series leaves the others' numbers alone.
#include "demo/generator.h"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>

#include "demo/records.h"
#include "demo/spec_json.h"
#include "demo/spread.h"
#include "exchange/csv.h"
#include "qpan/date.h"
#include "qpan/period.h"

namespace qpan::demo {
namespace {

// ---- The model being built --------------------------------------------------------------

struct Key {
  int64_t period = 0;  // Period::key()
  std::string unit;
  auto operator<=>(const Key&) const = default;
};

// How a series' figures become records (see records.h and demo/README.md "records").
struct RecordPlan {
  enum class Mode { kCounted, kSummed, kInForce } mode = Mode::kCounted;
  RecordTemplate record;
  std::string date_field;                  // counted, summed
  std::string amount_field;                // summed
  std::pair<int64_t, int64_t> parts{1, 1};  // summed
  int64_t quantum = 1;                     // summed
  std::string from_field, to_field;        // in force
  int64_t lead_days = 365;                 // in force
};

struct Series {
  std::string id;
  std::string path;
  const DataElement* element = nullptr;
  std::string option;
  int decimals = 0;    // values are stored as whole numbers of 10^-decimals
  bool zeros = true;   // write cells whose value is 0 (a report that says "none")
  std::map<Key, int64_t> values;
  std::map<Key, std::string> comments;
  // Set: the figures are written as registry records that count to them, not as values.
  std::optional<RecordPlan> records;
};

struct Group {
  std::string under;                  // a unit code, or empty
  std::vector<OrgUnitLevel> levels;   // with `under`
  std::vector<std::string> codes;     // exactly these units
};

struct Profile {
  std::map<std::string, double> by_type, by_parent, by_unit;
  double jitter_lo = 1, jitter_hi = 1;
  bool per_child = false;
};

struct Term {
  std::string series;
  double factor = 1;
};

// A value to assign: a fixed number (or boolean as 0/1), or a whole number drawn in a range.
struct ValueSpec {
  int64_t lo = 0, hi = 0;
  int64_t draw(Rng& rng) const { return lo == hi ? lo : rng.integer(lo, hi); }
};

class Generator {
 public:
  Generator(std::string file, const OrgUnitIndex& units, const Catalogue& catalogue)
      : file_(std::move(file)), units_(units), catalogue_(catalogue) {}

  GeneratedDataset run(const json::value& root);

 private:
  void read_info(const Obj& o);
  void read_groups(const Obj& o);
  void read_profiles(const Obj& o);
  void read_seasonality(const Obj& o);
  void read_partition(const Obj& o);
  void run_series(const Obj& o);

  Series& new_series(const Obj& o);
  const Series& ref(const std::string& id, const std::string& path) const;
  int64_t ref_value(const Series& s, const Key& k) const {
    auto it = s.values.find(k);
    return it == s.values.end() ? 0 : it->second;
  }
  std::vector<Term> terms(const Obj& o, std::string_view key) const;
  const std::set<std::string>& set(const std::string& name, const std::string& path) const;
  bool in_sets(const std::vector<std::string>& sets, const std::string& unit, const std::string& path) const;

  const std::vector<const OrgUnitVersion*>& units_at(const std::string& group, Date d, const std::string& path);
  double weight(const std::string& profile, const OrgUnitVersion& v, Date d, const std::string& path) const;
  double season(const std::string& profile, const Period& p, const std::string& path) const;
  ValueSpec value_spec(const json::value& v, const Series& s, const std::string& path) const;

  void spread_total(const Obj& o, Series& s);
  void set_values(const Obj& o, Series& s);
  void ratio_of(const Obj& o, Series& s);
  void stock_levels(const Obj& o, Series& s);
  void points(const Obj& o, Series& s);
  void explicit_values(const Obj& o, Series& s);

  std::optional<RecordPlan> read_record_plan(const Obj& o) const;
  void make_records(const Series& s);
  void read_register(const Obj& o);
  std::string value_text(const Series& s, int64_t v) const;
  void write_rows(GeneratedDataset& out) const;
  void write_registers(GeneratedDataset& out) const;

  std::string file_;
  const OrgUnitIndex& units_;
  const Catalogue& catalogue_;
  uint64_t seed_ = 0;
  std::string code_, name_vi_, stored_by_;
  std::map<std::string, Group> groups_;
  std::map<std::string, Profile> profiles_;
  std::map<std::string, std::array<double, 12>> seasons_;
  std::map<std::string, std::set<std::string>> sets_;
  std::vector<std::unique_ptr<Series>> series_;
  std::map<std::string, Series*> by_id_;
  std::map<std::pair<std::string, int32_t>, std::vector<const OrgUnitVersion*>> unit_cache_;
  // Registry code → its records, and the field their windows are dated by.
  std::map<std::string, std::vector<DemoRecord>> registers_;
  std::map<std::string, std::string> register_dates_;
};

GeneratedDataset Generator::run(const json::value& root_value) {
  Obj root(root_value, "$");
  root.only({"demo", "groups", "weights", "seasonality", "partitions", "series", "registers"});
  read_info(root.object("demo"));
  if (root.has("groups")) read_groups(root.object("groups"));
  if (root.has("weights")) read_profiles(root.object("weights"));
  if (root.has("seasonality")) read_seasonality(root.object("seasonality"));
  if (const json::array* parts = root.array_or_null("partitions")) {
    for (size_t i = 0; i < parts->size(); ++i) read_partition(Obj((*parts)[i], item("$.partitions", i)));
  }
  const json::array& series = root.array("series");
  for (size_t i = 0; i < series.size(); ++i) run_series(Obj(series[i], item("$.series", i)));
  for (const auto& s : series_) {
    if (s->records) make_records(*s);
  }
  if (const json::array* registers = root.array_or_null("registers")) {
    for (size_t i = 0; i < registers->size(); ++i) read_register(Obj((*registers)[i], item("$.registers", i)));
  }

  GeneratedDataset out;
  out.code = code_;
  out.name_vi = name_vi_;
  write_rows(out);
  write_registers(out);
  return out;
}

void Generator::read_info(const Obj& o) {
  o.only({"code", "name_vi", "name_en", "description", "seed", "stored_by"});
  code_ = o.text("code");
  name_vi_ = o.text("name_vi");
  o.text_or("name_en", "");
  o.text_or("description", "");
  const int64_t seed = o.integer("seed");
  seed_ = static_cast<uint64_t>(seed);
  stored_by_ = o.text_or("stored_by", "demo." + code_);
}

void Generator::read_groups(const Obj& o) {
  for (const auto& kv : o.raw()) {
    if (kv.key() == "about") continue;
    Obj g(kv.value(), o.at(kv.key()));
    g.only({"under", "levels", "codes"});
    Group group;
    if (g.has("codes")) {
      group.codes = text_list(g.array("codes"), g.at("codes"));
      for (size_t i = 0; i < group.codes.size(); ++i) {
        if (!units_.knows(group.codes[i])) fail(item(g.at("codes"), i), "unknown unit " + quoted(group.codes[i]));
      }
    } else {
      group.under = g.text("under");
      if (!units_.knows(group.under)) fail(g.at("under"), "unknown unit " + quoted(group.under));
      const std::vector<std::string> levels = text_list(g.array("levels"), g.at("levels"));
      for (size_t i = 0; i < levels.size(); ++i) {
        Result<OrgUnitLevel> l = parse_level(levels[i]);
        if (!l) fail(item(g.at("levels"), i), l.status().message());
        group.levels.push_back(*l);
      }
      if (group.levels.empty()) fail(g.at("levels"), "name at least one level");
    }
    groups_[std::string(kv.key())] = std::move(group);
  }
}

void Generator::read_profiles(const Obj& o) {
  for (const auto& kv : o.raw()) {
    if (kv.key() == "about") continue;
    Obj p(kv.value(), o.at(kv.key()));
    p.only({"by_type", "by_parent", "by_unit", "jitter", "per_child"});
    Profile profile;
    auto read_map = [&](std::string_view key, std::map<std::string, double>& into) {
      if (!p.has(key)) return;
      Obj m = p.object(key);
      for (const auto& e : m.raw()) {
        if (e.key() == "about") continue;
        const double w = as_number(e.value(), m.at(e.key()));
        if (!(w >= 0)) fail(m.at(e.key()), "expected a weight >= 0");
        into[std::string(e.key())] = w;
      }
    };
    read_map("by_type", profile.by_type);
    read_map("by_parent", profile.by_parent);
    read_map("by_unit", profile.by_unit);
    if (const json::array* j = p.array_or_null("jitter")) {
      if (j->size() != 2) fail(p.at("jitter"), "expected [low, high]");
      profile.jitter_lo = as_number((*j)[0], item(p.at("jitter"), 0));
      profile.jitter_hi = as_number((*j)[1], item(p.at("jitter"), 1));
      if (!(profile.jitter_lo > 0 && profile.jitter_lo <= profile.jitter_hi)) {
        fail(p.at("jitter"), "expected 0 < low <= high");
      }
    }
    profile.per_child = p.flag_or("per_child", false);
    profiles_[std::string(kv.key())] = std::move(profile);
  }
}

void Generator::read_seasonality(const Obj& o) {
  for (const auto& kv : o.raw()) {
    if (kv.key() == "about") continue;
    const std::string path = o.at(kv.key());
    if (!kv.value().is_array() || kv.value().get_array().size() != 12) {
      fail(path, "expected 12 monthly weights, January first");
    }
    std::array<double, 12> months{};
    for (size_t i = 0; i < 12; ++i) {
      months[i] = as_number(kv.value().get_array()[i], item(path, i));
      if (!(months[i] >= 0)) fail(item(path, i), "expected a weight >= 0");
    }
    seasons_[std::string(kv.key())] = months;
  }
}

// A partition: a pool of units (of a group, in force for a whole range of months) dealt
// out to disjoint named sets, by explicit codes or by a seeded weighted choice.
void Generator::read_partition(const Obj& o) {
  o.only({"code", "pool", "prefer", "weights", "parts"});
  const std::string code = o.text("code");
  Obj pool = o.object("pool");
  pool.only({"group", "in_force"});
  const std::string group = pool.text("group");
  const Period range = parse_period(pool.text("in_force"), pool.at("in_force"));
  const std::vector<Period> months = expand(range, PeriodType::kMonth, pool.at("in_force"));
  std::vector<const OrgUnitVersion*> candidates = units_at(group, period_end(months.front()), pool.at("group"));
  std::vector<const OrgUnitVersion*> members;
  for (const OrgUnitVersion* v : candidates) {
    bool always = true;
    for (const Period& m : months) {
      const auto& at = units_at(group, period_end(m), pool.at("group"));
      always = always && std::any_of(at.begin(), at.end(), [&](const OrgUnitVersion* u) { return u->code == v->code; });
      if (!always) break;
    }
    if (always) members.push_back(v);
  }

  const std::string prefer = o.text_or("prefer", "uniform");
  const std::string profile = o.text_or("weights", "");
  if (prefer != "uniform" && prefer != "light" && prefer != "heavy") {
    fail(o.at("prefer"), "expected uniform, light or heavy");
  }
  if (prefer != "uniform" && profile.empty()) fail(o.path(), "\"prefer\": " + prefer + " needs \"weights\"");
  const Date on = period_end(months.back());
  std::vector<double> weights;
  for (const OrgUnitVersion* v : members) {
    const OrgUnitVersion* now = units_.at(v->code, on);
    const double w = prefer == "uniform" ? 1.0 : weight(profile, now ? *now : *v, on, o.at("weights"));
    weights.push_back(prefer == "light" ? (w > 0 ? 1.0 / w : 0.0) : w);
  }

  const json::array& parts = o.array("parts");
  std::vector<bool> taken(members.size(), false);
  auto index_of = [&](const std::string& c) -> size_t {
    for (size_t i = 0; i < members.size(); ++i) {
      if (members[i]->code == c) return i;
    }
    return members.size();
  };
  // Explicit codes first, so the drawn parts cannot take them.
  std::vector<std::pair<std::string, int64_t>> counted;
  for (size_t i = 0; i < parts.size(); ++i) {
    Obj part(parts[i], item(o.at("parts"), i));
    part.only({"set", "count", "codes"});
    const std::string name = part.text("set");
    if (sets_.count(name)) fail(part.at("set"), "set " + quoted(name) + " is defined twice");
    sets_[name];
    if (part.has("codes")) {
      const std::vector<std::string> codes = text_list(part.array("codes"), part.at("codes"));
      for (size_t k = 0; k < codes.size(); ++k) {
        const size_t at = index_of(codes[k]);
        if (at == members.size()) {
          fail(item(part.at("codes"), k), "unit " + quoted(codes[k]) + " is not in the pool of partition " +
                                              quoted(code) + " (group " + group + ", in force " + range.code() + ")");
        }
        if (taken[at]) fail(item(part.at("codes"), k), "unit " + quoted(codes[k]) + " is in another part already");
        taken[at] = true;
        weights[at] = 0;
        sets_[name].insert(codes[k]);
      }
    } else {
      const int64_t count = part.integer("count");
      if (count < 0) fail(part.at("count"), "expected a count >= 0");
      counted.emplace_back(name, count);
    }
  }
  int64_t wanted = 0;
  for (const auto& [name, count] : counted) wanted += count;
  const int64_t free = std::count(taken.begin(), taken.end(), false);
  if (wanted > free) {
    fail(o.at("parts"), "the parts need " + std::to_string(wanted) + " units but the pool has " +
                            std::to_string(free) + " left (" + std::to_string(members.size()) +
                            " units of group " + group + " in force throughout " + range.code() + ")");
  }
  // Taken units have weight 0 and must not be drawn: draw among the others only.
  std::vector<size_t> open;
  std::vector<double> open_weights;
  for (size_t i = 0; i < members.size(); ++i) {
    if (!taken[i]) {
      open.push_back(i);
      open_weights.push_back(weights[i]);
    }
  }
  Rng rng(derive_seed(seed_, "partition/" + code));
  const std::vector<size_t> order = choose_weighted(static_cast<size_t>(wanted), open_weights, rng);
  size_t next = 0;
  for (const auto& [name, count] : counted) {
    for (int64_t k = 0; k < count; ++k) sets_[name].insert(members[open[order[next++]]]->code);
  }
}

// ---- Units, weights, seasons --------------------------------------------------------------

const std::vector<const OrgUnitVersion*>& Generator::units_at(const std::string& name, Date d,
                                                              const std::string& path) {
  auto cached = unit_cache_.find({name, to_days(d)});
  if (cached != unit_cache_.end()) return cached->second;
  auto g = groups_.find(name);
  if (g == groups_.end()) fail(path, "unknown unit group " + quoted(name));
  const Group& group = g->second;
  std::vector<const OrgUnitVersion*> out;
  for (const std::string& c : group.codes) {
    if (const OrgUnitVersion* v = units_.at(c, d)) out.push_back(v);
  }
  if (!group.under.empty() && units_.at(group.under, d) != nullptr) {
    std::vector<std::string> stack{group.under};
    while (!stack.empty()) {
      const std::string code = stack.back();
      stack.pop_back();
      for (const OrgUnitVersion* child : units_.children(code, d)) {
        if (std::find(group.levels.begin(), group.levels.end(), child->level) != group.levels.end()) {
          out.push_back(child);
        }
        stack.push_back(child->code);
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const OrgUnitVersion* a, const OrgUnitVersion* b) { return a->code < b->code; });
  return unit_cache_[{name, to_days(d)}] = std::move(out);
}

double Generator::weight(const std::string& name, const OrgUnitVersion& v, Date d, const std::string& path) const {
  if (name.empty()) return 1.0;
  auto p = profiles_.find(name);
  if (p == profiles_.end()) fail(path, "unknown weight profile " + quoted(name));
  const Profile& profile = p->second;
  double w = 1.0;
  if (auto t = profile.by_type.find(v.type); t != profile.by_type.end()) w *= t->second;
  if (auto t = profile.by_parent.find(v.parent_code); t != profile.by_parent.end()) w *= t->second;
  if (auto t = profile.by_unit.find(v.code); t != profile.by_unit.end()) w *= t->second;
  if (profile.jitter_lo != 1 || profile.jitter_hi != 1) {
    Rng rng(derive_seed(seed_, "jitter/" + name + "/" + v.code));
    w *= rng.uniform(profile.jitter_lo, profile.jitter_hi);
  }
  if (profile.per_child) w *= static_cast<double>(units_.children(v.code, d).size());
  return w;
}

double Generator::season(const std::string& name, const Period& p, const std::string& path) const {
  if (name.empty()) return 1.0;
  auto s = seasons_.find(name);
  if (s == seasons_.end()) fail(path, "unknown seasonal profile " + quoted(name));
  double sum = 0;
  for (MonthIndex m = p.first_month(); m <= p.last_month(); ++m) sum += s->second[static_cast<size_t>(month_of(m) - 1)];
  return sum / p.month_count();
}

// ---- Series --------------------------------------------------------------------------------

const std::set<std::string>& Generator::set(const std::string& name, const std::string& path) const {
  auto it = sets_.find(name);
  if (it == sets_.end()) fail(path, "unknown unit set " + quoted(name) + " (sets come from \"partitions\")");
  return it->second;
}

bool Generator::in_sets(const std::vector<std::string>& sets, const std::string& unit, const std::string& path) const {
  for (const std::string& s : sets) {
    if (set(s, path).count(unit)) return true;
  }
  return false;
}

const Series& Generator::ref(const std::string& id, const std::string& path) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) fail(path, "unknown series " + quoted(id) + " (a series can refer only to series before it)");
  return *it->second;
}

std::vector<Term> Generator::terms(const Obj& o, std::string_view key) const {
  std::vector<Term> out;
  const json::array* a = o.array_or_null(key);
  if (!a) return out;
  for (size_t i = 0; i < a->size(); ++i) {
    Obj t((*a)[i], item(o.at(key), i));
    t.only({"series", "factor"});
    Term term{t.text("series"), t.number_or("factor", 1.0)};
    if (!(term.factor >= 0)) fail(t.at("factor"), "expected a factor >= 0");
    ref(term.series, t.at("series"));
    out.push_back(term);
  }
  return out;
}

Series& Generator::new_series(const Obj& o) {
  auto s = std::make_unique<Series>();
  s->path = o.path();
  const std::string code = o.text("element");
  s->element = catalogue_.element(code);
  if (s->element == nullptr) fail(o.at("element"), "unknown data element " + quoted(code) + " (not in the pack)");
  s->option = o.text_or("option", "");
  if (!s->option.empty()) {
    const Disaggregation* d = catalogue_.disaggregation_of(*s->element);
    if (d == nullptr) fail(o.at("option"), "data element " + code + " has no disaggregation");
    if (d->option(s->option) == nullptr) {
      fail(o.at("option"), "unknown option " + quoted(s->option) + " of disaggregation " + d->code);
    }
  }
  s->id = o.text_or("id", s->option.empty() ? code : code + "." + s->option);
  if (by_id_.count(s->id)) fail(o.path(), "series id " + quoted(s->id) + " is used twice (give one an \"id\")");
  s->zeros = o.flag_or("zeros", true);
  s->records = read_record_plan(o);
  Series& out = *s;
  by_id_[s->id] = s.get();
  series_.push_back(std::move(s));
  return out;
}

void Generator::run_series(const Obj& o) {
  const std::string kind = o.text("kind");
  Series& s = new_series(o);
  const ValueType t = s.element->value_type;
  const bool whole = t == ValueType::kCount || t == ValueType::kInteger || t == ValueType::kAmountVnd ||
                     t == ValueType::kAmountUsd || t == ValueType::kNumber || t == ValueType::kPercentage;
  auto need_whole = [&] {
    if (!whole) {
      fail(o.at("kind"), kind + " makes numbers; element " + s.element->code + " is " +
                             std::string(value_type_name(t)));
    }
  };
  if (kind == "spread_total") {
    need_whole();
    spread_total(o, s);
  } else if (kind == "set_values") {
    set_values(o, s);
  } else if (kind == "ratio_of") {
    need_whole();
    ratio_of(o, s);
  } else if (kind == "stock_levels") {
    need_whole();
    stock_levels(o, s);
  } else if (kind == "points") {
    if (t != ValueType::kNumber && t != ValueType::kPercentage) {
      fail(o.at("kind"), "points need a number or percentage element; " + s.element->code + " is " +
                             std::string(value_type_name(t)));
    }
    points(o, s);
  } else if (kind == "explicit") {
    explicit_values(o, s);
  } else {
    fail(o.at("kind"), "unknown kind " + quoted(kind) +
                           " (expected spread_total, set_values, ratio_of, stock_levels, points or explicit)");
  }
}

// spread_total: each window's total spread exactly over the cells (unit in force × period)
// of the window — by weighted draws (a multinomial: realistic clumps and zeros) within
// bounds, by largest remainders (smooth amounts), or in a few lumps (grants).
void Generator::spread_total(const Obj& o, Series& s) {
  o.only({"kind", "id", "element", "option", "zeros", "units", "period_type", "weights", "seasonality",
          "year_weights", "method", "quantum", "lumps", "jitter", "windows", "caps", "floors", "support",
          "year_on_year", "records"});
  const std::string group = o.text("units");
  const PeriodType type = parse_type(o.text_or("period_type", "month"), o.at("period_type"));
  const std::string profile = o.text_or("weights", "");
  const std::string seasonality = o.text_or("seasonality", "");
  std::map<int, double> year_weights;
  if (o.has("year_weights")) {
    Obj yw = o.object("year_weights");
    for (const auto& kv : yw.raw()) {
      if (kv.key() == "about") continue;
      const Period y = parse_period(std::string(kv.key()), yw.at(kv.key()));
      if (y.type() != PeriodType::kYear) fail(yw.at(kv.key()), "expected a year");
      year_weights[y.year()] = as_number(kv.value(), yw.at(kv.key()));
    }
  }
  const std::string method = o.text_or("method", "draws");
  if (method != "draws" && method != "proportional" && method != "lumps") {
    fail(o.at("method"), "expected draws, proportional or lumps");
  }
  const int64_t quantum = o.integer_or("quantum", 1);
  if (quantum < 1) fail(o.at("quantum"), "expected a whole number >= 1");
  const int64_t lumps = o.integer_or("lumps", 0);
  if (method == "lumps" && lumps < 1) fail(o.path(), "method lumps needs \"lumps\" >= 1");
  const double jitter = o.number_or("jitter", 0.25);
  if (!(jitter >= 0 && jitter < 1)) fail(o.at("jitter"), "expected 0 <= jitter < 1");
  const std::vector<Term> caps = terms(o, "caps");
  const std::vector<Term> floors = terms(o, "floors");
  std::vector<std::string> support;
  if (const json::array* a = o.array_or_null("support")) {
    support = text_list(*a, o.at("support"));
    for (size_t i = 0; i < support.size(); ++i) ref(support[i], item(o.at("support"), i));
  }
  if (method != "draws" && (!caps.empty() || !floors.empty() || !support.empty() || o.has("year_on_year"))) {
    fail(o.path(), "caps, floors, support and year_on_year need method draws");
  }

  // Year on year: in the given years each unit's total stays at most last year's, except
  // for the units of the named sets, which get at least last year's + 1 (and at most
  // last year's + max_rise).
  std::set<int> yoy_years;
  std::map<int, std::vector<std::string>> yoy_up;
  int64_t yoy_max_rise = -1;  // in the element's units; -1: no limit
  if (o.has("year_on_year")) {
    Obj y = o.object("year_on_year");
    y.only({"years", "up", "max_rise"});
    yoy_max_rise = y.integer_or("max_rise", -1);
    if (y.has("max_rise") && yoy_max_rise < 1) fail(y.at("max_rise"), "expected a whole number >= 1");
    const Period years = parse_period(y.text("years"), y.at("years"));
    for (const Period& p : expand(years, PeriodType::kYear, y.at("years"))) yoy_years.insert(p.year());
    if (y.has("up")) {
      Obj up = y.object("up");
      for (const auto& kv : up.raw()) {
        if (kv.key() == "about") continue;
        const Period p = parse_period(std::string(kv.key()), up.at(kv.key()));
        if (p.type() != PeriodType::kYear || !yoy_years.count(p.year())) {
          fail(up.at(kv.key()), "expected one of the years of \"years\"");
        }
        if (!kv.value().is_array()) fail(up.at(kv.key()), "expected an array of set names");
        yoy_up[p.year()] = text_list(kv.value().get_array(), up.at(kv.key()));
        for (size_t i = 0; i < yoy_up[p.year()].size(); ++i) set(yoy_up[p.year()][i], item(up.at(kv.key()), i));
      }
    }
  }

  const json::array& windows = o.array("windows");
  for (size_t wi = 0; wi < windows.size(); ++wi) {
    Obj w(windows[wi], item(o.at("windows"), wi));
    w.only({"periods", "total", "total_ratio", "zero_units"});
    const Period range = parse_period(w.text("periods"), w.at("periods"));
    const std::vector<Period> periods = expand(range, type, w.at("periods"));

    struct Cell {
      Key key;
      size_t unit = 0;
      double weight = 0;
      int64_t cap = -1;  // in quanta; -1: none
      int64_t floor = 0;
    };
    std::vector<Cell> cells;
    std::vector<std::string> unit_codes;
    std::map<std::string, size_t> unit_index;
    std::vector<double> unit_weight_sum;
    for (const Period& p : periods) {
      const Date d = period_end(p);
      const double pw = season(seasonality, p, o.at("seasonality")) *
                        (year_weights.count(p.year()) ? year_weights[p.year()] : 1.0);
      for (const OrgUnitVersion* v : units_at(group, d, o.at("units"))) {
        Cell c;
        c.key = Key{p.key(), v->code};
        if (s.values.count(c.key)) {
          fail(w.at("periods"), "overlaps an earlier window (" + p.code() + ", " + v->code + ")");
        }
        auto [it, added] = unit_index.emplace(v->code, unit_codes.size());
        if (added) {
          unit_codes.push_back(v->code);
          unit_weight_sum.push_back(0);
        }
        c.unit = it->second;
        const double uw = weight(profile, *v, d, o.at("weights"));
        unit_weight_sum[c.unit] += uw;
        c.weight = uw * pw;
        cells.push_back(std::move(c));
      }
    }
    if (cells.empty()) fail(w.at("periods"), "no unit of group " + group + " is in force in " + range.code());

    // The total, in quanta.
    int64_t total = 0;
    if (w.has("total")) {
      total = w.integer("total");
    } else {
      Obj r = w.object("total_ratio");
      r.only({"series", "ratio"});
      const Series& base = ref(r.text("series"), r.at("series"));
      int64_t sum = 0;
      for (const Cell& c : cells) sum += ref_value(base, c.key);
      total = static_cast<int64_t>(std::llround(static_cast<double>(sum) * r.number("ratio")));
    }
    if (total < 0) fail(w.at("total"), "expected a total >= 0");
    if (total % quantum != 0) {
      fail(w.path(), "total " + std::to_string(total) + " is not a multiple of the quantum " + std::to_string(quantum));
    }
    const int64_t quanta = total / quantum;

    // Support, caps and floors from earlier series, cell by cell.
    for (Cell& c : cells) {
      if (!support.empty()) {
        bool any = false;
        for (const std::string& id : support) any = any || ref_value(ref(id, o.at("support")), c.key) > 0;
        if (!any) c.weight = 0;
      }
      for (const Term& t : caps) {
        const double limit = t.factor * static_cast<double>(ref_value(ref(t.series, o.at("caps")), c.key));
        const int64_t q = static_cast<int64_t>(std::floor(limit / static_cast<double>(quantum) + 1e-9));
        c.cap = c.cap < 0 ? q : std::min(c.cap, q);
      }
      for (const Term& t : floors) {
        const double need = t.factor * static_cast<double>(ref_value(ref(t.series, o.at("floors")), c.key));
        c.floor += static_cast<int64_t>(std::ceil(need / static_cast<double>(quantum) - 1e-9));
      }
    }

    // Per unit over the window: at least (unit_min) and at most (unit_cap) quanta.
    const size_t n_units = unit_codes.size();
    std::vector<int64_t> unit_min(n_units, 0), unit_cap(n_units, -1);
    if (w.has("zero_units")) {
      Obj z = w.object("zero_units");
      z.only({"count", "prefer", "others_at_least_one"});
      const int64_t count = z.integer("count");
      if (count < 0 || count > static_cast<int64_t>(n_units)) {
        fail(z.at("count"), "expected 0 to " + std::to_string(n_units) + " (the units in force in the window)");
      }
      const std::string prefer = z.text_or("prefer", "light");
      if (prefer != "uniform" && prefer != "light" && prefer != "heavy") {
        fail(z.at("prefer"), "expected uniform, light or heavy");
      }
      std::vector<double> choice(n_units);
      for (size_t u = 0; u < n_units; ++u) {
        const double uw = unit_weight_sum[u];
        choice[u] = prefer == "uniform" ? 1.0 : prefer == "heavy" ? uw : (uw > 0 ? 1.0 / uw : 0.0);
      }
      Rng pick(derive_seed(seed_, s.id + "#" + std::to_string(wi) + "/zero_units"));
      std::vector<bool> zero(n_units, false);
      for (size_t u : choose_weighted(static_cast<size_t>(count), choice, pick)) zero[u] = true;
      const bool at_least_one = z.flag_or("others_at_least_one", true);
      for (size_t u = 0; u < n_units; ++u) {
        if (zero[u]) {
          unit_cap[u] = 0;
        } else if (at_least_one) {
          unit_min[u] = std::max<int64_t>(unit_min[u], 1);
        }
      }
    }
    const int wy = year_of(range.first_month());
    if (!yoy_years.empty() && year_of(range.last_month()) == wy && yoy_years.count(wy)) {
      std::map<std::string, int64_t> last_year;
      for (const auto& [k, v] : s.values) {
        if (Period::from_key(k.period)->year() == wy - 1) last_year[k.unit] += v;
      }
      const std::vector<std::string>& up = yoy_up[wy];
      for (size_t u = 0; u < n_units; ++u) {
        const int64_t prev = last_year.count(unit_codes[u]) ? last_year[unit_codes[u]] / quantum : 0;
        if (in_sets(up, unit_codes[u], o.at("year_on_year"))) {
          unit_min[u] = std::max(unit_min[u], prev + 1);
          if (yoy_max_rise > 0) {
            const int64_t cap = prev + std::max<int64_t>(1, yoy_max_rise / quantum);
            unit_cap[u] = unit_cap[u] < 0 ? cap : std::min(unit_cap[u], cap);
          }
        } else {
          unit_cap[u] = unit_cap[u] < 0 ? prev : std::min(unit_cap[u], prev);
        }
      }
    }

    Rng rng(derive_seed(seed_, s.id + "#" + std::to_string(wi)));
    std::vector<int64_t> counts;
    std::vector<double> weights;
    for (const Cell& c : cells) weights.push_back(c.weight);
    if (method == "draws") {
      SpreadWindow window;
      for (const Cell& c : cells) window.cells.push_back({c.weight, c.cap, c.floor, static_cast<int32_t>(c.unit)});
      window.units = unit_codes;
      window.unit_min = unit_min;
      window.unit_cap = unit_cap;
      SpreadResult spread = spread_draws(quanta, window, rng);
      if (!spread.error.empty()) {
        fail(w.path(), spread.error + (quantum > 1 ? " (in quanta of " + std::to_string(quantum) + ")" : ""));
      }
      counts = std::move(spread.counts);
    } else {
      if (quanta > 0 && std::all_of(weights.begin(), weights.end(), [](double x) { return x <= 0; })) {
        fail(w.path(), "every cell has weight 0");
      }
      counts = method == "proportional" ? spread_proportional(quanta, weights, jitter, rng)
                                        : spread_lumps(quanta, weights, static_cast<size_t>(lumps), rng);
    }
    for (size_t i = 0; i < cells.size(); ++i) s.values[cells[i].key] = counts[i] * quantum;
  }
}

ValueSpec Generator::value_spec(const json::value& v, const Series& s, const std::string& path) const {
  const bool boolean = s.element->value_type == ValueType::kBoolean;
  if (boolean) {
    if (!v.is_bool()) fail(path, "element " + s.element->code + " is boolean: expected true or false");
    return ValueSpec{v.get_bool() ? 1 : 0, v.get_bool() ? 1 : 0};
  }
  if (v.is_array()) {
    const json::array& a = v.get_array();
    if (a.size() != 2) fail(path, "expected a number or [low, high]");
    ValueSpec r{as_integer(a[0], item(path, 0)), as_integer(a[1], item(path, 1))};
    if (r.lo > r.hi) fail(path, "expected low <= high");
    return r;
  }
  const int64_t x = as_integer(v, path);
  return ValueSpec{x, x};
}

// set_values: one value for every unit of the group in force in each period, with other
// values for the units of named sets in given periods (the last matching override wins).
void Generator::set_values(const Obj& o, Series& s) {
  o.only({"kind", "id", "element", "option", "zeros", "units", "period_type", "periods", "default", "overrides"});
  const std::string group = o.text("units");
  const PeriodType type = parse_type(o.text_or("period_type", "year"), o.at("period_type"));
  const std::vector<Period> periods = expand(parse_period(o.text("periods"), o.at("periods")), type, o.at("periods"));
  const ValueSpec fallback = value_spec(o.need("default"), s, o.at("default"));
  struct Override {
    std::string path;
    std::vector<std::string> sets;
    Period periods;
    ValueSpec value;
    std::string comment;
  };
  std::vector<Override> overrides;
  if (const json::array* a = o.array_or_null("overrides")) {
    for (size_t i = 0; i < a->size(); ++i) {
      Obj v((*a)[i], item(o.at("overrides"), i));
      v.only({"sets", "periods", "value", "comment"});
      Override ov{v.path(), text_list(v.array("sets"), v.at("sets")),
                  parse_period(v.text("periods"), v.at("periods")), value_spec(v.need("value"), s, v.at("value")),
                  v.text_or("comment", "")};
      for (size_t k = 0; k < ov.sets.size(); ++k) set(ov.sets[k], item(v.at("sets"), k));
      overrides.push_back(std::move(ov));
    }
  }
  Rng rng(derive_seed(seed_, s.id));
  for (const Period& p : periods) {
    for (const OrgUnitVersion* u : units_at(group, period_end(p), o.at("units"))) {
      const Key k{p.key(), u->code};
      const ValueSpec* chosen = &fallback;
      const std::string* comment = nullptr;
      for (const Override& ov : overrides) {
        if (ov.periods.contains(p) && in_sets(ov.sets, u->code, ov.path)) {
          chosen = &ov.value;
          comment = &ov.comment;
        }
      }
      s.values[k] = chosen->draw(rng);
      if (comment && !comment->empty()) s.comments[k] = *comment;
    }
  }
}

// ratio_of: for every cell of another series, a whole number between ratio low and high of
// its value (e.g. villages recognised safe out of all villages).
void Generator::ratio_of(const Obj& o, Series& s) {
  o.only({"kind", "id", "element", "option", "zeros", "of", "ratio", "overrides"});
  const Series& base = ref(o.text("of"), o.at("of"));
  if (base.decimals != 0) fail(o.at("of"), "ratio_of needs a series of whole numbers");
  auto read_ratio = [&](const Obj& from) {
    const json::array& a = from.array("ratio");
    if (a.size() != 2) fail(from.at("ratio"), "expected [low, high]");
    std::pair<double, double> r{as_number(a[0], item(from.at("ratio"), 0)), as_number(a[1], item(from.at("ratio"), 1))};
    if (!(r.first >= 0 && r.first <= r.second)) fail(from.at("ratio"), "expected 0 <= low <= high");
    return r;
  };
  const std::pair<double, double> fallback = read_ratio(o);
  struct Override {
    std::string path;
    std::vector<std::string> sets;
    Period periods;
    std::pair<double, double> ratio;
    std::string comment;
  };
  std::vector<Override> overrides;
  if (const json::array* a = o.array_or_null("overrides")) {
    for (size_t i = 0; i < a->size(); ++i) {
      Obj v((*a)[i], item(o.at("overrides"), i));
      v.only({"sets", "periods", "ratio", "comment"});
      Override ov{v.path(), text_list(v.array("sets"), v.at("sets")),
                  parse_period(v.text("periods"), v.at("periods")), read_ratio(v), v.text_or("comment", "")};
      for (size_t k = 0; k < ov.sets.size(); ++k) set(ov.sets[k], item(v.at("sets"), k));
      overrides.push_back(std::move(ov));
    }
  }
  Rng rng(derive_seed(seed_, s.id));
  for (const auto& [k, total] : base.values) {
    const Period p = *Period::from_key(k.period);
    std::pair<double, double> r = fallback;
    const std::string* comment = nullptr;
    for (const Override& ov : overrides) {
      if (ov.periods.contains(p) && in_sets(ov.sets, k.unit, ov.path)) {
        r = ov.ratio;
        comment = &ov.comment;
      }
    }
    // The whole numbers v with low <= v / total <= high; when there is none (a small total),
    // the largest below high, so "under 70 %" stays under 70 %.
    const double t = static_cast<double>(total);
    const int64_t lo = static_cast<int64_t>(std::ceil(r.first * t - 1e-9));
    const int64_t hi = static_cast<int64_t>(std::floor(r.second * t + 1e-9));
    s.values[k] = lo <= hi ? rng.integer(lo, hi) : std::max<int64_t>(hi, 0);
    if (comment && !comment->empty()) s.comments[k] = *comment;
  }
}

// stock_levels: standing things (teams, villages) whose sum over the units in force hits
// a target in each period; each unit at least `min`, the rest by largest remainders of
// the units' weights (a profile, or another series' values), so levels move smoothly.
void Generator::stock_levels(const Obj& o, Series& s) {
  o.only({"kind", "id", "element", "option", "zeros", "units", "period_type", "weights", "weights_series", "min",
          "targets", "records"});
  const std::string group = o.text("units");
  const PeriodType type = parse_type(o.text_or("period_type", "year"), o.at("period_type"));
  const std::string profile = o.text_or("weights", "");
  const Series* by = o.has("weights_series") ? &ref(o.text("weights_series"), o.at("weights_series")) : nullptr;
  const int64_t minimum = o.integer_or("min", 0);
  if (minimum < 0) fail(o.at("min"), "expected a whole number >= 0");
  const json::array& targets = o.array("targets");
  for (size_t ti = 0; ti < targets.size(); ++ti) {
    Obj t(targets[ti], item(o.at("targets"), ti));
    t.only({"periods", "total"});
    const int64_t total = t.integer("total");
    for (const Period& p : expand(parse_period(t.text("periods"), t.at("periods")), type, t.at("periods"))) {
      const Date d = period_end(p);
      const auto& units = units_at(group, d, o.at("units"));
      const int64_t rest = total - minimum * static_cast<int64_t>(units.size());
      if (units.empty() || rest < 0) {
        fail(t.at("total"), "total " + std::to_string(total) + " cannot give " + std::to_string(units.size()) +
                                " units at least " + std::to_string(minimum) + " each in " + p.code());
      }
      std::vector<double> weights;
      for (const OrgUnitVersion* u : units) {
        weights.push_back(by ? static_cast<double>(ref_value(*by, Key{p.key(), u->code}))
                             : weight(profile, *u, d, o.at("weights")));
      }
      if (std::all_of(weights.begin(), weights.end(), [](double x) { return x <= 0; })) {
        fail(t.path(), "every unit has weight 0 in " + p.code());
      }
      const std::vector<int64_t> parts = largest_remainder(rest, weights);
      for (size_t i = 0; i < units.size(); ++i) {
        const Key k{p.key(), units[i]->code};
        if (s.values.count(k)) fail(t.at("periods"), "two targets for " + p.code());
        s.values[k] = minimum + parts[i];
      }
    }
  }
}

// points: a score per unit and period, dealt into bands (exact counts, or shares by
// largest remainders); units of the `low_first` sets fill the lowest bands first, the
// others in a seeded random order; within a band the score is uniform on the step grid.
void Generator::points(const Obj& o, Series& s) {
  o.only({"kind", "id", "element", "option", "zeros", "units", "period_type", "step", "targets"});
  const std::string group = o.text("units");
  const PeriodType type = parse_type(o.text_or("period_type", "year"), o.at("period_type"));
  const double step = o.number_or("step", 1.0);
  int decimals = 0;
  for (double scaled = step; decimals < 3 && std::fabs(scaled - std::round(scaled)) > 1e-9; scaled *= 10) ++decimals;
  if (!(step > 0) || decimals == 3) fail(o.at("step"), "expected a step > 0 with at most 2 decimals");
  s.decimals = decimals;
  const double scale = std::pow(10.0, decimals);
  const int64_t step_units = std::llround(step * scale);
  const json::array& targets = o.array("targets");
  for (size_t ti = 0; ti < targets.size(); ++ti) {
    Obj t(targets[ti], item(o.at("targets"), ti));
    t.only({"periods", "bands", "low_first"});
    struct Band {
      int64_t lo = 0, hi = 0;  // scaled
      double share = -1;
      int64_t count = -1;
    };
    std::vector<Band> bands;
    const json::array& bs = t.array("bands");
    for (size_t bi = 0; bi < bs.size(); ++bi) {
      Obj b(bs[bi], item(t.at("bands"), bi));
      b.only({"min", "max", "share", "count"});
      Band band;
      band.lo = std::llround(b.number("min") * scale);
      band.hi = std::llround(b.number("max") * scale);
      if (band.lo > band.hi || band.lo % step_units != 0 || band.hi % step_units != 0) {
        fail(b.path(), "expected min <= max, both on the step");
      }
      if (b.has("count") == b.has("share")) fail(b.path(), "give either \"count\" or \"share\"");
      if (b.has("count")) band.count = b.integer("count");
      if (b.has("share")) band.share = b.number("share");
      bands.push_back(band);
    }
    std::sort(bands.begin(), bands.end(), [](const Band& a, const Band& b) { return a.lo < b.lo; });
    std::vector<std::string> low_first;
    if (const json::array* a = t.array_or_null("low_first")) {
      low_first = text_list(*a, t.at("low_first"));
      for (size_t k = 0; k < low_first.size(); ++k) set(low_first[k], item(t.at("low_first"), k));
    }
    for (const Period& p : expand(parse_period(t.text("periods"), t.at("periods")), type, t.at("periods"))) {
      const auto& units = units_at(group, period_end(p), o.at("units"));
      const int64_t n = static_cast<int64_t>(units.size());
      std::vector<int64_t> counts;
      if (bands.front().count >= 0) {
        int64_t sum = 0;
        for (const Band& b : bands) {
          if (b.count < 0) fail(t.at("bands"), "give counts for every band or shares for every band");
          counts.push_back(b.count);
          sum += b.count;
        }
        if (sum != n) {
          fail(t.at("bands"), "the counts sum to " + std::to_string(sum) + " but " + p.code() + " has " +
                                  std::to_string(n) + " units");
        }
      } else {
        std::vector<double> shares;
        double sum = 0;
        for (const Band& b : bands) {
          if (b.share < 0) fail(t.at("bands"), "give counts for every band or shares for every band");
          shares.push_back(b.share);
          sum += b.share;
        }
        if (std::fabs(sum - 1.0) > 1e-6) fail(t.at("bands"), "the shares must sum to 1");
        counts = largest_remainder(n, shares);
      }
      Rng rng(derive_seed(seed_, s.id + "@" + p.code()));
      std::vector<double> ones(units.size(), 1.0);
      std::vector<size_t> order = choose_weighted(units.size(), ones, rng);
      std::stable_partition(order.begin(), order.end(),
                            [&](size_t i) { return in_sets(low_first, units[i]->code, t.at("low_first")); });
      size_t next = 0;
      for (size_t bi = 0; bi < bands.size(); ++bi) {
        for (int64_t k = 0; k < counts[bi]; ++k) {
          const OrgUnitVersion* u = units[order[next++]];
          const int64_t steps = (bands[bi].hi - bands[bi].lo) / step_units;
          s.values[Key{p.key(), u->code}] = bands[bi].lo + step_units * rng.integer(0, steps);
        }
      }
    }
  }
}

// explicit: values given one by one (province-level items, award decisions).
void Generator::explicit_values(const Obj& o, Series& s) {
  o.only({"kind", "id", "element", "option", "zeros", "values", "records"});
  const json::array& values = o.array("values");
  for (size_t i = 0; i < values.size(); ++i) {
    Obj v(values[i], item(o.at("values"), i));
    v.only({"unit", "period", "value", "comment"});
    const std::string unit = v.text("unit");
    const Period p = parse_period(v.text("period"), v.at("period"));
    if (units_.during(unit, p.dates(Calendar::kGregorian)).empty()) {
      fail(v.at("unit"), "unit " + quoted(unit) + " is not in force in " + p.code());
    }
    const Key k{p.key(), unit};
    if (s.values.count(k)) fail(v.path(), "a second value for " + unit + ", " + p.code());
    s.values[k] = value_spec(v.need("value"), s, v.at("value")).lo;
    if (std::string c = v.text_or("comment", ""); !c.empty()) s.comments[k] = c;
  }
}

// ---- Registry records --------------------------------------------------------------------

std::optional<RecordPlan> Generator::read_record_plan(const Obj& series) const {
  if (!series.has("records")) return std::nullopt;
  Obj o = series.object("records");
  o.only({"registry", "as", "calendar", "date", "amount", "parts", "quantum", "from", "to", "lead_days", "option_field",
          "fields", "texts", "numbers", "end"});
  RecordPlan plan;
  plan.record.registry = o.text("registry");
  const std::string as = o.text("as");
  const std::string calendar = o.text_or("calendar", "gregorian");
  if (calendar != "gregorian" && calendar != "cutoff") fail(o.at("calendar"), "expected gregorian or cutoff");
  plan.record.calendar = calendar == "cutoff" ? Calendar::kCutoff : Calendar::kGregorian;
  if (as == "counted") {
    plan.mode = RecordPlan::Mode::kCounted;
    plan.date_field = o.text("date");
  } else if (as == "summed") {
    plan.mode = RecordPlan::Mode::kSummed;
    plan.date_field = o.text("date");
    plan.amount_field = o.text("amount");
    const json::array& parts = o.array("parts");
    if (parts.size() != 2) fail(o.at("parts"), "expected [fewest, most]");
    plan.parts = {as_integer(parts[0], item(o.at("parts"), 0)), as_integer(parts[1], item(o.at("parts"), 1))};
    plan.quantum = o.integer_or("quantum", 1);
    if (plan.parts.first < 1 || plan.parts.second < plan.parts.first || plan.quantum < 1) {
      fail(o.path(), "expected 1 <= parts[0] <= parts[1] and quantum >= 1");
    }
  } else if (as == "in_force") {
    plan.mode = RecordPlan::Mode::kInForce;
    plan.from_field = o.text("from");
    plan.to_field = o.text("to");
    plan.lead_days = o.integer_or("lead_days", 365);
  } else {
    fail(o.at("as"), "expected counted, summed or in_force");
  }
  // The series' option is a code field of the record (a delegation's partner).
  if (std::string field = o.text_or("option_field", ""); !field.empty()) {
    if (plan.record.fields.count(field)) fail(o.at("option_field"), "also a fixed field");
    plan.record.fields[field] = series.text("option");
  }
  if (o.has("fields")) {
    Obj fields = o.object("fields");
    for (const auto& kv : fields.raw()) {
      if (kv.key() == "about") continue;
      if (!kv.value().is_string()) fail(fields.at(kv.key()), "expected a text");
      plan.record.fields[std::string(kv.key())] = std::string(kv.value().get_string());
    }
  }
  if (o.has("texts")) {
    Obj texts = o.object("texts");
    for (const auto& kv : texts.raw()) {
      if (kv.key() == "about") continue;
      if (!kv.value().is_array()) fail(texts.at(kv.key()), "expected an array of texts");
      plan.record.texts[std::string(kv.key())] = text_list(kv.value().get_array(), texts.at(kv.key()));
    }
  }
  if (o.has("numbers")) {
    Obj numbers = o.object("numbers");
    for (const auto& kv : numbers.raw()) {
      if (kv.key() == "about") continue;
      const std::string path = numbers.at(kv.key());
      if (!kv.value().is_array() || kv.value().get_array().size() != 2) fail(path, "expected [lowest, highest]");
      const int64_t lo = as_integer(kv.value().get_array()[0], item(path, 0));
      const int64_t hi = as_integer(kv.value().get_array()[1], item(path, 1));
      if (hi < lo) fail(path, "expected lowest <= highest");
      plan.record.numbers[std::string(kv.key())] = {lo, hi};
    }
  }
  if (o.has("end")) {
    Obj end = o.object("end");
    end.only({"field", "days"});
    plan.record.end_field = end.text("field");
    const json::array& days = end.array("days");
    if (days.size() != 2) fail(end.at("days"), "expected [fewest, most]");
    plan.record.end_days = {as_integer(days[0], item(end.at("days"), 0)), as_integer(days[1], item(end.at("days"), 1))};
  }
  return plan;
}

void Generator::make_records(const Series& s) {
  const RecordPlan& plan = *s.records;
  std::vector<FigureCell> cells;
  for (const auto& [k, v] : s.values) cells.push_back({k.unit, *Period::from_key(k.period), v});
  Rng rng(derive_seed(seed_, s.id + "#records"));
  std::vector<DemoRecord>& out = registers_[plan.record.registry];
  switch (plan.mode) {
    case RecordPlan::Mode::kCounted:
      records_counted(cells, plan.record, plan.date_field, rng, out);
      break;
    case RecordPlan::Mode::kSummed:
      records_summed(cells, plan.record, plan.date_field, plan.amount_field, plan.parts, plan.quantum, rng, out);
      break;
    case RecordPlan::Mode::kInForce:
      records_in_force(cells, plan.record, plan.from_field, plan.to_field, plan.lead_days, rng, out);
      break;
  }
  std::string& dated = register_dates_[plan.record.registry];
  if (dated.empty()) dated = plan.mode == RecordPlan::Mode::kInForce ? plan.from_field : plan.date_field;
}

// A register's windows: flags and amounts assigned over the records dated in each.
void Generator::read_register(const Obj& o) {
  o.only({"registry", "windows"});
  const std::string registry = o.text("registry");
  auto records = registers_.find(registry);
  if (records == registers_.end()) fail(o.at("registry"), "no series makes records of " + quoted(registry));
  const json::array& windows = o.array("windows");
  for (size_t wi = 0; wi < windows.size(); ++wi) {
    Obj w(windows[wi], item(o.at("windows"), wi));
    w.only({"periods", "true", "sums"});
    const Period range = parse_period(w.text("periods"), w.at("periods"));
    RegisterWindow window;
    window.first = range.dates().first;
    window.last = range.dates().last;
    if (w.has("true")) {
      Obj flags = w.object("true");
      for (const auto& kv : flags.raw()) {
        if (kv.key() != "about") window.flags[std::string(kv.key())] = as_integer(kv.value(), flags.at(kv.key()));
      }
    }
    if (w.has("sums")) {
      Obj sums = w.object("sums");
      for (const auto& kv : sums.raw()) {
        if (kv.key() == "about") continue;
        Obj spec(kv.value(), sums.at(kv.key()));
        spec.only({"total", "totals", "where", "by", "min"});
        WindowSum sum;
        sum.field = std::string(kv.key());
        sum.where = spec.text_or("where", "");
        sum.by = spec.text_or("by", "");
        sum.min = spec.integer_or("min", 0);
        if (sum.by.empty()) {
          sum.total = spec.integer("total");
        } else {
          Obj totals = spec.object("totals");
          for (const auto& t : totals.raw()) {
            if (t.key() != "about") sum.totals[std::string(t.key())] = as_integer(t.value(), totals.at(t.key()));
          }
        }
        window.sums.push_back(std::move(sum));
      }
    }
    Rng rng(derive_seed(seed_, registry + "#" + std::to_string(wi)));
    if (std::string why = apply_window(records->second, register_dates_[registry], window, rng); !why.empty()) {
      fail(w.path(), why);
    }
  }
}

void Generator::write_registers(GeneratedDataset& out) const {
  for (const auto& [registry, records] : registers_) {
    // The columns: the owner, then every field in the order first seen.
    std::vector<std::string> columns = {kOwnerField};
    for (const DemoRecord& r : records) {
      for (const auto& [field, value] : r) {
        if (std::find(columns.begin(), columns.end(), field) == columns.end()) columns.push_back(field);
      }
    }
    GeneratedRegister g;
    g.registry = registry;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (c > 0) g.csv += ',';
      csv::append_field(g.csv, columns[c]);
    }
    g.csv += '\n';
    for (const DemoRecord& r : records) {
      for (size_t c = 0; c < columns.size(); ++c) {
        if (c > 0) g.csv += ',';
        if (auto v = r.find(columns[c]); v != r.end()) csv::append_field(g.csv, v->second);
      }
      g.csv += '\n';
    }
    g.records = static_cast<int64_t>(records.size());
    out.registers.push_back(std::move(g));
  }
}

// ---- Output -------------------------------------------------------------------------------

std::string Generator::value_text(const Series& s, int64_t v) const {
  if (s.element->value_type == ValueType::kBoolean) return v != 0 ? "true" : "false";
  if (s.decimals == 0) return std::to_string(v);
  int64_t scale = 1;
  for (int i = 0; i < s.decimals; ++i) scale *= 10;
  const bool negative = v < 0;
  const int64_t a = negative ? -v : v;
  std::string out = (negative ? "-" : "") + std::to_string(a / scale);
  std::string frac = std::to_string(a % scale);
  frac.insert(0, static_cast<size_t>(s.decimals) - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  if (!frac.empty()) out += "." + frac;
  return out;
}

void Generator::write_rows(GeneratedDataset& out) const {
  std::string& csv = out.csv;
  csv = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,"
        "followup\n";
  std::map<std::tuple<std::string, std::string, int64_t, std::string>, std::string> seen;
  for (const auto& s : series_) {
    if (s->records) continue;  // written as registry records
    for (const auto& [k, v] : s->values) {
      if (!s->zeros && v == 0) continue;
      auto [it, added] = seen.emplace(std::make_tuple(s->element->code, s->option, k.period, k.unit), s->id);
      const Period p = *Period::from_key(k.period);
      if (!added) {
        fail(s->path, "series " + quoted(s->id) + " and " + quoted(it->second) + " both give " + s->element->code +
                          (s->option.empty() ? "" : "." + s->option) + " for " + k.unit + ", " + p.code());
      }
      const std::string text = value_text(*s, v);
      if (Result<TypedValue> check = parse_value(s->element->value_type, text); !check) {
        fail(s->path, "value " + text + " for " + k.unit + ", " + p.code() + " is not valid for " +
                          s->element->code + ": " + check.status().message());
      }
      // Reported five days after the period, at 08:00 UTC (15:00 in Vietnam).
      const int64_t stamp = (static_cast<int64_t>(to_days(period_end(p))) + 5) * 86400 + 8 * 3600;
      csv += s->element->code;
      csv += ',';
      csv += p.code();
      csv += ',';
      csv += k.unit;
      csv += ',';
      csv += s->option;
      csv += ",,";
      csv += text;
      csv += ',';
      csv::append_field(csv, stored_by_);
      csv += ',';
      csv += format_timestamp(stamp);
      csv += ',';
      if (auto c = s->comments.find(k); c != s->comments.end()) csv::append_field(csv, c->second);
      csv += ",false\n";
      ++out.rows;
    }
  }
}

}  // namespace

Result<GeneratedDataset> generate_from_text(std::string_view json_text, const std::string& file,
                                            const OrgUnitIndex& units, const Catalogue& catalogue) {
  json::stream_parser parser;
  boost::system::error_code ec;
  const size_t consumed = parser.write(json_text.data(), json_text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    const size_t offset = std::min(consumed, json_text.size());
    const int64_t line = 1 + std::count(json_text.begin(), json_text.begin() + static_cast<long>(offset), '\n');
    return Status::invalid_input(file + ":" + std::to_string(line) + ": invalid JSON: " + ec.message());
  }
  const json::value root = parser.release();
  try {
    Generator generator(file, units, catalogue);
    return generator.run(root);
  } catch (const SpecError& e) {
    return Status::invalid_input(file + ": " + e.path + ": " + e.reason);
  }
}

}  // namespace qpan::demo
