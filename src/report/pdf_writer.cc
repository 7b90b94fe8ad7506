// render_pdf: a review report laid out with Pango and drawn on a Cairo PDF surface in the
// layout of Decree 30/2020/NĐ-CP (Phụ lục I), the layout the DOCX writer gives Word too.
#include <cairo-pdf.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "qpan/date.h"
#include "qpan/report_render.h"
#include "report/chart.h"
#include "report/chart_cairo.h"

namespace qpan {
namespace {

using report::GObjectPtr;
using report::layout_height;

// A4 in points, with the decree's margins.
constexpr double kMillimetre = 72.0 / 25.4;
constexpr double kPageWidth = 595.28;
constexpr double kPageHeight = 841.89;
constexpr double kMarginTop = 20 * kMillimetre;
constexpr double kMarginBottom = 20 * kMillimetre;
constexpr double kMarginLeft = 30 * kMillimetre;
constexpr double kMarginRight = 15 * kMillimetre;
constexpr double kTextWidth = kPageWidth - kMarginLeft - kMarginRight;
constexpr double kPageBottom = kPageHeight - kMarginBottom;

// The title and closing blocks are two columns: the issuer and the recipients on the left,
// the national title and the signature on the right.
constexpr double kLeftColumnWidth = 0.4 * kTextWidth;
constexpr double kRightColumnX = kMarginLeft + kLeftColumnWidth;
constexpr double kRightColumnWidth = kTextWidth - kLeftColumnWidth;

constexpr double kParagraphIndent = 10 * kMillimetre;
constexpr double kParagraphSpaceBefore = 6;
constexpr double kLineSpacing = 1.15;
constexpr double kRuleWidth = 0.6;
constexpr double kCellPaddingX = 3;
constexpr double kCellPaddingY = 2;
constexpr double kChartAspect = 0.55;  // chart height / text width
constexpr double kSignatureRoom = 25 * kMillimetre;

struct TextStyle {
  double size = 14;
  bool bold = false;
  bool italic = false;
  PangoAlignment alignment = PANGO_ALIGN_LEFT;
  bool justify = false;
  double first_line_indent = 0;
  double line_spacing = 0;  // a factor of the font's line height; 0 keeps the font's own
};

double to_points(int pango_units) { return static_cast<double>(pango_units) / PANGO_SCALE; }
int to_pango(double points) { return static_cast<int>(points * PANGO_SCALE); }

// Upper case by Unicode rules, so "Ban chỉ huy" becomes "BAN CHỈ HUY".
std::string upper_case(std::string_view text) {
  const std::string valid = report::valid_utf8(text);
  gchar* upper = g_utf8_strup(valid.data(), static_cast<gssize>(valid.size()));
  std::string result(upper);
  g_free(upper);
  return result;
}

// The width of the widest line of a layout (not the width it wraps at).
double widest_line(PangoLayout* layout) {
  int widest = 0;
  for (GSList* line = pango_layout_get_lines_readonly(layout); line != nullptr; line = line->next) {
    PangoRectangle logical;
    pango_layout_line_get_extents(static_cast<PangoLayoutLine*>(line->data), nullptr, &logical);
    widest = std::max(widest, logical.width);
  }
  return to_points(widest);
}

struct LayoutIterFree {
  void operator()(PangoLayoutIter* iter) const { pango_layout_iter_free(iter); }
};
using LayoutIterPtr = std::unique_ptr<PangoLayoutIter, LayoutIterFree>;

// A table measured for the page: its column widths and the layouts of its cells.
struct TableLayout {
  GObjectPtr<PangoLayout> caption;
  std::vector<double> column_widths;
  std::vector<GObjectPtr<PangoLayout>> header;  // empty when the table has no header row
  double header_height = 0;
  std::vector<std::vector<GObjectPtr<PangoLayout>>> rows;
  std::vector<double> row_heights;
};

// Lays out one document page by page on a Cairo PDF surface. The cursor y_ is the top of the
// free space on the current page; blocks that must stay together measure themselves first and
// move to a new page when they do not fit.
class PdfComposer {
 public:
  PdfComposer(cairo_t* cr, PangoFontMap* font_map, const ReportDocument& document)
      : cr_(cr), font_map_(font_map), document_(document),
        context_(pango_font_map_create_context(font_map)) {
    // Unhinted metrics: glyphs are placed where the font's design puts them, as in print.
    report::FontOptionsPtr options(cairo_font_options_create());
    cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(context_.get(), options.get());
    pango_cairo_update_context(cr_, context_.get());
  }

  void compose() {
    title_block();
    const std::vector<ReportBlock>& body = document_.body;
    for (size_t i = 0; i < body.size(); ++i) {
      if (const auto* heading = std::get_if<Heading>(&body[i])) {
        // A heading never ends a page: it goes with the first line of what follows it.
        space(heading_space_before(*heading));
        ensure_room(heading_keep_height(i) - heading_space_before(*heading));
        flow(heading_layout(*heading).get(), kMarginLeft);
      } else if (const auto* paragraph = std::get_if<Paragraph>(&body[i])) {
        space(kParagraphSpaceBefore);
        flow(paragraph_layout(*paragraph).get(), kMarginLeft);
      } else if (const auto* table = std::get_if<Table>(&body[i])) {
        draw_table(*table);
      } else if (const auto* chart = std::get_if<Chart>(&body[i])) {
        draw_chart(*chart);
      }
    }
    closing_block();
  }

 private:
  GObjectPtr<PangoLayout> layout(std::string_view text, const TextStyle& style, double width) const {
    const report::FontPtr font = report::report_font(style.size, style.bold, style.italic);
    GObjectPtr<PangoLayout> layout = report::make_layout(context_.get(), text, font.get());
    configure(layout.get(), style, width);
    return layout;
  }

  static void configure(PangoLayout* layout, const TextStyle& style, double width) {
    if (width > 0) {
      pango_layout_set_width(layout, to_pango(width));
      pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    }
    pango_layout_set_alignment(layout, style.alignment);
    pango_layout_set_justify(layout, style.justify);
    pango_layout_set_indent(layout, to_pango(style.first_line_indent));
    if (style.line_spacing > 0) pango_layout_set_line_spacing(layout, static_cast<float>(style.line_spacing));
  }

  // A body paragraph: its runs as one text, bold and italic set as attributes on byte ranges
  // (never markup, so '<' and '&' in the data stay text).
  GObjectPtr<PangoLayout> paragraph_layout(const Paragraph& paragraph) const {
    std::string text;
    report::AttrListPtr attributes(pango_attr_list_new());
    for (const TextRun& run : paragraph.runs) {
      const auto start = static_cast<guint>(text.size());
      text += report::valid_utf8(run.text);
      const auto end = static_cast<guint>(text.size());
      if (run.bold) {
        PangoAttribute* bold = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
        bold->start_index = start;
        bold->end_index = end;
        pango_attr_list_insert(attributes.get(), bold);
      }
      if (run.italic) {
        PangoAttribute* italic = pango_attr_style_new(PANGO_STYLE_ITALIC);
        italic->start_index = start;
        italic->end_index = end;
        pango_attr_list_insert(attributes.get(), italic);
      }
    }
    TextStyle style;
    style.justify = true;
    style.first_line_indent = kParagraphIndent;
    style.line_spacing = kLineSpacing;
    GObjectPtr<PangoLayout> result = layout(text, style, kTextWidth);
    pango_layout_set_attributes(result.get(), attributes.get());
    return result;
  }

  GObjectPtr<PangoLayout> heading_layout(const Heading& heading) const {
    TextStyle style;
    style.bold = true;
    style.italic = heading.level >= 3;
    style.first_line_indent = kParagraphIndent;
    style.line_spacing = kLineSpacing;
    return layout(heading.text, style, kTextWidth);
  }

  static double heading_space_before(const Heading& heading) { return heading.level <= 1 ? 12 : kParagraphSpaceBefore; }

  // The height a heading needs at the bottom of a page: itself and the first line of what
  // follows it (through any headings that follow directly).
  double heading_keep_height(size_t index) const {
    const auto& heading = std::get<Heading>(document_.body[index]);
    double height = heading_space_before(heading) + layout_height(heading_layout(heading).get());
    if (index + 1 >= document_.body.size()) return height;
    const ReportBlock& next = document_.body[index + 1];
    if (std::holds_alternative<Heading>(next)) return height + heading_keep_height(index + 1);
    if (const auto* paragraph = std::get_if<Paragraph>(&next)) {
      return height + kParagraphSpaceBefore + first_line_height(paragraph_layout(*paragraph).get());
    }
    if (const auto* table = std::get_if<Table>(&next)) {
      const TableLayout measured = measure_table(*table);
      return height + kParagraphSpaceBefore + table_start_height(measured);
    }
    return height + kParagraphSpaceBefore + chart_height(std::get<Chart>(next));
  }

  static double first_line_height(PangoLayout* layout) {
    LayoutIterPtr iter(pango_layout_get_iter(layout));
    int top = 0;
    int bottom = 0;
    pango_layout_iter_get_line_yrange(iter.get(), &top, &bottom);
    return to_points(bottom - top);
  }

  bool at_page_top() const { return y_ <= kMarginTop + 0.01; }

  // Vertical space before a block; dropped at the top of a page, where it would only push
  // the block down.
  void space(double points) {
    if (!at_page_top()) y_ += points;
  }

  // Starts a new page unless `height` fits under the cursor (or nothing is gained, at a
  // page's top).
  void ensure_room(double height) {
    if (y_ + height > kPageBottom && !at_page_top()) next_page();
  }

  void next_page() {
    cairo_show_page(cr_);
    ++page_;
    y_ = kMarginTop;
    // The page number, centred in the top margin, from page 2 on.
    TextStyle style;
    style.size = 13;
    style.alignment = PANGO_ALIGN_CENTER;
    const GObjectPtr<PangoLayout> number = layout(std::to_string(page_), style, kTextWidth);
    ink();
    report::show_layout_at(cr_, number.get(), kMarginLeft, (kMarginTop - layout_height(number.get())) / 2);
  }

  void ink() { cairo_set_source_rgb(cr_, 0, 0, 0); }

  // Draws `layout` at `x` from the cursor down, one line at a time, going on on the next page
  // when a line would cross the bottom margin: a paragraph may split between any two lines.
  void flow(PangoLayout* layout, double x) {
    ink();
    pango_cairo_update_layout(cr_, layout);
    LayoutIterPtr iter(pango_layout_get_iter(layout));
    double origin = y_;  // where the layout's top would be on this page
    do {
      int top = 0;
      int bottom = 0;
      pango_layout_iter_get_line_yrange(iter.get(), &top, &bottom);
      if (origin + to_points(bottom) > kPageBottom && origin + to_points(top) > kMarginTop + 0.01) {
        next_page();
        ink();
        origin = kMarginTop - to_points(top);
      }
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(iter.get(), nullptr, &logical);
      cairo_move_to(cr_, x + to_points(logical.x), origin + to_points(pango_layout_iter_get_baseline(iter.get())));
      pango_cairo_show_layout_line(cr_, pango_layout_iter_get_line_readonly(iter.get()));
      y_ = origin + to_points(bottom);
    } while (pango_layout_iter_next_line(iter.get()));
  }

  void horizontal_rule(double centre_x, double y, double width) {
    ink();
    cairo_set_line_width(cr_, kRuleWidth);
    cairo_move_to(cr_, centre_x - width / 2, y);
    cairo_line_to(cr_, centre_x + width / 2, y);
    cairo_stroke(cr_);
  }

  // A line that must not wrap (the national title and motto, the place and date), centred on
  // `centre_x` but kept within the text width when it is wider than its column.
  double show_centred_line(PangoLayout* layout, double centre_x, double y) {
    const double width = report::layout_width(layout);
    const double x = std::clamp(centre_x - width / 2, kMarginLeft, kMarginLeft + kTextWidth - width);
    report::show_layout_at(cr_, layout, x, y);
    return layout_height(layout);
  }

  void title_block() {
    const ReportHeader& header = document_.header;
    const double left_centre = kMarginLeft + kLeftColumnWidth / 2;
    const double right_centre = kRightColumnX + kRightColumnWidth / 2;
    ink();

    // Left: the governing body, the issuing body (bold) and a short rule under it.
    TextStyle issuer;
    issuer.size = 13;
    issuer.alignment = PANGO_ALIGN_CENTER;
    double left_y = kMarginTop;
    if (!header.governing_body.empty()) {
      const GObjectPtr<PangoLayout> governing = layout(upper_case(header.governing_body), issuer, kLeftColumnWidth);
      report::show_layout_at(cr_, governing.get(), kMarginLeft, left_y);
      left_y += layout_height(governing.get());
    }
    issuer.bold = true;
    if (!header.issuing_body.empty()) {
      const GObjectPtr<PangoLayout> issuing = layout(upper_case(header.issuing_body), issuer, kLeftColumnWidth);
      report::show_layout_at(cr_, issuing.get(), kMarginLeft, left_y);
      left_y += layout_height(issuing.get()) + 2.5;
      // The decree's rule is a third to a half of the line above it.
      horizontal_rule(left_centre, left_y, std::max(40.0, 0.4 * widest_line(issuing.get())));
    }

    // Right: the national title and the motto, with a rule exactly as wide as the motto.
    TextStyle national;
    national.size = 13;
    national.bold = true;
    double right_y = kMarginTop;
    const GObjectPtr<PangoLayout> title = layout(kNationalTitle, national, 0);
    right_y += show_centred_line(title.get(), right_centre, right_y);
    national.size = 14;
    const GObjectPtr<PangoLayout> motto = layout(kNationalMotto, national, 0);
    right_y += show_centred_line(motto.get(), right_centre, right_y) + 2.5;
    horizontal_rule(right_centre, right_y, report::layout_width(motto.get()));

    // The number and the place-and-date line share a baseline under both columns.
    const double row_top = std::max(left_y, right_y) + 8;
    TextStyle number_style;
    number_style.size = 13;
    number_style.alignment = PANGO_ALIGN_CENTER;
    const GObjectPtr<PangoLayout> number = layout(header.number, number_style, kLeftColumnWidth);
    TextStyle date_style;
    date_style.italic = true;
    const GObjectPtr<PangoLayout> date = layout(place_and_date_line(header), date_style, 0);
    const double number_baseline = to_points(pango_layout_get_baseline(number.get()));
    const double date_baseline = to_points(pango_layout_get_baseline(date.get()));
    const double baseline = row_top + std::max(number_baseline, date_baseline);
    ink();
    report::show_layout_at(cr_, number.get(), kMarginLeft, baseline - number_baseline);
    show_centred_line(date.get(), right_centre, baseline - date_baseline);
    y_ = std::max(baseline - number_baseline + layout_height(number.get()),
                  baseline - date_baseline + layout_height(date.get())) + 18;

    // The kind, the title and the subtitle, bold and centred, with a short rule under them.
    TextStyle centred;
    centred.bold = true;
    centred.alignment = PANGO_ALIGN_CENTER;
    double widest = 0;
    for (const std::string* text : {&header.kind, &header.title, &header.subtitle}) {
      if (text->empty()) continue;
      const GObjectPtr<PangoLayout> line = layout(*text, centred, kTextWidth);
      flow(line.get(), kMarginLeft);
      if (text != &header.kind) widest = std::max(widest, widest_line(line.get()));
    }
    horizontal_rule(kMarginLeft + kTextWidth / 2, y_ + 3, std::clamp(widest / 3, 60.0, kTextWidth / 3));
    y_ += 15;
  }

  TableLayout measure_table(const Table& table) const {
    TableLayout measured;
    TextStyle caption;
    caption.size = 13;
    caption.bold = true;
    caption.alignment = PANGO_ALIGN_CENTER;
    if (!table.caption.empty()) measured.caption = layout(table.caption, caption, kTextWidth);

    size_t columns = table.header.size();
    for (const auto& row : table.rows) columns = std::max(columns, row.size());
    if (columns == 0) return measured;

    // Each cell is laid out once unwrapped (its natural width) and once wrapped as narrow
    // as its longest word (its least width); the columns share the text width between the two.
    std::vector<double> natural(columns, 2 * kCellPaddingX);
    std::vector<double> least(columns, 2 * kCellPaddingX);
    auto measure = [&](GObjectPtr<PangoLayout> cell, size_t column) {
      natural[column] = std::max(natural[column], report::layout_width(cell.get()) + 2 * kCellPaddingX);
      pango_layout_set_wrap(cell.get(), PANGO_WRAP_WORD);
      pango_layout_set_width(cell.get(), 1);
      least[column] = std::max(least[column], widest_line(cell.get()) + 2 * kCellPaddingX);
      return cell;
    };
    TextStyle header_style;
    header_style.size = 12;
    header_style.bold = true;
    header_style.alignment = PANGO_ALIGN_CENTER;
    for (size_t c = 0; c < table.header.size(); ++c) {
      measured.header.push_back(measure(layout(table.header[c], header_style, 0), c));
    }
    for (const auto& row : table.rows) {
      auto& cells = measured.rows.emplace_back();
      for (size_t c = 0; c < row.size(); ++c) {
        TextStyle cell;
        cell.size = 12;
        cell.alignment = row[c].number ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT;
        cells.push_back(measure(layout(row[c].text, cell, 0), c));
      }
    }
    measured.column_widths = share_width(natural, least);

    auto fit = [&](std::vector<GObjectPtr<PangoLayout>>& cells) {
      double height = 0;
      for (size_t c = 0; c < cells.size(); ++c) {
        pango_layout_set_wrap(cells[c].get(), PANGO_WRAP_WORD_CHAR);
        pango_layout_set_width(cells[c].get(), to_pango(std::max(1.0, measured.column_widths[c] - 2 * kCellPaddingX)));
        height = std::max(height, layout_height(cells[c].get()));
      }
      return height + 2 * kCellPaddingY;
    };
    if (!measured.header.empty()) measured.header_height = fit(measured.header);
    for (auto& cells : measured.rows) measured.row_heights.push_back(fit(cells));
    return measured;
  }

  // Column widths filling the text width: natural widths grown in proportion when they fit;
  // else every column gets its least width and the rest goes to the columns that want more;
  // when even the least widths do not fit, they shrink in proportion (words then break).
  static std::vector<double> share_width(const std::vector<double>& natural, const std::vector<double>& least) {
    double natural_sum = 0;
    double least_sum = 0;
    for (size_t c = 0; c < natural.size(); ++c) {
      natural_sum += natural[c];
      least_sum += least[c];
    }
    std::vector<double> widths(natural.size());
    for (size_t c = 0; c < natural.size(); ++c) {
      if (natural_sum <= kTextWidth) {
        widths[c] = natural[c] * kTextWidth / natural_sum;
      } else if (least_sum <= kTextWidth) {
        const double wanted = natural_sum - least_sum;
        widths[c] = least[c] + (kTextWidth - least_sum) * (natural[c] - least[c]) / wanted;
      } else {
        widths[c] = least[c] * kTextWidth / least_sum;
      }
    }
    return widths;
  }

  static double table_start_height(const TableLayout& table) {
    double height = table.caption ? layout_height(table.caption.get()) + 3 : 0;
    height += table.header_height;
    if (!table.row_heights.empty()) height += table.row_heights.front();
    return height;
  }

  void draw_row(const std::vector<GObjectPtr<PangoLayout>>& cells, const std::vector<double>& widths, double height) {
    ink();
    cairo_set_line_width(cr_, 0.5);
    double x = kMarginLeft;
    for (size_t c = 0; c < widths.size(); ++c) {
      cairo_rectangle(cr_, x, y_, widths[c], height);
      cairo_stroke(cr_);
      if (c < cells.size()) {
        // Cells are centred vertically, so a number sits level with a wrapped name beside it.
        const double text_top = y_ + (height - layout_height(cells[c].get())) / 2;
        report::show_layout_at(cr_, cells[c].get(), x + kCellPaddingX, text_top);
      }
      x += widths[c];
    }
    y_ += height;
  }

  // A table: the caption above it, kept with the header and the first row; rows never split,
  // and the header row is repeated at the top of every page the table continues on.
  void draw_table(const Table& table) {
    const TableLayout measured = measure_table(table);
    space(kParagraphSpaceBefore);
    ensure_room(table_start_height(measured));
    if (measured.caption) {
      flow(measured.caption.get(), kMarginLeft);
      y_ += 3;
    }
    if (measured.column_widths.empty()) return;
    if (!measured.header.empty()) draw_row(measured.header, measured.column_widths, measured.header_height);
    for (size_t r = 0; r < measured.rows.size(); ++r) {
      const double height = measured.row_heights[r];
      if (y_ + height > kPageBottom && !at_page_top()) {
        next_page();
        if (!measured.header.empty()) draw_row(measured.header, measured.column_widths, measured.header_height);
      }
      draw_row(measured.rows[r], measured.column_widths, height);
    }
  }

  GObjectPtr<PangoLayout> chart_caption(const Chart& chart) const {
    TextStyle caption;
    caption.size = 13;
    caption.italic = true;
    caption.alignment = PANGO_ALIGN_CENTER;
    return layout(chart.caption, caption, kTextWidth);
  }

  double chart_height(const Chart& chart) const {
    const double caption = chart.caption.empty() ? 0 : layout_height(chart_caption(chart).get()) + 4;
    return kChartAspect * kTextWidth + caption;
  }

  // A chart as wide as the text, its caption under it, both on one page.
  void draw_chart(const Chart& chart) {
    space(kParagraphSpaceBefore);
    ensure_room(chart_height(chart));
    const double height = kChartAspect * kTextWidth;
    report::draw_chart(cr_, font_map_, chart, {kMarginLeft, y_, kTextWidth, height});
    y_ += height;
    if (!chart.caption.empty()) {
      y_ += 4;
      flow(chart_caption(chart).get(), kMarginLeft);
    }
  }

  // "Nơi nhận:" and the recipients on the left, the signature on the right; kept on one page.
  void closing_block() {
    TextStyle label;
    label.size = 12;
    label.bold = true;
    label.italic = true;
    const GObjectPtr<PangoLayout> recipients_label =
        layout(document_.language == "en" ? "Recipients:" : "Nơi nhận:", label, kLeftColumnWidth);
    std::string recipient_lines;
    for (const std::string& recipient : document_.recipients) {
      if (!recipient_lines.empty()) recipient_lines += '\n';
      recipient_lines += recipient;
    }
    TextStyle recipient_style;
    recipient_style.size = 11;
    const GObjectPtr<PangoLayout> recipients = layout(recipient_lines, recipient_style, kLeftColumnWidth);
    const double left_height = layout_height(recipients_label.get()) +
                               (document_.recipients.empty() ? 0 : layout_height(recipients.get()));

    const Signature& signature = document_.signature;
    TextStyle signer;
    signer.bold = true;
    signer.alignment = PANGO_ALIGN_CENTER;
    std::string above;
    for (const std::string& line : signature.authority) above += (above.empty() ? "" : "\n") + line;
    if (!signature.position.empty()) above += (above.empty() ? "" : "\n") + signature.position;
    const GObjectPtr<PangoLayout> authority = layout(above, signer, kRightColumnWidth);
    const GObjectPtr<PangoLayout> name = layout(signature.name, signer, kRightColumnWidth);
    const double authority_height = above.empty() ? 0 : layout_height(authority.get());
    const double right_height = authority_height + kSignatureRoom + layout_height(name.get());

    space(18);
    ensure_room(std::max(left_height, right_height));
    ink();
    const double top = y_;
    report::show_layout_at(cr_, recipients_label.get(), kMarginLeft, top);
    if (!document_.recipients.empty()) {
      report::show_layout_at(cr_, recipients.get(), kMarginLeft, top + layout_height(recipients_label.get()));
    }
    if (!above.empty()) report::show_layout_at(cr_, authority.get(), kRightColumnX, top);
    if (!signature.name.empty()) {
      report::show_layout_at(cr_, name.get(), kRightColumnX, top + authority_height + kSignatureRoom);
    }
    y_ = top + std::max(left_height, right_height);
  }

  cairo_t* cr_;
  PangoFontMap* font_map_;
  const ReportDocument& document_;
  GObjectPtr<PangoContext> context_;
  int page_ = 1;
  double y_ = kMarginTop;
};

Status cairo_error(std::string_view what, cairo_status_t status) {
  return Status::internal("PDF report: " + std::string(what) + ": " + cairo_status_to_string(status));
}

}  // namespace

Result<std::string> render_pdf(const ReportDocument& document) {
  std::string pdf;
  report::CairoSurfacePtr surface(
      cairo_pdf_surface_create_for_stream(report::append_to_string, &pdf, kPageWidth, kPageHeight));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return cairo_error("surface", cairo_surface_status(surface.get()));
  }
  const std::string title = report::valid_utf8(document.header.title);
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "qpan");
  if (document.header.date) {
    // The report's date rather than the clock's: the same document gives the same bytes.
    const std::string date = format_date(*document.header.date) + "T00:00:00";
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, date.c_str());
  }
  {
    report::CairoPtr cr(cairo_create(surface.get()));
    // A font map per call: Pango font maps are not thread-safe, and reports may be rendered
    // on several threads at once.
    GObjectPtr<PangoFontMap> font_map(pango_cairo_font_map_new());
    PdfComposer(cr.get(), font_map.get(), document).compose();
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) return cairo_error("drawing", cairo_status(cr.get()));
  }
  cairo_surface_finish(surface.get());
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return cairo_error("writing", cairo_surface_status(surface.get()));
  }
  return pdf;
}

}  // namespace qpan
