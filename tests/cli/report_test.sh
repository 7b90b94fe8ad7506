#!/usr/bin/env bash
# End-to-end tests of `qpan report`: the four seed reviews written from the demo database,
# read back as text from the PDF (pdftotext) and the DOCX (its XML, by Python's zipfile), must
# state every published figure of shared/seeds/FIGURES.md as a sentence; the DOCX has the
# layout of Decree 30/2020/NĐ-CP and LibreOffice converts it; bad input writes no file.
source "$(dirname "$0")/lib.sh"

# Where the rendered first pages are kept (tests/CMakeLists.txt points it into the build).
ARTIFACTS=${QPAN_ARTIFACT_DIR:-$WORK}
mkdir -p "$ARTIFACTS"

# demo_db: sets DB to a demo database (a copy of the one CTest builds once, else built here).
demo_db() {
  db_at DB "$WORK/demo.db"
  demo_db_at "$DB"
}

# pdf_text FILE: the PDF's text on one line, runs of white space as one space (a sentence
# may break across lines of the page).
pdf_text() {
  command -v pdftotext >/dev/null || fail "pdftotext is needed (Debian poppler-utils)"
  pdftotext "$1" - | tr '\n\f' '  ' | tr -s ' '
}

# docx_text FILE: the paragraphs of word/document.xml, their runs joined, one line in all.
docx_text() {
  python3 - "$1" <<'PY'
import re, sys, zipfile, html
xml = zipfile.ZipFile(sys.argv[1]).read("word/document.xml").decode("utf-8")
paragraphs = []
for p in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S):
    runs = re.findall(r"<w:t(?: [^>]*)?>(.*?)</w:t>", p, flags=re.S)
    paragraphs.append(html.unescape("".join(runs)))
print(" ".join(" ".join(paragraphs).split()))
PY
}

# report TEMPLATE OU PE NAME: writes NAME.pdf and NAME.docx; PDF_TEXT and DOCX_TEXT hold them.
PDF_TEXT=""
DOCX_TEXT=""
report() {
  qok report --db "$DB" --template "$1" --ou "$2" --pe "$3" -o "$WORK/$4.pdf"
  assert_contains "$(stdout)" "wrote $WORK/$4.pdf (pdf" "qpan report says what it wrote"
  qok report --db "$DB" --template "$1" --ou "$2" --pe "$3" --format docx -o "$WORK/$4.docx"
  PDF_TEXT=$(pdf_text "$WORK/$4.pdf")
  DOCX_TEXT=$(docx_text "$WORK/$4.docx")
}

# sentences WHAT SENTENCE...: each sentence is in the PDF and in the DOCX.
sentences() {
  local what=$1 s
  shift
  for s in "$@"; do
    assert_contains "$PDF_TEXT" "$s" "$what (PDF): $s"
    assert_contains "$DOCX_TEXT" "$s" "$what (DOCX): $s"
  done
}

case_seed_reviews_state_every_published_figure() {
  demo_db
  # seeds/000: Lai Châu, from the start of 2016 to June 2018.
  report rpt.midterm_review 12 201601..201806 midterm
  sentences "mid-term review" \
    "(Từ đầu năm 2016 đến tháng 6/2018)" \
    "Từ đầu năm 2016 đến tháng 6/2018, đã điều tra làm rõ 364/449 vụ tội phạm về trật tự xã hội (đạt 81,1%), bắt giữ 576 đối tượng" \
    "bắt giữ 766 vụ, 983 đối tượng tội phạm về ma túy" \
    "phát hiện xác minh làm rõ 110 vụ phạm tội về kinh tế; 162 vụ vi phạm pháp luật về môi trường" \
    "Xảy ra 166 vụ tai nạn giao thông làm chết 96 người, bị thương 135 người." \
    "tiếp tục xây dựng và duy trì 36/108 xã, phường, thị trấn không có tệ nạn ma túy" \
    "tỉnh đã đón tiếp 36 đoàn của tỉnh Vân Nam (Trung Quốc), 22 đoàn lãnh đạo, đại biểu các ngành 3 tỉnh Bắc Lào, 3 đoàn đại sứ, 252 đoàn của tổ chức nước ngoài" \
    "Cử 67 đoàn với tổng số 664 lượt cán bộ sang tỉnh Vân Nam (Trung Quốc), 12 đoàn lãnh đạo" \
    "hợp tác đào tạo 30 cán bộ y tế" \
    "viện trợ không hoàn lại cho tỉnh với số tiền 67,716 tỷ đồng" \
    "Làm thủ tục cho 87 đoàn và 108 cá nhân với tổng số 1.009 lượt cán bộ đi nước ngoài; đón tiếp, làm việc với 302 đoàn với 2.360 lượt người."
  assert_contains "$PDF_TEXT" "trên địa bàn tỉnh Lai Châu cơ bản ổn định" "the province named inside a sentence"
  assert_contains "$DOCX_TEXT" "Phong Thổ 86 77 89,5% 181 21" "a district's row of the table"
  assert_contains "$DOCX_TEXT" "Toàn tỉnh 449 364 81,1% 766 166" "the table's total row: the province's figures"
  assert_contains "$PDF_TEXT" "Biểu đồ 1. Số vụ phạm tội về trật tự xã hội theo đơn vị hành chính cấp huyện" "the bar chart's caption"
  # The XLSX holds the report's tables, one sheet each, with numbers as numbers.
  qok report --db "$DB" --template rpt.midterm_review --ou 12 --pe 201601..201806 -o "$WORK/midterm.xlsx"
  local sheets
  sheets=$(python3 - "$WORK/midterm.xlsx" <<'PY'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode("utf-8"))
first = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
print("|".join(names), "449" if re.search(r'<c r="B\d+"[^>]*><v>449</v>', first) else "no-449")
PY
)
  assert_eq "Tội phạm theo huyện|Đoàn vào 449" "$sheets" "XLSX: one sheet per table; the province's 449 crimes a number cell"

  # seeds/001: Lai Châu, the first quarter of 2022.
  report rpt.quarterly_review 12 2022Q1 quarterly
  sentences "Q1/2022 report" \
    "Tình hình quốc phòng, an ninh và đối ngoại quý I/2022" \
    "Tổ chức lễ giao nhận quân năm 2022 với 910/920 tân binh, đạt 98,9% chỉ tiêu giao." \
    "làm thủ tục cho 9 đoàn với 48 lượt người đến thăm, làm việc tại tỉnh" \
    "Kim ngạch xuất nhập khẩu qua cửa khẩu Ma Lù Thàng năm 2021 đạt 41,57 triệu USD."

  # seeds/003: Lào Cai, 2016–2020.
  report rpt.directive_5year_review 10 2016..2020 movement
  sentences "Lào Cai five-year review" \
    "(Giai đoạn 2016–2020)" \
    "Đã có 49 xã được đưa ra khỏi danh sách địa bàn trọng điểm, phức tạp về an ninh trật tự." \
    "đã kiện toàn và duy trì 1.736 tổ an ninh nhân dân, 2.012 tổ hòa giải ở cơ sở" \
    "không có đơn vị xếp loại yếu" \
    "đạt tiêu chuẩn “An toàn về ANTT” tăng 3%; tỷ lệ xã đạt tiêu chí (an toàn về ANTT và đảm bảo bình yên) tăng 3,5% so với năm 2019." \
    "trao tặng Cờ thi đua xuất sắc cho 5 tập thể; Bộ Công an, Chủ tịch UBND tỉnh tặng Bằng khen cho 20 tập thể, 31 cá nhân; Giám đốc Công an tỉnh tặng Giấy khen cho 17 tập thể, 56 cá nhân."
  # "trên 90%": the share rated khá or better in 2020, as the report writes it.
  local share
  share=$(printf '%s' "$PDF_TEXT" | grep -oE 'Năm 2020, có [0-9]+(,[0-9]+)?% xã' | grep -oE '[0-9]+(,[0-9]+)?' | head -n 1)
  [ -n "$share" ] || fail "the review states the share rated khá or better in 2020" "Năm 2020, có N% xã" "$PDF_TEXT"
  awk -v s="${share/,/.}" 'BEGIN { exit !(s > 90) }' || fail "more than 90 % rated khá or better" "> 90" "$share"
  pass "Năm 2020: $share% rated khá or better, more than the published 90 %"

  # seeds/004: Lai Châu, Decree 21/2019 on defence zones.
  report rpt.defzone_review 12 2019..2024 defzone
  sentences "defence-zone review" \
    "với tổng kinh phí 212 tỷ đồng." \
    "Bộ Chỉ huy Quân sự tỉnh tặng Giấy khen cho 7 tập thể, 15 cá nhân"
}

# The DOCX of a real report has the administrative layout (Decree 30/2020/NĐ-CP, Phụ lục I)
# and LibreOffice opens it; the first PDF page is kept as a PNG.
case_docx_layout_and_libreoffice() {
  demo_db
  qok report --db "$DB" --template rpt.midterm_review --ou 12 --pe 201601..201806 --date 2018-07-15 -o "$WORK/m.docx"
  local layout
  layout=$(python3 - "$WORK/m.docx" <<'PY'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
doc = z.read("word/document.xml").decode("utf-8")
styles = z.read("word/styles.xml").decode("utf-8")
size = re.search(r'<w:pgSz w:w="(\d+)" w:h="(\d+)"', doc)
mar = re.search(r'<w:pgMar ([^>]*)/>', doc).group(1)
m = dict(re.findall(r'w:(\w+)="(-?\d+)"', mar))
fonts = set(re.findall(r'w:ascii="([^"]+)"', doc + styles))
print("page", size.group(1), size.group(2))
print("margins", m["top"], m["bottom"], m["left"], m["right"])
print("fonts", ",".join(sorted(fonts)))
print("titlePg", "yes" if "<w:titlePg/>" in doc else "no")
PY
)
  assert_contains "$layout" "page 11906 16838" "A4 page (11906 × 16838 twips)"
  local top bottom left right
  read -r _ top bottom left right <<<"$(grep '^margins' <<<"$layout")"
  awk -v t="$top" -v b="$bottom" -v l="$left" -v r="$right" 'BEGIN {
    mm = 1440 / 25.4
    exit !(t >= 20 * mm - 1 && t <= 25 * mm + 1 && b >= 20 * mm - 1 && b <= 25 * mm + 1 &&
           l >= 30 * mm - 1 && l <= 35 * mm + 1 && r >= 15 * mm - 1 && r <= 20 * mm + 1) }' ||
    fail "margins within the decree's bounds" "top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm" "$layout"
  pass "margins top $top, bottom $bottom, left $left, right $right twips: within the decree's bounds"
  assert_contains "$layout" "fonts Times New Roman" "Times New Roman is the only font"
  assert_contains "$layout" "titlePg yes" "page numbers from page 2 (a first page of its own)"
  local text
  text=$(docx_text "$WORK/m.docx")
  assert_contains "$text" "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc" "national title and motto"
  assert_contains "$text" "Lai Châu, ngày 15 tháng 07 năm 2018" "the place-and-date line"
  assert_contains "$text" "BÁO CÁO Sơ kết giữa nhiệm kỳ" "the kind and the title"
  assert_contains "$text" "Nơi nhận:" "the recipients block"

  command -v soffice >/dev/null || fail "LibreOffice is needed (Debian libreoffice-writer-nogui)"
  mkdir -p "$WORK/lo"
  timeout 180 soffice --headless "-env:UserInstallation=file://$WORK/lo-profile" --convert-to pdf \
    --outdir "$WORK/lo" "$WORK/m.docx" >"$WORK/lo.log" 2>&1 ||
    fail "LibreOffice converts the DOCX" "exit 0" "$(cat "$WORK/lo.log")"
  [ -s "$WORK/lo/m.pdf" ] || fail "LibreOffice wrote a PDF" "$WORK/lo/m.pdf" "$(cat "$WORK/lo.log")"
  pass "libreoffice --headless --convert-to pdf opens and converts the report"
  assert_contains "$(pdf_text "$WORK/lo/m.pdf")" "điều tra làm rõ 364/449 vụ" "LibreOffice's PDF holds the figures"

  qok report --db "$DB" --template rpt.midterm_review --ou 12 --pe 201601..201806 --date 2018-07-15 -o "$WORK/m.pdf"
  pdftoppm -png -r 72 -f 1 -l 1 "$WORK/m.pdf" "$ARTIFACTS/midterm-review-page" ||
    fail "pdftoppm renders the first page" "exit 0" "failed"
  local png
  png=$(ls "$ARTIFACTS"/midterm-review-page*.png 2>/dev/null | head -n 1)
  [ -s "$png" ] || fail "the first page as PNG" "a PNG in $ARTIFACTS" "none"
  pass "first page rendered to $(basename "$png")"
}

case_bad_input_writes_no_file() {
  new_db bad
  qok pack load --db "$DB" "$SRC/packs/qpan-vn"
  local out="$WORK/r.pdf"
  q report --db "$DB" --template rpt.nothing --ou 12 --pe 2022Q1 -o "$out"
  assert_exit 1 "an unknown template"
  assert_contains "$(stderr)" "--template: no report template \"rpt.nothing\" (known: rpt.defzone_review, rpt.directive_5year_review, rpt.midterm_review, rpt.quarterly_review)" \
    "names the template and the known ones"
  q report --db "$DB" --template rpt.quarterly_review --ou 12 --pe 201601..201806 -o "$out"
  assert_exit 1 "a period the template is not written for"
  assert_contains "$(stderr)" "--pe: report rpt.quarterly_review is written for periods of type quarter, six_month; 201601..201806 is a month_range" \
    "names the accepted period types"
  q report --db "$DB" --template rpt.quarterly_review --ou 99999 --pe 2022Q1 -o "$out"
  assert_exit 1 "an unknown unit"
  assert_contains "$(stderr)" "--ou: unknown org unit \"99999\"" "names the unit"
  # District 105 (Thành phố Lai Châu) ended with the districts on 1 July 2025.
  q report --db "$DB" --template rpt.quarterly_review --ou 105 --pe 2025Q4 -o "$out"
  assert_exit 1 "a unit not in force at the end of the period"
  assert_contains "$(stderr)" "--ou: org unit 105 is not in force on 2025-12-31, the last day of the report's period" \
    "names the unit and the day"
  q report --db "$DB" --template rpt.quarterly_review --ou 12 --pe 2022Q5 -o "$out"
  assert_exit 1 "a malformed period"
  [ ! -e "$out" ] || fail "no file is written for bad input" "no $out" "$(ls -l "$out")"
  pass "no report file after five refusals"
  # A failed write leaves what was there.
  printf 'earlier report\n' >"$out"
  q report --db "$DB" --template rpt.quarterly_review --ou 99999 --pe 2022Q1 -o "$out"
  assert_exit 1 "a refusal with an existing output file"
  assert_eq "earlier report" "$(cat "$out")" "the file that was there is left as it was"

  # A template naming a code the pack lacks: the pack check names file, line and column.
  cp -r "$SRC/packs/qpan-vn" "$WORK/pack"
  sed -i 's/{value(drug.suspects)}/{value(drug.suspectz)}/' "$WORK/pack/reports/midterm_review.txt"
  local line
  line=$(grep -n 'drug.suspectz' "$WORK/pack/reports/midterm_review.txt" | cut -d: -f1)
  q pack check "$WORK/pack"
  assert_exit 1 "pack check of a template with an unknown code"
  assert_matches "$(stderr)" "^reports/midterm_review.txt:$line:[0-9]+: value: no element, element.option or indicator \"drug.suspectz\" in pack qpan-vn" \
    "names the template file, line and column"
  sed -i 's/{value(drug.suspectz)}/{value(drug.suspects/' "$WORK/pack/reports/midterm_review.txt"
  q pack load --db "$DB" "$WORK/pack"
  assert_exit 1 "pack load of a template with a syntax error"
  assert_matches "$(stderr)" "^reports/midterm_review.txt:$line:[0-9]+: " "the load names the position too"
}

run_cases "$@"
