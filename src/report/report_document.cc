// The parts of a report's title block every writer draws the same way (qpan/report_document.h).
#include "qpan/report_document.h"

#include <cstdio>

namespace qpan {

std::string place_and_date_line(const ReportHeader& header) {
  std::string out = header.place.empty() ? std::string() : header.place + ", ";
  if (!header.date) return out + "ngày     tháng     năm 20…";
  char text[64];
  std::snprintf(text, sizeof text, "ngày %02u tháng %02u năm %d", static_cast<unsigned>(header.date->day()),
                static_cast<unsigned>(header.date->month()), static_cast<int>(header.date->year()));
  return out + text;
}

}  // namespace qpan
