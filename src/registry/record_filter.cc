// The record filter of a counted element's `where` (qpan/registry.h RecordFilter): a
// recursive-descent parser over the registry's fields, checked against their types when
// compiled, so that matching never fails.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "qpan/registry.h"

namespace qpan {

// One node of a compiled filter.
class RecordFilterNode {
 public:
  enum class Kind : uint8_t { kOr, kAnd, kNot, kIsTrue, kCompare, kIn, kEmpty };
  enum class Op : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

  Kind kind = Kind::kIsTrue;
  std::vector<std::shared_ptr<const RecordFilterNode>> children;  // or, and, not
  std::string field;
  bool numeric = false;             // compare as numbers (integer and number fields)
  Op op = Op::kEq;
  std::vector<std::string> texts;   // literals in machine form
  std::vector<double> numbers;      // numeric literals

  bool matches(const RegistryRecord& record) const {
    switch (kind) {
      case Kind::kOr:
        for (const auto& c : children) if (c->matches(record)) return true;
        return false;
      case Kind::kAnd:
        for (const auto& c : children) if (!c->matches(record)) return false;
        return true;
      case Kind::kNot:
        return !children[0]->matches(record);
      case Kind::kEmpty:
        return record.field(field) == nullptr;
      case Kind::kIsTrue: {
        const std::string* v = record.field(field);
        return v != nullptr && *v == "true";
      }
      case Kind::kIn: {
        const std::string* v = record.field(field);
        if (v == nullptr) return false;
        if (!numeric) return std::find(texts.begin(), texts.end(), *v) != texts.end();
        const double x = number(*v);
        return std::find(numbers.begin(), numbers.end(), x) != numbers.end();
      }
      case Kind::kCompare: {
        const std::string* v = record.field(field);
        if (v == nullptr) return false;
        int order = 0;
        if (numeric) {
          const double x = number(*v);
          order = x < numbers[0] ? -1 : (x > numbers[0] ? 1 : 0);
        } else {
          const int c = v->compare(texts[0]);
          order = c < 0 ? -1 : (c > 0 ? 1 : 0);
        }
        switch (op) {
          case Op::kEq: return order == 0;
          case Op::kNe: return order != 0;
          case Op::kLt: return order < 0;
          case Op::kLe: return order <= 0;
          case Op::kGt: return order > 0;
          case Op::kGe: return order >= 0;
        }
      }
    }
    return false;
  }

 private:
  static double number(const std::string& text) {
    double d = 0;
    std::from_chars(text.data(), text.data() + text.size(), d);
    return d;
  }
};

namespace {

using Node = RecordFilterNode;
using NodePtr = std::shared_ptr<const Node>;

struct Token {
  enum class Kind : uint8_t { kWord, kString, kNumber, kOperator, kOpen, kClose, kComma, kEnd } kind = Kind::kEnd;
  std::string text;
  size_t column = 0;  // 1-based, in characters
};

class Parser {
 public:
  Parser(std::string_view text, const RegistryDefinition& registry, const Catalogue& catalogue)
      : text_(text), registry_(registry), catalogue_(catalogue) {}

  Result<NodePtr> parse() {
    QPAN_RETURN_IF_ERROR(tokenize());
    Result<NodePtr> root = parse_or();
    if (!root) return root;
    if (peek().kind != Token::Kind::kEnd) return fail(peek(), "unexpected " + describe(peek()));
    return root;
  }

 private:
  Status fail(const Token& at, std::string reason) const {
    return Status::invalid_input("column " + std::to_string(at.column) + ": " + reason);
  }
  static std::string describe(const Token& t) {
    return t.kind == Token::Kind::kEnd ? "end of the filter" : "\"" + t.text + "\"";
  }

  Status tokenize() {
    size_t i = 0;
    size_t column = 1;
    auto advance = [&](size_t bytes) {
      for (size_t k = 0; k < bytes; ++k) {
        if ((static_cast<unsigned char>(text_[i + k]) & 0xC0) != 0x80) ++column;
      }
      i += bytes;
    };
    while (i < text_.size()) {
      const char c = text_[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        advance(1);
        continue;
      }
      Token t;
      t.column = column;
      if (c == '\'' || c == '"') {
        const size_t close = text_.find(c, i + 1);
        if (close == std::string_view::npos) {
          return Status::invalid_input("column " + std::to_string(column) + ": text not closed by " + std::string(1, c));
        }
        t.kind = Token::Kind::kString;
        t.text = std::string(text_.substr(i + 1, close - i - 1));
        advance(close + 1 - i);
      } else if (c == '(' || c == ')' || c == ',') {
        t.kind = c == '(' ? Token::Kind::kOpen : (c == ')' ? Token::Kind::kClose : Token::Kind::kComma);
        t.text = std::string(1, c);
        advance(1);
      } else if (c == '=' || c == '!' || c == '<' || c == '>') {
        size_t n = (i + 1 < text_.size() && text_[i + 1] == '=') ? 2 : 1;
        t.kind = Token::Kind::kOperator;
        t.text = std::string(text_.substr(i, n));
        if (t.text == "!" ) return Status::invalid_input("column " + std::to_string(column) + ": expected != (use \"not\" to negate)");
        if (t.text == "=") t.text = "==";
        advance(n);
      } else if ((c >= '0' && c <= '9') || c == '-') {
        size_t j = i + 1;
        while (j < text_.size() && ((text_[j] >= '0' && text_[j] <= '9') || text_[j] == '.')) ++j;
        t.kind = Token::Kind::kNumber;
        t.text = std::string(text_.substr(i, j - i));
        advance(j - i);
      } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
        size_t j = i + 1;
        while (j < text_.size() && ((text_[j] >= 'a' && text_[j] <= 'z') || (text_[j] >= 'A' && text_[j] <= 'Z') ||
                                    (text_[j] >= '0' && text_[j] <= '9') || text_[j] == '_')) {
          ++j;
        }
        t.kind = Token::Kind::kWord;
        t.text = std::string(text_.substr(i, j - i));
        advance(j - i);
      } else {
        return Status::invalid_input("column " + std::to_string(column) + ": unexpected character \"" +
                                     std::string(1, c) + "\"");
      }
      tokens_.push_back(std::move(t));
    }
    Token end;
    end.column = column;
    tokens_.push_back(end);
    return Status::ok();
  }

  const Token& peek() const { return tokens_[position_]; }
  const Token& next() { return tokens_[position_ == tokens_.size() - 1 ? position_ : position_++]; }
  bool take_word(std::string_view word) {
    if (peek().kind == Token::Kind::kWord && peek().text == word) {
      next();
      return true;
    }
    return false;
  }

  Result<NodePtr> parse_or() {
    Result<NodePtr> first = parse_and();
    if (!first) return first;
    if (!(peek().kind == Token::Kind::kWord && peek().text == "or")) return first;
    auto node = std::make_shared<Node>();
    node->kind = Node::Kind::kOr;
    node->children.push_back(*first);
    while (take_word("or")) {
      Result<NodePtr> more = parse_and();
      if (!more) return more;
      node->children.push_back(*more);
    }
    return NodePtr(node);
  }

  Result<NodePtr> parse_and() {
    Result<NodePtr> first = parse_not();
    if (!first) return first;
    if (!(peek().kind == Token::Kind::kWord && peek().text == "and")) return first;
    auto node = std::make_shared<Node>();
    node->kind = Node::Kind::kAnd;
    node->children.push_back(*first);
    while (take_word("and")) {
      Result<NodePtr> more = parse_not();
      if (!more) return more;
      node->children.push_back(*more);
    }
    return NodePtr(node);
  }

  Result<NodePtr> parse_not() {
    if (take_word("not")) {
      Result<NodePtr> inner = parse_not();
      if (!inner) return inner;
      auto node = std::make_shared<Node>();
      node->kind = Node::Kind::kNot;
      node->children.push_back(*inner);
      return NodePtr(node);
    }
    if (peek().kind == Token::Kind::kOpen) {
      next();
      Result<NodePtr> inner = parse_or();
      if (!inner) return inner;
      if (peek().kind != Token::Kind::kClose) return fail(peek(), "expected \")\", found " + describe(peek()));
      next();
      return inner;
    }
    return parse_condition();
  }

  Result<NodePtr> parse_condition() {
    const Token name = next();
    if (name.kind != Token::Kind::kWord || name.text == "and" || name.text == "or") {
      return fail(name, "expected a field, found " + describe(name));
    }
    const RegistryField* field = registry_.field(name.text);
    if (field == nullptr) {
      return fail(name, "unknown field \"" + name.text + "\" of registry " + registry_.code);
    }
    auto node = std::make_shared<Node>();
    node->field = field->code;
    node->numeric = field->type == RegistryFieldType::kInteger || field->type == RegistryFieldType::kNumber;

    const Token& after = peek();
    if (after.kind == Token::Kind::kWord && after.text == "is") {
      next();
      const bool negated = take_word("not");
      if (!take_word("empty")) return fail(peek(), "expected \"empty\", found " + describe(peek()));
      node->kind = Node::Kind::kEmpty;
      if (!negated) return NodePtr(node);
      auto negation = std::make_shared<Node>();
      negation->kind = Node::Kind::kNot;
      negation->children.push_back(node);
      return NodePtr(negation);
    }
    if (after.kind == Token::Kind::kWord && after.text == "in") {
      next();
      if (peek().kind != Token::Kind::kOpen) return fail(peek(), "expected \"(\" after in");
      next();
      node->kind = Node::Kind::kIn;
      for (;;) {
        QPAN_RETURN_IF_ERROR(literal(*field, next(), *node));
        if (peek().kind == Token::Kind::kComma) {
          next();
          continue;
        }
        if (peek().kind != Token::Kind::kClose) return fail(peek(), "expected \",\" or \")\", found " + describe(peek()));
        next();
        return NodePtr(node);
      }
    }
    if (after.kind != Token::Kind::kOperator) {
      if (field->type != RegistryFieldType::kBoolean) {
        return fail(name, "field \"" + field->code + "\" is not a boolean: compare it (==, !=, <, in, is empty)");
      }
      node->kind = Node::Kind::kIsTrue;
      return NodePtr(node);
    }
    const Token op = next();
    node->kind = Node::Kind::kCompare;
    static const std::pair<std::string_view, Node::Op> kOps[] = {{"==", Node::Op::kEq}, {"!=", Node::Op::kNe},
                                                                   {"<", Node::Op::kLt},  {"<=", Node::Op::kLe},
                                                                   {">", Node::Op::kGt},  {">=", Node::Op::kGe}};
    for (const auto& [text, kind] : kOps) {
      if (op.text == text) node->op = kind;
    }
    const bool ordering = node->op != Node::Op::kEq && node->op != Node::Op::kNe;
    if (ordering && !node->numeric && field->type != RegistryFieldType::kDate) {
      return fail(op, "\"" + op.text + "\" needs a number, integer or date field; \"" + field->code + "\" is a " +
                          std::string(registry_field_type_name(field->type)));
    }
    QPAN_RETURN_IF_ERROR(literal(*field, next(), *node));
    return NodePtr(node);
  }

  // Appends a literal for `field` to `node`, checked against the field's type.
  Status literal(const RegistryField& field, const Token& t, Node& node) {
    if (node.numeric) {
      double d = 0;
      auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), d);
      if (t.kind != Token::Kind::kNumber || ec != std::errc() || end != t.text.data() + t.text.size()) {
        return fail(t, "expected a number for field \"" + field.code + "\", found " + describe(t));
      }
      node.numbers.push_back(d);
      return Status::ok();
    }
    if (field.type == RegistryFieldType::kBoolean) {
      if (t.kind != Token::Kind::kWord || (t.text != "true" && t.text != "false")) {
        return fail(t, "expected true or false for field \"" + field.code + "\", found " + describe(t));
      }
      node.texts.push_back(t.text);
      return Status::ok();
    }
    if (t.kind != Token::Kind::kString) {
      return fail(t, "expected a quoted text for field \"" + field.code + "\", found " + describe(t));
    }
    // The same checks as a record's value, so a literal that no record could hold is an error.
    static const OrgUnitIndex kNoUnits;
    if (field.type == RegistryFieldType::kUnit) {
      node.texts.push_back(t.text);
      return Status::ok();
    }
    Result<std::string> value = parse_field_value(field, t.text, catalogue_, kNoUnits);
    if (!value) return fail(t, value.status().message());
    node.texts.push_back(*value);
    return Status::ok();
  }

  std::string_view text_;
  const RegistryDefinition& registry_;
  const Catalogue& catalogue_;
  std::vector<Token> tokens_;
  size_t position_ = 0;
};

}  // namespace

Result<RecordFilter> RecordFilter::compile(std::string_view text, const RegistryDefinition& registry,
                                           const Catalogue& catalogue) {
  RecordFilter filter;
  filter.text_ = std::string(text);
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return filter;
  Parser parser(text, registry, catalogue);
  Result<NodePtr> root = parser.parse();
  if (!root) return root.status();
  filter.root_ = *root;
  return filter;
}

bool RecordFilter::matches(const RegistryRecord& record) const { return root_ == nullptr || root_->matches(record); }

}  // namespace qpan
