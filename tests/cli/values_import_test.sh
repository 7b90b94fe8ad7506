#!/usr/bin/env bash
# End-to-end: `qpan values import` of dataValueSets CSV. Each bad input is its own case:
# exit 1, a message naming file:line:column (file:line for problems of a whole line) and
# the reason, and the database exactly as before. Then the inputs that must import fine:
# BOM and CRLF, NFD text, quoted fields.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

# Values already in the database before each bad import, so "unchanged" means something.
BASELINE_ROWS=(
  'crime.solved,201801,03397,,,4,Công an xã Sùng Phài,2018-02-05T08:00:00Z,,false'
  'crime.occurred,201801,03397,drugs,,2,,2018-02-05T08:00:00Z,,false'
  'solve_rate,2019,106,,,87.5,,2020-01-10T00:00:00Z,Cả năm,true'
)

# values_db NAME: DB holds the units, the fixture elements and the baseline values.
values_db() {
  new_db "$1"
  csv "$WORK/baseline.csv" "${BASELINE_ROWS[@]}"
  qok values import --db "$DB" "$WORK/baseline.csv"
}

# rejected FILE LOCATION REASON...: importing FILE exits 1, stderr has LOCATION and
# every REASON, and the database is unchanged (values, audit trail, import batches).
rejected() {
  local file=$1 location=$2
  shift 2
  local name
  name=$(basename "$file")
  values_db "$CURRENT_CASE"
  local before
  before=$(snapshot "$DB")
  q values import --db "$DB" "$file"
  assert_exit 1 "import of $name"
  assert_contains "$(stderr)" "$location" "$name: names where ($location)"
  local reason
  for reason in "$@"; do
    assert_contains "$(stderr)" "$reason" "$name: gives the reason ($reason)"
  done
  assert_contains "$(stderr)" "nothing was imported" "$name: says nothing was imported"
  assert_eq "" "$(stdout)" "$name: prints nothing on stdout"
  assert_eq "$before" "$(snapshot "$DB")" "$name: the database is unchanged"
}

# bad_row CASE ROW LOCATION REASON...: a file with a good row (line 2), the bad ROW
# (line 3) and another good row (line 4) is rejected as a whole.
bad_row() {
  local name=$1 row=$2 location=$3
  shift 3
  csv "$WORK/$name.csv" 'crime.solved,201802,03400,,,1,,,,' "$row" 'crime.solved,201803,03400,,,2,,,,'
  rejected "$WORK/$name.csv" "$name.csv:$location" "$@"
}

# ---- Bad references ---------------------------------------------------------------------

case_unknown_element() {
  bad_row unknown_element 'CRIME_REPORTED,201802,03400,,,1,,,,' '3:1: dataelement: ' \
    'unknown data element "CRIME_REPORTED"'
}

case_unknown_unit() {
  bad_row unknown_unit 'crime.solved,201802,99999,,,1,,,,' '3:3: orgunit: ' 'unknown org unit "99999"'
}

case_unknown_option() {
  bad_row unknown_option 'crime.occurred,201802,03400,arson,,1,,,,' '3:4: categoryoptioncombo: ' \
    'unknown option "arson"'
}

case_unit_ended_before_period() {
  # 03397 Xã Sùng Phài ended on 2020-02-01: January 2020 is fine, March 2020 is not.
  values_db ended_control
  csv "$WORK/january.csv" 'crime.solved,202001,03397,,,3,,,,'
  qok values import --db "$DB" "$WORK/january.csv"
  assert_contains "$(stdout)" "1 created" "03397 in 202001 (before it ended) is accepted"
  bad_row unit_ended 'crime.solved,202003,03397,,,3,,,,' '3:3: orgunit: ' \
    'org unit 03397 (Xã Sùng Phài) is not in force in period 202003'
}

case_unit_began_after_period() {
  # 26732 Đặc khu Côn Đảo exists from 2025-07-01 only.
  values_db began_control
  csv "$WORK/july.csv" 'crime.solved,202507,26732,,,1,,,,'
  qok values import --db "$DB" "$WORK/july.csv"
  assert_contains "$(stdout)" "1 created" "26732 in 202507 is accepted"
  bad_row unit_not_yet 'crime.solved,202406,26732,,,1,,,,' '3:3: orgunit: ' \
    'org unit 26732 (Đặc khu Côn Đảo) is not in force in period 202406'
}

# ---- Bad periods ---------------------------------------------------------------------

case_period_quarter_5() {
  bad_row quarter5 'crime.solved,2022Q5,03400,,,1,,,,' '3:2: period: ' '"2022Q5"' 'quarter'
}

case_period_month_13() {
  bad_row month13 'crime.solved,202213,03400,,,1,,,,' '3:2: period: ' '"202213"' 'month'
}

case_period_with_dash() {
  bad_row dashed 'crime.solved,2022-03,03400,,,1,,,,' '3:2: period: ' '"2022-03"'
}

case_period_range() {
  bad_row range 'crime.solved,202201..202206,03400,,,1,,,,' '3:2: period: ' \
    '"202201..202206" is a range'
}

# ---- Values of the wrong type ------------------------------------------------------------

case_negative_count() {
  bad_row negative 'crime.solved,201802,03401,,,-1,,,,' '3:6: value: ' \
    '"-1" is not a valid count value for crime.solved'
}

case_fractional_count() {
  bad_row fractional 'crime.solved,201802,03401,,,1.5,,,,' '3:6: value: ' \
    '"1.5" is not a valid count value for crime.solved'
}

case_text_for_count() {
  bad_row text_count 'crime.solved,201802,03401,,,abc,,,,' '3:6: value: ' \
    '"abc" is not a valid count value for crime.solved'
}

case_percentage_over_100() {
  bad_row percent 'solve_rate,201802,03400,,,120,,,,' '3:6: value: ' \
    '"120" is not a valid percentage value for solve_rate' 'between 0 and 100'
}

case_boolean_maybe() {
  bad_row boolean 'safe_commune,2018,03400,,,maybe,,,,' '3:6: value: ' \
    '"maybe" is not a valid boolean value for safe_commune' 'true or false'
}

case_empty_value() {
  bad_row empty_value 'crime.solved,201802,03401,,,,,,,' '3:6: value: ' 'empty'
}

# ---- Bad lines and files -----------------------------------------------------------------

case_duplicate_key() {
  local file="$WORK/duplicate.csv"
  csv "$file" 'crime.solved,201802,03400,,,1,,,,' 'crime.solved,201803,03400,,,2,,,,' \
    'crime.solved,201802,03400,,,7,,,,'
  rejected "$file" 'duplicate.csv:4' 'duplicate of line 2'
}

case_too_few_columns() {
  local file="$WORK/short.csv"
  csv "$file" 'crime.solved,201802,03400,,,1,,,,' 'crime.solved,201803,03400,,,2,,,'
  rejected "$file" 'short.csv:3' 'expected 10 columns' 'found 9'
}

case_too_many_columns() {
  local file="$WORK/long.csv"
  csv "$file" 'crime.solved,201802,03400,,,1,,,,' 'crime.solved,201803,03400,,,2,,,,,'
  rejected "$file" 'long.csv:3' 'expected 10 columns' 'found 11'
}

case_invalid_utf8() {
  local file="$WORK/latin1.csv"
  # A byte that is never UTF-8 (0xFF) in the comment, column 9 of line 3.
  csv "$file" 'crime.solved,201802,03400,,,1,,,,' 'crime.solved,201803,03400,,,2,,,Ch\xffu,'
  rejected "$file" 'latin1.csv:3:9: ' 'invalid UTF-8'
}

case_missing_header_column() {
  local file="$WORK/no_orgunit.csv"
  printf 'dataelement,period,value\nCRIME_SOLVED,201802,1\n' >"$file"
  rejected "$file" 'no_orgunit.csv:1' 'missing column "orgunit"'
}

case_unknown_header_column() {
  local file="$WORK/colour.csv"
  printf '%s,colour\nCRIME_SOLVED,201802,03400,,,1,,,,,red\n' "$CSV_HEADER" >"$file"
  rejected "$file" 'colour.csv:1:11: ' 'unknown column "colour"'
}

case_no_header() {
  local file="$WORK/headless.csv"
  printf 'crime.solved,201802,03400,,,1,,,,\n' >"$file"
  rejected "$file" 'headless.csv:1' 'unknown column "crime.solved"'
}

case_150_bad_rows() {
  local file="$WORK/many.csv" i
  {
    printf '%s\n' "$CSV_HEADER"
    for i in $(seq 1 150); do printf 'crime.solved,201802,03400,,,bad%d,,,,\n' "$i"; done
  } >"$file"
  rejected "$file" 'many.csv:2:6: value: "bad1"' 'many.csv:101:6: value: "bad100"' \
    '… and 50 more problems' '150 problems'
  assert_eq 100 "$(grep -c '^many.csv:' "$ERR")" "150 bad rows: the first 100 are listed"
  assert_not_contains "$(stderr)" '"bad101"' "150 bad rows: the 101st is not listed"
}

# ---- Inputs that import fine ---------------------------------------------------------------

case_bom_and_crlf() {
  values_db bom
  local file="$WORK/windows.csv"
  printf '\xef\xbb\xbf%s\r\n' "$CSV_HEADER" >"$file"
  printf 'crime.solved,201802,03400,,,5,,2018-03-01T00:00:00Z,,false\r\n' >>"$file"
  printf 'note,201802,03400,,,Đã rà soát,,2018-03-01T00:00:00Z,Ghi chú cuối dòng,true\r\n' >>"$file"
  qok values import --db "$DB" "$file"
  assert_contains "$(stdout)" "2 rows — 2 created" "BOM + CRLF: both rows imported"
  qok values export --db "$DB" --ou 03400
  assert_eq "$CSV_HEADER
crime.solved,201802,03400,,,5,e2e-tester,2018-03-01T00:00:00Z,,false
note,201802,03400,,,Đã rà soát,e2e-tester,2018-03-01T00:00:00Z,Ghi chú cuối dòng,true" "$(stdout)" \
    "BOM + CRLF: the values come back without BOM or carriage returns"
}

case_nfd_text_comes_back_nfc() {
  values_db nfd
  local file="$WORK/nfd.csv"
  # Text value, stored_by and comment in decomposed form: "Châu", "cán bộ", "Lai Châu".
  csv "$file" 'note,201805,03400,,,Cha\xcc\x82u,ca\xcc\x81n bo\xcc\xa3\xcc\x82,2018-06-01T00:00:00Z,Lai Cha\xcc\x82u,false'
  qok values import --db "$DB" "$file"
  qok values export --db "$DB" --pe 201805
  local expected
  expected=$(printf 'note,201805,03400,,,Ch\xc3\xa2u,c\xc3\xa1n b\xe1\xbb\x99,2018-06-01T00:00:00Z,Lai Ch\xc3\xa2u,false')
  assert_eq "$expected" "$(tail -n 1 "$OUT")" "text, storedby and comment given in NFD are exported in NFC"
  local stored_text="SELECT value FROM data_value WHERE typeof(value) = 'text'"
  if on_postgres; then stored_text="SELECT value_text FROM data_value WHERE value_text IS NOT NULL"; fi
  assert_eq "$(printf 'Ch\xc3\xa2u')" "$(sql "$DB" "$stored_text")" "the stored text is NFC"
}

case_quoted_fields_round_trip() {
  values_db quoted
  local file="$WORK/quoted.csv"
  # Text values and comments with commas, doubled quotes and line breaks; two rows have
  # two such fields, one of them short (a short field lives inside its std::string).
  {
    printf '%s\n' "$CSV_HEADER"
    printf '%s\n' 'note,201803,03400,,,"Tổ ""A""",Cán bộ,2018-05-01T00:00:00Z,"Ghi chú ""B""",false'
    printf '%s\n' 'note,201804,03400,,,"Tổ 1, tổ 2",Cán bộ,2018-05-01T00:00:00Z,,false'
    printf '%s\n' 'note,201805,03400,,,"Đợt ""cao điểm""",Cán bộ,2018-05-01T00:00:00Z,,false'
    printf '%s\n' 'note,201806,03400,,,"dòng một' 'dòng hai",Cán bộ,2018-05-01T00:00:00Z,"a, b",false'
    printf '%s\n' 'note,201807,03400,,,"Đợt ""1"", xong' 'hết","Nguyễn ""Văn"" A",2018-05-01T00:00:00Z,"Ghi chú ""A"", ""B""' 'kết",true'
  } >"$file"
  qok values import --db "$DB" "$file"
  assert_contains "$(stdout)" "5 rows — 5 created" "quoted fields: 5 rows imported"
  qok values export --db "$DB" --ou 03400 --pe 2018
  assert_files_equal "$file" "$OUT" "quoted fields come back exactly as written"
  # And the export imports into a fresh database to the same values.
  cp "$OUT" "$WORK/quoted-export.csv"
  values_db quoted_again
  qok values import --db "$DB" "$WORK/quoted-export.csv"
  qok values export --db "$DB" --ou 03400 --pe 2018
  assert_files_equal "$WORK/quoted-export.csv" "$OUT" "the export of quoted fields imports back to the same values"
}

case_columns_in_any_order() {
  # Only the required columns, in another order and another case: still dataValueSets.
  values_db any_order
  printf 'OrgUnit,Value,Period,DataElement\r\n03400,6,201802,crime.solved\r\n' >"$WORK/reordered.csv"
  qok values import --db "$DB" --user "Lò Văn C" "$WORK/reordered.csv"
  assert_contains "$(stdout)" "1 rows — 1 created" "columns in another order: imported"
  qok values export --db "$DB" --ou 03400 --pe 201802
  assert_matches "$(tail -n 1 "$OUT")" '^crime.solved,201802,03400,,,6,Lò Văn C,[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z,,false$' \
    "columns in another order: exported in the standard layout, stored by the --user, now"
}

case_header_only() {
  values_db header_only
  csv "$WORK/header-only.csv"
  qok values import --db "$DB" "$WORK/header-only.csv"
  assert_contains "$(stdout)" "0 rows" "a file with only the header imports 0 rows"
}

run_cases "$@"
