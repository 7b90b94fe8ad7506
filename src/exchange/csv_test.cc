// Tests for the CSV reader and writer: quoting, line numbers, BOM, CRLF, errors.
#include "exchange/csv.h"

#include <gtest/gtest.h>

namespace qpan::csv {
namespace {

std::vector<std::vector<std::string>> read_all(std::string_view text, std::vector<int64_t>* lines = nullptr) {
  Reader reader(text);
  std::vector<std::string_view> fields;
  std::vector<std::vector<std::string>> out;
  while (reader.next(fields)) {
    EXPECT_EQ(reader.error(), "");
    out.emplace_back(fields.begin(), fields.end());
    if (lines) lines->push_back(reader.line());
  }
  return out;
}

TEST(CsvReader, SplitsPlainFields) {
  auto rows = read_all("a,b,c\n1,,3\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "", "3"}));
}

TEST(CsvReader, HandlesQuotesCommasAndLineBreaks) {
  std::vector<int64_t> lines;
  auto rows = read_all("x,\"a, \"\"b\"\"\nc\",y\nnext,row,here\n", &lines);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][1], "a, \"b\"\nc");
  EXPECT_EQ(rows[0][2], "y");
  EXPECT_EQ(lines, (std::vector<int64_t>{1, 3}));  // the quoted break spans line 2
}

TEST(CsvReader, SkipsBomAndBlankLinesAndAcceptsCrlf) {
  std::vector<int64_t> lines;
  auto rows = read_all("\xEF\xBB\xBFh1,h2\r\n\r\nv1,v2\r\nlast,row", &lines);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][0], "h1");
  EXPECT_EQ(rows[1], (std::vector<std::string>{"v1", "v2"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"last", "row"}));
  EXPECT_EQ(lines, (std::vector<int64_t>{1, 3, 4}));
}

TEST(CsvReader, TrailingCommaMeansAnEmptyLastField) {
  auto rows = read_all("a,b,\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].size(), 3u);
}

TEST(CsvReader, ReportsUnterminatedQuote) {
  Reader reader("ok,row\nbad,\"never closed\nmore\n");
  std::vector<std::string_view> fields;
  ASSERT_TRUE(reader.next(fields));
  ASSERT_TRUE(reader.next(fields));
  EXPECT_EQ(reader.line(), 2);
  EXPECT_EQ(reader.error(), "unterminated quoted field");
  EXPECT_EQ(reader.error_column(), 2);
  EXPECT_FALSE(reader.next(fields));
}

TEST(CsvReader, ReportsTextAfterClosingQuoteAndResumes) {
  Reader reader("\"a\"b,c\nnext,line\n");
  std::vector<std::string_view> fields;
  ASSERT_TRUE(reader.next(fields));
  EXPECT_EQ(reader.error(), "text after a closing quote");
  EXPECT_EQ(reader.error_column(), 1);
  ASSERT_TRUE(reader.next(fields));
  EXPECT_EQ(reader.error(), "");
  EXPECT_EQ(reader.line(), 2);
  EXPECT_EQ(fields[0], "next");
}

TEST(CsvWriter, QuotesOnlyWhenNeeded) {
  std::string out;
  append_field(out, "plain");
  out += ',';
  append_field(out, "a, \"b\"\nc");
  EXPECT_EQ(out, "plain,\"a, \"\"b\"\"\nc\"");
  auto rows = read_all(out + "\n");
  EXPECT_EQ(rows[0][1], "a, \"b\"\nc");
}

}  // namespace
}  // namespace qpan::csv
