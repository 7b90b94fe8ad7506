// The parsed form of a report template (the language of packs/README.md, "Report
// templates"): header lines, then blocks of headings, paragraphs, conditions, tables and
// charts whose text holds placeholders — calls of the functions in template_functions.h.
// Every part keeps the line and column it was written at, for the errors of later checks.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "qpan/period.h"
#include "qpan/report_document.h"
#include "qpan/status.h"

namespace qpan {

struct TemplatePosition {
  int line = 0;
  int column = 0;
};

// One argument of a call: positional (name empty) or named (`decimals=1`).
struct TemplateArgument {
  enum class Kind : uint8_t { kWord, kNumber, kText };
  std::string name;
  Kind kind = Kind::kWord;
  std::string text;  // a word (a code: crime.ttxh.cases) or a quoted text
  double number = 0;
  TemplatePosition at;
};

// A placeholder: `{value(crime.ttxh.cases, decimals=0)}`, `{unit.name}`.
struct TemplateCall {
  std::string function;
  std::vector<TemplateArgument> arguments;
  TemplatePosition at;

  // The named argument, or nullptr.
  const TemplateArgument* option(std::string_view name) const;
  // The positional arguments.
  std::vector<const TemplateArgument*> positional() const;
};

// Inline text: literal text, placeholders, and optional groups `[ … ]` that are left out
// when a figure in them has no data.
struct InlinePart {
  enum class Kind : uint8_t { kText, kCall, kOptional };
  Kind kind = Kind::kText;
  std::string text;
  TemplateCall call;
  std::vector<InlinePart> parts;
};
using InlineText = std::vector<InlinePart>;

// `@if CALL [OP NUMBER]`: without a comparison the call's figure must exist and not be zero.
struct TemplateCondition {
  TemplateCall call;
  std::string op;  // "", "<", "<=", "==", "!=", ">=", ">"
  double number = 0;
};

// What the rows of a table or the points of a chart run over.
enum class RowsBy : uint8_t {
  kChildren,  // the units directly under the report's unit, by code
  kYears,     // each calendar year of the report's period
  kQuarters,  // each quarter
  kMonths,    // each month
};

struct TemplateSeries {
  std::string name;
  TemplateCall call;
};

struct TemplateBlock {
  enum class Kind : uint8_t { kHeading, kParagraph, kIf, kTable, kChart };
  Kind kind = Kind::kParagraph;
  TemplatePosition at;
  int level = 1;    // heading
  InlineText text;  // heading, paragraph
  // if
  TemplateCondition condition;
  std::vector<TemplateBlock> then_blocks, else_blocks;
  // table and chart
  std::string caption;
  RowsBy by = RowsBy::kChildren;
  std::string name;                // table: the sheet name (default: the caption)
  std::string total;               // table: the label of a last row for the report's unit
  std::vector<InlineText> header;  // table: column titles
  std::vector<InlineText> cells;   // table: the row's cells, filled in per row
  Chart::Kind chart_kind = Chart::Kind::kBar;
  std::string unit;                      // chart: the values' unit
  std::vector<TemplateSeries> series;    // chart
};

struct CompiledTemplate {
  std::string code;
  std::string file;  // as messages name it: "reports/midterm_review.txt"
  std::vector<PeriodType> period_types;
  // The title block (qpan/report_document.h), each with placeholders.
  InlineText kind, title, subtitle, governing_body, issuing_body, number, place;
  std::vector<InlineText> recipients;
  std::vector<InlineText> authority;
  InlineText position, signer;
  std::vector<TemplateBlock> body;
};

// Parses `text`; errors are invalid_input "file:line:column: reason".
Result<CompiledTemplate> parse_template_text(std::string_view text, const std::string& file);

// Every call of the template, in order of appearance (header, body, nested blocks).
std::vector<const TemplateCall*> template_calls(const CompiledTemplate& compiled);

}  // namespace qpan
