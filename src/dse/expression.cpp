// A small recursive-descent parser for constraint and objective expressions. The parse
// tree is a flat vector of nodes so an Expression copies cheaply and evaluates without
// allocation.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

#include "common/error.h"
#include "dse/dse.h"

namespace acceldse::dse {

namespace {

enum class Kind {
  kNumber,
  kVariable,
  kNegate,
  kNot,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kLess,
  kLessEq,
  kGreater,
  kGreaterEq,
  kEqual,
  kNotEqual,
  kAnd,
  kOr
};

struct Node {
  Kind kind = Kind::kNumber;
  double number = 0;
  size_t variable = 0;
  int lhs = -1, rhs = -1;
};

bool is_comparison(Kind kind) { return kind >= Kind::kLess && kind <= Kind::kNotEqual; }

// Multi-byte operators users type from papers: − × ÷ ≤ ≥ ≠, mapped to ASCII spellings.
struct Alias {
  std::string_view utf8, ascii;
};
constexpr Alias kAliases[] = {{"\xE2\x88\x92", "-"},  {"\xC3\x97", "*"},      {"\xC3\xB7", "/"},
                              {"\xE2\x89\xA4", "<="}, {"\xE2\x89\xA5", ">="}, {"\xE2\x89\xA0", "!="}};

// Parentheses and prefix operators nest the parser's recursion; binary operators chain
// the tree that evaluate() walks recursively. Both are capped so that a hostile
// expression is an error rather than a stack overflow; real ones are a few levels deep.
constexpr int kMaxNesting = 100;
constexpr int kMaxTreeDepth = 1000;

class Parser {
 public:
  Parser(std::string_view text, const std::vector<std::string>& names, const std::string& file,
         const std::string& place, std::vector<Node>& nodes)
      : text_(text), names_(names), file_(file), place_(place), nodes_(nodes) {}

  int parse_all() {
    int root = parse_or();
    skip_space();
    if (pos_ < text_.size()) fail("unexpected '" + std::string(text_.substr(pos_, 1)) + "'");
    return root;
  }
  std::vector<size_t> uses;

 private:
  std::string_view text_;
  const std::vector<std::string>& names_;
  const std::string& file_;
  const std::string& place_;
  std::vector<Node>& nodes_;
  size_t pos_ = 0;
  int nesting_ = 0;
  std::vector<int> depth_;  // tree depth of each node, parallel to nodes_

  // Counts one level of recursion for the lifetime of a parse step.
  class Nest {
   public:
    explicit Nest(Parser& parser) : parser_(parser) {
      if (++parser_.nesting_ > kMaxNesting) {
        parser_.fail("nested more than " + std::to_string(kMaxNesting) +
                     " levels deep (parentheses, 'not' or signs); expected a simpler expression");
      }
    }
    ~Nest() { --parser_.nesting_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;

   private:
    Parser& parser_;
  };

  [[noreturn]] void fail(const std::string& what) const {
    // A long expression is shown by its start only: the column says where.
    constexpr size_t kShown = 80;
    const std::string shown =
        text_.size() <= kShown ? std::string(text_) : std::string(text_.substr(0, kShown)) + "...";
    throw InputError(file_, place_,
                     "in expression '" + shown + "' at column " + std::to_string(pos_ + 1) + ": " + what);
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  // Consumes `op` (or a multi-byte alias of it) if it comes next.
  bool accept(std::string_view op) {
    skip_space();
    if (text_.substr(pos_, op.size()) == op) {
      // Keep "<" from eating the start of "<=", and keywords from eating identifiers.
      if (std::isalpha(static_cast<unsigned char>(op[0])) && pos_ + op.size() < text_.size() &&
          (std::isalnum(static_cast<unsigned char>(text_[pos_ + op.size()])) || text_[pos_ + op.size()] == '_')) {
        return false;
      }
      pos_ += op.size();
      return true;
    }
    for (const Alias& alias : kAliases) {
      if (alias.ascii == op && text_.substr(pos_, alias.utf8.size()) == alias.utf8) {
        pos_ += alias.utf8.size();
        return true;
      }
    }
    return false;
  }

  int add(Node node) {
    int depth = 1;
    for (int child : {node.lhs, node.rhs}) {
      if (child >= 0) depth = std::max(depth, depth_[static_cast<size_t>(child)] + 1);
    }
    if (depth > kMaxTreeDepth) {
      fail("more than " + std::to_string(kMaxTreeDepth) + " operations chained; expected a shorter expression");
    }
    nodes_.push_back(node);
    depth_.push_back(depth);
    return static_cast<int>(nodes_.size()) - 1;
  }
  int binary(Kind kind, int lhs, int rhs) { return add(Node{kind, 0, 0, lhs, rhs}); }

  int parse_or() {
    int lhs = parse_and();
    while (accept("||") || accept("or")) lhs = binary(Kind::kOr, lhs, parse_and());
    return lhs;
  }
  int parse_and() {
    int lhs = parse_not();
    while (accept("&&") || accept("and")) lhs = binary(Kind::kAnd, lhs, parse_not());
    return lhs;
  }
  // Looser than comparisons, as in "not area_mm2 > 5".
  int parse_not() {
    if (accept("!") || accept("not")) {
      Nest nest(*this);
      return add(Node{Kind::kNot, 0, 0, parse_not(), -1});
    }
    return parse_comparison();
  }
  int parse_comparison() {
    int lhs = parse_sum();
    // Longer spellings first so "<=" is not read as "<".
    static const std::pair<std::string_view, Kind> kOps[] = {
        {"<=", Kind::kLessEq}, {">=", Kind::kGreaterEq}, {"==", Kind::kEqual}, {"!=", Kind::kNotEqual},
        {"<", Kind::kLess},    {">", Kind::kGreater},    {"=", Kind::kEqual}};
    for (const auto& [op, kind] : kOps) {
      if (accept(op)) return binary(kind, lhs, parse_sum());
    }
    return lhs;
  }
  int parse_sum() {
    int lhs = parse_product();
    for (;;) {
      if (accept("+")) {
        lhs = binary(Kind::kAdd, lhs, parse_product());
      } else if (accept("-")) {
        lhs = binary(Kind::kSub, lhs, parse_product());
      } else {
        return lhs;
      }
    }
  }
  int parse_product() {
    int lhs = parse_unary();
    for (;;) {
      if (accept("*")) {
        lhs = binary(Kind::kMul, lhs, parse_unary());
      } else if (accept("/")) {
        lhs = binary(Kind::kDiv, lhs, parse_unary());
      } else {
        return lhs;
      }
    }
  }
  int parse_unary() {
    if (accept("-")) {
      Nest nest(*this);
      return add(Node{Kind::kNegate, 0, 0, parse_unary(), -1});
    }
    if (accept("+")) {
      Nest nest(*this);
      return parse_unary();
    }
    return parse_primary();
  }
  int parse_primary() {
    skip_space();
    if (pos_ >= text_.size()) fail("expected a number, a name or '('");
    if (accept("(")) {
      Nest nest(*this);
      int inner = parse_or();
      if (!accept(")")) fail("expected ')'");
      return inner;
    }
    char c = text_[pos_];
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return parse_number();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') return parse_name();
    fail("expected a number, a name or '('");
  }
  int parse_number() {
    std::string rest(text_.substr(pos_));
    char* end = nullptr;
    double value = std::strtod(rest.c_str(), &end);
    if (end == rest.c_str()) fail("malformed number");
    pos_ += static_cast<size_t>(end - rest.c_str());
    return add(Node{Kind::kNumber, value, 0, -1, -1});
  }
  int parse_name() {
    size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      ++pos_;
    }
    std::string name(text_.substr(start, pos_ - start));
    auto it = std::find(names_.begin(), names_.end(), name);
    if (it == names_.end()) {
      pos_ = start;
      std::string known;
      for (const std::string& n : names_) known += (known.empty() ? "" : ", ") + n;
      fail("unknown name '" + name + "'; expected one of: " + known);
    }
    size_t index = static_cast<size_t>(it - names_.begin());
    if (std::find(uses.begin(), uses.end(), index) == uses.end()) uses.push_back(index);
    return add(Node{Kind::kVariable, 0, index, -1, -1});
  }
};

double eval(const std::vector<Node>& nodes, int i, std::span<const double> values) {
  const Node& n = nodes[static_cast<size_t>(i)];
  auto l = [&] { return eval(nodes, n.lhs, values); };
  auto r = [&] { return eval(nodes, n.rhs, values); };
  switch (n.kind) {
    case Kind::kNumber: return n.number;
    case Kind::kVariable: return values[n.variable];
    case Kind::kNegate: return -l();
    case Kind::kNot: return l() == 0 ? 1 : 0;
    case Kind::kAdd: return l() + r();
    case Kind::kSub: return l() - r();
    case Kind::kMul: return l() * r();
    case Kind::kDiv: return l() / r();
    case Kind::kLess: return l() < r() ? 1 : 0;
    case Kind::kLessEq: return l() <= r() ? 1 : 0;
    case Kind::kGreater: return l() > r() ? 1 : 0;
    case Kind::kGreaterEq: return l() >= r() ? 1 : 0;
    case Kind::kEqual: return l() == r() ? 1 : 0;
    case Kind::kNotEqual: return l() != r() ? 1 : 0;
    case Kind::kAnd: return (l() != 0 && r() != 0) ? 1 : 0;
    case Kind::kOr: return (l() != 0 || r() != 0) ? 1 : 0;
  }
  return 0;
}

// Relative distance from satisfying a comparison: the bound's magnitude is the scale,
// so "area 10% over budget" reads 0.1 whatever the units.
double comparison_violation(Kind kind, double lhs, double rhs) {
  double scale = std::abs(rhs) > 0 ? std::abs(rhs) : std::max(std::abs(lhs), 1e-300);
  switch (kind) {
    case Kind::kLess:
    case Kind::kLessEq: return lhs <= rhs ? (kind == Kind::kLess && lhs == rhs ? 1e-9 : 0) : (lhs - rhs) / scale;
    case Kind::kGreater:
    case Kind::kGreaterEq: return lhs >= rhs ? (kind == Kind::kGreater && lhs == rhs ? 1e-9 : 0) : (rhs - lhs) / scale;
    case Kind::kEqual: return std::abs(lhs - rhs) / scale;
    default: return lhs != rhs ? 0 : 1;
  }
}

double violation_of(const std::vector<Node>& nodes, int i, std::span<const double> values) {
  const Node& n = nodes[static_cast<size_t>(i)];
  if (is_comparison(n.kind)) {
    double v = comparison_violation(n.kind, eval(nodes, n.lhs, values), eval(nodes, n.rhs, values));
    return std::isnan(v) ? 1 : v;
  }
  if (n.kind == Kind::kAnd) return violation_of(nodes, n.lhs, values) + violation_of(nodes, n.rhs, values);
  if (n.kind == Kind::kOr) return std::min(violation_of(nodes, n.lhs, values), violation_of(nodes, n.rhs, values));
  return eval(nodes, i, values) != 0 ? 0 : 1;
}

}  // namespace

struct Expression::Impl {
  std::string text;
  std::vector<Node> nodes;
  int root = -1;
  std::vector<size_t> uses;
};

Expression::Expression() : impl_(std::make_unique<Impl>()) {}
Expression::~Expression() = default;
Expression::Expression(const Expression& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
Expression& Expression::operator=(const Expression& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}
Expression::Expression(Expression&&) noexcept = default;
Expression& Expression::operator=(Expression&&) noexcept = default;

Expression Expression::parse(std::string_view text, const std::vector<std::string>& names, const std::string& file,
                             const std::string& place) {
  Expression expression;
  Impl& impl = *expression.impl_;
  impl.text = std::string(text);
  Parser parser(impl.text, names, file, place, impl.nodes);
  impl.root = parser.parse_all();
  impl.uses = std::move(parser.uses);
  return expression;
}

double Expression::evaluate(std::span<const double> values) const {
  return impl_->root < 0 ? 0 : eval(impl_->nodes, impl_->root, values);
}

double Expression::violation(std::span<const double> values) const {
  return impl_->root < 0 ? 0 : violation_of(impl_->nodes, impl_->root, values);
}

const std::string& Expression::text() const { return impl_->text; }
const std::vector<size_t>& Expression::uses() const { return impl_->uses; }

}  // namespace acceldse::dse
