#!/usr/bin/env bash
# End-to-end: `qpan analytics --dx --ou --pe [--format]` on a small database — the exact
# CSV lines, DHIS2-shaped JSON that parses, the Vietnamese table, and bad items that exit 1
# naming the dimension and the item.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

# analytics_db NAME: a fresh database with the values below (units: 106 Huyện Tam Đường with
# communes 03397 and 03400; 03386 is in district 105; all in province 12 Lai Châu).
analytics_db() {
  new_db "$1"
  csv "$WORK/analytics.csv" \
    'crime.solved,201601,03397,,,400,,,,false' \
    'crime.solved,201603,03400,,,49,,,,false' \
    'crime.solved,201805,03397,,,560,,,,false' \
    'crime.solved,201807,03397,,,9,,,,false' \
    'crime.solved,201602,03386,,,1000,,,,false' \
    'crime.occurred,201601,03397,drugs,,2,,,,false' \
    'crime.occurred,201601,03397,economic,,1,,,,false' \
    'crime.occurred,201602,03400,drugs,,4,,,,false' \
    'defence.budget,2018,106,,,67716000000,,,,false' \
    'defence.budget,201803,03400,,,41570000.25,,,,false' \
    'solve_rate,2016,03397,,,97.8,,,,false' \
    'solve_rate,2016,03400,,,100,,,,false' \
    'note,201601,03397,,,Diễn tập,,,,false'
  qok values import --db "$DB" "$WORK/analytics.csv"
}

case_csv_lines() {
  analytics_db csv
  qok analytics --db "$DB" --dx crime.solved,defence.budget,solve_rate --ou 106,12 \
    --pe 201601..201806,2018 --format csv
  # The yearly 2018 budget lies outside Jan 2016 – Jun 2018; 201807 lies outside too.
  assert_eq "dx,ou,pe,value
crime.solved,106,201601..201806,1009
crime.solved,106,2018,569
crime.solved,12,201601..201806,2009
crime.solved,12,2018,569
defence.budget,106,201601..201806,41570000.25
defence.budget,106,2018,67757570000.25
defence.budget,12,201601..201806,41570000.25
defence.budget,12,2018,67757570000.25
solve_rate,106,201601..201806,98.9
solve_rate,12,201601..201806,98.9" "$(stdout)" "csv: one line per cell with data, codes and machine numbers"
  assert_eq "" "$(stderr)" "csv: nothing on stderr"

  qok analytics --db "$DB" --dx crime.occurred.drugs,crime.occurred,crime.occurred.social_order \
    --ou 106 --pe 2016Q1 --format csv
  assert_eq "dx,ou,pe,value
crime.occurred.drugs,106,2016Q1,6
crime.occurred,106,2016Q1,7" "$(stdout)" "csv: an option, the total over options, no row without data"

  qok analytics --db "$DB" --dx crime.solved --ou 105 --pe 2017 --format csv
  assert_eq "dx,ou,pe,value" "$(stdout)" "csv: only the header when nothing has data"
}

case_json_is_dhis2_shaped() {
  analytics_db json
  qok analytics --db "$DB" --dx crime.solved,defence.budget --ou 106 --pe 201601..201806 --format json
  python3 -c 'import json,sys; json.load(sys.stdin)' <"$OUT" || fail "json: the output does not parse"
  pass "json: the output parses"
  local summary
  summary=$(python3 -c '
import json, sys
r = json.load(sys.stdin)
print(",".join(sorted(r)))
print(",".join(h["name"] + ":" + h["valueType"] for h in r["headers"]))
print(",".join(sorted(r["metaData"])))
d = r["metaData"]["dimensions"]
print(d["dx"], d["ou"], d["pe"])
items = r["metaData"]["items"]
print(items["106"]["name"], "|", items["201601..201806"]["name"], "|", items["crime.solved"]["name"])
print(r["rows"], r["height"], r["width"])
' <"$OUT") || fail "json: cannot read the keys"
  assert_eq "headerWidth,headers,height,metaData,rows,width
dx:TEXT,ou:TEXT,pe:TEXT,value:NUMBER
dimensions,items
['crime.solved', 'defence.budget'] ['106'] ['201601..201806']
Huyện Tam Đường | từ đầu năm 2016 đến tháng 6/2018 | Số vụ phạm tội đã điều tra làm rõ
[['crime.solved', '106', '201601..201806', '1009'], ['defence.budget', '106', '201601..201806', '41570000.25']] 2 4" \
    "$summary" "json: headers, metaData items and dimensions, rows, height and width as DHIS2"
}

case_table_is_vietnamese() {
  analytics_db table
  qok analytics --db "$DB" --dx crime.solved,defence.budget,solve_rate --ou 106 --pe 201601..201806,2018
  local header
  header=$(head -n 1 "$OUT")
  assert_matches "$header" '^Chỉ tiêu +Đơn vị +Kỳ +Giá trị$' "table: Vietnamese column headers"
  assert_matches "$(stdout)" '^Số vụ phạm tội đã điều tra làm rõ +Huyện Tam Đường +từ đầu năm 2016 đến tháng 6/2018 +1\.009$' \
    "table: element name, unit name, period label, 1.009"
  assert_matches "$(stdout)" '^Kinh phí quốc phòng +Huyện Tam Đường +năm 2018 +67\.757\.570\.000,25$' \
    "table: amounts with . for thousands and , for decimals"
  assert_matches "$(stdout)" '^Tỷ lệ điều tra khám phá +Huyện Tam Đường +từ đầu năm 2016 đến tháng 6/2018 +98,9$' \
    "table: 98,9"
  # --format table is the default; the value column is right-aligned.
  local default_output
  default_output=$(stdout)
  qok analytics --db "$DB" --dx crime.solved,defence.budget,solve_rate --ou 106 --pe 201601..201806,2018 --format table
  assert_eq "$default_output" "$(stdout)" "table: the default format"
  assert_eq 1 "$(python3 -c 'import sys; print(len({len(l.rstrip("\n")) for l in sys.stdin}))' <"$OUT")" \
    "table: every line has the same width (values right-aligned)"
}

# --format xlsx writes the web table as a workbook, read back by an independent reader
# (tests/tools/xlsx_cells.py): the same figures as the CSV, numbers stored as numbers.
case_xlsx_workbook() {
  analytics_db xlsx
  q analytics --db "$DB" --dx crime.solved --ou 106 --pe 2016 --format xlsx
  assert_exit 1 "xlsx without --output"
  assert_contains "$(stderr)" "--output" "xlsx without --output: says what is missing"
  assert_eq "" "$(stdout)" "xlsx without --output: nothing on stdout"

  qok analytics --db "$DB" --dx crime.solved,defence.budget,solve_rate --ou 106,12 \
    --pe 201601..201806,2018 --format xlsx -o "$WORK/analytics.xlsx"
  python3 "$SRC/tests/tools/xlsx_cells.py" "$WORK/analytics.xlsx" >"$WORK/cells.tsv"
  assert_contains "$(cat "$WORK/cells.tsv")" $'Số liệu\tE3\ttừ đầu năm 2016 đến tháng 6/2018\t' "xlsx: periods as column headers"
  assert_contains "$(cat "$WORK/cells.tsv")" $'Số liệu\tF3\tnăm 2018\t' "xlsx: the second period"
  assert_contains "$(cat "$WORK/cells.tsv")" $'Số liệu\tA4\tSố vụ phạm tội đã điều tra làm rõ\t' "xlsx: element names"
  assert_contains "$(cat "$WORK/cells.tsv")" $'Số liệu\tE4\t1009\t#,##0' "xlsx: 1.009 as a number"
  # Every figure of the CSV is in the workbook, at its row (dx, ou) and column (pe).
  qok analytics --db "$DB" --dx crime.solved,defence.budget,solve_rate --ou 106,12 \
    --pe 201601..201806,2018 --format csv
  local mismatches
  mismatches=$(python3 - "$OUT" "$WORK/cells.tsv" <<'PY'
import csv, sys
cells = {}
for line in open(sys.argv[2], encoding='utf-8'):
    sheet, ref, value, fmt = line.rstrip('\n').split('\t')
    cells[ref] = value
rows = {(cells.get(f'B{r}'), cells.get(f'D{r}')): r for r in range(4, 100) if f'B{r}' in cells}
columns = {cells[f'{c}3']: c for c in 'EF'}
labels = {'201601..201806': 'từ đầu năm 2016 đến tháng 6/2018', '2018': 'năm 2018'}
bad = 0
for rec in csv.DictReader(open(sys.argv[1], encoding='utf-8')):
    ref = f"{columns[labels[rec['pe']]]}{rows[(rec['dx'], rec['ou'])]}"
    if float(cells[ref]) != float(rec['value']):
        bad += 1
        print(f"{rec} != {cells[ref]}", file=sys.stderr)
print(bad)
PY
)
  assert_eq 0 "$mismatches" "xlsx: every CSV figure at its row and column"
}

case_bad_items_exit_1() {
  analytics_db bad
  q analytics --db "$DB" --dx crime.solved,nope --ou 106 --pe 2016
  assert_exit 1 "unknown element"
  assert_contains "$(stderr)" 'dx: unknown data element "nope"' "unknown element: named with its dimension"
  assert_eq "" "$(stdout)" "unknown element: nothing on stdout"

  q analytics --db "$DB" --dx crime.occurred.arson --ou 106 --pe 2016
  assert_exit 1 "unknown option"
  assert_contains "$(stderr)" 'has no option "arson"' "unknown option: named"

  q analytics --db "$DB" --dx note --ou 106 --pe 2016
  assert_exit 1 "text element"
  assert_contains "$(stderr)" 'dx: data element "note" does not aggregate' "text element: does not aggregate"

  q analytics --db "$DB" --dx crime.solved --ou 106,99999 --pe 2016
  assert_exit 1 "unknown unit"
  assert_contains "$(stderr)" 'ou: unknown org unit "99999"' "unknown unit: named with its dimension"

  q analytics --db "$DB" --dx crime.solved --ou 03397 --pe 2021
  assert_exit 1 "unit not in force"
  assert_contains "$(stderr)" 'ou: org unit "03397" is not in force during pe "2021"' "unit not in force: named"

  q analytics --db "$DB" --dx crime.solved --ou 106 --pe 2016,2022Q5
  assert_exit 1 "malformed period"
  assert_contains "$(stderr)" 'pe: malformed period "2022Q5"' "malformed period: named with its dimension"

  q analytics --db "$DB" --dx crime.solved --ou 106 --pe 2016 --format xml
  assert_exit 1 "unknown format"
  assert_contains "$(stderr)" "xml" "unknown format: named"

  q analytics --db "$DB" --dx crime.solved --ou 106
  assert_exit 1 "missing --pe"

  q analytics --db "$WORK/missing.db" --dx crime.solved --ou 106 --pe 2016
  assert_exit 1 "missing database"
}

run_cases "$@"
