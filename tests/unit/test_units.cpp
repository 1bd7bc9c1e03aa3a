// Scalar units of the scenario: durations, rates and the start date-time (§2), and the way the
// event log prints time (§4).
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "model/units.hpp"
#include "trsim/time.hpp"

using trsim::detail::parse_duration;
using trsim::detail::parse_iso8601_utc;
using trsim::detail::parse_rate;

namespace {

constexpr std::int64_t kS = 1'000'000;  // µs per second

// The error message for bad `text`, which must be rejected.
std::string duration_error(std::string_view text) {
  std::string error;
  const auto d = parse_duration(text, &error);
  INFO("input '" << text << "'");
  CHECK_FALSE(d.has_value());
  return error;
}
std::string rate_error(std::string_view text) {
  std::string error;
  const auto r = parse_rate(text, &error);
  INFO("input '" << text << "'");
  CHECK_FALSE(r.has_value());
  return error;
}
std::string date_error(std::string_view text) {
  std::string error;
  const auto t = parse_iso8601_utc(text, &error);
  INFO("input '" << text << "'");
  CHECK_FALSE(t.has_value());
  return error;
}

}  // namespace

TEST_CASE("plain numbers are seconds", "[units]") {
  CHECK(parse_duration("90", nullptr) == 90 * kS);
  CHECK(parse_duration("1.5", nullptr) == 1'500'000);
  CHECK(parse_duration("0", nullptr) == 0);
  CHECK(parse_duration(".25", nullptr) == 250'000);
  CHECK(parse_duration("1e3", nullptr) == 1000 * kS);
  CHECK(parse_duration("  30 ", nullptr) == 30 * kS);
  // Exact decimal arithmetic, rounded half up to the microsecond.
  CHECK(parse_duration("0.0000005", nullptr) == 1);
  CHECK(parse_duration("0.0000004999", nullptr) == 0);
  CHECK(parse_duration("0.1", nullptr) == 100'000);
}

TEST_CASE("durations with units", "[units]") {
  CHECK(parse_duration("500ms", nullptr) == 500'000);
  CHECK(parse_duration("90s", nullptr) == 90 * kS);
  CHECK(parse_duration("2m", nullptr) == 120 * kS);
  CHECK(parse_duration("2min", nullptr) == 120 * kS);
  CHECK(parse_duration("1h30m", nullptr) == 5400 * kS);
  CHECK(parse_duration("1h 30m", nullptr) == 5400 * kS);
  CHECK(parse_duration("90 s", nullptr) == 90 * kS);
  CHECK(parse_duration("2d", nullptr) == 2 * 86400 * kS);
  CHECK(parse_duration("1.5h", nullptr) == 5400 * kS);
  CHECK(parse_duration("1d2h3m4s5ms", nullptr) == (86400 + 7200 + 180 + 4) * kS + 5000);
  CHECK(parse_duration("4h15m", nullptr) == (4 * 3600 + 15 * 60) * kS);
  CHECK(parse_duration("0.5ms", nullptr) == 500);
  // 0.333333333333 m is 19999999.99998 µs: rounded to the nearest microsecond.
  CHECK(parse_duration("0.333333333333m", nullptr) == 20'000'000);
  CHECK(parse_duration("36525d", nullptr) == trsim::kMaxDuration);
}

TEST_CASE("bad durations are rejected with a message that says why", "[units]") {
  CHECK(duration_error("5x") == "invalid duration '5x': unknown unit 'x' (use ms, s, m, h, d)");
  CHECK(duration_error("") ==
        "invalid duration '': empty (write a number of seconds or e.g. 90s, 2m, 1h30m)");
  CHECK(duration_error("   ") ==
        "invalid duration '': empty (write a number of seconds or e.g. 90s, 2m, 1h30m)");
  CHECK(duration_error("-5s") == "invalid duration '-5s': durations cannot be negative");
  CHECK(duration_error("-1") == "invalid duration '-1': durations cannot be negative");
  CHECK(duration_error("1m1m") == "invalid duration '1m1m': repeated unit 'm'");
  CHECK(duration_error("1m 2min") == "invalid duration '1m 2min': repeated unit 'min'");
  CHECK(duration_error("30m1h") ==
        "invalid duration '30m1h': unit 'h' after 'm': write larger units first, e.g. 1h30m");
  CHECK(duration_error("1h30") ==
        "invalid duration '1h30': missing unit after '30' (use ms, s, m, h, d)");
  CHECK(duration_error("h") == "invalid duration 'h': missing number before unit 'h'");
  CHECK(duration_error("5H") == "invalid duration '5H': unknown unit 'H' (use ms, s, m, h, d)");
  CHECK(duration_error("nan") == "invalid duration 'nan': not a finite number");
  CHECK(duration_error(".inf") == "invalid duration '.inf': not a finite number");
  CHECK(duration_error("36525d1ms") == "invalid duration '36525d1ms': longer than 100 years");
  CHECK(duration_error("101y").find("unknown unit 'y'") != std::string::npos);
  CHECK(duration_error("99999999999999999999999999999999999h") ==
        "invalid duration '99999999999999999999999999999999999h': longer than 100 years");
  CHECK(duration_error("1e30") == "invalid duration '1e30': longer than 100 years");
  CHECK(duration_error("1e999") == "invalid duration '1e999': longer than 100 years");
  CHECK(duration_error("1h-30m") ==
        "invalid duration '1h-30m': unexpected character '-' (write e.g. 90s, 2m, 1h30m)");
  CHECK(duration_error("1,5s") ==
        "invalid duration '1,5s': unexpected character ',' (write e.g. 90s, 2m, 1h30m)");
  CHECK(duration_error("1.2.3s").find("unexpected character '.'") != std::string::npos);
  CHECK(duration_error("+5s").find("unexpected character '+'") != std::string::npos);
  // A null error pointer is allowed.
  CHECK_FALSE(parse_duration("bogus", nullptr).has_value());
}

TEST_CASE("rates are tasks per second", "[units]") {
  CHECK(parse_rate("0.5", nullptr) == 0.5);
  CHECK(parse_rate("2/s", nullptr) == 2.0);
  CHECK(parse_rate("3/m", nullptr) == 0.05);
  CHECK(parse_rate("0.5/min", nullptr) == Approx(0.5 / 60).epsilon(1e-15));
  CHECK(parse_rate("120/h", nullptr) == Approx(120.0 / 3600).epsilon(1e-15));
  CHECK(parse_rate("90 / h", nullptr) == 0.025);
  CHECK(parse_rate("1/d", nullptr) == Approx(1.0 / 86400).epsilon(1e-15));
  CHECK(parse_rate("0/h", nullptr) == 0.0);
  CHECK(parse_rate("1.2e3/h", nullptr) == Approx(1200.0 / 3600).epsilon(1e-15));
}

TEST_CASE("bad rates are rejected with a message that says why", "[units]") {
  CHECK(rate_error("-3/m") == "invalid rate '-3/m': rates cannot be negative");
  CHECK(rate_error("") == "invalid rate '': empty (write a number per second or e.g. 120/h, 3/m)");
  CHECK(rate_error("3/w") == "invalid rate '3/w': unknown unit 'w' (use /s, /m, /min, /h, /d)");
  CHECK(rate_error("3/") == "invalid rate '3/': missing unit after '/' (use /s, /m, /min, /h, /d)");
  CHECK(rate_error("lots") ==
        "invalid rate 'lots': expected a number, optionally followed by /s, /m, /min, /h or /d "
        "(e.g. 120/h)");
  CHECK(rate_error("/h").find("expected a number") != std::string::npos);
  CHECK(rate_error("120h").find("expected a number") != std::string::npos);
  CHECK(rate_error(".nan") == "invalid rate '.nan': not a finite number");
  CHECK(rate_error("inf/h") == "invalid rate 'inf/h': not a finite number");
  CHECK(rate_error("1e999") == "invalid rate '1e999': number out of range");
}

TEST_CASE("ISO 8601 date-times become Unix seconds", "[units]") {
  // 2026-03-02 is 20514 days after 1970-01-01.
  constexpr std::int64_t kMidnight = 20514LL * 86400;
  CHECK(parse_iso8601_utc("2026-03-02T08:00:00Z", nullptr) == kMidnight + 8 * 3600);
  CHECK(parse_iso8601_utc("2026-03-02", nullptr) == kMidnight);
  CHECK(parse_iso8601_utc("2026-03-02T08:00:00+00:00", nullptr) == kMidnight + 8 * 3600);
  CHECK(parse_iso8601_utc("2026-03-02T10:00:00+02:00", nullptr) == kMidnight + 8 * 3600);
  CHECK(parse_iso8601_utc("2026-03-02T03:30:00-0430", nullptr) == kMidnight + 8 * 3600);
  CHECK(parse_iso8601_utc("2026-03-02T09:00:00+01", nullptr) == kMidnight + 8 * 3600);
  CHECK(parse_iso8601_utc("2026-03-02t08:00z", nullptr) == kMidnight + 8 * 3600);
  CHECK(parse_iso8601_utc("2026-03-02 08:00:00", nullptr) == kMidnight + 8 * 3600);
  CHECK(parse_iso8601_utc("2026-03-02T08:00:00.000Z", nullptr) == kMidnight + 8 * 3600);
  CHECK(parse_iso8601_utc("1970-01-01T00:00:00Z", nullptr) == 0);
  CHECK(parse_iso8601_utc("1969-12-31T23:59:59Z", nullptr) == -1);
  CHECK(parse_iso8601_utc("2000-02-29", nullptr) == 951782400);
  CHECK(parse_iso8601_utc("2038-01-19T03:14:08Z", nullptr) == 2147483648LL);
  CHECK(parse_iso8601_utc("9999-12-31T23:59:59Z", nullptr) == 253402300799LL);
}

TEST_CASE("bad date-times are rejected with a message that says why", "[units]") {
  const std::string shape =
      "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (or an offset like +02:00)";
  CHECK(date_error("2026-02-29") ==
        "invalid date-time '2026-02-29': day 29 does not exist in 2026-02");
  CHECK(date_error("1900-02-29").find("day 29 does not exist") != std::string::npos);
  CHECK(date_error("2026-13-01") == "invalid date-time '2026-13-01': month 13 does not exist");
  CHECK(date_error("2026-03-02T24:00:00Z") ==
        "invalid date-time '2026-03-02T24:00:00Z': hour 24 is out of range 00-23");
  CHECK(date_error("2026-03-02T08:60Z").find("minute 60") != std::string::npos);
  CHECK(date_error("2026-03-02T08:00:60Z").find("second 60") != std::string::npos);
  CHECK(date_error("2026-03-02T08:00:00.5Z") ==
        "invalid date-time '2026-03-02T08:00:00.5Z': fractional seconds are not supported (the "
        "start is a whole second)");
  // Digits after the first non-zero one are still read (the fuzzer found this looping forever).
  CHECK(date_error("2026-03-02T08:00:00.57Z") ==
        "invalid date-time '2026-03-02T08:00:00.57Z': fractional seconds are not supported (the "
        "start is a whole second)");
  CHECK(date_error("2026-03-02T08:00:00+25:00") ==
        "invalid date-time '2026-03-02T08:00:00+25:00': UTC offset out of range (use -23:59 to "
        "+23:59)");
  CHECK(date_error("") == "invalid date-time '': " + shape);
  CHECK(date_error("tomorrow") == "invalid date-time 'tomorrow': " + shape);
  CHECK(date_error("2026-3-2") == "invalid date-time '2026-3-2': " + shape);
  CHECK(date_error("2026-03-02T8:00Z") == "invalid date-time '2026-03-02T8:00Z': " + shape);
  CHECK(date_error("2026-03-02T08:00:00ZZ") ==
        "invalid date-time '2026-03-02T08:00:00ZZ': " + shape);
  CHECK(date_error("2026-03-02T08:00:00 UTC") ==
        "invalid date-time '2026-03-02T08:00:00 UTC': " + shape);
  CHECK(date_error("1772438400") == "invalid date-time '1772438400': " + shape);
}

TEST_CASE("format_seconds prints exactly six decimals", "[units][time]") {
  CHECK(trsim::format_seconds(12'000'500) == "12.000500");
  CHECK(trsim::format_seconds(0) == "0.000000");
  CHECK(trsim::format_seconds(1) == "0.000001");
  CHECK(trsim::format_seconds(999'999) == "0.999999");
  CHECK(trsim::format_seconds(28'800'000'000) == "28800.000000");
  CHECK(trsim::format_seconds(-1) == "-0.000001");
  CHECK(trsim::format_seconds(-12'000'500) == "-12.000500");
  CHECK(trsim::format_seconds(INT64_MAX) == "9223372036854.775807");
  CHECK(trsim::format_seconds(INT64_MIN) == "-9223372036854.775808");
}

TEST_CASE("format_iso8601_utc writes what parse_iso8601_utc reads back", "[units]") {
  using trsim::detail::format_iso8601_utc;
  CHECK(format_iso8601_utc(0) == "1970-01-01T00:00:00Z");
  CHECK(format_iso8601_utc(1772438400) == "2026-03-02T08:00:00Z");
  CHECK(format_iso8601_utc(951782400 + 86399) == "2000-02-29T23:59:59Z");  // a leap day
  CHECK(format_iso8601_utc(-1) == "1969-12-31T23:59:59Z");
  for (const std::int64_t t :
       {std::int64_t{0}, std::int64_t{1772438400}, std::int64_t{4102444799}, std::int64_t{-86401}})
    CHECK(parse_iso8601_utc(format_iso8601_utc(t), nullptr) == t);
}
