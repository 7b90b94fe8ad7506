// DOCX: a ReportDocument as an Office Open XML word-processing package in the layout of
// Decree 30/2020/NĐ-CP, Phụ lục I (qpan/report_render.h). The parts are written with
// XmlWriter and zipped with libzip; charts are the PNG images of render_chart_png.
#include <algorithm>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "qpan/date.h"
#include "qpan/report_render.h"
#include "report/ooxml_xml.h"
#include "report/ooxml_zip.h"

namespace qpan {
namespace {

// Lengths are in twips (1/20 pt) unless named otherwise; font sizes in half-points.
constexpr int kPageWidth = 11906;  // A4
constexpr int kPageHeight = 16838;
constexpr int kMarginTop = 1134;     // 20 mm
constexpr int kMarginBottom = 1134;  // 20 mm
constexpr int kMarginLeft = 1701;    // 30 mm
constexpr int kMarginRight = 850;    // 15 mm
constexpr int kHeaderDistance = 567; // 10 mm: the page number sits in the top margin
constexpr int kTextWidth = kPageWidth - kMarginLeft - kMarginRight;
constexpr int kFirstLineIndent = 567;  // 1 cm
constexpr int kBodyLineSpacing = 276;  // 1.15 lines (240 = single)
constexpr int kParagraphSpaceBefore = 120;  // 6 pt

// The title block reaches 5 mm into both side margins: the national title in 13 pt bold is
// ≈ 9.5 cm long and an issuing body of ~24 capitals ≈ 6.6 cm, and each must stay on one line
// in its column (60 % and 40 %).
constexpr int kTitleBlockOverhang = 284;
constexpr int kTitleBlockWidth = kTextWidth + 2 * kTitleBlockOverhang;
constexpr int kTitleLeftColumn = kTitleBlockWidth * 2 / 5;
constexpr int kTitleRightColumn = kTitleBlockWidth - kTitleLeftColumn;
// kNationalMotto in Times New Roman bold 14 pt is 168 pt long (measured with its metric
// twin, Liberation Serif); the decree wants the rule under it just as long.
constexpr int kMottoWidth = 3360;
// Average advance of a capital in Times New Roman bold, per half-point of size, in twips:
// enough to size the short rules under the issuing body and the title (1/3–1/2 of the line).
constexpr double kBoldCapitalTwipsPerHalfPoint = 6.0;

constexpr int kClosingLeftColumn = kTextWidth * 9 / 20;
constexpr int kClosingRightColumn = kTextWidth - kClosingLeftColumn;
constexpr int kSignatureSpaceLines = 4;

// Charts are drawn at this size and shown text-wide (≈ 185 dpi on paper).
constexpr int kChartWidthPixels = 1200;
constexpr int kChartHeightPixels = 720;
constexpr long long kEmuPerTwip = 635;

constexpr std::string_view kFont = "Times New Roman";

constexpr std::string_view kWordNamespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
constexpr std::string_view kRelationshipNamespace =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
constexpr std::string_view kPackageRelationshipNamespace =
    "http://schemas.openxmlformats.org/package/2006/relationships";
constexpr std::string_view kRelationshipTypeBase = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";

std::string twips(long long value) { return std::to_string(value); }

struct RunFormat {
  bool bold = false;
  bool italic = false;
  bool caps = false;    // shown in capitals whatever the case of the text (w:caps)
  int half_points = 0;  // 0: the paragraph style's size
};

enum class Align { kStyle, kLeft, kCenter, kRight, kBoth };

struct ParagraphFormat {
  std::string_view style = {};  // style id; empty: Normal
  Align align = Align::kStyle;
  int space_before = -1;   // -1: the style's
  int space_after = -1;
  int indent_left = 0;
  int indent_right = 0;
  bool keep_next = false;
  bool bottom_rule = false;   // a line under the paragraph, between its indents
  int mark_half_points = 0;   // size of the paragraph mark: keeps an empty rule paragraph thin
};

std::string_view align_value(Align align) {
  switch (align) {
    case Align::kLeft: return "left";
    case Align::kCenter: return "center";
    case Align::kRight: return "right";
    case Align::kBoth: return "both";
    case Align::kStyle: break;
  }
  return {};
}

void write_run_properties(XmlWriter& xml, const RunFormat& format) {
  if (!format.bold && !format.italic && !format.caps && format.half_points == 0) return;
  xml.open("w:rPr");
  if (format.bold) xml.leaf("w:b").leaf("w:bCs");
  if (format.italic) xml.leaf("w:i").leaf("w:iCs");
  if (format.caps) xml.leaf("w:caps");
  if (format.half_points > 0) {
    xml.leaf("w:sz", {{"w:val", twips(format.half_points)}});
    xml.leaf("w:szCs", {{"w:val", twips(format.half_points)}});
  }
  xml.close();
}

// A run of text; line feeds become line breaks and tabs tab characters, as typed.
void write_run(XmlWriter& xml, std::string_view text, const RunFormat& format) {
  xml.open("w:r");
  write_run_properties(xml, format);
  while (!text.empty()) {
    const size_t stop = text.find_first_of("\n\t");
    const std::string_view piece = text.substr(0, stop);
    if (!piece.empty()) xml.open("w:t").attr("xml:space", "preserve").text(piece).close();
    if (stop == std::string_view::npos) break;
    xml.leaf(text[stop] == '\n' ? "w:br" : "w:tab");
    text.remove_prefix(stop + 1);
  }
  xml.close();
}

void open_paragraph(XmlWriter& xml, const ParagraphFormat& format) {
  xml.open("w:p").open("w:pPr");
  if (!format.style.empty()) xml.leaf("w:pStyle", {{"w:val", format.style}});
  if (format.keep_next) xml.leaf("w:keepNext");
  if (format.bottom_rule) {
    xml.open("w:pBdr")
        .leaf("w:bottom", {{"w:val", "single"}, {"w:sz", "6"}, {"w:space", "1"}, {"w:color", "auto"}})
        .close();
  }
  if (format.space_before >= 0 || format.space_after >= 0) {
    xml.open("w:spacing");
    if (format.space_before >= 0) xml.attr("w:before", format.space_before);
    if (format.space_after >= 0) xml.attr("w:after", format.space_after);
    xml.close();
  }
  if (format.indent_left != 0 || format.indent_right != 0) {
    // An explicit firstLine="0" so a style's first-line indent does not move a centred line.
    xml.leaf("w:ind", {{"w:left", twips(format.indent_left)}, {"w:right", twips(format.indent_right)},
                       {"w:firstLine", "0"}});
  }
  if (format.align != Align::kStyle) xml.leaf("w:jc", {{"w:val", align_value(format.align)}});
  if (format.mark_half_points > 0) {
    xml.open("w:rPr").leaf("w:sz", {{"w:val", twips(format.mark_half_points)}}).close();
  }
  xml.close();  // w:pPr
}

void write_paragraph(XmlWriter& xml, const ParagraphFormat& paragraph, std::string_view text, const RunFormat& run) {
  open_paragraph(xml, paragraph);
  if (!text.empty()) write_run(xml, text, run);
  xml.close();
}

// A short horizontal rule of `length`, centred in a space `width` wide: the bottom border of
// an empty, thin paragraph indented from both sides.
void write_rule(XmlWriter& xml, int width, int length, int space_after) {
  length = std::clamp(length, 1, width);
  ParagraphFormat rule{.align = Align::kCenter, .space_before = 0, .space_after = space_after,
                       .indent_left = (width - length) / 2, .indent_right = width - length - (width - length) / 2,
                       .bottom_rule = true, .mark_half_points = 6};
  write_paragraph(xml, rule, {}, {});
}

int estimated_bold_width(std::string_view text, int half_points) {
  return static_cast<int>(static_cast<double>(utf8_length(text)) * kBoldCapitalTwipsPerHalfPoint * half_points);
}

// A table without borders for the title block and the closing block; cells padded by `cell_margin`.
void open_layout_table(XmlWriter& xml, int width, int indent, int cell_margin, const std::vector<int>& columns) {
  xml.open("w:tbl").open("w:tblPr");
  xml.leaf("w:tblW", {{"w:w", twips(width)}, {"w:type", "dxa"}});
  xml.leaf("w:tblInd", {{"w:w", twips(indent)}, {"w:type", "dxa"}});
  xml.open("w:tblBorders");
  for (std::string_view side : {"w:top", "w:left", "w:bottom", "w:right", "w:insideH", "w:insideV"}) {
    xml.leaf(side, {{"w:val", "nil"}});
  }
  xml.close();
  xml.leaf("w:tblLayout", {{"w:type", "fixed"}});
  xml.open("w:tblCellMar")
      .leaf("w:left", {{"w:w", twips(cell_margin)}, {"w:type", "dxa"}})
      .leaf("w:right", {{"w:w", twips(cell_margin)}, {"w:type", "dxa"}})
      .close();
  xml.close();  // w:tblPr
  xml.open("w:tblGrid");
  for (int column : columns) xml.leaf("w:gridCol", {{"w:w", twips(column)}});
  xml.close();
}

void open_cell(XmlWriter& xml, int width, std::string_view vertical_align = "top") {
  xml.open("w:tc").open("w:tcPr");
  xml.leaf("w:tcW", {{"w:w", twips(width)}, {"w:type", "dxa"}});
  xml.leaf("w:vAlign", {{"w:val", vertical_align}});
  xml.close();
}

void open_row(XmlWriter& xml, bool repeat_as_header = false) {
  xml.open("w:tr").open("w:trPr").leaf("w:cantSplit");
  if (repeat_as_header) xml.leaf("w:tblHeader");
  xml.close();
}

struct ImagePart {
  std::string relationship_id;
  std::string part_name;  // "media/chart1.png", relative to word/
  std::string bytes;
};

// word/document.xml, with the images it refers to.
class DocumentWriter {
 public:
  explicit DocumentWriter(const ReportDocument& document) : document_(document) {}

  Result<std::string> write() {
    xml_.open("w:document")
        .attr("xmlns:w", kWordNamespace)
        .attr("xmlns:r", kRelationshipNamespace)
        .attr("xmlns:wp", "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing")
        .attr("xmlns:a", "http://schemas.openxmlformats.org/drawingml/2006/main")
        .attr("xmlns:pic", "http://schemas.openxmlformats.org/drawingml/2006/picture");
    xml_.open("w:body");
    write_title_block();
    write_report_title();
    for (const ReportBlock& block : document_.body) {
      Status written = std::visit([this](const auto& b) { return write_block(b); }, block);
      if (!written) return written;
    }
    write_closing_block();
    write_section_properties();
    return xml_.finish();
  }

  std::vector<ImagePart> take_images() { return std::move(images_); }

 private:
  bool english() const { return document_.language == "en"; }

  void write_title_block() {
    const ReportHeader& header = document_.header;
    open_layout_table(xml_, kTitleBlockWidth, -kTitleBlockOverhang, 0, {kTitleLeftColumn, kTitleRightColumn});
    const ParagraphFormat centred{.align = Align::kCenter, .space_before = 0, .space_after = 0};

    open_row(xml_);
    open_cell(xml_, kTitleLeftColumn);
    if (!header.governing_body.empty()) {
      write_paragraph(xml_, centred, header.governing_body, {.caps = true, .half_points = 26});
    }
    write_paragraph(xml_, centred, header.issuing_body, {.bold = true, .caps = true, .half_points = 26});
    write_rule(xml_, kTitleLeftColumn, std::max(estimated_bold_width(header.issuing_body, 26) * 2 / 5, 850), 0);
    xml_.close();  // w:tc
    open_cell(xml_, kTitleRightColumn);
    write_paragraph(xml_, centred, kNationalTitle, {.bold = true, .caps = true, .half_points = 26});
    write_paragraph(xml_, centred, kNationalMotto, {.bold = true, .half_points = 28});
    write_rule(xml_, kTitleRightColumn, kMottoWidth, 0);
    xml_.close();  // w:tc
    xml_.close();  // w:tr

    // The number and the place-and-date line share a row so they stand on one line.
    ParagraphFormat second_line = centred;
    second_line.space_before = kParagraphSpaceBefore;
    open_row(xml_);
    open_cell(xml_, kTitleLeftColumn);
    write_paragraph(xml_, second_line, header.number, {.half_points = 26});
    xml_.close();
    open_cell(xml_, kTitleRightColumn);
    write_paragraph(xml_, second_line, place_and_date_line(header), {.italic = true, .half_points = 28});
    xml_.close();
    xml_.close();  // w:tr
    xml_.close();  // w:tbl
  }

  void write_report_title() {
    const ReportHeader& header = document_.header;
    const RunFormat bold{.bold = true, .half_points = 28};
    write_paragraph(xml_, {.align = Align::kCenter, .space_before = 480, .space_after = 0, .keep_next = true},
                    header.kind, bold);
    const ParagraphFormat centred{.align = Align::kCenter, .space_before = 0, .space_after = 0, .keep_next = true};
    write_paragraph(xml_, centred, header.title, bold);
    if (!header.subtitle.empty()) write_paragraph(xml_, centred, header.subtitle, bold);
    const int title_line = std::min(kTextWidth, estimated_bold_width(header.title, 28));
    write_rule(xml_, kTextWidth, std::max(title_line * 2 / 5, 1134), 240);
  }

  Status write_block(const Heading& heading) {
    static constexpr std::string_view kStyles[] = {"Heading1", "Heading2", "Heading3"};
    const int level = std::clamp(heading.level, 1, 3);
    write_paragraph(xml_, {.style = kStyles[level - 1]}, heading.text, {});
    return Status::ok();
  }

  Status write_block(const Paragraph& paragraph) {
    open_paragraph(xml_, {.style = "BodyText"});
    for (const TextRun& run : paragraph.runs) {
      write_run(xml_, run.text, {.bold = run.bold, .italic = run.italic});
    }
    xml_.close();
    return Status::ok();
  }

  Status write_block(const Table& table) {
    // Always a caption paragraph, even an empty one: two tables in a row would merge into one.
    write_paragraph(xml_, {.style = "TableCaption"}, table.caption, {});
    size_t columns = table.header.size();
    for (const auto& row : table.rows) columns = std::max(columns, row.size());
    if (columns == 0) return Status::ok();
    const std::vector<int> widths = column_widths(table, columns);

    xml_.open("w:tbl").open("w:tblPr");
    xml_.leaf("w:tblStyle", {{"w:val", "TableGrid"}});
    xml_.leaf("w:tblW", {{"w:w", twips(kTextWidth)}, {"w:type", "dxa"}});
    xml_.leaf("w:tblLayout", {{"w:type", "fixed"}});
    xml_.close();
    xml_.open("w:tblGrid");
    for (int width : widths) xml_.leaf("w:gridCol", {{"w:w", twips(width)}});
    xml_.close();

    if (!table.header.empty()) {
      open_row(xml_, /*repeat_as_header=*/true);
      for (size_t c = 0; c < columns; ++c) {
        open_cell(xml_, widths[c], "center");
        const std::string_view text = c < table.header.size() ? std::string_view(table.header[c]) : "";
        write_paragraph(xml_, {.style = "TableText", .align = Align::kCenter}, text, {.bold = true});
        xml_.close();
      }
      xml_.close();
    }
    for (const auto& row : table.rows) {
      open_row(xml_);
      for (size_t c = 0; c < columns; ++c) {
        open_cell(xml_, widths[c], "center");
        if (c < row.size()) {
          const TableCell& cell = row[c];
          write_paragraph(xml_, {.style = "TableText", .align = cell.number ? Align::kRight : Align::kLeft},
                          cell.text, {});
        } else {
          write_paragraph(xml_, {.style = "TableText"}, {}, {});
        }
        xml_.close();
      }
      xml_.close();
    }
    xml_.close();  // w:tbl
    return Status::ok();
  }

  Status write_block(const Chart& chart) {
    Result<std::string> png = render_chart_png(chart, kChartWidthPixels, kChartHeightPixels);
    if (!png) {
      return Status(png.status().code(), "DOCX: chart \"" + chart.caption + "\": " + png.status().message());
    }
    const int number = static_cast<int>(images_.size()) + 1;
    ImagePart image{"rIdChart" + std::to_string(number), "media/chart" + std::to_string(number) + ".png",
                    std::move(png).value()};
    const long long width = kTextWidth * kEmuPerTwip;
    const long long height = width * kChartHeightPixels / kChartWidthPixels;
    const std::string name = "Chart " + std::to_string(number);

    open_paragraph(xml_, {.align = Align::kCenter, .space_before = 240, .space_after = 0, .keep_next = true});
    xml_.open("w:r").open("w:drawing");
    xml_.open("wp:inline").attr("distT", 0).attr("distB", 0).attr("distL", 0).attr("distR", 0);
    xml_.leaf("wp:extent", {{"cx", twips(width)}, {"cy", twips(height)}});
    xml_.leaf("wp:effectExtent", {{"l", "0"}, {"t", "0"}, {"r", "0"}, {"b", "0"}});
    xml_.leaf("wp:docPr", {{"id", twips(number)}, {"name", name}, {"descr", chart.caption}});
    xml_.open("wp:cNvGraphicFramePr")
        .open("a:graphicFrameLocks")
        .attr("xmlns:a", "http://schemas.openxmlformats.org/drawingml/2006/main")
        .attr("noChangeAspect", 1)
        .close()
        .close();
    xml_.open("a:graphic").open("a:graphicData").attr("uri", "http://schemas.openxmlformats.org/drawingml/2006/picture");
    xml_.open("pic:pic");
    xml_.open("pic:nvPicPr")
        .leaf("pic:cNvPr", {{"id", twips(number)}, {"name", "chart" + std::to_string(number) + ".png"}, {"descr", chart.caption}})
        .leaf("pic:cNvPicPr")
        .close();
    xml_.open("pic:blipFill")
        .leaf("a:blip", {{"r:embed", image.relationship_id}})
        .open("a:stretch").leaf("a:fillRect").close()
        .close();
    xml_.open("pic:spPr");
    xml_.open("a:xfrm")
        .leaf("a:off", {{"x", "0"}, {"y", "0"}})
        .leaf("a:ext", {{"cx", twips(width)}, {"cy", twips(height)}})
        .close();
    xml_.open("a:prstGeom").attr("prst", "rect").leaf("a:avLst").close();
    xml_.close();  // pic:spPr
    xml_.close().close().close();  // pic:pic, a:graphicData, a:graphic
    xml_.close().close().close();  // wp:inline, w:drawing, w:r
    xml_.close();  // w:p
    write_paragraph(xml_, {.style = "ChartCaption"}, chart.caption, {});
    images_.push_back(std::move(image));
    return Status::ok();
  }

  // Column widths summing to the text width, in proportion to the longest text of each column
  // (a header counts half: it wraps on its words).
  static std::vector<int> column_widths(const Table& table, size_t columns) {
    std::vector<double> weights(columns, 4);
    for (size_t c = 0; c < table.header.size(); ++c) {
      weights[c] = std::max(weights[c], static_cast<double>(utf8_length(table.header[c])) / 2);
    }
    for (const auto& row : table.rows) {
      for (size_t c = 0; c < row.size(); ++c) {
        weights[c] = std::max(weights[c], static_cast<double>(utf8_length(row[c].text)));
      }
    }
    double total = 0;
    for (double& w : weights) total += (w = std::min(w, 40.0));
    std::vector<int> widths(columns);
    int used = 0;
    for (size_t c = 0; c + 1 < columns; ++c) used += widths[c] = static_cast<int>(kTextWidth * weights[c] / total);
    widths[columns - 1] = kTextWidth - used;
    return widths;
  }

  void write_closing_block() {
    write_paragraph(xml_, {.space_before = 0, .space_after = 0}, {}, {});
    open_layout_table(xml_, kTextWidth, 0, 0, {kClosingLeftColumn, kClosingRightColumn});
    open_row(xml_);
    open_cell(xml_, kClosingLeftColumn);
    const ParagraphFormat left{.align = Align::kLeft, .space_before = 0, .space_after = 0};
    ParagraphFormat label = left;
    label.space_before = 240;
    write_paragraph(xml_, label, english() ? "Recipients:" : "Nơi nhận:", {.bold = true, .italic = true, .half_points = 24});
    for (const std::string& recipient : document_.recipients) {
      write_paragraph(xml_, left, recipient, {.half_points = 22});
    }
    xml_.close();  // w:tc

    open_cell(xml_, kClosingRightColumn);
    const ParagraphFormat centred{.align = Align::kCenter, .space_before = 0, .space_after = 0};
    const RunFormat bold{.bold = true, .half_points = 28};
    ParagraphFormat first = centred;
    first.space_before = 240;
    for (const std::string& line : document_.signature.authority) {
      write_paragraph(xml_, first, line, {.bold = true, .caps = true, .half_points = 28});
      first = centred;
    }
    write_paragraph(xml_, first, document_.signature.position, bold);
    for (int i = 0; i < kSignatureSpaceLines; ++i) write_paragraph(xml_, centred, {}, {});
    write_paragraph(xml_, centred, document_.signature.name, bold);
    xml_.close();  // w:tc
    xml_.close();  // w:tr
    xml_.close();  // w:tbl
    // A document may not end with a table: Word would add this paragraph itself.
    write_paragraph(xml_, {.space_before = 0, .space_after = 0, .mark_half_points = 2}, {}, {});
  }

  void write_section_properties() {
    xml_.open("w:sectPr");
    xml_.leaf("w:headerReference", {{"w:type", "default"}, {"r:id", "rIdHeaderDefault"}});
    xml_.leaf("w:headerReference", {{"w:type", "first"}, {"r:id", "rIdHeaderFirst"}});
    xml_.leaf("w:pgSz", {{"w:w", twips(kPageWidth)}, {"w:h", twips(kPageHeight)}});
    xml_.leaf("w:pgMar", {{"w:top", twips(kMarginTop)},
                          {"w:right", twips(kMarginRight)},
                          {"w:bottom", twips(kMarginBottom)},
                          {"w:left", twips(kMarginLeft)},
                          {"w:header", twips(kHeaderDistance)},
                          {"w:footer", twips(kHeaderDistance)},
                          {"w:gutter", "0"}});
    xml_.leaf("w:cols", {{"w:space", "720"}});
    xml_.leaf("w:titlePg");  // the first page takes the empty first-page header: no number on page 1
    xml_.close();
  }

  const ReportDocument& document_;
  XmlWriter xml_;
  std::vector<ImagePart> images_;
};

std::string language_tag(const ReportDocument& document) { return document.language == "en" ? "en-US" : "vi-VN"; }

void write_fonts(XmlWriter& xml) {
  xml.leaf("w:rFonts", {{"w:ascii", kFont}, {"w:hAnsi", kFont}, {"w:eastAsia", kFont}, {"w:cs", kFont}});
}

void write_size(XmlWriter& xml, int half_points) {
  xml.leaf("w:sz", {{"w:val", twips(half_points)}}).leaf("w:szCs", {{"w:val", twips(half_points)}});
}

// One paragraph style of styles.xml.
struct ParagraphStyle {
  std::string_view id;
  std::string_view name;
  std::string_view next = "";
  int outline_level = -1;
  bool keep_next = false;
  int space_before = 0;
  int space_after = 0;
  int line = 240;
  int first_line_indent = 0;
  std::string_view align = "";
  bool bold = false;
  bool italic = false;
  int half_points = 28;
};

void write_paragraph_style(XmlWriter& xml, const ParagraphStyle& style) {
  xml.open("w:style").attr("w:type", "paragraph").attr("w:styleId", style.id);
  xml.leaf("w:name", {{"w:val", style.name}});
  xml.leaf("w:basedOn", {{"w:val", "Normal"}});
  if (!style.next.empty()) xml.leaf("w:next", {{"w:val", style.next}});
  xml.leaf("w:qFormat");
  xml.open("w:pPr");
  if (style.keep_next) xml.leaf("w:keepNext");
  xml.leaf("w:spacing", {{"w:before", twips(style.space_before)},
                         {"w:after", twips(style.space_after)},
                         {"w:line", twips(style.line)},
                         {"w:lineRule", "auto"}});
  if (style.first_line_indent > 0) xml.leaf("w:ind", {{"w:firstLine", twips(style.first_line_indent)}});
  if (!style.align.empty()) xml.leaf("w:jc", {{"w:val", style.align}});
  if (style.outline_level >= 0) xml.leaf("w:outlineLvl", {{"w:val", twips(style.outline_level)}});
  xml.close();
  xml.open("w:rPr");
  if (style.bold) xml.leaf("w:b").leaf("w:bCs");
  if (style.italic) xml.leaf("w:i").leaf("w:iCs");
  write_size(xml, style.half_points);
  xml.close();
  xml.close();
}

void write_border_set(XmlWriter& xml, std::string_view element) {
  xml.open(element);
  for (std::string_view side : {"w:top", "w:left", "w:bottom", "w:right", "w:insideH", "w:insideV"}) {
    xml.leaf(side, {{"w:val", "single"}, {"w:sz", "4"}, {"w:space", "0"}, {"w:color", "auto"}});
  }
  xml.close();
}

std::string styles_xml(const ReportDocument& document) {
  XmlWriter xml;
  xml.open("w:styles").attr("xmlns:w", kWordNamespace);
  xml.open("w:docDefaults");
  xml.open("w:rPrDefault").open("w:rPr");
  write_fonts(xml);
  write_size(xml, 28);
  const std::string language = language_tag(document);
  xml.leaf("w:lang", {{"w:val", language}, {"w:eastAsia", language}, {"w:bidi", "ar-SA"}});
  xml.close().close();
  xml.open("w:pPrDefault").open("w:pPr");
  xml.leaf("w:spacing", {{"w:after", "0"}, {"w:line", "240"}, {"w:lineRule", "auto"}});
  xml.close().close();
  xml.close();  // w:docDefaults

  xml.open("w:style").attr("w:type", "paragraph").attr("w:default", 1).attr("w:styleId", "Normal");
  xml.leaf("w:name", {{"w:val", "Normal"}}).leaf("w:qFormat");
  xml.open("w:rPr");
  write_fonts(xml);
  write_size(xml, 28);
  xml.close();
  xml.close();

  xml.open("w:style").attr("w:type", "character").attr("w:default", 1).attr("w:styleId", "DefaultParagraphFont");
  xml.leaf("w:name", {{"w:val", "Default Paragraph Font"}}).leaf("w:uiPriority", {{"w:val", "1"}}).leaf("w:semiHidden");
  xml.close();

  xml.open("w:style").attr("w:type", "table").attr("w:default", 1).attr("w:styleId", "TableNormal");
  xml.leaf("w:name", {{"w:val", "Normal Table"}}).leaf("w:semiHidden");
  xml.open("w:tblPr");
  xml.leaf("w:tblInd", {{"w:w", "0"}, {"w:type", "dxa"}});
  xml.open("w:tblCellMar")
      .leaf("w:top", {{"w:w", "0"}, {"w:type", "dxa"}})
      .leaf("w:left", {{"w:w", "108"}, {"w:type", "dxa"}})
      .leaf("w:bottom", {{"w:w", "0"}, {"w:type", "dxa"}})
      .leaf("w:right", {{"w:w", "108"}, {"w:type", "dxa"}})
      .close();
  xml.close();
  xml.close();

  xml.open("w:style").attr("w:type", "table").attr("w:styleId", "TableGrid");
  xml.leaf("w:name", {{"w:val", "Table Grid"}}).leaf("w:basedOn", {{"w:val", "TableNormal"}});
  xml.open("w:tblPr");
  write_border_set(xml, "w:tblBorders");
  xml.close();
  xml.close();

  const ParagraphStyle body{.id = "BodyText", .name = "Body Text", .space_before = kParagraphSpaceBefore,
                            .line = kBodyLineSpacing, .first_line_indent = kFirstLineIndent, .align = "both"};
  // Headings read as body lines in bold (level 3 also italic), indented like them, kept with
  // what follows, and in the outline (Word's navigation pane, PDF bookmarks).
  for (int level = 1; level <= 3; ++level) {
    const std::string id = "Heading" + std::to_string(level);
    const std::string name = "heading " + std::to_string(level);
    ParagraphStyle heading = body;
    heading.id = id;
    heading.name = name;
    heading.next = "BodyText";
    heading.outline_level = level - 1;
    heading.keep_next = true;
    heading.bold = true;
    heading.italic = level == 3;
    write_paragraph_style(xml, heading);
  }
  write_paragraph_style(xml, body);
  write_paragraph_style(xml, {.id = "TableCaption", .name = "Table Caption", .keep_next = true, .space_before = 240,
                              .space_after = 120, .align = "center", .bold = true, .half_points = 26});
  write_paragraph_style(xml, {.id = "ChartCaption", .name = "Chart Caption", .space_before = 60,
                              .space_after = 120, .align = "center", .italic = true, .half_points = 26});
  write_paragraph_style(xml, {.id = "TableText", .name = "Table Text", .space_before = 40, .space_after = 40,
                              .half_points = 24});
  write_paragraph_style(xml, {.id = "Header", .name = "header", .align = "center", .half_points = 28});
  xml.close();  // w:styles
  return xml.finish();
}

std::string settings_xml(const ReportDocument& document) {
  XmlWriter xml;
  xml.open("w:settings").attr("xmlns:w", kWordNamespace);
  xml.leaf("w:zoom", {{"w:percent", "100"}});
  xml.leaf("w:defaultTabStop", {{"w:val", "720"}});
  xml.leaf("w:characterSpacingControl", {{"w:val", "doNotCompress"}});
  xml.open("w:compat")
      .leaf("w:compatSetting", {{"w:name", "compatibilityMode"}, {"w:uri", "http://schemas.microsoft.com/office/word"}, {"w:val", "15"}})
      .close();
  xml.leaf("w:themeFontLang", {{"w:val", language_tag(document)}});
  xml.close();
  return xml.finish();
}

// The page number, centred at the top of every page but the first (which has `with_page_number` false).
std::string header_xml(bool with_page_number) {
  XmlWriter xml;
  xml.open("w:hdr").attr("xmlns:w", kWordNamespace).attr("xmlns:r", kRelationshipNamespace);
  open_paragraph(xml, {.style = "Header"});
  if (with_page_number) {
    const auto field_character = [&xml](std::string_view type) {
      xml.open("w:r");
      write_run_properties(xml, {.half_points = 28});
      xml.leaf("w:fldChar", {{"w:fldCharType", type}}).close();
    };
    field_character("begin");
    xml.open("w:r");
    write_run_properties(xml, {.half_points = 28});
    xml.open("w:instrText").attr("xml:space", "preserve").text(" PAGE ").close().close();
    field_character("separate");
    write_run(xml, "2", {.half_points = 28});
    field_character("end");
  }
  xml.close();  // w:p
  xml.close();
  return xml.finish();
}

struct Relationship {
  std::string id;
  std::string type;  // after kRelationshipTypeBase, or a full URI
  std::string target;
};

std::string relationships_xml(const std::vector<Relationship>& relationships) {
  XmlWriter xml;
  xml.open("Relationships").attr("xmlns", kPackageRelationshipNamespace);
  for (const Relationship& r : relationships) {
    const std::string type = r.type.starts_with("http") ? r.type : std::string(kRelationshipTypeBase) + r.type;
    xml.leaf("Relationship", {{"Id", r.id}, {"Type", type}, {"Target", r.target}});
  }
  xml.close();
  return xml.finish();
}

std::string content_types_xml() {
  constexpr std::string_view kWordType = "application/vnd.openxmlformats-officedocument.wordprocessingml.";
  XmlWriter xml;
  xml.open("Types").attr("xmlns", "http://schemas.openxmlformats.org/package/2006/content-types");
  xml.leaf("Default", {{"Extension", "rels"}, {"ContentType", "application/vnd.openxmlformats-package.relationships+xml"}});
  xml.leaf("Default", {{"Extension", "xml"}, {"ContentType", "application/xml"}});
  xml.leaf("Default", {{"Extension", "png"}, {"ContentType", "image/png"}});
  const auto override_part = [&xml](std::string_view part, const std::string& type) {
    xml.leaf("Override", {{"PartName", part}, {"ContentType", type}});
  };
  override_part("/word/document.xml", std::string(kWordType) + "document.main+xml");
  override_part("/word/styles.xml", std::string(kWordType) + "styles+xml");
  override_part("/word/settings.xml", std::string(kWordType) + "settings+xml");
  override_part("/word/header1.xml", std::string(kWordType) + "header+xml");
  override_part("/word/header2.xml", std::string(kWordType) + "header+xml");
  override_part("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml");
  override_part("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml");
  xml.close();
  return xml.finish();
}

std::string core_properties_xml(const ReportDocument& document) {
  XmlWriter xml;
  xml.open("cp:coreProperties")
      .attr("xmlns:cp", "http://schemas.openxmlformats.org/package/2006/metadata/core-properties")
      .attr("xmlns:dc", "http://purl.org/dc/elements/1.1/")
      .attr("xmlns:dcterms", "http://purl.org/dc/terms/")
      .attr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance");
  xml.open("dc:title").text(document.header.title).close();
  if (!document.header.subtitle.empty()) xml.open("dc:subject").text(document.header.subtitle).close();
  xml.open("dc:creator").text(document.header.issuing_body).close();
  xml.open("dc:language").text(language_tag(document)).close();
  if (document.header.date) {
    // The report's own date, not the time of writing: the same document gives the same file.
    xml.open("dcterms:created").attr("xsi:type", "dcterms:W3CDTF").text(format_date(*document.header.date) + "T00:00:00Z").close();
  }
  xml.close();
  return xml.finish();
}

std::string app_properties_xml(const ReportDocument& document) {
  XmlWriter xml;
  xml.open("Properties")
      .attr("xmlns", "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties")
      .attr("xmlns:vt", "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes");
  xml.open("Application").text("qpan").close();
  xml.open("DocSecurity").text("0").close();
  if (!document.header.issuing_body.empty()) xml.open("Company").text(document.header.issuing_body).close();
  xml.close();
  return xml.finish();
}

}  // namespace

Result<std::string> render_docx(const ReportDocument& document) {
  DocumentWriter writer(document);
  Result<std::string> body = writer.write();
  if (!body) return body.status();
  std::vector<ImagePart> images = writer.take_images();

  std::vector<Relationship> document_relationships = {
      {"rIdStyles", "styles", "styles.xml"},
      {"rIdSettings", "settings", "settings.xml"},
      {"rIdHeaderDefault", "header", "header1.xml"},
      {"rIdHeaderFirst", "header", "header2.xml"},
  };
  for (const ImagePart& image : images) document_relationships.push_back({image.relationship_id, "image", image.part_name});

  std::vector<ZipEntry> parts;
  parts.push_back({"[Content_Types].xml", content_types_xml()});
  parts.push_back({"_rels/.rels",
                   relationships_xml({{"rIdDocument", "officeDocument", "word/document.xml"},
                                      {"rIdCore",
                                       "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
                                       "docProps/core.xml"},
                                      {"rIdApp", "extended-properties", "docProps/app.xml"}})});
  parts.push_back({"word/document.xml", std::move(body).value()});
  parts.push_back({"word/_rels/document.xml.rels", relationships_xml(document_relationships)});
  parts.push_back({"word/styles.xml", styles_xml(document)});
  parts.push_back({"word/settings.xml", settings_xml(document)});
  parts.push_back({"word/header1.xml", header_xml(/*with_page_number=*/true)});
  parts.push_back({"word/header2.xml", header_xml(/*with_page_number=*/false)});
  parts.push_back({"docProps/core.xml", core_properties_xml(document)});
  parts.push_back({"docProps/app.xml", app_properties_xml(document)});
  for (ImagePart& image : images) parts.push_back({"word/" + image.part_name, std::move(image.bytes)});
  return write_zip(parts);
}

}  // namespace qpan
