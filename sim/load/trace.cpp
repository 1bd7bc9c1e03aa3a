#include "load/trace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "load/csv.hpp"
#include "model/json_number.hpp"
#include "model/object_builder.hpp"
#include "model/units.hpp"
#include "trsim/json.hpp"

namespace trsim::detail {

namespace {

enum class Column { time, handle_time, patience, priority, channel, attributes_json, attribute };

Column column_kind(std::string_view header) {
  if (header == "time") return Column::time;
  if (header == "handle_time") return Column::handle_time;
  if (header == "patience") return Column::patience;
  if (header == "priority") return Column::priority;
  if (header == "channel") return Column::channel;
  if (header == "attributes") return Column::attributes_json;
  return Column::attribute;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Cell text as an attribute: a JSON number literal becomes a number and true/false booleans,
// unless the cell was quoted; anything else is a string. So "+12625876034" and "00501" stay
// strings, as they are in TaskRouter's JSON attributes.
Value cell_value(const CsvField& cell) {
  if (cell.quoted) return Value::string(cell.text);
  if (cell.text == "true") return Value::boolean(true);
  if (cell.text == "false") return Value::boolean(false);
  if (is_json_number(cell.text)) {
    if (const auto d = parse_number(cell.text)) return Value::number(*d);
  }
  return Value::string(cell.text);
}

// "2026-03-02T09:15:00Z": a time cell written as an ISO 8601 date-time, not a duration.
bool looks_like_date_time(std::string_view s) {
  return s.size() >= 10 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) &&
         s[4] == '-';
}

bool valid_attribute_path(std::string_view path) {
  if (path.empty() || path.front() == '.' || path.back() == '.') return false;
  return path.find("..") == std::string_view::npos;
}

class TraceReader {
 public:
  TraceReader(const Source& csv, const NameIndex& channels, std::int64_t start_epoch_seconds,
              Diagnostics& diags)
      : csv_(csv), channels_(channels), start_epoch_seconds_(start_epoch_seconds), diags_(diags) {}

  std::optional<TraceData> read() {
    TraceData data;
    bool header = true;
    SimTime previous = 0;
    int previous_line = 0;
    const std::optional<CsvError> csv_error = for_each_csv_row(csv_.text, [&](const CsvRow& row) {
      if (header) {
        header = false;
        return read_header(row);
      }
      std::optional<TraceRow> out = read_row(row, previous, previous_line);
      if (out) {
        if (!out->handle_time) data.every_row_has_handle_time = false;
        previous = out->time;
        previous_line = row.line;
        data.rows.push_back(std::move(*out));
      }
      return true;
    });
    if (csv_error) fail(csv_error->line, csv_error->column, csv_error->message);
    if (header && errors_ == 0)
      fail(1, 1, "the trace is empty (it needs a header row with a 'time' column)");
    if (errors_ > 0) return std::nullopt;
    return data;
  }

 private:
  void fail(int line, int column, std::string message) {
    ++errors_;
    diags_.error({csv_.file, line, column}, std::move(message));
  }

  bool read_header(const CsvRow& header) {
    bool ok = true;
    std::unordered_set<std::string_view> seen;  // look-up only
    seen.reserve(header.fields.size());
    for (std::size_t c = 0; c < header.fields.size(); ++c) {
      const CsvField& f = header.fields[c];
      if (!seen.insert(f.text).second) {
        fail(header.line, f.column, fmt::format("column '{}' appears twice in the header", f.text));
        ok = false;
      }
      const Column kind = column_kind(f.text);
      if (kind == Column::attribute && !valid_attribute_path(f.text)) {
        fail(header.line, f.column,
             fmt::format("'{}' is not an attribute name (use names like 'type' or "
                         "'customer.tier')",
                         f.text));
        ok = false;
      }
      kinds_.push_back(kind);
    }
    if (std::find(kinds_.begin(), kinds_.end(), Column::time) == kinds_.end()) {
      fail(header.line, 1, "the trace needs a 'time' column (seconds or a duration from time 0)");
      ok = false;
    }
    headers_ = header.fields;
    return ok;
  }

  std::optional<TraceRow> read_row(const CsvRow& row, SimTime previous, int previous_line) {
    if (row.fields.size() != headers_.size()) {
      fail(row.line, 1,
           fmt::format("this row has {} fields; the header has {}", row.fields.size(),
                       headers_.size()));
      return std::nullopt;
    }
    TraceRow out;
    out.line = row.line;
    ObjectBuilder attributes;  // linear in the cells (model/object_builder.hpp)
    bool ok = true;
    for (std::size_t c = 0; c < row.fields.size(); ++c) {
      const CsvField& cell = row.fields[c];
      const std::string& header = headers_[c].text;
      if (cell.text.empty()) {
        if (kinds_[c] == Column::time) {
          fail(row.line, cell.column, "missing 'time'");
          ok = false;
        }
        continue;  // an empty cell means "absent"
      }
      switch (kinds_[c]) {
        case Column::time:
        case Column::handle_time:
        case Column::patience: {
          std::string why;
          std::optional<SimTime> d;
          if (kinds_[c] == Column::time && looks_like_date_time(cell.text)) {
            d = read_date_time(row, cell);
            if (!d) {
              ok = false;  // reported
              break;
            }
          } else if (cell.text.front() != '-') {
            d = parse_duration(cell.text, &why);
          }
          if (!d) {
            fail(row.line, cell.column,
                 cell.text.front() == '-' ? fmt::format("negative {} '{}'", header, cell.text)
                                          : fmt::format("'{}': {}", header, why));
            ok = false;
          } else if (kinds_[c] == Column::time) {
            out.time = *d;
            if (previous_line > 0 && *d < previous) {
              fail(row.line, cell.column,
                   fmt::format("time {} is earlier than the previous row's {} (line {}); "
                               "trace rows must be in time order",
                               describe_duration(*d), describe_duration(previous), previous_line));
              ok = false;
            }
          } else if (kinds_[c] == Column::handle_time) {
            out.handle_time = *d;
          } else {
            out.patience = *d;
          }
          break;
        }
        case Column::priority: {
          const std::optional<std::int64_t> p = parse_int64(cell.text);
          if (!p || *p < 0 || *p > std::numeric_limits<std::int32_t>::max()) {
            fail(row.line, cell.column,
                 fmt::format("priority must be an integer between 0 and {} (got '{}')",
                             std::numeric_limits<std::int32_t>::max(), cell.text));
            ok = false;
          } else {
            out.priority = *p;
          }
          break;
        }
        case Column::channel: {
          out.channel = channels_.find(cell.text);
          if (out.channel == kNoId && channels_.complete) {
            fail(row.line, cell.column,
                 fmt::format("unknown channel '{}'{}", cell.text,
                             did_you_mean(cell.text, channels_.names)));
            ok = false;
          }
          break;
        }
        case Column::attributes_json: {
          JsonError error;
          const std::optional<Value> object = parse_json(cell.text, &error);
          if (!object || !object->is_object()) {
            fail(row.line, cell.column,
                 object ? "the 'attributes' column must hold a JSON object, like {\"type\": "
                          "\"sales\"}"
                        : fmt::format("the 'attributes' column is not valid JSON: {} (at "
                                      "character {} of the cell)",
                                      error.message, error.column));
            ok = false;
          } else {
            attributes.merge(*object);
          }
          break;
        }
        case Column::attribute:
          attributes.set_path(header, cell_value(cell));
          break;
      }
    }
    if (!ok) return std::nullopt;
    out.attributes = attributes.take();
    return out;
  }

  // An ISO 8601 time, relative to the scenario's start.
  std::optional<SimTime> read_date_time(const CsvRow& row, const CsvField& cell) {
    std::string why;
    const std::optional<std::int64_t> micros = parse_iso8601_micros(cell.text, &why);
    if (!micros) {
      fail(row.line, cell.column, fmt::format("'time': {}", why));
      return std::nullopt;
    }
    const std::int64_t start = start_epoch_seconds_ * kMicrosPerSecond;
    if (*micros < start) {
      fail(row.line, cell.column,
           fmt::format("time {} is before the scenario's start ({}); a date-time in a trace "
                       "counts from 'start'",
                       cell.text, format_iso8601_utc(start_epoch_seconds_)));
      return std::nullopt;
    }
    return static_cast<SimTime>(*micros - start);
  }

  const Source& csv_;
  const NameIndex& channels_;
  std::int64_t start_epoch_seconds_;
  Diagnostics& diags_;
  std::vector<CsvField> headers_;
  std::vector<Column> kinds_;
  std::size_t errors_ = 0;
};

}  // namespace

std::optional<TraceData> read_trace(const Source& csv, const NameIndex& channels,
                                    std::int64_t start_epoch_seconds, Diagnostics& diags) {
  return TraceReader(csv, channels, start_epoch_seconds, diags).read();
}

}  // namespace trsim::detail
