#pragma once
// Charts as inline SVG text for `trsim report`: line charts (time series and sweeps, with ci95
// bands and target lines) and grouped bar charts. Pure functions from numbers to text; no
// scripts, no external assets. Every chart is an <svg class="chart"> with a responsive viewBox
// (900 units wide, scaled to the page); every data point is an element of class "point" (a circle
// of a line chart, a rect of a bar chart) and every series path carries data-points="N", so tests
// can count what was drawn. A NaN value is no data: a gap in the line, no point, never a crash.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/xml.hpp"  // escape_xml

namespace trsim::report {

/// Evenly spaced "round" tick values covering [lo, hi] (steps of 1, 2, 2.5 or 5 × 10^k), about
/// `target` of them. The first tick is <= lo and the last >= hi (up to rounding); lo == hi is
/// widened around the value; non-finite bounds give [0, 1].
struct Ticks {
  double lo = 0;
  double hi = 1;
  double step = 1;
  std::vector<double> values;
};
Ticks nice_ticks(double lo, double hi, int target = 5);

/// Ticks on a time axis in seconds from time 0: steps of whole minutes or hours (15m, 30m, 1h, 2h,
/// 3h, 6h, 12h, 1d...) chosen for at most `target` ticks over [lo, hi], placed on whole multiples
/// of the step of the wall clock (time 0 is `start_epoch`, Unix seconds). lo and hi stay as given.
Ticks time_ticks(double lo, double hi, int target = 8, std::int64_t start_epoch = 0);

/// How an axis labels its ticks.
enum class AxisFormat {
  number,   ///< plain, with the decimals the tick step needs
  percent,  ///< a fraction shown as a percentage (0.8 -> "80%")
  clock,    ///< seconds from time 0 as the wall-clock time HH:MM (from `start_epoch`), "+Nd" after
            ///< day one
};

/// A tick label: `value` formatted for an axis whose ticks are `step` apart.
std::string format_tick(double value, double step, AxisFormat format, std::int64_t start_epoch = 0);

struct Axis {
  std::string label;  ///< with its unit, e.g. "average speed of answer (s)"
  AxisFormat format = AxisFormat::number;
  std::optional<double> min;  ///< fixed bounds; otherwise from the data (and 0 included for y)
  std::optional<double> max;
  /// Categorical x axis: the labels of x = 0, 1, 2, ... (the data's x are the indexes).
  std::vector<std::string> categories;
};

struct Series {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;     ///< NaN = no data (a gap)
  std::vector<double> ci95;  ///< empty, or one half-width per point (NaN = none): a band y ± ci95
  std::string colour;        ///< empty = the next colour of the palette
  bool emphasis = false;     ///< a thicker line, drawn last (on top)
  bool area = false;         ///< filled down to y = 0
  /// What the series shows ("queue:Spanish", "activity:Break"): written as data-entity so that a
  /// page can be checked to give each entity one colour. Empty = none.
  std::string entity;
  std::string dash;   ///< an SVG stroke-dasharray ("6 3"); empty = a solid line
  bool step = false;  ///< a step over each point's interval (LineChart::step_width wide), no slope
  /// The line's width in px; 0 = by emphasis and crowding. A wide pale line under a thin dashed
  /// one keeps both visible where they coincide (series are drawn in order, emphasis last).
  double width = 0;
};

/// A horizontal line at a target (an `expect:` bound), labelled.
struct TargetLine {
  double y = 0;
  std::string label;
};

/// A shaded stretch of the x axis, labelled (the warm-up of a run).
struct ShadedSpan {
  double from = 0;
  double to = 0;
  std::string label;
};

struct LineChart {
  std::string title;
  std::string subtitle;  ///< one line under the title (what the data is), may be empty
  Axis x;
  Axis y;
  std::int64_t start_epoch = 0;  ///< for AxisFormat::clock
  std::vector<Series> series;
  std::vector<TargetLine> targets;
  std::vector<ShadedSpan> spans;
  double width = 900;  ///< of the viewBox; a small multiple uses less, so its text stays legible
  double plot_height = 270;  ///< of the plot area, in viewBox units
  /// Each point's x stands for [x - step_width / 2, x + step_width / 2) (an interval's mean): step
  /// series draw it flat across that stretch.
  double step_width = 0;
  /// The series' areas stacked in order (each step series on top of the previous ones): the
  /// stack's height is the total. Every series of a stacked chart is drawn as a filled step.
  bool stacked = false;
  /// Ticks exactly at these x values (the swept values of a sweep) rather than round ones.
  std::vector<double> x_ticks;
};

std::string render_line_chart(const LineChart& chart);

/// Grouped bars: one group per category, one bar per series in each group, with ci95 error bars.
struct BarChart {
  std::string title;
  std::string subtitle;
  std::string y_label;
  std::vector<std::string> categories;
  std::vector<Series> series;  ///< y (and ci95) per category; x is ignored
  /// One colour and entity per category (a chart of one series whose bars are queues), overriding
  /// the series' colour; empty = by series.
  std::vector<std::string> category_colours;
  std::vector<std::string> category_entities;
  double width = 900;
  double plot_height = 270;
};

std::string render_bar_chart(const BarChart& chart);

/// The palette: ten colours distinguishable on white and by most colour-blind readers (Tableau
/// 10); colour i wraps around.
const std::string& palette_colour(std::size_t i);

}  // namespace trsim::report
