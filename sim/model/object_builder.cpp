#include "model/object_builder.hpp"

namespace trsim::detail {

void ObjectBuilder::set_path(std::string_view path, Value value) {
  std::size_t node = 0;
  for (;;) {
    const std::size_t dot = path.find('.');
    if (dot == std::string_view::npos) {
      assign(child(node, path), std::move(value));
      return;
    }
    const std::size_t next = child(node, path.substr(0, dot));
    if (!nodes_[next].object) make_object(next);
    node = next;
    path.remove_prefix(dot + 1);
  }
}

std::size_t ObjectBuilder::child(std::size_t node, std::string_view key) {
  Node& n = nodes_[node];
  if (n.index.empty()) {
    for (const auto& [k, c] : n.members)
      if (k == key) return c;
  } else if (const auto it = n.index.find(std::string(key)); it != n.index.end()) {
    return it->second;
  }
  const std::size_t c = nodes_.size();
  nodes_.emplace_back();  // (invalidates `n`)
  nodes_[c].object = false;
  Node& parent = nodes_[node];
  parent.members.emplace_back(std::string(key), c);
  if (!parent.index.empty()) {
    parent.index.emplace(parent.members.back().first, c);
  } else if (parent.members.size() >= kIndexFrom) {
    for (const auto& [k, i] : parent.members) parent.index.emplace(k, i);
  }
  return c;
}

void ObjectBuilder::make_object(std::size_t node) {
  Node& n = nodes_[node];
  n.object = true;
  n.value = Value();
  n.members.clear();
  n.index.clear();
}

void ObjectBuilder::assign(std::size_t node, Value value) {
  if (value.is_object()) {
    make_object(node);
    merge_into(node, value);
    return;
  }
  Node& n = nodes_[node];
  n.object = false;
  n.members.clear();
  n.index.clear();
  n.value = std::move(value);
}

void ObjectBuilder::merge_into(std::size_t node, const Value& overrides) {
  for (const auto& [key, v] : overrides.as_object()) {
    const std::size_t c = child(node, key);
    if (nodes_[c].object && v.is_object())
      merge_into(c, v);
    else
      assign(c, v);
  }
}

Value ObjectBuilder::build(std::size_t node) {
  Node& n = nodes_[node];
  if (!n.object) return std::move(n.value);
  Value::Object members;
  members.reserve(n.members.size());
  for (auto& [key, c] : n.members) members.emplace_back(std::move(key), build(c));
  return Value::object(std::move(members));
}

}  // namespace trsim::detail
