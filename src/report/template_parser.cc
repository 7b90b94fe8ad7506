// The report template parser (template_parser.h): lines into header fields and blocks,
// inline text into literal parts, placeholders and optional groups. Arity and options of
// each call are checked against the function table as it is read, so that a template that
// parses can only fail later on codes and data.
#include "report/template_parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>

#include "report/template_functions.h"

namespace qpan {

const TemplateArgument* TemplateCall::option(std::string_view name) const {
  for (const TemplateArgument& a : arguments) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::vector<const TemplateArgument*> TemplateCall::positional() const {
  std::vector<const TemplateArgument*> out;
  for (const TemplateArgument& a : arguments) {
    if (a.name.empty()) out.push_back(&a);
  }
  return out;
}

namespace {

// Columns count characters (UTF-8 code points), as an editor shows them.
bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

class ParseError {
 public:
  ParseError(TemplatePosition at, std::string reason) : at(at), reason(std::move(reason)) {}
  TemplatePosition at;
  std::string reason;
};

// Reads one line's text from a byte offset, tracking the column of each byte.
class Cursor {
 public:
  Cursor(std::string_view text, int line, int column) : text_(text), line_(line), column_(column) {}

  bool done() const { return pos_ >= text_.size(); }
  char peek(size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }
  TemplatePosition at() const { return {line_, column_}; }
  size_t offset() const { return pos_; }

  // Moves past one character (all the bytes of a UTF-8 sequence).
  void advance() {
    if (done()) return;
    ++pos_;
    while (pos_ < text_.size() && is_continuation(text_[pos_])) ++pos_;
    ++column_;
  }
  // Appends one whole character to `out` and moves past it.
  void take(std::string& out) {
    const size_t start = pos_;
    advance();
    out.append(text_.substr(start, pos_ - start));
  }
  void skip_spaces() {
    while (peek() == ' ' || peek() == '\t') advance();
  }
  [[noreturn]] void fail(std::string reason) const { throw ParseError(at(), std::move(reason)); }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int line_;
  int column_;
};

std::string read_word(Cursor& c) {
  std::string out;
  while (is_word_char(c.peek())) {
    // ".." inside a word is a period range; a lone trailing '.' is not part of a code.
    out.push_back(c.peek());
    c.advance();
  }
  return out;
}

std::string read_quoted(Cursor& c) {
  const TemplatePosition open = c.at();
  c.advance();  // the opening quote
  std::string out;
  while (!c.done() && c.peek() != '"') {
    if (c.peek() == '\\' && (c.peek(1) == '"' || c.peek(1) == '\\')) c.advance();
    c.take(out);
  }
  if (c.done()) throw ParseError(open, "unterminated text: a closing \" is missing");
  c.advance();
  return out;
}

// One argument value: "text", a number, or a word.
TemplateArgument read_value(Cursor& c) {
  TemplateArgument a;
  a.at = c.at();
  if (c.peek() == '"') {
    a.kind = TemplateArgument::Kind::kText;
    a.text = read_quoted(c);
    return a;
  }
  std::string word = read_word(c);
  if (word.empty()) c.fail("expected a code, a number or a \"text\"");
  a.text = word;
  const char first = word.front();
  if ((first >= '0' && first <= '9') || first == '-') {
    double number = 0;
    auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), number);
    if (ec == std::errc() && end == word.data() + word.size() && std::isfinite(number)) {
      a.kind = TemplateArgument::Kind::kNumber;
      a.number = number;
      return a;
    }
  }
  a.kind = TemplateArgument::Kind::kWord;
  return a;
}

// Arguments until `close` (')' inside a call; '\0' for the end of a directive line).
std::vector<TemplateArgument> read_arguments(Cursor& c, char close) {
  std::vector<TemplateArgument> out;
  c.skip_spaces();
  if (c.peek() == close && close != '\0') return out;
  while (true) {
    c.skip_spaces();
    if (close == '\0' && c.done()) return out;
    const TemplatePosition start = c.at();
    TemplateArgument a;
    if (c.peek() != '"') {
      // A word followed by '=' names an option.
      Cursor probe = c;
      std::string word = read_word(probe);
      probe.skip_spaces();
      if (!word.empty() && probe.peek() == '=') {
        c = probe;
        c.advance();
        c.skip_spaces();
        a = read_value(c);
        a.name = word;
        a.at = start;
      } else {
        a = read_value(c);
      }
    } else {
      a = read_value(c);
    }
    out.push_back(std::move(a));
    c.skip_spaces();
    if (close == '\0') {
      if (c.done()) return out;
      if (c.peek() == ',') c.advance();
      continue;
    }
    if (c.peek() == ',') {
      c.advance();
      continue;
    }
    if (c.peek() == close) return out;
    if (c.done()) c.fail(std::string("expected ',' or '") + close + "'");
    c.fail(std::string("unexpected '") + c.peek() + "': expected ',' or '" + close + "'");
  }
}

// A call: `name` or `name(arguments)`, checked against the function table.
TemplateCall read_call(Cursor& c) {
  c.skip_spaces();
  TemplateCall call;
  call.at = c.at();
  call.function = read_word(c);
  if (call.function.empty()) c.fail("expected a function name (value, ratio, met, unit.name, …)");
  const TemplateFunction* function = find_template_function(call.function);
  if (function == nullptr) {
    throw ParseError(call.at, "unknown function \"" + call.function + "\" (known: " + template_function_names() + ")");
  }
  c.skip_spaces();
  if (c.peek() == '(') {
    c.advance();
    call.arguments = read_arguments(c, ')');
    c.advance();  // ')'
  }
  if (std::optional<std::pair<TemplatePosition, std::string>> wrong = check_call_shape(*function, call)) {
    throw ParseError(wrong->first, wrong->second);
  }
  return call;
}

// Inline text up to `stop` ('\0': the end; ']' inside an optional group; '|' a table cell).
InlineText read_inline(Cursor& c, char stop, bool in_group) {
  InlineText out;
  auto text = [&]() -> std::string& {
    if (out.empty() || out.back().kind != InlinePart::Kind::kText) out.push_back({});
    return out.back().text;
  };
  while (!c.done()) {
    const char ch = c.peek();
    if (ch == '\\' && c.peek(1) != '\0') {
      c.advance();
      c.take(text());
      continue;
    }
    if (ch == ']' && in_group) return out;
    if (ch == stop && stop != '\0') return out;
    if (ch == '{') {
      c.advance();
      InlinePart part;
      part.kind = InlinePart::Kind::kCall;
      part.call = read_call(c);
      c.skip_spaces();
      if (c.peek() != '}') c.fail(c.done() ? "unclosed placeholder: a '}' is missing" : "expected '}' after the call");
      c.advance();
      out.push_back(std::move(part));
      continue;
    }
    if (ch == '}') c.fail("'}' without '{' (write \\} for the character)");
    if (ch == '[') {
      const TemplatePosition open = c.at();
      c.advance();
      InlinePart part;
      part.kind = InlinePart::Kind::kOptional;
      part.parts = read_inline(c, stop, true);
      if (c.peek() != ']') throw ParseError(open, "unclosed '[': the optional part needs its ']'");
      c.advance();
      out.push_back(std::move(part));
      continue;
    }
    if (ch == ']') c.fail("']' without '[' (write \\] for the character)");
    c.take(text());
  }
  return out;
}

InlineText parse_inline(std::string_view text, int line, int column) {
  Cursor c(text, line, column);
  InlineText out = read_inline(c, '\0', false);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The column (1-based, in characters) of byte `offset` of `line`.
int column_of(std::string_view line, size_t offset) {
  int column = 1;
  for (size_t i = 0; i < offset && i < line.size(); ++i) {
    if (!is_continuation(line[i])) ++column;
  }
  return column;
}

struct Line {
  int number = 0;
  std::string_view text;  // without the line end
};

// The title block's header lines: one text each, or one line of a list per line.
const std::map<std::string_view, InlineText CompiledTemplate::*> kHeaderFields = {
    {"@kind", &CompiledTemplate::kind},
    {"@title", &CompiledTemplate::title},
    {"@subtitle", &CompiledTemplate::subtitle},
    {"@governing_body", &CompiledTemplate::governing_body},
    {"@issuing_body", &CompiledTemplate::issuing_body},
    {"@number", &CompiledTemplate::number},
    {"@place", &CompiledTemplate::place},
    {"@position", &CompiledTemplate::position},
    {"@signer", &CompiledTemplate::signer}};
const std::map<std::string_view, std::vector<InlineText> CompiledTemplate::*> kHeaderLists = {
    {"@recipient", &CompiledTemplate::recipients}, {"@authority", &CompiledTemplate::authority}};

class Parser {
 public:
  Parser(std::string_view text, std::string file) : text_(text) { out_.file = std::move(file); }

  CompiledTemplate parse() {
    split_lines();
    std::vector<TemplateBlock> body = blocks(nullptr);
    out_.body = std::move(body);
    if (out_.period_types.empty()) {
      throw ParseError({1, 1}, "missing @period: name the period types the template is written for "
                               "(month_range, quarter, year, five_year …)");
    }
    if (out_.title.empty()) throw ParseError({1, 1}, "missing @title");
    if (out_.kind.empty()) out_.kind = {InlinePart{InlinePart::Kind::kText, "BÁO CÁO", {}, {}}};
    return std::move(out_);
  }

 private:
  void split_lines() {
    int number = 1;
    size_t start = 0;
    while (start <= text_.size()) {
      size_t end = text_.find('\n', start);
      if (end == std::string_view::npos) end = text_.size();
      std::string_view line = text_.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      lines_.push_back({number++, line});
      if (end == text_.size()) break;
      start = end + 1;
    }
  }

  // The directive word of a line starting with '@', or empty.
  static std::string_view directive(std::string_view t) {
    if (t.empty() || t.front() != '@') return {};
    size_t end = 1;
    while (end < t.size() && (std::isalnum(static_cast<unsigned char>(t[end])) || t[end] == '_')) ++end;
    return t.substr(0, end);
  }

  // Blocks until the end, or until @end / @else when inside `open` (an @if, @table, @chart).
  std::vector<TemplateBlock> blocks(const Line* open) {
    std::vector<TemplateBlock> out;
    TemplateBlock* paragraph = nullptr;
    while (next_ < lines_.size()) {
      const Line& line = lines_[next_];
      const std::string_view t = trim(line.text);
      const size_t indent = line.text.find_first_not_of(" \t");
      const int column = column_of(line.text, indent == std::string_view::npos ? 0 : indent);
      if (t.empty()) {
        paragraph = nullptr;
        ++next_;
        continue;
      }
      if (t.starts_with("//")) {
        ++next_;
        continue;
      }
      const std::string_view word = directive(t);
      if (word == "@end" || word == "@else") {
        if (open == nullptr) throw ParseError({line.number, column}, std::string(word) + " without @if, @table or @chart");
        return out;
      }
      ++next_;
      if (!word.empty()) {
        paragraph = nullptr;
        const std::string_view rest = t.substr(word.size());
        const int rest_column = column + static_cast<int>(word.size()) + 1;
        directive_line(out, line, word, trim(rest), rest_column, column);
        continue;
      }
      if (t.front() == '=') {
        paragraph = nullptr;
        size_t level = 0;
        while (level < t.size() && t[level] == '=') ++level;
        if (level > 3 || level >= t.size() || t[level] != ' ') {
          throw ParseError({line.number, column}, "a heading is '= ', '== ' or '=== ' and its text");
        }
        TemplateBlock b;
        b.kind = TemplateBlock::Kind::kHeading;
        b.at = {line.number, column};
        b.level = static_cast<int>(level);
        b.text = parse_inline(trim(t.substr(level)), line.number, column + static_cast<int>(level) + 1);
        out.push_back(std::move(b));
        continue;
      }
      if (t.front() == '|') throw ParseError({line.number, column}, "a table row outside @table … @end");
      InlineText text = parse_inline(t, line.number, column);
      if (paragraph == nullptr) {
        TemplateBlock b;
        b.kind = TemplateBlock::Kind::kParagraph;
        b.at = {line.number, column};
        out.push_back(std::move(b));
        paragraph = &out.back();
      } else {
        text.insert(text.begin(), InlinePart{InlinePart::Kind::kText, " ", {}, {}});
      }
      for (InlinePart& p : text) {
        // Text parts side by side are one (the line break joined as a space).
        InlineText& joined = paragraph->text;
        if (p.kind == InlinePart::Kind::kText && !joined.empty() && joined.back().kind == InlinePart::Kind::kText) {
          joined.back().text += p.text;
        } else {
          joined.push_back(std::move(p));
        }
      }
    }
    if (open != nullptr) {
      throw ParseError({open->number, 1}, "this block has no @end");
    }
    return out;
  }

  void directive_line(std::vector<TemplateBlock>& out, const Line& line, std::string_view word, std::string_view rest,
                      int rest_column, int column) {
    const TemplatePosition at{line.number, column};
    auto header_text = [&](InlineText& field) {
      if (rest.empty()) throw ParseError(at, std::string(word) + " needs its text");
      field = parse_inline(rest, line.number, rest_column);
    };
    if (word == "@period") {
      Cursor c(rest, line.number, rest_column);
      for (const TemplateArgument& a : read_arguments(c, '\0')) {
        Result<PeriodType> type = parse_period_type(a.text);
        if (a.kind != TemplateArgument::Kind::kWord || !type) {
          throw ParseError(a.at, "\"" + a.text + "\" is not a period type (month, quarter, six_month, year, "
                                 "five_year, month_range)");
        }
        out_.period_types.push_back(*type);
      }
      if (out_.period_types.empty()) throw ParseError(at, "@period needs at least one period type");
    } else if (auto field = kHeaderFields.find(word); field != kHeaderFields.end()) {
      header_text(out_.*(field->second));
    } else if (auto list = kHeaderLists.find(word); list != kHeaderLists.end()) {
      header_text((out_.*(list->second)).emplace_back());
    } else if (word == "@if") {
      out.push_back(if_block(line, rest, rest_column, at));
    } else if (word == "@table") {
      out.push_back(table_block(line, rest, rest_column, at));
    } else if (word == "@chart") {
      out.push_back(chart_block(line, rest, rest_column, at));
    } else {
      throw ParseError(at, "unknown directive " + std::string(word) +
                               " (known: @period @kind @title @subtitle @governing_body @issuing_body @number @place "
                               "@recipient @authority @position @signer @if @else @end @table @chart)");
    }
  }

  // The line closing a block opened at `open`; true for @else.
  bool close(const Line& open) {
    if (next_ >= lines_.size()) throw ParseError({open.number, 1}, "this block has no @end");
    const std::string_view t = trim(lines_[next_].text);
    ++next_;
    return t.starts_with("@else");
  }

  TemplateBlock if_block(const Line& line, std::string_view rest, int rest_column, TemplatePosition at) {
    TemplateBlock b;
    b.kind = TemplateBlock::Kind::kIf;
    b.at = at;
    Cursor c(rest, line.number, rest_column);
    b.condition.call = read_call(c);
    const TemplateFunction* function = find_template_function(b.condition.call.function);
    if (!function->numeric) {
      throw ParseError(b.condition.call.at, b.condition.call.function + " gives text, not a number: @if needs a figure");
    }
    c.skip_spaces();
    if (!c.done()) {
      static const std::vector<std::string_view> kOperators = {"<=", ">=", "==", "!=", "<", ">"};
      for (std::string_view op : kOperators) {
        if (rest.substr(c.offset()).starts_with(op)) {
          b.condition.op = op;
          for (size_t i = 0; i < op.size(); ++i) c.advance();
          break;
        }
      }
      if (b.condition.op.empty()) c.fail("expected a comparison (<, <=, ==, !=, >=, >) or the end of the line");
      c.skip_spaces();
      TemplateArgument number = read_value(c);
      if (number.kind != TemplateArgument::Kind::kNumber) throw ParseError(number.at, "expected a number to compare with");
      b.condition.number = number.number;
      c.skip_spaces();
      if (!c.done()) c.fail("unexpected text after the comparison");
    }
    b.then_blocks = blocks(&line);
    if (close(line)) {
      b.else_blocks = blocks(&line);
      if (close(line)) throw ParseError({lines_[next_ - 1].number, 1}, "a second @else");
    }
    return b;
  }

  // The caption and options of a @table or @chart line.
  void caption_and_options(TemplateBlock& b, const Line& line, std::string_view rest, int rest_column,
                           TemplatePosition at, std::initializer_list<std::string_view> options) {
    Cursor c(rest, line.number, rest_column);
    std::vector<TemplateArgument> arguments = read_arguments(c, '\0');
    bool captioned = false;
    for (const TemplateArgument& a : arguments) {
      if (a.name.empty()) {
        if (a.kind != TemplateArgument::Kind::kText || captioned) {
          throw ParseError(a.at, "expected the caption in quotes, then options (by=…)");
        }
        b.caption = a.text;
        captioned = true;
        continue;
      }
      if (std::find(options.begin(), options.end(), a.name) == options.end()) {
        std::string known;
        for (std::string_view o : options) known += (known.empty() ? "" : ", ") + std::string(o);
        throw ParseError(a.at, "unknown option \"" + a.name + "\" (known: " + known + ")");
      }
      if (a.name == "by") {
        if (a.text == "children") b.by = RowsBy::kChildren;
        else if (a.text == "years") b.by = RowsBy::kYears;
        else if (a.text == "quarters") b.by = RowsBy::kQuarters;
        else if (a.text == "months") b.by = RowsBy::kMonths;
        else throw ParseError(a.at, "by: expected children, years, quarters or months");
      } else if (a.kind != TemplateArgument::Kind::kText) {
        throw ParseError(a.at, a.name + ": expected a \"text\"");
      } else if (a.name == "total") {
        b.total = a.text;
      } else if (a.name == "name") {
        b.name = a.text;
      } else if (a.name == "unit") {
        b.unit = a.text;
      }
    }
    if (!captioned) throw ParseError(at, "expected the caption in quotes");
  }

  static std::vector<InlineText> table_row(const Line& line) {
    const size_t bar = line.text.find('|');
    Cursor c(line.text.substr(bar), line.number, column_of(line.text, bar));
    c.advance();  // the opening '|'
    std::vector<InlineText> cells;
    while (!c.done()) {
      c.skip_spaces();
      if (c.done()) break;
      InlineText cell = read_inline(c, '|', false);
      // Trailing spaces of a cell are layout, not text.
      if (!cell.empty() && cell.back().kind == InlinePart::Kind::kText) {
        std::string& t = cell.back().text;
        while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.pop_back();
        if (t.empty()) cell.pop_back();
      }
      if (c.peek() != '|') c.fail("a table row ends with '|'");
      c.advance();
      cells.push_back(std::move(cell));
    }
    return cells;
  }

  TemplateBlock table_block(const Line& line, std::string_view rest, int rest_column, TemplatePosition at) {
    TemplateBlock b;
    b.kind = TemplateBlock::Kind::kTable;
    b.at = at;
    caption_and_options(b, line, rest, rest_column, at, {"by", "total", "name"});
    int rows = 0;
    while (next_ < lines_.size()) {
      const Line& row = lines_[next_];
      const std::string_view t = trim(row.text);
      if (t.empty() || t.starts_with("//")) {
        ++next_;
        continue;
      }
      if (t.starts_with("@end")) break;
      const size_t indent = row.text.find_first_not_of(" \t");
      if (t.front() != '|') {
        throw ParseError({row.number, column_of(row.text, indent)}, "inside @table: a row '| … |' or @end");
      }
      ++next_;
      std::vector<InlineText> cells = table_row(row);
      if (rows == 0) {
        b.header = std::move(cells);
      } else if (rows == 1) {
        if (cells.size() != b.header.size()) {
          throw ParseError({row.number, column_of(row.text, indent)},
                           "the row has " + std::to_string(cells.size()) + " cells, the header " +
                               std::to_string(b.header.size()));
        }
        b.cells = std::move(cells);
      } else {
        throw ParseError({row.number, column_of(row.text, indent)},
                         "a table has two rows: the header and the row filled in for each " +
                             std::string(b.by == RowsBy::kChildren ? "unit" : "period"));
      }
      ++rows;
    }
    if (rows < 2) throw ParseError(at, "a table needs a header row and a row of cells");
    if (close(line)) throw ParseError({lines_[next_ - 1].number, 1}, "@else inside @table");
    return b;
  }

  TemplateBlock chart_block(const Line& line, std::string_view rest, int rest_column, TemplatePosition at) {
    TemplateBlock b;
    b.kind = TemplateBlock::Kind::kChart;
    b.at = at;
    Cursor c(rest, line.number, rest_column);
    const TemplatePosition kind_at = c.at();
    const std::string kind = read_word(c);
    if (kind == "bar") b.chart_kind = Chart::Kind::kBar;
    else if (kind == "line") b.chart_kind = Chart::Kind::kLine;
    else throw ParseError(kind_at, "@chart: expected bar or line, then the caption");
    caption_and_options(b, line, rest.substr(c.offset()), rest_column + static_cast<int>(kind.size()), at,
                        {"by", "unit"});
    while (next_ < lines_.size()) {
      const Line& row = lines_[next_];
      const std::string_view t = trim(row.text);
      if (t.empty() || t.starts_with("//")) {
        ++next_;
        continue;
      }
      if (t.starts_with("@end")) break;
      ++next_;
      const size_t indent = row.text.find_first_not_of(" \t");
      Cursor s(t, row.number, column_of(row.text, indent));
      if (read_word(s) != "series") s.fail("inside @chart: series \"name\" = call, or @end");
      s.skip_spaces();
      if (s.peek() != '"') s.fail("expected the series name in quotes");
      TemplateSeries series;
      series.name = read_quoted(s);
      s.skip_spaces();
      if (s.peek() != '=') s.fail("expected '=' and the call giving the series' values");
      s.advance();
      series.call = read_call(s);
      if (!find_template_function(series.call.function)->numeric) {
        throw ParseError(series.call.at, series.call.function + " gives text, not a number: a series needs figures");
      }
      s.skip_spaces();
      if (!s.done()) s.fail("unexpected text after the call");
      b.series.push_back(std::move(series));
    }
    if (b.series.empty()) throw ParseError(at, "a chart needs at least one series line");
    if (close(line)) throw ParseError({lines_[next_ - 1].number, 1}, "@else inside @chart");
    return b;
  }

  std::string_view text_;
  std::vector<Line> lines_;
  size_t next_ = 0;
  CompiledTemplate out_;
};

void collect(const InlineText& text, std::vector<const TemplateCall*>& out) {
  for (const InlinePart& p : text) {
    if (p.kind == InlinePart::Kind::kCall) out.push_back(&p.call);
    if (p.kind == InlinePart::Kind::kOptional) collect(p.parts, out);
  }
}

void collect(const std::vector<TemplateBlock>& blocks, std::vector<const TemplateCall*>& out) {
  for (const TemplateBlock& b : blocks) {
    collect(b.text, out);
    if (b.kind == TemplateBlock::Kind::kIf) out.push_back(&b.condition.call);
    collect(b.then_blocks, out);
    collect(b.else_blocks, out);
    for (const InlineText& t : b.header) collect(t, out);
    for (const InlineText& t : b.cells) collect(t, out);
    for (const TemplateSeries& s : b.series) out.push_back(&s.call);
  }
}

}  // namespace

Result<CompiledTemplate> parse_template_text(std::string_view text, const std::string& file) {
  try {
    return Parser(text, file).parse();
  } catch (const ParseError& e) {
    return Status::invalid_input(file + ":" + std::to_string(e.at.line) + ":" + std::to_string(e.at.column) + ": " +
                                 e.reason);
  }
}

std::vector<const TemplateCall*> template_calls(const CompiledTemplate& compiled) {
  std::vector<const TemplateCall*> out;
  for (const InlineText* t : {&compiled.kind, &compiled.title, &compiled.subtitle, &compiled.governing_body,
                              &compiled.issuing_body, &compiled.number, &compiled.place, &compiled.position,
                              &compiled.signer}) {
    collect(*t, out);
  }
  for (const InlineText& t : compiled.recipients) collect(t, out);
  for (const InlineText& t : compiled.authority) collect(t, out);
  collect(compiled.body, out);
  return out;
}

}  // namespace qpan
