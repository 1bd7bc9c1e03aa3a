#include "load/overrides.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <vector>

#include "load/reader.hpp"

namespace trsim::detail {

namespace {

struct Segment {
  std::string text;
  int column = 0;  // 1-based, in the override string
};

std::string joined(const std::vector<Segment>& segs, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) {
    if (i > from) out += '.';
    out += segs[i].text;
  }
  return out;
}

class OverrideApplier {
 public:
  OverrideApplier(const Source& src, int line, Locator& locator, Diagnostics& diags,
                  std::span<const std::string_view> creatable)
      : src_(src), line_(line), locator_(locator), diags_(diags), creatable_(creatable) {}

  void apply(YAML::Node& root) {
    const std::string& s = src_.text;
    const std::size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      fail(1, fmt::format("expected PATH=VALUE, got '{}'", s));
      return;
    }
    if (!split_path(std::string_view(s).substr(0, eq))) return;
    value_shift_ = eq + 1;
    std::optional<YAML::Node> value = parse_value(std::string_view(s).substr(eq + 1));
    if (!value) return;
    walk(root, *value);
  }

 private:
  void fail(int column, std::string message) {
    diags_.error({src_.file, line_, column}, std::move(message));
  }

  bool split_path(std::string_view path) {
    std::size_t start = 0;
    for (;;) {
      const std::size_t dot = path.find('.', start);
      const std::size_t end = dot == std::string_view::npos ? path.size() : dot;
      if (end == start) {
        fail(static_cast<int>(start) + 1, fmt::format("empty name in the path '{}'", path));
        return false;
      }
      segs_.push_back({std::string(path.substr(start, end - start)), static_cast<int>(start) + 1});
      if (dot == std::string_view::npos) return true;
      start = dot + 1;
    }
  }

  std::optional<YAML::Node> parse_value(std::string_view text) {
    try {
      return load_one_document(std::string(text));
    } catch (const YAML::Exception& e) {
      const int column = static_cast<int>(value_shift_) + std::max(e.mark.column, 0) + 1;
      fail(column, fmt::format("YAML syntax error in the value: {}", e.msg));
    } catch (const std::exception& e) {
      fail(static_cast<int>(value_shift_) + 1, fmt::format("cannot read the value: {}", e.what()));
    }
    return std::nullopt;
  }

  // Replaces (or creates) `key` of the map `parent` with `value`.
  // (`slot = value` is yaml-cpp's way to replace the node in place; rebinding a handle needs
  // reset(), which is why the walk below never assigns one Node to another.)
  void set_in_map(YAML::Node& parent, const Segment& seg, const std::string& key,
                  const YAML::Node& value, bool parsed) {
    YAML::Node slot = parent[key];
    slot = value;
    if (parsed)
      locator_.add_parsed(value, src_, value_shift_, line_);
    else
      locator_.add_fixed(value, {src_.file, line_, seg.column});
    // The key too: a diagnostic about the setting (a missing value is reported at its key) belongs
    // to the --set that gave it, not to the line of the file it replaced.
    locator_.add_fixed(find_key(parent, key), {src_.file, line_, seg.column});
  }

  void walk(YAML::Node& root, const YAML::Node& value) {
    YAML::Node cur = root;
    const std::size_t n = segs_.size();
    for (std::size_t i = 0; i < n;) {
      const Segment& seg = segs_[i];
      const std::string where =
          i == 0 ? std::string("at the top level") : fmt::format("in '{}'", joined(segs_, 0, i));
      if (cur.IsSequence()) {
        const std::optional<std::int64_t> index = parse_int64(seg.text);
        if (!index || *index < 0 || static_cast<std::size_t>(*index) >= cur.size()) {
          fail(seg.column,
               fmt::format("'{}' is not an index of the list '{}' (it has {} items, 0 to {})",
                           seg.text, joined(segs_, 0, i), cur.size(),
                           cur.size() == 0 ? 0 : cur.size() - 1));
          return;
        }
        const std::size_t k = static_cast<std::size_t>(*index);
        if (i + 1 == n) {
          YAML::Node slot = cur[k];
          slot = value;
          locator_.add_parsed(value, src_, value_shift_, line_);
          return;
        }
        cur.reset(cur[k]);
        ++i;
        continue;
      }
      if (!cur.IsMap() && !cur.IsNull()) {
        fail(seg.column, fmt::format("'{}' is a single value, so it has no '{}'",
                                     joined(segs_, 0, i), seg.text));
        return;
      }
      // Names may hold dots ("team.a"): try the longest run of segments that is a key.
      std::size_t take = 0;
      if (cur.IsMap()) {
        for (std::size_t len = n - i; len >= 1 && take == 0; --len)
          if (find_key(cur, joined(segs_, i, i + len)).IsDefined()) take = len;
      }
      if (take == 0) {
        if (i + 1 == n) {
          set_in_map(cur, seg, seg.text, value, true);
          return;
        }
        if (i == 0 &&
            std::find(creatable_.begin(), creatable_.end(), seg.text) != creatable_.end()) {
          set_in_map(cur, seg, seg.text, YAML::Node(YAML::NodeType::Map), false);
          cur.reset(cur[seg.text]);
          ++i;
          continue;
        }
        const std::vector<std::string> keys =
            cur.IsMap() ? keys_of(cur) : std::vector<std::string>{};
        fail(seg.column,
             fmt::format("no '{}' {}{}", seg.text, where, did_you_mean(seg.text, keys)));
        return;
      }
      const std::string key = joined(segs_, i, i + take);
      if (i + take == n) {
        set_in_map(cur, seg, key, value, true);
        return;
      }
      cur.reset(cur[key]);
      i += take;
    }
  }

  const Source& src_;
  int line_;
  Locator& locator_;
  Diagnostics& diags_;
  std::span<const std::string_view> creatable_;
  std::vector<Segment> segs_;
  std::size_t value_shift_ = 0;
};

}  // namespace

void apply_overrides(YAML::Node& root, std::span<const std::string> overrides,
                     std::span<const std::string_view> creatable_sections,
                     std::deque<Source>& sources, Locator& locator, Diagnostics& diags,
                     const std::function<bool(const std::string&)>& select) {
  for (std::size_t k = 0; k < overrides.size(); ++k) {
    if (select && !select(overrides[k])) continue;
    sources.push_back({std::string(kOverrideFile), overrides[k]});
    OverrideApplier applier(sources.back(), static_cast<int>(k) + 1, locator, diags,
                            creatable_sections);
    applier.apply(root);
  }
}

}  // namespace trsim::detail
