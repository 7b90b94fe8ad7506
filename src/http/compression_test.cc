// gzip of answers: what goes out unpacks (zlib's own inflate, in gzip mode) to what went in,
// and only text types are taken for compression.
#include "http/compression.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace qpan::http {
namespace {

std::string gunzip(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string out;
  char buffer[4096];
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  inflateEnd(&stream);
  EXPECT_EQ(result, Z_STREAM_END);
  return out;
}

TEST(CompressionTest, GzipRoundTrips) {
  std::string json = "{\"rows\":[";
  for (int i = 0; i < 2000; ++i) json += "[\"crime.ttxh.cases\",\"03400\",\"2020" + std::to_string(i % 12) + "\",\"7\"],";
  json += "[]]}";
  for (const std::string& input : {std::string(), std::string("x"), std::string("Mường Tè, Thượng"), json}) {
    std::optional<std::string> packed = gzip_compress(input);
    ASSERT_TRUE(packed.has_value());
    ASSERT_GE(packed->size(), 2u);
    EXPECT_EQ(static_cast<unsigned char>((*packed)[0]), 0x1f) << "gzip magic";
    EXPECT_EQ(static_cast<unsigned char>((*packed)[1]), 0x8b) << "gzip magic";
    EXPECT_EQ(gunzip(*packed), input);
  }
  EXPECT_LT(gzip_compress(json)->size(), json.size() / 5);
}

TEST(CompressionTest, TextTypesOnly) {
  for (const char* type : {"application/json; charset=utf-8", "text/csv; charset=utf-8", "text/html; charset=utf-8",
                           "text/javascript; charset=utf-8", "image/svg+xml", "application/adx+xml"}) {
    EXPECT_TRUE(is_compressible_type(type)) << type;
  }
  for (const char* type : {"image/png", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           "application/octet-stream", "font/woff2", "application/jsonx"}) {
    EXPECT_FALSE(is_compressible_type(type)) << type;
  }
}

}  // namespace
}  // namespace qpan::http
