// Scalar units of the scenario. See units.hpp for the accepted syntax.
#include "model/units.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>

namespace trsim::detail {

namespace {

// 128-bit arithmetic makes the decimal → microsecond conversion exact (27 fraction digits times a
// day in µs still fits). A GCC/Clang extension; __extension__ keeps -Wpedantic quiet about it.
__extension__ typedef unsigned __int128 u128;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

void set_error(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// "nan", ".inf", "Infinity", "+.inf", ...: YAML's spellings and C's, which we name explicitly
// rather than report as an unknown unit.
bool is_non_finite_word(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  std::string low;
  for (const char c : s) low += lower(c);
  return low == "nan" || low == ".nan" || low == "inf" || low == ".inf" || low == "infinity";
}

// A decimal number at the start of `s`: digits, optionally '.', optionally more digits, at least
// one digit in all. Returns the length consumed (0 if none).
struct Decimal {
  std::string_view integer;
  std::string_view fraction;
  std::size_t length = 0;
};

Decimal scan_decimal(std::string_view s) {
  Decimal d;
  std::size_t i = 0;
  while (i < s.size() && is_digit(s[i])) ++i;
  d.integer = s.substr(0, i);
  if (i < s.size() && s[i] == '.') {
    const std::size_t start = ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
    d.fraction = s.substr(start, i - start);
  }
  if (d.integer.empty() && d.fraction.empty()) return Decimal{};
  d.length = i;
  return d;
}

// The whole of `s` is a decimal number with an optional exponent ("1.5", "1e3", "2.5E-1").
bool is_plain_number(std::string_view s) {
  const Decimal d = scan_decimal(s);
  if (d.length == 0) return false;
  std::size_t i = d.length;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    const std::size_t digits = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == digits) return false;
  }
  return i == s.size();
}

// A plain number (already checked by is_plain_number) as a double.
std::optional<double> to_double(std::string_view s) {
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

struct DurationUnit {
  std::string_view name;
  std::uint64_t micros;
  int rank;  // components must come in strictly decreasing rank
};

constexpr std::array<DurationUnit, 6> kDurationUnits{{
    {"d", 86'400'000'000ULL, 4},
    {"h", 3'600'000'000ULL, 3},
    {"m", 60'000'000ULL, 2},
    {"min", 60'000'000ULL, 2},
    {"s", 1'000'000ULL, 1},
    {"ms", 1'000ULL, 0},
}};

constexpr std::size_t kMaxFractionDigits = 27;  // 10^27 · 8.64e10 µs < 2^128; later digits ignored

// `number` × `unit_micros`, rounded to the nearest microsecond (halves up); nullopt past `limit`.
std::optional<u128> exact_micros(const Decimal& number, std::uint64_t unit_micros, u128 limit) {
  u128 integer = 0;
  for (const char c : number.integer) {
    integer = integer * 10 + static_cast<unsigned>(c - '0');
    if (integer * unit_micros > limit) return std::nullopt;  // stops long before u128 overflows
  }
  u128 fraction = 0;
  u128 denominator = 1;
  for (std::size_t i = 0; i < number.fraction.size() && i < kMaxFractionDigits; ++i) {
    fraction = fraction * 10 + static_cast<unsigned>(number.fraction[i] - '0');
    denominator *= 10;
  }
  const u128 total =
      integer * unit_micros + (fraction * unit_micros + denominator / 2) / denominator;
  if (total > limit) return std::nullopt;
  return total;
}

}  // namespace

std::optional<SimTime> parse_duration(std::string_view text, std::string* error) {
  const std::string_view s = trim(text);
  const auto fail = [&](std::string_view reason) -> std::optional<SimTime> {
    set_error(error, fmt::format("invalid duration '{}': {}", s, reason));
    return std::nullopt;
  };
  if (s.empty()) return fail("empty (write a number of seconds or e.g. 90s, 2m, 1h30m)");
  if (s.front() == '-') return fail("durations cannot be negative");
  if (is_non_finite_word(s)) return fail("not a finite number");
  const auto limit = static_cast<u128>(kMaxDuration);
  const char* const too_long = "longer than 100 years";

  if (is_plain_number(s)) {
    const Decimal d = scan_decimal(s);
    if (d.length == s.size()) {  // no exponent: exact decimal arithmetic
      const auto micros = exact_micros(d, 1'000'000, limit);
      if (!micros) return fail(too_long);
      return static_cast<SimTime>(*micros);
    }
    const auto seconds = to_double(s);
    if (!seconds || *seconds > to_seconds(kMaxDuration)) return fail(too_long);
    return from_seconds(*seconds);
  }

  u128 total = 0;
  int previous_rank = 5;  // above every unit
  std::string_view previous_unit;
  std::size_t i = 0;
  while (i < s.size()) {
    const Decimal number = scan_decimal(s.substr(i));
    if (number.length == 0) {
      if (is_alpha(s[i])) {
        std::size_t j = i;
        while (j < s.size() && is_alpha(s[j])) ++j;
        return fail(fmt::format("missing number before unit '{}'", s.substr(i, j - i)));
      }
      return fail(fmt::format("unexpected character '{}' (write e.g. 90s, 2m, 1h30m)", s[i]));
    }
    const std::string_view number_text = s.substr(i, number.length);
    i += number.length;
    while (i < s.size() && is_space(s[i])) ++i;
    std::size_t j = i;
    while (j < s.size() && is_alpha(s[j])) ++j;
    const std::string_view unit_text = s.substr(i, j - i);
    if (unit_text.empty()) {
      if (i == s.size())
        return fail(fmt::format("missing unit after '{}' (use ms, s, m, h, d)", number_text));
      return fail(fmt::format("unexpected character '{}' (write e.g. 90s, 2m, 1h30m)", s[i]));
    }
    const DurationUnit* unit = nullptr;
    for (const DurationUnit& u : kDurationUnits)
      if (u.name == unit_text) unit = &u;
    if (unit == nullptr)
      return fail(fmt::format("unknown unit '{}' (use ms, s, m, h, d)", unit_text));
    if (unit->rank == previous_rank) return fail(fmt::format("repeated unit '{}'", unit_text));
    if (unit->rank > previous_rank)
      return fail(fmt::format("unit '{}' after '{}': write larger units first, e.g. 1h30m",
                              unit_text, previous_unit));
    previous_rank = unit->rank;
    previous_unit = unit_text;
    const auto micros = exact_micros(number, unit->micros, limit);
    if (!micros) return fail(too_long);
    total += *micros;
    if (total > limit) return fail(too_long);
    i = j;
    while (i < s.size() && is_space(s[i])) ++i;
  }
  return static_cast<SimTime>(total);
}

std::optional<double> parse_rate(std::string_view text, std::string* error) {
  const std::string_view s = trim(text);
  const auto fail = [&](std::string_view reason) -> std::optional<double> {
    set_error(error, fmt::format("invalid rate '{}': {}", s, reason));
    return std::nullopt;
  };
  if (s.empty()) return fail("empty (write a number per second or e.g. 120/h, 3/m)");
  if (s.front() == '-') return fail("rates cannot be negative");
  const std::size_t slash = s.find('/');
  const std::string_view number_text = trim(s.substr(0, slash));
  if (is_non_finite_word(number_text)) return fail("not a finite number");
  if (!is_plain_number(number_text))
    return fail("expected a number, optionally followed by /s, /m, /min, /h or /d (e.g. 120/h)");
  const auto number = to_double(number_text);
  if (!number) return fail("number out of range");
  if (slash == std::string_view::npos) return *number;

  const std::string_view unit = trim(s.substr(slash + 1));
  double seconds = 0;
  if (unit == "s") {
    seconds = 1;
  } else if (unit == "m" || unit == "min") {
    seconds = 60;
  } else if (unit == "h") {
    seconds = 3600;
  } else if (unit == "d") {
    seconds = 86400;
  } else if (unit.empty()) {
    return fail("missing unit after '/' (use /s, /m, /min, /h, /d)");
  } else {
    return fail(fmt::format("unknown unit '{}' (use /s, /m, /min, /h, /d)", unit));
  }
  return *number / seconds;
}

namespace {

// Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);                 // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  constexpr std::array<unsigned, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Exactly `n` digits at s[i..]; advances i.
std::optional<unsigned> fixed_digits(std::string_view s, std::size_t& i, std::size_t n) {
  if (i + n > s.size()) return std::nullopt;
  unsigned value = 0;
  for (std::size_t k = 0; k < n; ++k) {
    if (!is_digit(s[i + k])) return std::nullopt;
    value = value * 10 + static_cast<unsigned>(s[i + k] - '0');
  }
  i += n;
  return value;
}

}  // namespace

std::string format_iso8601_utc(std::int64_t epoch_seconds) {
  // H. Hinnant's civil_from_days, the inverse of days_from_civil.
  const std::int64_t days = (epoch_seconds >= 0 ? epoch_seconds : epoch_seconds - 86399) / 86400;
  const std::int64_t second_of_day = epoch_seconds - days * 86400;
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);                    // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", year, month, day, second_of_day / 3600,
                     second_of_day / 60 % 60, second_of_day % 60);
}

namespace {

// Shared by parse_iso8601_utc (whole seconds) and parse_iso8601_micros (fractions kept).
std::optional<std::int64_t> parse_iso8601(std::string_view text, std::string* error,
                                          std::int64_t* micros_out) {
  const std::string_view s = trim(text);
  const auto fail = [&](std::string_view reason) -> std::optional<std::int64_t> {
    set_error(error, fmt::format("invalid date-time '{}': {}", s, reason));
    return std::nullopt;
  };
  const char* const shape =
      "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (or an offset like +02:00)";
  std::size_t i = 0;
  const auto year = fixed_digits(s, i, 4);
  if (!year || i >= s.size() || s[i++] != '-') return fail(shape);
  const auto month = fixed_digits(s, i, 2);
  if (!month || i >= s.size() || s[i++] != '-') return fail(shape);
  const auto day = fixed_digits(s, i, 2);
  if (!day) return fail(shape);
  if (*month < 1 || *month > 12) return fail(fmt::format("month {:02} does not exist", *month));
  if (*day < 1 || *day > days_in_month(*year, *month))
    return fail(fmt::format("day {:02} does not exist in {:04}-{:02}", *day, *year, *month));
  std::int64_t seconds = days_from_civil(*year, *month, *day) * 86400;
  if (i == s.size()) return seconds;

  if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return fail(shape);
  ++i;
  const auto hour = fixed_digits(s, i, 2);
  if (!hour || i >= s.size() || s[i++] != ':') return fail(shape);
  const auto minute = fixed_digits(s, i, 2);
  if (!minute) return fail(shape);
  unsigned second = 0;
  if (i < s.size() && s[i] == ':') {
    ++i;
    const auto sec = fixed_digits(s, i, 2);
    if (!sec) return fail(shape);
    second = *sec;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      const std::size_t start = ++i;
      bool zero = true;
      std::int64_t micros = 0, scale = 100'000;
      for (; i < s.size() && is_digit(s[i]); ++i) {
        zero = zero && s[i] == '0';
        micros += (s[i] - '0') * scale;
        scale /= 10;
      }
      if (i == start) return fail(shape);
      if (micros_out != nullptr) {
        if (i - start > 6) return fail("more than 6 digits of fractional seconds");
        *micros_out = micros;
      } else if (!zero) {
        return fail("fractional seconds are not supported (the start is a whole second)");
      }
    }
  }
  if (*hour > 23) return fail(fmt::format("hour {:02} is out of range 00-23", *hour));
  if (*minute > 59) return fail(fmt::format("minute {:02} is out of range 00-59", *minute));
  if (second > 59) return fail(fmt::format("second {:02} is out of range 00-59", second));
  seconds += std::int64_t{*hour} * 3600 + std::int64_t{*minute} * 60 + second;
  if (i == s.size()) return seconds;  // no offset: UTC, the clock of the simulation

  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    const std::int64_t sign = s[i] == '-' ? -1 : 1;
    ++i;
    const auto offset_hour = fixed_digits(s, i, 2);
    if (!offset_hour) return fail(shape);
    unsigned offset_minute = 0;
    if (i < s.size()) {
      if (s[i] == ':') ++i;
      const auto m = fixed_digits(s, i, 2);
      if (!m) return fail(shape);
      offset_minute = *m;
    }
    if (*offset_hour > 23 || offset_minute > 59)
      return fail("UTC offset out of range (use -23:59 to +23:59)");
    // Local time = UTC + offset, so UTC = local - offset.
    seconds -= sign * (std::int64_t{*offset_hour} * 3600 + std::int64_t{offset_minute} * 60);
  } else {
    return fail(shape);
  }
  if (i != s.size()) return fail(shape);
  return seconds;
}

}  // namespace

std::optional<std::int64_t> parse_iso8601_utc(std::string_view text, std::string* error) {
  return parse_iso8601(text, error, nullptr);
}

std::optional<std::int64_t> parse_iso8601_micros(std::string_view text, std::string* error) {
  std::int64_t micros = 0;
  const std::optional<std::int64_t> seconds = parse_iso8601(text, error, &micros);
  if (!seconds) return std::nullopt;
  return *seconds * kMicrosPerSecond + micros;
}

}  // namespace trsim::detail
