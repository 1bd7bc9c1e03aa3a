#include "load/reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>

#include "model/units.hpp"

namespace trsim::detail {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Long scalars are cut in messages: one bad value must not print a megabyte.
std::string shorten(std::string_view s) {
  if (s.size() <= 60) return std::string(s);
  return std::string(s.substr(0, 57)) + "...";
}

std::string range_message(std::string_view name, std::int64_t min, std::int64_t max,
                          std::string_view got) {
  if (max == std::numeric_limits<std::int64_t>::max())
    return fmt::format("'{}' must be at least {} (got {})", name, min, got);
  return fmt::format("'{}' must be between {} and {} (got {})", name, min, max, got);
}

}  // namespace

bool is_never(const Item& item) {
  if (!item.node.IsScalar()) return false;
  std::string s = item.node.Scalar();
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s == "never";
}

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  // from_chars also reads "inf" and "nan"; a number must start with a digit or a point.
  const std::string_view body = (!text.empty() && text.front() == '-') ? text.substr(1) : text;
  if (body.empty() ||
      !(std::isdigit(static_cast<unsigned char>(body.front())) || body.front() == '.'))
    return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

std::optional<std::int64_t> parse_int64(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return v;
  return std::nullopt;
}

// ---- MapView -------------------------------------------------------------------------------

MapView::MapView(const Reader& reader, const Item& map, KeyList allowed) : self_(map) {
  const YAML::Node& node = map.node;
  if (!node.IsDefined() || node.IsNull()) return;
  if (!node.IsMap()) {
    reader.error(map,
                 fmt::format("expected a map for '{}', got {}",
                             map.name.empty() ? "the scenario" : map.name, Reader::describe(node)));
    ok_ = false;
    return;
  }
  std::map<std::string, YAML::Node, std::less<>> seen;  // look-up only; output follows the file
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      reader.diags().error(reader.at(key),
                           fmt::format("keys must be names, got {}", Reader::describe(key)));
      rejected_keys_ = true;
      continue;
    }
    const std::string& text = key.Scalar();
    if (const auto first = seen.find(text); first != seen.end()) {
      const SourceLocation was = reader.at(first->second);
      reader.diags().error(
          reader.at(key),
          fmt::format("duplicate key '{}' (first given at line {})", shorten(text), was.line));
      rejected_keys_ = true;
      continue;
    }
    seen.emplace(text, key);
    const std::span<const std::string_view> keys =
        allowed ? allowed_keys(*allowed) : std::span<const std::string_view>{};
    if (allowed && std::find(keys.begin(), keys.end(), text) == keys.end()) {
      std::string where =
          map.path.empty() ? std::string("at the top level") : fmt::format("in '{}'", map.path);
      std::string msg;
      if (text == "<<")
        msg = fmt::format("YAML merge keys ('<<') are not supported ({})", where);
      else
        msg = fmt::format("unknown key '{}' {}{}", shorten(text), where, did_you_mean(text, keys));
      reader.diags().error(reader.at(key), std::move(msg));
      rejected_keys_ = true;
      continue;
    }
    entries_.push_back({text, reader.child(map, key, it->second, text)});
  }
}

const Item* MapView::find(std::string_view key) const {
  for (const Entry& e : entries_)
    if (e.key == key) return &e.item;
  return nullptr;
}

// ---- Reader --------------------------------------------------------------------------------

SourceLocation Reader::at(const Item& item) const {
  if ((!item.node.IsDefined() || item.node.IsNull()) && item.key.IsDefined()) return at(item.key);
  return at(item.node);
}

SourceLocation Reader::key_at(const Item& item) const {
  return item.key.IsDefined() ? at(item.key) : at(item.node);
}

SourceLocation Reader::in_scalar(const Item& item, std::size_t offset) const {
  if (!item.node.IsScalar()) return at(item);
  return locator_->in_scalar(*source_, item.node, offset);
}

Item Reader::root(const YAML::Node& node, std::string path) const {
  Item item;
  item.node.reset(node);
  item.name = path;
  item.path = std::move(path);
  return item;
}

Item Reader::child(const Item& parent, const YAML::Node& key, const YAML::Node& value,
                   const std::string& key_text) const {
  Item item;
  item.node.reset(value);
  item.key.reset(key);
  item.name = key_text;
  item.path = parent.path.empty() ? key_text : parent.path + "." + key_text;
  return item;
}

Item Reader::element(const Item& list, const YAML::Node& node, std::size_t index) const {
  Item item;
  item.node.reset(node);
  item.name = fmt::format("{}[{}]", list.name, index);
  item.path = fmt::format("{}.{}", list.path, index);
  return item;
}

std::optional<std::vector<Item>> Reader::list(const Item& item) const {
  std::vector<Item> out;
  if (!item.node.IsDefined() || item.node.IsNull()) return out;
  if (!item.node.IsSequence()) {
    error(item, fmt::format("expected a list for '{}', got {}", item.name, describe(item.node)));
    return std::nullopt;
  }
  std::size_t i = 0;
  for (auto it = item.node.begin(); it != item.node.end(); ++it)
    out.push_back(element(item, *it, i++));
  return out;
}

std::string Reader::describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  return fmt::format("'{}'", shorten(node.Scalar()));
}

bool Reader::scalar_text(const Item& item, std::string_view expected, std::string* out) const {
  if (!item.node.IsDefined() || item.node.IsNull()) {
    error(item, fmt::format("missing value for '{}' (expected {})", item.name, expected));
    return false;
  }
  if (!item.node.IsScalar()) {
    error(item,
          fmt::format("expected {} for '{}', got {}", expected, item.name, describe(item.node)));
    return false;
  }
  *out = item.node.Scalar();
  return true;
}

std::optional<std::string> Reader::string(const Item& item) const {
  std::string text;
  if (!scalar_text(item, "a string", &text)) return std::nullopt;
  return text;
}

std::optional<bool> Reader::boolean(const Item& item) const {
  std::string text;
  if (!scalar_text(item, "true or false", &text)) return std::nullopt;
  if (iequals(trim(text), "true")) return true;
  if (iequals(trim(text), "false")) return false;
  error(item,
        fmt::format("expected true or false for '{}', got {}", item.name, describe(item.node)));
  return std::nullopt;
}

std::optional<double> Reader::number(const Item& item) const {
  std::string text;
  if (!scalar_text(item, "a number", &text)) return std::nullopt;
  if (const auto v = parse_number(text)) return v;
  error(item, fmt::format("expected a number for '{}', got {}", item.name, describe(item.node)));
  return std::nullopt;
}

std::optional<std::int64_t> Reader::integer(const Item& item, std::int64_t min,
                                            std::int64_t max) const {
  std::string text;
  if (!scalar_text(item, "an integer", &text)) return std::nullopt;
  std::optional<std::int64_t> v = parse_int64(text);
  if (!v) {
    // 1e3 is an integer written as a float; 2.5 is not.
    if (const auto d = parse_number(text); d && *d == std::floor(*d)) {
      if (*d < static_cast<double>(min) || *d > static_cast<double>(max)) {
        error(item, range_message(item.name, min, max, describe_number(*d)));
        return std::nullopt;
      }
      v = static_cast<std::int64_t>(*d);
    } else if (d) {
      error(item,
            fmt::format("expected an integer for '{}', got {}", item.name, describe(item.node)));
      return std::nullopt;
    } else {
      const std::string_view t = trim(text);
      const bool digits =
          !t.empty() &&
          std::all_of(t.begin() + (t.front() == '-' || t.front() == '+'), t.end(),
                      [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
      if (digits && t.size() > 1) {
        error(item, range_message(item.name, min, max, shorten(t)));
      } else {
        error(item,
              fmt::format("expected an integer for '{}', got {}", item.name, describe(item.node)));
      }
      return std::nullopt;
    }
  }
  if (*v < min || *v > max) {
    error(item, range_message(item.name, min, max, std::to_string(*v)));
    return std::nullopt;
  }
  return v;
}

std::optional<std::uint64_t> Reader::unsigned_integer(const Item& item) const {
  std::string text;
  if (!scalar_text(item, "a non-negative integer", &text)) return std::nullopt;
  std::string_view t = trim(text);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (!t.empty() && ec == std::errc() && end == t.data() + t.size()) return v;
  if (ec == std::errc::result_out_of_range) {
    error(item, fmt::format("'{}' must be at most {} (got {})", item.name,
                            std::numeric_limits<std::uint64_t>::max(), shorten(t)));
  } else {
    error(item, fmt::format("expected a non-negative integer for '{}', got {}", item.name,
                            describe(item.node)));
  }
  return std::nullopt;
}

std::optional<SimTime> Reader::duration(const Item& item, SimTime min, SimTime max,
                                        std::string_view limit_hint) const {
  std::string text;
  if (!scalar_text(item, "a duration", &text)) return std::nullopt;
  const std::string_view t = trim(text);
  if (!t.empty() && t.front() == '-') {
    error(item, fmt::format("negative duration for '{}' ({}); durations must be >= 0", item.name,
                            shorten(t)));
    return std::nullopt;
  }
  std::string why;
  const std::optional<SimTime> d = parse_duration(t, &why);
  if (!d) {
    // Longer than any duration can be: for a limited setting, say which limit and how to raise it.
    if (!limit_hint.empty() && max < kMaxDuration && why.find("longer than") != std::string::npos)
      error(item, fmt::format("'{}' must be at most {} (got {}){}", item.name,
                              describe_duration(max), shorten(t), limit_hint));
    else
      error(item, fmt::format("'{}': {}", item.name, why));
    return std::nullopt;
  }
  if (*d < min || *d > max) {
    const std::string hint(*d > max ? limit_hint : std::string_view());
    if (max >= kMaxDuration)
      error(item, fmt::format("'{}' must be at least {} (got {}){}", item.name,
                              describe_duration(min), describe_duration(*d), hint));
    else if (min == 0)
      error(item, fmt::format("'{}' must be at most {} (got {}){}", item.name,
                              describe_duration(max), describe_duration(*d), hint));
    else
      error(item, fmt::format("'{}' must be between {} and {} (got {}){}", item.name,
                              describe_duration(min), describe_duration(max), describe_duration(*d),
                              hint));
    return std::nullopt;
  }
  return d;
}

std::optional<double> Reader::rate(const Item& item) const {
  std::string text;
  if (!scalar_text(item, "a rate", &text)) return std::nullopt;
  const std::string_view t = trim(text);
  if (!t.empty() && t.front() == '-') {
    error(item,
          fmt::format("negative rate for '{}' ({}); rates must be >= 0", item.name, shorten(t)));
    return std::nullopt;
  }
  std::string why;
  const std::optional<double> r = parse_rate(t, &why);
  if (!r) error(item, fmt::format("'{}': {}", item.name, why));
  return r;
}

std::optional<std::size_t> Reader::choice(const Item& item,
                                          std::span<const std::string_view> choices) const {
  std::string text;
  std::string expected = "one of ";
  for (std::size_t i = 0; i < choices.size(); ++i)
    expected += (i ? ", " : "") + std::string(choices[i]);
  if (!scalar_text(item, expected, &text)) return std::nullopt;
  for (std::size_t i = 0; i < choices.size(); ++i)
    if (iequals(trim(text), choices[i])) return i;
  error(item, fmt::format("expected {} for '{}', got {}{}", expected, item.name,
                          describe(item.node), did_you_mean(text, choices)));
  return std::nullopt;
}

Value Reader::scalar_value(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return Value();
  const std::string& s = node.Scalar();
  if (!is_plain_scalar(node)) return Value::string(s);
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return Value();
  if (s == "true" || s == "True" || s == "TRUE") return Value::boolean(true);
  if (s == "false" || s == "False" || s == "FALSE") return Value::boolean(false);
  if (const auto d = parse_number(s)) return Value::number(*d);
  return Value::string(s);
}

std::optional<Value> Reader::value(const Item& item, ValueBudget& budget) const {
  return value_at(item, budget, 0);
}

std::optional<Value> Reader::value_at(const Item& item, ValueBudget& budget, int depth) const {
  if (budget.nodes_left == 0) return std::nullopt;  // reported once, where it ran out
  if (--budget.nodes_left == 0) {
    error(item, fmt::format("attribute values are too large (more than {} values in the scenario)",
                            ValueBudget::kMaxNodes));
    return std::nullopt;
  }
  // A self-referencing anchor (`&a [*a]`) would recurse forever.
  if (depth > 64) {
    error(item,
          fmt::format("'{}' nests more than 64 levels deep (or refers to itself)", item.name));
    budget.nodes_left = 0;
    return std::nullopt;
  }
  const YAML::Node& node = item.node;
  if (node.IsMap()) {
    MapView map(*this, item, std::nullopt);
    Value::Object members;
    bool ok = map.ok();
    for (const auto& e : map.entries()) {
      std::optional<Value> v = value_at(e.item, budget, depth + 1);
      if (!v) {
        ok = false;
        continue;
      }
      members.emplace_back(e.key, std::move(*v));
    }
    if (!ok) return std::nullopt;
    return Value::object(std::move(members));
  }
  if (node.IsSequence()) {
    Value::Array elements;
    bool ok = true;
    std::size_t i = 0;
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::optional<Value> v = value_at(element(item, *it, i++), budget, depth + 1);
      if (!v) {
        ok = false;
        continue;
      }
      elements.push_back(std::move(*v));
    }
    if (!ok) return std::nullopt;
    return Value::array(std::move(elements));
  }
  return scalar_value(node);
}

}  // namespace trsim::detail
