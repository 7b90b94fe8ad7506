#!/usr/bin/env bash
# End-to-end: `qpan explain` on the demo database. Lai Châu's 449 social-order crimes of
# January 2016 – June 2018 break down into commune-month values that add up to 449, each with
# its history and its form's state; a correction made afterwards shows in the figure and in
# the value's history with who made it, old → new; the clearance rate shows its formula and
# both elements' breakdowns; the 2025 structure names the old province a figure comes through;
# errors name the parameter and the reason.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

# demo_db: sets DB to a fresh demo database (a copy of the one CTest builds once, else built
# here).
demo_db() {
  db_at DB "$WORK/demo-$CURRENT_CASE.db"
  demo_db_at "$DB"
}

# json_get EXPRESSION: evaluates a Python expression over the last output parsed as `x`.
json_get() {
  python3 -c "import json,sys; x = json.load(sys.stdin); print($1)" <"$OUT"
}

case_a_province_figure_adds_up_from_its_values() {
  demo_db
  qok explain --db "$DB" --dx crime.ttxh.cases --ou 12 --pe 201601..201806 --format json --max-parts 100000
  assert_eq 449 "$(json_get 'int(x["value"])')" "the figure is the analytics figure"
  assert_eq 449 "$(json_get 'int(sum(p["value"] for p in x["series"][0]["parts"] if p["basis"] == "direct"))')" \
    "its values add up to it"
  assert_eq 0 "$(json_get 'x["series"][0]["omitted"]')" "every value listed"
  assert_eq True "$(json_get 'all(len(p["history"]) >= 1 for p in x["series"][0]["parts"])')" "each value has its history"
  assert_eq True "$(json_get 'all(p["forms"] for p in x["series"][0]["parts"] if p["unit"].isdigit() and len(p["unit"]) == 5)')" \
    "each commune value names its form"
  # Bounded: the heaviest values listed, the rest counted and added up.
  qok explain --db "$DB" --dx crime.ttxh.cases --ou 12 --pe 201601..201806 --format json --max-parts 5
  assert_eq 5 "$(json_get 'len(x["series"][0]["parts"])')" "--max-parts 5 lists five"
  assert_eq 449 "$(json_get 'round(sum(p["value"] for p in x["series"][0]["parts"]) + x["series"][0]["omittedTotal"])')" \
    "the listed values and the rest's total make the figure"
  qok explain --db "$DB" --dx crime.ttxh.cases --ou 12 --pe 201601..201806 --max-parts 3
  assert_contains "$(stdout)" "Chỉ tiêu: " "table: Vietnamese labels"
  assert_contains "$(stdout)" "Đơn vị: Tỉnh Lai Châu (12)" "table: the unit"
  assert_contains "$(stdout)" "Kỳ: từ đầu năm 2016 đến tháng 6/2018 (201601..201806)" "table: the period in words"
  assert_contains "$(stdout)" "Giá trị: 449" "table: the figure"
  assert_contains "$(stdout)" "Lịch sử số liệu:" "table: the history"
  assert_matches "$(stdout)" "^… và [0-9.]+ số liệu khác, cộng [0-9.]+$" "table: the rest counted, Vietnamese numbers"
}

case_a_correction_shows_who_changed_it() {
  demo_db
  qok explain --db "$DB" --dx crime.ttxh.cases --ou 106 --pe 2017 --format json --max-parts 100000
  local before line unit period value
  before=$(json_get 'int(x["value"])')
  # A value whose forms are open to writes.
  line=$(json_get '" ".join(next((p["unit"], p["period"], str(int(p["value"]))) for p in x["series"][0]["parts"]
                               if all(f["state"] in ("draft", "submitted", "returned") for f in p["forms"])))')
  read -r unit period value <<<"$line"
  [ -n "$unit" ] || fail "no value of 106 in 2017 is open to a correction"
  printf '%s\ncrime.ttxh.cases,%s,%s,,,%s,,,,\n' "$CSV_HEADER" "$period" "$unit" "$((value + 1))" >"$WORK/fix.csv"
  USER=nguyen.van.sua qok values import --db "$DB" "$WORK/fix.csv"
  qok explain --db "$DB" --dx crime.ttxh.cases --ou 106 --pe 2017 --format json --max-parts 100000
  assert_eq "$((before + 1))" "$(json_get 'int(x["value"])')" "the figure has the correction"
  assert_eq "update $value → $((value + 1)) nguyen.van.sua" \
    "$(json_get "' '.join((lambda c: (c['action'], c['oldValue'], '→', c['newValue'], c['changedBy']))(next(p for p in x['series'][0]['parts'] if p['unit'] == '$unit' and p['period'] == '$period')['history'][-1]))")" \
    "the value's history: who changed it, old → new"
  qok explain --db "$DB" --dx crime.ttxh.cases --ou 106 --pe 2017 --max-parts 100000
  assert_contains "$(stdout)" "nguyen.van.sua: sửa $value → $((value + 1))" "table: the correction in Vietnamese"
  qok explain --db "$DB" --dx crime.ttxh.cases --ou 106 --pe 2017 --max-parts 100000 --lang en
  assert_contains "$(stdout)" "nguyen.van.sua: changed $value → $((value + 1))" "table in English"
}

case_an_indicator_shows_its_formula_and_elements() {
  demo_db
  qok explain --db "$DB" --dx crime.ttxh.solve_rate --ou 12 --pe 201601..201806 --format json --max-parts 1
  assert_eq "81.1 #{crime.ttxh.solved} / #{crime.ttxh.cases} * 100" "$(json_get 'x["value"], x["formula"]' | tr -d "(),'")" \
    "the rate and its formula"
  assert_eq "crime.ttxh.solved=364 crime.ttxh.cases=449" \
    "$(json_get '" ".join(s["code"] + "=" + str(int(s["value"])) for s in x["series"])')" "each element's figure"
  qok explain --db "$DB" --dx crime.ttxh.solve_rate --ou 12 --pe 201601..201806 --max-parts 1
  assert_contains "$(stdout)" "Công thức: #{crime.ttxh.solved} / #{crime.ttxh.cases} * 100" "table: the formula"
  assert_contains "$(stdout)" "Giá trị: 81,1" "table: the rate in Vietnamese form"
}

case_the_new_province_names_its_old_provinces() {
  demo_db
  qok explain --db "$DB" --dx crime.ttxh.cases --ou 15 --pe 2018 --structure-at 2025-07-01 --format json --max-parts 100000
  # The demo has figures of old Lào Cai, none of Yên Bái (the new province's other part).
  assert_eq "10 Tỉnh Lào Cai" \
    "$(json_get '" ".join(sorted({p["source"] + " " + p["sourceName"] for p in x["series"][0]["parts"] if p["basis"] == "lineage"}))')" \
    "the new Lào Cai's 2018 figure comes through old Lào Cai (10)"
  assert_eq 0 "$(json_get 'sum(1 for p in x["series"][0]["parts"] if p["basis"] != "lineage")')" \
    "nothing of 2018 is the new province's own"
  assert_eq True "$(json_get 'round(sum(p["value"] for p in x["series"][0]["parts"])) == round(x["value"])')" \
    "their values add up to the figure"
}

case_errors_name_the_parameter() {
  demo_db
  q explain --db "$DB" --dx x --ou 12 --pe 2016
  assert_exit 1 "an unknown data item"
  assert_contains "$(stderr)" '--dx: no element or indicator "x"' "names --dx and the reason"
  q explain --db "$DB" --dx crime.ttxh.cases --ou 99999 --pe 2016
  assert_exit 1 "an unknown unit"
  assert_contains "$(stderr)" '--ou: no org unit "99999"' "names --ou"
  q explain --db "$DB" --dx crime.ttxh.cases --ou 12 --pe 2016x
  assert_exit 1 "a malformed period"
  assert_contains "$(stderr)" '--pe: malformed period "2016x"' "names --pe"
}

run_cases "$@"
