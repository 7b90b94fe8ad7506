// Tests of the binary COPY reader on a stream written out byte by byte here (PostgreSQL's
// documented format), cut into pieces at every position, and on broken streams.
#include "store/postgres_copy.h"

#include <gtest/gtest.h>

#include <vector>

namespace qpan::postgres {
namespace {

// The header, a row (bigint 202401, integer -2, NULL), a row (double 2.5, smallint 7) and
// the end marker.
const std::string kStream = std::string(
    "PGCOPY\n\xff\r\n\0"                    // signature
    "\0\0\0\0"                              // flags
    "\0\0\0\0"                              // header extension: none
    "\0\x03"                                // row 1: 3 fields
    "\0\0\0\x08" "\0\0\0\0\0\x03\x16\xa1"   //   202401
    "\0\0\0\x04" "\xff\xff\xff\xfe"         //   -2
    "\xff\xff\xff\xff"                      //   NULL
    "\0\x02"                                // row 2: 2 fields
    "\0\0\0\x08" "\x40\x04\0\0\0\0\0\0"     //   2.5
    "\0\0\0\x02" "\0\x07"                   //   7
    "\xff\xff",                             // end
    19 + 2 + 12 + 8 + 4 + 2 + 12 + 6 + 2);

// Each row as its fields read both ways ("i:… r:…", "-" where a reading refuses the width).
struct Seen {
  std::vector<std::string> rows;
  BinaryCopyParser::RowVisitor visitor() {
    return [this](const BinaryCopyRow& row) {
      std::string text;
      for (int i = 0; i < row.size(); ++i) {
        if (i > 0) text += ", ";
        if (row.is_null(i)) {
          text += "NULL";
          continue;
        }
        const std::optional<int64_t> integer = row.integer(i);
        const std::optional<double> real = row.real(i);
        text += "i:" + (integer ? std::to_string(*integer) : "-") + " r:" + (real ? std::to_string(*real) : "-");
      }
      rows.push_back(text);
      return Status::ok();
    };
  }
};

const std::vector<std::string> kRows = {"i:202401 r:0.000000, i:-2 r:-, NULL",
                                        "i:4612811918334230528 r:2.500000, i:7 r:-"};

TEST(BinaryCopyParserTest, ReadsRowsOfEveryWidthAndNull) {
  Seen seen;
  BinaryCopyParser parser;
  ASSERT_TRUE(parser.feed(kStream, seen.visitor()).is_ok());
  ASSERT_TRUE(parser.finish().is_ok()) << parser.finish().message();
  EXPECT_EQ(seen.rows, kRows);
  EXPECT_EQ(parser.rows(), 2);
}

TEST(BinaryCopyParserTest, PiecesCutAnywhereGiveTheSameRows) {
  for (size_t cut = 0; cut <= kStream.size(); ++cut) {
    Seen seen;
    BinaryCopyParser parser;
    ASSERT_TRUE(parser.feed(std::string_view(kStream).substr(0, cut), seen.visitor()).is_ok()) << cut;
    ASSERT_TRUE(parser.feed(std::string_view(kStream).substr(cut), seen.visitor()).is_ok()) << cut;
    EXPECT_TRUE(parser.finish().is_ok()) << cut;
    EXPECT_EQ(seen.rows, kRows) << cut;
  }
  Seen seen;
  BinaryCopyParser parser;
  for (char c : kStream) ASSERT_TRUE(parser.feed(std::string_view(&c, 1), seen.visitor()).is_ok());
  EXPECT_TRUE(parser.finish().is_ok());
  EXPECT_EQ(seen.rows, kRows);
}

// Feeds `stream` whole and returns the first error, from feed or finish.
std::string error_of(const std::string& stream) {
  Seen seen;
  BinaryCopyParser parser;
  Status s = parser.feed(stream, seen.visitor());
  if (s.is_ok()) s = parser.finish();
  return s.message();
}

TEST(BinaryCopyParserTest, ABrokenStreamNamesTheByteAndTheReason) {
  std::string text = kStream;
  text[0] = 'X';
  EXPECT_EQ(error_of(text), "PostgreSQL's binary COPY stream is broken at byte 0: not the signature of a binary COPY (PGCOPY)");
  std::string oids = kStream;
  oids[12] = '\x01';  // flag bit 16
  EXPECT_EQ(error_of(oids), "PostgreSQL's binary COPY stream is broken at byte 11: rows with OIDs are not read");
  std::string length = kStream;
  length[33] = '\xff';  // row 1, field 2's length: 0xff000004
  EXPECT_EQ(error_of(length),
            "PostgreSQL's binary COPY stream is broken at byte 33: field 2 has length -16777212");
  EXPECT_EQ(error_of(kStream.substr(0, 40)),
            "PostgreSQL's binary COPY stream is broken at byte 40: the stream ended inside a row");
  EXPECT_EQ(error_of(kStream.substr(0, kStream.size() - 2)),
            "PostgreSQL's binary COPY stream is broken at byte 65: the stream ended without its end marker");
  EXPECT_EQ(error_of(kStream + "x"),
            "PostgreSQL's binary COPY stream is broken at byte 67: bytes after the end marker");
  EXPECT_EQ(error_of(kStream.substr(0, 10)),
            "PostgreSQL's binary COPY stream is broken at byte 10: the stream ended before its header");
}

TEST(BinaryCopyParserTest, TheVisitorsErrorEndsTheStream) {
  BinaryCopyParser parser;
  int calls = 0;
  const auto refuse = [&](const BinaryCopyRow&) {
    ++calls;
    return Status::internal("not a value key");
  };
  EXPECT_EQ(parser.feed(kStream, refuse).message(), "not a value key");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(parser.feed("more", refuse).message(), "not a value key");
  EXPECT_EQ(parser.finish().message(), "not a value key");
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace qpan::postgres
