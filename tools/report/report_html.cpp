#include "report/report_html.hpp"

#include <fmt/format.h>

#include <cmath>

#include "model/units.hpp"
#include "model/value_kind.hpp"
#include "report/report_page.hpp"
#include "report/svg_chart.hpp"

namespace trsim::report {

const Value* find_path(const Value& root, std::string_view dotted) {
  const Value* node = &root;
  while (!dotted.empty()) {
    if (!node->is_object()) return nullptr;
    const Value* next = nullptr;
    std::size_t used = 0;
    for (const auto& [key, value] : node->as_object()) {
      const bool whole = dotted == key;
      const bool prefix = dotted.size() > key.size() && dotted.substr(0, key.size()) == key &&
                          dotted[key.size()] == '.';
      if ((whole || prefix) && key.size() > used) {
        next = &value;
        used = key.size();
      }
    }
    if (next == nullptr) return nullptr;
    node = next;
    dotted.remove_prefix(std::min(dotted.size(), used + 1));
  }
  return node;
}

double number_or_nan(const Value* v) {
  return v != nullptr && v->is_number() ? v->as_number() : NAN;
}

std::vector<double> numbers(const Value* v) {
  std::vector<double> out;
  if (v == nullptr || !v->is_array()) return out;
  for (const Value& item : v->as_array()) out.push_back(number_or_nan(&item));
  return out;
}

std::string format_value(double v) {
  if (!std::isfinite(v)) return "–";
  if (v == std::round(v) && std::abs(v) < 1e15) return fmt::format("{:.0f}", v);
  const double a = std::abs(v);
  if (a >= 100) return fmt::format("{:.1f}", v);
  if (a >= 1) return fmt::format("{:.2f}", v);
  return fmt::format("{:.4f}", v);
}

std::string metric_unit(std::string_view path) {
  if (is_ratio_metric(path)) return "%";
  for (const char* timed :
       {"acceptance_time", "wait_duration", "waiting_age", "activity_durations"})
    if (path.find(timed) != std::string_view::npos) return "s";
  return "";
}

std::string format_metric(double v, std::string_view path, int count_decimals) {
  if (!std::isfinite(v)) return "–";
  const std::string unit = metric_unit(path);
  if (unit == "%") return fmt::format("{:.1f}%", v * 100);
  if (unit == "s") return fmt::format("{:.1f}", v);
  return fmt::format("{:.{}f}", v, count_decimals);
}

std::string metric_title(std::string_view path) {
  // Scope: the first one or two parts.
  std::string scope, rest;
  const auto take = [&](std::string_view prefix, std::string_view label) {
    if (path.substr(0, prefix.size()) != prefix) return false;
    const std::string_view tail = path.substr(prefix.size());
    // The scope's name runs to the first '.' followed by a known metric (names may hold dots).
    std::size_t dot = tail.find('.');
    if (dot == std::string_view::npos) return false;
    scope = std::string(label) + " " + std::string(tail.substr(0, dot));
    rest = std::string(tail.substr(dot + 1));
    return true;
  };
  if (path.substr(0, 10) == "workspace.") {
    scope = "workspace";
    rest = std::string(path.substr(10));
  } else if (!take("task_queues.", "queue") && !take("workflows.", "workflow") &&
             !take("workers.", "group")) {
    rest = std::string(path);
  }
  struct Name {
    const char* key;
    const char* words;
  };
  static constexpr Name kNames[] = {
      {"avg_task_acceptance_time", "average speed of answer"},
      {"abandon_rate", "abandon rate"},
      {"occupancy", "occupancy"},
      {"tasks_created", "tasks created"},
      {"tasks_entered", "tasks entered"},
      {"tasks_completed", "tasks completed"},
      {"tasks_canceled", "tasks canceled"},
      {"tasks_abandoned", "tasks abandoned"},
      {"reservations_timed_out", "reservations timed out"},
      {"reservations_rejected", "reservations rejected"},
      {"reservations_created", "reservations created"},
      {"reservations_accepted", "reservations accepted"},
      {"longest_task_waiting_age", "longest wait"},
  };
  std::string words;
  if (rest.rfind("service_level.", 0) == 0) {
    words = "service level within " + rest.substr(14) + " s";
  } else {
    for (const Name& n : kNames)
      if (rest == n.key) words = n.words;
    if (words.empty()) {
      words = rest;
      for (char& ch : words)
        if (ch == '_' || ch == '.') ch = ' ';
    }
  }
  return scope.empty() ? words : words + " (" + scope + ")";
}

namespace {

// Laptop-width first: the page is at most 960 px of text, charts scale with it.
constexpr const char* kStyle = R"(
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 0;
       color: #222; background: #f6f6f4; line-height: 1.45; }
main { max-width: 1400px; margin: 0 auto; padding: 16px 20px 48px; }
h1 { font-size: 1.6rem; margin: 0.6em 0 0.2em; }
h2 { font-size: 1.25rem; margin: 1.6em 0 0.4em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
h3 { font-size: 1.05rem; margin: 1.2em 0 0.3em; }
p.meta { color: #555; margin: 0 0 1em; }
nav { display: flex; flex-wrap: wrap; gap: 0.2em 1em; }
nav a { white-space: nowrap; }
figure { margin: 0.8em 0 1.4em; background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 6px; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { font-size: 0.85rem; color: #555; padding: 2px 8px 4px; }
svg .title { font-size: 16px; font-weight: 600; fill: #222; }
svg .subtitle, svg .tick { fill: #555; }
svg .legend-label { fill: #333; }
svg .axis-label { fill: #333; font-size: 13px; }
svg .grid { stroke: #e4e4e4; stroke-width: 1; }
svg .axis-line, svg .tick-mark { stroke: #888; stroke-width: 1; }
svg .span-label { fill: #777; font-style: italic; }
svg .target-label { fill: #c0392b; font-weight: 600; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
section.cascade { border-left: 5px solid #c0392b; padding-left: 14px; }
.callout { background: #fdecea; border: 1px solid #f5c6c0; border-radius: 6px; padding: 8px 12px; }
table { border-collapse: collapse; width: 100%; font-size: 0.88rem; background: #fff; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { vertical-align: bottom; }
thead th { background: #eee; position: sticky; top: 0; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 0 16px; }
.grid figure { margin: 0.5em 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 12px; margin: 0.8em 0; }
.card { background: #fff; border: 1px solid #ddd; border-left: 6px solid #888; border-radius: 6px; padding: 8px 12px; }
.card.ok { border-left-color: #1e7b34; } .card.missed { border-left-color: #c0392b; }
.card .what { font-size: 0.85rem; color: #555; }
.card .value { font-size: 1.6rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .ci { font-size: 0.9rem; color: #555; }
.card .mark { font-weight: 700; } .card.ok .mark { color: #1e7b34; } .card.missed .mark { color: #c0392b; }
.card .target { font-size: 0.85rem; color: #555; }
.table-wrap { overflow-x: auto; }
td.ok { color: #1e7b34; font-weight: 600; } td.failed { color: #c0392b; font-weight: 600; }
tr.baseline td { background: #fff8e1; }
table.points td { white-space: nowrap; } .delta { color: #555; font-size: 0.85em; }
details { margin: 0.4em 0; } summary { cursor: pointer; font-weight: 600; }
.note { color: #666; font-size: 0.9rem; }
)";

}  // namespace

std::string html_page_head(const std::string& title) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + escape_xml(title) + "</title>\n<style>" + kStyle +
         "</style>\n</head>\n<body>\n<main>\n";
  return out;
}

std::string html_page_tail() {
  return "<p class=\"note\">Generated by trsim " TRSIM_VERSION
         " (<code>trsim report</code>).</p>\n</main>\n</body>\n</html>\n";
}

std::string html_page(const std::string& title, const std::string& body) {
  return html_page_head(title) + body + html_page_tail();
}

namespace {

// The shape a summary or a sweep JSON must have before a report is drawn from it: every problem is
// named by its path in the document ("statistics.workspace.occupancy.mean: expected a number or
// null, got a string"). Empty when the shape is right.
class ShapeCheck {
 public:
  std::string problem;

  bool ok() const { return problem.empty(); }
  void fail(const std::string& path, const std::string& what) {
    if (problem.empty()) problem = (path.empty() ? "" : path + ": ") + what;
  }
  const Value* member(const Value& object, const std::string& path, const char* key,
                      Value::Kind kind, bool required) {
    const Value* v = object.find(key);
    const std::string at = path.empty() ? key : path + "." + key;
    if (v == nullptr) {
      if (required) fail(path, fmt::format("missing '{}'", key));
      return nullptr;
    }
    if (v->kind() != kind) {
      fail(at, fmt::format("expected {}, got {}", detail::kind_with_article(kind),
                           detail::kind_with_article(v->kind())));
      return nullptr;
    }
    return v;
  }
  void whole_number(const Value& object, const std::string& path, const char* key, double least) {
    const Value* v = member(object, path, key, Value::Kind::number, true);
    if (v && (v->as_number() < least || v->as_number() != std::floor(v->as_number())))
      fail(path.empty() ? key : path + "." + key,
           fmt::format("expected a whole number of at least {}", least));
  }
  // {mean, ci95, min, max} leaves (numbers or null) under groups of any depth.
  void aggregates(const Value& node, const std::string& path, int depth) {
    if (!ok()) return;
    if (!node.is_object())
      return fail(
          path, fmt::format("expected an object, got {}", detail::kind_with_article(node.kind())));
    if (depth > 32) return fail(path, "nested too deeply for statistics");
    if (node.find("mean") != nullptr) {
      for (const char* key : {"mean", "ci95", "min", "max"}) {
        const Value* v = node.find(key);
        if (v != nullptr && !v->is_number() && !v->is_null())
          return fail(path + "." + key, fmt::format("expected a number or null, got {}",
                                                    detail::kind_with_article(v->kind())));
      }
      return;
    }
    for (const auto& [key, child] : node.as_object())
      aggregates(child, path + "." + key, depth + 1);
  }
};

std::string summary_shape(const Value& d) {
  ShapeCheck c;
  c.member(d, "", "scenario", Value::Kind::string, true);
  c.whole_number(d, "", "replications", 1);
  c.member(d, "", "horizon", Value::Kind::number, true);
  if (const Value* start = c.member(d, "", "start", Value::Kind::string, false)) {
    std::string why;
    if (!detail::parse_iso8601_utc(start->as_string(), &why)) c.fail("start", why);
  }
  if (const Value* expect = c.member(d, "", "expect", Value::Kind::array, false)) {
    for (std::size_t i = 0; i < expect->as_array().size() && c.ok(); ++i) {
      const Value& e = expect->as_array()[i];
      const std::string at = fmt::format("expect[{}]", i);
      if (!e.is_object()) {
        c.fail(at, fmt::format("expected an object, got {}", detail::kind_with_article(e.kind())));
        break;
      }
      c.member(e, at, "metric", Value::Kind::string, true);
      c.member(e, at, "min", Value::Kind::number, false);
      c.member(e, at, "max", Value::Kind::number, false);
    }
  }
  if (const Value* statistics = c.member(d, "", "statistics", Value::Kind::object, true)) {
    if (statistics->find("workspace") == nullptr)
      c.fail("statistics", "missing 'workspace'");
    else
      c.aggregates(*statistics, "statistics", 0);
  }
  c.member(d, "", "runs", Value::Kind::array, false);
  c.member(d, "", "intervals", Value::Kind::object, false);
  return c.problem;
}

std::string sweep_shape(const Value& d) {
  ShapeCheck c;
  c.member(d, "", "scenario", Value::Kind::string, true);
  c.whole_number(d, "", "replications", 1);
  c.member(d, "", "parameters", Value::Kind::array, true);
  c.member(d, "", "metrics", Value::Kind::array, true);
  if (const Value* points = c.member(d, "", "points", Value::Kind::array, true)) {
    if (points->as_array().empty()) c.fail("points", "the sweep has no points");
    for (std::size_t i = 0; i < points->as_array().size() && c.ok(); ++i) {
      const Value& p = points->as_array()[i];
      const std::string at = fmt::format("points[{}]", i);
      if (!p.is_object()) {
        c.fail(at, fmt::format("expected an object, got {}", detail::kind_with_article(p.kind())));
        break;
      }
      c.member(p, at, "values", Value::Kind::object, true);
      if (p.find("replications") != nullptr) c.whole_number(p, at, "replications", 1);
      if (const Value* m = c.member(p, at, "metrics", Value::Kind::object, true))
        c.aggregates(*m, at + ".metrics", 0);
    }
  }
  return c.problem;
}

}  // namespace

namespace {

// Which page a document makes, after its shape is checked; nullopt with the reason in `error`.
enum class PageKind { run, sweep, tune, staffing };

std::optional<PageKind> page_kind(const Value& document, std::string* error) {
  const auto fail = [&](std::string message) -> std::optional<PageKind> {
    if (error != nullptr) *error = std::move(message);
    return std::nullopt;
  };
  if (!document.is_object())
    return fail(
        "not a trsim summary, sweep, tuning or staffing: the document is not a JSON object");
  if (const Value* kind = document.find("kind");
      kind != nullptr && kind->is_string() && kind->as_string() == "tune")
    return PageKind::tune;
  if (const Value* kind = document.find("kind");
      kind != nullptr && kind->is_string() && kind->as_string() == "staffing")
    return PageKind::staffing;
  if (document.find("points") != nullptr) {
    if (const std::string why = sweep_shape(document); !why.empty())
      return fail("not a trsim sweep (trsim sweep --json): " + why);
    return PageKind::sweep;
  }
  if (document.find("statistics") == nullptr)
    return fail(
        "not a trsim summary, sweep, tuning or staffing: it has neither 'statistics' (trsim run "
        "--json), 'points' (trsim sweep --json) nor a 'kind' of \"tune\" (trsim tune --json) or "
        "\"staffing\" (trsim staff --per-interval --json)");
  if (const std::string why = summary_shape(document); !why.empty())
    return fail("not a trsim summary (trsim run --json): " + why);
  return PageKind::run;
}

void render_page(PageKind kind, const Value& document, const PageSink& sink) {
  switch (kind) {
    case PageKind::run:
      return render_run_report(document, sink);
    case PageKind::sweep:
      return sink(render_sweep_report(document));
    case PageKind::tune:
      return sink(render_tune_report(document));
    case PageKind::staffing:
      return sink(render_staffing_report(document));
  }
}

}  // namespace

std::optional<std::string> render_report(const Value& document, std::string* error) {
  const std::optional<PageKind> kind = page_kind(document, error);
  if (!kind) return std::nullopt;
  std::string page;
  render_page(*kind, document, [&](std::string_view piece) { page += piece; });
  return page;
}

bool render_report(const Value& document, std::ostream& out, std::string* error) {
  const std::optional<PageKind> kind = page_kind(document, error);
  if (!kind) return false;
  render_page(*kind, document, [&](std::string_view piece) {
    out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
  });
  return true;
}

}  // namespace trsim::report
