// Tests of the analytics cache: keyed on the parsed question, stale after a write, bounded by
// bytes whatever the requests carry.
#include "http/analytics_cache.h"

#include <gtest/gtest.h>

namespace qpan::http {
namespace {

AnalyticsQuery query(std::string_view dx, std::string_view ou, std::string_view pe) {
  Result<AnalyticsQuery> parsed = parse_analytics_query(dx, ou, pe);
  EXPECT_TRUE(parsed.is_ok());
  return parsed ? *parsed : AnalyticsQuery{};
}

Response answer(std::string body) {
  Response r;
  r.body = std::move(body);
  return r;
}

TEST(QuestionKey, SameQuestionWhateverTheSpellingOfItsList) {
  // Empty items are ignored by the parser, so a URL padded with commas asks the same thing.
  EXPECT_EQ(question_key(query("A,B", "01", "2020Q1"), "json"),
            question_key(query("A,,B,", ",01", "2020Q1,"), "json"));
}

TEST(QuestionKey, DiffersByEveryPartOfTheQuestion) {
  const std::string base = question_key(query("A", "01", "2020Q1"), "json");
  EXPECT_NE(base, question_key(query("B", "01", "2020Q1"), "json"));
  EXPECT_NE(base, question_key(query("A", "02", "2020Q1"), "json"));
  EXPECT_NE(base, question_key(query("A", "01", "2020Q2"), "json"));
  EXPECT_NE(base, question_key(query("A", "01", "2020Q1"), "csv"));
  AnalyticsQuery dated = query("A", "01", "2020Q1");
  dated.structure_at = Date{std::chrono::year{2025}, std::chrono::July, std::chrono::day{1}};
  EXPECT_NE(base, question_key(dated, "json"));
  // Dimension boundaries are part of the key: "AB" as one element is not "A" then "B".
  EXPECT_NE(question_key(query("AB", "01", "2020Q1"), "json"),
            question_key(query("A,B", "01", "2020Q1"), "json"));
}

TEST(AnalyticsCache, AnswersAtItsGenerationAndDropsStaleAnswers) {
  AnalyticsCache cache(1 << 20);
  cache.add("q", 7, answer("figures"));
  ASSERT_TRUE(cache.find("q", 7));
  EXPECT_EQ(cache.find("q", 7)->body, "figures");
  EXPECT_FALSE(cache.find("q", 8));  // a write happened since
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_FALSE(cache.find("q", 7));
}

TEST(AnalyticsCache, ReplacingAnAnswerKeepsOneEntry) {
  AnalyticsCache cache(1 << 20);
  cache.add("q", 1, answer("old"));
  cache.add("q", 2, answer("new"));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.find("q", 2)->body, "new");
}

TEST(AnalyticsCache, BoundedByBytesOldestOutFirst) {
  const size_t budget = 64 << 10;
  AnalyticsCache cache(budget);
  const std::string body(1000, 'x');
  for (int i = 0; i < 1000; ++i) {
    cache.add("question " + std::to_string(i), 1, answer(body));
    ASSERT_LE(cache.bytes(), budget);
  }
  EXPECT_GT(cache.size(), 10u);
  EXPECT_FALSE(cache.find("question 0", 1));   // the oldest went first
  EXPECT_TRUE(cache.find("question 999", 1));  // the newest stays
}

TEST(AnalyticsCache, DoesNotKeepAnAnswerTooLargeForItsShare) {
  AnalyticsCache cache(16 << 10);
  cache.add("small", 1, answer("x"));
  cache.add("huge", 1, answer(std::string(2 << 10, 'x')));
  EXPECT_FALSE(cache.find("huge", 1));
  EXPECT_TRUE(cache.find("small", 1));  // and nothing was evicted to try
}

}  // namespace
}  // namespace qpan::http
