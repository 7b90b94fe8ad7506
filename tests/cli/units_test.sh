#!/usr/bin/env bash
# End-to-end: `qpan units import|find|tree` on the real data in data/vn-admin (see its
# SOURCES.md: Lai Châu had 8 districts and 108 communes until 1 Feb 2020, 106 until
# 30 Jun 2025 and 38 communes without districts from 1 Jul 2025; code 15 was Yên Bái and
# is Lào Cai since 1 Jul 2025).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

# tree_lines INDENT: how many lines of the last output are indented exactly INDENT spaces.
tree_lines() {
  local indent
  indent=$(printf '%*s' "$1" '')
  grep -c "^${indent}[^ ]" "$OUT"
}

# Every tree line is "CODE NAME", indented two spaces per level.
assert_tree_shape() {
  local bad
  bad=$(grep -vE '^(  )*[0-9]{2,5} [^ ].*[^ ]$' "$OUT" | head -n 3)
  assert_eq "" "$bad" "$1: every line is CODE NAME indented by levels of two spaces"
}

case_import_is_idempotent() {
  local db
  db_at db "$WORK/units.db"
  local versions
  versions=$(($(wc -l <"$VN_ADMIN/units-history.csv") - 1))
  qok init --db "$db"
  qok units import --db "$db" "$VN_ADMIN"
  assert_contains "$(stdout)" "unit versions: $versions added, 0 updated, 0 unchanged" \
    "first import adds every version of units-history.csv ($versions)"
  assert_contains "$(stdout)" "read units-history.csv" "first import reads the history file"
  assert_contains "$(stdout)" "read communes-lineage-2025-07.csv" "first import reads the commune lineage"
  assert_contains "$(stdout)" "read provinces-lineage-2025-07.csv" "first import reads the province lineage"
  assert_eq "$versions" "$(sql "$db" 'SELECT count(*) FROM org_unit')" "org_unit holds every version"
  local edges
  edges=$(sql "$db" 'SELECT count(*) FROM org_unit_lineage')
  local before_units
  before_units=$(sql "$db" "SELECT code || '|' || valid_from || '|' || name || '|' || valid_until FROM org_unit ORDER BY id" | md5sum)

  qok units import --db "$db" "$VN_ADMIN"
  assert_contains "$(stdout)" "unit versions: 0 added, 0 updated, $versions unchanged" \
    "second import: 0 added, 0 updated, all unchanged"
  assert_eq "$versions" "$(sql "$db" 'SELECT count(*) FROM org_unit')" "second import adds no version"
  assert_eq "$edges" "$(sql "$db" 'SELECT count(*) FROM org_unit_lineage')" "second import adds no lineage edge"
  assert_eq "$before_units" \
    "$(sql "$db" "SELECT code || '|' || valid_from || '|' || name || '|' || valid_until FROM org_unit ORDER BY id" | md5sum)" \
    "second import changes no unit"
}

case_find_ignores_case_and_accents() {
  new_db find
  qok units find --db "$DB" "lai chau"
  local plain
  plain=$(stdout)
  assert_matches "$(head -n 1 "$OUT")" $'^12\tTỉnh Lai Châu\t' "\"lai chau\": first line is province 12 Tỉnh Lai Châu"
  qok units find --db "$DB" "LAI CHAU"
  assert_eq "$plain" "$(stdout)" "\"LAI CHAU\" gives the same output as \"lai chau\""
  qok units find --db "$DB" "Lai Châu"
  assert_eq "$plain" "$(stdout)" "\"Lai Châu\" gives the same output as \"lai chau\""
  # The same words in decomposed form (NFD: a + combining circumflex).
  qok units find --db "$DB" "$(printf 'Lai Cha\xcc\x82u')"
  assert_eq "$plain" "$(stdout)" "\"Lai Châu\" typed in NFD gives the same output"
  assert_contains "$plain" $'105\tThành phố Lai Châu\tdistrict' "the city Thành phố Lai Châu (105) is found too"
}

case_tree_lai_chau_2018() {
  new_db tree2018
  qok units tree --db "$DB" 12 --at 2018-06-30
  assert_tree_shape "12 at 2018-06-30"
  assert_eq "12 Tỉnh Lai Châu" "$(head -n 1 "$OUT")" "12 at 2018-06-30: the root line, not indented"
  assert_eq 8 "$(tree_lines 2)" "12 at 2018-06-30: 8 districts at indent 2"
  assert_eq 108 "$(tree_lines 4)" "12 at 2018-06-30: 108 communes at indent 4"
  assert_eq 117 "$(wc -l <"$OUT")" "12 at 2018-06-30: 1 + 8 + 108 lines, nothing deeper"
  assert_eq "" "$(grep -vE '^(  )?[0-9]{2,3} |^    [0-9]{5} ' "$OUT")" \
    "12 at 2018-06-30: provinces and districts have 2-3 digit codes, communes 5"
  # 03397 Xã Sùng Phài belonged to district 106 until 1 Feb 2020; 03403 was Xã Nậm Loỏng.
  assert_eq "    03397 Xã Sùng Phài" "$(sed -n '/^  106 /,/^  [0-9]/p' "$OUT" | grep '03397')" \
    "12 at 2018-06-30: 03397 Xã Sùng Phài is under district 106 Huyện Tam Đường"
  assert_contains "$(stdout)" "    03403 Xã Nậm Loỏng" "12 at 2018-06-30: 03403 still has its old name"
  assert_contains "$(stdout)" "    03556 Xã Ma Li Chải" "12 at 2018-06-30: 03556 Xã Ma Li Chải is listed"
}

case_tree_lai_chau_2025_03() {
  new_db tree202503
  qok units tree --db "$DB" 12 --at 2025-03-01
  assert_tree_shape "12 at 2025-03-01"
  assert_eq 8 "$(tree_lines 2)" "12 at 2025-03-01: 8 districts"
  assert_eq 106 "$(tree_lines 4)" "12 at 2025-03-01: 106 communes"
  assert_not_contains "$(stdout)" "03397" "12 at 2025-03-01: 03397 (ended 2020-02-01) is gone"
  assert_not_contains "$(stdout)" "03556" "12 at 2025-03-01: 03556 (ended 2020-02-01) is gone"
  assert_contains "$(stdout)" "    03403 Xã Sùng Phài" "12 at 2025-03-01: 03403 is named Xã Sùng Phài"
  # The day of the change: 1 Feb 2020 already has the new structure, 31 Jan 2020 the old.
  qok units tree --db "$DB" 12 --at 2020-01-31
  assert_eq 108 "$(tree_lines 4)" "12 at 2020-01-31 (last day before the change): 108 communes"
  qok units tree --db "$DB" 12 --at 2020-02-01
  assert_eq 106 "$(tree_lines 4)" "12 at 2020-02-01 (first day after the change): 106 communes"
}

case_tree_lai_chau_2025_07() {
  new_db tree202507
  qok units tree --db "$DB" 12 --at 2025-07-01
  assert_tree_shape "12 at 2025-07-01"
  assert_eq "12 Tỉnh Lai Châu" "$(head -n 1 "$OUT")" "12 at 2025-07-01: the root line"
  assert_eq 38 "$(grep -cE '^  [0-9]{5} ' "$OUT")" "12 at 2025-07-01: 38 communes directly under the province"
  assert_eq 0 "$(grep -cE '^  [0-9]{3} ' "$OUT")" "12 at 2025-07-01: no districts"
  assert_eq 0 "$(tree_lines 4)" "12 at 2025-07-01: nothing at indent 4"
  assert_eq 39 "$(wc -l <"$OUT")" "12 at 2025-07-01: 1 + 38 lines"
}

case_tree_reused_code_15() {
  new_db tree15
  qok units tree --db "$DB" 15 --at 2024-01-01 --depth 0
  assert_eq "15 Tỉnh Yên Bái" "$(stdout)" "15 at 2024-01-01 --depth 0 is Yên Bái, one line"
  qok units tree --db "$DB" 15 --at 2025-08-01 --depth 0
  assert_eq "15 Tỉnh Lào Cai" "$(stdout)" "15 at 2025-08-01 --depth 0 is Lào Cai, one line"
  qok units tree --db "$DB" 15 --at 2025-06-30 --depth 0
  assert_eq "15 Tỉnh Yên Bái" "$(stdout)" "15 at 2025-06-30 (last day of Yên Bái) is Yên Bái"
}

case_tree_depth_1() {
  new_db depth1
  qok units tree --db "$DB" 12 --at 2018-06-30
  local expected
  expected=$(grep -E '^(  )?[^ ]' "$OUT")
  qok units tree --db "$DB" 12 --at 2018-06-30 --depth 1
  assert_eq "$expected" "$(stdout)" "12 at 2018-06-30 --depth 1: the root and its 8 districts, as in the full tree"
  assert_eq 9 "$(wc -l <"$OUT")" "12 at 2018-06-30 --depth 1: 9 lines"
  qok units tree --db "$DB" 12 --at 2025-07-01 --depth 1
  assert_eq 39 "$(wc -l <"$OUT")" "12 at 2025-07-01 --depth 1: the root and its 38 communes"
}

case_tree_code_not_in_force() {
  new_db notinforce
  q units tree --db "$DB" 03397 --at 2021-01-01
  assert_exit 1 "03397 at 2021-01-01 (ended 2020-02-01)"
  assert_eq "" "$(stdout)" "03397 at 2021-01-01: nothing on stdout"
  assert_contains "$(stderr)" "03397 is not in force on 2021-01-01" "03397 at 2021-01-01: says it is not in force"
  assert_contains "$(stderr)" "Xã Sùng Phài ..2020-01-31" "03397 at 2021-01-01: lists the version it had"
  q units tree --db "$DB" 26732 --at 2024-01-01
  assert_exit 1 "26732 (from 2025-07-01) at 2024-01-01"
  assert_contains "$(stderr)" "26732 is not in force on 2024-01-01" "26732 at 2024-01-01: says it is not in force"
  q units tree --db "$DB" 99999 --at 2021-01-01
  assert_exit 1 "unknown code 99999"
  assert_contains "$(stderr)" "unknown unit code \"99999\"" "99999: says the code is unknown"
  q units tree --db "$DB" 12 --at 2018-13-01
  assert_exit 1 "malformed --at 2018-13-01"
  assert_contains "$(stderr)" "--at" "malformed --at: names the option"
}

case_bad_units_file_writes_nothing() {
  new_db badunits
  local before
  before=$(sql "$DB" 'SELECT count(*), max(id) FROM org_unit; SELECT count(*) FROM org_unit_lineage')
  mkdir -p "$WORK/bad-units"
  printf '%s\n' 'level,code,name,type,parent_code,valid_from,valid_until' \
    'province,98,Tỉnh Thử Nghiệm,Tỉnh,,,' \
    'commune,98001,Xã Một,Xã,98,2020-13-01,' \
    'commune,98002,Xã Hai,Xã,97,,' >"$WORK/bad-units/units.csv"
  q units import --db "$DB" "$WORK/bad-units"
  assert_exit 1 "a units file with a bad date and an unknown parent"
  assert_contains "$(stderr)" 'units.csv:3:6: valid_from: malformed date "2020-13-01"' "bad units file: names file:line:column and the bad date"
  assert_contains "$(stderr)" 'units.csv:4:5: parent_code: unknown parent unit "97"' "bad units file: names the unknown parent"
  assert_eq "$before" "$(sql "$DB" 'SELECT count(*), max(id) FROM org_unit; SELECT count(*) FROM org_unit_lineage')" \
    "bad units file: nothing was written, not even its good province line"
}

run_cases "$@"
