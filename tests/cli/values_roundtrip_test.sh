#!/usr/bin/env bash
# End-to-end: `qpan values export` and the way back — export → import into a fresh
# database → export is byte-identical; the --ou and --pe filters; re-imports that update
# values leave the previous state in the audit trail (data_value_audit), identical ones
# change nothing.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

FIXTURE="$TEST_DATA/values-roundtrip.csv"

# sorted_rows FILE: the data lines of a CSV without multi-line fields, sorted.
sorted_rows() { tail -n +2 "$1" | LC_ALL=C sort; }

case_export_import_export_is_identical() {
  new_db first
  local first=$DB
  qok values import --db "$first" "$FIXTURE"
  local rows
  rows=$(($(wc -l <"$FIXTURE") - 1))
  assert_contains "$(stdout)" "$rows rows — $rows created, 0 updated, 0 unchanged" "the fixture imports: $rows values"
  qok values export --db "$first" --output "$WORK/export1.csv"
  assert_eq "" "$(stdout)" "export --output writes nothing on stdout"
  assert_contains "$(stderr)" "exported $rows values" "export says how many values it wrote"
  assert_eq "$CSV_HEADER" "$(head -n 1 "$WORK/export1.csv")" "the export starts with the dataValueSets header"
  assert_eq "$(sorted_rows "$FIXTURE")" "$(sorted_rows "$WORK/export1.csv")" \
    "the export holds exactly the rows of the fixture (elements, options, units, periods, comments, followup)"

  new_db second
  qok values import --db "$DB" "$WORK/export1.csv"
  assert_contains "$(stdout)" "$rows created" "the export imports into a fresh database"
  qok values export --db "$DB" --output "$WORK/export2.csv"
  assert_files_equal "$WORK/export1.csv" "$WORK/export2.csv" "export → import → export is byte-identical"

  # Export to stdout is the same bytes as --output.
  qok values export --db "$DB"
  assert_files_equal "$WORK/export1.csv" "$OUT" "export to stdout equals export --output"

  # Importing the export into the first database again changes nothing.
  qok values import --db "$first" "$WORK/export1.csv"
  assert_contains "$(stdout)" "0 created, 0 updated, $rows unchanged" "re-importing the export: all unchanged"
}

case_filter_district_and_year() {
  new_db filter_ou
  qok values import --db "$DB" "$FIXTURE"
  # The communes of district 106 in 2016, as `units tree` lists them.
  qok units tree --db "$DB" 106 --at 2016-06-30
  local codes
  codes=$(awk '{print $1}' "$OUT" | paste -sd '|')
  assert_contains "|$codes|" "|03397|" "district 106 in 2016 has 03397 Xã Sùng Phài"
  local expected
  expected=$(tail -n +2 "$FIXTURE" | awk -F, -v codes="$codes" \
    'BEGIN { n = split(codes, c, "|"); for (i = 1; i <= n; i++) want[c[i]] = 1 }
     want[$3] && $2 ~ /^2016([0-9QS]|$)/' | LC_ALL=C sort)

  qok values export --db "$DB" --ou 106 --pe 2016
  assert_eq "$CSV_HEADER" "$(head -n 1 "$OUT")" "--ou 106 --pe 2016: header"
  assert_eq "$expected" "$(sorted_rows "$OUT")" \
    "--ou 106 --pe 2016: exactly the 2016 values of 106 and its communes"
  assert_contains "$(stdout)" ",201601,03397," "--ou 106 --pe 2016: commune 03397 of district 106 is in"
  assert_contains "$(stdout)" "solve_rate,2016,106," "--ou 106 --pe 2016: the district's own value is in"
  assert_not_contains "$(stdout)" ",03386," "--ou 106 --pe 2016: commune 03386 of district 105 is out"
  assert_not_contains "$(stdout)" ",105," "--ou 106 --pe 2016: district 105 is out"
  assert_not_contains "$(stdout)" ",12," "--ou 106 --pe 2016: the province's own value is out"
  assert_not_contains "$(stdout)" ",00004," "--ou 106 --pe 2016: a Hà Nội ward is out"
  assert_not_contains "$(stdout)" ",201701," "--ou 106 --pe 2016: 2017 is out"
  assert_not_contains "$(stdout)" ",2017," "--ou 106 --pe 2016: the year 2017 is out"
  assert_not_contains "$(stdout)" ",2016-2020," "--ou 106 --pe 2016: the term 2016-2020 is out"

  # --ou 12 takes everything in Lai Châu, whatever the level.
  qok values export --db "$DB" --ou 12 --pe 2016
  assert_eq "$(tail -n +2 "$FIXTURE" | awk -F, '$2 ~ /^2016([0-9QS]|$)/ && $3 != "00004"' | LC_ALL=C sort)" \
    "$(sorted_rows "$OUT")" "--ou 12 --pe 2016: every 2016 value of the province, its districts and communes"
}

case_filter_moved_commune() {
  # 01366 Xã Cần Yên moved from district 044 to 045 on 2020-02-01: each district gets the
  # values of the months the commune belonged to it.
  new_db moved
  qok values import --db "$DB" "$FIXTURE"
  qok values export --db "$DB" --ou 044
  assert_eq "crime.solved,201912,01366,,,3,Công an xã Cần Yên,2020-01-05T00:00:00Z,Trước khi sáp nhập huyện,false" \
    "$(tail -n +2 "$OUT")" "--ou 044: only the value from before the move"
  qok values export --db "$DB" --ou 045
  assert_eq "crime.solved,202003,01366,,,1,Công an xã Cần Yên,2020-04-05T00:00:00Z,Sau khi sáp nhập huyện,false" \
    "$(tail -n +2 "$OUT")" "--ou 045: only the value from after the move"
}

case_filter_month_range() {
  new_db filter_pe
  qok values import --db "$DB" "$FIXTURE"
  qok values export --db "$DB" --pe 201601..201606
  local expected
  expected=$(tail -n +2 "$FIXTURE" | awk -F, '$2 ~ /^2016(0[1-6]|0[1-6][0-3][0-9]|Q[12]|S1)$/' | LC_ALL=C sort)
  assert_eq "$expected" "$(sorted_rows "$OUT")" \
    "--pe 201601..201606: the months, days, quarters and half-year inside Jan–Jun 2016"
  assert_contains "$(stdout)" "security.teams,2016Q2," "--pe 201601..201606: 2016Q2 is in"
  assert_contains "$(stdout)" "solve_rate,2016S1," "--pe 201601..201606: 2016S1 is in"
  assert_contains "$(stdout)" "note,20160315," "--pe 201601..201606: the day 20160315 is in"
  assert_not_contains "$(stdout)" ",201607," "--pe 201601..201606: July is out"
  assert_not_contains "$(stdout)" ",2016Q3," "--pe 201601..201606: 2016Q3 is out"
  assert_not_contains "$(stdout)" ",2016,"  "--pe 201601..201606: the whole year 2016 is out"
  qok values export --db "$DB" --pe 2016..2020
  assert_contains "$(stdout)" "solve_rate,2016-2020,106," "--pe 2016..2020: the term 2016-2020 is in"
  qok values export --db "$DB" --pe 2016Q1
  assert_eq "$(tail -n +2 "$FIXTURE" | awk -F, '$2 ~ /^2016(0[1-3]|0[1-3][0-3][0-9]|Q1)$/' | LC_ALL=C sort)" \
    "$(sorted_rows "$OUT")" "--pe 2016Q1: the months, days and the quarter of Q1 2016"
}

case_update_keeps_audit_trail() {
  new_db audit
  local file="$WORK/monthly.csv"
  csv "$file" \
    'crime.solved,201803,03400,,,4,Công an xã Tả Lèng,2018-04-02T08:00:00Z,,false' \
    'crime.solved,201803,03405,,,2,Công an xã Giang Ma,2018-04-02T08:00:00Z,,false' \
    'solve_rate,201803,106,,,75.5,Công an huyện,2018-04-03T08:00:00Z,Tạm tính,false'
  qok values import --db "$DB" --user "cán bộ nhập" "$file"
  assert_contains "$(stdout)" "3 rows — 3 created, 0 updated, 0 unchanged" "first import: 3 created"
  assert_eq 0 "$(sql "$DB" 'SELECT count(*) FROM data_value_audit')" "first import: no audit rows"

  # The same values again: nothing changes, nothing is audited.
  qok values import --db "$DB" "$file"
  assert_contains "$(stdout)" "3 rows — 0 created, 0 updated, 3 unchanged" "identical re-import: 3 unchanged"
  assert_eq 0 "$(sql "$DB" 'SELECT count(*) FROM data_value_audit')" "identical re-import: no audit rows"
  assert_eq 1 "$(sql "$DB" 'SELECT max(version) FROM data_value')" "identical re-import: versions stay 1"

  # One value corrected.
  csv "$file" \
    'crime.solved,201803,03400,,,5,Công an xã Tả Lèng,2018-04-09T08:00:00Z,Bổ sung 1 vụ,false' \
    'crime.solved,201803,03405,,,2,Công an xã Giang Ma,2018-04-02T08:00:00Z,,false' \
    'solve_rate,201803,106,,,75.5,Công an huyện,2018-04-03T08:00:00Z,Tạm tính,false'
  qok values import --db "$DB" --user "người duyệt" "$file"
  assert_contains "$(stdout)" "3 rows — 0 created, 1 updated, 2 unchanged" "changed value: 1 updated, 2 unchanged"
  assert_eq 1 "$(sql "$DB" 'SELECT count(*) FROM data_value_audit')" "changed value: one audit row"
  assert_eq "4||update|người duyệt|1" \
    "$(sql "$DB" "SELECT a.value, coalesce(a.comment, ''), a.action, a.changed_by, a.version
                  FROM data_value_audit a")" \
    "the audit row holds the previous value 4, its comment and version, and who replaced it"
  assert_eq "Công an xã Tả Lèng|2018-04-02T08:00:00Z" \
    "$(sql "$DB" "SELECT (SELECT name FROM actor WHERE id = a.stored_by),
                         strftime('%Y-%m-%dT%H:%M:%SZ', a.last_updated, 'unixepoch')
                  FROM data_value_audit a")" \
    "the audit row keeps who stored the previous value and when"
  assert_eq "5|2" "$(sql "$DB" "SELECT value, version FROM data_value WHERE value = 5")" \
    "the current value is 5, version 2"
  qok values export --db "$DB" --ou 03400
  assert_contains "$(stdout)" "crime.solved,201803,03400,,,5,Công an xã Tả Lèng,2018-04-09T08:00:00Z,Bổ sung 1 vụ,false" \
    "the export shows the new value"

  # The corrected file once more: unchanged, no new audit row.
  qok values import --db "$DB" "$file"
  assert_contains "$(stdout)" "0 created, 0 updated, 3 unchanged" "re-import of the corrected file: 3 unchanged"
  assert_eq 1 "$(sql "$DB" 'SELECT count(*) FROM data_value_audit')" "re-import of the corrected file: still one audit row"

  # A changed comment or followup flag is a change too.
  csv "$file" 'solve_rate,201803,106,,,75.5,Công an huyện,2018-04-20T08:00:00Z,Số liệu chính thức,true'
  qok values import --db "$DB" "$file"
  assert_contains "$(stdout)" "1 rows — 0 created, 1 updated, 0 unchanged" "changed comment and followup: 1 updated"
  assert_eq "75.5|Tạm tính|$SQL_FALSE" \
    "$(sql "$DB" "SELECT value, comment, followup FROM data_value_audit ORDER BY id DESC LIMIT 1")" \
    "the audit row keeps the previous comment and followup"
}

case_same_number_written_differently_is_unchanged() {
  new_db numbers
  csv "$WORK/first.csv" \
    'solve_rate,201803,106,,,100.0,,2018-04-02T08:00:00Z,,false' \
    'solve_rate,201804,106,,,75.50,,2018-05-02T08:00:00Z,,false' \
    'defence.budget,2018,106,,,2500000.00,,2019-01-02T08:00:00Z,,false'
  qok values import --db "$DB" "$WORK/first.csv"
  qok values export --db "$DB" --output "$WORK/export.csv"
  assert_eq "solve_rate,201803,106,,,100|solve_rate,201804,106,,,75.5|defence.budget,2018,106,,,2500000" \
    "$(tail -n +2 "$WORK/export.csv" | cut -d, -f1-6 | paste -sd '|')" "numbers are exported in their shortest form"
  qok values import --db "$DB" "$WORK/export.csv"
  assert_contains "$(stdout)" "0 created, 0 updated, 3 unchanged" \
    "re-importing 100 for 100.0, 75.5 for 75.50, 2500000 for 2500000.00: unchanged"
  assert_eq 0 "$(sql "$DB" 'SELECT count(*) FROM data_value_audit')" "no audit row for a number written differently"
}

case_storedby_defaults_to_user() {
  new_db storedby
  csv "$WORK/anonymous.csv" 'crime.solved,201803,03400,,,4,,2018-04-02T08:00:00Z,,false'
  qok values import --db "$DB" --user "Trần Thị B" "$WORK/anonymous.csv"
  qok values export --db "$DB"
  assert_contains "$(stdout)" "crime.solved,201803,03400,,,4,Trần Thị B,2018-04-02T08:00:00Z,,false" \
    "a row without storedby is stored by the importing --user"
  assert_eq "Trần Thị B" "$(sql "$DB" 'SELECT imported_by FROM import_batch')" "the import batch records the --user"
}

# adx_structure FILE: what the ADX standard's structure requires of the document, checked by
# Python's XML parser (not the libxml2 that wrote it); prints the number of dataValues.
adx_structure() {
  python3 - "$1" <<'PY'
import re, sys
import xml.etree.ElementTree as ET
ns = "{urn:ihe:qrph:adx:2015}"
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == ns + "adx", f"root {root.tag}"
assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", root.get("exported", "")), "exported timestamp"
values = 0
for group in root:
    assert group.tag == ns + "group", f"child of adx: {group.tag}"
    assert set(group.attrib) <= {"orgUnit", "period", "dataSet"} and group.get("orgUnit"), group.attrib
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}/P\d+[DMY]", group.get("period", "")), group.get("period")
    for value in group:
        assert value.tag == ns + "dataValue", f"child of group: {value.tag}"
        assert value.get("dataElement") and value.get("value") is not None, value.attrib
        assert len(set(value.attrib) - {"dataElement", "value"}) <= 1, f"one disaggregation at most: {value.attrib}"
        for child in value:
            assert child.tag == ns + "annotation", f"child of dataValue: {child.tag}"
        values += 1
print(values)
PY
}

# The columns ADX carries: element, period, unit, option, attribute, value and comment.
adx_columns() { tail -n +2 "$1" | python3 -c '
import csv, sys
for r in csv.reader(sys.stdin): print(",".join(r[:6] + [r[8]]))' | LC_ALL=C sort; }

case_adx_export_import_export_is_identical() {
  new_db adx_first
  local first=$DB
  qok values import --db "$first" "$FIXTURE"
  local rows
  rows=$(($(wc -l <"$FIXTURE") - 1))
  qok values export --db "$first" --output "$WORK/export1.adx"
  assert_contains "$(stderr)" "exported $rows values" "the ADX export (by the file's name) holds every value"
  assert_eq "$rows" "$(adx_structure "$WORK/export1.adx")" "the document has ADX's structure, a dataValue per value"
  grep -q 'crime_category="drugs"' "$WORK/export1.adx" || fail "a disaggregated value names its option" "crime_category=\"drugs\"" "$(head -c 1500 "$WORK/export1.adx")"
  grep -q '<annotation>Đã làm rõ 3/3 vụ, chuyển hồ sơ</annotation>' "$WORK/export1.adx" || fail "a comment is the annotation" "" ""

  new_db adx_second
  qok values import --db "$DB" --format adx "$WORK/export1.adx"
  assert_contains "$(stdout)" "$rows created" "the ADX document imports into a fresh database"
  qok values export --db "$DB" --format adx --output "$WORK/export2.adx"
  assert_eq "$(grep -v '<adx ' "$WORK/export1.adx")" "$(grep -v '<adx ' "$WORK/export2.adx")" \
    "export → import → export gives the same document (but for the time it was exported)"
  qok values export --db "$first" --output "$WORK/first.csv"
  qok values export --db "$DB" --output "$WORK/second.csv"
  assert_eq "$(adx_columns "$WORK/first.csv")" "$(adx_columns "$WORK/second.csv")" \
    "the second database holds the first one's values, options and comments"
}

case_adx_problems_name_file_and_line() {
  new_db adx_bad
  printf '<adx xmlns="urn:ihe:qrph:adx:2015">\n<group orgUnit="03400" period="2016-01-01/P1M">\n<dataValue dataElement="crime.solved" value="many"/>\n<dataValue dataElement="crime.solved" value="2"/>\n</group>\n</adx>\n' >"$WORK/bad.adx"
  q values import --db "$DB" "$WORK/bad.adx"
  assert_exit 1 "a value that is not a count"
  assert_contains "$(stderr)" "bad.adx:3: value: \"many\" is not a valid count" "the problem names the file, the line and the attribute"
  printf '<adx xmlns="urn:ihe:qrph:adx:2015">\n<group orgUnit="03400" period="2016-01-01/P1M">\n<dataValue dataElement="crime.solved" value="2">\n</adx>\n' >"$WORK/broken.adx"
  q values import --db "$DB" "$WORK/broken.adx"
  assert_exit 1 "malformed XML"
  assert_contains "$(stderr)" "broken.adx:4: malformed XML" "malformed XML is named by line"
  q values export --db "$DB" --format json
  assert_exit 1 "an unknown format"
  assert_contains "$(stderr)" "--format: expected csv, adx or xlsx" "the format's error names the option"
}

run_cases "$@"
