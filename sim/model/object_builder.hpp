#pragma once
// Builds an attribute object from many settings in time linear in them, with the semantics of
// Value::set_path and Value::merge_from (a later setting replaces an earlier one in place; a deeper
// path turns a scalar into an object; objects merge deeply): those two scan an object's members
// for each key, which made a trace row of 200,000 attribute columns take minutes. Objects index
// their keys once they grow past a few. The trace reader builds each row's attributes with it,
// and Value::merge_from merges large objects through it: one indexed implementation of both.
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "trsim/value.hpp"

namespace trsim::detail {

class ObjectBuilder {
 public:
  /// An empty object.
  ObjectBuilder() { nodes_.emplace_back(); }
  /// A copy of `object`'s members, in order (an object).
  explicit ObjectBuilder(const Value& object) : ObjectBuilder() { merge(object); }

  /// Value::set_path(path, value) on the object.
  void set_path(std::string_view path, Value value);
  /// Value::merge_from(overrides) into the object (`overrides` is an object).
  void merge(const Value& overrides) { merge_into(0, overrides); }
  /// The object built (once).
  Value take() { return build(0); }

 private:
  struct Node {
    bool object = true;  // else a leaf holding `value` (never an object: those become nodes)
    Value value;
    std::vector<std::pair<std::string, std::size_t>> members;  // key, node; in written order
    std::unordered_map<std::string, std::size_t> index;        // key -> node, once large
  };
  static constexpr std::size_t kIndexFrom = 16;

  /// The member `key` of object `node`, added (as an empty leaf) when absent.
  std::size_t child(std::size_t node, std::string_view key);
  void make_object(std::size_t node);
  void assign(std::size_t node, Value value);
  void merge_into(std::size_t node, const Value& overrides);
  Value build(std::size_t node);

  std::vector<Node> nodes_;
};

}  // namespace trsim::detail
