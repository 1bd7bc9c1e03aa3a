#pragma once
// Splitting CSV text into rows of fields with their line and column, for traces and empirical
// distribution files. RFC 4180 quoting: a quoted field may hold commas, line breaks and doubled
// quotes. Knows nothing of what the columns mean.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trsim::detail {

struct CsvField {
  std::string text;
  int column = 0;  ///< 1-based, of the field's first character (its opening quote if quoted)
  bool quoted = false;
};

struct CsvRow {
  int line = 0;  ///< 1-based line where the row starts
  std::vector<CsvField> fields;
};

struct CsvError {
  int line = 0;
  int column = 0;
  std::string message;
};

/// Calls `on_row` with each row in file order (rows are streamed, not kept: a trace may have
/// millions). Blank lines are skipped; unquoted fields are trimmed of spaces and tabs; a UTF-8
/// byte-order mark is ignored. `on_row` returns false to stop. Returns the first malformed row's
/// problem (an unterminated quote, text after a closing quote), where reading stopped.
std::optional<CsvError> for_each_csv_row(std::string_view text,
                                         const std::function<bool(const CsvRow&)>& on_row);

}  // namespace trsim::detail
