#include "targets.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "load/csv.hpp"
#include "load/diagnostics.hpp"
#include "load/reader.hpp"
#include "load/trace.hpp"
#include "model/units.hpp"
#include "trsim/expression.hpp"
#include "trsim/json.hpp"
#include "trsim/loader.hpp"
#include "trsim/value.hpp"

namespace trsim::fuzz {
namespace {

// A broken property is a bug: abort so that libFuzzer saves the input (and the replay test fails).
void fuzz_check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz property broken: %s\n", what);
  std::abort();
}

// The loader's own wording (loader.cpp): a message merely quoting "internal error" from the input
// is not one.
bool is_internal_error(const Diagnostic& d) {
  return d.message.rfind("internal error while loading the scenario", 0) == 0;
}

const Value& task_attributes() {
  static const Value v = Value::object({
      {"language", Value::string("es")},
      {"languages", Value::array({Value::string("en"), Value::string("es")})},
      {"level", Value::number(3)},
      {"vip", Value::boolean(true)},
      {"nothing", Value()},
      {"customer",
       Value::object({{"tier", Value::string("gold")},
                      {"orders", Value::array({Value::object({{"id", Value::number(10)}})})}})},
  });
  return v;
}

const Value& worker_attributes() {
  static const Value v = Value::object({
      {"languages", Value::array({Value::string("en"), Value::string("es")})},
      {"skills", Value::array({Value::string("sales"), Value::number(2)})},
      {"level", Value::number(4)},
      {"team", Value::string("blue")},
  });
  return v;
}

}  // namespace

void scenario_loader(std::string_view text) {
  // A relative base folder that does not exist: file references fail cleanly and reach nothing.
  // A million workers is a valid scenario that takes a second or two to build: the fuzzer looks for
  // inputs slow beyond their size, so it loads with a smaller worker limit.
  LoadOptions options;
  options.limits.max_workers = 10'000;
  const LoadResult result = load_scenario_text(text, "fuzz.yaml", "fuzz-no-such-folder", options);
  bool has_error = false;
  for (const Diagnostic& d : result.diagnostics) {
    fuzz_check(!is_internal_error(d), "the loader threw (an internal error diagnostic)");
    fuzz_check(!d.message.empty(), "a diagnostic without a message");
    has_error = has_error || d.severity == Diagnostic::Severity::error;
  }
  fuzz_check(result.ok() != has_error, "a scenario was returned together with errors, or neither");
}

void expression(std::string_view text) {
  constexpr std::array kScopes = {ExpressionScope::task, ExpressionScope::worker,
                                  ExpressionScope::target, ExpressionScope::skip_if};
  const std::array<ChannelFacts, 2> channels = {ChannelFacts{"voice", 1, 2, 50, true},
                                                ChannelFacts{"chat", 0, 3, 100, true}};
  const WorkerFacts worker{
      &worker_attributes(), "WK0123", "agent-1", "Available", channels, "WA0123", true};
  const std::array<std::pair<std::string_view, int>, 2> by_activity = {
      std::pair<std::string_view, int>{"Available", 3}, {"Break", 1}};
  const WorkerCounts counts{3, 2, by_activity};
  EvalContext ctx;
  ctx.task = &task_attributes();
  ctx.worker = &worker;
  ctx.workers = &counts;
  ctx.wall_clock_seconds = 1'772'438'400;  // 2026-03-02T08:00:00Z, a Monday
  for (ExpressionScope scope : kScopes) {
    ExpressionError error;
    const std::optional<Expression> e = Expression::parse(text, scope, &error);
    if (!e) {
      fuzz_check(!error.message.empty(), "a parse error without a message");
      fuzz_check(error.offset <= text.size(), "a parse error offset past the end of the text");
      continue;
    }
    const bool first = e->evaluate(ctx);
    fuzz_check(e->evaluate(ctx) == first, "an evaluation that is not repeatable");
    for (const ExpressionComparison& c : e->comparisons())
      fuzz_check(c.offset <= text.size(), "a comparison offset past the end of the text");
  }
}

void trace_csv(std::string_view text) {
  detail::NameIndex channels;
  for (const char* name : {"default", "voice", "chat"}) channels.add(name);
  detail::Diagnostics diags;
  const detail::Source csv{"fuzz.csv", std::string(text)};
  diags.register_file(csv.file);
  const std::optional<detail::TraceData> data = detail::read_trace(csv, channels, 0, diags);
  fuzz_check(data.has_value() != diags.has_errors(), "a trace returned with errors, or neither");
  if (data) {
    for (std::size_t i = 1; i < data->rows.size(); ++i)
      fuzz_check(data->rows[i - 1].time <= data->rows[i].time, "trace rows out of time order");
  }
  std::size_t rows = 0;
  detail::for_each_csv_row(text, [&](const detail::CsvRow& row) {
    fuzz_check(row.line >= 1, "a CSV row without a line number");
    return ++rows < 100'000;
  });
}

void units(std::string_view text) {
  std::string why;
  if (const auto d = detail::parse_duration(text, &why))
    fuzz_check(*d >= 0 && *d <= kMaxDuration, "a duration out of range");
  else
    fuzz_check(!why.empty(), "a rejected duration without a reason");
  why.clear();
  if (const auto r = detail::parse_rate(text, &why))
    fuzz_check(std::isfinite(*r) && *r >= 0, "a rate that is negative or not finite");
  else
    fuzz_check(!why.empty(), "a rejected rate without a reason");
  why.clear();
  if (!detail::parse_iso8601_utc(text, &why))
    fuzz_check(!why.empty(), "a rejected date without a reason");
  if (const auto n = detail::parse_number(text))
    fuzz_check(std::isfinite(*n), "a number that is not finite");
}

void json(std::string_view text) {
  JsonError error;
  const std::optional<Value> v = parse_json(text, &error);
  if (!v) {
    fuzz_check(!error.message.empty() && error.line >= 1 && error.column >= 1,
               "a JSON error without a message or a position");
    return;
  }
  const std::string written = to_json(*v);
  const std::optional<Value> back = parse_json(written);
  fuzz_check(back.has_value(), "to_json wrote text that parse_json rejects");
  fuzz_check(*back == *v, "a JSON round trip changed the value");
  fuzz_check(to_json(*back) == written, "to_json is not stable across a round trip");
}

Target target_by_name(std::string_view name) {
  if (name == "scenario_loader") return scenario_loader;
  if (name == "expression") return expression;
  if (name == "trace_csv") return trace_csv;
  if (name == "units") return units;
  if (name == "json") return json;
  if (name == "output_paths") return output_paths;
  if (name == "report_input") return report_input;
  return nullptr;
}

}  // namespace trsim::fuzz
