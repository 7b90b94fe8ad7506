// Seeded numbers and exact spreading of totals (see spread.h).
#include "demo/spread.h"

#include <algorithm>
#include <numeric>

namespace qpan::demo {

uint64_t Rng::next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

int64_t Rng::integer(int64_t lo, int64_t hi) {
  const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  if (span == 0) return static_cast<int64_t>(next());  // the whole 64-bit range
  // Rejection keeps every value equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  uint64_t x;
  do {
    x = next();
  } while (x >= limit);
  return lo + static_cast<int64_t>(x % span);
}

uint64_t derive_seed(uint64_t base, std::string_view label) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  for (unsigned char c : label) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  Rng mix(base ^ h);
  mix.next();
  return mix.next();
}

std::vector<int64_t> largest_remainder(int64_t total, std::span<const double> weights) {
  std::vector<int64_t> parts(weights.size(), 0);
  const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  if (total <= 0 || sum <= 0) return parts;
  std::vector<double> remainders(weights.size());
  int64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const double share = static_cast<double>(total) * (weights[i] / sum);
    const int64_t whole = static_cast<int64_t>(share);
    parts[i] = whole;
    remainders[i] = share - static_cast<double>(whole);
    given += whole;
  }
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainders[a] > remainders[b]; });
  // Rounding can leave the floors a little off the total either way; fix it up in
  // remainder order (only items with weight get more).
  const size_t n = order.size();
  for (size_t k = 0; given < total; ++k) {
    const size_t i = order[k % n];
    if (weights[i] > 0) {
      ++parts[i];
      ++given;
    }
  }
  for (size_t k = 0; given > total; ++k) {
    const size_t i = order[n - 1 - k % n];
    if (parts[i] > 0) {
      --parts[i];
      --given;
    }
  }
  return parts;
}

WeightedSampler::WeightedSampler(size_t n) : tree_(n + 1, 0.0), weights_(n, 0.0) {}

void WeightedSampler::set(size_t i, double weight) {
  if (weight < 0) weight = 0;
  const double delta = weight - weights_[i];
  if (delta == 0) return;
  weights_[i] = weight;
  total_ += delta;
  for (size_t k = i + 1; k < tree_.size(); k += k & (~k + 1)) tree_[k] += delta;
  // Sums of many small changes drift; keep the total from going negative.
  if (total_ < 0) total_ = 0;
}

size_t WeightedSampler::pick(double u) const {
  double target = u * total_;
  size_t pos = 0;
  size_t step = 1;
  while (step * 2 < tree_.size()) step *= 2;
  for (; step > 0; step /= 2) {
    if (pos + step < tree_.size() && tree_[pos + step] <= target) {
      pos += step;
      target -= tree_[pos];
    }
  }
  // `pos` items lie wholly below the target; the next one holds it. Floating-point drift
  // can point at an item of weight 0: move to the nearest one with weight.
  size_t i = std::min(pos, weights_.size() - 1);
  for (size_t k = i; k < weights_.size(); ++k) {
    if (weights_[k] > 0) return k;
  }
  for (size_t k = i; k-- > 0;) {
    if (weights_[k] > 0) return k;
  }
  return i;
}

std::optional<std::vector<int64_t>> draw_with_caps(int64_t count, const DrawInput& in, Rng& rng) {
  const size_t n = in.weights.size();
  std::vector<int64_t> counts = in.start.empty() ? std::vector<int64_t>(n, 0) : in.start;
  std::vector<int64_t> group_counts(in.group_caps.size(), 0);
  if (!in.group.empty()) {
    for (size_t i = 0; i < n; ++i) {
      if (in.group[i] >= 0) group_counts[static_cast<size_t>(in.group[i])] += counts[i];
    }
  }
  auto open = [&](size_t i) {
    if (!in.caps.empty() && in.caps[i] >= 0 && counts[i] >= in.caps[i]) return false;
    if (!in.group.empty() && in.group[i] >= 0) {
      const size_t g = static_cast<size_t>(in.group[i]);
      if (in.group_caps[g] >= 0 && group_counts[g] >= in.group_caps[g]) return false;
    }
    return true;
  };
  WeightedSampler sampler(n);
  std::vector<std::vector<size_t>> members(in.group_caps.size());
  for (size_t i = 0; i < n; ++i) {
    if (!in.group.empty() && in.group[i] >= 0) members[static_cast<size_t>(in.group[i])].push_back(i);
    if (open(i)) sampler.set(i, in.weights[i]);
  }
  for (int64_t k = 0; k < count; ++k) {
    if (!(sampler.total() > 0)) return std::nullopt;
    const size_t i = sampler.pick(rng.uniform());
    if (sampler.weight(i) <= 0) return std::nullopt;
    ++counts[i];
    if (!in.group.empty() && in.group[i] >= 0) {
      const size_t g = static_cast<size_t>(in.group[i]);
      ++group_counts[g];
      if (in.group_caps[g] >= 0 && group_counts[g] >= in.group_caps[g]) {
        for (size_t j : members[g]) sampler.set(j, 0);
      }
    }
    if (!open(i)) sampler.set(i, 0);
  }
  return counts;
}

SpreadResult spread_draws(int64_t total, const SpreadWindow& w, Rng& rng) {
  SpreadResult out;
  DrawInput in;
  const size_t n_units = w.units.size();
  for (const SpreadCell& c : w.cells) {
    in.weights.push_back(c.weight);
    in.caps.push_back(c.cap);
    in.start.push_back(c.floor);
    in.group.push_back(c.unit);
    if (c.cap >= 0 && c.floor > c.cap) {
      out.error = "the floors ask " + std::to_string(c.floor) + " but the caps allow " + std::to_string(c.cap) +
                  " in a cell of " + w.units[static_cast<size_t>(c.unit)];
      return out;
    }
  }
  in.group_caps = w.unit_cap;
  std::vector<std::vector<size_t>> cells_of(n_units);
  for (size_t i = 0; i < w.cells.size(); ++i) cells_of[static_cast<size_t>(w.cells[i].unit)].push_back(i);
  for (size_t u = 0; u < n_units; ++u) {
    int64_t have = 0;
    for (size_t i : cells_of[u]) have += in.start[i];
    const int64_t need = std::max(have, w.unit_min[u]);
    if (w.unit_cap[u] >= 0 && need > w.unit_cap[u]) {
      out.error = "unit " + w.units[u] + " must get at least " + std::to_string(need) + " but at most " +
                  std::to_string(w.unit_cap[u]);
      return out;
    }
    if (have >= w.unit_min[u]) continue;
    DrawInput own;
    for (size_t i : cells_of[u]) {
      own.weights.push_back(in.weights[i]);
      own.caps.push_back(in.caps[i]);
      own.start.push_back(in.start[i]);
    }
    // A unit whose cells all lack weight still gets its minimum, spread evenly.
    if (std::all_of(own.weights.begin(), own.weights.end(), [](double x) { return x <= 0; })) {
      std::fill(own.weights.begin(), own.weights.end(), 1.0);
    }
    std::optional<std::vector<int64_t>> got = draw_with_caps(w.unit_min[u] - have, own, rng);
    if (!got) {
      out.error = "unit " + w.units[u] + " must get at least " + std::to_string(w.unit_min[u]) +
                  " but its cells' caps allow less";
      return out;
    }
    for (size_t k = 0; k < cells_of[u].size(); ++k) in.start[cells_of[u][k]] = (*got)[k];
  }
  const int64_t placed = std::accumulate(in.start.begin(), in.start.end(), int64_t{0});
  if (placed > total) {
    out.error = "the lower bounds (floors, at least one per unit, last year + 1) need " + std::to_string(placed) +
                ", more than the total " + std::to_string(total);
    return out;
  }
  std::optional<std::vector<int64_t>> got = draw_with_caps(total - placed, in, rng);
  if (!got) {
    out.error = "the caps (and cells without weight) leave no room for the whole total " + std::to_string(total);
    return out;
  }
  out.counts = std::move(*got);
  return out;
}

std::vector<int64_t> spread_proportional(int64_t total, std::span<const double> weights, double jitter, Rng& rng) {
  std::vector<double> jittered(weights.begin(), weights.end());
  for (double& x : jittered) x *= rng.uniform(1.0 - jitter, 1.0 + jitter);
  return largest_remainder(total, jittered);
}

std::vector<int64_t> spread_lumps(int64_t total, std::span<const double> weights, size_t lumps, Rng& rng) {
  std::vector<int64_t> counts(weights.size(), 0);
  const std::vector<size_t> chosen = choose_weighted(std::min(lumps, weights.size()), weights, rng);
  std::vector<double> sizes;
  for (size_t k = 0; k < chosen.size(); ++k) sizes.push_back(rng.uniform(0.5, 1.5));
  const std::vector<int64_t> parts = largest_remainder(total, sizes);
  for (size_t k = 0; k < chosen.size(); ++k) counts[chosen[k]] = parts[k];
  return counts;
}

std::vector<size_t> choose_weighted(size_t count, std::span<const double> weights, Rng& rng) {
  std::vector<size_t> chosen;
  chosen.reserve(count);
  WeightedSampler sampler(weights.size());
  for (size_t i = 0; i < weights.size(); ++i) sampler.set(i, weights[i]);
  std::vector<bool> taken(weights.size(), false);
  while (chosen.size() < count) {
    size_t i;
    if (sampler.total() > 0) {
      i = sampler.pick(rng.uniform());
      if (taken[i]) break;  // cannot happen: taken items have weight 0
    } else {
      // Only items of weight 0 are left: take them in order.
      i = 0;
      while (i < taken.size() && taken[i]) ++i;
      if (i == taken.size()) break;
    }
    taken[i] = true;
    sampler.set(i, 0);
    chosen.push_back(i);
  }
  return chosen;
}

}  // namespace qpan::demo
