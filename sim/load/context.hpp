#pragma once
// What the section builders share while one scenario loads: the scenario being built, the
// declared names of each kind (to resolve references), the diagnostics and the sources. Also
// the small readers several sections need: name references, sids, expressions.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "load/diagnostics.hpp"
#include "load/reader.hpp"
#include "load/yaml.hpp"
#include "trsim/expression.hpp"
#include "trsim/scenario.hpp"

namespace trsim::detail {

/// Declared names of one kind, in id order.
struct NameIndex {
  std::vector<std::string> names;
  std::map<std::string, std::uint32_t, std::less<>> ids;  // look-up only
  /// False when the section could not be read: references to it are then not reported as
  /// unknown, since the real problem was already reported (no cascades of nonsense).
  bool complete = true;

  /// The id of `name`, adding it when new.
  std::uint32_t add(const std::string& name);
  std::uint32_t find(std::string_view name) const;
};

/// One part of the memory a scenario asks for (load/memory.hpp): what it is (with its counts), its
/// bytes, and the key driving it.
struct MemoryPart {
  std::string what;
  std::uint64_t bytes = 0;
  SourceLocation where;
};

/// sid -> what uses it, to report a sid given twice.
using SidOwners = std::map<std::string, std::string, std::less<>>;

struct LoadContext {
  Diagnostics diags;
  Locator locator;
  std::deque<Source> sources;  ///< [0] is the scenario; then --set values and referenced files
  std::string base_dir;
  std::vector<std::string> files;  ///< files read through load_file, in order
  Scenario sc;
  NameIndex activities, channels, queues, workflows, behaviors;
  std::map<std::string, QueueId, std::less<>> queue_by_sid;
  ValueBudget values;
  LoadLimits limits;
  /// Workflows whose configuration_file could not be read (already reported).
  std::set<std::string, std::less<>> unreadable_configuration_files;
  /// The memory the scenario asks for (load/memory.hpp): the parts charged so far, their total,
  /// and whether the limit was reported.
  std::vector<MemoryPart> memory;
  std::uint64_t memory_total = 0;
  bool memory_reported = false;
  /// False when the horizon was invalid: checks that need it are skipped.
  bool horizon_ok = true;
  /// Transfer rules naming a worker (`to_worker`), resolved once the workers are read.
  struct TransferWorker {
    BehaviorId behavior = kNoId;
    std::size_t rule = 0;
    Item name;
  };
  std::vector<TransferWorker> transfer_workers;

  const Source& scenario_source() const { return sources.front(); }
  Reader reader() { return Reader(sources.front(), locator, diags); }
  Reader reader_for(const Source& src) { return Reader(src, locator, diags); }

  /// Reads the file named by the scalar `path_item` (relative to the scenario's folder) as a new
  /// source; reports a missing or unreadable file at `path_item` and returns nullptr.
  const Source* load_file(const Reader& reader, const Item& path_item);
};

/// The id `item` names among `index`; kNoId after reporting "unknown <kind> 'x'" with a hint.
std::uint32_t resolve_name(const Reader& reader, const Item& item, const NameIndex& index,
                           std::string_view kind);

/// True when `text` is `prefix` followed by 32 hexadecimal digits (a TaskRouter sid).
bool is_sid(std::string_view text, std::string_view prefix);

/// The sid of an entity: its declared `sid:` (checked for shape and uniqueness) or one derived
/// from `key` with make_sid. `owner` names the entity in "already used by" messages.
std::string read_sid(const Reader& reader, const MapView& fields, std::string_view prefix,
                     std::string_view key, const std::string& owner, SidOwners& owners);

/// A compiled expression; a parse error is reported at the character at fault.
std::optional<Expression> read_expression(const Reader& reader, const Item& item,
                                          ExpressionScope scope);

}  // namespace trsim::detail
