#!/usr/bin/env bash
# End-to-end: registers. `qpan registry import` takes a register kept in CSV or Excel
# through the record writer — all or nothing, problems as file:line:column: field: reason —
# and the elements counted from it answer in `qpan analytics` at once; `qpan registry
# export` writes it back (an Excel register read by openpyxl, Debian's python3-openpyxl,
# another library than the libxlsxwriter qpan writes with); `qpan registry list` counts.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
"$PY" -c 'import openpyxl' 2>/dev/null || { echo "python3-openpyxl is needed: bash scripts/install-deps.sh" >&2; exit 2; }

HEADER="org_unit,partner,delegation,head_title,date_from,date_to,purpose,persons,worked_with"

pack_db() {
  new_db "$1"
  qok pack load --db "$DB" "$SRC/packs/qpan-vn"
}

# delegations N: N lines of delegations received by Lai Châu in January 2022 (Vietnamese
# dates, as offices type them), 5 persons each.
delegations() {
  local i
  for ((i = 1; i <= $1; i++)); do
    echo "12,van_nam,Đoàn Sở Ngoại vụ tỉnh Vân Nam,Phó Giám đốc Sở Ngoại vụ,$((i + 9))/01/2022,$((i + 10))/01/2022,\"Trao đổi, hợp tác\",5,có"
  done
}

case_a_register_imports_whole_and_counts_at_once() {
  pack_db whole
  { echo "$HEADER"; delegations 6; } >"$WORK/doan-vao.csv"
  qok registry import --db "$DB" reg.foreign.delegation_in "$WORK/doan-vao.csv"
  assert_contains "$(stdout)" "imported $WORK/doan-vao.csv into reg.foreign.delegation_in: 6 created, 0 updated" \
    "the import says what it wrote"
  qok analytics --db "$DB" --dx foreign.in.delegations.van_nam,foreign.in.persons,foreign.in.delegations_total \
    --ou 12 --pe 202201 --format csv
  assert_eq "dx,ou,pe,value
foreign.in.delegations.van_nam,12,202201,6
foreign.in.persons,12,202201,30
foreign.in.delegations_total,12,202201,6" "$(stdout)" "analytics counts the records: 6 delegations, 30 persons"
  qok registry list --db "$DB"
  assert_contains "$(stdout)" "reg.foreign.delegation_in	Sổ theo dõi đoàn vào (đoàn nước ngoài chính thức)	6 bản ghi" \
    "registry list counts the records"
  # A counted element is not typed as a value.
  printf 'dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\nforeign.in.persons,202201,12,,,99\n' \
    >"$WORK/typed.csv"
  q values import --db "$DB" "$WORK/typed.csv"
  assert_exit 1 "a value of a counted element is refused"
  assert_contains "$(stderr)" "is counted from the records of registry reg.foreign.delegation_in" "and says from which register"
}

case_a_bad_row_writes_nothing_and_is_named() {
  pack_db bad
  { echo "$HEADER"; delegations 5; echo "12,van_nam,Đoàn,Phó Chủ tịch,20/01/2022,21/01/2022,Thăm,năm,có"; } \
    >"$WORK/doan-vao.csv"
  q registry import --db "$DB" reg.foreign.delegation_in "$WORK/doan-vao.csv"
  assert_exit 1 "a register with a wrong type in line 7 is refused"
  assert_contains "$(stderr)" "doan-vao.csv:7:8: persons: expected a whole number, found \"năm\"" \
    "the problem names file, line, column, field and reason"
  assert_eq 0 "$(sql "$DB" 'SELECT count(*) FROM registry_record')" "nothing of it was written"
  assert_eq 0 "$(value_count "$DB")" "nor any counted value"
  # An unknown column and an unknown registry are named too.
  printf 'org_unit,colour\n12,red\n' >"$WORK/odd.csv"
  q registry import --db "$DB" reg.foreign.delegation_in "$WORK/odd.csv"
  assert_exit 1 "an unknown column is refused"
  assert_contains "$(stderr)" "odd.csv:1:2: colour: unknown column" "naming the column"
  q registry import --db "$DB" reg.nope "$WORK/odd.csv"
  assert_exit 1 "an unknown registry is refused"
  assert_contains "$(stderr)" "unknown registry \"reg.nope\"" "naming it"
}

case_an_excel_register_round_trips() {
  pack_db excel
  { echo "$HEADER"; delegations 3; } >"$WORK/doan-vao.csv"
  qok registry import --db "$DB" reg.foreign.delegation_in "$WORK/doan-vao.csv"
  qok registry export --db "$DB" reg.foreign.delegation_in --ou 12 -o "$WORK/so.xlsx"
  assert_contains "$(stdout)" "wrote $WORK/so.xlsx: 3 records of reg.foreign.delegation_in" "export says what it wrote"
  # As Excel shows it: Vietnamese headers, dates as dates, the owner's name.
  assert_eq "Mã bản ghi|Mã đơn vị|Tên đơn vị|Đối tác|Tên đoàn|Chức vụ trưởng đoàn|Ngày đến
1|12|Tỉnh Lai Châu|van_nam|Đoàn Sở Ngoại vụ tỉnh Vân Nam|Phó Giám đốc Sở Ngoại vụ|2022-01-10 00:00:00 dd/mm/yyyy" "$(cd "$WORK" && "$PY" - <<'PY'
import openpyxl
ws = openpyxl.load_workbook("so.xlsx").active
print("|".join(str(ws.cell(1, c).value) for c in range(1, 8)))
d = ws.cell(2, 7)
print("|".join(str(ws.cell(2, c).value) for c in range(1, 7)) + f"|{d.value} {d.number_format}")
PY
)" "the register in Excel: headers, values, a date cell"
  # Edited in Excel (openpyxl): 9 persons instead of 5 for record 1; imported back as an update.
  (cd "$WORK" && "$PY" - <<'PY'
import openpyxl
wb = openpyxl.load_workbook("so.xlsx")
ws = wb.active
col = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1)}
ws.cell(2, col["Số thành viên"]).value = 9
wb.save("so.xlsx")
PY
  )
  qok registry import --db "$DB" reg.foreign.delegation_in "$WORK/so.xlsx"
  assert_contains "$(stdout)" "0 created, 1 updated" "the changed row updates its record; the others are unchanged"
  qok analytics --db "$DB" --dx foreign.in.persons --ou 12 --pe 202201 --format csv
  assert_contains "$(stdout)" "foreign.in.persons,12,202201,19" "and the count follows: 9 + 5 + 5"
  # The same file again: its versions are now stale, so nothing is overwritten.
  q registry import --db "$DB" reg.foreign.delegation_in "$WORK/so.xlsx"
  assert_exit 1 "a register exported before a change does not overwrite it"
}
run_cases "$@"
