// Demo registry records (see records.h): figures turned into records that count to them.
#include "demo/records.h"

#include <algorithm>
#include <numeric>

namespace qpan::demo {
namespace {

// A record with the template's fixed, rotating and drawn fields; `n` picks the texts.
DemoRecord from_template(const RecordTemplate& t, const std::string& unit, size_t n, Rng& rng) {
  DemoRecord r = t.fields;
  r[kOwnerField] = unit;
  for (const auto& [field, options] : t.texts) {
    if (!options.empty()) r[field] = options[n % options.size()];
  }
  for (const auto& [field, range] : t.numbers) r[field] = std::to_string(rng.integer(range.first, range.second));
  return r;
}

void set_dates(DemoRecord& r, const RecordTemplate& t, const std::string& field, Date day, Rng& rng) {
  r[field] = format_date(day);
  if (!t.end_field.empty()) r[t.end_field] = format_date(add_days(day, static_cast<int32_t>(rng.integer(t.end_days.first, t.end_days.second))));
}

Date random_day(const DateRange& range, Rng& rng) {
  return from_days(static_cast<int32_t>(rng.integer(to_days(range.first), to_days(range.last))));
}

}  // namespace

void records_counted(const std::vector<FigureCell>& cells, const RecordTemplate& t, const std::string& date_field,
                     Rng& rng, std::vector<DemoRecord>& out) {
  for (const FigureCell& c : cells) {
    const DateRange days = c.period.dates(t.calendar);
    std::vector<Date> dates;
    for (int64_t i = 0; i < c.value; ++i) dates.push_back(random_day(days, rng));
    std::sort(dates.begin(), dates.end());
    for (const Date& d : dates) {
      DemoRecord r = from_template(t, c.unit, out.size(), rng);
      set_dates(r, t, date_field, d, rng);
      out.push_back(std::move(r));
    }
  }
}

void records_summed(const std::vector<FigureCell>& cells, const RecordTemplate& t, const std::string& date_field,
                    const std::string& amount_field, std::pair<int64_t, int64_t> parts, int64_t quantum, Rng& rng,
                    std::vector<DemoRecord>& out) {
  for (const FigureCell& c : cells) {
    if (c.value <= 0) continue;
    const int64_t quanta = c.value / quantum;
    const int64_t n = std::clamp<int64_t>(rng.integer(parts.first, parts.second), 1, std::max<int64_t>(quanta, 1));
    std::vector<double> weights;
    for (int64_t i = 0; i < n; ++i) weights.push_back(rng.uniform(0.5, 1.5));
    std::vector<int64_t> split = largest_remainder(quanta, weights);
    const DateRange days = c.period.dates(t.calendar);
    for (int64_t i = 0; i < n; ++i) {
      int64_t amount = split[static_cast<size_t>(i)] * quantum;
      if (i == n - 1) amount += c.value - quanta * quantum;
      DemoRecord r = from_template(t, c.unit, out.size(), rng);
      set_dates(r, t, date_field, random_day(days, rng), rng);
      r[amount_field] = std::to_string(amount);
      out.push_back(std::move(r));
    }
  }
}

void records_in_force(const std::vector<FigureCell>& cells, const RecordTemplate& t, const std::string& from_field,
                      const std::string& to_field, int64_t lead_days, Rng& rng, std::vector<DemoRecord>& out) {
  // Per unit its level in each period from its first through the series' last: a period
  // without a figure (the unit outside the series' units then) has none in force.
  std::map<std::string, std::map<Period, int64_t>> by_unit;
  std::optional<Period> last_period;
  for (const FigureCell& c : cells) {
    by_unit[c.unit][c.period] = c.value;
    if (!last_period || *last_period < c.period) last_period = c.period;
  }
  for (auto& [unit, figures] : by_unit) {
    std::vector<FigureCell> levels;
    for (Period p = figures.begin()->first; p <= *last_period; p = p.next()) {
      auto figure = figures.find(p);
      levels.push_back({unit, p, figure == figures.end() ? 0 : figure->second});
    }
    std::vector<size_t> alive;  // indices into `out`, oldest first
    std::optional<Date> previous_end;
    for (const FigureCell& level : levels) {
      const FigureCell* c = &level;
      const Date end = c->period.dates(t.calendar).last;
      // Changes happen after the previous period's last day, on or before this one's.
      const DateRange window{previous_end ? add_days(*previous_end, 1) : add_days(end, -static_cast<int32_t>(lead_days)), end};
      while (static_cast<int64_t>(alive.size()) < c->value) {
        DemoRecord r = from_template(t, unit, out.size(), rng);
        r[from_field] = format_date(random_day(window, rng));
        alive.push_back(out.size());
        out.push_back(std::move(r));
      }
      while (static_cast<int64_t>(alive.size()) > c->value) {
        DemoRecord& r = out[alive.back()];
        // Dissolved after it was established and after the previous count, by this one.
        const Date established = *parse_date(r[from_field]);
        const Date from = std::max(add_days(established, 1), window.first);
        r[to_field] = format_date(random_day({std::min(from, end), end}, rng));
        alive.pop_back();
      }
      previous_end = end;
    }
  }
}

std::string apply_window(std::vector<DemoRecord>& records, const std::string& date_field, const RegisterWindow& w,
                         Rng& rng) {
  const std::string first = format_date(w.first), last = format_date(w.last);
  std::vector<size_t> in;
  for (size_t i = 0; i < records.size(); ++i) {
    auto d = records[i].find(date_field);
    if (d != records[i].end() && first <= d->second && d->second <= last) in.push_back(i);
  }
  for (const auto& [field, count] : w.flags) {
    if (count > static_cast<int64_t>(in.size())) {
      return field + ": " + std::to_string(count) + " true, but the window has only " + std::to_string(in.size()) +
             " records";
    }
    std::vector<double> even(in.size(), 1.0);
    std::vector<size_t> chosen = choose_weighted(static_cast<size_t>(count), even, rng);
    for (size_t i : in) records[i][field] = "false";
    for (size_t k : chosen) records[in[k]][field] = "true";
  }
  for (const WindowSum& sum : w.sums) {
    // The records each total is split over.
    std::map<std::string, std::vector<size_t>> groups;
    for (size_t i : in) {
      if (!sum.where.empty() && records[i][sum.where] != "true") continue;
      groups[sum.by.empty() ? std::string() : records[i][sum.by]].push_back(i);
    }
    std::map<std::string, int64_t> totals = sum.totals;
    if (sum.by.empty()) totals = {{"", sum.total}};
    for (const auto& [key, total] : totals) {
      const std::vector<size_t>& members = groups[key];
      const int64_t floor = sum.min * static_cast<int64_t>(members.size());
      if (members.empty() ? total != 0 : total < floor) {
        return sum.field + (key.empty() ? "" : " (" + key + ")") + ": total " + std::to_string(total) + " over " +
               std::to_string(members.size()) + " records of at least " + std::to_string(sum.min);
      }
      std::vector<double> weights;
      for (size_t k = 0; k < members.size(); ++k) weights.push_back(rng.uniform(0.3, 1.7));
      const std::vector<int64_t> split = members.empty() ? std::vector<int64_t>() : largest_remainder(total - floor, weights);
      for (size_t k = 0; k < members.size(); ++k) records[members[k]][sum.field] = std::to_string(sum.min + split[k]);
    }
  }
  return "";
}

}  // namespace qpan::demo
