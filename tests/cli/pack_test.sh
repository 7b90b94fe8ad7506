#!/usr/bin/env bash
# End-to-end: `qpan pack check` and `qpan pack load` on the real packs/qpan-vn and on small
# packs written here: a broken pack names file, JSON path and reason; an upgrade keeps the
# data and refuses what would lose it, writing nothing then.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

PACK="$SRC/packs/qpan-vn"

# small_pack DIR VERSION ELEMENTS_JSON: a minimal pack folder.
small_pack() {
  mkdir -p "$1"
  printf '{"pack": {"code": "mini", "version": "%s", "name_vi": "Bộ nhỏ", "name_en": "Mini"}}\n' "$2" >"$1/pack.json"
  printf '%s\n' "$3" >"$1/elements.json"
}

ELEMENT_CASES='{"code": "crime.ttxh.cases", "name_vi": "Số vụ", "name_en": "Cases", "value_type": "count", "aggregation": "sum"}'
ELEMENT_TEAMS='{"code": "movement.security_teams", "name_vi": "Số tổ", "name_en": "Teams", "value_type": "count", "aggregation": "last"}'

case_real_pack_is_valid() {
  qok pack check "$PACK"
  assert_contains "$(stdout)" "qpan-vn" "names the pack"
  assert_contains "$(stdout)" "is valid" "says it is valid"
}

case_real_pack_loads_and_reloads() {
  local db
  db_at db "$WORK/real.db"
  qok init --db "$db"
  qok pack load --db "$db" "$PACK"
  assert_contains "$(stdout)" "0 removed" "first load removes nothing"
  local elements
  elements=$(sql "$db" "SELECT count(*) FROM data_element WHERE pack = 'qpan-vn'")
  qok pack load --db "$db" "$PACK"
  assert_contains "$(stdout)" "0 added, 0 updated, $elements unchanged, 0 removed" "reloading changes nothing"
  qok elements list --db "$db"
  assert_contains "$(stdout)" $'crime.ttxh.cases\tcount\tsum' "the pack's elements are listed"
  assert_contains "$(stdout)" $'movement.security_teams\tcount\tlast' "stocks take the last value"
  assert_eq "1" "$(sql "$db" "SELECT count(*) FROM pack_definition WHERE kind = 'indicators' AND code = 'crime.ttxh.solve_rate'")" \
    "definitions are stored"
}

case_broken_pack_names_file_and_path() {
  local dir="$WORK/broken"
  cp -r "$PACK" "$dir"
  sed -i '0,/"value_type": "count"/s//"value_type": "cnt"/' "$dir/elements/crime.json"
  q pack check "$dir"
  assert_exit 1 "a broken pack"
  assert_matches "$(stderr)" 'elements/crime\.json: \$\.elements\[[0-9]+\]\.value_type: unknown value type "cnt"' \
    "names the file, the JSON path and the reason"
  local db
  db_at db "$WORK/broken.db"
  qok init --db "$db"
  q pack load --db "$db" "$dir"
  assert_exit 1 "loading a broken pack"
  assert_contains "$(stderr)" "nothing was loaded" "says nothing was loaded"
  assert_eq "0" "$(sql "$db" 'SELECT count(*) FROM data_element')" "nothing was written"
}

case_option_code_with_a_dot_is_refused() {
  local dir="$WORK/dotted"
  small_pack "$dir" 1.0.0 '{"disaggregations": [{"code": "gate", "name_vi": "Cửa khẩu", "name_en": "Gate",
    "options": [{"code": "ma.lu_thang", "name_vi": "Ma Lù Thàng", "name_en": "Ma Lu Thang"}]}],
    "elements": [{"code": "border.trade", "name_vi": "Kim ngạch", "name_en": "Trade", "value_type": "amount_usd",
                  "aggregation": "sum", "disaggregation": "gate"}]}'
  q pack check "$dir"
  assert_exit 1 "an option code with a dot"
  assert_contains "$(stderr)" 'elements.json: $.disaggregations[0].options[0].code: "ma.lu_thang" is not a valid option code: an option code has no dot' \
    "names the file, the JSON path and why"
}

# A definition stored by an older qpan (or edited in the database) that the checks refuse is
# refused by every command that reads the pack, naming kind, code and JSON path.
case_stored_definition_the_checker_refuses() {
  local db
  db_at db "$WORK/stored.db"
  qok init --db "$db"
  qok units import --db "$db" "$VN_ADMIN"
  qok pack load --db "$db" "$PACK"
  sql "$db" "UPDATE pack_definition SET definition = replace(definition, '\"importance\":\"high\"', '\"importance\":\"urgent\"')
             WHERE kind = 'validation_rules' AND code = 'vr.crime.ttxh.solved_le_cases'"
  q validate --db "$db" --ou 12 --pe 2020
  assert_exit 1 "validate over a refused definition"
  assert_contains "$(stderr)" 'stored validation_rules "vr.crime.ttxh.solved_le_cases": $.importance: expected high, medium or low' \
    "names kind, code, JSON path and reason"
  q evaluate --db "$db" --set eval.drug_free.commune --ou 12 --pe 2020
  assert_exit 1 "evaluate over a refused definition"
  assert_contains "$(stderr)" "does not pass the pack checks" "evaluate refuses it too"
  qok pack load --db "$db" "$PACK"
  qok validate --db "$db" --ou 12 --pe 2020
}

case_missing_pack_folder() {
  q pack check "$WORK/nowhere"
  assert_exit 1 "a missing folder"
  assert_contains "$(stderr)" "no such folder" "says so"
}

case_upgrade_keeps_data_and_refuses_losing_it() {
  local db
  db_at db "$WORK/upgrade.db"
  qok init --db "$db"
  qok units import --db "$db" "$VN_ADMIN"
  small_pack "$WORK/v1" 1.0.0 "{\"elements\": [$ELEMENT_CASES, $ELEMENT_TEAMS]}"
  qok pack load --db "$db" "$WORK/v1"
  csv "$WORK/v.csv" 'crime.ttxh.cases,201601,03397,,,4,,,,'
  qok values import --db "$db" "$WORK/v.csv"

  small_pack "$WORK/v2" 1.1.0 "{\"elements\": [$ELEMENT_TEAMS]}"
  q pack load --db "$db" "$WORK/v2"
  assert_exit 1 "dropping an element that has values"
  assert_contains "$(stderr)" "element crime.ttxh.cases is no longer in the pack but has 1 values" "names the element and its values"
  assert_eq "1.0.0" "$(sql "$db" "SELECT version FROM pack WHERE code = 'mini'")" "the loaded version is unchanged"

  small_pack "$WORK/v3" 1.2.0 "{\"elements\": [$ELEMENT_CASES]}"
  qok pack load --db "$db" "$WORK/v3"
  assert_contains "$(stdout)" "1 removed" "an element without values can go"
  assert_eq "4" "$(sql "$db" 'SELECT value FROM data_value')" "the data is kept"

  q pack load --db "$db" "$WORK/v1"
  assert_exit 1 "going back to an older version"
  assert_contains "$(stderr)" "newer than 1.0.0" "says the database has a newer version"
}

run_cases "$@"
