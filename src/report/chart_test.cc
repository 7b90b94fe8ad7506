// Tests of the charts (report/chart.h, render_chart_png): the PNG is a PNG of the asked size,
// the plot is drawn, bars and lines follow the values, and degenerate charts still draw.
#include <cairo.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "qpan/report_render.h"
#include "report/chart.h"
#include "report/chart_cairo.h"

namespace qpan {
namespace {

using report::CairoSurfacePtr;
using report::chart_series_colour;
using report::ChartColour;

Chart bar_chart(std::vector<std::string> labels, std::vector<std::optional<double>> values) {
  Chart chart;
  chart.kind = Chart::Kind::kBar;
  chart.caption = "Biểu đồ 1. Số vụ phạm tội về TTXH theo huyện";
  chart.unit = "vụ";
  chart.labels = std::move(labels);
  chart.series.push_back({"Số vụ", std::move(values)});
  return chart;
}

uint32_t big_endian_u32(const std::string& bytes, size_t offset) {
  uint32_t value = 0;
  for (size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<unsigned char>(bytes[offset + i]);
  return value;
}

// The signature and the IHDR chunk (always first) of a PNG file.
void expect_png_of_size(const std::string& png, int width, int height) {
  ASSERT_GE(png.size(), 33u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(big_endian_u32(png, 16), static_cast<uint32_t>(width));
  EXPECT_EQ(big_endian_u32(png, 20), static_cast<uint32_t>(height));
}

// A decoded image, read back through Cairo's PNG reader.
class Image {
 public:
  explicit Image(const std::string& png) : png_(png) {
    surface_.reset(cairo_image_surface_create_from_png_stream(&Image::read, this));
  }
  bool ok() const { return cairo_surface_status(surface_.get()) == CAIRO_STATUS_SUCCESS; }
  int width() const { return cairo_image_surface_get_width(surface_.get()); }
  int height() const { return cairo_image_surface_get_height(surface_.get()); }

  // The pixel's colour as 0xRRGGBB (the surface has no transparency to unpremultiply).
  uint32_t rgb(int x, int y) const {
    const unsigned char* row = cairo_image_surface_get_data(surface_.get()) +
                               static_cast<ptrdiff_t>(y) * cairo_image_surface_get_stride(surface_.get());
    uint32_t pixel;
    std::memcpy(&pixel, row + 4 * x, 4);
    return pixel & 0xFFFFFFu;
  }
  bool is(int x, int y, const ChartColour& colour) const {
    const uint32_t expected = static_cast<uint32_t>(std::lround(colour.red * 255)) << 16 |
                              static_cast<uint32_t>(std::lround(colour.green * 255)) << 8 |
                              static_cast<uint32_t>(std::lround(colour.blue * 255));
    return rgb(x, y) == expected;
  }
  int count(int x0, int y0, int x1, int y1, const ChartColour& colour) const {
    int n = 0;
    for (int y = y0; y < y1; ++y) {
      for (int x = x0; x < x1; ++x) n += is(x, y, colour) ? 1 : 0;
    }
    return n;
  }
  // The tallest run of `colour` in one column among the columns [x0, x1): a bar's height.
  int tallest_column(int x0, int x1, const ChartColour& colour) const {
    int tallest = 0;
    for (int x = x0; x < x1; ++x) tallest = std::max(tallest, count(x, 0, x + 1, height(), colour));
    return tallest;
  }
  // The lowest (largest) y of `colour` in the columns [x0, x1), or -1.
  int lowest_y(int x0, int x1, const ChartColour& colour) const {
    for (int y = height() - 1; y >= 0; --y) {
      if (count(x0, y, x1, y + 1, colour) > 0) return y;
    }
    return -1;
  }
  int highest_y(int x0, int x1, const ChartColour& colour) const {
    for (int y = 0; y < height(); ++y) {
      if (count(x0, y, x1, y + 1, colour) > 0) return y;
    }
    return -1;
  }

 private:
  static cairo_status_t read(void* closure, unsigned char* data, unsigned int length) {
    auto* self = static_cast<Image*>(closure);
    if (self->offset_ + length > self->png_.size()) return CAIRO_STATUS_READ_ERROR;
    std::memcpy(data, self->png_.data() + self->offset_, length);
    self->offset_ += length;
    return CAIRO_STATUS_SUCCESS;
  }

  const std::string& png_;
  size_t offset_ = 0;
  CairoSurfacePtr surface_;
};

constexpr ChartColour kWhite = {1, 1, 1};

TEST(ChartPng, IsAPngOfTheAskedSize) {
  const auto png = render_chart_png(bar_chart({"Mường Tè", "Nậm Nhùn", "Phong Thổ"}, {449, 364, 120}), 800, 440);
  ASSERT_TRUE(png.is_ok()) << png.status().message();
  expect_png_of_size(*png, 800, 440);
  const Image image(*png);
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image.width(), 800);
  EXPECT_EQ(image.height(), 440);
}

TEST(ChartPng, DrawsThePlotArea) {
  for (const Chart::Kind kind : {Chart::Kind::kBar, Chart::Kind::kLine}) {
    Chart chart = bar_chart({"2016", "2017", "2018", "6/2018"}, {449, 512, 380, 210});
    chart.kind = kind;
    const auto png = render_chart_png(chart, 800, 440);
    ASSERT_TRUE(png.is_ok()) << png.status().message();
    const Image image(*png);
    ASSERT_TRUE(image.ok());
    // The middle of the image, away from the margins, holds the plot: mostly white, but with
    // ink (grid, bars or line) and the series' own colour.
    const int inked = 480 * 300 - image.count(160, 60, 640, 360, kWhite);
    EXPECT_GT(inked, 2000) << (kind == Chart::Kind::kBar ? "bar" : "line");
    EXPECT_GT(image.count(0, 0, 800, 440, chart_series_colour(0)), kind == Chart::Kind::kBar ? 20000 : 300);
    // The text (tick and axis labels) is drawn too: dark pixels left of the plot and below it.
    EXPECT_LT(image.count(0, 40, 40, 380, kWhite), 40 * 340) << "tick labels";
    EXPECT_LT(image.count(60, 400, 800, 440, kWhite), 740 * 40) << "labels under the axis";
  }
}

TEST(ChartPng, LargerValueDrawsTallerBar) {
  const auto png = render_chart_png(bar_chart({"A", "B", "C"}, {10, 40, 25}), 900, 500);
  ASSERT_TRUE(png.is_ok()) << png.status().message();
  const Image image(*png);
  ASSERT_TRUE(image.ok());
  const ChartColour bar = chart_series_colour(0);
  // Each third of the image holds one label's bar.
  const int a = image.tallest_column(0, 300, bar);
  const int b = image.tallest_column(300, 600, bar);
  const int c = image.tallest_column(600, 900, bar);
  EXPECT_GT(a, 10);
  EXPECT_GT(b, c);
  EXPECT_GT(c, a);
  // From a zero baseline the heights are proportional to the values (the edge is anti-aliased).
  EXPECT_NEAR(static_cast<double>(b) / a, 4.0, 0.25);
  EXPECT_NEAR(static_cast<double>(c) / a, 2.5, 0.2);
  // All bars stand on the same baseline.
  EXPECT_NEAR(image.lowest_y(0, 300, bar), image.lowest_y(600, 900, bar), 1);
}

TEST(ChartPng, NegativeValueHangsBelowTheBaseline) {
  const auto png = render_chart_png(bar_chart({"2017", "2018"}, {-20, 30}), 800, 440);
  ASSERT_TRUE(png.is_ok()) << png.status().message();
  const Image image(*png);
  ASSERT_TRUE(image.ok());
  const ChartColour bar = chart_series_colour(0);
  // The negative bar starts where the positive one ends: at the zero line.
  EXPECT_GT(image.highest_y(0, 400, bar), image.lowest_y(400, 800, bar) - 2);
  EXPECT_NEAR(static_cast<double>(image.tallest_column(400, 800, bar)) / image.tallest_column(0, 400, bar), 1.5, 0.1);
}

TEST(ChartPng, LineBreaksAtMissingValues) {
  Chart chart = bar_chart({"2016", "2017", "2018"}, {300, 300, 300});
  chart.kind = Chart::Kind::kLine;
  const ChartColour line = chart_series_colour(0);
  const auto whole = render_chart_png(chart, 900, 400);
  chart.series[0].values[1].reset();
  const auto gapped = render_chart_png(chart, 900, 400);
  ASSERT_TRUE(whole.is_ok() && gapped.is_ok());
  const Image whole_image(*whole);
  const Image gapped_image(*gapped);
  // The middle third lies between the first and last points: the line crosses it only when
  // the middle value is there.
  EXPECT_GT(whole_image.count(320, 0, 580, 400, line), 200);
  EXPECT_EQ(gapped_image.count(320, 0, 580, 400, line), 0);
  // The markers of the points on both sides of the gap are still drawn.
  EXPECT_GT(gapped_image.count(0, 0, 300, 400, line), 10);
  EXPECT_GT(gapped_image.count(600, 0, 900, 400, line), 10);
}

TEST(ChartPng, LegendNamesEverySeries) {
  Chart chart = bar_chart({"Mường Tè", "Nậm Nhùn"}, {12, 7});
  const ChartColour second = chart_series_colour(1);
  const auto single = render_chart_png(chart, 800, 440);
  // The second series has no values: its colour can only come from its legend swatch.
  chart.series.push_back({"Năm 2017", {std::nullopt, std::nullopt}});
  const auto pair = render_chart_png(chart, 800, 440);
  ASSERT_TRUE(single.is_ok() && pair.is_ok());
  EXPECT_EQ(Image(*single).count(0, 0, 800, 440, second), 0);
  const Image image(*pair);
  EXPECT_GT(image.count(0, 330, 800, 440, second), 50);
  EXPECT_EQ(image.count(0, 0, 800, 330, second), 0);
}

TEST(ChartPng, DegenerateChartsStillDraw) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<std::string> communes;
  for (int i = 0; i < 60; ++i) communes.push_back("Xã Thượng Mường Tè Nậm Nhùn Phong Thổ " + std::to_string(i));
  std::vector<std::optional<double>> many(60, 5.5);

  std::vector<Chart> charts;
  charts.push_back(bar_chart({}, {}));                                    // no labels
  charts.push_back(bar_chart({"2016", "2017"}, {std::nullopt, std::nullopt}));  // all missing
  charts.push_back(bar_chart({"2016", "2017"}, {0, 0}));                  // all zeros
  charts.push_back(bar_chart({"2016", "2017"}, {-5, -1250.5}));           // all negative
  charts.push_back(bar_chart({"Mường Tè"}, {7}));                         // one label
  charts.push_back(bar_chart({"2016", "2017", "2018"}, {3}));             // fewer values than labels
  charts.push_back(bar_chart({"2016", "2017", "2018"}, {nan, inf, 1e308})); // not figures
  charts.push_back(bar_chart(communes, many));                            // long crowded labels
  Chart no_series = bar_chart({"2016"}, {});
  no_series.series.clear();
  no_series.unit.clear();
  charts.push_back(no_series);
  Chart many_series = bar_chart({"2016", "2017"}, {1, 2});
  for (int i = 0; i < 9; ++i) many_series.series.push_back({"Chuỗi số liệu rất dài " + std::to_string(i), {2.0 * i, 1}});
  charts.push_back(many_series);

  for (const bool line : {false, true}) {
    for (Chart chart : charts) {
      if (line) chart.kind = Chart::Kind::kLine;
      for (const auto& [width, height] : {std::pair{800, 440}, std::pair{1, 1}, std::pair{120, 60}}) {
        const auto png = render_chart_png(chart, width, height);
        ASSERT_TRUE(png.is_ok()) << png.status().message();
        expect_png_of_size(*png, width, height);
        EXPECT_TRUE(Image(*png).ok());
      }
    }
  }
}

TEST(ChartPng, RejectsImpossibleSizes) {
  const Chart chart = bar_chart({"2016"}, {1});
  for (const auto& [width, height] : {std::pair{0, 100}, std::pair{100, -1}, std::pair{8001, 100}, std::pair{100, 100000}}) {
    const auto png = render_chart_png(chart, width, height);
    ASSERT_FALSE(png.is_ok());
    EXPECT_EQ(png.status().code(), StatusCode::kInvalidInput);
    EXPECT_NE(png.status().message().find("width and height"), std::string::npos) << png.status().message();
  }
  EXPECT_TRUE(render_chart_png(chart, 8000, 1).is_ok());
}

TEST(ChartPng, ThreadsDrawTheSameImage) {
  const Chart chart = bar_chart({"Mường Tè", "Nậm Nhùn", "Phong Thổ", "Tam Đường"}, {449, 364, 120, 98.9});
  const auto expected = render_chart_png(chart, 600, 330);
  ASSERT_TRUE(expected.is_ok());
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&chart, &result] {
      for (int i = 0; i < 3; ++i) {
        const auto png = render_chart_png(chart, 600, 330);
        result = png.is_ok() ? *png : std::string();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) EXPECT_EQ(result, *expected);
}

std::vector<double> tick_values(double min_value, double max_value) {
  std::vector<double> values;
  for (const auto& tick : report::chart_value_ticks(min_value, max_value)) values.push_back(tick.value);
  return values;
}

std::vector<std::string> tick_texts(double min_value, double max_value) {
  std::vector<std::string> texts;
  for (const auto& tick : report::chart_value_ticks(min_value, max_value)) texts.push_back(tick.text);
  return texts;
}

TEST(ChartTicks, NiceStepsFromZero) {
  EXPECT_EQ(tick_values(0, 449), (std::vector<double>{0, 100, 200, 300, 400, 500}));
  EXPECT_EQ(tick_texts(0, 1009), (std::vector<std::string>{"0", "250", "500", "750", "1.000", "1.250"}));
  EXPECT_EQ(tick_texts(0, 67.7), (std::vector<std::string>{"0", "20", "40", "60", "80"}));
  EXPECT_EQ(tick_texts(0, 0.9), (std::vector<std::string>{"0", "0,2", "0,4", "0,6", "0,8", "1"}));
  EXPECT_EQ(tick_texts(0, 4.4), (std::vector<std::string>{"0", "1", "2", "3", "4", "5"}));
  EXPECT_EQ(tick_texts(0, 12), (std::vector<std::string>{"0", "2,5", "5", "7,5", "10", "12,5"}));
  // Negative values: zero stays a tick, and does not print as "-0".
  EXPECT_EQ(tick_texts(-20, 30), (std::vector<std::string>{"-20", "-10", "0", "10", "20", "30"}));
  EXPECT_EQ(tick_texts(-1250.5, 0).back(), "0");
  // Nothing to show: an axis from 0 to 1.
  EXPECT_EQ(tick_values(0, 0).front(), 0);
  EXPECT_EQ(tick_values(0, 0).back(), 1);
  for (const auto& [low, high] : {std::pair{0.0, 1.0}, std::pair{0.0, 7.0}, std::pair{-3.0, 98.9}, std::pair{0.0, 41570000.25},
                                  std::pair{-1e300, 1e300}, std::pair{0.0, 1e-9}, std::pair{-449.0, 0.0}}) {
    const auto values = tick_values(low, high);
    EXPECT_GE(values.size(), 4u) << low << ".." << high;
    EXPECT_LE(values.size(), 6u) << low << ".." << high;
    EXPECT_LE(values.front(), std::min(low, 0.0));
    EXPECT_GE(values.back(), std::max(high, 0.0));
    EXPECT_NE(std::find(values.begin(), values.end(), 0.0), values.end()) << low << ".." << high;
  }
}

}  // namespace
}  // namespace qpan
