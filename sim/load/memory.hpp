#pragma once
// The memory a scenario asks for, estimated at load in bytes from the sizes of the tables the
// loader, the engine and the collectors allocate for it, and checked against
// LoadLimits::max_memory (--max-memory) before they are allocated: a few kilobytes of YAML can ask
// for a year of 5-minute intervals over 300 queues, 100,000 worker groups or 1 MB names on 100,000
// workers. An error points at the key that drives the largest part.
//
// The estimate is a sum of parts, each a product of counts the scenario states and a size per
// item: sizeof for the public types (Worker, Value, TraceRow, the statistics trees), and measured
// constants for the engine's and collectors' private state (kept within a factor of two of the
// measured peak by tests/cli/test_cli_memory.cpp). It leaves out what depends on the run (tasks
// waiting at once, the event list), which is small next to the tables unless the scenario is
// overloaded for hours.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "load/context.hpp"

namespace trsim::detail {

/// Products and sums that stop at UINT64_MAX instead of wrapping.
std::uint64_t mul(std::initializer_list<std::uint64_t> factors);
std::uint64_t add(std::uint64_t a, std::uint64_t b);
/// A heap block holding `bytes`, as glibc's allocator takes it (header, rounding, minimum).
std::uint64_t block(std::uint64_t bytes);

/// Where the key `name` of the map `parent` is written (its value, or its key when the value is
/// empty); the parent's key when it has no such key.
SourceLocation locate(const Reader& r, const Item* parent, std::string_view name);

/// Heap bytes of a string of `length` characters beyond the std::string itself (none in the
/// small-string buffer; the allocation, rounded up, and the allocator's header otherwise).
std::uint64_t string_heap_bytes(std::size_t length);
/// Heap bytes a Value holds beyond sizeof(Value): strings, arrays, objects and their keys.
std::uint64_t value_heap_bytes(const Value& v);

/// "812 bytes", "3.4 MiB", "41.2 GiB".
std::string describe_bytes(std::uint64_t bytes);

/// Every alias of a YAML document repeats its anchor's text wherever the loader reads it (1 MB
/// repeated 100,000 times in 1 MB of YAML): refuses a tree whose text, aliases expanded, passes
/// the limit, at the entry where it does. Reads no text, counts it.
bool check_expanded_text(LoadContext& ctx, const YAML::Node& root);

/// The replications that run at once (each holds the engine's and collectors' tables).
std::uint64_t running_replications(const LoadContext& ctx);

/// Adds `part` to the scenario's estimate; when the total passes the limit, reports it at the
/// largest part's key (once) and returns false.
bool charge_memory(LoadContext& ctx, MemoryPart part);

/// The parts a built scenario asks for at run time (the engine's and collectors' tables for the
/// replications running at once, the interval tables and statistics kept, the summary's text),
/// charged after the scenario's own tables. `top` is the scenario's top-level map.
void charge_run_memory(LoadContext& ctx, const MapView& top);

}  // namespace trsim::detail
