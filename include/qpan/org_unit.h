// Organisation units (đơn vị hành chính / cơ quan), effective-dated.
//
// A code is not a unit: GSO codes are reused (province 15 is Yên Bái until 30 Jun 2025 and
// the new Lào Cai after), so a unit version is identified by its code and a date. Every
// version has a half-open validity [valid_from, valid_until); a change of name, type or
// parent starts a new version. Parents are referenced by code and resolved at the same
// date. Lineage edges record how old units became new ones (full or partial, with an
// optional share), so old data can be mapped onto a later structure.
//
// A unit outlives its versions: a new name, type or parent is the same unit under the same
// code. It ends where its code stops being in force, or where lineage forms a new unit under
// the code — on a day on which any edge other than one full edge from the code itself leads
// into it (province 15 on 1 Jul 2025: Yên Bái and old Lào Cai went into it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "qpan/date.h"
#include "qpan/period.h"
#include "qpan/status.h"

namespace qpan {

enum class OrgUnitLevel : uint8_t {
  kProvince = 1,  // tỉnh, thành phố trực thuộc trung ương
  kDistrict = 2,  // huyện, quận, thị xã, thành phố thuộc tỉnh (until 1 Jul 2025)
  kCommune = 3,   // xã, phường, thị trấn, đặc khu
  kVillage = 4,   // thôn, bản, tổ dân phố
  kAgency = 5,    // cơ quan, doanh nghiệp, nhà trường evaluated like units
};

std::string_view level_name(OrgUnitLevel level);  // "province", "district", ...
Result<OrgUnitLevel> parse_level(std::string_view name);

struct OrgUnitVersion {
  std::string code;
  OrgUnitLevel level = OrgUnitLevel::kCommune;
  std::string name;                  // as published, with its type: "Tỉnh Lai Châu"
  std::string type;                  // "Tỉnh", "Huyện", "Xã", "Phường", ...
  std::string parent_code;           // empty for a root (province)
  std::optional<Date> valid_from;    // empty: in force since before the records start
  std::optional<Date> valid_until;   // first day no longer in force; empty: still in force

  bool valid_at(Date d) const {
    return (!valid_from || *valid_from <= d) && (!valid_until || d < *valid_until);
  }
  // True when the version is in force on at least one day of `range`.
  bool overlaps(const DateRange& range) const {
    return (!valid_from || *valid_from <= range.last) &&
           (!valid_until || range.first < *valid_until);
  }
};

enum class LineageKind : uint8_t {
  kFull,     // the whole old unit went into the new one
  kPartial,  // part of it did (the old unit was split over several new ones)
};

std::string_view lineage_kind_name(LineageKind kind);  // "full" / "partial"
Result<LineageKind> parse_lineage_kind(std::string_view name);

// old unit (code in force the day before `effective`) → new unit (code in force on it).
struct LineageEdge {
  std::string old_code;
  std::string new_code;
  Date effective;                  // first day of the new structure
  LineageKind kind = LineageKind::kFull;
  std::optional<double> share;     // fraction of the old unit's figures, where known
};

// The days on which a code names one and the same unit: [from, until).
struct UnitLifetime {
  std::optional<Date> from;   // empty: since before the records start
  std::optional<Date> until;  // first day the code no longer names this unit; empty: still
  bool contains(Date d) const { return (!from || *from <= d) && (!until || d < *until); }
};

// One step of a walk back through lineage: `edge` carried (all or part of) the unit that
// `edge->old_code` named before `edge->effective` into `edge->new_code`. `through` is the
// index, in the walk, of the step whose old unit `edge->new_code` is; -1 when
// `edge->new_code` is where the walk started.
struct LineageStep {
  const LineageEdge* edge = nullptr;
  int through = -1;
};

// Read-only index over all versions, answering "what was this code, and what was under it,
// on this day". Built once from the store; thread-safe for concurrent readers.
class OrgUnitIndex {
 public:
  OrgUnitIndex() = default;
  explicit OrgUnitIndex(std::vector<OrgUnitVersion> versions, std::vector<LineageEdge> lineage = {});

  const std::vector<OrgUnitVersion>& versions() const { return versions_; }
  const std::vector<LineageEdge>& lineage() const { return lineage_; }

  // The version of `code` in force on `date`, or nullptr.
  const OrgUnitVersion* at(std::string_view code, Date date) const;
  // Every version of `code`, oldest first (empty when the code never existed).
  std::vector<const OrgUnitVersion*> history(std::string_view code) const;
  // The versions of `code` in force on at least one day of `range`, oldest first.
  std::vector<const OrgUnitVersion*> during(std::string_view code, const DateRange& range) const;
  bool knows(std::string_view code) const { return by_code_.count(std::string(code)) != 0; }

  // Units directly under `code` on `date`, ordered by code.
  std::vector<const OrgUnitVersion*> children(std::string_view code, Date date) const;
  // Ancestors of the version of `code` in force on `date`, nearest first.
  std::vector<const OrgUnitVersion*> ancestors(std::string_view code, Date date) const;

  // True when `code` is `ancestor` or lies under it in the structure in force during
  // `range` (on the last day of `range` that `code` was in force).
  bool is_within(std::string_view code, std::string_view ancestor, const DateRange& range) const;
  // `code` and every code that was under it at any time, in no particular order.
  std::vector<std::string> codes_ever_within(std::string_view code) const;

  // Lineage edges leaving / entering a code (all dates).
  std::vector<const LineageEdge*> successors(std::string_view old_code) const;
  std::vector<const LineageEdge*> predecessors(std::string_view new_code) const;

  // The lifetime of the unit `code` names on `date` (see the top of this file); nullopt when
  // `code` is not in force on `date`.
  std::optional<UnitLifetime> lifetime(std::string_view code, Date date) const;

  // The units whose figures stand for the unit `code` names from `began` on, for the time
  // before that day: the old units of the edges into `code` effective on `began`, and, in
  // turn, the old units of the edges into each of those effective on the day its code was
  // first in force (when that came before) — each (old code, effective day) once, at most
  // kMaxLineageDepth steps deep. A step comes after the step it goes through. Step k stands
  // for the subtree of `steps[k].edge->old_code` on every day before
  // `steps[k].edge->effective`. This is what the aggregation engine rolls up for a unit asked
  // for a time before it began, and what an account scoped to that unit may read of the past.
  std::vector<LineageStep> lineage_ancestry(std::string_view code, Date began) const;
  static constexpr int kMaxLineageDepth = 16;  // deeper than any real chain; stops cycles

 private:
  std::vector<OrgUnitVersion> versions_;
  std::vector<LineageEdge> lineage_;
  std::unordered_map<std::string, std::vector<uint32_t>> by_code_;    // oldest first
  std::unordered_map<std::string, std::vector<uint32_t>> by_parent_;  // by child code
  std::unordered_map<std::string, std::vector<uint32_t>> lineage_by_old_;
  std::unordered_map<std::string, std::vector<uint32_t>> lineage_by_new_;

  // True when lineage forms a new unit under `code` on `day` (see the top of this file).
  bool forms_new_unit(std::string_view code, Date day) const;
  void add_ancestry(std::string_view code, Date began, int through, int depth,
                    std::vector<LineageStep>& steps) const;
};

}  // namespace qpan
