#pragma once
// Typed reading of YAML nodes: maps checked for unknown and duplicate keys, scalars read as
// strings, booleans, numbers, integers, durations and rates, and JSON-like attribute values.
// Every problem becomes a located diagnostic and an empty optional; nothing throws.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "load/diagnostics.hpp"
#include "load/keys.hpp"
#include "load/yaml.hpp"
#include "trsim/time.hpp"
#include "trsim/value.hpp"

namespace trsim::detail {

/// A node to read, with what to call it in messages and where to report it.
struct Item {
  Item() = default;
  Item(const Item&) = default;
  /// yaml-cpp's Node::operator= replaces the node *inside the tree*; rebinding needs reset().
  Item& operator=(const Item& other) {
    node.reset(other.node);
    key.reset(other.key);
    name = other.name;
    path = other.path;
    return *this;
  }

  YAML::Node node;
  /// The map key the node is the value of; reports about a missing (null) value point at it,
  /// since yaml-cpp marks an empty value at the next token.
  YAML::Node key;
  std::string name;  ///< "count", "targets[1]": what messages call it
  std::string path;  ///< "workers.es-agents.count": the dotted path --set would use
};

/// Guards attribute conversion against alias bombs and self-referencing anchors.
struct ValueBudget {
  /// Aliases let a 1 KB file stand for a billion values; reading each costs about a microsecond,
  /// so the cap also bounds the loader's time (well under the fuzzer's limit per input).
  static constexpr std::uint64_t kMaxNodes = 100'000;
  std::uint64_t nodes_left = kMaxNodes;
};

/// Keys a map may hold (one of the loader's key sets); nullopt = any key (a named collection).
using KeyList = std::optional<KeySet>;

class Reader;

/// A map whose keys have been checked: scalar, unique (yaml-cpp keeps duplicates), and allowed.
class MapView {
 public:
  struct Entry {
    std::string key;
    Item item;
  };
  /// A null node is an empty map. Reports a non-map (ok() is then false), non-scalar and
  /// duplicate keys, and keys outside `allowed` (with a hint); those entries are left out.
  MapView(const Reader& reader, const Item& map, KeyList allowed);

  bool ok() const { return ok_; }
  /// A map with no rejected key. "needs 'x'" checks run only on complete maps: a misspelt key
  /// was already reported, and "needs" would repeat the same mistake.
  bool complete() const { return ok_ && !rejected_keys_; }
  const std::vector<Entry>& entries() const { return entries_; }
  const Item* find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }
  const Item& self() const { return self_; }

 private:
  Item self_;
  bool ok_ = true;
  bool rejected_keys_ = false;
  std::vector<Entry> entries_;
};

class Reader {
 public:
  Reader(const Source& source, const Locator& locator, Diagnostics& diags)
      : source_(&source), locator_(&locator), diags_(&diags) {}

  const Source& source() const { return *source_; }
  Diagnostics& diags() const { return *diags_; }

  SourceLocation at(const YAML::Node& node) const { return locator_->at(*source_, node); }
  /// Where the item is: its value, or its key when the value is missing.
  SourceLocation at(const Item& item) const;
  SourceLocation in_scalar(const Item& item, std::size_t offset) const;
  void error(const Item& item, std::string message) const {
    diags_->error(at(item), std::move(message));
  }
  void warning(const Item& item, std::string message) const {
    diags_->warning(at(item), std::move(message));
  }
  /// Where the key of an entry is (for "unknown key", "needs a ...").
  SourceLocation key_at(const Item& item) const;

  Item root(const YAML::Node& node, std::string path) const;
  Item child(const Item& parent, const YAML::Node& key, const YAML::Node& value,
             const std::string& key_text) const;
  Item element(const Item& list, const YAML::Node& node, std::size_t index) const;

  /// The elements of a list (null = empty); nullopt and an error when not a list.
  std::optional<std::vector<Item>> list(const Item& item) const;

  // Scalars. Typed readers accept quoted text too ("5"), since exported JSON sometimes quotes
  // numbers; only attribute values keep YAML's quoted-means-string rule.
  std::optional<std::string> string(const Item& item) const;
  std::optional<bool> boolean(const Item& item) const;
  std::optional<double> number(const Item& item) const;
  std::optional<std::int64_t> integer(const Item& item, std::int64_t min, std::int64_t max) const;
  std::optional<std::uint64_t> unsigned_integer(const Item& item) const;
  /// A duration (number of seconds or "1h30m"), checked against [min, max]. `limit_hint` is
  /// appended to the message of a value above `max` (how to raise a resource limit).
  std::optional<SimTime> duration(const Item& item, SimTime min = 0, SimTime max = kMaxDuration,
                                  std::string_view limit_hint = {}) const;
  /// Tasks per second ("0.5", "120/h").
  std::optional<double> rate(const Item& item) const;
  /// One of `choices`, matched ignoring case; returns the index.
  std::optional<std::size_t> choice(const Item& item,
                                    std::span<const std::string_view> choices) const;

  /// A JSON-like value (maps keep their order; plain scalars become numbers, booleans or null).
  std::optional<Value> value(const Item& item, ValueBudget& budget) const;
  /// The value a scalar stands for, by YAML's rules (quoted = string).
  static Value scalar_value(const YAML::Node& node);

  /// "a map", "a list", "nothing", "'text'" — what a node is, for "expected X, got Y".
  static std::string describe(const YAML::Node& node);

 private:
  bool scalar_text(const Item& item, std::string_view expected, std::string* out) const;
  std::optional<Value> value_at(const Item& item, ValueBudget& budget, int depth) const;

  const Source* source_;
  const Locator* locator_;
  Diagnostics* diags_;
};

/// Whether the item is the scalar `never`, in any case (return_after, a task update's patience).
bool is_never(const Item& item);

/// Strict number syntax: optional sign, decimal digits, fraction and exponent; finite.
std::optional<double> parse_number(std::string_view text);
std::optional<std::int64_t> parse_int64(std::string_view text);

}  // namespace trsim::detail
