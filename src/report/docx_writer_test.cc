// Tests of the DOCX writer: the XML writer and zip container it is built on, the package read
// back with libzip and libxml2's XPath (page, fonts, title block, body, tables, charts,
// page numbers, recipients), and the file converted by LibreOffice to a PDF whose text is read.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "qpan/report_render.h"
#include "report/ooxml_test_support.h"
#include "report/ooxml_xml.h"
#include "report/ooxml_zip.h"

namespace qpan {
namespace {

using testing::XmlPart;
using testing::zip_part;
using testing::zip_part_names;

FigureSource figure(std::string dx, std::string pe = "201601..201806") { return {std::move(dx), "LaiChau", std::move(pe)}; }

TableCell text_cell(std::string text) { return {std::move(text), std::nullopt, 0, std::nullopt}; }

TableCell number_cell(std::string text, double value, int decimals = 0) {
  return {std::move(text), value, decimals, figure("crime.cases")};
}

// A report of Lai Châu with the stacked diacritics of its place names, headings of three
// levels, paragraphs with figures, and a table; with_chart adds a chart (drawn by chart.cc).
ReportDocument sample_report(bool with_chart) {
  ReportDocument document;
  document.header.governing_body = "UBND TỈNH LAI CHÂU";
  document.header.issuing_body = "BAN CHỈ HUY QUÂN SỰ TỈNH";
  document.header.number = "Số:      /BC-BCH";
  document.header.place = "Lai Châu";
  document.header.date = make_date(2026, 12, 5);
  document.header.title = "Kết quả công tác quốc phòng, quân sự địa phương";
  document.header.subtitle = "Từ đầu năm 2016 đến tháng 6/2018";
  document.body.push_back(Heading{1, "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ"});
  document.body.push_back(Paragraph{{
      {"Toàn tỉnh đã gọi ", false, false, std::nullopt},
      {"910/920", true, false, figure("recruits.called;recruits.quota")},
      {" thanh niên nhập ngũ, đạt ", false, false, std::nullopt},
      {"98,9 %", true, false, figure("recruits.rate")},
      {"; huyện Mường Tè và huyện Nậm Nhùn giao quân đủ 100 % chỉ tiêu.", false, true, std::nullopt},
  }});
  document.body.push_back(Heading{2, "1. Công tác tuyển quân"});
  document.body.push_back(Paragraph{{{"Thượng tá Lò Văn Thượng chỉ huy diễn tập ở xã Mường Tè.", false, false, std::nullopt}}});
  document.body.push_back(Table{"Tội phạm theo huyện",
                                "Bảng 1. Tình hình tội phạm theo huyện",
                                {"Huyện", "Số vụ", "Thiệt hại (tỷ đồng)"},
                                {{text_cell("Mường Tè"), number_cell("1.009", 1009), number_cell("67,716", 67.716, 3)},
                                 {text_cell("Nậm Nhùn"), number_cell("449", 449), number_cell("2,5", 2.5, 1)}}});
  document.body.push_back(Heading{3, "a) Thượng tầng phòng thủ"});
  if (with_chart) {
    Chart chart;
    chart.kind = Chart::Kind::kBar;
    chart.caption = "Biểu đồ 1. Số vụ phạm tội về TTXH theo năm";
    chart.unit = "vụ";
    chart.labels = {"2016", "2017", "2018"};
    chart.series = {{"Mường Tè", {120, 98, std::nullopt}}, {"Nậm Nhùn", {64, 71, 40}}};
    document.body.push_back(chart);
  }
  document.recipients = {"- Như trên;", "- Bộ Tư lệnh Quân khu 2;", "- Lưu: VT."};
  document.signature.authority = {"TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"};
  document.signature.position = "PHÓ CHỦ TỊCH";
  document.signature.name = "Nguyễn Văn Thượng";
  return document;
}

struct DocxParts {
  std::string package;
  XmlPart document{""};
  XmlPart styles{""};
};

DocxParts read_docx(const ReportDocument& report) {
  DocxParts parts;
  Result<std::string> docx = render_docx(report);
  EXPECT_TRUE(docx.is_ok()) << docx.status().message();
  if (!docx) return parts;
  parts.package = *docx;
  const std::optional<std::string> document = zip_part(parts.package, "word/document.xml");
  const std::optional<std::string> styles = zip_part(parts.package, "word/styles.xml");
  EXPECT_TRUE(document && styles) << "word/document.xml and word/styles.xml must be in the package";
  parts.document = XmlPart(document.value_or(""));
  parts.styles = XmlPart(styles.value_or(""));
  EXPECT_TRUE(parts.document.ok() && parts.styles.ok()) << "the parts must be well-formed XML";
  return parts;
}

// The texts in `expected` are paragraphs of `paragraphs`, in this order (others may come between).
void expect_paragraphs_in_order(const std::vector<std::string>& paragraphs, const std::vector<std::string>& expected) {
  size_t at = 0;
  for (const std::string& text : expected) {
    const auto found = std::find(paragraphs.begin() + static_cast<std::ptrdiff_t>(at), paragraphs.end(), text);
    ASSERT_NE(found, paragraphs.end()) << "paragraph \"" << text << "\" missing or out of order";
    at = static_cast<size_t>(found - paragraphs.begin()) + 1;
  }
}

TEST(DocxXmlWriterTest, EscapesTextAndAttributesAndDropsWhatXmlCannotCarry) {
  EXPECT_EQ(xml_escape("a & b < c > d \" ' e"), "a &amp; b &lt; c &gt; d &quot; &apos; e");
  EXPECT_EQ(xml_escape("Mường Tè\tx\ny"), "Mường Tè\tx\ny");
  EXPECT_EQ(xml_escape("x\ny\tz", /*in_attribute=*/true), "x&#10;y&#9;z");
  EXPECT_EQ(xml_escape(std::string("a\0b\x01\x1f" "c\r", 7)), "abc&#13;");
  EXPECT_EQ(xml_escape("ok \xC3 bad \xE1\xBA"), "ok \xEF\xBF\xBD bad \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(utf8_length("Nậm Nhùn"), 8u);
}

TEST(DocxXmlWriterTest, WritesNestedElementsThatParseBack) {
  XmlWriter xml;
  xml.open("root").attr("xmlns:w", "urn:w").attr("title", "<\"Thượng\" & 'x'>");
  xml.open("w:p").leaf("w:empty", {{"w:val", "1"}}).open("w:t").text("Nậm Nhùn <b>&").close().close();
  xml.open("unclosed").text("kept");
  const std::string out = xml.finish();
  EXPECT_TRUE(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"));
  EXPECT_NE(out.find("<w:empty w:val=\"1\"/>"), std::string::npos) << out;
  EXPECT_NE(out.find("<unclosed>kept</unclosed></root>"), std::string::npos) << out;
  const XmlPart parsed(out);
  ASSERT_TRUE(parsed.ok()) << out;
  EXPECT_EQ(parsed.string("/root/@title"), "<\"Thượng\" & 'x'>");
  EXPECT_EQ(parsed.string("/root/*[local-name()='p']/*[local-name()='t']"), "Nậm Nhùn <b>&");
}

TEST(DocxZipTest, PartsComeBackInOrderAndIntact) {
  std::string binary(300000, '\0');
  for (size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 7919 % 251);
  Result<std::string> zip = write_zip({{"[Content_Types].xml", "<Types/>"}, {"word/media/a.png", binary}, {"empty", ""}});
  ASSERT_TRUE(zip.is_ok()) << zip.status().message();
  EXPECT_EQ(zip_part_names(*zip), (std::vector<std::string>{"[Content_Types].xml", "word/media/a.png", "empty"}));
  EXPECT_EQ(zip_part(*zip, "word/media/a.png"), binary);
  EXPECT_EQ(zip_part(*zip, "empty"), "");
  EXPECT_LT(zip->size(), binary.size()) << "parts are deflated";
  Result<std::string> again = write_zip({{"[Content_Types].xml", "<Types/>"}, {"word/media/a.png", binary}, {"empty", ""}});
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(*again, *zip) << "the same parts give the same bytes";
}

TEST(DocxWriterTest, PackageHasEveryPartItsRelationshipsName) {
  const DocxParts docx = read_docx(sample_report(false));
  const std::vector<std::string> names = zip_part_names(docx.package);
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.front(), "[Content_Types].xml");
  for (const char* part : {"_rels/.rels", "word/document.xml", "word/_rels/document.xml.rels", "word/styles.xml",
                           "word/settings.xml", "word/header1.xml", "word/header2.xml", "docProps/core.xml",
                           "docProps/app.xml"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), part), names.end()) << part;
  }
  const XmlPart types(zip_part(docx.package, "[Content_Types].xml").value_or(""));
  for (const char* part : {"/word/document.xml", "/word/styles.xml", "/word/settings.xml", "/word/header1.xml",
                           "/word/header2.xml", "/docProps/core.xml", "/docProps/app.xml"}) {
    EXPECT_NE(types.string("//ct:Override[@PartName='" + std::string(part) + "']/@ContentType"), "") << part;
  }
  const XmlPart package_rels(zip_part(docx.package, "_rels/.rels").value_or(""));
  EXPECT_EQ(package_rels.string("//rel:Relationship[contains(@Type,'/officeDocument')]/@Target"), "word/document.xml");
  const XmlPart rels(zip_part(docx.package, "word/_rels/document.xml.rels").value_or(""));
  for (const std::string& target : rels.strings("//rel:Relationship/@Target")) {
    EXPECT_TRUE(zip_part(docx.package, "word/" + target).has_value()) << "dangling relationship to " << target;
  }
  const XmlPart core(zip_part(docx.package, "docProps/core.xml").value_or(""));
  EXPECT_EQ(core.string("//dc:title"), "Kết quả công tác quốc phòng, quân sự địa phương");
  EXPECT_EQ(core.string("//dc:language"), "vi-VN");
}

TEST(DocxWriterTest, PageIsA4WithTheDecreesMarginsAndTimesNewRoman) {
  const DocxParts docx = read_docx(sample_report(false));
  const XmlPart& d = docx.document;
  EXPECT_EQ(d.string("/w:document/w:body/w:sectPr/w:pgSz/@w:w"), "11906");
  EXPECT_EQ(d.string("/w:document/w:body/w:sectPr/w:pgSz/@w:h"), "16838");
  EXPECT_EQ(d.string("//w:sectPr/w:pgMar/@w:top"), "1134");
  EXPECT_EQ(d.string("//w:sectPr/w:pgMar/@w:bottom"), "1134");
  EXPECT_EQ(d.string("//w:sectPr/w:pgMar/@w:left"), "1701");
  EXPECT_EQ(d.string("//w:sectPr/w:pgMar/@w:right"), "850");
  EXPECT_NEAR(d.number("//w:sectPr/w:pgMar/@w:header"), 567, 60) << "page number about 10 mm from the top";
  for (const char* attribute : {"ascii", "hAnsi", "cs", "eastAsia"}) {
    EXPECT_EQ(docx.styles.string(std::string("/w:styles/w:docDefaults/w:rPrDefault/w:rPr/w:rFonts/@w:") + attribute),
              "Times New Roman")
        << attribute;
  }
  EXPECT_EQ(docx.styles.string("//w:docDefaults//w:sz/@w:val"), "28") << "14 pt by default";
  EXPECT_EQ(docx.styles.string("//w:docDefaults//w:lang/@w:val"), "vi-VN");
  // No run or style names another font.
  EXPECT_EQ(d.number("count(//w:rFonts[@w:ascii!='Times New Roman'])"), 0);
  EXPECT_EQ(docx.styles.number("count(//w:rFonts[@w:ascii!='Times New Roman'])"), 0);
}

TEST(DocxWriterTest, TitleBlockFollowsTheDecree) {
  const DocxParts docx = read_docx(sample_report(false));
  const XmlPart& d = docx.document;
  const std::string title_table = "/w:document/w:body/w:tbl[1]";
  EXPECT_EQ(d.string(title_table + "/w:tblPr/w:tblBorders/w:top/@w:val"), "nil") << "borderless";
  EXPECT_EQ(d.string(title_table + "/w:tblPr/w:tblBorders/w:insideV/@w:val"), "nil");
  const double left = d.number(title_table + "/w:tblGrid/w:gridCol[1]/@w:w");
  const double right = d.number(title_table + "/w:tblGrid/w:gridCol[2]/@w:w");
  EXPECT_NEAR(left / (left + right), 0.4, 0.03);

  const auto run = [&](const std::string& text) { return "//w:tbl[1]//w:r[w:t='" + text + "']"; };
  const std::string governing = run("UBND TỈNH LAI CHÂU");
  EXPECT_EQ(d.string(governing + "/w:rPr/w:sz/@w:val"), "26");
  EXPECT_EQ(d.number("count(" + governing + "/w:rPr/w:b)"), 0) << "the governing body is not bold";
  EXPECT_EQ(d.number("count(" + governing + "/w:rPr/w:caps)"), 1) << "shown in capitals";
  const std::string issuing = run("BAN CHỈ HUY QUÂN SỰ TỈNH");
  EXPECT_EQ(d.number("count(" + issuing + "/w:rPr/w:b)"), 1);
  EXPECT_EQ(d.string(issuing + "/w:rPr/w:sz/@w:val"), "26");
  EXPECT_EQ(d.string(issuing + "/../w:pPr/w:jc/@w:val"), "center");
  // The short rule under the issuing body: a bottom border on the next, indented paragraph.
  const std::string issuing_rule = issuing + "/../following-sibling::w:p[1]/w:pPr";
  EXPECT_EQ(d.string(issuing_rule + "/w:pBdr/w:bottom/@w:val"), "single");
  EXPECT_GT(d.number(issuing_rule + "/w:ind/@w:left"), 500) << "shorter than the column";
  EXPECT_EQ(d.string(run("Số:      /BC-BCH") + "/w:rPr/w:sz/@w:val"), "26");

  const std::string national = run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
  EXPECT_EQ(d.number("count(" + national + "/w:rPr/w:b)"), 1) << "the national title is bold";
  EXPECT_EQ(d.string(national + "/w:rPr/w:sz/@w:val"), "26");
  EXPECT_EQ(d.string(national + "/ancestor::w:tc/w:tcPr/w:tcW/@w:w"), d.string(title_table + "/w:tblGrid/w:gridCol[2]/@w:w"))
      << "in the right column";
  const std::string motto = run("Độc lập - Tự do - Hạnh phúc");
  EXPECT_EQ(d.number("count(" + motto + "/w:rPr/w:b)"), 1);
  EXPECT_EQ(d.string(motto + "/w:rPr/w:sz/@w:val"), "28");
  const std::string motto_rule = motto + "/../following-sibling::w:p[1]/w:pPr";
  EXPECT_EQ(d.string(motto_rule + "/w:pBdr/w:bottom/@w:val"), "single");
  const double rule_length = right - d.number(motto_rule + "/w:ind/@w:left") - d.number(motto_rule + "/w:ind/@w:right");
  EXPECT_NEAR(rule_length, 3360, 200) << "as long as the motto (bold 14 pt)";
  const std::string date = run("Lai Châu, ngày 05 tháng 12 năm 2026");
  EXPECT_EQ(d.number("count(" + date + "/w:rPr/w:i)"), 1);
  EXPECT_EQ(d.string(date + "/w:rPr/w:sz/@w:val"), "28");

  // Kind, title and subtitle: bold 14 pt, centred, after the title block.
  for (const char* text : {"BÁO CÁO", "Kết quả công tác quốc phòng, quân sự địa phương", "Từ đầu năm 2016 đến tháng 6/2018"}) {
    const std::string r = "/w:document/w:body/w:p/w:r[w:t='" + std::string(text) + "']";
    EXPECT_EQ(d.number("count(" + r + "/w:rPr/w:b)"), 1) << text;
    EXPECT_EQ(d.string(r + "/w:rPr/w:sz/@w:val"), "28") << text;
    EXPECT_EQ(d.string(r + "/../w:pPr/w:jc/@w:val"), "center") << text;
  }
  EXPECT_EQ(d.string("/w:document/w:body/w:p[w:r/w:t='Từ đầu năm 2016 đến tháng 6/2018']/following-sibling::w:p[1]"
                     "/w:pPr/w:pBdr/w:bottom/@w:val"),
            "single")
      << "a short rule under the subtitle";
}

TEST(DocxWriterTest, EmptyGoverningBodyIsLeftOut) {
  ReportDocument report = sample_report(false);
  report.header.governing_body.clear();
  const DocxParts docx = read_docx(report);
  EXPECT_EQ(docx.document.string("/w:document/w:body/w:tbl[1]/w:tr[1]/w:tc[1]/w:p[1]"), "BAN CHỈ HUY QUÂN SỰ TỈNH");
}

TEST(DocxWriterTest, BodyParagraphsAreJustifiedWithAFirstLineIndent) {
  const DocxParts docx = read_docx(sample_report(false));
  const XmlPart& d = docx.document;
  const std::string paragraph = "/w:document/w:body/w:p[starts-with(., 'Toàn tỉnh đã gọi')]";
  EXPECT_EQ(d.string(paragraph + "/w:pPr/w:pStyle/@w:val"), "BodyText");
  const std::string body_style = "//w:style[@w:styleId='BodyText']";
  EXPECT_EQ(docx.styles.string(body_style + "/w:pPr/w:jc/@w:val"), "both");
  EXPECT_EQ(docx.styles.string(body_style + "/w:pPr/w:ind/@w:firstLine"), "567");
  EXPECT_EQ(docx.styles.string(body_style + "/w:pPr/w:spacing/@w:before"), "120");
  EXPECT_NEAR(docx.styles.number(body_style + "/w:pPr/w:spacing/@w:line") / 240, 1.15, 0.01);
  EXPECT_EQ(docx.styles.string(body_style + "/w:rPr/w:sz/@w:val"), "28");
  // Every paragraph of the body between the title rule and the closing block has the style.
  EXPECT_EQ(d.number("count(/w:document/w:body/w:p[w:pPr/w:pStyle/@w:val='BodyText'])"), 2);

  // Bold and italic runs as written.
  EXPECT_EQ(d.number("count(" + paragraph + "/w:r[w:t='910/920']/w:rPr/w:b)"), 1);
  EXPECT_EQ(d.number("count(" + paragraph + "/w:r[w:t='98,9 %']/w:rPr/w:b)"), 1);
  EXPECT_EQ(d.number("count(" + paragraph + "/w:r[starts-with(w:t, '; huyện Mường Tè')]/w:rPr/w:i)"), 1);
  EXPECT_EQ(d.number("count(" + paragraph + "/w:r[w:t='Toàn tỉnh đã gọi ']/w:rPr)"), 0) << "plain text stays plain";

  // Headings: bold 14 pt, the third level also italic.
  EXPECT_EQ(d.string("//w:p[. = 'I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ']/w:pPr/w:pStyle/@w:val"), "Heading1");
  EXPECT_EQ(d.string("//w:p[. = '1. Công tác tuyển quân']/w:pPr/w:pStyle/@w:val"), "Heading2");
  EXPECT_EQ(d.string("//w:p[. = 'a) Thượng tầng phòng thủ']/w:pPr/w:pStyle/@w:val"), "Heading3");
  for (const char* style : {"Heading1", "Heading2", "Heading3"}) {
    const std::string s = "//w:style[@w:styleId='" + std::string(style) + "']";
    EXPECT_EQ(docx.styles.number("count(" + s + "/w:rPr/w:b)"), 1) << style;
    EXPECT_EQ(docx.styles.string(s + "/w:rPr/w:sz/@w:val"), "28") << style;
    EXPECT_EQ(docx.styles.number("count(" + s + "/w:rPr/w:i)"), std::string(style) == "Heading3" ? 1 : 0) << style;
  }
}

TEST(DocxWriterTest, TablesHaveACaptionBordersARepeatedHeaderAndRightAlignedNumbers) {
  const DocxParts docx = read_docx(sample_report(false));
  const XmlPart& d = docx.document;
  const std::string caption = "/w:document/w:body/w:p[. = 'Bảng 1. Tình hình tội phạm theo huyện']";
  EXPECT_EQ(d.string(caption + "/w:pPr/w:pStyle/@w:val"), "TableCaption");
  const std::string caption_style = "//w:style[@w:styleId='TableCaption']";
  EXPECT_EQ(docx.styles.number("count(" + caption_style + "/w:rPr/w:b)"), 1);
  EXPECT_EQ(docx.styles.string(caption_style + "/w:rPr/w:sz/@w:val"), "26");
  EXPECT_EQ(docx.styles.string(caption_style + "/w:pPr/w:jc/@w:val"), "center");

  const std::string table = caption + "/following-sibling::*[1][self::w:tbl]";
  EXPECT_EQ(d.string(table + "/w:tblPr/w:tblStyle/@w:val"), "TableGrid");
  EXPECT_EQ(docx.styles.string("//w:style[@w:styleId='TableGrid']//w:tblBorders/w:insideH/@w:val"), "single");
  EXPECT_EQ(d.string(table + "/w:tblPr/w:tblW/@w:w"), "9355") << "as wide as the text";
  EXPECT_EQ(d.number("sum(" + table + "/w:tblGrid/w:gridCol/@w:w)"), 9355);
  EXPECT_EQ(d.number("count(" + table + "/w:tr[1]/w:trPr/w:tblHeader)"), 1) << "the header row repeats on each page";
  EXPECT_EQ(d.number("count(" + table + "/w:tr[position() > 1]/w:trPr/w:tblHeader)"), 0);
  EXPECT_EQ(d.number("count(" + table + "/w:tr[1]/w:tc//w:r[not(w:rPr/w:b)])"), 0) << "header cells bold";
  EXPECT_EQ(d.strings(table + "/w:tr[1]/w:tc"), (std::vector<std::string>{"Huyện", "Số vụ", "Thiệt hại (tỷ đồng)"}));
  EXPECT_EQ(d.strings(table + "/w:tr[2]/w:tc"), (std::vector<std::string>{"Mường Tè", "1.009", "67,716"}));
  EXPECT_EQ(d.string(table + "/w:tr[2]/w:tc[2]/w:p/w:pPr/w:jc/@w:val"), "right");
  EXPECT_EQ(d.string(table + "/w:tr[3]/w:tc[3]/w:p/w:pPr/w:jc/@w:val"), "right");
  EXPECT_EQ(d.string(table + "/w:tr[2]/w:tc[1]/w:p/w:pPr/w:jc/@w:val"), "left");
  EXPECT_EQ(docx.styles.string("//w:style[@w:styleId='TableText']/w:rPr/w:sz/@w:val"), "24") << "12 pt";
}

TEST(DocxWriterTest, PageNumbersAreCentredAtTheTopFromPageTwo) {
  const DocxParts docx = read_docx(sample_report(false));
  const XmlPart& d = docx.document;
  EXPECT_EQ(d.number("count(//w:sectPr/w:titlePg)"), 1) << "a different first page";
  const XmlPart rels(zip_part(docx.package, "word/_rels/document.xml.rels").value_or(""));
  const auto header_of = [&](const std::string& type) {
    const std::string id = d.string("//w:sectPr/w:headerReference[@w:type='" + type + "']/@r:id");
    const std::string target = rels.string("//rel:Relationship[@Id='" + id + "']/@Target");
    EXPECT_TRUE(target.starts_with("header")) << type << " header: " << id << " → " << target;
    return XmlPart(zip_part(docx.package, "word/" + target).value_or(""));
  };
  const XmlPart every_page = header_of("default");
  ASSERT_TRUE(every_page.ok());
  EXPECT_EQ(every_page.string("normalize-space(//w:instrText)"), "PAGE");
  EXPECT_EQ(every_page.number("count(//w:fldChar)"), 3) << "begin, separate, end";
  EXPECT_EQ(every_page.string("//w:p/w:pPr/w:pStyle/@w:val"), "Header");
  EXPECT_EQ(docx.styles.string("//w:style[@w:styleId='Header']/w:pPr/w:jc/@w:val"), "center");
  const double size = every_page.number("//w:r[w:instrText]/w:rPr/w:sz/@w:val");
  EXPECT_TRUE(size >= 26 && size <= 28) << size;
  const XmlPart first_page = header_of("first");
  ASSERT_TRUE(first_page.ok());
  EXPECT_EQ(first_page.number("count(//w:instrText | //w:fldSimple | //w:t)"), 0) << "page 1 shows no number";
}

TEST(DocxWriterTest, RecipientsAndSignatureCloseTheReport) {
  const DocxParts docx = read_docx(sample_report(false));
  const XmlPart& d = docx.document;
  const std::string closing = "/w:document/w:body/w:tbl[last()]";
  EXPECT_EQ(d.string(closing + "/w:tblPr/w:tblBorders/w:top/@w:val"), "nil");
  const std::string label = closing + "/w:tr/w:tc[1]/w:p[1]/w:r";
  EXPECT_EQ(d.string(label), "Nơi nhận:");
  EXPECT_EQ(d.number("count(" + label + "/w:rPr/w:b)"), 1);
  EXPECT_EQ(d.number("count(" + label + "/w:rPr/w:i)"), 1);
  EXPECT_EQ(d.string(label + "/w:rPr/w:sz/@w:val"), "24");
  EXPECT_EQ(d.strings(closing + "/w:tr/w:tc[1]/w:p[position() > 1]"),
            (std::vector<std::string>{"- Như trên;", "- Bộ Tư lệnh Quân khu 2;", "- Lưu: VT."}));
  EXPECT_EQ(d.number("count(" + closing + "/w:tr/w:tc[1]/w:p[position() > 1]/w:r[w:rPr/w:sz/@w:val != '22'])"), 0)
      << "recipients in 11 pt";

  const std::string signature = closing + "/w:tr/w:tc[2]";
  std::vector<std::string> lines = d.strings(signature + "/w:p");
  ASSERT_GE(lines.size(), 5u);
  EXPECT_EQ(lines[0], "TM. ỦY BAN NHÂN DÂN");
  EXPECT_EQ(lines[1], "KT. CHỦ TỊCH");
  EXPECT_EQ(lines[2], "PHÓ CHỦ TỊCH");
  EXPECT_EQ(lines.back(), "Nguyễn Văn Thượng");
  EXPECT_GE(std::count(lines.begin(), lines.end(), ""), 3) << "room for the signature and the seal";
  EXPECT_EQ(d.number("count(" + signature + "/w:p/w:r[not(w:rPr/w:b) or w:rPr/w:sz/@w:val != '28'])"), 0)
      << "signature lines bold 14 pt";
  EXPECT_EQ(d.number("count(" + signature + "/w:p[w:r][not(w:pPr/w:jc/@w:val = 'center')])"), 0) << "centred";
}

TEST(DocxWriterTest, EveryTextOfTheDocumentIsThereInOrder) {
  const ReportDocument report = sample_report(false);
  const DocxParts docx = read_docx(report);
  const std::vector<std::string> paragraphs = docx.document.strings("/w:document/w:body//w:p");
  expect_paragraphs_in_order(paragraphs, {
      "UBND TỈNH LAI CHÂU", "BAN CHỈ HUY QUÂN SỰ TỈNH",
      "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
      "Số:      /BC-BCH", "Lai Châu, ngày 05 tháng 12 năm 2026",
      "BÁO CÁO", "Kết quả công tác quốc phòng, quân sự địa phương", "Từ đầu năm 2016 đến tháng 6/2018",
      "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ",
      "Toàn tỉnh đã gọi 910/920 thanh niên nhập ngũ, đạt 98,9 %; huyện Mường Tè và huyện Nậm Nhùn giao quân đủ 100 % chỉ tiêu.",
      "1. Công tác tuyển quân",
      "Thượng tá Lò Văn Thượng chỉ huy diễn tập ở xã Mường Tè.",
      "Bảng 1. Tình hình tội phạm theo huyện",
      "Huyện", "Số vụ", "Thiệt hại (tỷ đồng)", "Mường Tè", "1.009", "67,716", "Nậm Nhùn", "449", "2,5",
      "a) Thượng tầng phòng thủ",
      "Nơi nhận:", "- Như trên;", "- Bộ Tư lệnh Quân khu 2;", "- Lưu: VT.",
      "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn Thượng",
  });
  // Nothing else: every non-empty paragraph is one of the document's texts.
  const size_t non_empty = static_cast<size_t>(std::count_if(paragraphs.begin(), paragraphs.end(),
                                                             [](const std::string& p) { return !p.empty(); }));
  EXPECT_EQ(non_empty, 32u);
}

TEST(DocxWriterTest, EnglishReportsGetEnglishLabelsButTheVietnameseNationalHeading) {
  ReportDocument report = sample_report(false);
  report.language = "en";
  const DocxParts docx = read_docx(report);
  const std::vector<std::string> paragraphs = docx.document.strings("//w:p");
  EXPECT_NE(std::find(paragraphs.begin(), paragraphs.end(), "Recipients:"), paragraphs.end());
  EXPECT_EQ(std::find(paragraphs.begin(), paragraphs.end(), "Nơi nhận:"), paragraphs.end());
  EXPECT_NE(std::find(paragraphs.begin(), paragraphs.end(), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), paragraphs.end());
  EXPECT_NE(std::find(paragraphs.begin(), paragraphs.end(), "Độc lập - Tự do - Hạnh phúc"), paragraphs.end());
  EXPECT_EQ(docx.styles.string("//w:docDefaults//w:lang/@w:val"), "en-US");
}

TEST(DocxWriterTest, HostileTextStaysText) {
  ReportDocument report = sample_report(false);
  report.body.push_back(Paragraph{{{"</w:t></w:r><w:r><w:t>x & \"y\" 'z'\x01 \xFF", false, false, std::nullopt}}});
  const DocxParts docx = read_docx(report);
  ASSERT_TRUE(docx.document.ok());
  EXPECT_EQ(docx.document.number("count(//w:p[w:pPr/w:pStyle/@w:val='BodyText'])"), 3);
  EXPECT_EQ(docx.document.string("(//w:p[w:pPr/w:pStyle/@w:val='BodyText'])[3]"),
            "</w:t></w:r><w:r><w:t>x & \"y\" 'z' \xEF\xBF\xBD");
}

TEST(DocxWriterTest, ChartsAreInlinePngImagesWithTheirCaptionBelow) {
  const DocxParts docx = read_docx(sample_report(true));
  const XmlPart& d = docx.document;
  const std::string inline_image = "//w:drawing/wp:inline";
  EXPECT_EQ(d.number("count(" + inline_image + ")"), 1);
  EXPECT_EQ(d.number(inline_image + "/wp:extent/@cx"), 9355.0 * 635) << "text-wide";
  EXPECT_GT(d.number(inline_image + "/wp:extent/@cy"), 0);
  EXPECT_EQ(d.string(inline_image + "/wp:docPr/@descr"), "Biểu đồ 1. Số vụ phạm tội về TTXH theo năm");
  const std::string id = d.string(inline_image + "//pic:blipFill/a:blip/@r:embed");
  const XmlPart rels(zip_part(docx.package, "word/_rels/document.xml.rels").value_or(""));
  EXPECT_EQ(rels.string("//rel:Relationship[@Id='" + id + "']/@Target"), "media/chart1.png");
  EXPECT_TRUE(rels.string("//rel:Relationship[@Id='" + id + "']/@Type").ends_with("/image"));
  const std::optional<std::string> png = zip_part(docx.package, "word/media/chart1.png");
  ASSERT_TRUE(png.has_value());
  EXPECT_TRUE(png->starts_with("\x89PNG\r\n\x1a\n")) << "a PNG image";
  const XmlPart types(zip_part(docx.package, "[Content_Types].xml").value_or(""));
  EXPECT_EQ(types.string("//ct:Default[@Extension='png']/@ContentType"), "image/png");
  const std::string caption = "//w:p[w:r/w:drawing]/following-sibling::w:p[1]";
  EXPECT_EQ(d.string(caption), "Biểu đồ 1. Số vụ phạm tội về TTXH theo năm");
  EXPECT_EQ(d.string(caption + "/w:pPr/w:pStyle/@w:val"), "ChartCaption");
  const std::string style = "//w:style[@w:styleId='ChartCaption']";
  EXPECT_EQ(docx.styles.number("count(" + style + "/w:rPr/w:i)"), 1);
  EXPECT_EQ(docx.styles.string(style + "/w:rPr/w:sz/@w:val"), "26");
  EXPECT_EQ(docx.styles.string(style + "/w:pPr/w:jc/@w:val"), "center");
}

// Runs `command` through the shell; its exit status, or -1 when it did not exit normally.
int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool has_program(const std::string& name) { return run("command -v " + name + " >/dev/null 2>&1") == 0; }

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// LibreOffice opens the file and lays it out as the decree wants: the national heading, the
// place names with their diacritics, the figures, and page numbers from page 2 on.
TEST(DocxLibreOfficeTest, ConvertsToPdfWithTheTextIntact) {
  ASSERT_TRUE(has_program("soffice")) << "soffice is missing: install the Debian package libreoffice-writer";
  ASSERT_TRUE(has_program("pdftotext")) << "pdftotext is missing: install the Debian package poppler-utils";
  ASSERT_TRUE(has_program("timeout")) << "timeout is missing: install the Debian package coreutils";
  ReportDocument report = sample_report(true);
  for (int i = 0; i < 12; ++i) {  // enough text for a second page
    report.body.push_back(Paragraph{{{"Lực lượng dân quân tự vệ xã Mường Tè và xã Nậm Nhùn duy trì nghiêm chế độ "
                                      "trực sẵn sàng chiến đấu, tuần tra bảo vệ biên giới, phối hợp với Đồn Biên phòng.",
                                      false, false, std::nullopt}}});
  }
  Result<std::string> docx = render_docx(report);
  ASSERT_TRUE(docx.is_ok()) << docx.status().message();

  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("qpan-docx-test-" + std::to_string(::getpid()));
  const std::string profile = "/tmp/qpan-lo-" + std::to_string(::getpid());
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  struct Cleanup {
    std::filesystem::path folder, profile;
    ~Cleanup() {
      std::error_code ignored;
      std::filesystem::remove_all(folder, ignored);
      std::filesystem::remove_all(profile, ignored);
    }
  } cleanup{folder, profile};
  const std::filesystem::path file = folder / "báo-cáo.docx";
  std::ofstream(file, std::ios::binary) << *docx;

  // timeout: a LibreOffice that hangs (a stale profile lock) fails the test instead of the run.
  const std::string convert = "timeout -k 10 240 soffice --headless --norestore -env:UserInstallation=file://" + profile +
                              " --convert-to pdf --outdir '" + folder.string() + "' '" + file.string() + "' >'" +
                              (folder / "soffice.log").string() + "' 2>&1";
  const int converted = run(convert);
  ASSERT_EQ(converted, 0) << "soffice failed (124: timed out): " << read_text_file(folder / "soffice.log");
  const std::filesystem::path pdf = folder / "báo-cáo.pdf";
  ASSERT_TRUE(std::filesystem::exists(pdf)) << read_text_file(folder / "soffice.log");
  ASSERT_GT(std::filesystem::file_size(pdf), 1000u);

  const std::filesystem::path text_file = folder / "báo-cáo.txt";
  ASSERT_EQ(run("pdftotext -layout '" + pdf.string() + "' '" + text_file.string() + "'"), 0);
  const std::string text = read_text_file(text_file);
  EXPECT_NE(text.find("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), std::string::npos) << text;
  EXPECT_NE(text.find("Mường Tè"), std::string::npos);
  EXPECT_NE(text.find("Nậm Nhùn"), std::string::npos);
  EXPECT_NE(text.find("Thượng tá"), std::string::npos);
  EXPECT_NE(text.find("1.009"), std::string::npos);
  EXPECT_NE(text.find("67,716"), std::string::npos);
  EXPECT_NE(text.find("910/920"), std::string::npos);
  EXPECT_NE(text.find("BAN CHỈ HUY QUÂN SỰ TỈNH"), std::string::npos) << "w:caps shown in capitals";

  // Pages are separated by form feeds: the first has no number, the second starts with "2".
  const size_t second_page = text.find('\f');
  ASSERT_NE(second_page, std::string::npos) << "the report should fill two pages";
  std::istringstream first_lines(text.substr(0, second_page));
  std::string line;
  while (std::getline(first_lines, line) && line.find_first_not_of(" ") == std::string::npos) {}
  EXPECT_NE(line.find("UBND"), std::string::npos) << "page 1 starts with the title block: " << line;
  std::istringstream second_lines(text.substr(second_page + 1));
  while (std::getline(second_lines, line) && line.find_first_not_of(" ") == std::string::npos) {}
  line.erase(0, line.find_first_not_of(' '));
  EXPECT_EQ(line, "2") << "page 2 starts with its number";
}

}  // namespace
}  // namespace qpan
