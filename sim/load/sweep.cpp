// The `sweep:` block: the grid `trsim sweep` runs when no --set lists one. Each key is the dotted
// path of a scalar setting (as --set takes it), each value a list of scalars. The paths are
// checked against the scenario's own tree here; whether each value is valid for its setting is
// checked by loading every point of the grid before the sweep runs (trsim sweep does that).
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "load/sections.hpp"

namespace trsim::detail {

namespace {

// Settings every point must share for common random numbers and pairing.
constexpr std::string_view kUnsweepable[] = {"seed", "replications", "sweep"};

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segs;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = path.find('.', start);
    const std::size_t end = dot == std::string_view::npos ? path.size() : dot;
    segs.emplace_back(path.substr(start, end - start));
    if (dot == std::string_view::npos) return segs;
    start = dot + 1;
  }
}

std::string joined(const std::vector<std::string>& segs, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) {
    if (i > from) out += '.';
    out += segs[i];
  }
  return out;
}

// The value under the key `key` of `map` (find_key gives the key node), or an undefined node.
YAML::Node find_value(const YAML::Node& map, std::string_view key) {
  for (auto it = map.begin(); it != map.end(); ++it)
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  return YAML::Node(YAML::NodeType::Undefined);
}

// Walks `path` through the scenario tree the way --set does (a key may hold dots; lists by
// index). The final key may be absent (a setting left at its default); everything before it must
// exist. Returns the problem, or "" when the path can name a scalar.
std::string check_path(const YAML::Node& root, const std::string& path) {
  const std::vector<std::string> segs = split_path(path);
  if (std::any_of(segs.begin(), segs.end(), [](const std::string& s) { return s.empty(); }))
    return fmt::format("empty name in the path '{}'", path);
  if (std::find(std::begin(kUnsweepable), std::end(kUnsweepable), segs.front()) !=
      std::end(kUnsweepable))
    return fmt::format(
        "'{}' cannot be swept: every point shares the seed and the replications "
        "(common random numbers)",
        segs.front());
  YAML::Node cur(root);
  for (std::size_t i = 0; i < segs.size();) {
    const std::string where =
        i == 0 ? std::string("at the top level") : fmt::format("in '{}'", joined(segs, 0, i));
    if (cur.IsSequence()) {
      const std::optional<std::int64_t> index = parse_int64(segs[i]);
      if (!index || *index < 0 || static_cast<std::size_t>(*index) >= cur.size())
        return fmt::format("'{}' is not an index of the list '{}' ({} items)", segs[i],
                           joined(segs, 0, i), cur.size());
      cur.reset(cur[static_cast<std::size_t>(*index)]);
      ++i;
      continue;
    }
    if (!cur.IsMap()) {
      if (cur.IsNull() && i + 1 == segs.size()) return "";  // an empty section's default
      return fmt::format("'{}' is a single value, so it has no '{}'", joined(segs, 0, i), segs[i]);
    }
    std::size_t take = 0;
    for (std::size_t len = segs.size() - i; len >= 1 && take == 0; --len)
      if (find_value(cur, joined(segs, i, i + len)).IsDefined()) take = len;
    if (take == 0) {
      if (i + 1 == segs.size()) return "";  // a setting left at its default
      return fmt::format("no '{}' {}{}", segs[i], where, did_you_mean(segs[i], keys_of(cur)));
    }
    cur.reset(find_value(cur, joined(segs, i, i + take)));
    i += take;
  }
  if (cur.IsMap() || cur.IsSequence())
    return fmt::format("'{}' is {}, not a single value: only scalars can be swept", path,
                       cur.IsMap() ? "a map" : "a list");
  return "";
}

// A value as an override text: a plain scalar as written; a quoted one as a JSON string, which
// YAML reads back as the same string (so "b,c" or "yes" stay strings).
std::string override_text(const YAML::Node& node) {
  if (is_plain_scalar(node)) return node.Scalar();
  std::string out;
  append_json_string(out, node.Scalar());
  return out;
}

}  // namespace

void build_sweep(LoadContext& ctx, const MapView& top) {
  const Item* section = top.find("sweep");
  if (section == nullptr) return;
  const Reader r = ctx.reader();
  const MapView block(r, *section, std::nullopt);
  if (!block.ok()) return;
  for (const MapView::Entry& e : block.entries()) {
    SweepParameter p;
    p.path = e.key;
    p.where = r.key_at(e.item);
    if (const std::string problem = check_path(top.self().node, e.key); !problem.empty()) {
      ctx.diags.error(p.where, fmt::format("sweep: {}", problem));
      continue;
    }
    const auto list = r.list(e.item);
    if (!list) continue;
    if (list->empty()) r.error(e.item, fmt::format("sweep: '{}' needs at least one value", e.key));
    for (const Item& v : *list) {
      if (!v.node.IsScalar() || (is_plain_scalar(v.node) && v.node.IsNull())) {
        r.error(v, fmt::format("sweep: expected a single value for '{}', got {}", v.name,
                               Reader::describe(v.node)));
        continue;
      }
      std::string text = override_text(v.node);
      if (std::find(p.values.begin(), p.values.end(), text) != p.values.end()) {
        r.error(v, fmt::format("sweep: the value {} of '{}' is listed twice", text, e.key));
        continue;
      }
      p.values.push_back(std::move(text));
    }
    ctx.sc.sweep.push_back(std::move(p));
  }
}

}  // namespace trsim::detail
