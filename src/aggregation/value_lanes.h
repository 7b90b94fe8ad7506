// Where the engine keeps values: one lane per series (element, option) and period type, a
// dense row of slots per unit that has values in it. A cell holds the value as a decimal
// integer at the lane's scale (87.5 at scale 1 is 875), so counts and đồng amounts add up
// exactly and a cell is 8 bytes; a lane falls back to doubles for values no decimal of up to
// 9 places and 18 digits can hold.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "aggregation/slots.h"

namespace qpan::aggregation {

inline constexpr int64_t kMissing = std::numeric_limits<int64_t>::min();

// Room for a large array in 2 MiB pages where the kernel offers them (transparent huge
// pages on request): a gigabyte of lanes takes 512 times fewer page faults to fill and
// fewer TLB misses to read. Smaller arrays come from operator new.
void* allocate_array(size_t bytes);
void free_array(void* p, size_t bytes) noexcept;

// A growable array of plain values for lanes and roll-ups. New elements are default-
// initialised (integers left as they are: arrays about to be overwritten whole are not
// cleared first) unless given a value; large arrays live in huge pages. An array can also
// use memory lent to it — a snapshot file mapped copy-on-write — in place, writable, for as
// long as it keeps the lender; growing it copies into memory of its own.
template <typename T>
class Array {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  Array() = default;
  explicit Array(size_t n) { resize(n); }
  Array(size_t n, const T& value) { resize(n, value); }
  static Array lent(T* data, size_t n, std::shared_ptr<void> lender) {
    Array a;
    a.data_ = data;
    a.size_ = a.capacity_ = n;
    a.lender_ = std::move(lender);
    return a;
  }
  Array(Array&& other) noexcept { take(other); }
  Array& operator=(Array&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }
  Array(const Array&) = delete;
  Array& operator=(const Array&) = delete;
  ~Array() { release(); }

  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }

  void resize(size_t n) {
    grow_to(n);
    if (n > size_) std::uninitialized_default_construct_n(data_ + size_, n - size_);
    size_ = n;
  }
  void resize(size_t n, const T& value) {
    grow_to(n);
    if (n > size_) std::uninitialized_fill_n(data_ + size_, n - size_, value);
    size_ = n;
  }
  void shrink_to_fit() {
    if (capacity_ > size_ && !lender_) move_to(size_);
  }

 private:
  // Room for n elements, at least doubling, so that appends cost amortised constant time.
  void grow_to(size_t n) {
    if (n > capacity_) move_to(std::max(n, capacity_ * 2));
  }
  void move_to(size_t capacity) {
    T* fresh = capacity == 0 ? nullptr : static_cast<T*>(allocate_array(capacity * sizeof(T)));
    if (size_ > 0) std::memcpy(fresh, data_, size_ * sizeof(T));
    release();
    data_ = fresh;
    capacity_ = capacity;
  }
  void release() noexcept {
    if (lender_) {
      lender_.reset();
    } else if (data_ != nullptr) {
      free_array(data_, capacity_ * sizeof(T));
    }
    data_ = nullptr;
    capacity_ = 0;
  }
  void take(Array& other) noexcept {
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    lender_ = std::move(other.lender_);
  }

  T* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
  std::shared_ptr<void> lender_;  // set when data_ is lent memory, never freed here
};

// A number as a decimal: mantissa / 10^scale, or a double when it does not fit.
struct Decimal {
  bool is_real = false;
  int64_t mantissa = 0;
  int scale = 0;
  double real = 0;

  static Decimal integer(int64_t v) { return {false, v, 0, 0}; }
  // The shortest decimal that reads back as `v` ("41.57" for 41.57).
  static Decimal from_double(double v);
  double to_double() const;
};

// mantissa / 10^scale as the nearest double (the same double the decimal text parses to).
double decimal_to_double(__int128 units, int scale);

// A sum kept exactly in units of 10^-scale while it fits, else as a double.
class DecimalSum {
 public:
  void add(__int128 units, int scale);
  void add_real(double v) {
    approx_ += v;
    exact_ = false;
  }
  double value() const { return exact_ ? decimal_to_double(units_, scale_) : approx_; }

 private:
  __int128 units_ = 0;
  int scale_ = 0;
  bool exact_ = true;
  double approx_ = 0;
};

class Lane {
 public:
  explicit Lane(PeriodType type) : type_(type) {}

  PeriodType type() const { return type_; }
  Slot first_slot() const { return first_; }
  Slot end_slot() const { return first_ + width_; }
  int scale() const { return scale_; }
  bool is_real() const { return real_; }
  size_t count() const { return count_; }
  size_t bytes() const {
    return cells_.capacity() * sizeof(int64_t) + row_of_unit_.capacity() * sizeof(int32_t);
  }

  // The row of a unit, or -1 when it has no values here.
  int32_t row(int32_t unit) const {
    const auto u = static_cast<size_t>(unit);
    return u < row_of_unit_.size() ? row_of_unit_[u] : -1;
  }
  // Cells of a row, indexed by slot - first_slot().
  const int64_t* cells(int32_t row) const { return cells_.data() + static_cast<size_t>(row) * width_; }

  // A cell as a double (kMissing must be checked before).
  double cell_value(int64_t cell) const {
    return real_ ? std::bit_cast<double>(cell) : decimal_to_double(cell, scale_);
  }

  // Sets a cell. Returns its previous content (kMissing when empty), or nullopt when the
  // lane changed its encoding for this value (a larger scale, or doubles): then every cell
  // may have changed and what is derived from the lane must be rebuilt.
  std::optional<int64_t> set(int32_t unit, Slot slot, const Decimal& value);
  // Empties a cell (a deleted value); returns its previous content (kMissing when empty).
  int64_t clear(int32_t unit, Slot slot);
  // Lays an empty lane out for slots [first, end) before its first value, when a bulk build
  // knows the periods it will meet: the lane then never re-lays its rows to widen them.
  // A value outside the range still widens it as usual. No effect on a lane with values.
  void plan(Slot first, Slot end);
  // Drops the room kept for growth (after a bulk build): slots outside the used range and
  // spare capacity.
  void compact();

  // What a lane keeps, as it keeps it: for a snapshot (aggregation/snapshot.cc) and a lane
  // made again from one.
  struct Layout {
    PeriodType type = PeriodType::kMonth;
    Slot first = 0;
    int32_t width = 0;
    int scale = 0;
    bool real = false;
    uint64_t count = 0;
    uint64_t units = 0;  // row_of_unit's length
    uint64_t cells = 0;  // rows × width
  };
  Layout layout() const;
  std::span<const int32_t> row_of_unit() const { return row_of_unit_; }
  std::span<const int64_t> all_cells() const { return cells_; }
  // A lane from its layout and arrays; nullopt when they do not fit together (a row index
  // out of range, cells not rows × width, a count larger than the cells).
  static std::optional<Lane> from_layout(const Layout& layout, Array<int32_t> row_of_unit, Array<int64_t> cells);

 private:
  void ensure_slot(Slot slot);
  void rescale(int scale);
  void make_real();

  PeriodType type_;
  Slot first_ = 0;
  int32_t width_ = 0;
  int scale_ = 0;
  bool real_ = false;
  size_t count_ = 0;
  Array<int32_t> row_of_unit_;
  Array<int64_t> cells_;  // rows × width_
};

}  // namespace qpan::aggregation
