// Tests for UTF-8 validation, NFC, search keys, Vietnamese collation and list splitting.
#include "qpan/text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace qpan {
namespace {

TEST(Utf8, AcceptsValidText) {
  EXPECT_EQ(find_invalid_utf8("Lai Châu, Xã Pa ủ"), std::string_view::npos);
  EXPECT_EQ(find_invalid_utf8(""), std::string_view::npos);
  EXPECT_EQ(find_invalid_utf8("\xF0\x9F\x98\x80"), std::string_view::npos);  // emoji
}

TEST(Utf8, FindsFirstInvalidByte) {
  EXPECT_EQ(find_invalid_utf8("abc\xFF"), 3u);
  EXPECT_EQ(find_invalid_utf8("abcdefghij\xC3"), 10u);        // truncated sequence
  EXPECT_EQ(find_invalid_utf8("a\xC0\xAF"), 1u);              // overlong '/'
  EXPECT_EQ(find_invalid_utf8("ab\xED\xA0\x80"), 2u);         // surrogate
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);       // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("Châu\x80"), 5u);               // stray continuation byte
}

TEST(Nfc, ComposesDecomposedVietnamese) {
  // "Châu" typed with a combining circumflex (NFD) becomes the precomposed form.
  const std::string decomposed = "Cha\xCC\x82u";
  EXPECT_EQ(to_nfc(decomposed), "Châu");
  EXPECT_EQ(to_nfc("Châu"), "Châu");
  EXPECT_EQ(to_nfc("plain ascii"), "plain ascii");
}

TEST(SearchKey, IgnoresAccentsCaseAndSpacing) {
  EXPECT_EQ(search_key("Lai Châu"), "lai chau");
  EXPECT_EQ(search_key("LAI CHAU"), "lai chau");
  EXPECT_EQ(search_key("  lai   chau "), "lai chau");
  EXPECT_EQ(search_key("Điện Biên Phủ"), "dien bien phu");
  EXPECT_EQ(search_key("Thành phố Hồ Chí Minh"), "thanh pho ho chi minh");
  EXPECT_EQ(search_key("Cha\xCC\x82u"), "chau");
}

TEST(Collation, FollowsVietnameseAlphabet) {
  VietnameseCollator collator;
  // Vietnamese order: a < ă < â < b … d < đ < e < ê.
  EXPECT_LT(collator.compare("an", "ăn"), 0);
  EXPECT_LT(collator.compare("ăn", "ân"), 0);
  EXPECT_LT(collator.compare("dương", "đông"), 0);
  EXPECT_LT(collator.compare("đông", "em"), 0);
  std::vector<std::string> names = {"Yên Bái", "Điện Biên", "Lai Châu", "Đà Nẵng", "Bắc Kạn", "An Giang"};
  std::sort(names.begin(), names.end(),
            [&](const std::string& a, const std::string& b) { return collator.less(a, b); });
  std::vector<std::string> expected = {"An Giang", "Bắc Kạn", "Đà Nẵng", "Điện Biên", "Lai Châu", "Yên Bái"};
  EXPECT_EQ(names, expected);
}

TEST(SplitList, TrimsItemsAndDropsEmptyOnes) {
  using List = std::vector<std::string>;
  EXPECT_EQ(split_list("crime.cases,drug.cases"), (List{"crime.cases", "drug.cases"}));
  EXPECT_EQ(split_list(" 2019 ,\t2020 "), (List{"2019", "2020"}));
  EXPECT_EQ(split_list("a,,b,"), (List{"a", "b"}));
  EXPECT_EQ(split_list(""), List{});
  EXPECT_EQ(split_list(" , "), List{});
  EXPECT_EQ(split_list("Lai Châu"), List{"Lai Châu"});  // spaces inside an item stay
  EXPECT_EQ(split_list("a;b c", ';'), (List{"a", "b c"}));
}

TEST(JsonString, EscapesWhatJsonRequiresAndNothingElse) {
  struct Case {
    std::string_view text;
    std::string_view json;
  };
  using namespace std::string_view_literals;
  const Case cases[] = {
      {"", R"("")"},
      {"Lai Châu", R"("Lai Châu")"},                        // UTF-8 as is
      {R"(say "hi")", R"("say \"hi\"")"},
      {R"(C:\dir)", R"("C:\\dir")"},
      {"a\nb\rc\td", R"("a\nb\rc\td")"},
      {"\x01\x1f\x7f"sv, "\"\\u0001\\u001f\x7f\""sv},       // DEL is not a control character to JSON
      {"nul\0in"sv, R"("nul\u0000in")"},
      {"/api/x?</script>", R"("/api/x?</script>")"},
  };
  for (const Case& c : cases) {
    std::string out = "[";
    append_json_string(out, c.text);
    EXPECT_EQ(out, "[" + std::string(c.json)) << c.json;
  }
}

}  // namespace
}  // namespace qpan
