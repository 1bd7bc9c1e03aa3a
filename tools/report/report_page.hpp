#pragma once
// What the run and sweep pages of the report share: reading numbers out of the parsed JSON, the
// page frame (head, CSS, sections) and number formatting.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "trsim/expectations.hpp"
#include "trsim/value.hpp"

namespace trsim::report {

/// The member at a dotted path, each step taking the longest key that matches (so that
/// "workspace.service_level.0.5" finds the key "0.5"); nullptr when absent.
const Value* find_path(const Value& root, std::string_view dotted);

/// A JSON number, or NaN (null, absent or not a number).
double number_or_nan(const Value* v);

/// A JSON array of numbers as doubles (null elements as NaN); empty when `v` is not an array.
std::vector<double> numbers(const Value* v);

/// A number for a table cell: "–" for NaN, integers without decimals, others with 2 to 4
/// significant decimals.
std::string format_value(double v);

/// The unit of a metric from its name: "s" for waits and speeds of answer, "%" for ratios, "" for
/// counts.
std::string metric_unit(std::string_view path);

/// A statistic for a table: ratios as a percentage with one decimal ("75.3%"), seconds with one
/// decimal, counts with `count_decimals` decimals; "–" for NaN. One call per cell of a row with
/// the same arguments gives the row one format.
std::string format_metric(double v, std::string_view path, int count_decimals = 1);

/// A metric's path in words: "workspace.service_level.20" -> "service level within 20 s
/// (workspace)", "task_queues.Spanish.avg_task_acceptance_time" -> "average speed of answer
/// (queue Spanish)". Unknown names are shown with spaces for underscores.
std::string metric_title(std::string_view path);

/// The style sheet's class for a chart grid: small multiples side by side on a wide screen.
inline constexpr const char* kGridOpen = "<div class=\"grid\">\n";

/// An HTML page around `body`: <!doctype>, <title>, the inline style sheet.
std::string html_page(const std::string& title, const std::string& body);
/// html_page() in two halves, for a page written as it is made: what comes before the body and
/// what comes after it.
std::string html_page_head(const std::string& title);
std::string html_page_tail();

/// Where a page goes piece by piece, in order, as it is made.
using PageSink = std::function<void(std::string_view)>;

/// A page being written: each piece appended goes to the sink at once.
class PageOut {
 public:
  explicit PageOut(const PageSink& sink) : sink_(sink) {}
  PageOut& operator+=(std::string_view piece) {
    sink_(piece);
    return *this;
  }

 private:
  const PageSink& sink_;
};

/// The run's page, written to `sink` one section (one statistics table) at a time.
void render_run_report(const Value& summary, const PageSink& sink);
std::string render_sweep_report(const Value& sweep);
std::string render_tune_report(const Value& tune);
/// A per-interval staffing (`trsim staff --per-interval --json`, kind "staffing").
std::string render_staffing_report(const Value& staffing);

}  // namespace trsim::report
