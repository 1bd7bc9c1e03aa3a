#pragma once
// Collecting the loader's diagnostics: every problem is recorded with its location and reported
// together, in file order, so that one run of `trsim validate` shows everything to fix. Also the
// "did you mean" hints and the wording of values inside messages.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "trsim/loader.hpp"

namespace trsim::detail {

/// More diagnostics than this are counted but not kept: a trace with a million bad rows must not
/// produce a million lines (or run out of memory).
inline constexpr std::size_t kMaxDiagnostics = 1000;

class Diagnostics {
 public:
  /// Files are listed in the order they are registered (the scenario first, then the files it
  /// refers to, in order of reference); unregistered files come last.
  void register_file(const std::string& file);
  void error(SourceLocation where, std::string message);
  void warning(SourceLocation where, std::string message);
  bool has_errors() const { return errors_ > 0; }
  std::size_t error_count() const { return errors_; }
  /// Everything recorded, sorted by file, line and column (emission order breaks ties).
  std::vector<Diagnostic> take_sorted();

 private:
  void add(Diagnostic::Severity severity, SourceLocation where, std::string message);
  std::vector<Diagnostic> items_;
  std::vector<std::string> files_;
  std::size_t errors_ = 0;
  std::size_t dropped_ = 0;
  std::optional<SourceLocation> first_dropped_;
};

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), ignoring ASCII
/// case: "nmae" is one edit from "name", "Avialable" one from "Available".
std::size_t edit_distance(std::string_view a, std::string_view b);

/// "; did you mean 'x'?" for the closest candidate within a small distance (the first one on a
/// tie, so hints are deterministic), or "" when none is close.
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);
std::string did_you_mean(std::string_view word, std::span<const std::string> candidates);

/// 'a', 'b', 'c' (for "declared: ..." lists in messages).
std::string quoted_list(std::span<const std::string> items);

/// A duration as a user would write it: "90s", "1h30m", "0.5s", "2d".
std::string describe_duration(SimTime t);

/// A number the way a user would write it (integers without a fraction).
std::string describe_number(double d);

}  // namespace trsim::detail
