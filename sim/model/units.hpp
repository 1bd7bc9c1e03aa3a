#pragma once
// Parsing of the scenario's scalar units (§2): durations, rates and the `start` date-time. The
// loader hands over the scalar text as written in the YAML; these functions know nothing of YAML.
//
// All three return nullopt on bad input and, when `error` is not null, store a message that quotes
// the input and says how to fix it, e.g. "invalid duration '5x': unknown unit 'x' (use ms, s, m, h,
// d)".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "trsim/time.hpp"

namespace trsim::detail {

/// A duration: a plain number of seconds ("90", "1.5", "1e3"), or one or more `<number><unit>`
/// components with units d, h, m (or min), s, ms, each used at most once and in that (descending)
/// order, optionally separated by spaces: "500ms", "90s", "2m", "1h30m", "1h 30m", "1.5h", "2d".
/// Surrounding whitespace is ignored. Rejects empty text, negative values, NaN/inf, unknown or
/// repeated units and anything longer than kMaxDuration (100 years). Rounded to the nearest
/// microsecond (halves up), computed exactly from the decimal digits.
std::optional<SimTime> parse_duration(std::string_view text, std::string* error);

/// A rate in tasks per second: a plain number is per second ("0.5"), or `<number>/<unit>` with
/// unit s, m (or min), h, d ("120/h", "3/m", "0.5/min", "2/s", "1/d"; spaces around '/' allowed).
/// Rejects empty text, negative values, NaN/inf and unknown units. Zero is allowed.
std::optional<double> parse_rate(std::string_view text, std::string* error);

/// An ISO 8601 date-time as Unix seconds: "2026-03-02T08:00:00Z", "2026-03-02T10:00:00+02:00",
/// "2026-03-02T08:00Z", or a plain date "2026-03-02" (midnight UTC). The separator may be 'T', 't'
/// or a space; the offset 'Z', 'z', ±HH:MM, ±HHMM or ±HH; without an offset the time is taken as
/// UTC. Fractional seconds are accepted only when zero. Years 0000–9999.
std::optional<std::int64_t> parse_iso8601_utc(std::string_view text, std::string* error);

/// The same with fractional seconds kept (up to 6 digits): Unix microseconds.
std::optional<std::int64_t> parse_iso8601_micros(std::string_view text, std::string* error);

/// Unix seconds as "YYYY-MM-DDTHH:MM:SSZ", the form parse_iso8601_utc reads back.
std::string format_iso8601_utc(std::int64_t epoch_seconds);

}  // namespace trsim::detail
