// Tests of render_pdf, read back with poppler-utils (pdfinfo, pdffonts, pdftotext, pdftoppm):
// A4 pages, embedded fonts, the decree's title block, page numbers from page 2, the table
// header repeated on every page of the table, headings kept with what follows them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <iterator>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "qpan/report_render.h"
#include "qpan/text.h"

namespace qpan {
namespace {

namespace fs = std::filesystem;

const char* const kCommunes[] = {"Mường Tè", "Nậm Nhùn", "Phong Thổ", "Thượng Hà", "Tam Đường", "Sìn Hồ"};

TextRun text(std::string s) { return TextRun{std::move(s), false, false, std::nullopt}; }
TextRun figure(std::string s) {
  return TextRun{std::move(s), true, false, FigureSource{"crime.social_order.cases", "12", "201601..201806"}};
}

// A province review: the title block, headings, paragraphs, a table long enough to run over
// two page breaks, and a chart.
ReportDocument sample_review() {
  ReportDocument document;
  document.header.governing_body = "UBND TỈNH LAI CHÂU";
  document.header.issuing_body = "Ban chỉ huy quân sự tỉnh";  // upper-cased by the writer
  document.header.number = "Số:      /BC-UBND";
  document.header.place = "Lai Châu";
  document.header.date = make_date(2026, 12, 5);
  document.header.title = "Kết quả thực hiện nhiệm vụ quốc phòng, an ninh trên địa bàn tỉnh";
  document.header.subtitle = "Từ đầu năm 2016 đến tháng 6/2018";

  auto& body = document.body;
  body.push_back(Heading{1, "I. TÌNH HÌNH CHUNG"});
  for (int i = 0; i < 4; ++i) {
    body.push_back(Paragraph{{text("Trong kỳ báo cáo, tình hình an ninh chính trị, trật tự an toàn xã hội trên địa bàn "
                                   "các huyện Mường Tè, Nậm Nhùn, Phong Thổ cơ bản ổn định; xã Thượng Hà duy trì tốt "
                                   "chế độ trực sẵn sàng chiến đấu. Toàn tỉnh xảy ra "),
                              figure("449 vụ"), text(" phạm tội về trật tự xã hội, "),
                              TextRun{"giảm 12,5 %", false, true, std::nullopt},
                              text(" so với cùng kỳ; tỷ lệ điều tra khám phá đạt 98,9 % (a < b & c > d).")}});
  }
  body.push_back(Heading{2, "1. Tình hình tội phạm theo đơn vị"});
  Table table;
  table.name = "Tội phạm theo xã";
  table.caption = "Bảng 1. Số vụ phạm tội về trật tự xã hội theo xã";
  table.header = {"STT", "Đơn vị", "Số vụ phạm tội", "Tỷ lệ khám phá (%)"};
  for (int r = 1; r <= 90; ++r) {
    const double cases = r * 13 % 97;
    table.rows.push_back({TableCell{std::to_string(r), r, 0, std::nullopt},
                          TableCell{"Xã " + std::string(kCommunes[r % 6]) + " " + std::to_string(r), std::nullopt, 0, std::nullopt},
                          TableCell{std::to_string(static_cast<int>(cases)), cases, 0, std::nullopt},
                          TableCell{"98,9", 98.9, 1, std::nullopt}});
  }
  body.push_back(table);
  body.push_back(Heading{3, "a) Diễn biến theo năm"});
  Chart chart;
  chart.kind = Chart::Kind::kLine;
  chart.caption = "Biểu đồ 1. Số vụ phạm tội về TTXH theo năm";
  chart.unit = "vụ";
  chart.labels = {"2016", "2017", "2018"};
  chart.series = {{"Lai Châu", {449, 412, 364}}, {"Mường Tè", {120, std::nullopt, 98}}};
  body.push_back(chart);
  body.push_back(Paragraph{{text("Nhìn chung, các chỉ tiêu cơ bản đạt và vượt kế hoạch đề ra.")}});

  document.recipients = {"- Như trên;", "- Bộ Tư lệnh Quân khu 2;", "- Lưu: VT."};
  document.signature.authority = {"TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"};
  document.signature.position = "PHÓ CHỦ TỊCH";
  document.signature.name = "Nguyễn Văn A";
  return document;
}

struct CommandResult {
  int status = -1;
  std::string output;
};

CommandResult run(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  result.status = ::pclose(pipe);
  return result;
}

std::string quoted(const fs::path& path) { return "'" + path.string() + "'"; }

// The text of pages [first, last] as pdftotext extracts it, in NFC (poppler may return a
// base letter and its combining marks).
std::string pdf_text(const fs::path& pdf, int first, int last, bool layout = false) {
  const CommandResult result = run("pdftotext -enc UTF-8 " + std::string(layout ? "-layout " : "") + "-f " +
                                   std::to_string(first) + " -l " + std::to_string(last) + " " + quoted(pdf) + " -");
  EXPECT_EQ(result.status, 0) << result.output;
  return to_nfc(result.output);
}

// The words of a text joined by single spaces: pdftotext breaks lines where the page does,
// and spreads a run of spaces the way they were drawn.
std::string words(const std::string& text) {
  std::string result;
  std::istringstream in(text);
  for (std::string word; in >> word;) result += (result.empty() ? "" : " ") + word;
  return result;
}

std::vector<std::string> non_empty_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto first = line.find_first_not_of(" \t\f");
    if (first == std::string::npos) continue;
    lines.push_back(line.substr(first, line.find_last_not_of(" \t\f") + 1 - first));
  }
  return lines;
}

int page_count(const fs::path& pdf) {
  const CommandResult info = run("pdfinfo " + quoted(pdf));
  EXPECT_EQ(info.status, 0) << info.output;
  const auto at = info.output.find("Pages:");
  return at == std::string::npos ? 0 : std::atoi(info.output.c_str() + at + 6);
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  ASSERT_TRUE(out.good()) << path;
}

// The sample review is rendered once for the suite, as /tmp/qpan-pdf-<pid>/review.pdf.
class PdfRender : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("qpan-pdf-" + std::to_string(::getpid())));
    fs::create_directories(*dir_);
    const auto started = std::chrono::steady_clock::now();
    const auto pdf = render_pdf(sample_review());
    render_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (pdf.is_ok()) {
      std::ofstream(*dir_ / "review.pdf", std::ios::binary) << *pdf;
    } else {
      render_error_ = new std::string(pdf.status().message());
    }
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    fs::remove_all(*dir_, ignored);
    delete dir_;
    delete render_error_;
    render_error_ = nullptr;
  }

  void SetUp() override {
    ASSERT_EQ(render_error_, nullptr) << *render_error_;
    for (const char* tool : {"pdfinfo", "pdffonts", "pdftotext", "pdftoppm"}) {
      ASSERT_EQ(run(std::string("command -v ") + tool).status, 0) << tool << " is missing: install poppler-utils";
    }
  }

  static fs::path review() { return *dir_ / "review.pdf"; }

  static fs::path* dir_;
  static std::string* render_error_;
  static double render_seconds_;
};

fs::path* PdfRender::dir_ = nullptr;
std::string* PdfRender::render_error_ = nullptr;
double PdfRender::render_seconds_ = 0;

TEST_F(PdfRender, IsA4WithSeveralPages) {
  const CommandResult info = run("pdfinfo " + quoted(review()));
  ASSERT_EQ(info.status, 0) << info.output;
  EXPECT_NE(info.output.find("595.28 x 841.89 pts (A4)"), std::string::npos) << info.output;
  EXPECT_GE(page_count(review()), 3) << info.output;
  EXPECT_NE(to_nfc(info.output).find("Kết quả thực hiện nhiệm vụ"), std::string::npos) << "title metadata\n" << info.output;
}

TEST_F(PdfRender, EmbedsEveryFont) {
  const CommandResult fonts = run("pdffonts " + quoted(review()));
  ASSERT_EQ(fonts.status, 0) << fonts.output;
  // Columns are found from the dashes under the header: name, type, encoding, emb, sub, ...
  std::istringstream in(fonts.output);
  std::string line;
  std::vector<std::pair<size_t, size_t>> columns;
  while (std::getline(in, line) && line.rfind("---", 0) != 0) {
  }
  for (size_t at = 0; at < line.size();) {
    const size_t end = std::min(line.find(' ', at), line.size());
    columns.emplace_back(at, end - at);
    at = end + 1;
  }
  ASSERT_GE(columns.size(), 4u) << fonts.output;
  std::set<std::string> faces;
  while (std::getline(in, line)) {
    if (line.size() < columns[3].first + columns[3].second) continue;
    EXPECT_EQ(line.substr(columns[3].first, 3), "yes") << line;
    // "ABCDEF+LiberationSerif-Bold": the face without the subset tag.
    std::string name = line.substr(columns[0].first, columns[0].second);
    name = name.substr(name.find('+') + 1);
    faces.insert(name.substr(0, name.find(' ')));
  }
  // Regular, bold, italic and bold italic are used (body, headings, runs, the date line).
  EXPECT_EQ(faces, (std::set<std::string>{"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic",
                                          "LiberationSerif-BoldItalic"}))
      << fonts.output;
}

TEST_F(PdfRender, HasTheDecreeTitleBlockAndText) {
  const std::string page_one = words(pdf_text(review(), 1, 1));
  for (const char* expected :
       {"UBND TỈNH LAI CHÂU", "BAN CHỈ HUY QUÂN SỰ TỈNH", "Số:", "/BC-UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc", "Lai Châu, ngày 05 tháng 12 năm 2026", "BÁO CÁO",
        "Kết quả thực hiện nhiệm vụ quốc phòng", "Từ đầu năm 2016 đến tháng 6/2018", "I. TÌNH HÌNH CHUNG", "Thượng",
        "Mường Tè", "Nậm Nhùn", "Phong Thổ", "449 vụ", "giảm 12,5 %", "(a < b & c > d)"}) {
    EXPECT_NE(page_one.find(expected), std::string::npos) << expected << "\n" << page_one;
  }
  const std::string all = words(pdf_text(review(), 1, page_count(review())));
  for (const char* expected : {"Biểu đồ 1. Số vụ phạm tội về TTXH theo năm", "a) Diễn biến theo năm", "Nơi nhận:",
                               "- Bộ Tư lệnh Quân khu 2;", "TM. ỦY BAN NHÂN DÂN", "PHÓ CHỦ TỊCH", "Nguyễn Văn A"}) {
    EXPECT_NE(all.find(expected), std::string::npos) << expected;
  }
  EXPECT_EQ(all.find("Recipients:"), std::string::npos);
  // The chart's own text (tick values, labels, legend) is in the PDF as text, not pixels.
  EXPECT_NE(all.find("Lai Châu"), std::string::npos);
  EXPECT_NE(all.find("2017"), std::string::npos);
}

TEST_F(PdfRender, NumbersPagesFromTheSecond) {
  const int pages = page_count(review());
  ASSERT_GE(pages, 3);
  const auto first_page = non_empty_lines(pdf_text(review(), 1, 1, true));
  ASSERT_FALSE(first_page.empty());
  EXPECT_NE(first_page.front().find("UBND TỈNH LAI CHÂU"), std::string::npos) << first_page.front();
  EXPECT_EQ(first_page.front().find_first_not_of("0123456789"), 0u) << "page 1 has no number: " << first_page.front();
  for (int page = 2; page <= pages; ++page) {
    const auto lines = non_empty_lines(pdf_text(review(), page, page, true));
    ASSERT_FALSE(lines.empty()) << "page " << page;
    EXPECT_EQ(lines.front(), std::to_string(page)) << "page " << page;
  }
}

TEST_F(PdfRender, RepeatsTheTableHeaderOnEveryPageOfTheTable) {
  const int pages = page_count(review());
  int table_pages = 0;
  for (int page = 1; page <= pages; ++page) {
    const std::string text = pdf_text(review(), page, page);
    const bool has_rows = text.find("Xã Nậm Nhùn") != std::string::npos || text.find("Xã Thượng Hà") != std::string::npos;
    if (!has_rows) continue;
    ++table_pages;
    EXPECT_NE(text.find("Số vụ phạm tội"), std::string::npos) << "page " << page;
    EXPECT_NE(text.find("Tỷ lệ khám phá (%)"), std::string::npos) << "page " << page;
  }
  EXPECT_GE(table_pages, 2);
  // Page 3 is in the middle of the table, which continues there with its header.
  const std::string page_three = pdf_text(review(), 3, 3);
  EXPECT_NE(page_three.find("Tỷ lệ khám phá (%)"), std::string::npos) << page_three;
  EXPECT_NE(page_three.find("Xã "), std::string::npos) << page_three;
  // Every row is there once: rows move to the next page whole, none is lost or cut.
  const std::string all = words(pdf_text(review(), 1, pages)) + " ";
  for (int r : {1, 45, 90}) {
    const std::string row = " Xã " + std::string(kCommunes[r % 6]) + " " + std::to_string(r) + " ";
    EXPECT_NE(all.find(row), std::string::npos) << row;
  }
}

TEST_F(PdfRender, RendersTheFirstPageAsAnImage) {
  const char* artifacts = std::getenv("QPAN_ARTIFACT_DIR");
  const fs::path out_dir = artifacts != nullptr && *artifacts != '\0' ? fs::path(artifacts) : *dir_;
  fs::create_directories(out_dir);
  const fs::path prefix = out_dir / "report-page-1";
  fs::remove(prefix.string() + ".png");
  const CommandResult result =
      run("pdftoppm -png -r 60 -f 1 -l 1 -singlefile " + quoted(review()) + " " + quoted(prefix));
  ASSERT_EQ(result.status, 0) << result.output;
  const fs::path png = prefix.string() + ".png";
  ASSERT_TRUE(fs::exists(png)) << png;
  std::ifstream in(png, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 24u);
  EXPECT_EQ(bytes.substr(1, 3), "PNG");
  // A4 at 60 dpi: 8.27 × 11.69 inches.
  auto big_endian = [&](size_t at) {
    return static_cast<unsigned char>(bytes[at]) << 24 | static_cast<unsigned char>(bytes[at + 1]) << 16 |
           static_cast<unsigned char>(bytes[at + 2]) << 8 | static_cast<unsigned char>(bytes[at + 3]);
  };
  EXPECT_NEAR(big_endian(16), 496, 1);
  EXPECT_NEAR(big_endian(20), 702, 1);
  std::cout << "first page: " << png.string() << "\n";
}

TEST_F(PdfRender, RendersAProvinceReviewQuickly) {
  std::cout << "render_pdf of the sample review (" << page_count(review()) << " pages): " << render_seconds_ * 1000
            << " ms\n";
#if defined(NDEBUG) && !defined(__SANITIZE_ADDRESS__)
  EXPECT_LT(render_seconds_, 1.0);
#else
  EXPECT_LT(render_seconds_, 10.0);  // sanitizers slow everything several times over
#endif
}

fs::path write_pdf(const fs::path& dir, const std::string& name, const ReportDocument& document) {
  const auto pdf = render_pdf(document);
  EXPECT_TRUE(pdf.is_ok()) << pdf.status().message();
  const fs::path path = dir / name;
  if (pdf.is_ok()) write_file(path, *pdf);
  return path;
}

TEST_F(PdfRender, EnglishLabelsTheRecipients) {
  ReportDocument document = sample_review();
  document.language = "en";
  document.body.resize(2);
  const std::string text = pdf_text(write_pdf(*dir_, "english.pdf", document), 1, 1);
  EXPECT_NE(text.find("Recipients:"), std::string::npos) << text;
  EXPECT_EQ(text.find("Nơi nhận:"), std::string::npos) << text;
  EXPECT_NE(text.find("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), std::string::npos) << text;
  EXPECT_NE(text.find("Độc lập - Tự do - Hạnh phúc"), std::string::npos) << text;
}

TEST_F(PdfRender, EmptyDocumentIsOnePage) {
  const fs::path path = write_pdf(*dir_, "empty.pdf", ReportDocument{});
  EXPECT_EQ(page_count(path), 1);
  // -layout keeps the date line's wide blanks (left for the date) on one line.
  const std::string text = words(pdf_text(path, 1, 1, true));
  EXPECT_NE(text.find("ngày tháng năm 20…"), std::string::npos) << text;
  EXPECT_NE(text.find("BÁO CÁO"), std::string::npos) << text;
  EXPECT_NE(text.find("Nơi nhận:"), std::string::npos) << text;
}

TEST_F(PdfRender, LongParagraphContinuesOnTheNextPage) {
  ReportDocument document;
  document.header.issuing_body = "BAN CHỈ HUY QUÂN SỰ TỈNH";
  std::string words = "MỞĐẦU";
  for (int i = 0; i < 500; ++i) words += " Thượng";
  words += " KẾTTHÚC";
  document.body.push_back(Paragraph{{text(words)}});
  const fs::path path = write_pdf(*dir_, "long.pdf", document);
  ASSERT_EQ(page_count(path), 2);
  const std::string first = pdf_text(path, 1, 1);
  const std::string second = pdf_text(path, 2, 2);
  EXPECT_NE(first.find("MỞĐẦU"), std::string::npos);
  EXPECT_EQ(first.find("KẾTTHÚC"), std::string::npos);
  EXPECT_NE(second.find("KẾTTHÚC"), std::string::npos);
  EXPECT_EQ(second.find("MỞĐẦU"), std::string::npos);
  EXPECT_NE(second.find("Thượng Thượng"), std::string::npos);
  // The first page is filled down to its bottom margin, not broken before the paragraph.
  const auto lines = non_empty_lines(pdf_text(path, 1, 1, true));
  EXPECT_GE(lines.size(), 30u);
}

TEST_F(PdfRender, HeadingStaysWithTheNextParagraph) {
  // Short paragraphs push a heading down the first page one line at a time, across every
  // position near the bottom margin: the heading must always share its page with the first
  // words of the paragraph after it.
  bool on_first_page = false;
  bool on_second_page = false;
  for (int fillers = 14; fillers <= 30; ++fillers) {
    ReportDocument document;
    document.header.issuing_body = "BAN CHỈ HUY QUÂN SỰ TỈNH";
    for (int i = 0; i < fillers; ++i) document.body.push_back(Paragraph{{text("Dòng " + std::to_string(i) + ".")}});
    document.body.push_back(Heading{2, "2. Tiêu đề cần giữ"});
    document.body.push_back(Paragraph{{text("Đoạnsau bắt đầu ở đây và tiếp tục thêm vài dòng nữa để kiểm tra.")}});
    const fs::path path = write_pdf(*dir_, "keep.pdf", document);
    const int pages = page_count(path);
    for (int page = 1; page <= pages; ++page) {
      const std::string text = pdf_text(path, page, page);
      const bool heading = text.find("Tiêu đề cần giữ") != std::string::npos;
      const bool next = text.find("Đoạnsau") != std::string::npos;
      EXPECT_EQ(heading, next) << fillers << " fillers, page " << page << "\n" << text;
      if (heading) (page == 1 ? on_first_page : on_second_page) = true;
    }
  }
  // The fillers did push the heading over the page break.
  EXPECT_TRUE(on_first_page);
  EXPECT_TRUE(on_second_page);
}

TEST_F(PdfRender, SameDocumentGivesTheSameBytes) {
  // The creation date is the report's date, not the clock's; font subsets are named from
  // their glyphs: a dated document renders to identical files.
  const auto first = render_pdf(sample_review());
  const auto second = render_pdf(sample_review());
  ASSERT_TRUE(first.is_ok() && second.is_ok());
  EXPECT_TRUE(*first == *second);
  // Cairo 1.16 writes the date it is given without the "D:" prefix; newer ones add it.
  const size_t date = first->find("/CreationDate (");
  ASSERT_NE(date, std::string::npos);
  EXPECT_NE(first->substr(date, 40).find("20261205000000"), std::string::npos) << first->substr(date, 40);
}

TEST_F(PdfRender, InvalidUtf8IsReplacedNotFatal) {
  ReportDocument document;
  document.header.title = "Báo cáo \xff\xfe";
  document.body.push_back(Paragraph{{text("Mường Tè \xc3 xong")}});
  document.body.push_back(Heading{1, std::string("II. K\0T", 5)});
  const fs::path path = write_pdf(*dir_, "bad-bytes.pdf", document);
  const std::string page = words(pdf_text(path, 1, 1));
  EXPECT_NE(page.find("Mường Tè \uFFFD xong"), std::string::npos) << page;
}

TEST_F(PdfRender, ThreadsRenderAtOnce) {
  const ReportDocument document = sample_review();
  std::vector<std::string> pdfs(3);
  std::vector<std::thread> threads;
  for (auto& pdf : pdfs) {
    threads.emplace_back([&document, &pdf] {
      const auto result = render_pdf(document);
      pdf = result.is_ok() ? *result : std::string();
    });
  }
  for (auto& thread : threads) thread.join();
  const int expected_pages = page_count(review());
  for (size_t i = 0; i < pdfs.size(); ++i) {
    ASSERT_EQ(pdfs[i].rfind("%PDF-", 0), 0u) << "thread " << i;
    const fs::path path = *dir_ / ("thread-" + std::to_string(i) + ".pdf");
    write_file(path, pdfs[i]);
    EXPECT_EQ(page_count(path), expected_pages) << "thread " << i;
  }
}

}  // namespace
}  // namespace qpan
