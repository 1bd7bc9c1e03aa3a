#pragma once
// --set PATH=VALUE overrides, applied to the parsed YAML tree before validation so that an
// overridden value is checked exactly like one written in the file.
#include <yaml-cpp/yaml.h>

#include <deque>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "load/diagnostics.hpp"
#include "load/yaml.hpp"

namespace trsim::detail {

/// The file name diagnostics about overrides carry; the line is the override's 1-based index and
/// the column the position in "PATH=VALUE".
inline constexpr std::string_view kOverrideFile = "--set";

/// Applies each "PATH=VALUE" to `root` (a map) in order. PATH walks maps by key (a key holding
/// dots may be written as is) and lists by index; the final key is created when absent, and so
/// may be the top-level sections named in `creatable_sections`. VALUE is parsed as YAML. Nodes an
/// override puts into the tree are registered with `locator`, so that later errors about them
/// point at the override. Bad paths are reported with a hint.
/// With `select`, only the overrides it accepts are applied (each keeps its position's number).
void apply_overrides(YAML::Node& root, std::span<const std::string> overrides,
                     std::span<const std::string_view> creatable_sections,
                     std::deque<Source>& sources, Locator& locator, Diagnostics& diags,
                     const std::function<bool(const std::string&)>& select = {});

}  // namespace trsim::detail
