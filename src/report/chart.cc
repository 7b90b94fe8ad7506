// The charts of review reports drawn with Cairo, their text set with Pango (report/chart.h),
// and render_chart_png: the same drawing on an image, for the DOCX and HTML writers.
#include "report/chart.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/number_format.h"
#include "qpan/report_render.h"
#include "report/chart_cairo.h"

// fontconfig keeps its configuration for the life of the process (only FcFini frees it, and
// a library must not call that while other threads may use fonts); LeakSanitizer would report
// it at the exit of every program that draws text (qpan, the servers, the tests). Only
// fontconfig's own allocations are suppressed. Here, in the file every text-drawing writer
// links, so that one definition serves each program; inert without the sanitizers.
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }

namespace qpan::report {
namespace {

// The width of an A4 text column in points (210 mm − 30 mm − 15 mm): at this box width the
// chart's text and lines have their nominal sizes in points.
constexpr double kReferenceWidth = 467.72;
// The size of the chart's text in points at the reference width: smaller than the body's
// 14 pt, as figures' annotations are.
constexpr double kTextSize = 10;
constexpr double kLegendGap = 14;  // points between legend items
constexpr double kSin45 = 0.70710678118654752;
constexpr double kPi = 3.14159265358979323846;
// Values beyond this are not figures of a report; clamping them keeps the axis arithmetic
// finite (the range of ±1e300 still fits a double).
constexpr double kLargestValue = 1e300;

constexpr ChartColour kPalette[] = {
    {0x1F / 255.0, 0x3A / 255.0, 0x68 / 255.0},  // navy: dark grey in print
    {0xC0 / 255.0, 0x78 / 255.0, 0x2A / 255.0},  // ochre: middle grey
    {0xB9 / 255.0, 0xCB / 255.0, 0xE0 / 255.0},  // pale blue: light grey
    {0x5A / 255.0, 0x5A / 255.0, 0x5A / 255.0},  // graphite
    {0x8E / 255.0, 0x3B / 255.0, 0x2F / 255.0},  // brick
    {0xE6 / 255.0, 0xC7 / 255.0, 0x8A / 255.0},  // sand
};
constexpr ChartColour kInk = {0.10, 0.10, 0.10};
constexpr ChartColour kAxis = {0.25, 0.25, 0.25};
constexpr ChartColour kGrid = {0.85, 0.85, 0.85};

void set_colour(cairo_t* cr, const ChartColour& colour) {
  cairo_set_source_rgb(cr, colour.red, colour.green, colour.blue);
}

// The value of `series` at label `index`, or nullopt when it is missing (absent, nullopt,
// NaN or infinite: nothing is drawn for it).
std::optional<double> value_at(const ChartSeries& series, std::size_t index) {
  if (index >= series.values.size() || !series.values[index] || !std::isfinite(*series.values[index])) {
    return std::nullopt;
  }
  return std::clamp(*series.values[index], -kLargestValue, kLargestValue);
}

// The value axis: `count` ticks at (first_index + i) × step, always including zero.
struct ValueAxis {
  double first_index = 0;
  int count = 2;
  double step = 1;
  int decimals = 0;

  // `+ 0.0` turns a negative zero into zero, which must not print as "-0".
  double tick(int i) const { return (first_index + i) * step + 0.0; }
};

// The decimals a tick label needs to show `step` exactly (2.5 → 1, 0.25 → 2, 200 → 0).
int decimals_of(double step) {
  for (int decimals = 0; decimals < 10; ++decimals) {
    const double scaled = step * std::pow(10.0, decimals);
    if (std::fabs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled)) return decimals;
  }
  return 10;
}

// 4–6 "nice" ticks (steps of 1, 2, 2.5 or 5 × 10^k) from a zero baseline over the values.
// The smallest step of at least range / 5 gives at least 3 intervals, because consecutive
// nice steps differ by at most a factor of 2.
ValueAxis nice_value_axis(double min_value, double max_value) {
  const double low = std::min(0.0, min_value);
  double high = std::max(0.0, max_value);
  if (!(high > low)) high = low + 1;  // all values zero or missing: an axis 0..1
  const double rough = (high - low) / 5;
  double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
  for (int attempt = 0; attempt < 3; ++attempt, magnitude *= 10) {
    for (const double mantissa : {1.0, 2.0, 2.5, 5.0}) {
      const double step = mantissa * magnitude;
      if (step < rough * (1 - 1e-9)) continue;
      const double first = std::floor(low / step + 1e-9);
      const double last = std::ceil(high / step - 1e-9);
      if (last - first + 1 <= 6) {
        return {first, static_cast<int>(last - first) + 1, step, decimals_of(step)};
      }
    }
  }
  return {0, 2, high - low, 0};  // unreachable for finite values; a plain axis otherwise
}

// How the labels under the horizontal axis are set: on one line, wrapped at word boundaries
// within their slot, or slanted at 45° (every `every`-th label when slots are too narrow even
// for slanted text).
enum class LabelMode { kLevel, kWrapped, kSlanted };

class ChartPainter {
 public:
  ChartPainter(cairo_t* cr, PangoContext* context, const Chart& chart, const ChartBox& box)
      : cr_(cr), context_(context), chart_(chart), box_(box),
        scale_(std::max(box.width, 1.0) / kReferenceWidth) {}

  void paint() {
    const std::vector<ChartTick> ticks = value_ticks();
    std::vector<GObjectPtr<PangoLayout>> tick_labels;
    double tick_label_width = 0;
    for (const ChartTick& tick : ticks) {
      tick_labels.push_back(text(tick.text, kTextSize));
      tick_label_width = std::max(tick_label_width, layout_width(tick_labels.back().get()));
    }
    const double line_height = layout_height(tick_labels.front().get());

    GObjectPtr<PangoLayout> unit = text(chart_.unit, kTextSize, false, true);
    const double top = (chart_.unit.empty() ? line_height / 2 : layout_height(unit.get()) + pt(4)) + pt(3);
    const double legend_height = chart_.series.size() > 1 ? plan_legend() : 0;

    left_ = box_.x + tick_label_width + pt(8);
    right_ = box_.x + box_.width - pt(8);
    plan_labels(line_height);

    plot_top_ = box_.y + top;
    plot_bottom_ = box_.y + box_.height - legend_height - label_height_ - pt(6);
    if (plot_bottom_ < plot_top_ + 1) plot_bottom_ = plot_top_ + 1;  // a degenerate box
    low_ = ticks.front().value;
    high_ = ticks.back().value;

    cairo_save(cr_);
    cairo_set_line_cap(cr_, CAIRO_LINE_CAP_BUTT);
    draw_grid(ticks, tick_labels);
    if (chart_.kind == Chart::Kind::kBar) {
      draw_bars();
    } else {
      draw_lines();
    }
    draw_axes();
    draw_labels();
    if (!chart_.unit.empty()) {
      const double unit_width = layout_width(unit.get());
      set_colour(cr_, kInk);
      show_layout_at(cr_, unit.get(), std::max(box_.x, left_ - unit_width / 2), box_.y + pt(2));
    }
    if (legend_height > 0) draw_legend(box_.y + box_.height - legend_height);
    cairo_restore(cr_);
  }

 private:
  double pt(double points) const { return points * scale_; }

  GObjectPtr<PangoLayout> text(std::string_view s, double size_pt, bool bold = false,
                               bool italic = false) const {
    const FontPtr font = report_font(pt(size_pt), bold, italic);
    return make_layout(context_, s, font.get());
  }

  std::size_t label_count() const { return chart_.labels.size(); }
  double slot_width() const {
    return label_count() == 0 ? 0 : (right_ - left_) / static_cast<double>(label_count());
  }
  double slot_centre(std::size_t index) const { return left_ + (static_cast<double>(index) + 0.5) * slot_width(); }
  double y_of(double value) const {
    return plot_bottom_ - (value - low_) / (high_ - low_) * (plot_bottom_ - plot_top_);
  }

  std::vector<ChartTick> value_ticks() const {
    double min_value = 0;
    double max_value = 0;
    for (const ChartSeries& series : chart_.series) {
      for (std::size_t i = 0; i < label_count(); ++i) {
        if (const auto value = value_at(series, i)) {
          min_value = std::min(min_value, *value);
          max_value = std::max(max_value, *value);
        }
      }
    }
    return chart_value_ticks(min_value, max_value);
  }

  // Chooses how to set the labels and the height they take under the plot.
  void plan_labels(double line_height) {
    label_height_ = 0;
    if (label_count() == 0) return;
    const double room = slot_width() * 0.94;
    bool level = true;
    for (const std::string& label : chart_.labels) {
      labels_.push_back(text(label, kTextSize));
      level = level && layout_width(labels_.back().get()) <= room;
    }
    if (level) {
      label_mode_ = LabelMode::kLevel;
      for (const auto& layout : labels_) label_height_ = std::max(label_height_, layout_height(layout.get()));
      return;
    }
    if (wrap_labels(room)) {
      label_mode_ = LabelMode::kWrapped;
      for (const auto& layout : labels_) label_height_ = std::max(label_height_, layout_height(layout.get()));
      return;
    }
    // Slanted: text rises to the right and ends at its slot's centre. Long names are cut
    // with an ellipsis so that the labels take at most ~40 % of the chart's height.
    label_mode_ = LabelMode::kSlanted;
    for (auto& layout : labels_) pango_layout_set_alignment(layout.get(), PANGO_ALIGN_LEFT);
    const double longest = std::max(pt(40), 0.4 * box_.height / kSin45 - line_height);
    double widest = 0;
    for (auto& layout : labels_) {
      pango_layout_set_width(layout.get(), -1);
      pango_layout_set_ellipsize(layout.get(), PANGO_ELLIPSIZE_END);
      pango_layout_set_width(layout.get(), static_cast<int>(longest * PANGO_SCALE));
      widest = std::max(widest, layout_width(layout.get()));
    }
    // The first label reaches left of its slot; make room for it beside the tick labels.
    const double first_reach = kSin45 * layout_width(labels_.front().get()) + kSin45 * line_height / 2;
    left_ = std::max(left_, box_.x + pt(2) + first_reach - slot_width() / 2);
    label_every_ = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::ceil(line_height * 1.1 / std::max(slot_width() * kSin45, 1e-9))));
    label_height_ = kSin45 * (widest + line_height);
  }

  // Wraps each label at word boundaries within `room`; false when a word is wider than its
  // slot or a label needs more than three lines.
  bool wrap_labels(double room) {
    for (auto& layout : labels_) {
      pango_layout_set_width(layout.get(), static_cast<int>(room * PANGO_SCALE));
      pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD);
      pango_layout_set_alignment(layout.get(), PANGO_ALIGN_CENTER);
      if (pango_layout_get_line_count(layout.get()) > 3) return false;
      for (GSList* line = pango_layout_get_lines_readonly(layout.get()); line != nullptr; line = line->next) {
        PangoRectangle logical;
        pango_layout_line_get_extents(static_cast<PangoLayoutLine*>(line->data), nullptr, &logical);
        if (logical.width > room * PANGO_SCALE + 1) return false;
      }
    }
    return true;
  }

  // Lays the legend's items out in rows, left to right, each row to be centred in the box;
  // returns the height the legend takes.
  double plan_legend() {
    const double max_name = box_.width * 0.6;
    legend_rows_.emplace_back();
    for (std::size_t s = 0; s < chart_.series.size(); ++s) {
      GObjectPtr<PangoLayout> name = text(chart_.series[s].name, kTextSize);
      pango_layout_set_ellipsize(name.get(), PANGO_ELLIPSIZE_END);
      pango_layout_set_width(name.get(), static_cast<int>(max_name * PANGO_SCALE));
      const double width = legend_swatch_width() + pt(4) + layout_width(name.get());
      LegendRow* row = &legend_rows_.back();
      if (row->width > 0 && row->width + pt(kLegendGap) + width > box_.width - pt(8)) {
        row = &legend_rows_.emplace_back();
      }
      row->width += (row->width > 0 ? pt(kLegendGap) : 0) + width;
      row->series.push_back(s);
      legend_row_height_ = std::max(legend_row_height_, layout_height(name.get()));
      legend_names_.push_back(std::move(name));
    }
    return static_cast<double>(legend_rows_.size()) * (legend_row_height_ + pt(2)) + pt(4);
  }

  double legend_swatch_width() const { return chart_.kind == Chart::Kind::kLine ? pt(20) : pt(10); }

  void draw_grid(const std::vector<ChartTick>& ticks, const std::vector<GObjectPtr<PangoLayout>>& tick_labels) {
    for (std::size_t i = 0; i < ticks.size(); ++i) {
      const double y = y_of(ticks[i].value);
      if (ticks[i].value != 0) {
        set_colour(cr_, kGrid);
        cairo_set_line_width(cr_, pt(0.5));
        cairo_move_to(cr_, left_, y);
        cairo_line_to(cr_, right_, y);
        cairo_stroke(cr_);
      }
      set_colour(cr_, kAxis);
      cairo_set_line_width(cr_, pt(0.8));
      cairo_move_to(cr_, left_ - pt(3), y);
      cairo_line_to(cr_, left_, y);
      cairo_stroke(cr_);
      PangoLayout* label = tick_labels[i].get();
      set_colour(cr_, kInk);
      show_layout_at(cr_, label, left_ - pt(5) - layout_width(label), y - layout_height(label) / 2);
    }
  }

  void draw_axes() {
    set_colour(cr_, kAxis);
    cairo_set_line_width(cr_, pt(0.8));
    cairo_move_to(cr_, left_, plot_top_);
    cairo_line_to(cr_, left_, plot_bottom_);
    cairo_stroke(cr_);
    cairo_set_line_width(cr_, pt(1));
    cairo_move_to(cr_, left_, y_of(0));
    cairo_line_to(cr_, right_, y_of(0));
    cairo_stroke(cr_);
  }

  void draw_labels() {
    const double top = plot_bottom_ + pt(4);
    set_colour(cr_, kInk);
    for (std::size_t i = 0; i < labels_.size(); ++i) {
      PangoLayout* label = labels_[i].get();
      const double centre = slot_centre(i);
      switch (label_mode_) {
        case LabelMode::kLevel:
          show_layout_at(cr_, label, centre - layout_width(label) / 2, top);
          break;
        case LabelMode::kWrapped: {
          // A wrapped layout is as wide as its slot; its lines are centred within it.
          int layout_box = pango_layout_get_width(label);
          show_layout_at(cr_, label, centre - static_cast<double>(layout_box) / PANGO_SCALE / 2, top);
          break;
        }
        case LabelMode::kSlanted: {
          if (i % label_every_ != 0) break;
          const double height = layout_height(label);
          cairo_save(cr_);
          // Rotated by −45° about the slot centre, the text's right end sits at the centre and
          // its top corner at `top`.
          cairo_translate(cr_, centre, top + kSin45 * height / 2);
          cairo_rotate(cr_, -kPi / 4);
          show_layout_at(cr_, label, -layout_width(label), -height / 2);
          cairo_restore(cr_);
          break;
        }
      }
    }
  }

  void draw_bars() {
    const std::size_t series_count = chart_.series.size();
    if (series_count == 0 || label_count() == 0) return;
    const double group = slot_width() * (series_count == 1 ? 0.56 : 0.78);
    const double bar = group / static_cast<double>(series_count);
    const double zero = y_of(0);
    for (std::size_t s = 0; s < series_count; ++s) {
      for (std::size_t i = 0; i < label_count(); ++i) {
        const auto value = value_at(chart_.series[s], i);
        if (!value) continue;
        const double x = slot_centre(i) - group / 2 + static_cast<double>(s) * bar;
        const double y = y_of(*value);
        cairo_rectangle(cr_, x, std::min(y, zero), bar, std::fabs(zero - y));
        set_colour(cr_, chart_series_colour(s));
        cairo_fill_preserve(cr_);
        // A thin dark edge keeps the pale colours apart from the white page.
        set_colour(cr_, kAxis);
        cairo_set_line_width(cr_, pt(0.4));
        cairo_stroke(cr_);
      }
    }
  }

  void set_dash(std::size_t series) {
    const double dashed[] = {pt(5), pt(2.5)};
    const double dotted[] = {pt(1.5), pt(2)};
    const double dash_dot[] = {pt(6), pt(2), pt(1.5), pt(2)};
    switch (series % 4) {
      case 0: cairo_set_dash(cr_, nullptr, 0, 0); break;
      case 1: cairo_set_dash(cr_, dashed, 2, 0); break;
      case 2: cairo_set_dash(cr_, dotted, 2, 0); break;
      default: cairo_set_dash(cr_, dash_dot, 4, 0); break;
    }
  }

  // A marker shape per series (circle, square, triangle, diamond) so that lines of a grey
  // print stay apart at the points too.
  void draw_marker(std::size_t series, double x, double y) {
    const double r = pt(3);
    switch (series % 4) {
      case 0: cairo_new_sub_path(cr_); cairo_arc(cr_, x, y, r, 0, 2 * kPi); break;
      case 1: cairo_rectangle(cr_, x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7); break;
      case 2:
        cairo_move_to(cr_, x, y - r * 1.1);
        cairo_line_to(cr_, x + r, y + r * 0.75);
        cairo_line_to(cr_, x - r, y + r * 0.75);
        cairo_close_path(cr_);
        break;
      default:
        cairo_move_to(cr_, x, y - r * 1.2);
        cairo_line_to(cr_, x + r, y);
        cairo_line_to(cr_, x, y + r * 1.2);
        cairo_line_to(cr_, x - r, y);
        cairo_close_path(cr_);
        break;
    }
    set_colour(cr_, chart_series_colour(series));
    cairo_fill_preserve(cr_);
    set_colour(cr_, kAxis);
    cairo_set_line_width(cr_, pt(0.5));
    cairo_set_dash(cr_, nullptr, 0, 0);
    cairo_stroke(cr_);
  }

  void draw_lines() {
    cairo_set_line_join(cr_, CAIRO_LINE_JOIN_ROUND);
    for (std::size_t s = 0; s < chart_.series.size(); ++s) {
      bool drawing = false;
      for (std::size_t i = 0; i < label_count(); ++i) {
        const auto value = value_at(chart_.series[s], i);
        if (!value) {
          drawing = false;  // a gap: the next value starts a new stretch
          continue;
        }
        if (drawing) {
          cairo_line_to(cr_, slot_centre(i), y_of(*value));
        } else {
          cairo_move_to(cr_, slot_centre(i), y_of(*value));
        }
        drawing = true;
      }
      set_colour(cr_, chart_series_colour(s));
      cairo_set_line_width(cr_, pt(1.6));
      set_dash(s);
      cairo_stroke(cr_);
      for (std::size_t i = 0; i < label_count(); ++i) {
        if (const auto value = value_at(chart_.series[s], i)) draw_marker(s, slot_centre(i), y_of(*value));
      }
    }
    cairo_set_dash(cr_, nullptr, 0, 0);
  }

  void draw_legend(double top) {
    double y = top + pt(4);
    for (const LegendRow& row : legend_rows_) {
      double x = box_.x + (box_.width - row.width) / 2;
      for (const std::size_t s : row.series) {
        const double middle = y + legend_row_height_ / 2;
        if (chart_.kind == Chart::Kind::kLine) {
          cairo_move_to(cr_, x, middle);
          cairo_line_to(cr_, x + legend_swatch_width(), middle);
          set_colour(cr_, chart_series_colour(s));
          cairo_set_line_width(cr_, pt(1.6));
          set_dash(s);
          cairo_stroke(cr_);
          draw_marker(s, x + legend_swatch_width() / 2, middle);
        } else {
          cairo_rectangle(cr_, x, middle - pt(3.5), legend_swatch_width(), pt(7));
          set_colour(cr_, chart_series_colour(s));
          cairo_fill_preserve(cr_);
          set_colour(cr_, kAxis);
          cairo_set_line_width(cr_, pt(0.4));
          cairo_stroke(cr_);
        }
        x += legend_swatch_width() + pt(4);
        PangoLayout* name = legend_names_[s].get();
        set_colour(cr_, kInk);
        show_layout_at(cr_, name, x, y);
        x += layout_width(name) + pt(kLegendGap);
      }
      y += legend_row_height_ + pt(2);
    }
  }

  cairo_t* cr_;
  PangoContext* context_;
  const Chart& chart_;
  const ChartBox box_;
  const double scale_;

  double left_ = 0;
  double right_ = 0;
  double plot_top_ = 0;
  double plot_bottom_ = 0;
  double low_ = 0;
  double high_ = 1;

  std::vector<GObjectPtr<PangoLayout>> labels_;
  LabelMode label_mode_ = LabelMode::kLevel;
  std::size_t label_every_ = 1;
  double label_height_ = 0;

  std::vector<GObjectPtr<PangoLayout>> legend_names_;
  struct LegendRow {
    std::vector<std::size_t> series;
    double width = 0;
  };
  std::vector<LegendRow> legend_rows_;
  double legend_row_height_ = 0;
};

}  // namespace

std::vector<ChartTick> chart_value_ticks(double min_value, double max_value) {
  const ValueAxis axis = nice_value_axis(std::clamp(min_value, -kLargestValue, kLargestValue),
                                         std::clamp(max_value, -kLargestValue, kLargestValue));
  std::vector<ChartTick> ticks;
  for (int i = 0; i < axis.count; ++i) ticks.push_back({axis.tick(i), format_number_vi(axis.tick(i), axis.decimals)});
  return ticks;
}

ChartColour chart_series_colour(std::size_t index) {
  return kPalette[index % (sizeof kPalette / sizeof kPalette[0])];
}

void draw_chart(cairo_t* cr, PangoFontMap* font_map, const Chart& chart, const ChartBox& box) {
  GObjectPtr<PangoContext> context(pango_font_map_create_context(font_map));
  // Unhinted metrics: text measures the same on a PDF page and on an image of any size.
  FontOptionsPtr options(cairo_font_options_create());
  cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(context.get(), options.get());
  pango_cairo_update_context(cr, context.get());
  ChartPainter(cr, context.get(), chart, box).paint();
}

}  // namespace qpan::report

namespace qpan {

Result<std::string> render_chart_png(const Chart& chart, int width, int height) {
  // Larger images are not charts of a report but a way to make the server allocate memory.
  constexpr int kLargestSide = 8000;
  if (width <= 0 || height <= 0 || width > kLargestSide || height > kLargestSide) {
    return Status::invalid_input("chart image: width and height must be 1.." + std::to_string(kLargestSide) +
                                 " pixels, not " + std::to_string(width) + " × " + std::to_string(height));
  }
  report::CairoSurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return Status::internal(std::string("chart image: ") + cairo_status_to_string(cairo_surface_status(surface.get())));
  }
  {
    report::CairoPtr cr(cairo_create(surface.get()));
    cairo_set_source_rgb(cr.get(), 1, 1, 1);
    cairo_paint(cr.get());
    // A font map per call: Pango font maps are not thread-safe, and render_chart_png may be
    // called from several threads at once.
    report::GObjectPtr<PangoFontMap> font_map(pango_cairo_font_map_new());
    report::draw_chart(cr.get(), font_map.get(), chart, {0, 0, static_cast<double>(width), static_cast<double>(height)});
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
      return Status::internal(std::string("chart image: ") + cairo_status_to_string(cairo_status(cr.get())));
    }
  }
  cairo_surface_flush(surface.get());
  std::string png;
  const cairo_status_t status = cairo_surface_write_to_png_stream(surface.get(), report::append_to_string, &png);
  if (status != CAIRO_STATUS_SUCCESS) {
    return Status::internal(std::string("chart image: PNG not written: ") + cairo_status_to_string(status));
  }
  return png;
}

}  // namespace qpan
