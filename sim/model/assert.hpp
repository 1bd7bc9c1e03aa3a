#pragma once
// TRSIM_ASSERT(condition, "fmt {} text", args...): an internal invariant that stays checked in
// every build, Release and the Release test suite included (plain `assert` is compiled out by
// NDEBUG there, so a test could not catch its breaking). On failure it prints
// `trsim: assertion failed at FILE:LINE: condition: message` to stderr and aborts. The message
// and its arguments are formatted only on failure; the check itself is one branch, cheap enough
// for the engine's hot path (measured: docs/architecture.md). Use it for what must never happen
// whatever the input; bad input gets a diagnostic (FILE:LINE:COL) instead.
#include <fmt/format.h>

#include <string_view>
#include <utility>

namespace trsim::detail {

/// Prints the failure and aborts (sim/model/assert.cpp).
[[noreturn]] void assertion_failed(std::string_view condition, std::string_view file, int line,
                                   std::string_view message);

template <typename... Args>
[[noreturn]] void assertion_failed_fmt(std::string_view condition, std::string_view file, int line,
                                       fmt::format_string<Args...> format, Args&&... args) {
  assertion_failed(condition, file, line, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace trsim::detail

#define TRSIM_ASSERT(condition, ...) \
  (static_cast<bool>(condition)      \
       ? static_cast<void>(0)        \
       : ::trsim::detail::assertion_failed_fmt(#condition, __FILE__, __LINE__, __VA_ARGS__))
