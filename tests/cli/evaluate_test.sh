#!/usr/bin/env bash
# End-to-end: `qpan evaluate` and `qpan validate` on the demo database. The evaluation figures
# of shared/seeds/FIGURES.md come out of the pack's rule sets over the live engine — 36/108
# drug-free communes in Lai Châu, 49 Lào Cai communes off the key-area list, > 90 % rated khá
# or better, "An toàn về ANTT" 141/164 → 136/152 (+3,5 points) and, with the agencies,
# 172/200 → 168/189 (+2,9, "+3" in whole points) — checked through the CSV and JSON outputs.
# Validation: a clean window lists nothing; an import that breaks a rule is kept but warned
# about, and `qpan validate` then lists the violation with both sides' values.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

# demo_db: sets DB to a fresh demo database (a copy of the one CTest builds once, else built
# here).
demo_db() {
  db_at DB "$WORK/demo-$CURRENT_CASE.db"
  demo_db_at "$DB"
}

# csv_value RECORD SET OU PE ITEM: the value of one row of the last `evaluate --format csv`.
csv_value() {
  awk -F, -v r="$1" -v s="$2" -v o="$3" -v p="$4" -v i="$5" \
    '$1 == r && $2 == s && $3 == o && $4 == p && $5 == i { print $6 }' "$OUT"
}

# expect_summary SET OU PE ITEM=VALUE...: summary rows of the last csv output.
expect_summary() {
  local set=$1 ou=$2 pe=$3
  shift 3
  local pair
  for pair in "$@"; do
    assert_eq "${pair#*=}" "$(csv_value summary "$set" "$ou" "$pe" "${pair%%=*}")" "$set $ou $pe: ${pair%%=*}"
  done
}

case_drug_free_communes_lai_chau() {
  demo_db
  qok evaluate --db "$DB" --set eval.drug_free.commune --ou 12 --pe 201601..201806 --format csv
  assert_eq "record,set,ou,pe,item,value" "$(head -n 1 "$OUT")" "csv header"
  expect_summary eval.drug_free.commune 12 201601..201806 units=108 assessed=108 met=36 not_met=72 no_data=0
  assert_eq 108 "$(grep -c '^unit,eval.drug_free.commune,' "$OUT")" "one row per commune"
  assert_matches "$(stdout)" '^unit,eval\.drug_free\.commune,[0-9]{5},201601\.\.201806,not_met,no_drug_cases$' \
    "communes with a drug case name the failing criterion"
  # The districts add up to the province.
  assert_eq 36 "$(awk -F, '$1 == "summary" && $3 != "12" && $5 == "met" { s += $6 } END { print s }' "$OUT")" \
    "the districts' drug-free communes add up to 36"
  qok evaluate --db "$DB" --set eval.drug_free.commune --ou 12 --pe 201601..201806 --units none
  assert_contains "$(stdout)" "Đánh giá: Xã, phường, thị trấn không có tệ nạn ma túy" "table: the set's Vietnamese name"
  assert_contains "$(stdout)" "Đơn vị: Tỉnh Lai Châu — kỳ: từ đầu năm 2016 đến tháng 6/2018" "table: unit and period in Vietnamese"
  assert_matches "$(stdout)" '^Tỉnh Lai Châu +từ đầu năm 2016 đến tháng 6/2018 +36/108 +33,3 %' "table: 36/108 (33,3 %)"
  assert_not_contains "$(stdout)" "Kết quả từng đơn vị" "--units none leaves the unit rows out"
}

case_key_areas_taken_off_the_list_lao_cai() {
  demo_db
  qok evaluate --db "$DB" --set eval.key_area.commune --ou 10 --pe 2016,2020 --format csv
  assert_eq 49 "$(csv_value transition eval.key_area.commune 10 '2016>2020' 'on_list>off_list')" \
    "49 communes on the list in 2016 are off it in 2020"
  expect_summary eval.key_area.commune 10 2016 class.on_list=55 assessed=164
  expect_summary eval.key_area.commune 10 2020 class.on_list=9 assessed=152
  qok evaluate --db "$DB" --set eval.key_area.commune --ou 10 --pe 2016,2020 --units none
  assert_contains "$(stdout)" "Chuyển đổi từ năm 2016 đến năm 2020" "table: the transitions section"
  assert_matches "$(stdout)" '^Thuộc danh sách trọng điểm, phức tạp +Không thuộc danh sách trọng điểm, phức tạp +49$' \
    "table: on the list → off the list: 49"
}

case_movement_rating_lao_cai_2020() {
  demo_db
  qok evaluate --db "$DB" --set eval.movement_rating --ou 10 --pe 2020 --format csv
  expect_summary eval.movement_rating 10 2020 assessed=190 count_from.kha=176 share_from.kha=92.6 class.yeu=0
  qok evaluate --db "$DB" --set eval.movement_rating --ou 10 --pe 2020 --units none
  assert_contains "$(stdout)" "Khá trở lên" "table: the cumulative column"
  assert_contains "$(stdout)" "176/190 (92,6 %)" "table: 176/190 (92,6 %) khá or better"
  qok evaluate --db "$DB" --set eval.movement_rating --ou 10 --pe 2020 --format json
  assert_eq "190 176 0 Khá Fairly good" "$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
s = r["groups"][0]["summaries"][0]
c = {k["code"]: k for k in s["classes"]}
names = {k["code"]: k for k in r["groups"][0]["classes"]}
print(s["assessed"], c["kha"]["count_from"], c["yeu"]["count"], names["kha"]["name_vi"], names["kha"]["name_en"])' "$OUT")" \
    "json: 190 assessed, 176 khá or better, none yếu, names in both languages"
}

case_safe_in_security_communes_lao_cai() {
  demo_db
  qok evaluate --db "$DB" --set eval.antt_safe.commune --ou 10 --pe 2019,2020 --format csv
  expect_summary eval.antt_safe.commune 10 2019 met=141 assessed=164 no_data=0
  expect_summary eval.antt_safe.commune 10 2020 met=136 assessed=152 no_data=0 change.met=3.5
  assert_eq 23 "$(grep -c '^unit,eval.antt_safe.commune,[0-9]*,2019,not_met,' "$OUT")" "2019: 23 communes fail, each named"
  qok evaluate --db "$DB" --set eval.antt_safe.commune --ou 10 --pe 2019,2020 --units failing
  assert_matches "$(stdout)" '^Tỉnh Lào Cai +năm 2019 +141/164 +86,0 %' "table: 2019 141/164"
  assert_matches "$(stdout)" '^Tỉnh Lào Cai +năm 2020 +136/152 +89,5 % +\+3,5' "table: 2020 136/152, +3,5 points"
  assert_contains "$(stdout)" "Văn bản áp dụng: Thông tư 23/2012/TT-BCA" "table: the circular in force"
  assert_contains "$(stdout)" "c4_villages Tiêu chí 4: ít nhất 70% khu dân cư đạt tiêu chuẩn" \
    "table: failing criteria by code and Vietnamese name"
}

case_safe_in_security_all_units_lao_cai() {
  demo_db
  local sets=eval.antt_safe.commune,eval.antt_safe.agency group=eval.antt_safe.commune+eval.antt_safe.agency
  qok evaluate --db "$DB" --set "$sets" --ou 10 --pe 2019,2020 --format csv
  expect_summary "$group" 10 2019 met=172 assessed=200 no_data=0
  expect_summary "$group" 10 2020 met=168 assessed=189 change.met=2.9
  qok evaluate --db "$DB" --set "$sets" --ou 10 --pe 2019,2020 --format csv --decimals 0
  expect_summary "$group" 10 2020 share.met=89 change.met=3
  qok evaluate --db "$DB" --set "$sets" --ou 10 --pe 2019,2020 --decimals 0 --units none
  assert_matches "$(stdout)" '^Tỉnh Lào Cai +năm 2020 +168/189 +89 % +\+3 ' "table with --decimals 0: +3 points"
  qok evaluate --db "$DB" --set "$sets" --ou 10 --pe 2019,2020 --format json
  assert_eq "172/200 168/189 2.9" "$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["groups"][0]["summaries"]
print("%d/%d %d/%d %s" % (s[0]["met"], s[0]["assessed"], s[1]["met"], s[1]["assessed"], s[1]["change_met"]))' "$OUT")" \
    "json: 172/200 → 168/189, +2.9 points"
}

case_errors_name_the_option() {
  demo_db
  q evaluate --db "$DB" --set eval.antt_safe.commune,eval.nope --ou 10 --pe 2020
  assert_exit 1 "an unknown set"
  assert_contains "$(stderr)" '--set: unknown evaluation set "eval.nope" (known: ' "names --set and the set"
  q evaluate --db "$DB" --set eval.drug_free.commune --ou 99999 --pe 2020
  assert_exit 1 "an unknown unit"
  assert_contains "$(stderr)" '--ou: unknown unit "99999"' "names --ou and the unit"
  q evaluate --db "$DB" --set eval.drug_free.commune --ou 10 --pe 2020,2020Q5
  assert_exit 1 "a malformed period"
  assert_contains "$(stderr)" '--pe: "2020Q5": ' "names --pe and the period"
  q validate --db "$DB" --ou 10 --pe 2020-13
  assert_exit 1 "validate: a malformed period"
  assert_contains "$(stderr)" '--pe: "2020-13"' "validate names --pe"
  q validate --db "$DB" --ou nowhere --pe 2020
  assert_exit 1 "validate: an unknown unit"
  assert_contains "$(stderr)" '--ou: unknown unit "nowhere"' "validate names --ou"
}

case_validate_clean_window() {
  demo_db
  qok validate --db "$DB" --ou 10 --pe 2020
  assert_contains "$(stdout)" "không có vi phạm" "the demo values keep the rules in Lào Cai 2020"
  qok validate --db "$DB" --ou 12 --pe 2018 --format csv
  assert_eq "rule,rule_name,ou,ou_name,pe,left,operator,right,importance" "$(stdout)" "csv: the header only"
}

case_import_warns_and_validate_lists_the_violation() {
  demo_db
  # Phường Cốc Lếu (Lào Cai), June 2020: 7 crimes solved of 2 that occurred.
  csv "$WORK/bad.csv" \
    "crime.ttxh.cases,202006,02644,,,2,,,," \
    "crime.ttxh.solved,202006,02644,,,7,,,,"
  qok values import --db "$DB" "$WORK/bad.csv"
  assert_contains "$(stdout)" "imported" "the import goes through"
  assert_contains "$(stderr)" "cảnh báo: 1 vi phạm quy tắc kiểm tra trong số liệu vừa nhập" "a warning on import"
  assert_matches "$(stderr)" 'vr\.crime\.ttxh\.solved_le_cases +Số vụ làm rõ không vượt số vụ xảy ra +Phường Cốc Lếu \(02644\) +tháng 6/2020 +7 +<= +2 +cao' \
    "the warning row names rule, unit, period and both values"
  assert_eq "2|7" "$(sql "$DB" "SELECT group_concat(value, '|') FROM (SELECT d.value FROM data_value d
      JOIN unit_key k ON k.id = d.unit_id WHERE k.code = '02644' AND d.period = 2000000202006
      AND d.element_id IN (SELECT id FROM data_element WHERE code IN ('crime.ttxh.cases', 'crime.ttxh.solved'))
      ORDER BY d.element_id) AS cells")" "the values are stored"

  qok validate --db "$DB" --ou 10 --pe 2020 --format csv
  assert_eq "vr.crime.ttxh.solved_le_cases,Số vụ làm rõ không vượt số vụ xảy ra,02644,Phường Cốc Lếu,202006,7,<=,2,high" \
    "$(tail -n +2 "$OUT")" "validate lists the violation with both sides' values"
  qok validate --db "$DB" --ou 10 --pe 2020Q3
  assert_contains "$(stdout)" "không có vi phạm" "a window without it is clean"

  # Fixing it: no warning.
  csv "$WORK/fix.csv" "crime.ttxh.solved,202006,02644,,,2,,,,"
  qok values import --db "$DB" "$WORK/fix.csv"
  assert_not_contains "$(stderr)" "cảnh báo" "no warning once the value is fixed"
  qok validate --db "$DB" --ou 10 --pe 2020 --format csv
  assert_eq 1 "$(wc -l <"$OUT")" "validate lists nothing after the fix"
}

run_cases "$@"
