#include "load/csv.hpp"

namespace trsim::detail {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_newline(char c) { return c == '\n' || c == '\r'; }

}  // namespace

std::optional<CsvError> for_each_csv_row(std::string_view text,
                                         const std::function<bool(const CsvRow&)>& on_row) {
  std::size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  const std::size_t n = text.size();
  int line = 1;
  std::size_t line_start = i;
  const auto column = [&](std::size_t pos) { return static_cast<int>(pos - line_start) + 1; };
  // Consumes one line break at text[i] ("\r\n", "\n" or a lone "\r").
  const auto newline = [&] {
    if (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
    ++i;
    ++line;
    line_start = i;
  };

  CsvRow row;  // reused: its field vector keeps its capacity from row to row
  while (i < n) {
    std::size_t j = i;
    while (j < n && is_blank(text[j])) ++j;
    if (j == n) break;
    if (is_newline(text[j])) {
      i = j;
      newline();
      continue;
    }
    row.line = line;
    row.fields.clear();
    for (;;) {
      while (i < n && is_blank(text[i])) ++i;
      CsvField field;
      field.column = column(i);
      if (i < n && text[i] == '"') {
        field.quoted = true;
        const int open_line = line, open_column = field.column;
        ++i;
        for (;;) {
          if (i >= n) {
            return CsvError{open_line, open_column, "unterminated quoted field"};
          }
          const char c = text[i];
          if (c == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field.text += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (is_newline(c)) {
            field.text += '\n';
            newline();
            continue;
          }
          field.text += c;
          ++i;
        }
        while (i < n && is_blank(text[i])) ++i;
        if (i < n && text[i] != ',' && !is_newline(text[i])) {
          return CsvError{line, column(i), "unexpected text after a closing quote"};
        }
      } else {
        const std::size_t start = i;
        while (i < n && text[i] != ',' && !is_newline(text[i])) ++i;
        std::size_t end = i;
        while (end > start && is_blank(text[end - 1])) --end;
        field.text.assign(text.substr(start, end - start));
      }
      row.fields.push_back(std::move(field));
      if (i < n && text[i] == ',') {
        ++i;
        continue;
      }
      if (i < n) newline();
      break;
    }
    if (!on_row(row)) return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace trsim::detail
