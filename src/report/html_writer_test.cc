// Tests of the HTML writer: its escaping, URL and base64 helpers, and pages read back with
// libxml2's HTML parser (structure, figures and their links, tables, charts, the print style)
// and with a strict tag balancer (no dangling or crossed tags).
#include <gtest/gtest.h>
#include <libxml/HTMLparser.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>

#include <cctype>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "qpan/report_render.h"
#include "report/html_text.h"
#include "report/ooxml_test_support.h"

namespace qpan {
namespace {

FigureSource figure(std::string dx, std::string ou, std::string pe) { return {std::move(dx), std::move(ou), std::move(pe)}; }

Chart sample_chart() {
  Chart chart;
  chart.kind = Chart::Kind::kLine;
  chart.caption = "Biểu đồ 1. Số vụ phạm tội về TTXH theo năm";
  chart.unit = "vụ";
  chart.labels = {"2016", "2017", "2018"};
  chart.series = {{"Lai Châu", {449, 402, std::nullopt}}};
  return chart;
}

ReportDocument sample_report() {
  ReportDocument document;
  document.header.governing_body = "UBND TỈNH LAI CHÂU";
  document.header.issuing_body = "CÔNG AN TỈNH";
  document.header.number = "Số:      /BC-CAT";
  document.header.place = "Lai Châu";
  document.header.date = make_date(2018, 7, 3);
  document.header.title = "Tình hình an ninh trật tự 6 tháng đầu năm 2018";
  document.header.subtitle = "Từ đầu năm 2016 đến tháng 6/2018";
  document.body.push_back(Heading{1, "I. TÌNH HÌNH TỘI PHẠM"});
  document.body.push_back(Paragraph{{
      {"Xảy ra ", false, false, std::nullopt},
      {"449", true, false, figure("crime.social_order", "LaiChau", "201601..201806")},
      {" vụ phạm tội về trật tự xã hội, khám phá ", false, false, std::nullopt},
      {"364/449", false, true, figure("crime.solved;crime.social_order", "LaiChau", "2018S1")},
      {" vụ ở Mường Tè, Nậm Nhùn.", false, false, std::nullopt},
  }});
  document.body.push_back(Heading{2, "1. Tội phạm về ma túy"});
  document.body.push_back(Heading{3, "a) Thượng nguồn sông Đà"});
  document.body.push_back(Table{"Ma túy",
                                "Bảng 1. Tội phạm ma túy theo huyện",
                                {"Huyện", "Số vụ"},
                                {{{"Mường Tè", std::nullopt, 0, std::nullopt},
                                  {"1.009", 1009, 0, figure("drug.cases", "MuongTe", "2018")}},
                                 {{"Nậm Nhùn", std::nullopt, 0, std::nullopt},
                                  {"67,716", 67.716, 3, std::nullopt}}}});
  document.body.push_back(sample_chart());
  document.recipients = {"- Bộ Công an;", "- Lưu: VT, PV01."};
  document.signature.authority = {"GIÁM ĐỐC"};
  document.signature.position = "PHÓ GIÁM ĐỐC";
  document.signature.name = "Đại tá Lò Văn Thượng";
  return document;
}

// A page parsed by libxml2's HTML parser, with the errors it reported (HTML5 element names
// it does not know, like <article>, are not errors of the page), queried as an XML part.
// The errors are a base of their own: constructed before the part's parse fills them.
struct HtmlParseErrors {
  std::vector<std::string> errors_;
};
class HtmlPage : private HtmlParseErrors, public testing::XmlPart {
 public:
  explicit HtmlPage(const std::string& html) : HtmlParseErrors(), XmlPart(parse(html, errors_)) {}

  const std::vector<std::string>& errors() const { return errors_; }
  double count(const std::string& expression) const { return number("count(" + expression + ")"); }

 private:
  static xmlDoc* parse(const std::string& html, std::vector<std::string>& errors) {
    xmlSetStructuredErrorFunc(&errors, &HtmlPage::collect);
    xmlDoc* document = htmlReadMemory(html.data(), static_cast<int>(html.size()), "report.html", "UTF-8", HTML_PARSE_NONET);
    xmlSetStructuredErrorFunc(nullptr, nullptr);
    return document;
  }
  static void collect(void* errors, xmlErrorPtr error) {
    if (error->code == XML_HTML_UNKNOWN_TAG) return;
    static_cast<std::vector<std::string>*>(errors)->push_back("line " + std::to_string(error->line) + ": " +
                                                             (error->message ? error->message : "?"));
  }
};

std::string with_class(const std::string& name) { return "contains(concat(' ', @class, ' '), ' " + name + " ')"; }

// Checks that every element opened is closed, in order, except HTML's void elements; the
// contents of <style> are skipped. Returns "" or what is wrong.
std::string unbalanced_tags(const std::string& html) {
  static const std::set<std::string> kVoid = {"meta", "br", "hr", "img", "link", "input", "col", "wbr"};
  std::vector<std::string> open;
  size_t at = 0;
  while ((at = html.find('<', at)) != std::string::npos) {
    if (html.compare(at, 2, "<!") == 0) {
      at = html.find('>', at);
      continue;
    }
    const bool closing = html.compare(at, 2, "</") == 0;
    const size_t name_start = at + (closing ? 2 : 1);
    size_t name_end = name_start;
    while (name_end < html.size() && (std::isalnum(static_cast<unsigned char>(html[name_end])) != 0)) ++name_end;
    const std::string name = html.substr(name_start, name_end - name_start);
    if (name.empty()) return "a '<' that starts no tag at byte " + std::to_string(at);
    const size_t end = html.find('>', name_end);
    if (end == std::string::npos) return "unterminated tag <" + name;
    if (closing) {
      if (open.empty() || open.back() != name) {
        return "</" + name + "> closes " + (open.empty() ? std::string("nothing") : "<" + open.back() + ">");
      }
      open.pop_back();
    } else if (kVoid.count(name) == 0) {
      open.push_back(name);
      if (name == "style") {
        at = html.find("</style>", end);
        if (at == std::string::npos) return "unterminated <style>";
        continue;
      }
    }
    at = end + 1;
  }
  if (!open.empty()) return "<" + open.back() + "> is never closed";
  return "";
}

TEST(HtmlTextTest, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(html_escape("<a href=\"x\">Tom & Jerry's</a>"), "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;");
  EXPECT_EQ(html_escape("Mường Tè"), "Mường Tè");
}

TEST(HtmlTextTest, UrlComponentsArePercentEncoded) {
  EXPECT_EQ(url_encode_component("crime.cases;drug.cases"), "crime.cases%3Bdrug.cases");
  EXPECT_EQ(url_encode_component("201601..201806"), "201601..201806");
  EXPECT_EQ(url_encode_component("a b&c=d#e/f?~_-"), "a%20b%26c%3Dd%23e%2Ff%3F~_-");
  EXPECT_EQ(url_encode_component("Tè"), "T%C3%A8");
}

TEST(HtmlTextTest, Base64MatchesRfc4648) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\x89PNG\r\n\x1a\n\0\xff", 10)), "iVBORw0KGgoA/w==");
}

TEST(HtmlWriterTest, PageIsWellFormedWithEveryTagClosed) {
  const std::string html = render_html(sample_report());
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>\n<html lang=\"vi\">")) << html.substr(0, 80);
  EXPECT_EQ(unbalanced_tags(html), "");
  const HtmlPage page(html);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page.errors().empty()) << page.errors().front();
  EXPECT_EQ(page.string("/html/head/meta/@charset"), "utf-8");
  EXPECT_EQ(page.count("/html/body/article[" + with_class("report") + "]"), 1);
  // The article's parts, in order.
  EXPECT_EQ(page.strings("/html/body/article/*/@class"),
            (std::vector<std::string>{"title-block", "report-title", "body", "closing"}));
}

TEST(HtmlWriterTest, TitleBlockBodyAndClosingCarryEveryText) {
  const HtmlPage page(render_html(sample_report()));
  ASSERT_TRUE(page.ok());
  const std::string block = "//header[" + with_class("title-block") + "]";
  EXPECT_EQ(page.strings(block + "/div[1]/p"), (std::vector<std::string>{"UBND TỈNH LAI CHÂU", "CÔNG AN TỈNH"}));
  EXPECT_EQ(page.count(block + "/div[1]/hr"), 1) << "the rule under the issuing body";
  EXPECT_EQ(page.strings(block + "/div[2]/p"),
            (std::vector<std::string>{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"}));
  EXPECT_EQ(page.string(block + "/p[" + with_class("number") + "]"), "Số:      /BC-CAT");
  EXPECT_EQ(page.string(block + "/p[" + with_class("place-date") + "]"), "Lai Châu, ngày 03 tháng 07 năm 2018");
  EXPECT_EQ(page.strings("//div[" + with_class("report-title") + "]/*[self::p or self::h1]"),
            (std::vector<std::string>{"BÁO CÁO", "Tình hình an ninh trật tự 6 tháng đầu năm 2018",
                                      "Từ đầu năm 2016 đến tháng 6/2018"}));
  const std::string body = "//div[" + with_class("body") + "]";
  EXPECT_EQ(page.string(body + "/h2"), "I. TÌNH HÌNH TỘI PHẠM");
  EXPECT_EQ(page.string(body + "/h3"), "1. Tội phạm về ma túy");
  EXPECT_EQ(page.string(body + "/h4"), "a) Thượng nguồn sông Đà");
  EXPECT_EQ(page.string(body + "/p"), "Xảy ra 449 vụ phạm tội về trật tự xã hội, khám phá 364/449 vụ ở Mường Tè, Nậm Nhùn.");
  EXPECT_EQ(page.string(body + "/p//strong"), "449");
  EXPECT_EQ(page.string(body + "/p//em"), "364/449");
  const std::string closing = "//footer[" + with_class("closing") + "]";
  EXPECT_EQ(page.strings(closing + "/div[" + with_class("recipients") + "]/p"),
            (std::vector<std::string>{"Nơi nhận:", "- Bộ Công an;", "- Lưu: VT, PV01."}));
  EXPECT_EQ(page.strings(closing + "/div[" + with_class("signature") + "]/p"),
            (std::vector<std::string>{"GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Đại tá Lò Văn Thượng"}));
  EXPECT_EQ(page.count(closing + "//div[" + with_class("signature-space") + "]"), 1);
}

TEST(HtmlWriterTest, FiguresAreMarkedWithTheirQuestionAndLinked) {
  const HtmlPage page(render_html(sample_report()));
  ASSERT_TRUE(page.ok());
  const std::string figures = "//span[" + with_class("figure") + "]";
  EXPECT_EQ(page.count(figures), 3);
  EXPECT_EQ(page.strings(figures), (std::vector<std::string>{"449", "364/449", "1.009"}));
  const std::string second = "(" + figures + ")[2]";
  EXPECT_EQ(page.string(second + "/@data-dx"), "crime.solved;crime.social_order");
  EXPECT_EQ(page.string(second + "/@data-ou"), "LaiChau");
  EXPECT_EQ(page.string(second + "/@data-pe"), "2018S1");
  EXPECT_EQ(page.string(second + "/a/@href"), "/#/analytics?dx=crime.solved%3Bcrime.social_order&ou=LaiChau&pe=2018S1");
  EXPECT_EQ(page.string("(" + figures + ")[1]/a/@href"),
            "/#/analytics?dx=crime.social_order&ou=LaiChau&pe=201601..201806");
  EXPECT_EQ(page.string("//td[" + with_class("number") + "]/span[" + with_class("figure") + "]/@data-ou"), "MuongTe")
      << "table cells with a figure are marked too";
  EXPECT_EQ(page.count("//td[" + with_class("number") + "][not(span)]"), 1) << "a number without a figure: no mark";
}

TEST(HtmlWriterTest, FigureLinkPatternIsTheCallersAndMayBeEmpty) {
  HtmlOptions options;
  options.figure_link = "https://example.org/v?q={dx}|{ou}|{pe}&again={dx}";
  HtmlPage page(render_html(sample_report(), options));
  EXPECT_EQ(page.string("(//span[" + with_class("figure") + "])[2]/a/@href"),
            "https://example.org/v?q=crime.solved%3Bcrime.social_order|LaiChau|2018S1&again=crime.solved%3Bcrime.social_order");
  options.figure_link.clear();
  const std::string html = render_html(sample_report(), options);
  page = HtmlPage(html);
  EXPECT_EQ(page.count("//span[" + with_class("figure") + "]"), 3) << "still marked";
  EXPECT_EQ(page.count("//a"), 0) << "but not linked";
  EXPECT_EQ(unbalanced_tags(html), "");
}

TEST(HtmlWriterTest, CountsOfEvaluatedUnitsLinkToTheEvaluation) {
  ReportDocument document;
  document.body.push_back(Paragraph{{TextRun{"duy trì ", false, false, std::nullopt},
                                     TextRun{"36/108", false, false,
                                             FigureSource{"eval.drug_free.commune", "12", "201601..201806", true}}}});
  const HtmlPage page(render_html(document));
  EXPECT_EQ(page.string("//span[" + with_class("figure") + "]/a/@href"),
            "/#/evaluation?set=eval.drug_free.commune&ou=12&pe=201601..201806");
}

TEST(HtmlWriterTest, HostileTextIsEscapedEverywhere) {
  ReportDocument report = sample_report();
  const std::string hostile = "<script>alert('x & \"y\"')</script>";
  report.header.title = hostile;
  report.body.push_back(Paragraph{{{hostile, false, false, figure("\"><script>", "a&b", "'")}}});
  report.body.push_back(Table{"t", hostile, {hostile}, {{{hostile, std::nullopt, 0, std::nullopt}}}});
  report.recipients.push_back(hostile);
  const std::string html = render_html(report);
  EXPECT_EQ(html.find("<script"), std::string::npos) << "no script element, anywhere";
  EXPECT_NE(html.find("&lt;script&gt;alert(&apos;x &amp; &quot;y&quot;&apos;)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(unbalanced_tags(html), "");
  const HtmlPage page(html);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page.count("//script"), 0);
  EXPECT_EQ(page.string("/html/head/title"), hostile) << "reads back as the text it was";
  EXPECT_EQ(page.string("//h1"), hostile);
  EXPECT_EQ(page.string("(//table/caption)[2]"), hostile);
  EXPECT_EQ(page.string("(//table)[2]//th"), hostile);
  EXPECT_EQ(page.string("(//table)[2]//td"), hostile);
  const std::string span = "(//span[" + with_class("figure") + "])[last()]";
  EXPECT_EQ(page.string(span), hostile);
  EXPECT_EQ(page.string(span + "/@data-dx"), "\"><script>");
  EXPECT_EQ(page.string(span + "/@data-ou"), "a&b");
  EXPECT_EQ(page.string(span + "/a/@href"), "/#/analytics?dx=%22%3E%3Cscript%3E&ou=a%26b&pe=%27");
}

TEST(HtmlWriterTest, TablesHaveACaptionHeaderCellsAndNumbersMarked) {
  const HtmlPage page(render_html(sample_report()));
  const std::string table = "//table[" + with_class("data") + "][caption]";
  EXPECT_EQ(page.string(table + "/caption"), "Bảng 1. Tội phạm ma túy theo huyện");
  EXPECT_EQ(page.strings(table + "/thead/tr/th"), (std::vector<std::string>{"Huyện", "Số vụ"}));
  EXPECT_EQ(page.strings(table + "/tbody/tr/td"), (std::vector<std::string>{"Mường Tè", "1.009", "Nậm Nhùn", "67,716"}));
  EXPECT_EQ(page.strings(table + "/tbody/tr/td[" + with_class("number") + "]"),
            (std::vector<std::string>{"1.009", "67,716"}));
}

TEST(HtmlWriterTest, PrintStyleFollowsTheDecree) {
  const std::string html = render_html(sample_report());
  const size_t start = html.find("<style>");
  const size_t end = html.find("</style>");
  ASSERT_TRUE(start != std::string::npos && end != std::string::npos && start < end);
  ASSERT_LT(end, html.find("<body>")) << "the style is in the head";
  const std::string style = html.substr(start, end - start);
  EXPECT_NE(style.find("@page { size: A4; margin: 20mm 15mm 20mm 30mm; }"), std::string::npos);
  EXPECT_NE(style.find("\"Times New Roman\", \"Liberation Serif\""), std::string::npos);
  EXPECT_NE(style.find("font-size: 14pt"), std::string::npos);
  EXPECT_NE(style.find("text-align: justify; text-indent: 1cm"), std::string::npos);
  EXPECT_NE(style.find("@media print"), std::string::npos);
  EXPECT_NE(style.find("display: table-header-group"), std::string::npos) << "table headers repeat on each page";
}

TEST(HtmlWriterTest, ChartsAreInlinePngImagesWithACaption) {
  const HtmlPage page(render_html(sample_report()));
  const std::string figure = "//figure[" + with_class("chart") + "]";
  ASSERT_EQ(page.count(figure), 1);
  const std::string source = page.string(figure + "/img/@src");
  const std::string prefix = "data:image/png;base64,";
  ASSERT_TRUE(source.starts_with(prefix + "iVBORw0KGgo")) << "a PNG data URI: " << source.substr(0, 60);
  Result<std::string> png = render_chart_png(sample_chart(), 1200, 720);
  ASSERT_TRUE(png.is_ok()) << png.status().message();
  EXPECT_EQ(source.substr(prefix.size()), base64_encode(*png)) << "the chart's own image";
  EXPECT_EQ(page.string(figure + "/img/@alt"), "Biểu đồ 1. Số vụ phạm tội về TTXH theo năm");
  EXPECT_EQ(page.string(figure + "/figcaption"), "Biểu đồ 1. Số vụ phạm tội về TTXH theo năm");
}

TEST(HtmlWriterTest, ArticleOnlyWhenNotStandalone) {
  HtmlOptions options;
  options.standalone = false;
  const std::string html = render_html(sample_report(), options);
  EXPECT_TRUE(html.starts_with("<article class=\"report\" lang=\"vi\">")) << html.substr(0, 60);
  EXPECT_TRUE(html.ends_with("</article>\n"));
  for (const char* absent : {"<html", "<head>", "<style", "<body", "<!DOCTYPE"}) {
    EXPECT_EQ(html.find(absent), std::string::npos) << absent;
  }
  EXPECT_EQ(unbalanced_tags(html), "");
}

TEST(HtmlWriterTest, EnglishReportsGetEnglishLabelsAndLanguage) {
  ReportDocument report = sample_report();
  report.language = "en";
  const std::string html = render_html(report);
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
  const HtmlPage page(html);
  EXPECT_EQ(page.string("//div[" + with_class("recipients") + "]/p[1]"), "Recipients:");
  EXPECT_EQ(page.string("//p[" + with_class("national-title") + "]"), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
}

TEST(HtmlWriterTest, TagBalancerCatchesWhatItShould) {
  // The checker the tests above rely on.
  EXPECT_EQ(unbalanced_tags("<p><b>x</p></b>"), "</p> closes <b>");
  EXPECT_EQ(unbalanced_tags("<div><p>x</p>"), "<div> is never closed");
  EXPECT_EQ(unbalanced_tags("<p>a <br> b<img src=x></p><style>p > a {}</style>"), "");
  EXPECT_EQ(unbalanced_tags("<p>a < b</p>"), "a '<' that starts no tag at byte 5");
}

}  // namespace
}  // namespace qpan
