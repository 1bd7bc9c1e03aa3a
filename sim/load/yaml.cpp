#include "load/yaml.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>

#include <exception>
#include <sstream>
#include <string_view>

namespace trsim::detail {

namespace {

SourceLocation mark_location(const std::string& file, const YAML::Mark& mark) {
  if (mark.line < 0) return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};
}

// Bytes that the escape at text[i] (a backslash inside a double-quoted scalar) decodes to, and
// its length in the source; {0, 0} when it cannot be followed.
std::pair<std::size_t, std::size_t> escape_size(std::string_view text, std::size_t i) {
  if (i + 1 >= text.size()) return {0, 0};
  const char kind = text[i + 1];
  std::size_t digits = 0;
  if (kind == 'x') digits = 2;
  if (kind == 'u') digits = 4;
  if (kind == 'U') digits = 8;
  if (kind == '\n' || kind == '\r') return {0, 0};  // an escaped line break folds lines
  if (digits == 0) {
    // \N, \_, \L and \P decode to multi-byte characters; the rest to one byte.
    const std::size_t bytes = (kind == 'N' || kind == '_')   ? 2
                              : (kind == 'L' || kind == 'P') ? 3
                                                             : 1;
    return {bytes, 2};
  }
  if (i + 2 + digits > text.size()) return {0, 0};
  unsigned long code = 0;
  for (std::size_t k = 0; k < digits; ++k) {
    const char c = text[i + 2 + k];
    int v = 0;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else
      return {0, 0};
    code = code * 16 + static_cast<unsigned long>(v);
  }
  const std::size_t bytes = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  return {bytes, 2 + digits};
}

// How many source bytes, from the scalar's first character at `start`, lie before decoded byte
// `offset` of its value; nullopt when the mapping is not a simple one-line walk.
std::optional<std::size_t> scalar_advance(std::string_view text, std::size_t start,
                                          std::size_t offset) {
  if (start >= text.size()) return std::nullopt;
  const char style = text[start];
  if (style == '|' || style == '>') return std::nullopt;
  const bool single = style == '\'', dbl = style == '"';
  std::size_t i = start + ((single || dbl) ? 1 : 0);
  std::size_t decoded = 0;
  while (decoded < offset) {
    if (i >= text.size()) return std::nullopt;
    const char c = text[i];
    if (c == '\n' || c == '\r') return std::nullopt;
    if (single && c == '\'') {
      if (i + 1 < text.size() && text[i + 1] == '\'') {
        i += 2;
        ++decoded;
        continue;
      }
      return std::nullopt;
    }
    if (dbl && c == '"') return std::nullopt;
    if (dbl && c == '\\') {
      const auto [bytes, length] = escape_size(text, i);
      if (length == 0) return std::nullopt;
      decoded += bytes;
      i += length;
      continue;
    }
    ++i;
    ++decoded;
  }
  return i - start;
}

}  // namespace

namespace {

// Records where each document starts; the events themselves are not needed.
class DocumentStarts : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
  std::vector<YAML::Mark> starts;
};

// yaml-cpp 0.7's LoadAll never returns on a stray ',' outside any flow collection (its parser
// reports an empty document there without consuming the token, forever; yaml-cpp issue #1040).
// So documents are counted with at most two parser steps, and only the first one is loaded.
std::optional<YAML::Mark> second_document(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts starts;
  if (!parser.HandleNextDocument(starts)) return std::nullopt;
  if (!parser.HandleNextDocument(starts)) return std::nullopt;
  return starts.starts.back();
}

}  // namespace

YAML::Node load_one_document(const std::string& text) {
  if (const auto second = second_document(text)) {
    const std::size_t pos = second->pos < 0 ? 0 : static_cast<std::size_t>(second->pos);
    if (text.compare(pos, 3, "---") == 0) throw SecondDocument(*second);
    const char c = pos < text.size() ? text[pos] : ' ';
    throw YAML::ParserException(*second,
                                fmt::format("unexpected '{}' after the end of the document", c));
  }
  return YAML::Load(text);
}

std::optional<YAML::Node> parse_yaml_document(const Source& src, Diagnostics& diags) {
  try {
    return load_one_document(src.text);
  } catch (const SecondDocument& e) {
    diags.error(mark_location(src.file, e.mark), e.msg);
  } catch (const YAML::DeepRecursion& e) {
    diags.error(mark_location(src.file, e.mark),
                fmt::format("the document nests more than {} levels deep", e.depth()));
  } catch (const YAML::ParserException& e) {
    diags.error(mark_location(src.file, e.mark), fmt::format("YAML syntax error: {}", e.msg));
  } catch (const YAML::Exception& e) {
    diags.error(mark_location(src.file, e.mark), fmt::format("cannot read YAML: {}", e.msg));
  } catch (const std::exception& e) {
    diags.error({src.file, 0, 0}, fmt::format("cannot read YAML: {}", e.what()));
  }
  return std::nullopt;
}

bool is_plain_scalar(const YAML::Node& node) { return node.IsScalar() && node.Tag() == "?"; }

YAML::Node find_key(const YAML::Node& map, std::string_view name) {
  // Not a map (a fuzzed group may be a list): no key, rather than yaml-cpp's InvalidNode.
  if (!map.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  for (auto it = map.begin(); it != map.end(); ++it)
    if (it->first.IsScalar() && it->first.Scalar() == name) return it->first;
  return YAML::Node(YAML::NodeType::Undefined);
}

std::vector<std::string> keys_of(const YAML::Node& map) {
  std::vector<std::string> keys;
  if (!map.IsMap()) return keys;
  for (auto it = map.begin(); it != map.end(); ++it)
    if (it->first.IsScalar()) keys.push_back(it->first.Scalar());
  return keys;
}

void Locator::add_parsed(const YAML::Node& node, const Source& src, std::size_t shift, int line) {
  add_tree(node, src, shift, line, 0);
}

void Locator::add_tree(const YAML::Node& node, const Source& src, std::size_t shift, int line,
                       int depth) {
  Origin o;
  o.node.reset(node);
  o.source = &src;
  o.shift = shift;
  o.line = line;
  origins_.push_back(std::move(o));
  // An override value is one command-line word; its depth is bounded by yaml-cpp's guard, and
  // by this one in case a tree ever refers to itself.
  if (depth > 100) return;
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      add_tree(it->first, src, shift, line, depth + 1);
      add_tree(it->second, src, shift, line, depth + 1);
    }
  } else if (node.IsSequence()) {
    for (auto it = node.begin(); it != node.end(); ++it) add_tree(*it, src, shift, line, depth + 1);
  }
}

void Locator::add_fixed(const YAML::Node& node, SourceLocation where) {
  Origin o;
  o.node.reset(node);
  o.fixed = std::move(where);
  origins_.push_back(std::move(o));
}

const Locator::Origin* Locator::find(const YAML::Node& node) const {
  if (!node.IsDefined()) return nullptr;
  // Latest first: a later override of the same node wins.
  for (auto it = origins_.rbegin(); it != origins_.rend(); ++it) {
    if (it->node.is(node)) return &*it;
  }
  return nullptr;
}

SourceLocation Locator::at(const Source& src, const YAML::Node& node) const {
  if (!node.IsDefined()) return {src.file, 0, 0};
  const YAML::Mark mark = node.Mark();
  if (const Origin* o = find(node)) {
    if (o->fixed) return *o->fixed;
    if (mark.line < 0) return {o->source->file, o->line, static_cast<int>(o->shift) + 1};
    const int column = (mark.line == 0 ? static_cast<int>(o->shift) : 0) + mark.column + 1;
    return {o->source->file, o->line + mark.line, column};
  }
  return mark_location(src.file, mark);
}

SourceLocation Locator::in_scalar(const Source& src, const YAML::Node& node,
                                  std::size_t offset) const {
  SourceLocation where = at(src, node);
  if (!node.IsDefined() || where.line == 0) return where;
  const YAML::Mark mark = node.Mark();
  if (mark.pos < 0) return where;
  const Source* text_source = &src;
  std::size_t start = static_cast<std::size_t>(mark.pos);
  if (const Origin* o = find(node)) {
    if (o->fixed) return where;
    text_source = o->source;
    start += o->shift;
  }
  if (const auto advance = scalar_advance(text_source->text, start, offset))
    where.column += static_cast<int>(*advance);
  return where;
}

}  // namespace trsim::detail
