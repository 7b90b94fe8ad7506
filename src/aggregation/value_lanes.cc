// Value lanes (see value_lanes.h).
#include "aggregation/value_lanes.h"

#include <sys/mman.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <new>
#include <string>

namespace qpan::aggregation {
namespace {

constexpr int kMaxScale = 9;
constexpr int64_t kMaxMantissa = 999'999'999'999'999'999;  // 18 digits

constexpr int64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};
constexpr double kPow10Double[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// Multiplies by 10^n, or returns false when the result leaves ±kMaxMantissa.
bool scale_up(int64_t& v, int n) {
  if (n == 0) return true;
  const int64_t f = kPow10[n];
  if (v > kMaxMantissa / f || v < -kMaxMantissa / f) return false;
  v *= f;
  return true;
}

}  // namespace

Decimal Decimal::from_double(double v) {
  Decimal d;
  d.is_real = true;
  d.real = v;
  if (!std::isfinite(v)) return d;
  char buf[400];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  if (ec != std::errc()) return d;
  int64_t mantissa = 0;
  int scale = 0, digits = 0;
  bool negative = false, dot = false;
  for (const char* p = buf; p != end; ++p) {
    if (*p == '-') {
      negative = true;
    } else if (*p == '.') {
      dot = true;
    } else {
      if (mantissa == 0 && *p == '0' && !dot) continue;
      if (++digits > 18) return d;
      mantissa = mantissa * 10 + (*p - '0');
      if (dot) ++scale;
    }
  }
  if (scale > kMaxScale) return d;
  return {false, negative ? -mantissa : mantissa, scale, 0};
}

double Decimal::to_double() const { return is_real ? real : decimal_to_double(mantissa, scale); }

double decimal_to_double(__int128 units, int scale) {
  constexpr __int128 kExact = __int128{1} << 53;
  if (units > -kExact && units < kExact && scale < 23) {
    // Both operands are exact doubles, so the quotient is correctly rounded: the same
    // double as parsing the decimal text.
    return static_cast<double>(units) / kPow10Double[scale];
  }
  const bool negative = units < 0;
  if (negative) units = -units;
  std::string digits;
  do {
    digits += static_cast<char>('0' + static_cast<int>(units % 10));
    units /= 10;
  } while (units != 0);
  while (digits.size() <= static_cast<size_t>(scale)) digits += '0';
  std::reverse(digits.begin(), digits.end());
  if (scale > 0) digits.insert(digits.size() - static_cast<size_t>(scale), 1, '.');
  double out = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), out);
  return negative ? -out : out;
}

void DecimalSum::add(__int128 units, int scale) {
  approx_ += decimal_to_double(units, scale);
  if (!exact_) return;
  constexpr __int128 kLimit = static_cast<__int128>(1000000000000000000LL) * 1000000000000000000LL;
  while (scale_ < scale) {
    if (units_ > kLimit / 10 || units_ < -kLimit / 10) {
      exact_ = false;
      return;
    }
    units_ *= 10;
    ++scale_;
  }
  for (int s = scale; s < scale_; ++s) {
    if (units > kLimit / 10 || units < -kLimit / 10) {
      exact_ = false;
      return;
    }
    units *= 10;
  }
  units_ += units;
  if (units_ > kLimit || units_ < -kLimit) exact_ = false;
}

void Lane::ensure_slot(Slot slot) {
  if (width_ > 0 && slot >= first_ && slot < first_ + width_) return;
  // Grow by half the width (at least a year of months) on the side that is short, so a
  // build that meets periods in time order re-lays the lane a logarithmic number of times.
  const int32_t grow = std::max<int32_t>(12, width_ / 2);
  Slot new_first = first_, new_end = first_ + width_;
  if (width_ == 0) {
    new_first = slot;
    new_end = slot + (type_ == PeriodType::kDay ? 31 : 12);
  } else if (slot < first_) {
    new_first = std::min(slot, first_ - grow);
  } else {
    new_end = std::max(slot + 1, new_end + grow);
  }
  const int32_t new_width = new_end - new_first;
  const size_t rows = width_ == 0 ? 0 : cells_.size() / static_cast<size_t>(width_);
  Array<int64_t> cells(rows * static_cast<size_t>(new_width), kMissing);
  for (size_t r = 0; r < rows; ++r) {
    std::copy_n(cells_.data() + r * static_cast<size_t>(width_), width_,
                cells.data() + r * static_cast<size_t>(new_width) + (first_ - new_first));
  }
  cells_ = std::move(cells);
  first_ = new_first;
  width_ = new_width;
}

void Lane::make_real() {
  for (int64_t& c : cells_) {
    if (c != kMissing) c = std::bit_cast<int64_t>(decimal_to_double(c, scale_) + 0.0);
  }
  real_ = true;
}

void Lane::rescale(int scale) {
  for (int64_t c : cells_) {
    if (c != kMissing && !scale_up(c, scale - scale_)) {
      make_real();
      return;
    }
  }
  for (int64_t& c : cells_) {
    if (c != kMissing) scale_up(c, scale - scale_);
  }
  scale_ = scale;
}

void Lane::plan(Slot first, Slot end) {
  if (!cells_.empty() || end <= first) return;  // cells hold every value the lane has
  first_ = first;
  width_ = end - first;
}

void Lane::compact() {
  if (width_ == 0) return;
  const size_t rows = cells_.size() / static_cast<size_t>(width_);
  Slot lo = end_slot(), hi = first_ - 1;
  for (size_t r = 0; r < rows; ++r) {
    const int64_t* row = cells_.data() + r * static_cast<size_t>(width_);
    for (int32_t i = 0; i < width_; ++i) {
      if (row[i] == kMissing) continue;
      lo = std::min(lo, first_ + i);
      hi = std::max(hi, first_ + i);
    }
  }
  if (lo > hi) lo = hi = first_;
  const int32_t new_width = hi - lo + 1;
  if (new_width == width_) {  // a planned lane whose every slot is used: no re-lay
    cells_.shrink_to_fit();
    row_of_unit_.shrink_to_fit();
    return;
  }
  Array<int64_t> cells(rows * static_cast<size_t>(new_width));
  for (size_t r = 0; r < rows; ++r) {
    std::copy_n(cells_.data() + r * static_cast<size_t>(width_) + (lo - first_), new_width,
                cells.data() + r * static_cast<size_t>(new_width));
  }
  cells_ = std::move(cells);
  first_ = lo;
  width_ = new_width;
  row_of_unit_.shrink_to_fit();
}

std::optional<int64_t> Lane::set(int32_t unit, Slot slot, const Decimal& value) {
  const int scale_before = scale_;
  const bool real_before = real_;
  ensure_slot(slot);
  const auto u = static_cast<size_t>(unit);
  if (u >= row_of_unit_.size()) row_of_unit_.resize(u + 1, -1);
  if (row_of_unit_[u] < 0) {
    row_of_unit_[u] = static_cast<int32_t>(cells_.size() / static_cast<size_t>(width_));
    cells_.resize(cells_.size() + static_cast<size_t>(width_), kMissing);
  }
  if (!real_ && (value.is_real || value.scale > kMaxScale)) make_real();
  if (!real_ && value.scale > scale_) rescale(value.scale);
  // -0.0 would read as kMissing: a real zero is stored as +0.0.
  auto real_cell = [&] { return std::bit_cast<int64_t>(value.to_double() + 0.0); };
  int64_t cell = 0;
  if (real_) {
    cell = real_cell();
  } else {
    cell = value.mantissa;
    if (!scale_up(cell, scale_ - value.scale)) {
      make_real();
      cell = real_cell();
    }
  }
  int64_t& target = cells_[static_cast<size_t>(row_of_unit_[u]) * width_ + (slot - first_)];
  const int64_t previous = target;
  if (target == kMissing) ++count_;
  target = cell;
  if (scale_ != scale_before || real_ != real_before) return std::nullopt;
  return previous;
}

int64_t Lane::clear(int32_t unit, Slot slot) {
  const int32_t r = row(unit);
  if (r < 0 || slot < first_ || slot >= first_ + width_) return kMissing;
  int64_t& target = cells_[static_cast<size_t>(r) * width_ + (slot - first_)];
  const int64_t previous = target;
  if (previous != kMissing) --count_;
  target = kMissing;
  return previous;
}

namespace {
constexpr size_t kHugePage = size_t{2} << 20;
}  // namespace

void* allocate_array(size_t bytes) {
  if (bytes < kHugePage) return ::operator new(bytes);
  const size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, rounded);
  if (p == nullptr) throw std::bad_alloc();
  ::madvise(p, rounded, MADV_HUGEPAGE);  // a hint: without huge pages the memory is the same
  return p;
}

void free_array(void* p, size_t bytes) noexcept {
  if (bytes < kHugePage) {
    ::operator delete(p);
  } else {
    std::free(p);
  }
}

Lane::Layout Lane::layout() const {
  return {type_, first_, width_, scale_, real_, count_, row_of_unit_.size(), cells_.size()};
}

std::optional<Lane> Lane::from_layout(const Layout& layout, Array<int32_t> row_of_unit, Array<int64_t> cells) {
  if (layout.width < 0 || layout.scale < 0 || layout.scale > kMaxScale || row_of_unit.size() != layout.units ||
      cells.size() != layout.cells || layout.count > cells.size()) {
    return std::nullopt;
  }
  if (layout.width == 0 ? !cells.empty() : cells.size() % static_cast<size_t>(layout.width) != 0) return std::nullopt;
  const size_t rows = layout.width == 0 ? 0 : cells.size() / static_cast<size_t>(layout.width);
  for (int32_t row : row_of_unit) {
    if (row < -1 || (row >= 0 && static_cast<size_t>(row) >= rows)) return std::nullopt;
  }
  Lane lane(layout.type);
  lane.first_ = layout.first;
  lane.width_ = layout.width;
  lane.scale_ = layout.scale;
  lane.real_ = layout.real;
  lane.count_ = layout.count;
  lane.row_of_unit_ = std::move(row_of_unit);
  lane.cells_ = std::move(cells);
  return lane;
}

}  // namespace qpan::aggregation
