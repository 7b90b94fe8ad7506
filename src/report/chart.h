// The charts of review reports, drawn with Cairo and Pango: the one drawing that the PDF
// writer puts on its page and render_chart_png (qpan/report_render.h) puts on an image, so
// the chart is the same in every format.
#pragma once

#include <cairo.h>
#include <pango/pango.h>

#include <cstddef>
#include <string>
#include <vector>

#include "qpan/report_document.h"

namespace qpan::report {

// The rectangle a chart is drawn in, in the user space of the cairo_t.
struct ChartBox {
  double x = 0;
  double y = 0;
  double width = 0;
  double height = 0;
};

// Draws `chart` inside `box`: the value axis from a zero baseline with 4–6 ticks in
// Vietnamese number form and the unit at its top, the labels under the horizontal axis
// (wrapped or slanted when long), the series (bars grouped per label, or one line with
// markers per series, broken at missing values), and a legend when there are several series.
// The caption is not drawn: the writers set it under the chart as text.
// Text and lines are sized in proportion to the box width, as if the chart were printed at
// the width of an A4 text column (about 16.5 cm), so a PNG placed in a DOCX at that width
// reads like the PDF's chart. Text is laid out with `font_map`, which the caller owns and
// must not share between threads (Pango font maps are not thread-safe). Never fails: charts
// without labels or values draw bare axes. Leaves `cr`'s state as it found it.
void draw_chart(cairo_t* cr, PangoFontMap* font_map, const Chart& chart, const ChartBox& box);

// The value axis of a chart whose values span [min_value, max_value]: 4–6 ticks at a "nice"
// step (1, 2, 2.5 or 5 × 10^k) from a zero baseline, always including zero, ascending, each
// with its text in Vietnamese number form ("1.250", "0,5", "-20").
struct ChartTick {
  double value = 0;
  std::string text;
};
std::vector<ChartTick> chart_value_ticks(double min_value, double max_value);

// The colour of series `index` (cycling through the palette). The colours differ in
// lightness, so that the series stay apart when the report is printed in grey.
struct ChartColour {
  double red = 0;
  double green = 0;
  double blue = 0;
};
ChartColour chart_series_colour(std::size_t index);

}  // namespace qpan::report
