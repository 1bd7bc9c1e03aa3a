#include "load/context.hpp"

#include <fmt/format.h>

#include <cctype>

#include "load/files.hpp"

namespace trsim::detail {

std::uint32_t NameIndex::add(const std::string& name) {
  if (const auto it = ids.find(name); it != ids.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(names.size());
  names.push_back(name);
  ids.emplace(name, id);
  return id;
}

std::uint32_t NameIndex::find(std::string_view name) const {
  const auto it = ids.find(name);
  return it == ids.end() ? kNoId : it->second;
}

const Source* LoadContext::load_file(const Reader& reader, const Item& path_item) {
  const std::optional<std::string> path = reader.string(path_item);
  if (!path) return nullptr;
  if (path->empty()) {
    reader.error(path_item, fmt::format("'{}' needs a file name", path_item.name));
    return nullptr;
  }
  const std::string resolved = resolve_path(base_dir, *path);
  if (limits.confine && !inside_folder(base_dir, resolved)) {
    // Refused before it is opened: nothing of it is read, nor is it said whether it exists.
    reader.error(path_item, fmt::format("'{}' for '{}' is outside the scenario's folder (--confine "
                                        "reads only files under it, links resolved)",
                                        *path, path_item.name));
    return nullptr;
  }
  std::string why;
  std::optional<std::string> text = read_text_file(resolved, &why);
  files.push_back(resolved);
  if (!text) {
    // Name the file as written, and where it was looked for when that differs (relative paths
    // resolve against the scenario's folder, not the working directory).
    std::string message = fmt::format("cannot read '{}' for '{}': {}", *path, path_item.name, why);
    if (resolved != *path) message += fmt::format(" (looked for '{}')", resolved);
    reader.error(path_item, std::move(message));
    return nullptr;
  }
  diags.register_file(resolved);
  if (const auto problem = text_problem(*text)) {
    diags.error({resolved, problem->line, problem->column}, problem->message);
    return nullptr;
  }
  sources.push_back({resolved, std::move(*text)});
  return &sources.back();
}

std::uint32_t resolve_name(const Reader& reader, const Item& item, const NameIndex& index,
                           std::string_view kind) {
  const std::optional<std::string> name = reader.string(item);
  if (!name) return kNoId;
  const std::uint32_t id = index.find(*name);
  if (id != kNoId || !index.complete) return id;
  std::string hint = did_you_mean(*name, index.names);
  if (hint.empty() && index.names.empty())
    hint = fmt::format(" (no {} is declared)", kind);
  else if (hint.empty() && index.names.size() <= 8)
    hint = fmt::format(" (declared: {})", quoted_list(index.names));
  reader.error(item, fmt::format("unknown {} '{}'{}", kind, *name, hint));
  return kNoId;
}

bool is_sid(std::string_view text, std::string_view prefix) {
  if (text.size() != prefix.size() + 32 || text.substr(0, prefix.size()) != prefix) return false;
  for (const char c : text.substr(prefix.size()))
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string read_sid(const Reader& reader, const MapView& fields, std::string_view prefix,
                     std::string_view key, const std::string& owner, SidOwners& owners) {
  const Item* item = fields.find("sid");
  if (item == nullptr) {
    std::string sid = make_sid(prefix, key);
    owners.emplace(sid, owner);
    return sid;
  }
  const std::optional<std::string> sid = reader.string(*item);
  if (!sid) return make_sid(prefix, key);
  if (!is_sid(*sid, prefix)) {
    reader.error(
        *item,
        fmt::format("malformed sid '{}' for {}: expected '{}' followed by 32 hexadecimal digits",
                    *sid, owner, prefix));
    return make_sid(prefix, key);
  }
  if (const auto it = owners.find(*sid); it != owners.end()) {
    reader.error(*item,
                 fmt::format("sid '{}' of {} is already used by {}", *sid, owner, it->second));
    return *sid;
  }
  owners.emplace(*sid, owner);
  return *sid;
}

std::optional<Expression> read_expression(const Reader& reader, const Item& item,
                                          ExpressionScope scope) {
  const std::optional<std::string> text = reader.string(item);
  if (!text) return std::nullopt;
  ExpressionError error;
  std::optional<Expression> e = Expression::parse(*text, scope, &error);
  if (!e) {
    const std::size_t offset = std::min(error.offset, text->size());
    reader.diags().error(reader.in_scalar(item, offset),
                         fmt::format("bad expression in '{}': {}", item.name, error.message));
  }
  return e;
}

}  // namespace trsim::detail
