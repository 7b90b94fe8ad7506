#!/usr/bin/env bash
# End-to-end: Excel forms. `qpan form xlsx` writes a data set's form for a unit and period;
# a script fills it with openpyxl (Debian's python3-openpyxl: another library than the
# libxlsxwriter qpan writes with) as an officer would in Excel; `qpan values import` takes
# the filled workbook through the write path and the values read back. A text in a number
# cell is refused naming the sheet and cell, with nothing written; a workbook that is no
# qpan form says so.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

# Debian's Python, whose openpyxl install-deps.sh installs (another python3 may come first
# on the PATH).
PY=/usr/bin/python3
"$PY" -c 'import openpyxl' 2>/dev/null || { echo "python3-openpyxl is needed: bash scripts/install-deps.sh" >&2; exit 2; }

DS=ds.antt.commune.monthly

# A database with the units and the qpan-vn pack (its data sets and areas).
pack_db() {
  new_db "$1"
  qok pack load --db "$DB" "$SRC/packs/qpan-vn"
}

# xlsx PYTHON: runs a Python snippet with openpyxl imported, in the work folder; `rows` maps
# an element code (the form's hidden column H) to its row, after `ws` is opened.
xlsx() {
  "$PY" - <<PY
import openpyxl
def open_form(path):
    wb = openpyxl.load_workbook(path)
    ws = wb["Biểu mẫu"]
    rows = {ws.cell(r, 8).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 8).value}
    return wb, ws, rows
$1
PY
}

case_a_form_filled_with_openpyxl_imports_and_reads_back() {
  pack_db filled
  qok form xlsx --db "$DB" --ds "$DS" --ou 03400 --pe 202401 -o "$WORK/form.xlsx"
  assert_contains "$(stdout)" "wrote $WORK/form.xlsx: Báo cáo tình hình an ninh, trật tự hằng tháng cấp xã — Xã Tả Lèng — tháng 1/2024" \
    "the command says which form it wrote"

  # What the officer sees: the titles, the section, a protected sheet whose only unlocked
  # cells are the inputs, each validated by type, the keys hidden.
  assert_eq "Biểu mẫu visible|qpan hidden
Đơn vị báo cáo: Xã Tả Lèng (mã 03400)
STT|Chỉ tiêu|Chi tiết|Kỳ này (tháng 1/2024)|Kỳ trước (tháng 12/2023)|Cùng kỳ năm trước (tháng 1/2023)|Kiểu số liệu
I. Tội phạm
protected=True H hidden=True
unlocked=D only
validations=32 on D8: whole greaterThanOrEqual 0" "$(xlsx '
wb, ws, rows = open_form("form.xlsx")
print("|".join(f"{s.title} {s.sheet_state}" for s in wb))
print(ws["A2"].value)
print("|".join(str(ws.cell(6, c).value) for c in range(1, 8)))
print(ws["A7"].value)
hidden = ws.column_dimensions["H"].hidden
print(f"protected={ws.protection.sheet} H hidden={hidden}")
unlocked = {c.column_letter for row in ws.iter_rows() for c in row if not c.protection.locked}
print("unlocked=" + ",".join(sorted(unlocked)) + " only")
v = [d for d in ws.data_validations.dataValidation if "D8" in str(d.sqref)][0]
print(f"validations={len(ws.data_validations.dataValidation)} on D8: {v.type} {v.operator} {v.formula1}")
')" "the form as openpyxl reads it"

  xlsx '
wb, ws, rows = open_form("form.xlsx")
ws.cell(rows["crime.ttxh.cases"], 4).value = 7
ws.cell(rows["crime.ttxh.solved"], 4).value = 5
ws.cell(rows["drug.heroin_g"], 4).value = 67.716
ws.cell(rows["traffic.damage_vnd"], 4).value = 41570000
wb.save("filled.xlsx")' || fail "openpyxl fills the form" "" ""
  qok values import --db "$DB" "$WORK/filled.xlsx"
  assert_contains "$(stdout)" "imported $WORK/filled.xlsx: 4 rows — 4 created, 0 updated, 0 unchanged" \
    "the filled workbook imports through the write path"
  qok values export --db "$DB" --pe 202401 --ou 03400
  assert_eq "crime.ttxh.cases,202401,03400,7
crime.ttxh.solved,202401,03400,5
drug.heroin_g,202401,03400,67.716
traffic.damage_vnd,202401,03400,41570000" "$(tail -n +2 "$OUT" | cut -d, -f1-3,6 | LC_ALL=C sort)" "the values read back"
  assert_eq "filled.xlsx" "$(sql "$DB" "SELECT DISTINCT source FROM import_batch")" "the import names the workbook in the audit trail"

  # The next download holds the stored values; imported again unchanged, it changes nothing.
  qok form xlsx --db "$DB" --ds "$DS" --ou 03400 --pe 202401 -o "$WORK/again.xlsx"
  assert_eq "7 67.716" "$(xlsx '
wb, ws, rows = open_form("again.xlsx")
print(ws.cell(rows["crime.ttxh.cases"], 4).value, ws.cell(rows["drug.heroin_g"], 4).value)')" "the stored values are in the next form"
  qok values import --db "$DB" "$WORK/again.xlsx"
  assert_contains "$(stdout)" "4 rows — 0 created, 0 updated, 4 unchanged" "the downloaded form imports unchanged"

  # The next month's form shows January beside it.
  qok form xlsx --db "$DB" --ds "$DS" --ou 03400 --pe 202402 -o "$WORK/feb.xlsx"
  assert_eq "None 7" "$(xlsx '
wb, ws, rows = open_form("feb.xlsx")
print(ws.cell(rows["crime.ttxh.cases"], 4).value, ws.cell(rows["crime.ttxh.cases"], 5).value)')" "the previous period's value is beside the input"
}

case_a_text_in_a_number_cell_names_the_cell() {
  pack_db text
  qok form xlsx --db "$DB" --ds "$DS" --ou 03400 --pe 202401 -o "$WORK/form.xlsx"
  local row
  row=$(xlsx '
wb, ws, rows = open_form("form.xlsx")
ws.cell(rows["crime.ttxh.cases"], 4).value = 4
ws.cell(rows["crime.ttxh.solved"], 4).value = "bảy"
wb.save("typed.xlsx")
print(rows["crime.ttxh.solved"])')
  q values import --db "$DB" "$WORK/typed.xlsx"
  assert_exit 1 "a text in a number cell"
  assert_contains "$(stderr)" "typed.xlsx: 'Biểu mẫu'!D$row: value: \"bảy\" is not a valid count value for crime.ttxh.solved" \
    "the problem names the sheet and the cell"
  assert_eq 0 "$(value_count "$DB")" "all or nothing: the good cell is not written either"
}

case_a_workbook_that_is_no_form_is_refused() {
  pack_db other
  xlsx '
wb = openpyxl.Workbook()
wb.active["A1"] = "crime.ttxh.cases"
wb.active["B1"] = 4
wb.save("plain.xlsx")'
  q values import --db "$DB" "$WORK/plain.xlsx"
  assert_exit 1 "a workbook that is no qpan form"
  assert_contains "$(stderr)" "plain.xlsx: not a qpan form" "the problem says what the file is not"
  printf 'not a zip' >"$WORK/fake.xlsx"
  q values import --db "$DB" "$WORK/fake.xlsx"
  assert_exit 1 "a file that is no workbook"
  assert_contains "$(stderr)" "fake.xlsx: not an XLSX workbook" "the problem says what the file is not"
  q form xlsx --db "$DB" --ds "$DS" --ou 106 --pe 202401 -o "$WORK/district.xlsx"
  assert_exit 1 "a district for a commune form"
  [ ! -e "$WORK/district.xlsx" ] || fail "no file is written when the form cannot be read" "" ""
  q values export --db "$DB" --format xlsx
  assert_exit 1 "values are not exported as a workbook"
  assert_contains "$(stderr)" "qpan form xlsx" "the refusal points to the form command"
}

run_cases "$@"
