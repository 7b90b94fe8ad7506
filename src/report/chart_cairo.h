// Owning handles of the Cairo and Pango objects that the chart and the PDF writer create, and
// the report's typeface, so that no early return leaks a reference.
#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include <memory>
#include <string>
#include <string_view>

namespace qpan::report {

struct GObjectUnref {
  void operator()(gpointer object) const { g_object_unref(object); }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct CairoRelease {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
  void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
};
using CairoPtr = std::unique_ptr<cairo_t, CairoRelease>;
using CairoSurfacePtr = std::unique_ptr<cairo_surface_t, CairoRelease>;

struct PangoRelease {
  void operator()(PangoFontDescription* font) const { pango_font_description_free(font); }
  void operator()(PangoAttrList* attributes) const { pango_attr_list_unref(attributes); }
  void operator()(cairo_font_options_t* options) const { cairo_font_options_destroy(options); }
};
using FontPtr = std::unique_ptr<PangoFontDescription, PangoRelease>;
using AttrListPtr = std::unique_ptr<PangoAttrList, PangoRelease>;
using FontOptionsPtr = std::unique_ptr<cairo_font_options_t, PangoRelease>;

// Times New Roman, as Decree 30/2020 asks; fontconfig resolves it to Liberation Serif (the
// same metrics, full Vietnamese coverage) where it is not installed. `size` is in user-space
// units: points on a PDF page, pixels on an image.
inline FontPtr report_font(double size, bool bold = false, bool italic = false) {
  FontPtr font(pango_font_description_from_string("Times New Roman, Liberation Serif, serif"));
  // Pango rejects a zero size; a degenerate tiny chart still gets a (tiny) font.
  pango_font_description_set_absolute_size(font.get(), (size < 0.5 ? 0.5 : size) * PANGO_SCALE);
  pango_font_description_set_weight(font.get(), bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_style(font.get(), italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
  return font;
}

// `text` when it is valid UTF-8, else a copy with U+FFFD for each invalid sequence: Pango
// and Cairo's PDF metadata take only valid UTF-8, and one bad byte in a unit's name must not
// cost the whole report.
inline std::string valid_utf8(std::string_view text) {
  if (g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr)) return std::string(text);
  gchar* valid = g_utf8_make_valid(text.data(), static_cast<gssize>(text.size()));
  std::string copy(valid);
  g_free(valid);
  return copy;
}

// A layout of plain `text` (not markup: report text may hold '<' and '&') in `font`.
inline GObjectPtr<PangoLayout> make_layout(PangoContext* context, std::string_view text,
                                           const PangoFontDescription* font) {
  GObjectPtr<PangoLayout> layout(pango_layout_new(context));
  pango_layout_set_font_description(layout.get(), font);
  const std::string valid = valid_utf8(text);
  pango_layout_set_text(layout.get(), valid.data(), static_cast<int>(valid.size()));
  return layout;
}

// The logical size of a layout in user-space units.
inline double layout_width(PangoLayout* layout) {
  int width = 0;
  pango_layout_get_size(layout, &width, nullptr);
  return static_cast<double>(width) / PANGO_SCALE;
}
inline double layout_height(PangoLayout* layout) {
  int height = 0;
  pango_layout_get_size(layout, nullptr, &height);
  return static_cast<double>(height) / PANGO_SCALE;
}

// A cairo_write_func_t that appends what Cairo writes to the std::string `closure`: PNG
// and PDF surfaces are written to memory, the caller decides where the bytes go.
inline cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// Draws `layout` with its top left corner at (x, y) of `cr`'s current user space.
inline void show_layout_at(cairo_t* cr, PangoLayout* layout, double x, double y) {
  cairo_move_to(cr, x, y);
  pango_cairo_update_layout(cr, layout);
  pango_cairo_show_layout(cr, layout);
}

}  // namespace qpan::report
