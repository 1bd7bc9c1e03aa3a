#pragma once
// Reading YAML text (the scenario, a JSON configuration_file, a --set value) into yaml-cpp nodes,
// and finding where any node was written — including nodes that --set overrides put into the
// tree, whose yaml-cpp marks point into the override text rather than the scenario.
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "load/diagnostics.hpp"

namespace trsim::detail {

/// One text the loader reads. Sources live in a std::deque owned by the load so that the
/// pointers the Locator keeps stay valid.
struct Source {
  std::string file;  ///< as shown in diagnostics
  std::string text;
};

/// A scenario (or a --set value) holding more than one YAML document.
struct SecondDocument : YAML::ParserException {
  explicit SecondDocument(const YAML::Mark& where)
      : YAML::ParserException(
            where, "only one YAML document is allowed (found a second one; remove the '---')") {}
};

/// The one document of `text`. Throws YAML::ParserException (with its mark) on a syntax error or
/// on anything after the first document. Never loops: see the .cpp for the yaml-cpp bug avoided.
YAML::Node load_one_document(const std::string& text);

/// Parses `src.text` as exactly one YAML (or JSON) document. A syntax error is reported at its
/// line and column and gives nullopt; an empty text gives a Null node. Never throws.
std::optional<YAML::Node> parse_yaml_document(const Source& src, Diagnostics& diags);

/// True for a scalar written without quotes (YAML's "?" non-specific tag): only plain scalars
/// may be numbers, booleans or null in attribute values.
bool is_plain_scalar(const YAML::Node& node);

/// The key node of `map` whose text is `name` (compared as written, so a key holding dots is one
/// key), or an undefined node. --set and sweep paths walk the tree with it.
YAML::Node find_key(const YAML::Node& map, std::string_view name);

/// The scalar keys of `map`, in file order (for "did you mean" hints).
std::vector<std::string> keys_of(const YAML::Node& map);

/// Maps nodes to their place in a source. yaml-cpp marks cannot be changed, so nodes that an
/// override parsed from its own text are kept in a side table, compared by node identity.
class Locator {
 public:
  /// `node` (and everything below it) was parsed from `src.text.substr(shift)` on line `line`.
  void add_parsed(const YAML::Node& node, const Source& src, std::size_t shift, int line);
  /// `node` has no mark of its own (a key an override created): report it at `where`.
  void add_fixed(const YAML::Node& node, SourceLocation where);

  SourceLocation at(const Source& src, const YAML::Node& node) const;
  /// Where byte `offset` of a scalar's value was written: past an opening quote, counting
  /// escapes, so that an expression error points at the character at fault. Falls back to the
  /// scalar's start for block and multi-line scalars.
  SourceLocation in_scalar(const Source& src, const YAML::Node& node, std::size_t offset) const;

 private:
  struct Origin {
    YAML::Node node;
    const Source* source = nullptr;
    std::size_t shift = 0;
    int line = 1;
    std::optional<SourceLocation> fixed;
  };
  const Origin* find(const YAML::Node& node) const;
  void add_tree(const YAML::Node& node, const Source& src, std::size_t shift, int line, int depth);
  std::vector<Origin> origins_;
};

}  // namespace trsim::detail
